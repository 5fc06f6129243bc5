"""Extraction in batches: one process for many documents, each with its own outputs and
log line; one document's failure leaves the others extracted and is carried, with its
reason, to the QC table, the documents table of the analysis and the console summary."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
from pdf_fixtures import text_pdf

from analysis.corpus.summary import summary_lines
from analysis.extract.batch import extract_batch
from analysis.extract.pdf import extract_document, paragraph_table


def _docs(tmp_path: Path) -> list[tuple[str, str]]:
    good = text_pdf(tmp_path / "good.pdf", "Report of the Secretary-General on a test",
                    "1. The operation patrolled the border and seized weapons.")
    other = text_pdf(tmp_path / "other.pdf", "2. The mission trained customs officers.")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")  # passes the header test
    return [("a-good", str(good)), ("b-broken", str(broken)), ("c-other", str(other))]


def test_a_failing_document_does_not_sink_its_batch(tmp_path):
    docs = _docs(tmp_path)
    out = tmp_path / "batch"
    log = tmp_path / "log.txt"
    with log.open("w", encoding="utf-8") as handle:
        failed = extract_batch(docs, out, log=handle)
    assert [f["doc_id"] for f in failed] == ["b-broken"]
    assert "broken.pdf" in failed[0]["reason"] and "corrupt" in failed[0]["reason"]
    assert json.loads((out / "failed.json").read_text()) == failed
    for doc_id, pdf in (docs[0], docs[2]):
        # each document's outputs are what the one-document command writes
        assert pq.read_table(out / f"{doc_id}.parquet").equals(
            paragraph_table(extract_document(pdf, doc_id)))
        assert (out / "pages" / f"{doc_id}.parquet").is_file()
        assert json.loads((out / "meta" / f"{doc_id}.json").read_text())["doc_id"] == doc_id
    assert not (out / "b-broken.parquet").exists()
    text = log.read_text(encoding="utf-8")
    assert "[1/3] a-good: 1 pages" in text and "[2/3] b-broken: FAILED, left out" in text


def test_collect_leaves_failed_documents_out_and_lists_them(tmp_path):
    docs = _docs(tmp_path)
    batches = [tmp_path / "b0000", tmp_path / "b0001"]
    extract_batch(docs[:2], batches[0], log=io.StringIO())
    extract_batch(docs[2:], batches[1], log=io.StringIO())
    documents = tmp_path / "documents.csv"
    documents.write_text(
        "doc_id,doc_type,missions,date,title,symbol,path,sha256,n_pages,needs_ocr\n"
        + "".join(f"{d},report,MINUSTAH,2006-03-01,T,,{p},x,1,False\n" for d, p in docs),
        encoding="utf-8")
    q = tmp_path / "qc"
    result = subprocess.run(
        [sys.executable, "-m", "analysis.extract", "collect", "--documents", str(documents),
         "--batches", *map(str, batches), "--paragraphs-out", str(q / "paragraphs.parquet"),
         "--documents-out", str(q / "documents.csv"), "--failed-out", str(q / "failed.csv"),
         "--extraction-out", str(q / "extraction.csv"), "--metadata-out", str(q / "meta.csv")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "b-broken: extraction failed, the document is left out" in result.stderr
    paragraphs = pq.read_table(q / "paragraphs.parquet")
    assert set(paragraphs.column("doc_id").to_pylist()) == {"a-good", "c-other"}
    with (q / "documents.csv").open(encoding="utf-8") as fh:
        assert [r["doc_id"] for r in csv.DictReader(fh)] == ["a-good", "c-other"]
    with (q / "failed.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["doc_id"] for r in rows] == ["b-broken"] and "corrupt" in rows[0]["reason"]
    lines = summary_lines(documents, tmp_path / "none.csv", q / "extraction.csv",
                          q / "failed.csv")
    at = next(i for i, x in enumerate(lines) if x.startswith("extraction failed: 1 document"))
    assert lines[at + 1].strip().startswith("b-broken: ")


def test_an_unfinished_batch_is_an_error_naming_it(tmp_path):
    folder = tmp_path / "b0003"
    folder.mkdir()
    documents = tmp_path / "documents.csv"
    documents.write_text("doc_id,doc_type\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "analysis.extract", "collect", "--documents", str(documents),
         "--batches", str(folder), "--paragraphs-out", str(tmp_path / "p.parquet"),
         "--extraction-out", str(tmp_path / "e.csv"), "--metadata-out", str(tmp_path / "m.csv")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert f"{folder}: no failed.json; the batch did not finish" in result.stderr
