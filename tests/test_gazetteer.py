"""Tests of analysis.gazetteer: finding peace operations named in paragraph text."""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdf_fixtures import text_pdf

from analysis.coding.gazetteer import (
    DEFAULT_VOCABULARY,
    Gazetteer,
    GazetteerError,
    load_vocabulary,
    normalise,
)
from analysis.coding.legend import find_legend_entries
from analysis.missions import load_missions, operations_in

REPO = Path(__file__).resolve().parents[1]
SEED_PDF = REPO.parent / "shared" / "seed" / "van-der-lijn-2018.pdf"
HEADER = ["acronym", "name", "organisation", "kind", "hosts", "start_year", "end_year",
          "region", "aliases", "source"]  # fmt: skip
# A small operations table written for these tests (facts, kept apart from raw/missions.csv
# so the tests do not move when the project's table is edited).
ROWS = [
    ("MONUC", "UN Organization Mission in the Democratic Republic of the Congo", "UN PKO",
     "COD", 1999, 2010, "Sub-Saharan Africa", ""),
    ("MONUSCO", "UN Organization Stabilization Mission in the Democratic Republic of the Congo",
     "UN PKO", "COD", 2010, "", "Sub-Saharan Africa", ""),
    ("UNAMA", "UN Assistance Mission in Afghanistan", "UN SPM", "AFG", 2002, "",
     "Asia and Oceania", ""),
    ("UNAMSIL", "UN Mission in Sierra Leone", "UN PKO", "SLE", 1999, 2005,
     "Sub-Saharan Africa", ""),
    ("EUCAP Sahel Mali", "EU CSDP Mission in Mali", "EU", "MLI", 2015, "",
     "Sub-Saharan Africa", "EUCAP Mali"),
    ("EULEX Kosovo", "EU Rule of Law Mission in Kosovo", "EU", "XKX", 2008, "", "Europe",
     "EULEX"),
    ("EUFOR Althea", "EU Force in Bosnia and Herzegovina", "EU", "BIH", 2004, "", "Europe",
     "Operation Althea"),
    ("EUBAM Libya", "EU Border Assistance Mission to Libya", "EU", "LBY", 2013, "",
     "Middle East and North Africa", ""),
    ("JF-G5S", "Joint Force of the Group of Five Sahel", "regional", "MLI;NER", 2017, 2023,
     "Sub-Saharan Africa", ""),
    ("MINUSTAH", "UN Stabilization Mission in Haiti", "UN PKO", "HTI", 2004, 2017, "Americas",
     "Mission des Nations Unies pour la stabilisation en Haïti"),
    ("MINUSCA",
     "UN Multidimensional Integrated Stabilization Mission in the Central African Republic",
     "UN PKO", "CAF", 2014, "", "Sub-Saharan Africa", ""),
    ("MINURCAT", "UN Mission in the Central African Republic and Chad", "UN PKO", "CAF;TCD",
     2007, 2010, "Sub-Saharan Africa", ""),
    ("UNOCI", "UN Operation in Côte d'Ivoire", "UN PKO", "CIV", 2004, 2017,
     "Sub-Saharan Africa", "ONUCI"),
    ("UNAVEM", "UN Angola Verification Mission", "UN PKO", "AGO", 1989, 1997,
     "Sub-Saharan Africa", "UNAVEM III"),
    ("MONUA", "UN Observer Mission in Angola", "UN PKO", "AGO", 1997, 1999,
     "Sub-Saharan Africa", ""),
    ("UNTAC", "UN Transitional Authority in Cambodia", "UN PKO", "KHM", 1992, 1993,
     "Asia and Oceania", ""),
    ("UNMIL", "UN Mission in Liberia", "UN PKO", "LBR", 2003, 2018, "Sub-Saharan Africa", ""),
    ("UNMIK", "UN Mission in Kosovo", "UN PKO", "XKX", 1999, "", "Europe", ""),
    ("KFOR", "Kosovo Force", "NATO", "XKX", 1999, "", "Europe", ""),
    ("UNTAET", "UN Transitional Administration in East Timor", "UN PKO", "TLS", 1999, 2002,
     "Asia and Oceania", ""),
]  # fmt: skip


