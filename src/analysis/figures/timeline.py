"""Figure 4: mandate timeline and OC activity per report, one row per operation.

Small multiples on a shared calendar axis: a shaded span while an explicit OC mandate is in
force (``mandates.csv``: adopted to in_force_until; empty = still in force, drawn to the last
date in the figure), a dotted tick at each resolution's adoption, and one stem per progress
report (``panel.csv``) at its date, its height the share of the report's paragraphs that
record OC activity.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from analysis.figures.data import mandate_spans, report_activity
from analysis.figures.style import (
    ACTIVITY_COLOR,
    MANDATE_COLOR,
    NO_MANDATE_COLOR,
    new_figure,
    no_data,
)


def _date_range(reports: pd.DataFrame, mandates: pd.DataFrame):
    dates = pd.concat([reports["date"].dropna(),
                       pd.to_datetime(mandates["adopted"].replace("", None)).dropna(),
                       pd.to_datetime(mandates["in_force_until"].replace("", None)).dropna()])
    if dates.empty:
        return None
    first, last = dates.min(), dates.max()
    pad = max((last - first) * 0.02, pd.Timedelta(days=90))
    return first - pad, last + pad


def plot_mandate_timeline(panel: pd.DataFrame, mandates: pd.DataFrame):
    """Figure 4 from ``panel.csv`` and ``mandates.csv`` (as read by
    :func:`analysis.figures.style.read_table`); returns the matplotlib figure."""
    reports = report_activity(panel)
    operations = sorted(set(reports["operation"]) | set(mandates["operation"]))
    bounds = _date_range(reports, mandates)
    title = "Explicit OC mandates and OC activity per report, by operation"
    if not operations or bounds is None:
        fig, ax = new_figure(7.0, 2.4)
        no_data(ax, "No data: panel.csv and mandates.csv list no dated report or resolution.")
        ax.set_title(title)
        return fig
    fig, axes = new_figure(7.0, 0.55 * len(operations) + 1.3, nrows=len(operations),
                           sharex=True, sharey=True, squeeze=False)
    axes = axes[:, 0]
    spans = mandate_spans(mandates, bounds[1])
    plain = mandate_spans(mandates, bounds[1], explicit=False)
    share = reports["per_100"]
    top = max(float(share.max()) if share.notna().any() else 0.0, 1.0) * 1.15
    for ax, op in zip(axes, operations):
        for span in spans[spans["operation"] == op].itertuples():
            ax.axvspan(span.start, span.end, color=MANDATE_COLOR, alpha=0.22, lw=0)
        for span in plain[plain["operation"] == op].itertuples():
            ax.axvspan(span.start, span.end, color=NO_MANDATE_COLOR, alpha=0.12, lw=0)
        adopted = pd.to_datetime(mandates.loc[mandates["operation"] == op, "adopted"])
        for day in adopted.dropna():
            ax.axvline(day, color="0.45", lw=0.7, ls=":")
        mine = reports[(reports["operation"] == op) & reports["date"].notna()]
        mine = mine[mine["per_100"].notna()]
        if len(mine):
            ax.vlines(mine["date"], 0, mine["per_100"], color=ACTIVITY_COLOR, lw=1.1)
            ax.plot(mine["date"], mine["per_100"], "o", color=ACTIVITY_COLOR, ms=3.2)
        else:
            ax.text(0.5, 0.5, "no report", transform=ax.transAxes, ha="center",
                    va="center", fontsize=7, color="0.4")
        ax.set_ylabel(op, rotation=0, ha="right", va="center", fontsize=8)
        ax.set_ylim(-0.08 * top, top)  # below 0: reports with no OC activity stay visible
        ax.set_xlim(*bounds)
        ax.grid(axis="x", visible=False)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.yaxis.set_major_locator(MaxNLocator(2))
    axes[-1].xaxis.set_major_locator(mdates.AutoDateLocator(minticks=4, maxticks=10))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    legend = [Patch(color=MANDATE_COLOR, alpha=0.22, label="explicit OC mandate in force"),
              Patch(color=NO_MANDATE_COLOR, alpha=0.12, label="mandate without explicit OC task"),
              Line2D([], [], color="0.45", lw=0.7, ls=":", label="resolution adopted"),
              Line2D([], [], color=ACTIVITY_COLOR, marker="o", ms=3.2, lw=1.1,
                     label="report: OC activity paragraphs per 100 paragraphs")]
    height = fig.get_figheight()
    # Fixed margins in inches (not tight_layout), so the legend sits just above the panels
    # whatever the number of operations.
    fig.subplots_adjust(left=0.14, right=0.98, bottom=0.4 / height, top=1 - 0.95 / height,
                        hspace=0.12)
    fig.suptitle(title, y=1 - 0.08 / height)
    fig.legend(handles=legend, loc="upper center", ncols=2, frameon=False,
               bbox_to_anchor=(0.5, 1 - 0.38 / height))
    return fig
