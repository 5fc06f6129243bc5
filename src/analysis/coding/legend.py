"""Read acronym legends (``ACR = Full name; ACR = Full name; ...``) into reference rows.

Studies print legends under figures and tables, as in the seed paper's Figure 2 notes:
``AMISOM = African Union Mission in Somalia; EUCAP Sahel Mali = EU CSDP Mission in Mali;
...; UNTMIH = UN Transition Mission in Haiti. a Not a ...``. :func:`parse_legend` recovers
the (acronym, name) pairs from such text as extracted from a PDF:

- Entries are separated by ``;``; acronym and name by ``=``.
- An acronym opens with an all-capital word, which may hold digits and hyphens ("JF-G5S"),
  and may go on with capitalised words ("EUCAP Sahel Mali", "EULEX Kosovo"). Text before it
  in the same entry (the caption, "Figure 2. Examples of ...") is not part of it.
- A name runs to the ``;``; the last one ends at the first full stop (what follows, such as
  a footnote "a Not a multilateral ...", is dropped).
- Line and page breaks are read as spaces; soft hyphens (U+00AD) are removed; a hyphen at a
  line end joins the word parts when the next line starts in lower case ("Stabil-/ization")
  and is kept otherwise ("Guinea-/Bissau", "JF-/G5S"). PDFium writes any line-end hyphen as
  U+FFFE: it is kept only between a lower-case letter and a capital ("Guinea-Bissau"), so an
  acronym split at a line end ("EU-/LEX") is joined again.

Running headers or page numbers that a page break puts inside an entry are not recognised:
pass text from which the extraction stage removed them.

Studies' legends against the operations table: :func:`study_operations` reads every legend
in the captions and footnotes (:data:`LEGEND_KINDS`) of the study documents and says, entry
by entry, whether the operations table knows the operation, so a researcher sees which
operations to add as rows of ``raw/missions.csv``. CLI: ``python -m analysis.coding legends
--paragraphs P --documents D --missions M --out results/qc/study_operations.csv``; one line
per study on stderr ("study <doc_id>: legend names N operations, K not in M: A, B").
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.missions import YEAR_COLUMNS, alias_index
from analysis.schemas.coding import StudyOperations, columns
from analysis.schemas.missions import COLUMNS, alias_key

# Extraction kinds that hold legends: figure/table captions and the notes under them.
LEGEND_KINDS = ("caption", "footnote")
PARAGRAPH_COLUMNS = ("doc_id", "para_seq", "page", "kind", "para_no", "text")

_CLEAN = re.compile(
    # PDFium writes U+FFFE for a hyphen at a line end, whether the hyphen is real or not:
    # keep it between a lower-case letter and a capital ("Guinea-Bissau"), else join.
    r"(?P<keep>(?<=[a-z])\ufffe\s*(?=[A-Z])|-[ \t]*\r?\n\s*(?![a-z]))"
    r"|(?P<join>[\u00ad\ufffe]\s*|-[ \t]*\r?\n\s*(?=[a-z]))"
    r"|\s+"
)
_REPLACE = {"join": "", "keep": "-", None: " "}
# An all-capital first word of two characters or more (digits and inner hyphens allowed),
# then any capitalised words: "AMISOM", "JF-G5S", "EUCAP Sahel Mali".
_ACRONYM = re.compile(
    r"(?=[A-Z0-9-]{2})[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*(?: [A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)*$"
)
_EQUALS = re.compile(r" ?= ?")
_NAME_END = re.compile(r"\.(?: |$)")


@dataclass(frozen=True)
class LegendEntry:
    """One legend entry; ``start``/``end`` delimit it (acronym to name) in the input text."""

    acronym: str
    name: str
    start: int
    end: int


def _clean(text: str) -> tuple[str, list[int]]:
    """Cleaned text (rules in the module docstring) and, per character, its input position."""
    out: list[str] = []
    where: list[int] = []
    pos = 0
    for m in _CLEAN.finditer(text):
        out.append(text[pos : m.start()])
        where.extend(range(pos, m.start()))
        repl = _REPLACE[m.lastgroup]
        out.append(repl)
        where.extend([m.start()] * len(repl))
        pos = m.end()
    out.append(text[pos:])
    where.extend(range(pos, len(text) + 1))
    return "".join(out), where


def find_legend_entries(text: str) -> list[LegendEntry]:
    """Every ``ACR = name`` entry of ``text``, in order, with its span in ``text``."""
    clean, where = _clean(text)
    equals = list(_EQUALS.finditer(clean))
    entries = []
    for i, eq in enumerate(equals):
        head_start = clean.rfind(";", 0, eq.start()) + 1
        if i and equals[i - 1].end() > head_start:
            head_start = equals[i - 1].end()
        acronym = _ACRONYM.search(clean, head_start, eq.start())
        if acronym is None:
            continue
        stop = clean.find(";", eq.end())
        stop = len(clean) if stop < 0 else stop
        if i + 1 < len(equals) and equals[i + 1].start() < stop:
            # No ';' before the next '=': the name ends where the next acronym starts.
            nxt = _ACRONYM.search(clean, eq.end(), equals[i + 1].start())
            stop = nxt.start() if nxt else equals[i + 1].start()
        full_stop = _NAME_END.search(clean, eq.end(), stop)
        name_end = full_stop.start() if full_stop else stop
        name = clean[eq.end() : name_end].strip().rstrip(",")
        if name[:1].isupper() or name[:1].isdigit():  # names are proper nouns; skip "x = y"
            end = where[eq.end() + len(clean[eq.end() : name_end].rstrip()) - 1] + 1
            entries.append(LegendEntry(acronym.group(), name, where[acronym.start()], end))
    return entries


def parse_legend(text: str) -> list[tuple[str, str]]:
    """(acronym, name) pairs of every legend entry in ``text``, in order of appearance."""
    return [(e.acronym, e.name) for e in find_legend_entries(text)]


def legend_rows(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    """Reference rows in the shape of the operations table (``raw/missions.csv``).

    Columns are those of :data:`analysis.schemas.missions.COLUMNS`: ``acronym`` and ``name``
    filled, text columns empty strings, year columns ``<NA>`` (Int64), one row per acronym
    sorted by acronym. A repeated pair is kept once.

    Raises:
        ValueError: an acronym given two different names (both named in the message).
    """
    names: dict[str, str] = {}
    for acronym, name in pairs:
        if names.setdefault(acronym, name) != name:
            raise ValueError(
                f"legend gives acronym {acronym!r} two names, {names[acronym]!r} and {name!r}; "
                "keep the entry that belongs to this legend"
            )
    rows = sorted(names.items())
    df = pd.DataFrame({c: pd.Series([""] * len(rows), dtype=str) for c in COLUMNS})
    df["acronym"] = pd.Series([a for a, _ in rows], dtype=str)
    df["name"] = pd.Series([n for _, n in rows], dtype=str)
    for col in YEAR_COLUMNS:
        df[col] = pd.array([pd.NA] * len(rows), dtype="Int64")
    return df


# ------------------------------------------------------------------ studies' legends
def study_operations(paragraphs: pd.DataFrame, documents: pd.DataFrame,
                     missions: pd.DataFrame) -> pd.DataFrame:
    """Every legend entry in the captions and footnotes of the study documents.

    Args:
        paragraphs: the extraction table (columns :data:`PARAGRAPH_COLUMNS`); only rows of
            kind :data:`LEGEND_KINDS` of documents of ``documents`` with doc_type ``study``
            are read.
        documents: the documents table (doc_id, doc_type): the accepted documents.
        missions: the operations table (:func:`analysis.missions.load_missions`).

    Returns:
        The :class:`analysis.schemas.coding.StudyOperations` table (validated): one row per
        entry, ordered by doc_id, para_seq, then place in the text. An entry is ``known``
        when its acronym, or else its name, is an acronym, name or alias of the table (case
        and spacing ignored, as :func:`analysis.missions.alias_index`);
        ``matched_acronym`` is then the table's acronym, else empty.
    """
    studies = documents.loc[documents["doc_type"] == "study", "doc_id"]
    legends = paragraphs[paragraphs["doc_id"].isin(studies)
                         & paragraphs["kind"].isin(LEGEND_KINDS)]
    legends = legends.sort_values(["doc_id", "para_seq"], kind="stable")
    index = alias_index(missions)
    rows = []
    for para in legends.itertuples(index=False):
        for entry in find_legend_entries(para.text):
            matched = index.get(alias_key(entry.acronym)) or index.get(alias_key(entry.name))
            rows.append({"doc_id": para.doc_id, "page": para.page,
                         "para_no": None if pd.isna(para.para_no) else para.para_no,
                         "para_seq": para.para_seq, "acronym": entry.acronym,
                         "name": entry.name, "known": matched is not None,
                         "matched_acronym": matched or ""})
    table = pd.DataFrame(rows, columns=columns(StudyOperations))
    return StudyOperations.validate(table.astype({"known": bool}))


def study_lines(table: pd.DataFrame, documents: pd.DataFrame, missions_name: str) -> list[str]:
    """One line per study (sorted by doc_id): how many operations its legends name (distinct
    acronyms) and which of them the operations table ``missions_name`` lacks (sorted)."""
    lines = []
    for doc_id in sorted(documents.loc[documents["doc_type"] == "study", "doc_id"]):
        rows = table[table["doc_id"] == doc_id]
        named = set(rows["acronym"])
        missing = sorted(named - set(rows.loc[rows["known"], "acronym"]))
        line = (f"study {doc_id}: legend names {len(named)} operation"
                f"{'' if len(named) == 1 else 's'}, {len(missing)} not in {missions_name}")
        lines.append(line + (f": {', '.join(missing)}" if missing else ""))
    return lines


def read_paragraphs(path: str | Path) -> pd.DataFrame:
    """The columns :func:`study_operations` reads from the extraction table (parquet)."""
    import pyarrow.parquet as pq

    have = pq.read_schema(path).names
    missing = [c for c in PARAGRAPH_COLUMNS if c not in have]
    if missing:
        raise ValueError(f"{path}: column(s) {', '.join(missing)} missing; expected the "
                         "extraction table (python -m analysis.extract collect)")
    return pd.read_parquet(path, columns=list(PARAGRAPH_COLUMNS))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.coding legends",
        description="Acronym legends of the study documents against the operations table.")
    parser.add_argument("--paragraphs", required=True, help="results/extract/paragraphs.parquet")
    parser.add_argument("--documents", required=True, help="results/corpus/documents.csv")
    parser.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    parser.add_argument("--out", required=True, help="results/qc/study_operations.csv")
    args = parser.parse_args(argv)
    try:
        from analysis.coding.paragraphs import read_documents
        from analysis.missions import load_missions

        documents = read_documents(args.documents)
        table = study_operations(read_paragraphs(args.paragraphs), documents,
                                 load_missions(args.missions))
    except (ValueError, OSError) as err:  # each names its file (and line or column)
        print(f"legends failed: {err}", file=sys.stderr)
        return 1
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(out, index=False, lineterminator="\n")
    lines = study_lines(table, documents, args.missions)
    for line in lines:
        print(line, file=sys.stderr)
    if not lines:
        print(f"legends: no study in {args.documents}; {out} has the header only",
              file=sys.stderr)
    return 0