def write_table(path: Path, rows=ROWS) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(HEADER)
        for acr, name, org, hosts, start, end, region, aliases in rows:
            w.writerow([acr, name, org, "mixed", hosts, start, end, region, aliases, "tests"])
    return path


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    return load_missions(write_table(tmp_path_factory.mktemp("ops") / "missions.csv"))


@pytest.fixture(scope="module")
def gaz(table):
    return Gazetteer.from_missions(table)


def found(gaz, text, **kw):
    """(operation, matched, how) triples, checking every offset on the way."""
    mentions = gaz.find_operations(text, **kw)
    for m in mentions:
        assert text[m.start : m.end] == m.matched
    return [(m.operation, m.matched, m.how) for m in mentions]


# ---------------------------------------------------------------- acronyms


def test_acronyms_are_whole_words_and_case_sensitive(gaz):
    text = "MONUSCO took over from MONUC; the monuc file and XMONUC are not operations."
    assert found(gaz, text) == [("MONUSCO", "MONUSCO", "acronym"), ("MONUC", "MONUC", "acronym")]
    assert found(gaz, "UNAMSIL and UNAMA met.") == [
        ("UNAMSIL", "UNAMSIL", "acronym"),
        ("UNAMA", "UNAMA", "acronym"),
    ]
    assert found(gaz, "MONUCO, UNAMAX and the UN Mission in Liberian hands", doc_date=1990) == []
    assert found(gaz, "MONUSCO's patrols and MINUSTAH-led raids") == [
        ("MONUSCO", "MONUSCO", "acronym"),
        ("MINUSTAH", "MINUSTAH", "acronym"),
    ]


def test_acronyms_with_spaces_and_hyphens(gaz):
    text = (
        "EUCAP Sahel-Mali, EUCAP Sahel Mali, EULEX\nKosovo, EUFOR Althea, EUBAM  Libya, "
        "JF-G5S and EULEX alone."
    )
    assert found(gaz, text) == [
        ("EUCAP Sahel Mali", "EUCAP Sahel-Mali", "acronym"),
        ("EUCAP Sahel Mali", "EUCAP Sahel Mali", "acronym"),
        ("EULEX Kosovo", "EULEX\nKosovo", "acronym"),
        ("EUFOR Althea", "EUFOR Althea", "acronym"),
        ("EUBAM Libya", "EUBAM  Libya", "acronym"),
        ("JF-G5S", "JF-G5S", "acronym"),
        ("EULEX Kosovo", "EULEX", "alias"),
    ]


def test_longest_match_wins(gaz):
    # "UNAVEM III" (alias) contains "UNAVEM" (acronym): one mention, the longer.
    assert found(gaz, "UNAVEM III withdrew.") == [("UNAVEM", "UNAVEM III", "alias")]
    # The country inside a name is not a second mention; the name is not a cue for it.
    assert found(gaz, "The UN Mission in Kosovo met.", doc_date=2005) == [
        ("UNMIK", "UN Mission in Kosovo", "name")
    ]
    assert found(gaz, "Kosovo Force patrols", doc_date=2005) == [("KFOR", "Kosovo Force", "name")]


# ---------------------------------------------------------------- names and aliases


@pytest.mark.parametrize(
    ("text", "operation", "how"),
    [
        ("the United Nations Stabilization Mission in Haiti", "MINUSTAH", "name"),
        ("the UN Stabilisation Mission in Haïti", "MINUSTAH", "name"),
        ("THE UNITED NATIONS STABILIZATION MISSION IN HAITI", "MINUSTAH", "name"),
        ("the UN  Stabilization\r\nMission in\n Haiti", "MINUSTAH", "name"),
        ("la Mission des Nations Unies pour la stabilisation en Haiti", "MINUSTAH", "alias"),
        ("the UN Operation in Cote d’Ivoire", "UNOCI", "name"),
        ("the United Nations Operation in Côte d'Ivoire", "UNOCI", "name"),
        ("the UN Operation in Côte d‘Ivoire", "UNOCI", "name"),
        (
            (
                "the UN Multi-dimensional Integrated Stabilisation Mission in the Central "
                "African Republic"
            ),
            "MINUSCA",
            "name",
        ),
        (
            (
                "the UN Multi-\ndimensional Integrated Stabil\u00adization Mission in the "
                "Central African Republic"
            ),
            "MINUSCA",
            "name",
        ),
        ("the European Union Rule of Law Mission in Kosovo", "EULEX Kosovo", "name"),
        ("the EU Border Assistance Mission to Libya", "EUBAM Libya", "name"),
        ("Operation ALTHEA", "EUFOR Althea", "alias"),
    ],
)
def test_names_and_aliases(gaz, text, operation, how):
    mentions = gaz.find_operations(text)
    assert [(m.operation, m.how) for m in mentions] == [(operation, how)]
    m = mentions[0]
    # The span covers the whole name in the original text, accents and line breaks included.
    assert text[m.start : m.end] == m.matched
    assert m.matched.split()[0] in ("United", "UN", "UNITED", "Mission", "EU", "European",
                                    "Operation")  # fmt: skip
    assert m.end == len(text)


