"""Sensitivity of the FE Poisson mandate effect: single switchers and measured coding error.

- ``panel_poisson_fe_loo`` (:func:`leave_one_switcher_out`): the operation-FE Poisson model
  (:func:`analysis.models.panel.panel_poisson_fe`) refitted once without each operation
  whose ``explicit_mandate`` changes, one row per left-out switcher, term
  ``explicit_mandate|without <OP>``. With few switchers one operation can carry the
  effect; these rows show whether it does. Inference CR1, t(S-1) with S the switchers left;
  a row is ``not_fitted`` when fewer than 3 remain.
- ``panel_poisson_fe_coding_error`` (:func:`coding_error_estimate`): the mandate effect
  carrying the measured error of the coding, by a parametric bootstrap over the coding.
  In each of ``draws`` seeded draws:

  1. each resolution's coded ``explicit_mandate`` (``mandates.csv``) is perturbed: a coded
     True is wrong (becomes False) with probability 1 - precision; a coded False is truly
     explicit with probability q = min(1, P * precision * (1 - recall) / recall / N)
     (P, N: resolutions coded True, False), so the expected number of explicit mandates
     the coding missed matches its recall;
  2. each report's treatment is recomputed from the perturbed resolutions: the resolution
     in force at the report's ``period_start`` (when the panel has that column, else at
     its ``date``), as :mod:`analysis.coding.tables` finds it (latest adopted on or before
     that day, none after its ``in_force_until``);
  3. each report's OC activity count is redrawn as Binomial(coded count, precision) +
     Poisson(coded count * precision * (1 - recall) / recall) with the ACTIVITY precision
     and recall (true positives kept, expected missed paragraphs added), at most the
     report's paragraphs;
  4. the FE Poisson is refitted (CR1 variance).

  The draws are combined by Rubin's rules: estimate = mean over draws, variance = mean
  within-draw variance + (1 + 1/B) x between-draw variance, Student t with S-1 df (S of
  the model on the coded data). ``reason`` names the precision and recall used and how
  much wider the interval is than ``panel_poisson_fe``'s (same t(S-1) inference). With
  precision = recall = 1 nothing is perturbed and the two intervals coincide.

Error rates: ``{"explicit_mandate": (precision, recall), "activity": (precision, recall)}``
or a DataFrame with columns variable, precision, recall; read them from the coding QC with
:func:`error_rates_from_accuracy` (``results/qc/coding_accuracy.csv``) or
:func:`error_rates_from_validation` (``results/qc/validation.csv``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from analysis.models.cross import as_boolean
from analysis.models.fit import LEVEL, MANDATE_TERM, not_fitted
from analysis.models.panel import _drop_never_active, panel_poisson_fe, panel_sample, switchers
from analysis.models.staggered import MIN_SWITCHERS, switcher_inference

LOO_MODEL = "panel_poisson_fe_loo"
CODING_MODEL = "panel_poisson_fe_coding_error"
DEFAULT_DRAWS = 200
DEFAULT_SEED = 20250711
FE_INFERENCE = "CR1 cluster-robust by operation, t(S-1)"
VARIABLES = ("explicit_mandate", "activity")


def _switchers_of(panel: pd.DataFrame) -> list[str]:
    df, _ = _drop_never_active(panel_sample(panel))
    return switchers(df)


def _mandate_row(panel: pd.DataFrame, min_clusters: int) -> dict:
    rows, _ = panel_poisson_fe(panel, min_clusters=min_clusters, bootstrap=False)
    return next(r for r in rows if r["term"] == MANDATE_TERM)


def _fe_row(panel: pd.DataFrame, min_clusters: int) -> dict:
    """The mandate row of panel_poisson_fe with t(S-1) inference (not_fitted when S < 3)."""
    row = _mandate_row(panel, min_clusters)
    ops = _switchers_of(panel)
    if row["status"] == "fitted" and len(ops) < MIN_SWITCHERS:
        row = not_fitted(row["model"], "poisson",
                         [(f"S = {len(ops)} operation(s) whose {MANDATE_TERM} changes "
                          f"({', '.join(ops) or 'none'}) < {MIN_SWITCHERS}: cluster-robust "
                          "inference on S-1 degrees of freedom is refused")],
                         n=row["n"], n_clusters=row["n_clusters"], cov_type="cluster")[0]
    return switcher_inference(row, len(ops), inference=FE_INFERENCE)


# ------------------------------------------------------------------ leave one switcher out
def leave_one_switcher_out(panel: pd.DataFrame, *, min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_poisson_fe_loo``: one per switching operation left out."""
    ops = _switchers_of(panel)
    if not ops:
        return [switcher_inference(not_fitted(
            LOO_MODEL, "poisson", [(f"no operation's {MANDATE_TERM} changes between its "
                                   "reports: nothing to leave out")],
            term=f"{MANDATE_TERM}|without none", cov_type="cluster")[0], 0,
            inference=FE_INFERENCE)]
    rows = []
    for op in ops:
        row = _fe_row(panel[panel["operation"] != op].reset_index(drop=True), min_clusters)
        row["model"], row["term"] = LOO_MODEL, f"{MANDATE_TERM}|without {op}"
        row["reason"] = "; ".join(x for x in (f"{op} left out of the panel_poisson_fe sample",
                                              row["reason"]) if x)
        rows.append(row)
    return rows


