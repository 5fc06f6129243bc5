"""Shared pytest fixtures: real UN-style PDFs typeset with reportlab in a temporary folder.

The typesetter here draws every line itself (``canvas`` text objects with word spacing for
justification), so a test controls exactly where a line ends and where a word is split:
in a paragraph string, ``"peace-|keeping"`` forces a line break after ``peace-``, and
``"agendas.^2"`` sets ``2`` as a superscript footnote marker glued to ``agendas.``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_PDF = SHARED / "seed" / "van-der-lijn-2018.pdf"
SEED_TXT = SHARED / "seed" / "van-der-lijn-2018.txt"

A4 = (595.27, 841.89)
LEFT, RIGHT, TOP, BOTTOM = 72.0, 523.0, 770.0, 90.0


@dataclass
class Typesetter:
    """Draw justified, numbered UN-style text line by line on a reportlab canvas."""

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


def build_report(path: Path) -> Path:
    """A 4-page Secretary-General-style report; see tests/test_extract.py for what it holds."""
    ts = Typesetter(path, symbol="S/2007/503", job="07-45678 (E)")
    c = ts.c
    c.setFont("Helvetica", 10)
    c.drawString(LEFT, TOP + 20, "United Nations")
    c.setFont("Helvetica-Bold", 14)
    c.drawRightString(RIGHT, TOP + 20, "S/2007/503")
    ts.y = TOP - 6
    ts.line("Security Council", font="Helvetica-Bold", size=16)
    ts.line("Distr.: General", x=380)
    ts.line("24 August 2007", x=380)
    ts.line("Original: English", x=380)
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
    c = ts.c
    c.setFont("Helvetica", 10)
    c.drawString(LEFT, TOP + 20, "United Nations")
    c.setFont("Helvetica-Bold", 14)
    c.drawRightString(RIGHT, TOP + 20, "S/RES/DEMO-1001 (2005)")
    ts.y = TOP - 6
    ts.line("Security Council", font="Helvetica-Bold", size=16)
    ts.line("Distr.: General", x=380)
    ts.line("30 April 2005", x=380)
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
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for page in range(3):
        if page == 1:
            c.rect(100, 300, 300, 300, fill=1)
            c.circle(250, 450, 80)
        else:
            c.setFont("Times-Roman", 11)
            words = "the mission reported on patrols" if page == 0 else "a later page closes"
            c.drawString(LEFT, 700, f"Text on page {page + 1}: {words}.")
        c.showPage()
    c.save()
    return path


@pytest.fixture(scope="session")
def pdf_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("extract_pdfs")


@pytest.fixture(scope="session")
def report_pdf(pdf_dir) -> Path:
    return build_report(pdf_dir / "report.pdf")


@pytest.fixture(scope="session")
def resolution_pdf(pdf_dir) -> Path:
    return build_resolution(pdf_dir / "resolution.pdf")


@pytest.fixture(scope="session")
def ligature_pdf(pdf_dir) -> tuple[Path, str, str]:
    return build_ligature(pdf_dir / "ligature.pdf")


@pytest.fixture(scope="session")
def image_page_pdf(pdf_dir) -> Path:
    return build_with_image_page(pdf_dir / "image_page.pdf")
