"""One extraction job for a batch of documents: each document extracted as by the
``document`` command, each with its own output files and its own log lines.

Thousands of documents as thousands of jobs would spend most of their time starting Python
processes and scheduling; a batch pays that once for many documents. Which documents form
a batch is decided by the workflow (``extract_batches`` in the config: a stable hash of the
doc_id, so adding a document reruns only its batch).

A document whose extraction fails (an unreadable page, a broken PDF the corpus check let
through, an OCR error) does not sink its batch: it is listed with the reason in
``failed.json`` of the batch folder and the others go on. ``collect`` leaves it out of the
analysis, lists it in ``results/qc/extraction_failed.csv`` and on the console.

Layout of a batch folder (``--out-dir``)::

    <doc_id>.parquet          paragraphs (as ``document --out``)
    pages/<doc_id>.parquet    pages
    meta/<doc_id>.json        first-page metadata and QC
    failed.json               [{"doc_id": ..., "reason": ...}, ...] (may be empty)

Usage: ``python -m analysis.extract batch --doc DOC_ID PDF [--doc ...] [--ocr ...]
--out-dir DIR`` (imports pypdfium2 and pyarrow only, like ``document``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from pathlib import Path

from analysis.extract.pdf import ExtractionError, extract_document, write_outputs


def extract_batch(docs: list[tuple[str, str]], out_dir: str | Path, *, ocr: bool = False,
                  ocr_language: str = "eng", ocr_cache: str | Path | None = None,
                  log=sys.stderr) -> list[dict]:
    """Extract every ``(doc_id, pdf)`` of ``docs`` into ``out_dir``; return the failures
    (``doc_id``, ``reason``), which are also written to ``out_dir/failed.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    failed: list[dict] = []
    for k, (doc_id, pdf) in enumerate(docs, 1):
        start = time.perf_counter()
        try:
            doc = extract_document(pdf, doc_id, ocr=ocr, ocr_language=ocr_language,
                                   ocr_cache=ocr_cache)
            write_outputs(doc, out / f"{doc_id}.parquet", out / "pages" / f"{doc_id}.parquet",
                          out / "meta" / f"{doc_id}.json", source=pdf)
        except ExtractionError as exc:
            failed.append({"doc_id": doc_id, "reason": str(exc)})
            print(f"[{k}/{len(docs)}] {doc_id}: FAILED, left out: {exc}", file=log)
            continue
        except Exception as exc:  # noqa: BLE001 (an unexpected error: this document only)
            reason = f"{pdf}: extraction error ({type(exc).__name__}: {exc})"
            failed.append({"doc_id": doc_id, "reason": reason})
            print(f"[{k}/{len(docs)}] {doc_id}: FAILED, left out: {reason}", file=log)
            traceback.print_exc(file=log)
            continue
        for warning in doc.qc.get("warnings", []):
            print(f"[{k}/{len(docs)}] {doc_id}: warning: {warning}", file=log)
        print(f"[{k}/{len(docs)}] {doc_id}: {doc.qc['n_pages']} pages, "
              f"{len(doc.paragraphs)} rows, {time.perf_counter() - start:.2f} s", file=log)
    (out / "failed.json").write_text(json.dumps(failed, indent=2, sort_keys=True) + "\n",
                                     encoding="utf-8")
    return failed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m analysis.extract batch",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--doc", nargs=2, action="append", default=[], metavar=("DOC_ID", "PDF"),
                    help="a document of the batch (repeat)")
    ap.add_argument("--out-dir", required=True, help="the batch's folder")
    ap.add_argument("--ocr", action=argparse.BooleanOptionalAction, default=False,
                    help="OCR the pages without a text layer (as `document --ocr`)")
    ap.add_argument("--ocr-language", default="eng")
    ap.add_argument("--ocr-cache", default=None, metavar="DIR")
    args = ap.parse_args(argv)
    failed = extract_batch([tuple(d) for d in args.doc], args.out_dir, ocr=args.ocr,
                           ocr_language=args.ocr_language, ocr_cache=args.ocr_cache)
    print(f"batch: {len(args.doc) - len(failed)} of {len(args.doc)} documents extracted"
          + (f", {len(failed)} failed (left out, see failed.json)" if failed else ""),
          file=sys.stderr)
    return 0
