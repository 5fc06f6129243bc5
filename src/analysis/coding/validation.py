"""Accuracy of the automated coding on labelled passages of real text (validation).

The demo accuracy (:mod:`analysis.coding.accuracy`) measures the codebook on text written by
the same hands as the demo generator. This module measures it on passages a researcher
labelled by hand from real documents (news, press releases, mission websites, reports), the
way the corpus is coded: the SAME functions (:func:`analysis.coding.paragraphs.code_corpus`,
:func:`analysis.coding.paragraphs.load_coding_inputs`).

Passage files (any number; each passage keeps its file and line):

- JSON lines (``.jsonl``/``.json``): one object per line with keys ``id``, ``text``,
  ``missions`` (list of operation names), ``activity`` (list of ``{mission, quadrant,
  market}``), ``mandate`` (list of ``{mission, strength, addressee, market}``),
  ``negative_reason`` (null or a reason); optional ``date`` (``YYYY-MM-DD``) and
  ``source_url``; other keys (``notes``, ``source_title``) are ignored.
- CSV (``.csv``, UTF-8): columns ``id``, ``text``, ``missions`` (``;``-separated),
  ``activity`` (``;``-separated ``operation|quadrant|market``), ``mandate``
  (``;``-separated ``operation|strength|addressee|market``, addressee and market may be
  empty), ``negative_reason`` (empty for none); optional ``date`` and ``source_url``.

Vocabulary of the files, mapped in ONE place (:func:`map_label`): quadrants may be written
with ``-`` (``direct-consequences`` -> ``direct_consequences``); market ``arms`` is the
codebook's ``arms_trafficking``, other markets are the codebook's names; negative reason
``negated`` is ``negation``; operations are any acronym, name or alias of the operations
table and become its acronym. Every problem of every file (bad JSON, a missing key, an
unknown quadrant, market, reason or operation) is reported at once with file, line and key
(:class:`PassageError`).

Coding: each passage is ONE document of type ``report`` (activity coding) whose operations
are the passage's ``missions``, dated by its ``date`` (else undated), its paragraphs the
text split on blank lines; the same paragraphs are also coded as a ``resolution`` (mandate
coding), so mandate language is scored too (:func:`code_passages`).

Scoring (:func:`score`), per passage from the evidence rows, as sets of items
``(operation, label)``:

- ``operation_quadrant``: (operation, quadrant) of paragraphs credited with OC activity;
- ``operation_market``: (operation, market) of those paragraphs (gold: entries naming one);
- ``activity``: the passage credited with any OC activity (gold: the activity list is not
  empty), one item per passage;
- ``explicit_mandate``: operations with an explicit mandate (gold: a mandate entry of
  strength ``requested`` and addressee ``operation``);
- ``strength``, ``addressee``: (operation, label) of the mandate coding (gold: the mandate
  entries; an entry with no addressee gives no addressee item).

Precision, recall and F1 are micro-averaged over passages: ``tp`` = sum over passages of
|predicted & gold|, ``n_gold``/``n_predicted`` the summed set sizes; precision = tp /
n_predicted, recall = tp / n_gold, F1 = 2 tp / (n_gold + n_predicted) (empty when the
denominator is 0). A row with an empty ``label`` is the variable overall, other rows one
label each. ``hard_negative_false_activity``: passages with a negative_reason and no gold
activity (``n``), those credited with any activity (``count``) and their share (``rate``),
overall and by reason. ``evidence_without_operation``: evidence rows of the activity
coding whose operation is empty (``count``; what the corpus's report evidence would hold
with no operation) and the passages holding them (``n``). (The mandate coding attributes
its rows to the passage's operations as the corpus coding does to a resolution's; it is a
device to score mandate language and is not counted here.) Rows of the per-passage disagreement list (:func:`disagreements`) are written only
where gold and predicted differ.

CLI: ``python -m analysis.coding validate --passages F [F ...] --codebook C --missions M
--out results/qc/validation.csv --passages-out results/qc/validation_passages.csv``
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.coding.codebook import Codebook
from analysis.coding.gazetteer import Gazetteer
from analysis.coding.paragraphs import code_corpus, load_coding_inputs
from analysis.io import write_csv
from analysis.missions import alias_index, closest_acronyms
from analysis.problems import KeyProblem, Problem, ProblemsError
from analysis.schemas.coding import (
    VALIDATION_VARIABLES,
    Validation,
    ValidationPassages,
    columns,
)
from analysis.schemas.missions import alias_key
from analysis.vocab import ADDRESSEES, NEGATIVE_REASONS, QUADRANTS, STRENGTHS

REQUIRED_KEYS = ("id", "text", "missions", "activity", "mandate", "negative_reason")
OPTIONAL_KEYS = ("date", "source_url")
ACTIVITY_FIELDS = ("mission", "quadrant", "market")
MANDATE_FIELDS = ("mission", "strength", "addressee", "market")
# Words of the passage files that differ from the codebook's and the vocabulary's.
MARKET_NAMES = {"arms": "arms_trafficking"}
REASON_NAMES = {"negated": "negation"}
LIST_SEP, FIELD_SEP = ";", "|"

# Variables scored with precision and recall, then the two counted ones (schema order).
SCORED = VALIDATION_VARIABLES[:6]
ACTIVITY_ITEM = "yes"  # the one item of a passage credited with activity
HARD_NEGATIVES, NO_OPERATION = VALIDATION_VARIABLES[6:]
PASSAGE_COLUMNS = ["doc_id", "file", "line", "passage_id", "text", "missions", "date",
                   "source_url", "negative_reason"]
LABEL_COLUMNS = ["doc_id", "kind", "operation", "quadrant", "market", "strength",
                 "addressee"]
ITEM_COLUMNS = ["doc_id", "variable", "operation", "label"]
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BLOCK = re.compile(r"(?:(?!\n[ \t\r]*\n).)+", re.DOTALL)  # text between blank lines


class PassageError(ProblemsError):
    """The labelled passage files are invalid; ``.problems`` lists every problem found."""

    subject = "the labelled passage files"


# ------------------------------------------------------------------ vocabulary mapping

@dataclass(frozen=True)
class Labels:
    """What labels a passage file may use: the operations table's names (alias key ->
    acronym) and the codebook's markets."""

    operations: dict
    markets: tuple[str, ...]
    missions: pd.DataFrame | None = None  # for "did you mean" hints

    @classmethod
    def of(cls, missions: pd.DataFrame, markets: Iterable[str]) -> Labels:
        return cls(alias_index(missions), tuple(markets), missions)


