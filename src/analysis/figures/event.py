"""Figure 8: the event study of the explicit mandate, report by report around its adoption.

Reads the ``panel_event_study`` rows of ``results/models/estimates.csv``
(:mod:`analysis.models.event`) and draws, per event-time bin, the rate ratio of OC activity
against the last report before the first treated report (event time -1, drawn at 1 as a
hollow marker: the reference), with its 95% interval, on a log axis. The binned end points
are labelled as such ("\u2264 \u22123": three or more reports before; "\u2265 +3": three or
more after); a dotted line marks where the mandate starts. The title gives the joint
pre-trend test of the leads (F and its p); a model not fitted gives a "No data" note with
the table's reason. No model is fitted here.

CLI: ``python -m analysis.figures fig8 --estimates results/models/estimates.csv
--out-pdf ... --out-png ...``
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from analysis.figures.style import MANDATE_COLOR, new_figure, no_data
from analysis.models.event import event_study_table

TITLE = "OC activity around the first report under an explicit mandate"


def _p(value: float) -> str:
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def pretrend_text(info: dict) -> str:
    """One line on the joint pre-trend test of the leads."""
    if math.isfinite(info["pretrend_p"]):
        return (f"Pre-trend test (leads jointly 0): F = {info['pretrend_f']:.2f}, "
                f"{_p(info['pretrend_p'])}")
    why = info["pretrend_reason"] or "no lead term"
    return f"Pre-trend test: not computed ({why})"


def plot_event_study(estimates: pd.DataFrame):
    """Figure 8 from ``estimates.csv`` (as read by :func:`analysis.figures.style.read_table`).
    Returns the matplotlib figure."""
    table, info = event_study_table(estimates)
    fig, ax = new_figure(6.5, 4.0)
    if table.empty:
        ax.set_title(TITLE)
        reason = info["reason"] or "no panel_event_study row in estimates.csv"
        no_data(ax, "No data: the event study was not fitted\n"
                + textwrap.fill(reason, 80))
        return fig
    ax.set_title(f"{TITLE}\n{pretrend_text(info)}")
    est = table[~table["reference"]]
    ref = table[table["reference"]]
    finite = est["low"].map(lambda v: math.isfinite(v) and v > 0) & est["high"].map(
        math.isfinite)
    ax.vlines(est.loc[finite, "event_time"], est.loc[finite, "low"],
              est.loc[finite, "high"], color=MANDATE_COLOR, lw=1.6)
    ax.plot(est["event_time"], est["ratio"], "o", color=MANDATE_COLOR, ms=6, zorder=3,
            label="rate ratio, 95% interval")
    ax.plot(ref["event_time"], ref["ratio"], "o", mfc="white", mec="0.2", ms=6, zorder=3,
            label="reference: last report before (event time \u22121)")
    ax.axhline(1, color="0.3", lw=0.9, ls="--", zorder=1)
    ax.axvline(-0.5, color="0.5", lw=0.9, ls=":", zorder=1)
    ax.set_yscale("log")
    values = pd.concat([table["ratio"], est.loc[finite, "low"], est.loc[finite, "high"],
                        pd.Series([1.0])])
    values = values[np.isfinite(values) & (values > 0)]
    lo, hi = float(values.min()), float(values.max())
    span = max(math.log10(hi / lo), 0.3)
    ax.set_ylim(lo / 10 ** (0.08 * span), hi * 10 ** (0.08 * span))
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(table["event_time"].tolist(), table["label"].tolist())
    ax.set_xlim(table["event_time"].min() - 0.6, table["event_time"].max() + 0.6)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel("Reports relative to the first report under an explicit mandate "
                  "(\u2264 \u22123 and \u2265 +3: binned end points)")
    ax.set_ylabel("Rate ratio vs. event time \u22121 (log scale)")
    ax.legend(loc="upper left", frameon=False)
    return fig
