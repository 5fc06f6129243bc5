"""Activity coding: OC work by the operation itself, its quadrant, market, engagement, and
the text that must not count (concern, plans, negations, postponements, other actors)."""

from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.activities import code_activity_paragraph, code_reports
from analysis.coding.codebook import load_codebook

CODEBOOK = Path(__file__).resolve().parents[1] / "workflow" / "codebooks" / "oc-v1.yaml"
OPS = ["UNOCI"]


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


def code(book, text, mentions=None, ops=OPS):
    return code_activity_paragraph(text, book, mentions, ops)


# (text, quadrants, markets, engagement)
ACTIVITIES = [
    (
        ("UNOCI military observers patrolled the western border and seized two trucks of "
        "cannabis bound for the coast."),
        ["direct_consequences"],
        ["drugs"],
        "implement",
    ),
    (
        ("The Mission trained 45 officers of the national gendarmerie in detecting forged "
        "identity papers used by people smugglers."),
        ["indirect_consequences"],
        ["human_trafficking"],
        "assist",
    ),
    (
        "UNOCI ran sensitization sessions in 14 secondary schools on the dangers of joining gangs.",
        ["direct_drivers"],
        ["gangs"],
        "advocate",
    ),
    (
        ("UN police advised the anti-corruption commission on the design of its national "
        "strategy against money laundering."),
        ["indirect_drivers"],
        ["corruption"],
        "assist",
    ),
    (
        ("The Mission donated two patrol boats to the coast guard to help it deter piracy in the "
        "gulf."),
        ["indirect_consequences"],
        ["piracy"],
        "material_support",
    ),
    (
        "UNOCI monitored compliance with the arms embargo at the port of San Pedro.",
        ["direct_consequences"],
        ["arms_trafficking"],
        "monitor",
    ),
    (
        ("The Mission advocated with the legislature for a law criminalizing the illicit trade "
        "in antiquities."),
        ["direct_drivers"],
        ["cultural_heritage"],
        "advocate",
    ),
]


@pytest.mark.parametrize(("text", "quadrants", "markets", "engagement"), ACTIVITIES)
def test_activities_by_the_operation(book, text, quadrants, markets, engagement):
    coded = code(book, text)
    assert coded["oc"] is True and coded["activity"] is True
    assert coded["negative_reason"] is None
    assert coded["quadrants"] == quadrants
    assert coded["markets"] == markets
    assert coded["engagement"] == engagement


NOT_ACTIVITY = [
    (
        ("Criminal networks continue to thrive in the mining areas, fuelled by the absence of "
        "State authority."),
        "concern_only",
    ),
    ("UNOCI remains concerned about the growing cocaine trade along the coast.", "concern_only"),
    (
        ("UNOCI will deploy mobile teams to support customs controls against gold smuggling "
        "next year."),
        "plan",
    ),
    ("The Mission intends to train prison officers on the detection of contraband.", "plan"),
    ("UNOCI did not conduct any operations against arms traffickers in the period.", "negation"),
    ("No seizures of cocaine were made by the Mission during the reporting period.", "negation"),
    ("The workshop on kidnapping that UNOCI had scheduled for May was postponed.", "postponed"),
    (
        "Joint patrols against timber smuggling were suspended after the attack on a convoy.",
        "postponed",
    ),
    (
        "The national police arrested nine suspects and seized 12 kg of heroin in Abidjan.",
        "other_actor",
    ),
    (
        ("With funding from bilateral partners, the Government trained 200 customs officers to "
        "detect illicit financial flows."),
        "other_actor",
    ),
]


@pytest.mark.parametrize(("text", "reason"), NOT_ACTIVITY)
def test_text_that_must_not_count(book, text, reason):
    coded = code(book, text)
    assert coded["oc"] is True
    assert coded["activity"] is False
    assert coded["negative_reason"] == reason
    assert coded["quadrants"] == [] and coded["engagement"] is None


