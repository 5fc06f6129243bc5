"""Figures 1 and 2: where OC activity falls in the typology.

Figure 1 (:func:`plot_operation_quadrant`): operation x quadrant heatmap of OC activity
paragraphs, operations with an explicit mandate marked (the seed paper's Figure 2, as data).
Figure 2 (:func:`plot_quadrant_market`): the typology's 2 x 2 (mode x target), each quadrant
with its OC activity paragraphs per crime market (the seed paper's Figure 1, with counts).
Counts are distinct paragraphs (:mod:`.data`).
"""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.ticker import MaxNLocator

from analysis.figures.data import (
    explicit_operations,
    operation_quadrant_counts,
    quadrant_market_counts,
    quadrant_totals,
)
from analysis.figures.style import (
    ACTIVITY_COLOR,
    HEATMAP_CMAP,
    MARKET_LABELS,
    QUADRANT_LABELS,
    new_figure,
    no_data,
)

EXPLICIT_MARK = " *"


def plot_operation_quadrant(activity: pd.DataFrame, mandates: pd.DataFrame):
    """Figure 1 from ``mission_activity.csv`` and ``mandates.csv`` (as read by
    :func:`analysis.figures.style.read_table`); returns the matplotlib figure."""
    grid = operation_quadrant_counts(activity)
    explicit = explicit_operations(mandates)
    fig, ax = new_figure(6.4, max(2.6, 0.3 * len(grid) + 1.7))
    title = "OC activity paragraphs by operation and quadrant"
    if grid.empty:
        no_data(ax, "No data: mission_activity.csv lists no operation,\n"
                    "so there is no OC activity to show.")
        ax.set_title(title)
        return fig
    labels = [op + (EXPLICIT_MARK if op in explicit else "") for op in grid.index]
    peak = int(grid.to_numpy().max())
    sns.heatmap(grid, ax=ax, annot=True, fmt="d", cmap=HEATMAP_CMAP, vmin=0,
                vmax=max(peak, 1), linewidths=0.6, linecolor="white", square=False,
                cbar_kws={"label": "OC activity paragraphs", "shrink": 0.8},
                annot_kws={"fontsize": 8})
    colorbar = ax.collections[0].colorbar
    colorbar.locator = MaxNLocator(integer=True)  # counts: no fractional ticks
    colorbar.update_ticks()
    ax.set_yticks([i + 0.5 for i in range(len(grid))], labels, rotation=0)
    for tick, op in zip(ax.get_yticklabels(), grid.index):
        if op in explicit:
            tick.set_fontweight("bold")
    ax.set_xticks([i + 0.5 for i in range(len(grid.columns))],
                  [QUADRANT_LABELS.get(q, q) for q in grid.columns], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    ax.set_title(title, pad=28)
    note = (f"Bold with {EXPLICIT_MARK.strip()}: explicit OC mandate in at least one resolution "
            f"({len(explicit & set(grid.index))} of {len(grid)} operations).")
    if peak == 0:
        note = "No OC activity paragraphs were coded for any operation.\n" + note
    ax.text(0.0, -0.04, note, transform=ax.transAxes, ha="left", va="top", fontsize=7.5)
    return fig


def plot_quadrant_market(activity: pd.DataFrame):
    """Figure 2 from ``mission_activity.csv``: a 2 x 2 grid (rows: mode direct / indirect;
    columns: target consequences / drivers) of OC activity paragraphs per market."""
    grid = quadrant_market_counts(activity)
    totals = quadrant_totals(activity)
    n_markets = max(len(grid), 1)
    fig, axes = new_figure(7.0, 2 * (0.2 * n_markets + 0.9) + 0.5, nrows=2, ncols=2,
                           sharex=True, sharey=True, squeeze=False)
    fig.suptitle("OC activity paragraphs by quadrant and crime market")
    if grid.empty or int(grid.to_numpy().sum()) == 0:
        for ax in axes.flat:
            ax.set_axis_off()
        no_data(fig.add_subplot(111), "No data: no OC activity paragraphs were coded\n"
                                      "(mission_activity.csv has no non-zero count).")
        return fig
    labels = [MARKET_LABELS.get(m, m.replace("_", " ")) for m in grid.index]
    peak = int(grid.to_numpy().max())
    layout = {("direct", "consequences"): (0, 0), ("direct", "drivers"): (0, 1),
              ("indirect", "consequences"): (1, 0), ("indirect", "drivers"): (1, 1)}
    for quadrant in grid.columns:
        mode, target = quadrant.split("_", 1)
        ax = axes[layout[(mode, target)]]
        frame = pd.DataFrame({"market": labels, "n": grid[quadrant].to_numpy()})
        sns.barplot(frame, x="n", y="market", color=ACTIVITY_COLOR, ax=ax, orient="h",
                    width=0.7)
        ax.bar_label(ax.containers[0], fontsize=7, padding=2,
                     labels=[str(v) for v in frame["n"]])
        ax.set_title(f"{mode.capitalize()}: {target}  (n = {int(totals[quadrant])})",
                     fontsize=9)
        ax.set_xlim(0, peak * 1.15 + 0.5)
        ax.set_xlabel("OC activity paragraphs" if layout[(mode, target)][0] == 1 else "")
        ax.set_ylabel("")
        ax.grid(axis="y", visible=False)
    fig.text(0.01, 0.005, "n: distinct paragraphs in the quadrant; a paragraph naming two "
             "markets counts once in each market's bar.", fontsize=7, ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
