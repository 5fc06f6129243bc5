"""Analysis tables from the coded paragraphs: mandate timeline, mission activity, panel.

Inputs are the outputs of :mod:`analysis.coding.paragraphs` (coded paragraphs, evidence, operation
mentions), the documents table, the operations table and the codebook (for the order of the
crime markets). Outputs (schemas in :mod:`analysis.schemas.coding`, checked when built):

- ``mandates.csv`` (:func:`mandate_table`): one row per operation and resolution: when the
  mandate was adopted and until when it is in force (the next resolution for the operation,
  else the operation's end year, 31 December; empty = ongoing), and whether the resolution
  gives an ``explicit_mandate`` and makes an ``oc_reference``.
- ``mission_activity.csv`` (:func:`mission_activity`): OC activity paragraphs per operation x
  quadrant x market, the seed paper's Figure 2 as data, with the evidence rows behind each
  count. A paragraph with two quadrants and two markets counts in four cells; activity that
  names no market counts under ``unspecified``. Every operation of the operations table that
  appears in the corpus (a document's operation, or named in any block) gets the full grid.
- ``panel.csv`` (:func:`panel`): one row per operation x report: OC activity paragraphs and
  all paragraphs (the exposure), and the mandate over the report's reporting period. A
  report describes the period since the operation's previous report and feeds the mandate's
  renewal, so the mandate that can have shaped it is the one in force during that period,
  not on the report's date. ``period_start``: the previous report's date, but never before
  the adoption of the operation's first resolution (so the first report's period starts at
  that adoption); empty for a report dated before every resolution of its operation.
  Three treatment measures: ``explicit_mandate`` (in force on ``period_start``: the
  default), ``explicit_mandate_at_report`` (in force on the report's date) and
  ``mandate_share`` (share of the period's days under an explicit mandate, 0-1);
  ``mandate_known``, ``oc_reference`` and ``resolution`` follow ``period_start``.

CLI: ``python -m analysis.coding tables --coded X --evidence E --mentions O --documents D
--missions M --codebook C --mandates-out ... --activity-out ... --panel-out ...``
"""

from __future__ import annotations

import argparse
import math
import sys
from types import SimpleNamespace

import pandas as pd

from analysis.coding.codebook import load_codebook
from analysis.coding.mandates import mandate_timeline, resolution_summary
from analysis.coding.paragraphs import CodingError, read_documents
from analysis.io import read_parquet, significant, write_csv
from analysis.missions import load_missions
from analysis.schemas.coding import Mandates, MissionActivity, Panel, columns
from analysis.vocab import QUADRANTS, REPORT_TYPES, UNSPECIFIED_MARKET


def _iso(values: pd.Series) -> pd.Series:
    dates = pd.to_datetime(values)
    return dates.dt.strftime("%Y-%m-%d").fillna("")


def _split(cell) -> list[str]:
    return [x for x in str(cell).split(";") if x] if isinstance(cell, str) else []


def mandate_table(coded: pd.DataFrame, documents: pd.DataFrame, missions: pd.DataFrame,
                  market_order, *, log=sys.stderr) -> pd.DataFrame:
    """The mandate timeline (``mandates.csv``) of every coded resolution.

    ``coded``: coded paragraphs; ``documents``: documents table (doc_id, doc_type, missions,
    date, symbol); ``missions``: operations table (acronym, end_year); ``market_order``: the
    codebook's market labels. Resolutions with no coded paragraph are left out (on ``log``).
    """
    res_docs = documents[documents["doc_type"] == "resolution"]
    res_coded = coded[coded["doc_type"] == "resolution"]
    if res_coded.empty:
        return Mandates.validate(pd.DataFrame(columns=columns(Mandates)))

    # resolution_summary reads only the codebook's market order
    summary = resolution_summary(res_coded, SimpleNamespace(markets=list(market_order)))
    missing = sorted(set(res_docs["doc_id"]) - set(summary["doc_id"]))
    for doc_id in missing:
        print(f"tables: resolution {doc_id} has no coded paragraph; not in mandates", file=log)
    docs = res_docs[["doc_id", "missions", "date", "symbol"]].rename(
        columns={"missions": "operation", "date": "adopted"})
    merged = docs.merge(summary, on="doc_id", how="inner")
    if (bad := merged[merged["adopted"] == ""]).shape[0]:
        raise CodingError(f"documents table: resolution {bad['doc_id'].iloc[0]} has no date; "
                          "add its adoption date in the manifest's 'date' column")
    # Plain ints: mandate_timeline reads a numpy integer year as nanoseconds since 1970.
    ends = {op: None if pd.isna(end) else int(end)
            for op, end in zip(missions["acronym"], missions["end_year"], strict=True)}
    timeline = mandate_timeline(merged.drop(columns="symbol"), ends)
    timeline["symbol"] = timeline["doc_id"].map(dict(zip(docs["doc_id"], docs["symbol"],
                                                         strict=True))).fillna("")
    timeline["resolution"] = timeline["doc_id"]
    timeline["adopted"] = _iso(timeline["adopted"])
    timeline["in_force_until"] = _iso(timeline["in_force_until"])
    out = timeline[columns(Mandates)].sort_values(["operation", "adopted", "resolution"])
    return Mandates.validate(out.reset_index(drop=True))


