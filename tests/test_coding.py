"""Corpus-wide coding: real PDFs and paragraph tables in, coded paragraphs and evidence out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pdf_fixtures import text_pdf

from analysis.coding.codebook import load_codebook
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.paragraphs import CodingError, code_corpus, main, read_documents
from analysis.extract.pdf import extract_pdf
from analysis.missions import load_missions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def book():
    return load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.from_missions(load_missions(ROOT / "raw/missions.csv"))


def documents(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(("doc_id", "doc_type", "missions", "date", "symbol"), r,
                                  strict=True)) for r in rows])


def paragraph_table(doc_id: str, texts: list[str], numbers: list | None = None) -> pd.DataFrame:
    """Paragraph blocks as the extract stage writes them (offsets in a joined text)."""
    rows, start = [], 0
    for i, text in enumerate(texts):
        rows.append({"doc_id": doc_id, "para_seq": i + 1, "page": 1, "kind": "paragraph",
                     "para_no": None if numbers is None else numbers[i], "section": None,
                     "text": text, "char_start": start, "char_end": start + len(text),
                     "footnote_refs": None})
        start += len(text) + 2
    return pd.DataFrame(rows)


def evidence_of(evidence, doc_id, seq, variable=None):
    rows = evidence[(evidence["doc_id"] == doc_id) & (evidence["para_seq"] == seq)]
    return rows if variable is None else rows[rows["variable"] == variable]


def test_report_pdf_coded_with_evidence_pointing_at_the_words(tmp_path, book, gazetteer):
    pdf = text_pdf(
        tmp_path / "rep.pdf",
        ("The Mission conducted 40 joint patrols with the national police along the border "
         "and seized 120 kilograms of cocaine at two crossing points."),
        "Armed gangs continue to thrive in the suburbs of the capital.",
        "UNMIL will train customs officers in detecting the smuggling of timber next year.",
        title="Report of the Secretary-General on Liberia", numbered=True, width=450, size=11,
        leading=14, gap=12)
    paragraphs = extract_pdf(pdf, doc_id="rep-1")
    docs = documents(("rep-1", "report", "UNMIL", "2010-05-01", "S/2010/1"))
    coded, evidence, mentions = code_corpus(paragraphs, docs, book, gazetteer,
                                            progress_every=0)
    by_no = coded.set_index("para_no")
    assert by_no.loc["1", "activity"] and by_no.loc["1", "operations"] == "UNMIL"
    assert "drugs" in by_no.loc["1", "markets"].split(";")
    assert "direct_consequences" in by_no.loc["1", "quadrants"].split(";")
    assert not by_no.loc["2", "activity"]
    assert by_no.loc["2", "negative_reason"] == "concern_only"
    assert by_no.loc["3", "negative_reason"] == "plan"
    # the hard negative keeps its reason as evidence, with the words that decided it
    seq3 = int(by_no.loc["3", "para_seq"])
    plan = evidence_of(evidence, "rep-1", seq3, "negative_reason")
    assert list(plan["value"]) == ["plan"] and list(plan["matched"]) == ["will"]
    # every span points at its words, in the paragraph and in the document
    spans = evidence.dropna(subset=["span_start"]).merge(
        coded[["doc_id", "para_seq", "text", "char_start"]], on=["doc_id", "para_seq"])
    assert len(spans) > 10
    for row in spans.itertuples():
        assert row.text[row.span_start:row.span_end] == row.matched
        assert row.doc_start == row.char_start + row.span_start
    doc_text = [" "] * int(paragraphs["char_end"].max())
    for p in paragraphs.itertuples():
        doc_text[p.char_start:p.char_end] = p.text
    doc_text = "".join(doc_text)
    assert all(doc_text[r.doc_start:r.doc_end] == r.matched for r in spans.itertuples())
    seized = evidence_of(evidence, "rep-1", int(by_no.loc["1", "para_seq"]), "market")
    assert "cocaine" in set(seized["matched"])
    assert set(evidence["operation"].dropna()) == {"UNMIL"}
    assert evidence["evidence_id"].is_unique
    assert (mentions["operation"] == "UNMIL").any()


def test_resolution_mandate_coding_and_its_evidence(book, gazetteer):
    texts = ["Expressing concern about the illicit trade in diamonds in the subregion,",
             ("Requests UNMIL to support the Government in combating illicit trafficking of "
              "arms, including through training of border police;"),
             "Encourages Member States to strengthen cooperation against drug trafficking;",
             "Decides to remain seized of the matter."]
    paragraphs = paragraph_table("res-1", texts, [None, "1", "2", "3"])
    docs = documents(("res-1", "resolution", "UNMIL", "2009-09-15", "S/RES/1885 (2009)"))
    coded, evidence, _ = code_corpus(paragraphs, docs, book, gazetteer, progress_every=0)
    assert list(coded["part"]) == ["preambular", "operative", "operative", "operative"]
    assert list(coded["strength"]) == ["reference", "requested", "encouraged", "requested"]
    assert list(coded["explicit_mandate"]) == [False, True, False, False]
    assert coded["activity"].isna().all()
    assert coded.loc[2, "addressee"] == "member_states"
    explicit = evidence_of(evidence, "res-1", 2, "explicit_mandate")
    assert set(explicit["matched"]) == {"Requests", "UNMIL"}
    opening = evidence_of(evidence, "res-1", 1, "part")
    assert opening["matched"].str.startswith("Expressing concern").all()
    numbered = evidence_of(evidence, "res-1", 2, "part")  # decided by the number: no words
    assert numbered["span_start"].isna().all() and list(numbered["value"]) == ["operative"]
    assert evidence_of(evidence, "res-1", 1, "market")["value"].tolist() == ["natural_resources"]


def test_study_credits_the_operation_acting_in_each_sentence(book, gazetteer):
    texts = [
        # two operations: one acts on gangs, the other is only the setting of a concern
        ("In Haiti, MINUSTAH conducted raids against gang leaders in the capital. Human "
         "trafficking remained a serious concern for UNMIK in Kosovo."),
        # a generic reference refers back to the operation named before it
        ("UNMIL was set up in 2003. Later the mission dismantled several networks smuggling "
         "diamonds across the border."),
        # a self-reference means nothing in a study: no operation to credit
        "The Mission seized cocaine at the port.",
        "Organized crime thrives where state institutions are weak.",
    ]
    paragraphs = paragraph_table("study-1", texts)
    docs = documents(("study-1", "study", "", "2018-03-07", ""))
    coded, evidence, _ = code_corpus(paragraphs, docs, book, gazetteer, progress_every=0)
    assert list(coded["operations"]) == ["MINUSTAH", "UNMIL", "", ""]
    first = evidence_of(evidence, "study-1", 1)
    assert set(first["operation"]) == {"MINUSTAH"}
    assert set(first.loc[first["variable"] == "market", "value"]) == {"gangs"}
    second = evidence_of(evidence, "study-1", 2, "market")
    assert set(zip(second["operation"], second["value"])) == {("UNMIL", "natural_resources")}
    # "The Mission" in a study names no operation: the seizure is credited to nobody, and
    # no evidence row is written without an operation (both counted)
    assert not bool(coded.loc[2, "activity"]) and coded.loc[2, "quadrants"] == ""
    assert evidence_of(evidence, "study-1", 3).empty
    assert evidence["operation"].notna().all()
    assert coded.attrs == {"uncredited": 1, "unattached": 2}
    assert coded.loc[3, "negative_reason"] == "concern_only"


def test_cli_writes_identical_bytes_twice(tmp_path, book):
    paragraphs = paragraph_table("rep-2", [
        "UNMIL trained 30 officers of the Liberia National Police in drug detection.",
        "The Mission seized weapons smuggled across the border."], ["1", "2"])
    paragraphs.to_parquet(tmp_path / "p.parquet", index=False)
    documents(("rep-2", "report", "UNMIL", "2012-02-01", "S/2012/9")).to_csv(
        tmp_path / "documents.csv", index=False)
    outputs = []
    for run in ("a", "b"):
        args = ["--paragraphs", str(tmp_path / "p.parquet"),
                "--documents", str(tmp_path / "documents.csv"),
                "--missions", str(ROOT / "raw/missions.csv"),
                "--codebook", str(ROOT / "workflow/codebooks/oc-v1.yaml")]
        names = [f"{run}-{n}.parquet" for n in ("coded", "evidence", "mentions")]
        for flag, name in zip(("--coded-out", "--evidence-out", "--mentions-out"), names,
                              strict=True):
            args += [flag, str(tmp_path / name)]
        assert main(args) == 0
        outputs.append([(tmp_path / n).read_bytes() for n in names])
    assert outputs[0] == outputs[1]
    coded = pd.read_parquet(tmp_path / "a-coded.parquet")
    assert coded["activity"].tolist() == [True, True]


def test_documents_table_errors_name_line_and_column(tmp_path):
    path = tmp_path / "documents.csv"
    path.write_text("doc_id,doc_type,missions,date\nr1,report,UNMIL,2010-01-01\n"
                    "r2,memo,UNMIL,2010-01-01\n", encoding="utf-8")
    with pytest.raises(CodingError, match=r"line 3, column 'doc_type': 'memo'"):
        read_documents(path)
    path.write_text("doc_id,doc_type\nr1,report\n", encoding="utf-8")
    with pytest.raises(CodingError, match=r"missing column\(s\) \['missions', 'date'\]"):
        read_documents(path)
