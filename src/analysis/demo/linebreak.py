"""Own line breaking for the demo PDFs: greedy fill, justification, hyphenation.

We break lines ourselves (canvas + stringWidth) rather than with platypus so that we decide
where words are hyphenated: long words split at a syllable-like boundary with an added
hyphen, and words with a hyphen of their own ("Guinea-Bissau", "counter-narcotics") may
break at that hyphen. An extractor must undo the first and keep the second.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from reportlab.pdfbase.pdfmetrics import stringWidth

VOWELS = set("aeiouyAEIOUY")
HYPHENATE_P = 0.7  # chance to hyphenate a long word when it would overflow
OWN_HYPHEN_P = 0.8  # chance to break a hyphenated compound at its own hyphen
MIN_PART = 3  # letters kept on each side of an added hyphen


@dataclass
class Piece:
    """A run of text drawn in one font; ``rise`` > 0 for superscript footnote markers."""

    text: str
    font: str
    size: float
    rise: float = 0.0

    @property
    def width(self) -> float:
        return stringWidth(self.text, self.font, self.size)


@dataclass
class Token:
    """One word as drawn: its pieces (word, then any footnote marker glued to it)."""

    pieces: list[Piece] = field(default_factory=list)

    @property
    def width(self) -> float:
        return sum(p.width for p in self.pieces)


DIGRAPHS = {"th", "ch", "sh", "ph", "ck", "gh", "wh", "qu"}


def _syllable_cuts(core: str) -> list[int]:
    """Positions i where core[:i] + '-' / core[i:] is a plausible syllable break.

    V-CV ("pro-cess") and VC-CV ("traf-fic"), never inside a digraph ("th", "ck").
    """
    low = core.lower()
    cuts = []
    for i in range(MIN_PART, len(low) - MIN_PART + 1):
        before, a, b, c = low[i - 2], low[i - 1], low[i], low[i + 1]
        if a + b in DIGRAPHS or b + c in DIGRAPHS and b not in VOWELS and a not in VOWELS:
            continue
        v_cv = a in VOWELS and b not in VOWELS and c in VOWELS
        vc_cv = before in VOWELS and a not in VOWELS and b not in VOWELS and c in VOWELS
        if v_cv or vc_cv:
            cuts.append(i)
    return cuts


def split_token(token: Token, room: float, rng: np.random.Generator) -> tuple | None:
    """Split ``token`` so that the head (ending in a hyphen) fits in ``room`` points.

    Returns (head, tail) tokens or None. Only the first piece (the word) is split; a
    footnote marker stays with the tail.
    """
    word = token.pieces[0]
    text = word.text
    if room <= 0 or len(text) < 6:
        return None
    if "-" in text.strip("-"):
        if rng.random() >= OWN_HYPHEN_P:
            return None
        cuts = [i + 1 for i, ch in enumerate(text) if ch == "-" and 0 < i < len(text) - 1]
        heads = [(text[:i], text[i:]) for i in cuts]
    else:
        core = text.rstrip(".,;:)")
        if (not core.isalpha() or sum(ch.isupper() for ch in core) > 1 or len(core) < 7
                or rng.random() >= HYPHENATE_P):
            return None
        heads = [(text[:i] + "-", text[i:]) for i in _syllable_cuts(core)]
    fitting = [(h, t) for h, t in heads if stringWidth(h, word.font, word.size) <= room]
    if not fitting:
        return None
    head, tail = fitting[-1]
    return (Token([Piece(head, word.font, word.size)]),
            Token([Piece(tail, word.font, word.size)] + token.pieces[1:]))


def break_lines(tokens: list[Token], widths: tuple[float, float], space: float,
                rng: np.random.Generator | None) -> list[list[Token]]:
    """Greedy line fill. ``widths`` = (first line, other lines); ``rng`` None = no hyphens."""
    lines: list[list[Token]] = []
    cur: list[Token] = []
    cur_w = 0.0
    queue = list(tokens)
    while queue:
        tok = queue[0]
        avail = widths[0] if not lines else widths[1]
        gap = space if cur else 0.0
        if cur_w + gap + tok.width <= avail + 0.01:
            cur.append(tok)
            cur_w += gap + tok.width
            queue.pop(0)
            continue
        split = split_token(tok, avail - cur_w - gap, rng) if rng is not None and cur else None
        if split:
            cur.append(split[0])
            queue[0] = split[1]
        elif not cur:  # a word longer than the line: let it overflow
            cur.append(queue.pop(0))
        lines.append(cur)
        cur, cur_w = [], 0.0
    if cur:
        lines.append(cur)
    return lines


def natural_width(line: list[Token], space: float) -> float:
    """Width of a line set with plain spaces."""
    return sum(t.width for t in line) + space * (len(line) - 1)
