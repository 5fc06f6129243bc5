"""The optional compiled line geometry (src/analysis/extract/_geometry.c) gives exactly the
Python path's lines and rows.

Each comparison reads the same PDF twice in one process, once with the extension and once
with the pure-Python loop (``segment._compiled`` set to None), and compares every field of
every Line (floats compared for equality, not closeness) and, for whole documents, every row
of ``extract_document``. Skipped when the extension is not built (``pip install -e .`` builds
it in place when a C compiler is present).
"""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pdf_fixtures import (
    SEED_TEXT,
    build_ligature,
    build_report,
    build_resolution,
    generated_study_blocks,
    typeset_seed,
)

from analysis.extract import segment
from analysis.extract.pdf import extract_document, read_lines

ROOT = Path(__file__).resolve().parents[1]
SEED_PDF = ROOT.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"

try:
    from analysis.extract import _geometry
except ImportError:
    _geometry = None

needs_ext = pytest.mark.skipif(
    _geometry is None,
    reason="compiled geometry not built (run `pip install -e .` with a C compiler; "
    "the pure-Python path is used meanwhile)",
)


def both_paths(monkeypatch, fn, *args):
    """``fn(*args)`` with the compiled geometry, then with the Python loop."""
    monkeypatch.setattr(segment, "_compiled", _geometry)
    fast = fn(*args)
    monkeypatch.setattr(segment, "_compiled", None)
    slow = fn(*args)
    return fast, slow


def assert_same_lines(fast, slow):
    fast_pages, fast_h, fast_w = fast
    slow_pages, slow_h, slow_w = slow
    assert (fast_h, fast_w) == (slow_h, slow_w)
    assert len(fast_pages) == len(slow_pages)
    n = 0
    for page_no, (a, b) in enumerate(zip(fast_pages, slow_pages, strict=True), 1):
        assert len(a) == len(b), f"page {page_no}: {len(a)} vs {len(b)} lines"
        for la, lb in zip(a, b, strict=True):
            # Every field, floats bit for bit (== on floats; repr would hide nothing more).
            assert dataclasses.astuple(la) == dataclasses.astuple(lb), (page_no, la, lb)
            n += 1
    assert n > 0, "no lines read: the comparison would prove nothing"


def _fixture_pdfs(tmp: Path) -> dict[str, Path]:
    pdfs = {
        "report": build_report(tmp / "report.pdf"),
        "resolution": build_resolution(tmp / "resolution.pdf"),
        "ligature": build_ligature(tmp / "ligature.pdf")[0],
        "study-1col": typeset_seed(tmp / "study1.pdf", columns=1, blocks=generated_study_blocks()),
        "study-2col": typeset_seed(tmp / "study2.pdf", columns=2, blocks=generated_study_blocks()),
    }
    return pdfs


@pytest.fixture(scope="module")
def fixture_pdfs(tmp_path_factory):
    return _fixture_pdfs(tmp_path_factory.mktemp("geometry"))


def test_geometry_path_is_reported():
    assert segment.GEOMETRY in ("compiled", "python")
    assert (segment.GEOMETRY == "compiled") == (segment._compiled is not None)


