"""Downloading missing documents from a real HTTP server on 127.0.0.1 serving reportlab PDFs."""

from __future__ import annotations

import io
import itertools
import socket
import subprocess
import sys
import time

import local_server
import pandas as pd
import pytest
from pdf_fixtures import text_pdf, tree_state, write_manifest

from analysis.corpus.check import check_corpus
from analysis.corpus.fetch import (
    LOCK_COLUMNS,
    STATE_FILE,
    DestinationError,
    fetch_missing,
    sha256_file,
    symbol_url,
)
from analysis.schemas.manifest import load_manifest


@pytest.fixture
def server():
    """A live server; ``server.routes[path] = (status, content_type, body)`` (local_server)."""
    httpd = local_server.start()
    yield httpd
    local_server.stop(httpd)


def pdf_bytes(tmp_path, name, text):
    return text_pdf(tmp_path / "served" / f"{name}.pdf", text).read_bytes()


@pytest.fixture
def site(server, tmp_path):
    """Server with a resolution behind an undocs-style redirect, a report and an HTML page."""
    res = pdf_bytes(tmp_path, "res", "Resolution 1542 (2004). 1. Decides to establish the "
                    "Stabilization Mission.")
    rep = pdf_bytes(tmp_path, "rep", "S/2007/503 Report under resolution 1542 (2004). 12. The mission "
                    "seized 40 kg of cocaine.")
    server.routes.update({
        "/en/S/RES/1542(2004)": (302, "text/html", b"/files/N0433298.pdf"),
        "/files/N0433298.pdf": (200, "application/pdf", res),
        "/reports/rep.pdf": (200, "application/pdf", rep),
        "/html.pdf": (200, "text/html", b"<!DOCTYPE html><html>Access denied</html>"),
    })
    server.pdf = {"res": res, "rep": rep}
    return server


def make_manifest(tmp_path, rows):
    raw = tmp_path / "raw"
    text_pdf(raw / "pdfs" / "local.pdf", "A study already on disk.")
    rows = [{"doc_id": "local", "path": "pdfs/local.pdf", "doc_type": "study", "missions": ""},
            *rows]
    return load_manifest(write_manifest(raw / "manifest.csv", rows)), raw


def run_fetch(tmp_path, server, df, raw, **kw):
    log = io.StringIO()
    lock = fetch_missing(df, raw, tmp_path / "results" / "sources", base_url=server.url + "/en/",
                         timeout=5, lock_path=tmp_path / "results" / "sources" / "lock.csv",
                         log=log, **({"interval": 0.0, "backoff": 0.01} | kw))
    return lock.set_index("doc_id"), log.getvalue()


def test_symbol_urls_follow_undocs_style():
    assert symbol_url("S/RES/1542 (2004)") == "https://undocs.org/en/S/RES/1542(2004)"
    assert symbol_url("S/2007/503", "http://h/en") == "http://h/en/S/2007/503"
    assert symbol_url(" S/PV.5000 Resumption 1 ") == "https://undocs.org/en/S/PV.5000%20Resumption%201"


def test_downloads_by_symbol_and_by_source_url(tmp_path, site):
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "res", "symbol": "S/RES/1542 (2004)", "doc_type": "resolution"},
        {"doc_id": "rep", "path": "pdfs/rep.pdf", "symbol": "S/2007/503",  # path absent
         "source_url": site.url + "/reports/rep.pdf"},
    ])
    lock, log = run_fetch(tmp_path, site, df, raw)
    assert list(lock.index) == ["rep", "res"]  # the local study needs no download
    sources = tmp_path / "results" / "sources"
    for doc_id in ("res", "rep"):
        assert (sources / f"{doc_id}.pdf").read_bytes() == site.pdf[doc_id]
        assert lock.loc[doc_id, "status"] == "downloaded"
        assert lock.loc[doc_id, "sha256"] == sha256_file(sources / f"{doc_id}.pdf")
        assert lock.loc[doc_id, "bytes"] == len(site.pdf[doc_id])
    assert lock.loc["res", "url"] == site.url + "/en/S/RES/1542(2004)"
    assert {p for p, _ in site.seen} == {"/en/S/RES/1542(2004)", "/files/N0433298.pdf",
                                         "/reports/rep.pdf"}
    assert all(agent.startswith("oc-mandates/") for _, agent in site.seen)
    assert "fetch 1/2 S/RES/1542 (2004) ... ok" in log
    written = pd.read_csv(sources / "lock.csv", keep_default_na=False)
    assert tuple(written.columns) == LOCK_COLUMNS


