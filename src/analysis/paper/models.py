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
  ``M__T__exact_test`` (text ``wild bootstrap p``, ``permutation p`` or ``exact p``, from
  the wording of ``exact_method``);
- when the table has the bootstrap interval (``boot_conf_low_exp``/``boot_conf_high_exp``,
  or the log-scale ``boot_conf_low``/``boot_conf_high``): ``M__T__boot_conf_low``,
  ``M__T__boot_conf_high`` (ratio; an infinite upper bound is None with text ``∞``, an
  infinite lower one 0), ``M__T__boot_ci``, ``M__T__boot_unbounded`` (a bound is infinite),
  ``M__T__boot_direction`` (as ``direction``) and ``M__T__boot_agrees`` (same direction as
  the cluster-robust interval); None / ``n/a`` for rows without a bootstrap;
- ``headline__*``: the same for the first fitted model of :data:`HEADLINE_ORDER` (the
  report-level panel first, as the design plans), ``headline__fitted`` false when none is;
- ``M__T__endorsed_direction``, ``M__T__endorsed_ci``, ``M__T__endorsed_p`` and
  ``M__endorsed_inference`` (its name): the direction, interval and p of the inference the
  paper endorses for model M (:data:`ENDORSED`; the model's own interval for models not
  listed there);
- ``n_models``, ``n_models_fitted``, ``n_mandate_models`` (fitted with an
  ``explicit_mandate`` term whose endorsed interval exists) and
  ``n_mandate_higher|lower|inconclusive`` among them, judged by the ENDORSED interval (a
  bootstrap interval containing one is inconclusive even when the t interval lies above
  one); ``n_mandate_no_interval`` (fitted, but the endorsed interval is empty: not counted);
  ``endorsed_note`` (the models whose endorsed inference is not their own interval, and
  which it is); ``ci_level``.

:func:`bootstrap_design` adds what the paper says about the bootstrap, from the panel:
``boot__n_switchers`` (operations whose explicit_mandate changes across their reports: the
only ones with a mandate score under operation fixed effects), ``boot__n_operations``,
``boot__weights``, ``boot__n_vectors`` and ``boot__enumerated`` (the rule of
:func:`analysis.models.fit.bootstrap_weights`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.models.fit import BOOT_DRAWS, MANDATE_TERM, MAX_RADEMACHER, MAX_WEBB
from analysis.paper.format import (
    MISSING,
    Numbers,
    clean,
    fmt_bound,
    fmt_bound_ci,
    fmt_ci,
    fmt_count,
    fmt_p,
    fmt_ratio,
)
from analysis.paper.stats import boolean, numeric, require

EVENT_TERMS = ("lead_3plus", "lead_2", "lag_0", "lag_1", "lag_2", "lag_3plus")
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
    "panel_poisson_twfe": "Reports: Poisson, operation + period FE (TWFE)",
    "panel_poisson_etwfe": "Reports: extended TWFE (imputation), jackknife",
    "panel_event_study": "Reports: event study, Poisson FE",
    "panel_poisson_fe_coding_error": "Reports: Poisson FE carrying coding error",
    "panel_poisson_fe_loo": "Reports: Poisson FE, one switcher left out",
}
HEADLINE_ORDER = ("panel_poisson_fe", "panel_poisson_twfe", "panel_poisson_etwfe",
                  "panel_negbin_fe", "cross_section_volume_poisson",
                  "cross_section_volume_negbin", "panel_logit_any", "panel_logit_any_pooled",
                  "cross_section_breadth_poisson", "cross_section_breadth_binomial")
TERM_LABELS = {MANDATE_TERM: "Explicit mandate",
               "lead_3plus": "Three or more reports before",
               "lead_2": "Two reports before",
               "lag_0": "First report under mandate",
               "lag_1": "Next report",
               "lag_2": "Second report after",
               "lag_3plus": "Three or more reports after"}
NO_RATIO_TERMS = ("alpha", "overdispersion_lr", "pretrend_wald")
COLUMNS = ["model", "family", "term", "estimate", "conf_low", "conf_high", "p_value",
           "estimate_exp", "conf_low_exp", "conf_high_exp", "exact_p", "n", "n_clusters",
           "status", "reason"]
BOOT_COLUMNS = ("boot_conf_low", "boot_conf_high", "boot_conf_low_exp", "boot_conf_high_exp")
TABLE_COLUMNS = ["Model", "Term", "Ratio", "95% CI", "p", "Bootstrap 95% CI",
                 "Exact or resampling p", "N", "Clusters", "Status"]
NOTE_COLUMNS = ["Model", "Status", "Notes"]


