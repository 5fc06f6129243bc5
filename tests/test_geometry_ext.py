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
