"""Tests of the operations reference table (raw/missions.csv) and its loader."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from analysis.missions import (
    MissionsError,
    alias_index,
    hosts_of,
    load_missions,
    operations_in,
)
from analysis.schemas.missions import COLUMNS, alias_key

REPO = Path(__file__).resolve().parents[1]
TABLE = REPO / "raw" / "missions.csv"
SEED_TXT = REPO.parent / "shared" / "seed" / "van-der-lijn-2018.txt"


def legend_pairs() -> dict[str, str]:
    """Acronym -> name pairs of the Figure 2 legend, parsed from the seed paper's text."""
    if not SEED_TXT.exists():
        pytest.skip(f"seed paper text not found at {SEED_TXT}")
    lines = SEED_TXT.read_text(encoding="utf-8").splitlines()
    legend = next((ln for ln in lines if ln.startswith("Figure 2.")), None)
    if legend is None:
        pytest.skip("no line starting 'Figure 2.' in the seed paper text")
    pairs = {}
    for chunk in legend.split(";"):
        acronym, sep, name = chunk.partition(" = ")
        assert sep, f"legend chunk without ' = ': {chunk!r}"
        acronym = acronym.split(". ")[-1].strip()  # first chunk carries the caption
        name = name.split(". a Not")[0].strip().rstrip(".")  # last chunk carries the note
        pairs[acronym] = name
    return pairs


