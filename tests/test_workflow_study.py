"""The real study through the workflow: `--config corpus=study`.

Offline, the shipped study manifest (raw/study/manifest.csv) ends after the download with a
summary of what could not be fetched, and builds nothing. With a network, documents are
fetched politely and the real tables, models and paper are built; here the "network" is a
server on 127.0.0.1 that answers like the UN document system (a redirect to a landing page
that links the PDF in several languages, a failure that passes on retry) and serves PDFs of
a small SYNTHETIC corpus written by the demo generator for this test (the symbols S/DEMO/...
and S/RES/DEMO-... name no real document). What the test checks is the machinery: polite
fetching, the gate, and a paper without the demo banner that cites documents by symbol.
"""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.parse
import zipfile
from pathlib import Path

import local_server
import pandas as pd
import pypdfium2 as pdfium
import pytest
from test_workflow import REPO, snakemake

from analysis.corpus.fetch import symbol_url

pytestmark = pytest.mark.workflow
MISSIONS = REPO / "raw" / "missions.csv"


def pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_offline_study_ends_with_a_summary_and_builds_nothing(tmp_path):
    manifest = pd.read_csv(REPO / "raw" / "study" / "manifest.csv", dtype=str)
    run = snakemake(tmp_path, "--cores", "2", "--config", "corpus=study", "offline=true",
                    check=False)
    console = run.stdout + run.stderr
    assert run.returncode != 0
    assert f"Study corpus ({REPO / 'raw' / 'study' / 'manifest.csv'}): {len(manifest)} " \
           "documents on 49 operations; 1 available" in console
    assert "not fetched because offline" in console and "Nothing was built" in console
    assert "MONUSCO" in console and "allow_missing=true" in console
    for built in ("results/corpus", "results/extract", "results/tables", "results/models",
                  "results/paper"):
        assert not (tmp_path / built).exists(), built
    lock = pd.read_csv(tmp_path / "results" / "sources" / "lock.csv", dtype=str)
    assert set(lock["status"]) <= {"offline", "failed"}
    assert lock.loc[lock["status"] == "failed", "message"].str.startswith("no address").all()


@pytest.fixture
def un_like_server():
    httpd = local_server.start()
    yield httpd
    local_server.stop(httpd)


def test_study_fetched_from_a_server_builds_the_paper_without_the_demo_banner(
        tmp_path, un_like_server):
    gen = tmp_path / "generated"
    subprocess.run([sys.executable, "-m", "analysis.demo", "--spec",
                    str(REPO / "tests" / "specs" / "tiny.yaml"), "--missions", str(MISSIONS),
                    "--out", str(gen)], check=True, capture_output=True)
    demo = pd.read_csv(gen / "manifest.csv", dtype=str).fillna("")
    base = un_like_server.url + "/en/"
    routes = un_like_server.routes
    for i, row in enumerate(demo.to_dict("records")):
        pdf = (gen / row["path"]).read_bytes()
        path = urllib.parse.unquote(urllib.parse.urlsplit(symbol_url(row["symbol"], base)).path)
        if i == 0:  # undocs-like: redirect -> landing page -> English PDF, busy once
            routes[path] = (302, "text/html", b"/record/1")
            routes["/record/1"] = (200, "text/html", (
                b'<html><title>Record</title><a href="/files/doc-FR.pdf">Fran\xc3\xa7ais</a>'
                b'<a href="/files/doc-EN.pdf">English</a></html>'))
            routes["/files/doc-EN.pdf"] = [(503, "text/html", b"busy"),
                                           (200, "application/pdf", pdf)]
        else:
            routes[path] = (200, "application/pdf", pdf)
    study = demo.assign(path="", sha256="", document_kind="synthetic test document",
                        source="http://127.0.0.1/ | SYNTHETIC test document served by the test")
    study_manifest = tmp_path / "study" / "manifest.csv"
    study_manifest.parent.mkdir()
    study.to_csv(study_manifest, index=False)

    run = snakemake(tmp_path, "--cores", "2", "--config", "corpus=study",
                    f"study_manifest={study_manifest}", f"fetch_base_url={base}",
                    "fetch_interval=0.05")
    console = run.stdout + run.stderr
    assert f"Study corpus ({study_manifest}): {len(study)} documents on 3 operations; " \
           f"{len(study)} available, 0 missing" in console
    lock = pd.read_csv(tmp_path / "results" / "sources" / "lock.csv", dtype=str).fillna("")
    assert (lock["status"] == "downloaded").all()
    first = lock.set_index("doc_id").loc[demo["doc_id"][0]]
    assert first["message"].startswith("via landing page") and "doc-EN.pdf" in first["message"]
    assert [p for p, _ in un_like_server.seen].count("/files/doc-EN.pdf") == 2  # retried once
    assert not any("doc-FR" in p for p, _ in un_like_server.seen)
    assert all(ua.startswith("oc-mandates/") for _, ua in un_like_server.seen)

    numbers = json.loads((tmp_path / "results" / "paper" / "numbers.json").read_text())
    assert numbers["corpus"] == "study"
    text = pdf_text(tmp_path / "results" / "paper" / "paper.pdf")
    assert "Demonstration build on a SYNTHETIC corpus" not in text
    cited = pd.read_csv(tmp_path / "results" / "paper" / "tables" / "documents.csv", dtype=str)
    listed = " ".join(cited.fillna("").astype(str).to_numpy().ravel())
    assert all(sym in listed for sym in demo["symbol"])
    assert "Appendix: documents analysed" in text
    assert pd.read_csv(tmp_path / "results" / "study" / "availability.csv")["missing"].sum() == 0

    # the Snakemake report of a study run carries the availability table
    config = ["--config", "corpus=study", f"study_manifest={study_manifest}",
              f"fetch_base_url={base}", "fetch_interval=0.05"]
    snakemake(tmp_path, "--report", "results/report.zip", *config)
    with zipfile.ZipFile(tmp_path / "results" / "report.zip") as z:
        assert any(n.endswith("availability.csv") for n in z.namelist())
