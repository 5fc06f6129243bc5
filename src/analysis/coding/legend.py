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
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.missions import YEAR_COLUMNS
from analysis.schemas.missions import COLUMNS

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
