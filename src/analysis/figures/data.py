"""Table preparation for the figures: counts, spans and estimates, plotting nothing.

Every function takes the tables the workflow writes (``mission_activity.csv``,
``mandates.csv``, ``panel.csv``, ``estimates.csv``, as read by :mod:`.style`) and returns a
small frame a figure draws as is, so the numbers in a figure can be checked without a plot.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.figures.style import to_number
from analysis.ids import evidence_paragraphs
from analysis.vocab import QUADRANTS

# Families whose coefficients are log rate ratios or log odds ratios.
RATIO_FAMILIES = {"poisson": "RR", "negbin": "RR", "negative_binomial": "RR",
                  "negativebinomial": "RR", "logit": "OR", "binomial": "OR", "logistic": "OR"}


def _distinct(activity: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """OC activity paragraphs per ``by`` group, each paragraph counted once.

    A paragraph naming two markets sits in two cells of ``mission_activity.csv``; summing
    ``n_paragraphs`` over markets would count it twice. The evidence ids name the paragraph,
    so their union gives distinct paragraphs. Cells with a count but no evidence ids (a table
    built without evidence) fall back to the sum, which is then an upper bound.
    """
    counts = activity.assign(n=to_number(activity["n_paragraphs"], "mission_activity",
                                         "n_paragraphs").fillna(0).astype(int))
    rows = []
    for key, group in counts.groupby(by, sort=False):
        key = key if isinstance(key, tuple) else (key,)
        with_ids = group["evidence_ids"].astype(str).str.len() > 0
        union = set().union(*map(evidence_paragraphs, group.loc[with_ids, "evidence_ids"]))
        rows.append((*key, len(union) + int(group.loc[~with_ids, "n"].sum())))
    return pd.DataFrame(rows, columns=[*by, "n_paragraphs"])


def operation_quadrant_counts(activity: pd.DataFrame) -> pd.DataFrame:
    """Operations (rows, alphabetical) x quadrants (columns, codebook order): distinct OC
    activity paragraphs. No rows when the table has none."""
    if activity.empty:
        return pd.DataFrame(columns=list(QUADRANTS), dtype=int)
    counts = _distinct(activity, ["operation", "quadrant"])
    grid = counts.pivot(index="operation", columns="quadrant", values="n_paragraphs")
    grid = grid.reindex(columns=list(QUADRANTS)).fillna(0).astype(int)
    return grid.sort_index()


def quadrant_market_counts(activity: pd.DataFrame) -> pd.DataFrame:
    """Markets (rows, in the table's order, which is the codebook's) x quadrants: distinct
    OC activity paragraphs over all operations."""
    if activity.empty:
        return pd.DataFrame(columns=list(QUADRANTS), dtype=int)
    counts = _distinct(activity, ["market", "quadrant"])
    grid = counts.pivot(index="market", columns="quadrant", values="n_paragraphs")
    markets = list(dict.fromkeys(activity["market"]))
    return grid.reindex(index=markets, columns=list(QUADRANTS)).fillna(0).astype(int)


def quadrant_totals(activity: pd.DataFrame) -> pd.Series:
    """Distinct OC activity paragraphs per quadrant (all operations and markets)."""
    if activity.empty:
        return pd.Series(0, index=list(QUADRANTS), dtype=int)
    counts = _distinct(activity, ["quadrant"]).set_index("quadrant")["n_paragraphs"]
    return counts.reindex(list(QUADRANTS)).fillna(0).astype(int)


def explicit_operations(mandates: pd.DataFrame) -> set[str]:
    """Operations with an explicit OC mandate in at least one resolution."""
    return set(mandates.loc[mandates["explicit_mandate"].fillna(False).astype(bool),
                            "operation"])


def mandate_spans(mandates: pd.DataFrame, open_end: pd.Timestamp,
                  explicit: bool = True) -> pd.DataFrame:
    """Periods with an explicit mandate in force (``explicit=False``: periods under a
    resolution without one): operation, start, end (Timestamps).

    A mandate runs from ``adopted`` to ``in_force_until`` (empty = still in force: up to
    ``open_end``). Touching or overlapping periods of one operation are merged, so a shade
    is drawn once.
    """
    rows = []
    flag = mandates["explicit_mandate"].fillna(False).astype(bool)
    for op, group in mandates[flag == explicit].groupby("operation", sort=True):
        starts = pd.to_datetime(group["adopted"])
        ends = pd.to_datetime(group["in_force_until"].replace("", None)).fillna(open_end)
        merged: list[list] = []
        for start, end in sorted(zip(starts, ends)):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        rows += [(op, s, e) for s, e in merged]
    return pd.DataFrame(rows, columns=["operation", "start", "end"])


def report_activity(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel with numeric counts, a parsed date and ``per_100``: OC activity paragraphs
    per 100 paragraphs of the report (NaN for a report with no paragraphs)."""
    out = panel.copy()
    out["oc_activity_paragraphs"] = to_number(out["oc_activity_paragraphs"], "panel",
                                              "oc_activity_paragraphs")
    out["all_paragraphs"] = to_number(out["all_paragraphs"], "panel", "all_paragraphs")
    out["date"] = pd.to_datetime(out["date"].replace("", None))
    exposure = out["all_paragraphs"].where(out["all_paragraphs"] > 0)
    out["per_100"] = 100 * out["oc_activity_paragraphs"] / exposure
    return out


