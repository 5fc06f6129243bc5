"""The browser's inputs, read and checked: every error names the file and the column.

The site is built from tables the workflow already wrote (nothing is recounted here):

- ``coded_paragraphs.parquet``: one row per paragraph with its codes and text;
- ``evidence.parquet``: one row per matched span (offsets into the paragraph text);
- ``mission_activity.csv``: operation x quadrant x market counts with their evidence ids;
- ``mandates.csv``: one row per operation and resolution;
- ``documents.csv``: the corpus manifest (``path`` relative to the workflow's folder);
- the operations reference table (:func:`analysis.missions.load_missions`);
- optional human coding rounds (``consensus.csv``, ``codes.parquet``) and the
  disagreements table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.io import read_csv, read_parquet
from analysis.missions import load_missions

CODED_COLUMNS = ("para_id", "doc_id", "page", "para_no", "para_seq", "doc_type", "date",
                 "operations", "oc", "activity", "quadrants", "markets", "engagement",
                 "negative_reason", "text")
CODED_OPTIONAL = ("part", "verb", "strength", "addressee", "explicit_mandate")
EVIDENCE_COLUMNS = ("evidence_id", "variable", "value", "span_start", "span_end", "matched")
ACTIVITY_COLUMNS = ("operation", "quadrant", "market", "n_paragraphs", "evidence_ids")
MANDATE_COLUMNS = ("operation", "resolution", "symbol", "adopted", "in_force_until",
                   "explicit_mandate", "oc_reference", "markets")
DOCUMENT_COLUMNS = ("doc_id", "doc_type", "missions", "date", "title", "symbol", "path")
CONSENSUS_COLUMNS = ("para_id", "doc_id", "variable", "value", "status", "coder_values",
                     "automated")
CODES_COLUMNS = ("coder", "para_id", "variable", "value")


class BrowserInputError(ValueError):
    """An input table cannot be used; the message names the file, the column and the fix."""


def require(df: pd.DataFrame, path: str | Path, columns, what: str) -> None:
    """Raise :class:`BrowserInputError` naming ``path`` and the first missing column."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise BrowserInputError(
            f"{path}: column '{missing[0]}' is missing"
            + (f" (also: {', '.join(missing[1:])})" if missing[1:] else "")
            + f"; {what} needs the columns {', '.join(columns)}: rebuild the table with the "
            "workflow step that writes it")


def _text(series: pd.Series) -> pd.Series:
    """Text cells with missing values as ``""``."""
    return series.astype(object).where(series.notna(), "").astype(str)


def _flag(series: pd.Series) -> pd.Series:
    """True/False/None from booleans or their CSV spellings."""
    def one(v):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            return None
        if isinstance(v, str):
            s = v.strip().lower()
            return True if s == "true" else False if s == "false" else None
        return bool(v)
    return series.astype(object).map(one)


def _read(path: str | Path, columns, what: str, parquet: bool = False) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise BrowserInputError(f"{path}: file not found; {what} is written by the workflow "
                                "(run it first, or give the right path)")
    df = read_parquet(path) if parquet else read_csv(path)
    require(df, path, columns, what)
    return df


def read_coded(path) -> pd.DataFrame:
    df = _read(path, CODED_COLUMNS, "the coded paragraphs table", parquet=True)
    for col in CODED_OPTIONAL:
        if col not in df.columns:
            df[col] = ""
    out = pd.DataFrame({c: _text(df[c]) for c in (*CODED_COLUMNS, *CODED_OPTIONAL)
                        if c not in ("oc", "activity", "explicit_mandate", "page", "para_seq")})
    for col in ("page", "para_seq"):
        num = pd.to_numeric(df[col], errors="coerce")
        if num.isna().any():
            row = int(num.isna().to_numpy().nonzero()[0][0])
            raise BrowserInputError(f"{path}: column '{col}' must be a whole number (row "
                                    f"{row + 1}: {df[col].iloc[row]!r})")
        out[col] = num.astype(int)
    for col in ("oc", "activity", "explicit_mandate"):
        out[col] = _flag(df[col])
    if out["para_id"].duplicated().any():
        dup = out.loc[out["para_id"].duplicated(), "para_id"].iloc[0]
        raise BrowserInputError(f"{path}: column 'para_id' holds {dup!r} twice; paragraph ids "
                                "must be unique (rebuild the coding step)")
    return out


def read_evidence(path) -> pd.DataFrame:
    df = _read(path, EVIDENCE_COLUMNS, "the evidence table", parquet=True)
    out = pd.DataFrame({c: _text(df[c]) for c in ("evidence_id", "variable", "value",
                                                   "matched")})
    for col in ("span_start", "span_end"):
        out[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    out["para_id"] = out["evidence_id"].str.rsplit(":", n=2).str[0]
    return out


def read_activity(path) -> pd.DataFrame:
    df = _read(path, ACTIVITY_COLUMNS, "the mission activity table")
    bad = ~df["n_paragraphs"].str.fullmatch(r"\d+")
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise BrowserInputError(f"{path}:{row + 2}: column 'n_paragraphs' must be a whole "
                                f"number, got {df['n_paragraphs'].iloc[row]!r}")
    return df


def read_mandates(path) -> pd.DataFrame:
    return _read(path, MANDATE_COLUMNS, "the mandates table")


def read_documents(path) -> pd.DataFrame:
    df = _read(path, DOCUMENT_COLUMNS, "the documents table")
    if "n_pages" not in df.columns:
        df["n_pages"] = ""
    return df


@dataclass
class Round:
    """A human coding round: its consensus rows, and each coder's codes."""

    name: str
    folder: Path
    consensus: pd.DataFrame
    codes: pd.DataFrame | None = None
    coders: list[str] = field(default_factory=list)


def _coder_values(cell: str) -> dict[str, str]:
    """``"a=true | b=false"`` -> ``{"a": "true", "b": "false"}``."""
    out = {}
    for part in str(cell).split(" | "):
        coder, sep, value = part.partition("=")
        if sep:
            out[coder.strip()] = value.strip()
    return out


def read_round(spec: str) -> Round:
    """``NAME=FOLDER``: the round's ``consensus.csv`` (required) and ``codes.parquet``."""
    name, sep, folder = spec.partition("=")
    if not sep or not name or not folder:
        raise BrowserInputError(f"--round {spec!r}: give NAME=FOLDER, e.g. "
                                "demo-simulated-coders=results/coding/rounds/"
                                "demo-simulated-coders")
    folder_path = Path(folder)
    consensus = _read(folder_path / "consensus.csv", CONSENSUS_COLUMNS,
                      f"round {name}'s consensus table")
    codes = None
    coders: list[str] = []
    codes_path = folder_path / "codes.parquet"
    if codes_path.is_file():
        codes = read_parquet(codes_path)
        require(codes, codes_path, CODES_COLUMNS, f"round {name}'s coder codes")
        codes = pd.DataFrame({c: _text(codes[c]) for c in CODES_COLUMNS})
        coders = sorted(set(codes["coder"]))
    else:
        for cell in consensus["coder_values"]:
            coders += [c for c in _coder_values(cell) if c not in coders]
        coders.sort()
    return Round(name, folder_path, consensus, codes, coders)


def read_disagreements(path) -> pd.DataFrame:
    return _read(path, ("round", "para_id", "variable", "status"), "the disagreements table")


def read_missions(path) -> pd.DataFrame:
    return load_missions(path)


def coder_values(cell: str) -> dict[str, str]:
    return _coder_values(cell)