def map_label(kind: str, value, labels: Labels) -> str:
    """The project's word for a passage file's ``value`` of ``kind`` (operation, quadrant,
    market, strength, addressee, negative_reason); raises ValueError saying what is allowed.
    """
    text = str(value).strip()
    if kind == "operation":
        found = labels.operations.get(alias_key(text))
        if found is None:
            near = closest_acronyms(labels.missions, text) if labels.missions is not None else []
            hint = f" (did you mean {', '.join(near)}?)" if near else ""
            raise ValueError(f"operation {text!r} is not an acronym, name or alias of the "
                             f"operations table{hint}; add it to the table or fix the name")
        return found
    allowed: Sequence[str]
    if kind == "quadrant":
        text, allowed = text.replace("-", "_"), QUADRANTS
    elif kind == "market":
        text, allowed = MARKET_NAMES.get(text, text), labels.markets
    elif kind == "negative_reason":
        text, allowed = REASON_NAMES.get(text, text), NEGATIVE_REASONS
    elif kind == "strength":
        allowed = STRENGTHS
    elif kind == "addressee":
        allowed = ADDRESSEES
    else:  # pragma: no cover - programming error
        raise KeyError(kind)
    if text not in allowed:
        raise ValueError(f"{kind} {str(value)!r} is not one of {', '.join(allowed)}")
    return text


# ------------------------------------------------------------------ reading

def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class _Collector:
    """Problems of one file; JSON places are key paths, CSV places columns."""

    def __init__(self, file: str, csv_format: bool):
        self.file, self.csv, self.problems = file, csv_format, []

    def add(self, line: int | None, key: str | None, message: str,
            item: int | None = None, field: str | None = None) -> None:
        if self.csv:
            if item is not None:
                message = f"item {item + 1}: {message}"
            self.problems.append(Problem(self.file, line, key, message))
        else:
            path = key if item is None else f"{key}[{item}]"
            path = path if field is None else f"{path}.{field}"
            self.problems.append(KeyProblem(self.file, line, path, message))


