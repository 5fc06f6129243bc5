"""Reading and writing the project's tables: one place, one format, the same bytes every run.

Every table the package writes goes through :func:`write_csv` or :func:`write_parquet`
(pandas), or :func:`write_arrow` (pyarrow only, for the per-document extraction jobs).
Written files are:

- **complete or absent**: written to a hidden temporary file beside the target, then renamed
  over it, so an interrupted job never leaves a half table that looks finished; the parent
  folder is created.
- **byte-stable**: equal tables give identical files, run after run (no index, no
  timestamps, fixed line endings and float format, fixed parquet options). Row order is
  the caller's job.
- **checked where written** when a pandera ``schema`` is given: a table that breaks it is
  not written, and the :class:`TableError` names the file and the failing column, check
  and rows.

CSV conventions: UTF-8, ``\\n`` line ends, a header row, no index, missing values as empty
cells, booleans ``True``/``False``, floats with :data:`FLOAT_FORMAT`.

Float format: ``%.10g``, ten significant digits (``0.6666666667``, ``1.234567891e-12``,
``inf``). The model tables are rounded to ten significant digits before they are written
(:func:`significant`), so for them this format loses nothing; ten digits are five more than
any number the paper prints and keep a p-value of 1e-12 as 1e-12 (``%g`` switches to an
exponent rather than printing zeros), so recomputing a rate ratio or an interval from the
CSV gives the paper's digits. More digits (``%.17g``, exact round trip) would print the
last-bit noise of floating point arithmetic (summation order, BLAS build), which differs
between machines and would make equal results unequal files.

Reading: :func:`read_csv` reads a table as the project writes it, every cell as text
(empty cells ``""``, never NaN), so ids such as ``0012``, ``True``/``""`` booleans and
``none`` codes come back exactly as written; the caller types the columns it computes with
(``ints=`` for whole-number columns).

This module imports neither pandas nor pandera at import time (each function imports what
it needs): ``python -m analysis.extract document`` runs once per PDF and writes its parquet
files with :func:`write_arrow` without loading pandas (about 0.2 s per job saved; see
``tests/test_extract.py``). Keep it that way: no module-level pandas import here.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only, keeps pandas out of the extraction jobs
    import pandas as pd
    import pyarrow as pa

__all__ = ["FLOAT_FORMAT", "SIGNIFICANT_DIGITS", "TableError", "as_written", "read_csv",
           "read_parquet", "significant", "write_arrow", "write_csv", "write_parquet"]

SIGNIFICANT_DIGITS = 10
FLOAT_FORMAT = f"%.{SIGNIFICANT_DIGITS}g"
# pandas' and pyarrow's default; named here so a library upgrade cannot change it silently.
PARQUET_COMPRESSION = "snappy"
_MAX_CASES = 5  # failure cases quoted in a schema error


class TableError(ValueError):
    """A table cannot be written or read as it is; the message names the file and what
    is wrong (column, rows, check)."""


# ------------------------------------------------------------------ numbers

def significant(value) -> float:
    """``value`` rounded to :data:`SIGNIFICANT_DIGITS` significant digits, as
    :func:`write_csv` writes it (None and NaN give NaN), so an in-memory table equals the
    table read back from its file."""
    import math

    if value is None:
        return math.nan
    value = float(value)
    if math.isnan(value):
        return math.nan
    return float(FLOAT_FORMAT % value)


# ------------------------------------------------------------------ writing

def _replace(path: str | Path, write) -> Path:
    """Call ``write(tmp)`` on a hidden file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _check(df: pd.DataFrame, path: Path, schema) -> None:
    """Validate ``df`` with the pandera ``schema`` (a DataFrameModel or DataFrameSchema);
    raise :class:`TableError` naming ``path`` and the first failure cases."""
    import pandera.pandas as pa

    try:
        schema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        name = getattr(schema, "__name__", None) or getattr(schema, "name", None) or "schema"
        cases = err.failure_cases
        lines = []
        for case in cases.head(_MAX_CASES).itertuples(index=False):
            row = "" if case.index is None or case.index != case.index else f", row {case.index}"
            column = f"column {case.column!r}" if case.column is not None else "the table"
            lines.append(f"  - {column}{row}: {case.check} failed for {case.failure_case!r}")
        if len(cases) > _MAX_CASES:
            lines.append(f"  - ... and {len(cases) - _MAX_CASES} more")
        raise TableError(f"{path}: not written, the table breaks {name} ({len(cases)} "
                         "failure case(s)); fix the step that builds it:\n"
                         + "\n".join(lines)) from None


