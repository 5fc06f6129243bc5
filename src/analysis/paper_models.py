"""Model estimates for the paper: named numbers and the table of mandate terms.

Reads ``results/models/estimates.csv`` (contract: :mod:`analysis.schemas.models`): one row
per model and term, link-scale estimates with ``*_exp`` (rate ratio for Poisson and
negative binomial, odds ratio for binomial), ``status`` fitted | not_fitted, ``reason``.

Numbers (see :func:`estimate_numbers`), per model M and key term T (``explicit_mandate``
and the event-time terms of the leads-and-lags model):

- ``M__label``, ``M__scale`` (rate ratio | odds ratio), ``M__status``, ``M__n``,
  ``M__n_clusters``, ``M__exact_method``;
- ``M__T__estimate`` (the ratio), ``M__T__conf_low``, ``M__T__conf_high``, ``M__T__ci``,
  ``M__T__p``, ``M__T__exact_p``, ``M__T__direction``: ``higher`` when the 95% interval of
  the ratio lies above 1, ``lower`` when below, ``inconclusive`` when it contains 1;
- ``headline__*``: the same for the first fitted model of :data:`HEADLINE_ORDER` (the
  report-level panel first, as the design plans), ``headline__fitted`` false when none is;
- ``n_models``, ``n_models_fitted``, ``n_mandate_models`` (fitted with an
  ``explicit_mandate`` term) and ``n_mandate_higher|lower|inconclusive`` among them;
  ``ci_level``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.paper_format import MISSING, Numbers, clean, fmt_ci, fmt_count, fmt_p, fmt_ratio
from analysis.paper_stats import numeric, require

MANDATE_TERM = "explicit_mandate"
EVENT_TERMS = ("lead_2plus", "lag_0", "lag_1", "lag_2plus")
KEY_TERMS = (MANDATE_TERM, *EVENT_TERMS)
MODEL_LABELS = {
    "cross_section_volume_poisson": "Operations: volume, Poisson",
    "cross_section_volume_negbin": "Operations: volume, negative binomial",
    "cross_section_breadth_poisson": "Operations: breadth, Poisson",
    "cross_section_breadth_binomial": "Operations: breadth, binomial",
    "panel_poisson_fe": "Reports: Poisson, operation FE",
    "panel_negbin_fe": "Reports: negative binomial, operation FE",
    "panel_logit_any": "Reports: logit any activity, operation FE",
    "panel_logit_any_pooled": "Reports: logit any activity, pooled",
    "panel_leads_lags": "Reports: leads and lags, Poisson FE",
}
HEADLINE_ORDER = ("panel_poisson_fe", "panel_negbin_fe", "cross_section_volume_poisson",
                  "cross_section_volume_negbin", "panel_logit_any", "panel_logit_any_pooled",
                  "cross_section_breadth_poisson", "cross_section_breadth_binomial")
TERM_LABELS = {MANDATE_TERM: "Explicit mandate",
               "lead_2plus": "Two or more reports before",
               "lag_0": "First report under mandate",
               "lag_1": "Next report",
               "lag_2plus": "Two or more reports after"}
COLUMNS = ["model", "family", "term", "estimate", "conf_low", "conf_high", "p_value",
           "estimate_exp", "conf_low_exp", "conf_high_exp", "exact_p", "n", "n_clusters",
           "status", "reason"]
TABLE_COLUMNS = ["Model", "Term", "Ratio", "95% CI", "p", "Exact p", "N", "Clusters",
                 "Status"]
NOTE_COLUMNS = ["Model", "Status", "Notes"]


def model_label(model: str) -> str:
    return MODEL_LABELS.get(model, model.replace("_", " "))


def scale(family: str) -> str:
    return "odds ratio" if family in ("binomial", "logit") else "rate ratio"


def direction(low, high) -> str:
    if low is None or high is None:
        return MISSING
    return "higher" if low > 1 else "lower" if high < 1 else "inconclusive"


def _order(models) -> list[str]:
    known = [m for m in MODEL_LABELS if m in set(models)]
    return known + sorted(set(models) - set(known))


def _add_model(num: Numbers, key: str, rows: pd.DataFrame, vals: dict, file: str,
               model: str) -> list[dict]:
    """Numbers for one model under prefix ``key``; table rows of its key terms."""
    first = rows.iloc[0]
    status = "fitted" if (rows["status"] == "fitted").all() else "not_fitted"
    how = f"rows with model == {model}"
    num.label(f"{key}__model", model, file, how)
    num.add(f"{key}__label", model_label(model), None, file, "pretty name of the model id")
    num.add(f"{key}__scale", scale(first["family"]), None, file, f"family {first['family']}")
    num.add(f"{key}__status", status, status.replace("_", " "), file, how)
    n = vals["n"].loc[first.name]
    num.count(f"{key}__n", n, file, f"column n, {how}")
    nc = vals["n_clusters"].loc[first.name]
    num.count(f"{key}__n_clusters", None if pd.isna(nc) else nc, file,
              f"column n_clusters, {how}")
    methods = [m for m in rows.get("exact_method", pd.Series(dtype=str)) if m]
    num.add(f"{key}__exact_method", methods[0] if methods else None, None, file,
            f"column exact_method, {how}")
    num.add(f"{key}__reason", "; ".join(sorted({r for r in rows["reason"] if r})) or None,
            None, file, f"column reason, {how}")
    out = []
    for idx, row in rows.iterrows():
        term = row["term"]
        if term not in KEY_TERMS:
            continue
        v = {c: clean(vals[c].loc[idx]) for c in vals}
        ratio = v["estimate_exp"]
        low, high = v["conf_low_exp"], v["conf_high_exp"]
        t = f"{key}__{term}"
        thow = f"row model == {model}, term == {term}"
        num.ratio(f"{t}__estimate", ratio, file, f"estimate_exp ({scale(row['family'])}), {thow}")
        num.ratio(f"{t}__conf_low", low, file, f"conf_low_exp (95%), {thow}")
        num.ratio(f"{t}__conf_high", high, file, f"conf_high_exp (95%), {thow}")
        num.add(f"{t}__ci", None if low is None else [low, high], fmt_ci(low, high), file,
                f"conf_low_exp and conf_high_exp, {thow}")
        num.pvalue(f"{t}__p", v["p_value"], file, f"p_value, {thow}")
        num.pvalue(f"{t}__exact_p", v["exact_p"], file, f"exact_p, {thow}")
        num.label(f"{t}__direction", direction(low, high) if row["status"] == "fitted"
                  else "not_fitted", file, "higher: conf_low_exp > 1; lower: conf_high_exp < 1;"
                  " inconclusive: the interval contains 1")
        out.append({"Model": model_label(model), "Term": TERM_LABELS.get(term, term),
                    "Ratio": fmt_ratio(ratio), "95% CI": fmt_ci(low, high),
                    "p": fmt_p(v["p_value"]), "Exact p": fmt_p(v["exact_p"]) if v["exact_p"]
                    is not None else "", "N": fmt_count(n),
                    "Clusters": "" if pd.isna(nc) else fmt_count(nc),
                    "Status": status.replace("_", " ")})
    return out


def estimate_numbers(num: Numbers, est: pd.DataFrame | None, *,
                     file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numbers of every model (module doc); returns (estimates table, notes table)."""
    num.flag("has_estimates", est is not None and len(est) > 0, file,
             "the table exists and has rows")
    table, notes = [], []
    if est is None or est.empty:
        est = pd.DataFrame(columns=COLUMNS)
    require(est, COLUMNS, file, "the models stage (analysis.models)")
    vals = {c: numeric(est, c, file) for c in ("estimate", "conf_low", "conf_high", "p_value",
                                               "estimate_exp", "conf_low_exp", "conf_high_exp",
                                               "exact_p", "n", "n_clusters")}
    # Ratios on the exp scale; a row without them (an older table) gets exp of the link scale.
    for c in ("estimate", "conf_low", "conf_high"):
        vals[f"{c}_exp"] = vals[f"{c}_exp"].fillna(np.exp(vals[c].where(est["term"] != "alpha")))
    models = _order(est["model"].unique())
    tally = {"higher": 0, "lower": 0, "inconclusive": 0}
    fitted = 0
    for model in models:
        rows = est[est["model"] == model]
        table += _add_model(num, model, rows, vals, file, model)
        status = num.values[f"{model}__status"]
        fitted += status == "fitted"
        d = num.values.get(f"{model}__{MANDATE_TERM}__direction")
        if status == "fitted" and d in tally:
            tally[d] += 1
        notes.append({"Model": model_label(model), "Status": status.replace("_", " "),
                      "Notes": num.values[f"{model}__reason"] or ""})
    num.count("n_models", len(models), file, "distinct model ids")
    num.count("n_models_fitted", fitted, file, "models whose rows all have status fitted")
    num.add("ci_level", 0.95, "95%", file, "conf_low/conf_high are 95% intervals "
            "(contract of estimates.csv, analysis.schemas.models)")
    num.count("n_mandate_models", sum(tally.values()), file,
              "fitted models with an explicit_mandate term")
    for d, n in tally.items():
        num.count(f"n_mandate_{d}", n, file, f"fitted models whose explicit_mandate ratio is {d}"
                  " (95% interval above 1 / below 1 / containing 1)")
    head = next((m for m in HEADLINE_ORDER if m in models
                 and num.values[f"{m}__status"] == "fitted"
                 and f"{m}__{MANDATE_TERM}__estimate" in num.values), None)
    num.flag("headline__fitted", head is not None, file,
             f"first fitted model of {', '.join(HEADLINE_ORDER)}")
    _headline(num, head, est[est["model"] == head] if head else None, vals, file)
    return (pd.DataFrame(table, columns=TABLE_COLUMNS), pd.DataFrame(notes, columns=NOTE_COLUMNS))


def _headline(num: Numbers, model: str | None, rows, vals, file) -> None:
    """``headline__*``: copies of the headline model's mandate numbers (or n/a)."""
    fields = ("label", "scale", "n", "n_clusters")
    terms = ("estimate", "ci", "conf_low", "conf_high", "p", "direction")
    for f in fields:
        src = f"{model}__{f}"
        num.add(f"headline__{f}", num.values.get(src) if model else None,
                num.text.get(src, MISSING) if model else MISSING, file, f"copy of {src}")
    for f in terms:
        src = f"{model}__{MANDATE_TERM}__{f}"
        num.add(f"headline__{f}", num.values.get(src) if model else None,
                num.text.get(src, MISSING) if model else MISSING, file, f"copy of {src}")
    num.label("headline__model", model, file, "model id of the headline estimate")
    unit = None if model is None else "reports" if model.startswith("panel") else "operations"
    num.label("headline__unit", unit, file, "observations of the headline model: reports "
              "(panel_*) or operations (cross_section_*)")