def test_un_never_matches_lower_case_un(gaz):
    # (Liberia itself, with the cue "Mission", is a country mention; no name is found.)
    assert found(gaz, "un Mission in Liberia") == [("UNMIL", "Liberia", "country")]
    assert found(gaz, "the un mission in liberia", doc_date=1990) == []


def test_normalise_maps_offsets_back():
    text = "Ha\u00efti\u2019s Multi-\r\ndimensional EU\ufffeLEX"
    norm = normalise(text)
    assert norm.text == "Haiti's Multidimensional EULEX"
    i = norm.text.index("Multidimensional")
    assert text[slice(*norm.span(i, i + len("Multidimensional")))] == "Multi-\r\ndimensional"
    assert text[slice(*norm.span(0, 5))] == "Ha\u00efti"
    j = norm.text.index("EULEX")
    assert text[slice(*norm.span(j, j + 5))] == "EU\ufffeLEX"
    # Hyphens after all-capital words stay: "MINUSTAH-led" keeps MINUSTAH a word of its own,
    # also across a line break; capitals split at a line end are one word again.
    assert normalise("MINUSTAH-led").text == "MINUSTAH-led"
    assert normalise("UNMIK-\nled MINUSTAH\ufffeled").text == "UNMIK-led MINUSTAH-led"
    assert normalise("EU\ufffeLEX MINUS-\nTAH Guinea\ufffeBissau").text == (
        "EULEX MINUSTAH GuineaBissau"
    )


def test_line_end_hyphens_in_found_text(gaz):
    text = "MINUS\ufffeTAH-\nsupported EU\ufffe\r\nLEX Kosovo teams and the UNAM-\nSIL office"
    assert found(gaz, text) == [
        ("MINUSTAH", "MINUS\ufffeTAH", "acronym"),
        ("EULEX Kosovo", "EU\ufffe\r\nLEX Kosovo", "acronym"),
        ("UNAMSIL", "UNAM-\nSIL", "acronym"),
    ]


# ---------------------------------------------------------------- self-references


def test_self_reference_resolves_to_the_documents_operation(gaz):
    text = (
        "The Mission supported the police. THE MISSION'S MANDATE. The mission of the church "
        "grew. the Office of the High Commissioner reported; the Force patrolled."
    )
    got = found(gaz, text, doc_operations=["MINUSTAH"])
    assert got == [
        ("MINUSTAH", "The Mission", "self_reference"),
        ("MINUSTAH", "THE MISSION", "self_reference"),
        ("MINUSTAH", "the Force", "self_reference"),
    ]
    # Without a document operation there is nothing to resolve to.
    assert found(gaz, text) == []


def test_self_reference_in_a_joint_report_and_by_name(gaz):
    got = found(gaz, "The Operation deployed.", doc_operations="UNMIL;UN Mission in Kosovo")
    assert got == [
        ("UNMIK", "The Operation", "self_reference"),
        ("UNMIL", "The Operation", "self_reference"),
    ]
    with pytest.raises(GazetteerError, match=r"'UNMISS' is not an acronym.*missions.csv"):
        gaz.find_operations("The Mission", doc_operations=["UNMISS"])


# ---------------------------------------------------------------- countries


