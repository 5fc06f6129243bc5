"""Figures from hand-made tables: files are valid PDF/PNG, byte-stable, and empty or
degenerate tables give a figure with a "no data" note instead of an error."""

from __future__ import annotations

import csv
import math
import subprocess
import sys
from pathlib import Path

import matplotlib.image as mpimg
import pandas as pd
import pytest

from analysis.figures import (
    FigureInputError,
    plot_mandate_coefficients,
    plot_operation_quadrant,
    render_fig1,
    render_fig2,
    render_fig3,
    render_fig4,
    render_fig5,
)
from analysis.figures.data import (
    mandate_coefficients,
    mandate_spans,
    mandate_status,
    operation_quadrant_counts,
    quadrant_market_counts,
)
from analysis.figures.render import read_activity, read_estimates, read_mandates, read_panel

QUADRANTS = ["direct_consequences", "direct_drivers", "indirect_consequences",
             "indirect_drivers"]
MARKETS = ["drugs", "arms_trafficking", "unspecified"]
ACTIVITY_HEADER = ["operation", "quadrant", "market", "n_paragraphs", "n_documents",
                   "n_report_paragraphs", "n_study_paragraphs", "evidence_ids"]
MANDATES_HEADER = ["operation", "resolution", "symbol", "adopted", "in_force_until",
                   "explicit_mandate", "oc_reference", "markets"]
PANEL_HEADER = ["operation", "doc_id", "date", "oc_activity_paragraphs", "all_paragraphs",
                "mandate_known", "explicit_mandate", "oc_reference", "resolution",
                "resolution_symbol"]
ESTIMATES_HEADER = ["model", "family", "term", "estimate", "std_error", "conf_low",
                    "conf_high", "p_value", "exact_p", "exact_method", "n", "n_clusters",
                    "status", "reason", "estimate_exp", "conf_low_exp", "conf_high_exp"]


