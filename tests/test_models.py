"""Models: simulated tables with a known mandate effect, fitted as the workflow fits them.

The tables are built the way :mod:`analysis.coding.tables` writes them (panel, mission activity,
mandates) plus an operations table, from a seeded simulation whose true rate ratio is
known, so a test fails when an estimate misses the truth.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.io import write_csv
from analysis.models.fit import bootstrap_weights, permutation_p, score_statistic_p
from analysis.models.panel import (
    _drop_never_active,
    mandate_bootstrap,
    panel_sample,
    restricted_scores,
)
from analysis.models.run import fit_all, fit_panel_poisson, main
from analysis.vocab import QUADRANTS

TRUE_RR = 2.0


def simulate(n_ops=30, n_reports=8, rr=TRUE_RR, base=0.08, sd=0.3, seed=7, kinds=None,
             switch_at=None):
    """Tables of a simulated corpus: (panel, activity, mandates, missions).

    ``kinds[i]``: "never", "switch" (explicit mandate from report ``switch_at`` on, default
    a random report 2..n-3) or "always"; by default a third of each.
    """
    rng = np.random.default_rng(seed)
    kinds = kinds or [("never", "switch", "always")[i % 3] for i in range(n_ops)]
    panel, activity, mandates, missions = [], [], [], []
    for i, kind in enumerate(kinds):
        op = f"OP{i:02d}"
        u = rng.normal(0, sd)
        start = switch_at
        if kind == "switch" and switch_at is None:
            start = int(rng.integers(2, n_reports - 2))
        for r in range(n_reports):
            mandated = kind == "always" or (kind == "switch" and r >= start)
            paras = int(rng.integers(18, 35))
            y = min(int(rng.poisson(paras * base * math.exp(u) * (rr if mandated else 1))),
                    paras)
            panel.append({"operation": op, "doc_id": f"{op.lower()}-rep-{r:02d}",
                          "date": f"{2000 + r}-06-01", "oc_activity_paragraphs": y,
                          "all_paragraphs": paras, "mandate_known": True,
                          "explicit_mandate": mandated, "oc_reference": mandated,
                          "resolution": f"{op.lower()}-res", "resolution_symbol": ""})
        for q, quad in enumerate(QUADRANTS):
            activity.append({"operation": op, "quadrant": quad, "market": "drugs",
                             "n_paragraphs": int(q < 1 + i % 4)})
        mandates.append({"operation": op, "explicit_mandate": kind != "never"})
        missions.append({"acronym": op, "organisation": ("UN PKO", "EU")[i % 2],
                         "kind": ("mixed", "civilian", "police")[i % 3],
                         "start_year": 1990 + i, "end_year": 2000 + n_reports + i % 3})
    missions = pd.DataFrame(missions).astype({"start_year": "Int64", "end_year": "Int64"})
    return (pd.DataFrame(panel), pd.DataFrame(activity), pd.DataFrame(mandates), missions)


def _row(est: pd.DataFrame, model: str, term: str = "explicit_mandate") -> pd.Series:
    rows = est[(est["model"] == model) & (est["term"] == term)]
    assert len(rows) == 1, f"{model}/{term}: {len(rows)} rows"
    return rows.iloc[0]


@pytest.fixture(scope="module")
def simulated_fit():
    tables = simulate()
    return tables, fit_all(*tables, permutations=199, seed=3)


def test_panel_poisson_recovers_true_rate_ratio():
    panel = simulate(n_ops=40, n_reports=10, seed=11)[0]
    got = fit_panel_poisson(panel)
    assert got["status"] == "fitted"
    assert got["conf_low"] < math.log(TRUE_RR) < got["conf_high"]
    assert abs(got["rate_ratio"] - TRUE_RR) < 0.4
    assert got["n_clusters"] == 40 and got["std_error"] > 0


def test_clustered_standard_error_matches_sandwich_by_hand():
    """CR1 by operation: bread (X'WX)^-1, meat sum over operations of the score outer
    products, times G/(G-1) (fixed effects nested in clusters are not counted)."""
    panel = simulate(n_ops=12, seed=3)[0]
    got = fit_panel_poisson(panel)
    df = panel_sample(panel)
    ops = sorted(df["operation"].unique())
    x = np.column_stack([df["explicit_mandate"]] + [df["operation"] == op for op in ops])
    x = x.astype(float)
    y, offset = df["oc_activity_paragraphs"].to_numpy(float), df["log_exposure"].to_numpy()
    beta = np.zeros(x.shape[1])
    beta[1:] = np.log([y[df["operation"] == op].sum() / np.exp(offset[df["operation"] == op])
                       .sum() for op in ops])
    for _ in range(50):  # Newton steps of the Poisson likelihood
        mu = np.exp(x @ beta + offset)
        beta += np.linalg.solve(x.T @ (x * mu[:, None]), x.T @ (y - mu))
    mu = np.exp(x @ beta + offset)
    bread = np.linalg.inv(x.T @ (x * mu[:, None]))
    scores = [x[(df["operation"] == op).to_numpy()].T @ (y - mu)[(df["operation"] == op)
                                                              .to_numpy()] for op in ops]
    meat = sum(np.outer(sc, sc) for sc in scores)
    se = math.sqrt((bread @ meat @ bread)[0, 0] * 12 / 11)
    assert got["estimate"] == pytest.approx(beta[0], rel=1e-6)
    assert got["std_error"] == pytest.approx(se, rel=1e-5)
    # t with S - 1 = 3 degrees of freedom (4 of the 12 operations switch), not G - 1 = 11:
    # t(3) 97.5% quantile 3.182446; two-sided p = 2 * P(t(3) > |b / se|)
    switching = df.groupby("operation")["explicit_mandate"].nunique().gt(1).sum()
    assert switching == 4 and got["n_switchers"] == 4 and got["df_resid"] == 3
    assert got["conf_high"] - got["estimate"] == pytest.approx(3.182446 * se, rel=1e-4)
    t = abs(beta[0]) / se
    # P(t(3) > t) in closed form: 1/2 - (1/pi) (atan(u) + u / (1 + u^2)), u = t / sqrt(3)
    u = t / math.sqrt(3)
    tail = 0.5 - (math.atan(u) + u / (1 + u * u)) / math.pi
    assert got["p_value"] == pytest.approx(2 * tail, rel=1e-4)


def test_panel_poisson_without_effect_covers_one():
    got = fit_panel_poisson(simulate(rr=1.0, seed=5)[0])
    assert got["conf_low"] < 0 < got["conf_high"]


def test_fit_all_reports_every_model_with_clustered_panel(simulated_fit):
    (panel, *_), (est, ops) = simulated_fit
    models = set(est["model"])
    assert {"cross_section_volume_poisson", "cross_section_volume_negbin",
            "cross_section_breadth_poisson", "panel_poisson_fe", "panel_negbin_fe",
            "panel_logit_any", "panel_event_study", "panel_poisson_twfe",
            "panel_poisson_etwfe", "panel_poisson_fe_loo",
            "panel_poisson_fe_coding_error"} <= models
    fe = _row(est, "panel_poisson_fe")
    assert fe["status"] == "fitted" and fe["cov_type"] == "cluster"
    assert fe["n_clusters"] == 30 and fe["n"] == len(panel)
    assert fe["conf_low_exp"] < TRUE_RR < fe["conf_high_exp"]
    # identification only from the 10 operations whose mandate switches
    assert "identified from 10 of 30" in fe["reason"]
    # operation fixed effects are not in the tidy table
    assert not est["term"].str.startswith("fe[").any()
    assert len(ops) == 30 and set(ops["breadth"]) == {1, 2, 3, 4}


def test_cross_section_has_permutation_p(simulated_fit):
    _, (est, ops) = simulated_fit
    vol = _row(est, "cross_section_volume_poisson")
    assert vol["status"] == "fitted"
    assert 0 < vol["exact_p"] <= 1
    # C(30, 20) assignments > 20,000: seeded Monte Carlo, with the draws stated
    assert "Monte Carlo: 199 seeded draws" in vol["exact_method"]
    assert 0 < vol["estimate_exp"] and vol["conf_low_exp"] < vol["estimate_exp"]
    # only the mandate row carries a permutation p
    assert est.loc[est["term"] != "explicit_mandate", "exact_p"].isna().all()
    assert vol["reason"].startswith("controls: ")
    assert int(ops["explicit_mandate"].sum()) == 20


def test_event_study_shows_effect_after_adoption_only():
    panel = simulate(n_ops=45, n_reports=10, seed=2, switch_at=4,
                     kinds=["never", "switch", "switch"] * 15)[0]
    est, _ = fit_all(panel, *simulate(n_ops=45, n_reports=10, seed=2)[1:],
                     permutations=20, seed=1)
    lead = _row(est, "panel_event_study", "lead_3plus")
    lag = _row(est, "panel_event_study", "lag_3plus")
    assert lead["conf_low"] < 0 < lead["conf_high"]
    assert lag["conf_low"] < math.log(TRUE_RR) < lag["conf_high"] and lag["conf_low"] > 0


def test_exact_permutation_p_by_hand():
    """6 operations, equal exposure, no controls (the df rule drops them all): the Poisson
    coefficient is log(mean volume mandated / mean volume not). The observed labelling puts
    the three largest volumes under a mandate; only it and its mirror image reach
    |log(60/6)|, so p = 2 / C(6,3) = 2/20 = 0.1. (n - k counts the NB alpha: the Poisson
    and NB volume models share one control set.)"""
    kinds = ["never"] * 3 + ["always"] * 3
    panel, activity, mandates, missions = simulate(n_ops=6, n_reports=2, kinds=kinds)
    volumes = [1, 2, 3, 10, 20, 30]
    for i, v in enumerate(volumes):
        rows = panel.index[panel["operation"] == f"OP{i:02d}"]
        panel.loc[rows, "all_paragraphs"] = 50
        panel.loc[rows, "oc_activity_paragraphs"] = [v, 0]
    est, ops = fit_all(panel, activity, mandates, missions, permutations=10, seed=1)
    vol = _row(est, "cross_section_volume_poisson")
    assert vol["estimate"] == pytest.approx(math.log(60 / 6))
    assert vol["exact_p"] == pytest.approx(0.1)
    assert "exact: all 20 assignments" in vol["exact_method"]
    assert "start_year dropped: would leave n - k = 2 < 5" in vol["reason"]
    assert list(ops["volume"]) == volumes


def test_permutation_p_direct():
    """Difference in means, 4 units, 2 treated: |diff| of the observed split (the two largest
    treated) is reached by it and its mirror: 2 of C(4,2) = 6."""
    values = np.array([0.0, 1.0, 5.0, 9.0])

    def refit(labels):
        return values[labels == 1].mean() - values[labels == 0].mean()

    treat = np.array([0, 0, 1, 1])
    p, how = permutation_p(refit, treat, refit(treat), permutations=0, seed=0, max_exact=100)
    assert p == pytest.approx(2 / 6) and "exact: all 6" in how
    p_mc, how_mc = permutation_p(refit, treat, refit(treat), permutations=500, seed=4,
                                 max_exact=1)
    assert 0 < p_mc <= 1 and abs(p_mc - 1 / 3) < 0.08 and "Monte Carlo: 500" in how_mc


def test_no_variation_in_mandate_is_reported_not_dropped():
    tables = simulate(n_ops=8, kinds=["always"] * 8)
    est, _ = fit_all(*tables, permutations=10, seed=1)
    assert set(est["model"]) >= {"cross_section_volume_poisson", "panel_poisson_fe",
                                 "panel_event_study", "panel_logit_any"}
    cross = _row(est, "cross_section_volume_poisson")
    assert cross["status"] == "not_fitted"
    assert "no variation in explicit_mandate" in cross["reason"]
    assert "8 of 8 operations mandated" in cross["reason"]
    assert pd.isna(cross["estimate"]) and pd.isna(cross["exact_p"])
    fe = _row(est, "panel_poisson_fe")
    assert fe["status"] == "not_fitted" and "not identified" in fe["reason"]
    assert "S = 0 switchers" in fe["reason"] and fe["n_switchers"] == 0


def test_too_few_clusters_is_reported():
    panel = simulate(n_ops=3, kinds=["never", "switch", "switch"])[0]
    got = fit_panel_poisson(panel)
    assert got["status"] == "not_fitted" and "too few clusters: 3 operations < 5" in got["reason"]
    assert math.isnan(got["estimate"])


def test_separation_in_logit_is_reported():
    panel, *rest = simulate(n_ops=12, seed=4)
    # every mandated report has activity; some unmandated reports have none
    panel.loc[panel["explicit_mandate"], "oc_activity_paragraphs"] = 3
    panel.loc[~panel["explicit_mandate"] & (panel.index % 2 == 0), "oc_activity_paragraphs"] = 0
    est, _ = fit_all(panel, *rest, permutations=10, seed=1)
    pooled = _row(est, "panel_logit_any_pooled")
    assert pooled["status"] == "not_fitted" and "quasi-separation" in pooled["reason"]


def test_cli_writes_identical_bytes(tmp_path):
    panel, activity, mandates, missions = simulate(n_ops=10, seed=9)
    paths = {}
    for name, df in (("panel", panel), ("activity", activity), ("mandates", mandates)):
        paths[name] = tmp_path / f"{name}.csv"
        write_csv(df, paths[name])
    missions_csv = tmp_path / "missions.csv"
    m = missions.copy()
    m["name"], m["hosts"], m["region"] = m["acronym"] + " mission", "HTI", "Americas"
    m["aliases"], m["source"] = "", "simulated"
    write_csv(m[["acronym", "name", "organisation", "kind", "hosts", "start_year", "end_year",
                 "region", "aliases", "source"]], missions_csv)
    outputs = []
    for run in (1, 2):
        est, ops = tmp_path / f"est{run}.csv", tmp_path / f"ops{run}.csv"
        code = main(["--panel", str(paths["panel"]), "--mission-activity",
                     str(paths["activity"]), "--mandates", str(paths["mandates"]),
                     "--missions", str(missions_csv), "--estimates-out", str(est),
                     "--operations-out", str(ops), "--permutations", "50", "--seed", "2",
                     "--max-exact", "100"])
        assert code == 0
        outputs.append((est.read_bytes(), ops.read_bytes()))
    assert outputs[0] == outputs[1]
    table = pd.read_csv(tmp_path / "est1.csv")
    assert table.loc[table["term"] == "explicit_mandate", "status"].eq("fitted").any()
    # floats are written with at most 10 significant digits
    text = outputs[0][0].decode()
    assert not any(len(tok.lstrip("-").replace(".", "").split("e")[0].lstrip("0")) > 10
                   for line in text.splitlines()[1:] for tok in line.split(",")
                   if tok.replace(".", "").replace("-", "").replace("e", "").isdigit())


def test_cli_names_bad_file(tmp_path, capsys):
    bad = tmp_path / "panel.csv"
    bad.write_text("operation,doc_id,date,oc_activity_paragraphs,all_paragraphs,"
                   "mandate_known,explicit_mandate\nA,a,2001-01-01,x,10,True,True\n")
    other = tmp_path / "other.csv"
    other.write_text("operation,quadrant,n_paragraphs,explicit_mandate\n")
    code = main(["--panel", str(bad), "--mission-activity", str(other), "--mandates",
                 str(other), "--missions", str(other), "--estimates-out",
                 str(tmp_path / "e.csv"), "--operations-out", str(tmp_path / "o.csv")])
    assert code == 1
    err = capsys.readouterr().err
    assert f"{bad}:2: column 'oc_activity_paragraphs'" in err


# ------------------------------------------------------------ wild cluster score bootstrap
FEW_SWITCH = ["switch"] * 4 + ["never"] * 4 + ["always"] * 4


@pytest.fixture(scope="module")
def few_switchers_null():
    """200 panels like the demo corpus: 12 operations, only 4 switch, no mandate effect."""
    fits = []
    for seed in range(200):
        panel = simulate(n_ops=12, n_reports=6, rr=1.0, base=0.15, sd=0.4, seed=1000 + seed,
                         kinds=FEW_SWITCH)[0]
        fits.append(fit_panel_poisson(panel))
    return fits


def test_switcher_df_and_bootstrap_reject_less_than_t_with_all_clusters(few_switchers_null):
    """Documented, not a target: t(G-1) with G = 12 while only S = 4 operations carry the
    mandate effect rejects a true null about 3 times too often (14.5% with these seeds);
    t(S-1), the reported inference, and the score bootstrap reject far less."""
    from scipy import stats

    fits = few_switchers_null
    assert all(f["status"] == "fitted" and f["df_resid"] == 3 for f in fits)
    assert all(0 <= f["boot_p"] <= 1 for f in fits)
    t_all = np.mean([2 * stats.t.sf(abs(f["estimate"] / f["std_error"]), 11) < 0.05
                     for f in fits])
    t_switchers = np.mean([f["p_value"] < 0.05 for f in fits])
    boot = np.mean([f["boot_p"] < 0.05 for f in fits])
    assert t_all > 0.10
    assert t_switchers < t_all and t_switchers <= 0.09
    assert boot <= 0.09
    covered = np.mean([f["boot_conf_low"] <= 0 <= f["boot_conf_high"] for f in fits])
    assert covered >= 0.91
    # inversion of the same test: the interval covers 0 whenever p(0) >= 0.05
    assert all(f["boot_conf_low"] <= 0 <= f["boot_conf_high"] for f in fits
               if f["boot_p"] >= 0.05)


def test_bootstrap_enumeration_is_exact_and_repeatable():
    panel = simulate(n_ops=12, n_reports=6, rr=2.0, base=0.15, seed=21, kinds=FEW_SWITCH)[0]
    first, second = fit_panel_poisson(panel), fit_panel_poisson(panel)
    keys = ("boot_p", "boot_conf_low", "boot_conf_high", "boot_method")
    assert [first[k] for k in keys] == [second[k] for k in keys]
    assert "Webb 6-point weights, 1296 of 1296 weight vectors (exact)" in first["boot_method"]
    assert "over the 4 operations" in first["boot_method"]
    assert first["boot_conf_low"] < first["estimate"] < first["boot_conf_high"]
    none = fit_panel_poisson(panel, bootstrap=False)
    assert math.isnan(none["boot_p"]) and none["estimate"] == first["estimate"]


def test_bootstrap_interval_edges_are_where_the_test_starts_rejecting():
    panel = simulate(n_ops=12, n_reports=8, rr=2.0, base=0.3, seed=4,
                     kinds=["switch"] * 6 + ["never"] * 3 + ["always"] * 3)[0]
    got = fit_panel_poisson(panel)
    low, high = got["boot_conf_low"], got["boot_conf_high"]
    assert math.isfinite(low) and math.isfinite(high), got
    df, _ = _drop_never_active(panel_sample(panel))
    scores_at, n_switch = restricted_scores(df)
    weights, _ = bootstrap_weights(n_switch)
    p = [score_statistic_p(scores_at(b), weights) for b in (low - 1e-3, low + 1e-3,
                                                            high - 1e-3, high + 1e-3)]
    assert p[0] < 0.05 <= p[1] and p[2] >= 0.05 > p[3]


def test_restricted_scores_by_hand():
    """Two reports of equal exposure per operation: with the mandate coefficient fixed at 0
    each operation's fitted counts are its mean, so the score of a switcher is
    y_mandated - (y_before + y_mandated) / 2; at b0 = log 3 the fitted split is 1:3."""
    kinds = ["switch", "switch", "never", "never", "always"]
    panel = simulate(n_ops=5, n_reports=2, kinds=kinds, switch_at=1)[0]
    panel["all_paragraphs"] = 20
    panel["oc_activity_paragraphs"] = [2, 6, 1, 7, 3, 3, 4, 2, 5, 5]
    df, _ = _drop_never_active(panel_sample(panel))
    scores_at, n_switch = restricted_scores(df)
    assert n_switch == 2
    assert scores_at(0.0) == pytest.approx([6 - 4, 7 - 4])
    assert scores_at(math.log(3)) == pytest.approx([6 - 6, 7 - 6])


def test_bootstrap_p_by_hand():
    """Equal scores in every switcher: |T| = sqrt(S), the largest possible value, reached
    only by the weight vectors that scale every score alike: the 6 constant Webb vectors
    of 6^S, or the 2 constant sign vectors of 2^S."""
    w2, how2 = bootstrap_weights(2)
    assert score_statistic_p(np.array([1.5, 1.5]), w2) == pytest.approx(6 / 36)
    assert "36 of 36" in how2
    w3, _ = bootstrap_weights(3)
    assert score_statistic_p(np.array([2.0, 2.0, 2.0]), w3) == pytest.approx(6 / 216)
    w7, how7 = bootstrap_weights(7)
    assert "Rademacher weights, 128 of 128 sign vectors" in how7
    assert score_statistic_p(np.full(7, -0.5), w7) == pytest.approx(2 / 128)
    # scores (3, -1): T = 2/sqrt(10); with signs only, |T*| is 2/sqrt(10) or 4/sqrt(10)
    # for every vector, so p = 1; all scores zero: p = 1
    assert score_statistic_p(np.array([3.0, -1.0]), np.array([[1, 1], [1, -1], [-1, 1],
                                                               [-1, -1.0]])) == 1.0
    assert score_statistic_p(np.zeros(3), w3) == 1.0
    w13, how13 = bootstrap_weights(13)
    assert w13.shape == (9999, 13) and "Monte Carlo" in how13
    assert np.array_equal(w13, bootstrap_weights(13)[0])


def test_one_switcher_gives_no_bootstrap_evidence():
    panel = simulate(n_ops=6, n_reports=6, rr=3.0, base=0.3, seed=8,
                     kinds=["switch"] + ["never"] * 3 + ["always"] * 2)[0]
    df, _ = _drop_never_active(panel_sample(panel))
    boot = mandate_bootstrap(df, 1.0)
    assert boot["boot_p"] == 1.0
    assert (boot["boot_conf_low"], boot["boot_conf_high"]) == (-math.inf, math.inf)
    assert "unbounded below and above" in boot["boot_method"]


@pytest.mark.parametrize("n_switch", [1, 2])
def test_fewer_than_three_switchers_is_refused(n_switch):
    """Cluster-robust inference on 1 or 2 switching operations (the only ones that identify
    the effect with operation fixed effects) is not_fitted, naming S and the switchers."""
    kinds = ["switch"] * n_switch + ["never"] * 3 + ["always"] * 3
    tables = simulate(n_ops=len(kinds), n_reports=6, rr=2.0, base=0.3, seed=8, kinds=kinds)
    est, _ = fit_all(*tables, permutations=10, seed=1)
    names = ", ".join(f"OP{i:02d}" for i in range(n_switch))
    for model in ("panel_poisson_fe", "panel_negbin_fe"):
        row = _row(est, model)
        assert row["status"] == "not_fitted" and row["n_switchers"] == n_switch
        assert f"only S = {n_switch} switcher" in row["reason"] and names in row["reason"]
        assert "S >= 3" in row["reason"]
    got = fit_panel_poisson(tables[0])
    assert got["status"] == "not_fitted" and math.isnan(got["boot_p"])


def test_estimates_carry_bootstrap_of_panel_poisson(simulated_fit):
    _, (est, _) = simulated_fit
    assert list(est.columns[-7:]) == ["boot_conf_low", "boot_conf_high", "boot_conf_low_exp",
                                      "boot_conf_high_exp", "n_switchers", "df_resid",
                                      "inference"]
    fe = _row(est, "panel_poisson_fe")
    assert 0 <= fe["exact_p"] <= 1
    assert fe["exact_method"].startswith("wild cluster score bootstrap")
    assert "over the 10 operations" in fe["exact_method"]  # Rademacher, 1024 vectors
    assert fe["boot_conf_low_exp"] < TRUE_RR < fe["boot_conf_high_exp"]
    assert fe["boot_conf_low_exp"] == pytest.approx(math.exp(fe["boot_conf_low"]), rel=1e-8)
    others = est[est["model"] != "panel_poisson_fe"]
    assert others["boot_conf_low"].isna().all()
    assert others.loc[others["model"].str.startswith("panel"), "exact_p"].isna().all()


def test_a_term_whose_interval_overflows_is_not_fitted_never_a_crash():
    """A separated control or intercept (interval beyond exp(709)) used to crash the
    models stage with OverflowError; it must be a not_fitted row with the reason."""
    from types import SimpleNamespace

    import pandas as pd

    from analysis.models.fit import Attempt, tidy_rows

    result = SimpleNamespace(params=pd.Series({"Intercept": -3.0, "explicit_mandate": 0.7}),
                             bse=pd.Series({"Intercept": 900.0, "explicit_mandate": 0.3}))
    rows = tidy_rows("breadth", "binomial", Attempt(result=result, problems=[], notes=[]),
                     {"Intercept": "Intercept", "explicit_mandate": "explicit_mandate"},
                     n=12, n_clusters=None, cov_type="HC1", notes=[])
    assert len(rows) == 1 and rows[0]["status"] == "not_fitted"
    assert "Intercept" in rows[0]["reason"] and "separation" in rows[0]["reason"]
