"""Mandate coding: resolution paragraphs -> part, verb, strength, addressee, OC content.

Coding follows RESEARCH-DESIGN.md ("Mandate coding", after PEMA); all words come from the
codebook (:mod:`analysis.coding.codebook`), so changing the YAML changes the coding.

Per paragraph (:func:`code_mandate_paragraph`):

- ``part``: ``operative`` when the paragraph is numbered (``para_no``) or opens with an
  operative verb; ``preambular`` when it opens with a preambular opening or a participle, or
  stands before the first numbered paragraph (the "The Security Council," line too).
- ``verb``: the operative verb ("Requests", "Calls upon", "Shall") or the preambular opening.
- ``strength``: the paragraph's operative force, coded whether or not it mentions OC:
  ``requested`` (decides, requests, authorizes, "shall" ...), ``encouraged`` (encourages,
  calls upon, urges ...), ``reference`` for every preambular paragraph, ``None`` for an
  operative paragraph with no recognised verb. A paragraph with several verbs ("Decides ...
  and requests the Secretary-General ...") is split into clauses; the clause that carries the
  OC content gives strength and addressee (requested-to-the-operation first), otherwise the
  first clause does.
- ``addressee``: who the chosen clause addresses: the first addressee cue after its verb
  (``operation`` | ``host_government`` | ``member_states`` | ``secretary_general``), ``None``
  for preambular paragraphs and when nobody is named.
- ``oc``, ``markets``, ``quadrant`` (first of ``quadrants``), and ``explicit_mandate``: an
  operative clause with strength ``requested``, addressee ``operation`` and OC content.
- ``evidence``: for each coded value the matched text and its offsets in ``text``.

Mandate language in news form (codebook ``reported_mandate``: "the Council authorized the
mission to ...", "the renewed mandate tasks the mission with ...", "the resolution urges
AMISOM to ..."), in a sentence naming a ``mandate_authority``, makes an unnumbered paragraph
that neither opens with an operative verb nor ends like a preambular paragraph (with a comma)
operative: each cue opens a clause with the cue's strength, whose addressee is the one
named between the cue and the next "to"/"with"/"that" ("authorized MONUSCO to"), else the
nearest one before it in its sentence ("the Mission was authorized to"); a clause with no OC
word takes the OC of the sentence before, as activity coding does.

Per resolution: ``oc_reference`` (any paragraph with OC) and ``explicit_mandate`` (any
paragraph with an explicit mandate), see :func:`resolution_summary`. :func:`mandate_timeline`
turns resolutions into the periods in which each mandate is in force.
"""

from __future__ import annotations

import json
import numbers
import re
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from analysis.coding.codebook import (
    Codebook,
    Span,
    find_labels,
    find_spans,
    oc_content,
    operation_spans,
    quadrant_spans,
    sentence_bounds,
    spans_json,
)

# "12. ", "3) ", "(a) ", "(iv) " at the start of a paragraph.
_NUMBER = re.compile(r"^\s*(?:\d{1,3}[a-z]?\s*[.)]|\((?:[a-z]{1,2}|[ivxl]{1,5}|\d{1,3})\))\s*")
_PARTICIPLE = re.compile(r"(?:(?:further|also|deeply|gravely|strongly|again)\s+)*[a-z]+ing\b",
                         re.IGNORECASE)
_ADVERBS = (r"(?:(?:further|also|strongly|again|once again|urgently|firmly|in this regard,?|"
            r"in this context,?|in addition,?|therefore|accordingly)\s+)*")
# What may stand right before a clause's verb: start, "; and", ", and", ": ".
_CLAUSE_LEAD = re.compile(r"(?:^|[;:]\s*(?:and\s+)?|,?\s+and\s+)" + _ADVERBS + r"$", re.IGNORECASE)
_SUBPARAGRAPH = re.compile(r"^\s*\((?:[a-z]{1,2}|[ivxl]{1,5})\)\s")
STRENGTH_RANK = {"requested": 2, "encouraged": 1}


def _has_number(para_no) -> bool:
    if para_no is None:
        return False
    try:
        if pd.isna(para_no):
            return False
    except (TypeError, ValueError):
        pass
    return str(para_no).strip() != ""


