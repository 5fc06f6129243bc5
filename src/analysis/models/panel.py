"""Operation-report panel models: the mandate in force and OC activity, report by report.

Sample: the rows of ``panel.csv`` with a known mandate (``mandate_known``) and at least one
paragraph, sorted by operation, date, doc_id. Every model has operation fixed effects
(one dummy per operation, no intercept) unless its id says ``pooled``, and standard errors
clustered by operation (see :mod:`analysis.models.fit` for the small-cluster inference).

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
- the event study (``panel_event_study``) is :mod:`analysis.models.event`; the two-way and
  extended two-way fixed-effects models (``panel_poisson_twfe``, ``panel_poisson_etwfe``)
  are :mod:`analysis.models.staggered`; the sensitivity rows (leave one switcher out,
  coding error) :mod:`analysis.models.sensitivity`. :func:`panel_models` collects them.

The treatment ``explicit_mandate`` is the column the models CLI was given (0/1, or a share
of the reporting period in [0, 1]); a "switcher" is an operation whose treatment varies
between its reports.

With operation fixed effects the mandate effect is identified ONLY from the S switchers;
the others fix their own level. ``n_switchers`` holds S and the ``reason`` names them.
Inference of the fixed-effects models (``panel_poisson_fe``, ``panel_negbin_fe``,
``panel_logit_any``): CR1 cluster-robust standard errors by operation, p and interval from
t(S-1) (``df_resid``): G counts every operation, but only the switchers carry information on
the mandate (the others' mandate scores are zero), so the variance rests on S clusters and
t(G-1) over-rejects. With S < 3 these models are ``not_fitted`` (the reason names S and the
switchers). Fewer than ``min_clusters`` operations in a sample: ``not_fitted`` too. The
pooled logit keeps t(G-1).

``panel_negbin_fe`` at alpha's boundary (no overdispersion) is fitted with alpha = 0 and the
Poisson estimates, and has a row ``overdispersion_lr`` (:func:`analysis.models.fit.negbin_rows`).

``panel_poisson_fe`` also reports a wild cluster SCORE bootstrap (Kline and Santos 2012;
the form of Stata's ``boottest`` after ML estimation) for the mandate term, see
:func:`mandate_bootstrap`: its p-value in ``exact_p`` (how, in ``exact_method``) and its
95% interval by test inversion (root finding, so it excludes 0 exactly when the bootstrap
p < 0.05) in ``boot_conf_low``/``boot_conf_high`` (log scale) and
``boot_conf_low_exp``/``boot_conf_high_exp`` (rate ratio). Its size is not guaranteed: an
earlier simulation check on the demo design (12 operations, 3-6 switchers) measured about
2% rejections of true nulls at the 5% level (conservative), where t(G-1) rejected 15-19%;
the simulation check (:mod:`analysis.simulation`) measures it for each run.

Fast functions for the simulation check: :func:`fe_cluster`, :func:`fe_bootstrap`.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.models.cross import as_boolean, as_treatment
from analysis.models.fit import (
    CR1_SWITCHERS,
    DIVERGED,
    MANDATE_TERM,
    MIN_SWITCHERS,
    fit_negbin,
    guarded_fit,
    negbin_rows,
    not_fitted,
    score_bootstrap,
    tidy_rows,
)


def panel_sample(panel: pd.DataFrame) -> pd.DataFrame:
    """Rows with a known mandate and paragraphs; ``explicit_mandate`` as a float: 0/1, or
    the share of the reporting period under an explicit mandate (``--mandate-timing``)."""
    df = panel.copy()
    df["explicit_mandate"] = as_treatment(df["explicit_mandate"])
    known = as_boolean(df["mandate_known"]).fillna(False).astype(bool)
    df = df[known & df["explicit_mandate"].notna() & (df["all_paragraphs"] > 0)].copy()
    df[MANDATE_TERM] = df["explicit_mandate"].astype(float)
    df["any_activity"] = (df["oc_activity_paragraphs"] > 0).astype(int)
    df["log_exposure"] = np.log(df["all_paragraphs"].astype(float))
    return df.sort_values(["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)


def switchers(df: pd.DataFrame) -> list[str]:
    """Operations whose explicit_mandate changes between their reports (S of them)."""
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
    ops = switchers(df) if need_switch else []
    if need_switch and not ops:
        problems.append(f"no operation's {MANDATE_TERM} changes between its reports (S = 0 "
                        "switchers): with operation fixed effects the mandate effect is not "
                        "identified")
    elif need_switch and len(ops) < MIN_SWITCHERS:
        problems.append(f"only S = {len(ops)} switcher{'s' if len(ops) > 1 else ''} "
                        f"(operations whose {MANDATE_TERM} changes: {', '.join(ops)}): with "
                        "operation fixed effects only they identify the mandate effect, and "
                        f"cluster-robust inference with t(S-1) needs S >= {MIN_SWITCHERS}")
    g = df["operation"].nunique()
    if g < min_clusters:
        problems.append(f"too few clusters: {g} operations < {min_clusters}")
    return problems


def _identification_note(df: pd.DataFrame) -> str:
    ops = switchers(df)
    return (f"mandate effect identified from {len(ops)} of {df['operation'].nunique()} "
            f"operations whose {MANDATE_TERM} changes: {', '.join(ops)}")


def _fit_count(name: str, family: str, df: pd.DataFrame, terms: list[str], *, fe: bool,
               min_clusters: int, notes: list[str], key_terms, start=None,
               by_switchers: bool = False) -> tuple[list, object]:
    """Rows of a count model; ``by_switchers``: t(S-1) inference and ``n_switchers``."""
    n, g = len(df), df["operation"].nunique()
    s = len(switchers(df))
    inf = ({"t_df": s - 1, "n_switchers": s, "inference": CR1_SWITCHERS} if by_switchers
           else {"n_switchers": s})
    x = _design(df, terms, fe)
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        return not_fitted(name, family, [("design matrix is singular (a term is collinear with "
                                         "the operation fixed effects)")] + notes,
                          term=key_terms[0], n=n, n_clusters=g, cov_type="cluster",
                          n_switchers=s, inference=inf.get("inference", "")), None
    y = df["oc_activity_paragraphs"].to_numpy(float)
    groups = pd.factorize(df["operation"], sort=True)[0]
    cov = {"cov_type": "cluster", "cov_kwds": {"groups": groups, "use_correction": False}}
    offset = df["log_exposure"].to_numpy()
    poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
    attempt = guarded_fit(lambda: poisson.fit(**cov))
    shown = {t: t for t in terms}
    if family == "poisson":
        rows = tidy_rows(name, family, attempt, shown, n=n, n_clusters=g, cov_type="cluster",
                         notes=notes, key_terms=key_terms, **inf)
        return rows, attempt.result
    model = sm.NegativeBinomial(y, x, offset=offset)
    sp = None if start is None else np.append(start, 0.1)
    nb = fit_negbin(model, start=sp, **cov)
    rows = negbin_rows(name, nb, attempt, shown, y=y, n=n, n_clusters=g, cov_type="cluster",
                       notes=notes, key_terms=key_terms, **inf)
    return rows, nb.result


def _drop_never_active(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    total = df.groupby("operation")["oc_activity_paragraphs"].transform("sum")
    dropped = sorted(df.loc[total == 0, "operation"].unique())
    note = ([f"{len(dropped)} operations with no OC activity in any report left out: "
             + ", ".join(dropped)] if dropped else [])
    return df[total > 0].reset_index(drop=True), note


def restricted_scores(df: pd.DataFrame):
    """Cluster scores of the mandate term of the FE Poisson model at a fixed coefficient.

    ``df``: the model sample (:func:`panel_sample`, never-active operations left out).
    Returns ``scores_at(b0)``: for each SWITCHING operation (sorted), the score
    sum_t x_t (y_t - mu_t) of the Poisson model with the mandate coefficient fixed at b0
    (an offset b0 * explicit_mandate) and the operation effects re-estimated. Those have a
    closed form, exp(a_g) = sum_t y_t / sum_t exp(b0 x_t + log exposure_t), which makes
    every operation's residuals sum to zero; so the operation effects' own scores vanish
    and the mandate score is already partialled out of them, and an operation whose
    mandate never changes has score zero at every b0 (it is left out).
    """
    ops = switchers(df)
    g = pd.factorize(df["operation"], sort=True)[0]
    n_ops = int(g.max()) + 1 if len(g) else 0
    keep = np.array([i for i, op in enumerate(sorted(df["operation"].unique())) if op in ops],
                    dtype=int)
    x = df[MANDATE_TERM].to_numpy(float)
    y = df["oc_activity_paragraphs"].to_numpy(float)
    offset = df["log_exposure"].to_numpy(float)
    totals = np.bincount(g, y, n_ops)

    def scores_at(b0: float) -> np.ndarray:
        eta = b0 * x + offset
        top = np.full(n_ops, -np.inf)
        np.maximum.at(top, g, eta)  # scaled within each operation: no overflow
        e = np.exp(eta - top[g])
        mu = e * (totals / np.bincount(g, e, n_ops))[g]
        return np.bincount(g, x * (y - mu), n_ops)[keep]

    return scores_at, len(ops)


def mandate_bootstrap(df: pd.DataFrame, estimate: float, *, ci: bool = True) -> dict:
    """Wild cluster score bootstrap of the mandate term (Kline and Santos 2012).

    Restricted under H0 (mandate coefficient 0): the cluster scores of
    :func:`restricted_scores` at 0 are multiplied by one weight per operation (Webb
    six-point weights when at most 6 operations switch, Rademacher beyond: see
    :func:`analysis.models.fit.bootstrap_weights`; only switchers are weighted, the others'
    scores being zero, so enumerating their 6^S or 2^S vectors is the exact bootstrap over
    all 2^G or 6^G). The statistic is the studentized cluster-robust score (LM) statistic,
    the form Stata's ``boottest`` bootstraps after ML estimation, with the variance
    recomputed from the perturbed scores in every draw; p is two-sided and symmetric.
    The score statistic needs only restricted fits, which are closed-form here, so the
    95% interval comes by test inversion: the values b0 with bootstrap p(b0) >= 0.05, each
    tested with the restricted fit at b0 (offset b0 * explicit_mandate).

    Returns ``boot_p``, ``boot_conf_low``, ``boot_conf_high`` (log scale; the edges where
    the test starts rejecting on either side of the estimate, found by root finding,
    -inf/inf when the test still accepts 10 log units from the estimate on that side: often
    with few switchers, since the score statistic is bounded by sqrt(S) and far values
    cannot be rejected from so few operations; said in the method), ``boot_method``.
    """
    scores_at, n_switch = restricted_scores(df)
    boot = score_bootstrap(scores_at, n_switch, estimate=estimate, ci=ci)
    n_ops = df["operation"].nunique()
    method = (f"wild cluster score bootstrap (Kline-Santos), restricted under "
              f"{MANDATE_TERM} = 0, studentized score statistic, two-sided; "
              f"{boot.method} over the {n_switch} operations whose {MANDATE_TERM} changes "
              f"(the other {n_ops - n_switch} have zero score)"
              + (f"; {boot.interval}" if boot.interval else ""))
    return {"boot_p": boot.p_value, "boot_conf_low": boot.conf_low,
            "boot_conf_high": boot.conf_high, "boot_method": method}


def panel_poisson_fe(panel: pd.DataFrame, *, min_clusters: int = 5,
                     family: str = "poisson", start=None, bootstrap: bool = True,
                     boot_ci: bool = True) -> tuple[list[dict], object]:
    """Rows of ``panel_poisson_fe`` (or ``panel_negbin_fe``) and the statsmodels result.

    ``bootstrap`` (Poisson only): add the score bootstrap of :func:`mandate_bootstrap` to
    the mandate row (``exact_p``, ``exact_method``, ``boot_conf_*``); ``boot_ci``: with
    its interval.
    """
    name = "panel_poisson_fe" if family == "poisson" else "panel_negbin_fe"
    df, notes = _drop_never_active(panel_sample(panel))
    problems = _checks(df, min_clusters, need_switch=True)
    if problems:
        return not_fitted(name, family, problems + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster",
                          n_switchers=len(switchers(df)), inference=CR1_SWITCHERS), None
    notes = [_identification_note(df)] + notes
    rows, result = _fit_count(name, family, df, [MANDATE_TERM], fe=True,
                              min_clusters=min_clusters, notes=notes,
                              key_terms=(MANDATE_TERM,), start=start, by_switchers=True)
    if bootstrap and family == "poisson" and rows[0]["status"] == "fitted":
        boot = mandate_bootstrap(df, rows[0]["estimate"], ci=boot_ci)
        row = rows[0]
        row["exact_p"], row["exact_method"] = boot["boot_p"], boot["boot_method"]
        for side in ("low", "high"):
            value = boot[f"boot_conf_{side}"]
            row[f"boot_conf_{side}"] = value
            row[f"boot_conf_{side}_exp"] = math.exp(value) if not math.isnan(value) else None
    return rows, result


def _separation(df: pd.DataFrame) -> list[str]:
    """Quasi-complete separation of the logit on the mandate: the outcome is the same in
    every report of one mandate group, so the likelihood keeps rising as the mandate
    coefficient runs to +/- infinity (with or without fixed effects)."""
    out = []
    for under, label in ((True, "under"), (False, "without")):
        y = df.loc[(df[MANDATE_TERM] > 0) == under, "any_activity"]
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
    s = len(switchers(df))
    inf = ({"t_df": s - 1, "n_switchers": s, "inference": CR1_SWITCHERS} if fe
           else {"n_switchers": s})
    if not problems and df["any_activity"].nunique() < 2:
        problems.append("no variation in any OC activity")
    if not problems and not fe and df[MANDATE_TERM].nunique() < 2:
        problems.append(f"no variation in {MANDATE_TERM}")
    if not problems:
        problems += _separation(df)
    nf = {"n_switchers": s, "inference": inf.get("inference", "")}
    if problems:
        return not_fitted(name, family, problems + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster", **nf)
    if fe:
        notes.insert(0, _identification_note(df))
    terms = [MANDATE_TERM, "log_exposure"]
    x = _design(df, terms, fe)
    if np.linalg.matrix_rank(x.to_numpy()) < x.shape[1]:
        return not_fitted(name, family, ["design matrix is singular"] + notes, n=len(df),
                          n_clusters=df["operation"].nunique(), cov_type="cluster", **nf)
    groups = pd.factorize(df["operation"], sort=True)[0]
    model = sm.Logit(df["any_activity"].to_numpy(float), x)
    attempt = guarded_fit(lambda: model.fit(
        disp=0, maxiter=200, cov_type="cluster",
        cov_kwds={"groups": groups, "use_correction": False}))
    shown = {t: t for t in ([] if fe else ["intercept"]) + terms}
    return tidy_rows(name, family, attempt, shown, n=len(df),
                     n_clusters=df["operation"].nunique(), cov_type="cluster", notes=notes,
                     **inf)


def panel_models(panel: pd.DataFrame, *, min_clusters: int = 5, period_years: int = 2,
                 mandates: pd.DataFrame | None = None, error_rates=None,
                 error_source: str = "", coding_draws: int = 200,
                 coding_seed: int = 20180307) -> list[dict]:
    """Tidy rows of every panel model (see the module doc).

    ``period_years``: calendar years per period of the two-way models' time effects.
    ``error_rates`` ({"explicit_mandate": (precision, recall), "activity": (...)}, from
    :mod:`analysis.models.sensitivity`) with the ``mandates`` table: the estimate carrying
    measured coding error (``coding_draws`` seeded draws); None: that row is not_fitted and
    says no error rates were measured. ``error_source`` names where they were measured.
    """
    from analysis.models.event import panel_event_study
    from analysis.models.sensitivity import coding_error_estimate, leave_one_switcher_out
    from analysis.models.staggered import panel_poisson_etwfe, panel_poisson_twfe

    rows, result = panel_poisson_fe(panel, min_clusters=min_clusters)
    start = None if result is None else np.asarray(result.params)
    rows += panel_poisson_fe(panel, min_clusters=min_clusters, family="negative_binomial",
                             start=start)[0]
    rows += panel_logit(panel, fe=True, min_clusters=min_clusters)
    rows += panel_logit(panel, fe=False, min_clusters=min_clusters)
    rows += panel_poisson_twfe(panel, period_years=period_years, min_clusters=min_clusters)
    rows += panel_poisson_etwfe(panel, period_years=period_years, min_clusters=min_clusters)
    rows += panel_event_study(panel, min_clusters=min_clusters)
    rows += leave_one_switcher_out(panel, min_clusters=min_clusters)
    if error_rates is not None and mandates is not None:
        new = coding_error_estimate(panel, mandates, error_rates, draws=coding_draws,
                                    seed=coding_seed, min_clusters=min_clusters)
        if error_source:
            for row in new:
                row["reason"] = "; ".join(x for x in (f"error rates from {error_source}",
                                                      row.get("reason", "")) if x)
        rows += new
    else:
        rows += not_fitted("panel_poisson_fe_coding_error", "poisson", [
            f"coding error not measurable: {error_source}" if error_source else
            "no measured coding error: give the demo corpus's coding accuracy or a "
            "validation table of labelled passages (config `validation`)"],
            cov_type="cluster")
    return rows


def fit_panel_poisson(panel: pd.DataFrame, *, min_clusters: int = 5, bootstrap: bool = True,
                      boot_ci: bool = True) -> dict:
    """The mandate term of ``panel_poisson_fe``, for repeated use (simulation check).

    Returns ``estimate``, ``conf_low``, ``conf_high`` (log rate ratio, 95%, cluster-robust
    CR1, t(S-1)), ``std_error``, ``p_value``, ``rate_ratio`` (= exp(estimate)), ``status``
    (fitted | not_fitted), ``reason``, ``n``, ``n_clusters``; and the wild cluster score
    bootstrap (:func:`mandate_bootstrap`): ``boot_p`` (H0: no mandate effect),
    ``boot_conf_low``, ``boot_conf_high`` (log scale, 95%, test inversion; only with
    ``boot_ci``), ``boot_method``, ``n_switchers``, ``df_resid``. Numbers are NaN when not
    fitted or not asked for.
    A call takes a few milliseconds, ~0.1 s with the bootstrap interval (12 operations).
    """
    rows, _ = panel_poisson_fe(panel, min_clusters=min_clusters, bootstrap=bootstrap,
                               boot_ci=boot_ci)
    row = next(r for r in rows if r["term"] == MANDATE_TERM)
    nan = float("nan")

    def num(key: str) -> float:
        value = row.get(key)
        return nan if value is None else float(value)

    return {"estimate": num("estimate"), "std_error": num("std_error"),
            "conf_low": num("conf_low"), "conf_high": num("conf_high"),
            "p_value": num("p_value"), "rate_ratio": num("estimate_exp"),
            "status": row["status"], "reason": row["reason"], "n": row["n"],
            "n_clusters": row["n_clusters"], "boot_p": num("exact_p"),
            "boot_conf_low": num("boot_conf_low"), "boot_conf_high": num("boot_conf_high"),
            "boot_method": row.get("exact_method", ""), "n_switchers": row["n_switchers"],
            "df_resid": num("df_resid")}


def _fe_poisson_fast(df: pd.DataFrame) -> tuple[float, float, str]:
    """Mandate coefficient of the FE Poisson and its CR1 standard error, without statsmodels.

    The operation effects have a closed form at any mandate coefficient b (see
    :func:`restricted_scores`), so b solves the concentrated score
    U(b) = sum_t x_t (y_t - mu_t) = 0 by Newton steps b += U / H with
    H = sum_g [sum_t x_t^2 mu_t - (sum_t x_t mu_t)^2 / sum_t y_t] (the mandate's information
    with the effects partialled out). At the solution each operation's effect score is 0,
    so the CR1 variance of b is G/(G-1) sum_g s_g^2 / H^2, s_g = sum_t in g x_t (y_t - mu_t):
    the same numbers as the statsmodels fit of :func:`panel_poisson_fe` (to 1e-8).
    Returns (b, se, problem); problem is "" when the fit stands.
    """
    g = pd.factorize(df["operation"], sort=True)[0]
    n_ops = int(g.max()) + 1
    x = df[MANDATE_TERM].to_numpy(float)
    y = df["oc_activity_paragraphs"].to_numpy(float)
    offset = df["log_exposure"].to_numpy(float)
    totals = np.bincount(g, y, n_ops)
    b = 0.0
    for _ in range(100):
        eta = b * x + offset
        top = np.full(n_ops, -np.inf)
        np.maximum.at(top, g, eta)
        e = np.exp(eta - top[g])
        mu = e * (totals / np.bincount(g, e, n_ops))[g]
        score = float(np.sum(x * (y - mu)))
        info = float(np.sum(np.bincount(g, x * x * mu, n_ops)
                            - np.bincount(g, x * mu, n_ops) ** 2 / totals))
        if not info > 0:
            return math.nan, math.nan, "mandate information is zero (singular fit)"
        step = score / info
        b += step
        if abs(b) > DIVERGED:
            return math.nan, math.nan, (f"{MANDATE_TERM}: estimate diverged ({b:.1f} on the "
                                        "log scale), likely separation")
        if abs(step) < 1e-12 * max(1.0, abs(b)):
            s_g = np.bincount(g, x * (y - mu), n_ops)
            se = math.sqrt(n_ops / (n_ops - 1) * float(np.sum(s_g * s_g))) / info
            if not se > 0:
                return math.nan, math.nan, f"{MANDATE_TERM}: standard error is zero"
            return b, se, ""
    return math.nan, math.nan, "Newton steps on the mandate coefficient did not converge"


def fe_cluster(panel: pd.DataFrame, *, min_clusters: int = 5) -> dict:
    """``panel_poisson_fe``'s mandate term with CR1 t(S-1) inference, for the simulation.

    Same sample, checks and numbers as :func:`panel_poisson_fe` (not_fitted when S < 3 or
    fewer than ``min_clusters`` operations), computed by :func:`_fe_poisson_fast`. Returns
    ``estimate, conf_low, conf_high, p_value`` (log scale, NaN when not fitted), ``status``,
    ``reason``, ``n_switchers``. About a millisecond on 12 operations.
    """
    nan = math.nan
    df, notes = _drop_never_active(panel_sample(panel))
    ops = switchers(df)
    out = {"estimate": nan, "conf_low": nan, "conf_high": nan, "p_value": nan,
           "status": "not_fitted", "reason": "", "n_switchers": len(ops)}
    problems = _checks(df, min_clusters, need_switch=True)
    if not problems:
        b, se, problem = _fe_poisson_fast(df)
        problems = [problem] if problem else []
    if problems:
        out["reason"] = "; ".join(problems + notes)
        return out
    df_t = len(ops) - 1
    q = stats.t.ppf(0.975, df_t)
    out.update(estimate=b, conf_low=b - q * se, conf_high=b + q * se,
               p_value=float(2 * stats.t.sf(abs(b / se), df_t)), status="fitted",
               reason="; ".join([_identification_note(df)] + notes))
    return out


def fe_bootstrap(panel: pd.DataFrame) -> dict:
    """``panel_poisson_fe``'s mandate term with the wild cluster score bootstrap p and its
    interval by test inversion (:func:`mandate_bootstrap`), for the simulation; keys as
    :func:`fe_cluster` (conf bounds may be -inf/inf: unbounded)."""
    out = fe_cluster(panel)
    if out["status"] != "fitted":
        return out
    df, _ = _drop_never_active(panel_sample(panel))
    boot = mandate_bootstrap(df, out["estimate"])
    out.update(conf_low=boot["boot_conf_low"], conf_high=boot["boot_conf_high"],
               p_value=boot["boot_p"])
    return out
