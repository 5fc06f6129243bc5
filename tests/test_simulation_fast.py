"""Fast simulation check: oracle panels drawn from the demo design, scenarios that do what
they claim, the estimator registry, the summary, the headline rule and determinism."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.io import write_csv
from analysis.simulation import fast
from analysis.simulation.estimators import ESTIMATORS, estimate_all
from analysis.simulation.fast import (
    REPLICATE_COLUMNS,
    SCENARIOS,
    draw_panel,
    replicate_design,
    run_fast,
)
from analysis.simulation.headline import choose_headline, load_rule, write_headline
from analysis.simulation.run import oracle_panel
from analysis.simulation.summary import SUMMARY_COLUMNS

REPO = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO / "workflow" / "demo" / "spec.yaml"
MISSIONS = REPO / "raw" / "missions.csv"
RULE = {"candidates": ["etwfe_jackknife", "twfe_cluster", "fe_bootstrap", "fe_cluster"],
        "size_scenarios": ["null", "trend"], "size_range": [0.03, 0.07],
        "coverage_scenarios": ["effect", "heterogeneous"], "min_coverage": 0.93}


@pytest.fixture(scope="module")
def loaded():
    return fast._load(DEMO_SPEC, MISSIONS)


@pytest.fixture(scope="module")
def oracle_runs():
    """60 replicates of the FE estimator (cluster-robust) in four scenarios (~3 s)."""
    summary, reps = run_fast(DEMO_SPEC, MISSIONS, n_replicates=60, base_seed=5,
                             scenarios=("null", "effect", "trend", "reverse_timing",
                                        "coding_error"),
                             estimators=["fe_cluster"], log=io.StringIO())
    return summary.set_index("scenario"), reps


# ------------------------------------------------------------------------------ design
def test_design_is_the_generators_corpus_without_text(loaded):
    spec, ops = loaded
    design = replicate_design(ops, spec, 11)
    truth = oracle_panel(DEMO_SPEC, MISSIONS, seed=11, rate_ratio=2.0)
    panel, _ = draw_panel(design, "effect", rate_ratio=2.0, base_rate=0.08, max_share=0.5,
                          rng=np.random.default_rng(0))
    # same reports, dates, periods, paragraphs and mandates (the counts are drawn afresh)
    same = ["operation", "doc_id", "date", "period_start", "all_paragraphs",
            "explicit_mandate", "explicit_mandate_at_report"]
    pd.testing.assert_frame_equal(panel[same], truth[same])
    # the period-start treatment lags the report-date one somewhere (else timing is moot)
    assert (panel["explicit_mandate"] != panel["explicit_mandate_at_report"]).any()


def _extreme(design, scenario):
    """Counts with a tiny base rate and a huge effect: a report is at its cap exactly when
    the scenario raises its activity, else (almost surely) zero."""
    panel, _ = draw_panel(design, scenario, rate_ratio=1e9, base_rate=1e-7, max_share=0.5,
                          rng=np.random.default_rng(1))
    cap = np.floor(0.5 * panel["all_paragraphs"].to_numpy())
    raised = panel["oc_activity_paragraphs"].to_numpy() == cap
    assert set(panel["oc_activity_paragraphs"].to_numpy()[~raised]) <= {0}
    return panel, raised


def test_effect_follows_the_mandate_at_the_start_of_the_period(loaded):
    spec, ops = loaded
    design = replicate_design(ops, spec, 3)
    panel, raised = _extreme(design, "effect")
    assert (raised == panel["explicit_mandate"].to_numpy()).all()
    null, _ = draw_panel(design, "null", rate_ratio=1e9, base_rate=1e-7, max_share=0.5,
                         rng=np.random.default_rng(1))
    assert null["oc_activity_paragraphs"].sum() == 0


def test_reverse_timing_raises_activity_two_reports_before_the_mandate(loaded):
    spec, ops = loaded
    design = replicate_design(ops, spec, 3)
    panel, raised = _extreme(design, "reverse_timing")
    checked = 0
    for _, rows in panel.assign(raised=raised).groupby("operation"):
        treated = rows["explicit_mandate"].to_numpy()
        if not treated.any():
            assert not rows["raised"].any()  # never mandated: never raised
            continue
        first = int(np.argmax(treated))
        expected = np.arange(len(rows)) >= first - 2
        assert (rows["raised"].to_numpy() == expected).all()
        checked += first >= 3  # an operation with unraised reports before the rise
    assert checked >= 1


def test_coding_error_misclassifies_mandates_and_activity(loaded):
    spec, ops = loaded
    design = replicate_design(ops, spec, 8)
    kwargs = {"rate_ratio": 2.0, "base_rate": 0.08, "max_share": 0.5}
    true, truth = draw_panel(design, "effect", rng=np.random.default_rng(4), **kwargs)
    coded, coded_truth = draw_panel(design, "coding_error", rng=np.random.default_rng(4),
                                    **kwargs)
    assert truth == coded_truth == 2.0
    assert (true["oc_activity_paragraphs"] == coded["oc_activity_paragraphs"]).mean() < 0.9
    perfect = {"mandate": {"precision": 1.0, "recall": 1.0},
               "activity": {"precision": 1.0, "recall": 1.0}}
    exact, _ = draw_panel(design, "coding_error", rng=np.random.default_rng(4),
                          coding_error=perfect, **kwargs)
    pd.testing.assert_frame_equal(exact, true)  # no error: the effect panel itself
    wrong = sum((draw_panel(design, "coding_error", rng=np.random.default_rng(s), **kwargs)[0]
                 ["explicit_mandate"] != true["explicit_mandate"]).any() for s in range(10))
    assert wrong >= 5  # mandate flags flip in most replicates


def test_heterogeneous_truth_is_the_replicates_own_ratio(loaded):
    spec, ops = loaded
    truths = [draw_panel(replicate_design(ops, spec, s), "heterogeneous", rate_ratio=2.0,
                         base_rate=0.08, max_share=0.5, rng=np.random.default_rng(s))[1]
              for s in range(30)]
    assert len(set(truths)) == 30  # one truth per replicate
    assert 1.6 < np.exp(np.mean(np.log(truths))) < 2.6


# -------------------------------------------------------------------------- scenarios
def test_null_scenario_has_no_effect(oracle_runs):
    summary, reps = oracle_runs
    est = reps[(reps["scenario"] == "null") & (reps["status"] == "fitted")]["estimate"]
    assert len(est) >= 55
    assert abs(est.mean()) < 0.1, est.mean()  # mean log rate ratio ~ 0
    assert summary.loc["null", "true_rate_ratio"] == 1.0
    assert summary.loc["null", "rejection_is"] == "size"


def test_effect_scenario_recovers_the_specs_rate_ratio(oracle_runs):
    summary, reps = oracle_runs
    est = reps[(reps["scenario"] == "effect") & (reps["status"] == "fitted")]["estimate"]
    assert abs(est.mean() - math.log(2.0)) < 0.1, est.mean()
    assert summary.loc["effect", "rejection_is"] == "power"
    assert summary.loc["effect", "rejection_rate"] > 0.5


def test_trend_biases_the_fe_only_estimator_upward(oracle_runs):
    summary, reps = oracle_runs
    est = reps[(reps["scenario"] == "trend") & (reps["status"] == "fitted")]["estimate"]
    assert est.mean() > 0.15, est.mean()  # no effect, yet an 'effect' of > 16%
    assert summary.loc["trend", "rejection_rate"] > summary.loc["null", "rejection_rate"]
    assert summary.loc["trend", "true_rate_ratio"] == 1.0


def test_reverse_timing_gives_a_spurious_effect(oracle_runs):
    summary, reps = oracle_runs
    est = reps[(reps["scenario"] == "reverse_timing") & (reps["status"] == "fitted")]
    assert est["estimate"].mean() > 0.05, est["estimate"].mean()
    assert summary.loc["reverse_timing", "rejection_is"] == "size"
    assert summary.loc["reverse_timing", "mean_rate_ratio"] > summary.loc["null",
                                                                          "mean_rate_ratio"]


def test_reverse_timing_fools_a_report_date_treatment_too(loaded):
    # the mandate in force on the report date switches on no later than the period-start
    # one, so the early rise still precedes it: a spurious 'effect' either way
    spec, ops = loaded
    estimates = []
    for seed in range(30):
        design = replicate_design(ops, spec, 100 + seed)
        panel, _ = draw_panel(design, "reverse_timing", rate_ratio=2.0, base_rate=0.08,
                              max_share=0.5, rng=np.random.default_rng(seed))
        panel["explicit_mandate"] = panel["explicit_mandate_at_report"]
        fit = estimate_all(panel, ["fe_cluster"])[0]
        if fit["status"] == "fitted":
            estimates.append(fit["estimate"])
    assert len(estimates) >= 25 and np.mean(estimates) > 0.05, np.mean(estimates)


def test_coding_error_rates_come_from_config_values(tmp_path):
    assert fast.load_coding_error(None) == fast.CODING_ERROR
    rates = fast.load_coding_error('{"mandate": {"recall": 0.5}}')
    assert rates["mandate"] == {"precision": 0.9, "recall": 0.5}
    assert rates["activity"] == fast.CODING_ERROR["activity"]
    with pytest.raises(ValueError, match=r"mandate\.recall"):
        fast.load_coding_error({"mandate": {"recall": 0}})
    with pytest.raises(ValueError, match="mandate and/or activity"):
        fast.load_coding_error({"mandates": {"recall": 0.5}})


def test_coding_error_attenuates_the_estimate(oracle_runs):
    summary, _ = oracle_runs
    assert summary.loc["coding_error", "true_rate_ratio"] == 2.0
    assert summary.loc["coding_error", "median_rate_ratio"] < summary.loc["effect",
                                                                          "median_rate_ratio"]


# --------------------------------------------------------------------- registry, output
def _raises(panel):
    raise RuntimeError("boom")


def _ok(panel):
    return {"estimate": 0.1, "conf_low": -math.inf, "conf_high": 0.5, "p_value": 0.5,
            "status": "fitted", "reason": ""}


def test_a_raising_estimator_becomes_a_counted_not_fitted_row():
    registry = {"ok": _ok, "broken": _raises, "fe": ESTIMATORS["fe_cluster"]}
    summary, reps = run_fast(DEMO_SPEC, MISSIONS, n_replicates=3, scenarios=("null",),
                             registry=registry, log=io.StringIO())
    assert list(reps.columns) == REPLICATE_COLUMNS and len(reps) == 9
    broken = reps[reps["estimator"] == "broken"]
    assert set(broken["status"]) == {"not_fitted"} and broken["error"].all()
    assert broken["reason"].str.contains("RuntimeError: boom").all()
    assert list(summary.columns) == SUMMARY_COLUMNS
    rows = summary.set_index("estimator")
    assert rows.loc["broken", "n_errors"] == 3 and rows.loc["broken", "n_fitted"] == 0
    assert math.isnan(rows.loc["broken", "coverage"])
    assert rows.loc["ok", "unbounded_share"] == 1.0 and rows.loc["ok", "coverage"] == 1.0
    assert rows.loc["fe", "n_errors"] == 0


def test_estimator_result_without_a_key_is_an_error():
    row = estimate_all(pd.DataFrame(), ["x"], {"x": lambda p: {"estimate": 1.0}})[0]
    assert row["status"] == "not_fitted" and row["error"] and "conf_low" in row["reason"]


def test_output_is_the_same_with_one_or_two_workers(tmp_path):
    outs = {}
    for threads in (1, 2):
        summary, reps = run_fast(DEMO_SPEC, MISSIONS, n_replicates=4, base_seed=9,
                                 threads=threads, log=io.StringIO())
        write_csv(summary, tmp_path / f"s{threads}.csv")
        write_csv(reps, tmp_path / f"r{threads}.csv")
        outs[threads] = [(tmp_path / f"{k}{threads}.csv").read_bytes() for k in "sr"]
    assert outs[1] == outs[2]
    summary = pd.read_csv(tmp_path / "s1.csv", keep_default_na=False)
    assert list(summary["scenario"].unique()) == list(SCENARIOS)
    assert set(summary["estimator"]) == set(ESTIMATORS)


def test_cli_writes_summary_replicates_and_headline(tmp_path, capsys):
    code = fast.main(["--spec", str(DEMO_SPEC), "--missions", str(MISSIONS),
                      "--replicates", "3", "--scenarios", "null,effect,trend,heterogeneous",
                      "--rule", json.dumps(RULE), "--summary-out", str(tmp_path / "s.csv"),
                      "--replicates-out", str(tmp_path / "r.csv"),
                      "--headline-out", str(tmp_path / "headline.csv")])
    assert code == 0
    err = capsys.readouterr().err
    assert "3/3 replicates" in err and "headline" in err
    head = pd.read_csv(tmp_path / "headline.csv", keep_default_na=False)
    assert head["check"].iloc[0] == "headline"
    # every candidate is registered and scored: one row per candidate x check, each with
    # the measured value and the bounds of the rule
    checks = head.iloc[1:]
    assert set(checks["estimator"]) == set(RULE["candidates"])
    assert not checks["explanation"].str.contains("not in the simulation summary").any()
    assert checks["value"].astype(float).between(0, 1).all()
    assert len(head) == 1 + 4 * 4


def test_cli_refuses_an_unknown_scenario_and_a_headline_without_rule(tmp_path, capsys):
    base = ["--spec", str(DEMO_SPEC), "--missions", str(MISSIONS), "--replicates", "1",
            "--summary-out", str(tmp_path / "s.csv"), "--replicates-out", str(tmp_path / "r")]
    assert fast.main(base + ["--scenarios", "null,drift"]) == 1
    assert "drift" in capsys.readouterr().err
    assert fast.main(base + ["--headline-out", str(tmp_path / "h.csv")]) == 1
    assert "--rule" in capsys.readouterr().err


# ----------------------------------------------------------------------------- headline
def _summary(values: dict) -> pd.DataFrame:
    """values: estimator -> (size null, size trend, coverage effect, coverage heterogeneous)"""
    rows = []
    for est, (s_null, s_trend, c_eff, c_het) in values.items():
        for scenario, rej, cov in (("null", s_null, 0.95), ("trend", s_trend, 0.9),
                                   ("effect", 0.8, c_eff), ("heterogeneous", 0.7, c_het)):
            rows.append({"scenario": scenario, "estimator": est, "rejection_rate": rej,
                         "coverage": cov})
    return pd.DataFrame(rows)


def test_headline_is_the_first_candidate_passing_every_check():
    summary = _summary({"etwfe_jackknife": (0.05, 0.08, 0.95, 0.95),  # trend size too high
                        "twfe_cluster": (0.04, 0.06, 0.94, 0.93),  # passes (bounds count)
                        "fe_bootstrap": (0.05, 0.05, 0.99, 0.99),  # passes, later
                        "fe_cluster": (0.15, 0.4, 0.8, 0.7)})
    estimator, text, table = choose_headline(summary, RULE)
    assert estimator == "twfe_cluster"
    assert table["passed"].iloc[0] and table["check"].iloc[0] == "headline"
    assert "etwfe_jackknife failed" in text and "trend" in text
    checks = table.iloc[1:]
    assert len(checks) == 16 and checks.groupby("estimator")["passed"].all().to_dict() == {
        "etwfe_jackknife": False, "twfe_cluster": True, "fe_bootstrap": True,
        "fe_cluster": False}


def test_headline_when_no_candidate_passes_is_the_first_with_a_warning(tmp_path):
    summary = _summary({"etwfe_jackknife": (0.02, 0.05, 0.95, 0.95),  # too conservative
                        "twfe_cluster": (0.05, 0.05, 0.92, 0.95),
                        "fe_bootstrap": (0.05, 0.05, 0.95, math.nan),  # nothing fitted
                        "fe_cluster": (0.15, 0.4, 0.8, 0.7)})
    estimator, text, table = choose_headline(summary, RULE)
    assert estimator == "etwfe_jackknife" and not table["passed"].iloc[0]
    assert text.startswith("no candidate passes")
    assert "no fitted replicate in heterogeneous" in text
    write_headline(tmp_path / "h.json", table)
    doc = json.loads((tmp_path / "h.json").read_text())
    assert doc["estimator"] == "etwfe_jackknife" and doc["passed"] is False
    assert len(doc["checks"]) == 16


def test_headline_rule_is_checked_and_read_from_files(tmp_path):
    with pytest.raises(ValueError, match="min_coverage"):
        load_rule({k: v for k, v in RULE.items() if k != "min_coverage"})
    with pytest.raises(ValueError, match="size_range"):
        load_rule({**RULE, "size_range": [0.07, 0.03]})
    config = tmp_path / "config.yaml"
    config.write_text("simulation_headline:\n  candidates: [fe_cluster]\n"
                      "  size_scenarios: [null]\n  size_range: [0.0, 1.0]\n"
                      "  coverage_scenarios: [effect]\n  min_coverage: 0.5\n")
    assert load_rule(str(config))["candidates"] == ["fe_cluster"]
    assert load_rule(json.dumps(RULE)) == RULE
