"""A round's coding of the whole corpus, its tables and its model estimates.

A HUMAN round codes a sample, so its coding of the corpus is the main automated coding with
the paragraphs the coders coded replaced by their consensus (:func:`apply_consensus`): each
settled variable of a paragraph takes the consensus value in ``coded_paragraphs`` and its
evidence rows are replaced by rows without a matched span (``codebook_version`` = the round
name), attributed to the paragraph's operations. Unresolved pairs keep the automated value.
An AUTOMATED round codes the whole corpus with its own codebook
(:func:`analysis.coding.paragraphs.code_corpus`).

Either way the round then gets the same tables (:func:`analysis.coding.tables.build_tables`) and
the same models (:func:`analysis.models.run.fit_all`) as the main round (:func:`round_models`),
and :func:`estimates_by_round` puts the explicit-mandate term of every model of every round
in one table.
"""

from __future__ import annotations

import sys

import pandas as pd

from analysis.coding.tables import build_tables
from analysis.ids import evidence_id
from analysis.io import as_written
from analysis.models.fit import MANDATE_TERM
from analysis.models.run import fit_all
from analysis.rounds.variables import Variable
from analysis.schemas.coding import EVIDENCE_VARIABLES, CodedParagraphs, Evidence, columns
from analysis.vocab import FALSE, NONE, TRUE

BY_ROUND_COLUMNS = ["round", "round_kind", "model", "family", "term", "estimate",
                    "conf_low", "conf_high", "p_value", "estimate_exp", "conf_low_exp",
                    "conf_high_exp", "exact_p", "n", "n_clusters", "status", "reason"]


def _split(cell) -> list[str]:
    return [x for x in str(cell or "").split(";") if x]


def _wide_value(var: Variable, value: str):
    """A canonical long value as ``coded_paragraphs`` holds it."""
    if var.binary:
        return value == TRUE
    if var.several:
        return "" if value == NONE else value
    return None if value == NONE else value


def _evidence_values(var: Variable, value: str) -> list[str]:
    """The evidence rows a value has (true binaries and each label; nothing for none)."""
    if var.binary:
        return ["True"] if value == TRUE else []
    if value in (NONE, FALSE):
        return []
    return value.split(";")


WIDE = {"quadrant": "quadrants", "market": "markets"}