class Inference(NamedTuple):
    """Columns of estimates.csv (ratio scale) holding an inference's 95% interval and p."""
    low: str
    high: str
    p: str
    name: str


MODEL_INFERENCE = Inference("conf_low_exp", "conf_high_exp", "p_value",
                            "the model's own 95% interval")
BOOTSTRAP_INFERENCE = Inference("boot_conf_low_exp", "boot_conf_high_exp", "exact_p",
                                "the wild cluster score bootstrap interval (test inversion)")
# The inference the paper endorses per model: the ONE place that says which interval decides
# whether a model's mandate ratio counts as above or below one (counts, round comparisons).
# Models not listed use MODEL_INFERENCE. Extend with new models: {model id: Inference(...)}.
ENDORSED: dict[str, Inference] = {"panel_poisson_fe": BOOTSTRAP_INFERENCE}


def endorsed(model: str, columns=None) -> Inference:
    """The endorsed inference of ``model``; MODEL_INFERENCE when ``columns`` (a table's
    columns) lacks the endorsed columns (an older table or estimates_by_round.csv)."""
    inf = ENDORSED.get(model, MODEL_INFERENCE)
    if columns is not None and not {inf.low, inf.high} <= set(columns):
        return MODEL_INFERENCE
    return inf


def model_label(model: str) -> str:
    return MODEL_LABELS.get(model, model.replace("_", " "))


def scale(family: str) -> str:
    return "odds ratio" if family in ("binomial", "logit") else "rate ratio"


def direction(low, high) -> str:
    """higher / lower / inconclusive for a ratio interval (bounds may be 0 or inf)."""
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return MISSING
    return "higher" if low > 1 else "lower" if high < 1 else "inconclusive"


def exact_test(method: str) -> str:
    """What the ``exact_p`` of a row is, from the wording of its ``exact_method``."""
    m = (method or "").lower()
    if "bootstrap" in m:
        return "wild bootstrap"
    if "permutation" in m:
        return "permutation"
    return "exact"


def weight_scheme(n_switchers: int) -> tuple[str, int, bool]:
    """(weights, number of weight vectors, enumerated?) for the score bootstrap over
    ``n_switchers`` clusters: the rule of :func:`analysis.models.fit.bootstrap_weights`."""
    s = int(n_switchers)
    if s <= MAX_WEBB:
        return "Webb six-point", 6 ** s, True
    if s <= MAX_RADEMACHER:
        return "Rademacher", 2 ** s, True
    return "Rademacher", BOOT_DRAWS, False


def bootstrap_design(num: Numbers, panel: pd.DataFrame, *, file: str) -> None:
    """``boot__*`` (module doc) from the panel table (strings), with the sample rule of
    :func:`analysis.models.panel.panel_sample`: a known mandate and paragraphs > 0."""
    require(panel, ["operation", "explicit_mandate", "mandate_known", "all_paragraphs"], file,
            "the tables stage (analysis.coding.tables)")
    explicit = boolean(panel, "explicit_mandate", file)
    known = boolean(panel, "mandate_known", file).fillna(False).astype(bool)
    paras = numeric(panel, "all_paragraphs", file).fillna(0)
    keep = known & explicit.notna() & (paras > 0)
    df = pd.DataFrame({"op": panel["operation"][keep], "e": explicit[keep].astype(bool)})
    per_op = df.groupby("op")["e"].nunique()
    n_switch = int((per_op > 1).sum())
    how = ("operations of the model sample (mandate_known, explicit_mandate set, "
           "all_paragraphs > 0)")
    num.count("boot__n_operations", len(per_op), file, how)
    num.count("boot__n_switchers", n_switch, file,
              f"{how} whose explicit_mandate takes both values across their reports")
    num.count("boot__n_static", len(per_op) - n_switch, file,
              "boot__n_operations - boot__n_switchers")
    weights, n_vectors, enumerated = weight_scheme(n_switch)
    rule = (f"analysis.models.fit.bootstrap_weights: Webb up to {MAX_WEBB} switchers (6^S "
            f"vectors), Rademacher up to {MAX_RADEMACHER} (2^S), else {BOOT_DRAWS} draws")
    num.label("boot__weights", weights, file, rule)
    num.count("boot__n_vectors", n_vectors, file, rule)
    num.flag("boot__enumerated", enumerated, file, rule)


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
    num.add(f"{key}__endorsed_inference", endorsed(model, vals).name, None, file,
            "ENDORSED in analysis.paper.models")
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
        fitted = row["status"] == "fitted"
        d = direction(low, high) if fitted else "not_fitted"
        num.label(f"{t}__direction", d, file, "higher: conf_low_exp > 1; lower: conf_high_exp"
                  " < 1; inconclusive: the interval contains 1")
        test = exact_test(row.get("exact_method", ""))
        num.add(f"{t}__exact_test", test if v["exact_p"] is not None else None,
                f"{test} p" if v["exact_p"] is not None else MISSING, file,
                f"wording of exact_method, {thow}")
        boot = _boot_numbers(num, t, vals, idx, d if fitted else None, file, thow)
        inf = endorsed(model, vals)
        elow, ehigh = (float(vals[c].loc[idx]) for c in (inf.low, inf.high))
        ep = clean(vals[inf.p].loc[idx])
        ed = direction(elow, ehigh) if fitted else "not_fitted"
        num.label(f"{t}__endorsed_direction", ed, file, f"as direction, of {inf.low} and "
                  f"{inf.high} ({inf.name}: the inference endorsed for {model}, ENDORSED in "
                  "analysis.paper.models)")
        has_ci = not (np.isnan(elow) or np.isnan(ehigh))
        num.add(f"{t}__endorsed_ci", [clean(elow), clean(ehigh)] if has_ci else None,
                fmt_bound_ci(elow, ehigh), file, f"{inf.low} and {inf.high} (an infinite bound "
                f"is None), {thow}")
        num.pvalue(f"{t}__endorsed_p", ep, file, f"{inf.p}, {thow}")
        exact_cell = "" if v["exact_p"] is None else f"{fmt_p(v['exact_p'])} ({test})"
        out.append({"Model": model_label(model), "Term": TERM_LABELS.get(term, term),
                    "Ratio": fmt_ratio(ratio), "95% CI": fmt_ci(low, high),
                    "p": fmt_p(v["p_value"]), "Bootstrap 95% CI": boot or "",
                    "Exact or resampling p": exact_cell, "N": fmt_count(n),
                    "Clusters": "" if pd.isna(nc) else fmt_count(nc),
                    "Status": status.replace("_", " ")})
    return out


