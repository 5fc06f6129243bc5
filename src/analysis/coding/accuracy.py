"""Accuracy of the automated coding against the demo corpus's ground truth.

The demo generator writes the true codes of every paragraph (``truth/paragraphs.csv``) and
of every document (``truth/<doc_id>.truth.json``). This module joins truth paragraphs to the
coded ones (:func:`join_truth`: numbered paragraphs by doc_id + para_no, unnumbered ones by
doc_id + text, the k-th occurrence of a text with the k-th) and scores each variable
(:func:`score`):

- binary variables (``oc``, ``activity``, ``explicit_mandate``): precision, recall and F1 of
  True;
- labelled variables (``part``, ``strength``, ``addressee``, ``engagement``,
  ``negative_reason``, ``quadrant``, ``market``): one row per label, one-vs-rest, and a row
  with an empty label that micro-averages the labels. A paragraph may be coded with several
  quadrants or markets (the truth has one): each extra label is a false positive.

Paragraph variables are scored separately for resolutions and reports. Document rows:
``explicit_mandate`` and ``oc_reference`` of each resolution (mandates table) and
``explicit_mandate_in_force`` (on the report's date) and ``explicit_mandate_period_start``
(at the start of its reporting period, the panel's treatment) of each operation x report
(panel). ``support`` = true
positives in the truth; precision (recall) is empty when nothing was predicted (true).

Phrasing banks (column ``bank``): every row is computed for ``all`` paragraphs and documents,
then again for those worded from the ``tuned`` phrasing bank (the one the codebook was
refined on) and for those from the ``heldout`` bank (written independently, never used to
tune the codebook), as the truth records them (:mod:`analysis.demo.build`): a paragraph by
its own ``bank``, a resolution by its ``bank``, a report's mandate in force by its
``mandate_bank``. A bank with nothing to score has no rows; truth without banks (older demo
corpora) gives the ``all`` rows only.

CLI: ``python -m analysis.coding accuracy --truth-dir results/demo/truth --coded
results/tables/coded_paragraphs.parquet --mandates results/tables/mandates.csv --panel
results/tables/panel.csv --out results/qc/coding_accuracy.csv --join-out
results/qc/coding_accuracy_join.csv``
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from pathlib import Path

import pandas as pd

from analysis.io import read_csv, read_parquet, write_csv
from analysis.schemas.coding import Accuracy, columns

PARAGRAPH_VARIABLES = {
    "resolution": ["part", "strength", "addressee", "oc", "explicit_mandate", "quadrant",
                   "market"],
    "report": ["oc", "activity", "quadrant", "market", "engagement", "negative_reason"],
}
BINARY = ("oc", "activity", "explicit_mandate", "oc_reference", "explicit_mandate_in_force",
          "explicit_mandate_period_start")
# truth column -> coded column (lists in the coded table are ;-joined)
CODED_COLUMN = {"quadrant": "quadrants", "market": "markets"}
# "all" first: its rows are the table the paper reads (analysis.paper.stats.accuracy_numbers)
BANKS = ("all", "tuned", "heldout")
JOIN_COLUMNS = ["doc_type", "truth_paragraphs", "matched", "unmatched_truth",
                "unmatched_coded", "coverage"]


def _norm_text(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip()


def _norm_no(para_no) -> str:
    if para_no is None or (isinstance(para_no, float) and math.isnan(para_no)):
        return ""
    return str(para_no).strip().rstrip(".")


def _keys(df: pd.DataFrame, para_no: str, text: str) -> pd.Series:
    """``doc_id|no:12`` for numbered paragraphs, ``doc_id|text:...|k`` for unnumbered."""
    nos = df[para_no].map(_norm_no)
    base = df["doc_id"] + "|" + nos.where(nos == "", "no:" + nos)
    texts = df[text].map(_norm_text)
    base = base.where(nos != "", df["doc_id"] + "|text:" + texts)
    return base + "|" + df.groupby(base).cumcount().astype(str)


def join_truth(truth: pd.DataFrame, coded: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(pairs, coverage)``: truth paragraphs joined to coded ones (suffixes ``_true`` and
    ``_coded``), and per doc_type how many truth paragraphs were matched."""
    truth = truth.assign(key=_keys(truth, "para_no", "text"))
    coded = coded[coded["doc_id"].isin(set(truth["doc_id"]))]
    coded = coded.assign(key=_keys(coded, "para_no", "text"))
    pairs = truth.merge(coded, on="key", how="inner", suffixes=("_true", "_coded"))
    rows = []
    for doc_type, group in truth.groupby("doc_type", sort=True):
        matched = int(group["key"].isin(pairs["key"]).sum())
        extra = coded[coded["doc_type"] == doc_type]
        rows.append({"doc_type": doc_type, "truth_paragraphs": len(group), "matched": matched,
                     "unmatched_truth": len(group) - matched,
                     "unmatched_coded": int((~extra["key"].isin(pairs["key"])).sum()),
                     "coverage": round(matched / len(group), 4) if len(group) else None})
    return pairs, pd.DataFrame(rows, columns=JOIN_COLUMNS)