def _verb_name(span: Span) -> str:
    return span.text[:1].upper() + span.text[1:].lower()


def _clause_verbs(book: Codebook, text: str, body: int) -> list[tuple[str, Span]]:
    """Operative verbs that open a clause (``body`` = offset after any number)."""
    verbs = []
    for label, spans in find_labels(book.strength, text, body).items():
        for span in spans:
            lead = text[max(body, span.start - 80): span.start]
            if span.start == body or _CLAUSE_LEAD.search(lead):
                verbs.append((label, span))
    verbs.sort(key=lambda pair: pair[1].start)
    if not verbs:  # "MINUSTAH shall ...": take the first operative verb anywhere
        anywhere = [(lab, s) for lab, sp in find_labels(book.strength, text, body).items()
                    for s in sp]
        verbs = sorted(anywhere, key=lambda pair: pair[1].start)[:1]
    return verbs


def _addressee(book: Codebook, text: str, lo: int, hi: int, op_spans: list[Span]):
    """The first addressee named in ``text[lo:hi]``: ``(label, span)`` or ``(None, None)``."""
    found = [("operation", s) for s in op_spans if lo <= s.start < hi]
    for label, spans in find_labels(book.addressee, text, lo, hi).items():
        found.extend((label, s) for s in spans)
    if not found:
        return None, None
    return min(found, key=lambda pair: (pair[1].start, -pair[1].end))


def _clause(book: Codebook, text: str, verb, lo: int, hi: int, op_spans: list[Span]) -> dict:
    label, span = verb
    addressee, who = _addressee(book, text, span.end, hi, op_spans)
    if addressee is None:  # "MINUSMA shall ...": the subject before the verb
        addressee, who = _addressee(book, text, lo, span.start, op_spans)
    oc_spans, _ = oc_content(book, text, lo, hi)
    return {"strength": label, "verb": span, "addressee": addressee, "who": who,
            "oc": bool(oc_spans), "lo": lo, "hi": hi}


_SLOT_END = re.compile(r"\b(?:to|with|that)\b", re.IGNORECASE)
_SLOT_REACH = 200  # characters after a cue in which its addressee is looked for


def _reported_clauses(book: Codebook, text: str, op_spans: list[Span]) -> list[dict]:
    """Clauses of news-form mandate language (see the module docstring)."""
    if not book.reported_mandate:
        return []
    cues = []
    for label, patterns in book.reported_mandate.items():
        cues += [(label, span) for span in find_spans(patterns, text)]
    if not cues:
        return []
    sentences = sentence_bounds(text)
    oc_spans, _ = oc_content(book, text)
    kept = []
    for label, span in sorted(cues, key=lambda c: (c[1].start, -STRENGTH_RANK[c[0]])):
        lo, hi = next(((a, b) for a, b in sentences if a <= span.start < b), (0, len(text)))
        if kept and kept[-1][1].end > span.start:
            continue  # one cue inside another
        if find_spans(book.mandate_authority, text, lo, hi):
            kept.append((label, span, lo, hi))
    clauses = []
    for i, (label, span, lo, hi) in enumerate(kept):
        start = max(lo, kept[i - 1][1].end if i and kept[i - 1][2] == lo else lo)
        end = min(hi, kept[i + 1][1].start if i + 1 < len(kept) and kept[i + 1][2] == lo
                  else hi)
        stop = _SLOT_END.search(text, span.end, min(hi, span.end + _SLOT_REACH))
        slot_hi = stop.start() if stop else min(hi, span.end + _SLOT_REACH)
        addressee, who = _addressee(book, text, span.start, slot_hi, op_spans)
        if addressee is None:
            found = [_addressee(book, text, a, span.start, op_spans) for a in
                     sorted({s.start for s in op_spans if lo <= s.start < span.start}
                            | {lo})]
            found = [f for f in found if f[0] is not None]
            if found:
                addressee, who = max(found, key=lambda f: f[1].start)
        oc = any(start <= o.start < end for o in oc_spans)
        if not oc and not any(lo <= o.start < hi for o in oc_spans):
            before = [(a, b) for a, b in sentences if b <= lo]
            if before:
                a, b = before[-1]
                oc = any(a <= o.start < b for o in oc_spans)
        clauses.append({"strength": label, "verb": span, "addressee": addressee, "who": who,
                        "oc": oc, "lo": start, "hi": end})
    return clauses