def _boot_numbers(num: Numbers, t: str, vals: dict, idx, cr_direction, file: str,
                  thow: str) -> str | None:
    """``t__boot_*`` of one row (module doc); returns the interval's text or None."""
    low, high = (vals[f"boot_conf_{s}_exp"].loc[idx] for s in ("low", "high"))
    has = not (pd.isna(low) or pd.isna(high))
    if not has:  # rows without a bootstrap get no boot keys (the headline copies n/a)
        return None
    how = f"boot_conf_low_exp and boot_conf_high_exp (95%, test inversion), {thow}"
    num.add(f"{t}__boot_conf_low", clean(low), fmt_bound(low), file, f"boot_conf_low_exp; -inf on the log "
            f"scale is 0, {thow}")
    num.add(f"{t}__boot_conf_high", clean(high), fmt_bound(high), file, f"boot_conf_high_exp; inf (no upper "
            f"bound) is None with text ∞, {thow}")
    text = fmt_bound_ci(low, high)
    num.add(f"{t}__boot_ci", [clean(low), clean(high)], text, file, how)
    num.flag(f"{t}__boot_unbounded_low", low == 0, file, f"lower bound 0 (-inf on the log "
             f"scale), {how}")
    num.flag(f"{t}__boot_unbounded_high", bool(np.isinf(high)), file, f"upper bound inf, {how}")
    num.flag(f"{t}__boot_unbounded", low == 0 or bool(np.isinf(high)), file,
             f"a bound is infinite (0 or inf), {how}")
    bd = direction(low, high)
    num.label(f"{t}__boot_direction", bd, file, f"as direction, of the bootstrap interval; {how}")
    agrees = None if bd is None or cr_direction in (None, MISSING) else bd == cr_direction
    num.flag(f"{t}__boot_agrees", agrees, file, "boot_direction == direction (cluster-robust "
             "and bootstrap intervals on the same side of one, or both across it)")
    return text


