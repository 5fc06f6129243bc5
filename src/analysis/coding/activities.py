"""Activity coding: report paragraphs -> did the operation itself do OC work, and which?

Coding follows RESEARCH-DESIGN.md ("Activity typology", "Text that must NOT count as
activity"); all words come from the codebook (:mod:`analysis.coding.codebook`).

A paragraph is cut into sentences and each sentence into clauses (at ";" and at ", but",
", while", ", whereas", ", although"). A clause is an **activity** when

1. it is about OC: an OC or market term in the clause, or, for a sentence with no OC term
   at all, in the sentence before ("Drug trafficking rose. In response, UNMIL ...");
2. it has an activity verb (a ``mode`` or ``engagement`` cue: conducted, trained, seized);
3. the operation is named in the sentence (a mention supplied by the caller, the document's
   acronyms, or a codebook cue such as "the Mission", "UN police"); a sentence naming no
   actor at all continues the actor of the sentence before;
4. no ``plan``, ``negation`` or ``postponed`` cue stands in the clause (a relative clause
   after the activity verb, "... officers who will be deployed", is not read for these).

A paragraph is an activity if any clause is ("activity wins"). Otherwise an OC paragraph
keeps the reason, by priority: ``postponed`` > ``negation`` > ``plan`` > ``other_actor``
(an activity verb, or an enforcement word next to another actor, with no operation) >
``concern_only`` (OC named, nothing done). Activity paragraphs get ``quadrants`` (see
:func:`analysis.coding.codebook.quadrant_spans`) and one ``engagement`` (the first engagement cue
of the first activity clause; else ``assist`` for indirect work, ``implement`` for direct).
``markets`` are the paragraph's. ``evidence`` holds the matched words with offsets.

When every mention of the operation in a sentence follows a ``support_role`` phrase ("with
the support of UNOCI, the police dismantled ..."), the work is another actor's, helped by
the operation: its quadrants become ``indirect_*`` and its engagement ``assist``.
"""

from __future__ import annotations

import json
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
from analysis.vocab import NEGATIVE_REASONS

# Reasons a clause's own cue words give, in precedence order; other_actor and concern_only
# are what is left when none of them applies.
_CUE_REASONS = tuple(r for r in NEGATIVE_REASONS if r not in ("other_actor", "concern_only"))
_CLAUSE_BREAK = re.compile(r";\s*|,\s+(?=(?:but|while|whereas|although|though|however)\b)"
                           r"|\s+(?=but\s)", re.IGNORECASE)
_RELATIVE = re.compile(r"[,\s](?:who|which|whom|whose|that)\s", re.IGNORECASE)


def _clauses(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for m in _CLAUSE_BREAK.finditer(text, lo, hi):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:hi].strip():
        out.append((start, hi))
    return out or [(lo, hi)]


def _cues(labelled: Mapping, text: str, lo: int, hi: int) -> list[tuple[str, Span]]:
    pairs = [(lab, s) for lab, spans in find_labels(labelled, text, lo, hi).items()
             for s in spans]
    return sorted(pairs, key=lambda pair: (pair[1].start, pair[1].end))


def _negatives(book: Codebook, text: str, lo: int, hi: int, first_act: int | None) -> dict:
    """Plan/negation/postponed cues of a clause, ignoring relative clauses after the verb."""
    stop = hi
    if first_act is not None:
        rel = _RELATIVE.search(text, first_act, hi)
        stop = rel.start() if rel else hi
    found = {}
    for reason in _CUE_REASONS:
        hi_r = hi if reason == "postponed" else stop
        spans = find_spans(book.negative[reason], text, lo, hi_r)
        if spans:
            found[reason] = spans
    return found


def _supporting(book: Codebook, text: str, spans: list[Span]) -> bool:
    """True when every operation mention follows a support phrase ("with the support of")."""
    def follows(span: Span) -> bool:
        prefix = text[max(0, span.start - 80):span.start].rstrip()
        return any(p.search(prefix) for p in book.support_role)
    return bool(spans) and all(follows(s) for s in spans)


