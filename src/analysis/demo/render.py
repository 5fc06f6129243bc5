"""Typeset a :class:`~analysis.demo.model.Document` as a PDF with reportlab (canvas level).

Layout, in the manner of UN documents: a first-page header (symbol, "Security Council",
distribution and date) with a boxed SYNTHETIC DEMO label; justified, hyphenated body text;
reports with hanging paragraph numbers, section headings and footnotes at the page bottom
(under a short rule); resolutions with italic participial openings and operative verbs; a
running header with the (DEMO) symbol on every later page; a footer with the job number
and the page number on every page.

Invariant mode and fixed random streams make the bytes depend only on the Document.
Rendering records the page where each paragraph and heading starts (``block.page``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

from analysis.demo.linebreak import Piece, Token, break_lines, natural_width
from analysis.demo.model import Document, Heading, Para, long_date

W, H = A4
L, R = 72.0, W - 72.0
BODY = ("Times-Roman", 10.5)
LEADING = 13.0
ITALIC, BOLD = "Times-Italic", "Times-Bold"
FN_FONT, FN_SIZE, FN_LEADING = "Times-Roman", 8.5, 10.0
MARK_SIZE, MARK_RISE = 6.5, 3.5
HANG = 30.0  # report paragraph text starts this far right of the number
INDENT = 36.0  # resolution first-line indent
BOTTOM = 78.0  # lowest baseline of body text (without footnotes)
TOP_LATER = H - 76.0
PARA_GAP, HEAD_GAP = 6.0, 10.0
LABEL = ("SYNTHETIC DEMO MATERIAL - generated for software testing. "
         "Not a United Nations document.")


def _tokens(para_words, footnotes: dict, size: float = BODY[1]) -> list[Token]:
    tokens = []
    for i, (word, style) in enumerate(para_words):
        font = ITALIC if style == "italic" else BODY[0]
        pieces = [Piece(word, font, size)]
        if i in footnotes:
            pieces.append(Piece(footnotes[i][0], BODY[0], MARK_SIZE, MARK_RISE))
        tokens.append(Token(pieces))
    return tokens


class Pager:
    """Places lines top to bottom, opens pages, reserves room for footnotes."""

    def __init__(self, top_first: float):
        self.pages: list[dict] = []
        self._new_page(top_first)

    def _new_page(self, top: float | None = None) -> None:
        self.pages.append({"ops": [], "footnotes": [], "fn_height": 0.0})
        self.y = top if top is not None else TOP_LATER
        self.at_top = True

    @property
    def page(self) -> dict:
        return self.pages[-1]

    def room(self) -> float:
        """Vertical room left above the footnote area."""
        return self.y - (BOTTOM + self.page["fn_height"])

    def gap(self, points: float) -> None:
        if not self.at_top:
            self.y -= points

    def ensure(self, height: float) -> None:
        if self.room() < height and not self.at_top:
            self._new_page()

    def _notes_height(self, notes: list | None) -> float:
        height = sum(n[2] for n in notes or [])
        if notes and not self.page["footnotes"]:
            height += 12.0  # the short rule above the first footnote
        return height

    def place(self, x: float, pieces: list[Piece], word_space: float = 0.0,
              notes: list | None = None) -> int:
        """Put one line at x on the next baseline; returns its 1-based page number."""
        if self.room() < LEADING + self._notes_height(notes) and not self.at_top:
            self._new_page()
        extra = self._notes_height(notes)
        self.y -= LEADING
        self.page["ops"].append(("text", x, self.y, pieces, word_space))
        for note in notes or []:
            self.page["footnotes"].append(note)
        self.page["fn_height"] += extra
        self.at_top = False
        return len(self.pages)


def _line_pieces(line: list[Token], space_font: str = BODY[0],
                 size: float = BODY[1]) -> list[Piece]:
    pieces: list[Piece] = []
    for j, tok in enumerate(line):
        if j:
            pieces.append(Piece(" ", space_font, size))
        pieces.extend(tok.pieces)
    return pieces


def _footnote(marker: str, text: str, width: float) -> tuple:
    tokens = [Token([Piece(w, FN_FONT, FN_SIZE)]) for w in text.split()]
    tokens[0].pieces.insert(0, Piece(marker + " ", FN_FONT, MARK_SIZE, MARK_RISE))
    lines = break_lines(tokens, (width, width), stringWidth(" ", FN_FONT, FN_SIZE), None)
    return (marker, [_line_pieces(ln, FN_FONT, FN_SIZE) for ln in lines],
            len(lines) * FN_LEADING + 2.0)


def _set_paragraph(pager: Pager, para: Para, rng: np.random.Generator) -> None:
    space = stringWidth(" ", *BODY)
    if para.style == "report":
        num_x, x_first, x_rest = L, L + HANG, L + HANG
    elif para.style == "operative":
        num_x, x_first, x_rest = L + INDENT, L + INDENT + 22.0, L
    else:
        num_x, x_first, x_rest = None, L + INDENT, L
    widths = (R - x_first, R - x_rest)
    tokens = _tokens(para.words, para.footnotes)
    lines = break_lines(tokens, widths, space, rng)
    notes_by_marker = {m: _footnote(m, t, R - L - HANG) for m, t in para.footnotes.values()}
    pager.gap(PARA_GAP)
    for k, line in enumerate(lines):
        width = widths[0] if k == 0 else widths[1]
        last = k == len(lines) - 1
        spaces = len(line) - 1
        word_space = 0.0 if last or spaces == 0 else (width - natural_width(line, space)) / spaces
        pieces = _line_pieces(line)
        notes = [notes_by_marker[p.text] for t in line for p in t.pieces[1:]]
        page = pager.place(x_first if k == 0 else x_rest, pieces, word_space, notes)
        if k == 0:
            para.page = page
            if num_x is not None:  # the number goes first in content (= reading) order
                pager.page["ops"].insert(len(pager.page["ops"]) - 1, (
                    "text", num_x, pager.y, [Piece(para.para_no, BODY[0], BODY[1])], 0.0))


def _set_heading(pager: Pager, head: Heading) -> None:
    pager.gap(HEAD_GAP)
    pager.ensure(3 * LEADING + HEAD_GAP)
    if head.level == 0:
        head.page = pager.place(L + INDENT, [Piece(head.text, *BODY)])
        return
    size = 11.0 if head.level == 1 else BODY[1]
    x_text = L + HANG if head.level == 1 else L + HANG + 18.0
    x_num = L if head.level == 1 else L + HANG
    head.page = pager.place(x_text, [Piece(head.text, BOLD, size)])
    pager.page["ops"].insert(len(pager.page["ops"]) - 1,
                             ("text", x_num, pager.y, [Piece(head.number, BOLD, size)], 0.0))
    pager.y -= 2.0


def _first_page_header(doc: Document, ops: list) -> float:
    """Header, synthetic label and title of page 1; returns the y where body text starts."""
    y0 = H - 60.0

    def text(x, y, s, font, size, align="left"):
        if align == "right":
            x -= stringWidth(s, font, size)
        elif align == "centre":
            x -= stringWidth(s, font, size) / 2
        ops.append(("text", x, y, [Piece(s, font, size)], 0.0))

    text(L, y0, "United Nations", BOLD, 11)
    text(R, y0, doc.symbol, BOLD, 15, "right")
    ops.append(("rule", L, y0 - 8, R, 1.5))
    text(L, y0 - 34, "Security Council", BOLD, 20)
    for k, line in enumerate(["Distr.: General", long_date(doc.date), "Original: English"]):
        text(R - 120, y0 - 22 - 11 * k, line, BODY[0], 9)
    ops.append(("rule", L, y0 - 56, R, 1.5))
    ops.append(("rect", L, y0 - 84, R - L, 18.0))
    text((L + R) / 2, y0 - 78, LABEL, BOLD, 8.5, "centre")
    y = y0 - 110
    if doc.doc_type == "resolution":
        number = doc.symbol.split("/")[-1]
        text((L + R) / 2, y, f"Resolution {number}", BOLD, 13, "centre")
        text((L + R) / 2, y - 15, "SYNTHETIC DEMO", BOLD, 10, "centre")
        text((L + R) / 2, y - 32, "Adopted by the Security Council at its DEMO meeting, on "
             + long_date(doc.date), ITALIC, 10, "centre")
        return y - 44
    title = doc.title.replace(" (SYNTHETIC DEMO)", "")
    tokens = [Token([Piece(w, BOLD, 13)]) for w in title.split()]
    for line in break_lines(tokens, (R - L - HANG,) * 2, stringWidth(" ", BOLD, 13), None):
        ops.append(("text", L + HANG, y, _line_pieces(line, BOLD, 13), 0.0))
        y -= 16
    text(L + HANG, y - 2, "SYNTHETIC DEMO", BOLD, 10)
    return y - 14


def _draw(c: canvas.Canvas, ops: list) -> None:
    for op in ops:
        if op[0] == "rule":
            _, x1, y, x2, width = op
            c.setLineWidth(width)
            c.line(x1, y, x2, y)
        elif op[0] == "rect":
            _, x, y, w, h = op
            c.setLineWidth(0.8)
            c.rect(x, y, w, h, stroke=1, fill=0)
        else:
            _, x, y, pieces, word_space = op
            t = c.beginText(x, y)
            t.setWordSpace(word_space)
            for p in pieces:
                t.setFont(p.font, p.size)
                t.setRise(p.rise)
                t.textOut(p.text)
            c.drawText(t)


def render(doc: Document, path: Path, seed: int) -> None:
    """Write ``doc`` to ``path`` (PDF) and set ``doc.pages`` and every block's ``page``."""
    rng = np.random.default_rng([seed, 20_000, *doc.doc_id.encode()])
    header_ops: list = []
    top = _first_page_header(doc, header_ops)
    pager = Pager(top)
    pager.page["ops"].extend(header_ops)
    for block in doc.blocks:
        if isinstance(block, Heading):
            _set_heading(pager, block)
        else:
            _set_paragraph(pager, block, rng)
    doc.pages = len(pager.pages)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(f"SYNTHETIC DEMO - {doc.title}")
    c.setSubject("Synthetic demo material generated for software testing; "
                 "not a United Nations document")
    c.setAuthor("analysis.demo (synthetic)")
    c.setCreator("analysis.demo")
    c.setKeywords(["synthetic", "demo", doc.symbol])
    for n, page in enumerate(pager.pages, start=1):
        ops = list(page["ops"])
        if n > 1:
            x = L if n % 2 == 0 else R - stringWidth(doc.symbol, BOLD, 9)
            ops.append(("text", x, H - 50, [Piece(doc.symbol, BOLD, 9)], 0.0))
            ops.append(("rule", L, H - 56, R, 0.5))
        if page["footnotes"]:
            y = BOTTOM + page["fn_height"] - 8.0
            ops.append(("rule", L + HANG, y, L + HANG + 72, 0.5))
            y -= 4.0
            for _, lines, _ in page["footnotes"]:
                for pieces in lines:
                    y -= FN_LEADING
                    ops.append(("text", L + HANG, y, pieces, 0.0))
                y -= 2.0
        ops.append(("text", L, 44, [Piece(doc.job_number, BODY[0], 8)], 0.0))
        num = f"{n}/{doc.pages}"
        ops.append(("text", R - stringWidth(num, BODY[0], 8), 44, [Piece(num, BODY[0], 8)], 0.0))
        _draw(c, ops)
        c.showPage()
    c.save()