def estimate_numbers(num: Numbers, est: pd.DataFrame | None, *, file: str,
                     headline_model: str | None = None, headline_estimator: str | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Numbers of every model (module doc); returns (estimates table, notes table).

    ``headline_model``: the model of the estimator the simulation's headline rule chose
    (``headline_estimator``); it is the headline when fitted, else the first fitted model
    of :data:`HEADLINE_ORDER` (``headline__from_rule`` says which)."""
    num.flag("has_estimates", est is not None and len(est) > 0, file,
             "the table exists and has rows")
    table, notes = [], []
    if est is None or est.empty:
        est = pd.DataFrame(columns=COLUMNS)
    require(est, COLUMNS, file, "the models stage (analysis.models.run)")
    vals = {c: numeric(est, c, file) for c in ("estimate", "conf_low", "conf_high", "p_value",
                                               "estimate_exp", "conf_low_exp", "conf_high_exp",
                                               "exact_p", "n", "n_clusters")}
    # Ratios on the exp scale; a row without them (an older table) gets exp of the link scale.
    for c in ("estimate", "conf_low", "conf_high"):
        vals[f"{c}_exp"] = vals[f"{c}_exp"].fillna(
            np.exp(vals[c].where(~est["term"].isin(NO_RATIO_TERMS))))
    # The bootstrap interval (panel mandate row only; optional: older tables lack it). Its
    # bounds may be -inf/inf on the log scale, 0/inf on the ratio scale.
    for c in BOOT_COLUMNS:
        vals[c] = (numeric(est, c, file) if c in est.columns
                   else pd.Series(np.nan, index=est.index))
    for c in ("boot_conf_low", "boot_conf_high"):
        vals[f"{c}_exp"] = vals[f"{c}_exp"].fillna(np.exp(vals[c]))
    models = _order(est["model"].unique())
    tally = {"higher": 0, "lower": 0, "inconclusive": 0}
    fitted, no_interval = 0, []
    for model in models:
        rows = est[est["model"] == model]
        table += _add_model(num, model, rows, vals, file, model)
        status = num.values[f"{model}__status"]
        fitted += status == "fitted"
        d = num.values.get(f"{model}__{MANDATE_TERM}__endorsed_direction")
        if status == "fitted" and d in tally:
            tally[d] += 1
        elif status == "fitted" and f"{model}__{MANDATE_TERM}__estimate" in num.values:
            no_interval.append(model_label(model))
        notes.append({"Model": model_label(model), "Status": status.replace("_", " "),
                      "Notes": num.values[f"{model}__reason"] or ""})
    num.count("n_models", len(models), file, "distinct model ids")
    num.count("n_models_fitted", fitted, file, "models whose rows all have status fitted")
    num.add("ci_level", 0.95, "95%", file, "conf_low/conf_high are 95% intervals "
            "(contract of estimates.csv, analysis.schemas.models)")
    num.add("bound_unbounded_low", 0.0, fmt_bound(0.0), file, "how a ratio interval's missing "
            "lower bound (-inf on the log scale) is printed")
    num.add("bound_unbounded_high", None, fmt_bound(np.inf), file, "how a ratio interval's "
            "missing upper bound (inf) is printed")
    num.add("test_level", 0.05, "5%", file, "two-sided tests at 1 - ci_level (p < 0.05 rejects)")
    num.count("n_mandate_models", sum(tally.values()), file,
              "fitted models with an explicit_mandate term and an endorsed interval")
    for d, n in tally.items():
        num.count(f"n_mandate_{d}", n, file, f"fitted models whose explicit_mandate ratio is {d}"
                  " by the endorsed inference (ENDORSED in analysis.paper.models: 95% interval "
                  "above 1 / below 1 / containing 1)")
    num.count("n_mandate_no_interval", len(no_interval), file, "fitted models with an "
              "explicit_mandate term whose endorsed interval is empty (not counted above)")
    num.add("mandate_no_interval", no_interval or None, ", ".join(no_interval) or MISSING,
            file, "labels of those models")
    special = [f"{inf.name} for {model_label(m)}" for m, inf in ENDORSED.items()
               if m in models and num.values.get(f"{m}__status") == "fitted"]
    num.add("endorsed_note", special or None, "; ".join(special) or MISSING, file,
            "models whose endorsed inference (ENDORSED) is not their own interval")
    def usable(m):
        return (m in models and num.values[f"{m}__status"] == "fitted"
                and f"{m}__{MANDATE_TERM}__estimate" in num.values)

    order = ([headline_model] if headline_model else []) + list(HEADLINE_ORDER)
    head = next((m for m in order if usable(m)), None)
    num.flag("headline__fitted", head is not None, file,
             f"first fitted model of {', '.join(order)}")
    num.flag("headline__from_rule", None if not headline_model else head == headline_model,
             file, f"the headline is the model of the simulation's headline estimator "
             f"({headline_estimator}: {headline_model})")
    sensitivity_numbers(num, est, vals, file)
    _headline(num, head, est[est["model"] == head] if head else None, vals, file)
    return (pd.DataFrame(table, columns=TABLE_COLUMNS), pd.DataFrame(notes, columns=NOTE_COLUMNS))


def _headline(num: Numbers, model: str | None, rows, vals, file) -> None:
    """``headline__*``: copies of the headline model's mandate numbers (or n/a)."""
    fields = ("label", "scale", "n", "n_clusters")
    terms = ("estimate", "ci", "conf_low", "conf_high", "p", "direction", "exact_p",
             "exact_test", "boot_ci", "boot_conf_low", "boot_conf_high", "boot_unbounded",
             "boot_unbounded_low", "boot_unbounded_high",
             "boot_direction", "boot_agrees")
    for f in fields:
        src = f"{model}__{f}"
        num.add(f"headline__{f}", num.values.get(src) if model else None,
                num.text.get(src, MISSING) if model else MISSING, file, f"copy of {src}")
    for f in terms:
        src = f"{model}__{MANDATE_TERM}__{f}"
        num.add(f"headline__{f}", num.values.get(src) if model else None,
                num.text.get(src, MISSING) if model else MISSING, file, f"copy of {src}")
    num.label("headline__model", model, file, "model id of the headline estimate")
    has_boot = model is not None and num.values.get(f"{model}__{MANDATE_TERM}__boot_ci") \
        is not None
    num.flag("headline__has_boot", has_boot, file, "the headline model's mandate row has a "
             "bootstrap interval")
    unit = None if model is None else "reports" if model.startswith("panel") else "operations"
    num.label("headline__unit", unit, file, "observations of the headline model: reports "
              "(panel_*) or operations (cross_section_*)")


def sensitivity_numbers(num: Numbers, est: pd.DataFrame, vals: dict, file: str) -> None:
    """Leave-one-switcher-out, coding error and the event study's pre-trend test.

    ``loo__n`` (fitted rows of panel_poisson_fe_loo), ``loo__min``/``loo__max`` (rate
    ratios), ``loo__n_above_one`` (their 95% interval above one), ``loo__min_without``
    (the switcher whose removal gives the lowest ratio); ``coding_error__widening`` (share by
    which the 95% interval of panel_poisson_fe_coding_error is wider than that of
    panel_poisson_fe, log scale); ``pretrend__fitted``, ``pretrend__F``, ``pretrend__p``.
    """
    fitted = est["status"] == "fitted"
    loo = est[(est["model"] == "panel_poisson_fe_loo") & fitted]
    ratios = vals["estimate_exp"].loc[loo.index]
    how = "rows model == panel_poisson_fe_loo, status fitted"
    num.count("loo__n", len(loo), file, how)
    num.count("loo__n_rows", int((est["model"] == "panel_poisson_fe_loo").sum()), file,
              "rows model == panel_poisson_fe_loo")
    num.ratio("loo__min", clean(ratios.min()) if len(loo) else None, file,
              f"min estimate_exp, {how}")
    num.ratio("loo__max", clean(ratios.max()) if len(loo) else None, file,
              f"max estimate_exp, {how}")
    num.count("loo__n_above_one", int((vals["conf_low_exp"].loc[loo.index] > 1).sum())
              if len(loo) else None, file, f"conf_low_exp > 1, {how}")
    num.label("loo__min_without", str(loo.loc[ratios.idxmin(), "term"]).split("without ")[-1]
              if len(loo) else None, file, f"operation left out at the min, {how}")
    width = {}
    for model in ("panel_poisson_fe", "panel_poisson_fe_coding_error"):
        row = est[(est["model"] == model) & (est["term"] == MANDATE_TERM) & fitted]
        if len(row):
            i = row.index[0]
            width[model] = vals["conf_high"].loc[i] - vals["conf_low"].loc[i]
    widening = (width["panel_poisson_fe_coding_error"] / width["panel_poisson_fe"] - 1
                if len(width) == 2 and width["panel_poisson_fe"] > 0 else None)
    num.share("coding_error__widening", clean(widening), file, "width of the 95% interval "
              "(log scale) of panel_poisson_fe_coding_error over that of panel_poisson_fe, "
              "minus one")
    pre = est[(est["model"] == "panel_event_study") & (est["term"] == "pretrend_wald")]
    ok = len(pre) and pre["status"].iloc[0] == "fitted"
    num.flag("pretrend__fitted", bool(ok), file, "row panel_event_study / pretrend_wald fitted")
    num.ratio("pretrend__F", clean(vals["estimate"].loc[pre.index[0]]) if ok else None, file,
              "estimate (F statistic) of panel_event_study / pretrend_wald")
    num.add("pretrend__p", clean(vals["p_value"].loc[pre.index[0]]) if ok else None,
            fmt_p(clean(vals["p_value"].loc[pre.index[0]])) if ok else MISSING, file,
            "p_value of panel_event_study / pretrend_wald (F(q, S-1))")
