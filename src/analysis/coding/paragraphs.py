"""Corpus-wide coding: every paragraph of every document, in one process.

Inputs: the extraction table (``results/extract/paragraphs.parquet``; only ``kind ==
"paragraph"`` rows are coded), the documents table (``results/corpus/documents.csv``:
doc_id, doc_type, missions, date, ...), the operations table and a codebook.

- ``resolution`` -> mandate coding (:func:`analysis.coding.mandates.code_resolution`);
- ``report`` -> activity coding (:func:`analysis.coding.activities.code_reports`): activity
  values attributed to the operations the coder credits (the actor of the work: "UNMIL",
  "the Mission", "UN police" resolved by the gazetteer), other values (OC, markets, reasons)
  to the report's operations;
- ``study`` -> activity coding with no document operations: operations come from the
  gazetteer only ("the Mission" resolves to nobody). A study paragraph may describe several
  operations, so each value is attributed to the operation that acts in the sentence holding
  it (:func:`study_attribution`).

No evidence row is written without an operation: a paragraph whose OC activity no operation
can be credited with (its actor names no operation of the document or the operations table)
is coded ``activity`` False, and values of a document with no operation to attach them to
(a study paragraph no operation acts in, a report or resolution listing none) have no
evidence rows; both are counted on the log.

Outputs (schemas in :mod:`analysis.schemas.coding`): ``coded_paragraphs`` (one row per coded
paragraph), ``evidence`` (one row per coded value and matched span, offsets in the paragraph
and in the document) and ``operation_mentions`` (every operation named in any block).
Paragraph ids (``para_id``, built from the printed number) and evidence ids are made here
once, by :mod:`analysis.ids`, over all coded paragraphs of a document.

CLI: ``python -m analysis.coding paragraphs --paragraphs P --documents D --missions M --codebook C
--coded-out X --evidence-out E --mentions-out O``; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from analysis.coding.activities import code_reports
from analysis.coding.codebook import Codebook, find_spans, load_codebook, sentence_bounds
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.mandates import code_resolution
from analysis.ids import evidence_id, para_ids
from analysis.io import read_csv, read_parquet, write_parquet
from analysis.missions import load_missions
from analysis.schemas.coding import (
    EVIDENCE_VARIABLES,
    CodedParagraphs,
    Evidence,
    OperationMentions,
    columns,
)
from analysis.vocab import DOC_TYPES

DOCUMENT_COLUMNS = ("doc_id", "doc_type", "missions", "date")


class CodingError(ValueError):
    """An input table the coding cannot use; the message names file, row and column."""


def read_documents(path: str | Path) -> pd.DataFrame:
    """documents.csv as strings, checked for the columns and doc types coding needs."""
    df = read_csv(path)
    missing = [c for c in DOCUMENT_COLUMNS if c not in df.columns]
    if missing:
        raise CodingError(f"{path}: missing column(s) {missing}; expected the check_corpus "
                          "output (results/corpus/documents.csv)")
    bad = df.index[~df["doc_type"].isin(DOC_TYPES)]
    if len(bad):
        i = bad[0]
        raise CodingError(f"{path}: line {i + 2}, column 'doc_type': {df.at[i, 'doc_type']!r} "
                          f"is not one of {', '.join(DOC_TYPES)}")
    return df


def _operations(cell: str) -> list[str]:
    return [op.strip() for op in str(cell or "").split(";") if op.strip()]


# ------------------------------------------------------------------ study attribution

def _overlaps(span: dict, others) -> bool:
    return any(span["start"] < o[1] and o[0] < span["end"] for o in others)


def study_attribution(text: str, codebook: Codebook, mentions, evidence: dict) -> dict:
    """``{operation: [(lo, hi), ...]}``: the sentences in which each operation does the
    activity a study paragraph is coded with.

    Mirrors the activity coder: a sentence's actor is the operations it names (gazetteer
    mentions, country mentions excepted); a sentence naming none continues the previous
    actor, and so does one naming the operation only generically ("the mission", "UN police"
    refer back to the operation named before); a sentence naming only another actor (the
    national police) has no operation acting. A sentence is active when it holds an activity
    word of ``evidence["activity"]`` (evidence of the coder's active clauses).
    """
    named = [m for m in mentions if m.how != "country"]
    cues = [(s.start, s.end) for s in find_spans(codebook.addressee["operation"], text)]
    ops_spans = [(m.start, m.end) for m in named] + cues
    acts = [s for s in evidence.get("activity", []) if not _overlaps(s, ops_spans)]
    actor: list[str] = []
    out: dict[str, list[tuple[int, int]]] = {}
    for lo, hi in sentence_bounds(text):
        here = list(dict.fromkeys(m.operation for m in named if lo <= m.start < hi))
        if here:
            actor = here
        elif not any(lo <= c[0] < hi for c in cues) and find_spans(
                codebook.negative["other_actor"], text, lo, hi):
            actor = []
        if any(lo <= s["start"] < hi for s in acts):
            for op in actor:
                out.setdefault(op, []).append((lo, hi))
    return out


def _in_scope(spans: list[dict], scope) -> list[dict]:
    return [s for s in spans if any(lo <= s["start"] < hi for lo, hi in scope)]


def _with_previous(text: str, scope, oc_spans: list[dict]):
    """A sentence with no OC word takes the OC of the sentence before (as the coder does)."""
    bounds = sentence_bounds(text)
    out = list(scope)
    for lo, hi in scope:
        if not _in_scope(oc_spans, [(lo, hi)]):
            i = bounds.index((lo, hi)) if (lo, hi) in bounds else 0
            if i > 0:
                out.append(bounds[i - 1])
    return out


# ------------------------------------------------------------------ evidence rows

def _given(value) -> bool:
    """True for a coded value (not None, NaN, NA, False or empty)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return bool(value)


def _rows(variable: str, value, spans: list[dict] | None) -> list[tuple]:
    """``(variable, value, start, end, matched)`` tuples; no spans -> one row without span."""
    value = str(value)
    if not spans:
        return [(variable, value, None, None, "")]
    return [(variable, value, s["start"], s["end"], s["text"]) for s in spans]


def _mandate_values(row, ev: dict) -> list[tuple]:
    out = []
    verb = ev.get("verb") if _given(row["verb"]) else None
    out += _rows("part", row["part"], verb if row["part"] == "preambular" else None)
    if _given(row["verb"]):
        out += _rows("verb", row["verb"], verb)
    if _given(row["strength"]):
        out += _rows("strength", row["strength"], verb)
    if _given(row["addressee"]):
        out += _rows("addressee", row["addressee"], ev.get("addressee"))
    if _given(row["explicit_mandate"]):
        out += _rows("explicit_mandate", True, (verb or []) + (ev.get("addressee") or []))
    return out


def _activity_values(row, ev: dict, scope=None) -> list[tuple]:
    """Activity, quadrant, market and engagement rows; ``scope`` limits spans to sentences."""
    def keep(spans):
        return spans if scope is None else _in_scope(spans, scope)

    out = []
    if _given(row["activity"]):
        out += _rows("activity", True, keep(ev.get("activity", [])))
        quads = {q: keep(s) for q, s in ev.get("quadrants", {}).items()}
        if scope is not None and not any(quads.values()):
            quads = dict(ev.get("quadrants", {}))  # coder's fallback quadrant: paragraph-wide
        for q, spans in quads.items():
            if spans:
                out += _rows("quadrant", q, spans)
        engaged = ev.get("engagement")
        if scope is None or not engaged or keep(engaged):
            out += _rows("engagement", row["engagement"], keep(engaged or []))
    if _given(row["negative_reason"]):
        out += _rows("negative_reason", row["negative_reason"], ev.get("negative_reason"))
    return out


def _content_values(row, ev: dict, scope=None) -> list[tuple]:
    out = []
    oc = ev.get("oc", []) if scope is None else _in_scope(ev.get("oc", []), scope)
    if _given(row["oc"]) and oc:
        out += _rows("oc", True, oc)
    for market, spans in ev.get("markets", {}).items():
        spans = spans if scope is None else _in_scope(spans, scope)
        if spans:
            out += _rows("market", market, spans)
    for market in ev.get("context_markets", []):  # named in the running text around it
        out += _rows("market", market, None)
    return out


def _paragraph_evidence(row, ev: dict, doc_type: str, operations: list[str],
                        attribution: dict | None) -> list[tuple]:
    """``(operation, variable, value, start, end, matched)`` for one coded paragraph; never
    an empty operation (values with no operation to attach them to are left out)."""
    if doc_type == "resolution":
        values = _mandate_values(row, ev) + _content_values(row, ev)
        if _given(row["quadrant"]):
            values += [v for q, s in ev.get("quadrants", {}).items() for v in _rows("quadrant",
                                                                                   q, s)]
        return [(op, *v) for op in operations for v in values]
    if attribution:  # a study paragraph with activity: per-operation scope
        out = []
        for op, scope in attribution.items():
            wide = _with_previous(row["text"], scope, ev.get("oc", []))
            values = _content_values(row, ev, wide) + _activity_values(row, ev, scope)
            out += [(op, *v) for v in values]
        return out
    if _given(row["activity"]) and doc_type == "report":
        # Activity of a report: each credited operation with its own quadrants and words.
        out = []
        for op, mine in ev.get("operations", {}).items():
            own = dict(ev, quadrants=mine["quadrants"])
            values = _content_values(row, ev) + _activity_values(row, own, mine["scope"])
            out += [(op, *v) for v in values]
        return out
    values = _content_values(row, ev) + _activity_values(row, ev)
    return [(op, *v) for op in operations for v in values]


def _ocr(row) -> bool:
    """The paragraph's ``ocr`` flag; False for a paragraph table without the column (one
    written before extraction had OCR, or built by hand)."""
    value = row.get("ocr", False)
    return bool(value) if value is not None and not pd.isna(value) else False


def _evidence_frame(records: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame.from_records(records, columns=[
        "para_id", "doc_id", "page", "para_no", "para_seq", "operation", "variable", "value",
        "span_start", "span_end", "char_start", "matched", "ocr", "codebook_version"])
    df["order"] = df["variable"].map(EVIDENCE_VARIABLES.index)
    df = df.sort_values(["doc_id", "para_seq", "order", "operation", "value", "span_start",
                         "span_end"], na_position="first", kind="stable")
    df = df.drop_duplicates(["doc_id", "para_seq", "operation", "variable", "value",
                             "span_start", "span_end"])
    n = df.groupby(["doc_id", "para_seq", "variable"], sort=False).cumcount() + 1
    df["evidence_id"] = [evidence_id(p, v, k) for p, v, k in zip(
        df["para_id"], df["variable"], n, strict=True)]
    for col in ("span_start", "span_end"):
        df[col] = df[col].astype("Int64")
    df["doc_start"] = df["span_start"] + df["char_start"].astype("Int64")
    df["doc_end"] = df["span_end"] + df["char_start"].astype("Int64")
    return Evidence.validate(df[columns(Evidence)].reset_index(drop=True))


# ------------------------------------------------------------------ corpus coding

def _mention_finder(gazetteer: Gazetteer, doc: dict) -> Callable:
    ops = _operations(doc["missions"]) if doc["doc_type"] != "study" else []
    date = doc["date"] or None

    def find(text: str, _row=None):
        return gazetteer.find_operations(text or "", doc_operations=ops, doc_date=date)
    return find


def code_document(paragraphs: pd.DataFrame, doc: dict, codebook: Codebook,
                  gazetteer: Gazetteer) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Code one document's blocks (all kinds; only ``paragraph`` blocks are coded).

    Returns ``(coded, evidence_records, mention_records)``; see :func:`code_corpus`.
    """
    find = _mention_finder(gazetteer, doc)
    mentions = {int(r.para_seq): find(r.text) for r in paragraphs.itertuples()}
    mention_records = [
        {"doc_id": doc["doc_id"], "para_seq": seq, "kind": kind, "operation": m.operation,
         "start": m.start, "end": m.end, "matched": m.matched, "how": m.how}
        for seq, kind in zip(paragraphs["para_seq"], paragraphs["kind"], strict=True)
        for m in mentions[int(seq)]]
    body = paragraphs[paragraphs["kind"] == "paragraph"].reset_index(drop=True)
    if body.empty:
        return pd.DataFrame(columns=columns(CodedParagraphs)), [], mention_records
    ops = _operations(doc["missions"]) if doc["doc_type"] != "study" else []

    def by_seq(_text, row):
        return mentions[int(row["para_seq"])]
    if doc["doc_type"] == "resolution":
        coded = code_resolution(body, codebook, ops, by_seq)
        coded["activity"] = pd.NA
        coded["engagement"] = coded["negative_reason"] = None
        coded["quadrants"] = [";".join(json.loads(e).get("quadrants", {})) if q else ""
                              for e, q in zip(coded["evidence"], coded["quadrant"], strict=True)]
    else:
        coded = code_reports(body, codebook, ops, by_seq)
        for col in ("part", "verb", "strength", "addressee"):
            coded[col] = None
        coded["explicit_mandate"] = pd.NA
        if doc["doc_type"] == "report":  # activity nobody can be credited with: not credited
            nobody = coded["activity"].astype(bool) & (coded["credited"] == "")
            coded.loc[nobody, "activity"] = False
            coded.loc[nobody, "quadrants"] = ""
            coded.loc[nobody, "engagement"] = None
            coded.attrs["uncredited"] = int(nobody.sum())
    coded["doc_type"], coded["date"] = doc["doc_type"], doc["date"]
    coded["codebook_version"] = codebook.version
    coded["para_id"] = para_ids(coded)  # body holds every coded paragraph of the document
    evidence, operations = [], []
    uncredited, unattached = coded.attrs.get("uncredited", 0), 0
    for row in coded.to_dict("records"):
        ev = json.loads(row["evidence"])
        attribution = None
        if doc["doc_type"] == "study":
            attribution = (study_attribution(row["text"], codebook, mentions[row["para_seq"]], ev)
                           if _given(row["activity"]) else {})
            if _given(row["activity"]) and not attribution:  # no operation acts: not credited
                uncredited += 1
                row["activity"], row["quadrants"], row["engagement"] = False, "", None
                coded.loc[coded["para_seq"] == row["para_seq"],
                          ["activity", "quadrants", "engagement"]] = [False, "", None]
            row_ops = sorted(attribution)
        elif doc["doc_type"] == "report" and _given(row["activity"]):
            row_ops = sorted(ev.get("operations", {}))
        else:
            row_ops = ops
        operations.append(";".join(row_ops))
        if not row_ops:
            unattached += 1
        for op, var, value, start, end, matched in _paragraph_evidence(
                row, ev, doc["doc_type"], ops, attribution):
            evidence.append({"para_id": row["para_id"], "doc_id": doc["doc_id"],
                             "page": row["page"],
                             "para_no": row["para_no"], "para_seq": row["para_seq"],
                             "operation": op, "variable": var, "value": value,
                             "span_start": start, "span_end": end,
                             "char_start": row["char_start"], "matched": matched,
                             "ocr": _ocr(row), "codebook_version": codebook.version})
    coded["operations"] = operations
    out = coded[columns(CodedParagraphs)]
    out.attrs.update(uncredited=uncredited, unattached=unattached)
    return out, evidence, mention_records


def code_corpus(paragraphs: pd.DataFrame, documents: pd.DataFrame, codebook: Codebook,
                gazetteer: Gazetteer, *, progress_every: int = 50,
                log=sys.stderr) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Code every document of ``documents`` found in ``paragraphs``.

    Returns ``(coded_paragraphs, evidence, operation_mentions)``, validated, sorted by
    doc_id and para_seq. Documents with no paragraph are skipped (reported on ``log``).
    ``coded_paragraphs.attrs``: ``uncredited`` (paragraphs with OC activity no operation
    could be credited with, coded ``activity`` False) and ``unattached`` (paragraphs with
    no operation to attach their values to, so no evidence rows), both also on ``log``.
    """
    docs = documents.sort_values("doc_id").to_dict("records")
    grouped = {d: g.sort_values("para_seq") for d, g in paragraphs.groupby("doc_id", sort=True)}
    coded, evidence, mentions = [], [], []
    uncredited = unattached = 0
    for i, doc in enumerate(docs, start=1):
        if doc["doc_id"] not in grouped:
            print(f"coding: {doc['doc_id']}: no paragraphs extracted; skipped", file=log)
            continue
        c, e, m = code_document(grouped[doc["doc_id"]], doc, codebook, gazetteer)
        uncredited += c.attrs.get("uncredited", 0)
        unattached += c.attrs.get("unattached", 0)
        coded.append(c)
        evidence += e
        mentions += m
        if progress_every and (i % progress_every == 0 or i == len(docs)):
            print(f"coding: {i}/{len(docs)} documents", file=log)
    if uncredited or unattached:
        print(f"coding: {uncredited} paragraph(s) with OC activity by no operation the "
              f"coding could name: not credited; {unattached} paragraph(s) with no operation "
              "to attach their values to: no evidence rows", file=log)
    table = pd.concat(coded, ignore_index=True) if coded else pd.DataFrame(
        columns=columns(CodedParagraphs))
    table = table.sort_values(["doc_id", "para_seq"], kind="stable").reset_index(drop=True)
    table = CodedParagraphs.validate(table)
    # counts of the log line, for callers (validation, tests)
    table.attrs.update(uncredited=uncredited, unattached=unattached)
    mention_df = pd.DataFrame.from_records(mentions, columns=columns(OperationMentions))
    mention_df = OperationMentions.validate(mention_df.sort_values(
        ["doc_id", "para_seq", "start", "end", "operation"], kind="stable").reset_index(drop=True))
    return table, _evidence_frame(evidence), mention_df


def load_coding_inputs(codebook_path: str | Path, missions_path: str | Path
                       ) -> tuple[Codebook, pd.DataFrame, Gazetteer]:
    """``(codebook, operations table, gazetteer)``: what :func:`code_corpus` codes with besides
    the paragraphs and documents tables, loaded and validated from their files (the
    gazetteer is built from the operations table)."""
    book = load_codebook(codebook_path)
    missions = load_missions(missions_path)
    return book, missions, Gazetteer.from_missions(missions)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.coding paragraphs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", required=True)
    parser.add_argument("--documents", required=True)
    parser.add_argument("--missions", required=True)
    parser.add_argument("--codebook", required=True)
    parser.add_argument("--coded-out", required=True)
    parser.add_argument("--evidence-out", required=True)
    parser.add_argument("--mentions-out", required=True)
    parser.add_argument("--progress-every", type=int, default=50)
    args = parser.parse_args(argv)
    try:
        book, _, gazetteer = load_coding_inputs(args.codebook, args.missions)
        documents = read_documents(args.documents)
        paragraphs = read_parquet(args.paragraphs)
        coded, evidence, mentions = code_corpus(paragraphs, documents, book, gazetteer,
                                                progress_every=args.progress_every)
    except (ValueError, OSError) as err:  # codebook, missions and table errors name the place
        print(f"coding failed: {err}", file=sys.stderr)
        return 1
    write_parquet(coded, args.coded_out)
    write_parquet(evidence, args.evidence_out)
    write_parquet(mentions, args.mentions_out)
    print(f"coding: {len(coded)} paragraphs, {len(evidence)} evidence rows, codebook "
          f"{book.version}", file=sys.stderr)
    return 0