# ------------------------------------------------------------------ error rates
def _check_rates(rates: dict, where: str) -> dict[str, tuple[float, float]]:
    out = {}
    for var in VARIABLES:
        if var not in rates:
            raise ValueError(f"{where}: no precision/recall for {var!r}; give both "
                             f"{', '.join(VARIABLES)}")
        precision, recall = (float(v) for v in rates[var])
        if not (0 < precision <= 1 and 0 < recall <= 1):
            raise ValueError(f"{where}: {var} precision {precision} / recall {recall} must lie "
                             "in (0, 1] (a coder that finds nothing cannot be corrected for)")
        out[var] = (precision, recall)
    return out


def as_error_rates(rates) -> dict[str, tuple[float, float]]:
    """A dict {variable: (precision, recall)} or a DataFrame with columns variable,
    precision, recall -> checked dict of :data:`VARIABLES`."""
    if isinstance(rates, pd.DataFrame):
        missing = [c for c in ("variable", "precision", "recall") if c not in rates.columns]
        if missing:
            raise ValueError(f"error rates table: column(s) {', '.join(missing)} missing")
        rates = {r["variable"]: (r["precision"], r["recall"])
                 for r in rates.to_dict("records")}
    return _check_rates(dict(rates), "error rates")


class RatesUnavailable(ValueError):
    """The table exists but cannot give a precision or recall (nothing was predicted, or
    the truth held no positive): the coding error cannot be measured from it."""


def _pick(df: pd.DataFrame, where: str, what: str, **match) -> tuple[float, float]:
    sel = pd.Series(True, index=df.index)
    for col, value in match.items():
        if col not in df.columns:
            raise ValueError(f"{where}: column {col!r} missing (needed to find {what})")
        cell = df[col].astype(object).where(df[col].notna(), "").astype(str)
        sel &= cell == value
    rows = df[sel]
    if len(rows) != 1:
        raise ValueError(f"{where}: {len(rows)} rows for {what} "
                         f"({', '.join(f'{k}={v!r}' for k, v in match.items())}); expected 1")
    row = rows.iloc[0]
    # tables read as text (analysis.io.read_csv) hold an empty cell where pandas has NaN
    values = {col: pd.to_numeric(pd.Series([row[col]]).replace("", None),
                                 errors="coerce").iloc[0] for col in ("precision", "recall")}
    for col, value in values.items():
        if pd.isna(value):
            raise RatesUnavailable(f"{where}: row {rows.index[0]} ({what}) has no {col}: the "
                                   "coder predicted or the gold held no positive")
    return float(values["precision"]), float(values["recall"])


