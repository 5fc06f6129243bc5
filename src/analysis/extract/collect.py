"""Corpus-wide extraction QC: one paragraph table and the QC tables of the extract stage.

Reads what the per-document extraction jobs wrote (``<extract_dir>/<doc_id>.parquet``,
``<extract_dir>/pages/<doc_id>.parquet``, ``<extract_dir>/meta/<doc_id>.json``) for every
document accepted by the corpus check, and writes:

- ``paragraphs.parquet``: every paragraph of every document, ordered by doc_id, para_seq;
- ``extraction.csv``: per document, pages, pages without a text layer (listed), paragraphs;
- ``metadata.csv``: every disagreement between the manifest and what the first page of the
  PDF says (symbol, date, document type). A disagreement is reported, never fatal.

Usage: ``python -m analysis.extract collect --documents results/corpus/documents.csv
--extract-dir results/extract --paragraphs-out ... --extraction-out ... --metadata-out ...``
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
    "n_paragraphs",
]
METADATA_COLUMNS = ["doc_id", "field", "manifest", "pdf"]


def _read_documents(path: Path) -> list[dict]:
    return sorted(read_csv(path).to_dict("records"), key=lambda row: row["doc_id"])


def _write_csv(path: Path, columns: list[str], rows: list[dict]) -> None:
    import pandas as pd  # this job runs once per corpus, not per document

    write_csv(pd.DataFrame(rows, columns=columns), path)


def collect(documents: Path, extract_dir: Path) -> tuple[pa.Table | None, list[dict], list[dict]]:
    """Gather the per-document outputs of the extract stage.

    Returns the concatenated paragraph table (None when no document was accepted), the rows
    of the extraction QC table and the rows of the metadata QC table.
    """
    tables, extraction_rows, metadata_rows = [], [], []
    for doc in _read_documents(documents):
        doc_id = doc["doc_id"]
        paragraphs = pq.read_table(extract_dir / f"{doc_id}.parquet")
        pages = pq.read_table(extract_dir / "pages" / f"{doc_id}.parquet").to_pylist()
        meta = json.loads((extract_dir / "meta" / f"{doc_id}.json").read_text(encoding="utf-8"))
        tables.append(paragraphs)
        no_text = [str(page["page"]) for page in pages if not page["has_text_layer"]]
        extraction_rows.append(
            {
                "doc_id": doc_id,
                "doc_type": doc.get("doc_type", ""),
                "n_pages": len(pages),
                "n_pages_without_text": len(no_text),
                "pages_without_text": ";".join(no_text),
                "n_paragraphs": paragraphs.num_rows,
            }
        )
        for mismatch in compare_metadata(meta.get("metadata", {}), doc):
            metadata_rows.append({"doc_id": doc_id, **mismatch})
    combined = pa.concat_tables(tables) if tables else None
    if combined is not None and combined.num_rows:
        combined = combined.sort_by([("doc_id", "ascending"), ("para_seq", "ascending")])
    return combined, extraction_rows, metadata_rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.extract collect", description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=Path, required=True)
    parser.add_argument("--extract-dir", type=Path, required=True)
    parser.add_argument("--paragraphs-out", type=Path, required=True)
    parser.add_argument("--extraction-out", type=Path, required=True)
    parser.add_argument("--metadata-out", type=Path, required=True)
    args = parser.parse_args(argv)

    combined, extraction_rows, metadata_rows = collect(args.documents, args.extract_dir)
    if combined is None:
        from analysis.schemas.extract import PARAGRAPH_SCHEMA

        combined = PARAGRAPH_SCHEMA.empty_table()
    write_arrow(combined, args.paragraphs_out)
    _write_csv(args.extraction_out, EXTRACTION_COLUMNS, extraction_rows)
    _write_csv(
        args.metadata_out,
        METADATA_COLUMNS,
        [{key: row.get(key, "") for key in METADATA_COLUMNS} for row in metadata_rows],
    )
    print(
        f"collected {len(extraction_rows)} documents, "
        f"{0 if combined is None else combined.num_rows} paragraphs, "
        f"{len(metadata_rows)} metadata disagreements",
        file=sys.stderr,
    )
    return 0
