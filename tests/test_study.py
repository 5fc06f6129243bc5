"""The real study's manifest (raw/study/) and the gate that follows the download."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from pdf_fixtures import text_pdf, write_manifest

from analysis.corpus.study import (
    availability,
    blocking,
    load_study_manifest,
    report_lines,
    study_problems,
    summarise,
)
from analysis.missions import load_missions
from analysis.schemas.manifest import ManifestError, load_manifest

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "raw" / "study"
MISSIONS = ROOT / "raw" / "missions.csv"


# --- the shipped study manifest ---------------------------------------------------------

@pytest.fixture(scope="module")
def shipped():
    return load_study_manifest(STUDY / "manifest.csv", MISSIONS)


def test_shipped_manifest_is_valid_and_every_row_has_a_source(shipped):
    assert len(shipped) > 500
    assert shipped["source"].str.match(r"https?://").all()
    assert shipped["doc_id"].is_unique
    named = shipped[shipped["doc_type"] != "study"]
    assert named["symbol"].ne("").all() and named["symbol"].is_unique


def test_every_operation_has_documents_and_every_un_operation_resolutions(shipped):
    ops = load_missions(MISSIONS)
    docs = shipped.assign(op=shipped["missions"].str.split(";")).explode("op")
    have = docs.groupby("op")["doc_type"].agg(set)
    missing = sorted(set(ops["acronym"]) - set(have.index))
    assert missing == [], f"operations without any document: {missing}"
    un = ops.loc[ops["organisation"].str.startswith("UN"), "acronym"]
    no_res = sorted(a for a in un if "resolution" not in have[a])
    assert no_res == [], f"UN operations without a resolution: {no_res}"


def test_symbols_agree_with_their_dates(shipped):
    res = shipped[shipped["symbol"].str.match(r"^S/RES/\d")]
    years = res["symbol"].str.extract(r"\((\d{4})\)$")[0]
    assert (years == res["date"].str[:4]).all()
    rep = shipped[shipped["symbol"].str.match(r"^S/\d{4}/")]
    assert (rep["symbol"].str[2:6] == rep["date"].str[:4]).all()
    un = shipped[shipped["symbol"].str.startswith("S/")]
    assert set(un["document_kind"]) <= {
        "Security Council resolution", "Secretary-General report",
        "other: NATO report on KFOR transmitted by Secretary-General letter",
        "other: NATO report on ISAF transmitted by Secretary-General letter"}


def test_non_un_documents_have_an_address_or_are_left_to_the_researcher(shipped):
    others = shipped[~shipped["symbol"].str.match(r"^S/") & (shipped["doc_type"] != "study")]
    eu = others[others["symbol"].str.contains("CFSP|Council Decision|Joint Action")]
    assert len(eu) > 50
    # EU acts are fetched in English from EUR-Lex by their CELEX number
    assert eu["source_url"].str.match(
        r"^https://eur-lex\.europa\.eu/legal-content/EN/TXT/PDF/\?uri=CELEX:3\d{4}[DE]\d{4}"
        r"(\(\d\d\))?$").all()
    for row in eu.to_dict("records"):
        year, number = re.search(r"(\d{4})/(\d+)", row["symbol"]).groups()
        assert f"CELEX:3{year}" in row["source_url"]
        assert row["source_url"].split("CELEX:3")[1][5:9] == f"{int(number):04d}"


def test_to_confirm_lists_what_is_known_and_nothing_of_the_manifest(shipped):
    with open(STUDY / "to-confirm.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and list(rows[0]) == ["reference", "doc_type", "document_kind", "operations",
                                      "known", "lead"]
    assert all(r["reference"] and r["known"] for r in rows)
    acronyms = set(load_missions(MISSIONS)["acronym"])
    for r in rows:
        assert {o for o in r["operations"].split(";") if o} <= acronyms, r


def test_the_seed_study_is_in_the_manifest(shipped):
    seed = shipped[shipped["doc_type"] == "study"]
    assert seed["path"].tolist() == ["../../../shared/seed/van-der-lijn-2018.pdf"]


# --- problems a study manifest must refuse -----------------------------------------------

def rows_df(**over):
    base = {"doc_id": "a", "path": "", "doc_type": "resolution", "missions": "UNMIL",
            "date": "2003-09-19", "title": "", "symbol": "S/RES/1509 (2003)",
            "source_url": "", "sha256": "", "document_kind": "Security Council resolution",
            "source": "https://press.un.org/x | press release"}
    return pd.DataFrame([{**base, **over}])


@pytest.mark.parametrize(("over", "fragment"), [
    ({"source": ""}, "column source"),
    ({"source": "press release of the adoption"}, "column source"),
    ({"source": "https://a.org/x; not a url | note"}, "column source"),
    ({"document_kind": ""}, "column document_kind: empty"),
    ({"symbol": ""}, "column symbol: empty"),
    ({"symbol": "S/RES/1509(2003)"}, "is not written like 'S/RES/1509 (2003)'"),
    ({"date": "2004-01-02"}, "carries the year 2003 but the date is 2004-01-02"),
    ({"symbol": "S/2004/12", "doc_type": "report", "date": "2005-01-01"},
     "carries the year 2004"),
    ({"symbol": "S/26802", "doc_type": "report", "date": "1995-01-01"}, "has no year"),
])
def test_study_problems_name_line_and_column(over, fragment):
    problems = study_problems(rows_df(**over), "m.csv")
    assert len(problems) == 1 and problems[0].startswith("m.csv, line 2")
    assert fragment in problems[0]


def test_acceptable_rows_give_no_problem():
    assert study_problems(rows_df(), "m.csv") == []
    ok = [{"symbol": "S/26802", "doc_type": "report", "date": "1993-11-15"},
          {"symbol": "S/PRST/2004/1"},
          {"symbol": "Council Decision (CFSP) 2020/472", "document_kind": "EU Council decision"},
          {"source": "https://a.org/x;https://b.org/y | two pages"}]
    for over in ok:
        assert study_problems(rows_df(**over), "m.csv") == [], over
    twice = pd.concat([rows_df(), rows_df(doc_id="b")], ignore_index=True)
    assert "listed twice (also line 2)" in study_problems(twice, "m.csv")[0]


# --- the gate ------------------------------------------------------------------------------

def lock_of(rows):
    return pd.DataFrame(rows, columns=["doc_id", "url", "sha256", "bytes", "status", "message"])


@pytest.fixture
def small(tmp_path):
    raw = tmp_path / "raw"
    text_pdf(raw / "local.pdf", "A study on disk.")
    m = pd.DataFrame([
        {"doc_id": "local", "doc_type": "study", "missions": "", "symbol": "",
         "path": "local.pdf"},
        {"doc_id": "r1", "doc_type": "resolution", "missions": "UNMIL", "symbol": "S/RES/1",
         "path": ""},
        {"doc_id": "p1", "doc_type": "report", "missions": "UNMIL;UNOCI", "symbol": "S/1",
         "path": ""},
        {"doc_id": "au", "doc_type": "resolution", "missions": "AMISOM", "symbol": "PSC/1",
         "path": ""},
    ])
    return m, raw


def test_offline_documents_stop_the_run_and_are_counted_per_operation(small):
    m, raw = small
    lock = lock_of([
        ["r1", "u", "h", 1, "downloaded", ""],
        ["p1", "u", "", 0, "offline", "not downloaded (offline)"],
        ["au", "", "", 0, "failed", "no address to download 'PSC/1' from: ..."],
    ])
    avail = availability(m, raw, lock)
    assert avail.set_index("doc_id")["status"].to_dict() == {
        "local": "available", "r1": "available", "p1": "offline", "au": "by_hand"}
    assert blocking(avail).tolist() == [False, False, True, False]
    summary = summarise(avail).set_index(["operation", "doc_type"])
    assert summary.loc[("UNOCI", "report"), ["listed", "available", "missing", "offline"]
                       ].tolist() == [1, 0, 1, 1]
    assert summary.loc[("UNMIL", "resolution"), "available"] == 1
    assert summary.loc[("AMISOM", "resolution"), "by_hand"] == 1
    text = "\n".join(report_lines(avail, summarise(avail), "m.csv", allow_missing=False))
    assert "4 documents on 3 operations; 2 available, 2 missing (1 not fetched because " \
           "offline, 0 failed, 1 to add by hand" in text
    assert "Nothing was built" in text and "allow_missing=true" in text
    assert "PSC/1" in text
    allowed = "\n".join(report_lines(avail, summarise(avail), "m.csv", allow_missing=True))
    assert "WARNING: allow_missing=true" in allowed and "Nothing was built" not in allowed


def test_failures_are_counted_by_kind(small):
    m, raw = small
    lock = lock_of([
        ["r1", "u", "", 0, "failed", ("cannot reach undocs.org: [Errno -2] Name or service "
                                     "not known for https://undocs.org/en/S/RES/1 (4 tries)")],
        ["p1", "u", "", 0, "failed", "not tried: undocs.org did not answer for 3 documents"],
        ["au", "", "", 0, "failed", "no address to download 'PSC/1' from: ..."],
    ])
    avail = availability(m, raw, lock)
    text = "\n".join(report_lines(avail, summarise(avail), "m.csv", allow_missing=False))
    assert "failed downloads by kind: cannot reach undocs.org (1), not tried (1)" in text


def test_documents_without_an_address_alone_do_not_stop_the_run(small):
    m, raw = small
    lock = lock_of([["r1", "u", "h", 1, "downloaded", ""], ["p1", "u", "h", 1, "reused", ""],
                    ["au", "", "", 0, "failed", "no address to download 'PSC/1'"]])
    avail = availability(m, raw, lock)
    assert not blocking(avail).any()
    text = "\n".join(report_lines(avail, summarise(avail), "m.csv", allow_missing=False))
    assert "Nothing was built" not in text and "left out of this build" in text


def test_gate_command_exit_codes(tmp_path):
    raw = tmp_path / "raw"
    text_pdf(raw / "r.pdf", "Resolution 1509 (2003)")
    rows = [{"doc_id": "r", "path": "r.pdf", "doc_type": "resolution", "missions": "UNMIL",
             "date": "2003-09-19", "symbol": "S/RES/1509 (2003)"},
            {"doc_id": "p", "doc_type": "report", "missions": "UNMIL", "date": "2003-12-15",
             "symbol": "S/2003/1175"}]
    path = write_manifest(raw / "manifest.csv", rows)
    df = load_manifest(path).assign(document_kind="x", source="https://press.un.org/x")
    df.to_csv(path, index=False)
    lock = tmp_path / "lock.csv"
    lock_of([["p", "u", "", 0, "offline", "not downloaded (offline)"]]).to_csv(lock, index=False)

    def gate(*extra):
        return subprocess.run(
            [sys.executable, "-m", "analysis.corpus", "gate", "--manifest", str(path),
             "--missions", str(MISSIONS), "--lock", str(lock), "--out",
             str(tmp_path / "a.csv"), *extra], capture_output=True, text=True, check=False)

    stopped = gate()
    assert stopped.returncode == 1 and "Nothing was built" in stopped.stderr
    assert not (tmp_path / "a.csv").exists()
    allowed = gate("--allow-missing")
    assert allowed.returncode == 0 and "WARNING" in allowed.stderr
    assert pd.read_csv(tmp_path / "a.csv")["missing"].sum() == 1
    df.drop(columns="source").to_csv(path, index=False)
    refused = gate()
    assert refused.returncode == 1 and "column source: missing" in refused.stderr


def test_a_study_manifest_without_sources_is_refused_with_every_problem(tmp_path):
    path = write_manifest(tmp_path / "m.csv", [
        {"doc_id": "a", "doc_type": "resolution", "missions": "UNMIL", "date": "2003-09-19",
         "symbol": "S/RES/1509 (2003)"}])
    with pytest.raises(ManifestError) as err:
        load_study_manifest(path, MISSIONS)
    assert [p.split(": ")[0] for p in err.value.problems] == [
        f"{path}, column source", f"{path}, column document_kind"]
