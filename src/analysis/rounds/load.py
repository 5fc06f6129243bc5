"""Read and check a human round: coder sheets and the optional ``adjudicated.csv``.

A human round is a folder ``raw/coding/<round>/`` with one sheet per coder, ``<coder>.csv``
(the coder's name is the file name), in the layout of the exported sheet
(:mod:`analysis.rounds.sheet`): a ``para_id`` column (:mod:`analysis.ids`: the printed
paragraph number, ``doc:s<para_seq>`` for paragraphs without one) and one column per
variable; other columns (text, comment, ...) are ignored, except that ``doc_id``,
``para_no`` and ``para_seq`` must agree with the id when filled (and an empty ``para_no``
on a row whose ``doc_id`` is filled means "no printed number", so it must agree too), so a
row whose id was edited, or a sheet exported before ids carried the printed number, is
caught instead of being read as another paragraph. An empty cell means "not coded"; a row with no code
at all is skipped. Values are written as :func:`analysis.rounds.variables.normalise` reads them.
Comma- or semicolon-separated files both work (spreadsheets save either).

``adjudicated.csv`` in the same folder settles disagreements: columns ``para_id, variable,
value`` (one row per settled paragraph and variable; others ignored).

Every problem of every file is collected and raised at once in a :class:`SheetError`, each
with the file, the line (header = line 1, as a spreadsheet shows it) and the column:
unknown or malformed paragraph id, an id that disagrees with the row's doc_id, para_no or
para_seq, value outside the codebook, a value where the variable
does not apply to the document type, duplicate rows, missing columns, unreadable file.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from analysis.ids import split_para_id
from analysis.io import read_csv
from analysis.problems import Problem, ProblemsError
from analysis.rounds.variables import PARAGRAPH_COLUMNS, Variable, normalise
from analysis.vocab import NOT_APPLICABLE, VARIABLES

ADJUDICATED = "adjudicated.csv"
CODE_COLUMNS = ["round", "coder", *PARAGRAPH_COLUMNS, "variable", "value"]
ADJUDICATED_COLUMNS = ["round", *PARAGRAPH_COLUMNS, "variable", "value"]
# Columns of the exported sheet that restate where the paragraph is; checked against the id.
_RESTATED = ("doc_id", "para_no", "para_seq")


class SheetError(ProblemsError):
    """A coder sheet or adjudication file is invalid; ``.problems`` lists every problem."""

    subject = "the coding round's files"


def coder_files(folder: str | Path) -> list[Path]:
    """The coder sheets of a round folder: every ``*.csv`` but ``adjudicated.csv``, sorted."""
    return sorted(p for p in Path(folder).glob("*.csv") if p.name != ADJUDICATED)


def _read(path: Path, problems: list[Problem]) -> pd.DataFrame | None:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = handle.readline()
        sep = ";" if header.count(";") > header.count(",") else ","
        df = read_csv(path, sep=sep)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, csv.Error) as err:
        problems.append(Problem(str(path), None, None, f"cannot be read as CSV ({err}); save "
                                "it as CSV UTF-8 from the spreadsheet"))
        return None
    except pd.errors.EmptyDataError:
        problems.append(Problem(str(path), None, None, "empty file; export the sheet again"))
        return None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _missing(df: pd.DataFrame, path: Path, need: list[str], problems: list[Problem]) -> bool:
    missing = [c for c in need if c not in df.columns]
    if missing:
        problems.append(Problem(str(path), 1, ", ".join(missing),
                                "missing column(s); keep the columns of the exported sheet "
                                f"({', '.join(need)})"))
    return bool(missing)


def _paragraph(value: str, paragraphs: pd.DataFrame, path: Path, line: int,
               problems: list[Problem], rec: dict | None = None) -> pd.Series | None:
    """The paragraph (a row of ``paragraphs``) of an id, or None (with a problem) when the
    id is malformed, unknown, or disagrees with the row's doc_id, para_no or para_seq."""
    value = value.strip()
    if split_para_id(value) is None:
        problems.append(Problem(str(path), line, "para_id", f"{value!r} is not a paragraph id "
                                "(<doc_id>:<printed number> or <doc_id>:s<para_seq>, as in "
                                "the exported sheet)"))
        return None
    if value not in paragraphs.index:
        problems.append(Problem(str(path), line, "para_id", f"{value!r} is not a coded "
                                "paragraph of this corpus; copy ids from the exported sheet"))
        return None
    para = paragraphs.loc[value]
    for column in _RESTATED:
        if column not in (rec or {}):
            continue
        given = str(rec[column]).strip()
        if given.endswith(".0") and column == "para_seq":
            given = given[:-2]  # a spreadsheet's number format
        # On an exported row (doc_id filled) an empty para_no says "no printed number", so
        # it is checked too; other empty cells say nothing.
        exported = column == "para_no" and str(rec.get("doc_id", "")).strip()
        if (given or exported) and given != str(para[column]).strip():
            number = f"printed {para['para_no']}" if para["para_no"] else "without a number"
            problems.append(Problem(str(path), line, column, (
                f"{given!r} does not match para_id {value!r} (paragraph {number}, para_seq "
                f"{para['para_seq']}, page {para['page']} of {para['doc_id']}); ids use the "
                "printed paragraph number (sheets exported before that used para_seq): "
                "export the sheet again, or correct the para_id")))
            return None
    return para