def test_checksum_match_kept_mismatch_rejected(tmp_path, site):
    good = sha256_file(tmp_path / "served" / "res.pdf")
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "res", "symbol": "S/RES/1542 (2004)", "sha256": good},
        {"doc_id": "rep", "source_url": site.url + "/reports/rep.pdf", "sha256": good},
    ])
    lock, log = run_fetch(tmp_path, site, df, raw)
    sources = tmp_path / "results" / "sources"
    assert lock.loc["res", "status"] == "downloaded"
    assert lock.loc["rep", "status"] == "failed"
    assert lock.loc["rep", "message"].startswith("checksum mismatch: downloaded file has sha256")
    assert "fetch 2/2 S/2007/503" not in log and "fetch 2/2 rep ... failed: checksum" in log
    assert sorted(p.name for p in sources.iterdir()) == [STATE_FILE, "lock.csv", "res.pdf"]
    n_requests = len(site.seen)
    lock, _ = run_fetch(tmp_path, site, df, raw, offline=True)  # the manifest's sha256 vouches
    assert lock["status"].to_dict() == {"rep": "offline", "res": "reused"}
    assert len(site.seen) == n_requests


def test_http_errors_and_html_are_reported_while_others_succeed(tmp_path, site):
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "gone", "symbol": "S/2099/1"},
        {"doc_id": "html", "source_url": site.url + "/html.pdf"},
        {"doc_id": "res", "symbol": "S/RES/1542 (2004)"},
    ])
    lock, _ = run_fetch(tmp_path, site, df, raw)
    assert lock["status"].to_dict() == {"gone": "failed", "html": "failed", "res": "downloaded"}
    assert lock.loc["gone", "message"] == f"HTTP 404 Not Found for {site.url}/en/S/2099/1"
    assert lock.loc["html", "message"] == (f"not a PDF: {site.url}/html.pdf: landing page has "
                                           "no link to a PDF")
    assert not (tmp_path / "results" / "sources" / "html.pdf").exists()


def test_unreachable_server_is_reported_quickly(tmp_path, site):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "far", "source_url": f"http://127.0.0.1:{closed}/x.pdf"},
        {"doc_id": "res", "symbol": "S/RES/1542 (2004)"},
    ])
    start = time.monotonic()
    lock, _ = run_fetch(tmp_path, site, df, raw)
    assert time.monotonic() - start < 5
    assert lock.loc["far", "status"] == "failed"
    assert lock.loc["far", "message"].startswith(f"cannot reach 127.0.0.1:{closed}")
    assert lock.loc["res", "status"] == "downloaded"


def test_reuse_skips_download_until_the_url_changes(tmp_path, site):
    rows = [{"doc_id": "res", "symbol": "S/RES/1542 (2004)"}]
    df, raw = make_manifest(tmp_path, rows)
    run_fetch(tmp_path, site, df, raw)
    n_requests = len(site.seen)
    (tmp_path / "results" / "sources" / "lock.csv").unlink()  # as Snakemake does before a rerun
    lock, log = run_fetch(tmp_path, site, df, raw)
    assert lock.loc["res", "status"] == "reused" and len(site.seen) == n_requests
    assert "... reused" in log
    rows[0]["source_url"] = site.url + "/reports/rep.pdf"
    df, raw = make_manifest(tmp_path, rows)
    lock, _ = run_fetch(tmp_path, site, df, raw)
    assert lock.loc["res", "status"] == "downloaded"
    assert (tmp_path / "results" / "sources" / "res.pdf").read_bytes() == site.pdf["rep"]


