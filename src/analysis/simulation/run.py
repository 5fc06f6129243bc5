"""Simulation check, whole-pipeline path: do the estimators recover a known mandate effect
from CODED data?

The fast path (:mod:`analysis.simulation.fast`) scores the estimators on hundreds of oracle
panels; this path scores the SAME estimators (the registry
:data:`analysis.simulation.estimators.ESTIMATORS`) on a few replicates run through the
whole pipeline, so what coding error costs shows beside the oracle.

Each replicate generates a SYNTHETIC demo corpus (:func:`analysis.demo.build_corpus`) from
the demo spec with its own ``seed``, a chosen true ``effect.rate_ratio`` and
``heldout_share: 1`` (:data:`REPLICATE_HELDOUT_SHARE`), then runs the pipeline in this
process through the functions the stages' command lines call (:func:`coded_panel`):
corpus check (:func:`analysis.corpus.check.check_corpus`) -> extraction of every PDF,
joined into one paragraph table (:func:`analysis.extract.collect.combine_paragraphs`) ->
coding (:func:`analysis.coding.paragraphs.code_corpus`) -> tables
(:func:`analysis.coding.tables.build_tables`) -> the panel, whose ``explicit_mandate`` is
the explicit mandate in force at the start of each report's period. Every estimator runs on
that coded panel (``codes`` = ``coded``) and on the panel of the TRUE codes (``oracle``:
the generator's truth files, treatment ``explicit_mandate_period_start``, the mandate the
generator's activity responds to).

Held-out wording: every replicate corpus is worded from the demo generator's HELD-OUT
phrasing bank only (``src/analysis/demo/phrasings_heldout.yaml``, written independently and
never used to tune the codebook), whatever the spec's own ``heldout_share``. So the check
measures the pipeline on phrasings the codebook was not tuned on. The counts of the corpus
(reports, paragraphs, true OC activity) do not depend on the bank.

Scenarios: ``null`` (rate ratio 1) and ``effect`` (the spec's own rate ratio). Replicate
seeds come from ``base_seed`` only (:func:`replicate_seeds`); both scenarios use the same
seeds (common random numbers). Adding seeds keeps the earlier ones.

Outputs:

- replicates (:data:`REPLICATE_COLUMNS`), one row per scenario x seed x codes x estimator:
  ``estimate``, ``conf_low``, ``conf_high`` (log scale), ``p_value``, ``status``
  (fitted | not_fitted), ``reason``, ``error`` (the estimator raised); the corpus's
  ``n_documents``, ``n_quarantined``, ``coded_mandate_agreement`` (share of the truth's
  reports whose coded treatment is right) and ``coded_activity_ratio`` (coded / true OC
  activity paragraphs, all reports).
- summary: ``codes`` then the columns of :data:`analysis.simulation.summary.SUMMARY_COLUMNS`
  (one row per codes x scenario x estimator), then ``spec`` and ``base_seed``.

Scratch files: ``<work_dir>/<scenario>-seed<seed>/spec.yaml`` (the replicate's spec: rebuild
its corpus with ``python -m analysis.demo --spec ...``); the corpus beside it is deleted
once the replicate is done unless ``keep=True``.

CLI: ``python -m analysis.simulation run --spec S --missions M --codebook C --seeds 5
--base-seed 1 --threads 2 --work-dir results/qc/simulation --summary-out
results/qc/simulation_pipeline.csv --replicates-out
results/qc/simulation_pipeline_replicates.csv``; one progress line per replicate on stderr.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from analysis.io import write_csv
from analysis.simulation.estimators import (
    ESTIMATORS,
    PERIOD_YEARS,
    estimate_all,
    registry_with,
)
from analysis.simulation.summary import SUMMARY_COLUMNS as _SUMMARY
from analysis.simulation.summary import replicate_seeds, summarise

__all__ = [
    "coded_panel",
    "main",
    "oracle_panel",
    "replicate_seeds",
    "run_replicate",
    "run_simulation",
    "summarise_pipeline",
    "truth_panel",
    "write_replicate_spec",
]

SCENARIOS = ("null", "effect")
CODES = ("coded", "oracle")
# Replicate corpora are worded from the held-out phrasing bank only (see the module doc).
REPLICATE_HELDOUT_SHARE = 1.0
REPLICATE_COLUMNS = ["scenario", "seed", "codes", "estimator", "true_rate_ratio", "estimate",
                     "conf_low", "conf_high", "p_value", "status", "reason", "error",
                     "n_documents", "n_quarantined", "coded_mandate_agreement",
                     "coded_activity_ratio"]
SUMMARY_COLUMNS = ["codes"] + _SUMMARY + ["spec", "base_seed"]


class SimulationError(RuntimeError):
    """A replicate failed; the message names the scenario, the seed and the stage."""


# ------------------------------------------------------------------------------ design
def scenario_rate_ratios(spec_path: str | Path) -> dict[str, float]:
    """True rate ratio of each scenario: 1.0 (null) and the spec's ``effect.rate_ratio``.

    The spec is validated first (:func:`analysis.demo.load_spec`), so a broken spec fails
    here, naming its key, before any replicate starts.
    """
    from analysis.demo import load_spec

    spec = load_spec(spec_path)
    return {"null": 1.0, "effect": float(spec["effect"]["rate_ratio"])}


def replicate_settings(spec: dict, *, seed: int, rate_ratio: float) -> dict:
    """``spec`` with the replicate's ``seed``, ``effect.rate_ratio`` and the held-out
    phrasing bank only (``heldout_share`` = :data:`REPLICATE_HELDOUT_SHARE`); changed in
    place and returned."""
    spec["seed"] = int(seed)
    spec["effect"]["rate_ratio"] = float(rate_ratio)
    spec["heldout_share"] = REPLICATE_HELDOUT_SHARE
    return spec


def write_replicate_spec(spec_path: str | Path, out_path: str | Path, *, seed: int,
                         rate_ratio: float) -> Path:
    """Copy the spec YAML to ``out_path`` with ``seed`` and ``effect.rate_ratio`` replaced
    and ``heldout_share`` set to 1 (:func:`replicate_settings`)."""
    with open(spec_path, encoding="utf-8") as fh:
        spec = yaml.safe_load(fh)
    replicate_settings(spec, seed=seed, rate_ratio=rate_ratio)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = (f"# Simulation replicate: {Path(spec_path).name} with seed {seed}, true "
              f"rate ratio {rate_ratio:g} and the held-out phrasing bank only "
              f"(written by analysis.simulation.run)\n")
    with open(out, "w", encoding="utf-8", newline="") as fh:
        fh.write(header + yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    return out


# ---------------------------------------------------------------------------- pipeline
@lru_cache(maxsize=4)
def _coding_inputs(codebook_path: str, missions_path: str):
    # once per worker process: codebook, operations table and gazetteer do not change
    from analysis.coding.paragraphs import load_coding_inputs

    return load_coding_inputs(codebook_path, missions_path)


def coded_panel(manifest: str | Path, codebook_path: str | Path, missions_path: str | Path,
                *, log=None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Run corpus check, extraction, coding and tables on the corpus of ``manifest``.

    Each stage is the function its command line runs, in memory instead of through files:
    ``corpus check`` (:func:`~analysis.corpus.check.check_corpus`), ``extract document``
    and ``extract collect`` (:func:`~analysis.extract.pdf.extract_document`,
    :func:`~analysis.extract.pdf.paragraph_table`,
    :func:`~analysis.extract.collect.combine_paragraphs`), ``coding paragraphs``
    (:func:`~analysis.coding.paragraphs.load_coding_inputs`,
    :func:`~analysis.coding.paragraphs.code_corpus`) and ``coding tables``
    (:func:`~analysis.coding.tables.build_tables`). The demo corpus has no downloads, so the
    corpus check looks for none (sources folder beside the manifest, no lock file).

    Returns ``(panel, documents, quarantine)``: the panel table of
    :func:`analysis.coding.tables.panel` and the corpus check's two tables. Messages of the
    stages go to ``log`` (discarded when None).
    """
    from analysis.coding.paragraphs import code_corpus
    from analysis.coding.tables import build_tables
    from analysis.corpus.check import check_corpus
    from analysis.extract.collect import combine_paragraphs
    from analysis.extract.pdf import extract_document, paragraph_table

    log = log or io.StringIO()
    manifest = Path(manifest)
    documents, quarantine = check_corpus(manifest, manifest.parent / "sources")
    paragraphs = combine_paragraphs([paragraph_table(extract_document(doc.path, doc.doc_id))
                                     for doc in documents.itertuples(index=False)])
    book, missions, gazetteer = _coding_inputs(str(codebook_path), str(missions_path))
    coded, evidence, mentions = code_corpus(paragraphs.to_pandas(), documents, book,
                                            gazetteer, progress_every=0, log=log)
    tables = build_tables(coded, evidence, mentions, documents, missions, list(book.markets),
                          log=log)
    return tables["panel"], documents, quarantine