def _entries(record: dict, key: str, fields: tuple[str, ...], out: _Collector,
             line: int) -> list[dict]:
    """The ``activity`` or ``mandate`` entries of a JSON record as dicts of ``fields``."""
    value = record.get(key)
    if not isinstance(value, list):
        out.add(line, key, f"must be a list of {{{', '.join(fields)}}} objects "
                           "([] for none)")
        return []
    entries = []
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            out.add(line, key, f"must be an object with keys {', '.join(fields)}", item=i)
            continue
        entries.append({f: entry.get(f) for f in fields} | {"_item": i})
    return entries


def _cell_entries(cell: str, key: str, fields: tuple[str, ...], out: _Collector,
                  line: int) -> list[dict]:
    """``a|b|c;a|b|c`` cell -> dicts of ``fields`` (empty parts None)."""
    entries = []
    for i, item in enumerate(p for p in str(cell).split(LIST_SEP) if p.strip()):
        parts = [p.strip() for p in item.split(FIELD_SEP)]
        if len(parts) != len(fields):
            out.add(line, key, f"{item.strip()!r} must be {FIELD_SEP.join(fields)} "
                               f"({len(fields)} parts separated by '{FIELD_SEP}')", item=i)
            continue
        entries.append({f: (p or None) for f, p in zip(fields, parts, strict=True)}
                       | {"_item": i})
    return entries


def _parse(record: dict, line: int, out: _Collector, labels: Labels,
           entries_of) -> tuple[dict, list[dict]] | None:
    """One passage (a dict of :data:`PASSAGE_COLUMNS` but doc_id) and its gold entries, or
    None when it has problems (added to ``out``)."""
    before = len(out.problems)
    missing = [k for k in REQUIRED_KEYS if k not in record]
    for key in missing:
        out.add(line, key, f"missing; every passage needs {', '.join(REQUIRED_KEYS)}")
    if missing:
        return None

    def label(kind, value, key, item=None, field=None, optional=False):
        if _blank(value):
            if not optional:
                out.add(line, key, f"{field or key} is empty", item=item, field=field)
            return ""
        if not isinstance(value, str):
            out.add(line, key, f"{field or key} must be text, got {value!r}", item=item,
                    field=field)
            return ""
        try:
            return map_label(kind, value, labels)
        except ValueError as err:
            out.add(line, key, str(err), item=item, field=field)
            return ""

    pid = record["id"]
    if isinstance(pid, (int, float)) and not isinstance(pid, bool):
        pid = str(pid)
    if not isinstance(pid, str) or not pid.strip():
        out.add(line, "id", "must be a non-empty text")
        pid = ""
    text = record["text"]
    if not isinstance(text, str) or not text.strip():
        out.add(line, "text", "must be a non-empty text (the passage)")
    missions = record["missions"]
    if isinstance(missions, str) and out.csv:
        missions = [m for m in missions.split(LIST_SEP) if m.strip()]
    if not isinstance(missions, list):
        out.add(line, "missions", "must be a list of operation names ([] for none)")
        missions = []
    operations = [label("operation", m, "missions", item=i) for i, m in enumerate(missions)]
    reason = label("negative_reason", record["negative_reason"], "negative_reason",
                   optional=True)
    date = record.get("date")
    if _blank(date):
        date = ""
    elif not isinstance(date, str) or not _DATE.match(date.strip()):
        out.add(line, "date", f"{date!r} is not a date YYYY-MM-DD (leave it empty if unknown)")
        date = ""
    source = record.get("source_url")
    gold = []
    for entry in entries_of(record, "activity", ACTIVITY_FIELDS):
        i = entry["_item"]
        gold.append({"kind": "activity",
                     "operation": label("operation", entry["mission"], "activity", i,
                                        "mission"),
                     "quadrant": label("quadrant", entry["quadrant"], "activity", i,
                                       "quadrant"),
                     "market": label("market", entry["market"], "activity", i, "market",
                                     optional=True),
                     "strength": "", "addressee": ""})
    for entry in entries_of(record, "mandate", MANDATE_FIELDS):
        i = entry["_item"]
        gold.append({"kind": "mandate",
                     "operation": label("operation", entry["mission"], "mandate", i,
                                        "mission"),
                     "quadrant": "",
                     "market": label("market", entry["market"], "mandate", i, "market",
                                     optional=True),
                     "strength": label("strength", entry["strength"], "mandate", i,
                                       "strength"),
                     "addressee": label("addressee", entry["addressee"], "mandate", i,
                                        "addressee", optional=True)})
    if len(out.problems) > before:
        return None
    passage = {"file": out.file, "line": line, "passage_id": pid.strip(), "text": text,
               "missions": LIST_SEP.join(dict.fromkeys(operations)), "date": date.strip(),
               "source_url": "" if _blank(source) else str(source).strip(),
               "negative_reason": reason}
    return passage, gold