def corpus_operations(documents: pd.DataFrame, mentions: pd.DataFrame,
                      missions: pd.DataFrame) -> list[str]:
    """Operations of the operations table that appear in the corpus: a document's operation
    or named (acronym, name, alias) in any block of any document."""
    named = set(mentions.loc[mentions["how"] != "country", "operation"])
    listed = {op for cell in documents["missions"] for op in _split(cell)}
    return sorted((named | listed) & set(missions["acronym"]))


def _activity_cells(coded: pd.DataFrame, evidence: pd.DataFrame) -> pd.DataFrame:
    """One row per (paragraph, operation, quadrant, market) of OC activity."""
    active = coded.loc[coded["activity"].fillna(False).astype(bool)
                       & coded["doc_type"].isin(REPORT_TYPES),
                       ["doc_id", "para_seq", "doc_type"]]
    ev = evidence[evidence["operation"].notna()
                  & evidence["variable"].isin(["quadrant", "market"])]
    ev = ev.merge(active, on=["doc_id", "para_seq"], how="inner")
    rows = []
    for (doc_id, seq, op), group in ev.groupby(["doc_id", "para_seq", "operation"], sort=True):
        quads = group[group["variable"] == "quadrant"]
        markets = group[group["variable"] == "market"]
        ids = {"quadrant": quads.groupby("value")["evidence_id"].apply(list).to_dict(),
               "market": markets.groupby("value")["evidence_id"].apply(list).to_dict()}
        market_values = list(ids["market"]) or [UNSPECIFIED_MARKET]
        for quadrant in ids["quadrant"]:
            for market in market_values:
                rows.append({"doc_id": doc_id, "para_seq": seq, "operation": op,
                             "doc_type": group["doc_type"].iloc[0], "quadrant": quadrant,
                             "market": market, "ids": ids["quadrant"][quadrant]
                             + ids["market"].get(market, [])})
    return pd.DataFrame(rows, columns=["doc_id", "para_seq", "operation", "doc_type",
                                       "quadrant", "market", "ids"])


def mission_activity(coded: pd.DataFrame, evidence: pd.DataFrame, operations: list[str],
                     market_order) -> pd.DataFrame:
    """``mission_activity.csv``: counts per operation x quadrant x market (full grid over
    ``operations`` and any other operation credited with activity)."""
    cells = _activity_cells(coded, evidence)
    markets = list(market_order) + [UNSPECIFIED_MARKET]
    markets += sorted(set(cells["market"]) - set(markets))
    ops = sorted(set(operations) | set(cells["operation"]))
    grid = pd.MultiIndex.from_product([ops, list(QUADRANTS), markets],
                                      names=["operation", "quadrant", "market"]).to_frame(
                                          index=False)
    key = ["operation", "quadrant", "market"]
    cells["is_report"] = cells["doc_type"] == "report"
    cells["is_study"] = cells["doc_type"] == "study"
    counts = cells.groupby(key).agg(
        n_paragraphs=("para_seq", "size"), n_documents=("doc_id", "nunique"),
        n_report_paragraphs=("is_report", "sum"), n_study_paragraphs=("is_study", "sum"),
        evidence_ids=("ids", lambda lists: ";".join(i for ids in lists for i in ids)),
    ).reset_index()
    out = grid.merge(counts, on=key, how="left")
    for col in ("n_paragraphs", "n_documents", "n_report_paragraphs", "n_study_paragraphs"):
        out[col] = out[col].fillna(0).astype(int)
    out["evidence_ids"] = out["evidence_ids"].fillna("")
    return MissionActivity.validate(out[columns(MissionActivity)])


