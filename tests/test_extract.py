"""Extraction stage: real reportlab PDFs in, paragraph/page tables and metadata out."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pypdfium2 as pdfium
import pytest
from pdf_fixtures import encrypted_pdf

from analysis.extract.clean import Dehyphenator, normalize
from analysis.extract.pdf import (
    ExtractionError,
    compare_metadata,
    extract_document,
    extract_metadata,
    extract_pdf,
)
from analysis.schemas.extract import PARAGRAPH_SCHEMA

GLUED_MARKER = re.compile(r"[a-z][.,;:’”)]\d{1,3}\b")


@pytest.fixture(scope="module")
def report(report_pdf):
    return extract_document(report_pdf, "demo-report")


@pytest.fixture(scope="module")
def paras(report):
    return {r["para_no"]: r for r in report.paragraphs if r["kind"] == "paragraph"}


def body_rows(doc):
    return [r for r in doc.paragraphs if r["kind"] in ("paragraph", "heading", "title")]


# -- cleaning -------------------------------------------------------------------------


def test_running_header_footer_job_number_barcode_page_numbers_removed(report):
    assert report.qc["n_running_lines_removed"] >= 8
    for r in body_rows(report):
        assert "S/2007/503" not in r["text"], r
    for r in report.paragraphs:
        assert "07-45678" not in r["text"] and "0745678" not in r["text"], r
        assert not re.fullmatch(r"\d{1,3}", r["text"]), f"page number kept as a row: {r}"
        assert not re.search(r"\s\d{1,2}$", r["text"]), f"page number glued to a row: {r}"


def test_line_end_hyphens_joined_but_real_hyphens_kept(report, paras):
    text = report.text
    assert "peacekeeping partners" in paras["2"]["text"]
    assert "Guinea-Bissau where" in paras["2"]["text"]
    assert "GuineaBissau" not in text and "peace-keeping" not in text
    assert "co-optation" in paras["6"]["text"]
    assert "counter-trafficking operations" in paras["7"]["text"]
    assert "organization of joint patrols" in paras["7"]["text"]
    assert "organiza" not in text.replace("organization", "")


def test_footnote_markers_split_off_and_recorded(report, paras):
    assert paras["2"]["footnote_refs"] == "2"
    assert "security challenges. Organized groups" in paras["2"]["text"]
    assert paras["6"]["footnote_refs"] == "3"
    assert "development agendas. Organized crime" in paras["6"]["text"]
    assert paras["1"]["footnote_refs"] is None
    # Digits that belong to the text stay glued.
    for keep in ("G5 Sahel", "1990s", "2.1 per cent", "resolution 1542 (2004)"):
        assert keep in report.text
    for r in report.paragraphs:
        assert not GLUED_MARKER.search(r["text"]), r["text"]


def test_footnotes_are_rows_of_their_own(report):
    notes = [r for r in report.paragraphs if r["kind"] == "footnote"]
    assert [(n["para_no"], n["text"][:14]) for n in notes] == [
        ("2", "See the report"),
        ("3", "Figures provid"),
    ]
    assert notes[0]["page"] == 1 and notes[1]["page"] == 2
    for r in report.paragraphs:
        if r["kind"] == "paragraph":
            assert "Figures provided by" not in r["text"]


def test_normalize_repairs_text():
    assert normalize("e\ufb03cient (cid:12)sta\ufb00\u00a0 work\ufffd") == (
        "efficient staff work",
        [],
    )
    assert normalize("security challenges\u00b2 and more") == (
        "security challenges and more",
        ["2"],
    )
    assert normalize("km\u00b2") == ("km", ["2"])  # documented: glued superscripts are markers
    assert normalize("a\r\n  b\t c") == ("a b c", [])


def test_ligatures_repaired(ligature_pdf):
    path, drawn, plain = ligature_pdf
    assert "\ufb01" in drawn
    rows = extract_document(path).paragraphs
    assert [r["text"] for r in rows] == [plain]


def test_dehyphenation_rule():
    d = Dehyphenator(
        ["the peacekeeping mission", "in Guinea-Bissau and", "post conflict", "later: cooperation"]
    )
    assert d.join("the peace-", "keeping force") == "the peacekeeping force"
    assert d.join("in Guinea-", "Bissau") == "in Guinea-Bissau"
    assert d.join("to Bosnia-", "Herzegovina") == "to Bosnia-Herzegovina"  # capital: keep
    assert d.join("a post-", "conflict state") == "a post-conflict state"  # prefix + word
    assert d.join("the organiza-", "tion") == "the organization"  # no evidence: join
    assert d.join("in 2010-", "12") == "in 2010-12"
    assert d.join("narco-e-", "conomy") == "narco-economy"
    assert d.join("co-", "operation") == "cooperation"  # joined form attested
    assert d.join("a co-", "optation") == "a co-optation"
    assert d.join("UN-", "led") == "UN-led"
    d2 = Dehyphenator(["gang violence", "related crime"])
    assert d2.join("gang-", "related crime") == "gang-related crime"  # two words: compound


def test_dehyphenator_vocabulary_counts_every_word_of_the_text():
    """The vocabulary (counted per token, for speed) equals a scan of the whole text for
    words (letters, inner digits and apostrophes, hyphen-joined parts), plus the parts of
    hyphenated words; on random strings with letters, digits, apostrophes, hyphens,
    underscores, ligatures and other numerals."""
    import random
    from collections import Counter

    from analysis.extract.clean import _WORD

    rnd = random.Random(20181107)
    alphabet = "abcXYZé’'-_09 ½²\n.,;ﬁ"
    for _ in range(3000):
        text = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40)))
        expected = Counter(_WORD.findall(text.lower()))
        for word, n in [(w, n) for w, n in expected.items() if "-" in w]:
            for part in word.split("-"):
                expected[part] += n
        assert +Dehyphenator([text]).words == +expected, text


# -- segmentation -------------------------------------------------------------------------


def test_numbered_paragraphs_have_para_no_and_clean_text(report, paras):
    nos = [r["para_no"] for r in report.paragraphs if r["kind"] == "paragraph"]
    assert nos == [str(i) for i in range(1, len(nos) + 1)] and len(nos) >= 12
    assert paras["1"]["text"].startswith("The present report is submitted")
    assert paras["7"]["text"].startswith("The mission assisted")
    seqs = [r["para_seq"] for r in report.paragraphs]
    assert seqs == list(range(1, len(seqs) + 1))


def test_sections_follow_headings(report, paras):
    assert paras["1"]["section"] == "I. Introduction"
    assert paras["3"]["section"] == "II. Security situation / A. Political developments"
    assert paras["7"]["section"] == "II. Security situation / B. Organized crime"
    last = max(paras, key=int)
    assert paras[last]["section"] == "III. Observations"
    heads = [r["text"] for r in report.paragraphs if r["kind"] == "heading"]
    assert heads == [
        "I. Introduction",
        "II. Security situation",
        "A. Political developments",
        "B. Organized crime",
        "III. Observations",
    ]
    assert all(
        r["section"] is None
        for r in report.paragraphs[
            : report.paragraphs.index(next(r for r in report.paragraphs if r["kind"] == "heading"))
        ]
    )


def test_title_and_masthead(report):
    kinds = [r["kind"] for r in report.paragraphs]
    t = kinds.index("title")
    assert report.paragraphs[t]["text"] == (
        "Report of the Secretary-General on the United Nations Demonstration Mission"
    )
    assert set(kinds[:t]) == {"front"} and "front" not in kinds[t:]
    assert report.metadata["title"] == report.paragraphs[t]["text"]


def test_paragraph_continues_across_page_break(report_pdf, report):
    row = next(r for r in report.paragraphs if "begins at the foot of one page" in r["text"])
    assert row["text"].endswith("it ends on the following page with a final clause.")
    pdf = pdfium.PdfDocument(str(report_pdf))
    start = pdf[row["page"] - 1].get_textpage().get_text_range()
    after = pdf[row["page"]].get_textpage().get_text_range()
    assert "begins at the foot" in start and "final clause" in after  # the fixture really splits


def test_resolution_preambular_and_operative(resolution_pdf):
    doc = extract_document(resolution_pdf)
    rows = [r for r in doc.paragraphs if r["kind"] == "paragraph"]
    pre = [r for r in rows if r["para_no"] is None]
    ops = [r for r in rows if r["para_no"] is not None]
    assert [r["text"].split()[0] for r in pre[-3:]] == ["Recalling", "Expressing", "Determining"]
    assert [(r["para_no"], r["text"].split()[0]) for r in ops] == [
        ("1", "Decides"),
        ("2", "Requests"),
        ("3", "Calls"),
        ("4", "Decides"),
    ]
    assert ops[0]["text"].endswith(";") and ops[-1]["text"].endswith("matter.")
    assert len(pre) == 3  # adoption line and "The Security Council," are masthead rows
    front = [r["text"] for r in doc.paragraphs if r["kind"] == "front"]
    assert front[-2:] == [
        "Adopted by the Security Council at its 9999th meeting, on 30 April 2005",
        "The Security Council,",
    ]
    assert doc.metadata == {
        "symbol": "S/RES/DEMO-1001 (2005)",
        "date": "2005-04-30",
        "doc_type": "resolution",
        "title": "Resolution DEMO-1001 (2005)",
    }


def test_image_only_page_flagged(image_page_pdf):
    doc = extract_document(image_page_pdf)
    assert [p["has_text_layer"] for p in doc.pages] == [True, False, True]
    assert doc.qc["pages_without_text_layer"] == [2]
    assert [r["text"][:14] for r in doc.paragraphs] == ["Text on page 1", "Text on page 3"]


# -- tables, offsets, API -------------------------------------------------------------------


def test_offsets_recover_every_row_from_the_document_text(report):
    doc_text = "\n\n".join(p["text"] for p in sorted(report.pages, key=lambda p: p["page"]))
    assert doc_text == report.text
    for r in report.paragraphs:
        assert doc_text[r["char_start"] : r["char_end"]] == r["text"]
    for p in report.pages:
        assert doc_text[p["char_start"] : p["char_end"]] == p["text"]
        assert p["n_chars"] == len(p["text"])


def test_extract_pdf_returns_validated_frame(report_pdf):
    df = extract_pdf(report_pdf)
    assert list(df.columns) == PARAGRAPH_SCHEMA.names
    assert (df["doc_id"] == "report").all()  # defaults to the file stem
    assert df["para_seq"].is_unique and len(df) > 20
    assert set(df["kind"]) >= {"paragraph", "heading", "footnote", "title", "front"}


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_text("just some text, not a pdf"), "not a PDF"),
        (lambda p: p.write_bytes(b"%PDF-1.4\n1 0 obj<<>>\ntruncated"), "corrupt"),
        (lambda p: None, "file not found"),
    ],
)
def test_bad_input_raises_extraction_error(tmp_path, make, reason):
    path = tmp_path / "bad.pdf"
    make(path)
    with pytest.raises(ExtractionError) as err:
        extract_pdf(path)
    assert reason in err.value.reason and err.value.path == str(path)
    assert str(path) in str(err.value)


def test_encrypted_pdf_raises_extraction_error(tmp_path):
    path = encrypted_pdf(tmp_path / "locked.pdf")
    with pytest.raises(ExtractionError, match="encrypted"):
        extract_document(path)


def test_cli_writes_typed_parquet_without_pandas_and_deterministically(report_pdf, tmp_path):
    import pyarrow.parquet as pq

    outs = []
    for run in range(2):
        out = tmp_path / f"r{run}"
        code = (
            "import sys; from analysis.extract.pdf import main; rc = main(sys.argv[1:]); "
            "assert 'pandas' not in sys.modules and 'pandera' not in sys.modules; sys.exit(rc)"
        )
        args = [
            str(report_pdf),
            "--doc-id",
            "rep-1",
            "--out",
            str(out / "x.parquet"),
            "--pages-out",
            str(out / "x.pages.parquet"),
            "--meta-out",
            str(out / "x.meta.json"),
        ]
        subprocess.run([sys.executable, "-c", code, *args], check=True)
        outs.append(
            [(out / n).read_bytes() for n in ("x.parquet", "x.pages.parquet", "x.meta.json")]
        )
    assert outs[0] == outs[1]
    table = pq.read_table(tmp_path / "r0" / "x.parquet")
    assert table.schema.equals(PARAGRAPH_SCHEMA)
    assert set(table.column("doc_id").to_pylist()) == {"rep-1"}
    meta = json.loads((tmp_path / "r0" / "x.meta.json").read_text())
    assert meta["metadata"]["symbol"] == "S/2007/503" and meta["qc"]["n_pages"] >= 3


def test_corpus_table_joins_documents_in_doc_id_order(report_pdf, resolution_pdf, tmp_path):
    # The simulation check builds the corpus table with the same two functions as the
    # workflow's `extract document` and `extract collect` jobs.
    import pyarrow.parquet as pq

    from analysis.extract.collect import combine_paragraphs
    from analysis.extract.pdf import paragraph_table, write_outputs

    report = extract_document(report_pdf, "b-report")
    resolution = extract_document(resolution_pdf, "a-resolution")
    write_outputs(report, tmp_path / "b-report.parquet")
    assert pq.read_table(tmp_path / "b-report.parquet").equals(paragraph_table(report))
    table = combine_paragraphs([paragraph_table(report), paragraph_table(resolution)])
    assert table.schema.equals(PARAGRAPH_SCHEMA)
    keys = list(zip(table.column("doc_id").to_pylist(), table.column("para_seq").to_pylist()))
    assert keys == sorted(keys) and keys[0] == ("a-resolution", 1)
    assert len(keys) == len(report.paragraphs) + len(resolution.paragraphs)
    empty = combine_paragraphs([])
    assert empty.num_rows == 0 and empty.schema.equals(PARAGRAPH_SCHEMA)


def test_cli_fails_clearly_on_bad_input(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_text("<html>not found</html>")
    res = subprocess.run(
        [sys.executable, "-m", "analysis.extract", "document", str(bad), "--out", str(tmp_path / "x.parquet")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "not a PDF" in res.stderr and str(bad) in res.stderr


# -- metadata ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page, expected",
    [
        (
            (
                "United Nations S/RES/1542 (2004)\nSecurity Council\nDistr.: General\n30 April 2004\n"
                "Resolution 1542 (2004)\nAdopted by the Security Council at its 4961st meeting"
            ),
            {"symbol": "S/RES/1542 (2004)", "date": "2004-04-30", "doc_type": "resolution"},
        ),
        (
            (
                "United Nations S/2007/503\nSecurity Council Distr.: General\n22 August 2007\n"
                "Original: English\nReport of the Secretary-General on the United Nations Mission"
            ),
            {"symbol": "S/2007/503", "date": "2007-08-22", "doc_type": "report"},
        ),
        (
            (
                "SYNTHETIC DEMO\nS/RES/DEMO-1001 (2005)\nDistr.: General 1 March 2005\n"
                "Resolution DEMO-1001 (2005)"
            ),
            {"symbol": "S/RES/DEMO-1001 (2005)", "date": "2005-03-01", "doc_type": "resolution"},
        ),
        (
            "S/DEMO/2007/12\nDistr.: General\nJune 5, 2007\nProgress report on the mission",
            {"symbol": "S/DEMO/2007/12", "date": "2007-06-05", "doc_type": "report"},
        ),
        (
            "S/2004/300/Add.1\n3 May 2004\nAddendum",
            {"symbol": "S/2004/300/Add.1", "date": "2004-05-03", "doc_type": "report"},
        ),
        (
            "SIPRI Background Paper\nPeace operations and crime\n7 March 2018\nBy an author",
            {"symbol": None, "date": "2018-03-07", "doc_type": "study"},
        ),
        ("", {"symbol": None, "date": None, "doc_type": "study"}),
    ],
)
def test_extract_metadata(page, expected):
    assert extract_metadata(page) == expected


def test_report_metadata(report):
    assert report.metadata["symbol"] == "S/2007/503"
    assert report.metadata["date"] == "2007-08-24"
    assert report.metadata["doc_type"] == "report"


def test_compare_metadata_lists_mismatches_and_never_raises():
    meta = {"symbol": "S/RES/1542 (2004)", "date": "2004-04-30", "doc_type": "resolution"}
    assert (
        compare_metadata(
            meta, {"symbol": "S/RES/1542(2004)", "date": "2004-04-30", "doc_type": "Resolution"}
        )
        == []
    )
    out = compare_metadata(
        meta, {"symbol": "S/RES/1545 (2004)", "date": "2004-05-01", "doc_type": "resolution"}
    )
    assert [(m["field"], m["manifest"], m["pdf"]) for m in out] == [
        ("symbol", "S/RES/1545 (2004)", "S/RES/1542 (2004)"),
        ("date", "2004-05-01", "2004-04-30"),
    ]
    missing = compare_metadata(
        {"symbol": None, "date": None, "doc_type": "study"},
        {"symbol": "S/2007/503", "date": float("nan"), "doc_type": ""},
    )
    assert missing == [
        {
            "field": "symbol",
            "manifest": "S/2007/503",
            "pdf": None,
            "reason": "symbol not found on the first page",
        }
    ]
    assert compare_metadata({}, {"symbol": 12345, "date": object()})  # odd values: no crash


def test_date_and_symbol_patterns_keep_their_matches_on_random_text():
    """The date and symbol patterns open with a look-ahead (a speed-up): on random text
    they find exactly the matches of the patterns without it."""
    import random

    from analysis.extract import clean

    months = clean._MONTH_RE
    plain = {
        clean._DATE_DMY: re.compile(rf"\b(\d{{1,2}})\s+({months})\s+(\d{{4}})\b"),
        clean._DATE_MDY: re.compile(rf"\b({months})\s+(\d{{1,2}}),?\s+(\d{{4}})\b"),
        clean.SYMBOL_RE: re.compile(clean.SYMBOL_RE.pattern.removeprefix("(?=[SAE])")),
    }
    pieces = ["January", "May", "Sept", "December", "march", " ", "  ", ",", "\n", "1", "12",
              "31", "2004", "2019", "S", "A", "E", "ST", "SG", "/", "RES", "DEMO-", "(", ")",
              "Add.", "x", "é", "S/RES/1542 (2004)", "S/2007/503", "A/RES/55/25", "1 May 2004",
              "May 1, 2004", "W/S"]
    rng = random.Random(3)
    n_found = 0
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        for fast, slow in plain.items():
            got = [(m.span(), m.groups()) for m in fast.finditer(text)]
            assert got == [(m.span(), m.groups()) for m in slow.finditer(text)], repr(text)
            n_found += len(got)
    assert n_found > 1000  # the cases occurred