def _labels(value, binary: bool) -> frozenset:
    """The label set of one cell: {"True"} / {} for binary, split ``;`` lists otherwise."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return frozenset()
    if binary:
        return frozenset({"True"}) if str(value).strip().lower() == "true" else frozenset()
    return frozenset(v for v in str(value).split(";") if v)


def _ratio(num: int, den: int):
    return round(num / den, 4) if den else None


def _row(variable: str, label: str, tp: int, fp: int, fn: int) -> dict:
    p, r = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
    f1 = round(2 * p * r / (p + r), 4) if p is not None and r is not None and p + r else (
        0.0 if p is not None and r is not None else None)
    return {"variable": variable, "label": label, "precision": p, "recall": r, "f1": f1,
            "support": tp + fn, "tp": tp, "fp": fp, "fn": fn}


def score(variable: str, truth, predicted) -> list[dict]:
    """Score rows of one variable from two aligned sequences of cells (see module doc)."""
    binary = variable in BINARY
    t_sets = [_labels(v, binary) for v in truth]
    p_sets = [_labels(v, binary) for v in predicted]
    labels = sorted(set().union(*t_sets, *p_sets)) if t_sets else []
    counts = {lab: [0, 0, 0] for lab in labels}
    for t, p in zip(t_sets, p_sets, strict=True):
        for lab in t & p:
            counts[lab][0] += 1
        for lab in p - t:
            counts[lab][1] += 1
        for lab in t - p:
            counts[lab][2] += 1
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    rows = [_row(variable, "", *total)]
    if not binary:
        rows += [_row(variable, lab, *counts[lab]) for lab in labels]
    return rows


def _side(df: pd.DataFrame, name: str, suffix: str) -> pd.Series:
    return df[f"{name}{suffix}"] if f"{name}{suffix}" in df.columns else df[name]


def _in_bank(bank: str, banks) -> pd.Series | list[bool]:
    """Which rows belong to ``bank`` (every row for ``all``; none when banks are unknown)."""
    if bank == "all":
        return [True] * len(banks)
    return [b == bank for b in banks]


def paragraph_scores(pairs: pd.DataFrame, bank: str = "all") -> list[dict]:
    """Rows of the paragraph variables over the pairs of ``bank`` (column ``bank``)."""
    banks = pairs["bank"] if "bank" in pairs.columns else [None] * len(pairs)
    pairs = pairs[_in_bank(bank, banks)]
    rows = []
    for doc_type, variables in PARAGRAPH_VARIABLES.items():
        part = pairs[pairs["doc_type_true"] == doc_type]
        if part.empty:
            continue
        for var in variables:
            if var == "explicit_mandate":  # the truth has no paragraph value: derive it
                truth = ((_side(part, "part", "_true") == "operative")
                         & (_side(part, "strength", "_true") == "requested")
                         & (_side(part, "addressee", "_true") == "operation")
                         & _side(part, "oc", "_true").astype(str).str.lower().eq("true"))
            else:
                truth = _side(part, var, "_true")
            coded = _side(part, CODED_COLUMN.get(var, var), "_coded")
            for row in score(var, truth, coded):
                rows.append({"level": "paragraph", "doc_type": doc_type, "bank": bank, **row})
    return rows


def document_scores(truth_docs: dict, mandates: pd.DataFrame | None,
                    panel: pd.DataFrame | None, bank: str = "all") -> list[dict]:
    """Document rows over the resolutions (reports' mandates in force) of ``bank``."""
    rows = []
    if mandates is not None and not mandates.empty:
        res = mandates.groupby("resolution")[["explicit_mandate", "oc_reference"]].any()
        ids = [d for d in res.index if truth_docs.get(d, {}).get("doc_type") == "resolution"]
        ids = [d for d, keep in zip(ids, _in_bank(bank, [truth_docs[d].get("bank")
                                                         for d in ids])) if keep]
        for var in ("explicit_mandate", "oc_reference"):
            if not ids and bank != "all":  # a bank without resolutions has no rows
                break
            for row in score(var, [truth_docs[d][var] for d in ids], res.loc[ids, var]):
                rows.append({"level": "document", "doc_type": "resolution", "bank": bank,
                             **row})
    if panel is not None and not panel.empty:
        known = panel[panel["doc_id"].isin(truth_docs)]
        known = known[_in_bank(bank, [truth_docs[d].get("mandate_bank")
                                      for d in known["doc_id"]])]
        # the panel's explicit_mandate is the mandate at the start of the reporting period;
        # explicit_mandate_at_report the one on the report's date (older panels: only that)
        at_report = ("explicit_mandate_at_report" if "explicit_mandate_at_report" in known
                     else "explicit_mandate")
        pairs = [("explicit_mandate_in_force", "explicit_mandate_in_force", at_report)]
        if "explicit_mandate_at_report" in known:
            pairs.append(("explicit_mandate_period_start", "explicit_mandate_period_start",
                          "explicit_mandate"))
        for var, key, column in pairs:
            truth = [truth_docs[d].get(key) for d in known["doc_id"]]
            if len(known) or bank == "all":
                for row in score(var, truth, known[column]):
                    rows.append({"level": "document", "doc_type": "report", "bank": bank,
                                 **row})
    return rows


def read_truth(truth_dir: str | Path) -> tuple[pd.DataFrame, dict]:
    """``(paragraphs, {doc_id: document truth})`` from a demo ``truth/`` folder."""
    truth_dir = Path(truth_dir)
    path = truth_dir / "paragraphs.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path}: no truth table; accuracy needs the demo corpus "
                                "(config corpus: demo)")
    paragraphs = read_csv(path).replace("", None)
    docs = {}
    for file in sorted(truth_dir.glob("*.truth.json")):
        record = json.loads(file.read_text(encoding="utf-8"))
        docs[record["doc_id"]] = {k: v for k, v in record.items() if k != "paragraphs"}
    return paragraphs, docs


