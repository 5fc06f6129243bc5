"""Calendar-time effects and staggered adoption: two-way FE and imputation (ETWFE) Poisson.

The operation-FE panel (:func:`analysis.models.panel.panel_poisson_fe`) compares each
switching operation's reports under and without an explicit mandate. Mandates are adopted
later in an operation's life and, across operations, in later years; anything that moves
OC reporting over calendar time (a common trend in attention to organized crime, drafting
conventions of the reports) then loads onto the mandate term. Two estimators add
calendar-time effects:

- ``panel_poisson_twfe`` (:func:`panel_poisson_twfe`): Poisson with operation fixed effects
  AND calendar-period fixed effects (period = floor((report year - first year) /
  ``period_years``), default 2-year bins), offset log(all paragraphs). Inference: CR1
  cluster-robust by operation (factor G/(G-1)), Student t with S-1 degrees of freedom, S =
  the operations whose treatment changes (only they carry information on the mandate).
- ``panel_poisson_etwfe`` (:func:`panel_poisson_etwfe`): the imputation form of
  Wooldridge's (2023) Poisson extended TWFE. Operation + period fixed effects are fitted
  by Poisson maximum likelihood on the UNTREATED reports only (never-treated operations
  and reports of later-treated ones before their mandate); the fit imputes each treated
  report's untreated mean mu0 = exp(a_operation + b_period) * paragraphs; the mandate
  rate ratio is sum(y) / sum(mu0) over the treated reports whose operation and period
  effects are identified by untreated reports, and the estimate is its log. Inference:
  leave-one-operation-out jackknife standard error, t with S-1 df (S = operations with
  identified treated reports). Treatment is taken as absorbing: an operation's reports
  after its explicit mandate ends are left out (said in ``reason``).

Why both, and why the imputation estimator is preferred: with staggered adoption and an
effect that differs across operations or grows with time under mandate, the two-way FE
estimate is a weighted average of all 2x2 comparisons, including ones that use
already-mandated operations as controls for newly mandated ones; their weights can be
negative and the estimate can fall outside the range of the true effects (Goodman-Bacon
2021). Wooldridge (2023) shows that in Poisson models the remedy is to saturate the model
with cohort x period treatment interactions (extended TWFE), and that the resulting
average effect equals the imputation estimator of Borusyak, Jaravel and Spiess (2024):
the counterfactual is learned from untreated reports only, so treated reports never act
as controls. The ratio sum(y)/sum(mu0) is the average treatment effect on the treated on
the rate-ratio scale, each treated report weighted by its untreated mean. The same
paragraph is :data:`CHOICE_TEXT` (quoted in the paper).

Both fits are Poisson maximum likelihood by Newton's method on the dummy design
(:func:`poisson_newton`; no statsmodels set-up, whose SVD dominates on these small panels),
with the CR1 variance by hand (:func:`cluster_poisson`, checked against statsmodels in the
tests). As ``ppmlhdfe`` does, operations and periods with no OC activity, and single
reports without activity that the fixed effects separate (fitted mean 0), are left out
with a note. Timing on the demo design (12 operations, ~70 reports): a few hundredths of a
second for either, the jackknife included.

Rows follow the estimates layout (as :func:`analysis.models.fit.tidy_rows` and
:func:`analysis.models.fit.not_fitted` build them), term ``explicit_mandate``, plus the keys
``n_switchers``, ``df_resid`` and ``inference`` (the columns the inference part adds at
the end of :class:`analysis.schemas.models.Estimates`). ``not_fitted`` with the reason when
S < 3, fewer than ``min_clusters`` operations, a singular design, or nothing identified.

Fast functions for the simulation: :func:`twfe_cluster`, :func:`etwfe_jackknife` (dict with
``estimate, conf_low, conf_high, p_value, status, reason, n_switchers``, log scale, NaN
when not fitted).

The ``explicit_mandate`` column may hold booleans (or "True"/"False" text) or a share in
[0, 1] (``mandate_timing: period_share``); TWFE uses it as it is, ETWFE counts a report as
treated when the share is above 0.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from analysis.models.cross import as_boolean
from analysis.models.fit import (
    DIVERGED,
    LEVEL,
    MANDATE_TERM,
    not_fitted,
)
from analysis.models.panel import _drop_never_active, switchers

MIN_SWITCHERS = 3
DEFAULT_PERIOD_YEARS = 2
TWFE_INFERENCE = "CR1 cluster-robust by operation, t(S-1)"
ETWFE_INFERENCE = "leave-one-operation-out jackknife, t(S-1)"
# A report without activity whose fitted log-mean (a_op + b_period) is below this is
# separated: its mean goes to 0 and the estimates to infinity.
SEPARATED = 15.0
# Operations/periods with no untreated activity keep effect -inf (see _untreated_fit).
ZERO_LIMIT = True

CHOICE_TEXT = (
    "Mandates are adopted at different times by different operations, and their effect may "
    "differ across operations and grow with time under mandate. With such staggered "
    "adoption, the two-way fixed-effects estimate is a weighted average of all two-by-two "
    "comparisons, including comparisons that use already-mandated operations as controls "
    "for newly mandated ones; some weights can be negative and the estimate can lie outside "
    "the range of the true effects (Goodman-Bacon 2021). We therefore report, next to the "
    "Poisson model with operation and calendar-period fixed effects, the extended two-way "
    "fixed-effects Poisson estimator of Wooldridge (2023) in its imputation form (Borusyak, "
    "Jaravel and Spiess 2024): operation and period effects are estimated from untreated "
    "reports only (operations never mandated and reports before a mandate), each mandated "
    "report's expected count without a mandate is imputed from them, and the mandate rate "
    "ratio is the observed over the imputed count summed over mandated reports. Mandated "
    "reports never serve as controls, and the estimate is the average effect on the "
    "mandated reports. Its standard error is a leave-one-operation-out jackknife, with "
    "t critical values on S-1 degrees of freedom, S being the number of operations whose "
    "mandate changes.")

_NAN = float("nan")


# ------------------------------------------------------------------ sample and helpers
def treatment_values(values: pd.Series) -> pd.Series:
    """``explicit_mandate`` as floats: True/False/"True"/"False"/1/0 -> 1.0/0.0, a share in
    [0, 1] kept, empty -> NaN. A number outside [0, 1] raises ValueError."""
    flags = as_boolean(values)
    numbers = pd.to_numeric(values.astype(object).where(flags.isna()), errors="coerce")
    out = flags.astype("Float64").astype(float).where(flags.notna(), numbers.astype(float))
    bad = out[(out < 0) | (out > 1)]
    if len(bad):
        raise ValueError(f"panel column {MANDATE_TERM}: value {bad.iloc[0]} (row "
                         f"{bad.index[0]}) is not a 0/1 flag or a share in [0, 1]")
    return out


def sample(panel: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Model sample and notes: known mandate, at least one paragraph, operations with some
    OC activity (as :func:`analysis.models.panel.panel_sample` + never-active operations
    left out), ``explicit_mandate`` as a float, sorted by operation and date."""
    df = panel.copy()
    df[MANDATE_TERM] = treatment_values(df[MANDATE_TERM])
    if "mandate_known" in df.columns:
        known = as_boolean(df["mandate_known"]).fillna(False).astype(bool)
    else:
        known = pd.Series(True, index=df.index)
    df = df[known & df[MANDATE_TERM].notna() & (df["all_paragraphs"] > 0)].copy()
    df["log_exposure"] = np.log(df["all_paragraphs"].astype(float))
    order = ["operation", "date"] + (["doc_id"] if "doc_id" in df.columns else [])
    df = df.sort_values(order, kind="stable").reset_index(drop=True)
    return _drop_never_active(df)


