"""The workflow on a real Slurm cluster (issue 14): `--executor slurm` gives the same
paragraphs, tables and models as a local run, byte for byte.

Needs a cluster that answers and the Snakemake plugin: in CI `bash .ci/slurm-up` starts a
single-node cluster on the machine and `pip install -e ".[slurm]"` installs the plugin.
Without either the test skips and says which is missing.

The Slurm run uses the shipped profile (profiles/slurm) with its two placeholders filled in,
as a user does: the account is $SLURM_TEST_ACCOUNT or the user's default account
(sacctmgr), the partition $SLURM_TEST_PARTITION or the cluster's default partition (sinfo).

The first test (no cluster needed) checks the profile itself. Run the others with
`pytest -m workflow -k slurm` (about 3 minutes on two cores: every Slurm job starts
Snakemake twice, once in the batch script and once in its job step).
"""

from __future__ import annotations

import getpass
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from test_workflow import REPO, snakemake

SPEC = Path(__file__).parent / "specs" / "slurm.yaml"
PROFILE = REPO / "profiles" / "slurm" / "config.yaml"
PLACEHOLDERS = ("<your-account>", "<your-partition>")
CONFIG = ("--config", f"demo_spec={SPEC}", "permutations=200")
TARGETS = ("results/models/estimates.csv", "results/extract/paragraphs.parquet")
# Compared byte for byte between the two runs: every file in these folders, and these files.
COMPARED_FOLDERS = ("results/tables", "results/models")
COMPARED_FILES = ("results/extract/paragraphs.parquet",)
SUBMITTED = re.compile(r"has been submitted with SLURM jobid (\d+) \(log: (\S+)\)")


def _run(*command: str, timeout: float = 10) -> subprocess.CompletedProcess | None:
    """``command``'s result, or None when it cannot be run or does not answer in time."""
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _cluster() -> tuple[str, str]:
    """``(account, partition)`` of a cluster that answers; skips the module with the reason
    when there is none."""
    missing = [tool for tool in ("sinfo", "sbatch", "sacct", "sacctmgr")
               if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"Slurm commands not found: {', '.join(missing)} "
                    "(start a single-node cluster with `bash .ci/slurm-up`)")
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip("snakemake-executor-plugin-slurm is not installed in "
                    f"{sys.executable} (pip install -e \".[slurm]\")")
    states = ""
    for _ in range(5):  # a few seconds for a node that is just coming up
        result = _run("sinfo", "-h", "-o", "%T")
        states = (result.stdout + result.stderr).strip() if result else "no answer in 10 s"
        if result and result.returncode == 0 and {"idle", "mixed"} & set(states.split()):
            break
        time.sleep(1)
    else:
        pytest.skip(f"the Slurm cluster has no idle node (sinfo -h -o %T: {states!r}); "
                    "start one with `bash .ci/slurm-up`")
    result = _run("sacct", "-n", "-X", "--starttime", "now-1hours")
    if result is None or result.returncode != 0:
        pytest.skip("sacct does not answer (the plugin's job status queries need accounting "
                    "through slurmdbd): "
                    + (result.stderr.strip() if result else "no answer in 10 s"))

    account = os.environ.get("SLURM_TEST_ACCOUNT")
    if not account:
        result = _run("sacctmgr", "-n", "-P", "show", "user", getpass.getuser(),
                      "format=DefaultAccount")
        account = result.stdout.strip().splitlines()[0] if result and result.stdout.strip() \
            else ""
    if not account:
        pytest.skip(f"user {getpass.getuser()} has no Slurm account (sacctmgr show user); "
                    "set SLURM_TEST_ACCOUNT")
    partition = os.environ.get("SLURM_TEST_PARTITION")
    if not partition:
        result = _run("sinfo", "-h", "-o", "%P")
        defaults = [p.rstrip("*") for p in (result.stdout.split() if result else [])
                    if p.endswith("*")]
        if not defaults:
            pytest.skip("the cluster has no default partition (sinfo -h -o %P); "
                        "set SLURM_TEST_PARTITION")
        partition = defaults[0]
    return account, partition


def _filled_profile(folder: Path, account: str, partition: str) -> Path:
    """The shipped Slurm profile with its placeholders filled in, as a user does."""
    text = PROFILE.read_text(encoding="utf-8")
    for placeholder in PLACEHOLDERS:
        assert placeholder in text, f"{PROFILE}: the placeholder {placeholder} is gone"
    text = text.replace("<your-account>", account).replace("<your-partition>", partition)
    assert "<your-" not in text, f"{PROFILE} has a placeholder the test does not fill in"
    folder.mkdir(parents=True)
    (folder / "config.yaml").write_text(text, encoding="utf-8")
    return folder


