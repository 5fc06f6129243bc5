"""Operations reference table: load, validate and query ``raw/missions.csv``.

The table lists the peace operations the project studies (the 38 of the seed paper's
Figure 2 legend, other operations real documents about organized crime name, plus any a
user adds), one row per operation, with facts and their source (for rows beyond the
legend, the public pages that confirm them).
Columns, vocabularies and the meaning of each value are documented in
:mod:`analysis.schemas.missions` (regions: Americas, Asia and Oceania, Europe, Middle East
and North Africa, Sub-Saharan Africa; Kosovo is host code ``XKX``).

Public functions:

- :func:`load_missions` reads and validates the CSV and returns a DataFrame; every problem
  in the file is reported at once (file, CSV line, column, and what would fix it).
- :func:`hosts_of`, :func:`operations_in`, :func:`alias_index`, :func:`closest_acronyms`
  answer the questions other stages ask of the table.

Run ``python -m analysis.corpus operations raw/missions.csv`` to check a table by hand.
"""

from __future__ import annotations

import csv
import difflib
import sys
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.problems import Problem, ProblemsError
from analysis.schemas.missions import (
    COLUMNS,
    KINDS,
    KOSOVO_CODE,
    ORGANISATIONS,
    REGIONS,
    YEAR_MAX,
    YEAR_MIN,
    MissionsSchema,
    alias_clashes,
    alias_key,
    invalid_hosts,
    row_keys,
    split_list,
)

YEAR_COLUMNS = ("start_year", "end_year")


class MissionsError(ProblemsError):
    """The operations table is invalid; ``.problems`` lists every problem found."""

    subject = "the operations table"


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int], list[Problem]]:
    """Read the CSV: header, data rows, the CSV line each row starts on, and problems."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissionsError([Problem(name, None, None, "file not found")]) from None
    except UnicodeDecodeError as err:
        msg = f"not UTF-8 text ({err.reason} at byte {err.start}); save the file as UTF-8"
        raise MissionsError([Problem(name, None, None, msg)]) from None
    reader = csv.reader(text.splitlines(keepends=True))
    header: list[str] | None = None
    rows, lines, problems = [], [], []
    line_no = 1  # first physical line of the record being read
    for record in reader:
        start, line_no = line_no, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if header is None:
            header = [cell.strip().lstrip("\ufeff") for cell in record]
            continue
        if len(record) != len(header):
            problems.append(
                Problem(
                    name,
                    start,
                    None,
                    f"has {len(record)} fields but the header has {len(header)}; "
                    "quote cells that contain commas",
                )
            )
            continue
        rows.append([cell.strip() for cell in record])
        lines.append(start)
    if header is None:
        raise MissionsError([Problem(name, None, None, "file is empty; expected a header row")])
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        # Nothing else can be checked without the columns; say so before anything else.
        msg = f"header lacks column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}"
        raise MissionsError([Problem(name, 1, None, msg)])
    return header, rows, lines, problems


def _parse_years(df: pd.DataFrame, name: str, lines: list[int]) -> list[Problem]:
    """Turn year cells into Int64 in place; report cells that are not whole numbers."""
    problems = []
    for col in YEAR_COLUMNS:
        values = []
        for pos, cell in enumerate(df[col]):
            if cell == "":
                values.append(pd.NA)
            elif cell.isdigit():
                values.append(int(cell))
            else:
                problems.append(
                    Problem(
                        name,
                        lines[pos],
                        col,
                        f"{cell!r} is not a year; write four digits (e.g. 2004) "
                        "or leave empty if unknown",
                    )
                )
                values.append(pd.NA)
        df[col] = pd.array(values, dtype="Int64")
    return problems


def _describe(check: str, column: str, value: object, row: pd.Series, clashes: dict) -> str:
    """Turn a pandera failure into a sentence that says what would fix it."""
    if check == "field_uniqueness":
        return f"acronym {value!r} appears on more than one row; each operation needs one row"
    if check.startswith("str_length"):
        return "is empty; fill it in"
    if column == "organisation":
        return f"{value!r} is not one of: {', '.join(ORGANISATIONS)}"
    if column == "kind":
        return f"{value!r} is not one of: {', '.join(KINDS)}"
    if column == "region":
        return f"{value!r} is not one of: {', '.join(REGIONS)}"
    if check == "hosts_iso3":
        return (
            "; ".join(invalid_hosts(str(value)))
            + f"; use ';'-separated ISO 3166-1 alpha-3 codes ({KOSOVO_CODE} for Kosovo)"
        )
    if check == "aliases_no_repeat":
        return "lists the same alias twice (ignoring case); remove the repeat"
    if check.startswith(("greater_than", "less_than", "in_range")):
        return f"{value} is outside {YEAR_MIN}..{YEAR_MAX}"
    if check == "years_ordered":
        return (
            f"start_year {row['start_year']} is after end_year {row['end_year']}; "
            "swap them or correct one"
        )
    if check == "alias_unique":
        return (
            "; ".join(clashes.get(row.name, []))
            + "; a name must resolve to one operation, so remove or qualify it"
        )
    return f"{value!r} fails check {check}"


# Dataframe-wide checks report every column of a failing row; point at the one to edit.
_CHECK_COLUMN = {"years_ordered": "start_year", "alias_unique": "aliases"}


def _schema_problems(df: pd.DataFrame, name: str, lines: list[int]) -> list[Problem]:
    try:
        MissionsSchema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return []
    clashes = alias_clashes(df)
    problems, seen = [], set()
    for case in cases.itertuples(index=False):
        if pd.isna(case.index):
            problems.append(Problem(name, None, case.column, f"fails check {case.check}"))
            continue
        pos = int(case.index)
        column = _CHECK_COLUMN.get(case.check, case.column)
        if (pos, column, case.check) in seen:
            continue
        seen.add((pos, column, case.check))
        row = df.loc[pos]
        message = _describe(case.check, column, case.failure_case, row, clashes)
        problems.append(Problem(name, lines[pos], column, message))
    return problems


def _problem_order(problem: Problem) -> tuple[int, int]:
    """Sort problems by line, then by the column's place in the table."""
    col = COLUMNS.index(problem.column) if problem.column in COLUMNS else len(COLUMNS)
    return (problem.line or 0, col)


