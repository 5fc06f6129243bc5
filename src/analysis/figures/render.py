"""Read the tables, draw one figure, write its PDF and PNG: what each figure rule runs.

Each ``render_figN`` takes table paths and output paths, checks the columns it needs (errors
name the file, row and column), draws with the plotting function of its module and writes
with :func:`analysis.figures.style.save_figure` (no timestamps: same tables, same bytes).
"""

from __future__ import annotations

from pathlib import Path

from analysis.figures.coefficients import plot_mandate_coefficients
from analysis.figures.distribution import plot_activity_by_mandate
from analysis.figures.event import plot_event_study
from analysis.figures.heatmaps import plot_operation_quadrant, plot_quadrant_market
from analysis.figures.style import FigureInputError, read_table, save_figure
from analysis.figures.timeline import plot_mandate_timeline
from analysis.vocab import QUADRANTS

ACTIVITY_COLUMNS = ["operation", "quadrant", "market", "n_paragraphs", "evidence_ids"]
MANDATES_COLUMNS = ["operation", "adopted", "in_force_until", "explicit_mandate"]
PANEL_COLUMNS = ["operation", "doc_id", "date", "oc_activity_paragraphs", "all_paragraphs",
                 "mandate_known", "explicit_mandate"]
ESTIMATES_COLUMNS = ["model", "family", "term", "estimate", "conf_low", "conf_high", "p_value",
                     "exact_p", "exact_method", "n", "n_clusters", "status", "reason"]

Path_ = str | Path


def read_activity(path: Path_):
    """``mission_activity.csv`` with its quadrants checked against the codebook's four."""
    table = read_table(path, ACTIVITY_COLUMNS)
    bad = ~table["quadrant"].isin(QUADRANTS)
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise FigureInputError(f"{path}: row {row + 2}, column quadrant: "
                               f"{table['quadrant'].iloc[row]!r} is not one of "
                               f"{', '.join(QUADRANTS)}")
    return table


def read_mandates(path: Path_):
    return read_table(path, MANDATES_COLUMNS, bools=("explicit_mandate",))


def read_panel(path: Path_):
    return read_table(path, PANEL_COLUMNS, bools=("mandate_known", "explicit_mandate"))


def read_estimates(path: Path_):
    return read_table(path, ESTIMATES_COLUMNS)


def render_fig1(mission_activity: Path_, mandates: Path_, out_pdf: Path_, out_png: Path_):
    """Figure 1: operation x quadrant heatmap, explicit mandates marked."""
    save_figure(plot_operation_quadrant(read_activity(mission_activity),
                                        read_mandates(mandates)), out_pdf, out_png)


def render_fig2(mission_activity: Path_, out_pdf: Path_, out_png: Path_):
    """Figure 2: OC activity by quadrant (2 x 2) and crime market."""
    save_figure(plot_quadrant_market(read_activity(mission_activity)), out_pdf, out_png)


def render_fig3(estimates: Path_, out_pdf: Path_, out_png: Path_,
                term: str = "explicit_mandate"):
    """Figure 3: the ``term`` estimate of every model as a rate or odds ratio."""
    save_figure(plot_mandate_coefficients(read_estimates(estimates), term), out_pdf, out_png)


def render_fig4(panel: Path_, mandates: Path_, out_pdf: Path_, out_png: Path_):
    """Figure 4: explicit-mandate periods and OC activity per report, per operation."""
    save_figure(plot_mandate_timeline(read_panel(panel), read_mandates(mandates)),
                out_pdf, out_png)


def render_fig5(panel: Path_, out_pdf: Path_, out_png: Path_):
    """Figure 5: OC activity per report by explicit mandate in force."""
    save_figure(plot_activity_by_mandate(read_panel(panel)), out_pdf, out_png)


def render_fig8(estimates: Path_, out_pdf: Path_, out_png: Path_):
    """Figure 8: event study of the explicit mandate (``panel_event_study`` rows)."""
    save_figure(plot_event_study(read_estimates(estimates)), out_pdf, out_png)
