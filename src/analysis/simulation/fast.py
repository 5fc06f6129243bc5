"""Fast simulation check: oracle panels drawn with numpy, hundreds of replicates in seconds.

Each replicate (one seed of :func:`~analysis.simulation.summary.replicate_seeds`) takes the
STRUCTURE of the demo corpus the spec would give with that seed, planned once without
writing any text (:func:`replicate_design`: :func:`analysis.demo.plan.plan_corpus` for the
operations, reports, dates and mandate timelines, and the generator's own draw of the
paragraphs per report), and then draws the OC activity counts of every report afresh for
each scenario (own random stream per seed x scenario). As in the generator, a report's
count is ``Poisson(paragraphs * base_rate * exp(u_operation) * m)``, capped at
``max_share * paragraphs``, where ``m`` is the scenario's multiplier and the treatment is
the explicit mandate in force at the START of the report's period (``explicit_mandate``
of the panel, the default treatment of the models):

- ``null``: m = 1. Truth: rate ratio 1.
- ``effect``: m = rate_ratio ** treatment (the spec's rate ratio).
- ``trend``: no mandate effect; a common calendar trend, m = (1 + trend) ** (years since
  the replicate's mean report date), :data:`TREND_PER_YEAR` = +8% a year. Explicit
  mandates come with later renewals, so they fall later in each operation's life and an
  estimator without time effects mistakes the trend for an effect. Truth: 1.
- ``reverse_timing``: no mandate effect; activity rises by the spec's rate ratio from
  :data:`LEAD_REPORTS` reports BEFORE the operation's first report under an explicit
  mandate, and stays up (the mandate follows activity). Truth: 1.
- ``heterogeneous``: operation-specific log rate ratios ~ Normal(log rate_ratio,
  :data:`HETEROGENEITY_SD`); truth of the replicate = sum(mu1) / sum(mu0) over the treated
  reports of operations that also have untreated reports (the reports any estimator with
  operation effects can learn from; uncapped means), stored per replicate.
- ``coding_error``: the ``effect`` counts, but the panel the estimators see is coded with
  error (:data:`CODING_ERROR`): each resolution's explicit flag is missed with probability
  1 - recall and set falsely at the rate that gives the stated precision, and the mandate
  in force at period start is recomputed from the coded flags; each true activity
  paragraph is found with probability recall and false ones are added from the other
  paragraphs at the rate that gives the stated precision. Truth: the spec's rate ratio.

Every estimator of the registry (:data:`analysis.simulation.estimators.ESTIMATORS`) runs
on every replicate panel. Outputs: replicates (:data:`REPLICATE_COLUMNS`, one row per
scenario x replicate x estimator) and the summary (:mod:`analysis.simulation.summary`,
one row per scenario x estimator), and, given a rule, the headline estimator
(:mod:`analysis.simulation.headline`). Replicates run in ``threads`` worker processes; the
output does not depend on their number.

CLI: ``python -m analysis.simulation fast --spec S --missions M --replicates 200
--base-seed 1 --threads 2 [--rule RULE] --summary-out F --replicates-out F
[--headline-out F]``; progress on stderr every ~10% of the replicates.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.simulation.estimators import ESTIMATORS, estimate_all, registry_with
from analysis.simulation.summary import replicate_seeds, summarise

SCENARIOS = ("null", "effect", "trend", "reverse_timing", "heterogeneous", "coding_error")
TREND_PER_YEAR = 0.08
LEAD_REPORTS = 2
HETEROGENEITY_SD = 0.5
CODING_ERROR = {"mandate": {"precision": 0.9, "recall": 0.85},
                "activity": {"precision": 0.9, "recall": 0.85}}
PANEL_COLUMNS = ["operation", "doc_id", "date", "period_start", "oc_activity_paragraphs",
                 "all_paragraphs", "mandate_known", "explicit_mandate",
                 "explicit_mandate_at_report"]
REPLICATE_COLUMNS = ["scenario", "replicate", "seed", "estimator", "true_rate_ratio",
                     "estimate", "conf_low", "conf_high", "p_value", "status", "reason",
                     "error", "n_reports", "n_switchers", "oc_activity_paragraphs"]


@dataclass
class Design:
    """The structure of one replicate corpus, one entry per report (sorted by operation,
    date, doc_id) and per resolution."""

    operation: np.ndarray  # acronym per report
    op_index: np.ndarray  # 0..n_ops-1 (sorted acronyms) per report
    position: np.ndarray  # report number within its operation, 0-based
    doc_id: np.ndarray
    date: np.ndarray  # ISO strings
    period_start: np.ndarray  # ISO strings
    years: np.ndarray  # report date in years since the replicate's mean report date
    paragraphs: np.ndarray  # int
    u: np.ndarray  # operation log rate shift per report
    treated: np.ndarray  # bool: explicit mandate at period start
    at_report: np.ndarray  # bool: explicit mandate on the report date
    period_res: np.ndarray  # index into res_* of the resolution in force at period start
    res_explicit: np.ndarray  # bool per resolution
    first_treated: np.ndarray  # position of the operation's first treated report, -1 none


def replicate_design(ops: list, spec: dict, seed: int) -> Design:
    """The structure of the corpus ``spec`` gives with ``seed`` (no text rendered).

    Same operations, reports, dates, paragraphs per report and mandates as the corpus
    :func:`analysis.demo.build_corpus` writes (the paragraphs come from the generator's
    own first draw of each report's stream), about 2 ms.
    """
    from analysis.demo.plan import plan_corpus

    spec = {**spec, "seed": int(seed)}
    lo, hi = spec["reports"]["paragraphs"]
    plans = sorted(plan_corpus(ops, spec), key=lambda p: p.op.acronym)
    res_index, res_explicit = {}, []
    for plan in plans:
        for res in plan.resolutions:
            res_index[id(res)] = len(res_explicit)
            res_explicit.append(res.explicit_mandate)
    rows = []
    for k, plan in enumerate(plans):
        reports = sorted(plan.reports, key=lambda r: (r.date, r.doc_id))
        treated = [r.period_mandate.explicit_mandate for r in reports]
        first = treated.index(True) if any(treated) else -1
        for pos, rep in enumerate(reports):
            n = int(np.random.default_rng([spec["seed"], plan.index, 2, rep.number])
                    .integers(lo, hi + 1))
            rows.append((plan.op.acronym, k, pos, rep.doc_id, rep.date.isoformat(),
                         rep.period_start.isoformat(), rep.date.toordinal() / 365.25, n,
                         plan.u, treated[pos], rep.mandate.explicit_mandate,
                         res_index[id(rep.period_mandate)], first))
    cols = list(zip(*rows))
    years = np.array(cols[6], dtype=float)
    return Design(np.array(cols[0], dtype=object), np.array(cols[1], dtype=int),
                  np.array(cols[2], dtype=int), np.array(cols[3], dtype=object),
                  np.array(cols[4], dtype=object), np.array(cols[5], dtype=object),
                  years - years.mean(), np.array(cols[7], dtype=int),
                  np.array(cols[8], dtype=float), np.array(cols[9], dtype=bool),
                  np.array(cols[10], dtype=bool), np.array(cols[11], dtype=int),
                  np.array(res_explicit, dtype=bool), np.array(cols[12], dtype=int))


def _switching(design: Design, treated: np.ndarray) -> np.ndarray:
    """Per report: does its operation have both treated and untreated reports?"""
    n_ops = int(design.op_index.max()) + 1
    on = np.bincount(design.op_index, treated.astype(float), n_ops)
    total = np.bincount(design.op_index, minlength=n_ops)
    return ((on > 0) & (on < total))[design.op_index]


def _coded(design: Design, y: np.ndarray, rng: np.random.Generator,
           error: dict) -> tuple[np.ndarray, np.ndarray]:
    """Coded (treatment, activity) of a replicate under coding error (module doc)."""
    truth = design.res_explicit
    m_p, m_r = error["mandate"]["precision"], error["mandate"]["recall"]
    n_pos, n_neg = int(truth.sum()), int((~truth).sum())
    fpr = min(1.0, m_r * n_pos * (1 - m_p) / (m_p * n_neg)) if n_neg else 0.0
    draw = rng.random(len(truth))
    coded_res = np.where(truth, draw < m_r, draw < fpr)
    a_p, a_r = error["activity"]["precision"], error["activity"]["recall"]
    negatives = design.paragraphs - y
    fpr_act = min(1.0, a_r * y.sum() * (1 - a_p) / (a_p * negatives.sum())) \
        if negatives.sum() else 0.0
    coded_y = rng.binomial(y, a_r) + rng.binomial(negatives, fpr_act)
    return coded_res[design.period_res], coded_y


def draw_panel(design: Design, scenario: str, *, rate_ratio: float, base_rate: float,
               max_share: float, rng: np.random.Generator,
               coding_error: dict | None = None) -> tuple[pd.DataFrame, float]:
    """The panel of one scenario on one design, and the replicate's true rate ratio."""
    x = design.treated
    mu0 = design.paragraphs * base_rate * np.exp(design.u)
    truth = 1.0
    if scenario == "null":
        mult = np.ones(len(x))
    elif scenario in ("effect", "coding_error"):
        mult, truth = np.where(x, rate_ratio, 1.0), rate_ratio
    elif scenario == "trend":
        mult = (1 + TREND_PER_YEAR) ** design.years
    elif scenario == "reverse_timing":
        early = (design.first_treated >= 0) & (design.position
                                               >= design.first_treated - LEAD_REPORTS)
        mult = np.where(early, rate_ratio, 1.0)
    elif scenario == "heterogeneous":
        n_ops = int(design.op_index.max()) + 1
        log_rr = rng.normal(math.log(rate_ratio), HETEROGENEITY_SD, n_ops)
        mult = np.where(x, np.exp(log_rr[design.op_index]), 1.0)
        learn = x & _switching(design, x)
        truth = (float((mu0 * mult)[learn].sum() / mu0[learn].sum()) if learn.any()
                 else rate_ratio)
    else:
        raise ValueError(f"unknown simulation scenario {scenario!r} (known: "
                         f"{', '.join(SCENARIOS)})")
    cap = np.floor(max_share * design.paragraphs).astype(int)
    y = np.minimum(rng.poisson(mu0 * mult), cap)
    treatment = x
    if scenario == "coding_error":
        treatment, y = _coded(design, y, rng, coding_error or CODING_ERROR)
    panel = pd.DataFrame({
        "operation": design.operation, "doc_id": design.doc_id, "date": design.date,
        "period_start": design.period_start, "oc_activity_paragraphs": y.astype(int),
        "all_paragraphs": design.paragraphs, "mandate_known": True,
        "explicit_mandate": treatment.astype(bool),
        "explicit_mandate_at_report": design.at_report}, columns=PANEL_COLUMNS)
    return panel, truth


def _load(spec_path, missions_path) -> tuple[dict, list]:
    from analysis.demo.spec import load_operations, load_spec

    spec = load_spec(spec_path)
    return spec, load_operations(missions_path, spec, spec_path)


def run_replicate(spec: dict, ops: list, *, replicate: int, seed: int,
                  scenarios: tuple[str, ...] = SCENARIOS, estimators: list[str] | None = None,
                  registry: dict | None = None, coding_error: dict | None = None) -> list[dict]:
    """Every scenario x estimator of one replicate: rows of :data:`REPLICATE_COLUMNS`."""
    design = replicate_design(ops, spec, seed)
    eff = spec["effect"]
    rows = []
    for scenario in scenarios:
        rng = np.random.default_rng([seed, 7, SCENARIOS.index(scenario)])
        panel, truth = draw_panel(design, scenario, rate_ratio=float(eff["rate_ratio"]),
                                  base_rate=float(eff["base_rate"]),
                                  max_share=float(eff["max_share"]), rng=rng,
                                  coding_error=coding_error)
        switching = _switching(design, panel["explicit_mandate"].to_numpy(bool))
        n_switch = len(set(design.op_index[switching]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter of 1000s of fits
            fits = estimate_all(panel, estimators, registry)
        for fit in fits:
            rows.append({"scenario": scenario, "replicate": replicate, "seed": int(seed),
                         "true_rate_ratio": truth, **fit, "n_reports": len(panel),
                         "n_switchers": n_switch,
                         "oc_activity_paragraphs": int(panel["oc_activity_paragraphs"].sum())})
    return [{c: r[c] for c in REPLICATE_COLUMNS} for r in rows]


def _job(args: tuple) -> list[dict]:
    spec, ops, replicate, seed, scenarios, estimators, registry, coding_error = args
    return run_replicate(spec, ops, replicate=replicate, seed=seed, scenarios=scenarios,
                         estimators=estimators, registry=registry, coding_error=coding_error)


def run_fast(spec_path, missions_path, *, n_replicates: int = 200, base_seed: int = 1,
             threads: int = 1, scenarios: tuple[str, ...] = SCENARIOS,
             estimators: list[str] | None = None, registry: dict | None = None,
             coding_error: dict | None = None,
             log=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """All replicates; returns ``(summary, replicates)``. Progress on ``log`` (default
    stderr) every ~10%."""
    log = sys.stderr if log is None else log
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        raise ValueError(f"unknown simulation scenario(s) {', '.join(unknown)} (known: "
                         f"{', '.join(SCENARIOS)})")
    spec, ops = _load(spec_path, missions_path)
    names = list(estimators or (registry or ESTIMATORS))
    seeds = replicate_seeds(base_seed, n_replicates)
    jobs = [(spec, ops, k, seed, tuple(scenarios), names, registry, coding_error)
            for k, seed in enumerate(seeds)]
    print(f"simulation (fast): {n_replicates} replicates x {len(scenarios)} scenarios "
          f"({', '.join(scenarios)}) x {len(names)} estimators ({', '.join(names)}), base "
          f"seed {base_seed}, {threads} worker(s)", file=log, flush=True)
    started, rows, step = time.perf_counter(), [], max(1, math.ceil(n_replicates / 10))

    def progress(done: int) -> None:
        if done % step == 0 or done == n_replicates:
            print(f"simulation (fast): {done}/{n_replicates} replicates "
                  f"({time.perf_counter() - started:.1f} s)", file=log, flush=True)

    if threads <= 1:
        for done, job in enumerate(jobs, 1):
            rows += _job(job)
            progress(done)
    else:
        with ProcessPoolExecutor(max_workers=threads) as pool:
            chunk = max(1, min(8, n_replicates // (4 * threads)))
            for done, result in enumerate(pool.map(_job, jobs, chunksize=chunk), 1):
                rows += result
                progress(done)
    order = {s: i for i, s in enumerate(scenarios)}
    rows.sort(key=lambda r: (order[r["scenario"]], r["replicate"], names.index(r["estimator"])))
    replicates = pd.DataFrame(rows, columns=REPLICATE_COLUMNS)
    summary = summarise(replicates, scenarios=tuple(scenarios), estimators=tuple(names))
    return summary, replicates


def load_coding_error(text: str | dict | None) -> dict:
    """Precision and recall of the ``coding_error`` scenario from a dict, inline JSON/YAML
    or a file; keys missing fall back to :data:`CODING_ERROR`. Values must lie in (0, 1]."""
    import yaml

    if text is None:
        return CODING_ERROR
    where = "--coding-error"
    if isinstance(text, dict):
        given = text
    elif str(text).lstrip().startswith("{"):
        given = yaml.safe_load(text)
    else:
        where = str(text)
        try:
            with open(text, encoding="utf-8") as fh:
                given = yaml.safe_load(fh)
        except OSError as err:
            raise ValueError(f"{text}: cannot read the coding error rates ({err.strerror})"
                             ) from err
    if not isinstance(given, dict) or set(given) - set(CODING_ERROR):
        raise ValueError(f"{where}: expected a mapping with keys mandate and/or activity, "
                         f"each {{precision: P, recall: R}}")
    out = {}
    for part, default in CODING_ERROR.items():
        rates = {**default, **(given.get(part) or {})}
        for key, value in rates.items():
            if key not in default or not 0 < float(value) <= 1:
                raise ValueError(f"{where}: key '{part}.{key}' must be precision or recall "
                                 f"in (0, 1], got {value!r}")
        out[part] = {k: float(v) for k, v in rates.items()}
    return out


def _rule(text: str | None):
    from analysis.simulation.headline import load_rule

    return None if text is None else load_rule(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.simulation fast",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", required=True, help="demo spec YAML (workflow/demo/spec.yaml)")
    parser.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    parser.add_argument("--replicates", type=int, default=200, help="replicates per scenario")
    parser.add_argument("--base-seed", type=int, default=1, help="seed of the replicate seeds")
    parser.add_argument("--threads", type=int, default=1, help="worker processes")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of {','.join(SCENARIOS)}")
    parser.add_argument("--estimators", default=None,
                        help="comma-separated subset of the registered estimators")
    parser.add_argument("--coding-error", default=None,
                        help="precision and recall of the coding_error scenario as inline "
                             "JSON or a YAML/JSON file: {mandate: {precision: P, recall: R}, "
                             "activity: {precision: P, recall: R}} (default: "
                             "CODING_ERROR, 0.9 / 0.85 for both)")
    parser.add_argument("--period-years", type=int, default=2,
                        help="calendar years per period of the time effects of the two-way "
                             "estimators (the config's period_years)")
    parser.add_argument("--rule", default=None,
                        help="headline rule: YAML/JSON file (or config file with key "
                             "simulation_headline) or an inline JSON mapping")
    parser.add_argument("--summary-out", required=True)
    parser.add_argument("--replicates-out", required=True)
    parser.add_argument("--headline-out", default=None,
                        help="headline.csv (or .json); needs --rule")
    args = parser.parse_args(argv)
    from analysis.io import write_csv
    from analysis.simulation.headline import choose_headline, write_headline

    started = time.perf_counter()
    try:
        rule = _rule(args.rule)
        if args.headline_out and rule is None:
            raise ValueError("--headline-out needs --rule (the headline rule of the config)")
        summary, replicates = run_fast(
            args.spec, args.missions, n_replicates=args.replicates, base_seed=args.base_seed,
            threads=args.threads, scenarios=tuple(s for s in args.scenarios.split(",") if s),
            coding_error=load_coding_error(args.coding_error),
            estimators=[e for e in args.estimators.split(",") if e] if args.estimators
            else None, registry=registry_with(period_years=args.period_years))
    except (ValueError, OSError, KeyError) as err:  # SpecError is a ValueError
        print(f"simulation failed: {err}", file=sys.stderr)
        return 1
    write_csv(summary, args.summary_out)
    write_csv(replicates, args.replicates_out)
    for row in summary.itertuples():
        print(f"simulation (fast): {row.scenario} x {row.estimator} (true rate ratio "
              f"{row.true_rate_ratio:.3g}): {row.n_fitted}/{row.n_replicates} fitted, "
              f"{row.rejection_is} {row.rejection_rate:.3f}, coverage {row.coverage:.3f}, "
              f"mean rate ratio {row.mean_rate_ratio:.3f}", file=sys.stderr)
    if rule is not None:
        _, explanation, table = choose_headline(summary, rule)
        print(f"simulation (fast): {explanation}", file=sys.stderr)
        if args.headline_out:
            write_headline(args.headline_out, table)
    print(f"simulation (fast): done in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0