def test_paragraph_without_oc_is_not_coded(book):
    coded = code(book, "UNOCI conducted 300 patrols and trained 40 police officers.")
    assert coded == {
        "oc": False,
        "activity": False,
        "quadrants": [],
        "markets": [],
        "engagement": None,
        "negative_reason": None,
        "operations": [],
        "carried": [],
        "evidence": {"oc": [], "markets": {}},
    }


def test_activity_wins_in_a_mixed_paragraph(book):
    text = (
        "Armed gangs remain a grave threat in the capital. UNOCI formed police units "
        "arrested 14 gang members in joint operations. A planned vetting exercise will "
        "start in June."
    )
    coded = code(book, text)
    assert coded["activity"] is True and coded["negative_reason"] is None
    assert coded["quadrants"] == ["direct_consequences"]
    ev = coded["evidence"]
    for span in ev["activity"] + ev["oc"] + ev["quadrants"]["direct_consequences"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert any(s["text"] == "arrested" for s in ev["activity"])


def test_relative_clause_plan_does_not_cancel_activity(book):
    coded = code(
        book,
        "UNOCI trained 30 customs officers, who will be posted to border "
        "crossings used by arms traffickers.",
    )
    assert coded["activity"] is True


def test_clauses_keep_concern_apart_from_unrelated_work(book):
    coded = code(
        book,
        "UNOCI carried out 80 patrols in Abidjan, while drug trafficking "
        "continues to flourish in the west.",
    )
    assert coded["activity"] is False and coded["negative_reason"] == "concern_only"


def test_follow_up_sentence_continues_the_subject_and_the_topic(book):
    coded = code(
        book,
        "Smuggling of gold through the north rose sharply. In response, the "
        "Mission set up checkpoints on the main roads.",
    )
    assert coded["activity"] is True and coded["quadrants"] == ["direct_consequences"]
    follow = code(
        book,
        "UNOCI trained 20 customs officers in March. The course covered the "
        "detection of illicit ivory and was supported with equipment.",
    )
    assert follow["activity"] is True


def test_other_operations_do_not_count_for_this_one(book):
    text = "UNMIL conducted patrols against diamond smuggling on the Liberian side."
    other = [{"operation": "UNMIL", "start": 0, "end": 5, "matched": "UNMIL"}]
    assert code(book, text, mentions=other)["negative_reason"] == "other_actor"
    own = code(book, text, mentions=other, ops=["UNMIL"])
    assert own["activity"] is True


def test_support_by_the_operation_makes_national_work_indirect_activity(book):
    coded = code(
        book,
        "With the support of UNOCI, the national police dismantled a network "
        "trafficking children to cocoa farms.",
    )
    assert coded["activity"] is True
    assert "indirect_consequences" in coded["quadrants"]
    assert coded["markets"] == ["human_trafficking"]


def test_code_reports_table_with_mentions_and_determinism(book):
    table = pd.DataFrame(
        {
            "doc_id": ["rep-1", "rep-1", "rep-2"],
            "para_no": [1, 2, 1],
            "text": [
                "The Operation seized 3 tonnes of charcoal in the port.",
                "Piracy remains a concern in the gulf.",
                "The Force trained fishermen's cooperatives to resist extortion by pirates.",
            ],
        }
    )
    calls = []

    def mentions(text, row):
        calls.append(row["doc_id"])
        return []

    coded = code_reports(table, book, {"rep-1": ["UNOCI"], "rep-2": ["UNMIL"]}, mentions)
    assert calls == ["rep-1", "rep-1", "rep-2"]
    assert coded["activity"].tolist() == [True, False, True]
    assert [None if pd.isna(r) else r for r in coded["negative_reason"]] == [
        None, "concern_only", None]
    assert coded["markets"].tolist() == ["natural_resources", "piracy", "piracy"]
    assert coded["quadrants"].tolist()[0] == "direct_consequences"
    assert set(coded["codebook"]) == {"oc-v1"}
    again = code_reports(table, book, {"rep-1": ["UNOCI"], "rep-2": ["UNMIL"]}, mentions)
    assert coded.to_csv(index=False) == again.to_csv(index=False)
