"""Simulation check: replicate seeds, the summary arithmetic, and real replicates end to end.

The end-to-end tests generate a SMALL synthetic demo corpus (6 operations, short reports) so
that a replicate takes a few seconds; the workflow uses the full demo spec.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.demo import build_corpus, load_spec
from analysis.simulation.run import (
    REPLICATE_COLUMNS,
    SUMMARY_COLUMNS,
    SimulationError,
    main,
    oracle_panel,
    replicate_seeds,
    run_replicate,
    summarise,
    truth_panel,
    write_replicate_spec,
)

REPO = Path(__file__).resolve().parents[1]
DEMO_SPEC = REPO / "workflow" / "demo" / "spec.yaml"
MISSIONS = REPO / "raw" / "missions.csv"
CODEBOOK = REPO / "workflow" / "codebooks" / "oc-v1.yaml"
NAN = float("nan")


@pytest.fixture(scope="module")
def tiny_spec(tmp_path_factory) -> Path:
    """The demo spec cut to 6 operations with short reports (a replicate in ~3 s)."""
    spec = yaml.safe_load(DEMO_SPEC.read_text(encoding="utf-8"))
    spec["operations"] = spec["operations"][:6]
    spec["reports"] = {"count": [4, 5], "paragraphs": [10, 14], "negatives": [1, 2],
                       "footnotes": [0, 1]}
    spec["resolutions"] = {"count": [2, 3], "oc_reference_share": 0.6}
    spec["effect"]["base_rate"] = 0.2
    path = tmp_path_factory.mktemp("spec") / "tiny.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------- seeds
def test_replicate_seeds_are_deterministic_and_extendable():
    first = replicate_seeds(1, 3)
    assert first == replicate_seeds(1, 3)
    assert replicate_seeds(1, 5)[:3] == first  # more seeds keep the earlier replicates
    assert len(set(replicate_seeds(1, 20))) == 20
    assert replicate_seeds(2, 3) != first
    assert all(isinstance(s, int) and 0 <= s < 2**31 for s in replicate_seeds(1, 20))


def test_replicate_seeds_reject_nonsense():
    with pytest.raises(ValueError, match="at least one seed"):
        replicate_seeds(1, 0)
    with pytest.raises(ValueError, match="base seed"):
        replicate_seeds(-1, 3)


def test_replicate_spec_changes_seed_rate_ratio_and_bank_only(tmp_path):
    out = write_replicate_spec(DEMO_SPEC, tmp_path / "r" / "spec.yaml", seed=4242, rate_ratio=1.0)
    original, copy = load_spec(DEMO_SPEC), load_spec(out)  # still a valid spec
    assert copy["seed"] == 4242 and copy["effect"]["rate_ratio"] == 1.0
    assert original["effect"]["rate_ratio"] != 1.0
    # replicates are worded from the held-out phrasing bank only, whatever the spec says
    assert copy["heldout_share"] == 1.0 and original["heldout_share"] < 1.0
    copy["seed"], copy["effect"]["rate_ratio"] = original["seed"], original["effect"]["rate_ratio"]
    copy["heldout_share"] = original["heldout_share"]
    assert copy == original


# ----------------------------------------------------------------------------- summary
def _row(scenario, truth, est, low, high, p, status="fitted", oracle=None):
    row = {"scenario": scenario, "true_rate_ratio": truth, "status": status,
           "estimate_exp": est, "conf_low_exp": low, "conf_high_exp": high, "p_value": p}
    o = oracle or (est, low, high, p, status)
    row.update({"oracle_estimate_exp": o[0], "oracle_conf_low_exp": o[1],
                "oracle_conf_high_exp": o[2], "oracle_p_value": o[3], "oracle_status": o[4]})
    return row


def test_summary_counts_coverage_and_rejections_over_fitted_replicates():
    rows = pd.DataFrame([
        _row("null", 1.0, 1.1, 0.8, 1.5, 0.40),   # covers, no rejection
        _row("null", 1.0, 0.5, 0.3, 0.9, 0.01),   # misses, rejects
        _row("effect", 2.0, 2.2, 1.5, 3.0, 0.01, oracle=(1.9, 1.2, 2.9, 0.02, "fitted")),
        _row("effect", 2.0, 1.2, 0.6, 1.9, 0.30, oracle=(2.5, 2.0, 3.1, 0.001, "fitted")),
        _row("effect", 2.0, 3.0, 2.0, 4.0, 0.049, oracle=(NAN, NAN, NAN, NAN, "not_fitted")),
        _row("effect", 2.0, NAN, NAN, NAN, NAN, status="not_fitted",
             oracle=(NAN, NAN, NAN, NAN, "not_fitted")),
    ])
    out = summarise(rows, spec="spec.yaml", base_seed=7)
    assert list(out.columns) == SUMMARY_COLUMNS
    assert list(out["scenario"]) == ["effect", "null"]  # effect first, whatever the input order
    eff = out.iloc[0]
    assert eff["n_seeds"] == 4 and eff["n_fitted"] == 3  # not fitted: counted, not scored
    assert eff["coverage"] == pytest.approx(2 / 3)  # the interval [2.0, 4.0] includes 2.0
    assert eff["rejection_rate"] == pytest.approx(2 / 3)  # 0.049 < 0.05, 0.30 is not
    assert eff["mean_estimate"] == pytest.approx((2.2 + 1.2 + 3.0) / 3)
    assert eff["median_estimate"] == pytest.approx(2.2)
    assert eff["coverage_mcse"] == pytest.approx(math.sqrt(2 / 3 * 1 / 3 / 3))
    assert eff["oracle_n_fitted"] == 2
    assert eff["oracle_coverage"] == pytest.approx(1.0)  # lower bound 2.0 counts as covering
    assert eff["oracle_rejection_rate"] == pytest.approx(1.0)
    assert eff["oracle_mean_estimate"] == pytest.approx(2.2)
    null = out.iloc[1]
    assert (null["n_seeds"], null["n_fitted"]) == (2, 2)
    assert null["coverage"] == pytest.approx(0.5) and null["rejection_rate"] == pytest.approx(0.5)
    assert null["spec"] == "spec.yaml" and null["base_seed"] == 7


def test_summary_of_a_scenario_with_nothing_fitted_is_empty_not_zero():
    rows = pd.DataFrame([_row("null", 1.0, NAN, NAN, NAN, NAN, status="not_fitted")] * 2)
    out = summarise(rows).iloc[0]
    assert out["n_seeds"] == 2 and out["n_fitted"] == 0
    assert math.isnan(out["coverage"]) and math.isnan(out["rejection_rate"])
    assert math.isnan(out["mean_estimate"])


def test_summary_refuses_mixed_true_effects():
    rows = pd.DataFrame([_row("effect", 2.0, 2, 1, 3, 0.01), _row("effect", 1.5, 2, 1, 3, 0.01)])
    with pytest.raises(ValueError, match="true_rate_ratio"):
        summarise(rows)


# ------------------------------------------------------------------------ end to end
def test_one_replicate_runs_end_to_end(tiny_spec, tmp_path):
    row = run_replicate(tiny_spec, MISSIONS, CODEBOOK, scenario="effect", seed=3,
                        rate_ratio=2.0, work_dir=tmp_path)
    assert list(row) == REPLICATE_COLUMNS
    assert row["status"] == "fitted", row["reason"]
    assert math.isfinite(row["estimate"]) and row["estimate_exp"] > 0
    assert row["conf_low_exp"] < row["estimate_exp"] < row["conf_high_exp"]
    assert row["estimate_exp"] == pytest.approx(math.exp(row["estimate"]))
    assert 0 <= row["p_value"] <= 1 and row["n_clusters"] >= 5
    assert row["oracle_status"] == "fitted" and math.isfinite(row["oracle_estimate"])
    assert row["n_documents"] > 20 and row["n_quarantined"] == 0
    # the coded panel, not the truth: close to it, though the replicate is worded from the
    # held-out phrasing bank the codebook was not tuned on (so recall is lower than on the
    # tuned wording of the default demo corpus)
    assert row["coded_mandate_agreement"] > 0.8
    assert 0.5 < row["coded_activity_ratio"] < 1.5
    folder = tmp_path / "effect-seed3"
    kept = load_spec(folder / "spec.yaml")
    assert kept["seed"] == 3 and kept["heldout_share"] == 1.0  # the corpus can be rebuilt
    assert not (folder / "corpus").exists()  # the corpus itself is scratch


def test_a_failing_replicate_names_scenario_seed_and_stage(tiny_spec, tmp_path):
    missions = tmp_path / "missions.csv"
    lines = MISSIONS.read_text(encoding="utf-8").splitlines()
    missions.write_text("\n".join(ln for ln in lines if not ln.startswith("MINUSTAH,")) + "\n",
                        encoding="utf-8")
    with pytest.raises(SimulationError, match=r"null seed 5 failed while building the demo"):
        run_replicate(tiny_spec, missions, CODEBOOK, scenario="null", seed=5, rate_ratio=1.0,
                      work_dir=tmp_path / "work")


def test_cli_writes_the_same_bytes_with_one_or_two_workers(tiny_spec, tmp_path):
    outs = {}
    for threads in (2, 1):
        d = tmp_path / f"t{threads}"
        code = main(["--spec", str(tiny_spec), "--missions", str(MISSIONS), "--codebook",
                     str(CODEBOOK), "--seeds", "1", "--base-seed", "3", "--threads",
                     str(threads), "--work-dir", str(d / "work"), "--summary-out",
                     str(d / "simulation.csv"), "--replicates-out", str(d / "replicates.csv")])
        assert code == 0
        outs[threads] = ((d / "simulation.csv").read_bytes(), (d / "replicates.csv").read_bytes())
    assert outs[1] == outs[2]
    # pandas reads the word "null" as missing unless told otherwise
    summary = pd.read_csv(tmp_path / "t1" / "simulation.csv", keep_default_na=False)
    assert list(summary["scenario"]) == ["effect", "null"]
    assert list(summary["true_rate_ratio"]) == [2.0, 1.0]
    assert list(summary["n_seeds"]) == [1, 1]
    replicates = pd.read_csv(tmp_path / "t1" / "replicates.csv", keep_default_na=False)
    assert list(replicates.columns) == REPLICATE_COLUMNS
    # both scenarios share the seed (common random numbers)
    assert replicates["seed"].nunique() == 1 and replicates["seed"].iloc[0] == replicate_seeds(
        3, 1)[0]


# ---------------------------------------------------------------------------- bootstrap
def test_summary_of_the_bootstrap_columns():
    rows = pd.DataFrame([
        _row("null", 1.0, 1.1, 0.8, 1.5, 0.01),
        _row("null", 1.0, 0.5, 0.3, 0.9, 0.01),
        _row("null", 1.0, 0.9, 0.7, 1.2, 0.50),
    ])
    rows["boot_p"] = [0.2, 0.03, 0.6]
    rows["boot_conf_low_exp"] = [0.0, 0.2, 0.6]  # exp(-inf) = 0: unbounded below
    rows["boot_conf_high_exp"] = [3.0, 0.95, math.inf]
    out = summarise(rows).iloc[0]
    assert list(out.index) == SUMMARY_COLUMNS
    assert out["rejection_rate"] == pytest.approx(2 / 3)  # the clustered t, as before
    assert out["boot_rejection_rate"] == pytest.approx(1 / 3)
    assert out["boot_coverage"] == pytest.approx(2 / 3)
    assert out["boot_unbounded"] == pytest.approx(2 / 3)
    assert out["boot_rejection_rate_mcse"] == pytest.approx(math.sqrt(2 / 9 / 3))
    assert math.isnan(out["oracle_boot_coverage"])  # no oracle_boot_* columns given


def test_oracle_panel_is_the_truth_panel_of_the_built_corpus(tiny_spec, tmp_path):
    spec = write_replicate_spec(tiny_spec, tmp_path / "spec.yaml", seed=11, rate_ratio=1.0)
    build_corpus(spec, MISSIONS, tmp_path / "corpus", log=io.StringIO())
    built = truth_panel(tmp_path / "corpus" / "truth")
    truth = pd.read_csv(tmp_path / "corpus" / "truth" / "paragraphs.csv")
    assert set(truth["bank"]) == {"heldout"}  # replicates: held-out wording only
    fast = oracle_panel(tiny_spec, MISSIONS, seed=11, rate_ratio=1.0)
    pd.testing.assert_frame_equal(fast, built)
    assert len(fast) > 20 and fast["explicit_mandate"].any()
    other = oracle_panel(tiny_spec, MISSIONS, seed=11, rate_ratio=3.0)
    assert other["oc_activity_paragraphs"].sum() != fast["oc_activity_paragraphs"].sum()


def test_cli_oracle_only_reports_the_bootstrap(tiny_spec, tmp_path):
    code = main(["--spec", str(tiny_spec), "--missions", str(MISSIONS), "--codebook",
                 str(CODEBOOK), "--seeds", "3", "--base-seed", "2", "--threads", "1",
                 "--oracle-only", "--work-dir", str(tmp_path / "work"), "--summary-out",
                 str(tmp_path / "s.csv"), "--replicates-out", str(tmp_path / "r.csv")])
    assert code == 0
    reps = pd.read_csv(tmp_path / "r.csv", keep_default_na=False)
    assert list(reps.columns) == REPLICATE_COLUMNS
    assert set(reps["status"]) == {"not_run"} and set(reps["oracle_status"]) == {"fitted"}
    p = pd.to_numeric(reps["oracle_boot_p"])
    assert ((0 <= p) & (p <= 1)).all()
    low, high = (pd.to_numeric(reps[f"oracle_boot_conf_{s}_exp"]) for s in ("low", "high"))
    assert (low <= pd.to_numeric(reps["oracle_estimate_exp"])).all()
    assert (pd.to_numeric(reps["oracle_estimate_exp"]) <= high).all()
    summary = pd.read_csv(tmp_path / "s.csv", keep_default_na=False)
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert list(summary["oracle_n_fitted"]) == [3, 3] and list(summary["n_fitted"]) == [0, 0]
    assert summary["oracle_boot_rejection_rate"].astype(float).between(0, 1).all()