def apply_consensus(coded: pd.DataFrame, evidence: pd.DataFrame, consensus_df: pd.DataFrame,
                    documents: pd.DataFrame, vocab: dict[str, Variable],
                    round_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(coded, evidence)`` of the main round with the consensus values applied.

    ``consensus_df``: :func:`analysis.rounds.agree.consensus` output; ``documents``: the
    documents table (for the operations of a report paragraph the automated coding credited
    to nobody). Unresolved rows change nothing (their value is the automated one).
    """
    settled = consensus_df[consensus_df["status"] != "unresolved"]
    coded = coded.copy()
    position = {pid: i for i, pid in enumerate(coded["para_id"])}
    missions = dict(zip(documents["doc_id"], documents["missions"], strict=True))
    ev_ops = evidence.dropna(subset=["operation"]).groupby(["doc_id", "para_seq"])[
        "operation"].agg(lambda s: sorted(set(s))).to_dict()
    # A consensus row's ocr is its paragraph's, read off the paragraph's automated evidence
    # (False for a paragraph the automated coding left without evidence rows).
    ev_ocr = (evidence.groupby(["doc_id", "para_seq"])["ocr"].any().to_dict()
              if "ocr" in evidence.columns else {})
    drop, new = set(), []
    for rec in settled.itertuples():
        i = position[rec.para_id]
        var = vocab[rec.variable]
        column = WIDE.get(rec.variable, rec.variable)
        coded.at[coded.index[i], column] = _wide_value(var, rec.value)
        row = coded.iloc[i]
        doc_id, seq = row["doc_id"], int(row["para_seq"])
        drop.add((doc_id, seq, rec.variable))
        ops = (ev_ops.get((doc_id, seq)) or _split(row["operations"])
               or ([] if row["doc_type"] == "study" else _split(missions.get(doc_id))))
        for value in _evidence_values(var, rec.value):
            for op in ops or [None]:
                new.append({"para_id": rec.para_id, "doc_id": doc_id, "page": int(row["page"]),
                            "para_no": row["para_no"], "para_seq": seq, "operation": op,
                            "variable": rec.variable, "value": value, "span_start": pd.NA,
                            "span_end": pd.NA, "doc_start": pd.NA, "doc_end": pd.NA,
                            "matched": "", "ocr": bool(ev_ocr.get((doc_id, seq), False)),
                            "codebook_version": round_name})
    keep = [(d, int(s), v) not in drop for d, s, v in zip(
        evidence["doc_id"], evidence["para_seq"], evidence["variable"], strict=True)]
    added = pd.DataFrame(new, columns=["para_id", *[c for c in columns(Evidence)
                                                    if c != "evidence_id"]])
    n = added.groupby(["doc_id", "para_seq", "variable"], sort=False).cumcount() + 1
    added.insert(0, "evidence_id", [evidence_id(p, v, k) for p, v, k in zip(
        added["para_id"], added["variable"], n, strict=True)])
    added = added.drop(columns="para_id")
    merged = pd.concat([evidence[keep], added], ignore_index=True)
    merged["order"] = merged["variable"].map(EVIDENCE_VARIABLES.index)
    merged = merged.sort_values(["doc_id", "para_seq", "order", "evidence_id"], kind="stable")
    for col in ("span_start", "span_end", "doc_start", "doc_end"):
        merged[col] = merged[col].astype("Int64")
    merged = Evidence.validate(merged.drop(columns="order").reset_index(drop=True))
    return CodedParagraphs.validate(coded), merged


def round_models(coded: pd.DataFrame, evidence: pd.DataFrame, mentions: pd.DataFrame,
                 documents: pd.DataFrame, missions: pd.DataFrame, market_order, *,
                 permutations: int, seed: int, mandate_timing: str = "period_start",
                 period_years: int = 2, log=sys.stderr) -> dict[str, pd.DataFrame]:
    """``{"mandates", "mission_activity", "panel", "estimates", "operations"}`` of a round.

    The models are those of the main round with the same settings, except the estimate
    carrying coding error (its error rates are measured for the main round only: that row
    is not_fitted here and says so)."""
    tables = build_tables(coded, evidence, mentions, documents, missions, market_order,
                          log=log)
    # as the models CLI reads the main round's CSV files (text, ints typed), so a round's
    # models see exactly what python -m analysis.models fit sees for the main round
    panel = as_written(tables["panel"], ("oc_activity_paragraphs", "all_paragraphs"))
    activity = as_written(tables["mission_activity"], ("n_paragraphs",))
    mandates = as_written(tables["mandates"])
    estimates, operations = fit_all(panel, activity, mandates, missions,
                                    permutations=permutations, seed=seed,
                                    mandate_timing=mandate_timing, period_years=period_years)
    return {**tables, "estimates": estimates, "operations": operations}


def estimates_by_round(frames: list[tuple[str, str, pd.DataFrame]]) -> pd.DataFrame:
    """The explicit-mandate rows of every model of every round (:data:`BY_ROUND_COLUMNS`).

    ``frames``: ``(round, round_kind, estimates)`` with estimates as read from CSV; rounds
    keep the given order, models their order in each table.
    """
    out = []
    for name, kind, est in frames:
        rows = est[est["term"] == MANDATE_TERM].copy()
        rows.insert(0, "round_kind", kind)
        rows.insert(0, "round", name)
        out.append(rows.reindex(columns=BY_ROUND_COLUMNS))
    if not out:
        return pd.DataFrame(columns=BY_ROUND_COLUMNS)
    return pd.concat(out, ignore_index=True)