def error_rates_from_accuracy(df: pd.DataFrame, *, bank: str = "all"
                              ) -> dict[str, tuple[float, float]]:
    """Precision/recall from ``coding_accuracy.csv`` (demo truth vs coding): the
    resolution-level ``explicit_mandate`` (level document, doc_type resolution) and the
    report paragraphs' ``activity`` (level paragraph, doc_type report), overall (empty
    label), of phrasing ``bank`` (all | tuned | heldout) when the table has that column."""
    where = "coding accuracy table"
    extra = {"bank": bank} if "bank" in df.columns else {}
    return _check_rates({
        "explicit_mandate": _pick(df, where, "explicit_mandate of resolutions",
                                  level="document", doc_type="resolution",
                                  variable="explicit_mandate", label="", **extra),
        "activity": _pick(df, where, "activity of report paragraphs", level="paragraph",
                          doc_type="report", variable="activity", label="", **extra)}, where)


def error_rates_from_validation(df: pd.DataFrame) -> dict[str, tuple[float, float]]:
    """Precision/recall from ``validation.csv`` (gold passages vs coding): the overall
    (empty label) rows of ``explicit_mandate`` and ``activity``."""
    where = "validation table"
    return _check_rates({var: _pick(df, where, var, variable=var, label="")
                         for var in VARIABLES}, where)


# ------------------------------------------------------------------ coding-error bootstrap
def in_force_index(mandates: pd.DataFrame, operations: pd.Series, when: pd.Series) -> np.ndarray:
    """Row position in ``mandates`` (sorted by operation, adopted, resolution) of the
    resolution in force for each (operation, day); -1 when none (before the first
    resolution, after ``in_force_until``, or no day)."""
    adopted = pd.to_datetime(mandates["adopted"], errors="coerce")
    until = pd.to_datetime(mandates["in_force_until"].astype(object).where(
        mandates["in_force_until"].notna(), ""), errors="coerce")
    by_op = {op: idx for op, idx in mandates.groupby("operation", sort=True).indices.items()}
    days = pd.to_datetime(when, errors="coerce")
    out = np.full(len(days), -1, dtype=int)
    for i, (op, day) in enumerate(zip(operations, days, strict=True)):
        idx = by_op.get(op)
        if idx is None or pd.isna(day):
            continue
        ok = [j for j in idx if adopted.iloc[j] <= day]
        if not ok:
            continue
        j = ok[-1]  # sorted: the latest adopted (ties: the last resolution)
        if pd.isna(until.iloc[j]) or day <= until.iloc[j]:
            out[i] = j
    return out


def _sorted_mandates(mandates: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("operation", "resolution", "adopted", "in_force_until",
                           MANDATE_TERM) if c not in mandates.columns]
    if missing:
        raise ValueError(f"mandates table: column(s) {', '.join(missing)} missing (the table "
                         "is written by python -m analysis.coding tables)")
    return mandates.sort_values(["operation", "adopted", "resolution"],
                                kind="stable").reset_index(drop=True)


def _report_days(panel: pd.DataFrame) -> tuple[pd.Series, str]:
    if "period_start" in panel.columns:
        start = panel["period_start"].astype(object).where(panel["period_start"].notna(), "")
        return start.where(start.astype(str) != "", panel["date"]), "period_start"
    return panel["date"], "date"


def _fast_fe(panel: pd.DataFrame, min_clusters: int) -> tuple[float, float] | str:
    """(estimate, CR1 standard error) of the mandate term, or why it was not fitted."""
    row = _mandate_row(panel, min_clusters)
    if row["status"] != "fitted":
        return row["reason"]
    return float(row["estimate"]), float(row["std_error"])


