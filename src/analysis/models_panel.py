"""Operation-report panel models: the mandate in force and OC activity, report by report.

Sample: the rows of ``panel.csv`` with a known mandate (``mandate_known``) and at least one
paragraph, sorted by operation, date, doc_id. Every model has operation fixed effects
(one dummy per operation, no intercept) unless its id says ``pooled``, and standard errors
clustered by operation (see :mod:`analysis.models_fit` for the small-cluster inference).

- ``panel_poisson_fe``: OC activity paragraphs, offset log(all paragraphs). Operations with
  no OC activity paragraph in any report are left out: their fixed effect diverges and they
  carry no information on the mandate (as in ``ppmlhdfe``).
- ``panel_negbin_fe``: the same with an NB2 negative binomial (alpha estimated by maximum
  likelihood, ``statsmodels`` ``NegativeBinomial``; dummy-variable fixed effects, started
  from the Poisson estimates).
- ``panel_logit_any``: any OC activity paragraph (0/1) on the mandate and log(all
  paragraphs); operations whose outcome never changes are left out (their fixed effect
  predicts them perfectly; the conditional-logit logic). ``panel_logit_any_pooled``: the
  same without fixed effects, all operations.
- ``panel_leads_lags``: Poisson with fixed effects on event-time dummies around the FIRST
  report under an explicit mandate, counted in reports (not calendar time) and whether or
  not the mandate later lapses: ``lead_2plus`` (2 or more reports before), ``lag_0``,
  ``lag_1``, ``lag_2plus``; the last report before (event time -1) is the reference.
  Operations never mandated have all dummies 0 and serve as controls.

With operation fixed effects the mandate effect is identified ONLY from operations whose
``explicit_mandate`` changes between their reports; the others fix their own level. The
``reason`` column names how many such operations there are; with none, the model is
``not_fitted``. Fewer than ``min_clusters`` operations in a sample: ``not_fitted`` too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.models_cross import as_boolean
from analysis.models_fit import MANDATE_TERM, fit_negbin, guarded_fit, not_fitted, tidy_rows

EVENT_TERMS = ("lead_2plus", "lag_0", "lag_1", "lag_2plus")


def panel_sample(panel: pd.DataFrame) -> pd.DataFrame:
    """Rows with a known mandate and paragraphs; ``explicit_mandate`` as 0/1."""
    df = panel.copy()
    df["explicit_mandate"] = as_boolean(df["explicit_mandate"])
    known = as_boolean(df["mandate_known"]).fillna(False).astype(bool)
    df = df[known & df["explicit_mandate"].notna() & (df["all_paragraphs"] > 0)].copy()
    df[MANDATE_TERM] = df["explicit_mandate"].astype(bool).astype(int)
    df["any_activity"] = (df["oc_activity_paragraphs"] > 0).astype(int)
    df["log_exposure"] = np.log(df["all_paragraphs"].astype(float))
    return df.sort_values(["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)


def switchers(df: pd.DataFrame) -> list[str]:
    """Operations whose explicit_mandate changes between their reports."""
    per_op = df.groupby("operation")[MANDATE_TERM].nunique()
    return sorted(per_op[per_op > 1].index)


def _design(df: pd.DataFrame, terms: list[str], fe: bool) -> pd.DataFrame:
    cols = [df[t].to_numpy(float) for t in terms]
    names = list(terms)
    if fe:
        for op in sorted(df["operation"].unique()):
            cols.append((df["operation"] == op).to_numpy(float))
            names.append(f"fe[{op}]")
    else:
        cols.insert(0, np.ones(len(df)))
        names.insert(0, "intercept")
    return pd.DataFrame(np.column_stack(cols), columns=names)


def _checks(df: pd.DataFrame, min_clusters: int, need_switch: bool) -> list[str]:
    problems = []
    if need_switch and not switchers(df):
        problems.append(f"no operation's {MANDATE_TERM} changes between its reports: with "
                        "operation fixed effects the mandate effect is not identified")
    g = df["operation"].nunique()
    if g < min_clusters:
        problems.append(f"too few clusters: {g} operations < {min_clusters}")
    return problems


def _identification_note(df: pd.DataFrame) -> str:
    ops = switchers(df)
    return (f"mandate effect identified from {len(ops)} of {df['operation'].nunique()} "
            f"operations whose {MANDATE_TERM} changes: {', '.join(ops)}")


def _fit_count(name: str, family: str, df: pd.DataFrame, terms: list[str], *, fe: bool,
               min_clusters: int, notes: list[str], key_terms, start=None) -> tuple[list, object]:
    n, g = len(df), df["operation"].nunique()
    x = _design(df, terms, fe)
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        return not_fitted(name, family, [("design matrix is singular (a term is collinear with "
                                         "the operation fixed effects)")] + notes,
                          term=key_terms[0], n=n, n_clusters=g, cov_type="cluster"), None
    y = df["oc_activity_paragraphs"].to_numpy(float)
    groups = pd.factorize(df["operation"], sort=True)[0]
    cov = {"cov_type": "cluster", "cov_kwds": {"groups": groups, "use_correction": False}}
    if family == "poisson":
        model = sm.GLM(y, x, family=sm.families.Poisson(), offset=df["log_exposure"].to_numpy())
        attempt = guarded_fit(lambda: model.fit(**cov))
    else:
        model = sm.NegativeBinomial(y, x, offset=df["log_exposure"].to_numpy())
        sp = None if start is None else np.append(start, 0.1)
        attempt = fit_negbin(model, start=sp, **cov)
    shown = {t: t for t in terms}
    if family == "negative_binomial":
        shown["alpha"] = "alpha"
    rows = tidy_rows(name, family, attempt, shown, n=n, n_clusters=g, cov_type="cluster",
                     notes=notes, key_terms=key_terms)
    return rows, attempt.result


def _drop_never_active(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    total = df.groupby("operation")["oc_activity_paragraphs"].transform("sum")
    dropped = sorted(df.loc[total == 0, "operation"].unique())
    note = ([f"{len(dropped)} operations with no OC activity in any report left out: "
             + ", ".join(dropped)] if dropped else [])
    return df[total > 0].reset_index(drop=True), note


def panel_poisson_fe(panel: pd.DataFrame, *, min_clusters: int = 5,
                     family: str = "poisson", start=None) -> tuple[list[dict], object]:
    """Rows of ``panel_poisson_fe`` (or ``panel_negbin_fe``) and the statsmodels result."""
    name = "panel_poisson_fe" if family == "poisson" else "panel_negbin_fe"
    df, notes = _drop_never_active(panel_sample(panel))
    problems = _checks(df, min_clusters, need_switch=True)
    if problems:
        return not_fitted(name, family, problems + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster"), None
    notes = [_identification_note(df)] + notes
    return _fit_count(name, family, df, [MANDATE_TERM], fe=True, min_clusters=min_clusters,
                      notes=notes, key_terms=(MANDATE_TERM,), start=start)


def event_time(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``event_time`` (reports since the first report under an explicit mandate; NA for
    operations never mandated) and the dummies of :data:`EVENT_TERMS`."""
    df = df.copy()
    order = df.groupby("operation").cumcount()
    first = order.where(df[MANDATE_TERM] == 1).groupby(df["operation"]).transform("min")
    df["event_time"] = (order - first).astype("Int64")
    et = df["event_time"].fillna(-1).astype(int)  # never mandated: all dummies 0
    never = df["event_time"].isna()
    df["lead_2plus"] = ((et <= -2) & ~never).astype(int)
    df["lag_0"] = ((et == 0) & ~never).astype(int)
    df["lag_1"] = ((et == 1) & ~never).astype(int)
    df["lag_2plus"] = ((et >= 2) & ~never).astype(int)
    return df


