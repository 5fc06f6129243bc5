"""Agreement within and between coding rounds: alpha, consensus, disagreements, P/R/F1.

- :func:`alpha_rows`: Krippendorff's alpha (nominal, the ``krippendorff`` package) across the
  coders of a human round, per variable (a paragraph's value is its whole label set, so
  ``drugs;gangs`` and ``drugs`` disagree) and per label (one-vs-rest: the label is there or
  not), over paragraphs coded by at least two coders. Alpha is undefined (empty, with a
  note) when no paragraph has two codes or only one value occurs.
- :func:`consensus`: the round's value for every coded paragraph and variable. The rule: the
  value in ``adjudicated.csv`` when it settles the pair; else the value all coders who coded
  it agree on (``unanimous``, or ``single`` with one coder); else the value of a strict
  majority of them (``majority``); else the automated value stays (``unresolved``).
- :func:`disagreements`: every paragraph and variable on which coders differ, with each
  coder's value, the automated value, how it was settled and the text, for adjudication.
- :func:`automated_vs_human`: precision, recall and F1 of an automated round against a human
  round's consensus (unresolved pairs left out), per variable (micro average over labels;
  ``none``/``false`` are no label) and per label, with :func:`analysis.coding.accuracy.score`.
"""

from __future__ import annotations

from collections import Counter

import krippendorff
import numpy as np
import pandas as pd

from analysis.coding.accuracy import score
from analysis.rounds.variables import PARAGRAPH_COLUMNS, Variable, labels_of
from analysis.vocab import FALSE, NONE, VARIABLES

CONSENSUS_COLUMNS = ["round", *PARAGRAPH_COLUMNS, "variable", "value", "status", "n_coders",
                     "coder_values", "automated"]
DISAGREEMENT_COLUMNS = ["round", *PARAGRAPH_COLUMNS, "variable", "coder_values", "automated",
                        "status", "value", "text"]
RELIABILITY_COLUMNS = ["round", "measure", "automated_round", "variable", "label", "n_units",
                       "n_coders", "alpha", "agreement", "precision", "recall", "f1",
                       "support", "tp", "fp", "fn", "note"]


def nominal_alpha(matrix: list[list]) -> tuple[float, int, float, str]:
    """``(alpha, n_units, agreement, note)`` of a coders x units matrix of hashable values
    (None = not coded). ``n_units``: units with two or more codes; ``agreement``: share of
    them on which all coders agree. Alpha is NaN (with a note) when undefined."""
    units = list(zip(*matrix, strict=True)) if matrix else []
    pairable = [[v for v in unit if v is not None] for unit in units]
    pairable = [u for u in pairable if len(u) >= 2]
    if not pairable:
        return float("nan"), 0, float("nan"), "no paragraph coded by two coders"
    agreement = sum(len(set(u)) == 1 for u in pairable) / len(pairable)
    values = sorted({v for u in pairable for v in u}, key=str)
    if len(values) < 2:
        return float("nan"), len(pairable), agreement, "one value only: alpha undefined"
    index = {v: i for i, v in enumerate(values)}
    data = np.array([[np.nan if v is None else index[v] for v in row] for row in matrix],
                    dtype=float)
    value = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                     value_domain=list(range(len(values)))))
    return value, len(pairable), agreement, ""


def _matrix(codes: pd.DataFrame, variable: str, transform=lambda v: v) -> list[list]:
    sub = codes[codes["variable"] == variable]
    coders = sorted(sub["coder"].unique())
    units = list(dict.fromkeys(sub["para_id"]))
    cell = {(c, p): transform(v) for c, p, v in zip(sub["coder"], sub["para_id"], sub["value"],
                                                    strict=True)}
    return [[cell.get((c, p)) for p in units] for c in coders]


def alpha_rows(codes: pd.DataFrame, round_name: str,
               vocab: dict[str, Variable]) -> list[dict]:
    """Alpha per variable and per label of one human round (see the module doc)."""
    rows = []
    n_coders = codes["coder"].nunique()
    for name in VARIABLES:
        if not (codes["variable"] == name).any():
            continue
        targets = [("", lambda v: v)]
        if not vocab[name].binary:
            seen = set().union(*map(labels_of, codes.loc[codes["variable"] == name, "value"]))
            targets += [(lab, lambda v, lab=lab: lab in labels_of(v))
                        for lab in vocab[name].labels if lab in seen]
        for label, transform in targets:
            alpha, n_units, agreement, note = nominal_alpha(_matrix(codes, name, transform))
            rows.append({"round": round_name, "measure": "alpha", "automated_round": "",
                         "variable": name, "label": label, "n_units": n_units,
                         "n_coders": n_coders, "alpha": alpha, "agreement": agreement,
                         "note": note})
    return rows


def _settle(values: list[str]) -> tuple[str | None, str]:
    counts = Counter(values)
    top, n = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
    if len(counts) == 1:
        return top, "single" if len(values) == 1 else "unanimous"
    if n * 2 > len(values):
        return top, "majority"
    return None, "unresolved"