def write_csv(df: pd.DataFrame, path: str | Path, schema=None) -> Path:
    """Write ``df`` to ``path`` as the project's CSV (see the module doc); returns ``path``.

    ``schema``: optional pandera model/schema checked first (the table is not written when
    it fails; :class:`TableError` names the file). The frame is written as given, not as
    the schema would coerce it.
    """
    path = Path(path)
    if schema is not None:
        _check(df, path, schema)
    return _replace(path, lambda tmp: df.to_csv(
        tmp, index=False, lineterminator="\n", encoding="utf-8", float_format=FLOAT_FORMAT))


def write_parquet(df: pd.DataFrame, path: str | Path, schema=None) -> Path:
    """Write ``df`` to ``path`` as parquet without the pandas index; returns ``path``.

    Same frame, same bytes (with the same pandas and pyarrow versions: their version
    strings are part of the file's metadata). ``schema`` as in :func:`write_csv`.
    """
    import pyarrow as pa

    path = Path(path)
    if schema is not None:
        _check(df, path, schema)
    return write_arrow(pa.Table.from_pandas(df, preserve_index=False), path)


def write_arrow(table: pa.Table, path: str | Path) -> Path:
    """Write a pyarrow ``table`` to ``path`` as parquet; returns ``path``.

    pyarrow only (no pandas): used by the per-document extraction jobs. Fixed options, so
    equal tables give equal bytes.
    """
    import pyarrow.parquet as pq

    return _replace(path, lambda tmp: pq.write_table(table, tmp,
                                                     compression=PARQUET_COMPRESSION))


# ------------------------------------------------------------------ reading

def read_csv(path: str | Path, *, ints: Iterable[str] = (), sep: str = ",") -> pd.DataFrame:
    """A CSV table as written by :func:`write_csv` (or saved from a spreadsheet as CSV UTF-8,
    byte-order mark allowed): every cell text, empty cells ``""``.

    ``ints``: columns that must hold whole numbers, returned as ``int``; a missing column or
    a cell that is not a whole number raises :class:`TableError` naming the file, the line
    (the header is line 1) and the column. ``sep``: the cell separator.
    """
    import pandas as pd

    df = pd.read_csv(path, dtype=str, keep_default_na=False, sep=sep, encoding="utf-8-sig")
    for col in ints:
        if col not in df.columns:
            raise TableError(f"{path}: column '{col}' is missing; rebuild the table with the "
                             "step that writes it")
        bad = ~df[col].str.fullmatch(r"\d+")
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            raise TableError(f"{path}:{row + 2}: column '{col}' must be a whole number, got "
                             f"{df[col].iloc[row]!r}")
        df[col] = df[col].astype(int)
    return df


def read_parquet(path: str | Path, columns: list[str] | None = None) -> pd.DataFrame:
    """A parquet table written by :func:`write_parquet` or :func:`write_arrow`, with the
    column types it was written with (``columns``: only these)."""
    import pandas as pd

    return pd.read_parquet(path, columns=columns)


def as_written(df: pd.DataFrame, ints: Iterable[str] = ()) -> pd.DataFrame:
    """``df`` as :func:`read_csv` would read it back from :func:`write_csv`'s file, without
    touching the disk: a step that hands a table to another in memory gives it exactly what
    the other would read from the workflow's file."""
    import io

    buffer = io.StringIO()
    df.to_csv(buffer, index=False, lineterminator="\n", float_format=FLOAT_FORMAT)
    buffer.seek(0)
    return read_csv(buffer, ints=ints)
