"""Event study of the explicit mandate: OC activity report by report around its adoption.

Model id ``panel_event_study`` (replaces ``panel_leads_lags``). Sample: the rows of
``panel.csv`` with a known mandate, a treatment value and at least one paragraph, sorted by
operation, date, doc_id. ``explicit_mandate`` holds the treatment the models CLI chose
(the mandate at the period start, at the report date, or the share of the period under
mandate); a report is TREATED when it is true or, for a share, above 0.

Event time counts REPORTS (not calendar time) from the operation's first treated report
(event time 0), whether or not the mandate later lapses. Its values are binned into
:data:`EVENT_BINS`: ``lead_3plus`` (3 or more reports before: a binned end point),
``lead_2``, the reference -1 (the last report before, left out of the design),
``lag_0``, ``lag_1``, ``lag_2`` and ``lag_3plus`` (3 or more after: a binned end point).
A bin with no report is left out (said in ``reason``).

Model: Poisson with operation fixed effects, OC activity paragraphs on the bin dummies,
offset log(all paragraphs). Operations never treated have all dummies 0 and are the
controls; operations treated from their first report have no pre-period (no reference
report) and are left out, as are operations with no OC activity in any report (their fixed
effect diverges). Inference: cluster-robust by operation (CR1, factor G/(G-1)), with
Student's t on S - 1 degrees of freedom, S = the operations ever treated that are observed
before and after their first treated report (the ones that identify the event-time terms);
``not_fitted`` when there is no pre-period or S < 3.

Pre-trend test (row ``pretrend_wald``): the joint Wald test that every lead term is 0,
with the same cluster-robust covariance, as an F statistic W/q on (q, S - 1) degrees of
freedom; ``estimate`` holds F, ``p_value`` its p, ``reason`` says q and the df. It has no
standard error or interval. With no lead bin it is a ``not_fitted`` row saying why.

:func:`event_study_table` turns the rows (or ``estimates.csv``) into the frame Figure 8
draws.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.models.fit import LEVEL, guarded_fit, not_fitted, tidy_rows

MODEL = "panel_event_study"
FAMILY = "poisson"
PRETREND_TERM = "pretrend_wald"
REFERENCE = -1
# term -> (position on the event-time axis, axis label); the reference -1 sits between.
EVENT_BINS = {
    "lead_3plus": (-3, "\u2264 \u22123"),
    "lead_2": (-2, "\u22122"),
    "lag_0": (0, "0"),
    "lag_1": (1, "+1"),
    "lag_2": (2, "+2"),
    "lag_3plus": (3, "\u2265 +3"),
}
LEADS = ("lead_3plus", "lead_2")
MIN_SWITCHERS = 3


def _flag(values: pd.Series) -> pd.Series:
    """Treatment cells (True/False, "True"/"False", 0/1, a share in [0, 1], empty) as a
    float: 1.0 treated, 0.0 not, NaN unknown. A share counts as treated when above 0."""
    text = {"true": 1.0, "false": 0.0}

    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return math.nan
        if isinstance(v, (bool, np.bool_)):
            return float(v)
        s = str(v).strip().lower()
        if s in text:
            return text[s]
        try:
            x = float(s)
        except ValueError:
            return math.nan
        return math.nan if math.isnan(x) else float(x > 0)

    return values.map(one).astype(float)


def event_sample(panel: pd.DataFrame) -> pd.DataFrame:
    """The model sample with ``treated`` (0/1), ``log_exposure``, ``event_time`` (reports
    since the first treated report; NA for never-treated operations) and the dummies of
    :data:`EVENT_BINS` (all 0 for never-treated operations)."""
    df = panel.copy()
    treated = _flag(df["explicit_mandate"])
    known = _flag(df["mandate_known"]).fillna(0).astype(bool)
    paragraphs = pd.to_numeric(df["all_paragraphs"], errors="coerce")
    keep = known & treated.notna() & (paragraphs > 0)
    df = df[keep].copy()
    df["treated"] = treated[keep].astype(int)
    df["oc_activity_paragraphs"] = pd.to_numeric(df["oc_activity_paragraphs"]).astype(float)
    df["log_exposure"] = np.log(paragraphs[keep].astype(float))
    df = df.sort_values(["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)
    order = df.groupby("operation").cumcount()
    first = order.where(df["treated"] == 1).groupby(df["operation"]).transform("min")
    df["event_time"] = (order - first).astype("Int64")
    et = df["event_time"]
    never = et.isna()
    e = et.fillna(REFERENCE).astype(int)
    bins = {"lead_3plus": e <= -3, "lead_2": e == -2, "lag_0": e == 0, "lag_1": e == 1,
            "lag_2": e == 2, "lag_3plus": e >= 3}
    for term, hit in bins.items():
        df[term] = (hit & ~never).astype(int)
    return df


def _ops(df: pd.DataFrame, mask) -> list[str]:
    return sorted(df.loc[mask, "operation"].unique())


def _groups_of(df: pd.DataFrame):
    ever = df.groupby("operation")["event_time"].transform(lambda s: s.notna().any())
    has_pre = df.groupby("operation")["event_time"].transform(lambda s: (s < 0).any())
    return ever.astype(bool), has_pre.fillna(False).astype(bool)


def panel_event_study(panel: pd.DataFrame, *, min_clusters: int = 5) -> list[dict]:
    """Rows of ``panel_event_study``: one per event-time bin with reports, and the
    ``pretrend_wald`` row (see the module doc)."""
    df = event_sample(panel)
    notes, problems = [], []
    total = df.groupby("operation")["oc_activity_paragraphs"].transform("sum")
    if (silent := _ops(df, total == 0)):
        notes.append(f"{len(silent)} operations with no OC activity in any report left out: "
                     + ", ".join(silent))
        df = df[total > 0].reset_index(drop=True)
    ever, has_pre = _groups_of(df)
    if (always := _ops(df, ever & ~has_pre)):
        notes.append(f"{len(always)} operations treated from their first report left out "
                     "(no report before: no pre-period): " + ", ".join(always))
        df = df[~(ever & ~has_pre)].reset_index(drop=True)
        ever, has_pre = _groups_of(df)
    switched = _ops(df, ever)
    never = _ops(df, ~ever)
    s, g, n = len(switched), df["operation"].nunique(), len(df)
    terms = [t for t in EVENT_BINS if len(df) and df[t].any()]
    notes += [f"{t} left out: no report in that event-time bin" for t in EVENT_BINS
              if t not in terms]
    if not switched:
        problems.append("no treated operation has a report before its first treated report: "
                        "no pre-period, the reference (event time -1) is empty")
    elif s < MIN_SWITCHERS:
        problems.append(f"S = {s} treated operations observed before and after their first "
                        f"treated report ({', '.join(switched)}) < {MIN_SWITCHERS}: "
                        "cluster-robust inference on S - 1 df is not possible")
    if g < min_clusters:
        problems.append(f"too few clusters: {g} operations < {min_clusters}")
    keys = {"n_switchers": s, "df_resid": float(s - 1) if s > 1 else math.nan,
            "inference": "CR1, t(S-1)"}
    if problems:
        return [dict(r, **keys) for r in not_fitted(
            MODEL, FAMILY, problems + notes, term="event_time", n=n, n_clusters=g,
            cov_type="cluster")]
    design = (f"event time in reports since the first treated report (reference: event "
              f"time -1; end points binned: lead_3plus = 3 or more reports before, lag_3plus "
              f"= 3 or more after; a mandate that lapses later is ignored); S = {s} "
              f"operations treated and observed before and after ({', '.join(switched)}), "
              f"{len(never)} never treated as controls; CR1 by operation, t({s - 1})")
    notes = [design, *notes]
    x = [df[t].to_numpy(float) for t in terms]
    names = list(terms)
    for op in sorted(df["operation"].unique()):
        x.append((df["operation"] == op).to_numpy(float))
        names.append(f"fe[{op}]")
    exog = pd.DataFrame(np.column_stack(x), columns=names)
    if np.linalg.matrix_rank(exog.to_numpy()) < exog.shape[1]:
        return [dict(r, **keys) for r in not_fitted(
            MODEL, FAMILY, [("design matrix is singular (an event-time bin is collinear "
                             "with the operation fixed effects)")] + notes, term="event_time",
            n=n, n_clusters=g, cov_type="cluster")]
    groups = pd.factorize(df["operation"], sort=True)[0]
    model = sm.GLM(df["oc_activity_paragraphs"].to_numpy(float), exog,
                   family=sm.families.Poisson(), offset=df["log_exposure"].to_numpy())
    attempt = guarded_fit(lambda: model.fit(cov_type="cluster", cov_kwds={
        "groups": groups, "use_correction": False}))
    rows = tidy_rows(MODEL, FAMILY, attempt, {t: t for t in terms}, n=n, n_clusters=g,
                     cov_type="cluster", notes=notes, key_terms=tuple(terms))
    if rows[0]["status"] != "fitted":
        return [dict(r, term="event_time" if r["term"] == terms[0] else r["term"], **keys)
                for r in rows]
    dof = s - 1
    q_t = stats.t.ppf(0.5 + LEVEL / 2, df=dof)
    for row in rows:  # tidy_rows used t(G-1); the event terms rest on S clusters: t(S-1)
        est, se = row["estimate"], row["std_error"]
        row["p_value"] = float(2 * stats.t.sf(abs(est / se), df=dof))
        row["conf_low"], row["conf_high"] = est - q_t * se, est + q_t * se
        row["conf_low_exp"] = math.exp(row["conf_low"])
        row["conf_high_exp"] = math.exp(row["conf_high"])
        row.update(keys)
    rows.append(dict(_pretrend(attempt.result, terms, g, dof, n, notes), **keys))
    return rows


def _pretrend(result, terms: list[str], g: int, dof: int, n: int, notes: list[str]) -> dict:
    """The ``pretrend_wald`` row: joint cluster-robust Wald F test of the lead terms."""
    leads = [t for t in terms if t in LEADS]
    if not leads:
        return not_fitted(MODEL, FAMILY, [("no lead bin (no treated operation has a report "
                                           "2 or more before its first treated report): "
                                           "the pre-trend cannot be tested")],
                          term=PRETREND_TERM,
                          n=n, n_clusters=g, cov_type="cluster")[0]
    b = np.asarray(result.params[leads], dtype=float)
    v = np.asarray(result.cov_params().loc[leads, leads], dtype=float) * g / (g - 1)
    try:
        w = float(b @ np.linalg.solve(v, b))
    except np.linalg.LinAlgError:
        w = math.nan
    q = len(leads)
    if not (math.isfinite(w) and w >= 0):
        return not_fitted(MODEL, FAMILY, [("pre-trend Wald statistic not finite (singular "
                                           "covariance of the lead terms)")],
                          term=PRETREND_TERM, n=n, n_clusters=g, cov_type="cluster")[0]
    f = w / q
    p = float(stats.f.sf(f, q, dof))
    return {"model": MODEL, "family": FAMILY, "term": PRETREND_TERM, "estimate": f,
            "std_error": math.nan, "conf_low": math.nan, "conf_high": math.nan,
            "p_value": p, "estimate_exp": None, "conf_low_exp": None, "conf_high_exp": None,
            "n": n, "n_clusters": g, "cov_type": "cluster", "status": "fitted",
            "reason": (f"joint Wald test that the lead terms ({', '.join(leads)}) are 0, "
                       f"cluster-robust (CR1); estimate = F = W/q with q = {q}, p from "
                       f"F({q}, {dof}) (df = S - 1)")}


EVENT_TABLE_COLUMNS = ["term", "event_time", "label", "binned", "reference", "ratio", "low",
                       "high", "p_value"]


def _num(value) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return math.nan
    return x


def event_study_table(estimates) -> tuple[pd.DataFrame, dict]:
    """``(table, info)`` for Figure 8 from the ``panel_event_study`` rows (a list of row
    dicts, or ``estimates.csv`` as a frame, text or typed).

    ``table``: one row per event-time bin with an estimate, plus the reference (event time
    -1, ratio 1, no interval), sorted by event time: term, event_time (axis position),
    label ("\u2264 \u22123", "\u22122", "\u22121", "0", "+1", "+2", "\u2265 +3"), binned
    (an end point collecting several event times), reference, ratio, low, high (rate
    ratios, 95%), p_value. Empty when the model was not fitted.
    ``info``: ``fitted`` (bool), ``reason`` (the not-fitted reason, or the fitted rows'
    notes), ``pretrend_p`` and ``pretrend_f`` (NaN when not tested), ``pretrend_reason``.
    """
    df = pd.DataFrame(list(estimates) if isinstance(estimates, list) else estimates)
    if "model" in df:
        df = df[df["model"].astype(str) == MODEL]
    else:
        df = df.iloc[0:0]
    info = {"fitted": False, "reason": "", "pretrend_p": math.nan, "pretrend_f": math.nan,
            "pretrend_reason": ""}
    rows = []
    for r in df.to_dict("records"):
        status, term = str(r.get("status", "")).strip(), str(r.get("term", ""))
        reason = " ".join(str(r.get("reason", "") or "").split())
        if term == PRETREND_TERM:
            info["pretrend_reason"] = reason
            if status == "fitted":
                info["pretrend_p"] = _num(r.get("p_value"))
                info["pretrend_f"] = _num(r.get("estimate"))
            continue
        if status != "fitted" or term not in EVENT_BINS:
            info["reason"] = info["reason"] or reason
            continue
        est, low, high = (_num(r.get(c)) for c in ("estimate", "conf_low", "conf_high"))
        if not math.isfinite(est):
            continue
        info["fitted"], info["reason"] = True, reason
        position, label = EVENT_BINS[term]
        rows.append({"term": term, "event_time": position, "label": label,
                     "binned": term.endswith("3plus"), "reference": False,
                     "ratio": math.exp(est),
                     "low": math.exp(low) if math.isfinite(low) else math.nan,
                     "high": math.exp(high) if math.isfinite(high) else math.nan,
                     "p_value": _num(r.get("p_value"))})
    if rows:
        rows.append({"term": "reference", "event_time": REFERENCE, "label": "\u22121",
                     "binned": False, "reference": True, "ratio": 1.0, "low": math.nan,
                     "high": math.nan, "p_value": math.nan})
    table = pd.DataFrame(rows, columns=EVENT_TABLE_COLUMNS)
    return table.sort_values("event_time", kind="stable").reset_index(drop=True), info
