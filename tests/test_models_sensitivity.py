"""Sensitivity of the FE Poisson mandate effect (analysis.models.sensitivity): leaving out one
switching operation at a time, and carrying measured coding error into the interval."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.models.panel import panel_poisson_fe
from analysis.models.sensitivity import (
    coding_error_estimate,
    error_rates_from_accuracy,
    error_rates_from_validation,
    in_force_index,
    leave_one_switcher_out,
)

PERFECT = {"explicit_mandate": (1.0, 1.0), "activity": (1.0, 1.0)}


def make_tables(kinds=None, n_reports=8, rr=2.0, seed=3):
    """(panel, mandates) of a simulated corpus consistent with each other: every operation
    has a non-explicit resolution from 1999; "switch" operations get an explicit one from
    a year between their 3rd and 6th report, "always" ones are explicit from the start."""
    rng = np.random.default_rng(seed)
    kinds = kinds or [("never", "switch", "always")[i % 3] for i in range(12)]
    panel, mandates = [], []
    for i, kind in enumerate(kinds):
        op = f"OP{i:02d}"
        start = 2000 + int(rng.integers(2, n_reports - 2))
        res = [(f"{op.lower()}-res-1", "1999-01-01", kind == "always")]
        if kind == "switch":
            res.append((f"{op.lower()}-res-2", f"{start}-01-01", True))
        for j, (name, adopted, explicit) in enumerate(res):
            until = res[j + 1][1] if j + 1 < len(res) else f"{2000 + n_reports}-12-31"
            mandates.append({"operation": op, "resolution": name, "adopted": adopted,
                             "in_force_until": until, "explicit_mandate": explicit})
        u = rng.normal(0, 0.3)
        for r in range(n_reports):
            year = 2000 + r
            on = kind == "always" or (kind == "switch" and year >= start)
            paras = int(rng.integers(20, 40))
            panel.append({"operation": op, "doc_id": f"{op.lower()}-rep-{r:02d}",
                          "date": f"{year}-06-01",
                          "oc_activity_paragraphs": min(int(rng.poisson(
                              paras * 0.1 * math.exp(u) * (rr if on else 1))), paras),
                          "all_paragraphs": paras, "mandate_known": True,
                          "explicit_mandate": on})
    return pd.DataFrame(panel), pd.DataFrame(mandates)


def test_one_row_per_switcher_each_equal_to_refitting_without_it():
    panel, _ = make_tables()
    rows = leave_one_switcher_out(panel)
    switchers = sorted({f"OP{i:02d}" for i in range(12) if i % 3 == 1})
    assert [r["term"] for r in rows] == [f"explicit_mandate|without {op}" for op in switchers]
    assert {r["model"] for r in rows} == {"panel_poisson_fe_loo"}
    for op, row in zip(switchers, rows, strict=True):
        refit = panel_poisson_fe(panel[panel["operation"] != op], bootstrap=False)[0][0]
        assert row["status"] == "fitted"
        assert row["estimate"] == pytest.approx(refit["estimate"], abs=1e-12)
        assert row["std_error"] == pytest.approx(refit["std_error"], abs=1e-12)
        assert row["n_switchers"] == 3 and row["df_resid"] == 2
        assert f"{op} left out" in row["reason"]


def test_leaving_out_a_switcher_of_three_is_refused():
    panel, _ = make_tables(kinds=["never"] * 5 + ["switch"] * 3 + ["always"] * 2)
    rows = leave_one_switcher_out(panel)
    assert len(rows) == 3
    assert all(r["status"] == "not_fitted" and "S = 2" in r["reason"] for r in rows)


def test_no_switcher_gives_one_not_fitted_row():
    panel, _ = make_tables(kinds=["never"] * 6 + ["always"] * 6)
    rows = leave_one_switcher_out(panel)
    assert len(rows) == 1 and rows[0]["status"] == "not_fitted"


def _plain(panel):
    """panel_poisson_fe's mandate term with the t(S-1) interval."""
    from analysis.models.sensitivity import _fe_row

    return _fe_row(panel, 5)


def test_perfect_coding_reproduces_the_plain_interval():
    panel, mandates = make_tables()
    row = coding_error_estimate(panel, mandates, PERFECT, draws=20, seed=1)[0]
    plain = _plain(panel)
    assert row["model"] == "panel_poisson_fe_coding_error" and row["status"] == "fitted"
    assert row["estimate"] == pytest.approx(plain["estimate"], abs=1e-10)
    assert row["conf_low"] == pytest.approx(plain["conf_low"], abs=1e-9)
    assert row["conf_high"] == pytest.approx(plain["conf_high"], abs=1e-9)
    assert "0.0% wider" in row["reason"]
    assert "reproduces the panel's explicit_mandate on 96 of 96 rows" in row["reason"]


