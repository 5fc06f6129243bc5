"""Mandate coding: part, verb, strength, addressee, OC content, explicit mandate, timeline."""

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.codebook import load_codebook
from analysis.coding.mandates import (
    code_mandate_paragraph,
    code_resolution,
    mandate_timeline,
    resolution_summary,
)

CODEBOOK = Path(__file__).resolve().parents[1] / "workflow" / "codebooks" / "oc-v1.yaml"


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


def code(book, text, para_no=1, ops=("MINUSTAH", "MINUSMA", "UNMIL")):
    return code_mandate_paragraph(text, para_no, book, list(ops))


# (text, strength, addressee, explicit_mandate, markets)
TRAPS = [
    (
        ("Requests the Secretary-General to include in his reports an analysis of cocaine "
        "transit through the country;"),
        "requested",
        "secretary_general",
        False,
        ["drugs"],
    ),
    (
        ("Calls upon Member States to curb the smuggling of small arms and light weapons into "
        "the country;"),
        "encouraged",
        "member_states",
        False,
        ["arms_trafficking"],
    ),
    (
        "Encourages MINUSTAH to intensify its efforts against kidnappings in the capital;",
        "encouraged",
        "operation",
        False,
        ["kidnapping"],
    ),
    (
        ("Decides that the mandate of MINUSTAH shall include assisting the police in disrupting "
        "gangs that run narcotics through the ports;"),
        "requested",
        "operation",
        True,
        ["drugs", "gangs"],
    ),
    (
        ("Requests MINUSMA, within its mandate, to support the Malian authorities in countering "
        "the trafficking in persons;"),
        "requested",
        "operation",
        True,
        ["human_trafficking"],
    ),
    (
        "Urges the Government of Liberia to end the illegal exploitation of timber and diamonds;",
        "encouraged",
        "host_government",
        False,
        ["natural_resources"],
    ),
    (
        "Authorizes UNMIL to inspect cargo suspected of violating the arms embargo;",
        "requested",
        "operation",
        True,
        ["arms_trafficking"],
    ),
    (
        ("Further requests the Mission to assist the national police in investigating money "
        "laundering;"),
        "requested",
        "operation",
        True,
        ["corruption"],
    ),
    (
        "Invites neighbouring States to share information on the looting of cultural heritage;",
        "encouraged",
        "member_states",
        False,
        ["cultural_heritage"],
    ),
]


@pytest.mark.parametrize(("text", "strength", "addressee", "explicit", "markets"), TRAPS)
def test_strength_and_addressee_traps(book, text, strength, addressee, explicit, markets):
    coded = code(book, text)
    assert coded["part"] == "operative"
    assert (coded["strength"], coded["addressee"]) == (strength, addressee)
    assert coded["explicit_mandate"] is explicit
    assert coded["oc"] is True
    assert coded["markets"] == markets


def test_preambular_concern_is_a_reference(book):
    coded = code(
        book,
        "Expressing grave concern at the growth of organized crime in the "
        "Sahel and its links with armed groups,",
        para_no=None,
    )
    assert coded["part"] == "preambular"
    assert coded["verb"] == "Expressing grave concern"
    assert coded["strength"] == "reference"
    assert coded["addressee"] is None
    assert coded["oc"] is True and coded["explicit_mandate"] is False
    assert coded["markets"] == ["transnational_oc"]