def test_offline_uses_no_network(tmp_path, site):
    df, raw = make_manifest(tmp_path, [{"doc_id": "res", "symbol": "S/RES/1542 (2004)"}])
    lock, _ = run_fetch(tmp_path, site, df, raw, offline=True)
    assert site.seen == []
    assert lock.loc["res", ["status", "message"]].tolist() == ["offline", "not downloaded (offline)"]


def test_manifest_folder_is_never_written(tmp_path, site):
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "res", "path": "pdfs/res.pdf", "symbol": "S/RES/1542 (2004)"},
        {"doc_id": "gone", "symbol": "S/2099/1"},
    ])
    before = tree_state(raw)
    lock, _ = run_fetch(tmp_path, site, df, raw)
    assert lock.loc["res", "status"] == "downloaded"
    assert tree_state(raw) == before
    with pytest.raises(DestinationError, match="inside the manifest folder"):
        fetch_missing(df, raw, raw / "downloads", base_url=site.url + "/en/")
    assert tree_state(raw) == before


def test_fetch_then_check_quarantines_failed_downloads(tmp_path, site, monkeypatch):
    monkeypatch.chdir(tmp_path)
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "gone", "symbol": "S/2099/1"},
        {"doc_id": "res", "symbol": "S/RES/1542 (2004)", "doc_type": "resolution"},
    ])
    run_fetch(tmp_path, site, df, raw)
    docs, quarantine = check_corpus("raw/manifest.csv", "results/sources",
                                    "results/sources/lock.csv")
    assert docs.set_index("doc_id")["path"].to_dict() == {
        "local": "raw/pdfs/local.pdf", "res": "results/sources/res.pdf"}
    assert quarantine.to_dict("records") == [{
        "doc_id": "gone", "path": "results/sources/gone.pdf",
        "reason": f"download failed: HTTP 404 Not Found for {site.url}/en/S/2099/1"}]