def _read_jsonl(path: Path, out: _Collector, labels: Labels):
    text = path.read_text(encoding="utf-8-sig")
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as err:
            out.add(number, None, f"not valid JSON ({err.msg} at column {err.colno}); "
                                  "each line must be one JSON object")
            continue
        if not isinstance(record, dict):
            out.add(number, None, "must be a JSON object {\"id\": ..., \"text\": ...}")
            continue

        def entries_of(rec, key, fields, _line=number):
            return _entries(rec, key, fields, out, _line)
        yield number, _parse(record, number, out, labels, entries_of)


def _read_csv(path: Path, out: _Collector, labels: Labels):
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.reader(text.splitlines(keepends=True))
    header, line_no = None, 1
    for record in reader:
        start, line_no = line_no, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if header is None:
            header = [h.strip() for h in record]
            missing = [k for k in REQUIRED_KEYS if k not in header]
            if missing:
                out.add(start, None, f"missing column(s) {', '.join(missing)}; the header "
                                     f"must name {', '.join(REQUIRED_KEYS)} (optional: "
                                     f"{', '.join(OPTIONAL_KEYS)})")
                return
            continue
        if len(record) != len(header):
            out.add(start, None, f"{len(record)} cells but the header has {len(header)}; "
                                 "quote cells holding commas or line breaks")
            continue
        row = dict(zip(header, record, strict=True))

        def entries_of(rec, key, fields, _line=start):
            return _cell_entries(rec[key], key, fields, out, _line)
        yield start, _parse(row, start, out, labels, entries_of)


