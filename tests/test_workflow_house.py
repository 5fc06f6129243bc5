"""How the workflow behaves for a researcher who edits, interrupts and misconfigures it.

Each test runs the real Snakefile (`-s ... --directory ...`) the way a user does; some run
on a copy of the project, so that editing its code or stopping it mid-job is safe.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHIPPED = ("Snakefile", "workflow", "src", "raw", "paper", "profiles")

pytestmark = pytest.mark.workflow


def run(snakefile: Path, workdir: Path, *args: str) -> subprocess.CompletedProcess:
    """snakemake on `snakefile` in `workdir`; stdout and stderr together in .stdout."""
    return subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(snakefile), "--directory", str(workdir),
         *args],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )


def copy_project(dest: Path) -> Path:
    """A copy of the shipped workflow (what a clone holds, without git and results)."""
    for name in SHIPPED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "results"))
        else:
            shutil.copy2(src, dest / name)
    return dest / "Snakefile"


def jobs(dry_run_output: str) -> set[str]:
    """Rule names in the job table of a dry run."""
    names, table = set(), False
    for line in dry_run_output.splitlines():
        if line.startswith("job ") and "count" in line:
            table = True
        elif table and line.strip().startswith("total"):
            break
        elif table and line.strip() and not line.startswith("-"):
            names.add(line.split()[0])
    return names


def write_manifest(raw: Path, rows: list[str]) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    path = raw / "manifest.csv"
    path.write_text("doc_id,path,doc_type,missions,date,title,symbol,source_url,sha256\n"
                    + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def coded_copy(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the project whose demo corpus is built up to the coded tables."""
    root = tmp_path_factory.mktemp("project")
    snakefile = copy_project(root)
    done = run(snakefile, root, "--cores", "2", "results/tables/mission_activity.csv")
    assert done.returncode == 0, done.stdout[-6000:]
    return snakefile, root


@pytest.mark.parametrize(
    ("edited", "expected"),
    [
        ("src/analysis/coding/activities.py", {"code_paragraphs", "build_tables"}),
        ("src/analysis/coding/gazetteer.yaml", {"code_paragraphs", "build_tables"}),
        ("src/analysis/coding/tables.py", {"build_tables"}),
        ("workflow/schemas/codebook.schema.yaml", {"code_paragraphs", "build_tables"}),
    ],
)
def test_editing_code_or_data_reruns_what_it_shapes(coded_copy, edited, expected):
    snakefile, root = coded_copy
    target = "results/tables/mission_activity.csv"
    before = run(snakefile, root, "-n", target)
    assert "Nothing to be done" in before.stdout, before.stdout[-3000:]
    path = root / edited
    original = path.read_text(encoding="utf-8")
    try:
        # a real edit: new bytes (Snakemake compares checksums, so a touch is not enough)
        path.write_text(original + "\n# edited by a researcher\n", encoding="utf-8")
        after = run(snakefile, root, "-n", target)
    finally:
        path.write_text(original, encoding="utf-8")
    assert after.returncode == 0, after.stdout[-3000:]
    got = jobs(after.stdout)
    assert expected <= got, f"editing {edited} should rerun {expected}, dry run lists {got}"
    assert "extract_batch" not in got, "coding code must not rerun the extraction"


def test_editing_extraction_code_reruns_extraction(coded_copy):
    snakefile, root = coded_copy
    path = root / "src/analysis/extract/clean.py"
    original = path.read_text(encoding="utf-8")
    try:
        path.write_text(original + "\n# edited\n", encoding="utf-8")
        after = run(snakefile, root, "-n", "results/tables/mission_activity.csv")
    finally:
        path.write_text(original, encoding="utf-8")
    assert {"extract_batch", "collect_extraction", "code_paragraphs"} <= jobs(after.stdout)


