"""Every PDF the tests read is built here, with reportlab / pypdfium2 (plain functions that
any test imports: ``from pdf_fixtures import text_pdf``). conftest.py only wraps the typeset
documents in session fixtures.

Plain documents (Helvetica lines drawn from the top of an A4 page):

- ``text_pdf``: lines of text on one or more pages; options for a title line, numbered and
  wrapped paragraphs, the spacing, scanned pages without a text layer, and encryption
  (a user password, or an owner password only).
- ``encrypted_pdf``: a PDF that needs a password to open.
- ``image_only_pdf``: one page of drawn bars and no text layer (a scan without OCR).
- ``zero_page_pdf``: a valid PDF with no pages; ``truncated_pdf``: half of another PDF's bytes.
- ``study_pdf``: a page of a study: body text, a figure caption and page-bottom notes.

Typeset UN documents (``Typesetter``: justified lines, numbered paragraphs, running headers,
footnotes, forced line breaks inside hyphenated words; ``filler`` gives neutral words):

- ``build_report``: a 4-page Secretary-General report (see tests/test_extract.py).
- ``build_resolution``: a resolution with preambular and numbered operative paragraphs.
- ``build_ligature``: one line drawn with ligature code points (fi, fl, ffi ...).
- ``build_with_image_page``: text, a page without a text layer, text.

Column layouts (``ColumnTypesetter``: one or two columns, layout switches mid-page, full-width
titles and headings, hyphenation, superscript footnote markers with page-bottom notes):

- ``typeset_seed``: the seed paper's text (read from ../shared at test time, never stored
  here) or any blocks, e.g. ``generated_study_blocks()`` (neutral words), in one column, two,
  or "mixed".

Scans: ``scan_pages`` renders every page of a PDF to a bilevel 300 dpi image and wraps the
images as an image-only PDF (no text layer).

Corpus helpers: ``write_manifest`` (a raw/manifest.csv) and ``tree_state`` (to prove a folder
was not touched).

Every builder writes ``path`` and returns it. reportlab runs in invariant mode, so the same
arguments give byte-identical files (no creation date, fixed document id).
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
import reportlab
from reportlab.lib import pdfencrypt
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

MANIFEST_HEADER = ("doc_id", "path", "doc_type", "missions", "date", "title", "symbol",
                   "source_url", "sha256")


def text_pdf(path: str | Path, *paragraphs: str,
             pages: int | Sequence[Sequence[str] | None] = 1, title: str | None = None,
             numbered: bool = False, width: float | None = None, size: float = 12,
             leading: float = 18, gap: float = 0, encrypt: str | None = None,
             owner_password: str | None = None) -> Path:
    """A PDF with a text layer: Helvetica lines drawn from the top of each A4 page.

    ``pages`` is a number of pages that each carry ``paragraphs`` (default "Page N of
    <file stem>."), or a list with each page's paragraphs, where ``None`` is a scanned page:
    drawn bars and no text layer. ``title`` is drawn first on the first page with text, then
    the paragraphs, numbered "1. ", "2. " ... (across pages) when ``numbered``, each wrapped
    to ``width`` points when given (else one line each). Lines are ``leading`` points apart,
    with ``gap`` more after the title and each paragraph; the type is ``size`` points.
    ``encrypt`` is the password needed to open the file; ``owner_password`` protects it
    against editing (with ``encrypt`` unset, it still opens without a password).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(pages, int):
        contents = [paragraphs or (f"Page {page + 1} of {path.stem}.",) for page in range(pages)]
    elif paragraphs:
        raise TypeError("text_pdf: give the paragraphs as arguments or per page in `pages`, "
                        "not both")
    else:
        contents = list(pages)
    if owner_password is not None:
        encrypt = pdfencrypt.StandardEncryption(encrypt or "", ownerPassword=owner_password,
                                                canModify=0)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1, encrypt=encrypt)
    number = 0
    for content in contents:
        if content is None:
            _scan_bars(c)
        else:
            c.setFont("Helvetica", size)
            blocks = []
            if title is not None:
                blocks, title = [title], None
            for text in content:
                number += 1
                blocks.append(f"{number}. {text}" if numbered else text)
            y = 780
            for block in blocks:
                for line in simpleSplit(block, "Helvetica", size, width) if width else [block]:
                    c.drawString(72, y, line)
                    y -= leading
                y -= gap
        c.showPage()
    c.save()
    return path