def _code_clause(book: Codebook, text: str, lo: int, hi: int, oc_here: bool,
                 operation: list[Span]) -> dict:
    acts = _cues(book.mode, text, lo, hi) + _cues(book.engagement, text, lo, hi)
    acts.sort(key=lambda pair: (pair[1].start, pair[1].end))
    first_act = acts[0][1].start if acts else None
    negatives = _negatives(book, text, lo, hi, first_act)
    targets = _cues(book.target, text, lo, hi)
    others = find_spans(book.negative["other_actor"], text, lo, hi)
    out = {"lo": lo, "hi": hi, "oc": oc_here, "activity": False, "reason": None,
           "acts": [s for _, s in acts], "operation": operation, "negatives": []}
    if not oc_here:
        return out
    acted = bool(acts) or bool(targets and others)
    # Postponement words are always about work; a plan must name the work or the operation
    # ("trafficking will increase" is concern); a negation must name the work.
    allowed = {"postponed": True, "negation": acted or bool(targets),
               "plan": acted or bool(targets) or bool(operation)}
    for reason in _CUE_REASONS:
        if reason in negatives and allowed[reason]:
            out["reason"], out["negatives"] = reason, negatives[reason]
            return out
    if acts and operation:
        out["activity"] = True
    elif acted:
        out["reason"], out["negatives"] = "other_actor", others
    else:
        concern = find_spans(book.negative["concern_only"], text, lo, hi)
        out["reason"], out["negatives"] = "concern_only", concern
    return out


def code_activity_paragraph(text: str, codebook: Codebook, operations_mentioned=None,
                            doc_operations: Iterable[str] = ()) -> dict:
    """Code one report paragraph.

    ``operations_mentioned``: mentions supplied by the caller (gazetteer objects or dicts with
    ``operation``/``start``/``end``/``matched``, or plain strings to search); ``None`` means
    search the ``doc_operations`` acronyms/names. Mentions of operations outside
    ``doc_operations`` (when given) do not count as the operation acting.

    Returns ``oc``, ``activity``, ``quadrants`` (list), ``markets`` (list), ``engagement``
    (or None), ``negative_reason`` (or None) and ``evidence`` (spans per coded value).
    """
    text = "" if text is None else str(text)
    book = codebook
    op_all = operation_spans(book, text, operations_mentioned, list(doc_operations or ()))
    oc_spans, markets = oc_content(book, text)
    out = {"oc": bool(oc_spans), "activity": False, "quadrants": [], "markets": list(markets),
           "engagement": None, "negative_reason": None}
    evidence: dict = {"oc": spans_json(oc_spans),
                      "markets": {m: spans_json(s) for m, s in markets.items()}}
    if not oc_spans:
        out["evidence"] = evidence
        return out
    clauses, prev_oc, actor, support = [], False, [], False
    for lo, hi in sentence_bounds(text):
        sent_oc = any(lo <= s.start < hi for s in oc_spans)
        own = [s for s in op_all if lo <= s.start < hi]
        named_other = find_spans(book.negative["other_actor"], text, lo, hi)
        # A sentence naming no actor continues the previous sentence's actor.
        if own or named_other:
            actor, support = own, _supporting(book, text, own)
        for c_lo, c_hi in _clauses(text, lo, hi):
            clause_oc = any(c_lo <= s.start < c_hi for s in oc_spans)
            oc_here = clause_oc or (not sent_oc and prev_oc)
            clauses.append(_code_clause(book, text, c_lo, c_hi, oc_here, actor))
            clauses[-1]["own_oc"], clauses[-1]["support"] = clause_oc, support
        prev_oc = sent_oc
    active = [c for c in clauses if c["activity"]]
    if active:
        out["activity"] = True
        quadrants: dict[str, list[Span]] = {}
        # Follow-up sentences ("The activity was carried out in coordination with ...") add
        # no quadrant of their own when a clause naming the OC work exists.
        for clause in [c for c in active if c["own_oc"]] or active:
            for q, spans in quadrant_spans(book, text, clause["lo"], clause["hi"]).items():
                if clause["support"]:  # another actor's work, supported by the operation
                    q = q.replace("direct_", "indirect_").replace("inindirect_", "indirect_")
                quadrants.setdefault(q, []).extend(spans)
        if not quadrants:  # an engagement verb alone ("monitored"): reactive, by the operation
            quadrants = {"direct_consequences": active[0]["acts"][:1]}
        out["quadrants"] = list(quadrants)
        evidence["quadrants"] = {q: spans_json(s) for q, s in quadrants.items()}
        first = active[0]
        engaged = _cues(book.engagement, text, first["lo"], first["hi"])
        if engaged and not (first["support"] and engaged[0][0] == "implement"):
            out["engagement"] = engaged[0][0]
            evidence["engagement"] = spans_json([engaged[0][1]])
        else:
            out["engagement"] = ("assist" if first["support"]
                                 or out["quadrants"][0].startswith("indirect")
                                 else "implement")
        evidence["activity"] = spans_json([s for c in active for s in c["acts"] + c["operation"]])
    else:
        reasons = [c for c in clauses if c["reason"]]
        if reasons:
            chosen = min(reasons, key=lambda c: NEGATIVE_REASONS.index(c["reason"]))
            out["negative_reason"] = chosen["reason"]
            evidence["negative_reason"] = spans_json(chosen["negatives"])
    out["evidence"] = evidence
    return out


