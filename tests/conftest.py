"""Shared pytest fixtures: the typeset UN documents of tests/pdf_fixtures.py, built once per
session in a temporary folder (every PDF builder lives in pdf_fixtures.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdf_fixtures import build_ligature, build_report, build_resolution, build_with_image_page


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("extract_pdfs")


@pytest.fixture(scope="session")
def report_pdf(pdf_dir) -> Path:
    return build_report(pdf_dir / "report.pdf")


@pytest.fixture(scope="session")
def resolution_pdf(pdf_dir) -> Path:
    return build_resolution(pdf_dir / "resolution.pdf")


@pytest.fixture(scope="session")
def ligature_pdf(pdf_dir) -> tuple[Path, str, str]:
    return build_ligature(pdf_dir / "ligature.pdf")


@pytest.fixture(scope="session")
def image_page_pdf(pdf_dir) -> Path:
    return build_with_image_page(pdf_dir / "image_page.pdf")


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory) -> Path:
    """The default build of the demo corpus, ``snakemake --cores 2`` in a fresh folder, shared
    by every test that reads its results (the workflow tests, the browser tests)."""
    from test_workflow import snakemake

    workdir = tmp_path_factory.mktemp("demo-run")
    snakemake(workdir, "--cores", "2")
    return workdir
