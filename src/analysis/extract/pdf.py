"""Extract paragraphs, page text and first-page metadata from a PDF (workflow stage "extract").

Public API
----------
``extract_pdf(path, doc_id=None) -> pandas.DataFrame``
    The paragraph table (schema: ``analysis.schemas.extract``), validated with pandera.
``extract_document(path, doc_id=None) -> ExtractedDocument``
    Paragraph rows, page rows, metadata and QC figures; no pandas involved.
``extract_metadata(first_page_text) -> dict`` / ``compare_metadata(meta, manifest_row)``
    UN symbol, ISO date and document type from a first page; mismatches with the manifest.
CLI (one workflow job per document; imports neither pandas nor pandera)::

    python -m analysis.extract document PDF --doc-id ID --out X.parquet \
        --pages-out X.pages.parquet --meta-out X.meta.json \
        [--ocr --ocr-language eng --ocr-cache DIR]

OCR (``--ocr``; :mod:`analysis.extract.ocr`): pages without a text layer are OCR'd with
OCRmyPDF + Tesseract and read from the OCR'd copy (cached per file in ``--ocr-cache``);
their page rows, and the rows that start on them, have ``ocr`` true. On OCR'd pages a
paragraph number OCR misread as "4," or "4" (before a capital) is read as "4." when it is
the next number in sequence. Without ``--ocr`` such pages have no text.

Rows (``kind``): "paragraph" is the coding unit; "heading" rows hold section headings (and
set ``section`` for the rows after them); "title" is an unnumbered heading on page 1 before
the body starts (it does not set ``section``); "front" is first-page masthead text above the
title; "caption" is a figure/table caption; "footnote" is a page-bottom note (small type
starting with its number, which goes to ``para_no``). A resolution's adoption line
("Adopted by the Security Council at its ... meeting, on ...") and its opening line ("The
Security Council,") are "front" as well. Running headers, footers, page
numbers, job numbers and barcodes are dropped. Reading order is the PDF's content order
(single-column layouts); a page's footnotes follow its body text, and a paragraph that
continues across a page break is one row, counted on the page where it starts.

Offsets: the document text is ``"\\n\\n".join(page texts in page order)``; a page text is
``"\\n\\n".join(texts of the rows that start on that page)`` (empty for a page without rows).
Every row satisfies ``doc_text[char_start:char_end] == text``, and page rows carry their own
``char_start``/``char_end`` in the same document text. ``meta["text_sha256"]`` is the
SHA-256 of the document text, to check a reconstruction.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from analysis.extract.clean import (
    SYMBOL_RE,
    Dehyphenator,
    compare_metadata,
    extract_metadata,
    join_lines,
    mark_running_lines,
    normalize,
    normalize_symbol,
)
from analysis.extract.segment import (
    _PARA_NO,
    Block,
    Line,
    build_blocks,
    mark_footnotes_and_captions,
    measure,
    needs_normalize,
    order_columns,
    read_page_lines,
)

__all__ = [
    "SYMBOL_RE",
    "ExtractedDocument",
    "ExtractionError",
    "compare_metadata",
    "extract_document",
    "extract_metadata",
    "extract_pdf",
    "main",
    "normalize_symbol",
    "page_table",
    "paragraph_table",
    "write_outputs",
]

PAGE_SEP = "\n\n"

_NUMBERED = re.compile(r"^(?:[IVXL]+\.?|[A-Z]\.|\d[\d.]*\.?)\s")
_FOOTNOTE_NO = re.compile(r"^(\d{1,3})[.)]?\s*")
_CHAPEAU = re.compile(
    r"^(?:Adopted by the [\w ]{3,60}? at its .{0,60}meeting\b.{0,40}"
    r"|The (?:Security Council|General Assembly|(?:Peace and Security )?Council)[\w ]{0,40},)$"
)


class ExtractionError(Exception):
    """The file cannot be read as a PDF (missing, corrupt, encrypted, not a PDF)."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(
            f"cannot extract text from {path}: {reason} "
            "(check the file, or quarantine it in the corpus stage)"
        )