def coding_error_estimate(panel: pd.DataFrame, mandates: pd.DataFrame, error_rates, *,
                          draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED,
                          min_clusters: int = 5) -> list[dict]:
    """The row of ``panel_poisson_fe_coding_error`` (see the module doc)."""
    rates = as_error_rates(error_rates)
    (pm, rm), (pa, ra) = rates["explicit_mandate"], rates["activity"]
    plain = _fe_row(panel, min_clusters)
    s = plain["n_switchers"]
    used = (f"resolution explicit_mandate precision {pm:.3g}, recall {rm:.3g}; report "
            f"paragraph activity precision {pa:.3g}, recall {ra:.3g}")

    def refuse(reasons: list[str]) -> list[dict]:
        row = not_fitted(CODING_MODEL, "poisson", reasons + [used], n=plain.get("n", 0),
                         n_clusters=plain.get("n_clusters"), cov_type="cluster")[0]
        return [switcher_inference(row, s, inference="Rubin's rules, t(S-1)")]

    if plain["status"] != "fitted":
        return refuse([f"panel_poisson_fe not fitted: {plain['reason']}"])
    m = _sorted_mandates(mandates)
    flags = as_boolean(m[MANDATE_TERM]).fillna(False).to_numpy(bool)
    days, day_col = _report_days(panel)
    idx = in_force_index(m, panel["operation"], days)
    base = panel.copy()
    coded = np.where(idx >= 0, flags[np.maximum(idx, 0)], False)
    current = as_boolean(base[MANDATE_TERM])
    agree = int(((current.fillna(False).to_numpy(bool) == coded) & (idx >= 0)).sum())
    n_pos, n_neg = int(flags.sum()), int((~flags).sum())
    missed = n_pos * pm * (1 - rm) / rm
    q = min(1.0, missed / n_neg) if n_neg else 0.0
    y = base["oc_activity_paragraphs"].to_numpy(int)
    cap = base["all_paragraphs"].to_numpy(int)
    extra_rate = y * pa * (1 - ra) / ra
    rng = np.random.default_rng(seed)
    est, var, failed, first_failure = [], [], 0, ""
    for _ in range(draws):
        u = rng.random(len(flags))
        new = np.where(flags, u < pm, u < q)
        draw = base.copy()
        draw[MANDATE_TERM] = pd.array(np.where(idx >= 0, new[np.maximum(idx, 0)], False),
                                      dtype="boolean")
        draw.loc[idx < 0, MANDATE_TERM] = pd.NA
        draw["mandate_known"] = idx >= 0
        draw["oc_activity_paragraphs"] = np.minimum(
            rng.binomial(y, pa) + rng.poisson(extra_rate), cap)
        fit = _fast_fe(draw, min_clusters)
        if isinstance(fit, str):
            failed += 1
            first_failure = first_failure or fit
            continue
        est.append(fit[0])
        var.append(fit[1] ** 2)
    if len(est) < max(2, draws // 2):  # most draws must fit, else the mix is selective
        return refuse([(f"only {len(est)} of {draws} coding draws could be fitted (first "
                       f"failure: {first_failure})"),
                       (f"coded True resolution wrong with probability {1 - pm:.3g}, coded "
                       f"False resolution truly explicit with probability {q:.3g} "
                       f"({missed:.2f} expected missed of {n_neg})")])
    est, var = np.asarray(est), np.asarray(var)
    b = len(est)
    within, between = float(var.mean()), float(est.var(ddof=1)) if b > 1 else 0.0
    total = within + (1 + 1 / b) * between
    point, se = float(est.mean()), math.sqrt(total)
    qt = stats.t.ppf(0.5 + LEVEL / 2, df=s - 1)
    width = 2 * qt * se
    plain_width = plain["conf_high"] - plain["conf_low"]
    widen = 100 * (width / plain_width - 1)
    notes = [
        f"parametric bootstrap over the coding: {b} of {draws} draws fitted (seed {seed})"
        + (f", {failed} not fitted and left out" if failed else ""),
        used,
        (f"coded True resolution wrong with probability {1 - pm:.3g}, coded False resolution "
        f"truly explicit with probability {q:.3g} ({missed:.2f} expected missed of {n_neg})"),
        (f"treatment recomputed from the resolution in force at the report's {day_col}; "
        f"it reproduces the panel's {MANDATE_TERM} on {agree} of {len(base)} rows"),
        f"Rubin's rules: within-draw variance {within:.4g}, between-draw {between:.4g}",
        f"interval {widen:.1f}% wider than panel_poisson_fe's (t(S-1), S = {s})",
    ]
    row = {"model": CODING_MODEL, "family": "poisson", "term": MANDATE_TERM,
           "estimate": point, "std_error": se, "estimate_exp": math.exp(point),
           "n": plain["n"], "n_clusters": plain["n_clusters"], "cov_type": "cluster",
           "status": "fitted", "reason": "; ".join(notes)}
    return [switcher_inference(row, s, inference=f"Rubin's rules over {b} coding draws, "
                                                  "t(S-1)")]
