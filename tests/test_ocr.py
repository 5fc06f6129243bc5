"""OCR of scanned pages: a typeset UN report is rendered to page images, wrapped as an
image-only PDF (a scan: no text layer) and extracted with OCR; the words and the numbered
paragraphs of the born-digital extraction must come back, every OCR'd page and row is marked,
and a missing OCR engine stops the document with the install commands.

The scans are bilevel 300 dpi images (what a document scanner of the 1990s produced and what
most archive scans still are). Tests that run Tesseract are skipped, with the reason
:func:`analysis.extract.ocr.engine_status` gives, where the engine is not installed; each OCRs
one to three pages (about 1.5 s a page on two cores).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pypdfium2 as pdfium
import pytest
from pdf_fixtures import (
    build_report,
    build_resolution,
    image_only_pdf,
    scan_pages,
    text_pdf,
    write_manifest,
)

from analysis.corpus import ocr_engine
from analysis.corpus.check import check_corpus
from analysis.corpus.summary import reason_kind
from analysis.extract import ocr as ocr_mod
from analysis.extract.pdf import ExtractionError, _fix_ocr_numbers, extract_document
from analysis.extract.segment import Line

ROOT = Path(__file__).resolve().parents[1]
ENGINE_OK, ENGINE_MESSAGE = ocr_mod.engine_status("eng")
needs_engine = pytest.mark.skipif(not ENGINE_OK, reason=ENGINE_MESSAGE)
INSTALL = ("apt-get install tesseract-ocr ghostscript", 'pip install -e ".[ocr]"')


def replace_page(src: Path, scan: Path, page: int, dest: Path) -> Path:
    """``src`` with its page ``page`` (1-based) taken from the image-only ``scan``."""
    original, scanned = pdfium.PdfDocument(str(src)), pdfium.PdfDocument(str(scan))
    out = pdfium.PdfDocument.new()
    for i in range(len(original)):
        out.import_pages(scanned if i == page - 1 else original, [i])
    out.save(str(dest))
    for doc in (out, scanned, original):
        doc.close()
    return dest


def words(doc) -> Counter:
    return Counter(w for r in doc.paragraphs for w in r["text"].split())


def recall(truth: Counter, got: Counter) -> float:
    """Share of the born-digital words (with multiplicity) found in the OCR'd extraction."""
    return sum((truth & got).values()) / sum(truth.values())


