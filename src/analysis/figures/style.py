"""Shared look, saving and input checks of every figure.

One style (:func:`apply_style`) for all figures, so the paper's figures match; one writer
(:func:`save_figure`) that strips every timestamp and tool version from the files, so the same
tables give byte-identical PDF and PNG files; one reader (:func:`read_table`) whose errors
name the file and the column. Nothing here knows about Snakemake.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import seaborn as sns

# Figures are built as plain `Figure` objects, not through pyplot: no window, no global
# figure list to leak, and importing this package never switches a notebook's backend
# (the CLI selects Agg itself).
from matplotlib.figure import Figure

from analysis.io import read_csv
from analysis.vocab import UNSPECIFIED_MARKET

# Fixed so that any SVG a user saves from these figures has stable element ids.
HASH_SALT = "oc-mandates"
PNG_DPI = 200
# Keys matplotlib would otherwise fill with the date and its version.
PDF_METADATA = {"Creator": None, "Producer": None, "CreationDate": None}
PNG_METADATA = {"Software": None}

# Colours used with a meaning across figures (seaborn "colorblind" palette).
MANDATE_COLOR = sns.color_palette("colorblind")[0]
NO_MANDATE_COLOR = sns.color_palette("colorblind")[7]
ACTIVITY_COLOR = sns.color_palette("colorblind")[3]
HEATMAP_CMAP = "Blues"

# Reader-facing words for the coded labels (RESEARCH-DESIGN.md vocabulary).
QUADRANT_LABELS = {
    "direct_consequences": "Direct:\nconsequences",
    "direct_drivers": "Direct:\ndrivers",
    "indirect_consequences": "Indirect:\nconsequences",
    "indirect_drivers": "Indirect:\ndrivers",
}
MARKET_LABELS = {
    "drugs": "Drugs",
    "arms_trafficking": "Arms trafficking",
    "human_trafficking": "Human trafficking, smuggling",
    "natural_resources": "Natural resources",
    "gangs": "Gangs",
    "corruption": "Corruption, financial crime",
    "kidnapping": "Kidnapping",
    "cultural_heritage": "Cultural heritage",
    "piracy": "Piracy, maritime crime",
    "transnational_oc": "Transnational OC (general)",
    UNSPECIFIED_MARKET: "No market named",
}


class FigureInputError(ValueError):
    """A table a figure reads is missing, unreadable or lacks a column."""


def apply_style() -> None:
    """Set the one look of all figures (seaborn theme + fixed rcParams). Idempotent."""
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font="DejaVu Sans")
    matplotlib.rcParams.update({
        "svg.hashsalt": HASH_SALT,
        "figure.dpi": 100,
        "savefig.dpi": PNG_DPI,
        "savefig.bbox": "tight",
        "savefig.pad_inches": 0.08,
        "pdf.fonttype": 42,  # TrueType: text stays selectable and editable in the PDF
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "figure.titlesize": 11,
    })


def new_figure(width: float, height: float, **subplots):
    """``(figure, axes)`` in the shared style; ``subplots`` go to ``Figure.subplots``."""
    apply_style()
    fig = Figure(figsize=(width, height))
    return fig, fig.subplots(**subplots)


def save_figure(fig, out_pdf: str | Path, out_png: str | Path) -> None:
    """Write ``fig`` as PDF and PNG without timestamps or tool versions."""
    for path in (out_pdf, out_png):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_pdf, format="pdf", metadata=PDF_METADATA)
    fig.savefig(out_png, format="png", dpi=PNG_DPI, metadata=PNG_METADATA)


def no_data(ax, message: str) -> None:
    """Replace an empty plot by a centred note saying why there is nothing to show."""
    ax.set_axis_off()
    ax.text(0.5, 0.5, message, ha="center", va="center", fontsize=10, wrap=True,
            transform=ax.transAxes, bbox={"boxstyle": "round,pad=0.6", "fc": "0.95",
                                          "ec": "0.6"})


def read_table(path: str | Path, required: list[str], bools: tuple[str, ...] = ()) -> pd.DataFrame:
    """A CSV table with at least the ``required`` columns; ``bools`` parsed to nullable
    booleans ("True"/"False", empty = unknown). Text cells stay text; empty text is ""."""
    path = Path(path)
    if not path.exists():
        raise FigureInputError(f"{path}: file not found; run the rule that writes it first")
    try:
        df = read_csv(path)
    except pd.errors.EmptyDataError:
        raise FigureInputError(f"{path}: empty file (not even a header row)") from None
    return check_columns(df, required, str(path), bools)


def check_columns(df: pd.DataFrame, required: list[str], where: str,
                  bools: tuple[str, ...] = ()) -> pd.DataFrame:
    """``df`` with its ``bools`` columns as nullable booleans; raises when a required column
    is missing or a boolean cell is not True/False/empty (naming ``where``, row and column)."""
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise FigureInputError(f"{where}: missing column(s) {', '.join(missing)}; the table "
                               f"has {', '.join(map(str, df.columns)) or 'no columns'}")
    df = df.copy()
    for col in bools:
        df[col] = to_bool(df[col], where, col)
    return df


_TRUTH = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def to_bool(values: pd.Series, where: str, column: str) -> pd.Series:
    """``values`` as a nullable boolean column (empty or NA = unknown)."""
    out = []
    for i, value in enumerate(values.tolist()):
        if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
            out.append(pd.NA)
        elif isinstance(value, bool):
            out.append(value)
        elif str(value).strip() == "":
            out.append(pd.NA)
        elif str(value).strip().lower() in _TRUTH:
            out.append(_TRUTH[str(value).strip().lower()])
        else:
            raise FigureInputError(f"{where}: row {i + 2}, column {column}: {value!r} is not "
                                   "True, False or empty")
    return pd.Series(out, index=values.index, dtype="boolean")


def to_number(values: pd.Series, where: str, column: str) -> pd.Series:
    """``values`` as floats (empty = NaN); a cell that is not a number is an error."""
    text = values.astype(str).str.strip()
    numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = numbers.isna() & (text != "") & (text.str.lower() != "nan")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise FigureInputError(f"{where}: row {row + 2}, column {column}: "
                               f"{text.iloc[row]!r} is not a number")
    return numbers.astype(float)
