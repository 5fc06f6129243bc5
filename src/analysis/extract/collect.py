"""Corpus-wide extraction QC: one paragraph table and the QC tables of the extract stage.

Reads what the per-document extraction jobs wrote (paragraphs ``<doc_id>.parquet``, pages
``<doc_id>.parquet``, metadata ``<doc_id>.json``, each file given by name) for every
document accepted by the corpus check, and writes:

- ``paragraphs.parquet``: every paragraph of every document, ordered by doc_id, para_seq;
- ``extraction.csv``: per document, pages, pages without a text layer (listed), pages read
  by OCR (listed), paragraphs, and the structure QC of :func:`analysis.extract.pdf.structure_qc`
  (pages read as columns, share of one-line paragraph rows, share of rows starting
  mid-sentence, words in the longest paragraph row, and a warning when the paragraph
  structure looks broken);
- ``metadata.csv``: every disagreement between the manifest and what the first page of the
  PDF says (symbol, date, document type). A disagreement is reported, never fatal.

Usage: ``python -m analysis.extract collect --documents results/corpus/documents.csv
--paragraphs results/extract/A.parquet ... --pages ... --meta ... --paragraphs-out ... --extraction-out ... --metadata-out ...``
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from analysis.extract.pdf import compare_metadata
from analysis.io import read_csv, write_arrow, write_csv

EXTRACTION_COLUMNS = [
    "doc_id",
    "doc_type",
    "n_pages",
    "n_pages_without_text",
    "pages_without_text",
    "n_pages_ocr",
    "pages_ocr",
    "n_paragraphs",
    "n_column_pages",
    "one_line_share",
    "mid_sentence_share",
    "max_paragraph_words",
    "structure_warning",
]
METADATA_COLUMNS = ["doc_id", "field", "manifest", "pdf"]


def _read_documents(path: Path) -> list[dict]:
    return sorted(read_csv(path).to_dict("records"), key=lambda row: row["doc_id"])


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    import pandas as pd  # this job runs once per corpus, not per document

    write_csv(pd.DataFrame(rows, columns=columns), path)


def combine_paragraphs(tables: list[pa.Table]) -> pa.Table:
    """The corpus paragraph table (``paragraphs.parquet``) from the documents' tables
    (:func:`analysis.extract.pdf.paragraph_table`): rows ordered by doc_id, para_seq; an empty
    table with :data:`analysis.schemas.extract.PARAGRAPH_SCHEMA` when there is no document."""
    if not tables:
        from analysis.schemas.extract import PARAGRAPH_SCHEMA

        return PARAGRAPH_SCHEMA.empty_table()
    combined = pa.concat_tables(tables)
    if combined.num_rows:
        combined = combined.sort_by([("doc_id", "ascending"), ("para_seq", "ascending")])
    return combined


def _by_doc(kind: str, files: list[Path], suffix: str) -> dict[str, Path]:
    """doc_id -> file, from per-document files named ``<doc_id><suffix>``."""
    out = {}
    for f in files:
        if not f.name.endswith(suffix):
            raise ValueError(f"{f}: a {kind} file must be named <doc_id>{suffix}")
        out[f.name[: -len(suffix)]] = f
    return out


def batch_files(batches: list[Path]) -> tuple[list[Path], list[Path], list[Path], dict]:
    """The per-document files of batch folders (:mod:`analysis.extract.batch`) and their
    failures (doc_id -> reason)."""
    paragraphs, pages, meta, failed = [], [], [], {}
    for folder in batches:
        paragraphs += sorted(folder.glob("*.parquet"))
        pages += sorted((folder / "pages").glob("*.parquet"))
        meta += sorted((folder / "meta").glob("*.json"))
        listing = folder / "failed.json"
        if not listing.is_file():
            raise ValueError(f"{folder}: no failed.json; the batch did not finish, run it again")
        for row in json.loads(listing.read_text(encoding="utf-8")):
            failed[row["doc_id"]] = row["reason"]
    return paragraphs, pages, meta, failed


def collect(documents: Path, paragraphs: list[Path], pages: list[Path],
            meta: list[Path], failed: dict[str, str] | None = None,
            ) -> tuple[pa.Table, list[dict], list[dict]]:
    """Gather the per-document outputs of the extract stage.

    ``paragraphs``, ``pages`` and ``meta`` are the per-document files (``<doc_id>.parquet``,
    ``<doc_id>.parquet``, ``<doc_id>.json``); every accepted document of ``documents`` must
    have one of each (a missing one is an error naming the document).

    A document in ``failed`` (doc_id -> reason: its extraction failed) is left out, with a
    warning on stderr.

    Returns the corpus paragraph table (:func:`combine_paragraphs`; empty when no document
    was accepted), the rows of the extraction QC table and the rows of the metadata QC table.
    """
    failed = failed or {}
    files = {
        "paragraphs": _by_doc("paragraphs", paragraphs, ".parquet"),
        "pages": _by_doc("pages", pages, ".parquet"),
        "meta": _by_doc("meta", meta, ".json"),
    }
    tables, extraction_rows, metadata_rows = [], [], []
    for doc in _read_documents(documents):
        doc_id = doc["doc_id"]
        if doc_id in failed:
            print(f"error: {doc_id}: extraction failed, the document is left out of the "
                  f"analysis: {failed[doc_id]}", file=sys.stderr)
            continue
        missing = [kind for kind, by_doc in files.items() if doc_id not in by_doc]
        if missing:
            raise ValueError(f"{documents}: document {doc_id} has no extracted "
                             f"{' or '.join(missing)} file among the inputs")
        table = pq.read_table(files["paragraphs"][doc_id])
        page_rows = pq.read_table(files["pages"][doc_id]).to_pylist()
        meta = json.loads(files["meta"][doc_id].read_text(encoding="utf-8"))
        tables.append(table)
        no_text = [str(page["page"]) for page in page_rows if not page["has_text_layer"]]
        ocr = [str(page["page"]) for page in page_rows if page.get("ocr")]
        qc = meta.get("qc", {})
        extraction_rows.append(
            {
                "doc_id": doc_id,
                "doc_type": doc.get("doc_type", ""),
                "n_pages": len(page_rows),
                "n_pages_without_text": len(no_text),
                "pages_without_text": ";".join(no_text),
                "n_pages_ocr": len(ocr),
                "pages_ocr": ";".join(ocr),
                "n_paragraphs": table.num_rows,
                "n_column_pages": qc.get("n_column_pages", 0),
                "one_line_share": qc.get("one_line_share", 0.0),
                "mid_sentence_share": qc.get("mid_sentence_share", 0.0),
                "max_paragraph_words": qc.get("max_paragraph_words", 0),
                "structure_warning": qc.get("structure_warning", ""),
            }
        )
        if qc.get("structure_warning"):
            print(f"warning: {doc_id}: {qc['structure_warning']}", file=sys.stderr)
        for mismatch in compare_metadata(meta.get("metadata", {}), doc):
            metadata_rows.append({"doc_id": doc_id, **mismatch})
    return combine_paragraphs(tables), extraction_rows, metadata_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.extract collect", description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--paragraphs", type=Path, nargs="*", default=[],
                        help="per-document paragraph tables (<doc_id>.parquet)")
    parser.add_argument("--pages", type=Path, nargs="*", default=[],
                        help="per-document page tables (<doc_id>.parquet)")
    parser.add_argument("--meta", type=Path, nargs="*", default=[],
                        help="per-document metadata (<doc_id>.json)")
    parser.add_argument("--batches", type=Path, nargs="*", default=[],
                        help="batch folders of `extract batch` (their files and failures)")
    parser.add_argument("--failed-out", type=Path, default=None,
                        help="extraction_failed.csv: documents whose extraction failed")
    parser.add_argument("--documents-out", type=Path, default=None,
                        help="the documents table without those: what the analysis reads")
    parser.add_argument("--paragraphs-out", type=Path, required=True)
    parser.add_argument("--extraction-out", type=Path, required=True)
    parser.add_argument("--metadata-out", type=Path, required=True)
    args = parser.parse_args(argv)

    try:
        paragraphs, pages, meta, failed = batch_files(args.batches)
        combined, extraction_rows, metadata_rows = collect(
            args.documents, [*args.paragraphs, *paragraphs], [*args.pages, *pages],
            [*args.meta, *meta], failed)
    except ValueError as err:
        print(err, file=sys.stderr)
        return 1
    if args.failed_out:
        _write_csv(args.failed_out, ["doc_id", "reason"],
                   [{"doc_id": d, "reason": failed[d]} for d in sorted(failed)])
    if args.documents_out:
        documents = read_csv(args.documents)
        write_csv(documents[~documents["doc_id"].isin(failed)], args.documents_out)
    write_arrow(combined, args.paragraphs_out)
    _write_csv(args.extraction_out, EXTRACTION_COLUMNS, extraction_rows)
    _write_csv(
        args.metadata_out,
        METADATA_COLUMNS,
        [{key: row.get(key, "") for key in METADATA_COLUMNS} for row in metadata_rows],
    )
    print(
        f"collected {len(extraction_rows)} documents, "
        f"{combined.num_rows} paragraphs, "
        f"{len(metadata_rows)} metadata disagreements",
        file=sys.stderr,
    )
    return 0