def _scan_bars(c: canvas.Canvas) -> None:
    """Grey bars standing in for the scanned lines of a page without a text layer."""
    for i in range(12):
        c.setFillGray(0.2 + 0.05 * (i % 3))
        c.rect(72, 760 - 20 * i, 400 - 15 * (i % 4), 10, stroke=0, fill=1)


def encrypted_pdf(path: str | Path, password: str = "secret") -> Path:
    """A PDF that needs a (user) password to open."""
    return text_pdf(path, "Confidential operative paragraph.", encrypt=password)


def image_only_pdf(path: str | Path) -> Path:
    """A PDF whose page carries only drawn shapes (like a scan without OCR): no text layer."""
    return text_pdf(path, pages=[None])


def zero_page_pdf(path: str | Path) -> Path:
    """A structurally valid PDF with no pages (saved by PDFium)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = pdfium.PdfDocument.new()
    doc.save(str(path))
    doc.close()
    return path


def truncated_pdf(path: str | Path, source: str | Path) -> Path:
    """The first half of the bytes of ``source``: a corrupt PDF that still starts with %PDF."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)


def write_manifest(path: str | Path, rows: list[dict]) -> Path:
    """Write a manifest CSV; missing keys become empty cells (missions default MINUSTAH)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    defaults = {"doc_type": "report", "missions": "MINUSTAH", "date": "2007-08-22"}
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=MANIFEST_HEADER, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, defaults.get(k, "")) for k in MANIFEST_HEADER})
    return path


def tree_state(folder: str | Path) -> dict[str, tuple[int, int]]:
    """{relative path: (size, mtime_ns)} of ``folder`` and everything under it; folders have
    size -1 and their mtime changes when an entry is created or deleted inside them, so even a
    temporary file that was removed again shows up."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): (p.stat().st_size if p.is_file() else -1,
                                               p.stat().st_mtime_ns)
            for p in [folder, *sorted(folder.rglob("*"))]}


