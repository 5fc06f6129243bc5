"""Tests of analysis.coding.legend: reading "ACR = Full name; ..." legends into reference rows,
and checking the legends of study documents against the operations table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from pdf_fixtures import study_pdf, text_pdf

from analysis.coding.legend import (
    find_legend_entries,
    legend_rows,
    main,
    parse_legend,
    study_operations,
)
from analysis.extract.pdf import extract_pdf
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
    page1 = [
        "Figure 3. Operations in the sample. ALPHA = Alpha Observer Mission; EUCAP Sahel",
        "Mali = EU CSDP Mission in Mali; JF-G5S = Joint Force of the Group of Five Sahel;",
    ]
    page2 = [
        "UNOCI = UN Operation in Côte d'Ivoire; ZED-2 = Second Zed Office in Guinea-",
        "Bissau. a Not counted as a peace operation here.",
    ]
    path = text_pdf(tmp_path / "study.pdf", pages=[page1, page2], leading=14)
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
    acronyms = [a for a, _ in pairs]
    assert acronyms == sorted(acronyms)  # the legend is alphabetical
    # The table holds every legend operation (and others real documents name); its names
    # for the legend's operations were taken from this legend, so they agree word for word.
    names = dict(zip(reference["acronym"], reference["name"], strict=True))
    assert set(acronyms) <= set(names)
    assert dict(pairs) == {a: names[a] for a in acronyms}
    rows = legend_rows(pairs)
    in_legend = reference[reference["acronym"].isin(acronyms)]
    pd.testing.assert_series_equal(
        rows["acronym"], in_legend["acronym"].sort_values(ignore_index=True)
    )


# ------------------------------------------------------------- studies' legends vs the table
MISSIONS = REPO / "raw" / "missions.csv"
STUDY_COLUMNS = "doc_id,page,para_no,para_seq,acronym,name,known,matched_acronym"
BODY = [
    "Peace operations have worked alongside national police in the region for a long time, and",
    "this study looks at how four of them took on organized crime between 2005 and 2015, using",
    "the reports the Secretary-General sent to the Security Council and interviews with former",
    "staff of each operation. Where a text writes UNFOO = Foo Mission, it is not a legend.",
    "The operations differ in their mandates, in the size of their police components and in the",
    "markets they faced, from drugs and arms to the smuggling of migrants and of fuel overland.",
]
CAPTION = [
    "Figure 1. Operations compared in this study. AMISOM = African Union Mission in Somalia;",
    "EUCAP Mali = EU CSDP Mission in Mali; ZEDOM = Zed Observer Mission in Ruritania;",
    "EUFOR = EU Force in Bosnia and Herzegovina.",
]
NOTES = ["1 Also discussed: QUOX = Quox Police Assistance Office; MINUSTAH = UN Stabilization",
         "Mission in Haiti."]


def _corpus(tmp_path, docs: dict[str, str]) -> tuple[Path, Path]:
    """paragraphs.parquet and documents.csv of study PDFs built with CAPTION and NOTES;
    ``docs``: doc_id -> doc_type."""
    frames = [extract_pdf(study_pdf(tmp_path / f"{d}.pdf", BODY, CAPTION, NOTES), d)
              for d in docs]
    paragraphs = tmp_path / "paragraphs.parquet"
    pd.concat(frames, ignore_index=True).to_parquet(paragraphs, index=False)
    documents = tmp_path / "documents.csv"
    pd.DataFrame({"doc_id": list(docs), "doc_type": list(docs.values()), "missions": "",
                  "date": "2016-01-01"}).to_csv(documents, index=False)
    return paragraphs, documents


def _run(paragraphs, documents, out, capsys) -> tuple[int, str]:
    code = main(["--paragraphs", str(paragraphs), "--documents", str(documents),
                 "--missions", str(MISSIONS), "--out", str(out)])
    return code, capsys.readouterr().err


def test_seed_paper_legend_operations_are_all_in_the_table():
    if not SEED_PDF.exists():
        pytest.skip(f"seed paper PDF not found at {SEED_PDF}")
    paragraphs = extract_pdf(SEED_PDF, "van-der-lijn-2018")
    documents = pd.DataFrame({"doc_id": ["van-der-lijn-2018"], "doc_type": ["study"]})
    table = study_operations(paragraphs, documents, load_missions(MISSIONS))
    assert len(table) == 38
    assert table["known"].all()
    assert list(table["matched_acronym"]) == list(table["acronym"])
    assert set(table["page"]) == {3} and table["para_seq"].nunique() == 1  # Figure 2's notes
    # the same paper filed as a report is not read
    documents["doc_type"] = "report"
    assert study_operations(paragraphs, documents, load_missions(MISSIONS)).empty


def test_a_study_legend_names_an_operation_the_table_lacks(tmp_path, capsys):
    paragraphs, documents = _corpus(tmp_path, {"study-b": "study", "rep-a": "report",
                                               "study-a": "study"})
    code, err = _run(paragraphs, documents, tmp_path / "out.csv", capsys)
    assert code == 0, err
    table = pd.read_csv(tmp_path / "out.csv", dtype=str, keep_default_na=False)
    assert ",".join(table.columns) == STUDY_COLUMNS
    assert list(table["doc_id"].unique()) == ["study-a", "study-b"]  # the report is not read
    one = table[table["doc_id"] == "study-a"]
    assert list(zip(one["acronym"], one["known"], one["matched_acronym"])) == [
        ("AMISOM", "True", "AMISOM"),
        ("EUCAP Mali", "True", "EUCAP Sahel Mali"),  # an alias of the table
        ("ZEDOM", "False", ""),
        ("EUFOR", "True", "EUFOR Althea"),  # by its name
        ("QUOX", "False", ""),  # in the footnote
        ("MINUSTAH", "True", "MINUSTAH"),
    ]
    assert "UNFOO" not in set(table["acronym"])  # body paragraphs are not legends
    caption, note = one.iloc[0], one.iloc[-1]
    assert (caption["page"], caption["para_no"]) == ("1", "")
    assert note["para_no"] == "1" and int(note["para_seq"]) > int(caption["para_seq"])
    assert err.splitlines() == [
        f"study {d}: legend names 6 operations, 2 not in {MISSIONS}: QUOX, ZEDOM"
        for d in ("study-a", "study-b")
    ]
    first = (tmp_path / "out.csv").read_bytes()
    _run(paragraphs, documents, tmp_path / "out.csv", capsys)
    assert (tmp_path / "out.csv").read_bytes() == first


def test_no_study_writes_the_header_only(tmp_path, capsys):
    paragraphs, documents = _corpus(tmp_path, {"rep-a": "report"})
    code, err = _run(paragraphs, documents, tmp_path / "qc" / "out.csv", capsys)
    assert code == 0
    assert (tmp_path / "qc" / "out.csv").read_text() == STUDY_COLUMNS + "\n"
    assert "no study" in err


def test_a_paragraph_table_without_text_is_refused_by_name(tmp_path, capsys):
    _, documents = _corpus(tmp_path, {"study-a": "study"})
    bad = tmp_path / "bad.parquet"
    pd.DataFrame({"doc_id": ["study-a"], "para_seq": [1]}).to_parquet(bad)
    code, err = _run(bad, documents, tmp_path / "out.csv", capsys)
    assert code == 1
    assert f"{bad}: column(s) page, kind, para_no, text missing" in err
    assert not (tmp_path / "out.csv").exists()