def _choose(clauses: list[dict]) -> dict | None:
    """The clause that codes the paragraph: an OC clause, strongest and to the operation first."""
    if not clauses:
        return None
    oc = [c for c in clauses if c["oc"]]
    if not oc:
        return clauses[0]
    return max(oc, key=lambda c: (STRENGTH_RANK.get(c["strength"], 0),
                                  c["addressee"] == "operation", -c["lo"]))


def code_mandate_paragraph(text: str, para_no, codebook: Codebook,
                           operations: Iterable = (), *, after_operative: bool = False) -> dict:
    """Code one resolution paragraph (see the module docstring for every field).

    ``operations``: the names/acronyms of the operations the resolution concerns (strings),
    or mentions with ``operation``/``start``/``end`` from a gazetteer. ``after_operative``:
    the paragraph follows a numbered paragraph (decides the part of an unnumbered paragraph
    that opens with neither a preambular opening nor an operative verb).
    """
    text = "" if text is None else str(text)
    operations = list(operations or ())
    names = [o for o in operations if isinstance(o, str)]
    mentions = None if all(isinstance(o, str) for o in operations) else operations
    op_spans = operation_spans(codebook, text, mentions, names)
    number = _NUMBER.match(text)
    body = number.end() if number else len(text) - len(text.lstrip())
    opening = None
    for pattern in codebook.preambular_openings:
        m = pattern.match(text, body)
        if m and (opening is None or m.end() > opening.end):
            opening = Span(m.start(), m.end(), m.group(0))
    if opening is None and (m := _PARTICIPLE.match(text, body)):
        opening = Span(m.start(), m.end(), m.group(0))
    verbs = _clause_verbs(codebook, text, body)
    opens_with_verb = bool(verbs) and verbs[0][1].start == body
    reported = []
    if not (_has_number(para_no) or opens_with_verb or text.rstrip().endswith(",")):
        reported = _reported_clauses(codebook, text, op_spans)
    if _has_number(para_no) or opens_with_verb or reported:
        part = "operative"
    elif opening is not None or not after_operative:
        part = "preambular"
    else:
        part = "operative"

    oc_spans, markets = oc_content(codebook, text)
    evidence: dict = {"oc": spans_json(oc_spans),
                      "markets": {m: spans_json(s) for m, s in markets.items()}}
    out = {"part": part, "verb": None, "strength": None, "addressee": None,
           "oc": bool(oc_spans), "markets": list(markets), "quadrant": None, "quadrants": [],
           "explicit_mandate": False}
    scope = (0, len(text))
    if part == "preambular":
        out["strength"] = "reference"
        if opening is not None:
            out["verb"] = _verb_name(opening)
            evidence["verb"] = spans_json([opening])
    elif verbs or reported:
        if reported:
            clauses = reported
        else:
            bounds = [s.start for _, s in verbs[1:]] + [len(text)]
            clauses = [_clause(codebook, text, v, lo, hi, op_spans)
                       for v, lo, hi in zip(verbs, [0] + bounds[:-1], bounds, strict=True)]
        chosen = _choose(clauses)
        out["verb"] = _verb_name(chosen["verb"])
        out["strength"] = chosen["strength"]
        out["addressee"] = chosen["addressee"]
        evidence["verb"] = spans_json([chosen["verb"]])
        if chosen["who"] is not None:
            evidence["addressee"] = spans_json([chosen["who"]])
        out["explicit_mandate"] = (chosen["oc"] and chosen["strength"] == "requested"
                                   and chosen["addressee"] == "operation")
        if chosen["oc"]:
            scope = (chosen["lo"], chosen["hi"])
    if out["oc"] and part == "operative" and out["addressee"] == "operation":
        _set_quadrants(out, evidence, quadrant_spans(codebook, text, *scope))
    out["evidence"] = evidence
    return out


def _set_quadrants(out: dict, evidence: dict, quadrants: dict) -> None:
    """Quadrants describe what the operation is tasked with, so only operation addressees."""
    out["quadrants"] = list(quadrants)
    out["quadrant"] = out["quadrants"][0] if quadrants else None
    evidence["quadrants"] = {q: spans_json(s) for q, s in quadrants.items()}