@dataclass
class ExtractedDocument:
    """Everything extracted from one PDF; rows are dicts keyed by the schema columns."""

    doc_id: str
    paragraphs: list[dict]
    pages: list[dict]
    metadata: dict
    qc: dict
    text: str = field(repr=False, default="")


def _open(path: Path):
    import pypdfium2 as pdfium

    if not path.is_file():
        raise ExtractionError(path, "file not found")
    with open(path, "rb") as fh:
        head = fh.read(1024)
    if b"%PDF-" not in head:
        raise ExtractionError(path, "not a PDF (no %PDF- header in the first 1024 bytes)")
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc)
        reason = "encrypted (password required)" if "assword" in msg else f"corrupt PDF ({msg})"
        raise ExtractionError(path, reason) from exc


def read_lines(path: str | Path) -> tuple[list[list[Line]], list[float], list[float]]:
    """Return the visual lines of every page (normalised text), page heights and widths."""
    path = Path(path)
    pdf = _open(path)
    pages: list[list[Line]] = []
    heights: list[float] = []
    widths: list[float] = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            try:
                heights.append(page.get_height())
                widths.append(page.get_width())
                lines = read_page_lines(page, i + 1)
            except Exception as exc:  # a broken page object: fail, naming the page
                raise ExtractionError(path, f"page {i + 1} unreadable ({exc})") from exc
            finally:
                page.close()
            pages.append(_normalized(lines))
        return pages, heights, widths
    finally:
        pdf.close()


def _clean_text(t: str) -> bool:
    """Printable ASCII, stripped, single-spaced, no "(cid:": normalize returns it as is."""
    return bool(
        t
        and t.isascii()
        and t.isprintable()
        and t[0] != " " != t[-1]
        and "  " not in t
        and "(cid:" not in t
    )


def _normalized(lines: list[Line]) -> list[Line]:
    """The lines with their text normalized (:func:`normalize`, markers added to ``refs``);
    lines left empty are dropped. The clean-text test runs in C where the accelerator is
    built (``segment.needs_normalize``), with the same result as :func:`_clean_text`."""
    dirty = needs_normalize(lines) if needs_normalize else [
        i for i, ln in enumerate(lines) if not _clean_text(ln.text)
    ]
    if not dirty:
        return lines
    for i in dirty:
        ln = lines[i]
        ln.text, refs = normalize(ln.text)
        ln.refs.extend(refs)
    return [ln for ln in lines if ln.text]


def extract_document(path: str | Path, doc_id: str | None = None, ocr: bool = False,
                     ocr_language: str = "eng",
                     ocr_cache: str | Path | None = None) -> ExtractedDocument:
    """Extract one PDF: paragraph rows, page rows, first-page metadata and QC figures.

    With ``ocr``, pages without a text layer are OCR'd (:func:`analysis.extract.ocr.ocr_pdf`,
    Tesseract language ``ocr_language``, the OCR'd copy cached in ``ocr_cache``; a temporary
    folder when None) and their lines read from the OCR'd copy; pages with a text layer are
    still read from ``path``. Page rows and paragraph rows carry ``ocr`` (the page, or the
    paragraph's start page, was OCR'd). Raises :class:`ExtractionError` when OCR is asked
    for, some page needs it and the engine is not installed (the message says how to
    install it) or OCR fails.
    """
    path = Path(path)
    doc_id = doc_id or path.stem
    pages, heights, widths = read_lines(path)
    n_pages = len(pages)
    text_layer = [bool(lines) for lines in pages]
    ocr_pages: list[int] = []
    if ocr and not all(text_layer):
        ocr_pages = _ocr_lines(path, pages, ocr_language, ocr_cache)
        _fix_ocr_numbers(pages, set(ocr_pages))
    first = next((lines for lines in pages if lines), [])
    first_text = "\n".join(ln.text for ln in sorted(first, key=lambda ln: -ln.y))
    n_running = mark_running_lines(pages, heights)
    columns = order_columns(pages)
    lay = measure(pages, widths)
    for lines in pages:
        mark_footnotes_and_captions(lines, lay)
    blocks = build_blocks(pages, lay)
    dehyph = Dehyphenator.from_lines([ln for b in blocks for ln in b.lines])
    rows = _rows(doc_id, blocks, dehyph)
    structure = structure_qc(rows, columns)
    page_rows, doc_text = _assign_offsets(doc_id, rows, pages, n_pages)
    ocr_set = set(ocr_pages)
    for p in page_rows:  # the PDF's own text layer, whatever OCR added
        p["has_text_layer"] = text_layer[p["page"] - 1] if p["page"] <= n_pages else False
        p["ocr"] = p["page"] in ocr_set
    for r in rows:
        r["ocr"] = r["page"] in ocr_set
    metadata = extract_metadata(first_text)
    titles = [r["text"] for r in rows if r["kind"] == "title"]
    metadata["title"] = " ".join(titles) if titles else None
    no_text = [p["page"] for p in page_rows if not p["has_text_layer"]]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    qc = {
        "n_pages": n_pages,
        "pages_without_text_layer": no_text,
        "n_pages_without_text_layer": len(no_text),
        "rows_by_kind": dict(sorted(kinds.items())),
        "n_running_lines_removed": n_running,
        "n_footnote_refs": sum(
            len(r["footnote_refs"].split(";")) for r in rows if r["footnote_refs"]
        ),
        "body_font_size": lay.body_fs,
        **structure,
        "pages_ocr": ocr_pages,
        "n_pages_ocr": len(ocr_pages),
        "warnings": _text_layer_warnings(n_pages, no_text, ocr, ocr_language, ocr_pages, pages)
        + ([structure["structure_warning"]] if structure["structure_warning"] else []),
    }
    return ExtractedDocument(doc_id, rows, page_rows, metadata, qc, doc_text)