def test_measured_coding_error_widens_the_interval_and_says_by_how_much():
    panel, mandates = make_tables()
    rates = {"explicit_mandate": (0.9, 0.8), "activity": (0.95, 0.85)}
    row = coding_error_estimate(panel, mandates, rates, draws=60, seed=5)[0]
    plain = _plain(panel)
    width, plain_width = row["conf_high"] - row["conf_low"], plain["conf_high"] - plain["conf_low"]
    assert width > plain_width * 1.05
    widen = 100 * (width / plain_width - 1)
    assert f"{widen:.1f}% wider" in row["reason"]
    assert "precision 0.9, recall 0.8" in row["reason"]
    assert "precision 0.95, recall 0.85" in row["reason"]
    assert row["df_resid"] == row["n_switchers"] - 1 == 3
    # missed activity is added back: the estimate stays near the plain one (same truth)
    assert abs(row["estimate"] - plain["estimate"]) < 0.3
    again = coding_error_estimate(panel, mandates, rates, draws=60, seed=5)[0]
    assert again == row  # seeded: the same draws
    other = coding_error_estimate(panel, mandates, rates, draws=60, seed=6)[0]
    assert other["estimate"] != row["estimate"]


def test_treatment_is_recomputed_at_period_start_when_the_panel_has_it():
    _, mandates = make_tables()
    m = mandates.sort_values(["operation", "adopted", "resolution"]).reset_index(drop=True)
    switch = m[m["resolution"] == "op01-res-2"].iloc[0]
    adopted = pd.Timestamp(switch["adopted"])
    before = (adopted - pd.Timedelta(days=30)).date().isoformat()
    after = (adopted + pd.Timedelta(days=30)).date().isoformat()
    idx = in_force_index(m, pd.Series(["OP01", "OP01", "OP01"]),
                         pd.Series([before, after, "2030-01-01"]))
    assert m["resolution"].iloc[idx[0]] == "op01-res-1"
    assert m["resolution"].iloc[idx[1]] == "op01-res-2"
    assert idx[2] == -1  # after in_force_until: no mandate in force

    panel, mandates = make_tables()
    shifted = panel.copy()
    shifted["period_start"] = (pd.to_datetime(shifted["date"]) - pd.DateOffset(years=1)
                               ).dt.date.astype(str)
    row = coding_error_estimate(shifted, mandates, PERFECT, draws=5, seed=1)[0]
    assert "in force at the report's period_start" in row["reason"]
    assert "on 96 of 96 rows" not in row["reason"]  # a year earlier: some switch later


ACCURACY = pd.DataFrame([
    ("document", "resolution", "all", "explicit_mandate", "", 1.0, 0.8),
    ("document", "resolution", "heldout", "explicit_mandate", "", 1.0, 0.25),
    ("paragraph", "report", "all", "activity", "", 0.9849, 0.8673),
    ("paragraph", "report", "heldout", "activity", "", 0.93, 0.59),
    ("paragraph", "resolution", "all", "explicit_mandate", "", 1.0, 0.86),
    ("paragraph", "report", "all", "quadrant", "direct_drivers", 1.0, 0.8),
], columns=["level", "doc_type", "bank", "variable", "label", "precision", "recall"])


def test_error_rates_from_the_coding_accuracy_table():
    assert error_rates_from_accuracy(ACCURACY) == {"explicit_mandate": (1.0, 0.8),
                                                   "activity": (0.9849, 0.8673)}
    assert error_rates_from_accuracy(ACCURACY, bank="heldout")["explicit_mandate"] == (1.0, 0.25)
    with pytest.raises(ValueError, match="activity of report paragraphs"):
        error_rates_from_accuracy(ACCURACY[ACCURACY["variable"] != "activity"])


def test_error_rates_from_the_validation_table():
    val = pd.DataFrame([("activity", "", 0.97, 0.89), ("explicit_mandate", "", 1.0, 1.0),
                        ("strength", "requested", 0.5, 0.5)],
                       columns=["variable", "label", "precision", "recall"])
    assert error_rates_from_validation(val) == {"explicit_mandate": (1.0, 1.0),
                                                "activity": (0.97, 0.89)}
    bad = val.copy()
    bad.loc[0, "recall"] = 0.0
    with pytest.raises(ValueError, match="activity precision 0.97 / recall 0.0"):
        error_rates_from_validation(bad)


def test_a_corpus_without_explicit_mandates_has_no_measurable_mandate_precision():
    """As analysis.io.read_csv reads the accuracy table of a corpus in which no resolution
    gives an explicit mandate: precision and recall are empty text, not numbers. That is
    'not measurable' (the coding-error row says so), never a float('') crash."""
    from analysis.models.sensitivity import RatesUnavailable

    text = ACCURACY.astype(object).astype(str)
    mandate = (text["variable"] == "explicit_mandate")
    text.loc[mandate, ["precision", "recall"]] = ""
    with pytest.raises(RatesUnavailable, match="explicit_mandate of resolutions.*no precision"):
        error_rates_from_accuracy(text)
    # numbers written as text still read
    assert error_rates_from_accuracy(ACCURACY.astype(object).astype(str))["activity"] == (
        0.9849, 0.8673)