def read_sheet(path: str | Path, round_name: str, paragraphs: pd.DataFrame,
               vocab: dict[str, Variable], problems: list[Problem]) -> pd.DataFrame:
    """Long codes of one coder sheet (:data:`CODE_COLUMNS`); problems are appended.

    ``paragraphs``: :func:`analysis.rounds.variables.paragraph_table` of the corpus's coded
    paragraphs (indexed by para_id).
    """
    path = Path(path)
    df = _read(path, problems)
    if df is None or _missing(df, path, ["para_id", *VARIABLES], problems):
        return pd.DataFrame(columns=CODE_COLUMNS)
    rows, seen = [], {}
    for i, rec in enumerate(df.to_dict("records")):
        line = i + 2
        cells = {v: str(rec[v]).strip() for v in VARIABLES}
        coded = {v: c for v, c in cells.items() if c and c.lower() != NOT_APPLICABLE}
        if not coded and not rec["para_id"].strip():
            continue  # an empty line
        para = _paragraph(rec["para_id"], paragraphs, path, line, problems, rec)
        pid = rec["para_id"].strip()
        if pid in seen:
            problems.append(Problem(str(path), line, "para_id", f"{pid} is coded twice (also "
                                    f"line {seen[pid]}); keep one row per paragraph"))
            continue
        seen[pid] = line
        if para is None:
            continue
        doc_type = para["doc_type"]
        for name, cell in coded.items():
            var = vocab[name]
            if not var.applies(doc_type):
                problems.append(Problem(str(path), line, name, f"{cell!r}: {name} is not "
                                        f"coded for a {doc_type}; leave the cell n/a or empty"))
                continue
            value, why = normalise(var, cell)
            if why:
                problems.append(Problem(str(path), line, name, why))
                continue
            rows.append((round_name, path.stem, *para[PARAGRAPH_COLUMNS], name, value))
    return pd.DataFrame(rows, columns=CODE_COLUMNS)


def read_adjudicated(path: str | Path, round_name: str, paragraphs: pd.DataFrame,
                     vocab: dict[str, Variable], problems: list[Problem]) -> pd.DataFrame:
    """Settled values (:data:`ADJUDICATED_COLUMNS`) of ``adjudicated.csv``."""
    path = Path(path)
    df = _read(path, problems)
    if df is None or _missing(df, path, ["para_id", "variable", "value"], problems):
        return pd.DataFrame(columns=ADJUDICATED_COLUMNS)
    rows, seen = [], {}
    for i, rec in enumerate(df.to_dict("records")):
        line = i + 2
        pid, name, cell = (str(rec[c]).strip() for c in ("para_id", "variable", "value"))
        if not (pid or name or cell):
            continue
        para = _paragraph(pid, paragraphs, path, line, problems, rec)
        if name not in vocab:
            problems.append(Problem(str(path), line, "variable", f"{name!r} is not a coded "
                                    f"variable; use one of {', '.join(VARIABLES)}"))
            continue
        if (pid, name) in seen:
            problems.append(Problem(str(path), line, "para_id", f"{pid} {name} is settled "
                                    f"twice (also line {seen[(pid, name)]}); keep one row"))
            continue
        seen[(pid, name)] = line
        if para is None:
            continue
        if not vocab[name].applies(para["doc_type"]):
            problems.append(Problem(str(path), line, "variable", f"{name} is not coded for a "
                                    f"{para['doc_type']}"))
            continue
        value, why = normalise(vocab[name], cell)
        if why:
            problems.append(Problem(str(path), line, "value", why))
            continue
        rows.append((round_name, *para[PARAGRAPH_COLUMNS], name, value))
    return pd.DataFrame(rows, columns=ADJUDICATED_COLUMNS)


def load_round(sheets: list[str | Path], round_name: str, paragraphs: pd.DataFrame,
               vocab: dict[str, Variable],
               adjudicated: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(codes, adjudicated)`` of a human round; :class:`SheetError` lists every problem.

    ``sheets``: the coder sheets (coder = file stem; two sheets with the same stem are an
    error); ``adjudicated``: the optional ``adjudicated.csv`` (None or absent: none).
    """
    problems: list[Problem] = []
    stems: dict[str, Path] = {}
    frames = []
    for path in map(Path, sheets):
        if path.stem in stems:
            problems.append(Problem(str(path), None, None, f"coder {path.stem} has two sheets "
                                    f"({stems[path.stem]}); rename one"))
            continue
        stems[path.stem] = path
        frames.append(read_sheet(path, round_name, paragraphs, vocab, problems))
    settled = pd.DataFrame(columns=ADJUDICATED_COLUMNS)
    if adjudicated is not None and Path(adjudicated).exists():
        settled = read_adjudicated(adjudicated, round_name, paragraphs, vocab, problems)
    if problems:
        raise SheetError(problems)
    codes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=CODE_COLUMNS)
    codes["order"] = codes["variable"].map(VARIABLES.index)
    codes = codes.sort_values(["coder", "doc_id", "para_seq", "order"], kind="stable")
    return codes.drop(columns="order").reset_index(drop=True), settled