def coding_accuracy(truth: pd.DataFrame, truth_docs: dict, coded: pd.DataFrame,
                    mandates: pd.DataFrame | None = None,
                    panel: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(accuracy, coverage)`` tables (see the module docstring): the ``all`` rows, then
    the rows of each phrasing bank."""
    pairs, coverage = join_truth(truth, coded)
    rows = []
    for bank in BANKS:
        rows += (paragraph_scores(pairs, bank)
                 + document_scores(truth_docs, mandates, panel, bank))
    out = pd.DataFrame(rows, columns=columns(Accuracy))
    return Accuracy.validate(out), coverage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.coding accuracy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("truth-dir", "coded", "mandates", "panel", "out", "join-out"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    try:
        truth, docs = read_truth(args.truth_dir)
        mandates = read_csv(args.mandates)
        for col in ("explicit_mandate", "oc_reference"):  # never empty in mandates.csv
            mandates[col] = mandates[col] == "True"
        accuracy, coverage = coding_accuracy(
            truth, docs, read_parquet(args.coded), mandates, read_csv(args.panel))
    except (ValueError, OSError) as err:
        print(f"accuracy failed: {err}", file=sys.stderr)
        return 1
    write_csv(accuracy, args.out)
    write_csv(coverage, args.join_out)
    print(f"accuracy: {len(accuracy)} rows; join coverage "
          + ", ".join(f"{r.doc_type} {r.matched}/{r.truth_paragraphs}"
                      for r in coverage.itertuples()), file=sys.stderr)
    return 0