def test_country_with_cue_resolves_to_operations_deployed_that_year(gaz, table):
    text = "UN operations in Angola, Cambodia and Liberia were studied."
    assert found(gaz, text, doc_date=1993) == [
        ("UNAVEM", "Angola", "country"),
        ("UNTAC", "Cambodia", "country"),
    ]
    assert found(gaz, text, doc_date="2004-05-01") == [("UNMIL", "Liberia", "country")]
    # No date: every operation ever hosted there.
    assert found(gaz, text) == [
        ("MONUA", "Angola", "country"),
        ("UNAVEM", "Angola", "country"),
        ("UNTAC", "Cambodia", "country"),
        ("UNMIL", "Liberia", "country"),
    ]
    # Same answer as the operations table's own query.
    for year in (1989, 1997, 2010, 2020):
        got = [m.operation for m in gaz.find_operations("peacekeepers in Angola", doc_date=year)]
        assert got == operations_in(table, "AGO", year)


def test_country_without_cue_is_not_a_mention(gaz):
    assert found(gaz, "Angola, Cambodia and Liberia held elections.", doc_date=1993) == []
    # The cue must be in the same sentence.
    text = "Peacekeeping was debated. Elections in Liberia followed."
    assert found(gaz, text, doc_date=2005) == []
    # A cue that is part of an operation's name does not count.
    assert found(gaz, "The UN Mission in Liberia helped Liberia.", doc_date=2005) == [
        ("UNMIL", "UN Mission in Liberia", "name")
    ]


def test_country_short_forms(gaz):
    text = (
        "Peacekeepers deployed in the DRC, CAR, Côte d’Ivoire, Kosovo and East Timor; "
        "a car is not a country."
    )
    # In 2000 nothing was deployed in the Central African Republic or Côte d'Ivoire.
    assert found(gaz, text, doc_date=2000) == [
        ("MONUC", "DRC", "country"),
        ("KFOR", "Kosovo", "country"),
        ("UNMIK", "Kosovo", "country"),
        ("UNTAET", "East Timor", "country"),
    ]
    assert found(gaz, text, doc_date=2008) == [
        ("MONUC", "DRC", "country"),
        ("MINURCAT", "CAR", "country"),
        ("UNOCI", "Côte d’Ivoire", "country"),
        ("EULEX Kosovo", "Kosovo", "country"),
        ("KFOR", "Kosovo", "country"),
        ("UNMIK", "Kosovo", "country"),
    ]
    got = found(gaz, "the deployment to the Central African Republic", doc_date=2015)
    assert got == [("MINUSCA", "Central African Republic", "country")]
    got = found(gaz, "missions in the Democratic Republic of the Congo and Timor-Leste")
    assert [g[0] for g in got] == ["MONUC", "MONUSCO", "UNTAET"]
    assert found(gaz, "Cars in the car park; CAR troops.", doc_date=2008) == []


# ---------------------------------------------------------------- vocabulary as data


# ---------------------------------------------------------------- generic references


def test_generic_references_resolve_to_the_documents_operation_of_that_organisation(gaz):
    text = "U.N. police and NATO soldiers searched the bars; peacekeepers made arrests."
    got = found(gaz, text, doc_operations=["UNMIK", "KFOR"])
    assert got == [("UNMIK", "U.N. police", "generic"), ("KFOR", "NATO soldiers", "generic"),
                   ("KFOR", "peacekeepers", "generic"), ("UNMIK", "peacekeepers", "generic")]
    # an organisation the document's operations do not belong to names none of them
    assert found(gaz, "NATO-led troops patrolled the port.", doc_operations=["UNMIL"]) == []
    # no operation of the document: nothing to resolve a bare reference to
    assert found(gaz, "UN police patrolled the port.") == []


def test_a_generic_reference_tied_to_a_country_names_the_operation_deployed_there(gaz):
    assert found(gaz, "The EU mission in Mali trained judges.", doc_date=2016) == [
        ("EUCAP Sahel Mali", "EU mission in Mali", "generic")]
    assert found(gaz, "Libya's EU mission trained coastguards.", doc_date=2016) == [
        ("EUBAM Libya", "Libya's EU mission", "generic")]
    assert found(gaz, "The EU mission in Mali trained judges.", doc_date=2010) == []
    # a national contingent is not a reference to the operation
    assert found(gaz, "French troops seized the boat.", doc_operations=["UNOCI"]) == []


