"""Discovery from the UN Digital Library, against a server on 127.0.0.1 (no network).

The server answers like the library's ``/search?...&of=xm`` with the hand-written MARCXML
pages in tests/fixtures/undl/ (see its README: only S/RES/1509 (2003) is a real document),
chosen by the query (resolutions or Secretary-General reports) and ``jrec``.
"""

from __future__ import annotations

import http.server
import io
import itertools
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import ClassVar

import pandas as pd
import pytest

from analysis.corpus.discover import (
    COLUMNS,
    DiscoverError,
    build_query_url,
    discover,
    doc_id_for,
    main,
    normalize_symbol,
    parse_marcxml,
    records_to_rows,
    summary,
)
from analysis.corpus.http import PoliteClient
from analysis.corpus.study import study_problems
from analysis.io import read_csv
from analysis.schemas.manifest import load_manifest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "undl"
MISSIONS = ROOT / "raw" / "missions.csv"
PAGE = 3  # records per page the fixtures were cut into
UNMIL_NAMES = ["UNMIL", "UN Mission in Liberia", "United Nations Mission in Liberia"]


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class _Handler(http.server.BaseHTTPRequestHandler):
    log: ClassVar[list] = []  # (monotonic time, path, user agent)
    fail_first: ClassVar[list] = []  # statuses to answer before the real pages, in order
    html: ClassVar[bool] = False

    def do_GET(self):
        self.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        url = urllib.parse.urlsplit(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if "oc-mandates/" not in self.headers.get("User-Agent", ""):
            return self._send(403, "text/plain", b"no project User-Agent")
        if self.fail_first:
            return self._send(self.fail_first.pop(0), "text/plain", b"busy")
        if self.html:
            return self._send(200, "text/html; charset=utf-8", fixture("error-page.html"))
        if url.path != "/search" or q.get("of") != "xm" or q.get("ln") != "en" \
                or q.get("rg") != str(PAGE) or "UNMIL" not in q.get("p", ""):
            return self._send(400, "text/plain", b"unexpected query")
        kind = "reports" if 'author:"Secretary-General"' in q["p"] else "resolutions"
        page = {"1": "p1", str(PAGE + 1): "p2"}.get(q.get("jrec", "1"))
        if page is None:
            return self._send(200, "application/xml",
                              b'<collection xmlns="http://www.loc.gov/MARC21/slim"/>')
        self._send(200, "text/xml; charset=utf-8", fixture(f"unmil-{kind}-{page}.xml"))

    def _send(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def library():
    """A fake Digital Library; ``library.log`` lists (time, path, user agent) per request."""
    handler = type("Handler", (_Handler,), {"log": [], "fail_first": [], "html": False})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.handler = handler
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def client(**kw) -> PoliteClient:
    return PoliteClient(interval=kw.pop("interval", 0.0), backoff=kw.pop("backoff", 0.05),
                        timeout=10, **kw)


# --- pure functions ---------------------------------------------------------------------

def test_query_url_asks_for_marcxml_pages_by_name_and_type():
    res = build_query_url("https://digitallibrary.un.org/", UNMIL_NAMES, "resolution",
                          jrec=51, rg=50)
    parts = urllib.parse.urlsplit(res)
    q = dict(urllib.parse.parse_qsl(parts.query))
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "digitallibrary.un.org",
                                                        "/search")
    assert q["p"] == ('("UNMIL" OR "UN Mission in Liberia" OR '
                      '"United Nations Mission in Liberia")')
    assert (q["of"], q["rg"], q["jrec"], q["ln"]) == ("xm", "50", "51", "en")
    assert q["fct__1"] == "Resolutions and Decisions"
    rep = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(
        build_query_url("https://digitallibrary.un.org", UNMIL_NAMES, "report")).query))
    assert rep["p"].endswith(' AND author:"Secretary-General"')
    assert "fct__1" not in rep and rep["jrec"] == "1"
    with pytest.raises(ValueError):
        build_query_url("https://x", UNMIL_NAMES, "study")


def test_symbols_and_doc_ids():
    assert normalize_symbol("S/RES/1509(2003)") == "S/RES/1509 (2003)"
    assert normalize_symbol(" S/RES/1509  (2003) ") == "S/RES/1509 (2003)"
    assert normalize_symbol("S/2003/875") == "S/2003/875"
    assert doc_id_for("S/RES/1509 (2003)") == "s-res-1509-2003"
    assert doc_id_for("S/2003/875") == "s-2003-875"
    assert doc_id_for("", "900013") == "undl-900013"


