"""OCR for pages without a text layer (image-only scans), with OCRmyPDF and Tesseract.

Public API
----------
``engine_status(language="eng") -> (ok, message)``
    Whether OCR can run here: the ``ocrmypdf`` Python package importable, ``tesseract`` and
    ``gs`` (Ghostscript) on PATH, and Tesseract's language data for ``language`` installed
    (``tesseract --list-langs``). The message names what is missing and the install
    commands (:data:`INSTALL_HINT`). Defined in :mod:`analysis.corpus.ocr_engine` (the
    corpus check asks it too) and re-exported here.
``ocr_pdf(src, cache_dir, language="eng") -> Path``
    A copy of ``src`` with an OCR text layer on the pages that have none, cached as
    ``<cache_dir>/<sha256 of src>-<language>-<ocrmypdf version>.pdf``: a second call for
    the same file (a re-extraction after a code change) reads the cache instead of running
    OCR again.

Settings (fixed, so one input gives the same text): pages that already carry text are
copied untouched (``mode="skip"``, OCRmyPDF's ``--skip-text``), a plain PDF is written (no
PDF/A conversion, no image optimisation), pages are rasterised with pypdfium2 and the text
layer is Tesseract's own ("sandwich" renderer: one font size per line, which the layout
code reads like a born-digital line), one job per document, no progress bar, no rotation,
deskewing or cleaning of the images.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from analysis.corpus.ocr_engine import INSTALL_HINT, engine_status, ocrmypdf_version

__all__ = ["INSTALL_HINT", "OcrError", "engine_status", "ocr_pdf", "ocrmypdf_version"]


class OcrError(Exception):
    """OCR could not run on a file; the message names the file and the cause."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def cache_path(src: str | Path, cache_dir: str | Path, language: str = "eng") -> Path:
    """Where :func:`ocr_pdf` keeps the OCR'd copy of ``src``."""
    return Path(cache_dir) / f"{_sha256(Path(src))}-{language}-{ocrmypdf_version()}.pdf"


def ocr_pdf(src: str | Path, cache_dir: str | Path, language: str = "eng") -> Path:
    """Return a copy of ``src`` with an OCR text layer on its pages without text (cached).

    Raises :class:`OcrError` naming ``src`` when the engine is missing or OCR fails.
    """
    src = Path(src)
    ok, message = engine_status(language)
    if not ok:
        raise OcrError(src, message)
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    dest = cache_path(src, cache_dir, language)
    if dest.is_file():
        return dest
    import ocrmypdf

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.stem}.", suffix=".tmp", dir=cache_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        ocrmypdf.ocr(
            src,
            tmp,
            language=[x for x in language.split("+") if x],
            mode="skip",
            output_type="pdf",
            pdf_renderer="sandwich",
            rasterizer="pypdfium",
            optimize=0,
            jobs=1,
            progress_bar=False,
            rotate_pages=False,
            deskew=False,
            clean=False,
        )
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is a normal output
        os.replace(tmp, dest)
    except Exception as exc:  # every OCRmyPDF failure: name the file
        kind = type(exc).__name__
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise OcrError(src, f"OCR failed ({kind}{': ' + detail if detail else ''}); check "
                       "that the file opens in a PDF viewer, or quarantine it") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest
