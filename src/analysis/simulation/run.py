"""Simulation check: does the whole pipeline recover a known mandate effect?

Each replicate generates a SYNTHETIC demo corpus (:func:`analysis.demo.build_corpus`) from
the demo spec with its own ``seed``, a chosen true ``effect.rate_ratio`` and
``heldout_share: 1`` (:data:`REPLICATE_HELDOUT_SHARE`), then runs the
pipeline in this process through the functions the stages' command lines call
(:func:`coded_panel`): corpus check (:func:`analysis.corpus.check.check_corpus`) ->
extraction of every PDF, joined into one paragraph table
(:func:`analysis.extract.collect.combine_paragraphs`) -> coding
(:func:`analysis.coding.paragraphs.code_corpus`) -> tables
(:func:`analysis.coding.tables.build_tables`) -> the operation-FE Poisson panel model
(:func:`analysis.models.run.fit_panel_poisson`, mandate term, standard errors clustered by
operation, and the wild cluster score bootstrap of the mandate term). The same model is
also fitted to the panel of the TRUE codes (the *oracle*: the generator's truth files, no
extraction or coding), so the difference between the two shows what coding error costs.

Held-out wording: every replicate corpus is worded from the demo generator's HELD-OUT
phrasing bank only (``src/analysis/demo/phrasings_heldout.yaml``, written independently and
never used to tune the codebook), whatever the spec's own ``heldout_share``. So the check
measures the pipeline on phrasings the codebook was not tuned on, not on the wording it was
refined against. The counts of the corpus (reports, paragraphs, true OC activity) do not
depend on the bank, so the oracle is the same as with the tuned wording.

Scenarios: ``effect`` (the spec's own rate ratio) and ``null`` (rate ratio 1). Replicate
seeds come from ``base_seed`` only (:func:`replicate_seeds`); both scenarios use the same
seeds, so the two corpora of a seed differ only through the true effect (common random
numbers). Adding seeds keeps the earlier ones.

Outputs:

- replicates (:data:`REPLICATE_COLUMNS`), one row per scenario x seed: ``estimate``,
  ``conf_low``, ``conf_high`` on the log scale (as in ``estimates.csv``), ``*_exp`` the rate
  ratio and its 95% interval, ``p_value``, ``status`` (fitted | not_fitted), ``reason``; the
  ``oracle_*`` columns the same for the truth panel; ``coded_mandate_agreement`` (share of
  the truth's reports whose coded mandate in force is right) and ``coded_activity_ratio``
  (coded / true OC activity paragraphs, all reports); at the end, the bootstrap columns
  ``boot_p`` (p of H0: no mandate effect), ``boot_conf_low``/``boot_conf_high`` (log scale,
  95%, test inversion, may be -inf/inf) and their ``*_exp``, then the ``oracle_boot_*``.
- summary (:data:`SUMMARY_COLUMNS`), one row per scenario: ``n_seeds`` replicates,
  ``n_fitted`` of them fitted; over the fitted ones: ``coverage`` (share whose 95% interval
  contains the true rate ratio), ``rejection_rate`` (share with p < 0.05: the power under
  ``effect``, the size under ``null``), each with its Monte Carlo standard error
  (``*_mcse`` = sqrt(p(1-p)/n_fitted)), ``mean_estimate`` and ``median_estimate`` (of the
  estimated RATE RATIOS); ``oracle_*`` the same for the oracle fits. At the end, the same
  for the bootstrap: ``boot_coverage``, ``boot_rejection_rate`` (p < 0.05), their ``*_mcse``
  and ``boot_unbounded`` (share of intervals with an infinite bound: they cover trivially),
  then ``oracle_boot_*``.

Scratch files: ``<work_dir>/<scenario>-seed<seed>/spec.yaml`` (the replicate's spec: rebuild
its corpus with ``python -m analysis.demo --spec ...``); the corpus beside it is deleted
once the replicate is done unless ``keep=True``.

CLI: ``python -m analysis.simulation run --spec S --missions M --codebook C --seeds 3
--base-seed 1 --threads 2 --work-dir results/qc/simulation --summary-out
results/qc/simulation.csv --replicates-out results/qc/simulation_replicates.csv``;
one progress line per replicate on stderr. ``--oracle-only``: fit only the truth panels,
generated without PDFs (:func:`oracle_panel`, ~0.15 s a seed); the pipeline columns are
empty (status ``not_run``).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from analysis.io import write_csv

SCENARIOS = ("effect", "null")
# Replicate corpora are worded from the held-out phrasing bank only (see the module doc).
REPLICATE_HELDOUT_SHARE = 1.0
ALPHA = 0.05
FIT_COLUMNS = ["estimate", "conf_low", "conf_high", "estimate_exp", "conf_low_exp",
               "conf_high_exp", "p_value", "status", "reason", "n", "n_clusters"]
BOOT_COLUMNS = ["boot_p", "boot_conf_low", "boot_conf_high", "boot_conf_low_exp",
                "boot_conf_high_exp"]
REPLICATE_COLUMNS = (["scenario", "seed", "true_rate_ratio"] + FIT_COLUMNS
                     + [f"oracle_{c}" for c in FIT_COLUMNS]
                     + ["n_documents", "n_quarantined", "coded_mandate_agreement",
                        "coded_activity_ratio"]
                     + BOOT_COLUMNS + [f"oracle_{c}" for c in BOOT_COLUMNS])
_STATS = ["n_fitted", "coverage", "coverage_mcse", "rejection_rate", "rejection_rate_mcse",
          "mean_estimate", "median_estimate"]
_BOOT_STATS = ["boot_coverage", "boot_coverage_mcse", "boot_rejection_rate",
               "boot_rejection_rate_mcse", "boot_unbounded"]
SUMMARY_COLUMNS = (["scenario", "true_rate_ratio", "n_seeds"] + _STATS
                   + [f"oracle_{c}" for c in _STATS] + ["spec", "base_seed"]
                   + _BOOT_STATS + [f"oracle_{c}" for c in _BOOT_STATS])


class SimulationError(RuntimeError):
    """A replicate failed; the message names the scenario, the seed and the stage."""


# ------------------------------------------------------------------------------ design
def replicate_seeds(base_seed: int, n_seeds: int) -> list[int]:
    """``n_seeds`` corpus seeds derived from ``base_seed``; seed k depends on (base_seed, k)
    only, so asking for more seeds keeps the first ones."""
    if n_seeds < 1:
        raise ValueError(f"simulation needs at least one seed, got n_seeds={n_seeds}")
    if base_seed < 0:
        raise ValueError(f"simulation base seed must be >= 0, got {base_seed}")
    return [int(np.random.default_rng([base_seed, k]).integers(0, 2**31 - 1))
            for k in range(n_seeds)]


def scenario_rate_ratios(spec_path: str | Path) -> dict[str, float]:
    """True rate ratio of each scenario: the spec's ``effect.rate_ratio`` and 1.0 (null).

    The spec is validated first (:func:`analysis.demo.load_spec`), so a broken spec fails
    here, naming its key, before any replicate starts.
    """
    from analysis.demo import load_spec

    spec = load_spec(spec_path)
    return {"effect": float(spec["effect"]["rate_ratio"]), "null": 1.0}


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


_TRUTH_COLUMNS = ["operation", "doc_id", "date", "oc_activity_paragraphs", "all_paragraphs",
                  "mandate_known", "explicit_mandate"]


def truth_panel(truth_dir: str | Path) -> pd.DataFrame:
    """The panel of the TRUE codes: one row per operation x report of the demo truth files
    (``truth/demo-rep-*.truth.json``), with the columns the panel model reads."""
    rows = []
    for path in sorted(Path(truth_dir).glob("*.truth.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc["doc_type"] != "report":
            continue
        if "explicit_mandate_in_force" not in doc:
            raise ValueError(f"{path}: key 'explicit_mandate_in_force' is missing; rebuild the "
                             "demo corpus with the current analysis.demo")
        paras = doc["paragraphs"]
        for op in doc["operations"]:
            rows.append({"operation": op, "doc_id": doc["doc_id"], "date": doc["date"],
                         "oc_activity_paragraphs": sum(bool(p["activity"]) for p in paras),
                         "all_paragraphs": len(paras), "mandate_known": True,
                         "explicit_mandate": bool(doc["explicit_mandate_in_force"])})
    return pd.DataFrame(rows, columns=_TRUTH_COLUMNS).sort_values(
        ["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)


def oracle_panel(spec_path: str | Path, missions_path: str | Path, *, seed: int,
                 rate_ratio: float) -> pd.DataFrame:
    """The truth panel of a replicate, generated in memory without rendering any PDF.

    Same rows as :func:`truth_panel` on the corpus that :func:`analysis.demo.build_corpus`
    builds from the spec with ``seed`` and ``effect.rate_ratio`` replaced and the held-out
    bank only (:func:`replicate_settings`; the generator draws the codes before rendering),
    about 15 times faster.
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
            rows.append({"operation": doc.operation, "doc_id": doc.doc_id,
                         "date": doc.date.isoformat(),
                         "oc_activity_paragraphs": sum(bool(p.codes["activity"])
                                                       for p in doc.paragraphs),
                         "all_paragraphs": len(doc.paragraphs), "mandate_known": True,
                         "explicit_mandate": bool(doc.meta["explicit_mandate_in_force"])})
    return pd.DataFrame(rows, columns=_TRUTH_COLUMNS).sort_values(
        ["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)


def _exp(value: float) -> float:
    return math.exp(value) if not math.isnan(value) else math.nan


def _fit(panel: pd.DataFrame) -> dict:
    from analysis.models.run import fit_panel_poisson

    res = fit_panel_poisson(panel, bootstrap=True)  # numbers are NaN when not fitted
    out = {c: res[c] for c in ("status", "reason", "n", "n_clusters")}
    out["p_value"], out["boot_p"] = float(res["p_value"]), float(res["boot_p"])
    for col in ("estimate", "conf_low", "conf_high", "boot_conf_low", "boot_conf_high"):
        out[col] = float(res[col])  # log scale -> rate ratio scale
        out[f"{col}_exp"] = _exp(out[col])
    return out


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
                  work_dir: str | Path, keep: bool = False) -> dict:
    """One replicate, end to end; returns a row of :data:`REPLICATE_COLUMNS`.

    Writes ``<work_dir>/<scenario>-seed<seed>/spec.yaml`` and the corpus under ``corpus/``
    beside it (deleted at the end unless ``keep``). Raises :class:`SimulationError` naming
    the scenario, seed and stage when a stage fails.
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
        stage = "fitting the panel model"
        coded_fit, oracle_fit = _fit(panel), _fit(truth)
    except Exception as err:
        raise SimulationError(f"simulation replicate {scenario} seed {seed} failed while "
                              f"{stage} (files in {folder}): {type(err).__name__}: {err}"
                              ) from err
    agreement, ratio = _agreement(panel, truth)
    if not keep:
        shutil.rmtree(corpus, ignore_errors=True)
    row = {"scenario": scenario, "seed": int(seed), "true_rate_ratio": float(rate_ratio),
           **coded_fit, **{f"oracle_{k}": v for k, v in oracle_fit.items()},
           "n_documents": len(documents), "n_quarantined": len(quarantine),
           "coded_mandate_agreement": agreement, "coded_activity_ratio": ratio}
    return {c: row[c] for c in REPLICATE_COLUMNS}


def oracle_replicate(spec_path: str | Path, missions_path: str | Path, *, scenario: str,
                     seed: int, rate_ratio: float) -> dict:
    """A replicate of the oracle only (:func:`oracle_panel`): pipeline columns empty."""
    try:
        oracle_fit = _fit(oracle_panel(spec_path, missions_path, seed=seed,
                                       rate_ratio=rate_ratio))
    except Exception as err:
        raise SimulationError(f"simulation replicate {scenario} seed {seed} failed while "
                              f"fitting the oracle panel: {type(err).__name__}: {err}"
                              ) from err
    row = {c: math.nan for c in REPLICATE_COLUMNS}
    row.update({"scenario": scenario, "seed": int(seed), "true_rate_ratio": float(rate_ratio),
                "status": "not_run", "reason": "oracle only",
                **{f"oracle_{k}": v for k, v in oracle_fit.items()}})
    return row


# --------------------------------------------------------------------------- summary
def _share(flags: pd.Series) -> tuple[float, float]:
    n = len(flags)
    if n == 0:
        return float("nan"), float("nan")
    p = float(flags.mean())
    return p, math.sqrt(p * (1 - p) / n)


def _stats(rows: pd.DataFrame, prefix: str, truth: float) -> dict:
    fitted = rows[rows[f"{prefix}status"] == "fitted"]
    low = fitted[f"{prefix}conf_low_exp"].astype(float)
    high = fitted[f"{prefix}conf_high_exp"].astype(float)
    est = fitted[f"{prefix}estimate_exp"].astype(float)
    coverage, coverage_se = _share((low <= truth) & (truth <= high))
    rejection, rejection_se = _share(fitted[f"{prefix}p_value"].astype(float) < ALPHA)
    values = {"n_fitted": len(fitted), "coverage": coverage, "coverage_mcse": coverage_se,
              "rejection_rate": rejection, "rejection_rate_mcse": rejection_se,
              "mean_estimate": float(est.mean()) if len(est) else float("nan"),
              "median_estimate": float(est.median()) if len(est) else float("nan")}
    values.update(dict.fromkeys(_BOOT_STATS, math.nan))
    if f"{prefix}boot_p" in fitted.columns:  # replicates of older runs have no bootstrap
        low = fitted[f"{prefix}boot_conf_low_exp"].astype(float)
        high = fitted[f"{prefix}boot_conf_high_exp"].astype(float)
        values["boot_coverage"], values["boot_coverage_mcse"] = _share(
            (low <= truth) & (truth <= high))
        values["boot_rejection_rate"], values["boot_rejection_rate_mcse"] = _share(
            fitted[f"{prefix}boot_p"].astype(float) < ALPHA)
        values["boot_unbounded"] = _share((low == 0) | np.isinf(high))[0]
    return {f"{prefix}{k}": v for k, v in values.items()}


def summarise(replicates: pd.DataFrame, *, spec: str = "", base_seed: int | None = None
              ) -> pd.DataFrame:
    """One row per scenario (:data:`SUMMARY_COLUMNS`) from replicate rows.

    ``replicates`` needs ``scenario``, ``true_rate_ratio`` and, for the pipeline and the
    oracle (``oracle_`` prefix), ``status``, ``p_value``, ``estimate_exp``,
    ``conf_low_exp``, ``conf_high_exp``; with ``boot_p``, ``boot_conf_low_exp`` and
    ``boot_conf_high_exp`` the ``boot_*`` statistics too (else they are empty). Not-fitted replicates count in ``n_seeds`` only;
    shares and estimates are over the fitted ones (empty when none is fitted).
    """
    out = []
    order = [s for s in SCENARIOS if s in set(replicates["scenario"])]
    order += sorted(set(replicates["scenario"]) - set(order))
    for scenario in order:
        rows = replicates[replicates["scenario"] == scenario]
        truths = rows["true_rate_ratio"].astype(float).unique()
        if len(truths) != 1:
            raise ValueError(f"scenario {scenario}: replicates disagree on true_rate_ratio "
                             f"({sorted(truths)})")
        truth = float(truths[0])
        out.append({"scenario": scenario, "true_rate_ratio": truth, "n_seeds": len(rows),
                    **_stats(rows, "", truth), **_stats(rows, "oracle_", truth),
                    "spec": spec, "base_seed": base_seed})
    df = pd.DataFrame(out, columns=SUMMARY_COLUMNS)
    for col in ("n_seeds", "n_fitted", "oracle_n_fitted"):
        df[col] = df[col].astype(int)
    df["base_seed"] = df["base_seed"].astype("Int64")
    return df


# ------------------------------------------------------------------------------ driver
def _job(args: tuple) -> dict:
    (spec_path, missions_path, codebook_path, scenario, seed, rate_ratio, work_dir, keep,
     oracle_only) = args
    started = time.perf_counter()
    if oracle_only:
        row = oracle_replicate(spec_path, missions_path, scenario=scenario, seed=seed,
                               rate_ratio=rate_ratio)
    else:
        row = run_replicate(spec_path, missions_path, codebook_path, scenario=scenario,
                            seed=seed, rate_ratio=rate_ratio, work_dir=work_dir, keep=keep)
    row["_seconds"] = time.perf_counter() - started
    return row


def _progress(row: dict, done: int, total: int) -> str:
    def fit(prefix: str) -> str:
        if row[f"{prefix}status"] != "fitted":
            return f"not fitted ({row[f'{prefix}reason']})"
        return (f"rate ratio {row[f'{prefix}estimate_exp']:.2f} "
                f"[{row[f'{prefix}conf_low_exp']:.2f}, {row[f'{prefix}conf_high_exp']:.2f}], "
                f"p = {row[f'{prefix}p_value']:.3f}, bootstrap "
                f"[{row[f'{prefix}boot_conf_low_exp']:.2f}, "
                f"{row[f'{prefix}boot_conf_high_exp']:.2f}], p = {row[f'{prefix}boot_p']:.3f}")

    return (f"simulation [{done}/{total}] {row['scenario']} seed {row['seed']} (true "
            f"{row['true_rate_ratio']:g}): coded {fit('')}; oracle {fit('oracle_')}; "
            f"{row['_seconds']:.1f} s")


def run_simulation(spec_path: str | Path, missions_path: str | Path,
                   codebook_path: str | Path, *, n_seeds: int = 3, base_seed: int = 1,
                   threads: int = 1, work_dir: str | Path = "results/qc/simulation",
                   keep: bool = False, oracle_only: bool = False,
                   log=sys.stderr) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every scenario x seed; returns ``(summary, replicates)`` (see the module doc).

    ``threads`` > 1 runs replicates in that many worker processes; the result does not
    depend on it (rows are sorted by scenario and seed, floats rounded when written).
    ``oracle_only``: truth panels only (:func:`oracle_replicate`), no corpus is built.
    """
    rate_ratios = scenario_rate_ratios(spec_path)
    _coding_inputs(str(codebook_path), str(missions_path))  # fail early on a bad codebook
    seeds = replicate_seeds(base_seed, n_seeds)
    jobs = [(str(spec_path), str(missions_path), str(codebook_path), scenario, seed,
             rate_ratios[scenario], str(work_dir), keep, oracle_only)
            for scenario in SCENARIOS for seed in seeds]
    print(f"simulation: {len(jobs)} replicates ({', '.join(SCENARIOS)} x {n_seeds} seeds "
          f"from base seed {base_seed}), {threads} worker(s)", file=log)
    rows = []
    if threads <= 1:
        for job in jobs:
            rows.append(_job(job))
            print(_progress(rows[-1], len(rows), len(jobs)), file=log, flush=True)
    else:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            for future in as_completed([pool.submit(_job, job) for job in jobs]):
                rows.append(future.result())
                print(_progress(rows[-1], len(rows), len(jobs)), file=log, flush=True)
    order = {s: i for i, s in enumerate(SCENARIOS)}
    rows.sort(key=lambda r: (order[r["scenario"]], seeds.index(r["seed"])))
    replicates = pd.DataFrame(rows, columns=REPLICATE_COLUMNS)
    for col in ("n", "n_clusters", "oracle_n", "oracle_n_clusters"):
        replicates[col] = replicates[col].astype("Int64")
    summary = summarise(replicates, spec=Path(spec_path).name, base_seed=base_seed)
    return summary, replicates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.simulation run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True, help="demo spec YAML (workflow/demo/spec.yaml)")
    parser.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    parser.add_argument("--codebook", required=True, help="codebook YAML")
    parser.add_argument("--seeds", type=int, default=3, help="replicates per scenario")
    parser.add_argument("--base-seed", type=int, default=1, help="seed of the replicate seeds")
    parser.add_argument("--threads", type=int, default=1, help="worker processes")
    parser.add_argument("--work-dir", required=True, help="scratch folder for the replicates")
    parser.add_argument("--keep", action="store_true", help="keep every replicate's corpus")
    parser.add_argument("--oracle-only", action="store_true",
                        help="fit the truth panels only (no PDFs, extraction or coding)")
    parser.add_argument("--summary-out", required=True)
    parser.add_argument("--replicates-out", required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        summary, replicates = run_simulation(
            args.spec, args.missions, args.codebook, n_seeds=args.seeds,
            base_seed=args.base_seed, threads=args.threads, work_dir=args.work_dir,
            keep=args.keep, oracle_only=args.oracle_only)
    except (ValueError, OSError, SimulationError) as err:  # SpecError is a ValueError
        print(f"simulation failed: {err}", file=sys.stderr)
        return 1
    write_csv(summary, args.summary_out)
    write_csv(replicates, args.replicates_out)
    for row in summary.itertuples():
        print(f"simulation: {row.scenario} (true rate ratio {row.true_rate_ratio:g}): "
              f"{row.n_fitted}/{row.n_seeds} fitted, coverage {row.coverage:.2f}, "
              f"rejection rate {row.rejection_rate:.2f}, mean rate ratio "
              f"{row.mean_estimate:.2f}, bootstrap coverage {row.boot_coverage:.2f}, "
              f"rejection rate {row.boot_rejection_rate:.2f} (oracle: coverage "
              f"{row.oracle_coverage:.2f}, rejection rate {row.oracle_rejection_rate:.2f}; "
              f"bootstrap coverage {row.oracle_boot_coverage:.2f}, rejection rate "
              f"{row.oracle_boot_rejection_rate:.2f})", file=sys.stderr)
    print(f"simulation: done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