def test_a_manifest_that_does_not_exist_stops_with_its_path(tmp_path):
    result = run(REPO / "Snakefile", tmp_path, "-n", "--config", "corpus=manifest",
                 "manifest=my-study/manifest.csv")
    assert result.returncode != 0
    assert "my-study/manifest.csv does not exist" in result.stdout
    assert str(tmp_path / "my-study" / "manifest.csv") in result.stdout
    assert not (tmp_path / "results").exists()


def test_naming_a_manifest_uses_it(tmp_path):
    write_manifest(tmp_path / "mine", ["one,one.pdf,report,MINUSTAH,2006-03-01,One,,,"])
    result = run(REPO / "Snakefile", tmp_path, "-n", "--config", "manifest=mine/manifest.csv")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "the corpus is that manifest" in result.stdout
    got = jobs(result.stdout)
    assert "check_corpus" in got and "demo_corpus" not in got, got


def test_the_problem_lines_of_a_failed_job_reach_the_console(tmp_path):
    write_manifest(tmp_path / "raw", [
        "one,one.pdf,report,MINUSTAH,2006-03-01,One,,,",
        "two,two.pdf,report,MINUSTHA,2006-13-01,Two,,,",
    ])
    result = run(REPO / "Snakefile", tmp_path, "--cores", "1", "--config",
                 "manifest=raw/manifest.csv", "offline=true")
    assert result.returncode != 0
    out = result.stdout
    # the manifest check's own words, with file, line and column, on the console
    assert "line 3" in out and "'missions'" in out and "MINUSTHA" in out, out[-4000:]
    assert "MINUSTAH" in out.split("MINUSTHA", 1)[1], "the close match is suggested"
    assert "'date'" in out


def test_the_fast_simulation_is_in_every_build_the_pipeline_one_on_request(tmp_path):
    default = run(REPO / "Snakefile", tmp_path, "-n")
    assert default.returncode == 0, default.stdout[-3000:]
    # the fast path picks the paper's headline estimator: always built
    assert {"paper", "fit_models", "simulation_fast"} <= jobs(default.stdout)
    assert "simulation_pipeline" not in jobs(default.stdout)
    asked = run(REPO / "Snakefile", tmp_path, "-n", "simulation")
    assert {"simulation_pipeline", "simulation_fast"} <= jobs(asked.stdout)
    included = run(REPO / "Snakefile", tmp_path, "-n", "--config", "simulation=true")
    assert {"simulation_pipeline", "paper"} <= jobs(included.stdout)


def test_a_plain_rerun_recovers_from_an_interrupted_run(tmp_path):
    """A run killed mid-job (a crash, a closed laptop, Ctrl-C pressed twice) leaves half-
    written outputs marked incomplete; the plain command must redo them, not stop."""
    snakefile = REPO / "Snakefile"
    target = "results/demo/manifest.csv"
    process = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "-s", str(snakefile), "--directory", str(tmp_path),
         "--cores", "1", target],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    partial = tmp_path / "results" / "demo" / "pdfs"  # written while the job runs
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if partial.is_dir() and any(partial.iterdir()):
            break
        time.sleep(0.02)
    if process.poll() is not None:
        pytest.skip("the demo corpus job finished before it could be interrupted")
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert not (tmp_path / target).exists()
    # A killed Snakemake cannot release its lock: the README's one extra step after a crash.
    unlock = run(snakefile, tmp_path, "--unlock")
    assert unlock.returncode == 0, unlock.stdout[-3000:]
    # Without the shipped defaults, Snakemake refuses to go on ...
    bare = run(snakefile, tmp_path, "--cores", "1", "--workflow-profile", "none", target)
    assert bare.returncode != 0, bare.stdout[-3000:]
    assert "incomplete" in bare.stdout.lower(), bare.stdout[-3000:]
    # ... the plain command redoes the interrupted job.
    plain = run(snakefile, tmp_path, "--cores", "1", target)
    assert plain.returncode == 0, plain.stdout[-3000:]
    assert (tmp_path / target).exists()
