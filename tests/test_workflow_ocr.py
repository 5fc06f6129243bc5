"""The workflow on a scanned report and a two-column study (issue 12), run as a user runs it.

A typeset UN-style report is kept born-digital and also rendered to an image-only scan; a
study of neutral text is set in two columns. The workflow extracts and codes all three: the
scan's words and numbered paragraphs come back through OCR, marked ``ocr`` in the page,
paragraph and evidence tables and in the QC table; the two-column study is read column by
column; the console summary says both. Skips with the reason where the OCR engine is absent.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from pdf_fixtures import build_report, generated_study_blocks, scan_pages, typeset_seed
from test_workflow import snakemake

from analysis.corpus.ocr_engine import engine_status

pytestmark = pytest.mark.workflow

OK, WHY = engine_status("eng")


def _words(texts) -> Counter:
    return Counter(w for t in texts for w in re.findall(r"[a-z0-9]+", t.lower()))


@pytest.fixture(scope="module")
def scanned_run(tmp_path_factory) -> tuple[Path, str]:
    if not OK:
        pytest.skip(WHY)
    root = tmp_path_factory.mktemp("ocr-workflow")
    pdfs = root / "raw" / "pdfs"
    pdfs.mkdir(parents=True)
    build_report(pdfs / "born.pdf")
    scan_pages(pdfs / "born.pdf", pdfs / "scan.pdf")
    typeset_seed(pdfs / "study.pdf", columns=2, blocks=generated_study_blocks())
    (root / "raw" / "manifest.csv").write_text(
        "doc_id,path,doc_type,missions,date,title,symbol,source_url,sha256\n"
        "born,pdfs/born.pdf,report,MINUSTAH,2007-08-24,Born-digital report,,,\n"
        "scan,pdfs/scan.pdf,report,MINUSTAH,2007-08-24,The same report scanned,,,\n"
        "study,pdfs/study.pdf,study,,2018-03-07,A two-column study,,,\n",
        encoding="utf-8",
    )
    result = snakemake(root, "results/tables/evidence.parquet", "results/qc/extraction.csv",
                       "--cores", "2", "--config", "corpus=manifest",
                       "manifest=raw/manifest.csv", "offline=true")
    return root, result.stdout + result.stderr


def test_the_scan_is_accepted_and_read_by_ocr(scanned_run):
    root, _ = scanned_run
    with open(root / "results/corpus/documents.csv", newline="", encoding="utf-8") as fh:
        documents = {row["doc_id"]: row for row in csv.DictReader(fh)}
    assert set(documents) == {"born", "scan", "study"}
    assert documents["scan"]["needs_ocr"] == "True"
    paragraphs = pd.read_parquet(root / "results/extract/paragraphs.parquet")
    born = paragraphs[paragraphs["doc_id"] == "born"]
    scan = paragraphs[paragraphs["doc_id"] == "scan"]
    truth, got = _words(born["text"]), _words(scan["text"])
    recall = sum((truth & got).values()) / sum(truth.values())
    assert recall >= 0.95, recall
    numbered = born.loc[born["para_no"].notna(), "para_no"].tolist()
    assert scan.loc[scan["para_no"].notna(), "para_no"].tolist() == numbered
    assert scan["ocr"].all() and not born["ocr"].any()
    (pages_file,) = (root / "results/extract/batches").glob("*/pages/scan.parquet")
    pages = pd.read_parquet(pages_file)
    assert pages["ocr"].all() and not pages["has_text_layer"].any()
    # the OCR'd copy is cached by the PDF's checksum, for a re-extraction
    assert list((root / "results/extract/ocr-cache").glob("*.pdf"))


def test_ocr_reaches_the_evidence_the_qc_table_and_the_console(scanned_run):
    root, console = scanned_run
    evidence = pd.read_parquet(root / "results/tables/evidence.parquet")
    by_doc = evidence.groupby("doc_id")["ocr"].agg(["all", "any", "size"])
    assert by_doc.loc["scan", "size"] > 0 and by_doc.loc["scan", "all"]
    assert not by_doc.loc["born", "any"]
    with open(root / "results/qc/extraction.csv", newline="", encoding="utf-8") as fh:
        qc = {row["doc_id"]: row for row in csv.DictReader(fh)}
    assert qc["scan"]["n_pages_ocr"] == qc["scan"]["n_pages"] != "0"
    assert qc["born"]["n_pages_ocr"] == "0"
    summary = console[console.rindex("corpus summary"):]
    assert "OCR: 1 document with pages read by OCR" in summary, summary
    pages = ", ".join(str(p) for p in range(1, int(qc["scan"]["n_pages"]) + 1))
    assert f"  scan: page {pages}" in summary, summary
    # read by OCR, so not among the pages whose text is lost
    assert "text layer: every page of the 3 extracted documents has one or was read by OCR" \
        in summary, summary


def test_the_two_column_study_is_read_by_columns(scanned_run):
    root, console = scanned_run
    with open(root / "results/qc/extraction.csv", newline="", encoding="utf-8") as fh:
        qc = {row["doc_id"]: row for row in csv.DictReader(fh)}
    assert int(qc["study"]["n_column_pages"]) >= 2
    assert qc["study"]["structure_warning"] == ""
    assert float(qc["study"]["mid_sentence_share"]) == 0
    paragraphs = pd.read_parquet(root / "results/extract/paragraphs.parquet")
    study = paragraphs[(paragraphs["doc_id"] == "study") & (paragraphs["kind"] == "paragraph")]
    expected = sum(1 for kind, _ in generated_study_blocks() if kind == "paragraph")
    assert len(study) == expected
    assert "layout: 1 document with pages read as columns" in console