def _text_layer_warnings(n_pages, no_text, ocr, language, ocr_pages, pages) -> list[str]:
    """QC warnings about pages without a text layer, with and without OCR."""
    out = []
    if not ocr:
        if n_pages and len(no_text) == n_pages:
            out.append("no text layer on any page (scanned PDF? OCR is off)")
        return out
    if n_pages and len(no_text) == n_pages:
        out.append(f"no text layer on any page: the text of all {n_pages} page(s) is OCR "
                   f"(Tesseract, language {language}); check a sample against the scan")
    empty = [p for p in ocr_pages if not pages[p - 1]]
    if empty:
        out.append("OCR found no text on page(s) " + ", ".join(map(str, empty))
                   + " (blank, a picture, or too poor a scan)")
    return out


def _ocr_lines(path: Path, pages: list[list[Line]], language: str,
               cache: str | Path | None) -> list[int]:
    """OCR ``path`` and put the lines of its pages without text into ``pages`` (in place).

    Returns the 1-based numbers of the pages whose lines now come from OCR.
    """
    from analysis.extract.ocr import OcrError, engine_status, ocr_pdf

    ok, message = engine_status(language)
    if not ok:
        raise ExtractionError(path, message)
    missing = [i for i, lines in enumerate(pages) if not lines]
    try:
        if cache is not None:
            return _read_ocr_pages(path, ocr_pdf(path, cache, language), pages, missing)
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ocr-") as tmp:
            return _read_ocr_pages(path, ocr_pdf(path, tmp, language), pages, missing)
    except OcrError as exc:
        raise ExtractionError(path, exc.reason) from exc


def _read_ocr_pages(path: Path, ocr_path: Path, pages: list[list[Line]],
                    missing: list[int]) -> list[int]:
    pdf = _open(ocr_path)
    try:
        if len(pdf) != len(pages):
            raise ExtractionError(path, f"the OCR'd copy {ocr_path} has {len(pdf)} pages, the "
                                  f"PDF {len(pages)}; delete the copy and extract again")
        for i in missing:
            page = pdf[i]
            try:
                lines = read_page_lines(page, i + 1)
            except Exception as exc:  # a broken page object: fail, naming the page
                raise ExtractionError(path, f"page {i + 1} of the OCR'd copy {ocr_path} "
                                      f"unreadable ({exc})") from exc
            finally:
                page.close()
            kept = []
            for ln in lines:
                ln.text, refs = normalize(ln.text)
                ln.refs.extend(refs)
                if ln.text:
                    kept.append(ln)
            pages[i] = kept
    finally:
        pdf.close()
    return [i + 1 for i in missing]