def _in_force(timeline: pd.DataFrame, operation: str, date: pd.Timestamp):
    """The timeline row in force for ``operation`` on ``date``, or None."""
    rows = timeline[(timeline["operation"] == operation)
                    & (pd.to_datetime(timeline["adopted"]) <= date)]
    if rows.empty:
        return None
    row = rows.sort_values(["adopted", "resolution"]).iloc[-1]
    until = row["in_force_until"]
    if until and date > pd.Timestamp(until):  # after the operation's end
        return None
    return row


_DAY = pd.Timedelta(days=1)


def _explicit_spans(timeline: pd.DataFrame, operation: str) -> list[tuple]:
    """Half-open ``[start, end)`` day spans in which ``operation`` has an explicit mandate
    in force, by the rule of :func:`_in_force` (the latest resolution adopted on or before
    a day rules it, up to and including its ``in_force_until``; ``end`` None = open)."""
    rows = timeline[timeline["operation"] == operation].sort_values(["adopted", "resolution"])
    rows = rows.to_dict("records")
    spans = []
    for i, row in enumerate(rows):
        if not bool(row["explicit_mandate"]):
            continue
        start = pd.Timestamp(row["adopted"])
        ends = [pd.Timestamp(rows[i + 1]["adopted"])] if i + 1 < len(rows) else []
        if row["in_force_until"]:
            ends.append(pd.Timestamp(row["in_force_until"]) + _DAY)
        end = min(ends) if ends else None
        if end is None or end > start:
            spans.append((start, end))
    return spans


