"""The organized-crime codebook: load, validate and compile ``workflow/codebooks/*.yaml``.

The codebook is data, not code. It lists, as Python regular expressions, the words that mark
crime markets, OC in general, the activity quadrants (target x mode), PACT engagement types,
mandate verb strength, preambular openings, addressees, the phrases that make the operation
the supporter of another actor's work (``support_role``), and the cues that keep concern,
plans, negations, postponements and other actors' work from counting as activity
(RESEARCH-DESIGN.md). Changing a pattern changes the coding with no Python edit.

Public API:

- :func:`load_codebook` reads a YAML codebook, checks it against
  ``workflow/schemas/codebook.schema.yaml`` (unknown keys are rejected) and compiles every
  pattern. All problems are reported at once in a :class:`CodebookError` whose ``.problems``
  name the file, the YAML line, the key path (``markets.drugs[3]``) and the reason.
- :class:`Codebook` is the frozen, compiled result; :func:`find_spans` and
  :func:`find_labels` return the matched text with character offsets (the evidence).

Run ``python -m analysis.coding codebook workflow/codebooks/oc-v1.yaml`` to check a codebook by hand.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import jsonschema
import yaml

from analysis.problems import KeyProblem, ProblemsError

# The schema ships with the workflow, two levels above the package (src/analysis/..).
DEFAULT_SCHEMA = Path(__file__).resolve().parents[3] / "workflow/schemas/codebook.schema.yaml"

Patterns = tuple[re.Pattern, ...]
LabelPatterns = Mapping[str, Patterns]


@dataclass(frozen=True)
class Span:
    """A matched piece of text: character offsets ``[start, end)`` in the coded text."""

    start: int
    end: int
    text: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "text": self.text}


class CodebookError(ProblemsError):
    """The codebook is invalid; ``.problems`` lists every problem found."""

    subject = "the codebook"


@dataclass(frozen=True)
class Codebook:
    """A compiled codebook. Label mappings are read-only; every value is a tuple of regexes."""

    version: str
    description: str
    path: str
    markets: LabelPatterns
    oc_terms: Patterns
    target: LabelPatterns  # consequences | drivers
    mode: LabelPatterns  # direct | indirect
    engagement: LabelPatterns  # monitor | advocate | assist | material_support | implement
    support_role: Patterns  # phrases before the operation's name: it supports others' work
    strength: LabelPatterns  # requested | encouraged
    preambular_openings: Patterns
    addressee: LabelPatterns  # operation | host_government | member_states | secretary_general
    negative: LabelPatterns  # concern_only | plan | negation | postponed | other_actor
    # Optional sections (empty when the codebook has none, as oc-v1):
    light: Patterns = ()  # verbs of doing that give the direct mode only when alone
    actor_turns: Patterns = ()  # said, commended ...: the acts after them are another actor's
    reported_mandate: LabelPatterns = field(default_factory=dict)  # requested | encouraged
    mandate_authority: Patterns = ()  # the Security Council, a resolution, the mandate
    rules: Mapping = field(default_factory=dict)  # switches of the machinery (see the schema)

    def rule(self, name: str) -> bool:
        """True when the codebook switches the rule ``name`` on (``rules:`` section)."""
        return bool(self.rules.get(name, False))


def key_path(parts: Iterable) -> str:
    """``['markets', 'drugs', 3]`` -> ``'markets.drugs[3]'``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _node_lines(node: yaml.Node, path: tuple = (), lines: dict | None = None) -> dict:
    """Map every key path in a composed YAML tree to its 1-based line number."""
    lines = {} if lines is None else lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            child = path + (key_node.value,)
            _node_lines(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _node_lines(item, path + (i,), lines)
    return lines


def _line_of(lines: dict, path: tuple) -> int | None:
    while path not in lines and path:
        path = path[:-1]
    return lines.get(path)


def _schema_problems(data: object, schema: dict, name: str, lines: dict) -> list[KeyProblem]:
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for err in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        path = tuple(err.path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for extra in sorted(set(err.instance) - allowed):
                where = path + (extra,)
                msg = f"unknown key; allowed here: {', '.join(sorted(allowed))}"
                problems.append(KeyProblem(name, _line_of(lines, where), key_path(where), msg))
            continue
        if err.validator == "oneOf":
            msg = "must be a regex string or {pattern: '...', case_sensitive: true}"
        elif err.validator == "required":
            msg = f"{err.message}; add it (see workflow/codebooks/oc-v1.yaml)"
        else:
            msg = err.message
        problems.append(KeyProblem(name, _line_of(lines, path), key_path(path) or None, msg))
    return problems


def _compile_list(
    items: list, path: tuple, name: str, lines: dict, problems: list[KeyProblem]
) -> Patterns:
    compiled = []
    for i, item in enumerate(items):
        where = path + (i,)
        if isinstance(item, dict):
            source, flags = item["pattern"], 0 if item.get("case_sensitive") else re.IGNORECASE
        else:
            source, flags = item, re.IGNORECASE
        try:
            compiled.append(re.compile(source, flags))
        except re.error as err:
            msg = f"invalid regex {source!r}: {err}"
            problems.append(KeyProblem(name, _line_of(lines, where), key_path(where), msg))
    return tuple(compiled)


def _compile_labels(
    section: Mapping, path: tuple, name: str, lines: dict, problems: list[KeyProblem]
) -> LabelPatterns:
    out = {
        label: _compile_list(items, path + (label,), name, lines, problems)
        for label, items in section.items()
    }
    return MappingProxyType(out)


def load_codebook(path: str | Path, schema_path: str | Path | None = None) -> Codebook:
    """Read, validate and compile a YAML codebook.

    Raises :class:`CodebookError` listing every problem (schema violations, unknown keys,
    invalid regexes), each with file, line, key path and reason.
    """
    path = Path(path)
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CodebookError([KeyProblem(name, None, None, "file not found")]) from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise CodebookError([KeyProblem(name, line, None, f"not valid YAML: {err}")]) from None
    if not isinstance(data, dict):
        raise CodebookError([KeyProblem(name, None, None, "must be a YAML mapping of sections")])
    lines = _node_lines(node) if node is not None else {}
    schema = yaml.safe_load(Path(schema_path or DEFAULT_SCHEMA).read_text(encoding="utf-8"))
    problems = _schema_problems(data, schema, name, lines)
    if problems:
        raise CodebookError(problems)

    def labels(*keys: str) -> LabelPatterns:
        section = data
        for key in keys:
            section = section[key]
        return _compile_labels(section, keys, name, lines, problems)

    def optional_list(keys: tuple) -> Patterns:
        section = data
        for key in keys:
            if not isinstance(section, dict) or key not in section:
                return ()
            section = section[key]
        return _compile_list(section, keys, name, lines, problems)

    book = Codebook(
        version=str(data["version"]),
        description=str(data["description"]).strip(),
        path=name,
        markets=labels("markets"),
        oc_terms=_compile_list(data["oc_terms"], ("oc_terms",), name, lines, problems),
        target=labels("quadrant_cues", "target"),
        mode=labels("quadrant_cues", "mode"),
        engagement=labels("engagement_cues"),
        support_role=_compile_list(data["support_role"], ("support_role",), name, lines,
                                   problems),
        strength=labels("strength_verbs"),
        preambular_openings=_compile_list(
            data["preambular_openings"], ("preambular_openings",), name, lines, problems
        ),
        addressee=labels("addressee_cues"),
        negative=labels("negative_cues"),
        light=optional_list(("quadrant_cues", "light")),
        actor_turns=optional_list(("actor_turns",)),
        reported_mandate=(labels("reported_mandate") if "reported_mandate" in data
                          else MappingProxyType({})),
        mandate_authority=optional_list(("mandate_authority",)),
        rules=MappingProxyType(dict(data.get("rules") or {})),
    )
    if book.reported_mandate and not book.mandate_authority:
        problems.append(KeyProblem(name, _line_of(lines, ("reported_mandate",)),
                                   "reported_mandate", "needs a mandate_authority list (the "
                                   "words naming who gives the mandate)"))
    if problems:
        raise CodebookError(problems)
    return book


def find_spans(patterns: Iterable[re.Pattern], text: str, lo: int = 0, hi: int | None = None):
    """Every match of any pattern in ``text[lo:hi]``, as :class:`Span` sorted by offset.

    Offsets are in ``text`` (not the slice). Overlapping matches of different patterns
    are all kept; identical spans are kept once.
    """
    hi = len(text) if hi is None else hi
    found = set()
    for pattern in patterns:
        for m in pattern.finditer(text, lo, hi):
            if m.end() > m.start():
                found.add(Span(m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda s: (s.start, s.end))


def find_labels(labelled: LabelPatterns, text: str, lo: int = 0, hi: int | None = None):
    """``{label: [Span, ...]}`` for the labels with at least one match, in codebook order."""
    out = {}
    for label, patterns in labelled.items():
        spans = find_spans(patterns, text, lo, hi)
        if spans:
            out[label] = spans
    return out


# --- Coding helpers shared by analysis.coding.mandates and analysis.coding.activities -------------------

# Quadrants are analysis.vocab.QUADRANTS, "<mode>_<target>".
# A mode cue with no target cue is about consequences (law enforcement is the default
# reading of "combat", "support the police"); a target cue with no mode cue is direct.
DEFAULT_TARGET = "consequences"
DEFAULT_MODE = "direct"

_ABBREVIATIONS = re.compile(r"(?:\b(?:Mr|Ms|Mrs|Dr|No|Nos|para|paras|e\.g|i\.e|etc|cf|St|Art|vs)"
                            r"|\b[A-Z]\.[A-Z])\.$")
_SENTENCE_END = re.compile(r"[.!?][\"\u201d\u2019)]?\s+(?=[A-Z0-9\"\u201c(])")


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """``[(start, end), ...]`` of the sentences in ``text`` (offsets in ``text``)."""
    bounds, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if _ABBREVIATIONS.search(text[max(0, m.start() - 6): m.start() + 1]):
            continue
        bounds.append((start, m.start() + 1))
        start = m.end()
    if start < len(text) and text[start:].strip():
        bounds.append((start, len(text)))
    return bounds or [(0, len(text))]


def _name_pattern(name: str) -> re.Pattern:
    # Acronyms (no lower-case letter) must match in capitals: "MINUSMA", not "minusma".
    flags = 0 if name == name.upper() else re.IGNORECASE
    return re.compile(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", flags)


def operation_refs(book: Codebook, text: str, mentions=None, names: Iterable[str] = ()
                   ) -> list[tuple[Span, tuple[str, ...]]]:
    """Where ``text`` names an operation, with the operation(s) each reference names.

    ``mentions`` are supplied by the caller (e.g. the gazetteer): objects or dicts with
    ``operation``, ``start``, ``end`` (and ``matched``, ``how``), or plain strings to look
    for. When ``names`` (the document's operations) is given, mentions of other operations
    are left out, and so are country-name mentions (``how == "country"``). The codebook's
    ``addressee_cues.operation`` ("the Mission") name the document's operations (``names``;
    none known when it is empty), unless a mention already covers their words. With
    ``mentions=None`` the ``names`` themselves are searched. Sorted by offset.
    """
    names = [n for n in names if n]
    wanted = set(names)
    found: dict[tuple[int, int], tuple[Span, list[str]]] = {}

    def add(span: Span, operation: str | None) -> None:
        _, ops = found.setdefault((span.start, span.end), (span, []))
        if operation and operation not in ops:
            ops.append(operation)

    for item in names if mentions is None else mentions:
        if isinstance(item, str):
            for span in find_spans([_name_pattern(item)], text):
                add(span, item)
            continue
        get = item.get if isinstance(item, Mapping) else lambda k, i=item: getattr(i, k, None)
        # A host-country name ("peacekeepers in Mali") names the host state as often as the
        # operation, so it is not taken as the operation acting or being addressed.
        if (wanted and get("operation") not in wanted) or get("how") == "country":
            continue
        start, end = int(get("start")), int(get("end"))
        add(Span(start, end, get("matched") or text[start:end]), get("operation"))
    named = list(found)
    for span in find_spans(book.addressee["operation"], text):
        if not any(span.start < b and a < span.end for a, b in named):
            for name in names or [None]:
                add(span, name)
    return [(span, tuple(ops)) for _, (span, ops) in sorted(found.items())]


def operation_spans(book: Codebook, text: str, mentions=None, names: Iterable[str] = ()):
    """Where ``text`` names the operation itself, as sorted :class:`Span` (evidence).

    ``mentions`` are supplied by the caller (e.g. the gazetteer): objects or dicts with
    ``operation``, ``start``, ``end`` (and ``matched``), or plain strings to look for. When
    ``names`` (the document's operations) is given, mentions of other operations are left
    out, and so are country-name mentions (``how == "country"``). The codebook's
    ``addressee_cues.operation`` ("the Mission", "UN police") always count. With
    ``mentions=None`` the ``names`` themselves are searched.
    """
    spans = {span for span, _ in operation_refs(book, text, mentions, names)}
    spans.update(find_spans(book.addressee["operation"], text))
    return sorted(spans, key=lambda s: (s.start, s.end))


def oc_content(book: Codebook, text: str, lo: int = 0, hi: int | None = None):
    """``(oc_spans, market_spans)``: OC evidence (OC terms and market terms) and markets."""
    markets = find_labels(book.markets, text, lo, hi)
    spans = set(find_spans(book.oc_terms, text, lo, hi))
    for found in markets.values():
        spans.update(found)
    return sorted(spans, key=lambda s: (s.start, s.end)), markets


def quadrant_spans(book: Codebook, text: str, lo: int = 0, hi: int | None = None):
    """``{quadrant: [Span, ...]}`` for ``text[lo:hi]``, in order of first evidence.

    Each target cue is paired with the nearest mode cue at or before it (else the nearest
    after it, else ``direct``); mode cues with no target cue in the span count as
    ``consequences``. No cue at all gives ``{}``.
    """
    targets = [(lab, s) for lab, sp in find_labels(book.target, text, lo, hi).items() for s in sp]
    modes = [(lab, s) for lab, sp in find_labels(book.mode, text, lo, hi).items() for s in sp]
    modes.sort(key=lambda pair: (pair[1].start, pair[1].end))
    out: dict[str, list[Span]] = {}
    pairs = []
    for target, span in targets:
        before = [m for m in modes if m[1].start <= span.start]
        after = [m for m in modes if m[1].start > span.start]
        mode = before[-1] if before else (after[0] if after else (DEFAULT_MODE, None))
        pairs.append((f"{mode[0]}_{target}", [s for s in (mode[1], span) if s is not None]))
    if not targets:
        pairs = [(f"{mode}_{DEFAULT_TARGET}", [span]) for mode, span in modes]
    pairs.sort(key=lambda pair: min(s.start for s in pair[1]))
    for quadrant, spans in pairs:
        out.setdefault(quadrant, [])
        out[quadrant].extend(s for s in spans if s not in out[quadrant])
    return out


def spans_json(spans: Iterable[Span]) -> list[dict]:
    """Spans as plain dicts, sorted, for JSON evidence."""
    return [s.as_dict() for s in sorted(set(spans), key=lambda s: (s.start, s.end))]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m analysis.coding codebook CODEBOOK.yaml", file=sys.stderr)
        return 2
    try:
        book = load_codebook(args[0])
    except CodebookError as err:
        print(err, file=sys.stderr)
        return 1
    count = sum(
        len(p)
        for section in (book.markets, book.target, book.mode, book.engagement, book.strength,
                        book.addressee, book.negative)
        for p in section.values()
    ) + len(book.oc_terms) + len(book.preambular_openings) + len(book.support_role) + sum(
        len(p) for p in book.reported_mandate.values()) + len(book.light) + len(
        book.actor_turns) + len(book.mandate_authority)
    print(f"{book.path}: codebook {book.version} OK ({count} patterns)")
    return 0