def add_periods(df: pd.DataFrame, period_years: int) -> tuple[pd.DataFrame, str]:
    """Add ``period`` (0, 1, ...: floor((year - first year) / period_years)) and a phrase."""
    if period_years < 1:
        raise ValueError(f"period_years must be a positive number of years, got {period_years}")
    years = pd.to_datetime(df["date"], errors="coerce").dt.year
    if years.isna().any():
        row = years[years.isna()].index[0]
        raise ValueError(f"panel row {row}: column date {df['date'].iloc[row]!r} is not a "
                         "date (YYYY-MM-DD); fix the document's date in the manifest")
    df = df.copy()
    first = int(years.min()) if len(years) else 0
    df["period"] = ((years - first) // period_years).astype(int)
    n = df["period"].nunique()
    return df, (f"{n} calendar periods of {period_years} year(s) from {first}")


def switcher_inference(row: dict, n_switch: int, *, inference: str) -> dict:
    """Recompute p and the 95% interval of a fitted row from its standard error with
    Student t on S-1 degrees of freedom; add ``n_switchers``, ``df_resid``, ``inference``.
    Idempotent (the interval depends on the standard error only)."""
    row = dict(row)
    row["n_switchers"] = n_switch
    row["inference"] = inference
    if row.get("status") != "fitted":
        row["df_resid"] = None
        return row
    df = n_switch - 1
    est, se = float(row["estimate"]), float(row["std_error"])
    q = stats.t.ppf(0.5 + LEVEL / 2, df=df)
    row["df_resid"] = float(df)
    row["p_value"] = float(2 * stats.t.sf(abs(est / se), df=df))
    row["conf_low"], row["conf_high"] = est - q * se, est + q * se
    for side in ("low", "high"):
        value = row[f"conf_{side}"]
        row[f"conf_{side}_exp"] = math.exp(value) if abs(value) < 700 else None
    return row


def _refuse(name: str, reasons: list[str], df: pd.DataFrame, n_switch: int,
            inference: str, what: str = "") -> list[dict]:
    rows = not_fitted(name, "poisson", reasons, n=len(df),
                      n_clusters=df["operation"].nunique() if len(df) else 0,
                      cov_type="cluster")
    return [switcher_inference(rows[0], n_switch, inference=inference)]


def _too_few(df: pd.DataFrame, ops: list[str], min_clusters: int,
             what: str = f"whose {MANDATE_TERM} changes") -> list[str]:
    problems = []
    if len(ops) < MIN_SWITCHERS:
        problems.append(f"S = {len(ops)} operation(s) {what} "
                        f"({', '.join(ops) or 'none'}) < {MIN_SWITCHERS}: cluster-robust "
                        "inference on S-1 degrees of freedom is refused")
    g = df["operation"].nunique()
    if g < min_clusters:
        problems.append(f"too few clusters: {g} operations < {min_clusters}")
    return problems


def _as_result(row: dict) -> dict:
    """A tidy row -> the dict of the simulation's fast functions."""
    def num(key: str) -> float:
        value = row.get(key)
        return _NAN if value is None or pd.isna(value) else float(value)

    return {"estimate": num("estimate"), "conf_low": num("conf_low"),
            "conf_high": num("conf_high"), "p_value": num("p_value"),
            "std_error": num("std_error"), "status": row["status"], "reason": row["reason"],
            "n_switchers": row.get("n_switchers")}


# ------------------------------------------------------------------ two-way FE Poisson
def _drop_empty_periods(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Periods with no OC activity in any report (their effect runs to -inf) and then
    operations left without activity are dropped, until none is left."""
    notes, dropped = [], []
    while True:
        period_total = df.groupby("period")["oc_activity_paragraphs"].transform("sum")
        empty = sorted(df.loc[period_total == 0, "period"].unique())
        if not empty:
            break
        dropped += [int(p) for p in empty]
        df = df[period_total > 0]
        df, more = _drop_never_active(df)
        notes += more
    if dropped:
        notes.insert(0, f"{len(dropped)} period(s) with no OC activity in any report left out "
                        f"(period index {', '.join(map(str, dropped))})")
    return df.reset_index(drop=True), notes


def _twfe_design(df: pd.DataFrame) -> pd.DataFrame:
    cols = {MANDATE_TERM: df[MANDATE_TERM].to_numpy(float)}
    for op in sorted(df["operation"].unique()):
        cols[f"fe[{op}]"] = (df["operation"] == op).to_numpy(float)
    for p in sorted(df["period"].unique())[1:]:  # first period: reference
        cols[f"period[{p}]"] = (df["period"] == p).to_numpy(float)
    return pd.DataFrame(cols)


def panel_poisson_twfe(panel: pd.DataFrame, *, period_years: int = DEFAULT_PERIOD_YEARS,
                       min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_poisson_twfe``: Poisson, operation + calendar-period fixed effects,
    offset log(all paragraphs); CR1 by operation, t(S-1) (see the module doc)."""
    name = "panel_poisson_twfe"
    df, notes = sample(panel)
    df, period_note = add_periods(df, period_years)
    df, more = _drop_empty_periods(df)
    notes += more
    ops = switchers(df)
    if problems := _too_few(df, ops, min_clusters):
        return _refuse(name, problems + [period_note] + notes, df, len(ops), TWFE_INFERENCE)
    x = _twfe_design(df).to_numpy()
    if np.linalg.matrix_rank(x.T @ x) < x.shape[1]:
        return _refuse(name, [(f"design matrix is singular: {MANDATE_TERM} is collinear with "
                              "the operation and period fixed effects (e.g. every switcher "
                              "switches in the same period with no operation to compare)"),
                              period_note] + notes, df, len(ops), TWFE_INFERENCE)
    notes = [(f"mandate effect identified from S = {len(ops)} of {df['operation'].nunique()} "
             f"operations whose {MANDATE_TERM} changes: {', '.join(ops)}; operation and "
             f"{period_note} fixed effects")] + notes
    fit = cluster_poisson(df["oc_activity_paragraphs"].to_numpy(float), x,
                          df["log_exposure"].to_numpy(float),
                          pd.factorize(df["operation"], sort=True)[0])
    if fit["problem"]:
        return _refuse(name, [fit["problem"]] + notes, df, len(ops), TWFE_INFERENCE)
    if fit["separated"]:
        notes.append(f"{fit['separated']} report(s) without OC activity separated by the "
                     "fixed effects (fitted mean 0) left out")
    est, se = fit["estimate"], fit["std_error"]
    if abs(est) > DIVERGED or not (np.isfinite(se) and se > 0):
        return _refuse(name, [(f"{MANDATE_TERM}: estimate {est:.3g} or standard error "
                              f"{se:.3g} not usable (diverged or singular fit)")] + notes, df,
                       len(ops), TWFE_INFERENCE)
    row = {"model": name, "family": "poisson", "term": MANDATE_TERM, "estimate": est,
           "std_error": se, "estimate_exp": math.exp(est), "n": fit["n"],
           "n_clusters": df["operation"].nunique(), "cov_type": "cluster",
           "status": "fitted", "reason": "; ".join(notes)}
    return [switcher_inference(row, len(ops), inference=TWFE_INFERENCE)]


def cluster_poisson(y: np.ndarray, x: np.ndarray, offset: np.ndarray,
                    groups: np.ndarray) -> dict:
    """Poisson ML of y on x (column 0: the term of interest) with offset, and its CR1
    cluster-robust standard error: sqrt(G/(G-1) * sum_g (h' s_g)^2), h = the first row of
    the inverse information, s_g = x_g'(y_g - mu_g) (the operation effects nested in the
    clusters are not counted as parameters, as in :mod:`analysis.models.fit`).

    Reports without activity whose fitted log-mean runs below -:data:`SEPARATED`
    (separated by the fixed effects: their mean goes to 0) are left out and the model
    refitted, as ``ppmlhdfe`` does. Returns ``estimate``, ``std_error``, ``n``,
    ``separated`` (rows left out), ``problem`` (why it failed, or "").
    """
    out = {"estimate": _NAN, "std_error": _NAN, "n": len(y), "separated": 0, "problem": ""}
    keep = np.ones(len(y), dtype=bool)
    for _ in range(10):
        xk, yk, ok, gk = x[keep], y[keep], offset[keep], groups[keep]
        live = np.flatnonzero(xk.any(axis=0))
        if not len(live) or live[0] != 0:
            out["problem"] = f"{MANDATE_TERM} has no variation left"
            return out
        xk = xk[:, live]
        start = np.zeros(xk.shape[1])
        status: dict = {}
        beta = poisson_newton(yk, xk, ok, start, status=status)
        if beta is None:
            out["problem"] = "the Poisson fit failed"
            return out
        eta = xk @ beta
        sep = (yk == 0) & (eta < -SEPARATED)
        if not sep.any():
            break
        keep[np.flatnonzero(keep)[sep]] = False
        out["separated"] += int(sep.sum())
    if not status.get("converged"):
        out["problem"] = "the Poisson fit did not converge"
        return out
    mu = np.exp(xk @ beta + ok)
    hess = (xk * mu[:, None]).T @ xk
    try:
        h = np.linalg.solve(hess, np.eye(len(beta))[0])
    except np.linalg.LinAlgError:
        out["problem"] = "singular information matrix"
        return out
    g_codes = np.unique(gk, return_inverse=True)[1]
    g_n = int(g_codes.max()) + 1
    scores = np.bincount(g_codes, (xk @ h) * (yk - mu), g_n)
    out.update(estimate=float(beta[0]), n=int(keep.sum()),
               std_error=math.sqrt(g_n / (g_n - 1) * float(np.sum(scores ** 2))))
    return out


def twfe_cluster(panel: pd.DataFrame, period_years: int = DEFAULT_PERIOD_YEARS) -> dict:
    """Mandate term of :func:`panel_poisson_twfe` for the simulation (log scale)."""
    return _as_result(panel_poisson_twfe(panel, period_years=period_years)[0])


# ------------------------------------------------------------------ imputation (ETWFE)
def poisson_newton(y: np.ndarray, x: np.ndarray, offset: np.ndarray, start: np.ndarray, *,
                   tol: float = 1e-10, max_iter: int = 100,
                   status: dict | None = None) -> np.ndarray | None:
    """Poisson maximum likelihood by Newton's method with step halving; None when it fails.

    Small dense designs only (solves the k x k normal equations; no SVD, which is slow
    under thread contention and is what a statsmodels GLM runs at set-up). Parameters
    that run off to -infinity (separation) simply keep moving for ``max_iter`` steps; the
    caller spots them by their fitted log-means. ``status["converged"]`` says whether the
    steps settled.
    """
    status = {} if status is None else status
    status["converged"] = False
    beta = np.asarray(start, dtype=float).copy()
    k = x.shape[1]

    def loglik(b):
        eta = x @ b + offset
        return float(np.sum(y * eta - np.exp(eta)))

    ll = loglik(beta)
    for _ in range(max_iter):
        mu = np.exp(x @ beta + offset)
        grad = x.T @ (y - mu)
        hess = (x * mu[:, None]).T @ x
        hess[np.diag_indices(k)] += 1e-12 * max(1.0, float(np.trace(hess)) / k)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        t = 1.0
        while True:
            new = beta + t * step
            ll_new = loglik(new)
            if np.isfinite(ll_new) and ll_new >= ll - 1e-12 * abs(ll):
                break
            t /= 2
            if t < 1e-8:
                return beta if np.all(np.isfinite(beta)) else None
        beta, done = new, ll_new - ll < tol * (abs(ll) + 1) and np.max(np.abs(t * step)) < 1e-6
        ll = ll_new
        if done:
            status["converged"] = True
            break
    return beta if np.all(np.isfinite(beta)) else None



def _largest_component(op: np.ndarray, per: np.ndarray, n_op: int) -> np.ndarray:
    """Mask of the rows in the largest connected set of operations and periods (linked when
    an operation has a report in the period; ties: the set of the lowest operation code):
    only within one set is a_op + b_period estimable."""
    nodes = np.r_[op, n_op + per]
    n = int(nodes.max()) + 1
    graph = coo_matrix((np.ones(len(op)), (op, n_op + per)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    row_labels = labels[op]
    counts = np.bincount(row_labels)
    best = row_labels[np.flatnonzero(counts[row_labels] == counts.max())[0]]
    return row_labels == best


def _two_way(y, op, per, offset):
    """Poisson ML of log mu = a[op] + b[per] + offset (dummy design, the first period
    present the reference; :func:`poisson_newton`). Returns the fitted a_op + b_per of the
    rows and (a, b) as dicts code -> value, or None."""
    ops, op_i = np.unique(op, return_inverse=True)
    pers, per_i = np.unique(per, return_inverse=True)
    n, k = len(y), len(ops) + len(pers) - 1
    x = np.zeros((n, k))
    x[np.arange(n), op_i] = 1.0
    later = per_i > 0
    x[np.flatnonzero(later), len(ops) + per_i[later] - 1] = 1.0
    start = np.zeros(k)
    start[:len(ops)] = np.log((np.bincount(op_i, y, len(ops)) + 0.1)
                              / np.bincount(op_i, np.exp(offset), len(ops)))
    params = poisson_newton(y, x, offset, start)
    if params is None:
        return None
    a = dict(zip(ops.tolist(), params[:len(ops)], strict=True))
    b = dict(zip(pers.tolist(), np.r_[0.0, params[len(ops):]], strict=True))
    return x @ params, a, b


def _untreated_fit(y, op, per, offset, n_op, notes, labels=None):
    """Fit the untreated rows given, leaving out what makes the ML estimates infinite.

    As ``ppmlhdfe`` does: operations or periods with no OC activity among the untreated
    reports, then single reports without activity whose fitted log-mean runs below
    -:data:`SEPARATED` (separated: a combination of the fixed effects predicts them
    exactly) are left out and the model refitted until none is left; only the largest
    connected set of operations and periods is kept. The operations and periods without
    activity keep their ML limit, effect -inf (with :data:`ZERO_LIMIT`): their treated
    reports are imputed mu0 = 0 rather than left out, since leaving them out would select
    operations whose untreated counts happened to be high and bias mu0 upwards.
    Returns (kept mask, (a, b) as dicts code -> effect, or None); ``notes`` (a list, or
    None) receives what was left out.
    """
    keep = np.ones(len(y), dtype=bool)
    zero_ops, zero_pers, separated, disconnected = set(), set(), 0, 0
    fit = None
    for _ in range(20):
        while keep.any():
            op_tot = np.bincount(op[keep], y[keep], n_op)
            per_tot = np.bincount(per[keep], y[keep], int(per.max()) + 1)
            bad = keep & ((op_tot[op] == 0) | (per_tot[per] == 0))
            if not bad.any():
                break
            zero_ops |= set(op[bad & (op_tot[op] == 0)].tolist())
            zero_pers |= set(per[bad & (per_tot[per] == 0)].tolist())
            keep &= ~bad
        if not keep.any():
            fit = None
            break
        rows = np.flatnonzero(keep)
        conn = _largest_component(op[rows], per[rows], n_op)
        disconnected += int((~conn).sum())
        keep[rows[~conn]] = False
        rows = rows[conn]
        fit = _two_way(y[rows], op[rows], per[rows], offset[rows])
        if fit is None:
            if notes is not None:
                notes.append("the untreated fit failed")
            return keep, None
        eta = fit[0]
        sep = (y[rows] == 0) & (eta < -SEPARATED)
        if not sep.any():
            break
        separated += int(sep.sum())
        keep[rows[sep]] = False
    else:
        if notes is not None:
            notes.append("the untreated fit did not settle")
        return keep, None
    if notes is not None:
        if zero_ops or zero_pers:
            notes.append("no OC activity in any untreated report of (fitted mean 0, the "
                         "ML limit; their treated reports are imputed mu0 = 0): "
                         + ", ".join([f"operation {o if labels is None else labels[o]}"
                                      for o in sorted(zero_ops)]
                                     + [f"period index {p}" for p in sorted(zero_pers)]))
        if separated:
            notes.append(f"{separated} untreated report(s) without OC activity separated by "
                         "the fixed effects (fitted mean 0) left out of the untreated fit")
        if disconnected:
            notes.append(f"{disconnected} untreated report(s) outside the largest connected "
                         "set of operations and periods left out")
    if fit is None and not (zero_ops or zero_pers):
        return keep, None
    a, b = ({}, {}) if fit is None else fit[1:]
    if ZERO_LIMIT:  # the ML limits: a mean of 0 for operations and periods without activity
        a = {**{o: -math.inf for o in zero_ops}, **a}
        b = {**{p: -math.inf for p in zero_pers}, **b}
    return keep, (a, b)


def _impute(arrays: dict, rows: np.ndarray, notes: list[str] | None) -> dict:
    """One imputation fit on the sample rows ``rows`` (see :func:`impute`)."""
    y, op, per = arrays["y"][rows], arrays["op"][rows], arrays["per"][rows]
    offset, treated = arrays["offset"][rows], arrays["treated"][rows]
    u = ~treated
    kept, fit = _untreated_fit(y[u], op[u], per[u], offset[u], arrays["n_op"], notes,
                               arrays["labels"])
    ident = np.zeros(len(rows), dtype=bool)
    out = {"estimate": _NAN, "identified": ident, "n_untreated": int(kept.sum())}
    if fit is None:
        return out
    a, b = fit
    t = np.flatnonzero(treated)
    ok = np.array([op[i] in a and per[i] in b for i in t], dtype=bool)
    ident[t[ok]] = True
    if not ok.any():
        return out
    ti = t[ok]
    mu0 = np.exp(np.array([a[op[i]] + b[per[i]] for i in ti]) + offset[ti])
    if not mu0.sum() > 0:
        out["estimate"] = math.inf  # every identified treated report has an untreated mean 0
        return out
    ratio = y[ti].sum() / mu0.sum()
    out["estimate"] = math.log(ratio) if ratio > 0 else -math.inf
    return out


def _arrays(df: pd.DataFrame) -> tuple[dict, pd.Index]:
    codes, ops = pd.factorize(df["operation"], sort=True)
    return {"y": df["oc_activity_paragraphs"].to_numpy(float), "op": codes,
            "per": df["period"].to_numpy(int), "offset": df["log_exposure"].to_numpy(float),
            "treated": df["treated"].to_numpy(bool), "n_op": len(ops),
            "labels": list(ops)}, ops


def impute(df: pd.DataFrame, notes: list[str] | None = None) -> dict:
    """One imputation fit on a prepared sample (:func:`prepare_etwfe`: columns operation,
    period, treated, oc_activity_paragraphs, log_exposure).

    Returns ``estimate`` (log of sum y / sum mu0 over the identified treated reports, NaN
    when none), ``identified`` (bool per row of ``df``: a treated report whose operation
    and period effects are estimated from untreated reports), ``n_untreated`` (reports in
    the untreated fit); what was left out is appended to ``notes``.
    """
    arrays, _ = _arrays(df)
    return _impute(arrays, np.arange(len(df)), notes)


def prepare_etwfe(panel: pd.DataFrame, period_years: int) -> tuple[pd.DataFrame, list[str]]:
    """The ETWFE sample: :func:`sample` with ``period`` and ``treated`` (explicit_mandate >
    0), and an operation's reports after its mandate ended left out (absorbing treatment)."""
    df, notes = sample(panel)
    df, period_note = add_periods(df, period_years)
    df["treated"] = (df[MANDATE_TERM] > 0).astype(int)
    if ((df[MANDATE_TERM] > 0) & (df[MANDATE_TERM] < 1)).any():
        notes.append(f"reports with a {MANDATE_TERM} share above 0 counted as treated")
    ever = df.groupby("operation")["treated"].cummax()
    after = (ever == 1) & (df["treated"] == 0)
    if after.any():
        ops = sorted(set(df.loc[after, "operation"]))
        notes.append(f"{int(after.sum())} report(s) after an explicit mandate ended left out "
                     f"(treatment assumed absorbing): {', '.join(ops)}")
        df = df[~after].reset_index(drop=True)
    return df, [period_note] + notes


def _left_out_note(df: pd.DataFrame, identified: np.ndarray) -> list[str]:
    treated = df["treated"].to_numpy(bool)
    left = df[treated & ~identified]
    if not len(left):
        return []
    untreated = df[~treated]
    no_op = sorted(set(left["operation"]) - set(untreated["operation"]))
    no_per = sorted(set(left["period"]) - set(untreated["period"]))
    return [f"{len(left)} treated report(s) left out, their fixed effects not identified by "
            "untreated reports"
            + (f" (no untreated report of {', '.join(no_op)})" if no_op else "")
            + "; periods without an untreated report: "
            + (", ".join(map(str, no_per)) or "none")]


def panel_poisson_etwfe(panel: pd.DataFrame, *, period_years: int = DEFAULT_PERIOD_YEARS,
                        min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_poisson_etwfe``: the imputation form of Wooldridge's Poisson ETWFE
    with a leave-one-operation-out jackknife (see the module doc)."""
    name = "panel_poisson_etwfe"
    df, notes = prepare_etwfe(panel, period_years)
    if not len(df):
        return _refuse(name, ["no report in the sample"] + notes, df, 0, ETWFE_INFERENCE,
                       what="with identified mandated reports")
    arrays, op_labels = _arrays(df)
    fit_notes: list[str] = []
    main = _impute(arrays, np.arange(len(df)), fit_notes)
    notes += fit_notes + _left_out_note(df, main["identified"])
    ident = main["identified"]
    ops = sorted(set(df.loc[ident, "operation"]))
    used = df[ident | (df["treated"] == 0).to_numpy()]
    problems = _too_few(used, ops, min_clusters, what="with identified mandated reports")
    if not ident.any():
        problems.append("no treated report is identified (no untreated report shares its "
                        "operation and period)")
    elif not np.isfinite(main["estimate"]):
        problems.append("no identified treated report has OC activity: the rate ratio is 0")
    if problems:
        return _refuse(name, problems + notes, used, len(ops), ETWFE_INFERENCE,
                       what="with identified mandated reports")
    est = main["estimate"]
    clusters = sorted(set(used["operation"]))
    jack = []
    for label in clusters:
        rows = np.flatnonzero(arrays["op"] != op_labels.get_loc(label))
        sub = _impute(arrays, rows, None)["estimate"]
        if np.isfinite(sub):
            jack.append(sub)
    failed = len(clusters) - len(jack)
    if len(jack) < MIN_SWITCHERS:
        return _refuse(name, [(f"only {len(jack)} leave-one-operation-out fits identified an "
                              "effect: no jackknife standard error")] + notes, used, len(ops),
                       ETWFE_INFERENCE)
    jack = np.asarray(jack)
    m = len(jack)
    se = math.sqrt((m - 1) / m * np.sum((jack - jack.mean()) ** 2))
    lead = (f"imputation (Wooldridge Poisson ETWFE; Borusyak-Jaravel-Spiess): operation + "
            f"period effects fitted on {main['n_untreated']} untreated reports (never and "
            f"not-yet mandated), mu0 imputed for {int(ident.sum())} treated reports of "
            f"S = {len(ops)} operations ({', '.join(ops)}); rate ratio = sum y / sum mu0 = "
            f"{math.exp(est):.4g}; jackknife over {m} operations"
            + (f" ({failed} leave-one-out fit(s) without an identified effect left out)"
               if failed else ""))
    if abs(est) > DIVERGED or not (np.isfinite(se) and se > 0):
        return _refuse(name, [(f"{MANDATE_TERM}: estimate {est:.3g} or jackknife standard "
                              f"error {se:.3g} not usable"), lead] + notes, used, len(ops),
                       ETWFE_INFERENCE)
    row = {"model": name, "family": "poisson", "term": MANDATE_TERM, "estimate": est,
           "std_error": se, "estimate_exp": math.exp(est), "n": len(used),
           "n_clusters": len(clusters), "cov_type": "cluster", "status": "fitted",
           "reason": "; ".join([lead] + notes)}
    return [switcher_inference(row, len(ops), inference=ETWFE_INFERENCE)]


def etwfe_jackknife(panel: pd.DataFrame, period_years: int = DEFAULT_PERIOD_YEARS) -> dict:
    """Mandate effect of :func:`panel_poisson_etwfe` for the simulation (log scale)."""
    return _as_result(panel_poisson_etwfe(panel, period_years=period_years)[0])
