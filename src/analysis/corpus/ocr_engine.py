"""Is the OCR engine (OCRmyPDF + Tesseract + Ghostscript) installed? Asked by the corpus
check (whether a PDF without a text layer can be accepted) and by the extract stage
(:mod:`analysis.extract.ocr`, which runs it), so it lives in the earlier stage.

``engine_status(language="eng") -> (ok, message)``: the ``ocrmypdf`` Python package
importable, ``tesseract`` and ``gs`` on PATH, Tesseract's language data for ``language``
installed (``tesseract --list-langs``). The message names what is missing and the install
commands (:data:`INSTALL_HINT`).
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess

__all__ = ["INSTALL_HINT", "engine_status", "ocrmypdf_version"]

INSTALL_HINT = (
    "install it with `apt-get install tesseract-ocr ghostscript` and "
    '`pip install -e ".[ocr]"`'
)


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
