"""Tests of analysis.coding.legend: reading "ACR = Full name; ..." legends into reference rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from analysis.coding.legend import find_legend_entries, legend_rows, parse_legend
from analysis.missions import load_missions
from analysis.schemas.missions import COLUMNS

REPO = Path(__file__).resolve().parents[1]
SEED_PDF = REPO.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"

# A legend written for these tests, in the layout studies use under figures.
LEGEND = (
    "Figure 3. Operations in the sample. ALPHA = Alpha Observer Mission; "
    "EUCAP Sahel Mali = EU CSDP Mission in Mali; JF-G5S = Joint Force of the Group of Five "
    "Sahel; UNOCI = UN Operation in Côte d'Ivoire; ZED-2 = Second Zed Office in Guinea-Bissau. "
    "a Not counted as a peace operation here."
)
PAIRS = [
    ("ALPHA", "Alpha Observer Mission"),
    ("EUCAP Sahel Mali", "EU CSDP Mission in Mali"),
    ("JF-G5S", "Joint Force of the Group of Five Sahel"),
    ("UNOCI", "UN Operation in Côte d'Ivoire"),
    ("ZED-2", "Second Zed Office in Guinea-Bissau"),
]


def test_parse_legend_one_line():
    assert parse_legend(LEGEND) == PAIRS


def test_parse_legend_broken_across_lines_and_hyphenated():
    text = (
        "Figure 3. Operations in the sample. ALPHA =\nAlpha Observer Mis-\nsion; EUCAP Sahel\n"
        "Mali = EU\r\nCSDP Mission in Mali; JF-\nG5S = Joint Force of the Group of Five Sa\ufffe"
        "hel; UNOCI = UN Operation in Côte d'Ivoire; ZED-2 = Second Zed Office in Guinea-\n"
        "Bissau. a Not counted as a peace\u00ad\noperation here.\n\nNext paragraph = unrelated."
    )
    assert parse_legend(text) == PAIRS


def test_pdfium_line_end_hyphens():
    # PDFium writes U+FFFE for every hyphen at a line end, real or not.
    text = "MINUS\ufffe\r\nTAH = UN Stabil\ufffeization Mission; EU\ufffeLEX Kosovo = Office in Guinea\ufffeBissau."
    assert parse_legend(text) == [
        ("MINUSTAH", "UN Stabilization Mission"),
        ("EULEX Kosovo", "Office in Guinea-Bissau"),
    ]


def test_entries_point_back_into_the_text():
    text = (
        "Intro text. ALPHA =\nAlpha Observer Mission; EUCAP Sahel Mali = EU CSDP Mission in\nMali."
    )
    entries = find_legend_entries(text)
    assert [text[e.start : e.end] for e in entries] == [
        "ALPHA =\nAlpha Observer Mission",
        "EUCAP Sahel Mali = EU CSDP Mission in\nMali",
    ]


def test_things_that_are_not_entries():
    # No acronym before '=', lower-case "names", and single capitals are not entries.
    assert parse_legend("x = y; where n = 5; A = Apple; the ratio = Total over parts") == []
    # Two entries with a missing ';' are still split at the next acronym.
    assert parse_legend("ALPHA = Alpha Mission BETA = Beta Mission") == [
        ("ALPHA", "Alpha Mission"),
        ("BETA", "Beta Mission"),
    ]


def test_legend_rows_have_the_missions_table_shape():
    df = legend_rows(list(reversed(PAIRS)) + [PAIRS[0]])
    assert list(df.columns) == list(COLUMNS)
    assert list(df["acronym"]) == sorted(a for a, _ in PAIRS)  # sorted, repeat kept once
    assert dict(zip(df["acronym"], df["name"])) == dict(PAIRS)
    assert (df["organisation"] == "").all() and (df["aliases"] == "").all()
    assert str(df["start_year"].dtype) == "Int64" and df["end_year"].isna().all()
    assert legend_rows([]).empty and list(legend_rows([]).columns) == list(COLUMNS)


def test_legend_rows_reject_an_acronym_with_two_names():
    with pytest.raises(ValueError, match=r"'ALPHA' two names, 'Alpha Mission' and 'Alfa'"):
        legend_rows([("ALPHA", "Alpha Mission"), ("ALPHA", "Alfa")])


def test_legend_in_a_real_pdf_over_two_pages(tmp_path):
    path = tmp_path / "study.pdf"
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    page1 = [
        "Figure 3. Operations in the sample. ALPHA = Alpha Observer Mission; EUCAP Sahel",
        "Mali = EU CSDP Mission in Mali; JF-G5S = Joint Force of the Group of Five Sahel;",
    ]
    page2 = [
        "UNOCI = UN Operation in Côte d'Ivoire; ZED-2 = Second Zed Office in Guinea-",
        "Bissau. a Not counted as a peace operation here.",
    ]
    for lines in (page1, page2):
        for i, line in enumerate(lines):
            c.drawString(72, 780 - 14 * i, line)
        c.showPage()
    c.save()
    pdf = pdfium.PdfDocument(str(path))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    assert parse_legend(text) == PAIRS


def test_seed_paper_legend_recovers_all_38_operations():
    if not SEED_PDF.exists():
        pytest.skip(f"seed paper PDF not found at {SEED_PDF}")
    pdf = pdfium.PdfDocument(str(SEED_PDF))
    text = "\n".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    pairs = parse_legend(text)
    reference = load_missions(REPO / "raw" / "missions.csv")
    assert len(pairs) == 38
    assert [a for a, _ in pairs] == sorted(reference["acronym"])  # the legend is alphabetical
    # The table's names were taken from this legend, so they must agree word for word.
    assert dict(pairs) == dict(zip(reference["acronym"], reference["name"]))
    rows = legend_rows(pairs)
    pd.testing.assert_series_equal(
        rows["acronym"], reference["acronym"].sort_values(ignore_index=True)
    )
