"""Coding rounds, step by step: coder sheets, sheet checks, alpha, consensus, P/R/F1, and a
human round's coding applied to the tables.

The corpus is a hand-made coded-paragraphs table (the output of the coding stage) whose
counts are chosen so every expected number can be worked out by hand in the test. Its ids
are the printed numbers: report paragraph "n." is ``rep-k:n`` (its para_seq is n + 2, after
a title and a heading); resolution preambular paragraphs are unnumbered (``res-1:s<seq>``)
and the one operative paragraph, printed "1.", is ``res-1:1``.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from analysis.coding.codebook import load_codebook
from analysis.coding.tables import mission_activity
from analysis.ids import para_ids
from analysis.io import write_csv
from analysis.rounds.agree import (
    alpha_rows,
    automated_vs_human,
    consensus,
    disagreements,
    nominal_alpha,
)
from analysis.rounds.apply import apply_consensus, estimates_by_round
from analysis.rounds.load import SheetError, load_round
from analysis.rounds.sheet import SHEET_COLUMNS, allocate, coder_sheet, sample_paragraphs
from analysis.rounds.steps import main as rounds_main
from analysis.rounds.variables import long_codes, normalise, paragraph_table, vocabulary
from analysis.schemas.coding import CodedParagraphs, Evidence, columns
from analysis.schemas.rounds import Consensus, Disagreements, RoundCodes

REPO = Path(__file__).resolve().parents[1]
VOCAB = vocabulary(load_codebook(REPO / "workflow" / "codebooks" / "oc-v1.yaml"))


def paragraph(doc_id, seq, doc_type="report", para_no=None, **codes) -> dict:
    """One coded paragraph with every column of coded_paragraphs.parquet but para_id."""
    report = doc_type != "resolution"
    row = {"doc_id": doc_id, "para_seq": seq, "page": 1 + seq // 10, "para_no": para_no,
           "doc_type": doc_type, "date": "2010-01-01", "operations": "ALPHA",
           "part": None if report else "operative", "verb": None,
           "strength": None if report else "requested",
           "addressee": None if report else "secretary_general", "oc": False,
           "activity": False if report else pd.NA, "quadrants": "", "markets": "",
           "engagement": None, "negative_reason": None,
           "explicit_mandate": pd.NA if report else False, "char_start": 0,
           "text": f"Paragraph {seq} of {doc_id}.", "codebook_version": "oc-v1"}
    row.update(codes)
    return row


def corpus() -> pd.DataFrame:
    """200 report paragraphs (150 plain, 30 drugs activity, 15 plans, 4 kidnapping, 1
    cultural heritage) and 20 resolution paragraphs, one of them an explicit mandate."""
    rows = []
    active = {"oc": True, "activity": True, "quadrants": "direct_consequences",
              "engagement": "implement"}
    for i in range(1, 201):
        codes = {}
        if 150 < i <= 180:
            codes = {**active, "markets": "drugs"}
        elif 180 < i <= 195:
            codes = {"oc": True, "negative_reason": "plan", "markets": "drugs"}
        elif 195 < i <= 199:
            codes = {**active, "markets": "kidnapping"}
        elif i == 200:
            codes = {**active, "markets": "cultural_heritage"}
        no = 1 + (i - 1) % 50
        rows.append(paragraph(f"rep-{1 + (i - 1) // 50}", no + 2, para_no=str(no), **codes))
    for i in range(1, 21):
        codes = {"part": "preambular", "strength": "reference", "addressee": None}
        if i == 20:
            codes = {"oc": True, "markets": "drugs", "addressee": "operation",
                     "explicit_mandate": True, "para_no": "1"}
        rows.append(paragraph("res-1", i, "resolution", **codes))
    table = pd.DataFrame(rows)
    table["para_id"] = para_ids(table)
    return CodedParagraphs.validate(table[columns(CodedParagraphs)])


def test_corpus_ids_are_printed_numbers_or_sequences():
    coded = corpus().set_index("para_id")
    assert coded.loc["rep-1:10", ["para_no", "para_seq"]].tolist() == ["10", 12]
    assert pd.isna(coded.loc["res-1:s3", "para_no"])
    assert coded.loc["res-1:1", "para_seq"] == 20


# ---------------------------------------------------------------------- sheets


def test_allocation_is_equal_and_capped():
    assert allocate({"a": 100, "b": 3, "c": 1}, 9) == {"a": 5, "b": 3, "c": 1}
    assert allocate({"a": 10, "b": 10}, 5) == {"a": 3, "b": 2}  # left-over: largest, then name
    assert allocate({"a": 2}, 9) == {"a": 2}


def test_sheet_is_seeded_stratified_and_sees_rare_codes(tmp_path: Path):
    coded = corpus()
    sample = sample_paragraphs(coded, VOCAB, 12, seed=7)
    assert len(sample) == 12
    ids = set(sample["para_id"])
    # Rarest codes: the only cultural-heritage paragraph, the explicit mandate, kidnapping.
    assert "rep-4:50" in ids and "res-1:1" in ids
    assert ids & {f"rep-4:{s}" for s in range(46, 50)}
    strata = set(sample["stratum"])
    # A paragraph's stratum is its rarest code (ties: alphabetical): the explicit mandate's
    # codes all occur once among resolutions, so it is in "addressee=operation".
    assert strata == {"report|market=cultural_heritage", "report|market=kidnapping",
                      "report|negative_reason=plan", "report|activity", "report|none",
                      "resolution|strength=reference", "resolution|addressee=operation"}
    # Weights undo the equal allocation: they add up to the corpus.
    assert sample.groupby("stratum")["weight"].first().mul(
        sample.groupby("stratum").size()).sum() == pytest.approx(len(coded))
    sheet = coder_sheet(coded, sample, VOCAB)
    assert list(sheet.columns) == SHEET_COLUMNS
    # The sheet and the sample say where each paragraph is: printed number, sequence, page.
    row = sheet.set_index("para_id").loc["rep-4:50"]
    assert (row["para_no"], row["para_seq"], row["page"]) == ("50", 52, 6)
    assert sheet.set_index("para_id").loc["res-1:1", "para_seq"] == 20
    assert sample.set_index("para_id").loc["res-1:1", ["para_no", "para_seq"]].tolist() == [
        "1", 20]
    res = sheet[sheet["doc_type"] == "resolution"].iloc[0]
    rep = sheet[sheet["doc_type"] == "report"].iloc[0]
    assert (res["activity"], res["part"]) == ("n/a", "") and (rep["part"], rep["oc"]) == ("n/a", "")
    # Same seed, same bytes; another seed, another sample.
    for name in ("a", "b"):
        write_csv(coder_sheet(coded, sample_paragraphs(coded, VOCAB, 12, seed=7), VOCAB),
                  tmp_path / f"{name}.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert set(sample_paragraphs(coded, VOCAB, 12, seed=8)["para_id"]) != ids


# ---------------------------------------------------------------------- reading sheets


def test_values_are_normalised_or_refused():
    assert normalise(VOCAB["oc"], " Yes ") == ("true", None)
    assert normalise(VOCAB["market"], "Gangs, drugs") == ("drugs;gangs", None)  # codebook order
    assert normalise(VOCAB["market"], "NONE") == ("none", None)
    assert normalise(VOCAB["market"], "none;drugs")[0] is None
    assert normalise(VOCAB["engagement"], "assist;implement")[1] == "only one value allowed"
    assert "not allowed" in normalise(VOCAB["quadrant"], "direct")[1]
    assert normalise(VOCAB["part"], "none")[0] is None  # every resolution paragraph has a part


def sheet_file(path: Path, rows: list[dict], drop: tuple[str, ...] = ()) -> Path:
    df = pd.DataFrame(rows).reindex(columns=SHEET_COLUMNS).astype(object).fillna("")
    df.drop(columns=list(drop)).to_csv(path, index=False)
    return path


def types() -> pd.DataFrame:
    return paragraph_table(corpus())


def test_sheet_problems_are_listed_all_at_once_with_file_row_and_column(tmp_path: Path):
    a = sheet_file(tmp_path / "coder-a.csv", [
        {"para_id": "rep-1:1", "oc": "true", "activity": "false"},          # line 2: fine
        {"para_id": "rep-9:1", "oc": "true"},                               # 3: unknown id
        {"para_id": "rep-1 5", "oc": "false"},                              # 4: malformed id
        {"para_id": "rep-1:2", "market": "cocaine", "oc": "maybe"},         # 5: two bad values
        {"para_id": "res-1:s3", "activity": "true", "part": "operative"},   # 6: n/a variable
        {"para_id": "rep-1:1", "oc": "false"},                              # 7: duplicate
        {"para_id": "", "oc": ""},                                          # 8: empty, skipped
        # 9: an id by para_seq (as sheets had before ids carried the printed number): the
        # row's own para_no and para_seq give it away
        {"para_id": "rep-1:5", "para_no": "3", "para_seq": "5", "oc": "true"},
        {"para_id": "res-1:3", "oc": "true"},                               # 10: no such number
        # 11: an old id of the unnumbered 1st resolution paragraph now reads as "printed 1"
        {"para_id": "res-1:1", "doc_id": "res-1", "para_no": "", "oc": "false"},
    ])
    b = sheet_file(tmp_path / "coder-b.csv", [{"para_id": "rep-1:1", "oc": "true"}],
                   drop=("quadrant", "addressee"))
    adjudicated = tmp_path / "adjudicated.csv"
    adjudicated.write_text("para_id,variable,value\nrep-1:1,colour,red\nrep-1:1,oc,perhaps\n")
    with pytest.raises(SheetError) as err:
        load_round([a, b], "r2", types(), VOCAB, adjudicated)
    found = {(Path(p.file).name, p.line, p.column) for p in err.value.problems}
    assert found == {
        ("coder-a.csv", 3, "para_id"), ("coder-a.csv", 4, "para_id"),
        ("coder-a.csv", 5, "market"), ("coder-a.csv", 5, "oc"),
        ("coder-a.csv", 6, "activity"), ("coder-a.csv", 7, "para_id"),
        ("coder-a.csv", 9, "para_no"), ("coder-a.csv", 10, "para_id"),
        ("coder-a.csv", 11, "para_no"),
        ("coder-b.csv", 1, "quadrant, addressee"),
        ("adjudicated.csv", 2, "variable"), ("adjudicated.csv", 3, "value"),
    }
    message = str(err.value)
    assert "coder-a.csv:7: column 'para_id': rep-1:1 is coded twice (also line 2)" in message
    assert "'rep-9:1' is not a coded paragraph" in message and "'cocaine'" in message
    assert ("coder-a.csv:9: column 'para_no': '3' does not match para_id 'rep-1:5' "
            "(paragraph printed 5, para_seq 7, page 1 of rep-1)") in message


def test_semicolon_sheets_and_empty_cells(tmp_path: Path):
    path = tmp_path / "coder-c.csv"
    pd.DataFrame([{"para_id": "rep-1:1", "oc": "yes", "market": "drugs"}]).reindex(
        columns=SHEET_COLUMNS).astype(object).fillna("").to_csv(path, index=False, sep=";")
    codes, settled = load_round([path], "r2", types(), VOCAB)
    assert list(zip(codes["variable"], codes["value"])) == [("oc", "true"), ("market", "drugs")]
    assert set(codes["coder"]) == {"coder-c"} and settled.empty
    assert codes[["para_no", "para_seq", "page"]].drop_duplicates().values.tolist() == [
        ["1", 3, 1]]
    RoundCodes.validate(codes)


# ---------------------------------------------------------------------- agreement


def test_alpha_by_hand_and_krippendorffs_own_example():
    # Two coders, four units: a a b b / a a b a. Pairable values 8 (a: 5, b: 3); observed
    # disagreement 2/8; expected 2*5*3/(8*7); alpha = 1 - (2/8)/(30/56) = 16/30.
    alpha, n, agreement, note = nominal_alpha([list("aabb"), list("aaba")])
    assert alpha == pytest.approx(16 / 30) and n == 4 and agreement == 0.75 and note == ""
    # The example of the krippendorff package's documentation: nominal alpha 0.691358.
    nan = None
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    assert round(nominal_alpha(data)[0], 6) == 0.691358
    # The same through a round's long codes (values as strings, per variable).
    codes = pd.DataFrame([(f"c{c}", f"d:{u + 1}", "engagement",
                           ["monitor", "advocate", "assist", "implement"][v - 1])
                          for c, row in enumerate(data) for u, v in enumerate(row)
                          if v is not None], columns=["coder", "para_id", "variable", "value"])
    rows = alpha_rows(codes, "r2", VOCAB)
    assert round(rows[0]["alpha"], 6) == 0.691358 and rows[0]["label"] == ""
    assert {r["label"] for r in rows[1:]} == {"monitor", "advocate", "assist", "implement"}


def test_alpha_is_undefined_without_variation_or_pairs():
    alpha, n, _, note = nominal_alpha([list("aaa"), list("aaa")])
    assert math.isnan(alpha) and n == 3 and "one value" in note
    alpha, n, _, note = nominal_alpha([["a", None], [None, "b"]])
    assert math.isnan(alpha) and n == 0 and "two coders" in note


def long(rows, round_name="r2") -> pd.DataFrame:
    """Long codes of a human round, with where each paragraph is (as load_round gives)."""
    out = pd.DataFrame(rows, columns=["coder", "para_id", "variable", "value"])
    where = types().reset_index(drop=True)
    out = out.merge(where, on="para_id", how="left", validate="many_to_one")
    out.insert(0, "round", round_name)
    return out


def test_consensus_adjudication_majority_and_unresolved():
    codes = long([
        ("a", "rep-1:1", "oc", "true"), ("b", "rep-1:1", "oc", "true"),
        ("c", "rep-1:1", "oc", "true"),                                     # unanimous
        ("a", "rep-1:2", "oc", "true"), ("b", "rep-1:2", "oc", "false"),
        ("c", "rep-1:2", "oc", "true"),                                     # majority true
        ("a", "rep-1:3", "engagement", "assist"), ("b", "rep-1:3", "engagement", "monitor"),
        ("c", "rep-1:3", "engagement", "none"),                             # no majority
        ("a", "rep-1:4", "market", "drugs"),                                # one coder
        ("a", "rep-1:5", "oc", "true"), ("b", "rep-1:5", "oc", "true"),
        ("c", "rep-1:5", "oc", "false"),                                    # adjudicated
    ])
    settled = long([("", "rep-1:5", "oc", "false")]).drop(columns="coder")
    automated = long_codes(corpus(), VOCAB)
    out = consensus(codes, settled, automated, "r2").set_index(["para_id", "variable"])
    assert out.loc[("rep-1:1", "oc"), ["value", "status"]].tolist() == ["true", "unanimous"]
    assert out.loc[("rep-1:2", "oc"), ["value", "status"]].tolist() == ["true", "majority"]
    # Unresolved: the automated value stays (rep-1:3 has no engagement in the corpus).
    assert out.loc[("rep-1:3", "engagement"), ["value", "status"]].tolist() == [
        "none", "unresolved"]
    assert out.loc[("rep-1:4", "market"), "status"] == "single"
    assert out.loc[("rep-1:5", "oc"), ["value", "status"]].tolist() == ["false", "adjudicated"]
    Consensus.validate(out.reset_index())
    assert out.loc[("rep-1:2", "oc"), ["para_no", "para_seq"]].tolist() == ["2", 4]
    info = pd.DataFrame({"para_id": [f"rep-1:{i}" for i in range(1, 6)], "text": "t"})
    listed = Disagreements.validate(disagreements(out.reset_index(), info))
    assert list(zip(listed["para_id"], listed["status"])) == [
        ("rep-1:2", "majority"), ("rep-1:3", "unresolved"), ("rep-1:5", "adjudicated")]
    assert list(listed["para_seq"]) == [4, 5, 7] and list(listed["para_no"]) == ["2", "3", "5"]
    assert listed["coder_values"].iloc[0] == "a=true | b=false | c=true"


def test_precision_recall_f1_of_the_automated_round():
    # Human consensus on 4 paragraphs; the automated round (the corpus) says rep-1:1..4 have
    # no OC. Humans: OC in rep-1:1 and rep-1:2 -> tp 0, fn 2; activity agrees.
    human = long([("a", f"rep-1:{i}", "oc", v) for i, v in
                  enumerate(["true", "true", "false", "false"], start=1)])
    human = pd.concat([human, long([("a", "rep-4:50", "market", "cultural_heritage;drugs")])])
    agreed = consensus(human, long([]).drop(columns="coder"), long_codes(corpus(), VOCAB), "r2")
    rows = {(r["variable"], r["label"]): r for r in automated_vs_human(
        long_codes(corpus(), VOCAB), agreed, "r2", "oc-v1", VOCAB)}
    oc = rows[("oc", "")]
    assert (oc["tp"], oc["fp"], oc["fn"], oc["recall"], oc["precision"]) == (0, 0, 2, 0.0, None)
    market = rows[("market", "")]  # automated: cultural_heritage only
    assert (market["tp"], market["fp"], market["fn"]) == (1, 0, 1)
    assert market["precision"] == 1.0 and market["recall"] == 0.5
    assert market["f1"] == pytest.approx(0.6667, abs=1e-4)
    assert rows[("market", "drugs")]["recall"] == 0.0


# ---------------------------------------------------------------------- applying a round


def test_consensus_changes_the_coding_and_the_tables():
    coded = corpus()
    evidence = Evidence.validate(pd.DataFrame(columns=columns(Evidence)).astype(
        {"page": int, "para_seq": int}))
    documents = pd.DataFrame({"doc_id": ["rep-1"], "missions": ["ALPHA"]})
    agreed = pd.DataFrame([
        ("rep-1:1", "activity", "true", "unanimous"),
        ("rep-1:1", "quadrant", "direct_drivers;indirect_drivers", "majority"),
        ("rep-1:1", "market", "gangs", "adjudicated"),
        ("rep-1:2", "activity", "true", "unresolved"),  # unresolved: nothing changes
    ], columns=["para_id", "variable", "value", "status"])
    new_coded, new_evidence = apply_consensus(coded, evidence, agreed, documents, VOCAB, "r2")
    first = new_coded.iloc[0]
    assert bool(first["activity"]) and first["quadrants"] == "direct_drivers;indirect_drivers"
    assert first["markets"] == "gangs" and not bool(new_coded.iloc[1]["activity"])
    assert set(new_evidence["codebook_version"]) == {"r2"}
    assert list(new_evidence["evidence_id"]) == [
        "rep-1:1:market:1", "rep-1:1:quadrant:1", "rep-1:1:quadrant:2", "rep-1:1:activity:1"]
    table = mission_activity(new_coded, new_evidence, ["ALPHA"], list(VOCAB["market"].labels))
    counts = table.set_index(["operation", "quadrant", "market"])["n_paragraphs"]
    assert counts[("ALPHA", "direct_drivers", "gangs")] == 1
    assert counts[("ALPHA", "indirect_drivers", "gangs")] == 1
    assert counts.sum() == 2


def test_estimates_by_round_keeps_the_mandate_term_of_every_round():
    est = pd.DataFrame({"model": ["m1", "m1", "m2"], "family": "poisson",
                        "term": ["intercept", "explicit_mandate", "explicit_mandate"],
                        "estimate_exp": ["0.5", "2", ""], "status": ["fitted", "fitted",
                                                                     "not_fitted"]})
    out = estimates_by_round([("oc-v1", "automated", est), ("r2", "human", est)])
    assert list(zip(out["round"], out["model"])) == [("oc-v1", "m1"), ("oc-v1", "m2"),
                                                      ("r2", "m1"), ("r2", "m2")]
    assert list(out["round_kind"]) == ["automated"] * 2 + ["human"] * 2


def test_cli_names_every_problem_and_fails(tmp_path: Path, capsys):
    coded = tmp_path / "coded.parquet"
    corpus().to_parquet(coded, index=False)
    bad = sheet_file(tmp_path / "coder-a.csv", [{"para_id": "rep-1:1", "oc": "often"},
                                                {"para_id": "nope:3", "oc": "true"}])
    code = rounds_main(["settle", "--round", "r2", "--sheets", str(bad), "--coded", str(coded),
                        "--codebook", str(REPO / "workflow/codebooks/oc-v1.yaml"),
                        "--codes-out", str(tmp_path / "c.parquet"),
                        "--consensus-out", str(tmp_path / "c.csv"),
                        "--disagreements-out", str(tmp_path / "d.csv")])
    err = capsys.readouterr().err
    assert code == 1 and "2 problem(s)" in err
    assert "coder-a.csv:2: column 'oc'" in err and "coder-a.csv:3: column 'para_id'" in err
    assert not (tmp_path / "c.csv").exists()


def truth_of(coded: pd.DataFrame) -> pd.DataFrame:
    """A demo-style truth table saying exactly what ``coded`` says (one market, quadrant)."""
    return pd.DataFrame({
        "doc_id": coded["doc_id"], "doc_type": coded["doc_type"], "seq": coded["para_seq"],
        "para_no": coded["para_no"].map(lambda n: None if pd.isna(n) else f"{n}."),
        "page": coded["page"],
        "part": coded["part"], "strength": coded["strength"], "addressee": coded["addressee"],
        "oc": coded["oc"].map({True: "true", False: "false"}),
        "activity": coded["activity"].map(lambda v: "true" if v is True else "false"),
        "quadrant": coded["quadrants"].replace("", None),
        "market": coded["markets"].replace("", None),
        "engagement": coded["engagement"], "negative_reason": coded["negative_reason"],
        "operations": coded["operations"], "text": coded["text"]})


def test_simulated_coders_copy_the_truth_and_err_at_their_rate():
    from analysis.rounds.demo import COMMENT, simulated_sheets

    coded = corpus()
    sheet = coder_sheet(coded, sample_paragraphs(coded, VOCAB, 40, seed=3), VOCAB)
    truth = truth_of(coded)
    exact = simulated_sheets(sheet, coded, truth, VOCAB, coders=2, error=0.0, seed=1)
    assert list(exact) == ["simulated-coder-1", "simulated-coder-2"]
    auto = long_codes(coded, VOCAB).set_index(["para_id", "variable"])["value"]
    filled = exact["simulated-coder-1"]
    for rec in filled.itertuples():
        for var in ("oc", "market", "part", "explicit_mandate", "quadrant"):
            cell = getattr(rec, var)
            if cell != "n/a":
                assert cell == auto[(rec.para_id, var)], (rec.para_id, var)
    assert set(filled["comment"]) == {COMMENT} and "SYNTHETIC" in COMMENT
    noisy = simulated_sheets(sheet, coded, truth, VOCAB, coders=2, error=0.3, seed=1)
    again = simulated_sheets(sheet, coded, truth, VOCAB, coders=2, error=0.3, seed=1)
    assert noisy["simulated-coder-1"].equals(again["simulated-coder-1"])
    cells = [c for c in VOCAB if c in sheet.columns]
    base, errs = filled[cells].to_numpy(), noisy["simulated-coder-1"][cells].to_numpy()
    coded_cells = base != "n/a"
    share = (base != errs)[coded_cells].mean()
    assert 0.2 < share < 0.4
    assert not noisy["simulated-coder-1"].equals(noisy["simulated-coder-2"])