def test_parse_marcxml_reads_total_records_and_fields():
    page = parse_marcxml(fixture("unmil-resolutions-p1.xml"))
    assert page.total == 4
    assert [r.record_id for r in page.records] == ["900001", "900002", "900003"]
    first = page.records[0]
    assert first.symbols == ["S/RES/1509(2003)"]
    assert first.title == "Resolution 1509 (2003)"
    assert first.date_269 == "2003-09-19"
    assert [lang for _, lang in first.files] == ["Français", "English"]


def test_records_become_manifest_rows():
    records = (parse_marcxml(fixture("unmil-resolutions-p1.xml")).records
               + parse_marcxml(fixture("unmil-reports-p1.xml")).records)
    rows = {r["record_id"]: r for r in records_to_rows(records, "UNMIL", "https://dl.test/")}
    res = rows["900001"]
    assert res["symbol"] == "S/RES/1509 (2003)" and res["doc_id"] == "s-res-1509-2003"
    assert (res["doc_type"], res["date"], res["missions"]) == ("resolution", "2003-09-19",
                                                               "UNMIL")
    # the English PDF, although the French one comes first in the record
    assert res["source_url"].endswith("/record/900001/files/S_RES_1509%282003%29-EN.pdf")
    assert res["source"] == "https://dl.test/record/900001" and res["status"] == "to review"
    # English only by its file name; compact date YYYYMMDD
    assert rows["900002"]["source_url"].endswith("S_RES_9901%282099%29-EN.pdf")
    assert rows["900002"]["date"] == "2099-03-31"
    # no 269: the date comes from 992; only a French file: no source_url, and it is said
    assert rows["900003"]["date"] == "2099-09-30"
    assert rows["900003"]["source_url"] == ""
    assert "no English PDF" in rows["900003"]["message"]
    assert rows["900011"]["doc_type"] == "report" and rows["900011"]["doc_id"] == "s-2099-901"
    # a month is not a date; a record without symbol: both kept, as incomplete
    assert rows["900012"]["status"] == "incomplete" and rows["900012"]["date"] == ""
    assert "no full date" in rows["900012"]["message"] and "2099-08" in rows["900012"]["message"]
    assert rows["900013"]["status"] == "incomplete"
    assert "no document symbol" in rows["900013"]["message"]
    assert set(res) == set(COLUMNS)


def test_html_page_is_refused_with_the_url():
    with pytest.raises(DiscoverError, match=r"https://dl\.test/search\?p=x.*not MARCXML"):
        parse_marcxml(fixture("error-page.html"), "https://dl.test/search?p=x")
    with pytest.raises(DiscoverError, match="empty"):
        parse_marcxml(b"  ", "https://dl.test/search?p=x")
    with pytest.raises(DiscoverError, match="not a MARCXML collection"):
        parse_marcxml(b"<rss><channel/></rss>", "https://dl.test/search?p=x")


# --- against the fake library -----------------------------------------------------------

def test_pagination_collects_every_record_politely(library, tmp_path):
    out = tmp_path / "study" / "discovered.csv"
    log = tmp_path / "progress.txt"
    with log.open("w") as fh:
        df, searches = discover(["unmil"], MISSIONS, out, client(interval=0.2), library.url,
                                page_size=PAGE, max_records=500, log=fh)
    # two pages per query (jrec 1 and 4), every request with the project's User-Agent
    paths = [urllib.parse.parse_qs(urllib.parse.urlsplit(p).query)["jrec"][0]
             for _, p, _ in library.handler.log]
    assert paths == ["1", "4", "1", "4"]
    assert all(ua.startswith("oc-mandates/") for _, _, ua in library.handler.log)
    assert [(s.doc_type, s.total, len(s.records)) for s in searches] == [
        ("resolution", 4, 4), ("report", 6, 6)]
    # requests start at least the interval apart (server-side times)
    times = [t for t, _, _ in library.handler.log]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.18, gaps
    progress = log.read_text()
    assert "UNMIL resolutions: page 2, 4 of 4 records" in progress
    assert "UNMIL reports: page 1, 3 of 6 records" in progress
    # 10 records, one symbol found twice (S/RES/1509 (2003)): 9 rows, nothing dropped
    assert len(df) == 9 and df["symbol"].value_counts().max() == 1
    one = df.set_index("doc_id").loc["s-res-1509-2003"]
    assert one["record_id"] == "900001"  # the record with the English PDF is kept
    assert one["source"] == f"{library.url}/record/900001"
    assert sorted(df["status"].unique()) == ["incomplete", "other type", "to review"]
    assert set(df.loc[df["status"] == "incomplete", "record_id"]) == {"900012", "900013"}
    assert df.set_index("record_id").loc["900015", "doc_type"] == ""  # A/99/901
    # relative file links are made absolute on the library's address
    assert df.set_index("record_id").loc["900004", "source_url"] == (
        f"{library.url}/record/900004/files/S_RES_9903%282099%29-EN.pdf")
    # dated rows in date order, undated last
    dates = list(df["date"])
    assert dates[:-1] == sorted(dates[:-1]) and dates[-1] == ""
    assert list(read_csv(out).columns) == list(COLUMNS)
    # rows to review are manifest rows as they stand (extra columns are allowed)
    reviewed = tmp_path / "manifest.csv"
    df[df["status"] == "to review"].to_csv(reviewed, index=False)
    manifest = load_manifest(reviewed, MISSIONS)
    assert len(manifest) == 6 and set(manifest["missions"]) == {"UNMIL"}
    # ... and study manifest rows: a document_kind and the record as source
    assert study_problems(manifest, reviewed) == []
    assert set(manifest["document_kind"]) == {"Security Council resolution",
                                              "Secretary-General report"}