# OCR reads a paragraph number's full stop as a comma (or drops it) now and then: "4, The".
# Not before a digit: "6, 7 and 8 of resolution ..." is a list of numbers, never changed.
_OCR_PARA_NO = re.compile(r"^(\d{1,3})(?:[,;:]\s+(?=[^\W\d])|\s+(?=[A-Z]))")


def _fix_ocr_numbers(pages: list[list[Line]], ocr_pages: set[int]) -> None:
    """On OCR'd pages, read "4, The ..." / "4 The ..." as "4. The ..." when 4 is the number
    after the last numbered paragraph before it (in reading order); nothing else changes."""
    last = 0
    for lines in pages:
        for ln in lines:
            m = _PARA_NO.match(ln.text)
            if m:
                last = int(m.group(1))
                continue
            if ln.page in ocr_pages:
                m = _OCR_PARA_NO.match(ln.text)
                if m and int(m.group(1)) == last + 1:
                    ln.text = f"{m.group(1)}. {ln.text[m.end():]}"
                    last += 1


def _rows(doc_id: str, blocks: list[Block], dehyph: Dehyphenator) -> list[dict]:
    rows: list[dict] = []
    path: dict[int, str] = {}
    path_text: str | None = None  # " / ".join of path, by level: the section of body rows
    body_started = False
    for b in blocks:
        text, refs = normalize(join_lines(b.lines, dehyph))
        refs = [r for ln in b.lines if ln.refs for r in ln.refs] + refs
        if not text:
            continue
        kind, para_no = b.kind, None
        if kind == "paragraph":
            m = _PARA_NO.match(text)
            if m:
                para_no, text = m.group(1), text[m.end() :]
            if not body_started and (b.page > 1 or para_no or len(text.split()) >= 25):
                body_started = True
        elif kind == "heading":
            numbered = bool(_NUMBERED.match(text))
            if not body_started and b.page == 1 and not numbered:
                kind = "title"
            else:
                body_started = True
                if not numbered and 1 not in path:
                    level = 1
                else:
                    level = b.level
                path = {k: v for k, v in path.items() if k < level}
                path[level] = text
                path_text = " / ".join(path[k] for k in sorted(path))
        elif kind == "footnote":
            m = _FOOTNOTE_NO.match(text)
            if m and m.end() < len(text):
                para_no, text = m.group(1), text[m.end() :]
        section = path_text
        if kind == "heading":
            section = " / ".join(path[k] for k in sorted(path) if path[k] != text) or None
        rows.append(
            {
                "doc_id": doc_id,
                "para_seq": 0,
                "page": b.page,
                "kind": kind,
                "para_no": para_no,
                "section": section,
                "text": text,
                "char_start": 0,
                "char_end": 0,
                "footnote_refs": ";".join(refs) if refs else None,
                "_n_lines": len(b.lines),
            }
        )
    # First-page masthead: the title is the last run of title rows before the body starts;
    # earlier title candidates ("Security Council") and page-1 rows above it are "front".
    titles = [i for i, r in enumerate(rows) if r["kind"] == "title"]
    if titles:
        last = titles[-1]
        first = last
        while first - 1 in titles:
            first -= 1
        for r in rows[:first]:
            if r["page"] == 1 and r["kind"] in ("title", "paragraph"):
                r["kind"] = "front"
    # A resolution's adoption line and its opening "The Security Council," are masthead too.
    for r in rows:
        if r["para_no"] is not None:
            break
        if r["kind"] == "paragraph" and _CHAPEAU.match(r["text"]):
            r["kind"] = "front"
    for i, r in enumerate(rows, 1):
        r["para_seq"] = i
    return rows


# Structure QC: a paragraph row that starts in the middle of a sentence (a lowercase first
# letter, right after a paragraph row that does not end a sentence) continues the row before
# it: lines of one paragraph were split into rows (an undetected column layout, a figure
# inside a paragraph).
MID_SENTENCE_WARN = 0.10  # share of paragraph rows, with at least MID_SENTENCE_MIN rows
MID_SENTENCE_MIN = 3
# A paragraph row longer than this many words (about two full single-column pages) means
# paragraph breaks were not found (e.g. lines of two columns joined across the gutter).
LONG_PARAGRAPH_WORDS = 800


