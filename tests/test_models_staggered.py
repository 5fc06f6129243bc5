"""Calendar-time effects and staggered adoption (analysis.models.staggered).

Generated panels with a known effect: a common time trend that the operation-FE model
mistakes for the mandate and the two-way FE model removes; staggered adoption with an
effect that grows under mandate, where two-way FE is biased and the imputation (ETWFE)
estimator recovers the average effect on the mandated reports.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.models.run import fit_panel_poisson
from analysis.models.staggered import (
    CHOICE_TEXT,
    etwfe_jackknife,
    panel_poisson_etwfe,
    panel_poisson_twfe,
    twfe_cluster,
)


def make_panel(*, n_ops=40, years=10, adopt=None, log_effect=lambda et: math.log(2.0),
               trend=0.0, base=0.1, seed=1, paragraphs=60):
    """A panel of yearly reports and its truth.

    ``adopt[i]``: index of the first mandated year of operation i (None: never mandated;
    0: mandated throughout); by default a quarter never, the rest adopting in years 2..7.
    Rate of report t of operation i = base * exp(u_i + trend * t + log_effect(t - adopt_i))
    when mandated. Returns (panel, truth) with truth = log(sum E[y] / sum E[y | no
    mandate]) over mandated reports: the average effect on the mandated reports.
    """
    rng = np.random.default_rng(seed)
    if adopt is None:
        adopt = [None if i % 4 == 0 else 2 + i % 6 for i in range(n_ops)]
    rows, mu1, mu0 = [], 0.0, 0.0
    for i, start in enumerate(adopt):
        u = rng.normal(0, 0.3)
        for t in range(years):
            on = start is not None and t >= start
            m0 = paragraphs * base * math.exp(u + trend * t)
            m = m0 * (math.exp(log_effect(t - start)) if on else 1.0)
            if on:
                mu1, mu0 = mu1 + m, mu0 + m0
            rows.append({"operation": f"OP{i:02d}", "doc_id": f"op{i:02d}-{t:02d}",
                         "date": f"{2000 + t}-06-01",
                         "oc_activity_paragraphs": min(int(rng.poisson(m)), paragraphs),
                         "all_paragraphs": paragraphs, "mandate_known": True,
                         "explicit_mandate": on})
    return pd.DataFrame(rows), math.log(mu1 / mu0)


def test_twfe_removes_a_common_trend_that_biases_operation_fe():
    # mandates come late, OC reporting rises for everyone: FE-only credits the rise to them
    panel, truth = make_panel(trend=0.12, seed=3)
    fe = fit_panel_poisson(panel, bootstrap=False)["estimate"]
    twfe = panel_poisson_twfe(panel, period_years=1)[0]
    assert fe - truth > 0.25  # the bias of operation FE only
    assert twfe["status"] == "fitted"
    assert abs(twfe["estimate"] - truth) < 0.1
    assert twfe["conf_low"] < truth < twfe["conf_high"]
    assert twfe["n_switchers"] == 30 and twfe["df_resid"] == 29
    assert "S = 30" in twfe["reason"] and "10 calendar periods of 1 year" in twfe["reason"]
    # 2-year bins absorb most of the trend too
    assert abs(panel_poisson_twfe(panel)[0]["estimate"] - truth) < abs(fe - truth) / 2


def test_twfe_interval_is_t_with_switchers_minus_one_df():
    panel, _ = make_panel(seed=5)
    row = panel_poisson_twfe(panel)[0]
    from scipy import stats
    q = stats.t.ppf(0.975, df=row["n_switchers"] - 1)
    assert row["conf_high"] - row["estimate"] == pytest.approx(q * row["std_error"])
    assert row["p_value"] == pytest.approx(
        2 * stats.t.sf(abs(row["estimate"] / row["std_error"]), df=row["n_switchers"] - 1))


def growing(et):
    return 0.25 * (et + 1)  # the effect grows with every year under mandate


def test_etwfe_recovers_average_effect_under_staggered_heterogeneous_effects():
    panel, truth = make_panel(n_ops=40, log_effect=growing, trend=0.05, seed=11, base=0.15)
    et = panel_poisson_etwfe(panel, period_years=1)[0]
    tw = panel_poisson_twfe(panel, period_years=1)[0]
    assert et["status"] == "fitted", et["reason"]
    assert abs(et["estimate"] - truth) < 0.08
    assert et["conf_low"] < truth < et["conf_high"]
    assert truth - tw["estimate"] > 0.25  # two-way FE: early-mandated controls pull it down
    assert "imputation" in et["reason"] and "jackknife over" in et["reason"]
    assert et["inference"].startswith("leave-one-operation-out jackknife")


def test_twfe_cluster_standard_error_matches_statsmodels_cr1():
    import statsmodels.api as sm

    from analysis.models.staggered import _twfe_design, add_periods, sample

    panel, _ = make_panel(n_ops=12, trend=0.05, seed=13)
    row = panel_poisson_twfe(panel)[0]
    df, _ = sample(panel)
    df, _ = add_periods(df, 2)
    groups = pd.factorize(df["operation"], sort=True)[0]
    res = sm.GLM(df["oc_activity_paragraphs"], _twfe_design(df), family=sm.families.Poisson(),
                 offset=df["log_exposure"]).fit(
        cov_type="cluster", cov_kwds={"groups": groups, "use_correction": False})
    g = df["operation"].nunique()
    assert row["estimate"] == pytest.approx(res.params["explicit_mandate"], abs=1e-7)
    assert row["std_error"] == pytest.approx(res.bse["explicit_mandate"] * math.sqrt(g / (g - 1)),
                                             rel=1e-4)


def test_etwfe_is_observed_over_imputed_counts_by_hand():
    import statsmodels.api as sm

    panel, _ = make_panel(n_ops=16, log_effect=growing, seed=21)
    row = panel_poisson_etwfe(panel, period_years=1)[0]
    df = panel.assign(period=panel["date"].str[:4].astype(int) - 2000,
                      log_exposure=np.log(panel["all_paragraphs"]))
    untreated, treated = df[~df["explicit_mandate"]], df[df["explicit_mandate"]]
    dummies = pd.get_dummies(untreated[["operation", "period"]].astype(str),
                             drop_first=False).astype(float)
    dummies = dummies.drop(columns="period_0")
    fit = sm.GLM(untreated["oc_activity_paragraphs"], dummies, family=sm.families.Poisson(),
                 offset=untreated["log_exposure"]).fit()
    xt = pd.get_dummies(treated[["operation", "period"]].astype(str)).astype(float)
    xt = xt.reindex(columns=dummies.columns, fill_value=0.0)
    mu0 = np.exp(xt.to_numpy() @ fit.params.to_numpy() + treated["log_exposure"].to_numpy())
    by_hand = math.log(treated["oc_activity_paragraphs"].sum() / mu0.sum())
    assert row["estimate"] == pytest.approx(by_hand, abs=1e-6)
    # jackknife by hand: leave each operation out, recompute, sqrt((G-1)/G * sum dev^2)
    from analysis.models.staggered import impute, prepare_etwfe

    prepared, _ = prepare_etwfe(panel, 1)
    ops = sorted(prepared["operation"].unique())
    jack = np.array([impute(prepared[prepared["operation"] != op].reset_index(drop=True))
                     ["estimate"] for op in ops])
    se = math.sqrt((len(ops) - 1) / len(ops) * np.sum((jack - jack.mean()) ** 2))
    assert row["std_error"] == pytest.approx(se)


def test_fewer_than_three_switchers_are_refused():
    adopt = [None] * 8 + [4, 6] + [0, 0]
    panel, _ = make_panel(n_ops=12, adopt=adopt, seed=2)
    for fit in (panel_poisson_twfe, panel_poisson_etwfe):
        row = fit(panel)[0]
        assert row["status"] == "not_fitted"
        assert "S = 2" in row["reason"] and "< 3" in row["reason"]
        assert row["n_switchers"] == 2
    for fast in (twfe_cluster, etwfe_jackknife):
        res = fast(panel)
        assert res["status"] == "not_fitted" and math.isnan(res["estimate"])


def test_etwfe_leaves_out_reports_after_a_mandate_ends_and_unidentified_ones():
    panel, _ = make_panel(n_ops=24, seed=4)
    # OP01 loses its mandate in its last two reports; OP02 is mandated from its first report
    lapse = (panel["operation"] == "OP01") & (panel["date"] >= "2008")
    panel.loc[lapse, "explicit_mandate"] = False
    panel.loc[panel["operation"] == "OP02", "explicit_mandate"] = True
    row = panel_poisson_etwfe(panel)[0]
    assert row["status"] == "fitted"
    assert "2 report(s) after an explicit mandate ended left out" in row["reason"]
    assert "treatment assumed absorbing" in row["reason"]
    assert "no untreated report of OP02" in row["reason"]
    assert "OP02" not in row["reason"].split("operations (")[1].split(")")[0]


def test_etwfe_treated_period_without_untreated_reports_is_left_out():
    # everyone mandated by the last year: the last year's reports cannot be imputed
    adopt = [2 + i % 6 for i in range(20)] + [None] * 4
    panel, _ = make_panel(n_ops=24, adopt=adopt, seed=6)
    never = panel["operation"].isin([f"OP{i}" for i in range(20, 24)])
    panel = panel[~(never & (panel["date"] >= "2009"))]
    row = panel_poisson_etwfe(panel, period_years=1)[0]
    assert row["status"] == "fitted"
    assert "periods without an untreated report: 9" in row["reason"]


def test_mandate_share_is_accepted_as_treatment():
    panel, _ = make_panel(seed=8)
    share = panel.copy()
    share["explicit_mandate"] = share["explicit_mandate"].astype(float) * 0.999
    a, b = panel_poisson_twfe(panel)[0], panel_poisson_twfe(share)[0]
    assert b["estimate"] == pytest.approx(a["estimate"] / 0.999, rel=1e-6)
    c = panel_poisson_etwfe(share)[0]
    assert c["estimate"] == pytest.approx(panel_poisson_etwfe(panel)[0]["estimate"])
    assert "share above 0 counted as treated" in c["reason"]


def test_fast_functions_match_the_rows_and_are_deterministic():
    panel, _ = make_panel(n_ops=12, seed=9)
    row = panel_poisson_etwfe(panel)[0]
    res = etwfe_jackknife(panel)
    assert res["estimate"] == row["estimate"] and res["conf_low"] == row["conf_low"]
    assert etwfe_jackknife(panel) == res
    assert twfe_cluster(panel)["estimate"] == panel_poisson_twfe(panel)[0]["estimate"]
    assert set(res) >= {"estimate", "conf_low", "conf_high", "p_value", "status", "reason",
                        "n_switchers"}


def test_choice_text_names_the_sources():
    for name in ("Goodman-Bacon 2021", "Wooldridge (2023)", "Borusyak, Jaravel and Spiess 2024"):
        assert name in CHOICE_TEXT


def test_etwfe_counts_treated_reports_of_an_operation_with_no_untreated_activity():
    # ML limit: no activity before the mandate -> imputed mu0 = 0, its activity still counts
    panel, _ = make_panel(n_ops=16, seed=17)
    op = "OP01"  # adopts in year 3
    pre = (panel["operation"] == op) & ~panel["explicit_mandate"]
    panel.loc[pre, "oc_activity_paragraphs"] = 0
    row = panel_poisson_etwfe(panel, period_years=1)[0]
    assert row["status"] == "fitted"
    assert f"operation {op}" in row["reason"] and "imputed mu0 = 0" in row["reason"]
    assert op in row["reason"].split("operations (")[1].split(")")[0]
    without = panel_poisson_etwfe(panel[panel["operation"] != op], period_years=1)[0]
    assert row["estimate"] > without["estimate"]  # its treated activity has no mu0 against it