def numbered(doc) -> list[str]:
    return [r["para_no"] for r in doc.paragraphs if r["kind"] == "paragraph" and r["para_no"]]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The born-digital report, its extraction and its image-only scan."""
    folder = tmp_path_factory.mktemp("ocr")
    src = build_report(folder / "report.pdf")
    scan = scan_pages(src, folder / "scan.pdf")
    return {"folder": folder, "pdf": src, "scan": scan, "digital": extract_document(src)}


@pytest.fixture(scope="module")
def scanned(report):
    cache = report["folder"] / "cache-scan"
    return extract_document(report["scan"], "scan", ocr=True, ocr_cache=cache), cache


@pytest.fixture(scope="module")
def mixed(report):
    """The report with its page 2 replaced by the scan of page 2, extracted with OCR."""
    pdf = replace_page(report["pdf"], report["scan"], 2, report["folder"] / "mixed.pdf")
    cache = report["folder"] / "cache-mixed"
    return pdf, cache, extract_document(pdf, "mixed", ocr=True, ocr_cache=cache)


# ----------------------------------------------------------------- scanned documents

def test_the_scan_has_no_text_layer_and_without_ocr_no_text(report):
    doc = extract_document(report["scan"])  # the default: OCR off
    assert len(report["digital"].pages) == len(doc.pages) >= 3
    assert doc.paragraphs == []
    assert [p["has_text_layer"] for p in doc.pages] == [False] * len(doc.pages)
    assert [p["ocr"] for p in doc.pages] == [False] * len(doc.pages)
    assert doc.qc["warnings"] == ["no text layer on any page (scanned PDF? OCR is off)"]
    assert doc.qc["pages_ocr"] == [] and doc.qc["n_pages_ocr"] == 0


@needs_engine
def test_ocr_recovers_the_words_and_the_numbered_paragraphs(report, scanned):
    doc, _ = scanned
    digital = report["digital"]
    assert recall(words(digital), words(doc)) >= 0.95
    assert numbered(doc) == numbered(digital) == [str(n) for n in range(1, 17)]
    headings = [r["text"] for r in digital.paragraphs if r["kind"] == "heading"]
    assert [r["text"] for r in doc.paragraphs if r["kind"] == "heading"] == headings
    assert doc.metadata["symbol"] == digital.metadata["symbol"] == "S/2007/503"


@needs_engine
def test_scanned_resolution_keeps_its_masthead_preamble_and_operative_paragraphs(tmp_path):
    src = build_resolution(tmp_path / "res.pdf")
    digital = extract_document(src)
    doc = extract_document(scan_pages(src, tmp_path / "scan.pdf"), ocr=True)
    assert [(r["kind"], r["para_no"]) for r in doc.paragraphs] == [
        (r["kind"], r["para_no"]) for r in digital.paragraphs]
    assert numbered(doc) == ["1", "2", "3", "4"]
    assert recall(words(digital), words(doc)) >= 0.95


@needs_engine
def test_every_ocr_page_and_row_is_marked(report, scanned):
    doc, _ = scanned
    n = len(doc.pages)
    assert [p["ocr"] for p in doc.pages] == [True] * n
    assert [p["has_text_layer"] for p in doc.pages] == [False] * n  # the PDF's own layer
    assert all(r["ocr"] for r in doc.paragraphs)
    assert doc.qc["pages_ocr"] == list(range(1, n + 1)) and doc.qc["n_pages_ocr"] == n
    assert doc.qc["pages_without_text_layer"] == list(range(1, n + 1))
    assert len(doc.qc["warnings"]) == 1 and "is OCR" in doc.qc["warnings"][0]
    for r in doc.paragraphs:  # offsets still index the document text
        assert doc.text[r["char_start"]:r["char_end"]] == r["text"]


@needs_engine
def test_mixed_pdf_marks_only_the_scanned_page(report, mixed):
    _, _, doc = mixed
    digital = report["digital"]
    assert [p["ocr"] for p in doc.pages] == [False, True, False]
    assert [p["has_text_layer"] for p in doc.pages] == [True, False, True]
    assert doc.qc["pages_ocr"] == [2] and doc.qc["warnings"] == []
    assert [r["ocr"] for r in doc.paragraphs] == [r["page"] == 2 for r in doc.paragraphs]
    assert any(r["ocr"] for r in doc.paragraphs)
    assert numbered(doc) == numbered(digital)
    assert recall(words(digital), words(doc)) >= 0.95
    # Born-digital pages are read from the original, untouched.
    assert doc.pages[2]["text"] == digital.pages[2]["text"]
    first = [r["text"] for r in digital.paragraphs if r["page"] == 1][:-1]  # last runs on
    assert [r["text"] for r in doc.paragraphs if r["page"] == 1][:-1] == first


@needs_engine
def test_second_extraction_reads_the_cache_without_ocr(report, mixed, monkeypatch):
    pdf, cache, first = mixed
    cached = list(cache.iterdir())
    expected = f"{ocr_mod._sha256(pdf)}-eng-{ocr_mod.ocrmypdf_version()}.pdf"
    assert [f.name for f in cached] == [expected]  # no temporary file left behind
    import ocrmypdf

    def no_ocr(*args, **kwargs):
        raise AssertionError("OCR ran again although the cache holds this file")

    monkeypatch.setattr(ocrmypdf, "ocr", no_ocr)
    again = extract_document(pdf, "mixed", ocr=True, ocr_cache=cache)
    assert again.paragraphs == first.paragraphs and again.pages == first.pages
    # A different file is not served from the cache.
    with pytest.raises(ExtractionError, match="OCR failed"):
        extract_document(report["scan"], "scan", ocr=True, ocr_cache=cache)


@needs_engine
def test_cli_writes_the_ocr_columns_and_qc(mixed, tmp_path):
    pdf, cache, _ = mixed  # cached: the command does not OCR again
    out, pages, meta = tmp_path / "p.parquet", tmp_path / "pages.parquet", tmp_path / "m.json"
    subprocess.run([sys.executable, "-m", "analysis.extract", "document", str(pdf),
                    "--doc-id", "mixed", "--out", str(out), "--pages-out", str(pages),
                    "--meta-out", str(meta), "--ocr", "--ocr-language", "eng",
                    "--ocr-cache", str(cache)],
                   check=True, capture_output=True, text=True, cwd=ROOT)
    assert pq.read_table(pages).column("ocr").to_pylist() == [False, True, False]
    para = pq.read_table(out).to_pylist()
    assert [r["ocr"] for r in para] == [r["page"] == 2 for r in para]
    qc = json.loads(meta.read_text())["qc"]
    assert (qc["pages_ocr"], qc["n_pages_ocr"]) == ([2], 1)


@needs_engine
def test_missing_language_data_names_the_package():
    ok, message = ocr_mod.engine_status("xyz")
    assert not ok and "apt-get install tesseract-ocr-xyz" in message


# ----------------------------------------------------------------- missing engine

@pytest.fixture
def no_tesseract(monkeypatch):
    real = ocr_engine.shutil.which
    monkeypatch.setattr(ocr_engine.shutil, "which",
                        lambda name, *a, **k: None if name == "tesseract" else real(name, *a, **k))


def test_engine_status_names_what_is_missing_and_how_to_install(no_tesseract):
    ok, message = ocr_mod.engine_status()
    assert not ok
    assert "Tesseract (`tesseract`) on PATH" in message
    assert all(cmd in message for cmd in INSTALL)


def test_missing_engine_stops_ocr_extraction_with_the_install_hint(tmp_path, no_tesseract):
    scan = image_only_pdf(tmp_path / "scan.pdf")
    with pytest.raises(ExtractionError) as err:
        extract_document(scan, ocr=True, ocr_cache=tmp_path / "cache")
    assert str(scan) in str(err.value)
    assert all(cmd in str(err.value) for cmd in INSTALL)
    assert not (tmp_path / "cache").exists()
    # Without OCR the scan extracts as before (no text), and a PDF with a text layer on every
    # page needs no engine even with OCR on.
    assert extract_document(scan).paragraphs == []
    text = text_pdf(tmp_path / "text.pdf", "1. The mission patrolled the border.")
    doc = extract_document(text, ocr=True)
    assert doc.qc["pages_ocr"] == [] and [r["ocr"] for r in doc.paragraphs] == [False]


def test_ocr_error_in_the_cli_is_an_error_line_not_a_traceback(tmp_path, no_tesseract):
    from analysis.extract.pdf import main

    scan = image_only_pdf(tmp_path / "scan.pdf")
    assert main([str(scan), "--out", str(tmp_path / "x.parquet"), "--ocr"]) == 2
    assert not (tmp_path / "x.parquet").exists()


# ----------------------------------------------------------------- corpus check

@pytest.fixture
def scan_corpus(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    pdfs = tmp_path / "raw" / "pdfs"
    text_pdf(pdfs / "text.pdf", "1. Decides to extend the mandate.")
    image_only_pdf(pdfs / "scan.pdf")
    write_manifest(tmp_path / "raw" / "manifest.csv", [
        {"doc_id": "text", "path": "pdfs/text.pdf", "doc_type": "resolution"},
        {"doc_id": "scan", "path": "pdfs/scan.pdf", "doc_type": "report"}])

    def run(**options):
        docs, quarantine = check_corpus("raw/manifest.csv", "results/sources", **options)
        return docs.set_index("doc_id"), quarantine.set_index("doc_id")["reason"].to_dict()
    return run


def test_corpus_accepts_a_scan_when_ocr_is_on_and_installed(scan_corpus, monkeypatch):
    monkeypatch.setattr(ocr_engine, "engine_status", lambda language="eng": (True, "ok"))
    docs, quarantine = scan_corpus(ocr=True)
    assert quarantine == {}
    assert docs["needs_ocr"].to_dict() == {"scan": True, "text": False}


def test_corpus_quarantines_a_scan_when_the_engine_is_missing(scan_corpus, no_tesseract):
    docs, quarantine = scan_corpus(ocr=True)
    assert list(docs.index) == ["text"]
    reason = quarantine["scan"]
    assert reason.startswith("OCR engine missing: no text layer on any of its 1 page(s)")
    assert all(cmd in reason for cmd in INSTALL)
    assert reason_kind(reason) == "OCR engine missing"


def test_corpus_quarantines_a_scan_when_ocr_is_off(scan_corpus, monkeypatch):
    monkeypatch.setattr(ocr_engine, "engine_status", lambda language="eng": (True, "ok"))
    docs, quarantine = scan_corpus(ocr=False)
    assert list(docs.index) == ["text"] and not docs["needs_ocr"].any()
    assert quarantine["scan"].startswith("no text layer on any of its 1 page(s)")
    assert "OCR is off" in quarantine["scan"] and "ocr: false" in quarantine["scan"]
    assert reason_kind(quarantine["scan"]) == "no text layer"


def test_corpus_cli_ocr_flags(scan_corpus, monkeypatch, tmp_path):
    from analysis.corpus.check import main

    monkeypatch.setattr(ocr_engine, "engine_status", lambda language="eng": (True, "ok"))
    args = ["check", "--manifest", "raw/manifest.csv", "--sources-dir", "results/sources",
            "--documents-out", "d.csv", "--quarantine-out", "q.csv"]
    assert main([*args, "--ocr"]) == 0
    assert pd.read_csv("q.csv").empty and len(pd.read_csv("d.csv")) == 2
    assert main([*args, "--no-ocr"]) == 0
    assert pd.read_csv("q.csv")["doc_id"].tolist() == ["scan"]


# ----------------------------------------------------------------- OCR number misreads

def _line(page: int, text: str) -> Line:
    return Line(page, text, 72.0, 500.0, 700.0, 10.0, False)


def test_misread_paragraph_numbers_are_fixed_on_ocr_pages_only():
    pages = [[_line(1, "3. The mission patrolled."), _line(1, "4, The border stayed open.")],
             [_line(2, "5 The police trained."), _line(2, "7, it was not the next number"),
              _line(2, "6, 7 and 8 of resolution 1542 (2004) continue to apply.")],
             [_line(3, "7, Born-digital text is never changed.")]]
    _fix_ocr_numbers(pages, {1, 2})
    assert [ln.text for lines in pages for ln in lines] == [
        "3. The mission patrolled.", "4. The border stayed open.", "5. The police trained.",
        "7, it was not the next number", "6, 7 and 8 of resolution 1542 (2004) continue to apply.",
        "7, Born-digital text is never changed."]


# ----------------------------------------------------------------- evidence

def test_evidence_carries_the_ocr_flag_of_its_paragraph():
    from analysis.coding.codebook import load_codebook
    from analysis.coding.gazetteer import Gazetteer
    from analysis.coding.paragraphs import code_corpus
    from analysis.missions import load_missions

    book = load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")
    gazetteer = Gazetteer.from_missions(load_missions(ROOT / "raw/missions.csv"))
    texts = ["UNMIL seized 120 kilograms of cocaine at the border with the national police.",
             "UNMIL supported the national police in seizing cocaine at the port."]
    rows, start = [], 0
    for i, text in enumerate(texts):
        rows.append({"doc_id": "rep", "para_seq": i + 1, "page": i + 1, "kind": "paragraph",
                     "para_no": str(i + 1), "section": None, "text": text,
                     "char_start": start, "char_end": start + len(text),
                     "footnote_refs": None, "ocr": i == 1})
        start += len(text) + 2
    docs = pd.DataFrame([{"doc_id": "rep", "doc_type": "report", "missions": "UNMIL",
                          "date": "2010-05-01", "symbol": "S/2010/1"}])
    _, evidence, _ = code_corpus(pd.DataFrame(rows), docs, book, gazetteer, progress_every=0)
    by_seq = evidence.groupby("para_seq")["ocr"].agg(set).to_dict()
    assert by_seq == {1: {False}, 2: {True}}