def test_cli_downloads_and_is_deterministic(tmp_path, site):
    make_manifest(tmp_path, [{"doc_id": "res", "symbol": "S/RES/1542 (2004)"},
                             {"doc_id": "gone", "symbol": "S/2099/1"}])
    locks = []
    for run in ("a", "b"):
        out = subprocess.run(
            [sys.executable, "-m", "analysis.corpus", "fetch", "--manifest", "raw/manifest.csv",
             "--dest", f"results/{run}", "--lock-out", f"results/{run}/lock.csv",
             "--base-url", site.url + "/en/", "--timeout", "5"],
            cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
        assert out.returncode == 0, out.stderr
        assert "fetch 1/2 S/RES/1542 (2004) ... ok" in out.stderr
        assert "1 downloaded, 1 failed" in out.stderr
        locks.append((tmp_path / "results" / run / "lock.csv").read_bytes())
    assert locks[0] == locks[1]
    (tmp_path / "raw" / "manifest.csv").write_text("doc_id,path\nx,\n")
    out = subprocess.run([sys.executable, "-m", "analysis.corpus", "fetch", "--manifest", "raw/manifest.csv",
                          "--dest", "results/a", "--lock-out", "results/a/lock.csv", "--offline"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "column 'doc_type': the column is missing" in out.stderr


# --- Politeness: landing pages, English version, retries, spacing, resuming ----------------
LANDING = """<!DOCTYPE html><html><head><title>Resolution 1542 (2004) | Digital Library</title>
</head><body><h1>Resolution 1542 (2004)</h1><ul>
<li><a href="/files/S_RES_1542(2004)-AR.pdf">العربية</a></li>
<li><a href="/files/S_RES_1542(2004)-FR.pdf">Français PDF</a></li>
<li><a href="/files/S_RES_1542(2004)-EN.pdf">English PDF</a></li>
<li><a href="/files/S_RES_1542(2004)-ES.pdf">Español PDF</a></li></ul></body></html>"""


@pytest.fixture
def polite_site(server, tmp_path):
    """undocs-style redirect -> HTML landing page -> English PDF that fails once (503)."""
    en = pdf_bytes(tmp_path, "en", "Resolution 1542 (2004). 1. Decides to establish the "
                   "Stabilization Mission.")
    fr = pdf_bytes(tmp_path, "fr", "Résolution 1542 (2004). 1. Décide de créer la Mission.")
    server.routes.update({
        "/en/S/RES/1542(2004)": (302, "text/html", b"/record/424431"),
        "/record/424431": (200, "text/html; charset=utf-8", LANDING.encode()),
        "/files/S_RES_1542(2004)-EN.pdf": [(503, "text/html", b"busy"),
                                           (200, "application/pdf", en)],
        "/files/S_RES_1542(2004)-FR.pdf": (200, "application/pdf", fr),
        "/ods/N0433298.pdf": (200, "text/html", (b'<html><head><meta http-equiv="refresh" '
                              b'content="1; url=/ods/real/N0433298.pdf"></head></html>')),
        "/ods/real/N0433298.pdf": (200, "application/pdf", en),
        "/french-only": (200, "text/html", (b'<a href="/files/x-FR.pdf">PDF</a>'
                                            b'<a href="/files/x-ES.pdf">PDF</a>')),
        "/word.doc": (200, "application/msword", b"\xd0\xcf\x11\xe0 a Word file"),
    })
    server.pdf = {"en": en, "fr": fr}
    return server


def test_landing_page_redirect_retry_and_english_version(tmp_path, polite_site):
    df, raw = make_manifest(tmp_path, [{"doc_id": "res", "symbol": "S/RES/1542 (2004)"}])
    lock, log = run_fetch(tmp_path, polite_site, df, raw, interval=0.2, backoff=0.05,
                          contact="researcher@example.org")
    assert lock.loc["res", "status"] == "downloaded", lock.loc["res", "message"]
    got = (tmp_path / "results" / "sources" / "res.pdf").read_bytes()
    assert got == polite_site.pdf["en"] != polite_site.pdf["fr"]
    assert lock.loc["res", "message"] == (
        f"via landing page {polite_site.url}/record/424431 -> "
        f"{polite_site.url}/files/S_RES_1542(2004)-EN.pdf")
    paths = [p for p, _ in polite_site.seen]
    assert paths == ["/en/S/RES/1542(2004)", "/record/424431",
                     "/files/S_RES_1542(2004)-EN.pdf", "/files/S_RES_1542(2004)-EN.pdf"]
    assert "retry 1/3" in log and "HTTP 503" in log
    assert all(ua.startswith("oc-mandates/") and "researcher@example.org" in ua
               for _, ua in polite_site.seen)
    # requests we start are spaced by the interval (the redirect hop is urllib's own)
    starts = [t for (p, _), t in zip(polite_site.seen, polite_site.times, strict=True)
              if p != "/record/424431"]
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.19


def test_meta_refresh_is_followed(tmp_path, polite_site):
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "ods", "source_url": polite_site.url + "/ods/N0433298.pdf"}])
    lock, _ = run_fetch(tmp_path, polite_site, df, raw)
    assert lock.loc["ods", "status"] == "downloaded"
    assert lock.loc["ods", "message"].endswith("/ods/real/N0433298.pdf")