def panel_leads_lags(panel: pd.DataFrame, *, min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_leads_lags`` (one per event-time dummy with variation)."""
    name, family = "panel_leads_lags", "poisson"
    df, notes = _drop_never_active(panel_sample(panel))
    df = event_time(df)
    problems = _checks(df, min_clusters, need_switch=False)
    terms = [t for t in EVENT_TERMS if df[t].nunique() > 1] if len(df) else []
    notes += [f"{t} left out: no report in that event-time bin" for t in EVENT_TERMS
              if t not in terms]
    mandated = df.loc[df["event_time"].notna(), "operation"].nunique()
    pre = df.loc[df["event_time"] < 0, "operation"].nunique()
    if not terms:
        problems.append("no event-time dummy varies")
    if pre == 0:
        problems.append("no mandated operation has a report before its first explicit mandate:"
                        " the reference period (event time -1) is empty")
    if problems:
        return not_fitted(name, family, problems + notes, term="event_time", n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster")
    notes = [(f"event time in reports since the first report under an explicit mandate; "
             f"{mandated} operations ever mandated ({pre} observed before), "
             f"{df['operation'].nunique() - mandated} never mandated as controls; "
             "reference: event time -1")] + notes
    rows, _ = _fit_count(name, family, df, terms, fe=True, min_clusters=min_clusters,
                         notes=notes, key_terms=tuple(terms))
    return rows


def _separation(df: pd.DataFrame) -> list[str]:
    """Quasi-complete separation of the logit on the mandate: the outcome is the same in
    every report of one mandate group, so the likelihood keeps rising as the mandate
    coefficient runs to +/- infinity (with or without fixed effects)."""
    out = []
    for value, label in ((1, "under"), (0, "without")):
        y = df.loc[df[MANDATE_TERM] == value, "any_activity"]
        if len(y) and y.nunique() == 1:
            has = "has" if y.iloc[0] else "has no"
            out.append(f"quasi-separation: every report {label} an explicit mandate ({len(y)}) "
                       f"{has} OC activity, the mandate coefficient is infinite")
    return out


def panel_logit(panel: pd.DataFrame, *, fe: bool, min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_logit_any`` (fe=True) or ``panel_logit_any_pooled``."""
    name, family = ("panel_logit_any" if fe else "panel_logit_any_pooled"), "binomial"
    df = panel_sample(panel)
    notes = []
    if fe:
        varies = df.groupby("operation")["any_activity"].transform("nunique") > 1
        dropped = sorted(df.loc[~varies, "operation"].unique())
        if dropped:
            notes.append(f"{len(dropped)} operations whose outcome never changes left out "
                         f"(perfectly predicted by their fixed effect): {', '.join(dropped)}")
        df = df[varies].reset_index(drop=True)
    problems = _checks(df, min_clusters, need_switch=fe)
    if not problems and df["any_activity"].nunique() < 2:
        problems.append("no variation in any OC activity")
    if not problems and not fe and df[MANDATE_TERM].nunique() < 2:
        problems.append(f"no variation in {MANDATE_TERM}")
    if not problems:
        problems += _separation(df)
    if problems:
        return not_fitted(name, family, problems + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster")
    if fe:
        notes.insert(0, _identification_note(df))
    terms = [MANDATE_TERM, "log_exposure"]
    x = _design(df, terms, fe)
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        return not_fitted(name, family, ["design matrix is singular"] + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster")
    groups = pd.factorize(df["operation"], sort=True)[0]
    model = sm.Logit(df["any_activity"].to_numpy(float), x)
    attempt = guarded_fit(lambda: model.fit(
        disp=0, maxiter=200, cov_type="cluster",
        cov_kwds={"groups": groups, "use_correction": False}))
    shown = {t: t for t in ([] if fe else ["intercept"]) + terms}
    return tidy_rows(name, family, attempt, shown, n=len(df),
                     n_clusters=df["operation"].nunique(), cov_type="cluster", notes=notes)


def panel_models(panel: pd.DataFrame, *, min_clusters: int = 5) -> list[dict]:
    """Tidy rows of every panel model (see the module doc)."""
    rows, result = panel_poisson_fe(panel, min_clusters=min_clusters)
    start = None if result is None else np.asarray(result.params)
    rows += panel_poisson_fe(panel, min_clusters=min_clusters, family="negative_binomial",
                             start=start)[0]
    rows += panel_logit(panel, fe=True, min_clusters=min_clusters)
    rows += panel_logit(panel, fe=False, min_clusters=min_clusters)
    rows += panel_leads_lags(panel, min_clusters=min_clusters)
    return rows


def fit_panel_poisson(panel: pd.DataFrame, *, min_clusters: int = 5) -> dict:
    """The mandate term of ``panel_poisson_fe``, for repeated use (simulation check).

    Returns ``estimate``, ``conf_low``, ``conf_high`` (log rate ratio, 95%, cluster-robust
    t(G-1)), ``std_error``, ``p_value``, ``rate_ratio`` (= exp(estimate)), ``status``
    (fitted | not_fitted), ``reason``, ``n``, ``n_clusters``. Numbers are NaN when not fitted.
    """
    rows, _ = panel_poisson_fe(panel, min_clusters=min_clusters)
    row = next(r for r in rows if r["term"] == MANDATE_TERM)
    nan = float("nan")
    return {"estimate": row.get("estimate", nan), "std_error": row.get("std_error", nan),
            "conf_low": row.get("conf_low", nan), "conf_high": row.get("conf_high", nan),
            "p_value": row.get("p_value", nan), "rate_ratio": row.get("estimate_exp", nan),
            "status": row["status"], "reason": row["reason"], "n": row["n"],
            "n_clusters": row["n_clusters"]}
