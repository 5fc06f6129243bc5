"""Replicate seeds and the scenario x estimator summary of simulation replicates.

Replicate rows (one per scenario x replicate x estimator, and per ``codes`` in the
pipeline path) carry ``true_rate_ratio`` (of THAT replicate: it varies between replicates
in the ``heterogeneous`` scenario) and the estimator's ``estimate``, ``conf_low``,
``conf_high`` (log scale), ``p_value``, ``status`` and ``error``.

Summary (:data:`SUMMARY_COLUMNS`), one row per scenario x estimator (x codes):

- ``n_replicates``; ``n_fitted`` (status fitted); ``n_errors`` (the estimator raised).
- ``true_rate_ratio``: the scenario's true rate ratio (mean over replicates when it varies).
- ``rejection_rate``: share of fitted replicates with p < 0.05; ``rejection_is``: ``size``
  in the scenarios where the mandate has no effect (:data:`NULL_SCENARIOS`), ``power``
  otherwise; ``rejection_rate_mcse`` = sqrt(p (1 - p) / n_fitted).
- ``coverage``: share of fitted replicates whose 95% interval contains the replicate's
  true log rate ratio (bounds included); ``coverage_mcse`` likewise.
- ``mean_rate_ratio`` and ``median_rate_ratio`` of exp(estimate) over fitted replicates,
  with Monte Carlo SEs: sd / sqrt(n) and, for the median, the normal approximation
  sqrt(pi / 2) sd / sqrt(n).
- ``unbounded_share``: share of fitted intervals with an infinite bound (they cover
  trivially and rarely exclude 1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

ALPHA = 0.05
# scenarios in which the explicit mandate has no effect: rejections are the size
NULL_SCENARIOS = ("null", "trend", "reverse_timing")
SUMMARY_COLUMNS = ["scenario", "estimator", "n_replicates", "n_fitted", "n_errors",
                   "true_rate_ratio", "rejection_is", "rejection_rate", "rejection_rate_mcse",
                   "coverage", "coverage_mcse", "mean_rate_ratio", "mean_rate_ratio_mcse",
                   "median_rate_ratio", "median_rate_ratio_mcse", "unbounded_share"]


def replicate_seeds(base_seed: int, n_seeds: int) -> list[int]:
    """``n_seeds`` corpus seeds derived from ``base_seed``; seed k depends on (base_seed, k)
    only, so asking for more seeds keeps the first ones."""
    if n_seeds < 1:
        raise ValueError(f"simulation needs at least one seed, got n_seeds={n_seeds}")
    if base_seed < 0:
        raise ValueError(f"simulation base seed must be >= 0, got {base_seed}")
    return [int(np.random.default_rng([base_seed, k]).integers(0, 2**31 - 1))
            for k in range(n_seeds)]


def _share(flags: np.ndarray) -> tuple[float, float]:
    n = len(flags)
    if n == 0:
        return math.nan, math.nan
    p = float(np.mean(flags))
    return p, math.sqrt(p * (1 - p) / n)


def score(rows: pd.DataFrame) -> dict:
    """The summary statistics of one group of replicate rows (see the module doc)."""
    fitted = rows[rows["status"] == "fitted"]
    est = fitted["estimate"].to_numpy(float)
    low = fitted["conf_low"].to_numpy(float)
    high = fitted["conf_high"].to_numpy(float)
    truth = np.log(fitted["true_rate_ratio"].to_numpy(float))
    p = fitted["p_value"].to_numpy(float)
    n = len(fitted)
    with np.errstate(invalid="ignore"):
        rejection, rejection_se = _share(p < ALPHA)
        coverage, coverage_se = _share((low <= truth) & (truth <= high))
    ratio = np.exp(est)
    sd = float(np.std(ratio, ddof=1)) if n > 1 else math.nan
    return {
        "n_replicates": len(rows), "n_fitted": n,
        "n_errors": int(rows["error"].astype(bool).sum()) if "error" in rows else 0,
        "true_rate_ratio": float(rows["true_rate_ratio"].astype(float).mean()),
        "rejection_rate": rejection, "rejection_rate_mcse": rejection_se,
        "coverage": coverage, "coverage_mcse": coverage_se,
        "mean_rate_ratio": float(ratio.mean()) if n else math.nan,
        "mean_rate_ratio_mcse": sd / math.sqrt(n) if n > 1 else math.nan,
        "median_rate_ratio": float(np.median(ratio)) if n else math.nan,
        "median_rate_ratio_mcse": math.sqrt(math.pi / 2) * sd / math.sqrt(n) if n > 1
        else math.nan,
        "unbounded_share": _share(np.isinf(low) | np.isinf(high))[0],
    }


def summarise(replicates: pd.DataFrame, *, scenarios: tuple[str, ...] = (),
              estimators: tuple[str, ...] = (), by: tuple[str, ...] = ()) -> pd.DataFrame:
    """One row per scenario x estimator (x the ``by`` columns, e.g. ``codes``), in the order
    of ``scenarios`` and ``estimators`` (others after them, sorted). Columns: ``by``, then
    :data:`SUMMARY_COLUMNS`."""
    def order(values, first):
        present = list(dict.fromkeys(values))
        return [v for v in first if v in present] + sorted(set(present) - set(first))

    out = []
    keys = list(by) + ["scenario", "estimator"]
    groups = dict(list(replicates.groupby(keys, sort=False)))
    for extra in (replicates[list(by)].drop_duplicates().itertuples(index=False) if by
                  else [()]):
        for scenario in order(replicates["scenario"], scenarios):
            for estimator in order(replicates["estimator"], estimators):
                key = tuple(extra) + (scenario, estimator)
                rows = groups.get(key if len(key) > 1 else key[0])
                if rows is None:
                    continue
                out.append({**dict(zip(by, extra)), "scenario": scenario,
                            "estimator": estimator,
                            "rejection_is": "size" if scenario in NULL_SCENARIOS else "power",
                            **score(rows)})
    df = pd.DataFrame(out, columns=list(by) + SUMMARY_COLUMNS)
    for col in ("n_replicates", "n_fitted", "n_errors"):
        df[col] = df[col].astype(int)
    return df
