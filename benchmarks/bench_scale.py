"""Scale benchmark: the workflow from a manifest to the models at N documents.

Prints, never asserts.

    python benchmarks/bench_scale.py [--sizes 100 1000 5000] [--cores 2]
                                     [--demo-results PATH] [--keep] [--jobs-report] [--json F]

For each N (default 100, 1,000 and 5,000) it:

1. builds an N-document corpus in a fresh folder: copies of the demo PDFs (a demo build in a
   temporary folder, ``snakemake --cores 2 results/demo/manifest.csv``, or ``--demo-results``),
   each made distinct in checksum by a PDF comment line after ``%%EOF`` (the text is
   unchanged), and ``raw/manifest.csv`` listing them (doc_id ``<demo doc_id>-c0001``, title
   marked SYNTHETIC, sha256 pinned). Resolutions are copied first, so a small N still has
   every operation's mandates;
2. runs the workflow on it to ``results/tables/panel.csv`` and ``results/models/estimates.csv``
   (``--config corpus=manifest manifest=raw/manifest.csv offline=true``) and measures:
   - the wall time of the run, and per document;
   - the DAG-building time: a dry run (``-n --quiet``) before the run (the DAG up to the
     corpus-check checkpoint) and after it (the whole DAG, nothing to do);
   - the peak memory (VmHWM) of the Snakemake process, polled from /proc, and of the largest
     job (``max_rss`` over every ``results/benchmarks/**/*.tsv`` the rules write);
   - the size of ``results/`` (and of Snakemake's own ``.snakemake/``);
   - a no-op rerun;
   - adding one PDF to the manifest: the jobs a dry run plans (``-n --quiet rules``), the jobs
     the rerun actually ran (from its log; the dry run cannot see the jobs after the
     checkpoint), and the rerun's wall time;
3. prints one markdown table with a row per N and the issue's targets (at 5,000 documents on
   2 cores: at most 15 min, DAG at most 30 s, peak memory at most 2 GB, no-op at most 20 s,
   adding one PDF re-extracts that document or its batch), whether costs grow linearly (time
   per document across N, cost per added document between sizes) and a linear projection to
   5,000 documents when 5,000 was not run.

``--jobs-report`` prints, per N, the five rules with the most total time: from the benchmark
files (whatever rules write them: per document or per batch) and from the run's log (start to
finish of each job, to the second, for rules without a benchmark file).

No rule name is hard-coded: rules are read from the benchmark files and the log. Timings share
the machine with whatever else runs on it: say so when quoting them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "Snakefile"
TARGETS = ("results/tables/panel.csv", "results/models/estimates.csv")
MANIFEST_COLUMNS = (
    "doc_id", "path", "doc_type", "missions", "date", "title", "symbol", "source_url", "sha256",
)
# Order in which demo documents are copied: mandates first (a corpus cut short keeps them).
TYPE_ORDER = {"resolution": 0, "report": 1, "study": 2}
SYNTHETIC = "SYNTHETIC scale-benchmark copy"

# The targets, at 5,000 documents on 2 cores.
TARGET_N = 5000
TARGET_WALL_S = 15 * 60
TARGET_DAG_S = 30
TARGET_RSS_MB = 2048
TARGET_NOOP_S = 20


# --- Corpus (pure helpers, tested in tests/test_bench_scale.py) ---------------------------
def make_distinct(pdf: bytes, tag: str) -> bytes:
    """The PDF's bytes with a comment line ``%<tag>`` after the end: a different sha256, the
    same document (readers ignore comments after ``%%EOF``; no incremental update)."""
    if not re.fullmatch(r"[A-Za-z0-9_.\-]+", tag):
        raise ValueError(f"tag {tag!r}: use letters, digits, '_', '.', '-' only")
    end = b"" if pdf.endswith((b"\n", b"\r")) else b"\n"
    return pdf + end + b"%bench-scale " + tag.encode("ascii") + b"\n"


def source_documents(demo_manifest: Path) -> list[dict]:
    """Rows of the demo manifest whose PDF exists, mandates first, then by doc_id, each with
    ``pdf`` (the absolute path of its file)."""
    folder = demo_manifest.parent
    with demo_manifest.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    missing = [c for c in MANIFEST_COLUMNS if rows and c not in rows[0]]
    if missing:
        raise SystemExit(
            f"{demo_manifest}: columns {missing} missing (expected {MANIFEST_COLUMNS})"
        )
    out = []
    for row in rows:
        pdf = (folder / row["path"]).resolve() if row["path"] else None
        if pdf is not None and pdf.is_file():
            out.append({**row, "pdf": str(pdf)})
    if not out:
        raise SystemExit(f"{demo_manifest}: no row names an existing PDF (paths are relative "
                         "to the manifest's folder); build the demo first")
    return sorted(out, key=lambda r: (TYPE_ORDER.get(r["doc_type"], 9), r["doc_id"]))


def copy_plan(sources: list[dict], n: int) -> list[tuple[dict, str]]:
    """(source row, new doc_id) for documents 0..n-1: the sources in turn, copy k of source
    ``d`` named ``d-c<k>`` (k from 1)."""
    plan = []
    for i in range(n):
        source = sources[i % len(sources)]
        plan.append((source, f"{source['doc_id']}-c{i // len(sources) + 1:04d}"))
    return plan


def manifest_row(source: dict, doc_id: str, path: str, sha256: str) -> dict:
    """One manifest row of a copy: the source's type, operations, date and symbol (they match
    the PDF's first page), a SYNTHETIC title, the copy's own path and checksum."""
    return {
        "doc_id": doc_id,
        "path": path,
        "doc_type": source["doc_type"],
        "missions": source["missions"],
        "date": source["date"],
        "title": f"{SYNTHETIC} of {source['doc_id']}: {source['title']}",
        "symbol": source["symbol"],
        "source_url": "",
        "sha256": sha256,
    }


def add_copy(folder: Path, source: dict, doc_id: str) -> dict:
    """Write the distinct copy ``folder/raw/pdfs/<doc_id>.pdf``; its manifest row."""
    data = make_distinct(Path(source["pdf"]).read_bytes(), doc_id)
    target = folder / "raw" / "pdfs" / f"{doc_id}.pdf"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return manifest_row(source, doc_id, f"pdfs/{doc_id}.pdf", hashlib.sha256(data).hexdigest())


def write_manifest(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=MANIFEST_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def build_corpus(folder: Path, sources: list[dict], n: int) -> list[dict]:
    """``folder/raw/manifest.csv`` and ``folder/raw/pdfs/``: n distinct copies."""
    rows = [add_copy(folder, source, doc_id) for source, doc_id in copy_plan(sources, n)]
    write_manifest(folder / "raw" / "manifest.csv", rows)
    return rows


# --- Reading Snakemake's output (pure helpers) -------------------------------------------
def job_stats(text: str) -> dict[str, int]:
    """rule -> jobs from the ``Job stats`` table Snakemake prints (``-n --quiet rules``);
    {} when it prints none (nothing to do)."""
    counts: dict[str, int] = {}
    inside = False
    for line in text.splitlines():
        parts = line.split()
        if parts[:2] == ["job", "count"]:
            inside, counts = True, {}
            continue
        if not inside or not parts or set(line.strip()) <= {"-", " "}:
            continue
        if parts[0] == "total" or len(parts) != 2 or not parts[1].isdigit():
            inside = False
            continue
        counts[parts[0]] = int(parts[1])
    return counts


_STAMP = re.compile(r"^\[(\w{3} \w{3} +\d+ \d\d:\d\d:\d\d \d{4})\]\s*$")
_RULE = re.compile(r"^(?:local)?(?:rule|checkpoint) ([A-Za-z_][\w]*):\s*$")
_JOBID = re.compile(r"^\s+jobid: (\d+)\s*$")
_FINISHED = re.compile(r"^Finished job(?:id:)? (\d+)\.?(?: \(Rule: ([A-Za-z_]\w*)\))?")


def executed_jobs(log: str) -> tuple[Counter, dict[str, float]]:
    """From a Snakemake run's console log: jobs that finished, per rule, and the seconds from
    each job's start to its finish summed per rule (timestamps to the second)."""
    rule_of: dict[str, str] = {}
    started: dict[str, datetime] = {}
    done: Counter = Counter()
    seconds: dict[str, float] = defaultdict(float)
    stamp: datetime | None = None
    pending: str | None = None
    for line in log.splitlines():
        if m := _STAMP.match(line):
            stamp = datetime.strptime(" ".join(m.group(1).split()), "%a %b %d %H:%M:%S %Y")
        elif m := _RULE.match(line):
            pending = m.group(1)
        elif (m := _JOBID.match(line)) and pending:
            rule_of[m.group(1)] = pending
            if stamp is not None:
                started[m.group(1)] = stamp
            pending = None
        elif m := _FINISHED.match(line):
            jobid, rule = m.group(1), m.group(2) or rule_of.get(m.group(1), "?")
            done[rule] += 1
            if stamp is not None and jobid in started:
                seconds[rule] += (stamp - started.pop(jobid)).total_seconds()
    return done, dict(seconds)


