"""Validation on labelled passages: reading (JSONL, CSV), the vocabulary mapping, the coding
with the corpus coder and the scoring (known precision, recall, F1 on hand-made sets)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.paragraphs import load_coding_inputs
from analysis.coding.validation import (
    ITEM_COLUMNS,
    Labels,
    PassageError,
    disagreements,
    map_label,
    passage_paragraphs,
    read_passages,
    score,
    validate,
)
from analysis.missions import load_missions
from analysis.schemas.coding import Validation, ValidationPassages

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "workflow" / "codebooks" / "oc-v1.yaml"
MISSIONS = ROOT / "raw" / "missions.csv"
MARKETS = ("drugs", "arms_trafficking", "human_trafficking", "corruption", "piracy",
           "transnational_oc")


@pytest.fixture(scope="module")
def labels():
    return Labels.of(load_missions(MISSIONS), MARKETS)


@pytest.fixture(scope="module")
def inputs():
    return load_coding_inputs(CODEBOOK, MISSIONS)


def passage(pid, text, missions=(), activity=(), mandate=(), reason=None, **extra):
    return {"id": pid, "text": text, "missions": list(missions), "activity": list(activity),
            "mandate": list(mandate), "negative_reason": reason, **extra}


def write_jsonl(path: Path, records) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# Written for these tests (not taken from any labelled file).
SEIZURE = ("Officers of UNMIL seized two tonnes of cocaine at the port of Monrovia and "
           "arrested three traffickers.")
CONCERN = ("The Security Council expressed concern about drug trafficking in Liberia.\n\n"
           "UNMIL continued its patrols.")
MANDATE = ("The Council requested MINUSMA to support the Malian authorities in fighting "
           "arms trafficking.")


def tiny_records():
    return [
        passage("a1", SEIZURE, ["UNMIL"],
                [{"mission": "UNMIL", "quadrant": "direct-consequences", "market": "drugs"}],
                source_url="https://example.org/a1"),
        passage("a2", CONCERN, ["UN Mission in Liberia"], reason="concern_only"),
        passage("a3", MANDATE, ["MINUSMA"], mandate=[
            {"mission": "MINUSMA", "strength": "requested", "addressee": "operation",
             "market": "arms"}], date="2015-06-29"),
    ]


# ------------------------------------------------------------------ mapping

def test_mapping_of_the_passage_vocabulary(labels):
    assert map_label("quadrant", "indirect-drivers", labels) == "indirect_drivers"
    assert map_label("quadrant", "direct_consequences", labels) == "direct_consequences"
    assert map_label("market", "arms", labels) == "arms_trafficking"
    assert map_label("market", "piracy", labels) == "piracy"
    assert map_label("negative_reason", "negated", labels) == "negation"
    assert map_label("operation", "UN Mission in Liberia", labels) == "UNMIL"
    assert map_label("operation", "unmil", labels) == "UNMIL"  # look-up ignores case
    with pytest.raises(ValueError, match="not one of direct_consequences"):
        map_label("quadrant", "direct", labels)
    with pytest.raises(ValueError, match="'weapons' is not one of drugs"):
        map_label("market", "weapons", labels)
    with pytest.raises(ValueError, match="did you mean UNMIL"):
        map_label("operation", "UNMIIL", labels)


# ------------------------------------------------------------------ reading

def test_reads_jsonl_with_mapped_labels(tmp_path, labels):
    path = write_jsonl(tmp_path / "p.jsonl", tiny_records())
    passages, gold = read_passages([path], labels)
    assert list(passages["passage_id"]) == ["a1", "a2", "a3"]
    assert list(passages["line"]) == [1, 2, 3]
    assert list(passages["missions"]) == ["UNMIL", "UNMIL", "MINUSMA"]
    assert list(passages["negative_reason"]) == ["", "concern_only", ""]
    assert list(passages["date"]) == ["", "", "2015-06-29"]
    assert passages["source_url"].iloc[0] == "https://example.org/a1"
    assert gold[["kind", "operation", "quadrant", "market"]].values.tolist() == [
        ["activity", "UNMIL", "direct_consequences", "drugs"],
        ["mandate", "MINUSMA", "", "arms_trafficking"]]
    assert gold["addressee"].iloc[1] == "operation"


def test_reads_csv_like_jsonl(tmp_path, labels):
    path = tmp_path / "p.csv"
    frame = pd.DataFrame([
        {"id": "a1", "text": SEIZURE, "missions": "UNMIL",
         "activity": "UNMIL|direct-consequences|drugs", "mandate": "", "negative_reason": "",
         "source_url": "https://example.org/a1"},
        {"id": "a2", "text": CONCERN, "missions": "UN Mission in Liberia", "activity": "",
         "mandate": "", "negative_reason": "concern_only"},
        {"id": "a3", "text": MANDATE, "missions": "MINUSMA", "activity": "",
         "mandate": "MINUSMA|requested|operation|arms", "negative_reason": "",
         "date": "2015-06-29"},
    ])
    frame.to_csv(path, index=False)
    passages, gold = read_passages([path], labels)
    jsonl = write_jsonl(tmp_path / "p.jsonl", tiny_records())
    passages_j, gold_j = read_passages([jsonl], labels)
    cols = ["passage_id", "text", "missions", "date", "source_url", "negative_reason"]
    pd.testing.assert_frame_equal(passages[cols], passages_j[cols])
    pd.testing.assert_frame_equal(gold, gold_j)
    # the CSV line of each passage: the two-paragraph text of a2 spans three lines
    assert list(passages["line"]) == [2, 3, 6]


def test_every_problem_of_every_file_listed_with_file_line_and_key(tmp_path, labels):
    bad = write_jsonl(tmp_path / "bad.jsonl", [
        passage("b1", SEIZURE, ["UNMIL"],
                [{"mission": "UNMIL", "quadrant": "sideways", "market": "drugs"}]),
        passage("b2", SEIZURE, ["Blue Helmets Mission"]),
        passage("b3", SEIZURE, ["UNMIL"], reason="maybe"),
    ])
    with bad.open("a", encoding="utf-8") as handle:
        handle.write('{"id": "b4", "text": "unfinished\n')
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("id,text,missions,activity,mandate,negative_reason\n"
                        "c1,Some text.,UNMIL,UNMIL|direct-consequences,,\n"
                        "c1,Other text.,UNMIL,,UNMIL|ordered|operation|drugs,\n",
                        encoding="utf-8")
    with pytest.raises(PassageError) as caught:
        read_passages([bad, csv_path], labels)
    found = {(Path(p.file).name, p.line, p.column) for p in caught.value.problems}
    assert found == {
        ("bad.jsonl", 1, "activity[0].quadrant"),
        ("bad.jsonl", 2, "missions[0]"),
        ("bad.jsonl", 3, "negative_reason"),
        ("bad.jsonl", 4, None),  # bad JSON
        ("bad.csv", 2, "activity"),  # two parts instead of three
        ("bad.csv", 3, "mandate"),  # unknown strength
    }
    text = str(caught.value)
    assert "bad.jsonl:1: key 'activity[0].quadrant' quadrant 'sideways' is not one of" in text
    assert "not valid JSON" in text and "item 1:" in text


def test_missing_keys_and_repeated_ids(tmp_path, labels):
    path = tmp_path / "p.jsonl"
    path.write_text(json.dumps({"id": "x", "text": "Text."}) + "\n"
                    + json.dumps(passage("y", "Text.")) + "\n"
                    + json.dumps(passage("y", "More text.")) + "\n", encoding="utf-8")
    with pytest.raises(PassageError) as caught:
        read_passages([path], labels)
    found = {(p.line, p.column) for p in caught.value.problems}
    assert found == {(1, "missions"), (1, "activity"), (1, "mandate"),
                     (1, "negative_reason"), (3, "id")}


def test_paragraphs_are_the_text_split_on_blank_lines(tmp_path, labels):
    path = write_jsonl(tmp_path / "p.jsonl", [passage("a", " First.\n\n  \nSecond\nline.\n")])
    passages, _ = read_passages([path], labels)
    paragraphs = passage_paragraphs(passages)
    assert list(paragraphs["text"]) == ["First.", "Second\nline."]
    text = passages["text"].iloc[0]
    for p in paragraphs.itertuples():
        assert text[p.char_start:p.char_end] == p.text


# ------------------------------------------------------------------ scoring

def items(rows):
    return pd.DataFrame(rows, columns=ITEM_COLUMNS)


def passages_of(ids, reasons=None):
    reasons = reasons or [""] * len(ids)
    return pd.DataFrame({"doc_id": ids, "file": "f.jsonl", "line": range(1, len(ids) + 1),
                         "passage_id": ids, "text": "t", "missions": "", "date": "",
                         "source_url": "", "negative_reason": reasons})


def evidence_of(rows):
    return pd.DataFrame(rows, columns=["doc_id", "operation", "coding"])


def row(table, variable, label=""):
    found = table[(table["variable"] == variable) & (table["label"] == label)]
    assert len(found) == 1, (variable, label)
    return found.iloc[0]


def test_micro_precision_recall_f1_over_passages():
    passages = passages_of(["p1", "p2", "p3"])
    gold = items([
        ("p1", "operation_quadrant", "A", "direct_consequences"),
        ("p1", "operation_quadrant", "A", "indirect_drivers"),
        ("p2", "operation_quadrant", "B", "direct_consequences"),
        ("p3", "operation_quadrant", "C", "direct_drivers"),
    ])
    predicted = items([
        ("p1", "operation_quadrant", "A", "direct_consequences"),
        ("p1", "operation_quadrant", "A", "direct_drivers"),
        ("p2", "operation_quadrant", "B", "direct_consequences"),
        ("p2", "operation_quadrant", "", "direct_consequences"),  # no operation: wrong
        # the right quadrant for the wrong passage is no hit
        ("p3", "operation_quadrant", "A", "indirect_drivers"),
    ])
    table = score(passages, gold, predicted, evidence_of([]), MARKETS)
    overall = row(table, "operation_quadrant")
    assert (overall["n_gold"], overall["n_predicted"], overall["tp"]) == (4, 5, 2)
    assert overall["precision"] == 0.4 and overall["recall"] == 0.5
    assert overall["f1"] == pytest.approx(2 * 2 / 9, abs=1e-4)
    dc = row(table, "operation_quadrant", "direct_consequences")
    assert (dc["n_gold"], dc["n_predicted"], dc["tp"]) == (2, 3, 2)
    assert dc["precision"] == pytest.approx(0.6667, abs=1e-4) and dc["recall"] == 1.0
    dd = row(table, "operation_quadrant", "direct_drivers")
    assert (dd["tp"], dd["precision"], dd["recall"], dd["f1"]) == (0, 0.0, 0.0, 0.0)
    # labels never seen: counts 0, ratios empty (not 0)
    nothing = row(table, "strength")
    assert nothing["n_gold"] == 0 and pd.isna(nothing["precision"]) and pd.isna(nothing["f1"])
    assert set(table.loc[table["variable"] == "operation_quadrant", "label"]) == {
        "", "direct_consequences", "direct_drivers", "indirect_consequences",
        "indirect_drivers"}
    assert (table["n"].loc[table["variable"] == "operation_quadrant"] == 3).all()
    Validation.validate(table)


def test_hard_negatives_explicit_mandate_and_evidence_without_operation():
    passages = passages_of(["p1", "p2", "p3", "p4", "p5"],
                           ["", "plan", "plan", "negation", "other_actor"])
    gold = items([
        ("p1", "activity", "", "yes"),
        ("p5", "activity", "", "yes"),  # a reason AND activity: not a hard negative
        ("p1", "explicit_mandate", "A", ""),
        ("p4", "explicit_mandate", "B", ""),
    ])
    predicted = items([
        ("p1", "activity", "", "yes"),
        ("p2", "activity", "", "yes"),
        ("p4", "activity", "", "yes"),
        ("p1", "explicit_mandate", "A", ""),
        ("p2", "explicit_mandate", "A", ""),
    ])
    evidence = evidence_of([("p1", "A", "activity"), ("p2", None, "activity"),
                            ("p2", "", "activity"), ("p3", None, "mandate")])
    table = score(passages, gold, predicted, evidence, MARKETS)
    hard = row(table, "hard_negative_false_activity")
    assert (hard["n"], hard["count"]) == (3, 2) and hard["rate"] == pytest.approx(0.6667)
    plan = row(table, "hard_negative_false_activity", "plan")
    assert (plan["n"], plan["count"], plan["rate"]) == (2, 1, 0.5)
    assert row(table, "hard_negative_false_activity", "negation")["rate"] == 1.0
    postponed = row(table, "hard_negative_false_activity", "postponed")
    assert postponed["n"] == 0 and pd.isna(postponed["rate"])
    activity = row(table, "activity")
    assert (activity["tp"], activity["precision"], activity["recall"]) == (1, 0.3333, 0.5)
    mandate = row(table, "explicit_mandate")
    assert (mandate["precision"], mandate["recall"], mandate["f1"]) == (0.5, 0.5, 0.5)
    # rows of the activity coding only: the mandate coding's row of p3 does not count
    empty = row(table, "evidence_without_operation")
    assert (empty["count"], empty["n"]) == (2, 1)


def test_disagreements_only_where_sets_differ():
    passages = passages_of(["p1", "p2"], ["", "plan"])
    gold = items([("p1", "operation_quadrant", "A", "direct_consequences"),
                  ("p1", "activity", "", "yes")])
    predicted = items([("p1", "operation_quadrant", "A", "direct_consequences"),
                       ("p1", "activity", "", "yes"),
                       ("p2", "activity", "", "yes"),
                       ("p2", "operation_quadrant", "", "direct_drivers")])
    table = disagreements(passages, gold, predicted)
    ValidationPassages.validate(table)
    assert table[["passage_id", "variable", "missing", "extra", "negative_reason"]
                 ].values.tolist() == [["p2", "operation_quadrant", "", "|direct_drivers",
                                        "plan"],
                                       ["p2", "activity", "", "yes", "plan"]]


# ------------------------------------------------------------------ coding end to end

def test_tiny_file_coded_with_the_corpus_coder_and_scored(tmp_path, inputs):
    book, missions, gazetteer = inputs
    path = write_jsonl(tmp_path / "p.jsonl", tiny_records())
    result = validate([path], book, missions, gazetteer)
    Validation.validate(result.table)
    ValidationPassages.validate(result.disagreements)
    # every passage was coded, as a report and as a resolution
    assert set(result.evidence["doc_id"]) <= set(result.passages["doc_id"])
    assert set(result.evidence["coding"]) == {"activity", "mandate"}
    assert (result.table["n"].loc[result.table["variable"] == "activity"] == 3).all()
    # the table's counts are those of the gold and predicted sets
    for variable in ("operation_quadrant", "activity", "explicit_mandate"):
        overall = row(result.table, variable)
        g = result.gold[result.gold["variable"] == variable]
        p = result.predicted[result.predicted["variable"] == variable]
        assert overall["n_gold"] == len(g) and overall["n_predicted"] == len(p)
        assert overall["tp"] == len(g.merge(p, on=ITEM_COLUMNS))
    assert row(result.table, "operation_quadrant")["n_gold"] == 1
    assert row(result.table, "explicit_mandate")["n_gold"] == 1
    assert row(result.table, "hard_negative_false_activity")["n"] == 1
    # evidence is attributed to the passage's own operations
    assert set(result.evidence["operation"].dropna()) <= {"UNMIL", "MINUSMA"}


# ------------------------------------------------------------------ the dev passages

DEV = ROOT.parent / "shared" / "validation" / "dev-passages.jsonl"


def table_with(missions: pd.DataFrame, names, folder: Path) -> Path:
    """The operations table plus a placeholder row for each of ``names`` it lacks (the test
    is about scoring every passage, not about which operations the shipped table lists)."""
    from analysis.missions import alias_index
    from analysis.schemas.missions import alias_key

    known = alias_index(missions)
    extra = sorted({n for n in names if alias_key(n) not in known})
    rows = pd.DataFrame([{"acronym": n, "name": n, "organisation": "regional", "kind": "mixed",
                          "hosts": "ATA", "start_year": 1990, "end_year": None,
                          "region": "Europe", "aliases": "", "source": "test placeholder"}
                         for n in extra], columns=list(missions.columns))
    path = folder / "missions.csv"
    pd.concat([pd.read_csv(MISSIONS, dtype=str), rows.astype("string")]).to_csv(path,
                                                                                 index=False)
    return path


@pytest.mark.skipif(not DEV.exists(), reason=f"labelled dev passages not found at {DEV} "
                    "(../shared/validation/ beside the repository)")
def test_dev_passages_are_all_coded_and_scored(tmp_path):
    records = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()
               if line.strip()]
    names = {m for r in records for m in r["missions"]} | {
        e["mission"] for r in records for e in r["activity"] + r["mandate"]}
    missions_path = table_with(load_missions(MISSIONS), names, tmp_path)
    book, missions, gazetteer = load_coding_inputs(CODEBOOK, missions_path)
    result = validate([DEV], book, missions, gazetteer)
    table = result.table
    Validation.validate(table)
    ValidationPassages.validate(result.disagreements)
    # every passage read, coded (the mandate coding gives every paragraph a part) and scored
    assert list(result.passages["passage_id"]) == [r["id"] for r in records]
    # (a value with no operation to attach it to gets no evidence row: passages whose text
    # and metadata name no operation have none)
    coded = set(result.evidence.loc[result.evidence["variable"] == "part", "doc_id"])
    with_missions = {doc for doc, r in zip(result.passages["doc_id"], records, strict=True)
                     if r["missions"]}
    assert with_missions <= coded <= set(result.passages["doc_id"])
    assert (table.loc[table["precision"].notna() | table["n_gold"].notna(), "n"]
            == len(records)).all()
    # the table's shape: every variable, every quadrant, strength, addressee and reason
    assert table["variable"].drop_duplicates().tolist() == [
        "operation_quadrant", "operation_market", "activity", "explicit_mandate", "strength",
        "addressee", "hard_negative_false_activity", "evidence_without_operation"]
    assert len(table) == 5 + (1 + len(book.markets)) + 1 + 1 + 4 + 5 + 6 + 1
    # gold counts are those of the file, counted here independently of the reader
    quadrants = {(r["id"], a["mission"], a["quadrant"]) for r in records for a in r["activity"]}
    assert row(table, "operation_quadrant")["n_gold"] == len(quadrants)
    assert row(table, "activity")["n_gold"] == sum(bool(r["activity"]) for r in records)
    explicit = {(r["id"], m["mission"]) for r in records for m in r["mandate"]
                if m["strength"] == "requested" and m["addressee"] == "operation"}
    assert row(table, "explicit_mandate")["n_gold"] == len(explicit)
    hard = [r for r in records if r["negative_reason"] and not r["activity"]]
    assert row(table, "hard_negative_false_activity")["n"] == len(hard)
    negated = sum(r["negative_reason"] == "negated" for r in hard)
    assert row(table, "hard_negative_false_activity", "negation")["n"] == negated
    # and the predicted counts are those of the coded evidence
    for variable in ("operation_quadrant", "operation_market", "strength"):
        p = result.predicted[result.predicted["variable"] == variable]
        assert row(table, variable)["n_predicted"] == len(p)
    # every disagreement row names a passage of the file with its line
    lines = dict(zip(result.passages["passage_id"], result.passages["line"], strict=True))
    for d in result.disagreements.itertuples():
        assert lines[d.passage_id] == d.line
