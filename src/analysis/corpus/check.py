"""Corpus stage: check every manifest document and quarantine the ones that cannot be used.

``check_corpus`` resolves each manifest row to a file, probes it cheaply with pypdfium2 and
sorts it into *documents* (accepted) or *quarantine* (rejected, with a readable reason). The
input files are only read, never modified.

Resolving a row's file: ``<manifest folder>/<path>`` when that file exists; otherwise, if the row
has a symbol or source_url, ``<sources_dir>/<doc_id>.pdf`` (downloaded by ``analysis.corpus.fetch``).
The ``path`` column of documents.csv is that file *as the workflow should open it*: the manifest
folder as given (so relative to the current working directory when the manifest path was
relative, absolute when it was absolute) joined with the row's path, normalised, with ``/``.
The workflow runs from the repository root, so these are valid Snakemake input paths.

Checks, in order (the first failing one is the reason): file present; PDF header; PDFium opens
it (corrupt / password-protected / no pages); page count > 0; some page has a text layer, or
OCR can give it one (see below); SHA-256 equals the manifest's sha256 when given; not a
byte-identical copy of a document accepted earlier in manifest order. A PDF that is encrypted
but opens without a password (owner password only) is accepted.

A PDF with no text layer on any page (an image-only scan): with OCR on (``ocr=True``, CLI
``--ocr``, config ``ocr: true``) and the OCR engine installed
(:func:`analysis.corpus.ocr_engine.engine_status`), it is accepted with ``needs_ocr`` true in
documents.csv (the extract stage OCRs it); with OCR on but the engine missing, it is
quarantined with "OCR engine missing: ..." and the install commands; with OCR off
(``--no-ocr``, config ``ocr: false``) it is quarantined with "no text layer ...", saying OCR
is off.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from analysis.corpus.fetch import (
    MAGIC_WINDOW,
    MISSIONS_HELP,
    describe_start,
    looks_like_pdf,
    read_lock,
    sha256_file,
)
from analysis.io import write_csv
from analysis.missions import MissionsError
from analysis.schemas.manifest import (
    DocumentsSchema,
    ManifestError,
    QuarantineSchema,
    can_download,
    download_path,
    load_manifest,
    local_path,
)

__all__ = ["ManifestError", "check_corpus", "load_manifest", "probe_pdf", "write_corpus"]

DOCUMENT_COLUMNS = ("doc_id", "doc_type", "missions", "date", "title", "symbol", "path",
                    "sha256", "n_pages", "needs_ocr")
NO_TEXT_LAYER = "no text layer on any of its {n} page(s) (image-only scan?)"
QUARANTINE_COLUMNS = ("doc_id", "path", "reason")


def _pdfminer_page_count(path: Path) -> int | None:
    """Page count read by pdfminer, or None; used only when PDFium refuses a file, because
    PDFium refuses zero-page documents without saying so."""
    from pdfminer.pdfdocument import PDFDocument  # imported here: only needed on this path
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    try:
        with open(path, "rb") as fh:
            doc = PDFDocument(PDFParser(fh))
            return int(resolve1(resolve1(doc.catalog["Pages"])["Count"]))
    except Exception:  # noqa: BLE001 - any parser failure just means "unknown"
        return None


def _open_failure(path: Path, err: pdfium.PdfiumError) -> str:
    data = path.read_bytes()
    if err.err_code == pdfium_c.FPDF_ERR_PASSWORD and b"/Encrypt" in data:
        return "encrypted PDF (password required)"
    if err.err_code == pdfium_c.FPDF_ERR_SECURITY:
        return "encrypted PDF (unsupported security handler)"
    if _pdfminer_page_count(path) == 0:
        return "PDF has no pages"
    detail = str(err).split("(PDFium: ")[-1].rstrip(").") if "PDFium: " in str(err) else str(err)
    return f"corrupt PDF: cannot be opened ({detail}); replace it with a complete copy"


def probe_pdf(path: str | Path) -> tuple[int, str]:
    """Cheap check of one file: returns (n_pages, reason); reason is "" when the PDF is usable.

    Reads the header bytes, opens the document with PDFium and extracts text page by page only
    until a page with non-blank text is found (so a normal document costs one page). A PDF
    without a text layer on any page gets a reason starting "no text layer on any of its N
    page(s)" (:func:`check_corpus` decides, with the OCR settings, what to do with it).
    """
    path = Path(path)
    with open(path, "rb") as fh:
        head = fh.read(MAGIC_WINDOW)
    if not head:
        return 0, "empty file (0 bytes)"
    if not looks_like_pdf(head):
        return 0, f"not a PDF: file starts with {describe_start(head)!r}"
    try:
        doc = pdfium.PdfDocument(path)
    except pdfium.PdfiumError as err:
        return 0, _open_failure(path, err)
    with doc:
        n_pages = len(doc)
        if n_pages == 0:
            return 0, "PDF has no pages"
        for i in range(n_pages):
            page = doc[i]
            try:
                textpage = page.get_textpage()
                has_text = textpage.count_chars() > 0 and textpage.get_text_range().strip()
                textpage.close()
            except pdfium.PdfiumError:
                has_text = False
            finally:
                page.close()
            if has_text:
                return n_pages, ""
    return n_pages, (NO_TEXT_LAYER.format(n=n_pages) + "; run OCR on it (e.g. ocrmypdf) "
                     "and list the OCRed file instead")


def _no_text_layer(n_pages: int, ocr: bool, engine: tuple[bool, str]) -> str:
    """The quarantine reason of a PDF without a text layer, or "" when OCR will read it."""
    scan = NO_TEXT_LAYER.format(n=n_pages)
    if not ocr:
        return (f"{scan} and OCR is off (--no-ocr, config `ocr: false`); set `ocr: true` to "
                "OCR it, or list an OCRed copy instead")
    ok, message = engine
    if ok:
        return ""
    return f"OCR engine missing: {scan} and OCR cannot run here: {message}"


def _resolve(row: dict, manifest_dir: Path, sources_dir: Path,
             lock: dict[str, dict] | None) -> tuple[Path | None, str]:
    """(file to check, reason it cannot be checked or "")."""
    local = local_path(row, manifest_dir)
    if local is not None and local.is_file():
        return local, ""
    if not can_download(row):
        return local, f"file missing: {_show(local)} (and no symbol/source_url to download it)"
    target = download_path(row["doc_id"], sources_dir)
    entry = (lock or {}).get(row["doc_id"])
    if entry is not None and entry["status"] == "failed":
        return target, f"download failed: {entry['message']}"
    if entry is not None and entry["status"] == "offline":
        return target, "not downloaded (offline)"
    if target.is_file():
        return target, ""
    where = f"; not in {_show(local)} either" if local is not None else ""
    hint = "rerun the fetch step" if lock is not None else "run the fetch step first"
    return target, f"file missing: {_show(target)} was not downloaded{where} ({hint})"


def _show(path: Path | None) -> str:
    return "" if path is None else os.path.normpath(path).replace(os.sep, "/")


def check_corpus(manifest_path: str | Path, sources_dir: str | Path,
                 lock_path: str | Path | None = None,
                 missions: str | Path | pd.DataFrame | None = None,
                 ocr: bool = False, ocr_language: str = "eng",
                 ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Check every document of the manifest; return (documents_df, quarantine_df).

    documents_df: DOCUMENT_COLUMNS, one row per accepted document, sorted by doc_id; ``path`` as
    described in the module docstring, ``n_pages`` from PDFium, ``needs_ocr`` True for a PDF
    with no text layer on any page that is accepted because ``ocr`` is on and the OCR engine
    (with ``ocr_language``) is installed. quarantine_df: doc_id, path,
    reason, sorted by doc_id. ``lock_path`` (from ``analysis.corpus.fetch``) turns failed downloads into
    "download failed: ..." reasons; without it, downloaded files are looked for in sources_dir.
    ``missions`` (the operations table, a path or a loaded table) makes the manifest check
    every operation name and write the table's acronyms (see ``load_manifest``).
    Raises ManifestError (all manifest problems at once), MissionsError (invalid operations
    table) or FileNotFoundError for a lock path that does not exist.
    """
    manifest_path, sources_dir = Path(manifest_path), Path(sources_dir)
    manifest = load_manifest(manifest_path, missions)
    lock = None
    if lock_path is not None:
        if not Path(lock_path).is_file():
            raise FileNotFoundError(f"lock file {lock_path} not found; run "
                                    "`python -m analysis.corpus.fetch` first or omit the lock")
        lock = read_lock(lock_path)
    accepted, rejected = [], []
    first_with_sha: dict[str, str] = {}
    engine: tuple[bool, str] | None = None  # asked once, for the first scan
    for row in manifest.to_dict("records"):
        path, reason = _resolve(row, manifest_path.parent, sources_dir, lock)
        n_pages, sha, needs_ocr = 0, "", False
        if not reason:
            n_pages, reason = probe_pdf(path)
        if reason.startswith(NO_TEXT_LAYER.format(n=n_pages)):
            if ocr and engine is None:
                from analysis.corpus.ocr_engine import engine_status

                engine = engine_status(ocr_language)
            reason = _no_text_layer(n_pages, ocr, engine or (False, ""))
            needs_ocr = not reason
        if not reason:
            sha = sha256_file(path)
            if row["sha256"] and sha != row["sha256"]:
                reason = (f"checksum mismatch: file has sha256 {sha}, the manifest expects "
                          f"{row['sha256']}; replace the file or correct the manifest")
            elif sha in first_with_sha:
                reason = (f"duplicate of {first_with_sha[sha]}: same file (identical sha256); "
                          "remove one of the two manifest rows")
        if reason:
            rejected.append({"doc_id": row["doc_id"], "path": _show(path), "reason": reason})
            continue
        first_with_sha[sha] = row["doc_id"]
        accepted.append({**{c: row[c] for c in DOCUMENT_COLUMNS if c in row},
                         "path": _show(path), "sha256": sha, "n_pages": n_pages,
                         "needs_ocr": needs_ocr})
    documents = _table(accepted, DOCUMENT_COLUMNS).astype({"n_pages": "int64",
                                                           "needs_ocr": bool})
    quarantine = _table(rejected, QUARANTINE_COLUMNS)
    return documents, quarantine


