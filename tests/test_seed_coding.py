"""Real-text check: the seed paper (van der Lijn 2018) coded as a study.

The PDF is read at run time from ../shared/seed (never copied into the project); the tests
skip when it is absent. They check what a reader of the paper would: every operation of the
Figure 2 legend is found, activity is credited where the paper says an operation did
something about a crime market, and never from paragraphs that only give context or concern.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.codebook import load_codebook
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.legend import parse_legend
from analysis.coding.paragraphs import code_corpus
from analysis.coding.tables import build_tables
from analysis.extract.pdf import extract_pdf
from analysis.missions import load_missions

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"
DOC = "van-der-lijn-2018"

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"seed paper not found at {SEED}")


@pytest.fixture(scope="module")
def seed():
    book = load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")
    missions = load_missions(ROOT / "raw/missions.csv")
    paragraphs = extract_pdf(SEED, doc_id=DOC)
    docs = pd.DataFrame([{"doc_id": DOC, "doc_type": "study", "missions": "",
                          "date": "2018-03-07", "symbol": ""}])
    coded, evidence, mentions = code_corpus(paragraphs, docs, book,
                                            Gazetteer.from_missions(missions), progress_every=0)
    tables = build_tables(coded, evidence, mentions, docs, missions, list(book.markets))
    return {"paragraphs": paragraphs, "coded": coded, "evidence": evidence,
            "mentions": mentions, "activity": tables["mission_activity"]}


def legend_operations(paragraphs: pd.DataFrame) -> set[str]:
    captions = paragraphs[paragraphs["kind"] == "caption"]["text"]
    return {acronym for text in captions for acronym, _ in parse_legend(text)}


def credited(activity: pd.DataFrame, operation: str, market: str) -> int:
    rows = activity[(activity["operation"] == operation) & (activity["market"] == market)]
    return int(rows["n_paragraphs"].sum())


def test_the_38_legend_operations_are_found(seed):
    legend = legend_operations(seed["paragraphs"])
    assert len(legend) == 38
    named = set(seed["mentions"].loc[seed["mentions"]["how"] != "country", "operation"])
    assert legend <= named
    assert legend <= set(seed["activity"]["operation"])


def test_activity_credited_where_the_paper_describes_operations_acting(seed):
    activity = seed["activity"]
    assert credited(activity, "MINUSTAH", "gangs") >= 1
    assert credited(activity, "UNMIK", "human_trafficking") >= 1
    # every credit is backed by evidence rows of this study
    nonzero = activity[activity["n_paragraphs"] > 0]
    ids = {i for cell in nonzero["evidence_ids"] for i in cell.split(";")}
    assert ids <= set(seed["evidence"]["evidence_id"])
    assert (nonzero["n_study_paragraphs"] == nonzero["n_paragraphs"]).all()


def test_isaf_credited_with_counternarcotics(seed):
    assert credited(seed["activity"], "ISAF", "drugs") >= 1


def test_no_credit_from_context_concern_or_the_legend(seed):
    paragraphs, coded = seed["paragraphs"], seed["coded"]
    activity = seed["activity"]
    ids = {i for cell in activity["evidence_ids"] for i in cell.split(";") if i}
    # the evidence rows say which paragraph each id cites (a study's paragraphs are
    # unnumbered, so their ids are van-der-lijn-2018:s<para_seq>)
    cited = seed["evidence"].set_index("evidence_id").loc[sorted(ids)]
    assert all(i.startswith(f"{DOC}:s{seq}:") for i, seq in zip(cited.index, cited["para_seq"],
                                                                strict=True))
    credited_seqs = set(cited["para_seq"])
    section = paragraphs["section"].fillna("")
    # the introduction (context) and the section on implications (opportunities, risks,
    # concerns) describe no operation's work
    context = paragraphs[(paragraphs["kind"] == "paragraph")
                         & (section.str.startswith("I. ") | section.str.startswith("IV. "))]
    assert len(context) >= 10
    assert not credited_seqs & set(context["para_seq"])
    assert not coded[coded["para_seq"].isin(context["para_seq"])]["activity"].any()
    # the Figure 2 legend names every operation but is a caption, not a coded paragraph
    legend = paragraphs[(paragraphs["kind"] == "caption")
                        & paragraphs["text"].map(lambda t: len(parse_legend(t)) > 30)]
    assert len(legend) == 1
    assert legend["para_seq"].iloc[0] not in set(coded["para_seq"])
    assert legend["para_seq"].iloc[0] not in credited_seqs
