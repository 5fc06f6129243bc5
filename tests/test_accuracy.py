"""Accuracy of the coding against ground truth: known precision, recall and F1."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analysis.coding.accuracy import coding_accuracy, join_truth, main, score


def by_label(rows):
    return {r["label"]: r for r in rows}


def test_labelled_variable_per_label_and_micro_average():
    truth = ["a", "a", "b", None]
    predicted = ["a", "b", "b", "a"]
    rows = by_label(score("engagement", truth, predicted))
    assert (rows["a"]["tp"], rows["a"]["fp"], rows["a"]["fn"]) == (1, 1, 1)
    assert rows["a"]["precision"] == 0.5 and rows["a"]["recall"] == 0.5
    assert rows["b"]["precision"] == 0.5 and rows["b"]["recall"] == 1.0
    assert rows["b"]["f1"] == pytest.approx(2 / 3, abs=1e-4)
    micro = rows[""]  # tp 2, fp 2, fn 1
    assert micro["precision"] == 0.5 and micro["recall"] == pytest.approx(2 / 3, abs=1e-4)
    assert micro["f1"] == pytest.approx(4 / 7, abs=1e-4) and micro["support"] == 3


def test_binary_and_multi_label_variables():
    binary = score("activity", ["true", "true", "false", "false"], [True, False, True, False])
    assert len(binary) == 1  # binary variables: one row, the True class
    assert (binary[0]["precision"], binary[0]["recall"], binary[0]["support"]) == (0.5, 0.5, 2)
    # a paragraph coded with an extra market: the extra label is a false positive
    rows = by_label(score("market", ["drugs", "gangs"], ["drugs;gangs", ""]))
    assert (rows["drugs"]["tp"], rows["gangs"]["fp"], rows["gangs"]["fn"]) == (1, 1, 1)
    assert rows[""]["precision"] == 0.5 and rows[""]["recall"] == 0.5
    nothing = score("market", [None], [None])[0]  # nothing true, nothing predicted
    assert nothing["precision"] is None and nothing["recall"] is None and nothing["support"] == 0


def truth_table():
    return pd.DataFrame([
        # doc_id, doc_type, para_no, text, oc, activity, quadrant, market, engagement, reason
        ("r1", "report", "1.", "UNMIL seized cocaine.", "true", "true",
         "direct_consequences", "drugs", "implement", None),
        ("r1", "report", "2.", "Gangs thrive.", "true", "false", None, "gangs", None,
         "concern_only"),
        ("r1", "report", None, "Same words.", "false", "false", None, None, None, None),
        ("r1", "report", None, "Same words.", "true", "true", "indirect_drivers",
         "corruption", "assist", None),
        ("r1", "report", "9.", "Lost in extraction.", "false", "false", None, None, None,
         None),
    ], columns=["doc_id", "doc_type", "para_no", "text", "oc", "activity", "quadrant",
                "market", "engagement", "negative_reason"])


def coded_table():
    return pd.DataFrame([
        ("r1", "report", "1", " UNMIL  seized cocaine.", True, True, "direct_consequences",
         "drugs", "implement", None),
        ("r1", "report", "2", "Gangs thrive.", True, True, "direct_consequences", "gangs",
         "implement", None),
        ("r1", "report", None, "Same words.", False, False, "", "", None, None),
        ("r1", "report", None, "Same  words.", True, False, "", "corruption", None, "plan"),
        ("r1", "report", "10", "Only in the coding.", False, False, "", "", None, None),
    ], columns=["doc_id", "doc_type", "para_no", "text", "oc", "activity", "quadrants",
                "markets", "engagement", "negative_reason"])


def test_join_numbered_by_number_unnumbered_by_text_in_order():
    pairs, coverage = join_truth(truth_table(), coded_table())
    assert len(pairs) == 4
    # the second "Same words." of the truth pairs with the second of the coding
    second = pairs[pairs["key"].str.endswith("|1")]
    assert second["activity_true"].tolist() == ["true"]
    assert second["negative_reason_coded"].tolist() == ["plan"]
    row = coverage.iloc[0].to_dict()
    assert (row["truth_paragraphs"], row["matched"], row["unmatched_truth"],
            row["unmatched_coded"], row["coverage"]) == (5, 4, 1, 1, 0.8)


def test_coding_accuracy_table():
    accuracy, _ = coding_accuracy(truth_table(), {}, coded_table())
    get = accuracy.set_index(["doc_type", "variable", "label"])
    activity = get.loc[("report", "activity", "")]  # truth 2 true; coded 2 true, 1 right
    assert (activity["tp"], activity["fp"], activity["fn"]) == (1, 1, 1)
    reason = get.loc[("report", "negative_reason", "concern_only")]
    assert (reason["recall"], reason["support"]) == (0.0, 1)
    assert get.loc[("report", "market", "")]["precision"] == 1.0
    assert set(accuracy["level"]) == {"paragraph"}


def test_cli_with_document_truth(tmp_path):
    truth_dir = tmp_path / "truth"
    truth_dir.mkdir()
    truth = truth_table()
    truth.to_csv(truth_dir / "paragraphs.csv", index=False)
    (truth_dir / "r1.truth.json").write_text(json.dumps(
        {"doc_id": "r1", "doc_type": "report", "explicit_mandate_in_force": True}))
    (truth_dir / "res1.truth.json").write_text(json.dumps(
        {"doc_id": "res1", "doc_type": "resolution", "explicit_mandate": True,
         "oc_reference": True}))
    coded_table().to_parquet(tmp_path / "coded.parquet", index=False)
    pd.DataFrame([{"operation": "UNMIL", "resolution": "res1", "symbol": "S/RES/1",
                   "adopted": "2009-01-01", "in_force_until": "", "explicit_mandate": False,
                   "oc_reference": True, "markets": ""}]).to_csv(tmp_path / "m.csv",
                                                                 index=False)
    pd.DataFrame([{"operation": "UNMIL", "doc_id": "r1", "explicit_mandate": True}]).to_csv(
        tmp_path / "panel.csv", index=False)
    out, join = tmp_path / "acc.csv", tmp_path / "join.csv"
    assert main(["--truth-dir", str(truth_dir), "--coded", str(tmp_path / "coded.parquet"),
                 "--mandates", str(tmp_path / "m.csv"), "--panel", str(tmp_path / "panel.csv"),
                 "--out", str(out), "--join-out", str(join)]) == 0
    accuracy = pd.read_csv(out).set_index(["level", "variable"])
    assert accuracy.loc[("document", "explicit_mandate"), "recall"] == 0.0
    assert accuracy.loc[("document", "oc_reference"), "f1"] == 1.0
    assert accuracy.loc[("document", "explicit_mandate_in_force"), "tp"] == 1
    assert pd.read_csv(join)["matched"].tolist() == [4]
    assert main(["--truth-dir", str(tmp_path / "none"), "--coded", "x", "--mandates", "x",
                 "--panel", "x", "--out", str(out), "--join-out", str(join)]) == 1


# ------------------------------------------------------------------ phrasing banks
def banked_truth():
    """truth_table() with the bank of each paragraph: r1's numbered paragraphs tuned, its
    unnumbered ones held out; paragraph 9 (lost in extraction) held out."""
    return truth_table().assign(bank=["tuned", "tuned", "heldout", "heldout", "heldout"])


def test_accuracy_per_bank_is_computed_from_that_banks_paragraphs():
    accuracy, _ = coding_accuracy(banked_truth(), {}, coded_table())
    get = accuracy.set_index(["bank", "doc_type", "variable", "label"])

    def counts(key):
        return tuple(int(get.loc[key][c]) for c in ("tp", "fp", "fn"))

    # activity: para 1 tp (tuned), para 2 fp (tuned), 2nd "Same words." fn (held out)
    assert counts(("tuned", "report", "activity", "")) == (1, 1, 0)
    assert counts(("heldout", "report", "activity", "")) == (0, 0, 1)
    assert counts(("all", "report", "activity", "")) == (1, 1, 1)
    # negative_reason: concern_only (para 2) is tuned; the coded "plan" is on a held-out one
    assert counts(("tuned", "report", "negative_reason", "concern_only")) == (0, 0, 1)
    assert counts(("heldout", "report", "negative_reason", "plan")) == (0, 1, 0)
    assert ("tuned", "report", "negative_reason", "plan") not in get.index
    # the "all" rows are exactly the table of the same truth without banks, in its order
    plain, _ = coding_accuracy(truth_table(), {}, coded_table())
    all_rows = accuracy[accuracy["bank"] == "all"].reset_index(drop=True)
    pd.testing.assert_frame_equal(all_rows, plain)
    assert accuracy["bank"].tolist()[:len(plain)] == ["all"] * len(plain)
    assert set(plain["bank"]) == {"all"}  # truth without banks: the all rows only
    # every per-bank count adds up to the all row
    for (variable, label), group in accuracy.groupby(["variable", "label"]):
        by = group.set_index("bank")
        for col in ("tp", "fp", "fn"):
            assert by.loc["all", col] == by.drop("all")[col].sum(), (variable, label, col)


def test_document_accuracy_per_bank():
    truth_docs = {
        "res1": {"doc_type": "resolution", "explicit_mandate": True, "oc_reference": True,
                 "bank": "tuned"},
        "res2": {"doc_type": "resolution", "explicit_mandate": True, "oc_reference": True,
                 "bank": "heldout"},
        "r1": {"doc_type": "report", "explicit_mandate_in_force": True, "bank": "mixed",
               "mandate_bank": "heldout"},
    }
    mandates = pd.DataFrame({"resolution": ["res1", "res2"], "explicit_mandate": [True, False],
                             "oc_reference": [True, True]})
    panel = pd.DataFrame({"doc_id": ["r1"], "explicit_mandate": [False]})
    accuracy, _ = coding_accuracy(banked_truth(), truth_docs, coded_table(), mandates, panel)
    doc = accuracy[accuracy["level"] == "document"].set_index(["bank", "variable"])
    assert doc.loc[("tuned", "explicit_mandate"), "recall"] == 1.0  # res1 found
    assert doc.loc[("heldout", "explicit_mandate"), "recall"] == 0.0  # res2 missed
    assert doc.loc[("all", "explicit_mandate"), "recall"] == 0.5
    # a report's mandate in force counts under the bank of the resolution in force
    assert doc.loc[("heldout", "explicit_mandate_in_force"), "fn"] == 1
    assert ("tuned", "explicit_mandate_in_force") not in doc.index
    assert set(accuracy["bank"]) == {"all", "tuned", "heldout"}