def test_pure_python_forced_by_environment():
    env = {**os.environ, "ANALYSIS_PURE_PYTHON": "1", "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run(
        [sys.executable, "-c", "import analysis.extract.segment as s; print(s.GEOMETRY)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "python"


@needs_ext
@pytest.mark.parametrize("name", ["report", "resolution", "ligature", "study-1col", "study-2col"])
def test_fixture_lines_identical(fixture_pdfs, monkeypatch, name):
    assert_same_lines(*both_paths(monkeypatch, read_lines, fixture_pdfs[name]))


@needs_ext
def test_fixture_documents_identical(fixture_pdfs, monkeypatch):
    for name, pdf in fixture_pdfs.items():
        fast, slow = both_paths(monkeypatch, extract_document, pdf)
        assert fast.paragraphs == slow.paragraphs, name
        assert (fast.pages, fast.metadata, fast.qc) == (slow.pages, slow.metadata, slow.qc), name


@needs_ext
@pytest.mark.skipif(not SEED_PDF.is_file(), reason=f"seed paper not found at {SEED_PDF}")
def test_seed_lines_identical(monkeypatch):
    assert_same_lines(*both_paths(monkeypatch, read_lines, SEED_PDF))


@needs_ext
@pytest.mark.skipif(not SEED_TEXT.is_file(), reason=f"seed text not found at {SEED_TEXT}")
def test_seed_typeset_in_two_columns_identical(tmp_path, monkeypatch):
    pdf = typeset_seed(tmp_path / "seed2.pdf", columns=2)
    assert_same_lines(*both_paths(monkeypatch, read_lines, pdf))


@needs_ext
def test_demo_corpus_rows_identical(monkeypatch, tmp_path):
    """Every PDF of a demo corpus built here (the shipped spec, as the workflow builds it)."""
    from analysis.demo import build_corpus

    manifest = build_corpus(ROOT / "workflow" / "demo" / "spec.yaml", ROOT / "raw" / "missions.csv",
                            tmp_path / "demo", log=io.StringIO())
    pdfs = sorted(manifest.parent.rglob("*.pdf"))
    assert len(pdfs) >= 50, f"expected the demo's PDFs under {manifest.parent}"
    for pdf in pdfs:
        fast, slow = both_paths(monkeypatch, extract_document, pdf)
        assert fast.paragraphs == slow.paragraphs, pdf.name
        assert (fast.pages, fast.metadata, fast.qc) == (slow.pages, slow.metadata, slow.qc), (
            pdf.name
        )


# Characters that make the line splitting and the marker-candidate test tricky: tabs, CR-only
# and LF-only breaks, vertical tab / form feed / U+0085 / U+2028 (spaces to str.isspace but not
# line breaks to _LINE), no-break and other Unicode spaces, both hyphen markers, digits of
# other scripts (Arabic-Indic, Devanagari, a non-BMP mathematical digit: all \d), digits that
# are not \d (superscript two, circled one), letters, an emoji (non-BMP, not a digit).
TRICKY_ALPHABET = list(
    "ab -1234\t\r\n\x02\ufffe\xa0\u2003\u3000\x0b\x0c\x1c\x85\u2028"
    "\u0663\u0967\xb2\u2460Zx.\U0001d7ce\U0001f600"
)


@needs_ext
def test_splitting_and_marker_test_match_the_regexes_on_random_text():
    """The C splitter is _LINE.finditer and the C marker test _MARKER_CANDIDATE.search, on
    random strings over TRICKY_ALPHABET (all three str storage widths)."""
    import random

    rng = random.Random(12)
    n_lines = n_hyphen = n_cand = 0
    for _ in range(20000):
        s = "".join(rng.choice(TRICKY_ALPHABET) for _ in range(rng.randint(0, 30)))
        expected = [(m.start(1), m.end(1), m.group(2) is not None)
                    for m in segment._LINE.finditer(s)]
        assert _geometry.split(s) == expected, repr(s)
        n_lines += len(expected)
        n_hyphen += sum(h for _, _, h in expected)
        for fa in range(len(s) + 1):
            for end in range(fa, len(s) + 1):
                found = segment._MARKER_CANDIDATE.search(s, fa, end) is not None
                assert _geometry.has_marker_candidate(s, fa, end) == found, (repr(s), fa, end)
                n_cand += found
    assert n_lines > 10000 and n_hyphen > 1000 and n_cand > 10000  # the cases did occur


@needs_ext
def test_clean_text_test_matches_python_on_random_text():
    """The C clean-text test (which lines pdf.read_lines sends through normalize) picks
    exactly the lines pdf._clean_text rejects, on random strings with spaces, controls,
    DEL, "(cid:" and non-ASCII characters."""
    import random

    from analysis.extract.pdf import _clean_text

    rng = random.Random(7)
    alphabet = ["a", "b", "c", "word", "d e", "(x)", " ", "  ", "(cid:", "(ci", "d:", "\t", "\x7f", "\x1f", "\xa0", "\u2019",
                "\U0001d7ce", "1", ".", "\n", "~"]
    lines, expected = [], []
    for k in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5)))
        lines.append(segment.Line(1, text, 0.0, 1.0, 0.0, 10.0, False))
        if not _clean_text(text):
            expected.append(k)
    assert _geometry.needs_normalize(lines) == expected
    assert 2000 < len(expected) < 18000  # both kinds occurred


def _tricky_pdf(path: Path) -> Path:
    """A page whose text layer has Unicode spaces, tabs, other-script digits glued to words
    (marker candidates that are not raised), raised small digits (real markers), line-end
    hyphens (PDFium's U+FFFE marker) and an empty gap."""
    import reportlab
    from pdf_fixtures import DEJAVU, LEFT
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = str(DEJAVU) if DEJAVU.is_file() else str(
        Path(reportlab.__file__).parent / "fonts" / "Vera.ttf")
    pdfmetrics.registerFont(TTFont("TrickyFont", font))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = 780
    lines = [
        "Mandate\u00a0of the\u2003mission\u3000and\tits tasks",
        "\u00a0\u00a0leading no-break spaces and trailing ones\u00a0\u2003",
        "Arabic-Indic digits glued: report\u0663 and note\u0661\u0662 and \u0664\u0665\u0666\u0667",
        "Devanagari\u0967 digits, superscript\xb2 and circled\u2460 ones",
        "a line that ends in a hyphen so that PDFium marks it: organ-",
        "ized crime, then more words on the following line here",
        "",
        "",
        "after an empty gap: 12 items, 2021 figures, x1234 and ab12",
    ]
    for text in lines:
        c.setFont("TrickyFont", 11)
        c.drawString(LEFT, y, text)
        y -= 14
    # A raised, smaller footnote marker glued to a word (a real marker).
    c.setFont("TrickyFont", 11)
    c.drawString(LEFT, y, "trafficking")
    w = pdfmetrics.stringWidth("trafficking", "TrickyFont", 11)
    c.setFont("TrickyFont", 7)
    c.drawString(LEFT + w, y + 4, "7")
    c.setFont("TrickyFont", 11)
    c.drawString(LEFT + w + 5, y, " routes\u00a0across\u2009borders")
    c.save()
    return path


@needs_ext
def test_tricky_text_page_identical(tmp_path, monkeypatch):
    pdf = _tricky_pdf(tmp_path / "tricky.pdf")
    import pypdfium2

    doc = pypdfium2.PdfDocument(str(pdf))
    try:
        text = doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
    # The page text really has what the test is about.
    assert "\ufffe" in text or "\x02" in text, "no line-end hyphen marker in the text layer"
    assert "\u2003" in text and "\u0663" in text, "Unicode spaces/digits lost"
    assert _geometry.split(text) == [
        (m.start(1), m.end(1), m.group(2) is not None) for m in segment._LINE.finditer(text)
    ]
    assert_same_lines(*both_paths(monkeypatch, read_lines, pdf))
    fast, slow = both_paths(monkeypatch, extract_document, pdf)
    assert fast.paragraphs == slow.paragraphs
    assert (fast.pages, fast.metadata, fast.qc) == (slow.pages, slow.metadata, slow.qc)
