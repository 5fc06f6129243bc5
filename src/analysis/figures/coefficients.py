"""Figure 3: the explicit-mandate estimate of every model, on one ratio axis.

Reads the tidy ``results/models/estimates.csv`` (one table for all models) and draws, per
fitted model, the rate ratio (count models) or odds ratio (logit) of ``explicit_mandate`` with
its confidence interval on a log axis, a reference line at 1 (no association), and the
model-based and exact/permutation p-values beside it. Models not fitted, or without a ratio
to draw, are listed under the plot with the table's reason. No model is fitted here.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from analysis.figures.data import mandate_coefficients
from analysis.figures.style import MANDATE_COLOR, new_figure, no_data

_WORDS = {"cross": "Cross", "section": "section", "fe": "FE", "negbin": "neg. binomial",
          "logit": "logit", "poisson": "Poisson", "any": "(any activity)", "leads": "leads",
          "lags": "and lags", "panel": "Panel", "volume": "volume", "breadth": "breadth"}


def model_label(model: str) -> str:
    """Reader-facing name of a model id (``panel_poisson_fe`` -> ``Panel Poisson FE``)."""
    text = " ".join(_WORDS.get(w, w) for w in model.split("_"))
    return text.replace("Cross section", "Cross-section")


def _p(value: float) -> str:
    if value is None or math.isnan(value):
        return ""
    return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"


def _annotation(row) -> str:
    interval = (f"[{row.low:.2f}, {row.high:.2f}]"
                if math.isfinite(row.low) and math.isfinite(row.high) else "[interval n/a]")
    tests = [_p(row.p_value)]
    if not math.isnan(row.exact_p):
        # The table's method can be a sentence; its first word names the test.
        method = (row.exact_method.split() or ["exact"])[0].strip(",;:")
        tests.append(f"{method} {_p(row.exact_p)}")
    return f"{row.scale} {row.ratio:.2f} {interval}\n" + ";  ".join(t for t in tests if t)


def _sample(row) -> str:
    bits = [] if math.isnan(row.n) else [f"n = {int(row.n)}"]
    if not math.isnan(row.n_clusters):
        bits.append(f"{int(row.n_clusters)} clusters")
    return ", ".join(bits)


def _footer(not_shown: pd.DataFrame) -> str:
    if not_shown.empty:
        return ""
    lines = ["Not fitted or not shown:"] + [f"{model_label(r.model)} ({r.model}): {r.why}"
                              for r in not_shown.itertuples()]
    return "\n".join(textwrap.fill(line, 125, subsequent_indent="    ") for line in lines)


def plot_mandate_coefficients(estimates: pd.DataFrame, term: str = "explicit_mandate"):
    """Figure 3 from ``estimates.csv`` (as read by :func:`analysis.figures.style.read_table`);
    ``term``: the coefficient to draw. Returns the matplotlib figure."""
    shown, not_shown = mandate_coefficients(estimates, term)
    footer = _footer(not_shown)
    n_footer = footer.count("\n") + 1 if footer else 0
    fig, ax = new_figure(7.0, 1.4 + 0.45 * max(len(shown), 2) + 0.14 * n_footer)
    # Room on the left for model names and on the right for the numbers, within 7 inches.
    fig.subplots_adjust(left=0.29, right=0.66)
    ax.set_title("Association of an explicit OC mandate with OC activity, by model")
    if shown.empty:
        no_data(ax, "No data: no model with an explicit-mandate estimate was fitted\n"
                    "(see estimates.csv, columns status and reason).")
    else:
        y = np.arange(len(shown))[::-1]
        finite = shown[["low", "high"]].apply(lambda c: c.map(
            lambda v: math.isfinite(v) and v > 0)).all(axis=1)
        for yi, row, ok in zip(y, shown.itertuples(), finite):
            if ok:
                ax.plot([row.low, row.high], [yi, yi], color=MANDATE_COLOR, lw=1.6,
                        solid_capstyle="butt")
            ax.plot([row.ratio], [yi], "o", color=MANDATE_COLOR, ms=5.5, zorder=3)
        ax.axvline(1, color="0.3", lw=0.9, ls="--", zorder=1)
        ax.set_xscale("log")
        values = pd.concat([shown["ratio"], shown.loc[finite, "low"],
                            shown.loc[finite, "high"], pd.Series([1.0])])
        lo, hi = float(values.min()), float(values.max())
        span = max(math.log10(hi / lo), 0.3)
        ax.set_xlim(lo / 10 ** (0.08 * span), hi * 10 ** (0.08 * span))
        # Plain numbers (0.5, 1, 2, 5) rather than powers of ten: readers compare ratios.
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks(y, [f"{model_label(m)}\n{_sample(r)}" if _sample(r) else model_label(m)
                          for m, r in zip(shown["model"], shown.itertuples())])
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.grid(axis="y", visible=False)
        for yi, row in zip(y, shown.itertuples()):
            ax.annotate(_annotation(row), xy=(1.02, yi), xycoords=("axes fraction", "data"),
                        va="center", ha="left", fontsize=7.5)
        scales = [s for s in ("RR", "OR", "ratio") if s in set(shown["scale"])]
        names = {"RR": "rate ratio (RR)", "OR": "odds ratio (OR)", "ratio": "ratio"}
        ax.set_xlabel(" / ".join(names[s] for s in scales)
                      + " for an explicit mandate (log scale; 1 = no association)")
    if footer:
        # Offset in points, not axes fractions: the gap below the x label stays the same
        # whatever the number of models.
        ax.annotate(footer, xy=(0.01, 0), xycoords=("figure fraction", "axes fraction"),
                    xytext=(0, -34 if len(shown) else 0), textcoords="offset points",
                    ha="left", va="top", fontsize=7, color="0.25")
    return fig
