"""Plain data of one synthetic document: blocks (headings, paragraphs) and the truth codes.

The generator fills these; the renderer lays them out and records the page of each block;
the builder writes PDF and truth from the same objects, so text and truth cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

# Truth code names and their order in truth files (RESEARCH-DESIGN vocabulary).
CODE_NAMES = ("part", "strength", "addressee", "oc", "activity", "quadrant", "market",
              "engagement", "negative_reason")


def long_date(day: dt.date) -> str:
    """'15 August 2006', the way UN documents print dates."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def codes(**given) -> dict:
    """A full code dict: every code name, None/False unless given."""
    unknown = set(given) - set(CODE_NAMES)
    if unknown:
        raise ValueError(f"unknown truth code(s) {sorted(unknown)}")
    out = {name: None for name in CODE_NAMES}
    out["oc"] = False
    out["activity"] = False
    out.update(given)
    return out


@dataclass
class Para:
    """One body paragraph: words with their style, printed number, truth codes, footnotes.

    ``style`` picks the layout: "report" (hanging number), "preamble" (unnumbered, first-line
    indent, italic opening), "operative" (indented number, italic verb).
    ``footnotes`` maps a word index to (marker, footnote text); the marker is printed glued to
    the end of that word and is not part of the truth text. ``bank``: the phrasing bank the
    paragraph's wording came from (``tuned`` | ``heldout``, :mod:`analysis.demo.phrasings`).
    """

    seq: int
    para_no: str | None
    words: list[tuple[str, str]]  # (word, "normal" | "italic")
    style: str
    codes: dict
    footnotes: dict[int, tuple[str, str]] = field(default_factory=dict)
    page: int | None = None
    bank: str = "tuned"

    @property
    def text(self) -> str:
        return " ".join(w for w, _ in self.words)


@dataclass
class Heading:
    """A section heading ("II." + "Political and security situation") or a fixed line."""

    number: str | None
    text: str
    level: int  # 1 = I., II.; 2 = A., B.; 0 = a centred line ("The Security Council,")
    before_seq: int  # seq of the first paragraph after it
    page: int | None = None


@dataclass
class Document:
    """Everything needed to render one PDF and write its truth file."""

    doc_id: str
    doc_type: str  # resolution | report
    symbol: str
    date: dt.date
    title: str
    operation: str
    job_number: str
    blocks: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # document-level truth beyond the basics
    pages: int | None = None

    @property
    def paragraphs(self) -> list[Para]:
        return [b for b in self.blocks if isinstance(b, Para)]

    @property
    def headings(self) -> list[Heading]:
        return [b for b in self.blocks if isinstance(b, Heading)]