def test_cli_writes_the_same_bytes_twice_and_says_draft(library, tmp_path):
    outs = []
    for run in (1, 2):
        out = tmp_path / f"run{run}" / "discovered.csv"
        proc = subprocess.run(
            [sys.executable, "-m", "analysis.corpus", "discover", "--operation", "UNMIL",
             "--missions", str(MISSIONS), "--out", str(out), "--base-url", library.url,
             "--interval", "0.05", "--page-size", str(PAGE), "--contact", "me@example.org"],
            check=False, capture_output=True, text=True, cwd=ROOT,
            env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    err = proc.stderr
    assert "DRAFT" in err and "raw/study/" in err and "needs the network" in err
    assert "UNMIL  resolutions 4 records found" in err
    assert "UNMIL  reports     6 records found" in err
    assert "5 resolution to review" not in err and "4 resolution to review" in err
    assert "me@example.org" in library.handler.log[-1][2]
    table = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert table.loc[0, "symbol"] == "S/RES/1509 (2003)" and table.loc[0, "date"] == "2003-09-19"


def test_html_answer_is_refused_naming_the_url(library, tmp_path, capsys):
    library.handler.html = True
    out = tmp_path / "discovered.csv"
    code = main(["--operation", "UNMIL", "--missions", str(MISSIONS), "--out", str(out),
                 "--base-url", library.url, "--interval", "0", "--page-size", str(PAGE)])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert f"{library.url}/search?p=" in err and "not MARCXML" in err
    assert "nothing written" in err


def test_unknown_operation_is_refused_with_suggestions(library, tmp_path, capsys):
    out = tmp_path / "discovered.csv"
    code = main(["--operation", "UNMLI", "--missions", str(MISSIONS), "--out", str(out),
                 "--base-url", library.url, "--interval", "0"])
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert "'UNMLI' is not an operation" in err and "UNMIL" in err
    assert library.handler.log == []  # refused before any request


def test_a_503_is_retried(library, tmp_path):
    library.handler.fail_first = [503]
    progress = tmp_path / "progress.txt"
    with progress.open("w") as fh:
        df, _ = discover(["UNMIL"], MISSIONS, tmp_path / "d.csv",
                         client(log=fh), library.url, page_size=PAGE, log=fh)
    assert len(library.handler.log) == 5  # the 503, then the four pages
    assert "HTTP 503" in progress.read_text() and "retry 1/3" in progress.read_text()
    assert len(df) == 9


def test_max_records_stops_and_says_so(library, tmp_path):
    out = tmp_path / "d.csv"
    df, searches = discover(["UNMIL"], MISSIONS, out, client(), library.url,
                            page_size=PAGE, max_records=PAGE, log=io.StringIO())
    assert [len(s.records) for s in searches] == [3, 3]
    assert all(s.truncated for s in searches)
    assert len(library.handler.log) == 2
    text = summary(df, searches, out, library.url, 2)
    assert text.count("STOPPED at --max-records") == 2
    assert "4 records found" not in text and "(the library announced 6)" in text