def read_passages(paths: Iterable[str | Path], labels: Labels
                  ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(passages, gold)`` of the passage files, in file order then line order.

    ``passages``: one row per passage, :data:`PASSAGE_COLUMNS` (``doc_id`` is the id the
    coding uses, ``p00001``...; ``missions`` the acronyms ``;``-joined; empty text for no
    date, url or reason). ``gold``: one row per activity or mandate entry,
    :data:`LABEL_COLUMNS` (``kind`` activity | mandate; empty for a field that does not
    apply or was left empty). Raises :class:`PassageError` listing every problem of every
    file (file, line, key).
    """
    problems: list[Problem] = []
    passages, gold = [], []
    for path in paths:
        path = Path(path)
        name = str(path)
        is_csv = path.suffix.lower() == ".csv"
        out = _Collector(name, is_csv)
        try:
            records = list((_read_csv if is_csv else _read_jsonl)(path, out, labels))
        except FileNotFoundError:
            out.add(None, None, "file not found")
            records = []
        except UnicodeDecodeError as err:
            out.add(None, None, f"not UTF-8 text ({err.reason} at byte {err.start}); save "
                                "the file as UTF-8")
            records = []
        seen: dict[str, int] = {}
        for line, parsed in records:
            if parsed is None:
                continue
            passage, entries = parsed
            if passage["passage_id"] in seen:
                out.add(line, "id", f"{passage['passage_id']!r} is used twice (first on line "
                                    f"{seen[passage['passage_id']]}); ids must be unique in "
                                    "a file")
                continue
            seen[passage["passage_id"]] = line
            doc_id = f"p{len(passages) + 1:05d}"
            passages.append({"doc_id": doc_id, **passage})
            gold += [{"doc_id": doc_id, **e} for e in entries]
        if not records and not out.problems:
            out.add(None, None, "holds no passage")
        problems += out.problems
    if problems:
        raise PassageError(problems)
    return (pd.DataFrame(passages, columns=PASSAGE_COLUMNS),
            pd.DataFrame(gold, columns=LABEL_COLUMNS))


# ------------------------------------------------------------------ coding

def passage_paragraphs(passages: pd.DataFrame) -> pd.DataFrame:
    """The passages as an extraction paragraph table: the text split on blank lines, one
    page, no printed numbers (what :func:`analysis.coding.paragraphs.code_corpus` reads)."""
    rows = []
    for doc_id, text in zip(passages["doc_id"], passages["text"], strict=True):
        seq = 0
        for m in _BLOCK.finditer(text):
            block = m.group(0)
            if not block.strip():
                continue
            lead = len(block) - len(block.lstrip())
            body = block.strip()
            seq += 1
            start = m.start() + lead
            rows.append({"doc_id": doc_id, "para_seq": seq, "page": 1, "kind": "paragraph",
                         "para_no": None, "section": None, "text": body,
                         "char_start": start, "char_end": start + len(body),
                         "footnote_refs": None})
    return pd.DataFrame(rows, columns=["doc_id", "para_seq", "page", "kind", "para_no",
                                       "section", "text", "char_start", "char_end",
                                       "footnote_refs"])


def code_passages(passages: pd.DataFrame, codebook: Codebook, gazetteer: Gazetteer
                  ) -> pd.DataFrame:
    """Evidence rows of every passage, coded as a report (``coding`` = activity) and as a
    resolution (``coding`` = mandate) by the corpus coding; columns of the evidence table
    plus ``coding``."""
    paragraphs = passage_paragraphs(passages)
    documents = passages[["doc_id", "missions", "date"]]
    frames = []
    for coding, doc_type in (("activity", "report"), ("mandate", "resolution")):
        _, evidence, _ = code_corpus(paragraphs, documents.assign(doc_type=doc_type),
                                     codebook, gazetteer, progress_every=0)
        frames.append(evidence.assign(coding=coding))
    return pd.concat(frames, ignore_index=True)


# ------------------------------------------------------------------ label sets

def _items(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=ITEM_COLUMNS).drop_duplicates()
    df["order"] = df["variable"].map(SCORED.index)
    return (df.sort_values(["doc_id", "order", "operation", "label"], kind="stable")
            .drop(columns="order").reset_index(drop=True))


def gold_items(passages: pd.DataFrame, gold: pd.DataFrame) -> pd.DataFrame:
    """The gold label sets of every passage, one row per item (:data:`ITEM_COLUMNS`)."""
    rows = []
    for g in gold.itertuples(index=False):
        if g.kind == "activity":
            rows.append((g.doc_id, "operation_quadrant", g.operation, g.quadrant))
            if g.market:
                rows.append((g.doc_id, "operation_market", g.operation, g.market))
            rows.append((g.doc_id, "activity", "", ACTIVITY_ITEM))
        else:
            if g.strength == "requested" and g.addressee == "operation":
                rows.append((g.doc_id, "explicit_mandate", g.operation, ""))
            rows.append((g.doc_id, "strength", g.operation, g.strength))
            if g.addressee:
                rows.append((g.doc_id, "addressee", g.operation, g.addressee))
    return _items(rows)


def _operation(value) -> str:
    return "" if pd.isna(value) else str(value)


def predicted_items(evidence: pd.DataFrame) -> pd.DataFrame:
    """The predicted label sets of every passage from :func:`code_passages`' evidence."""
    ev = evidence.assign(operation=evidence["operation"].map(_operation))
    act = ev[ev["coding"] == "activity"]
    credited = set(zip(*(act.loc[act["variable"] == "activity", c]
                         for c in ("doc_id", "para_seq", "operation")), strict=True))
    rows = []
    for r in act.itertuples(index=False):
        if (r.doc_id, r.para_seq, r.operation) not in credited:
            continue
        if r.variable == "activity":
            rows.append((r.doc_id, "activity", "", ACTIVITY_ITEM))
        elif r.variable in ("quadrant", "market"):
            rows.append((r.doc_id, f"operation_{r.variable}", r.operation, r.value))
    for r in ev[ev["coding"] == "mandate"].itertuples(index=False):
        if r.variable == "explicit_mandate":
            rows.append((r.doc_id, "explicit_mandate", r.operation, ""))
        elif r.variable in ("strength", "addressee"):
            rows.append((r.doc_id, r.variable, r.operation, r.value))
    return _items(rows)


# ------------------------------------------------------------------ scoring

def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _pr_row(variable: str, label: str, n: int, n_gold: int, n_pred: int, tp: int) -> dict:
    return {"variable": variable, "label": label, "n_gold": n_gold, "n_predicted": n_pred,
            "tp": tp, "precision": _ratio(tp, n_pred), "recall": _ratio(tp, n_gold),
            "f1": _ratio(2 * tp, n_gold + n_pred), "n": n, "count": None, "rate": None}


def _count_row(variable: str, label: str, n: int, count: int, rate: bool) -> dict:
    return {"variable": variable, "label": label, "n_gold": None, "n_predicted": None,
            "tp": None, "precision": None, "recall": None, "f1": None, "n": n,
            "count": count, "rate": _ratio(count, n) if rate else None}


def score(passages: pd.DataFrame, gold: pd.DataFrame, predicted: pd.DataFrame,
          evidence: pd.DataFrame, markets: Iterable[str]) -> pd.DataFrame:
    """The validation table (:class:`analysis.schemas.coding.Validation`), see the module
    doc. ``gold``/``predicted``: :func:`gold_items`/:func:`predicted_items`; ``markets``: the
    codebook's market labels (per-label rows in this order)."""
    n = len(passages)
    hit = gold.merge(predicted, on=ITEM_COLUMNS, how="inner")
    per_label = {"operation_quadrant": list(QUADRANTS), "strength": list(STRENGTHS),
                 "addressee": list(ADDRESSEES)}
    market_labels = list(dict.fromkeys([*markets, *sorted(
        set(gold.loc[gold["variable"] == "operation_market", "label"])
        | set(predicted.loc[predicted["variable"] == "operation_market", "label"]))]))
    per_label["operation_market"] = market_labels
    rows = []
    for variable in SCORED:
        g, p, t = (df[df["variable"] == variable] for df in (gold, predicted, hit))
        rows.append(_pr_row(variable, "", n, len(g), len(p), len(t)))
        for label in per_label.get(variable, []):
            rows.append(_pr_row(variable, label, n, int((g["label"] == label).sum()),
                                int((p["label"] == label).sum()),
                                int((t["label"] == label).sum())))
    active_gold = set(gold.loc[gold["variable"] == "activity", "doc_id"])
    active_pred = set(predicted.loc[predicted["variable"] == "activity", "doc_id"])
    hard = passages[(passages["negative_reason"] != "")
                    & ~passages["doc_id"].isin(active_gold)]
    rows.append(_count_row(HARD_NEGATIVES, "", len(hard),
                           int(hard["doc_id"].isin(active_pred).sum()), rate=True))
    for reason in NEGATIVE_REASONS:
        these = hard[hard["negative_reason"] == reason]
        rows.append(_count_row(HARD_NEGATIVES, reason, len(these),
                               int(these["doc_id"].isin(active_pred).sum()), rate=True))
    empty = evidence[(evidence["coding"] == "activity")
                     & (evidence["operation"].map(_operation) == "")]
    rows.append(_count_row(NO_OPERATION, "", empty["doc_id"].nunique(), len(empty),
                           rate=False))
    table = pd.DataFrame(rows, columns=columns(Validation))
    for col in ("n_gold", "n_predicted", "tp", "n", "count"):
        table[col] = table[col].astype("Int64")
    for col in ("precision", "recall", "f1", "rate"):
        table[col] = table[col].astype(float)
    return table


def _item_text(variable: str, operation: str, label: str) -> str:
    if variable == "activity":
        return label
    if variable == "explicit_mandate":
        return operation
    return f"{operation}{FIELD_SEP}{label}"


def _joined(items: Iterable[str]) -> str:
    return LIST_SEP.join(sorted(items))


def disagreements(passages: pd.DataFrame, gold: pd.DataFrame,
                  predicted: pd.DataFrame) -> pd.DataFrame:
    """Per passage and scored variable where gold and predicted sets differ: the sets
    (``operation|label`` items ``;``-joined; ``activity`` is ``yes`` or empty,
    ``explicit_mandate`` lists operations), what was missed and what was extra."""
    def sets(df):
        out: dict = {}
        for r in df.itertuples(index=False):
            out.setdefault((r.doc_id, r.variable), set()).add(
                _item_text(r.variable, r.operation, r.label))
        return out

    g_sets, p_sets = sets(gold), sets(predicted)
    rows = []
    for p in passages.itertuples(index=False):
        for variable in SCORED:
            g = g_sets.get((p.doc_id, variable), set())
            q = p_sets.get((p.doc_id, variable), set())
            if g == q:
                continue
            rows.append({"passage_id": p.passage_id, "file": p.file, "line": p.line,
                         "variable": variable, "gold": _joined(g), "predicted": _joined(q),
                         "missing": _joined(g - q), "extra": _joined(q - g),
                         "negative_reason": p.negative_reason, "source_url": p.source_url})
    return pd.DataFrame(rows, columns=columns(ValidationPassages))


# ------------------------------------------------------------------ all steps

@dataclass(frozen=True)
class Result:
    passages: pd.DataFrame
    gold: pd.DataFrame
    evidence: pd.DataFrame
    predicted: pd.DataFrame
    table: pd.DataFrame
    disagreements: pd.DataFrame


def validate(paths: Iterable[str | Path], codebook: Codebook, missions: pd.DataFrame,
             gazetteer: Gazetteer) -> Result:
    """Read, code and score the passage files with a loaded codebook and operations table
    (:func:`analysis.coding.paragraphs.load_coding_inputs`)."""
    passages, gold_entries = read_passages(paths, Labels.of(missions, codebook.markets))
    evidence = code_passages(passages, codebook, gazetteer)
    gold = gold_items(passages, gold_entries)
    predicted = predicted_items(evidence)
    table = score(passages, gold, predicted, evidence, codebook.markets)
    return Result(passages, gold, evidence, predicted, table,
                  disagreements(passages, gold, predicted))


def _value(table: pd.DataFrame, variable: str, label: str, column: str):
    row = table[(table["variable"] == variable) & (table["label"] == label)]
    return None if row.empty else row[column].iloc[0]


def _fmt(value) -> str:
    return "-" if pd.isna(value) else f"{value:.2f}"


def summary_lines(table: pd.DataFrame, codebook_version: str = "") -> list[str]:
    """The console summary of a validation table (3-5 lines)."""
    def prf(variable):
        return "/".join(_fmt(_value(table, variable, "", c))
                        for c in ("precision", "recall", "f1"))

    n = _value(table, "activity", "", "n")
    book = f" with codebook {codebook_version}" if codebook_version else ""
    hard = [_value(table, HARD_NEGATIVES, "", c) for c in ("count", "n", "rate")]
    return [
        f"validation: {n} labelled passages coded{book}",
        (f"validation: operation x quadrant P/R/F1 {prf('operation_quadrant')}; "
         f"market {prf('operation_market')}"),
        (f"validation: hard negatives credited with activity {hard[0]}/{hard[1]} "
         f"(rate {_fmt(hard[2])})"),
        (f"validation: explicit mandate P/R/F1 {prf('explicit_mandate')}; evidence rows "
         f"without an operation {_value(table, NO_OPERATION, '', 'count')}"),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.coding validate",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", nargs="+", required=True,
                        help="labelled passage files (.jsonl or .csv)")
    parser.add_argument("--codebook", required=True)
    parser.add_argument("--missions", required=True)
    parser.add_argument("--out", required=True, help="validation table (CSV)")
    parser.add_argument("--passages-out", required=True,
                        help="per-passage disagreements (CSV)")
    args = parser.parse_args(argv)
    try:
        book, missions, gazetteer = load_coding_inputs(args.codebook, args.missions)
        result = validate(args.passages, book, missions, gazetteer)
    except (ValueError, OSError) as err:  # every loader names the file and the place
        print(f"validation failed: {err}", file=sys.stderr)
        return 1
    write_csv(result.table, args.out, schema=Validation)
    write_csv(result.disagreements, args.passages_out, schema=ValidationPassages)
    for line in summary_lines(result.table, book.version):
        print(line, file=sys.stderr)
    return 0
