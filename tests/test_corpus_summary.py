"""Console summary of the corpus stage: what was accepted, what was quarantined and why.

The corpus is checked for real (``check_corpus`` on reportlab PDFs), so the summary is tested
on the reasons the check actually writes, as a researcher would read them after a run.
"""

from __future__ import annotations

import csv
import subprocess
import sys

import pytest
from pdf_fixtures import encrypted_pdf, image_only_pdf, text_pdf, write_manifest

from analysis.corpus.check import check_corpus, write_corpus
from analysis.corpus.summary import MAX_LINES, REASON_KINDS, reason_kind, summary_lines


@pytest.fixture
def checked(tmp_path, monkeypatch):
    """1 accepted and 3 quarantined documents, written as the workflow writes them."""
    monkeypatch.chdir(tmp_path)
    pdfs = tmp_path / "raw" / "pdfs"
    text_pdf(pdfs / "s-2007-503.pdf", "1. The Mission continued its work.")
    encrypted_pdf(pdfs / "locked.pdf")
    image_only_pdf(pdfs / "scan.pdf")
    write_manifest(tmp_path / "raw" / "manifest.csv", [
        {"doc_id": doc_id, "path": f"pdfs/{doc_id}.pdf"}
        for doc_id in ("s-2007-503", "locked", "scan", "gone")])
    docs, quarantine = check_corpus("raw/manifest.csv", "results/sources")
    write_corpus(docs, quarantine, "results/corpus/documents.csv", "results/qc/quarantine.csv")
    return {row["doc_id"]: row["reason"] for row in quarantine.to_dict("records")}