def _inherit(row: dict, lead: dict, codebook: Codebook) -> dict:
    """A sub-paragraph ("(a) support to ...") takes verb, strength, addressee from its lead-in."""
    row = dict(row, verb=lead["verb"], strength=lead["strength"], addressee=lead["addressee"],
               inherited=True)
    row["explicit_mandate"] = bool(row["oc"] and lead["strength"] == "requested"
                                   and lead["addressee"] == "operation")
    if row["oc"] and lead["addressee"] == "operation":
        _set_quadrants(row, row["evidence"], quadrant_spans(codebook, row["text"]))
    return row


def _operations_for(doc_operations, doc_id) -> list:
    if isinstance(doc_operations, Mapping):
        return list(doc_operations.get(doc_id, ()))
    return list(doc_operations or ())


CODED_COLUMNS = ["part", "verb", "strength", "addressee", "oc", "markets", "quadrant",
                 "explicit_mandate", "inherited", "evidence", "codebook"]


def code_resolution(paragraphs_df: pd.DataFrame, codebook: Codebook,
                    doc_operations: Iterable | Mapping = (),
                    find_mentions: Callable[[str, Mapping], list] | None = None) -> pd.DataFrame:
    """Code every paragraph of one or more resolutions.

    ``paragraphs_df``: one row per paragraph in document order, column ``text`` (required),
    ``para_no`` (empty for unnumbered paragraphs) and ``doc_id`` (optional; documents are
    coded separately). ``doc_operations``: the operations' names/acronyms, one list for all,
    or ``{doc_id: [...]}``. ``find_mentions(text, row)``: optional, the operation mentions of a
    paragraph (e.g. from the gazetteer), used beside the names. Returns the input columns plus
    :data:`CODED_COLUMNS`;
    ``markets`` is ``;``-joined, ``evidence`` a JSON string of spans.
    """
    if "text" not in paragraphs_df.columns:
        raise ValueError("paragraph table has no 'text' column; expected the extract output")
    rows = []
    doc_ids = (paragraphs_df["doc_id"] if "doc_id" in paragraphs_df.columns
               else pd.Series([None] * len(paragraphs_df), index=paragraphs_df.index))
    state: dict = {}
    for (_, record), doc_id in zip(paragraphs_df.iterrows(), doc_ids, strict=True):
        seen = state.setdefault(doc_id, {"numbered": False, "lead": None})
        para_no = record.get("para_no")
        operations = _operations_for(doc_operations, doc_id)
        if find_mentions is not None:
            operations += list(find_mentions(str(record["text"] or ""), record))
        coded = code_mandate_paragraph(record["text"], para_no, codebook, operations,
                                       after_operative=seen["numbered"])
        coded["inherited"] = False
        text = str(record["text"] or "")
        if coded["part"] == "operative":
            seen["numbered"] = True
            lead = seen["lead"]
            is_sub = bool(_SUBPARAGRAPH.match(text)) or (
                _has_number(para_no) and re.search(r"[a-z]", str(para_no)) is not None)
            if coded["verb"] is None and lead is not None and is_sub:
                coded = _inherit(dict(coded, text=text), lead, codebook)
            elif coded["verb"] is not None:
                seen["lead"] = coded if text.rstrip().endswith(":") else None
        rows.append(coded)
    out = paragraphs_df.reset_index(drop=True).copy()
    out["part"] = [r["part"] for r in rows]
    out["verb"] = [r["verb"] for r in rows]
    out["strength"] = [r["strength"] for r in rows]
    out["addressee"] = [r["addressee"] for r in rows]
    out["oc"] = [bool(r["oc"]) for r in rows]
    out["markets"] = [";".join(r["markets"]) for r in rows]
    out["quadrant"] = [r["quadrant"] for r in rows]
    out["explicit_mandate"] = [bool(r["explicit_mandate"]) for r in rows]
    out["inherited"] = [bool(r["inherited"]) for r in rows]
    out["evidence"] = [json.dumps(r["evidence"], sort_keys=True, ensure_ascii=False)
                       for r in rows]
    out["codebook"] = codebook.version
    return out


