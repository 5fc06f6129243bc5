"""Figures 6 and 7 (coding rounds): drawn from small tables, same bytes twice, and a note
instead of an error when there is nothing to draw."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.figures.reliability import plot_reliability, render_fig6
from analysis.figures.rounds import by_round_rows, render_fig7
from analysis.rounds.agree import RELIABILITY_COLUMNS
from analysis.rounds.apply import BY_ROUND_COLUMNS


def reliability_csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).reindex(columns=RELIABILITY_COLUMNS).to_csv(path, index=False)
    return path


def by_round_csv(path: Path) -> Path:
    rows = [("oc-v1", "automated", "panel_poisson_fe", 2.4, 1.2, 5.0, "fitted", ""),
            ("r2", "human", "panel_poisson_fe", 2.1, 1.0, 4.4, "fitted", ""),
            ("r2", "human", "panel_logit_any", None, None, None, "not_fitted", "separation")]
    df = pd.DataFrame(rows, columns=["round", "round_kind", "model", "estimate_exp",
                                     "conf_low_exp", "conf_high_exp", "status", "reason"])
    df.reindex(columns=BY_ROUND_COLUMNS).assign(family="poisson", term="explicit_mandate").to_csv(
        path, index=False)
    return path


def test_fig6_and_fig7_are_deterministic(tmp_path: Path):
    rel = reliability_csv(tmp_path / "rel.csv", [
        {"round": "r2", "measure": "alpha", "variable": "oc", "label": "", "n_units": 9,
         "alpha": 0.8},
        {"round": "r2", "measure": "alpha", "variable": "part", "label": "", "n_units": 3,
         "note": "one value only: alpha undefined"},
        {"round": "r2", "measure": "automated_vs_human", "automated_round": "oc-v1",
         "variable": "oc", "label": "", "n_units": 9, "f1": 0.9}])
    est = by_round_csv(tmp_path / "est.csv")
    out = []
    for run in ("a", "b"):
        render_fig6(rel, tmp_path / f"{run}6.pdf", tmp_path / f"{run}6.png")
        render_fig7(est, tmp_path / f"{run}7.pdf", tmp_path / f"{run}7.png")
        out.append([(tmp_path / f"{run}{n}").read_bytes() for n in ("6.pdf", "6.png", "7.pdf",
                                                                    "7.png")])
    assert out[0] == out[1]


def test_fig7_separates_fitted_from_not_fitted(tmp_path: Path):
    table = pd.read_csv(by_round_csv(tmp_path / "est.csv"), dtype=str, keep_default_na=False)
    shown, not_shown = by_round_rows(table)
    assert list(shown["round"]) == ["oc-v1", "r2"] and list(not_shown["model"]) == [
        "panel_logit_any"]


def test_fig6_without_human_rounds_says_so(tmp_path: Path):
    empty = pd.DataFrame(columns=RELIABILITY_COLUMNS).astype(str)
    fig = plot_reliability(empty)
    texts = " ".join(t.get_text() for ax in fig.axes for t in ax.texts)
    assert "No human coding round" in texts


def _demo_reliability() -> pd.DataFrame:
    """The demo's simulated round: explicit_mandate (drawn at the bottom left) has a low
    alpha, where a legend in the lower left corner used to cover it."""
    from analysis.vocab import VARIABLES

    rows = [{"round": "demo-simulated-coders", "measure": "alpha", "variable": v, "label": "",
             "n_units": 40, "alpha": 0.5 if v == "explicit_mandate" else 0.8} for v in VARIABLES]
    rows += [{"round": "demo-simulated-coders", "measure": "automated_vs_human",
              "automated_round": "oc-v2", "variable": v, "label": "", "n_units": 40,
              "f1": 0.1 if v == "explicit_mandate" else 0.9} for v in VARIABLES]
    return pd.DataFrame(rows).reindex(columns=RELIABILITY_COLUMNS).astype(object).fillna("").astype(str)


def test_fig6_legend_hides_no_point_and_shows_the_explicit_mandate_series():
    fig = plot_reliability(_demo_reliability())
    fig.draw_without_rendering()
    left = fig.axes[0]  # the panels share the y axis: variable names on the left one
    names = [t.get_text() for t in left.get_yticklabels()]
    y_mandate = left.get_yticks()[names.index("explicit mandate")]
    for ax in fig.axes:
        legend = ax.get_legend()
        box = legend.get_window_extent()
        labels = [t.get_text() for t in legend.get_texts()]
        # the series that carries the explicit-mandate point has its entry in the legend
        assert len(labels) == len(ax.collections) and labels
        for points in ax.collections:
            xy = points.get_offsets()
            shown = ax.transData.transform(xy)
            radius = (points.get_sizes()[0] ** 0.5) / 2 * fig.dpi / 72  # marker, in pixels
            assert not any(box.x0 - radius <= x <= box.x1 + radius
                           and box.y0 - radius <= y <= box.y1 + radius
                           for x, y in shown), f"a point of {labels} hides under the legend"
            assert any(abs(p[1] - y_mandate) < 0.5 for p in xy)  # explicit mandate drawn


def test_simulated_coders_are_labelled_simulated_never_human(tmp_path: Path):
    from analysis.figures.rounds import plot_rounds

    fig = plot_reliability(_demo_reliability())
    labels = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert labels and all("simulated coders" in x for x in labels), labels
    rows = [("oc-v2", "automated", "panel_poisson_fe", 2.4, 1.2, 5.0, "fitted", ""),
            ("demo-simulated-coders", "human", "panel_poisson_fe", 2.1, 1.0, 4.4, "fitted", ""),
            ("round-2", "human", "panel_poisson_fe", 2.0, 1.0, 4.0, "fitted", "")]
    table = pd.DataFrame(rows, columns=["round", "round_kind", "model", "estimate_exp",
                                        "conf_low_exp", "conf_high_exp", "status", "reason"])
    table = table.reindex(columns=BY_ROUND_COLUMNS).assign(
        family="poisson", term="explicit_mandate").astype(object).fillna("").astype(str)
    legend = [t.get_text() for t in plot_rounds(table).axes[0].get_legend().get_texts()]
    assert legend == ["oc-v2 (automated)", "demo-simulated-coders (simulated coders)",
                      "round-2 (human coders)"]
    assert not any("(human)" in x for x in legend + labels)
