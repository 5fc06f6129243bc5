"""Models: simulated tables with a known mandate effect, fitted as the workflow fits them.

The tables are built the way :mod:`analysis.tables` writes them (panel, mission activity,
mandates) plus an operations table, from a seeded simulation whose true rate ratio is
known, so a test fails when an estimate misses the truth.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.codebook import QUADRANTS
from analysis.models import fit_all, fit_panel_poisson, main, write_csv
from analysis.models_fit import permutation_p
from analysis.models_panel import event_time, panel_sample

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
    # t with G - 1 = 11 degrees of freedom, not the normal
    assert got["conf_high"] - got["estimate"] == pytest.approx(2.200985 * se, rel=1e-4)


def test_panel_poisson_without_effect_covers_one():
    got = fit_panel_poisson(simulate(rr=1.0, seed=5)[0])
    assert got["conf_low"] < 0 < got["conf_high"]


def test_fit_all_reports_every_model_with_clustered_panel(simulated_fit):
    (panel, *_), (est, ops) = simulated_fit
    models = set(est["model"])
    assert {"cross_section_volume_poisson", "cross_section_volume_negbin",
            "cross_section_breadth_poisson", "panel_poisson_fe", "panel_negbin_fe",
            "panel_logit_any", "panel_leads_lags"} <= models
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


def test_leads_lags_show_effect_after_adoption_only():
    panel = simulate(n_ops=45, n_reports=10, seed=2, switch_at=4,
                     kinds=["never", "switch", "switch"] * 15)[0]
    est, _ = fit_all(panel, *simulate(n_ops=45, n_reports=10, seed=2)[1:],
                     permutations=20, seed=1)
    lead = _row(est, "panel_leads_lags", "lead_2plus")
    lag = _row(est, "panel_leads_lags", "lag_2plus")
    assert lead["conf_low"] < 0 < lead["conf_high"]
    assert lag["conf_low"] < math.log(TRUE_RR) < lag["conf_high"] and lag["conf_low"] > 0


def test_event_time_counts_reports_from_first_mandate():
    panel = simulate(n_ops=3, n_reports=6, kinds=["never", "switch", "always"], switch_at=2)[0]
    df = event_time(panel_sample(panel))
    assert df.loc[df["operation"] == "OP00", "event_time"].isna().all()
    assert df.loc[df["operation"] == "OP01", "event_time"].tolist() == [-2, -1, 0, 1, 2, 3]
    assert df.loc[df["operation"] == "OP01", "lead_2plus"].tolist() == [1, 0, 0, 0, 0, 0]
    assert df.loc[df["operation"] == "OP02", "event_time"].tolist() == [0, 1, 2, 3, 4, 5]


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
                                 "panel_leads_lags", "panel_logit_any"}
    cross = _row(est, "cross_section_volume_poisson")
    assert cross["status"] == "not_fitted"
    assert "no variation in explicit_mandate: 8 of 8" in cross["reason"]
    assert pd.isna(cross["estimate"]) and pd.isna(cross["exact_p"])
    fe = _row(est, "panel_poisson_fe")
    assert fe["status"] == "not_fitted" and "not identified" in fe["reason"]


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
                     "--operations-out", str(ops), "--permutations", "50", "--seed", "2"])
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
