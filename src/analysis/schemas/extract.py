"""Schemas of the extraction tables: paragraphs (one row per text block) and pages.

Two forms of each table schema:

- ``PARAGRAPH_SCHEMA`` / ``PAGE_SCHEMA``: pyarrow schemas, used by the CLI (the per-document
  workflow job) to write parquet without importing pandas or pandera.
- ``ParagraphTable`` / ``PageTable``: pandera DataFrameModels for the pandas API
  (``analysis.extract.pdf.extract_pdf``). pandera is imported lazily through
  :func:`paragraph_model` / :func:`page_model` so that importing this module stays cheap.

Column contract (paragraph table):

=============  ========  ==================================================================
doc_id         string    document id (manifest id; defaults to the PDF file stem)
para_seq       int32     1-based running order in the document; ``(doc_id, para_seq)`` is
                         the key later stages join on (the user-facing paragraph id is
                         built from ``para_no``: :mod:`analysis.ids`)
page           int32     1-based page on which the block starts
kind           string    "paragraph" (the coding unit), "heading", "title", "front"
                         (first-page masthead above the title; a resolution's adoption
                         line and "The Security Council,"), "caption"
                         (figure/table captions), "footnote" (page-bottom notes)
para_no        string    the document's own number ("12" for "12. The Mission ...");
                         for footnotes the footnote number; null otherwise
section        string    heading path in force, "III. Title / A. Subtitle"; null before
                         the first heading
text           string    cleaned text (number prefix and footnote markers removed)
char_start     int64     offset of ``text`` in the document text (see analysis.extract.pdf)
char_end       int64     end offset (exclusive): ``doc_text[char_start:char_end] == text``
footnote_refs  string    footnote markers removed from ``text``, ";"-joined, or null
ocr            bool      the row's start page had no text layer and its text is OCR
                         (``analysis.extract.ocr``); weigh such text as a reading of a scan
=============  ========  ==================================================================

Page table: ``doc_id``, ``page``, ``text`` (the texts of the rows starting on the page),
``n_chars``, ``has_text_layer`` (the PDF page itself carries text; false for a scanned page,
OCR'd or not), ``char_start``/``char_end`` (the page text in the document text) and ``ocr``
(the page's text comes from OCR).
"""

from __future__ import annotations

import pyarrow as pa

KINDS = ("paragraph", "heading", "title", "front", "caption", "footnote")

PARAGRAPH_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("para_seq", pa.int32(), nullable=False),
        pa.field("page", pa.int32(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),
        pa.field("para_no", pa.string(), nullable=True),
        pa.field("section", pa.string(), nullable=True),
        pa.field("text", pa.string(), nullable=False),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("char_end", pa.int64(), nullable=False),
        pa.field("footnote_refs", pa.string(), nullable=True),
        pa.field("ocr", pa.bool_(), nullable=False),
    ]
)

PAGE_SCHEMA = pa.schema(
    [
        pa.field("doc_id", pa.string(), nullable=False),
        pa.field("page", pa.int32(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("n_chars", pa.int64(), nullable=False),
        pa.field("has_text_layer", pa.bool_(), nullable=False),
        pa.field("char_start", pa.int64(), nullable=False),
        pa.field("char_end", pa.int64(), nullable=False),
        pa.field("ocr", pa.bool_(), nullable=False),
    ]
)


def paragraph_model():
    """Return the pandera DataFrameModel of the paragraph table (imports pandera lazily)."""
    import pandera.pandas as pdm

    class ParagraphTable(pdm.DataFrameModel):
        doc_id: str = pdm.Field(str_length={"min_value": 1})
        para_seq: int = pdm.Field(ge=1, unique=True)
        page: int = pdm.Field(ge=1)
        kind: str = pdm.Field(isin=list(KINDS))
        para_no: str = pdm.Field(nullable=True, str_matches=r"^\d+[a-z]?$")
        section: str = pdm.Field(nullable=True)
        text: str = pdm.Field(str_length={"min_value": 1})
        char_start: int = pdm.Field(ge=0)
        char_end: int = pdm.Field(ge=0)
        footnote_refs: str = pdm.Field(nullable=True, str_matches=r"^\d+(;\d+)*$")
        ocr: bool

        class Config:
            strict = True
            coerce = True

        @pdm.dataframe_check
        def span_matches_text(cls, df):
            return (df["char_end"] - df["char_start"]) == df["text"].str.len()

    return ParagraphTable


def page_model():
    """Return the pandera DataFrameModel of the page table (imports pandera lazily)."""
    import pandera.pandas as pdm

    class PageTable(pdm.DataFrameModel):
        doc_id: str
        page: int = pdm.Field(ge=1, unique=True)
        text: str
        n_chars: int = pdm.Field(ge=0)
        has_text_layer: bool
        char_start: int = pdm.Field(ge=0)
        char_end: int = pdm.Field(ge=0)
        ocr: bool

        class Config:
            strict = True
            coerce = True

    return PageTable
