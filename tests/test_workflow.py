"""The whole workflow, run as a researcher runs it: `snakemake --cores N` in a fresh folder.

The workflow is run from outside the repository (`-s REPO/Snakefile --directory DIR`), which
also proves it finds its own config, schemas and package through its base directory.
"""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from pdf_fixtures import text_pdf

REPO = Path(__file__).resolve().parents[1]
SEED_PDF = REPO.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"

pytestmark = pytest.mark.workflow


# Replicates of the fast simulation check in the test builds (the shipped default is 200:
# the size and coverage it measures are not what the workflow tests check, only that the
# rule runs and the paper reads it). Given on the command line unless a test sets it.
TEST_SIMULATION = "simulation_replicates=12"


def fast_simulation(args: tuple[str, ...]) -> list[str]:
    """``args`` with :data:`TEST_SIMULATION` added to their ``--config`` (or a new one)."""
    args = list(args)
    if any(a.startswith("simulation_replicates=") for a in args):
        return args
    if "--config" in args:
        args.insert(args.index("--config") + 1, TEST_SIMULATION)
        return args
    return [*args, "--config", TEST_SIMULATION]


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run snakemake on this repository's Snakefile in `workdir` (with few simulation
    replicates, :func:`fast_simulation`); fail with its output."""
    args = tuple(fast_simulation(args))
    command = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        *args,
    ]
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    if check and result.returncode != 0:
        console = result.stdout + result.stderr
        first_error = console.find("Error in rule")  # the failed job and its log
        pytest.fail(
            f"snakemake {' '.join(args)} failed ({result.returncode}):\n"
            + (console[first_error:first_error + 6000] if first_error >= 0 else console[-8000:])
        )
    return result


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture(scope="module")
def demo_run(demo_build: Path) -> Path:
    """The default build of the demo corpus (conftest.py's session fixture ``demo_build``)."""
    return demo_build


def test_default_run_builds_and_extracts_the_demo_corpus(demo_run: Path):
    manifest = read_csv(demo_run / "results/demo/manifest.csv")
    assert len(manifest) >= 30, "the demo corpus should hold resolutions and reports"
    assert all("demo" in row["doc_id"] for row in manifest)

    documents = read_csv(demo_run / "results/corpus/documents.csv")
    assert {row["doc_id"] for row in documents} == {row["doc_id"] for row in manifest}
    assert read_csv(demo_run / "results/qc/quarantine.csv") == []

    paragraphs = pd.read_parquet(demo_run / "results/extract/paragraphs.parquet")
    assert set(paragraphs["doc_id"]) == {row["doc_id"] for row in manifest}
    assert paragraphs["text"].str.len().min() > 0
    # Extraction ran in batches (config extract_batches): every document has its line in
    # its batch's log, and no extraction failed.
    logs = "".join(p.read_text(encoding="utf-8")
                   for p in (demo_run / "results/logs/extract").glob("b*.log"))
    for doc_id in paragraphs["doc_id"].unique():
        assert f"] {doc_id}: " in logs, doc_id
    assert read_csv(demo_run / "results/qc/extraction_failed.csv") == []
    assert (demo_run / "results/extract/documents.csv").read_bytes() == (
        demo_run / "results/corpus/documents.csv").read_bytes()

    extraction = read_csv(demo_run / "results/qc/extraction.csv")
    assert all(int(row["n_pages_without_text"]) == 0 for row in extraction)
    # The demo PDFs carry their own demo symbols and dates on the first page; they must
    # agree with the manifest the generator wrote.
    assert read_csv(demo_run / "results/qc/metadata.csv") == []


def test_outputs_are_deterministic(demo_run: Path, tmp_path: Path):
    snakemake(tmp_path, "--cores", "2")
    for stage in ("demo", "corpus", "extract", "tables", "models", "figures", "paper", "qc",
                  "browser", "coding/forms"):
        first = tree_digest(demo_run / "results" / stage)
        second = tree_digest(tmp_path / "results" / stage)
        assert first == second, f"results/{stage} differs between two runs of the same inputs"


def test_nothing_left_to_do_after_a_run(demo_run: Path):
    result = snakemake(demo_run, "--cores", "1", "--dry-run", "--quiet", "rules")
    assert "extract" not in result.stdout, result.stdout


def test_lint_is_clean(tmp_path: Path):
    result = snakemake(tmp_path, "--lint", check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Lints for" not in result.stdout + result.stderr, result.stdout + result.stderr


def test_bad_documents_are_quarantined_and_the_rest_builds(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "pdfs").mkdir(parents=True)
    text_pdf(
        raw / "pdfs" / "good.pdf",
        "Report of the Secretary-General on a test operation",
        "1. The operation patrolled the border and seized weapons.",
        leading=16,
    )
    (raw / "pdfs" / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (raw / "pdfs" / "page.pdf").write_text("<html><body>Not found</body></html>")
    (raw / "manifest.csv").write_text(
        "doc_id,path,doc_type,missions,date,title,symbol,source_url,sha256\n"
        "good,pdfs/good.pdf,report,MINUSTAH,2006-03-01,Good report,,,\n"
        "broken,pdfs/broken.pdf,report,MINUSTAH,2006-06-01,Truncated,,,\n"
        "html,pdfs/page.pdf,report,MINUSTAH,2006-09-01,Web page,,,\n"
        "absent,pdfs/absent.pdf,report,MINUSTAH,2006-12-01,Missing,,,\n"
        "remote,,resolution,MINUSTAH,2004-04-30,Remote,S/RES/1542 (2004),,\n",
        encoding="utf-8",
    )
    before = tree_digest(raw)
    result = snakemake(
        tmp_path,
        "--cores",
        "2",
        "--config",
        "corpus=manifest",
        "manifest=raw/manifest.csv",
        "offline=true",
    )
    assert tree_digest(raw) == before, "the workflow must never write into raw/"
    quarantine = {
        row["doc_id"]: row["reason"] for row in read_csv(tmp_path / "results/qc/quarantine.csv")
    }
    assert set(quarantine) == {"broken", "html", "absent", "remote"}
    documents = read_csv(tmp_path / "results/corpus/documents.csv")
    assert [row["doc_id"] for row in documents] == ["good"]
    paragraphs = pd.read_parquet(tmp_path / "results/extract/paragraphs.parquet")
    assert "seized weapons" in " ".join(paragraphs["text"])
    # the console says what was dropped and why, at the end of the run
    console = result.stdout + result.stderr
    summary = console[console.rindex("corpus summary"):]
    assert "accepted: 1 document" in summary, summary
    for doc_id in ("broken", "html", "absent", "remote"):
        line = next(x for x in summary.splitlines() if x.strip().startswith(doc_id + ":"))
        assert quarantine[doc_id] in line, line
    # and so does the paper's data section
    text = _pdf_text(tmp_path / "results/paper/paper.pdf")
    assert "excluded 4" in text, "the paper must state how many documents were excluded"


def test_adding_a_document_reextracts_only_its_batch(tmp_path: Path):
    raw = tmp_path / "raw"
    (raw / "pdfs").mkdir(parents=True)
    header = "doc_id,path,doc_type,missions,date,title,symbol,source_url,sha256\n"
    rows = []
    for k in range(6):
        text_pdf(raw / "pdfs" / f"r{k}.pdf", "Report of the Secretary-General on a test",
                 f"1. The operation patrolled district {k} and seized weapons.")
        rows.append(f"r{k},pdfs/r{k}.pdf,report,MINUSTAH,2006-0{k + 1}-01,Report {k},,,\n")
    manifest = raw / "manifest.csv"
    manifest.write_text(header + "".join(rows[:5]), encoding="utf-8")
    args = ("--cores", "2", "results/extract/paragraphs.parquet", "--config",
            "corpus=manifest", "manifest=raw/manifest.csv", "offline=true", "extract_batches=3")
    first = snakemake(tmp_path, *args)
    assert 1 < first.stdout.count("rule extract_batch:") + first.stderr.count(
        "rule extract_batch:") <= 3
    manifest.write_text(header + "".join(rows), encoding="utf-8")
    second = snakemake(tmp_path, *args)
    console = second.stdout + second.stderr
    assert console.count("rule extract_batch:") == 1, console  # the new document's batch
    paragraphs = pd.read_parquet(tmp_path / "results/extract/paragraphs.parquet")
    assert sorted(paragraphs["doc_id"].unique()) == [f"r{k}" for k in range(6)]


def test_invalid_config_names_the_key(tmp_path: Path):
    result = snakemake(
        tmp_path, "--cores", "1", "--dry-run", "--config", "corpus=everything", check=False
    )
    assert result.returncode != 0
    assert "corpus" in result.stdout + result.stderr


@pytest.mark.skipif(not SEED_PDF.exists(), reason=f"seed PDF not found at {SEED_PDF}")
def test_shipped_manifest_extracts_the_seed_offline(tmp_path: Path):
    snakemake(
        tmp_path,
        "--cores",
        "2",
        "--config",
        "corpus=manifest",
        f"manifest={REPO / 'raw' / 'manifest.csv'}",
        "offline=true",
    )
    documents = read_csv(tmp_path / "results/corpus/documents.csv")
    assert [row["doc_id"] for row in documents] == ["vanderlijn-2018"]
    quarantine = read_csv(tmp_path / "results/qc/quarantine.csv")
    assert {row["doc_id"] for row in quarantine} == {
        "s-res-1244-1999",
        "s-res-1542-2004",
        "s-res-2100-2013",
    }
    assert all("offline" in row["reason"] for row in quarantine)


def _pdf_text(path: Path) -> str:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        text = " ".join(page.get_textpage().get_text_bounded() for page in pdf)
    finally:
        pdf.close()
    return " ".join(text.replace("\ufffe", "").split())


def test_paper_quotes_the_numbers_the_workflow_computed(demo_run: Path):
    import json

    numbers = json.loads((demo_run / "results/paper/numbers.json").read_text(encoding="utf-8"))
    values = numbers["values"]

    # numbers.json agrees with the tables it claims to come from
    documents = read_csv(demo_run / "results/corpus/documents.csv")
    assert values["n_documents"] == len(documents)
    assert values["n_reports"] == sum(row["doc_type"] == "report" for row in documents)
    estimates = pd.read_csv(demo_run / "results/models/estimates.csv")
    headline = estimates[
        (estimates["model"] == values["headline__model"])
        & estimates["term"].str.startswith("explicit_mandate")
    ].iloc[0]
    assert values["headline__estimate"] == pytest.approx(headline["estimate_exp"], rel=1e-6)
    panel = pd.read_csv(demo_run / "results/tables/panel.csv")
    assert values["n_oc_activity_paragraphs"] == panel["oc_activity_paragraphs"].sum()

    # and the compiled paper prints them
    text = _pdf_text(demo_run / "results/paper/paper.pdf")
    for key in ("n_documents", "n_reports", "headline__estimate", "headline__conf_low",
                "headline__conf_high", "n_oc_activity_paragraphs"):
        assert numbers["text"][key] in text, f"{key} = {numbers['text'][key]!r} not in the paper"
    assert "SYNTHETIC" in text
    for figure in sorted((demo_run / "results/figures").glob("fig*.pdf")):
        assert figure.stat().st_size > 0


def test_report_builds_with_every_figure(demo_run: Path):
    # A zip report: it carries the evidence browser (a folder), which a single-file HTML
    # report cannot hold.
    snakemake(demo_run, "--report", "results/report.zip")
    with zipfile.ZipFile(demo_run / "results/report.zip") as archive:
        names = archive.namelist()
        html = archive.read("report/report.html").decode("utf-8", errors="replace")
        browser_index = [n for n in names if n.endswith("/index.html")]
        assert len(browser_index) == 1, names[:20]
        index = archive.read(browser_index[0]).decode("utf-8")
    assert "Evidence browser" in html and "browser.html" in html
    assert "matrix.html" in index and "SYNTHETIC DEMO CORPUS" in index
    folder = browser_index[0].rsplit("/", 1)[0]
    for page in ("matrix.html", "fig1.html", "fig2.html", "search.html"):
        assert f"{folder}/{page}" in names, page
    for stem in ("fig1_operation_quadrant", "fig2_quadrant_market", "fig3_mandate_coefficients",
                 "fig4_mandate_timeline", "fig5_activity_by_mandate", "mission_activity.csv"):
        assert stem in html, stem
    provenance = (demo_run / "results/provenance.json").read_text(encoding="utf-8")
    assert "sha256" in provenance