def write(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    return path


def ev(doc: str, seq: int, variable: str = "quadrant", n: int = 1) -> str:
    return f"{doc}:{seq}:{variable}:{n}"


def activity_rows(cells: dict) -> list[list]:
    """Full grid for ALPHA and BETA; ``cells``: (op, quadrant, market) -> paragraph list."""
    rows = []
    for op in ("ALPHA", "BETA"):
        for q in QUADRANTS:
            for m in MARKETS:
                paras = cells.get((op, q, m), [])
                ids = ";".join(ev(d, s) + ";" + ev(d, s, "market") for d, s in paras)
                rows.append([op, q, m, len(paras), len({d for d, _ in paras}), len(paras), 0,
                             ids])
    return rows


# Paragraph rep-a-1:5 names two markets: one paragraph, two cells.
CELLS = {("ALPHA", "direct_consequences", "drugs"): [("rep-a-1", 5), ("rep-a-2", 3)],
         ("ALPHA", "direct_consequences", "arms_trafficking"): [("rep-a-1", 5)],
         ("ALPHA", "indirect_drivers", "unspecified"): [("rep-a-2", 7)],
         ("BETA", "indirect_consequences", "arms_trafficking"): [("rep-b-1", 2)]}
MANDATES = [["ALPHA", "res-a-1", "S/RES/1 (2010)", "2010-01-01", "2012-06-30", "False", "True",
             ""],
            ["ALPHA", "res-a-2", "S/RES/2 (2012)", "2012-06-30", "2014-01-01", "True", "True",
             "drugs"],
            ["ALPHA", "res-a-3", "S/RES/3 (2014)", "2014-01-01", "", "True", "True", "drugs"],
            ["BETA", "res-b-1", "S/RES/4 (2011)", "2011-03-01", "2015-12-31", "False", "False",
             ""]]
PANEL = [["ALPHA", "rep-a-1", "2011-05-01", 2, 20, "True", "False", "True", "res-a-1", "S/1"],
         ["ALPHA", "rep-a-2", "2013-05-01", 3, 25, "True", "True", "True", "res-a-2", "S/2"],
         ["ALPHA", "rep-a-3", "2015-05-01", 0, 30, "True", "True", "True", "res-a-3", "S/3"],
         ["BETA", "rep-b-1", "2012-02-01", 1, 22, "True", "False", "False", "res-b-1", "S/4"],
         ["BETA", "rep-b-2", "2009-02-01", 0, 18, "False", "", "", "", ""]]
ESTIMATES = [
    ["cross_section_volume_poisson", "poisson", "Intercept", 1.0, 0.2, 0.6, 1.4, 0.001, "", "",
     12, "", "fitted", "", 2.72, 1.82, 4.06],
    ["cross_section_volume_poisson", "poisson", "explicit_mandate[T.True]", 0.4, 0.2, 0.0, 0.8,
     0.04, 0.06, "permutation", 12, "", "fitted", "", 1.49, 1.0, 2.23],
    ["panel_poisson_fe", "poisson", "explicit_mandate", 0.6, 0.2, 0.2, 1.0, 0.003, "", "", 69,
     12, "fitted", "", 1.82, 1.22, 2.72],
    ["panel_logit_any", "logit", "explicit_mandate", 1.0, 0.4, 0.2, 1.8, 0.01, "", "", 69, 12,
     "fitted", "", "", "", ""],
    ["panel_negbin_fe", "negbin", "explicit_mandate", "", "", "", "", "", "", "", 69, 12,
     "not_fitted", "too few clusters: 2 operations", "", "", ""]]


@pytest.fixture
def tables(tmp_path: Path) -> dict[str, Path]:
    return {"activity": write(tmp_path / "mission_activity.csv", ACTIVITY_HEADER,
                              activity_rows(CELLS)),
            "mandates": write(tmp_path / "mandates.csv", MANDATES_HEADER, MANDATES),
            "panel": write(tmp_path / "panel.csv", PANEL_HEADER, PANEL),
            "estimates": write(tmp_path / "estimates.csv", ESTIMATES_HEADER, ESTIMATES)}


RENDER = {"fig1": lambda t, pdf, png: render_fig1(t["activity"], t["mandates"], pdf, png),
          "fig2": lambda t, pdf, png: render_fig2(t["activity"], pdf, png),
          "fig3": lambda t, pdf, png: render_fig3(t["estimates"], pdf, png),
          "fig4": lambda t, pdf, png: render_fig4(t["panel"], t["mandates"], pdf, png),
          "fig5": lambda t, pdf, png: render_fig5(t["panel"], pdf, png)}


def assert_valid(pdf: Path, png: Path) -> None:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"), pdf
    assert b"CreationDate" not in data and b"Matplotlib" not in data  # no stamp, no version
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", png
    pixels = mpimg.imread(png)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels[..., :3].std() > 0.01  # something was drawn, not a blank page


@pytest.mark.parametrize("figure", sorted(RENDER))
def test_figure_is_valid_and_byte_stable(figure, tables, tmp_path):
    first = (tmp_path / "a" / f"{figure}.pdf", tmp_path / "a" / f"{figure}.png")
    second = (tmp_path / "b" / f"{figure}.pdf", tmp_path / "b" / f"{figure}.png")
    RENDER[figure](tables, *first)
    RENDER[figure](tables, *second)
    assert_valid(*first)
    assert first[0].read_bytes() == second[0].read_bytes()
    assert first[1].read_bytes() == second[1].read_bytes()


def test_cli_matches_library_bytes_across_processes(tables, tmp_path):
    render_fig4(tables["panel"], tables["mandates"], tmp_path / "lib.pdf", tmp_path / "lib.png")
    result = subprocess.run(
        [sys.executable, "-m", "analysis.figures", "fig4", "--panel", str(tables["panel"]),
         "--mandates", str(tables["mandates"]), "--out-pdf", str(tmp_path / "cli.pdf"),
         "--out-png", str(tmp_path / "cli.png")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "cli.pdf").read_bytes() == (tmp_path / "lib.pdf").read_bytes()
    assert (tmp_path / "cli.png").read_bytes() == (tmp_path / "lib.png").read_bytes()


def test_counts_are_distinct_paragraphs(tables):
    activity = read_activity(tables["activity"])
    grid = operation_quadrant_counts(activity)
    # rep-a-1:5 sits in the drugs and the arms cell: counted once for the quadrant.
    assert grid.loc["ALPHA", "direct_consequences"] == 2
    assert grid.loc["ALPHA", "indirect_drivers"] == 1
    assert grid.loc["BETA"].tolist() == [0, 0, 1, 0]
    markets = quadrant_market_counts(activity)
    assert markets.index.tolist() == MARKETS
    assert markets.loc["drugs", "direct_consequences"] == 2
    assert markets.loc["arms_trafficking"].sum() == 2


def test_figure1_marks_operations_with_an_explicit_mandate(tables):
    fig = plot_operation_quadrant(read_activity(tables["activity"]),
                                  read_mandates(tables["mandates"]))
    ticks = {t.get_text(): t.get_fontweight() for t in fig.axes[0].get_yticklabels()}
    assert ticks == {"ALPHA *": "bold", "BETA": "normal"}


def test_coefficients_use_ratios_and_list_models_not_fitted(tables):
    shown, not_shown = mandate_coefficients(read_estimates(tables["estimates"]))
    assert shown["model"].tolist() == ["cross_section_volume_poisson", "panel_poisson_fe",
                                       "panel_logit_any"]
    assert shown.loc[0, "ratio"] == pytest.approx(1.49)  # the patsy-named term is found
    logit = shown.set_index("model").loc["panel_logit_any"]
    assert logit["scale"] == "OR" and logit["ratio"] == pytest.approx(math.exp(1.0))
    assert logit["low"] == pytest.approx(math.exp(0.2))
    assert not_shown.values.tolist() == [["panel_negbin_fe", "too few clusters: 2 operations"]]
    fig = plot_mandate_coefficients(read_estimates(tables["estimates"]))
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "panel_negbin_fe" in text and "too few clusters" in text
    assert "permutation p = 0.060" in text
    assert fig.axes[0].get_xscale() == "log"


def test_mandate_spans_merge_and_run_to_the_open_end(tables):
    spans = mandate_spans(read_mandates(tables["mandates"]), pd.Timestamp("2020-01-01"))
    assert spans.values.tolist() == [["ALPHA", pd.Timestamp("2012-06-30"),
                                      pd.Timestamp("2020-01-01")]]
    plain = mandate_spans(read_mandates(tables["mandates"]), pd.Timestamp("2020-01-01"),
                          explicit=False)
    assert plain["operation"].tolist() == ["ALPHA", "BETA"]


def test_mandate_status_keeps_unknown_apart(tables):
    status = mandate_status(read_panel(tables["panel"]))
    assert status.tolist() == ["No explicit mandate", "Explicit mandate", "Explicit mandate",
                               "No explicit mandate", "Mandate unknown"]


def _empty_tables(tmp_path: Path) -> dict[str, Path]:
    return {"activity": write(tmp_path / "act.csv", ACTIVITY_HEADER, []),
            "mandates": write(tmp_path / "man.csv", MANDATES_HEADER, []),
            "panel": write(tmp_path / "pan.csv", PANEL_HEADER, []),
            "estimates": write(tmp_path / "est.csv", ESTIMATES_HEADER, [
                ["panel_poisson_fe", "poisson", "explicit_mandate", "", "", "", "", "", "",
                 "", 0, 0, "not_fitted", "no variation in explicit_mandate", "", "", ""]])}


def _single_zero_operation(tmp_path: Path) -> dict[str, Path]:
    rows = [r for r in activity_rows({}) if r[0] == "ALPHA"]  # one operation, all zeros
    return {"activity": write(tmp_path / "act.csv", ACTIVITY_HEADER, rows),
            "mandates": write(tmp_path / "man.csv", MANDATES_HEADER, MANDATES[:1]),
            "panel": write(tmp_path / "pan.csv", PANEL_HEADER, [
                ["ALPHA", "rep-a-1", "2011-05-01", 0, 20, "True", "False", "True", "res-a-1",
                 "S/1"]]),
            "estimates": write(tmp_path / "est.csv", ESTIMATES_HEADER, [])}


@pytest.mark.parametrize("build", [_empty_tables, _single_zero_operation])
@pytest.mark.parametrize("figure", sorted(RENDER))
def test_empty_or_degenerate_input_still_renders(figure, build, tmp_path):
    tables = build(tmp_path)
    pdf, png = tmp_path / "out" / f"{figure}.pdf", tmp_path / "out" / f"{figure}.png"
    RENDER[figure](tables, pdf, png)
    assert_valid(pdf, png)


def test_empty_estimates_figure_says_no_data(tmp_path):
    tables = _empty_tables(tmp_path)
    fig = plot_mandate_coefficients(read_estimates(tables["estimates"]))
    text = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "No data" in text and "no variation in explicit_mandate" in text


def test_missing_column_names_file_and_column(tables, tmp_path):
    bad = write(tmp_path / "bad_panel.csv", [c for c in PANEL_HEADER if c != "all_paragraphs"],
                [])
    with pytest.raises(FigureInputError, match=r"bad_panel\.csv: missing column\(s\) "
                                               r"all_paragraphs"):
        render_fig5(bad, tmp_path / "x.pdf", tmp_path / "x.png")
    result = subprocess.run(
        [sys.executable, "-m", "analysis.figures", "fig5", "--panel", str(bad), "--out-pdf",
         str(tmp_path / "x.pdf"), "--out-png", str(tmp_path / "x.png")],
        capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "all_paragraphs" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_bad_cells_name_row_and_column(tables, tmp_path):
    rows = activity_rows(CELLS)
    rows[4][1] = "direct_symptoms"
    bad = write(tmp_path / "bad_activity.csv", ACTIVITY_HEADER, rows)
    with pytest.raises(FigureInputError, match=r"row 6, column quadrant: 'direct_symptoms'"):
        read_activity(bad)
    panel = [list(r) for r in PANEL]
    panel[2][6] = "maybe"
    bad = write(tmp_path / "bad_panel.csv", PANEL_HEADER, panel)
    with pytest.raises(FigureInputError, match=r"row 4, column explicit_mandate: 'maybe'"):
        read_panel(bad)


def _with_boot(tables, low: str, high: str) -> pd.DataFrame:
    """The estimates with a bootstrap interval on the panel_poisson_fe mandate row."""
    est = read_estimates(tables["estimates"])
    est["boot_conf_low_exp"], est["boot_conf_high_exp"] = "", ""
    row = (est["model"] == "panel_poisson_fe") & (est["term"] == "explicit_mandate")
    est.loc[row, "boot_conf_low_exp"], est.loc[row, "boot_conf_high_exp"] = low, high
    return est


def test_figure3_draws_the_bootstrap_interval_with_a_legend(tables):
    shown, _ = mandate_coefficients(_with_boot(tables, "0.9", "3.5"))
    panel = shown.set_index("model").loc["panel_poisson_fe"]
    assert (panel["boot_low"], panel["boot_high"]) == (0.9, 3.5)
    assert math.isnan(shown.set_index("model").loc["panel_logit_any", "boot_low"])
    fig = plot_mandate_coefficients(_with_boot(tables, "0.9", "3.5"))
    ax = fig.axes[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("bootstrap" in t for t in legend) and any("model" in t for t in legend)
    # the bootstrap interval is a line of its own, from 0.9 to 3.5
    xs = [tuple(line.get_xdata()) for line in ax.lines]
    assert (0.9, 3.5) in xs
    assert "bootstrap [0.90, 3.50]" in " ".join(t.get_text() for t in ax.texts)
    # without any bootstrap interval the legend does not announce one
    plain = plot_mandate_coefficients(read_estimates(tables["estimates"]))
    assert not any("bootstrap" in t.get_text() for t in plain.axes[0].get_legend().get_texts())


def test_figure3_draws_an_unbounded_bootstrap_side_as_an_arrow_to_the_edge(tables):
    fig = plot_mandate_coefficients(_with_boot(tables, "0.9", "inf"))
    ax = fig.axes[0]
    right = ax.get_xlim()[1]
    arrows = [a for a in ax.texts if getattr(a, "arrow_patch", None) is not None]
    assert len(arrows) == 1 and arrows[0].xy[0] == pytest.approx(right)
    assert any("unbounded" in t.get_text() for t in ax.get_legend().get_texts())
    assert "bootstrap [0.90, ∞]" in " ".join(t.get_text() for t in ax.texts)
    assert math.isfinite(right)  # the axis itself stays finite
    both = plot_mandate_coefficients(_with_boot(tables, "0", "inf")).axes[0]
    ends = sorted(a.xy[0] for a in both.texts if getattr(a, "arrow_patch", None) is not None)
    assert ends == pytest.approx(sorted(both.get_xlim()))
