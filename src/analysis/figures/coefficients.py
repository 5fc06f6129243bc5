"""Figure 3: the explicit-mandate estimate of every model, on one ratio axis.

Reads the tidy ``results/models/estimates.csv`` (one table for all models) and draws, per
fitted model, the rate ratio (count models) or odds ratio (logit) of ``explicit_mandate`` with
its confidence interval on a log axis, a reference line at 1 (no association), and the
model-based and exact/permutation p-values beside it. Models with a wild cluster bootstrap
interval (``boot_conf_*``) get it drawn just below their model interval, in its own colour
and named in the legend; a bound that is unbounded (0 or infinity on the ratio scale) is an
arrow running to the edge of the axis. Models not fitted, or without a ratio
to draw, are listed under the plot with the table's reason. No model is fitted here.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from analysis.figures.data import mandate_coefficients
from analysis.figures.style import MANDATE_COLOR, new_figure, no_data

BOOT_COLOR = sns.color_palette("colorblind")[1]
MODEL_CI_LABEL = "model 95% interval (cluster-robust for panels)"
BOOT_CI_LABEL = "wild cluster bootstrap 95% interval (test inversion)"
UNBOUNDED_LABEL = "arrow: interval unbounded on that side"
OFFSET = 0.14  # vertical gap of the two intervals of one model, in rows

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


def _bound(v: float) -> str:
    return "∞" if v == math.inf else "0" if v == 0 else f"{v:.2f}"


def _has(low: float, high: float) -> bool:
    """An interval to draw: both bounds known, the lower one below the upper one."""
    return not (math.isnan(low) or math.isnan(high)) and low <= high


def _annotation(row) -> str:
    interval = (f"[{_bound(row.low)}, {_bound(row.high)}]" if _has(row.low, row.high)
                else "[interval n/a]")
    if _has(row.boot_low, row.boot_high):
        interval += f"\nbootstrap [{_bound(row.boot_low)}, {_bound(row.boot_high)}]"
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


def _interval(ax, low: float, high: float, y: float, edges: tuple[float, float], color,
              **line) -> int:
    """One interval at height ``y``; an unbounded side (0 or inf) becomes an arrow to the
    axis edge. Returns the number of arrows drawn."""
    left = low if low > 0 and math.isfinite(low) else None
    right = high if math.isfinite(high) else None
    a, b = left or edges[0], right or edges[1]
    ax.plot([a, b], [y, y], color=color, solid_capstyle="butt", **line)
    arrows = 0
    for bound, edge, start in ((left, edges[0], b), (right, edges[1], a)):
        if bound is None:  # arrow head at the edge of the axis
            ax.annotate("", xy=(edge, y), xytext=(start if start != edge else b, y),
                        xycoords="data", arrowprops={"arrowstyle": "-|>", "color": color,
                                                     "lw": line.get("lw", 1.4),
                                                     "shrinkA": 0, "shrinkB": 0,
                                                     "mutation_scale": 9})
            arrows += 1
    return arrows


def plot_mandate_coefficients(estimates: pd.DataFrame, term: str = "explicit_mandate"):
    """Figure 3 from ``estimates.csv`` (as read by :func:`analysis.figures.style.read_table`);
    ``term``: the coefficient to draw. Returns the matplotlib figure."""
    shown, not_shown = mandate_coefficients(estimates, term)
    footer = _footer(not_shown)
    n_footer = footer.count("\n") + 1 if footer else 0
    fig, ax = new_figure(7.0, 1.4 + 0.45 * max(len(shown), 2) + 0.14 * n_footer)
    # Room on the left for model names and on the right for the numbers, within 7 inches.
    fig.subplots_adjust(left=0.29, right=0.66)
    ax.set_title("Association of an explicit OC mandate with OC activity, by model",
                 pad=48 if len(shown) else 6)
    if shown.empty:
        no_data(ax, "No data: no model with an explicit-mandate estimate was fitted\n"
                    "(see estimates.csv, columns status and reason).")
    else:
        y = np.arange(len(shown))[::-1]
        bounds = pd.concat([shown["ratio"], shown["low"], shown["high"], shown["boot_low"],
                            shown["boot_high"], pd.Series([1.0])])
        finite = bounds[np.isfinite(bounds) & (bounds > 0)]
        lo, hi = float(finite.min()), float(finite.max())
        span = max(math.log10(hi / lo), 0.3)
        edges = (lo / 10 ** (0.08 * span), hi * 10 ** (0.08 * span))
        ax.set_xscale("log")
        ax.set_xlim(*edges)
        has_boot = shown.apply(lambda r: _has(r.boot_low, r.boot_high), axis=1)
        arrows = 0
        for yi, row, boot in zip(y, shown.itertuples(), has_boot):
            top = yi + OFFSET if boot else yi
            if _has(row.low, row.high):
                arrows += _interval(ax, row.low, row.high, top, edges, MANDATE_COLOR, lw=1.6)
            ax.plot([row.ratio], [top], "o", color=MANDATE_COLOR, ms=5.5, zorder=3)
            if boot:
                arrows += _interval(ax, row.boot_low, row.boot_high, yi - OFFSET, edges,
                                    BOOT_COLOR, lw=1.6, ls=(0, (4, 1.5)))
                ax.plot([row.ratio], [yi - OFFSET], "D", color=BOOT_COLOR, ms=4, zorder=3,
                        mfc="white")
        ax.axvline(1, color="0.3", lw=0.9, ls="--", zorder=1)
        handles = [Line2D([], [], color=MANDATE_COLOR, lw=1.6, marker="o", ms=5,
                          label=MODEL_CI_LABEL)]
        if has_boot.any():
            handles.append(Line2D([], [], color=BOOT_COLOR, lw=1.6, ls=(0, (4, 1.5)),
                                  marker="D", ms=4, mfc="white", label=BOOT_CI_LABEL))
        if arrows:
            handles.append(Line2D([], [], color="0.3", lw=1.2, marker=">", ms=5,
                                  markevery=[1], label=UNBOUNDED_LABEL))
        ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1,
                  fontsize=7, frameon=False, borderaxespad=0.2)
        # Plain numbers (0.5, 1, 2, 5) rather than powers of ten: readers compare ratios; the
        # (1, 2, 5) ticks only where they fit: over more than two decades, powers of ten.
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if span <= 2 else (1.0,)))
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