def mandate_share(spans: list[tuple], start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of the days ``[start, end)`` inside the explicit-mandate ``spans`` (from
    :func:`_explicit_spans`); a period of no days takes the status of its day ``start``."""
    if end <= start:
        return float(any(s <= start and (e is None or start < e) for s, e in spans))
    days = 0
    for s, e in spans:
        lo, hi = max(s, start), end if e is None else min(e, end)
        days += max((hi - lo).days, 0)
    return significant(days / (end - start).days)


def _periods(reports: pd.DataFrame, timeline: pd.DataFrame) -> dict[tuple[str, str], str]:
    """``{(operation, doc_id): period_start}`` (ISO date or "") for every report x operation.

    The reporting period of a report runs from the operation's previous dated report to the
    report's own date, but never starts before the adoption of the operation's first
    resolution: so the first report's period starts at that adoption, and so does the period
    of a report whose previous report came before it. A report dated before the first
    resolution (or undated, or of an operation with no resolution) has no reporting period
    under any mandate: period_start "".
    """
    first = {op: pd.Timestamp(day) for op, day in
             timeline.groupby("operation")["adopted"].min().items()}
    pairs = [(op, doc["doc_id"], doc["date"]) for doc in reports.to_dict("records")
             for op in _split(doc["missions"])]
    out = {(op, doc_id): "" for op, doc_id, _ in pairs}
    dated = sorted((op, date, doc_id) for op, doc_id, date in pairs if date)
    previous: dict[str, pd.Timestamp] = {}
    for op, date, doc_id in dated:
        day = pd.Timestamp(date)
        adopted = first.get(op)
        if adopted is not None and day >= adopted:
            start = max(previous.get(op, adopted), adopted)
            out[(op, doc_id)] = start.strftime("%Y-%m-%d")
        previous[op] = day
    return out


def panel(coded: pd.DataFrame, documents: pd.DataFrame, timeline: pd.DataFrame, *,
          log=sys.stderr) -> pd.DataFrame:
    """``panel.csv``: operation x report, with counts and the mandate over its reporting period.

    A report describes the period since the operation's previous report (see
    :func:`_periods` for ``period_start``, the first report and reports before any
    resolution). ``explicit_mandate``, ``oc_reference``, ``resolution``,
    ``resolution_symbol`` and ``mandate_known`` are those of the mandate in force on
    ``period_start``; ``explicit_mandate_at_report`` is the explicit mandate in force on the
    report's own date; ``mandate_share`` the share of the days from ``period_start`` up to
    the report's date under an explicit mandate (days after the operation's end count as
    without one). A report with no mandate in force at its period start (no period, or a
    period starting after the operation's end) has ``mandate_known`` False and empty
    mandate columns (``explicit_mandate_at_report`` is empty whenever no mandate is in
    force on the report's date). Reports with no coded paragraph are left out (reported on
    ``log``).
    """
    reports = documents[documents["doc_type"] == "report"].sort_values("doc_id")
    by_doc = {d: g for d, g in coded.groupby("doc_id", sort=True)}
    periods = _periods(reports, timeline)
    spans = {op: _explicit_spans(timeline, op) for op in sorted(set(timeline["operation"]))}
    rows = []
    for doc in reports.to_dict("records"):
        group = by_doc.get(doc["doc_id"])
        if group is None:
            print(f"tables: report {doc['doc_id']} has no coded paragraph; not in panel",
                  file=log)
            continue
        date = pd.Timestamp(doc["date"]) if doc["date"] else None
        for op in _split(doc["missions"]):
            active = group["activity"].fillna(False).astype(bool) & group["operations"].map(
                lambda cell, op=op: op in _split(cell))
            start = periods[(op, doc["doc_id"])]
            mandate = _in_force(timeline, op, pd.Timestamp(start)) if start else None
            at_report = _in_force(timeline, op, date) if date is not None else None
            rows.append({
                "operation": op, "doc_id": doc["doc_id"], "date": doc["date"],
                "oc_activity_paragraphs": int(active.sum()), "all_paragraphs": len(group),
                "mandate_known": mandate is not None,
                "explicit_mandate": pd.NA if mandate is None else bool(
                    mandate["explicit_mandate"]),
                "oc_reference": pd.NA if mandate is None else bool(mandate["oc_reference"]),
                "resolution": "" if mandate is None else mandate["resolution"],
                "resolution_symbol": "" if mandate is None else mandate["symbol"],
                "period_start": start,
                "explicit_mandate_at_report": pd.NA if at_report is None else bool(
                    at_report["explicit_mandate"]),
                "mandate_share": math.nan if mandate is None else mandate_share(
                    spans.get(op, []), pd.Timestamp(start), date),
            })
    out = pd.DataFrame(rows, columns=columns(Panel))
    for col in ("explicit_mandate", "oc_reference", "explicit_mandate_at_report"):
        out[col] = out[col].astype("boolean")
    out["mandate_share"] = out["mandate_share"].astype(float)
    out = out.sort_values(["operation", "date", "doc_id"], kind="stable").reset_index(drop=True)
    return Panel.validate(out)


def build_tables(coded: pd.DataFrame, evidence: pd.DataFrame, mentions: pd.DataFrame,
                 documents: pd.DataFrame, missions: pd.DataFrame, market_order, *,
                 log=sys.stderr) -> dict[str, pd.DataFrame]:
    """``{"mandates": ..., "mission_activity": ..., "panel": ...}`` (see the module doc)."""
    timeline = mandate_table(coded, documents, missions, market_order, log=log)
    operations = corpus_operations(documents, mentions, missions)
    return {"mandates": timeline,
            "mission_activity": mission_activity(coded, evidence, operations, market_order),
            "panel": panel(coded, documents, timeline, log=log)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.coding tables", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("coded", "evidence", "mentions", "documents", "missions", "codebook",
                 "mandates-out", "activity-out", "panel-out"):
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)
    try:
        book = load_codebook(args.codebook)
        tables = build_tables(read_parquet(args.coded), read_parquet(args.evidence),
                              read_parquet(args.mentions), read_documents(args.documents),
                              load_missions(args.missions), list(book.markets))
    except (ValueError, OSError) as err:
        print(f"tables failed: {err}", file=sys.stderr)
        return 1
    write_csv(tables["mandates"], args.mandates_out)
    write_csv(tables["mission_activity"], args.activity_out)
    write_csv(tables["panel"], args.panel_out)
    print(f"tables: {len(tables['mandates'])} mandates, {len(tables['panel'])} panel rows",
          file=sys.stderr)
    return 0
