"""Inference of the models (issue 11): switcher-based t, bootstrap test inversion, the
negative binomial at its boundary, the cross-section's mandate share, and panels that
break things (every model must end in a row, fitted or not_fitted with its reason)."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from test_models import FEW_SWITCH, simulate

from analysis.models.fit import overdispersion_lr, permutation_p
from analysis.models.panel import fe_bootstrap, fe_cluster
from analysis.models.run import fit_all, fit_panel_poisson


def _row(est: pd.DataFrame, model: str, term: str = "explicit_mandate") -> pd.Series:
    rows = est[(est["model"] == model) & (est["term"] == term)]
    assert len(rows) == 1, f"{model}/{term}: {len(rows)} rows"
    return rows.iloc[0]


# ------------------------------------------------------------ bootstrap test inversion
@pytest.fixture(scope="module")
def boot_fits():
    """100 small panels (12 operations, 4 switch) with a modest effect, so that the
    bootstrap p lands on both sides of 0.05."""
    return [fit_panel_poisson(simulate(n_ops=12, n_reports=6, rr=1.8, base=0.15, sd=0.4,
                                       seed=5000 + s, kinds=FEW_SWITCH)[0])
            for s in range(100)]


def test_bootstrap_interval_excludes_zero_exactly_when_p_below_5_percent(boot_fits):
    fits = [f for f in boot_fits if f["status"] == "fitted"]
    assert len(fits) == 100
    rejected = [f["boot_p"] < 0.05 for f in fits]
    excludes = [not (f["boot_conf_low"] <= 0 <= f["boot_conf_high"]) for f in fits]
    assert 5 <= sum(rejected) <= 95  # both cases occur
    bad = [i for i, (r, e) in enumerate(zip(rejected, excludes)) if r != e]
    assert not bad, [(fits[i]["boot_p"], fits[i]["boot_conf_low"], fits[i]["boot_conf_high"])
                     for i in bad]
    # the estimate (where p = 1) is always inside
    assert all(f["boot_conf_low"] < f["estimate"] < f["boot_conf_high"] for f in fits)


def test_bootstrap_edges_are_roots_of_the_p_value_function(boot_fits):
    """Just inside each finite edge the test accepts, just outside it rejects."""
    from analysis.models.fit import bootstrap_weights, score_statistic_p
    from analysis.models.panel import _drop_never_active, panel_sample, restricted_scores

    panel = simulate(n_ops=12, n_reports=6, rr=1.8, base=0.15, sd=0.4, seed=5000,
                     kinds=FEW_SWITCH)[0]
    got = fit_panel_poisson(panel)
    df, _ = _drop_never_active(panel_sample(panel))
    scores_at, s = restricted_scores(df)
    w, _ = bootstrap_weights(s)
    for edge, out in ((got["boot_conf_low"], -1), (got["boot_conf_high"], 1)):
        if math.isfinite(edge):
            assert score_statistic_p(scores_at(edge - out * 2e-4), w) >= 0.05
            assert score_statistic_p(scores_at(edge + out * 2e-4), w) < 0.05


def test_fast_estimators_for_the_simulation():
    panel = simulate(n_ops=12, n_reports=6, rr=2.0, base=0.15, seed=21, kinds=FEW_SWITCH)[0]
    keys = {"estimate", "conf_low", "conf_high", "p_value", "status", "reason", "n_switchers"}
    start = time.perf_counter()
    cl = fe_cluster(panel)
    took = time.perf_counter() - start
    bo = fe_bootstrap(panel)
    assert set(cl) == keys and set(bo) == keys
    assert cl["status"] == bo["status"] == "fitted" and cl["n_switchers"] == 4
    assert cl["estimate"] == bo["estimate"]
    # the fast path (closed-form effects, Newton on the mandate) = the statsmodels fit
    full = fit_panel_poisson(panel)
    for key in ("estimate", "conf_low", "conf_high", "p_value"):
        assert cl[key] == pytest.approx(full[key], rel=1e-8, abs=1e-10)
    assert (bo["conf_low"], bo["conf_high"], bo["p_value"]) == pytest.approx(
        (full["boot_conf_low"], full["boot_conf_high"], full["boot_p"]), rel=1e-6)
    assert took < 0.1
    assert fe_cluster(panel) == cl  # deterministic
    two = simulate(n_ops=8, n_reports=6, seed=3, kinds=["switch"] * 2 + ["never"] * 6)[0]
    refused = fe_bootstrap(two)
    assert refused["status"] == "not_fitted" and math.isnan(refused["estimate"])
    assert "S = 2" in refused["reason"]


def test_share_treatment_in_the_panel_counts_switchers():
    """The models CLI may put the share of the reporting period under mandate into
    explicit_mandate (as text, like panel.csv): an operation whose share varies switches."""
    panel = simulate(n_ops=12, n_reports=6, rr=2.0, base=0.15, seed=21, kinds=FEW_SWITCH)[0]
    share = panel["explicit_mandate"].astype(float)
    first_on = panel.groupby("operation")["explicit_mandate"].transform(
        lambda s: s & ~s.shift(fill_value=False))
    share[first_on & panel["operation"].isin(["OP00", "OP01", "OP02", "OP03"])] = 0.5
    panel["explicit_mandate"] = share.map(lambda v: f"{v:g}")
    got = fit_panel_poisson(panel)
    assert got["status"] == "fitted" and got["n_switchers"] == 4 and got["df_resid"] == 3


# ------------------------------------------------------------ negative binomial boundary
def test_negbin_at_boundary_is_fitted_with_alpha_zero_and_lr_test():
    """Binomial-like counts (less dispersed than Poisson): alpha runs to 0. The NB model
    is fitted with the Poisson estimates, alpha = 0 and the LR test (LR ~ 0, p ~ 0.5-1)."""
    tables = simulate(n_ops=12, n_reports=6, rr=2.0, base=0.15, sd=0.3, seed=21,
                      kinds=FEW_SWITCH)
    est, _ = fit_all(*tables, permutations=20, seed=1)
    pois, nb = _row(est, "panel_poisson_fe"), _row(est, "panel_negbin_fe")
    alpha, lr = _row(est, "panel_negbin_fe", "alpha"), _row(est, "panel_negbin_fe",
                                                            "overdispersion_lr")
    assert nb["status"] == alpha["status"] == lr["status"] == "fitted"
    assert alpha["estimate"] == 0 and "boundary" in alpha["reason"]
    assert nb["estimate"] == pytest.approx(pois["estimate"], rel=1e-9)
    assert nb["df_resid"] == pois["df_resid"] == 3
    assert 0 <= lr["estimate"] < 1e-3 and lr["p_value"] > 0.45
    assert lr["p_value"] == (1.0 if lr["estimate"] == 0
                             else pytest.approx(0.5 * stats.chi2.sf(lr["estimate"], 1)))
    assert "chi-bar-squared" in lr["reason"] and "boundary" in lr["reason"]


def test_negbin_interior_alpha_has_lr_test_by_hand():
    """Overdispersed volumes: alpha interior; LR = 2(llf NB - llf Poisson) and p = half the
    chi2(1) tail, from fits made here."""
    rng = np.random.default_rng(3)
    tables = simulate(n_ops=30, n_reports=8, seed=7)
    panel = tables[0]
    panel["oc_activity_paragraphs"] = np.minimum(
        rng.negative_binomial(1, 1 / (1 + panel["all_paragraphs"] * 0.1 * 1.0)),
        panel["all_paragraphs"])
    est, _ = fit_all(panel, *tables[1:], permutations=20, seed=1)
    lr = _row(est, "cross_section_volume_negbin", "overdispersion_lr")
    alpha = _row(est, "cross_section_volume_negbin", "alpha")
    assert alpha["estimate"] > 1e-3 and alpha["std_error"] > 0
    # by hand, same controls as the model (its reason names them)
    assert lr["status"] == "fitted" and lr["estimate"] > 0
    assert lr["p_value"] == pytest.approx(0.5 * stats.chi2.sf(lr["estimate"], 1), rel=1e-6)
    assert lr["p_value"] < 0.05


def test_overdispersion_lr_by_hand():
    assert overdispersion_lr(-100.0, -100.0) == (0.0, 1.0)
    assert overdispersion_lr(None, -50.0) == (0.0, 1.0)
    lr, p = overdispersion_lr(-98.0, -100.0)
    assert lr == pytest.approx(4.0) and p == pytest.approx(0.5 * 0.0455003, rel=1e-4)


# ------------------------------------------------------------ cross-section on the share
def test_cross_section_regresses_on_mandate_share_with_hc3():
    """Operation shares by hand; the volume Poisson coefficient is that of a Poisson GLM of
    volume on the share (offset log exposure); HC3 standard error by hand; t(n-k)."""
    kinds = ["never", "switch", "always"] * 3
    tables = simulate(n_ops=9, n_reports=6, seed=13, kinds=kinds, switch_at=2)
    panel = tables[0]
    est, ops = fit_all(*tables, permutations=50, seed=1, min_resid_df=100)  # no controls
    want = panel.groupby("operation")["explicit_mandate"].mean()
    assert ops.set_index("operation")["mandate_share"].to_dict() == pytest.approx(
        want.to_dict())
    assert set(ops["mandate_share"].round(6)) == {0.0, round(4 / 6, 6), 1.0}
    assert ops["explicit_mandate"].tolist() == [k != "never" for k in kinds]
    vol = _row(est, "cross_section_volume_poisson")
    x = sm.add_constant(ops["mandate_share"].to_numpy(float))
    y = ops["volume"].to_numpy(float)
    off = np.log(ops["exposure"].to_numpy(float))
    fit = sm.GLM(y, x, family=sm.families.Poisson(), offset=off).fit()
    assert vol["estimate"] == pytest.approx(fit.params[1], rel=1e-6)
    mu = fit.mu
    bread = np.linalg.inv(x.T @ (x * mu[:, None]))
    h = mu * np.einsum("ij,jk,ik->i", x, bread, x)
    meat = (x * ((y - mu) / (1 - h))[:, None]).T @ (x * ((y - mu) / (1 - h))[:, None])
    se = math.sqrt((bread @ meat @ bread)[1, 1])
    assert vol["std_error"] == pytest.approx(se, rel=1e-4)
    assert vol["cov_type"] == "HC3" and vol["df_resid"] == 7
    q = stats.t.ppf(0.975, 7)
    assert vol["conf_high"] - vol["estimate"] == pytest.approx(q * se, rel=1e-4)
    assert vol["exact_method"].startswith(
        "randomization p under exchangeability of the treatment across operations")
    assert "permutation of mandate_share" in vol["exact_method"]
    # 9 operations, shares 0 x3, 2/3 x3, 1 x3: 9!/(3!3!3!) = 1680 arrangements, exact
    assert "exact: all 1680 assignments" in vol["exact_method"]


def test_permutation_of_shares_by_hand():
    """Shares (0, .5, .5, 1): 4!/2! = 12 distinct arrangements; statistic = slope of the
    values on the shares; the observed (values increasing with the share) and its mirror
    reach the observed |slope|: p = 2/12... plus arrangements swapping the two 0.5s, which
    are the same arrangement: so p = 2/12."""
    values = np.array([0.0, 1.0, 2.0, 3.0])

    def refit(shares):
        return np.polyfit(shares, values, 1)[0]

    treat = np.array([0.0, 0.5, 0.5, 1.0])
    p, how = permutation_p(refit, treat, refit(treat), permutations=0, seed=0, max_exact=100)
    assert "exact: all 12 assignments" in how and "2 with a share above 0" not in how
    assert p == pytest.approx(2 / 12)


# ------------------------------------------------------------ panels that break things
def _edge_tables(case: str):
    if case == "all_mandated":
        return simulate(n_ops=8, n_reports=5, kinds=["always"] * 8)
    if case == "none_mandated":
        return simulate(n_ops=8, n_reports=5, kinds=["never"] * 8)
    if case == "two_operations":
        return simulate(n_ops=2, n_reports=5, kinds=["never", "switch"])
    if case == "null_effect":
        return simulate(n_ops=12, n_reports=6, rr=1.0, seed=2, kinds=FEW_SWITCH)
    if case == "separated":  # no activity at all under a mandate, in any operation
        tables = simulate(n_ops=12, n_reports=6, seed=3, kinds=FEW_SWITCH)
        tables[0].loc[tables[0]["explicit_mandate"], "oc_activity_paragraphs"] = 0
        return tables
    if case == "no_activity":
        tables = simulate(n_ops=9, n_reports=6, seed=3)
        tables[0]["oc_activity_paragraphs"] = 0
        return tables
    raise ValueError(case)


CASES = ("all_mandated", "none_mandated", "two_operations", "null_effect", "separated",
         "no_activity")
MODELS = {"cross_section_volume_poisson", "cross_section_volume_negbin",
          "cross_section_breadth_poisson", "cross_section_breadth_binomial",
          "panel_poisson_fe", "panel_negbin_fe", "panel_logit_any", "panel_logit_any_pooled",
          "panel_poisson_twfe", "panel_poisson_etwfe", "panel_event_study",
          "panel_poisson_fe_loo", "panel_poisson_fe_coding_error"}


@pytest.mark.parametrize("case", CASES)
def test_panels_that_break_things_give_rows_never_exceptions(case):
    est, _ = fit_all(*_edge_tables(case), permutations=20, seed=1, max_exact=200)
    assert set(est["model"]) == MODELS
    bad = est[est["status"] == "not_fitted"]
    assert (bad["reason"].str.len() > 10).all()
    fe = _row(est, "panel_poisson_fe")
    if case in ("all_mandated", "none_mandated", "two_operations", "separated",
                "no_activity"):
        assert fe["status"] == "not_fitted"
    if case in ("all_mandated", "none_mandated"):
        assert "S = 0" in fe["reason"]
        assert _row(est, "cross_section_volume_poisson")["status"] == "not_fitted"
    if case == "separated":
        assert "diverged" in fe["reason"] or "separation" in fe["reason"]
    if case == "null_effect":
        assert fe["status"] == "fitted" and fe["n_switchers"] == 4
        assert fe["conf_low"] < 0 < fe["conf_high"]
        assert _row(est, "panel_negbin_fe")["status"] == "fitted"


def test_hc3_of_a_weighted_binomial_by_hand():
    """statsmodels GLM returns HC0 whatever HC it is asked for; hc3_attempt computes HC3:
    scores w (y - mu) x over (1 - h), leverage h of the weighted hat matrix."""
    from analysis.models.fit import guarded_fit, hc3_attempt

    rng = np.random.default_rng(1)
    x = sm.add_constant(rng.random(10))
    y, w = rng.integers(0, 5, 10) / 4, np.full(10, 4.0)
    model = sm.GLM(y, x, family=sm.families.Binomial(), var_weights=w)
    got = hc3_attempt(guarded_fit(lambda: model.fit())).result.bse
    mu = model.fit().mu
    weight = w * mu * (1 - mu)
    bread = np.linalg.inv(x.T @ (x * weight[:, None]))
    h = weight * np.einsum("ij,jk,ik->i", x, bread, x)
    u = x * (w * (y - mu) / (1 - h))[:, None]
    assert np.asarray(got) == pytest.approx(np.sqrt(np.diag(bread @ u.T @ u @ bread)))
    assert not np.allclose(got, model.fit(cov_type="HC3").bse)  # that one is HC0