def load_missions(path: str | Path) -> pd.DataFrame:
    """Read and validate the operations table.

    Args:
        path: CSV file with the columns of :data:`analysis.schemas.missions.COLUMNS`
            (extra columns are kept).

    Returns:
        One row per operation, in file order, index 0..n-1; text columns are ``str``
        (empty string when blank), ``start_year``/``end_year`` are ``Int64``.

    Raises:
        MissionsError: listing every problem (file, CSV line, column, fix) at once.
    """
    path = Path(path)
    name = str(path)
    header, rows, lines, problems = _read_rows(path)
    df = pd.DataFrame(rows, columns=header, dtype=str)
    if df.empty:
        df = pd.DataFrame({c: pd.Series([], dtype=str) for c in header})
    problems += _parse_years(df, name, lines)
    problems += _schema_problems(df, name, lines)
    if problems:
        problems.sort(key=_problem_order)
        raise MissionsError(problems)
    return df


def _row_of(df: pd.DataFrame, acronym: str) -> pd.Series:
    exact = df.index[df["acronym"] == acronym]
    if len(exact):
        return df.loc[exact[0]]
    resolved = alias_index(df).get(alias_key(acronym))
    if resolved is None:
        raise KeyError(f"no operation named {acronym!r} in the operations table")
    return df.loc[df.index[df["acronym"] == resolved][0]]


def hosts_of(df: pd.DataFrame, acronym: str) -> list[str]:
    """Host-country codes of an operation (acronym, or any name/alias), in table order.

    Raises KeyError when no operation goes by that name.
    """
    return split_list(_row_of(df, acronym)["hosts"])


def operations_in(df: pd.DataFrame, iso3: str, year: int) -> list[str]:
    """Acronyms (sorted) of operations deployed in country ``iso3`` during ``year``.

    An operation counts from its start_year through its end_year inclusive; an empty
    end_year means ongoing. Rows without a start_year are left out (deployment unknown).
    """
    iso3 = iso3.strip().upper()
    found = []
    for row in df.itertuples(index=False):
        if iso3 not in split_list(row.hosts) or pd.isna(row.start_year):
            continue
        if row.start_year <= year and (pd.isna(row.end_year) or year <= row.end_year):
            found.append(row.acronym)
    return sorted(found)


def alias_index(df: pd.DataFrame) -> dict[str, str]:
    """Map every look-up key (lower-cased acronym, name, alias) to its operation's acronym.

    Keys are normalised with :func:`analysis.schemas.missions.alias_key`; apply the same
    function to text before looking it up. Keys are sorted for deterministic output.
    """
    index: dict[str, str] = {}
    for _, row in df.iterrows():
        for key in row_keys(row):
            index[key] = row["acronym"]
    return dict(sorted(index.items()))


def closest_acronyms(df: pd.DataFrame, name: str, n: int = 3) -> list[str]:
    """Acronyms of the operations whose acronym, name or alias is spelled most like ``name``.

    For "did you mean" hints: up to ``n`` acronyms, best match first, compared after
    :func:`analysis.schemas.missions.alias_key` with :func:`difflib.get_close_matches`
    (similarity 0.6 or more); empty when nothing is close.
    """
    index = alias_index(df)
    found: list[str] = []
    for key in difflib.get_close_matches(alias_key(name), list(index), n=len(index), cutoff=0.6):
        if index[key] not in found:
            found.append(index[key])
    return found[:n]


def main(argv: list[str] | None = None) -> int:
    """Check a table from the command line; print problems, exit 1 if any."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m analysis.corpus operations PATH/TO/missions.csv", file=sys.stderr)
        return 2
    try:
        df = load_missions(args[0])
    except MissionsError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"{args[0]}: {len(df)} operations, valid")
    return 0