def _table(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(columns))
    df = df.astype({c: str for c in columns if c not in ("n_pages", "needs_ocr")})
    return df.sort_values("doc_id", kind="stable").reset_index(drop=True)


def write_corpus(documents: pd.DataFrame, quarantine: pd.DataFrame,
                 documents_out: str | Path, quarantine_out: str | Path) -> None:
    """Validate and write both tables as CSV (deterministic bytes)."""
    write_csv(documents, documents_out, DocumentsSchema)
    write_csv(quarantine, quarantine_out, QuarantineSchema)


def main(argv: list[str] | None = None) -> int:
    """CLI: ``check`` (manifest -> documents.csv, quarantine.csv) and ``validate`` (manifest)."""
    ap = argparse.ArgumentParser(prog="python -m analysis.corpus",
                                 description="Check the document manifest and the PDFs it lists.")
    sub = ap.add_subparsers(dest="command", required=True)
    chk = sub.add_parser("check", help="check every document; write documents and quarantine")
    chk.add_argument("--manifest", required=True, help="manifest CSV (e.g. raw/manifest.csv)")
    chk.add_argument("--sources-dir", required=True, help="download folder (results/sources)")
    chk.add_argument("--lock", help="lock CSV written by `python -m analysis.corpus.fetch`")
    chk.add_argument("--documents-out", required=True, help="accepted documents CSV")
    chk.add_argument("--quarantine-out", required=True, help="quarantined documents CSV")
    chk.add_argument("--missions", metavar="PATH", help=MISSIONS_HELP)
    chk.add_argument("--ocr", action=argparse.BooleanOptionalAction, default=False,
                     help="accept PDFs without a text layer when the OCR engine is installed "
                          "(the extract stage OCRs them; config `ocr`); --no-ocr (default) "
                          "quarantines them")
    chk.add_argument("--ocr-language", default="eng",
                     help="Tesseract language(s) OCR will use (config `ocr_language`)")
    val = sub.add_parser("validate", help="only validate the manifest; list every problem")
    val.add_argument("--manifest", required=True, help="manifest CSV (e.g. raw/manifest.csv)")
    val.add_argument("--missions", metavar="PATH", help=MISSIONS_HELP)
    args = ap.parse_args(argv)
    try:
        if args.command == "validate":
            n = len(load_manifest(args.manifest, args.missions))
            against = f" (operations checked against {args.missions})" if args.missions else ""
            print(f"{args.manifest}: {n} documents, no problems{against}", file=sys.stderr)
            return 0
        documents, quarantine = check_corpus(args.manifest, args.sources_dir, args.lock,
                                             args.missions, ocr=args.ocr,
                                             ocr_language=args.ocr_language)
    except (ManifestError, MissionsError, FileNotFoundError) as err:
        print(err, file=sys.stderr)
        return 1
    write_corpus(documents, quarantine, args.documents_out, args.quarantine_out)
    for q in quarantine.itertuples(index=False):
        print(f"quarantined {q.doc_id}: {q.reason}", file=sys.stderr)
    scans = int(documents["needs_ocr"].sum())
    to_ocr = f" ({scans} without a text layer, to be OCR'd)" if scans else ""
    print(f"corpus: {len(documents)} accepted{to_ocr}, {len(quarantine)} quarantined "
          f"(see {args.quarantine_out})", file=sys.stderr)
    return 0