CODED_COLUMNS = ["oc", "activity", "quadrants", "markets", "engagement", "negative_reason",
                 "evidence", "codebook"]


def code_reports(paragraphs_df: pd.DataFrame, codebook: Codebook,
                 doc_operations: Iterable[str] | Mapping = (),
                 find_mentions: Callable[[str, Mapping], list] | None = None) -> pd.DataFrame:
    """Code every paragraph of a table of report (or study) paragraphs.

    ``paragraphs_df``: column ``text`` (required), ``doc_id`` (optional). ``doc_operations``:
    the operations the documents report on, one list for all or ``{doc_id: [...]}``.
    ``find_mentions(text, row)``: optional, returns the operation mentions of a paragraph
    (e.g. a wrapper around the gazetteer); without it the operations' names are searched.
    Returns the input columns plus :data:`CODED_COLUMNS` (``quadrants`` and ``markets``
    ``;``-joined, ``evidence`` JSON).
    """
    if "text" not in paragraphs_df.columns:
        raise ValueError("paragraph table has no 'text' column; expected the extract output")
    coded = []
    for _, row in paragraphs_df.iterrows():
        doc_id = row.get("doc_id")
        if isinstance(doc_operations, Mapping):
            ops = list(doc_operations.get(doc_id, ()))
        else:
            ops = list(doc_operations or ())
        text = "" if pd.isna(row["text"]) else str(row["text"])
        mentions = find_mentions(text, row) if find_mentions else None
        coded.append(code_activity_paragraph(text, codebook, mentions, ops))
    out = paragraphs_df.reset_index(drop=True).copy()
    out["oc"] = [c["oc"] for c in coded]
    out["activity"] = [c["activity"] for c in coded]
    out["quadrants"] = [";".join(c["quadrants"]) for c in coded]
    out["markets"] = [";".join(c["markets"]) for c in coded]
    out["engagement"] = [c["engagement"] for c in coded]
    out["negative_reason"] = [c["negative_reason"] for c in coded]
    out["evidence"] = [json.dumps(c["evidence"], sort_keys=True, ensure_ascii=False)
                       for c in coded]
    out["codebook"] = codebook.version
    return out
