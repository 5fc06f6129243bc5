"""Operation cross-section: the operations table and the models fitted on it.

:func:`operation_table` builds ``results/models/operations.csv``, one row per operation:

- ``explicit_mandate``: True if an explicit OC mandate was in force for ANY of the
  operation's reports (panel rows with a known mandate; the panel's treatment column, so
  with a share any share above 0); False if the mandate was known and never explicit. An
  operation with no report under a known mandate falls back on its resolutions (True if any
  resolution in ``mandates.csv`` gives one); ``mandate_basis`` says which (``report_dates``
  | ``resolutions`` | empty = unknown, left out of the models).
- ``mandate_share``: the share (0-1) of the operation's reports with a known mandate that
  were under an explicit mandate (the mean of the panel's treatment over them); with
  ``mandate_basis`` ``resolutions``, 1 or 0 as ``explicit_mandate``. THE TREATMENT OF THE
  CROSS-SECTION MODELS: volume sums reports before and after a mandate, so a 0/1 "ever
  mandated" would credit pre-mandate reports to the mandate.
- ``breadth``: quadrants (0-4) with at least one OC activity paragraph in
  ``mission_activity.csv`` (reports and studies, any market: the seed paper's Figure 2 row).
- ``volume``: OC activity paragraphs over the operation's reports (``panel.csv``);
  ``exposure``: all its report paragraphs; ``n_reports``, ``n_reports_mandated``,
  ``mandate_changes`` (explicit_mandate differs between its reports).
- ``organisation``, ``kind``, ``start_year`` from ``raw/missions.csv``; ``duration`` in years,
  start to end year inclusive, with the year of the corpus's last report as the end of
  ongoing operations.

:func:`cross_section_models` fits volume (Poisson, and NB2 negative binomial with alpha
estimated by maximum likelihood, ``statsmodels`` ``NegativeBinomial``; offset
log(exposure)) and breadth (Poisson, and binomial out of 4 quadrants, since a bounded count
cannot be overdispersed the way the NB assumes) on ``mandate_share``, reported as the term
``explicit_mandate``: its rate (odds) ratio compares an operation with all its reports under
an explicit mandate with one with none. Poisson and binomial: HC3 standard errors with
t(n-k) (few operations: HC1 with z is too liberal); negative binomial: ML standard errors, z;
at alpha's boundary it is fitted with alpha = 0 (the Poisson estimates, ML standard errors)
and every NB model has an ``overdispersion_lr`` row. Controls are added in the order
start_year, duration, organisation, kind only while the residual degrees of freedom stay >=
``min_resid_df``; every dropped control and why is written in ``reason``. Beside each model
a randomization p-value (:func:`analysis.models.fit.permutation_p`: the shares permuted
across operations; valid under exchangeability of the treatment across operations).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from analysis.models.fit import (
    ALPHA_BOUNDARY,
    MANDATE_TERM,
    fit_negbin,
    guarded_fit,
    hc3_attempt,
    negbin_rows,
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


def as_treatment(values: pd.Series) -> pd.Series:
    """Treatment values -> Float64 in [0, 1]: True/False/"True"/"False"/1/0 and shares
    ("0.25"); empty/NaN -> NA. A value that is neither raises ValueError naming it."""
    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            return np.nan
        if isinstance(v, (bool, np.bool_)):
            return float(v)
        text = str(v).strip().lower()
        if text in ("", "nan", "<na>"):
            return np.nan
        if text in ("true", "false"):
            return float(text == "true")
        try:
            x = float(text)
        except ValueError:
            raise ValueError(f"explicit_mandate value {v!r} is neither True/False nor a share "
                             "in [0, 1]") from None
        if not 0 <= x <= 1:
            raise ValueError(f"explicit_mandate value {v!r} is outside [0, 1]")
        return x
    return pd.Series([one(v) for v in values], index=values.index, dtype="Float64")


def operation_table(panel: pd.DataFrame, activity: pd.DataFrame, mandates: pd.DataFrame,
                    missions: pd.DataFrame) -> pd.DataFrame:
    """``operations.csv`` (see the module doc); rows sorted by operation."""
    panel = panel.copy()
    panel["explicit_mandate"] = as_treatment(panel["explicit_mandate"])
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
            share = float(known["explicit_mandate"].astype(float).mean())
            explicit, basis = bool((known["explicit_mandate"] > 0).any()), "report_dates"
        elif op in res_explicit.index:
            explicit, basis = bool(res_explicit[op]), "resolutions"
            share = float(explicit)
        else:
            explicit, basis, share = pd.NA, "", np.nan
        row = {"operation": op, "explicit_mandate": explicit, "mandate_share": share,
               "mandate_basis": basis,
               "breadth": int((quad.get(op, pd.Series(dtype=int)) > 0).sum()),
               "volume": int(reps["oc_activity_paragraphs"].sum()),
               "exposure": int(reps["all_paragraphs"].sum()),
               "organisation": "", "kind": "", "start_year": pd.NA, "duration": pd.NA,
               "n_reports": len(reps),
               "n_reports_mandated": int((known["explicit_mandate"] > 0).sum()),
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
    out["mandate_share"] = out["mandate_share"].astype(float)
    for col in ("start_year", "duration"):
        out[col] = out[col].astype("Int64")
    return out[OPERATION_COLUMNS].reset_index(drop=True)


OPERATION_COLUMNS = ["operation", "explicit_mandate", "mandate_share", "mandate_basis", "breadth", "volume",
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
    s = ops[ops["mandate_share"].notna()].copy()
    s = s[s["exposure"] > 0] if need_exposure else s[(s["n_reports"] > 0) | (s["breadth"] > 0)]
    s[MANDATE_TERM] = s["mandate_share"].astype(float)
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

    return [("cross_section_volume_poisson", "poisson", sample_vol, "volume", poisson, "HC3"),
            ("cross_section_volume_negbin", "negative_binomial", sample_vol, "volume", negbin,
             "nonrobust"),
            ("cross_section_breadth_poisson", "poisson", sample_br, "breadth",
             breadth_poisson, "HC3"),
            ("cross_section_breadth_binomial", "binomial", sample_br, "breadth",
             breadth_binomial, "HC3")]


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
        ok = null.result is not None and not null.problems
        alpha = float(np.asarray(null.result.params)[-1]) if ok else 0.0
        if ok and alpha >= ALPHA_BOUNDARY:
            kwargs["family"] = sm.families.NegativeBinomial(alpha=alpha)
            what = (f"|{MANDATE_TERM} coefficient| of a GLM negative binomial with alpha "
                    f"fixed at its null-model estimate ({alpha:.4g})")
        else:  # alpha at its boundary (or the null NB did not fit): the NB is the Poisson
            kwargs["family"] = sm.families.Poisson()
            what = (f"|{MANDATE_TERM} coefficient| of the Poisson (the negative binomial "
                    "with alpha at its boundary 0 in the null model)")
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
        phrase = ("HC3 heteroskedasticity-robust, t(n-k)" if cov == "HC3"
                  else "model-based (ML) standard errors, normal (z)")
        if n == 0 or sample[MANDATE_TERM].nunique() < 2:
            n1 = int((sample[MANDATE_TERM] > 0).sum()) if n else 0
            rows += not_fitted(name, family, [
                f"no variation in {MANDATE_TERM} (share of reports under an explicit "
                f"mandate): {n1} of {n} operations mandated"
                + ("" if n else " (no operation with a known mandate and reports)")], n=n,
                inference=phrase)
            continue
        if n - 2 - (family == "negative_binomial") < 1:
            rows += not_fitted(name, family, [f"too few operations ({n})"], n=n,
                               inference=phrase)
            continue
        if sample[outcome].nunique() < 2:
            rows += not_fitted(name, family, [
                f"no variation in {outcome}: every operation has {sample[outcome].iloc[0]}"],
                n=n, inference=phrase)
            continue
        if outcome not in controls:  # one control set per outcome: the NB's alpha counted
            controls[outcome] = choose_controls(
                sample, extra_params=1 if outcome == "volume" else 0, min_resid_df=min_resid_df)
        kept, dropped = controls[outcome]
        notes = [f"controls: {', '.join(kept) or 'none'}"] + dropped
        notes.append(f"{MANDATE_TERM} = share of the operation's reports under an explicit "
                     "mandate (0-1): the ratio compares all reports under a mandate with none")
        y = sample[outcome]
        if y[sample[MANDATE_TERM] > 0].sum() == 0 or y[sample[MANDATE_TERM] == 0].sum() == 0:
            notes.append("separation: one mandate group (share above 0 or 0) has no activity")
        formula = _formula(outcome, kept)
        model = build(formula, sample)
        k = model.exog.shape[1]
        t_df = float(n - k) if cov == "HC3" else None
        if t_df is not None and t_df < 1:
            rows += not_fitted(name, family, [f"no residual degrees of freedom: n - k = {n - k}"]
                               + notes, n=n, inference=phrase)
            continue
        # the NB model lists its dispersion among exog_names; negbin_rows adds it back
        terms = {k: v for k, v in _reported_terms(list(model.exog_names)).items()
                 if k != "alpha"}
        if family == "negative_binomial":
            attempt = fit_negbin(model)
            exposure = sample["exposure"].to_numpy(float)
            poisson = smf.glm(formula, sample, family=sm.families.Poisson(),
                              offset=np.log(exposure))
            pois = guarded_fit(lambda m=poisson: m.fit())
            new = negbin_rows(name, attempt, pois, terms, y=y.to_numpy(float), n=n,
                              n_clusters=None, cov_type=cov, notes=notes,
                              inference=phrase)
        else:
            attempt = guarded_fit(lambda m=model: m.fit())
            if cov == "HC3":
                attempt = hc3_attempt(attempt)
            new = tidy_rows(name, family, attempt, terms, n=n, n_clusters=None, cov_type=cov,
                            notes=notes, t_df=t_df, inference=phrase)
        if new[0]["status"] == "fitted":
            treat = sample[MANDATE_TERM].to_numpy(float)
            try:
                refit, what = _refitter(model, family)
                p, method = permutation_p(refit, treat, refit(treat), statistic=what,
                                          permutations=permutations, seed=seed,
                                          max_exact=max_exact, label="mandate_share")
            except (ValueError, np.linalg.LinAlgError) as err:
                p, method = None, f"permutation not computed: {err}"
            for row in new:
                if row["term"] == MANDATE_TERM:
                    row["exact_p"], row["exact_method"] = p, method
        rows += new
    return rows
