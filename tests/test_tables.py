"""Analysis tables: mandate timeline, mission activity and the operation-report panel."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.codebook import load_codebook
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.paragraphs import code_corpus
from analysis.coding.tables import build_tables, main, panel
from analysis.missions import load_missions
from analysis.vocab import QUADRANTS

ROOT = Path(__file__).resolve().parents[1]

# UNMIL (raw/missions.csv: 2003-2018). Two resolutions: the first only refers to OC, the
# second asks UNMIL itself to combat drug trafficking.
DOCUMENTS = [
    ("res-a", "resolution", "UNMIL", "2003-09-19", "S/RES/1509 (2003)", [
        ("", "Expressing concern about the illicit exploitation of natural resources,"),
        ("1", "Decides to establish UNMIL for a period of twelve months;"),
        ("2", "Requests the Secretary-General to keep the Council informed;")]),
    ("res-b", "resolution", "UNMIL", "2010-09-15", "S/RES/1938 (2010)", [
        ("1", "Requests UNMIL to combat drug trafficking, including through joint patrols;"),
        ("2", "Decides to remain seized of the matter.")]),
    ("rep-2002", "report", "UNMIL", "2002-06-01", "S/2002/1", [
        ("1", "The security situation remained calm.")]),
    ("rep-2005", "report", "UNMIL", "2005-03-01", "S/2005/1", [
        ("1", "UNMIL seized 40 kilograms of cocaine at the airport."),
        ("2", "The Mission dismantled a smuggling network in the port."),
        ("3", "Organized crime continues to thrive in the border areas.")]),
    ("rep-2011", "report", "UNMIL", "2011-03-01", "S/2011/1", [
        ("1", "UNMIL trained 25 customs officers in detecting arms trafficking."),
        ("2", "Elections were held peacefully.")]),
    ("rep-2019", "report", "UNMIL", "2019-06-01", "S/2019/1", [
        ("1", "The liquidation team closed the last office.")]),
    ("study", "study", "", "2018-03-07", "", [
        ("", "MINUSTAH conducted operations against gangs in the capital."),
        ("", "The debate on organized crime in Haiti and Kosovo remains divided.")]),
]


def corpus():
    docs, rows = [], []
    for doc_id, doc_type, missions, date, symbol, paragraphs in DOCUMENTS:
        docs.append({"doc_id": doc_id, "doc_type": doc_type, "missions": missions,
                     "date": date, "symbol": symbol})
        start = 0
        for seq, (no, text) in enumerate(paragraphs, start=1):
            rows.append({"doc_id": doc_id, "para_seq": seq, "page": 1, "kind": "paragraph",
                         "para_no": no or None, "section": None, "text": text,
                         "char_start": start, "char_end": start + len(text),
                         "footnote_refs": None})
            start += len(text) + 1
    # a caption naming another operation: it counts as appearing in the corpus
    rows.append({"doc_id": "study", "para_seq": 3, "page": 1, "kind": "caption",
                 "para_no": None, "section": None, "text": "Figure 1. UNMIK = UN Mission in Kosovo",
                 "char_start": 500, "char_end": 538, "footnote_refs": None})
    return pd.DataFrame(rows), pd.DataFrame(docs)


@pytest.fixture(scope="module")
def built():
    book = load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")
    missions = load_missions(ROOT / "raw/missions.csv")
    paragraphs, docs = corpus()
    coded, evidence, mentions = code_corpus(paragraphs, docs, book,
                                            Gazetteer.from_missions(missions), progress_every=0)
    tables = build_tables(coded, evidence, mentions, docs, missions, list(book.markets))
    return tables, coded, evidence, list(book.markets)


def test_mandate_timeline(built):
    mandates = built[0]["mandates"].set_index("resolution")
    assert list(mandates.index) == ["res-a", "res-b"]
    assert mandates.loc["res-a", "in_force_until"] == "2010-09-15"  # replaced by res-b
    assert mandates.loc["res-b", "in_force_until"] == "2018-12-31"  # UNMIL ended in 2018
    assert mandates.loc["res-a", "symbol"] == "S/RES/1509 (2003)"
    assert not mandates.loc["res-a", "explicit_mandate"] and mandates.loc["res-a", "oc_reference"]
    assert mandates.loc["res-b", "explicit_mandate"]
    assert mandates.loc["res-b", "markets"] == "drugs"


def test_panel_mandate_over_the_reporting_period_and_counts(built):
    panel = built[0]["panel"].set_index("doc_id")
    assert list(panel.index) == ["rep-2002", "rep-2005", "rep-2011", "rep-2019"]
    # rep-2002 predates every resolution: no reporting period under a mandate
    assert not panel.loc["rep-2002", "mandate_known"]
    assert panel.loc["rep-2002", "period_start"] == ""
    assert pd.isna(panel.loc["rep-2002", "explicit_mandate"])
    assert pd.isna(panel.loc["rep-2002", "explicit_mandate_at_report"])
    assert pd.isna(panel.loc["rep-2002", "mandate_share"])
    assert panel.loc["rep-2002", "resolution"] == ""
    # rep-2005: its previous report predates res-a, so its period starts at res-a's adoption
    assert panel.loc["rep-2005", "period_start"] == "2003-09-19"
    assert panel.loc["rep-2005", "resolution"] == "res-a"
    assert not panel.loc["rep-2005", "explicit_mandate"]
    assert panel.loc["rep-2005", "mandate_share"] == 0.0
    # rep-2011 covers 2005-03-01 .. 2011-03-01: res-a (no explicit mandate) at its start,
    # res-b (explicit, adopted 2010-09-15) on its date
    assert panel.loc["rep-2011", "period_start"] == "2005-03-01"
    assert panel.loc["rep-2011", "resolution_symbol"] == "S/RES/1509 (2003)"
    assert not panel.loc["rep-2011", "explicit_mandate"]
    assert panel.loc["rep-2011", "explicit_mandate_at_report"]
    days = (pd.Timestamp("2011-03-01") - pd.Timestamp("2010-09-15")).days
    total = (pd.Timestamp("2011-03-01") - pd.Timestamp("2005-03-01")).days
    assert panel.loc["rep-2011", "mandate_share"] == pytest.approx(days / total, rel=1e-9)
    # rep-2019 (after UNMIL's end in 2018) reports on 2011-03-01 .. 2019-06-01, which began
    # under res-b; no mandate is in force on its own date
    assert panel.loc["rep-2019", "mandate_known"]
    assert panel.loc["rep-2019", "explicit_mandate"]
    assert pd.isna(panel.loc["rep-2019", "explicit_mandate_at_report"])
    days = (pd.Timestamp("2019-01-01") - pd.Timestamp("2011-03-01")).days
    total = (pd.Timestamp("2019-06-01") - pd.Timestamp("2011-03-01")).days
    assert panel.loc["rep-2019", "mandate_share"] == pytest.approx(days / total, rel=1e-9)
    assert panel["oc_activity_paragraphs"].tolist() == [0, 2, 1, 0]
    assert panel["all_paragraphs"].tolist() == [1, 3, 2, 1]


def _timeline(rows):
    return pd.DataFrame(rows, columns=["operation", "resolution", "symbol", "adopted",
                                       "in_force_until", "explicit_mandate", "oc_reference",
                                       "markets"])


def _coded(docs):
    """One coded paragraph per report, no activity."""
    return pd.DataFrame({"doc_id": [d["doc_id"] for d in docs], "activity": False,
                         "operations": [d["missions"] for d in docs]})


def test_panel_period_start_and_share_by_hand():
    # OPX: R1 (no explicit mandate) 2010-01-01, R2 (explicit) adopted 2010-03-01, ongoing.
    # OPY: one explicit resolution, 2010-02-15 .. 2010-05-31 (the operation's end).
    timeline = _timeline([
        ("OPX", "r1", "S/RES/1", "2010-01-01", "2010-03-01", False, True, ""),
        ("OPX", "r2", "S/RES/2", "2010-03-01", "", True, True, "drugs"),
        ("OPY", "r3", "S/RES/3", "2010-02-15", "2010-05-31", True, True, "drugs")])
    docs = pd.DataFrame([
        {"doc_id": "x0", "doc_type": "report", "missions": "OPX", "date": "2009-12-01"},
        {"doc_id": "x1", "doc_type": "report", "missions": "OPX", "date": "2010-02-01"},
        {"doc_id": "x2", "doc_type": "report", "missions": "OPX", "date": "2010-04-01"},
        {"doc_id": "x3", "doc_type": "report", "missions": "OPX", "date": "2010-06-01"},
        {"doc_id": "y1", "doc_type": "report", "missions": "OPY", "date": "2010-04-15"},
        {"doc_id": "y2", "doc_type": "report", "missions": "OPY", "date": "2010-07-15"}])
    out = panel(_coded(docs.to_dict("records")), docs, timeline).set_index("doc_id")
    # x0 precedes every resolution of OPX
    assert out.loc["x0", "period_start"] == "" and not out.loc["x0", "mandate_known"]
    # x1: first report after R1; its period starts at R1's adoption, not at x0's date
    assert out.loc["x1", "period_start"] == "2010-01-01"
    assert out.loc["x1", "resolution"] == "r1"
    assert not out.loc["x1", "explicit_mandate"] and not out.loc["x1", "explicit_mandate_at_report"]
    assert out.loc["x1", "mandate_share"] == 0.0
    # x2: period 2010-02-01 .. 2010-04-01 (59 days), explicit from 2010-03-01 (31 days)
    assert out.loc["x2", "period_start"] == "2010-02-01"
    assert not out.loc["x2", "explicit_mandate"]  # at the period start
    assert out.loc["x2", "explicit_mandate_at_report"]  # on the report date
    assert out.loc["x2", "resolution"] == "r1"
    assert out.loc["x2", "mandate_share"] == pytest.approx(31 / 59, rel=1e-9)
    # x3: the whole period under R2
    assert out.loc["x3", "explicit_mandate"] and out.loc["x3", "mandate_share"] == 1.0
    assert out.loc["x3", "resolution"] == "r2"
    # y1: first report, period from 2010-02-15: explicit throughout
    assert out.loc["y1", "period_start"] == "2010-02-15"
    assert out.loc["y1", "mandate_share"] == 1.0
    # y2: 2010-04-15 .. 2010-07-15 (91 days); the mandate ends with 2010-05-31 (47 days in)
    assert out.loc["y2", "explicit_mandate"]
    assert pd.isna(out.loc["y2", "explicit_mandate_at_report"])
    assert out.loc["y2", "mandate_share"] == pytest.approx(47 / 91, rel=1e-9)


def test_mission_activity_grid_counts_and_evidence(built):
    tables, _, evidence, markets = built
    activity = tables["mission_activity"]
    # UNMIL (documents), MINUSTAH (study paragraph), UNMIK (caption only): full grids
    assert sorted(set(activity["operation"])) == ["MINUSTAH", "UNMIK", "UNMIL"]
    assert len(activity) == 3 * len(QUADRANTS) * (len(markets) + 1)
    cell = activity.set_index(["operation", "quadrant", "market"])["n_paragraphs"]
    assert cell[("UNMIL", "direct_consequences", "drugs")] == 1
    assert cell[("UNMIL", "direct_consequences", "unspecified")] == 1  # smuggling, no market
    assert cell[("UNMIL", "indirect_consequences", "arms_trafficking")] == 1
    assert cell[("MINUSTAH", "direct_consequences", "gangs")] == 1
    assert activity.loc[activity["operation"] == "UNMIK", "n_paragraphs"].sum() == 0
    assert activity["n_paragraphs"].sum() == 4
    row = activity[(activity["operation"] == "UNMIL") & (activity["market"] == "drugs")
                   & (activity["n_paragraphs"] > 0)].iloc[0]
    assert row["n_documents"] == 1 and row["n_report_paragraphs"] == 1
    ids = row["evidence_ids"].split(";")
    cited = evidence.set_index("evidence_id").loc[ids]
    assert set(cited["doc_id"]) == {"rep-2005"}
    assert {"quadrant", "market"} == set(cited["variable"])
    assert "cocaine" in set(cited["matched"])


def test_cli_outputs_are_byte_identical(tmp_path):
    book = load_codebook(ROOT / "workflow/codebooks/oc-v1.yaml")
    missions = load_missions(ROOT / "raw/missions.csv")
    paragraphs, docs = corpus()
    coded, evidence, mentions = code_corpus(paragraphs, docs, book,
                                            Gazetteer.from_missions(missions), progress_every=0)
    coded.to_parquet(tmp_path / "c.parquet", index=False)
    evidence.to_parquet(tmp_path / "e.parquet", index=False)
    mentions.to_parquet(tmp_path / "m.parquet", index=False)
    docs.to_csv(tmp_path / "d.csv", index=False)
    contents = []
    for run in ("a", "b"):
        outs = [tmp_path / f"{run}-{n}.csv" for n in ("mandates", "activity", "panel")]
        assert main(["--coded", str(tmp_path / "c.parquet"), "--evidence",
                     str(tmp_path / "e.parquet"), "--mentions", str(tmp_path / "m.parquet"),
                     "--documents", str(tmp_path / "d.csv"),
                     "--missions", str(ROOT / "raw/missions.csv"),
                     "--codebook", str(ROOT / "workflow/codebooks/oc-v1.yaml"),
                     "--mandates-out", str(outs[0]), "--activity-out", str(outs[1]),
                     "--panel-out", str(outs[2])]) == 0
        contents.append([p.read_bytes() for p in outs])
    assert contents[0] == contents[1]
    panel = pd.read_csv(tmp_path / "a-panel.csv", keep_default_na=False)
    assert panel.loc[panel["doc_id"] == "rep-2002", "explicit_mandate"].item() == ""
