"""Operation cross-section: the operations table and the models fitted on it.

:func:`operation_table` builds ``results/models/operations.csv``, one row per operation:

- ``explicit_mandate``: True if an explicit OC mandate was in force at the date of ANY of
  the operation's reports (panel rows with a known mandate); False if the mandate was known
  at some report date and never explicit. An operation with no report under a known
  mandate falls back on its resolutions (True if any resolution in ``mandates.csv`` gives
  one); ``mandate_basis`` says which (``report_dates`` | ``resolutions`` | empty = unknown,
  left out of the models).
- ``breadth``: quadrants (0-4) with at least one OC activity paragraph in
  ``mission_activity.csv`` (reports and studies, any market: the seed paper's Figure 2 row).
- ``volume``: OC activity paragraphs over the operation's reports (``panel.csv``);
  ``exposure``: all its report paragraphs; ``n_reports``, ``n_reports_mandated``,
  ``mandate_changes`` (explicit_mandate differs between its reports).
- ``organisation``, ``kind``, ``start_year`` from ``raw/missions.csv``; ``duration`` in years,
  start to end year inclusive, with the year of the corpus's last report as the end of
  ongoing operations.

:func:`cross_section_models` fits volume (Poisson with HC1 standard errors, and NB2
negative binomial with alpha estimated by maximum likelihood, ``statsmodels``
``NegativeBinomial``; offset log(exposure)) and breadth (Poisson, and binomial out of 4
quadrants, since a bounded count cannot be overdispersed the way the NB assumes) on
``explicit_mandate``. Controls are added in the order start_year, duration, organisation,
kind only while the residual degrees of freedom stay >= ``min_resid_df``; every dropped
control and why is written in ``reason``. Beside each model a permutation p-value
(:func:`analysis.models.fit.permutation_p`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.models.fit import (
    MANDATE_TERM,
    fit_negbin,
    guarded_fit,
    not_fitted,
    permutation_p,
    tidy_rows,
)
from analysis.vocab import QUADRANTS

CONTROLS = ("start_year", "duration", "organisation", "kind")
NUMERIC_CONTROLS = ("start_year", "duration")
N_QUADRANTS = len(QUADRANTS)  # breadth is out of this many


def as_boolean(values: pd.Series) -> pd.Series:
    """True/False/"True"/"False"/empty/NaN -> pandas nullable boolean."""
    mapping = {"true": True, "false": False, "1": True, "0": False}
    return values.map(lambda v: pd.NA if v is None or v is pd.NA or (isinstance(v, float)
                                                                     and np.isnan(v))
                      else mapping.get(str(v).strip().lower(), pd.NA)).astype("boolean")


def operation_table(panel: pd.DataFrame, activity: pd.DataFrame, mandates: pd.DataFrame,
                    missions: pd.DataFrame) -> pd.DataFrame:
    """``operations.csv`` (see the module doc); rows sorted by operation."""
    panel = panel.copy()
    panel["explicit_mandate"] = as_boolean(panel["explicit_mandate"])
    panel["mandate_known"] = as_boolean(panel["mandate_known"]).fillna(False)
    ops = sorted(set(panel["operation"]) | set(activity["operation"])
                 | set(mandates["operation"]))
    years = pd.to_datetime(panel["date"], errors="coerce").dt.year.dropna()
    last_year = int(years.max()) if len(years) else None
    facts = missions.set_index("acronym") if len(missions) else pd.DataFrame()
    quad = activity.groupby(["operation", "quadrant"])["n_paragraphs"].sum()
    res_explicit = as_boolean(mandates["explicit_mandate"]).groupby(
        mandates["operation"].to_numpy()).any()
    rows = []
    for op in ops:
        reps = panel[panel["operation"] == op]
        known = reps[reps["mandate_known"] & reps["explicit_mandate"].notna()]
        if len(known):
            explicit, basis = bool(known["explicit_mandate"].any()), "report_dates"
        elif op in res_explicit.index:
            explicit, basis = bool(res_explicit[op]), "resolutions"
        else:
            explicit, basis = pd.NA, ""
        row = {"operation": op, "explicit_mandate": explicit, "mandate_basis": basis,
               "breadth": int((quad.get(op, pd.Series(dtype=int)) > 0).sum()),
               "volume": int(reps["oc_activity_paragraphs"].sum()),
               "exposure": int(reps["all_paragraphs"].sum()),
               "organisation": "", "kind": "", "start_year": pd.NA, "duration": pd.NA,
               "n_reports": len(reps),
               "n_reports_mandated": int(known["explicit_mandate"].astype(bool).sum()),
               "mandate_changes": bool(known["explicit_mandate"].nunique() > 1)}
        if op in facts.index:
            fact = facts.loc[op]
            row["organisation"], row["kind"] = str(fact["organisation"]), str(fact["kind"])
            start = fact["start_year"]
            end = fact["end_year"] if pd.notna(fact["end_year"]) else last_year
            if pd.notna(start):
                row["start_year"] = int(start)
                if end is not None and pd.notna(end):
                    row["duration"] = max(int(end) - int(start) + 1, 1)
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(rows[0]) if rows else OPERATION_COLUMNS)
    out["explicit_mandate"] = out["explicit_mandate"].astype("boolean")
    for col in ("start_year", "duration"):
        out[col] = out[col].astype("Int64")
    return out[OPERATION_COLUMNS].reset_index(drop=True)


OPERATION_COLUMNS = ["operation", "explicit_mandate", "mandate_basis", "breadth", "volume",
                     "exposure", "organisation", "kind", "start_year", "duration",
                     "n_reports", "n_reports_mandated", "mandate_changes"]


def choose_controls(sample: pd.DataFrame, *, extra_params: int,
                    min_resid_df: int) -> tuple[list[str], list[str]]:
    """Controls kept (in :data:`CONTROLS` order) and a note per dropped control.

    A control is dropped when it is missing for some operation, does not vary, would leave
    n - k < ``min_resid_df`` (k counts intercept, mandate, kept controls and
    ``extra_params``), or is collinear with the mandate and the controls already kept.
    """
    n = len(sample)
    kept, dropped = [], []
    k = 2 + extra_params
    base = [np.ones(n), sample[MANDATE_TERM].to_numpy(float)]
    for name in CONTROLS:
        col = sample[name]
        missing = int((col.isna() | (col.astype(str) == "")).sum())
        if missing:
            dropped.append(f"{name} dropped: missing for {missing} operations")
            continue
        if col.nunique() < 2:
            dropped.append(f"{name} dropped: no variation")
            continue
        if name in NUMERIC_CONTROLS:
            cols = [col.to_numpy(float) - col.astype(float).mean()]
        else:
            levels = sorted(col.astype(str).unique())
            cols = [(col.astype(str) == lv).to_numpy(float) for lv in levels[1:]]
        if n - (k + len(cols)) < min_resid_df:
            dropped.append(f"{name} dropped: would leave n - k = {n - k - len(cols)} "
                           f"< {min_resid_df} residual df")
            continue
        design = np.column_stack(base + cols)
        if np.linalg.matrix_rank(design) < design.shape[1]:
            dropped.append(f"{name} dropped: collinear with {MANDATE_TERM} or earlier controls")
            continue
        kept.append(name)
        base += cols
        k += len(cols)
    return kept, dropped


def _formula(outcome: str, controls: list[str]) -> str:
    rhs = [MANDATE_TERM] + [c if c in NUMERIC_CONTROLS else f"C({c})" for c in controls]
    return f"{outcome} ~ " + " + ".join(rhs)


def _reported_terms(exog_names: list[str]) -> dict[str, str]:
    """statsmodels name -> table name (Intercept -> intercept, C(kind)[T.x] -> kind[x])."""
    out = {}
    for name in exog_names:
        if name == "Intercept":
            out[name] = "intercept"
        elif name.startswith("C(") and ")[T." in name:
            var, level = name[2:].split(")[T.", 1)
            out[name] = f"{var}[{level.rstrip(']')}]"
        else:
            out[name] = name
    return out


def _sample(ops: pd.DataFrame, need_exposure: bool) -> pd.DataFrame:
    s = ops[ops["explicit_mandate"].notna()].copy()
    s = s[s["exposure"] > 0] if need_exposure else s[(s["n_reports"] > 0) | (s["breadth"] > 0)]
    s[MANDATE_TERM] = s["explicit_mandate"].astype(bool).astype(int)
    for name in NUMERIC_CONTROLS:
        s[name] = s[name].astype("Float64")
        s[name] = (s[name] - s[name].mean()).astype(float)  # centred: intercept at the mean
    return s.reset_index(drop=True)


def _specs(sample_vol: pd.DataFrame, sample_br: pd.DataFrame):
    """(model id, family, sample, outcome, builder(formula, data) -> model, exposure?)."""
    def poisson(formula, data):
        return smf.glm(formula, data, family=sm.families.Poisson(),
                       offset=np.log(data["exposure"].to_numpy(float)))

    def negbin(formula, data):
        return smf.negativebinomial(formula, data, exposure=data["exposure"].to_numpy(float))

    def breadth_poisson(formula, data):
        return smf.glm(formula, data, family=sm.families.Poisson())

    def breadth_binomial(formula, data):
        _lhs, rhs = formula.split("~")
        return smf.glm(f"breadth_share ~{rhs}", data, family=sm.families.Binomial(),
                       var_weights=np.full(len(data), float(N_QUADRANTS)))

    return [("cross_section_volume_poisson", "poisson", sample_vol, "volume", poisson, "HC1"),
            ("cross_section_volume_negbin", "negative_binomial", sample_vol, "volume", negbin,
             "nonrobust"),
            ("cross_section_breadth_poisson", "poisson", sample_br, "breadth",
             breadth_poisson, "HC1"),
            ("cross_section_breadth_binomial", "binomial", sample_br, "breadth",
             breadth_binomial, "nonrobust")]


def _refitter(model, family: str):
    """(labels -> mandate coefficient refitted with ``labels``, what that statistic is).

    Poisson and binomial: the same GLM refitted. Negative binomial: refitting the ML model
    thousands of times is slow and fragile when alpha sits at its boundary, so the
    statistic is the mandate coefficient of a GLM negative binomial with alpha held at its
    estimate under the null model (controls only, no mandate). That alpha does not depend
    on the labels, so the permutation test stays exact.
    """
    exog = np.array(model.exog, dtype=float)
    j = list(model.exog_names).index(MANDATE_TERM)
    endog = np.asarray(model.endog, dtype=float)
    if family == "negative_binomial":
        # the formula model keeps log(exposure) in `.exposure`
        kwargs = {"offset": model.exposure}
        null = fit_negbin(sm.NegativeBinomial(endog, np.delete(exog, j, axis=1), **kwargs))
        if null.result is None or null.problems:
            raise ValueError("null negative binomial model (no mandate) did not fit: "
                             + "; ".join(null.problems))
        alpha = float(np.asarray(null.result.params)[-1])
        kwargs["family"] = sm.families.NegativeBinomial(alpha=max(alpha, 1e-8))
        what = (f"|{MANDATE_TERM} coefficient| of a GLM negative binomial with alpha fixed "
                f"at its null-model estimate ({alpha:.4g})")
    else:
        kwargs = {"family": model.family}
        for name in ("offset", "var_weights"):
            if getattr(model, name, None) is not None:
                kwargs[name] = getattr(model, name)
        what = f"|{MANDATE_TERM} coefficient| of this model refitted"

    def refit(labels):
        x = exog.copy()
        x[:, j] = labels
        return sm.GLM(endog, x, **kwargs).fit().params[j]

    return refit, what


def cross_section_models(ops: pd.DataFrame, *, permutations: int, seed: int,
                         max_exact: int = 20000, min_resid_df: int = 5) -> list[dict]:
    """Tidy rows of the four cross-section models (see the module doc)."""
    sample_vol, sample_br = _sample(ops, True), _sample(ops, False)
    sample_br["breadth_share"] = sample_br["breadth"] / N_QUADRANTS
    rows = []
    controls = {}
    for name, family, sample, outcome, build, cov in _specs(sample_vol, sample_br):
        n = len(sample)
        n1 = int(sample[MANDATE_TERM].sum()) if n else 0
        if n1 in (0, n):
            rows += not_fitted(name, family, [
                f"no variation in {MANDATE_TERM}: {n1} of {n} operations mandated"
                + ("" if n else " (no operation with a known mandate and reports)")], n=n)
            continue
        if n - 2 - (family == "negative_binomial") < 1:
            rows += not_fitted(name, family, [f"too few operations ({n})"], n=n)
            continue
        if sample[outcome].nunique() < 2:
            rows += not_fitted(name, family, [
                f"no variation in {outcome}: every operation has {sample[outcome].iloc[0]}"], n=n)
            continue
        if outcome not in controls:  # one control set per outcome: the NB's alpha counted
            controls[outcome] = choose_controls(
                sample, extra_params=1 if outcome == "volume" else 0, min_resid_df=min_resid_df)
        kept, dropped = controls[outcome]
        notes = [f"controls: {', '.join(kept) or 'none'}"] + dropped
        y = sample[outcome]
        if y[sample[MANDATE_TERM] == 1].sum() == 0 or y[sample[MANDATE_TERM] == 0].sum() == 0:
            notes.append("separation: one mandate group has no activity at all")
        model = build(_formula(outcome, kept), sample)
        fit_kw = {"cov_type": cov} if cov != "nonrobust" else {}
        attempt = (fit_negbin(model, **fit_kw) if family == "negative_binomial"
                   else guarded_fit(lambda m=model, kw=fit_kw: m.fit(**kw)))
        terms = _reported_terms(list(model.exog_names))
        if family == "negative_binomial":
            terms["alpha"] = "alpha"
        if attempt.result is not None:
            terms = {k: v for k, v in terms.items() if k in attempt.result.model.exog_names
                     or k == "alpha"}
        new = tidy_rows(name, family, attempt, terms, n=n, n_clusters=None, cov_type=cov,
                        notes=notes)
        if new[0]["status"] == "fitted":
            treat = sample[MANDATE_TERM].to_numpy()
            try:
                refit, what = _refitter(model, family)
                p, method = permutation_p(refit, treat, refit(treat), statistic=what,
                                          permutations=permutations, seed=seed,
                                          max_exact=max_exact)
            except (ValueError, np.linalg.LinAlgError) as err:
                p, method = None, f"permutation not computed: {err}"
            for row in new:
                if row["term"] == MANDATE_TERM:
                    row["exact_p"], row["exact_method"] = p, method
        rows += new
    return rows