def _compared(workdir: Path) -> dict[str, bytes]:
    files = {}
    for folder in COMPARED_FOLDERS:
        for path in sorted((workdir / folder).rglob("*")):
            if path.is_file():
                files[str(path.relative_to(workdir))] = path.read_bytes()
    for name in COMPARED_FILES:
        files[name] = (workdir / name).read_bytes()
    return files


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``(local workdir, slurm workdir, slurm console, account, partition)``."""
    account, partition = _cluster()
    base = tmp_path_factory.mktemp("slurm")
    local, cluster = base / "local", base / "slurm"
    local.mkdir()
    cluster.mkdir()
    profile = _filled_profile(base / "profile", account, partition)

    start = time.monotonic()
    snakemake(local, "--cores", "2", *CONFIG, "--", *TARGETS)
    local_seconds = time.monotonic() - start
    start = time.monotonic()
    # --workflow-profile (not --profile): see profiles/slurm/config.yaml. The first status
    # check after 2 s instead of 40 s only makes the test faster; results do not depend on it.
    result = snakemake(cluster, "--workflow-profile", str(profile), "--jobs", "4",
                       "--slurm-init-seconds-before-status-checks", "2",
                       *CONFIG, "--", *TARGETS)
    print(f"\nlocal run {local_seconds:.0f} s; Slurm run {time.monotonic() - start:.0f} s")
    return local, cluster, result.stdout + result.stderr, account, partition


def test_the_slurm_profile_repeats_the_default_profile_and_asks_for_account_and_partition():
    """Given with --workflow-profile, profiles/slurm replaces profiles/default: it must repeat
    every default setting and ask for the account and partition."""
    shipped = yaml.safe_load(PROFILE.read_text(encoding="utf-8"))
    default = yaml.safe_load((REPO / "profiles/default/config.yaml").read_text(encoding="utf-8"))
    assert shipped["executor"] == "slurm"
    for key, value in default.items():
        if key == "default-resources":
            for resource, amount in value.items():
                assert shipped[key].get(resource) == amount, (key, resource)
        else:
            assert shipped.get(key) == value, key
    assert shipped["default-resources"]["slurm_account"] == "<your-account>"
    assert shipped["default-resources"]["slurm_partition"] == "<your-partition>"


def test_the_filled_in_slurm_profile_reaches_snakemake(tmp_path):
    """Snakemake reads the filled-in profile: executor slurm, the account and partition
    among the default resources (needs the plugin, which registers the executor)."""
    from snakemake.cli import parse_args

    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        pytest.skip("snakemake-executor-plugin-slurm is not installed in this environment "
                    "(pip install -e \".[slurm]\"); Snakemake cannot read executor: slurm "
                    "without it")
    profile = _filled_profile(tmp_path / "profile", "acct1", "part1")
    _, args = parse_args(["-s", str(REPO / "Snakefile"), "--workflow-profile", str(profile),
                          "--dry-run"])
    resources = args.default_resources
    assert {"slurm_account", "slurm_partition", "mem_mb", "runtime"} <= set(resources)
    assert args.executor == "slurm" and args.keep_going


@pytest.mark.workflow
def test_slurm_run_equals_the_local_run_byte_for_byte(runs):
    local, cluster, _, _, _ = runs
    mine, theirs = _compared(local), _compared(cluster)
    assert sorted(mine) == sorted(theirs), "the two runs wrote different files"
    assert any(name.startswith("results/tables/") for name in mine)
    assert "results/models/estimates.csv" in mine
    differ = [name for name in mine if mine[name] != theirs[name]]
    assert not differ, f"differ between the local and the Slurm run: {differ}"


@pytest.mark.workflow
def test_the_jobs_ran_on_slurm_with_the_profiles_account_and_partition(runs):
    _, _, console, account, partition = runs
    submitted = SUBMITTED.findall(console)
    assert len(submitted) >= 5, "few or no jobs were submitted to Slurm:\n" + console[-3000:]
    logs = " ".join(log for _, log in submitted)
    # the extraction (one job per document, or per batch) and the models ran as Slurm jobs
    assert "extract" in logs and "fit_models" in logs, logs
    ids = sorted({int(jobid) for jobid, _ in submitted})
    rows: list[list[str]] = []
    for _ in range(10):  # slurmdbd records a finished job within a few seconds
        result = _run("sacct", "-n", "-X", "-P", "-j", ",".join(map(str, ids)),
                      "-o", "JobID,State,Account,Partition")
        rows = [line.split("|") for line in result.stdout.splitlines()] if result else []
        if len(rows) == len(ids) and all(row[1] == "COMPLETED" for row in rows):
            break
        time.sleep(1)
    assert sorted(int(row[0]) for row in rows) == ids, f"sacct does not list every job: {rows}"
    for jobid, state, job_account, job_partition in rows:
        assert state == "COMPLETED", f"Slurm job {jobid}: {state}"
        assert (job_account, job_partition) == (account, partition), (jobid, job_account,
                                                                      job_partition)