def test_non_pdf_answers_are_rejected_with_the_reason(tmp_path, polite_site):
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "fr", "source_url": polite_site.url + "/french-only"},
        {"doc_id": "word", "source_url": polite_site.url + "/word.doc"},
    ])
    lock, _ = run_fetch(tmp_path, polite_site, df, raw)
    assert lock.loc["fr", "message"] == (
        f"not a PDF: {polite_site.url}/french-only: landing page offers PDFs only in other "
        "languages (French, Spanish), no English version")
    assert lock.loc["word", "message"].startswith(
        f"not a PDF: {polite_site.url}/word.doc sent application/msword starting with")
    assert not any((tmp_path / "results" / "sources").glob("fr.pdf"))
    assert [p for p, _ in polite_site.seen].count("/files/x-FR.pdf") == 0


def test_client_errors_are_not_retried(tmp_path, polite_site):
    df, raw = make_manifest(tmp_path, [{"doc_id": "gone", "symbol": "S/2099/1"}])
    lock, log = run_fetch(tmp_path, polite_site, df, raw)
    assert lock.loc["gone", "status"] == "failed" and "retry" not in log
    assert len(polite_site.seen) == 1


def test_interrupted_fetch_resumes_without_refetching(tmp_path, polite_site):
    from analysis.corpus.http import PoliteClient

    polite_site.routes["/reports/b.pdf"] = (200, "application/pdf", polite_site.pdf["fr"])
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "a", "symbol": "S/RES/1542 (2004)"},
        {"doc_id": "b", "source_url": polite_site.url + "/reports/b.pdf"},
    ])

    class Interrupted(PoliteClient):
        def get(self, url, accept="*/*"):
            if url.endswith("/reports/b.pdf"):
                raise KeyboardInterrupt  # the researcher presses Ctrl-C during document b
            return super().get(url, accept)

    with pytest.raises(KeyboardInterrupt):
        run_fetch(tmp_path, polite_site, df, raw,
                  client=Interrupted(interval=0, backoff=0.01, log=io.StringIO()))
    state = pd.read_csv(tmp_path / "results" / "sources" / STATE_FILE, dtype=str)
    assert state["doc_id"].tolist() == ["a"]  # a was saved before the interruption
    asked = len(polite_site.seen)
    lock, _ = run_fetch(tmp_path, polite_site, df, raw)
    assert lock["status"].to_dict() == {"a": "reused", "b": "downloaded"}
    assert [p for p, _ in polite_site.seen[asked:]] == ["/reports/b.pdf"]


def test_a_pdf_that_does_not_name_its_symbol_is_refused(tmp_path, polite_site):
    """A wrong address gives the wrong document: caught by the symbol on its first pages."""
    polite_site.routes["/en/S/RES/1509(2003)"] = (200, "application/pdf", polite_site.pdf["en"])
    polite_site.routes["/eu/2015-800.pdf"] = (
        200, "application/pdf", pdf_bytes(tmp_path, "eu", "COUNCIL DECISION (CFSP) 2015/800 "
                                          "of 19 May 2015"))
    df, raw = make_manifest(tmp_path, [
        {"doc_id": "wrong", "symbol": "S/RES/1509 (2003)"},
        {"doc_id": "eu", "symbol": "Council Decision (CFSP) 2015/800",
         "source_url": polite_site.url + "/eu/2015-800.pdf"},
        {"doc_id": "au", "symbol": "PSC/PR/COMM.(DCCLIII)"},
    ])
    lock, _ = run_fetch(tmp_path, polite_site, df, raw)
    assert lock.loc["wrong", "status"] == "failed"
    assert lock.loc["wrong", "message"].startswith(
        "wrong document? the PDF does not name S/RES/1509 (2003) on its first 2 pages")
    assert not (tmp_path / "results" / "sources" / "wrong.pdf").exists()
    assert lock.loc["eu", "status"] == "downloaded"
    assert lock.loc["au", "status"] == "failed"  # never sent to undocs: not a UN symbol
    assert lock.loc["au", "message"].startswith("no address to download")
    assert not any("PSC" in p for p, _ in polite_site.seen)