def write_table(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def op(acronym: str, **overrides: str) -> dict[str, str]:
    row = {
        "acronym": acronym,
        "name": f"Test Operation {acronym}",
        "organisation": "UN PKO",
        "kind": "mixed",
        "hosts": "HTI",
        "start_year": "2000",
        "end_year": "2005",
        "region": "Americas",
        "aliases": "",
        "source": "test fixture",
    }
    row.update(overrides)
    return row


@pytest.fixture(scope="module")
def missions():
    return load_missions(TABLE)


LEGEND_NOTE = "van der Lijn 2018, fig. 2 legend"


def test_shipped_table_validates(missions):
    assert list(missions.columns) == list(COLUMNS)
    assert str(missions["start_year"].dtype) == "Int64"
    # the 38 operations of the seed paper's Figure 2, plus operations real documents name
    assert (missions["source"].str.contains(LEGEND_NOTE, regex=False)).sum() == 38
    assert len(missions) > 38


def test_shipped_table_has_every_legend_operation(missions):
    pairs = legend_pairs()
    assert len(pairs) == 38
    assert set(pairs) <= set(missions["acronym"])
    names = dict(zip(missions["acronym"], missions["name"], strict=True))
    assert {a: names[a] for a in pairs} == pairs  # the name column is the legend's name
    # exactly the legend's rows say their name comes from the legend
    cites_legend = missions["source"].str.contains(LEGEND_NOTE, regex=False)
    assert set(missions.loc[cites_legend, "acronym"]) == set(pairs)


def test_shipped_table_is_sorted_and_plain(missions):
    raw = TABLE.read_bytes()
    assert b"\r\n" not in raw
    assert list(missions["acronym"]) == sorted(missions["acronym"])


def test_every_row_names_its_source(missions):
    assert (missions["source"].str.strip() != "").all()
    # rows beyond the legend name the public page(s) where their facts were confirmed
    beyond = missions[~missions["source"].str.contains(LEGEND_NOTE, regex=False)]
    assert len(beyond) > 0
    for acronym, source in zip(beyond["acronym"], beyond["source"], strict=True):
        assert "http" in source, f"{acronym}: source names no page"


# Aliases real documents use for operations beyond the legend (and one legend operation).
NEW_ALIASES = {
    "UNAMID": ["African Union-United Nations Hybrid Operation in Darfur", "MINUAD",
               "United Nations-African Union Mission in Darfur"],
    "UNSMIL": ["United Nations Support Mission in Libya", "UN Support Mission for Libya"],
    "EUNAVFOR Atalanta": ["Operation Atalanta", "EU NAVFOR Somalia", "EU NAVFOR Atalanta",
                          "EU NAVFOR"],
    "EUNAVFOR Med Sophia": ["Operation Sophia", "EUNAVFOR MED", "EUNAVFOR Med Operation Sophia"],
    "EUNAVFOR Med Irini": ["Operation Irini", "EUNAVFOR MED IRINI", "EU NAVFOR Med Irini"],
    "EUBAM Moldova-Ukraine": ["EUBAM", "EU Border Assistance Mission to Moldova and Ukraine"],
    "OSCE Mission to Serbia": ["OSCE Mission to Serbia and Montenegro",
                               "OSCE Mission to the Federal Republic of Yugoslavia"],
    "MNJTF": ["Multinational Joint Task Force", "Multi-National Joint Task Force"],
    "EUCAP Somalia": ["EUCAP Nestor", "EUCAP NESTOR", "EU Capacity Building Mission in Somalia"],
    "EUTM Mali": ["EU Training Mission in Mali", "EUTM-Mali"],
    "UNMISS": ["UN Mission in South Sudan", "United Nations Mission in the Republic of South Sudan"],
    "EUFOR Althea": ["EUFOR", "Operation Althea"],
}


def test_new_aliases_resolve_to_one_operation(missions):
    index = alias_index(missions)
    for acronym, aliases in NEW_ALIASES.items():
        for alias in aliases:
            assert index.get(alias_key(alias)) == acronym, alias
    assert hosts_of(missions, "Operation Sophia") == ["LBY"]
    assert hosts_of(missions, "MNJTF") == ["CMR", "NER", "NGA", "TCD"]


def test_operations_beyond_the_legend_by_country_and_year(missions):
    assert operations_in(missions, "LBY", 2016) == ["EUBAM Libya", "EUNAVFOR Med Sophia", "UNSMIL"]
    assert operations_in(missions, "LBY", 2021) == ["EUBAM Libya", "EUNAVFOR Med Irini", "UNSMIL"]
    assert operations_in(missions, "SDN", 2010) == ["UNAMID"]
    assert operations_in(missions, "SDN", 2021) == []  # mandate ended 31 December 2020
    assert operations_in(missions, "SSD", 2015) == ["UNMISS"]
    assert operations_in(missions, "SOM", 2010) == ["AMISOM", "EUNAVFOR Atalanta"]
    assert "EUCAP Somalia" in operations_in(missions, "SOM", 2013)  # as EUCAP Nestor
    assert operations_in(missions, "MDA", 2006) == operations_in(missions, "UKR", 2006) == [
        "EUBAM Moldova-Ukraine"]
    assert operations_in(missions, "SRB", 2001) == ["OSCE Mission to Serbia"]
    assert "EUTM Mali" not in operations_in(missions, "MLI", 2025)  # ended May 2024


def test_known_facts(missions):
    row = missions.set_index("acronym")
    assert row.loc["MINUSMA", "end_year"] == 2023
    assert row.loc["AMISOM", "end_year"] == 2022
    assert row.loc["UNTAC", "start_year"] == 1992
    for ongoing in ("MONUSCO", "UNAMA", "KFOR", "EULEX Kosovo", "UNMIK"):
        assert pd.isna(row.loc[ongoing, "end_year"]), ongoing
    assert row.loc["ISAF", "organisation"] == "NATO"
    assert row.loc["UNIOGBIS", "organisation"] == "UN SPM"


def test_operations_in(missions):
    assert operations_in(missions, "HTI", 2005) == ["MINUSTAH"]
    kosovo = operations_in(missions, "XKX", 2005)
    assert {"UNMIK", "KFOR", "OMIK"} <= set(kosovo)
    assert "EULEX Kosovo" not in kosovo  # deployed from 2008
    assert "EULEX Kosovo" in operations_in(missions, "xkx", 2010)
    # end years are inclusive; an empty end year means ongoing
    assert operations_in(missions, "KHM", 1993) == ["UNTAC"]
    assert operations_in(missions, "KHM", 1994) == []
    assert "MONUSCO" in operations_in(missions, "COD", 2030)
    assert "MONUC" not in operations_in(missions, "COD", 2011)
    # a multi-host operation is found in each host
    assert "JF-G5S" in operations_in(missions, "TCD", 2018)


def test_hosts_of_and_alias_index(missions):
    assert hosts_of(missions, "MINURCAT") == ["CAF", "TCD"]
    assert hosts_of(missions, "ONUCI") == ["CIV"]  # French acronym resolves
    with pytest.raises(KeyError, match="no operation named"):
        hosts_of(missions, "NOSUCHOP")
    index = alias_index(missions)
    assert index["onuci"] == "UNOCI"
    assert index["operation althea"] == "EUFOR Althea"
    assert index[alias_key("Mission des Nations Unies pour la stabilisation en Haïti")] == (
        "MINUSTAH"
    )
    assert index["united nations mission in liberia"] == "UNMIL"
    assert index["eucap sahel-mali"] == "EUCAP Sahel Mali"
    assert index["unavem iii"] == "UNAVEM"
    assert index[alias_key("JF-G5S")] == "JF-G5S"


def test_user_added_operation_is_accepted(tmp_path):
    rows = list(csv.DictReader(TABLE.open(encoding="utf-8")))
    rows.append(
        op(
            "BINUH",
            name="United Nations Integrated Office in Haiti",
            organisation="UN SPM",
            kind="civilian",
            start_year="2019",
            end_year="",
            aliases="Bureau intégré des Nations Unies en Haïti",
        )
    )
    df = load_missions(write_table(tmp_path / "missions.csv", rows))
    assert len(df) == len(rows) and df["acronym"].iloc[-1] == "BINUH"
    assert operations_in(df, "HTI", 2020) == ["BINUH"]


def test_bad_table_reports_every_problem_with_lines(tmp_path):
    rows = [
        op("AAA"),  # line 2: valid
        op("BBB", hosts="HTI;XYZ"),  # line 3: bad ISO3
        op("CCC", start_year="2010", end_year="2001"),  # line 4: reversed years
        op("AAA", name="Another AAA"),  # line 5: duplicate acronym
        op("DDD", organisation="UN"),  # line 6: unknown organisation
        op("EEE", aliases="Test Operation AAA"),  # line 7: alias clashes with AAA's name
        op("FFF", start_year="c. 1999"),  # line 8: not a year
    ]
    path = write_table(tmp_path / "bad.csv", rows)
    with pytest.raises(MissionsError) as info:
        load_missions(path)
    problems = info.value.problems
    found = {(p.line, p.column) for p in problems}
    assert (3, "hosts") in found
    assert (4, "start_year") in found
    assert (5, "acronym") in found
    assert (6, "organisation") in found
    assert (7, "aliases") in found
    assert (8, "start_year") in found
    assert all(p.file == str(path) for p in problems)
    # the clash names both sides: AAA's row (line 2) is reported as well
    assert (2, "aliases") in found
    text = str(info.value)
    assert "'XYZ' is not an ISO 3166-1 alpha-3" in text
    assert "start_year 2010 is after end_year 2001" in text
    assert "'UN' is not one of" in text
    assert "also names" in text
    assert f"{path}:6: column 'organisation'" in text


def test_kosovo_code_and_year_range(tmp_path):
    ok = write_table(tmp_path / "ok.csv", [op("KOS", hosts="XKX;SRB", region="Europe")])
    assert hosts_of(load_missions(ok), "KOS") == ["XKX", "SRB"]
    bad = write_table(tmp_path / "bad.csv", [op("OLD", start_year="1901", region="Africa")])
    with pytest.raises(MissionsError) as info:
        load_missions(bad)
    found = {(p.line, p.column) for p in info.value.problems}
    assert found == {(2, "start_year"), (2, "region")}


def test_file_level_problems(tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("acronym,name\nX,Y\n", encoding="utf-8")
    with pytest.raises(MissionsError, match="header lacks column"):
        load_missions(missing)
    latin = tmp_path / "latin.csv"
    latin.write_bytes(",".join(COLUMNS).encode() + b"\nA,Op\xe9ration\n")
    with pytest.raises(MissionsError, match="not UTF-8"):
        load_missions(latin)
    ragged = tmp_path / "ragged.csv"
    ragged.write_text(",".join(COLUMNS) + "\nA,B,C\n", encoding="utf-8")
    with pytest.raises(MissionsError) as info:
        load_missions(ragged)
    assert info.value.problems[0].line == 2
