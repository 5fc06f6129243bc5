"""Real PDFs for tests, built with reportlab / pypdfium2 (plain functions, importable by any test).

Every builder writes ``path`` and returns it. reportlab runs in invariant mode, so the same
arguments give byte-identical files (no creation date, fixed document id).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

MANIFEST_HEADER = ("doc_id", "path", "doc_type", "missions", "date", "title", "symbol",
                   "source_url", "sha256")


def text_pdf(path: str | Path, *paragraphs: str, pages: int = 1, encrypt: str | None = None) -> Path:
    """A PDF with a text layer: ``paragraphs`` on each of ``pages`` pages."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    for page in range(pages):
        y = 780
        for text in paragraphs or (f"Page {page + 1} of {path.stem}.",):
            c.drawString(72, y, text)
            y -= 18
        c.showPage()
    c.save()
    return path


def encrypted_pdf(path: str | Path, password: str = "secret") -> Path:
    """A PDF that needs a (user) password to open."""
    return text_pdf(path, "Confidential operative paragraph.", encrypt=password)


def image_only_pdf(path: str | Path) -> Path:
    """A PDF whose page carries only drawn shapes (like a scan without OCR): no text layer."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for i in range(12):  # grey bars standing in for scanned lines of text
        c.setFillGray(0.2 + 0.05 * (i % 3))
        c.rect(72, 760 - 20 * i, 400 - 15 * (i % 4), 10, stroke=0, fill=1)
    c.showPage()
    c.save()
    return path


def zero_page_pdf(path: str | Path) -> Path:
    """A structurally valid PDF with no pages (saved by PDFium)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument.new()
    doc.save(str(path))
    doc.close()
    return path


def truncated_pdf(path: str | Path, source: str | Path) -> Path:
    """The first half of the bytes of ``source``: a corrupt PDF that still starts with %PDF."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)


def write_manifest(path: str | Path, rows: list[dict]) -> Path:
    """Write a manifest CSV; missing keys become empty cells (missions default MINUSTAH)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    defaults = {"doc_type": "report", "missions": "MINUSTAH", "date": "2007-08-22"}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=MANIFEST_HEADER, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, defaults.get(k, "")) for k in MANIFEST_HEADER})
    return path


def tree_state(folder: str | Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of ``folder`` and everything under it; folders have
    size -1 and their mtime changes when an entry is created or deleted inside them, so even a
    temporary file that was removed again shows up."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): (p.stat().st_size if p.is_file() else -1,
                                               p.stat().st_mtime_ns)
            for p in [folder, *sorted(folder.rglob("*"))]}


def study_pdf(path: str | Path, body: list[str], caption: list[str] = (),
              notes: list[str] = ()) -> Path:
    """A one-page study: ``body`` lines in 11 pt, then a figure caption (``caption`` lines in
    10 pt, the first starting "Figure N."), and page-bottom notes (``notes`` lines in 8 pt,
    the first starting with its number): the layout of a study's figure legends. Give more
    body text than caption text: extraction takes the commonest font size for the body."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = 770
    for size, lines in ((11, body), (10, caption)):
        for line in lines:
            c.setFont("Times-Roman", size)
            c.drawString(72, y, line)
            y -= size + 3
        y -= 12
    y = 60 + 11 * len(notes)
    for line in notes:
        c.setFont("Times-Roman", 8)
        c.drawString(72, y, line)
        y -= 11
    c.showPage()
    c.save()
    return path
