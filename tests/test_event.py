"""Event study of the explicit mandate (analysis.models.event) and its Figure 8."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import numpy as np
import pandas as pd
import pytest

from analysis.figures.event import plot_event_study
from analysis.figures.render import read_estimates, render_fig8
from analysis.io import write_csv
from analysis.models.event import (
    EVENT_BINS,
    event_sample,
    event_study_table,
    panel_event_study,
)

ROOT = Path(__file__).resolve().parents[1]
LAGS = ("lag_0", "lag_1", "lag_2", "lag_3plus")
SEEDS = range(20)


def generated_panel(seed: int, *, rate_ratio: float = 2.5, rise_before: float = 1.0,
                    n_treated: int = 8, n_never: int = 8, n_always: int = 0,
                    n_reports: int = 12, first_at=None) -> pd.DataFrame:
    """A panel as ``panel.csv`` holds it: operation x report, OC activity and paragraphs.

    Treated operation k gets its first explicit mandate at report 4 + k % 5 (staggered);
    the rate is base * rate_ratio after it. ``rise_before``: activity multiplies by it from
    two reports before the mandate on (and stays up): a pre-trend the leads must show.
    ``n_always``: operations mandated from their first report. ``first_at``: override of
    the treated operations' first mandated report.
    """
    rng = np.random.default_rng(seed)
    ops = ([f"T{i:02d}" for i in range(n_treated)] + [f"N{i:02d}" for i in range(n_never)]
           + [f"A{i:02d}" for i in range(n_always)])
    rows = []
    for k, op in enumerate(ops):
        base = math.exp(rng.normal(math.log(0.08), 0.4))
        first = {"T": first_at if first_at is not None else 4 + k % 5, "N": None,
                 "A": 0}[op[0]]
        for t in range(n_reports):
            et = None if first is None else t - first
            rate = base
            if et is not None and et >= 0:
                rate *= rate_ratio
            if et is not None and et >= -2:
                rate *= rise_before
            paragraphs = int(rng.integers(30, 70))
            y = min(int(rng.poisson(paragraphs * rate * math.exp(rng.normal(0, 0.15)))),
                    paragraphs)
            rows.append({"operation": op, "doc_id": f"{op}-{t:02d}",
                         "date": f"{2000 + t}-06-01", "oc_activity_paragraphs": y,
                         "all_paragraphs": paragraphs, "mandate_known": True,
                         "explicit_mandate": bool(et is not None and et >= 0)})
    return pd.DataFrame(rows)


def by_term(rows: list[dict]) -> dict[str, dict]:
    return {r["term"]: r for r in rows}


def test_event_time_counts_reports_and_bins_end_points():
    panel = generated_panel(0, n_treated=1, n_never=1, first_at=5, n_reports=10)
    df = event_sample(panel)
    treated = df[df["operation"] == "T00"]
    assert treated["event_time"].tolist() == list(range(-5, 5))
    assert df.loc[df["operation"] == "N00", "event_time"].isna().all()
    assert treated["lead_3plus"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0, 0, 0]  # -5, -4, -3
    assert treated["lead_2"].tolist() == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    assert treated["lag_3plus"].tolist() == [0, 0, 0, 0, 0, 0, 0, 0, 1, 1]  # +3, +4
    # event time -1 is the reference: no dummy is on
    ref = treated[treated["event_time"] == -1]
    assert ref[list(EVENT_BINS)].to_numpy().sum() == 0
    never = df[df["operation"] == "N00"]
    assert never[list(EVENT_BINS)].to_numpy().sum() == 0


def test_share_treatment_counts_as_treated_above_zero():
    panel = generated_panel(3)
    as_share = panel.copy()
    # a share of the period under mandate: partial at the first mandated report
    as_share["explicit_mandate"] = [0.4 if on else 0.0 for on in panel["explicit_mandate"]]
    as_text = panel.assign(explicit_mandate=panel["explicit_mandate"].map(str),
                           mandate_known=panel["mandate_known"].map(str))
    base = panel_event_study(panel)
    assert panel_event_study(as_share) == base
    assert panel_event_study(as_text) == base


def test_recovers_a_step_effect_with_flat_leads():
    lags, leads = [], []
    for seed in SEEDS:
        rows = by_term(panel_event_study(generated_panel(seed, rate_ratio=2.5)))
        assert all(rows[t]["status"] == "fitted" for t in EVENT_BINS)
        lags.append([rows[t]["estimate"] for t in LAGS])
        leads.append([rows[t]["estimate"] for t in ("lead_3plus", "lead_2")])
        assert rows["lag_0"]["df_resid"] == 7 and rows["lag_0"]["n_switchers"] == 8
    lags, leads = np.array(lags), np.array(leads)
    assert np.abs(lags.mean(axis=0) - math.log(2.5)).max() < 0.12
    assert np.abs(leads.mean(axis=0)).max() < 0.12
    # and with no effect at all, the lags stay at 0
    null = [by_term(panel_event_study(generated_panel(s, rate_ratio=1.0)))["lag_1"]["estimate"]
            for s in SEEDS]
    assert abs(float(np.mean(null))) < 0.12


def test_pretrend_test_flags_activity_rising_before_the_mandate():
    flat, rising = [], []
    for seed in SEEDS:
        for out, rise in ((flat, 1.0), (rising, 2.0)):
            rows = by_term(panel_event_study(generated_panel(seed, rise_before=rise)))
            test = rows["pretrend_wald"]
            assert test["status"] == "fitted"
            assert "q = 2" in test["reason"] and "F(2, 7)" in test["reason"]
            out.append(test["p_value"])
            if rise != 1.0:  # the rise shows as lower activity 3+ reports before
                assert rows["lead_3plus"]["estimate"] < 0
    flat, rising = np.array(flat), np.array(rising)
    assert (rising < 0.05).mean() >= 0.85
    assert np.median(rising) < 0.01
    assert (flat < 0.05).mean() <= 0.25
    assert np.median(flat) > 0.2


def test_pretrend_statistic_is_the_squared_t_with_one_lead():
    # treated first at report 2: the only lead bin is lead_2, so F = t^2
    rows = by_term(panel_event_study(generated_panel(1, first_at=2)))
    assert "lead_3plus" not in rows
    assert "lead_3plus left out: no report in that event-time bin" in rows["lag_0"]["reason"]
    t = rows["lead_2"]["estimate"] / rows["lead_2"]["std_error"]
    assert rows["pretrend_wald"]["estimate"] == pytest.approx(t * t, rel=1e-9)
    assert rows["pretrend_wald"]["p_value"] == pytest.approx(rows["lead_2"]["p_value"],
                                                             rel=1e-9)


def test_no_lead_bin_gives_an_untested_pretrend():
    rows = by_term(panel_event_study(generated_panel(2, first_at=1)))
    assert rows["lag_0"]["status"] == "fitted"
    assert rows["pretrend_wald"]["status"] == "not_fitted"
    assert "pre-trend cannot be tested" in rows["pretrend_wald"]["reason"]


def test_not_fitted_without_a_pre_period():
    rows = panel_event_study(generated_panel(4, n_treated=0, n_always=5, n_never=5))
    assert len(rows) == 1 and rows[0]["status"] == "not_fitted"
    assert "no pre-period" in rows[0]["reason"]
    assert "5 operations treated from their first report left out" in rows[0]["reason"]


def test_not_fitted_with_fewer_than_three_switchers():
    rows = panel_event_study(generated_panel(5, n_treated=2, n_never=8))
    assert len(rows) == 1 and rows[0]["status"] == "not_fitted"
    assert "S = 2" in rows[0]["reason"] and "T00, T01" in rows[0]["reason"]
    assert math.isnan(rows[0].get("estimate", math.nan))
    fitted = panel_event_study(generated_panel(5, n_treated=3, n_never=8))
    assert fitted[0]["status"] == "fitted" and fitted[0]["df_resid"] == 2


def test_same_panel_same_rows():
    panel = generated_panel(6)
    assert panel_event_study(panel) == panel_event_study(panel.sample(frac=1, random_state=1))


def estimates_csv(path: Path, rows: list[dict]) -> Path:
    columns = ["model", "family", "term", "estimate", "std_error", "conf_low", "conf_high",
               "p_value", "estimate_exp", "conf_low_exp", "conf_high_exp", "exact_p",
               "exact_method", "n", "n_clusters", "cov_type", "status", "reason"]
    other = {"model": "panel_poisson_fe", "family": "poisson", "term": "explicit_mandate",
             "estimate": 0.5, "std_error": 0.2, "status": "fitted", "n": 100,
             "n_clusters": 12, "reason": ""}
    return write_csv(pd.DataFrame([other, *rows]).reindex(columns=columns), path)


def test_event_study_table_from_estimates_csv(tmp_path):
    rows = panel_event_study(generated_panel(0, rise_before=2.0))
    table, info = event_study_table(read_estimates(estimates_csv(tmp_path / "e.csv", rows)))
    assert table["label"].tolist() == ["\u2264 \u22123", "\u22122", "\u22121", "0", "+1",
                                       "+2", "\u2265 +3"]
    assert table["binned"].tolist() == [True, False, False, False, False, False, True]
    ref = table[table["reference"]].iloc[0]
    assert ref["event_time"] == -1 and ref["ratio"] == 1.0
    lag = by_term(rows)["lag_1"]
    got = table.set_index("term").loc["lag_1"]
    assert got["ratio"] == pytest.approx(math.exp(lag["estimate"]), rel=1e-8)
    assert got["low"] == pytest.approx(math.exp(lag["conf_low"]), rel=1e-8)
    assert info["pretrend_p"] == pytest.approx(by_term(rows)["pretrend_wald"]["p_value"],
                                               rel=1e-8)


def _texts(fig) -> str:
    ax = fig.axes[0]
    return " ".join([ax.get_title(), ax.get_xlabel(), *(t.get_text() for t in ax.texts),
                     *(t.get_text() for t in ax.get_xticklabels())])


def test_figure8_renders_ratios_reference_end_points_and_pretrend_p(tmp_path):
    rows = panel_event_study(generated_panel(0, rise_before=2.0))
    path = estimates_csv(tmp_path / "e.csv", rows)
    fig = plot_event_study(read_estimates(path))
    text = _texts(fig)
    p = by_term(rows)["pretrend_wald"]["p_value"]
    assert ("p < 0.001" if p < 0.001 else f"p = {p:.3f}") in fig.axes[0].get_title()
    assert "Pre-trend test" in text
    assert "\u2264 \u22123" in text and "\u2265 +3" in text and "binned" in text
    assert fig.axes[0].get_yscale() == "log"
    outs = []
    for run in ("a", "b"):
        pdf, png = tmp_path / run / "fig8.pdf", tmp_path / run / "fig8.png"
        render_fig8(path, pdf, png)
        outs.append((pdf.read_bytes(), png.read_bytes()))
    assert outs[0] == outs[1]
    assert outs[0][0].startswith(b"%PDF-") and b"CreationDate" not in outs[0][0]
    pixels = mpimg.imread(tmp_path / "a" / "fig8.png")
    assert pixels[..., :3].std() > 0.01


def test_figure8_says_no_data_with_the_reason_when_not_fitted(tmp_path):
    rows = panel_event_study(generated_panel(5, n_treated=2, n_never=8))
    path = estimates_csv(tmp_path / "e.csv", rows)
    fig = plot_event_study(read_estimates(path))
    text = _texts(fig)
    assert "No data" in text and "S = 2" in text
    pdf, png = tmp_path / "fig8.pdf", tmp_path / "fig8.png"
    done = subprocess.run([sys.executable, "-m", "analysis.figures", "fig8", "--estimates",
                           str(path), "--out-pdf", str(pdf), "--out-png", str(png)],
                          check=False, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    assert pdf.exists() and png.exists()
