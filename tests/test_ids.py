"""Paragraph and evidence ids carry the number printed in the PDF.

A reader looks up "paragraph 10" of S/2010/1, so the id of that paragraph is ``rep-1:10``
whatever its position among the document's blocks; paragraphs without a printed number,
and numbers printed twice (an annex numbering from 1 again), fall back to ``:s<para_seq>``.
The PDFs are typeset here and go through extraction and coding as in the workflow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pdf_fixtures import Typesetter, filler

from analysis.coding.codebook import load_codebook
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.paragraphs import code_corpus
from analysis.coding.tables import mission_activity
from analysis.extract.pdf import extract_pdf
from analysis.ids import (
    evidence_id,
    evidence_paragraphs,
    para_id,
    para_ids,
    refers_to,
    split_evidence_id,
    split_para_id,
)
from analysis.missions import load_missions
from analysis.rounds.agree import consensus
from analysis.rounds.load import SheetError, load_round
from analysis.rounds.sheet import coder_sheet, sample_paragraphs
from analysis.rounds.steps import write_csv
from analysis.rounds.variables import long_codes, paragraph_table, vocabulary
from analysis.schemas.rounds import Consensus, RoundCodes

ROOT = Path(__file__).resolve().parents[1]
ACTIVE = ("The Mission conducted 40 joint patrols with the national police along the border "
          "and seized 120 kilograms of cocaine at two crossing points.")


# ---------------------------------------------------------------------- the id functions


def test_printed_numbers_sequences_and_repeats():
    table = pd.DataFrame({
        "doc_id": ["S-2007-503"] * 5 + ["S-RES-1885-2009"] * 2,
        "para_no": ["10", None, "1", "1", "12a", None, "1"],
        "para_seq": [14, 3, 20, 31, 40, 2, 5]})
    ids = list(para_ids(table))
    assert ids == ["S-2007-503:10", "S-2007-503:s3", "S-2007-503:s20", "S-2007-503:s31",
                   "S-2007-503:12a", "S-RES-1885-2009:s2", "S-RES-1885-2009:1"]
    assert refers_to(pd.Series(ids), table["doc_id"], table["para_no"], table["para_seq"]).all()
    assert split_para_id("S-2007-503:10") == ("S-2007-503", "10", None)
    assert split_para_id("S-2007-503:s3") == ("S-2007-503", None, 3)
    assert split_para_id("demo.rep_v2-1:12a") == ("demo.rep_v2-1", "12a", None)
    for bad in ("S-2007-503", "S-2007-503:", ":10", "doc:s0", "doc:x1", "a:b:3", "doc:10."):
        assert split_para_id(bad) is None, bad
    # an id names its own row only
    assert not refers_to(pd.Series(["S-2007-503:s3"]), pd.Series(["S-2007-503"]),
                         pd.Series([None]), pd.Series([4])).any()


def test_evidence_ids_read_back_and_doc_ids_with_colons_are_refused():
    eid = evidence_id(para_id("S-2007-503", "10", 14), "market", 2)
    assert eid == "S-2007-503:10:market:2"
    assert split_evidence_id(eid) == ("S-2007-503:10", "market", 2)
    assert split_evidence_id("S-2007-503:s3:negative_reason:1").para_id == "S-2007-503:s3"
    assert split_evidence_id("S-2007-503:10:market") is None
    assert evidence_paragraphs("a:1:quadrant:1;a:1:market:1;a:s4:market:1;") == {"a:1", "a:s4"}
    with pytest.raises(ValueError, match="'S:2007' cannot be part of a paragraph id"):
        para_id("S:2007", "1", 1)


# ---------------------------------------------------------------------- typeset PDFs


def report_pdf(path: Path) -> Path:
    """A report: a heading, paragraphs printed 1-10 (10 is OC activity), and an annex that
    numbers its paragraphs from 1 again."""
    ts = Typesetter(path, symbol="S/2010/1", job="10-00001 (E)")
    ts.line("Report of the Secretary-General on Liberia", font="Times-Bold", size=14)
    ts.heading("I. Introduction")
    for n in range(1, 10):
        ts.paragraph(filler(30, n) + ".", number=str(n))
    ts.heading("II. Organized crime")
    ts.paragraph(ACTIVE, number="10")
    ts.heading("Annex")
    ts.paragraph("Armed gangs continue to thrive in the suburbs of the capital.", number="1")
    ts.paragraph(filler(25, 20) + ".", number="2")
    return ts.save()


def resolution_pdf(path: Path) -> Path:
    """A resolution: unnumbered preambular paragraphs, then operative paragraphs 1-2."""
    ts = Typesetter(path, symbol="S/RES/1885 (2009)", job="09-00002 (E)")
    ts.line("Resolution 1885 (2009)", font="Times-Bold", size=14)
    ts.line("Adopted by the Security Council at its 6000th meeting, on 15 September 2009")
    ts.paragraph("The Security Council,", indent=36)
    ts.paragraph("Recalling its previous resolutions on the situation in Liberia, "
                 + filler(20, 1) + ",", indent=36)
    ts.paragraph("Expressing concern about drug trafficking and organized crime in the "
                 "subregion,", indent=36)
    ts.paragraph("Requests UNMIL to support the Government in combating illicit trafficking "
                 "of arms, including through training of border police;", number="1")
    ts.paragraph("Decides to remain seized of the matter.", number="2")
    return ts.save()


@pytest.fixture(scope="module")
def coded_corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ids")
    paragraphs = pd.concat([
        extract_pdf(report_pdf(folder / "rep.pdf"), doc_id="rep-1"),
        extract_pdf(resolution_pdf(folder / "res.pdf"), doc_id="res-1")], ignore_index=True)
    documents = pd.DataFrame({"doc_id": ["rep-1", "res-1"], "doc_type": ["report", "resolution"],
                              "missions": ["UNMIL", "UNMIL"],
                              "date": ["2010-05-01", "2009-09-15"],
                              "symbol": ["S/2010/1", "S/RES/1885 (2009)"]})
    book = load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")
    gazetteer = Gazetteer.from_missions(load_missions(ROOT / "raw/missions.csv"))
    coded, evidence, _ = code_corpus(paragraphs, documents, book, gazetteer, progress_every=0)
    return coded, evidence, book


def test_evidence_of_paragraph_10_carries_its_printed_number(coded_corpus):
    coded, evidence, book = coded_corpus
    rep = coded[coded["doc_id"] == "rep-1"].set_index("para_id")
    ten = rep.loc["rep-1:10"]
    assert ten["para_no"] == "10" and ten["para_seq"] > 10  # title and headings come first
    assert ten["activity"] and "drugs" in ten["markets"].split(";")
    rows = evidence[evidence["para_seq"] == ten["para_seq"]]
    assert len(rows) and all(e.startswith("rep-1:10:") for e in rows["evidence_id"])
    assert set(rows["para_no"]) == {"10"} and set(rows["page"]) == {ten["page"]}
    assert "rep-1:10:market:1" in set(rows["evidence_id"])
    # the table researchers read cites it by the same id
    activity = mission_activity(coded, evidence, ["UNMIL"], list(book.markets))
    cited = set().union(*map(evidence_paragraphs, activity["evidence_ids"]))
    assert cited == {"rep-1:10"}
    # 1 and 2 are printed twice (body and annex): all four fall back to the sequence form
    twice = coded[(coded["doc_id"] == "rep-1") & coded["para_no"].isin(["1", "2"])]
    assert len(twice) == 4
    assert list(twice["para_id"]) == [f"rep-1:s{s}" for s in twice["para_seq"]]
    assert {"rep-1:3", "rep-1:9"} <= set(rep.index)
    # every id reads back to its own row
    for rec in coded.itertuples():
        ref = split_para_id(rec.para_id)
        assert ref.doc_id == rec.doc_id
        assert ref.para_no == rec.para_no if ref.para_no else ref.para_seq == rec.para_seq


def test_unnumbered_preambular_paragraph_gets_the_sequence_form(coded_corpus):
    coded, evidence, _ = coded_corpus
    res = coded[coded["doc_id"] == "res-1"]
    concern = res[res["text"].str.startswith("Expressing concern")].iloc[0]
    assert pd.isna(concern["para_no"]) and concern["part"] == "preambular"
    assert concern["para_id"] == f"res-1:s{concern['para_seq']}"
    ids = evidence.loc[evidence["para_seq"] == concern["para_seq"], "evidence_id"]
    ids = ids[evidence["doc_id"] == "res-1"]
    assert len(ids) and all(e.startswith(f"res-1:s{concern['para_seq']}:") for e in ids)
    assert set(res.loc[res["para_no"].notna(), "para_id"]) == {"res-1:1", "res-1:2"}


def test_a_coder_sheet_round_trips_with_printed_ids(coded_corpus, tmp_path):
    coded, _, book = coded_corpus
    vocab = vocabulary(book)
    sample = sample_paragraphs(coded, vocab, 100, seed=1)  # every paragraph
    sheet = coder_sheet(coded, sample, vocab)
    assert {"rep-1:10", "res-1:1"} <= set(sheet["para_id"])
    row = sheet.set_index("para_id").loc["rep-1:10"]
    assert row["para_no"] == "10" and row["para_seq"] == int(
        coded.set_index("para_id").loc["rep-1:10", "para_seq"])
    sheet.loc[sheet["para_id"] == "rep-1:10", ["oc", "activity"]] = ["yes", "yes"]
    sheet.loc[sheet["para_id"] == "res-1:1", "oc"] = "no"
    path = tmp_path / "coder-a.csv"
    write_csv(sheet, path)
    codes, _ = load_round([path], "r2", paragraph_table(coded), vocab)
    codes = RoundCodes.validate(codes)
    assert sorted(set(codes["para_id"])) == ["rep-1:10", "res-1:1"]
    ten = codes[codes["para_id"] == "rep-1:10"].iloc[0]
    assert (ten["doc_id"], ten["para_no"]) == ("rep-1", "10")
    agreed = Consensus.validate(consensus(codes, codes.iloc[0:0].drop(columns="coder"),
                                          long_codes(coded, vocab), "r2"))
    assert set(agreed["para_id"]) == {"rep-1:10", "res-1:1"}
    # a row whose id was changed to another paragraph is refused, not read as that one
    sheet.loc[sheet["para_id"] == "rep-1:10", "para_id"] = "rep-1:9"
    write_csv(sheet, path)
    with pytest.raises(SheetError, match="column 'para_no': '10' does not match para_id"):
        load_round([path], "r2", paragraph_table(coded), vocab)