def consensus(codes: pd.DataFrame, adjudicated: pd.DataFrame, automated: pd.DataFrame,
              round_name: str) -> pd.DataFrame:
    """The consensus of a human round (:data:`CONSENSUS_COLUMNS`; rule in the module doc).

    ``codes``: the coders' long codes; ``adjudicated``: settled values (may be empty);
    ``automated``: long codes of the main automated round (``para_id, variable, value``).
    """
    auto = dict(zip(zip(automated["para_id"], automated["variable"], strict=True),
                    automated["value"], strict=True))
    settled = dict(zip(zip(adjudicated["para_id"], adjudicated["variable"], strict=True),
                       adjudicated["value"], strict=True))
    meta = {}
    for frame in (codes, adjudicated):
        for rec in frame[PARAGRAPH_COLUMNS].to_dict("records"):
            meta[rec["para_id"]] = rec
    grouped = {k: g for k, g in codes.groupby(["para_id", "variable"], sort=False)}
    keys = list(dict.fromkeys([*grouped, *settled]))
    rows = []
    for pid, var in keys:
        group = grouped.get((pid, var))
        values = [] if group is None else list(group["value"])
        coders = [] if group is None else list(group["coder"])
        if (pid, var) in settled:
            value, status = settled[(pid, var)], "adjudicated"
        else:
            value, status = _settle(values)
        automated_value = auto.get((pid, var), "")
        if value is None:
            value = automated_value
        m = meta[pid]
        rows.append({"round": round_name, **m, "page": int(m["page"]),
                     "para_seq": int(m["para_seq"]), "variable": var, "value": value, "status": status, "n_coders": len(values),
                     "coder_values": " | ".join(f"{c}={v}" for c, v in sorted(zip(
                         coders, values, strict=True))),
                     "automated": automated_value})
    out = pd.DataFrame(rows, columns=CONSENSUS_COLUMNS)
    out["order"] = out["variable"].map(VARIABLES.index)
    out = out.sort_values(["doc_id", "para_seq", "order"], kind="stable")
    return out.drop(columns="order").reset_index(drop=True)


def disagreements(consensus_df: pd.DataFrame, paragraphs: pd.DataFrame) -> pd.DataFrame:
    """Pairs on which the coders differ (:data:`DISAGREEMENT_COLUMNS`).

    ``paragraphs``: ``para_id, text`` of the coded paragraphs."""
    differ = consensus_df["coder_values"].map(
        lambda s: len({x.split("=", 1)[1] for x in s.split(" | ") if "=" in x}) > 1)
    out = consensus_df[differ].merge(paragraphs[["para_id", "text"]], on="para_id",
                                     how="left")
    return out[DISAGREEMENT_COLUMNS].reset_index(drop=True)


def _cells(values: pd.Series, binary: bool) -> list[str]:
    if binary:
        return list(values)
    return ["" if v in (NONE, FALSE) else v for v in values]


def automated_vs_human(automated: pd.DataFrame, consensus_df: pd.DataFrame, round_name: str,
                       automated_round: str, vocab: dict[str, Variable]) -> list[dict]:
    """P/R/F1 rows of ``automated`` (long codes of an automated round) against the
    consensus of a human round (see the module doc)."""
    resolved = consensus_df[consensus_df["status"] != "unresolved"]
    pairs = resolved.merge(automated[["para_id", "variable", "value"]],
                           on=["para_id", "variable"], how="inner", suffixes=("", "_auto"))
    rows = []
    for name in VARIABLES:
        sub = pairs[pairs["variable"] == name]
        if sub.empty:
            continue
        binary = vocab[name].binary
        # accuracy.score reads "true" as the label of a binary variable, ";" lists otherwise.
        for r in score(name, _cells(sub["value"], binary), _cells(sub["value_auto"], binary)):
            rows.append({"round": round_name, "measure": "automated_vs_human",
                         "automated_round": automated_round, "variable": name,
                         "label": r["label"], "n_units": len(sub), "n_coders": np.nan,
                         "precision": r["precision"], "recall": r["recall"], "f1": r["f1"],
                         "support": r["support"], "tp": r["tp"], "fp": r["fp"], "fn": r["fn"],
                         "note": ""})
    return rows


def reliability_table(rows: list[dict]) -> pd.DataFrame:
    """Rows -> the reliability table (:data:`RELIABILITY_COLUMNS`), floats rounded."""
    df = pd.DataFrame(rows).reindex(columns=RELIABILITY_COLUMNS)
    for col in ("alpha", "agreement", "precision", "recall", "f1"):
        df[col] = pd.to_numeric(df[col], errors="coerce").round(4)
    for col in ("n_units", "n_coders", "support", "tp", "fp", "fn"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    for col in ("round", "measure", "automated_round", "variable", "label", "note"):
        df[col] = df[col].fillna("").astype(str)
    return df.reset_index(drop=True)
