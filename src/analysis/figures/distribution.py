"""Figure 5: OC activity per report by whether an explicit mandate is in force.

Two panels from ``panel.csv``: OC activity paragraphs per report, and per 100 paragraphs of
the report (the exposure-adjusted rate). Each shows a box (median, quartiles, whiskers at 1.5
IQR) and every report as a point; groups are the panel's ``explicit_mandate``: the mandate in
force at the start of the reporting period (explicit / none / unknown when no mandate was
coded). Points are spread sideways with a
fixed seed, so the figure is the same on every run.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.figures.data import mandate_status, report_activity
from analysis.figures.style import MANDATE_COLOR, NO_MANDATE_COLOR, new_figure, no_data

ORDER = ("No explicit mandate", "Explicit mandate", "Mandate unknown")
COLORS = {"No explicit mandate": NO_MANDATE_COLOR, "Explicit mandate": MANDATE_COLOR,
          "Mandate unknown": "0.75"}
JITTER_SEED = 20180601


def plot_activity_by_mandate(panel: pd.DataFrame):
    """Figure 5 from ``panel.csv`` (as read by :func:`analysis.figures.style.read_table`);
    returns the matplotlib figure."""
    reports = report_activity(panel)
    reports["status"] = mandate_status(reports)
    groups = [g for g in ORDER if (reports["status"] == g).any()]
    fig, axes = new_figure(7.0, 3.4, ncols=2, squeeze=False)
    axes = axes[0]
    fig.suptitle("OC activity per report, by explicit OC mandate in force")
    if reports.empty:
        for ax in axes:
            ax.set_axis_off()
        no_data(fig.add_subplot(111), "No data: panel.csv has no report.")
        return fig
    labels = []
    for g in groups:
        mine = reports[reports["status"] == g]
        labels.append(f"{g}\n{len(mine)} reports, {mine['operation'].nunique()} operations")
    rng = np.random.default_rng(JITTER_SEED)
    jitter = pd.Series(rng.uniform(-0.17, 0.17, len(reports)), index=reports.index)
    panels = (("oc_activity_paragraphs", "OC activity paragraphs per report"),
              ("per_100", "OC activity paragraphs per 100 paragraphs"))
    for ax, (column, ylabel) in zip(axes, panels):
        data = reports[reports[column].notna()]
        # matplotlib's own boxplot with default orientation: seaborn 0.13.2's boxplot passes
        # `vert`, which matplotlib 3.11 deprecates and 3.13 removes.
        values = [data.loc[data["status"] == g, column].to_numpy() for g in groups]
        boxes = ax.boxplot(values, positions=range(len(groups)), widths=0.5, showfliers=False,
                           patch_artist=True, medianprops={"color": "0.15", "lw": 1.2},
                           whiskerprops={"color": "0.3"}, capprops={"color": "0.3"})
        for patch, g in zip(boxes["boxes"], groups):
            patch.set(facecolor=COLORS[g], alpha=0.5, edgecolor="0.3")
        x = data["status"].map({g: i for i, g in enumerate(groups)}) + jitter[data.index]
        ax.scatter(x, data[column], s=11, color="0.15", alpha=0.7, lw=0, zorder=3)
        ax.set_xticks(range(len(groups)), labels, fontsize=7.5)
        ax.set_xlabel("")
        ax.set_ylabel(ylabel)
        # A little below 0, so reports with no OC activity show as whole points.
        peak = float(data[column].max()) if len(data) else 1.0
        ax.set_ylim(bottom=-0.03 * max(peak, 1.0))
        ax.grid(axis="x", visible=False)
    if reports["oc_activity_paragraphs"].fillna(0).sum() == 0:
        fig.text(0.5, 0.5, "No OC activity paragraphs in any report", ha="center",
                 fontsize=9, bbox={"fc": "0.95", "ec": "0.6"})
    fig.tight_layout()
    return fig
