"""Figure 7: the explicit-mandate estimate of every model, round by round.

Reads ``results/models/estimates_by_round.csv`` (:func:`analysis.rounds.apply.
estimates_by_round`) and draws, per model fitted in at least one round, the rate or odds
ratio of ``explicit_mandate`` with its 95% interval for every coding round (one colour per
round, main automated round first), on one log axis with a line at 1 (no association).
A model/round pair that was not fitted is listed under the plot with its reason. Rounds are
named with their kind (:func:`round_label`): the demo's SYNTHETIC coders are ``simulated
coders``, never ``human``.

CLI: ``python -m analysis.figures fig7 --estimates-by-round
results/models/estimates_by_round.csv --out-pdf ... --out-png ...``
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from analysis.figures.coefficients import model_label
from analysis.figures.style import new_figure, no_data, read_table, save_figure, to_number

# The demo's round of SYNTHETIC simulated coders (DEMO_ROUND in workflow/rules/common.smk,
# analysis.rounds.demo): its table kind is "human" (it fills human coder sheets), but a
# reader must be told it is simulated.
SIMULATED_ROUND = "demo-simulated-coders"
KIND_LABELS = {"automated": "automated", "human": "human coders"}


def round_label(round_name: str, kind: str) -> str:
    """``name (kind)`` as a reader sees it: ``demo-simulated-coders (simulated coders)``."""
    what = "simulated coders" if round_name == SIMULATED_ROUND else KIND_LABELS.get(kind, kind)
    return f"{round_name} ({what})" if what else round_name


COLUMNS = ["round", "round_kind", "model", "family", "estimate_exp", "conf_low_exp",
           "conf_high_exp", "status", "reason"]


def by_round_rows(table: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(shown, not_shown)``: fitted rows with a finite positive ratio, and the rest."""
    df = table.copy()
    for col in ("estimate_exp", "conf_low_exp", "conf_high_exp"):
        df[col] = to_number(df[col], "estimates_by_round.csv", col)
    ok = (df["status"] == "fitted") & df["estimate_exp"].map(
        lambda v: math.isfinite(v) and v > 0)
    return df[ok].reset_index(drop=True), df[~ok].reset_index(drop=True)


def plot_rounds(table: pd.DataFrame):
    """Figure 7 from ``estimates_by_round.csv`` as read by :func:`read_table`."""
    shown, not_shown = by_round_rows(table)
    rounds = list(dict.fromkeys(table["round"]))
    models = list(dict.fromkeys(shown["model"]))
    fitted_somewhere = set(models)
    skipped = not_shown[~not_shown["model"].isin(fitted_somewhere)]
    lines = [f"{model_label(m)}: not fitted in any round ({g['reason'].iloc[0] or 'no estimate'})"
             for m, g in skipped.groupby("model", sort=False)]
    lines += [f"{model_label(r.model)}, round {r.round}: not fitted ({r.reason or 'no estimate'})"
              for r in not_shown[not_shown["model"].isin(fitted_somewhere)].itertuples()]
    footer = "\n".join(textwrap.fill(x, 120, subsequent_indent="    ") for x in lines)
    n_footer = footer.count("\n") + 1 if footer else 0
    fig, ax = new_figure(7.0, 1.6 + 0.28 * max(len(models) * max(len(rounds), 1), 3)
                         + 0.13 * n_footer)
    fig.subplots_adjust(left=0.3)
    ax.set_title("Explicit OC mandate, model by model and coding round")
    if shown.empty:
        no_data(ax, "No data: no model with an explicit-mandate estimate was fitted\n"
                    "in any round (see estimates_by_round.csv).")
        return fig
    colors = dict(zip(rounds, sns.color_palette("colorblind", len(rounds)), strict=True))
    step = len(rounds) + 1
    centers = {m: (len(models) - 1 - i) * step for i, m in enumerate(models)}
    offsets = {r: (len(rounds) - 1) / 2 - j for j, r in enumerate(rounds)}
    for r in rounds:
        mine = shown[shown["round"] == r]
        y = [centers[m] + offsets[r] for m in mine["model"]]
        lo, hi = mine["conf_low_exp"].to_numpy(), mine["conf_high_exp"].to_numpy()
        finite = np.isfinite(lo) & np.isfinite(hi) & (lo > 0)
        kind = mine["round_kind"].iloc[0] if len(mine) else ""
        ax.hlines(np.array(y)[finite], lo[finite], hi[finite], color=colors[r], lw=1.5)
        ax.plot(mine["estimate_exp"], y, "o", color=colors[r], ms=5, zorder=3,
                label=round_label(r, kind))
    ax.axvline(1, color="0.3", lw=0.9, ls="--", zorder=1)
    ax.set_xscale("log")
    values = pd.concat([shown["estimate_exp"], shown["conf_low_exp"], shown["conf_high_exp"],
                        pd.Series([1.0])])
    values = values[np.isfinite(values) & (values > 0)]
    lo, hi = float(values.min()), float(values.max())
    span = max(math.log10(hi / lo), 0.3)
    ax.set_xlim(lo / 10 ** (0.06 * span), hi * 10 ** (0.06 * span))
    # (1, 2, 5) ticks only where they fit: over more than two decades, powers of ten.
    ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0) if span <= 2 else (1.0,)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_yticks(list(centers.values()), [model_label(m) for m in centers])
    ax.set_ylim(-step / 2, (len(models) - 1) * step + step / 2)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("rate or odds ratio for an explicit mandate, 95% interval "
                  "(log scale; 1 = no association)")
    # Beside the axes, never over an interval.
    ax.legend(title="coding round", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7,
              title_fontsize=7)
    if footer:
        ax.annotate(footer, xy=(0.01, 0), xycoords=("figure fraction", "axes fraction"),
                    xytext=(0, -34), textcoords="offset points", ha="left", va="top",
                    fontsize=7, color="0.25")
    return fig


def render_fig7(estimates_by_round: str, out_pdf: str, out_png: str) -> None:
    """Figure 7: read ``estimates_by_round.csv``, draw, write PDF and PNG."""
    save_figure(plot_rounds(read_table(estimates_by_round, COLUMNS)), out_pdf, out_png)