def study_pdf(path: str | Path, body: list[str], caption: list[str] = (),
              notes: list[str] = ()) -> Path:
    """A one-page study: ``body`` lines in 11 pt, then a figure caption (``caption`` lines in
    10 pt, the first starting "Figure N."), and page-bottom notes (``notes`` lines in 8 pt,
    the first starting with its number): the layout of a study's figure legends. Give more
    body text than caption text: extraction takes the commonest font size for the body."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    y = 770
    for size, lines in ((11, body), (10, caption)):
        for line in lines:
            c.setFont("Times-Roman", size)
            c.drawString(72, y, line)
            y -= size + 3
        y -= 12
    y = 60 + 11 * len(notes)
    for line in notes:
        c.setFont("Times-Roman", 8)
        c.drawString(72, y, line)
        y -= 11
    c.showPage()
    c.save()
    return path


# -- typeset UN documents -------------------------------------------------------------------------

LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 770.0, 90.0


@dataclass
class Typesetter:
    """Draw justified, numbered UN-style text line by line on a reportlab canvas.

    Every line is drawn by itself (text objects with word spacing for justification), so a
    test controls exactly where a line ends and where a word is split: in a paragraph string,
    ``"peace-|keeping"`` forces a line break after ``peace-``, and ``"agendas.^2"`` sets ``2``
    as a superscript footnote marker glued to ``agendas.``.
    """

    path: Path
    symbol: str = ""
    job: str = ""
    fs: float = 11.0
    lead: float = 14.0
    page_no: int = 0
    y: float = TOP
    notes: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self):
        self.c = canvas.Canvas(str(self.path), pagesize=A4, invariant=1)
        self.new_page(first=True)

    # -- page furniture --------------------------------------------------------------
    def new_page(self, first: bool = False):
        if not first:
            self.finish_page()
            self.c.showPage()
        self.page_no += 1
        self.y = TOP
        c = self.c
        if self.page_no > 1 and self.symbol:  # running header with the symbol
            c.setFont("Times-Bold", 10)
            x = (
                LEFT
                if self.page_no % 2 == 0
                else RIGHT - c.stringWidth(self.symbol, "Times-Bold", 10)
            )
            c.drawString(x, 800, self.symbol)
            c.line(LEFT, 795, RIGHT, 795)

    def finish_page(self):
        c = self.c
        if self.notes:  # footnotes in small type at the page bottom, above the footer
            y = BOTTOM - 4 + 11 * len(self.notes)
            c.line(LEFT, y + 10, LEFT + 100, y + 10)
            for num, text in self.notes:
                c.setFont("Times-Roman", 6)
                c.drawString(LEFT, y + 3, num)
                c.setFont("Times-Roman", 8.5)
                c.drawString(LEFT + 8, y, text)
                y -= 11
            self.notes = []
        c.setFont("Times-Roman", 9)
        c.drawCentredString(A4[0] / 2, 50, str(self.page_no))
        if self.job:
            c.drawString(LEFT, 36, self.job)
            digits = self.job.split(" ")[0].replace("-", "")
            c.setFont("Courier", 9)
            c.drawRightString(RIGHT, 36, f"*{digits}*")

    def space(self, pts: float):
        self.y -= pts

    def ensure(self, pts: float):
        if self.y - pts < BOTTOM + 11 * len(self.notes) + 20:
            self.new_page()

    # -- text ------------------------------------------------------------------------
    def line(self, text: str, font="Times-Roman", size=None, x=LEFT, justify_to=None):
        size = size or self.fs
        self.ensure(self.lead)
        self._draw(text, font, size, x, justify_to)
        self.y -= self.lead

    def _draw(self, text, font, size, x, justify_to):
        c = self.c
        parts = text.split("^")
        plain = "".join(p if i == 0 else p.lstrip("0123456789") for i, p in enumerate(parts))
        width = pdfmetrics.stringWidth(plain, font, size)
        n_spaces = plain.count(" ")
        ws = (justify_to - x - width) / n_spaces if justify_to and n_spaces else 0.0
        t = c.beginText(x, self.y)
        t.setWordSpace(ws)
        for i, part in enumerate(parts):
            if i:
                digits = part[: len(part) - len(part.lstrip("0123456789"))]
                t.setFont(font, size * 0.65)
                t.setRise(size * 0.4)
                t.textOut(digits)
                t.setRise(0)
                part = part[len(digits) :]
            t.setFont(font, size)
            t.textOut(part)
        c.drawText(t)

    def heading(self, text: str, size: float = 11.5):
        self.ensure(3 * self.lead)
        self.space(6)
        self.line(text, font="Times-Bold", size=size)
        self.space(4)

    def paragraph(
        self,
        text: str,
        number: str | None = None,
        indent: float = 0.0,
        font="Times-Roman",
        notes: list[tuple[str, str]] = (),
    ):
        """Greedy-break ``text`` into justified lines ("|" forces a break after a word)."""
        x_text = LEFT + 36 if number else LEFT + indent
        lines, cur = [], []
        width = RIGHT - LEFT

        def w(words):
            s = " ".join(words).replace("|", "")
            s = "".join(p if i == 0 else p.lstrip("0123456789") for i, p in enumerate(s.split("^")))
            return pdfmetrics.stringWidth(s, font, self.fs)

        for word in text.split():
            avail = width - (x_text - LEFT if not lines else 0)
            if cur and w(cur + [word.split("|")[0]]) > avail:
                lines.append((cur, True))
                cur = []
            if "|" in word:
                head, tail = word.split("|")
                lines.append((cur + [head], True))
                cur = [tail]
            else:
                cur.append(word)
        lines.append((cur, False))
        for i, (words, justify) in enumerate(lines):
            self.ensure(self.lead)
            if i == 0:  # notes go to the page where the paragraph (and its marker) starts
                self.notes.extend(notes)
            if i == 0 and number:
                self.c.setFont(font, self.fs)
                self.c.drawString(LEFT, self.y, f"{number}.")
            x = x_text if i == 0 else LEFT
            self._draw(" ".join(words), font, self.fs, x, RIGHT if justify else None)
            self.y -= self.lead
        self.space(6)

    def save(self):
        self.finish_page()
        self.c.save()
        return self.path


WORDS = [
    "the",
    "mission",
    "continued",
    "to",
    "support",
    "national",
    "authorities",
    "in",
    "the",
    "areas",
    "of",
    "security",
    "sector",
    "reform",
    "border",
    "management",
    "and",
    "the",
    "rule",
    "of",
    "law",
    "while",
    "monitoring",
    "the",
    "political",
    "situation",
    "and",
    "reporting",
    "on",
    "developments",
    "that",
    "affect",
    "the",
    "implementation",
    "of",
    "its",
    "mandate",
]


def filler(n: int, seed: int = 0) -> str:
    """Deterministic neutral filler text of ``n`` words (no hyphens, no digits)."""
    return " ".join(WORDS[(seed * 7 + i) % len(WORDS)] for i in range(n))


def masthead(ts: Typesetter, symbol: str, *right_lines: str) -> None:
    """The UN masthead of a first page: "United Nations", the symbol, "Security Council",
    then "Distr.: General" and ``right_lines`` (date, original language) on the right."""
    c = ts.c
    c.setFont("Helvetica", 10)
    c.drawString(LEFT, TOP + 20, "United Nations")
    c.setFont("Helvetica-Bold", 14)
    c.drawRightString(RIGHT, TOP + 20, symbol)
    ts.y = TOP - 6
    ts.line("Security Council", font="Helvetica-Bold", size=16)
    for line in ("Distr.: General", *right_lines):
        ts.line(line, x=380)


def build_report(path: Path) -> Path:
    """A 4-page Secretary-General-style report; see tests/test_extract.py for what it holds."""
    ts = Typesetter(path, symbol="S/2007/503", job="07-45678 (E)")
    masthead(ts, "S/2007/503", "24 August 2007", "Original: English")
    ts.space(18)
    ts.line("Report of the Secretary-General on the United Nations", font="Times-Bold", size=14)
    ts.line("Demonstration Mission", font="Times-Bold", size=14)
    ts.space(10)
    ts.heading("I. Introduction")
    ts.paragraph(
        "The present report is submitted pursuant to resolution 1542 (2004), by which the "
        "Security Council requested regular updates. " + filler(40, 1),
        number="1",
    )
    ts.paragraph(
        "The mission supported peace-|keeping partners and national police in "
        + filler(12, 2)
        + " near the border with Guinea-|Bissau where smuggling persists. "
        + filler(30, 3)
        + " security challenges.^2 Organized groups exploit weak "
        + filler(25, 4)
        + " in the G5 Sahel and in the 1990s. The figure of 2.1 per cent was noted.",
        number="2",
        notes=[("2", "See the report of the Secretary-General (S/2006/123).")],
    )
    ts.heading("II. Security situation")
    ts.heading("A. Political developments", size=11)
    for k in range(3, 6):
        ts.paragraph(filler(70, k) + f" in the reporting period number {k}.", number=str(k))
    ts.paragraph(
        "Counter-trafficking units were deployed and trafficking routes were mapped. "
        + filler(60, 7)
        + " the national co-|optation of armed groups was discussed. "
        + filler(30, 8)
        + " development agendas.^3 Organized crime "
        + filler(15, 9)
        + ".",
        number="6",
        notes=[("3", "Figures provided by the national police.")],
    )
    ts.heading("B. Organized crime")
    ts.paragraph(
        "The mission assisted counter-|trafficking operations along the coast. "
        + filler(50, 10)
        + " organiza-|tion of joint patrols.",
        number="7",
    )
    # Fill the page so paragraph 8 starts near the bottom and continues on the next page.
    while ts.y - 6 * ts.lead > BOTTOM + 40:
        ts.paragraph(filler(40, int(ts.y)) + ".", number=str(_next_no(ts)))
    ts.paragraph(
        "This paragraph begins at the foot of one page and "
        + filler(110, 11)
        + " and it ends on the following page with a final clause.",
        number=str(_next_no(ts)),
    )
    ts.heading("III. Observations")
    ts.paragraph(
        "I remain concerned about trafficking in the region. " + filler(45, 12) + ".",
        number=str(_next_no(ts)),
    )
    return ts.save()


def _next_no(ts: Typesetter) -> int:
    ts._n = getattr(ts, "_n", 7) + 1
    return ts._n


def build_resolution(path: Path) -> Path:
    """A resolution: masthead, preambular (indented, unnumbered) and numbered operative paras."""
    ts = Typesetter(path, symbol="S/RES/DEMO-1001 (2005)", job="05-12345 (E)")
    masthead(ts, "S/RES/DEMO-1001 (2005)", "30 April 2005")
    ts.space(18)
    ts.line("Resolution DEMO-1001 (2005)", font="Times-Bold", size=14)
    ts.line("Adopted by the Security Council at its 9999th meeting, on 30 April 2005")
    ts.space(8)
    ts.paragraph("The Security Council,", indent=36)
    ts.paragraph(
        "Recalling its previous resolutions and the statements of its President on "
        "the situation in the region, " + filler(30, 1) + ",",
        indent=36,
    )
    ts.paragraph(
        "Expressing concern at the threat posed by drug trafficking and organized "
        "crime to stability in the region, " + filler(35, 2) + ",",
        indent=36,
    )
    ts.paragraph(
        "Determining that the situation continues to constitute a threat to "
        "international peace and security in the region,",
        indent=36,
    )
    ts.paragraph(
        "Decides to establish the mission for an initial period of six months, "
        + filler(30, 3)
        + ";",
        number="1",
    )
    ts.paragraph(
        "Requests the mission to support the national authorities in combating "
        "trafficking " + filler(40, 4) + ";",
        number="2",
    )
    ts.paragraph(
        "Calls upon Member States to cooperate fully with the mission " + filler(25, 5) + ";",
        number="3",
    )
    ts.paragraph("Decides to remain actively seized of the matter.", number="4")
    return ts.save()


DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LIGATURE_TEXT = "The \ufb01nal \ufb02ow of e\ufb03cient sta\ufb00 work was \ufb04ed \ufb01les."
LIGATURE_PLAIN = "The final flow of efficient staff work was ffled files."


def build_ligature(path: Path) -> tuple[Path, str, str]:
    """One page in a TrueType font with ligature code points drawn.

    Returns (path, drawn text, expected plain text). DejaVu Sans has all of ﬁ ﬂ ﬀ ﬃ ﬄ;
    reportlab's bundled Vera (used when DejaVu is absent) only ﬁ and ﬂ.
    """
    if DEJAVU.is_file():
        font, drawn, plain = str(DEJAVU), LIGATURE_TEXT, LIGATURE_PLAIN
    else:
        font = os.path.join(os.path.dirname(reportlab.__file__), "fonts", "Vera.ttf")
        drawn, plain = "The \ufb01nal \ufb02ow was \ufb01led.", "The final flow was filed."
    pdfmetrics.registerFont(TTFont("LigFont", font))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("LigFont", 11)
    c.drawString(LEFT, 700, drawn)
    c.save()
    return path, drawn, plain


def build_with_image_page(path: Path) -> Path:
    """Three pages: text, a page with only drawn shapes (no text layer), text."""
    return text_pdf(path, pages=[["Text on page 1: the mission reported on patrols."], None,
                                 ["Text on page 3: a later page closes."]])


# ------------------------------------------------------------------ column layouts ----

@dataclass
class _Item:
    """One line (or vertical space) waiting to be placed in a column band."""

    height: float
    text: str = ""
    font: str = "Times-Roman"
    size: float = 10.0
    indent: float = 0.0
    justify: bool = False
    notes: tuple[tuple[str, str], ...] = ()
    label: str = ""  # a paragraph number drawn at the column's left edge


class ColumnTypesetter:
    """Typeset a study in one or two columns, the way journals and NGO reports are set.

    ``columns`` is the number of columns (1 or 2) at the start; ``set_columns`` switches the
    layout for the text that follows (below the text set so far, on the same page).
    Paragraphs are broken greedily into
    justified lines of the column width; a word that does not fit is hyphenated
    ("organiza-" / "tion", both parts three letters or more) when the line would otherwise
    be loose. In text, ``"word.^3"`` sets ``3`` as a superscript footnote marker; the note
    (``notes={"3": "..."}``) goes to the bottom of the page where its marker is drawn, in
    small type across the full width. ``wide(...)`` blocks (a title, a spanning heading)
    interrupt the columns: the text before them is balanced over the columns above, as
    typesetters do, and the columns start again below. Every page has a running header
    (``header``) and a page number.
    """

    GUTTER = 20.0

    def __init__(self, path, columns=2, header: str = "", fs: float = 9.5, lead: float = 11.5,
                 notes: dict[str, str] | None = None, interleave: bool = False):
        self.path = Path(path)
        # interleave: write each page's column lines in baseline order across the columns
        # (left line, right line, next baseline ...), as some producers do, instead of
        # column after column.
        self.interleave = interleave
        self._pending: list[tuple] = []
        self.n = columns
        self.header, self.fs, self.lead = header, fs, lead
        self.note_text = notes or {}
        self.c = canvas.Canvas(str(self.path), pagesize=A4, invariant=1)
        self.page_no = 0
        self.band: list[_Item] = []
        self._new_page()

    # -- pages ---------------------------------------------------------------------------
    def _new_page(self):
        if self.page_no:
            self._finish_page()
            self.c.showPage()
        self.page_no += 1
        self.y = TOP
        self.page_notes: list[tuple[str, str]] = []
        if self.header:
            self.c.setFont("Times-Italic", 8)
            self.c.drawString(LEFT, 800, self.header)
            self.c.line(LEFT, 795, RIGHT, 795)

    def _finish_page(self):
        for it, x0, y0, width in sorted(self._pending, key=lambda op: (-op[2], op[1])):
            self._draw_now(it, x0, y0, width)
        self._pending = []
        y = BOTTOM - 6 + 10 * len(self.page_notes)
        if self.page_notes:
            self.c.line(LEFT, y + 9, LEFT + 80, y + 9)
        for num, text in self.page_notes:
            self.c.setFont("Times-Roman", 5.5)
            self.c.drawString(LEFT, y + 3, num)
            self.c.setFont("Times-Roman", 7.5)
            self.c.drawString(LEFT + 7, y, text)
            y -= 10
        self.c.setFont("Times-Roman", 8)
        self.c.drawCentredString(A4[0] / 2, 50, str(self.page_no))

    def _floor(self) -> float:
        return BOTTOM + 10 * len(self.page_notes) + 12

    def set_columns(self, n: int):
        """Set the text that follows in ``n`` columns (a layout switch mid-page)."""
        self._flush()
        self.n = n

    def _width(self) -> float:
        n = self.n
        return (RIGHT - LEFT - (n - 1) * self.GUTTER) / n

    # -- text ----------------------------------------------------------------------------
    @staticmethod
    def _plain(text: str) -> str:
        parts = text.split("^")
        return "".join(p if i == 0 else p.lstrip("0123456789") for i, p in enumerate(parts))

    def _break(self, text: str, width: float, first_indent: float, font: str, size: float):
        """Greedy justified line breaking with hyphenation of long words."""

        def w(s: str) -> float:
            return pdfmetrics.stringWidth(self._plain(s), font, size)

        lines: list[str] = []
        cur = ""
        words = text.split()
        i = 0
        while i < len(words):
            word = words[i]
            avail = width - (first_indent if not lines else 0)
            trial = f"{cur} {word}" if cur else word
            if w(trial) <= avail:
                cur, i = trial, i + 1
                continue
            core = word.rstrip(".,;:’'”)^0123456789")
            room = avail - w(cur + " ") if cur else avail
            split = 0
            if core.isalpha() and core[1:].islower() and len(core) >= 7 and room > w("mmm-"):
                for k in range(len(core) - 3, 2, -1):
                    if w(core[:k] + "-") <= room:
                        split = k
                        break
            if split:
                lines.append(f"{cur} {word[:split]}-" if cur else f"{word[:split]}-")
                words[i] = word[split:]
                cur = ""
            elif cur:
                lines.append(cur)
                cur = ""
            else:  # a single word wider than the column
                lines.append(word)
                i += 1
        if cur:
            lines.append(cur)
        return lines

    def paragraph(self, text: str, number: str | None = None, indent: float = 10.0):
        """A body paragraph: first-line indent (or a hanging number) and a space after."""
        label = f"{number}." if number else ""
        first = 18.0 if number else indent
        lines = self._break(text, self._width(), first, "Times-Roman", self.fs)
        for k, line in enumerate(lines):
            notes = tuple((m, self.note_text.get(m, f"Note {m}: see the sources listed."))
                          for m in re.findall(r"\^(\d+)", line))
            self.band.append(_Item(self.lead, line, size=self.fs,
                                   indent=first if k == 0 else 0.0,
                                   justify=k < len(lines) - 1, notes=notes,
                                   label=label if k == 0 else ""))
        self.band.append(_Item(4.0))

    def heading(self, text: str):
        """A bold heading inside the column flow."""
        self.band.append(_Item(6.0))
        for line in self._break(text, self._width(), 0, "Times-Bold", self.fs + 1):
            self.band.append(_Item(self.lead + 1, line, font="Times-Bold", size=self.fs + 1))
        self.band.append(_Item(3.0))

    def wide(self, text: str, size: float = 14.0, font: str = "Times-Bold"):
        """A full-width block (title, spanning heading): ends the band of columns above it."""
        self._flush()
        lines = simpleSplit(text, font, size, RIGHT - LEFT)
        if self.y - (size * 1.3) * len(lines) - 8 < self._floor():
            self._new_page()
        self.y -= 4
        for line in lines:
            self.c.setFont(font, size)
            self.c.drawString(LEFT, self.y, line)
            self.y -= size * 1.3
        self.y -= 8

    # -- placing bands -------------------------------------------------------------------
    def _flush(self):
        """Place the pending lines: balanced over the columns, page after page."""
        items, self.band = self.band, []
        while items and items[0].text == "":
            items.pop(0)
        while items:
            n = self.n
            room = self.y - self._floor()
            total = sum(it.height for it in items)
            notes = sum(len(it.notes) for it in items) * 10
            if total + notes <= n * room:  # the rest fits: balance the columns
                per_col = (total + notes) / n
            else:
                per_col = room
            top = self.y
            lowest = top
            width = self._width()
            for col in range(n):
                x0 = LEFT + col * (width + self.GUTTER)
                y = top
                used = 0.0
                while items:
                    it = items[0]
                    cost = it.height + 10 * len(it.notes)
                    if y - it.height < self._floor() + 10 * len(it.notes):
                        break
                    if col < n - 1 and used + cost > per_col + 0.5 * self.lead and used > 0:
                        break
                    items.pop(0)
                    if it.text:
                        self._draw(it, x0, y, width)
                        self.page_notes.extend(it.notes)
                    y -= it.height
                    used += cost
                while items and items[0].text == "" and col < n - 1:
                    items.pop(0)
                lowest = min(lowest, y)
            self.y = lowest
            if items:
                self._new_page()

    def _draw(self, it: _Item, x0: float, y: float, width: float):
        if self.interleave:
            self._pending.append((it, x0, y, width))
        else:
            self._draw_now(it, x0, y, width)

    def _draw_now(self, it: _Item, x0: float, y: float, width: float):
        c = self.c
        if it.label:
            c.setFont(it.font, it.size)
            c.drawString(x0, y, it.label)
        x = x0 + it.indent
        parts = it.text.split("^")
        plain = self._plain(it.text)
        n_spaces = plain.count(" ")
        used = pdfmetrics.stringWidth(plain, it.font, it.size)
        ws = (x0 + width - x - used) / n_spaces if it.justify and n_spaces else 0.0
        t = c.beginText(x, y)
        t.setWordSpace(ws)
        for i, part in enumerate(parts):
            if i:
                digits = part[: len(part) - len(part.lstrip("0123456789"))]
                t.setFont(it.font, it.size * 0.65)
                t.setRise(it.size * 0.4)
                t.textOut(digits)
                t.setRise(0)
                part = part[len(digits):]
            t.setFont(it.font, it.size)
            t.textOut(part)
        c.drawText(t)

    def save(self) -> Path:
        self._flush()
        self._finish_page()
        self.c.save()
        return self.path


SEED_TEXT = Path(__file__).resolve().parents[2] / "shared" / "seed" / "van-der-lijn-2018.txt"
_SEED_MARKER = re.compile(r"(?<=[A-Za-z.,;:’'”)])(\d{1,2})(?=[\s,;.]|$)")


def seed_blocks(path: Path = SEED_TEXT) -> list[tuple[str, str]]:
    """The seed paper's text as (kind, text) blocks read at test time: "title", "heading" or
    "paragraph" (with footnote markers written ``^N``). The text is never stored in the
    repository; tests that use it skip where ../shared is absent."""
    blocks: list[tuple[str, str]] = []
    for raw in path.read_text(encoding="utf-8").split("\n\n"):
        text = " ".join(raw.split())
        if not text or text.endswith("comments:"):
            continue
        if not blocks:
            kind = "front"
        elif len(text) <= 90 and not text.endswith((".", ":", ";", "?", "!")):
            kind = "heading" if len(blocks) > 2 else "title"
        else:
            kind = "paragraph"
        if kind == "paragraph":
            text = _SEED_MARKER.sub(r"^\1", text)
        blocks.append((kind, text))
    return blocks


def typeset_seed(path, columns=2, blocks=None, interleave=False) -> Path:
    """The seed paper set in ``columns`` (1, 2, or "mixed": sections alternately in two
    columns and one, switching mid-page): title and byline full width, section headings
    (roman numbered) full width, subheadings and paragraphs in the columns, superscript
    footnote markers with page-bottom notes, a running header and page numbers."""
    blocks = blocks if blocks is not None else seed_blocks()
    mixed = columns == "mixed"
    ts = ColumnTypesetter(path, columns=2 if mixed else columns,
                          header="Working paper on peace operations", interleave=interleave)
    section = 0
    for kind, text in blocks:
        if mixed and kind == "heading" and re.match(r"^[IVX]+\.\s", text):
            section += 1
            ts.set_columns(2 if section % 2 else 1)
        if kind in ("title", "front"):
            ts.wide(text, size=15 if kind == "title" else 10,
                    font="Times-Bold" if kind == "title" else "Times-Roman")
        elif kind == "heading" and re.match(r"^[IVX]+\.\s", text):
            ts.wide(text, size=12)
        elif kind == "heading":
            ts.heading(text)
        else:
            ts.paragraph(text)
    return ts.save()


def generated_study_blocks() -> list[tuple[str, str]]:
    """A study of neutral words: title, roman sections, subheadings, paragraphs with
    footnote markers, enough text for several pages in two columns."""
    blocks = [("title", "A generated study of operations and their mandates")]
    k = 0
    for sec, roman in enumerate(["I", "II", "III", "IV"]):
        blocks.append(("heading", f"{roman}. Section on developments {sec + 1}"))
        for sub in range(2):
            blocks.append(("heading", f"Subsection on the mandate {sec + 1}.{sub + 1}"))
            for p in range(3):
                k += 1
                words = filler(60 + 23 * ((k * 7) % 5), seed=k).split()
                words[0] = words[0].capitalize()
                text = " ".join(words)
                if k % 3 == 0:  # a footnote marker glued after a word, mid-paragraph
                    text = text.replace(" mandate ", f" mandate.^{k // 3} Further ", 1)
                blocks.append(("paragraph", text + "."))
    return blocks


def scan_pages(src: Path, dest: Path, dpi: int = 300) -> Path:
    """An image-only PDF of every page of ``src``: rendered at ``dpi``, thresholded to black
    and white, one image per page, no text layer."""
    pdf = pdfium.PdfDocument(str(src))
    images = []
    for i in range(len(pdf)):
        gray = pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        images.append(gray.point(lambda v: 255 if v > 160 else 0).convert("1"))
    pdf.close()
    images[0].save(dest, save_all=True, append_images=images[1:], resolution=float(dpi))
    return dest


def _typst_escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for ch in "#[]*_`$<>@=~/":
        text = text.replace(ch, "\\" + ch)
    return text


def typst_study(path, blocks, columns: int = 1) -> Path:
    """``blocks`` (as :func:`seed_blocks` gives them) typeset by a real typesetter, Typst
    (the ``typst`` package the paper is built with): justified, hyphenated text with
    first-line indents, headings, a running header, page numbers, and footnotes whose
    markers are the font's own superscript glyphs; in one or two columns (the title spans
    both). A second producer beside reportlab, with its own content order and glyph
    placement."""
    import typst

    path = Path(path)
    head = [
        '#set page(paper: "a4", margin: 2cm, numbering: "1",',
        "  header: align(left, text(size: 8pt, style: \"italic\")[Working paper on peace operations]))",
        '#set text(size: 9.5pt, hyphenate: true, lang: "en")',
        "#set par(justify: true, first-line-indent: 1em, spacing: 0.8em)",
    ]
    title, body = [], []
    for kind, text in blocks:
        if kind == "front":
            title.append(f"#block(text(size: 10pt)[{_typst_escape(text)}])")
        elif kind == "title":
            title.append(f'#block(text(size: 15pt, weight: "bold")[{_typst_escape(text)}])')
        elif kind == "heading":
            level = "=" if re.match(r"^[IVX]+\.\s", text) else "=="
            body.append(f"{level} {_typst_escape(text)}")
        else:
            text = _typst_escape(text).replace("\\^", "^")
            body.append(re.sub(r"\^(\d+)",
                               lambda m: f"#footnote[Note {m.group(1)}: see the sources listed.]",
                               text))
    main = "\n\n".join(body)
    if columns == 2:
        main = f"#columns(2, gutter: 14pt)[\n{main}\n]"
    source = "\n".join(head) + "\n\n" + "\n\n".join(title) + "\n\n" + main + "\n"
    src = path.with_suffix(".typ")
    src.write_text(source, encoding="utf-8")
    typst.compile(str(src), output=str(path))
    return path