def test_acronyms_in_title_case_as_newspapers_write_them(gaz):
    assert found(gaz, "Monusco and Minusca patrols; MONUSCO.") == [
        ("MONUSCO", "Monusco", "acronym"), ("MINUSCA", "Minusca", "acronym"),
        ("MONUSCO", "MONUSCO", "acronym")]
    assert found(gaz, "monusco") == []  # lower case is not an acronym


def test_generic_reference_errors_name_the_key(tmp_path):
    text = DEFAULT_VOCABULARY.read_text(encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("      - 'blue helmets?'", "      - 'blue (helmets?'"),
                   encoding="utf-8")
    with pytest.raises(GazetteerError, match=r"generic_references\[0\]\.patterns\[3\].*regex"):
        load_vocabulary(bad)


def test_vocabulary_arguments_replace_the_defaults(table):
    gaz = Gazetteer.from_missions(table, self_reference_nouns=["Mission"], country_cues=["troops"])
    text = "The Force left. The Mission stayed. Troops in Liberia. Missions in Angola."
    got = found(gaz, text, doc_operations=["UNMIL"], doc_date=2005)
    assert got == [
        ("UNMIL", "The Mission", "self_reference"),
        ("UNMIL", "Liberia", "country"),
    ]
    with pytest.raises(GazetteerError, match="list of words"):
        Gazetteer.from_missions(table, country_cues="troops")


def test_vocabulary_file(tmp_path, table):
    default = load_vocabulary()
    assert "Mission" in default.nouns and "peacekeep*" in default.country_cues
    custom = tmp_path / "vocab.yaml"
    text = DEFAULT_VOCABULARY.read_text(encoding="utf-8")
    custom.write_text(text.replace("nouns: [Mission, Operation, Force, Office]",
                                   "nouns: [Mission, Operation, Force, Office, Secretariat]"),
                      encoding="utf-8")  # fmt: skip
    gaz = Gazetteer.from_missions(table, vocabulary=custom)
    assert found(gaz, "the Secretariat", doc_operations=["UNMIL"]) == [
        ("UNMIL", "the Secretariat", "self_reference")
    ]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace('not_followed_by: [of, "on"]', "not_followed_by: [of, on]"))
    with pytest.raises(GazetteerError, match=r"bad\.yaml: self_reference\.not_followed_by.*quote"):
        load_vocabulary(bad)
    bad.write_text(text.replace("country_cues:", "country_clues:"))
    with pytest.raises(GazetteerError, match=r"bad\.yaml: key 'country_cues' missing"):
        load_vocabulary(bad)


def test_names_that_collide_after_normalisation_are_reported(tmp_path):
    rows = [
        ("AAA", "UN Mission in Atlantis", "UN PKO", "HTI", 2000, "", "Americas", ""),
        ("BBB", "United Nations Mission in Atlantis", "UN PKO", "HTI", 2001, "", "Americas", ""),
    ]
    table = load_missions(write_table(tmp_path / "m.csv", rows))
    with pytest.raises(GazetteerError, match=r"'UN Mission in Atlantis' of AAA.*BBB|BBB.*AAA"):
        Gazetteer.from_missions(table)


def test_unusable_alias_names_its_row(tmp_path):
    rows = [("AAA", "Atlantis Mission", "UN PKO", "HTI", 2000, "", "Americas", "(A) Mission")]
    table = load_missions(write_table(tmp_path / "m.csv", rows))
    with pytest.raises(GazetteerError, match=r"row AAA, column aliases: .*'\(A\) Mission'"):
        Gazetteer.from_missions(table)


def test_no_self_reference_nouns_means_no_self_references(table):
    gaz = Gazetteer.from_missions(table, self_reference_nouns=[])
    assert found(gaz, "The Mission and the Force", doc_operations=["UNMIL"]) == []


def test_bad_doc_date(gaz):
    with pytest.raises(GazetteerError, match="doc_date 'March 2007' is not a date"):
        gaz.find_operations("x", doc_date="March 2007")


# ---------------------------------------------------------------- real PDFs


