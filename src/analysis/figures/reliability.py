"""Figure 6: reliability of the coding, per variable and round.

Reads ``results/coding/reliability.csv`` (:mod:`analysis.rounds.agree`) and draws two panels
over the coded variables: left, Krippendorff's alpha (nominal) across the coders of each
human round, with reference lines at 0.667 and 0.8 (the thresholds Krippendorff gives for
tentative and reliable conclusions); right, the F1 of each automated round against each
human round's consensus. Whole-variable rows only (``label`` empty); an undefined alpha is
left out and named under the plot. No number is computed here beyond reading the table.
Legends sit below the panels, never over a point (the explicit-mandate row, drawn last at the
bottom, used to hide behind it); the demo's SYNTHETIC round is labelled ``simulated coders``.

CLI: ``python -m analysis.figures fig6 --reliability results/coding/reliability.csv
--out-pdf results/figures/fig6_reliability.pdf --out-png results/figures/fig6_....png``
"""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import seaborn as sns

from analysis.figures.rounds import round_label
from analysis.figures.style import new_figure, no_data, read_table, save_figure, to_number
from analysis.vocab import VARIABLES

COLUMNS = ["round", "measure", "automated_round", "variable", "label", "n_units", "alpha",
           "f1"]
# Krippendorff (2004): alpha >= 0.8 for reliable data, >= 0.667 for tentative conclusions.
THRESHOLDS = (0.667, 0.8)


def _series_rows(df: pd.DataFrame, measure: str, value: str, name) -> pd.DataFrame:
    rows = df[(df["measure"] == measure) & (df["label"] == "")].copy()
    rows["value"] = to_number(rows[value], "reliability.csv", value)
    rows["series"] = [name(r) for r in rows.itertuples()]
    return rows


def _dots(ax, rows: pd.DataFrame, variables: list[str], xlabel: str) -> None:
    series = list(dict.fromkeys(rows["series"]))
    colors = sns.color_palette("colorblind", max(len(series), 1))
    offsets = np.linspace(-0.25, 0.25, len(series)) if len(series) > 1 else [0.0]
    y = {v: len(variables) - 1 - i for i, v in enumerate(variables)}
    for s, color, dy in zip(series, colors, offsets, strict=True):
        mine = rows[(rows["series"] == s) & rows["value"].notna()]
        ax.scatter(mine["value"], [y[v] + dy for v in mine["variable"]], color=color, s=22,
                   label=s, zorder=3)
    ax.set_yticks(list(y.values()), [v.replace("_", " ") for v in y])
    ax.set_ylim(-0.7, len(variables) - 0.3)
    ax.set_xlabel(xlabel)
    ax.grid(axis="y", visible=False)
    # Below the axes (under the x label), so that no point hides behind the legend.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), fontsize=7, frameon=False,
              ncol=1, borderaxespad=0.0)


def plot_reliability(table: pd.DataFrame):
    """Figure 6 from ``reliability.csv`` as read by :func:`read_table`; returns the figure."""
    alpha = _series_rows(table, "alpha", "alpha", lambda r: round_label(r.round, "human"))
    f1 = _series_rows(table, "automated_vs_human", "f1",
                      lambda r: f"{r.automated_round} vs {round_label(r.round, 'human')}")
    variables = [v for v in VARIABLES if v in set(alpha["variable"]) | set(f1["variable"])]
    n_series = max(len(set(alpha["series"])), len(set(f1["series"])), 1)
    fig, axes = new_figure(7.0, 1.9 + 0.32 * max(len(variables), 3) + 0.16 * n_series,
                           ncols=2, sharey=True)
    fig.suptitle("Reliability of the coding by variable")
    if not variables:
        for ax in axes:
            ax.set_axis_off()
        no_data(fig.add_subplot(111), "No human coding round in this run:\n"
                "reliability.csv has no rows (see README, 'Adding a coding round').")
        return fig
    left, right = axes
    if alpha["value"].notna().any():
        _dots(left, alpha, variables, "Krippendorff's alpha across coders")
        for x in THRESHOLDS:
            left.axvline(x, color="0.5", lw=0.8, ls="--", zorder=1)
        low = min(0.0, float(alpha["value"].min()))
        left.set_xlim(low - 0.05, 1.05)
    else:
        no_data(left, "Alpha undefined for every variable\n(see the note column).")
    if f1["value"].notna().any():
        _dots(right, f1, variables, "F1: automated vs the coders' consensus")
        right.set_xlim(-0.05, 1.05)
    else:
        no_data(right, "No automated-vs-human comparison.")
    missing = alpha[alpha["value"].isna()]
    if len(missing):
        note = "Alpha undefined: " + "; ".join(
            f"{r.round} {r.variable}" for r in missing.itertuples())
        fig.text(0.01, -0.02, textwrap.fill(note, 140), fontsize=7, color="0.3",
                 ha="left", va="top")
    return fig


def render_fig6(reliability: str, out_pdf: str, out_png: str) -> None:
    """Figure 6: read ``reliability.csv``, draw, write PDF and PNG."""
    save_figure(plot_reliability(read_table(reliability, COLUMNS)), out_pdf, out_png)
