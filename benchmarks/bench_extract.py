"""Benchmark the extraction stage: pages per second and memory (prints, never asserts).

    python benchmarks/bench_extract.py [PDF ...]

Default inputs: the seed paper (../shared/seed, when present) and two generated UN-style
reports (12 and 60 pages, reportlab). For the same files it times
``analysis.extract.pdf.extract_pdf`` (PDFium + cleaning + segmentation + pandas/pandera),
``extract_document`` (no pandas), pdfplumber's ``extract_text`` and poppler's ``pdftotext``
(skipped with a message when not on PATH), then the per-job cost of the CLI
(``python -m analysis.extract.pdf``: process start + imports + one small document).
Memory: tracemalloc peak of Python allocations during extraction, and the process's peak
resident set size (ru_maxrss) before pdfplumber runs.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"
SENTENCE = (
    "The mission continued to support the national police and the customs service in "
    "border management, the fight against drug trafficking and organized crime, and the "
    "reform of the justice sector, while monitoring the security situation in the region. "
)


def make_report(path: Path, n_paragraphs: int) -> Path:
    """A justified, numbered, UN-style report with headings and running header/footer."""
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    body = ParagraphStyle(
        "b", fontName="Times-Roman", fontSize=11, leading=14, alignment=TA_JUSTIFY, spaceAfter=6
    )
    head = ParagraphStyle("h", fontName="Times-Bold", fontSize=11.5, leading=15, spaceBefore=6)

    def furniture(c, doc):
        c.setFont("Times-Roman", 9)
        c.drawString(72, 800, "S/DEMO/2007/12")
        c.drawString(72, 40, "07-45678 (E)")
        c.drawCentredString(297, 52, str(doc.page))

    story = []
    for i in range(1, n_paragraphs + 1):
        if i % 12 == 1:
            story.append(Paragraph(f"{'IVX'[min(i // 120, 2)]}. Section on developments", head))
        story.append(Paragraph(f"{i}.&nbsp;&nbsp;" + SENTENCE * (2 + i % 4), body))
    SimpleDocTemplate(str(path), pagesize=A4, invariant=1).build(
        story, onFirstPage=furniture, onLaterPages=furniture
    )
    return path


def n_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return len(pdf)
    finally:
        pdf.close()


def rate(fn, paths: list[Path], pages: int, min_seconds: float = 1.0) -> tuple[float, int]:
    """Pages per second of ``fn`` over all paths, repeated until ``min_seconds`` elapsed."""
    runs, start = 0, time.perf_counter()
    while True:
        for p in paths:
            fn(p)
        runs += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return runs * pages / elapsed, runs


def main(argv: list[str]) -> int:
    from analysis.extract.pdf import extract_document, extract_pdf

    tmp = Path(tempfile.mkdtemp(prefix="bench_extract_"))
    if argv:
        paths = [Path(a) for a in argv]
    else:
        paths = [SEED] if SEED.is_file() else []
        if not paths:
            print(f"(seed PDF not found at {SEED}; using generated reports only)")
        paths += [make_report(tmp / "report-12p.pdf", 45), make_report(tmp / "report-60p.pdf", 230)]
    pages = sum(n_pages(p) for p in paths)
    print(f"inputs: {len(paths)} PDFs, {pages} pages")
    for p in paths:
        print(f"  {p.name}: {n_pages(p)} pages")

    extract_pdf(paths[0])  # warm imports (pandas, pandera) outside the timing
    r, runs = rate(extract_pdf, paths, pages)
    print(f"extract_pdf (pypdfium2 + cleaning + pandas/pandera): {r:8.1f} pages/s ({runs} runs)")
    r, runs = rate(extract_document, paths, pages)
    print(f"extract_document (no pandas):                        {r:8.1f} pages/s ({runs} runs)")
    tracemalloc.start()  # one pass, apart: tracing slows Python down several-fold
    for p in paths:
        extract_document(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"tracemalloc peak (Python objects, one pass over the inputs): {peak / 2**20:.1f} MiB")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS after our extraction: {rss:.0f} MiB")

    import pdfplumber

    def plumber(p: Path) -> None:
        with pdfplumber.open(p) as pdf:
            for page in pdf.pages:
                page.extract_text()

    r, runs = rate(plumber, paths, pages, min_seconds=0.1)
    print(f"pdfplumber extract_text:                             {r:8.1f} pages/s ({runs} runs)")
    exe = shutil.which("pdftotext")
    if exe:

        def poppler(p: Path) -> None:
            subprocess.run([exe, "-layout", str(p), str(tmp / "out.txt")], check=True)

        r, runs = rate(poppler, paths, pages)
        print(
            f"pdftotext -layout (incl. process start):             {r:8.1f} pages/s ({runs} runs)"
        )
    else:
        print("pdftotext: not on PATH, skipped (apt-get install poppler-utils to compare)")

    small = paths[0]
    cmd = [
        sys.executable,
        "-m",
        "analysis.extract.pdf",
        str(small),
        "--out",
        str(tmp / "x.parquet"),
        "--pages-out",
        str(tmp / "x.pages.parquet"),
        "--meta-out",
        str(tmp / "x.meta.json"),
    ]
    times = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t)
    print(
        f"CLI job on {small.name} ({n_pages(small)} pages): median {sorted(times)[2]:.3f} s "
        "per process (start-up + imports + extraction + parquet)"
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