def test_text_extracted_from_a_real_pdf(tmp_path, gaz):
    path = text_pdf(
        tmp_path / "report.pdf",
        "12. The Mission continued to support the Haitian National Police, while the United",
        "Nations Stabilisation Mission in Haïti and MONUSCO exchanged information on",
        "peacekeeping operations in Côte d’Ivoire.",
        leading=16,
    )
    pdf = pdfium.PdfDocument(str(path))
    text = pdf[0].get_textpage().get_text_range()
    pdf.close()
    got = found(gaz, text, doc_operations=["MINUSTAH"], doc_date=2008)
    assert [(op, how) for op, _, how in got] == [
        ("MINUSTAH", "self_reference"),
        ("MINUSTAH", "name"),
        ("MONUSCO", "acronym"),
        ("UNOCI", "country"),
    ]


def seed_text() -> str:
    if not SEED_PDF.exists():
        pytest.skip(f"seed paper PDF not found at {SEED_PDF}")
    pdf = pdfium.PdfDocument(str(SEED_PDF))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.fixture(scope="module")
def project_gaz():
    return Gazetteer.from_path(REPO / "raw" / "missions.csv")


def test_seed_paper_names_every_legend_operation(project_gaz):
    text = seed_text()
    acronyms = {entry.acronym for entry in find_legend_entries(text)}
    assert len(acronyms) == 38
    assert acronyms <= set(load_missions(REPO / "raw" / "missions.csv")["acronym"])
    got = {m.operation for m in project_gaz.find_operations(text, doc_date=2018)}
    assert acronyms <= got, sorted(acronyms - got)


def test_project_table_reads_the_names_of_operations_beyond_the_legend(project_gaz):
    def ops(text: str, year: int | None = None) -> list[tuple[str, str]]:
        return [(m.matched, m.operation) for m in project_gaz.find_operations(text, doc_date=year)]

    # the longest name wins, so short forms do not swallow the operations they open
    assert ops("EUNAVFOR MED IRINI boarded a ship; EUNAVFOR Med rescued migrants.") == [
        ("EUNAVFOR MED IRINI", "EUNAVFOR Med Irini"), ("EUNAVFOR Med", "EUNAVFOR Med Sophia")]
    assert ops("EU NAVFOR warships and EU NAVFOR Med patrols.") == [
        ("EU NAVFOR", "EUNAVFOR Atalanta"), ("EU NAVFOR Med", "EUNAVFOR Med Sophia")]
    assert ops("EUBAM Libya and EUBAM staff; EUFOR and SFOR.") == [
        ("EUBAM Libya", "EUBAM Libya"), ("EUBAM", "EUBAM Moldova-Ukraine"),
        ("EUFOR", "EUFOR Althea"), ("SFOR", "SFOR")]
    assert ops("EUCAP NESTOR trained coastguards; EUCAP Sahel Niger advised.") == [
        ("EUCAP NESTOR", "EUCAP Somalia"), ("EUCAP Sahel Niger", "EUCAP Sahel Niger")]
    assert ops("the African Union\u2013United Nations Hybrid Operation in Darfur") == [
        ("African Union\u2013United Nations Hybrid Operation in Darfur", "UNAMID")]
    # South Sudan is a host of its own, so its name is not read as Sudan (the words before
    # it are a generic reference tied to the country, so the whole phrase is the mention)
    assert ops("The peacekeeping mission in South Sudan grew.", 2015) == [
        ("The peacekeeping mission in South Sudan", "UNMISS")]
    assert ops("The peacekeeping mission in Sudan grew.", 2015) == [
        ("The peacekeeping mission in Sudan", "UNAMID")]
    assert ops("Peace talks in Sudan and South Sudan stalled; operations continue.", 2015) == [
        ("Sudan", "UNAMID"), ("South Sudan", "UNMISS")]


def test_seed_paper_body_names_operations_outside_the_legend(project_gaz):
    text = seed_text()
    legend = find_legend_entries(text)
    assert len(legend) == 38
    start, end = legend[0].start, legend[-1].end
    body = [m for m in project_gaz.find_operations(text) if m.end <= start or m.start >= end]
    in_body = {m.operation for m in body if m.how in ("acronym", "name", "alias")}
    assert {"MINUSTAH", "UNMIK", "ISAF"} <= in_body