def _join_markets(values: Iterable[str], order: Iterable[str]) -> str:
    found = {m for v in values if isinstance(v, str) for m in v.split(";") if m}
    return ";".join(m for m in order if m in found) + "".join(
        ";" + m for m in sorted(found - set(order)))


def resolution_summary(coded: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per ``doc_id``: ``oc_reference``, ``explicit_mandate``, ``markets``, counts."""
    rows = []
    for doc_id, group in coded.groupby("doc_id", sort=True, dropna=False):
        rows.append({
            "doc_id": doc_id,
            "oc_reference": bool(group["oc"].any()),
            "explicit_mandate": bool(group["explicit_mandate"].any()),
            "markets": _join_markets(group["markets"], codebook.markets),
            "n_paragraphs": len(group),
            "n_oc_paragraphs": int(group["oc"].sum()),
        })
    return pd.DataFrame(rows, columns=["doc_id", "oc_reference", "explicit_mandate", "markets",
                                       "n_paragraphs", "n_oc_paragraphs"])


def _end_dates(operations_end) -> dict:
    """operation -> end Timestamp (NaT = ongoing). Years mean 31 December of that year."""
    if isinstance(operations_end, pd.DataFrame):
        df = operations_end
        key = "operation" if "operation" in df.columns else "acronym"
        col = "end" if "end" in df.columns else "end_year"
        operations_end = dict(zip(df[key], df[col], strict=True))
    out = {}
    for operation, end in dict(operations_end or {}).items():
        if end is None or (not isinstance(end, str) and pd.isna(end)) or end == "":
            out[operation] = pd.NaT
        elif isinstance(end, numbers.Number) or (isinstance(end, str) and end.isdigit()):
            out[operation] = pd.Timestamp(year=int(end), month=12, day=31)
        else:
            out[operation] = pd.Timestamp(end)
    return out


TIMELINE_COLUMNS = ["operation", "resolution", "doc_id", "adopted", "in_force_until",
                    "explicit_mandate", "oc_reference", "markets"]


def mandate_timeline(resolutions_df: pd.DataFrame, operations_end) -> pd.DataFrame:
    """When each operation's mandate is in force, one row per (operation, resolution).

    ``resolutions_df``: columns ``operation`` (one acronym, or several ``;``-joined),
    ``doc_id``, ``adopted`` (date), ``explicit_mandate``, ``oc_reference``, ``markets``, and
    optionally ``symbol`` (used as ``resolution`` when present). ``operations_end``:
    ``{operation: end}`` (date, year, or empty for ongoing) or the operations table
    (``acronym``, ``end_year``). A mandate is in force from ``adopted`` until the next
    resolution for the same operation is adopted, else until the operation's end (NaT when
    ongoing). Every resolution listed for an operation counts as replacing the previous one.
    """
    missing = [c for c in ("operation", "doc_id", "adopted", "explicit_mandate",
                           "oc_reference") if c not in resolutions_df.columns]
    if missing:
        raise ValueError(f"resolution table lacks column(s) {missing}")
    df = resolutions_df.copy()
    df["operation"] = df["operation"].astype(str).str.split(";")
    df = df.explode("operation")
    df["operation"] = df["operation"].str.strip()
    df = df[df["operation"] != ""]
    df["adopted"] = pd.to_datetime(df["adopted"])
    symbol = df["symbol"] if "symbol" in df.columns else pd.Series(None, index=df.index)
    df["resolution"] = symbol.where(symbol.notna() & (symbol.astype(str) != ""), df["doc_id"])
    if "markets" not in df.columns:
        df["markets"] = ""
    df["markets"] = df["markets"].fillna("")
    df = df.sort_values(["operation", "adopted", "resolution"], kind="stable")
    ends = _end_dates(operations_end)
    following = df.groupby("operation")["adopted"].shift(-1)
    end = df["operation"].map(lambda op: ends.get(op, pd.NaT))
    df["in_force_until"] = following.where(following.notna(), end)
    df["in_force_until"] = pd.to_datetime(df["in_force_until"])
    df["explicit_mandate"] = df["explicit_mandate"].astype(bool)
    df["oc_reference"] = df["oc_reference"].astype(bool)
    return df[TIMELINE_COLUMNS].reset_index(drop=True)