@pytest.mark.parametrize(("symbol", "text", "found"), [
    ("S/RES/1509 (2003)", "S/RES/1509 (2003)\nResolution 1509 (2003)", True),
    ("S/RES/1509 (2003)", "Resolution 11509 (2003)", False),
    ("S/RES/1509 (2003)", "Resolution 1509 (2004)", False),
    ("S/2003/875", "United Nations S /2003/875 Security Council", True),
    ("S/2003/875", "S/2003/8750", False),
    ("Council Decision (CFSP) 2015/800", "DECISION (CFSP) 2015/ 800 of 19 May", True),
    ("Council Joint Action 2008/124/CFSP", "JOINT ACTION 2008/124/CFSP", True),
    ("Council Joint Action 2008/124/CFSP", "JOINT ACTION 2008/1240/CFSP", False),
])
def test_symbol_keys(symbol, text, found):
    from analysis.corpus.fetch import symbol_key

    assert bool(symbol_key(symbol).search(text)) is found


def test_a_killed_fetch_resumes_from_its_state(tmp_path, polite_site):
    """A fetch killed mid-run (SIGTERM, as a cluster or Snakemake does) keeps what it had
    downloaded; the next run asks the server only for the rest."""
    import signal

    polite_site.routes["/slow/b.pdf"] = (200, "application/pdf", polite_site.pdf["fr"])
    make_manifest(tmp_path, [{"doc_id": "a", "symbol": "S/RES/1542 (2004)"},
                             {"doc_id": "b", "source_url": polite_site.url + "/slow/b.pdf"}])
    state = tmp_path / "results" / "sources" / STATE_FILE
    original = polite_site.RequestHandlerClass.do_GET

    def do_get(self):
        if self.path == "/slow/b.pdf" and not state.with_suffix(".done").exists():
            time.sleep(30)  # long enough to be killed while waiting for this document
        original(self)

    polite_site.RequestHandlerClass.do_GET = do_get
    cmd = [sys.executable, "-m", "analysis.corpus", "fetch", "--manifest", "raw/manifest.csv",
           "--dest", "results/sources", "--lock-out", "results/sources/lock.csv",
           "--base-url", polite_site.url + "/en/", "--timeout", "60", "--interval", "0",
           "--backoff", "0.01"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while not state.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert state.exists(), "document a was never recorded"
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)
    assert proc.returncode != 0 and not (tmp_path / "results" / "sources" / "lock.csv").exists()
    assert pd.read_csv(state, dtype=str)["doc_id"].tolist() == ["a"]
    state.with_suffix(".done").touch()  # the server answers at once from now on
    asked = len(polite_site.seen)
    out = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         check=False)
    assert out.returncode == 0, out.stderr
    assert "fetch 1/2 S/RES/1542 (2004) ... reused" in out.stderr
    assert [p for p, _ in polite_site.seen[asked:]] == ["/slow/b.pdf"]


def test_a_server_that_never_answers_is_not_tried_for_every_document(tmp_path, site):
    """Without a network each document would wait through every retry: after three in a row
    whose server never answered, the rest of that server's documents are not tried."""
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    far = [{"doc_id": f"far{i}", "source_url": f"http://127.0.0.1:{closed}/{i}.pdf"}
           for i in range(1, 6)]
    df, raw = make_manifest(tmp_path, [*far, {"doc_id": "res", "symbol": "S/RES/1542 (2004)"}])
    lock, log = run_fetch(tmp_path, site, df, raw)
    assert lock["status"].to_dict() == {**{f"far{i}": "failed" for i in range(1, 6)},
                                        "res": "downloaded"}
    tried = [lock.loc[f"far{i}", "message"] for i in range(1, 4)]
    assert all(m.startswith(f"cannot reach 127.0.0.1:{closed}") for m in tried)
    for i in (4, 5):
        assert lock.loc[f"far{i}", "message"].startswith(
            f"not tried: 127.0.0.1:{closed} did not answer for 3 documents in a row")
    assert log.count("retry 1/3") == 3  # retries only for the three that were tried
    assert "its other documents are not tried in this run" in log