_TRUTH_COLUMNS = ["operation", "doc_id", "date", "period_start", "oc_activity_paragraphs",
                  "all_paragraphs", "mandate_known", "explicit_mandate",
                  "explicit_mandate_at_report"]


def _truth_row(doc_id: str, operation: str, date: str, meta: dict, paras: list) -> dict:
    return {"operation": operation, "doc_id": doc_id, "date": date,
            "period_start": meta["period_start"],
            "oc_activity_paragraphs": sum(bool(p["activity"]) for p in paras),
            "all_paragraphs": len(paras), "mandate_known": True,
            "explicit_mandate": bool(meta["explicit_mandate_period_start"]),
            "explicit_mandate_at_report": bool(meta["explicit_mandate_in_force"])}


def _sorted_truth(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=_TRUTH_COLUMNS).sort_values(
        ["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)


def truth_panel(truth_dir: str | Path) -> pd.DataFrame:
    """The panel of the TRUE codes: one row per operation x report of the demo truth files
    (``truth/demo-rep-*.truth.json``), with the columns the estimators read;
    ``explicit_mandate`` is the explicit mandate in force at the start of the report's
    period (``explicit_mandate_period_start``), ``explicit_mandate_at_report`` the one on
    its date."""
    rows = []
    for path in sorted(Path(truth_dir).glob("*.truth.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["doc_type"] != "report":
            continue
        missing = [k for k in ("explicit_mandate_in_force", "explicit_mandate_period_start",
                               "period_start") if k not in doc]
        if missing:
            raise ValueError(f"{path}: key(s) {', '.join(missing)} missing; rebuild the "
                             "demo corpus with the current analysis.demo")
        for op in doc["operations"]:
            rows.append(_truth_row(doc["doc_id"], op, doc["date"], doc, doc["paragraphs"]))
    return _sorted_truth(rows)


def oracle_panel(spec_path: str | Path, missions_path: str | Path, *, seed: int,
                 rate_ratio: float) -> pd.DataFrame:
    """The truth panel of a replicate, generated in memory without rendering any PDF.

    Same rows as :func:`truth_panel` on the corpus that :func:`analysis.demo.build_corpus`
    builds from the spec with ``seed`` and ``effect.rate_ratio`` replaced and the held-out
    bank only (:func:`replicate_settings`; the generator draws the codes before rendering).
    """
    from analysis.demo.generate import report_document
    from analysis.demo.plan import plan_corpus
    from analysis.demo.spec import load_operations, load_spec

    spec = replicate_settings(load_spec(spec_path), seed=seed, rate_ratio=rate_ratio)
    rows = []
    for plan in plan_corpus(load_operations(missions_path, spec, spec_path), spec):
        previous = None
        for rep in plan.reports:
            doc, previous = report_document(plan, rep, spec, previous), rep
            paras = [p.codes for p in doc.paragraphs]
            rows.append(_truth_row(doc.doc_id, doc.operation, doc.date.isoformat(), doc.meta,
                                   paras))
    return _sorted_truth(rows)


def _agreement(coded: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """Share of truth reports whose coded mandate in force is right; coded/true activity."""
    key = ["operation", "doc_id"]
    merged = truth.merge(coded[key + ["explicit_mandate", "mandate_known",
                                      "oc_activity_paragraphs"]],
                         on=key, how="left", suffixes=("_true", "_coded"))
    known = merged["mandate_known_coded"].fillna(False).astype(bool)
    right = known & (merged["explicit_mandate_coded"].astype("boolean").fillna(False)
                     == merged["explicit_mandate_true"])
    agreement = float(right.mean()) if len(merged) else float("nan")
    true_total = truth["oc_activity_paragraphs"].sum()
    coded_total = coded.loc[coded["doc_id"].isin(truth["doc_id"]), "oc_activity_paragraphs"]
    ratio = float(coded_total.sum() / true_total) if true_total else float("nan")
    return agreement, ratio


def run_replicate(spec_path: str | Path, missions_path: str | Path,
                  codebook_path: str | Path, *, scenario: str, seed: int, rate_ratio: float,
                  work_dir: str | Path, keep: bool = False, estimators: list[str] | None = None,
                  registry: dict | None = None) -> list[dict]:
    """One replicate, end to end; rows of :data:`REPLICATE_COLUMNS` (codes x estimator).

    Writes ``<work_dir>/<scenario>-seed<seed>/spec.yaml`` and the corpus under ``corpus/``
    beside it (deleted at the end unless ``keep``). Raises :class:`SimulationError` naming
    the scenario, seed and stage when a stage fails (an estimator that raises gives a
    not_fitted row instead: :func:`analysis.simulation.estimators.estimate_all`).
    """
    from analysis.demo import build_corpus

    folder = Path(work_dir) / f"{scenario}-seed{seed}"
    corpus = folder / "corpus"
    stage = "writing the spec"
    try:
        spec = write_replicate_spec(spec_path, folder / "spec.yaml", seed=seed,
                                    rate_ratio=rate_ratio)
        stage = "building the demo corpus"
        manifest = build_corpus(spec, missions_path, corpus, log=io.StringIO())
        stage = "checking, extracting, coding and tabulating the corpus"
        panel, documents, quarantine = coded_panel(manifest, codebook_path, missions_path)
        stage = "reading the truth files"
        truth = truth_panel(corpus / "truth")
    except Exception as err:
        raise SimulationError(f"simulation replicate {scenario} seed {seed} failed while "
                              f"{stage} (files in {folder}): {type(err).__name__}: {err}"
                              ) from err
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fits = {"coded": estimate_all(panel, estimators, registry),
                "oracle": estimate_all(truth, estimators, registry)}
    agreement, ratio = _agreement(panel, truth)
    if not keep:
        shutil.rmtree(corpus, ignore_errors=True)
    rows = []
    for codes in CODES:
        for fit in fits[codes]:
            row = {"scenario": scenario, "seed": int(seed), "codes": codes,
                   "true_rate_ratio": float(rate_ratio), **fit,
                   "n_documents": len(documents), "n_quarantined": len(quarantine),
                   "coded_mandate_agreement": agreement, "coded_activity_ratio": ratio}
            rows.append({c: row[c] for c in REPLICATE_COLUMNS})
    return rows


def summarise_pipeline(replicates: pd.DataFrame, *, spec: str = "",
                       base_seed: int | None = None, estimators: tuple[str, ...] = ()
                       ) -> pd.DataFrame:
    """One row per codes x scenario x estimator (:data:`SUMMARY_COLUMNS`)."""
    out = summarise(replicates, scenarios=SCENARIOS, estimators=estimators, by=("codes",))
    out["spec"], out["base_seed"] = spec, base_seed
    out["base_seed"] = out["base_seed"].astype("Int64")
    rank = {c: i for i, c in enumerate(CODES)}
    out = out.sort_values("codes", key=lambda c: c.map(rank), kind="stable")
    return out.reset_index(drop=True)[SUMMARY_COLUMNS]


# ------------------------------------------------------------------------------ driver
def _job(args: tuple) -> tuple[list[dict], float]:
    spec_path, missions_path, codebook_path, scenario, seed, rate_ratio, work_dir, keep, \
        estimators, registry = args
    started = time.perf_counter()
    rows = run_replicate(spec_path, missions_path, codebook_path, scenario=scenario,
                         seed=seed, rate_ratio=rate_ratio, work_dir=work_dir, keep=keep,
                         estimators=estimators, registry=registry)
    return rows, time.perf_counter() - started


def _progress(rows: list[dict], seconds: float, done: int, total: int) -> str:
    def fit(r: dict) -> str:
        if r["status"] != "fitted":
            return f"{r['estimator']} not fitted"
        return (f"{r['estimator']} {math.exp(r['estimate']):.2f} "
                f"[{math.exp(r['conf_low']):.2f}, {math.exp(r['conf_high']):.2f}] "
                f"p = {r['p_value']:.3f}")

    first = rows[0]
    parts = [f"{codes}: " + ", ".join(fit(r) for r in rows if r["codes"] == codes)
             for codes in CODES]
    return (f"simulation [{done}/{total}] {first['scenario']} seed {first['seed']} (true "
            f"{first['true_rate_ratio']:g}): {'; '.join(parts)}; {seconds:.1f} s")


def run_simulation(spec_path: str | Path, missions_path: str | Path,
                   codebook_path: str | Path, *, n_seeds: int = 5, base_seed: int = 1,
                   threads: int = 1, work_dir: str | Path = "results/qc/simulation",
                   keep: bool = False, estimators: list[str] | None = None,
                   period_years: int = PERIOD_YEARS, log=sys.stderr) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every scenario x seed; returns ``(summary, replicates)`` (see the module doc).

    ``threads`` > 1 runs replicates in that many worker processes; the result does not
    depend on it (rows are sorted by scenario, seed, codes and estimator).
    ``period_years``: periods of the two-way estimators' time effects (config).
    """
    registry = registry_with(period_years=period_years)
    rate_ratios = scenario_rate_ratios(spec_path)
    _coding_inputs(str(codebook_path), str(missions_path))  # fail early on a bad codebook
    names = list(estimators or ESTIMATORS)
    seeds = replicate_seeds(base_seed, n_seeds)
    jobs = [(str(spec_path), str(missions_path), str(codebook_path), scenario, seed,
             rate_ratios[scenario], str(work_dir), keep, names, registry)
            for scenario in SCENARIOS for seed in seeds]
    print(f"simulation: {len(jobs)} pipeline replicates ({', '.join(SCENARIOS)} x {n_seeds} "
          f"seeds from base seed {base_seed}), estimators {', '.join(names)}, {threads} "
          f"worker(s)", file=log)
    rows, done = [], 0
    if threads <= 1:
        for job in jobs:
            result, seconds = _job(job)
            rows += result
            done += 1
            print(_progress(result, seconds, done, len(jobs)), file=log, flush=True)
    else:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            for future in as_completed([pool.submit(_job, job) for job in jobs]):
                result, seconds = future.result()
                rows += result
                done += 1
                print(_progress(result, seconds, done, len(jobs)), file=log, flush=True)
    order = {s: i for i, s in enumerate(SCENARIOS)}
    rows.sort(key=lambda r: (order[r["scenario"]], seeds.index(r["seed"]),
                             CODES.index(r["codes"]), names.index(r["estimator"])))
    replicates = pd.DataFrame(rows, columns=REPLICATE_COLUMNS)
    summary = summarise_pipeline(replicates, spec=Path(spec_path).name, base_seed=base_seed,
                                 estimators=tuple(names))
    return summary, replicates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.simulation run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True, help="demo spec YAML (workflow/demo/spec.yaml)")
    parser.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    parser.add_argument("--codebook", required=True, help="codebook YAML")
    parser.add_argument("--seeds", type=int, default=5, help="replicates per scenario")
    parser.add_argument("--base-seed", type=int, default=1, help="seed of the replicate seeds")
    parser.add_argument("--threads", type=int, default=1, help="worker processes")
    parser.add_argument("--period-years", type=int, default=PERIOD_YEARS,
                        help="calendar years per period of the two-way estimators")
    parser.add_argument("--estimators", default=None,
                        help="comma-separated subset of the registered estimators")
    parser.add_argument("--work-dir", required=True, help="scratch folder for the replicates")
    parser.add_argument("--keep", action="store_true", help="keep every replicate's corpus")
    parser.add_argument("--summary-out", required=True)
    parser.add_argument("--replicates-out", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        summary, replicates = run_simulation(
            args.spec, args.missions, args.codebook, n_seeds=args.seeds,
            base_seed=args.base_seed, threads=args.threads, work_dir=args.work_dir,
            keep=args.keep, period_years=args.period_years, estimators=[e for e in args.estimators.split(",") if e]
            if args.estimators else None)
    except (ValueError, OSError, KeyError, SimulationError) as err:  # SpecError: ValueError
        print(f"simulation failed: {err}", file=sys.stderr)
        return 1
    write_csv(summary, args.summary_out)
    write_csv(replicates, args.replicates_out)
    for row in summary.itertuples():
        print(f"simulation: {row.codes} {row.scenario} x {row.estimator} (true rate ratio "
              f"{row.true_rate_ratio:g}): {row.n_fitted}/{row.n_replicates} fitted, "
              f"coverage {row.coverage:.2f}, {row.rejection_is} {row.rejection_rate:.2f}, "
              f"mean rate ratio {row.mean_rate_ratio:.2f}", file=sys.stderr)
    print(f"simulation: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