def mandate_status(panel: pd.DataFrame) -> pd.Series:
    """Reader-facing mandate status per report: explicit mandate / none / unknown."""
    known = panel["mandate_known"].fillna(True).astype(bool) if "mandate_known" in panel \
        else pd.Series(True, index=panel.index)
    status = np.where(panel["explicit_mandate"].fillna(False).astype(bool),
                      "Explicit mandate", "No explicit mandate")
    unknown = ~known | panel["explicit_mandate"].isna()
    return pd.Series(np.where(unknown, "Mandate unknown", status), index=panel.index)


def _is_term(term: str, wanted: str) -> bool:
    # statsmodels formulas name a boolean regressor "x[T.True]".
    return term in (wanted, f"{wanted}[T.True]", f"{wanted}[True]")


def mandate_coefficients(estimates: pd.DataFrame, term: str = "explicit_mandate"):
    """``(shown, not_shown)`` for the coefficient plot.

    ``shown``: one row per fitted model with a ``term`` estimate on a ratio scale, in the
    table's model order: model, family, scale (RR | OR), ratio, low, high, p_value, exact_p,
    exact_method, n, n_clusters, boot_low, boot_high (the wild cluster bootstrap interval
    ``boot_conf_*_exp``, else exp of ``boot_conf_*``; NaN for models without one; a bound may
    be 0 or inf: unbounded on that side). Ratios come from ``estimate_exp``/``conf_*_exp``
    when given, else are exp() of the log-scale columns for count and binary families.
    ``not_shown``: model, why (the table's reason for a model not fitted, or why a fitted
    model has no ratio to draw).
    """
    shown, not_shown = [], []
    where = "estimates"
    for model, group in estimates.groupby("model", sort=False):
        status = group["status"].iloc[0].strip().lower()
        reason = " ".join(str(group["reason"].iloc[0]).split())
        if status != "fitted":
            not_shown.append((model, reason or "not fitted"))
            continue
        rows = group[group["term"].map(lambda t: _is_term(str(t), term))]
        if rows.empty:
            terms = ", ".join(dict.fromkeys(map(str, group["term"])))
            not_shown.append((model, f"fitted, but has no {term} term (terms: {terms})"))
            continue
        row = rows.iloc[[0]]
        family = str(row["family"].iloc[0]).strip().lower()
        num = {c: to_number(row[c], where, c).iloc[0] if c in row else math.nan
               for c in ("estimate", "conf_low", "conf_high", "estimate_exp", "conf_low_exp",
                         "conf_high_exp", "p_value", "exact_p", "n", "n_clusters",
                         "boot_conf_low", "boot_conf_high", "boot_conf_low_exp",
                         "boot_conf_high_exp")}
        boot = [num[f"boot_conf_{s}_exp"] if not math.isnan(num[f"boot_conf_{s}_exp"])
                else math.exp(num[f"boot_conf_{s}"]) if not math.isnan(num[f"boot_conf_{s}"])
                else math.nan for s in ("low", "high")]
        if any(math.isnan(b) for b in boot):
            boot = [math.nan, math.nan]
        if not math.isnan(num["estimate_exp"]):
            ratio = (num["estimate_exp"], num["conf_low_exp"], num["conf_high_exp"])
        elif family in RATIO_FAMILIES and not math.isnan(num["estimate"]):
            ratio = tuple(math.exp(v) if not math.isnan(v) else math.nan
                          for v in (num["estimate"], num["conf_low"], num["conf_high"]))
        else:
            not_shown.append((model, f"{family or 'unknown'} family: not a rate or odds ratio"))
            continue
        if not (math.isfinite(ratio[0]) and ratio[0] > 0):
            not_shown.append((model, f"estimate not finite ({reason or 'no reason given'})"))
            continue
        shown.append({"model": model, "family": family,
                      "scale": RATIO_FAMILIES.get(family, "ratio"),
                      "ratio": ratio[0], "low": ratio[1], "high": ratio[2],
                      "p_value": num["p_value"], "exact_p": num["exact_p"],
                      "exact_method": str(row["exact_method"].iloc[0]),
                      "n": num["n"], "n_clusters": num["n_clusters"], "reason": reason,
                      "boot_low": boot[0], "boot_high": boot[1]})
    columns = ["model", "family", "scale", "ratio", "low", "high", "p_value", "exact_p",
               "exact_method", "n", "n_clusters", "reason", "boot_low", "boot_high"]
    return (pd.DataFrame(shown, columns=columns),
            pd.DataFrame(not_shown, columns=["model", "why"]))