def test_verb_and_evidence_offsets(book):
    text = "7. Decides that UNMIL shall support the Government in curbing illicit diamond mining;"
    coded = code(book, text, para_no=7)
    assert coded["verb"] == "Decides"
    ev = coded["evidence"]
    for span in ev["verb"] + ev["addressee"] + ev["oc"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert ev["addressee"][0]["text"] == "UNMIL"
    assert ev["markets"]["natural_resources"][0]["text"].lower() == "diamond"


def test_clause_with_oc_decides_strength_and_addressee(book):
    # The operation gets a task without OC; the Secretary-General gets the OC part.
    coded = code(
        book,
        "Decides to extend the mandate of UNMIL until 30 June, and requests the "
        "Secretary-General to report on the trade in conflict minerals;",
    )
    assert coded["verb"] == "Requests"
    assert coded["addressee"] == "secretary_general"
    assert coded["explicit_mandate"] is False
    no_oc = code(book, "Decides to extend the mandate of UNMIL until 30 June;")
    assert (no_oc["strength"], no_oc["addressee"], no_oc["oc"]) == ("requested", "operation", False)
    assert no_oc["quadrant"] is None


def test_shall_without_opening_verb(book):
    coded = code(book, "MINUSMA shall patrol the northern routes used by drug traffickers;")
    assert (coded["verb"], coded["strength"], coded["addressee"]) == (
        "Shall",
        "requested",
        "operation",
    )
    assert coded["explicit_mandate"] is True
    assert coded["quadrant"] == "direct_consequences"


def test_quadrant_only_for_tasks_of_the_operation(book):
    drivers = code(
        book,
        "Requests MINUSTAH to carry out community violence reduction "
        "projects for youth at risk of joining gangs;",
    )
    assert drivers["quadrant"] == "direct_drivers"
    indirect = code(
        book, "Requests UNMIL to train and mentor customs officers to detect cocaine shipments;"
    )
    assert indirect["quadrant"] == "indirect_consequences"
    states = code(book, "Calls upon all States to prevent the smuggling of migrants;")
    assert states["quadrant"] is None


def test_gazetteer_style_mentions(book):
    @dataclass
    class Mention:
        operation: str
        start: int
        end: int
        matched: str
        how: str = "name"

    text = (
        "Requests the United Nations Mission in Liberia to assist the police against "
        "armed robbery at sea;"
    )
    name = "United Nations Mission in Liberia"
    start = text.index(name)
    mention = Mention("UNMIL", start, start + len(name), name)
    coded = code_mandate_paragraph(text, 3, book, [mention])
    assert coded["addressee"] == "operation" and coded["explicit_mandate"] is True
    assert coded["evidence"]["addressee"][0]["text"] == name
    assert code_mandate_paragraph(text, 3, book, [])["addressee"] is None


RESOLUTION = [
    (None, "The Security Council,"),
    (None, "Recalling its previous resolutions on Haiti,"),
    (None, "Noting with concern the role of drug trafficking in financing armed gangs,"),
    ("1", "Decides to extend the mandate of MINUSTAH until 15 October;"),
    ("2", "Decides that MINUSTAH shall carry out the following tasks:"),
    ("2 (a)", "(a) to support the Haitian National Police in dismantling kidnapping rings;"),
    ("2 (b)", "(b) to monitor the human rights situation;"),
    ("3", "Requests the Secretary-General to report on the implementation of this resolution;"),
]


def _table(rows, doc_id="res-1"):
    return pd.DataFrame(
        {"doc_id": doc_id, "para_no": [r[0] for r in rows], "text": [r[1] for r in rows]}
    )


def test_code_resolution_parts_and_subparagraphs(book):
    coded = code_resolution(_table(RESOLUTION), book, {"res-1": ["MINUSTAH"]})
    assert coded["part"].tolist() == ["preambular"] * 3 + ["operative"] * 5
    assert coded["strength"].tolist() == ["reference"] * 3 + ["requested"] * 5
    sub = coded.iloc[5]
    assert bool(sub["inherited"]) is True
    assert (sub["verb"], sub["addressee"]) == ("Decides", "operation")
    assert bool(sub["explicit_mandate"]) is True
    assert sub["markets"] == "kidnapping"
    assert bool(coded.iloc[6]["explicit_mandate"]) is False  # inherited, but no OC
    assert coded.iloc[2]["markets"] == "drugs;gangs"
    json.loads(coded.iloc[5]["evidence"])
    assert set(coded["codebook"]) == {"oc-v1"}

    summary = resolution_summary(coded, book)
    assert summary.to_dict("records") == [
        {
            "doc_id": "res-1",
            "oc_reference": True,
            "explicit_mandate": True,
            "markets": "drugs;gangs;kidnapping",
            "n_paragraphs": 8,
            "n_oc_paragraphs": 2,
        }
    ]


def test_reference_only_resolution_is_not_explicit(book):
    rows = [
        (None, "Expressing concern at piracy off the coast,"),
        ("1", "Decides to extend the mandate of MINUSTAH until 15 October;"),
        ("2", "Calls upon Member States to combat piracy;"),
    ]
    summary = resolution_summary(code_resolution(_table(rows), book, ["MINUSTAH"]), book)
    row = summary.iloc[0]
    assert bool(row["oc_reference"]) is True and bool(row["explicit_mandate"]) is False


def test_code_resolution_is_deterministic_and_checks_columns(book):
    first = code_resolution(_table(RESOLUTION), book, ["MINUSTAH"])
    second = code_resolution(_table(RESOLUTION), book, ["MINUSTAH"])
    assert first.to_csv(index=False) == second.to_csv(index=False)
    with pytest.raises(ValueError, match="'text'"):
        code_resolution(pd.DataFrame({"body": ["x"]}), book, [])


def test_mandate_timeline_in_force_until_next_or_end():
    resolutions = pd.DataFrame(
        {
            "operation": ["UNMIL", "UNMIL", "UNMIL;UNOCI", "UNOCI"],
            "doc_id": ["r1", "r2", "r3", "r4"],
            "symbol": ["S/RES/1509 (2003)", "", "S/RES/1609 (2005)", None],
            "adopted": ["2003-09-19", "2004-09-17", "2005-06-24", "2004-02-27"],
            "explicit_mandate": [False, True, True, False],
            "oc_reference": [True, True, True, False],
            "markets": ["natural_resources", "drugs", "", None],
        }
    )
    timeline = mandate_timeline(resolutions, {"UNMIL": 2018, "UNOCI": "2017-06-30"})
    assert timeline.columns.tolist() == [
        "operation",
        "resolution",
        "doc_id",
        "adopted",
        "in_force_until",
        "explicit_mandate",
        "oc_reference",
        "markets",
    ]
    got = [
        (
            r.operation,
            r.resolution,
            r.adopted.date().isoformat(),
            r.in_force_until.date().isoformat(),
        )
        for r in timeline.itertuples()
    ]
    assert got == [
        ("UNMIL", "S/RES/1509 (2003)", "2003-09-19", "2004-09-17"),
        ("UNMIL", "r2", "2004-09-17", "2005-06-24"),
        ("UNMIL", "S/RES/1609 (2005)", "2005-06-24", "2018-12-31"),
        ("UNOCI", "r4", "2004-02-27", "2005-06-24"),
        ("UNOCI", "S/RES/1609 (2005)", "2005-06-24", "2017-06-30"),
    ]
    ongoing = mandate_timeline(
        resolutions, pd.DataFrame({"acronym": ["UNMIL", "UNOCI"], "end_year": [None, 2017]})
    )
    assert pd.isna(ongoing.iloc[2]["in_force_until"])
    assert ongoing["markets"].tolist()[3] == ""


def test_code_resolution_takes_mentions_from_a_finder(book):
    text = "Requests the Operation in Haiti to help the police curb gang violence;"
    start = text.index("the Operation in Haiti")

    def finder(paragraph, row):
        # one self-reference and one country mention, as a gazetteer would report them
        return [
            {"operation": "MINUSTAH", "start": start, "end": start + 22, "how": "self_reference"},
            {"operation": "MINUSTAH", "start": start + 17, "end": start + 22, "how": "country"},
        ]

    table = pd.DataFrame({"doc_id": ["r"], "para_no": ["4"], "text": [text]})
    coded = code_resolution(table, book, ["MINUSTAH"], find_mentions=finder).iloc[0]
    assert coded["addressee"] == "operation"
    assert bool(coded["explicit_mandate"]) is True
    spans = json.loads(coded["evidence"])["addressee"]
    assert spans == [{"start": start, "end": start + 22, "text": "the Operation in Haiti"}]

    country_only = code_mandate_paragraph(
        "Urges the authorities in Haiti to curb gang violence;", 5, book,
        [{"operation": "MINUSTAH", "start": 25, "end": 30, "how": "country"}],
    )
    assert country_only["addressee"] == "host_government"


def test_timeline_accepts_numpy_end_years():
    """End years read from a table arrive as numpy integers: they still mean 31 December."""
    import numpy as np

    from analysis.coding.mandates import _end_dates

    ends = _end_dates({"MINUSTAH": np.int64(2017), "UNAMA": pd.NA})
    assert ends["MINUSTAH"] == pd.Timestamp("2017-12-31")
    assert ends["UNAMA"] is pd.NaT
