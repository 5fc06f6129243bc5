"""Real-text check on the seed paper (read from ../shared at run time, never copied).

Paragraph counting, the same on both sides: a paragraph is a text block of at least 8 words
ending in sentence punctuation (. ? ! : ;), a closing quote/bracket or a footnote number.
That excludes headings and the date line on both sides; figure captions ("Figure N.") and
the .txt's trailing blog-comment line are excluded explicitly. The PDF side counts rows of
kind "paragraph" (captions are kind "caption", headings kind "heading"/"title").
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analysis.extract.pdf import extract_document

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEED_PDF = SHARED / "seed" / "van-der-lijn-2018.pdf"
SEED_TXT = SHARED / "seed" / "van-der-lijn-2018.txt"

pytestmark = pytest.mark.skipif(
    not (SEED_PDF.is_file() and SEED_TXT.is_file()),
    reason=f"seed paper not found at {SEED_PDF} (shared/ is not beside the repository)",
)

PARA_END = re.compile(r"""[.?!:;’”"')\]]\d{0,3}$|[a-z]\d{1,3}$""")
ROMAN_HEADING = re.compile(r"^([IVX]+)\.\s+(\S.*)$")


def is_paragraph(text: str) -> bool:
    return (
        len(text.split()) >= 8
        and bool(PARA_END.search(text))
        and not re.match(r"^(Figure|Table)\s+\d", text)
        and not text.startswith("No comments")
    )


@pytest.fixture(scope="module")
def seed():
    return extract_document(SEED_PDF)


@pytest.fixture(scope="module")
def txt_lines():
    return [ln.strip() for ln in SEED_TXT.read_text(encoding="utf-8").splitlines() if ln.strip()]


def test_no_running_header_or_page_number_in_paragraphs(seed):
    for r in seed.paragraphs:
        assert "SIPRI BACKGROUND PAPER" not in r["text"].upper(), r["para_seq"]
        assert not re.fullmatch(r"\d{1,2}", r["text"])
    # A page number left in the flow would sit as a lone number between two words.
    joined = "\n".join(r["text"] for r in seed.paragraphs)
    assert not re.search(r"[a-z]\s\d{1,2}\s[a-z]", joined)


def test_hyphenated_place_names_survive(seed):
    assert "Guinea-Bissau" in seed.text
    assert "GuineaBissau" not in seed.text
    assert "Bosnia-Herzegovina" in seed.text


def test_no_footnote_marker_glued_to_a_word(seed):
    glued = re.compile(r"[a-z][.,;:’”)]\d{1,3}\b|[a-z]{3,}\d{1,3}\b")
    for r in seed.paragraphs:
        if r["kind"] == "paragraph":
            assert not glued.search(r["text"]), (r["para_seq"], glued.search(r["text"]))
    assert seed.qc["n_footnote_refs"] >= 40


def test_six_section_headings_found(seed, txt_lines):
    wanted = [ln for ln in txt_lines if ROMAN_HEADING.match(ln)]
    assert len(wanted) == 6
    found = [r["text"] for r in seed.paragraphs if r["kind"] == "heading"]
    for heading in wanted:
        assert heading in found, heading
    last = next(
        r
        for r in seed.paragraphs
        if r["kind"] == "paragraph"
        and r["page"] == 9
        and r["section"]
        and r["section"].startswith("VI.")
    )
    assert last["section"] == wanted[-1]


def test_paragraph_count_within_ten_percent(seed, txt_lines):
    source = [ln for ln in txt_lines if is_paragraph(ln)]
    ours = [
        r["text"] for r in seed.paragraphs if r["kind"] == "paragraph" and is_paragraph(r["text"])
    ]
    assert len(source) > 30
    assert abs(len(ours) - len(source)) <= 0.1 * len(source), (len(ours), len(source))
