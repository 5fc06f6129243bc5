"""OCR for pages without a text layer (image-only scans), with OCRmyPDF and Tesseract.

Public API
----------
``engine_status(language="eng") -> (ok, message)``
    Whether OCR can run here: the ``ocrmypdf`` Python package importable, ``tesseract`` and
    ``gs`` (Ghostscript) on PATH, and Tesseract's language data for ``language`` installed
    (``tesseract --list-langs``). The message names what is missing and the install
    commands (:data:`INSTALL_HINT`).
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
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["INSTALL_HINT", "OcrError", "engine_status", "ocr_pdf", "ocrmypdf_version"]

INSTALL_HINT = (
    "install it with `apt-get install tesseract-ocr ghostscript` and "
    '`pip install -e ".[ocr]"`'
)


class OcrError(Exception):
    """OCR could not run on a file; the message names the file and the cause."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


def _languages() -> tuple[set[str], str]:
    """Tesseract's installed languages, or (empty, why they cannot be listed)."""
    try:
        proc = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                              timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return set(), f"`tesseract --list-langs` failed ({exc})"
    out = (proc.stdout or "") + (proc.stderr or "")
    langs = {ln.strip() for ln in out.splitlines()[1:] if ln.strip() and " " not in ln.strip()}
    if proc.returncode != 0 or not langs:
        return set(), f"`tesseract --list-langs` lists no language ({out.strip()[:200]})"
    return langs, ""


def engine_status(language: str = "eng") -> tuple[bool, str]:
    """``(available, message)``: can OCR run here for ``language`` (Tesseract codes, several
    joined by ``+``, e.g. ``"eng+fra"``)? The message says what is missing and how to
    install it, or which engine will be used."""
    missing = []
    if importlib.util.find_spec("ocrmypdf") is None:
        missing.append("the ocrmypdf Python package")
    for program, what in (("tesseract", "Tesseract (`tesseract`)"),
                          ("gs", "Ghostscript (`gs`)")):
        if shutil.which(program) is None:
            missing.append(f"{what} on PATH")
    if missing:
        return False, f"OCR engine missing: {', '.join(missing)}; {INSTALL_HINT}"
    langs, problem = _languages()
    if problem:
        return False, f"OCR engine unusable: {problem}; {INSTALL_HINT}"
    wanted = [x for x in language.split("+") if x]
    absent = [x for x in wanted if x not in langs] if wanted else ["(none given)"]
    if absent:
        packages = " ".join(f"tesseract-ocr-{x}" for x in absent)
        return False, (f"OCR language data missing for {'+'.join(absent)} (Tesseract has "
                       f"{', '.join(sorted(langs))}); install it with "
                       f"`apt-get install {packages}`, or set ocr_language to one of those")
    return True, (f"OCR engine available: ocrmypdf {ocrmypdf_version()}, tesseract with "
                  f"language {language}")


def ocrmypdf_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ocrmypdf")
    except PackageNotFoundError:
        return "unknown"


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
        os.replace(tmp, dest)
    except Exception as exc:  # every OCRmyPDF failure: name the file
        kind = type(exc).__name__
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise OcrError(src, f"OCR failed ({kind}{': ' + detail if detail else ''}); check "
                       "that the file opens in a PDF viewer, or quarantine it") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return dest