def structure_qc(rows: list[dict], columns: list[int]) -> dict:
    """QC figures of the paragraph structure of one document (removes ``_n_lines``).

    - ``n_column_pages``: pages read as two or more columns (:func:`order_columns`);
    - ``one_line_share``: paragraph rows made of a single visual line (high in resolutions,
      whose operative paragraphs are often one line; reported, not a warning by itself);
    - ``mid_sentence_share``: paragraph rows that start in the middle of a sentence (a
      lowercase first letter after a paragraph row that does not end with ``. ! ? : ;``);
    - ``max_paragraph_words``: words in the longest paragraph row;
    - ``structure_warning``: a sentence for the QC table when ``mid_sentence_share`` is at
      least :data:`MID_SENTENCE_WARN` (and :data:`MID_SENTENCE_MIN` rows) or a paragraph row
      has more than :data:`LONG_PARAGRAPH_WORDS` words, else ``""``.
    """
    paras = [r for r in rows if r["kind"] == "paragraph"]
    one_line = sum(1 for r in paras if r["_n_lines"] == 1)
    mid = sum(
        1
        for prev, r in itertools.pairwise(rows)
        if r["kind"] == "paragraph"
        and r["text"][:1].islower()
        and prev["kind"] == "paragraph"
        and not prev["text"].rstrip("\"'”’)]").endswith((".", "!", "?", ":", ";"))
    )
    for r in rows:
        r.pop("_n_lines", None)
    n = len(paras)
    mid_share = mid / n if n else 0.0
    # Words of the longest row (row texts are normalised to single spaces: words = spaces + 1).
    longest = max((r["text"].count(" ") + 1 for r in paras if r["text"]), default=0)
    problems = []
    if mid >= MID_SENTENCE_MIN and mid_share >= MID_SENTENCE_WARN:
        problems.append(
            f"{mid} of {n} paragraph rows start mid-sentence ({mid_share:.0%}): lines of one "
            "paragraph were split into rows (a column layout that was not detected?)"
        )
    if longest > LONG_PARAGRAPH_WORDS:
        problems.append(
            f"a paragraph row has {longest} words: paragraph breaks were not found (lines of "
            "two columns joined across the gutter?)"
        )
    warning = (
        f"suspicious structure: {'; '.join(problems)}; check the document's paragraphs"
        if problems
        else ""
    )
    return {
        "n_column_pages": sum(1 for c in columns if c > 1),
        "one_line_share": round(one_line / n, 4) if n else 0.0,
        "mid_sentence_share": round(mid_share, 4),
        "max_paragraph_words": longest,
        "structure_warning": warning,
    }


def _assign_offsets(doc_id, rows, pages, n_pages) -> tuple[list[dict], str]:
    by_page: dict[int, list[dict]] = {}
    for r in rows:
        by_page.setdefault(r["page"], []).append(r)
    page_rows, pos, parts = [], 0, []
    for p in range(1, n_pages + 1):
        if p > 1:
            pos += len(PAGE_SEP)
        start, texts = pos, []
        for r in by_page.get(p, []):
            if texts:
                pos += len(PAGE_SEP)
            r["char_start"], r["char_end"] = pos, pos + len(r["text"])
            pos = r["char_end"]
            texts.append(r["text"])
        text = PAGE_SEP.join(texts)
        parts.append(text)
        page_rows.append(
            {
                "doc_id": doc_id,
                "page": p,
                "text": text,
                "n_chars": len(text),
                "has_text_layer": bool(pages[p - 1]) if p <= len(pages) else False,
                "char_start": start,
                "char_end": start + len(text),
            }
        )
    return page_rows, PAGE_SEP.join(parts)


def extract_pdf(path: str | Path, doc_id: str | None = None, **ocr_options):
    """Return the paragraph table of one PDF as a validated pandas DataFrame
    (``ocr_options``: ``ocr``, ``ocr_language``, ``ocr_cache`` of :func:`extract_document`)."""
    import pandas as pd

    from analysis.schemas.extract import PARAGRAPH_SCHEMA, paragraph_model

    doc = extract_document(path, doc_id, **ocr_options)
    cols = PARAGRAPH_SCHEMA.names
    df = pd.DataFrame(doc.paragraphs, columns=cols)
    return paragraph_model().validate(df)


def paragraph_table(doc: ExtractedDocument):
    """The paragraph table of one document as a pyarrow Table with
    :data:`analysis.schemas.extract.PARAGRAPH_SCHEMA` (what ``document`` writes to ``--out``;
    :func:`analysis.extract.collect.combine_paragraphs` joins these into the corpus table)."""
    from analysis.schemas.extract import PARAGRAPH_SCHEMA

    return _arrow_table(doc.paragraphs, PARAGRAPH_SCHEMA)


def page_table(doc: ExtractedDocument):
    """The page table of one document (:data:`analysis.schemas.extract.PAGE_SCHEMA`)."""
    from analysis.schemas.extract import PAGE_SCHEMA

    return _arrow_table(doc.pages, PAGE_SCHEMA)


def write_outputs(doc: ExtractedDocument, out, pages_out=None, meta_out=None, source=None):
    """Write the paragraph/page parquet files (pyarrow schemas) and the metadata JSON."""
    # analysis.io.write_arrow is pyarrow only: this runs once per PDF and must not import
    # pandas (tests/test_extract.py checks it).
    from analysis.io import write_arrow

    for make_table, dest in ((paragraph_table, out), (page_table, pages_out)):
        if dest:
            write_arrow(make_table(doc), dest)
    if meta_out:
        meta = {
            "doc_id": doc.doc_id,
            "source": Path(source).name if source else None,
            "metadata": doc.metadata,
            "qc": doc.qc,
            "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        }
        Path(meta_out).parent.mkdir(parents=True, exist_ok=True)
        Path(meta_out).write_text(json.dumps(meta, indent=2, sort_keys=True, ensure_ascii=False))


_DUMMY = {"string": "", "int32": 0, "int64": 0, "bool": False}


def _arrow_table(rows: list[dict], schema):
    """Rows -> pyarrow Table through pyarrow's JSON reader.

    ``pa.array``/``Table.from_pylist`` import pandas (pyarrow probes for pandas objects),
    which would add ~0.2 s to every extraction job; the JSON reader does not.
    """
    import io

    import pyarrow.json as pj

    empty = not rows
    if empty:  # schema.empty_table() imports pandas too: parse a dummy row, keep none
        rows = [{f.name: _DUMMY.get(str(f.type)) for f in schema}]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    table = pj.read_json(
        io.BytesIO(data),
        read_options=pj.ReadOptions(block_size=len(data) + 1),
        parse_options=pj.ParseOptions(explicit_schema=schema),
    )
    table = table.select(schema.names).cast(schema)
    return table.slice(0, 0) if empty else table


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m analysis.extract document", description=__doc__.split("\n")[0]
    )
    ap.add_argument("pdf")
    ap.add_argument("--doc-id", default=None, help="document id (default: file stem)")
    ap.add_argument("--out", required=True, help="paragraph table (.parquet)")
    ap.add_argument("--pages-out", default=None, help="page table (.parquet)")
    ap.add_argument("--meta-out", default=None, help="metadata + QC (.json)")
    ap.add_argument("--ocr", action=argparse.BooleanOptionalAction, default=False,
                    help="OCR the pages without a text layer (OCRmyPDF + Tesseract); "
                         "default: off, such pages have no text")
    ap.add_argument("--ocr-language", default="eng",
                    help="Tesseract language(s), e.g. eng or eng+fra (default: eng)")
    ap.add_argument("--ocr-cache", default=None, metavar="DIR",
                    help="folder keeping the OCR'd copies (<sha256>-<language>-<ocrmypdf "
                         "version>.pdf), so a re-extraction does not OCR again")
    args = ap.parse_args(argv)
    try:
        doc = extract_document(args.pdf, args.doc_id, ocr=args.ocr,
                               ocr_language=args.ocr_language, ocr_cache=args.ocr_cache)
    except ExtractionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_outputs(doc, args.out, args.pages_out, args.meta_out, source=args.pdf)
    return 0