def _write(path, columns, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_summary_names_each_quarantined_document_and_its_reason(checked):
    assert sorted(checked) == ["gone", "locked", "scan"]
    lines = summary_lines("results/corpus/documents.csv", "results/qc/quarantine.csv")
    text = "\n".join(lines)
    assert "accepted: 1 document (1 report)" in text
    assert "quarantined: 3 documents" in text and "results/qc/quarantine.csv" in text
    for doc_id, reason in checked.items():
        assert f"  {doc_id}: {reason}" in lines, text
    assert "s-2007-503:" not in text  # the accepted one is counted, not listed
    assert all("\n" not in line for line in lines)


def test_every_reason_the_check_writes_has_a_named_kind(checked):
    known = {kind for _, kind in REASON_KINDS}
    assert {doc: reason_kind(r) for doc, r in checked.items()} == {
        "gone": "missing file", "locked": "encrypted PDF", "scan": "no text layer"}
    assert set(map(reason_kind, checked.values())) <= known


def test_many_quarantined_documents_are_grouped_by_reason_and_cut(tmp_path):
    docs = _write(tmp_path / "documents.csv", ["doc_id", "doc_type"],
                  [{"doc_id": "r1", "doc_type": "resolution"},
                   {"doc_id": "p1", "doc_type": "report"}, {"doc_id": "p2", "doc_type": "report"}])
    rows = [{"doc_id": f"missing-{i:02d}", "path": "", "reason": f"file missing: raw/{i}.pdf"}
            for i in range(30)]
    rows += [{"doc_id": f"cut-{i}", "path": "", "reason": "corrupt PDF: cannot be opened"}
             for i in range(3)]
    rows += [{"doc_id": f"odd-{i:02d}", "path": "", "reason": f"strange problem {i}: details"}
             for i in range(25)]  # 25 kinds of their own: more kinds than lines
    quarantine = _write(tmp_path / "quarantine.csv", ["doc_id", "path", "reason"], rows)
    lines = summary_lines(docs, quarantine)
    assert lines[1] == f"accepted: 3 documents (1 resolution, 2 report), listed in {docs}"
    body = lines[lines.index(next(x for x in lines if x.startswith("quarantined: 58"))) + 1:]
    assert len(body) <= MAX_LINES + 1
    assert body[0].startswith("  missing file (30): missing-00, missing-01")
    assert body[0].endswith(", +22 more")
    assert body[1] == "  corrupt PDF (3): cut-0, cut-1, cut-2"
    named = 8 + 3 + (MAX_LINES - 2)  # one odd document per remaining line
    assert body[-1] == f"  ... and {58 - named} more, see {quarantine}"


def test_pages_without_text_layer_are_listed_from_the_extraction_table(checked, tmp_path):
    extraction = _write(
        tmp_path / "results/qc/extraction.csv",
        ["doc_id", "doc_type", "n_pages", "n_pages_without_text", "pages_without_text",
         "n_paragraphs"],
        [{"doc_id": "s-2007-503", "doc_type": "report", "n_pages": 5,
          "n_pages_without_text": 2, "pages_without_text": "3;4", "n_paragraphs": 9},
         {"doc_id": "s-2008-1", "doc_type": "report", "n_pages": 2,
          "n_pages_without_text": 0, "pages_without_text": "", "n_paragraphs": 4}])
    lines = summary_lines("results/corpus/documents.csv", "results/qc/quarantine.csv",
                          extraction)
    assert lines[-2].startswith("text layer: 1 document with pages without one")
    assert lines[-1] == "  s-2007-503: 2 of 5 pages (page 3, 4)"


def test_missing_tables_are_named_and_the_command_exits_0(checked, tmp_path):
    light = ("import sys; from analysis.corpus.summary import main; rc = main(sys.argv[1:]); "
             "assert 'pandas' not in sys.modules, 'summary imported pandas'; sys.exit(rc)")
    out = subprocess.run(
        [sys.executable, "-c", light, "--documents", "results/corpus/documents.csv",
         "--quarantine", "nowhere/q.csv", "--extraction", "results/qc/extraction.csv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert "accepted: 1 document (1 report)" in out.stdout
    assert "quarantined: nowhere/q.csv not found" in out.stdout
    assert "text layer: results/qc/extraction.csv not found" in out.stdout
    cli = subprocess.run(
        [sys.executable, "-m", "analysis.corpus", "summary",
         "--documents", "results/corpus/documents.csv",
         "--quarantine", "results/qc/quarantine.csv"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert cli.returncode == 0, cli.stderr
    assert cli.stdout.splitlines() == summary_lines("results/corpus/documents.csv",
                                                    "results/qc/quarantine.csv")


def test_ocr_pages_and_broken_structure_reach_the_console(checked, tmp_path):
    extraction = _write(
        tmp_path / "results/qc/extraction.csv",
        ["doc_id", "doc_type", "n_pages", "n_pages_without_text", "pages_without_text",
         "n_pages_ocr", "pages_ocr", "n_paragraphs", "n_column_pages", "one_line_share",
         "mid_sentence_share", "structure_warning"],
        [{"doc_id": "study-a", "doc_type": "study", "n_pages": 8, "n_pages_without_text": 0,
          "pages_without_text": "", "n_pages_ocr": 0, "pages_ocr": "", "n_paragraphs": 300,
          "n_column_pages": 0, "one_line_share": 0.8, "mid_sentence_share": 0.74,
          "structure_warning": "suspicious structure: 222 of 300 paragraph rows start "
                               "mid-sentence (74%): lines were split; check the document"},
         {"doc_id": "s-1993-1", "doc_type": "report", "n_pages": 3, "n_pages_without_text": 0,
          "pages_without_text": "", "n_pages_ocr": 2, "pages_ocr": "1;2", "n_paragraphs": 9,
          "n_column_pages": 2, "one_line_share": 0.1, "mid_sentence_share": 0.0,
          "structure_warning": ""}])
    lines = summary_lines("results/corpus/documents.csv", "results/qc/quarantine.csv",
                          extraction)
    assert "OCR: 1 document with pages read by OCR" in "\n".join(lines)
    assert "  s-1993-1: page 1, 2" in lines
    assert "layout: 1 document with pages read as columns" in lines
    at = next(i for i, ln in enumerate(lines) if ln.startswith("structure: 1 document"))
    assert lines[at + 1] == ("  study-a: 222 of 300 paragraph rows start mid-sentence (74%): "
                             "lines were split")
