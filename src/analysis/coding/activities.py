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

**Which operation.** Each reference to an operation carries the operation(s) it names: a
gazetteer mention (acronym, name, "the Mission", a generic reference such as "UN police"
resolved to the document's operation) names its operation, a codebook ``addressee_cues``
cue names the document's operations. Work is credited to the operations referred to by
the clause's actor, listed in ``operations`` with the quadrants of each
(``evidence["operations"]``: ``{operation: {"scope": [[lo, hi], ...], "quadrants": {...}}}``);
work whose actor names no known operation is credited to nobody (``operations`` empty).

**Codebook rules** (``rules:`` of the codebook; all off in oc-v1, which codes as described
above):

- ``act_owner``: each act verb belongs to an actor: the actors named between the last
  ``actor_turns`` word ("said", "commended") or the sentence start and the verb (the operation
  when any of them is the operation, not in a support role), else the actor after "by" in
  a passive, else the speaker before the turn word, else the actor carried from the
  sentence before. An act phrase followed by "by" and the operation ("assisted by UN
  police") marks the support role, not an act. Acts of other actors count for the
  operation (as indirect work) only where it is named in a support role.
- ``one_quadrant_per_clause``: (with ``act_owner`` a clause also ends at ", and" before a
  named actor) the clause's mode is that of the operation's first direct
  or indirect act cue (``light`` verbs alone: direct; another actor's work supported by the
  operation: indirect), its target that of the nearest target cue at or after that cue
  (else before it; else consequences).
- ``next_sentence_context``: a sentence with no OC word takes the OC of the next sentence
  as well as of the previous one.
- ``running_text_context``: an unnumbered paragraph (news, web pages: running text) with no
  OC word takes the OC, and the markets, of the unnumbered paragraph before or after it in
  the same document, and (with ``act_owner``) one whose first sentences name no actor
  continues the actor of the paragraph before (:func:`code_reports`); numbered paragraphs
  stand alone.

``reported_mandate`` cues (news-form mandate language, "the Council authorized the mission
to ...") in a sentence that names a ``mandate_authority`` make the clause holding them, and
the rest of the sentence, a mandate, never activity: it is coded like a plan.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.coding.codebook import (
    DEFAULT_TARGET,
    Codebook,
    Span,
    find_labels,
    find_spans,
    oc_content,
    operation_refs,
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
_BY = re.compile(r"\s*,?\s+by\s+(?:the\s+|a\s+|an\s+|some\s+|several\s+)?", re.IGNORECASE)
_PASSIVE_REACH = 60  # characters after "by" in which the agent of a passive is looked for


@dataclass(frozen=True)
class _Ref:
    """An actor named in the text: an operation reference (``ops`` the operations it names,
    possibly none known) or another actor (``other``)."""

    span: Span
    ops: tuple[str, ...] = ()
    other: bool = False
    support: bool = False  # the operation named as supporter of another's work


@dataclass(frozen=True)
class _Act:
    span: Span
    kinds: frozenset  # direct | indirect | light | engagement


def _clauses(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out, start = [], lo
    for m in _CLAUSE_BREAK.finditer(text, lo, hi):
        if text[start:m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:hi].strip():
        out.append((start, hi))
    return out or [(lo, hi)]


_AND = re.compile(r",\s+(?:and|while|whereas)\s+(?:(?:the|its|their|a|an)\s+)?", re.IGNORECASE)


def _actor_clauses(text: str, lo: int, hi: int, refs: list[_Ref]
                   ) -> list[tuple[int, int, int, int]]:
    """Clauses ``(lo, hi, whole_lo, whole_hi)``, also split at ", and" (", while") when an
    actor is named right after it: a sentence telling two actors' work ("UNMIL trained
    customs officers, and its police unit seized ...") has one clause, and so one quadrant,
    per actor. ``whole_*`` is the clause before that split, whose OC words both parts share."""
    out = []
    for c_lo, c_hi in _clauses(text, lo, hi):
        start = c_lo
        for m in _AND.finditer(text, c_lo, c_hi):
            if any(m.end() <= r.span.start < m.end() + 25 for r in refs) and \
                    text[start:m.start()].strip():
                out.append((start, m.start(), c_lo, c_hi))
                start = m.start() + 1
        out.append((start, c_hi, c_lo, c_hi))
    return out


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


def _support_flags(book: Codebook, text: str, spans: list[Span]) -> list[bool]:
    """Per operation mention: does it follow a support phrase ("with the support of")? A
    mention in brackets right after another ("UN Police (UNPOL)") shares its role."""
    flags: list[bool] = []
    ordered = sorted(range(len(spans)), key=lambda i: spans[i].start)
    out = [False] * len(spans)
    previous: Span | None = None
    for i in ordered:
        span = spans[i]
        prefix = text[max(0, span.start - 80):span.start].rstrip()
        flag = any(p.search(prefix) for p in book.support_role)
        if not flag and previous is not None and flags:
            gap = text[previous.end:span.start]
            if re.fullmatch(r"\s*[(,]?\s*(?:the\s+)?", gap):
                flag = flags[-1]
        flags.append(flag)
        out[i] = flag
        previous = span
    return out


def _supporting(book: Codebook, text: str, spans: list[Span]) -> bool:
    """True when every operation mention follows a support phrase ("with the support of")."""
    return bool(spans) and all(_support_flags(book, text, spans))


def _hard_negative(negatives: dict, acted: bool, targets: bool, operation: bool):
    """(reason, spans) of the first negative cue that applies to the clause, else None.

    Postponement words are always about work; a plan must name the work or the operation
    ("trafficking will increase" is concern); a negation must name the work.
    """
    allowed = {"postponed": True, "negation": acted or targets,
               "plan": acted or targets or operation}
    for reason in _CUE_REASONS:
        if reason in negatives and allowed[reason]:
            return reason, negatives[reason]
    return None


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
    negative = _hard_negative(negatives, acted, bool(targets), bool(operation))
    if negative:
        out["reason"], out["negatives"] = negative
        return out
    if acts and operation:
        out["activity"] = True
    elif acted:
        out["reason"], out["negatives"] = "other_actor", others
    else:
        concern = find_spans(book.negative["concern_only"], text, lo, hi)
        out["reason"], out["negatives"] = "concern_only", concern
    return out


_PASSIVE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
# First word of an act cue that is a past participle (a passive needs one).
_PARTICIPLE = re.compile(r"(?:\w+(?:ed|en)|caught|held|led|set|built|put|run|made|done|brought|"
                         r"sent|kept|found|shut|begun|taught|sought|fought|won|hit)$", re.IGNORECASE)
_TO = re.compile(r"\b(?:to|for)\s+$", re.IGNORECASE)


def _in_proper_name(text: str, span: Span) -> bool:
    """A capitalised word inside a sentence: part of a name ("Border Assistance Mission")."""
    if not span.text[:1].isupper() or span.text.isupper():
        return False
    before = text[:span.start].rstrip(" \t\"'\u201c\u2018(")
    return bool(before) and before[-1] not in ".!?:;\n"


def _acts(book: Codebook, text: str, lo: int, hi: int, names: list[Span] = ()) -> list[_Act]:
    """Act cues of a clause (mode, light and engagement cues), overlapping cues merged.

    Cues inside a name ("Assistance" in "UN Assistance Mission", or any capitalised cue
    inside a sentence: "the Serious Crime Support Unit") or a compound word ("UN-supported",
    "shoulder-launched") are not acts, nor is a purpose ("in
    Darfur to assist its people", "a mission for building capacity") unless an act cue
    governs it ("helped to train", "continued to support")."""
    found: dict[tuple[int, int], set] = {}
    for kind, cues in (("direct", book.mode.get("direct", ())),
                       ("indirect", book.mode.get("indirect", ())),
                       ("light", book.light)):
        for span in find_spans(cues, text, lo, hi):
            found.setdefault((span.start, span.end), set()).add(kind)
    for _, span in _cues(book.engagement, text, lo, hi):
        found.setdefault((span.start, span.end), set()).add("engagement")
    acts = [_Act(Span(a, b, text[a:b]), frozenset(k)) for (a, b), k in found.items()]
    acts.sort(key=lambda act: (act.span.start, -act.span.end))
    merged: list[_Act] = []
    for act in acts:
        last = merged[-1] if merged else None
        if last is not None and act.span.start < last.span.end:
            if (act.span.start, act.span.end) == (last.span.start, last.span.end):
                merged[-1] = _Act(last.span, last.kinds | act.kinds)  # one word, two cues
            elif act.span.end > last.span.end:
                merged.append(act)
            # else a cue inside a longer one ("coordination" in "in coordination with")
            # is read as the longer phrase
            continue
        merged.append(act)
    merged = [a for a in merged if not any(n.start <= a.span.start < n.end for n in names)
              and not _in_proper_name(text, a.span)
              and text[max(0, a.span.start - 1):a.span.start] != "-"]  # "shoulder-launched"
    ends = {a.span.end for a in merged}
    out = []
    for act in merged:
        to = _TO.search(text, max(lo, act.span.start - 6), act.span.start)
        if to is not None and to.end() == act.span.start:
            governed = text[max(lo, to.start() - 1):to.start()].strip() == "" and any(
                to.start() - 2 <= e <= to.start() for e in ends)
            if not governed:
                continue
        out.append(act)
    return out


def _refs(book: Codebook, text: str, operations: list[tuple[Span, tuple]]) -> list[_Ref]:
    """Operation references (with their support role) and other actors not inside them."""
    spans = [span for span, _ in operations]
    flags = _support_flags(book, text, spans)
    refs = [_Ref(span, ops, False, flag) for (span, ops), flag in zip(operations, flags,
                                                                      strict=True)]
    for span in find_spans(book.negative["other_actor"], text):
        if not any(span.start < o.end and o.start < span.end for o in spans):
            refs.append(_Ref(span, (), True))
    return sorted(refs, key=lambda r: (r.span.start, r.span.end))


def _owner(text: str, act: _Act, refs: list[_Ref], turns: list[Span], lo: int,
           clause_hi: int, carried: list[_Ref], goods: list[Span]) -> list[_Ref]:
    """The actors an act belongs to (see ``act_owner`` in the module docstring)."""
    def pick(window: list[_Ref]) -> list[_Ref]:
        ops = [r for r in window if not r.other and not r.support]
        if ops:
            return ops
        return [r for r in window if r.other] or [r for r in window if r.support]

    by = _BY.match(text, act.span.end)
    agent = []
    if by:
        agent = [r for r in refs if by.end() <= r.span.start < by.end() + _PASSIVE_REACH][:1]
    # A passive ("was arrested", "the heroin seized in ...", "a north held by rebels") has
    # its agent after "by" or none: its subject is what was acted on, not who acted.
    first_word = act.span.text.split()[0] if act.span.text.split() else ""
    participle = bool(_PARTICIPLE.fullmatch(first_word))
    reduced = participle and any(
        g.end <= act.span.start and text[g.end:act.span.start].strip() == "" for g in goods)
    # ("patrolled by boat": "by" without an actor after it is no passive)
    if participle and (agent or reduced or _PASSIVE.search(
            text, max(lo, act.span.start - 40), act.span.start)):
        return agent
    before = [t.end for t in turns if t.end <= act.span.start]
    boundary = max([lo, *before])
    window = pick([r for r in refs if boundary <= r.span.start < act.span.start])
    if window:
        return window
    if agent:
        return agent
    if boundary > lo:  # the speaker before a turn word: "UNMIL said it seized ..."
        speaker = pick([r for r in refs if lo <= r.span.start < boundary])
        if speaker:
            return speaker
    # the agent of the clause's passive: "training ... has been set in motion by the Mission"
    later = [r for r in refs if act.span.end <= r.span.start < clause_hi
             and not r.other and not r.support
             and re.search(r"\bby\s+(?:the\s+)?$", text[max(lo, r.span.start - 12):r.span.start])]
    return later[:1] or carried


def _support_marker(text: str, act: _Act, refs: list[_Ref]) -> bool:
    """An act phrase followed by "by" and a supporting operation: the support role itself."""
    by = _BY.match(text, act.span.end)
    return bool(by) and any(r.support and not r.other and r.span.start == by.end()
                            for r in refs)


def _reported_mandate(book: Codebook, text: str, lo: int, hi: int, s_lo: int, s_hi: int):
    """Mandate language in news form in ``text[lo:hi]`` when its sentence names a mandating
    authority: the matched spans (empty otherwise)."""
    if not book.reported_mandate:
        return []
    spans = [sp for cues in book.reported_mandate.values()
             for sp in find_spans(cues, text, lo, hi)]
    if spans and find_spans(book.mandate_authority, text, s_lo, s_hi):
        return sorted(set(spans), key=lambda sp: (sp.start, sp.end))
    return []


def _code_owned_clause(book: Codebook, text: str, lo: int, hi: int, oc_here: bool,
                       sentence: tuple[int, int], refs: list[_Ref], carried: list[_Ref]
                       ) -> dict:
    """A clause coded with the ``act_owner`` rule (see the module docstring)."""
    s_lo, s_hi = sentence
    in_sentence = [r for r in refs if s_lo <= r.span.start < s_hi]
    turns = find_spans(book.actor_turns, text, s_lo, hi)
    names = [r.span for r in in_sentence]
    acts = [a for a in _acts(book, text, lo, hi, names)
            if not _support_marker(text, a, in_sentence)]
    goods, _ = oc_content(book, text, s_lo, s_hi)
    owned = []
    for act in acts:
        owners = _owner(text, act, in_sentence, turns, s_lo, hi, carried, goods)
        owned.append((act, owners))
    op_acts = [(a, o) for a, o in owned if any(not r.other and not r.support for r in o)]
    other_acts = [(a, o) for a, o in owned if o and all(r.other or r.support for r in o)]
    supporters = [r for r in in_sentence if r.support and not r.other]
    first_act = acts[0].span.start if acts else None
    negatives = _negatives(book, text, lo, hi, first_act)
    # mandate language governs the rest of its sentence ("was authorized to monitor ..., and
    # to support ...")
    mandate = _reported_mandate(book, text, s_lo, hi, s_lo, s_hi)
    if mandate:
        negatives = {"plan": mandate, **negatives}
    targets = _cues(book.target, text, lo, hi)
    others = [r.span for r in in_sentence if r.other and lo <= r.span.start < hi]
    credited: list[str] = []
    for _, owners in op_acts:
        credited += [op for r in owners if not r.other and not r.support for op in r.ops]
    support = not op_acts and bool(other_acts) and bool(supporters)
    if support:
        credited += [op for r in supporters for op in r.ops]
    operation = [r.span for r in in_sentence if not r.other]
    out = {"lo": lo, "hi": hi, "oc": oc_here, "activity": False, "reason": None,
           "acts": [a.span for a, _ in (op_acts or (other_acts if support else []))],
           "operation": operation, "negatives": [], "support": support,
           "ops": list(dict.fromkeys(credited)), "mode_act": None}
    if not oc_here:
        return out
    acted = bool(acts) or bool(targets and others)
    negative = _hard_negative(negatives, acted, bool(targets), bool(operation))
    if negative:
        out["reason"], out["negatives"] = negative
        return out
    # "conducted", "held", "began" alone say nothing of OC work: with only such light verbs
    # the clause must name the work (a target cue: patrols, raids, campaigns)
    if op_acts and not targets and all(a.kinds <= {"light"} for a, _ in op_acts):
        op_acts = []
        support = False
        out["ops"], out["acts"] = [], []
    if op_acts or support:
        out["activity"] = True
        chosen = op_acts or other_acts
        decisive = [a for a, _ in chosen if a.kinds & {"direct", "indirect"}]
        out["mode_act"] = decisive[0] if decisive else chosen[0][0]
    elif acted:
        out["reason"], out["negatives"] = "other_actor", others
    else:
        concern = find_spans(book.negative["concern_only"], text, lo, hi)
        out["reason"], out["negatives"] = "concern_only", concern
    return out


def _clause_quadrant(book: Codebook, text: str, clause: dict) -> dict[str, list[Span]]:
    """One quadrant for a clause (``one_quadrant_per_clause``), with its evidence spans."""
    act = clause["mode_act"]
    indirect_act = act is not None and "indirect" in act.kinds and "direct" not in act.kinds
    mode = "indirect" if clause["support"] or indirect_act else "direct"
    targets = _cues(book.target, text, clause["lo"], clause["hi"])
    anchor = act.span.start if act is not None else clause["lo"]
    after = [t for t in targets if t[1].start >= anchor]
    before = [t for t in targets if t[1].start < anchor]
    pick = after[0] if after else (before[-1] if before else None)
    target = pick[0] if pick else DEFAULT_TARGET
    spans = [s for s in ((act.span if act is not None else None), pick[1] if pick else None)
             if s is not None]
    return {f"{mode}_{target}": spans}


def code_activity_paragraph(text: str, codebook: Codebook, operations_mentioned=None,
                            doc_operations: Iterable[str] = (),
                            context_markets: list[str] | None = None,
                            carried_ops: list[str] | None = None) -> dict:
    """Code one report paragraph.

    ``operations_mentioned``: mentions supplied by the caller (gazetteer objects or dicts with
    ``operation``/``start``/``end``/``matched``/``how``, or plain strings to search);
    ``None`` means search the ``doc_operations`` acronyms/names. Mentions of operations
    outside ``doc_operations`` (when given) do not count as the operation acting.
    ``context_markets``: for a paragraph with no OC word, the markets (possibly none) of the
    neighbouring running-text paragraphs that name OC (``running_text_context``); None when
    there is no such neighbour. ``carried_ops``: the operations acting at the end of the
    running-text paragraph before (``act_owner``: a paragraph whose first sentences name
    no actor continues that actor, as a sentence continues the one before).

    Returns ``oc``, ``activity``, ``quadrants`` (list), ``markets`` (list), ``engagement``
    (or None), ``negative_reason`` (or None), ``operations`` (the operations credited with
    the activity; empty when its actor names no known operation), ``carried`` (the
    operations acting at the paragraph's end, for the next running-text paragraph) and
    ``evidence`` (spans per coded value; ``evidence["operations"]`` the scope and quadrants
    of each operation).
    """
    text = "" if text is None else str(text)
    book = codebook
    doc_ops = list(doc_operations or ())
    op_refs = operation_refs(book, text, operations_mentioned, doc_ops)
    oc_spans, markets = oc_content(book, text)
    out = {"oc": bool(oc_spans), "activity": False, "quadrants": [], "markets": list(markets),
           "engagement": None, "negative_reason": None, "operations": []}
    carry_out = list(carried_ops or [])
    evidence: dict = {"oc": spans_json(oc_spans),
                      "markets": {m: spans_json(s) for m, s in markets.items()}}
    borrowed = not oc_spans and context_markets is not None
    owned_rule = book.rule("act_owner")
    refs = _refs(book, text, op_refs) if owned_rule else []
    if owned_rule:  # the actor this paragraph leaves to the next one
        named = [r for r in refs if not r.other and not r.support]
        if named or any(r.other for r in refs):
            carry_out = list(dict.fromkeys(op for r in named[-1:] for op in r.ops))
    out["carried"] = carry_out
    if not oc_spans and not borrowed:
        out["evidence"] = evidence
        return out
    if borrowed:  # OC named in the running text around this paragraph
        out["oc"], out["markets"] = True, list(context_markets)
        evidence["context_markets"] = list(context_markets)
    sentences = sentence_bounds(text)
    sent_oc = [any(lo <= s.start < hi for s in oc_spans) for lo, hi in sentences]
    if owned_rule:  # a sentence about a mandate or a plan gives no OC context to another
        sent_ctx = [oc and not _reported_mandate(book, text, lo, hi, lo, hi)
                    and not find_spans(book.negative["plan"], text, lo, hi)
                    for oc, (lo, hi) in zip(sent_oc, sentences, strict=True)]
    else:
        sent_ctx = sent_oc
    clauses, actor, support = [], [], False
    carried = [_Ref(Span(0, 0, ""), tuple(carried_ops))] if carried_ops else []
    for i, (lo, hi) in enumerate(sentences):
        own = [(span, ops) for span, ops in op_refs if lo <= span.start < hi]
        named_other = find_spans(book.negative["other_actor"], text, lo, hi)
        # A sentence naming no actor continues the previous sentence's actor.
        if own or named_other:
            actor, support = own, _supporting(book, text, [span for span, _ in own])
        context = borrowed or (i > 0 and sent_ctx[i - 1]) or (
            book.rule("next_sentence_context") and i + 1 < len(sentences) and sent_ctx[i + 1])
        sentence_owners: list[_Ref] = []
        pieces = (_actor_clauses(text, lo, hi, refs) if owned_rule
                  else [(a, b, a, b) for a, b in _clauses(text, lo, hi)])
        for c_lo, c_hi, w_lo, w_hi in pieces:
            clause_oc = any(w_lo <= s.start < w_hi for s in oc_spans)
            oc_here = clause_oc or (not sent_oc[i] and context)
            if owned_rule:
                clause = _code_owned_clause(book, text, c_lo, c_hi, oc_here, (lo, hi), refs,
                                            carried)
                if clause["ops"]:
                    sentence_owners = [r for r in refs if lo <= r.span.start < hi
                                       and set(r.ops) & set(clause["ops"])] or sentence_owners
            else:
                clause = _code_clause(book, text, c_lo, c_hi, oc_here,
                                      [span for span, _ in actor])
                clause["support"] = support
                acts = _acts(book, text, c_lo, c_hi)
                decisive = [a for a in acts if a.kinds & {"direct", "indirect"}] or acts
                clause["mode_act"] = decisive[0] if decisive else None
                clause["ops"] = list(dict.fromkeys(op for _, ops in actor for op in ops))
            clause["own_oc"] = clause_oc
            clauses.append(clause)
        if owned_rule:
            named = [r for r in refs if lo <= r.span.start < hi]
            if sentence_owners:
                carried = sentence_owners
            elif named:
                carried = [r for r in named if not r.support]
        ops_carried = [op for r in carried if not r.other and not r.support for op in r.ops]
        out["carried"] = list(dict.fromkeys(ops_carried))
    active = [c for c in clauses if c["activity"]]
    if active:
        _set_activity(book, text, out, evidence, active)
    else:
        reasons = [c for c in clauses if c["reason"]]
        if reasons:
            chosen = min(reasons, key=lambda c: NEGATIVE_REASONS.index(c["reason"]))
            out["negative_reason"] = chosen["reason"]
            evidence["negative_reason"] = spans_json(chosen["negatives"])
    out["evidence"] = evidence
    return out


def _quadrants_of(book: Codebook, text: str, clauses: list[dict]) -> dict[str, list[Span]]:
    quadrants: dict[str, list[Span]] = {}
    for clause in clauses:
        if book.rule("one_quadrant_per_clause"):
            found = _clause_quadrant(book, text, clause)
        else:
            found = quadrant_spans(book, text, clause["lo"], clause["hi"])
        for q, spans in found.items():
            if clause["support"]:  # another actor's work, supported by the operation
                q = q.replace("direct_", "indirect_").replace("inindirect_", "indirect_")
            quadrants.setdefault(q, []).extend(s for s in spans if s not in quadrants.get(q, []))
    return quadrants


def _set_activity(book: Codebook, text: str, out: dict, evidence: dict,
                  active: list[dict]) -> None:
    """Activity values of a paragraph with active clauses: quadrants (overall and per
    operation), engagement, evidence."""
    out["activity"] = True
    # Follow-up sentences ("The activity was carried out in coordination with ...") add no
    # quadrant of their own when a clause naming the OC work exists.
    quadrants = _quadrants_of(book, text, [c for c in active if c["own_oc"]] or active)
    if not quadrants:  # an engagement verb alone ("monitored"): reactive, by the operation
        quadrants = {"direct_consequences": active[0]["acts"][:1]}
    out["quadrants"] = list(quadrants)
    evidence["quadrants"] = {q: spans_json(s) for q, s in quadrants.items()}
    per_op: dict[str, dict] = {}
    for op in dict.fromkeys(op for c in active for op in c["ops"]):
        mine = [c for c in active if op in c["ops"]]
        quads = _quadrants_of(book, text, [c for c in mine if c["own_oc"]] or mine) or {
            "direct_consequences": mine[0]["acts"][:1]}
        per_op[op] = {"scope": [[c["lo"], c["hi"]] for c in mine],
                      "quadrants": {q: spans_json(s) for q, s in quads.items()}}
    out["operations"] = list(per_op)
    evidence["operations"] = per_op
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


CODED_COLUMNS = ["oc", "activity", "quadrants", "markets", "engagement", "negative_reason",
                 "credited", "evidence", "codebook"]


def _unnumbered(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or not str(
        value).strip()


def _running_text_context(paragraphs_df: pd.DataFrame, codebook: Codebook) -> list:
    """Per paragraph: the markets of the OC named in the unnumbered paragraphs right before
    and after it (same document), when it is unnumbered and names no OC itself and the
    codebook's ``running_text_context`` rule is on; else None.

    Numbered paragraphs (reports, resolutions) are self-contained units by drafting
    convention; unnumbered ones (news, web pages) are running text that names its topic once.
    """
    n = len(paragraphs_df)
    if not codebook.rule("running_text_context") or n == 0:
        return [None] * n
    texts = ["" if pd.isna(t) else str(t) for t in paragraphs_df["text"]]
    docs = list(paragraphs_df["doc_id"]) if "doc_id" in paragraphs_df.columns else [None] * n
    numbers = (list(paragraphs_df["para_no"]) if "para_no" in paragraphs_df.columns
               else [None] * n)
    found = [oc_content(codebook, t) for t in texts]
    out: list = [None] * n
    for i in range(n):
        if not _unnumbered(numbers[i]) or found[i][0]:
            continue
        near = [j for j in (i - 1, i + 1) if 0 <= j < n and docs[j] == docs[i]
                and _unnumbered(numbers[j]) and found[j][0]]
        if near:
            out[i] = list(dict.fromkeys(m for j in near for m in found[j][1]))
    return out


def code_reports(paragraphs_df: pd.DataFrame, codebook: Codebook,
                 doc_operations: Iterable[str] | Mapping = (),
                 find_mentions: Callable[[str, Mapping], list] | None = None) -> pd.DataFrame:
    """Code every paragraph of a table of report (or study) paragraphs.

    ``paragraphs_df``: column ``text`` (required), ``doc_id`` (optional). ``doc_operations``:
    the operations the documents report on, one list for all or ``{doc_id: [...]}``.
    ``find_mentions(text, row)``: optional, returns the operation mentions of a paragraph
    (e.g. a wrapper around the gazetteer); without it the operations' names are searched.
    Returns the input columns plus :data:`CODED_COLUMNS` (``quadrants``, ``markets`` and
    ``credited``, the operations credited with the activity, ``;``-joined; ``evidence``
    JSON).
    """
    if "text" not in paragraphs_df.columns:
        raise ValueError("paragraph table has no 'text' column; expected the extract output")
    coded = []
    contexts = _running_text_context(paragraphs_df, codebook)
    running = codebook.rule("running_text_context") and codebook.rule("act_owner")
    previous = (None, None)  # (doc_id, operations acting at the end) of a running paragraph
    for i, (_, row) in enumerate(paragraphs_df.iterrows()):
        doc_id = row.get("doc_id")
        if isinstance(doc_operations, Mapping):
            ops = list(doc_operations.get(doc_id, ()))
        else:
            ops = list(doc_operations or ())
        text = "" if pd.isna(row["text"]) else str(row["text"])
        mentions = find_mentions(text, row) if find_mentions else None
        unnumbered = running and _unnumbered(row.get("para_no"))
        carried = previous[1] if unnumbered and previous[0] == doc_id else None
        result = code_activity_paragraph(text, codebook, mentions, ops, contexts[i], carried)
        previous = (doc_id, result.pop("carried", None)) if unnumbered else (None, None)
        coded.append(result)
    out = paragraphs_df.reset_index(drop=True).copy()
    out["oc"] = [c["oc"] for c in coded]
    out["activity"] = [c["activity"] for c in coded]
    out["quadrants"] = [";".join(c["quadrants"]) for c in coded]
    out["markets"] = [";".join(c["markets"]) for c in coded]
    out["engagement"] = [c["engagement"] for c in coded]
    out["negative_reason"] = [c["negative_reason"] for c in coded]
    out["credited"] = [";".join(c["operations"]) for c in coded]
    out["evidence"] = [json.dumps(c["evidence"], sort_keys=True, ensure_ascii=False)
                       for c in coded]
    out["codebook"] = codebook.version
    return out