def benchmark_rule(path: Path, root: Path) -> str:
    """The rule a benchmark file belongs to: its folder under results/benchmarks, or its
    name when it lies there directly (results/benchmarks/extract/X.tsv -> extract)."""
    parts = path.relative_to(root).parts
    return parts[0] if len(parts) > 1 else path.stem


def benchmark_totals(results: Path) -> dict[str, dict]:
    """rule -> {jobs, s (total), max_rss (MB, largest job)} over results/benchmarks/**/*.tsv."""
    root = results / "benchmarks"
    totals: dict[str, dict] = {}
    for tsv in sorted(root.rglob("*.tsv")) if root.is_dir() else []:
        with tsv.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        entry = totals.setdefault(benchmark_rule(tsv, root),
                                  {"jobs": 0, "s": 0.0, "cpu_s": 0.0, "max_rss": 0.0})
        for row in rows[-1:]:  # the last row (a benchmark: repeat(...) writes several)
            entry["jobs"] += 1
            entry["s"] += _number(row.get("s"))
            entry["cpu_s"] += _number(row.get("cpu_time"))
            entry["max_rss"] = max(entry["max_rss"], _number(row.get("max_rss")))
    return totals


def _number(text) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def linear_fit(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (intercept, slope) of y over x; None with fewer than two distinct x."""
    if len({x for x, _ in points}) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - slope * mx, slope


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


# --- Running Snakemake ---------------------------------------------------------------------
def log(message: str) -> None:
    print(f"[bench-scale {time.strftime('%H:%M:%S')}] {message}", flush=True)


@dataclass
class Run:
    seconds: float
    returncode: int
    output: str
    peak_rss_mb: float = 0.0  # VmHWM of the Snakemake process
    tree_rss_mb: float = 0.0  # largest sum of RSS over Snakemake and its jobs (psutil)
    cpu_s: float = 0.0  # user + system CPU of Snakemake and every job it ran (wait4)
    own_cpu_s: float = 0.0  # user + system CPU of the Snakemake process alone (/proc)
    load: float = 0.0  # mean 1-minute load average of the machine while it ran


def _vmhwm_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _own_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` alone (its children not counted)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def _tree_rss_kb(root, psutil) -> int:
    total = 0
    try:
        for proc in [root, *root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total // 1024


def snakemake(workdir: Path, args: list[str], logfile: Path) -> Run:
    """Run ``python -m snakemake -s REPO/Snakefile --directory workdir ARGS``, its console in
    ``logfile``: wall time, CPU time of it and its jobs, and memory polled while it runs.
    Interrupted, it stops Snakemake (which stops its jobs) before passing the interrupt on."""
    command = [sys.executable, "-m", "snakemake", "-s", str(SNAKEFILE), "--directory",
               str(workdir), *args]
    logfile.parent.mkdir(parents=True, exist_ok=True)
    try:
        import psutil
    except ImportError:  # then only the Snakemake process's own peak (from /proc)
        psutil = None
    with logfile.open("w", encoding="utf-8") as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        root = psutil.Process(process.pid) if psutil else None
        peak_kb, tree_kb, loads, usage, tick, own = 0, 0, [], None, 0, 0.0
        try:
            while True:
                pid, status, usage = os.wait4(process.pid, os.WNOHANG)
                if pid:
                    process.returncode = os.waitstatus_to_exitcode(status)
                    break
                peak_kb = max(peak_kb, _vmhwm_kb(process.pid))
                own = max(own, _own_cpu_s(process.pid))
                if root is not None and tick % 3 == 0:
                    tree_kb = max(tree_kb, _tree_rss_kb(root, psutil))
                if tick % 25 == 0:
                    loads.append(os.getloadavg()[0])
                tick += 1
                time.sleep(0.2)
        except BaseException:
            process.send_signal(2)  # SIGINT: Snakemake stops its jobs and cleans up
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
        seconds = time.perf_counter() - start
    return Run(
        seconds, process.returncode, logfile.read_text(encoding="utf-8", errors="replace"),
        peak_kb / 1024, tree_kb / 1024, usage.ru_utime + usage.ru_stime,
        sum(loads) / len(loads) if loads else os.getloadavg()[0], own,
    )


def check(run: Run, what: str, logfile: Path) -> bool:
    if run.returncode == 0:
        return True
    tail = run.output[run.output.find("Error in rule"):][:4000] if "Error in rule" in run.output \
        else run.output[-4000:]
    log(f"{what} FAILED (exit {run.returncode}); console in {logfile}:\n{tail}")
    return False


def demo_manifest(given: str | None, scratch: Path, cores: int) -> Path:
    """The demo manifest: from --demo-results (a results folder, its demo/ folder or the
    manifest itself), else a demo build in ``scratch``."""
    if given:
        path = Path(given).resolve()
        for candidate in (path, path / "manifest.csv", path / "demo" / "manifest.csv",
                          path / "results" / "demo" / "manifest.csv"):
            if candidate.is_file():
                return candidate
        raise SystemExit(f"--demo-results {given}: no manifest.csv there, in demo/ or in "
                         "results/demo/; give a demo build's results folder")
    folder = scratch / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    log(f"building the demo corpus in {folder} (snakemake results/demo/manifest.csv)")
    run = snakemake(folder, ["--cores", str(cores), "results/demo/manifest.csv"],
                    scratch / "demo-build.log")
    if not check(run, "demo build", scratch / "demo-build.log"):
        raise SystemExit(1)
    log(f"demo corpus built in {run.seconds:.0f} s")
    return folder / "results" / "demo" / "manifest.csv"


@dataclass
class Measure:
    n: int
    folder: str
    ok: bool = True
    corpus_s: float = 0.0
    dag_before_s: float = 0.0
    jobs_planned: int = 0
    run_s: float = 0.0
    per_doc_s: float = 0.0
    cpu_s: float = 0.0
    own_cpu_s: float = 0.0
    load: float = 0.0
    snakemake_rss_mb: float = 0.0
    tree_rss_mb: float = 0.0
    job_rss_mb: float = 0.0
    job_rss_rule: str = ""
    results_mb: float = 0.0
    snakemake_dir_mb: float = 0.0
    dag_after_s: float = 0.0
    noop_s: float = 0.0
    noop_jobs: int = 0
    add_planned: dict = field(default_factory=dict)
    add_ran: dict = field(default_factory=dict)
    add_s: float = 0.0
    bench: dict = field(default_factory=dict)
    log_seconds: dict = field(default_factory=dict)
    jobs_ran: dict = field(default_factory=dict)


def measure(n: int, sources: list[dict], base: Path, cores: int) -> Measure:
    folder = Path(tempfile.mkdtemp(prefix=f"scale-{n}-", dir=base))
    logs = folder / "bench-logs"
    m = Measure(n=n, folder=str(folder))
    config = ["--config", "corpus=manifest", "manifest=raw/manifest.csv", "offline=true"]
    common = ["--cores", str(cores), *config, "--", *TARGETS]

    log(f"N={n}: writing {n} distinct PDF copies and raw/manifest.csv in {folder}")
    start = time.perf_counter()
    build_corpus(folder, sources, n)
    m.corpus_s = time.perf_counter() - start

    log(f"N={n}: dry run before the run (DAG up to the corpus checkpoint)")
    dry = snakemake(folder, ["-n", "--quiet", "rules", *common], logs / "dry-before.log")
    if not check(dry, "dry run", logs / "dry-before.log"):
        m.ok = False
        return m
    m.dag_before_s = dry.seconds
    m.jobs_planned = sum(job_stats(dry.output).values())

    log(f"N={n}: running the workflow to {' and '.join(TARGETS)} (--cores {cores})")
    run = snakemake(folder, common, logs / "run.log")
    m.run_s, m.per_doc_s = run.seconds, run.seconds / n
    m.cpu_s, m.own_cpu_s, m.load = run.cpu_s, run.own_cpu_s, run.load
    m.snakemake_rss_mb, m.tree_rss_mb = run.peak_rss_mb, run.tree_rss_mb
    ran, m.log_seconds = executed_jobs(run.output)
    m.jobs_ran = dict(ran)
    if not check(run, f"N={n} run", logs / "run.log"):
        m.ok = False
        return m
    log(f"N={n}: run took {run.seconds:.1f} s, {run.cpu_s:.0f} CPU s of which Snakemake itself "
        f"{run.own_cpu_s:.0f} ({sum(ran.values())} jobs; "
        f"load average {run.load:.1f} on {os.cpu_count()} CPUs)")
    results = folder / "results"
    m.bench = benchmark_totals(results)
    if m.bench:
        m.job_rss_rule, entry = max(m.bench.items(), key=lambda kv: kv[1]["max_rss"])
        m.job_rss_mb = entry["max_rss"]
    m.results_mb = folder_bytes(results) / 2**20
    m.snakemake_dir_mb = folder_bytes(folder / ".snakemake") / 2**20

    log(f"N={n}: dry run after the run (the whole DAG, nothing to do)")
    dry = snakemake(folder, ["-n", "--quiet", "rules", *common], logs / "dry-after.log")
    m.dag_after_s = dry.seconds
    m.noop_jobs = sum(job_stats(dry.output).values())

    log(f"N={n}: no-op rerun")
    noop = snakemake(folder, common, logs / "noop.log")
    check(noop, "no-op rerun", logs / "noop.log")
    m.noop_s = noop.seconds

    log(f"N={n}: adding one PDF to the manifest")
    with (folder / "raw" / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    source, doc_id = copy_plan(sources, n + 1)[-1]
    rows.append(add_copy(folder, source, doc_id))
    write_manifest(folder / "raw" / "manifest.csv", rows)
    dry = snakemake(folder, ["-n", "--quiet", "rules", *common], logs / "dry-add.log")
    m.add_planned = job_stats(dry.output)
    add = snakemake(folder, common, logs / "add.log")
    check(add, "rerun after adding one PDF", logs / "add.log")
    m.add_s = add.seconds
    m.add_ran = dict(executed_jobs(add.output)[0])
    log(f"N={n}: done (add-one rerun {add.seconds:.1f} s: {_jobs(m.add_ran)})")
    return m


# --- Report --------------------------------------------------------------------------------
def _jobs(counts: dict) -> str:
    return ", ".join(f"{rule} {k}" for rule, k in sorted(counts.items()) if rule != "?") or "none"


def _mmss(seconds: float) -> str:
    return f"{int(seconds // 60)}:{seconds % 60:04.1f}" if seconds >= 60 else f"{seconds:.1f} s"


def add_one_ok(ran: dict) -> bool:
    """Adding one PDF reran each rule at most once: one document's (or one batch's) job."""
    return bool(ran) and max(ran.values()) == 1


def report(measures: list[Measure], cores: int, jobs_report: bool) -> str:
    ok = [m for m in measures if m.ok]
    lines = [
        (f"Scale benchmark: manifest -> {' + '.join(TARGETS)}, --cores {cores} "
         f"({os.cpu_count()} CPUs on this machine). load = mean 1-minute load average during "
         "the run (above the cores given, other work shared the machine: wall times are "
         "inflated; CPU s = user + system time of Snakemake and all its jobs, less sensitive "
         "to sharing)."),
        "",
        ("| N docs | run (wall; load) | s / doc | CPU s / doc | DAG: dry run before / after | "
         "no-op rerun | "
        "peak RSS Snakemake | largest job RSS | jobs' RSS together | results/ (.snakemake/) | "
        "add one PDF: rerun, jobs run |"),
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for m in measures:
        if not m.ok:
            lines.append(f"| {m.n:,} | FAILED (see {m.folder}/bench-logs) |" + " |" * 9)
            continue
        lines.append(
            f"| {m.n:,} | {_mmss(m.run_s)}; {m.load:.1f} | {m.per_doc_s:.3f} | "
            f"{m.cpu_s / m.n:.3f} | "
            f"{m.dag_before_s:.1f} s / {m.dag_after_s:.1f} s | {m.noop_s:.1f} s"
            f"{'' if not m.noop_jobs else f' ({m.noop_jobs} jobs!)'} | "
            f"{m.snakemake_rss_mb:.0f} MB | {m.job_rss_mb:.0f} MB ({m.job_rss_rule}) | "
            f"{m.tree_rss_mb:.0f} MB | {m.results_mb:.1f} MB ({m.snakemake_dir_mb:.1f} MB) | "
            f"{_mmss(m.add_s)}: {_jobs(m.add_ran)} |"
        )
    lines.append(
        f"| target at {TARGET_N:,} | <= {TARGET_WALL_S // 60} min | "
        f"<= {TARGET_WALL_S / TARGET_N:.2f} | | <= {TARGET_DAG_S} s | <= {TARGET_NOOP_S} s | "
        f"<= {TARGET_RSS_MB / 1024:.0f} GB | <= {TARGET_RSS_MB / 1024:.0f} GB | | | "
        "that document (or its batch) + the aggregates |"
    )

    if ok:
        lines += ["", ("Adding one PDF, dry run (jobs planned before the corpus checkpoint "
                  "reruns; the jobs after it show up only in the run):")]
        for m in ok:
            verdict = "each rule once: OK" if add_one_ok(m.add_ran) else "a rule ran MORE THAN ONCE"
            lines.append(f"- N={m.n:,}: planned {_jobs(m.add_planned)}; "
                         f"ran {_jobs(m.add_ran)} -> {verdict}")

    lines += ["", "Linearity (time per document should stay flat as N grows):"]
    for m in ok:
        lines.append(f"- N={m.n:,}: {m.per_doc_s:.3f} s/doc (CPU {m.cpu_s / m.n:.3f} s/doc, "
                     f"of which Snakemake itself {m.own_cpu_s / m.n:.3f}); "
                     f"DAG after {1000 * m.dag_after_s / m.n:.1f} ms/doc; "
                     f"no-op {1000 * m.noop_s / m.n:.1f} ms/doc")
    for a, b in itertools.pairwise(ok):
        lines.append(f"- from {a.n:,} to {b.n:,}: "
                     f"{(b.run_s - a.run_s) / (b.n - a.n):.3f} s per added document (run; "
                     f"CPU {(b.cpu_s - a.cpu_s) / (b.n - a.n):.3f} s), "
                     f"{1000 * (b.noop_s - a.noop_s) / (b.n - a.n):.1f} ms (no-op)")
    if len(ok) >= 3:
        marginal = [(b.run_s - a.run_s) / (b.n - a.n) for a, b in itertools.pairwise(ok)]
        grows = max(marginal) / max(min(marginal), 1e-9)
        lines.append(f"- the cost per added document varies by a factor {grows:.2f} across sizes "
                     f"({'linear' if grows < 1.3 else 'NOT linear'} within 30%)")
    elif len(ok) == 2:
        lines.append("- two sizes fit any line: run a third size to judge linearity")

    if ok and max(m.n for m in ok) < TARGET_N and len(ok) >= 2:
        lines += ["", (f"Projection to {TARGET_N:,} documents (least-squares line through the "
                       "sizes "
                  "run; a projection, not a measurement):")]
        for label, attr, target in (("run", "run_s", TARGET_WALL_S),
                                    ("DAG (dry run after)", "dag_after_s", TARGET_DAG_S),
                                    ("no-op rerun", "noop_s", TARGET_NOOP_S)):
            fit = linear_fit([(m.n, getattr(m, attr)) for m in ok])
            if fit and fit[1] <= 0:
                lines.append(f"- {label}: no growth with N measured (noise at these sizes); "
                             "no projection")
            elif fit:
                value = fit[0] + fit[1] * TARGET_N
                lines.append(f"- {label}: {_mmss(value)} (intercept {fit[0]:+.1f} s + "
                             f"{fit[1]:.4f} s/doc); target <= {_mmss(target)}: "
                             f"{'met' if value <= target else 'NOT met'}")
    big = [m for m in ok if m.n >= TARGET_N]
    if big:
        m = big[-1]
        verdicts = [
            ("run", m.run_s <= TARGET_WALL_S),
            ("DAG", max(m.dag_before_s, m.dag_after_s) <= TARGET_DAG_S),
            ("peak memory", max(m.snakemake_rss_mb, m.job_rss_mb) <= TARGET_RSS_MB),
            ("no-op", m.noop_s <= TARGET_NOOP_S), ("add one", add_one_ok(m.add_ran)),
        ]
        lines += ["", f"Targets at N={m.n:,}: " + "; ".join(
            f"{name} {'met' if good else 'NOT met'}" for name, good in verdicts)]

    if jobs_report:
        for m in ok:
            lines += ["", (f"Slowest rules at N={m.n:,} (benchmark files: jobs, total s, "
                           "mean s, CPU s, largest max_rss):")]
            for rule, e in sorted(m.bench.items(), key=lambda kv: -kv[1]["s"])[:5]:
                lines.append(f"- {rule}: {e['jobs']} jobs, {e['s']:.1f} s, "
                             f"{e['s'] / max(e['jobs'], 1):.2f} s/job, "
                             f"{e.get('cpu_s', 0):.1f} CPU s, {e['max_rss']:.0f} MB")
            lines.append(f"Slowest rules at N={m.n:,} (run log: jobs, start-to-finish s summed, "
                         "to the second; with --cores > 1 jobs overlap):")
            for rule, s in sorted(m.log_seconds.items(), key=lambda kv: -kv[1])[:5]:
                jobs = m.jobs_ran.get(rule, 0)
                lines.append(f"- {rule}: {jobs} jobs, {s:.0f} s, {s / max(jobs, 1):.2f} s/job")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--demo-results", help="a demo build's results/ folder (or its "
                        "results/demo/manifest.csv); default: build the demo in a temp folder")
    parser.add_argument("--workdir", help="where the corpus folders go (default: a new "
                        "temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus folders")
    parser.add_argument("--jobs-report", action="store_true",
                        help="the 5 slowest rules per N, from results/benchmarks and the log")
    parser.add_argument("--json", help="also write every measurement to this JSON file")
    args = parser.parse_args(argv)
    if any(n < 1 for n in args.sizes):
        parser.error("--sizes: every size must be at least 1")

    if args.workdir:
        base = Path(args.workdir).resolve()
    else:
        base = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    base.mkdir(parents=True, exist_ok=True)
    log(f"working in {base}{' (kept)' if args.keep else ' (removed at the end; --keep keeps it)'}")
    measures: list[Measure] = []
    try:
        sources = source_documents(demo_manifest(args.demo_results, base, args.cores))
        log(f"{len(sources)} demo PDFs to copy")
        for n in sorted(set(args.sizes)):
            measures.append(measure(n, sources, base, args.cores))
            if not args.keep:
                shutil.rmtree(measures[-1].folder, ignore_errors=True)
    except KeyboardInterrupt:
        log("interrupted; reporting the sizes finished so far")
    finally:
        if measures:
            print()
            print(report(measures, args.cores, args.jobs_report), flush=True)
            if args.json:
                text = json.dumps([asdict(m) for m in measures], indent=2) + "\n"
                Path(args.json).write_text(text, encoding="utf-8")
        if not args.keep and not args.workdir:
            shutil.rmtree(base, ignore_errors=True)
    return 0 if measures and all(m.ok for m in measures) else 1


if __name__ == "__main__":
    sys.exit(main())
