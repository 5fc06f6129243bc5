"""The document manifest: its schema, loading with one full problem report, and row -> file.

The manifest (``raw/manifest.csv``) lists every source PDF, one row per document:

========== ==================================================================================
column     meaning
========== ==================================================================================
doc_id     unique id, also a file name: letters, digits, ``-``, ``_``, ``.`` (starting with a
           letter or digit)
path       PDF path relative to the manifest's folder; may be empty when symbol or source_url
           is given (the PDF is then downloaded into the sources folder as ``<doc_id>.pdf``)
doc_type   ``resolution``, ``report`` or ``study``
missions   operation acronyms separated by ``;`` (may be empty only for a study); when the
           operations table is given, each must be an acronym, name or alias of one of its
           rows (see ``load_manifest``)
date       ISO date, YYYY-MM-DD
title      free text (may be empty)
symbol     UN document symbol, e.g. ``S/RES/1542 (2004)`` (may be empty)
source_url web address of the PDF (may be empty)
sha256     expected SHA-256 of the PDF, 64 hexadecimal characters (may be empty)
========== ==================================================================================

Column names are matched case-insensitively; extra columns are allowed and kept. Cells are
read as text with surrounding spaces removed; empty cells are empty strings (never NaN).
Line numbers in problem reports are spreadsheet rows: the header is line 1, the first
document line 2 (blank lines count, as a spreadsheet shows them).

Also here: the pandera schemas of the corpus tables written by ``analysis.corpus.check`` and
``analysis.corpus.fetch`` (documents, quarantine, lock); they pass them to
:func:`analysis.io.write_csv`, so each is checked where it is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from analysis.missions import alias_index, closest_acronyms, load_missions
from analysis.schemas.missions import alias_key
from analysis.vocab import DOC_TYPES, LOCK_STATUSES

MANIFEST_COLUMNS = (
    "doc_id", "path", "doc_type", "missions", "date", "title", "symbol", "source_url", "sha256",
)
SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")  # no leading "." or "-"
SHA256 = re.compile(r"[0-9a-fA-F]{64}")


class ManifestError(ValueError):
    """The manifest cannot be used; ``problems`` lists every problem found, one line each."""

    def __init__(self, manifest_path: str | Path, problems: list[str]):
        self.manifest_path = str(manifest_path)
        self.problems = list(problems)
        n = len(self.problems)
        head = (f"{self.manifest_path}: {n} problem{'s' if n != 1 else ''} in the manifest "
                "(line = spreadsheet row, the header is line 1):")
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


def _is_iso_date(value: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


class ManifestSchema(pa.DataFrameModel):
    """Column-wise rules; cross-column rules live in ``_row_problems`` (pandera can't say them).

    Each check's ``name`` is a key of ``_HINTS``, which turns a pandera failure case into a
    sentence saying what would fix it.
    """

    doc_id: Series[str] = pa.Field(unique=True)
    path: Series[str]
    doc_type: Series[str]
    missions: Series[str]
    date: Series[str]
    title: Series[str]
    symbol: Series[str]
    source_url: Series[str]
    sha256: Series[str]

    @pa.check("doc_id", name="safe_id")
    def _safe_id(cls, s: Series[str]) -> Series[bool]:
        return s.map(lambda v: bool(SAFE_ID.fullmatch(v)))

    @pa.check("doc_type", name="doc_type")
    def _doc_type(cls, s: Series[str]) -> Series[bool]:
        return s.isin(DOC_TYPES)

    @pa.check("date", name="iso_date")
    def _date(cls, s: Series[str]) -> Series[bool]:
        return s.map(_is_iso_date)

    @pa.check("sha256", name="sha256")
    def _sha256(cls, s: Series[str]) -> Series[bool]:
        return s.map(lambda v: v == "" or bool(SHA256.fullmatch(v)))

    @pa.check("source_url", name="url")
    def _url(cls, s: Series[str]) -> Series[bool]:
        return s.map(lambda v: v == "" or bool(re.match(r"https?://\S+$", v)))

    @pa.check("missions", name="missions")
    def _missions(cls, s: Series[str]) -> Series[bool]:
        return s.map(lambda v: v == "" or ("," not in v and all(p.strip() for p in v.split(";"))))

    class Config:
        strict = False  # extra columns (notes, coder initials ...) are welcome
        coerce = False


def _hint(check: str, column: str, value: str) -> str:
    """A sentence saying what is wrong with ``value`` and what would fix it."""
    if check == "safe_id":
        if value == "":
            return "doc_id is empty: give every document a unique id, e.g. S-RES-1542-2004"
        fixed = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-.") or "doc1"
        return (f"{value!r} cannot be used as a doc_id (it becomes a file name): use only "
                f"letters, digits, '-', '_' and '.', starting with a letter or digit, "
                f"e.g. {fixed!r}")
    if check == "doc_type":
        near = value.strip().lower()
        dym = f" (did you mean {near!r}?)" if near in DOC_TYPES else ""
        return f"{value!r} is not a doc_type{dym}: use one of {', '.join(DOC_TYPES)}"
    if check == "iso_date":
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return f"{value!r} is not a real date (no such day): check the month and day"
        return (f"{value!r} is not a date written YYYY-MM-DD: write e.g. 2004-04-30 "
                "(a spreadsheet may have reformatted it; format the column as text)")
    if check == "sha256":
        return (f"{value!r} is not a SHA-256 checksum (64 hexadecimal characters): "
                "correct it or leave the cell empty")
    if check == "url":
        return f"{value!r} is not a web address: start it with https:// (or leave it empty)"
    if check == "missions":
        return (f"{value!r} is not a list of operation acronyms: separate them with ';' "
                "(e.g. MINUSTAH;UNMIL), no commas, no empty items")
    return f"{value!r} fails the check {check} on column {column}"


def _read_rows(path: Path) -> tuple[pd.DataFrame, list[tuple[int, int, str]]]:
    """Read the CSV as text; index = spreadsheet line; structural problems are returned."""
    problems: list[tuple[int, int, str]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            records = list(csv.reader(fh))
    except FileNotFoundError:
        msg = (f"{path}: file not found; check the manifest path in the configuration "
               "(workflow/config.yaml)")
        raise ManifestError(path, [msg]) from None
    except UnicodeDecodeError as err:
        msg = (f"{path}: not UTF-8 text ({err.reason} at byte {err.start}); save the "
               "spreadsheet as 'CSV UTF-8'")
        raise ManifestError(path, [msg]) from None
    if not records or not any(cell.strip() for cell in records[0]):
        msg = (f"{path}, line 1: no header; the first line must name the columns: "
               f"{','.join(MANIFEST_COLUMNS)}")
        raise ManifestError(path, [msg])
    header = [h.strip().lower() for h in records[0]]
    seen: set[str] = set()
    for h in header:
        if h in seen and h:
            msg = f"{path}, line 1, column {h!r}: the column appears twice; delete one of them"
            problems.append((1, 0, msg))
        seen.add(h)
    rows, lines = [], []
    for line, rec in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in rec):
            continue  # blank line: skipped, but it keeps its line number
        if len(rec) > len(header):
            msg = (f"{path}, line {line}: {len(rec)} cells but the header names {len(header)} "
                   "columns; remove the extra cells or put a value containing a comma in "
                   "double quotes")
            problems.append((line, 0, msg))
            continue
        rec = [c.strip() for c in rec] + [""] * (len(header) - len(rec))
        rows.append(rec)
        lines.append(line)
    keep = [i for i, h in enumerate(header) if h and h not in header[:i]]
    df = pd.DataFrame([[r[i] for i in keep] for r in rows], columns=[header[i] for i in keep],
                      index=pd.Index(lines, name="line"), dtype=str)
    if "path" in df:
        df["path"] = df["path"].str.replace("\\", "/", regex=False)  # Windows-style paths
    if "missions" in df:
        df["missions"] = df["missions"].map(
            lambda v: ";".join(p.strip() for p in v.split(";")) if "," not in v else v)
    return df, problems


def _schema_problems(path: Path, df: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Run pandera lazily; return (line, column order, message) per failure case."""
    try:
        ManifestSchema.validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
    else:
        return []
    out: list[tuple[int, int, str]] = []
    order = {c: i for i, c in enumerate(MANIFEST_COLUMNS)}
    dup_lines: dict[str, list[int]] = {}
    for case in cases.itertuples(index=False):
        if case.check == "column_in_dataframe":
            col = str(case.failure_case)
            msg = (f"{path}, line 1, column {col!r}: the column is missing; add a {col!r} "
                   "column to the header (cells may stay empty where the column is optional)")
            out.append((1, order.get(col, 99), msg))
            continue
        line = int(case.index) if case.index is not None else 1
        if case.check == "field_uniqueness":
            dup_lines.setdefault(str(case.failure_case), []).append(line)
            continue
        msg = _hint(str(case.check), str(case.column), str(case.failure_case))
        out.append((line, order.get(case.column, 99),
                    f"{path}, line {line}, column {case.column!r}: {msg}"))
    for value, lines in dup_lines.items():
        if value == "":
            continue  # an empty doc_id is already reported by safe_id
        lines = sorted(lines)
        for line in lines[1:]:
            msg = (f"{path}, line {line}, column 'doc_id': {value!r} is already used on line "
                   f"{lines[0]}; give each document its own doc_id")
            out.append((line, 0, msg))
    return out


def _row_problems(path: Path, df: pd.DataFrame) -> list[tuple[int, int, str]]:
    """Cross-column rules pandera cannot express per cell."""
    out: list[tuple[int, int, str]] = []
    cols = set(df.columns)
    for line, row in df.iterrows():
        if {"path", "symbol", "source_url"} <= cols and not (
                row["path"] or row["symbol"] or row["source_url"]):
            msg = (f"{path}, line {line}, column 'path': no path, symbol or source_url; give "
                   "the PDF's path relative to the manifest folder, or a UN symbol or "
                   "source_url so it can be downloaded")
            out.append((line, 1, msg))
        if {"missions", "doc_type"} <= cols and row["missions"] == "" \
                and row["doc_type"] in ("resolution", "report"):
            msg = (f"{path}, line {line}, column 'missions': empty, but a {row['doc_type']} "
                   "concerns at least one operation; list their acronyms separated by ';' "
                   "(e.g. MINUSTAH)")
            out.append((line, 3, msg))
    if "doc_id" in cols:  # ABC.pdf and abc.pdf are one file on macOS and Windows
        first: dict[str, tuple[int, str]] = {}
        for line, doc_id in df["doc_id"].items():
            key = doc_id.lower()
            if key in first and first[key][1] != doc_id:
                msg = (f"{path}, line {line}, column 'doc_id': {doc_id!r} differs from "
                       f"{first[key][1]!r} (line {first[key][0]}) only in upper/lower case; "
                       "file names would collide on macOS and Windows, choose another id")
                out.append((line, 0, msg))
            first.setdefault(key, (line, doc_id))
    return out


def _operation_problems(path: Path, df: pd.DataFrame, operations: pd.DataFrame,
                        table: str) -> tuple[list[tuple[int, int, str]], dict[int, str]]:
    """Check every name in the missions column against the operations table.

    A name is accepted when it is an acronym, name or alias of one operation, compared as the
    table compares names (:func:`analysis.schemas.missions.alias_key`: upper/lower case and
    repeated spaces do not matter). Returns the problems and, per line, the missions cell
    rewritten with the table's acronyms.
    """
    if "missions" not in df.columns:
        return [], {}
    index = alias_index(operations)
    out: list[tuple[int, int, str]] = []
    canonical: dict[int, str] = {}
    for line, cell in df["missions"].items():
        if cell == "" or "," in cell:
            continue  # empty or not a ';'-list: reported by the other checks
        acronyms: dict[str, str] = {}  # acronym -> the name the manifest used for it
        for name in (p.strip() for p in cell.split(";")):
            if not name:
                continue
            acronym = index.get(alias_key(name))
            if acronym is None:
                near = closest_acronyms(operations, name)
                hint = (f"closest known acronyms: {', '.join(near)}" if near else
                        f"no acronym of the {len(operations)} operations is close to it")
                msg = (f"{path}, line {line}, column 'missions': {name!r} is not an operation "
                       f"of {table} ({hint}); correct it to an acronym, name or alias listed "
                       f"there (upper/lower case does not matter), or, for a new operation, "
                       f"add it as a row of {table}")
                out.append((line, 3, msg))
            elif acronym in acronyms:
                msg = (f"{path}, line {line}, column 'missions': {acronyms[acronym]!r} and "
                       f"{name!r} both name {acronym}; list each operation once")
                out.append((line, 3, msg))
            else:
                acronyms[acronym] = name
        canonical[line] = ";".join(acronyms)
    return out, canonical


def load_manifest(path: str | Path,
                  missions: str | Path | pd.DataFrame | None = None) -> pd.DataFrame:
    """Read and validate the manifest at ``path``.

    Returns one row per document (RangeIndex, manifest order) with the nine manifest columns
    first, as text (``sha256`` lower-cased, ``missions`` without spaces around ``;``), then any
    extra columns. Raises ``ManifestError`` listing every problem at once (file, line, column,
    fix) if anything is wrong.

    ``missions`` is the operations table: a path (``raw/missions.csv``, loaded with
    :func:`analysis.missions.load_missions`, which raises ``MissionsError`` if the table itself
    is invalid) or a table already loaded by it. When given, every name in the missions column
    must be an acronym, name or alias of one of its operations (upper/lower case does not
    matter; otherwise a problem names the closest acronyms), an operation may be listed only
    once per row, and the returned missions column holds the table's acronyms (``minustah``
    and ``MINUSTAH`` both become ``MINUSTAH``, an alias becomes its operation's acronym).
    Without it (e.g. in a notebook), names are not checked and are returned as written.
    """
    path = Path(path)
    operations, table = missions, "the operations table (raw/missions.csv)"
    if isinstance(missions, (str, Path)):
        operations, table = load_missions(missions), str(missions)
    df, problems = _read_rows(path)
    if df.empty and not problems:
        msg = f"{path}: lists no documents; add one row per PDF under the header"
        raise ManifestError(path, [msg])
    found = problems + _schema_problems(path, df)
    found += _row_problems(path, df)
    canonical: dict[int, str] = {}
    if operations is not None:
        named, canonical = _operation_problems(path, df, operations, table)
        found += named
    if found:
        found.sort(key=lambda t: (t[0], t[1]))
        raise ManifestError(path, [msg for _, _, msg in found])
    df["sha256"] = df["sha256"].str.lower()
    for line, cell in canonical.items():
        df.loc[line, "missions"] = cell
    extra = [c for c in df.columns if c not in MANIFEST_COLUMNS]
    return df[list(MANIFEST_COLUMNS) + extra].reset_index(drop=True)


# --- row -> file --------------------------------------------------------------------------

def local_path(row, manifest_dir: str | Path) -> Path | None:
    """The row's ``path`` joined to the manifest folder (as given, not resolved), or None."""
    if not row["path"]:
        return None
    return Path(manifest_dir) / row["path"]


def can_download(row) -> bool:
    """True if the row names a symbol or source_url to download the PDF from."""
    return bool(row["symbol"] or row["source_url"])


def download_path(doc_id: str, sources_dir: str | Path) -> Path:
    """Where a downloaded PDF lives: ``<sources_dir>/<doc_id>.pdf``."""
    return Path(sources_dir) / f"{doc_id}.pdf"


def needs_download(row, manifest_dir: str | Path) -> bool:
    """True if the row has no local file but can be downloaded."""
    local = local_path(row, manifest_dir)
    return (local is None or not local.is_file()) and can_download(row)


# --- corpus tables ------------------------------------------------------------------------

class DocumentsSchema(pa.DataFrameModel):
    """``results/corpus/documents.csv``: accepted documents, sorted by doc_id."""

    doc_id: Series[str] = pa.Field(unique=True, str_matches=SAFE_ID.pattern)
    doc_type: Series[str] = pa.Field(isin=DOC_TYPES)
    missions: Series[str]
    date: Series[str]
    title: Series[str]
    symbol: Series[str]
    path: Series[str]
    sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$", unique=True)
    n_pages: Series[int] = pa.Field(gt=0)
    needs_ocr: Series[bool]  # no text layer on any page: the extract stage OCRs it

    class Config:
        strict = True
        ordered = True


class QuarantineSchema(pa.DataFrameModel):
    """``results/qc/quarantine.csv``: rejected documents and why, sorted by doc_id."""

    doc_id: Series[str] = pa.Field(unique=True)
    path: Series[str]
    reason: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True
        ordered = True


class LockSchema(pa.DataFrameModel):
    """``results/sources/lock.csv``: one row per document to download, sorted by doc_id."""

    doc_id: Series[str] = pa.Field(unique=True)
    url: Series[str]
    sha256: Series[str]
    bytes: Series[int] = pa.Field(ge=0)
    status: Series[str] = pa.Field(isin=LOCK_STATUSES)
    message: Series[str]

    class Config:
        strict = True
        ordered = True
