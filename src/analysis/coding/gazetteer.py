"""Find peace operations mentioned in paragraph text.

A :class:`Gazetteer` is built from the operations table (``raw/missions.csv``, see
:mod:`analysis.missions`) and a small vocabulary (``gazetteer.yaml`` next to this module).
:meth:`Gazetteer.find_operations` returns one :class:`Mention` per operation a span of text
names, with character offsets into the text as given. Five ways to name an operation (``how``):

- ``acronym``: the operation's acronym, whole words, case-sensitive ("MONUC", never "monuc";
  "MONUC" is not found inside "MONUSCO"); acronyms with spaces or hyphens ("EUCAP Sahel Mali",
  "JF-G5S") match with any spacing or hyphen between their parts ("EUCAP Sahel-Mali").
- ``name`` / ``alias``: the full name or an alias, case-insensitive except for their
  all-capital words (so "UN" never matches "un"). ``name`` also covers spellings that differ
  only by the rules below, e.g. "United Nations Mission in Kosovo" for "UN Mission in Kosovo".
- ``self_reference``: "the Mission", "the Operation", "the Force", "the Office" (noun
  capitalised or all capitals) resolve to the document's own operation(s), ``doc_operations``;
  nothing is reported when the document has none. "the mission" (lower case) is not one.
- ``generic``: words that name an operation by its organisation or trade instead of its name
  ("UN police", "NATO-led troops", "the EU mission", "peacekeepers"; ``generic_references``
  of the vocabulary, each group with the organisations, and optionally kinds, it can mean)
  resolve to the document's operations of that organisation; where the words are tied to a
  country ("the EU mission in Niger", "Libya's U.N. mission") to the operations of that
  organisation deployed there in the year of ``doc_date``, whether or not the document
  names them. Nothing is reported when no operation fits.
- ``country``: a host-country name resolves to the operations deployed there in the year of
  ``doc_date`` (start_year <= year <= end_year, empty end_year = ongoing), but only when its
  sentence holds a cue word (operation(s), mission(s), peacekeep*, deployment ...) outside any
  operation name: a bare country name is not a mention. With no ``doc_date`` every operation
  ever hosted by the country is reported (the document could be from any year).

Acronyms of ``title_case_acronyms`` letters or more also match written with only their first
letter capitalised, as some newspapers write them ("Amisom" for AMISOM).

Text and patterns are normalised the same way before matching (:func:`normalise`), and
offsets are mapped back to the original text: accents dropped ("Haïti" = "Haiti"), curly
quotes straightened, soft hyphens and line breaks after hyphens removed, hyphens inside
ordinary words dropped ("Multi-dimensional" = "Multidimensional", "Guinea-Bissau" =
"GuineaBissau") but kept after all-capital words ("MINUSTAH-led" stays apart) unless a line
break splits capitals ("EU-/LEX" = "EULEX"). Patterns also accept "-isation" for "-ization"
and any run of spaces/hyphens between their words. Where spans overlap, the longest wins
(then: acronym, name, alias, self_reference, generic, country).

Known limit: names match in any case, so a generic lower-case phrase that happens to equal a
name ("the UN mission in Haiti" = UNMIH's name) counts as that operation.

The vocabulary (self-reference words, generic references, country cues, extra country names,
equivalent spellings such as UN = United Nations) is data: edit ``gazetteer.yaml`` or pass lists to
:meth:`Gazetteer.from_missions`.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import numbers
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
import pycountry
import yaml

from analysis.missions import alias_index, load_missions
from analysis.schemas.missions import alias_key, split_list

DEFAULT_VOCABULARY = Path(__file__).with_name("gazetteer.yaml")
HOW = ("acronym", "name", "alias", "self_reference", "generic", "country")
_PRIORITY = {how: rank for rank, how in enumerate(HOW)}


class GazetteerError(ValueError):
    """A vocabulary file, operations table or argument the gazetteer cannot use."""


@dataclass(frozen=True, order=True)
class Mention:
    """One operation named in a text: ``text[start:end] == matched``."""

    start: int
    end: int
    operation: str
    matched: str
    how: str


# ---------------------------------------------------------------- text normalisation

# Non-ASCII characters whose NFKD form is not what matching needs.
_CHAR_MAP = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011", "-"),
    # Dashes separate words ("operations\u2014UN peacekeeping"), so they become spaces.
    **dict.fromkeys("\u2012\u2013\u2014\u2015\u2212", " "),
}
_SPECIAL = re.compile(
    # a hyphen after a word and before a letter, with the line break that may follow it;
    # U+00AD is a soft hyphen, U+FFFE is how PDFium writes any hyphen at a line end
    r"(?<![A-Za-z0-9])(?P<word>[A-Za-z0-9]+)(?P<hyphen>[-\u2010\u2011\u00ad\ufffe])(?P<gap>\s*)"
    r"(?=(?P<next>[A-Za-z]))"
    r"|(?P<soft>[\u00ad\ufffe])\s*"
    r"|[^\x00-\x7f]"
)


@functools.lru_cache(maxsize=4096)
def _fold(char: str) -> str:
    if char in _CHAR_MAP:
        return _CHAR_MAP[char]
    if char.isspace() or unicodedata.category(char) == "No":  # superscript footnote digits
        return " "
    return "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))


def _is_caps(word: str) -> bool:
    """An all-capital word of two characters or more (acronym-like: "UN", "G5S")."""
    return len(word) >= 2 and word.isupper()


def _hyphen(m: re.Match[str]) -> str:
    """What a hyphen between two words becomes: "-" to keep the words apart, "" to join."""
    if not _is_caps(m.group("word")):
        return ""  # "Multi-dimensional", "Guinea-Bissau", "Stabil-/ization": one word
    at_line_end = m.group("hyphen") in "\u00ad\ufffe" or "\n" in m.group("gap")
    # After an acronym a hyphen stays ("MINUSTAH-led"), unless it splits a capitalised word
    # at a line end ("EU-/LEX"), which is a word broken in two.
    return "" if at_line_end and m.group("next").isupper() else "-"


@dataclass
class Normalised:
    """Normalised text plus the map from its positions back to the original text."""

    text: str
    _starts: list[int] = field(default_factory=list)  # normalised start of each segment
    _orig: list[int] = field(default_factory=list)  # original start of each segment
    _orig_end: list[int] = field(default_factory=list)  # original end of each segment
    _copied: list[bool] = field(default_factory=list)  # True: segment copied char for char

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised span ``[start, end)`` (end > start)."""
        if not self._starts:
            return start, end
        i = bisect_right(self._starts, start) - 1
        o_start = self._orig[i] + (start - self._starts[i] if self._copied[i] else 0)
        last = end - 1
        j = bisect_right(self._starts, last) - 1
        o_end = self._orig[j] + last - self._starts[j] + 1 if self._copied[j] else self._orig_end[j]
        return o_start, o_end


def normalise(text: str) -> Normalised:
    """Normalise ``text`` for matching (rules in the module docstring); case is kept."""
    if text.isascii() and "-" not in text:
        return Normalised(text)
    out = Normalised("")
    pieces: list[str] = []
    n_pos = 0

    def emit(new: str, o_start: int, o_end: int, copied: bool) -> None:
        nonlocal n_pos
        out._starts.append(n_pos)
        out._orig.append(o_start)
        out._orig_end.append(o_end)
        out._copied.append(copied)
        pieces.append(new)
        n_pos += len(new)

    o_pos = 0
    for m in _SPECIAL.finditer(text):
        if m.start() > o_pos:
            emit(text[o_pos : m.start()], o_pos, m.start(), True)
        word = m.group("word")
        if word is not None:
            emit(word, m.start(), m.start("hyphen"), True)
            emit(_hyphen(m), m.start("hyphen"), m.end(), False)
        elif m.group("soft") is not None:
            emit("", m.start(), m.end(), False)
        else:
            emit(_fold(m.group()), m.start(), m.end(), False)
        o_pos = m.end()
    if o_pos < len(text):
        emit(text[o_pos:], o_pos, len(text), True)
    out.text = "".join(pieces)
    return out


# ---------------------------------------------------------------- phrase patterns

_SEP = r"[\s\-]*"
_SPLIT = re.compile(r"[\s\-]+")
_FIRST_WORD = re.compile(r"\w+")


def _tokens(phrase: str) -> list[str]:
    return [t for t in _SPLIT.split(normalise(phrase).text) if t]


def _token_regex(token: str) -> str:
    esc = re.sub(r"i[sz](?=ation)", "i[sz]", re.escape(token), flags=re.IGNORECASE)
    # All-capital words are acronyms and stay case-sensitive; other words match in any case.
    return f"(?i:{esc})" if any(c.islower() for c in token) else esc


def _same_token(token: str, form_token: str) -> bool:
    if any(c.islower() for c in form_token):
        return token.lower() == form_token.lower()
    return token == form_token


def _form_at(tokens: list[str], i: int, forms: list[list[str]]) -> list[str] | None:
    """The spelling in ``forms`` that ``tokens`` continue with at position ``i``, if any."""
    for form in forms:
        window = tokens[i : i + len(form)]
        if len(window) == len(form) and all(map(_same_token, window, form)):
            return form
    return None


def phrase_pattern(phrase: str, equivalents: Iterable[Iterable[str]] = ()) -> tuple[str, set[str]]:
    """Regex (without boundaries) matching ``phrase`` in normalised text, and its first words.

    The first words (lower-cased) are the look-up keys under which the gazetteer tries the
    pattern; there are several when the phrase opens with an equivalent ("UN" / "United").
    """
    groups = [[_tokens(f) for f in group if _tokens(f)] for group in equivalents]
    tokens = _tokens(phrase)
    if not tokens:
        raise GazetteerError(f"empty phrase {phrase!r}")
    parts: list[str] = []
    keys: set[str] = set()
    i = 0
    while i < len(tokens):
        forms, width = [[tokens[i]]], 1
        for group in groups:
            used = _form_at(tokens, i, group)
            if used is not None:
                forms, width = group, len(used)
                break
        alternatives = [_SEP.join(_token_regex(t) for t in form) for form in forms]
        parts.append(alternatives[0] if len(forms) == 1 else f"(?:{'|'.join(alternatives)})")
        if i == 0:
            for form in forms:
                word = _FIRST_WORD.match(form[0])
                if word is None:
                    raise GazetteerError(f"phrase {phrase!r} must start with a letter or digit")
                keys.add(word.group().lower())
        i += width
    return _SEP.join(parts), keys


# ---------------------------------------------------------------- vocabulary

_VOCAB_KEYS = {
    "self_reference": {"determiners", "nouns", "not_followed_by"},
    "country_cues": None,
    "country_names": None,
    "equivalents": None,
}
# Keys a vocabulary file may leave out (older files have none of them).
_OPTIONAL_KEYS = {"generic_references", "generic_country", "title_case_acronyms"}
_GROUP_KEYS = {"organisations", "kinds", "patterns"}


def _string_list(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        hint = (
            "; quote words YAML reads as true/false (on, off, yes, no)"
            if any(isinstance(v, bool) for v in value or [])
            else ""
        )
        raise GazetteerError(f"{where}: expected a list of non-empty words, got {value!r}{hint}")
    return [v.strip() for v in value]


@dataclass(frozen=True)
class GenericGroup:
    """Words that name an operation of ``organisations`` (any when empty) and ``kinds``
    (any when empty) without its name; ``patterns`` are regexes, case-insensitive unless a
    part is written ``(?-i:...)``."""

    organisations: tuple[str, ...]
    kinds: tuple[str, ...]
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Words the gazetteer matches besides operation names (see ``gazetteer.yaml``)."""

    determiners: tuple[str, ...]
    nouns: tuple[str, ...]
    not_followed_by: tuple[str, ...]
    country_cues: tuple[str, ...]
    country_names: Mapping[str, tuple[str, ...]]
    equivalents: tuple[tuple[str, ...], ...]
    generic: tuple[GenericGroup, ...] = ()
    # regexes of the words tying a generic reference to a country: after it ("in", "to")
    # and before it ("'s"); empty: generic references are never tied to a country
    country_after: str = ""
    country_before: str = ""
    title_case_acronyms: int = 0  # 0: acronyms match in capitals only


def _generic_groups(value: object, path: Path) -> tuple[GenericGroup, ...]:
    where = f"{path}: generic_references"
    if not isinstance(value, list):
        raise GazetteerError(f"{where} must be a list of groups with keys "
                             f"{sorted(_GROUP_KEYS)}")
    groups = []
    for i, group in enumerate(value):
        if not isinstance(group, dict) or "patterns" not in group or set(group) - _GROUP_KEYS:
            raise GazetteerError(f"{where}[{i}]: a group has 'patterns' and optionally "
                                 "'organisations' and 'kinds' (lists of the operations "
                                 "table's values)")
        patterns = _string_list(group["patterns"], f"{where}[{i}].patterns")
        for j, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as err:
                raise GazetteerError(f"{where}[{i}].patterns[{j}]: invalid regex {pattern!r}: "
                                     f"{err}") from None
        orgs = _string_list(group.get("organisations") or ["-"], f"{where}[{i}].organisations")
        kinds = _string_list(group.get("kinds") or ["-"], f"{where}[{i}].kinds")
        groups.append(GenericGroup(tuple(o for o in orgs if o != "-"),
                                   tuple(k for k in kinds if k != "-"), tuple(patterns)))
    return tuple(groups)


def load_vocabulary(path: str | Path = DEFAULT_VOCABULARY) -> Vocabulary:
    """Read and check a vocabulary YAML file; errors name the file and key to fix."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise GazetteerError(f"{path}: cannot read vocabulary: {err}") from err
    if not isinstance(data, dict):
        raise GazetteerError(f"{path}: expected a mapping with keys {sorted(_VOCAB_KEYS)}")
    for key, sub in _VOCAB_KEYS.items():
        if key not in data:
            raise GazetteerError(f"{path}: key {key!r} missing; see {DEFAULT_VOCABULARY}")
        if sub is not None and (not isinstance(data[key], dict) or set(data[key]) != sub):
            raise GazetteerError(f"{path}: {key} needs exactly the keys {sorted(sub)}")
    unknown = sorted(set(data) - set(_VOCAB_KEYS) - _OPTIONAL_KEYS)
    if unknown:
        raise GazetteerError(f"{path}: unknown key(s) {unknown}; known: {sorted(_VOCAB_KEYS)}")
    selfref, names = data["self_reference"], data["country_names"]
    if not isinstance(names, dict) or not all(re.fullmatch("[A-Z]{3}", str(k)) for k in names):
        raise GazetteerError(
            f"{path}: country_names must map ISO 3166-1 alpha-3 codes (AFG, XKX) to lists of names"
        )
    if not isinstance(data["equivalents"], list):
        raise GazetteerError(f"{path}: equivalents must be a list of lists of spellings")
    where = f"{path}: self_reference"
    links = data.get("generic_country") or {}
    if not isinstance(links, dict) or set(links) - {"after", "before"}:
        raise GazetteerError(f"{path}: generic_country needs the keys 'after' and 'before' "
                             "(regexes of the words tying a generic reference to a country)")
    for key, rx in links.items():
        try:
            re.compile(str(rx))
        except re.error as err:
            raise GazetteerError(f"{path}: generic_country.{key}: invalid regex: {err}") from None
    title = data.get("title_case_acronyms", 0)
    if not isinstance(title, int) or isinstance(title, bool) or title < 0:
        raise GazetteerError(f"{path}: title_case_acronyms must be a whole number of letters "
                             "(0 = acronyms match in capitals only)")
    return Vocabulary(
        determiners=tuple(_string_list(selfref["determiners"], f"{where}.determiners")),
        nouns=tuple(_string_list(selfref["nouns"], f"{where}.nouns")),
        not_followed_by=tuple(
            _string_list(selfref["not_followed_by"] or [], f"{where}.not_followed_by")
        ),
        country_cues=tuple(_string_list(data["country_cues"], f"{path}: country_cues")),
        country_names={
            str(iso): tuple(_string_list(v, f"{path}: country_names.{iso}"))
            for iso, v in sorted(names.items())
        },
        equivalents=tuple(
            tuple(_string_list(g, f"{path}: equivalents[{i}]"))
            for i, g in enumerate(data["equivalents"])
        ),
        generic=_generic_groups(data.get("generic_references") or [], path),
        country_after=str(links.get("after") or ""),
        country_before=str(links.get("before") or ""),
        title_case_acronyms=title,
    )


# ---------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class _Entry:
    how: str  # one of HOW
    target: str  # acronym (acronym, name, alias), ISO3 (country), "" (self_reference)
    phrase: str


_TOKEN = re.compile(r"\w+")
# A sentence ends at . ! ? followed by space and something that can open a sentence.
_SENTENCE_END = re.compile(r"[.!?](?=\s+[\"'(\[]?[A-Z0-9])")


def _year(doc_date: object) -> int | None:
    """Calendar year of ``doc_date`` (year, 'YYYY[-MM-DD]', date/datetime/Timestamp).

    None, NaN, NaT and an empty string (a blank manifest cell) mean the date is unknown.
    """
    nan = isinstance(doc_date, float) and math.isnan(doc_date)
    if doc_date is None or doc_date is pd.NaT or nan or doc_date == "":
        return None
    if isinstance(doc_date, numbers.Integral) and not isinstance(doc_date, bool):
        return int(doc_date)
    if isinstance(doc_date, date):  # datetime and pandas Timestamp are dates too
        return doc_date.year
    if isinstance(doc_date, str) and re.fullmatch(r"\s*\d{4}(-\d{2}(-\d{2})?)?\s*", doc_date):
        return int(doc_date.strip()[:4])
    raise GazetteerError(
        f"doc_date {doc_date!r} is not a date; give a year (2007), 'YYYY-MM-DD' or a date"
    )


def _country_names(iso3: str, extra: Mapping[str, tuple[str, ...]]) -> list[str]:
    """pycountry's names of a country (inverted forms with commas left out), then ``extra``."""
    country = pycountry.countries.get(alpha_3=iso3)
    names = [getattr(country, a, None) for a in ("name", "official_name", "common_name")]
    names = [n for n in names if n and "," not in n] + list(extra.get(iso3, ()))
    return list(dict.fromkeys(names))


class Gazetteer:
    """Operation names, acronyms, aliases, self-references and host countries, compiled.

    Build with :meth:`from_missions` (a loaded operations table) or :meth:`from_path` (the
    CSV). Patterns are grouped by their first word: for each word of a text the gazetteer
    tries one combined regex, the one of the patterns that open with that word.
    """

    def __init__(self, missions: pd.DataFrame, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self._lookup = alias_index(missions)
        self._hosted: dict[str, list[tuple[str, int | None, int | None]]] = {}
        self._org_kind: dict[str, tuple[str, str]] = {
            row.acronym: (str(row.organisation), str(row.kind))
            for row in missions.itertuples(index=False)}
        patterns: dict[tuple[str, bool], tuple[str, set[str], _Entry]] = {}

        def add(entry: _Entry, regex: str, keys: set[str]) -> None:
            slot = (regex, entry.how == "country")
            other = patterns.get(slot)
            if other is None:
                patterns[slot] = (regex, keys, entry)
            elif other[2].target != entry.target:
                raise GazetteerError(
                    f"{entry.how} {entry.phrase!r} of {entry.target} and {other[2].how} "
                    f"{other[2].phrase!r} of {other[2].target} match the same words; "
                    "remove or qualify one of them in the operations table or vocabulary"
                )

        eq = vocabulary.equivalents
        for row in missions.itertuples(index=False):
            start = None if pd.isna(row.start_year) else int(row.start_year)
            end = None if pd.isna(row.end_year) else int(row.end_year)
            for iso3 in split_list(row.hosts):
                self._hosted.setdefault(iso3, []).append((row.acronym, start, end))
            title = vocabulary.title_case_acronyms
            if title and re.fullmatch(rf"[A-Z]{{{title},}}", row.acronym):
                spelt = row.acronym.capitalize()  # "Amisom": case-sensitive, one word
                add(_Entry("acronym", row.acronym, spelt), re.escape(spelt), {spelt.lower()})
            for how, phrases in (
                ("acronym", [row.acronym]),
                ("name", [row.name]),
                ("alias", split_list(row.aliases)),
            ):
                for phrase in phrases:
                    try:
                        add(_Entry(how, row.acronym, phrase), *phrase_pattern(phrase, eq))
                    except GazetteerError as err:
                        column = {"acronym": "acronym", "name": "name"}.get(how, "aliases")
                        raise GazetteerError(
                            f"operations table, row {row.acronym}, column {column}: {err}"
                        ) from None
        for iso3 in sorted(self._hosted):
            for phrase in _country_names(iso3, vocabulary.country_names):
                add(_Entry("country", iso3, phrase), *phrase_pattern(phrase, eq))
        nouns = "|".join(
            re.escape(v) for n in vocabulary.nouns for v in dict.fromkeys([n, n.upper()])
        )
        exclude = "|".join(re.escape(w) for w in vocabulary.not_followed_by)
        tail = rf"(?!\s+(?i:{exclude})(?!\w))" if exclude else ""
        for det in vocabulary.determiners if vocabulary.nouns else ():
            forms = "|".join(
                re.escape(f) for f in dict.fromkeys([det, det.capitalize(), det.upper()])
            )
            regex = rf"(?:{forms})\s+(?:{nouns}){tail}"
            add(_Entry("self_reference", "", f"{det} {vocabulary.nouns[0]}"), regex, {det.lower()})
        cues = [normalise(c).text.replace("-", "") for c in vocabulary.country_cues]
        cue_rx = "|".join(
            re.escape(c[:-1]) + r"\w*" if c.endswith("*") else re.escape(c) for c in cues
        )
        self._cues = re.compile(rf"(?i)(?<!\w)(?:{cue_rx})(?!\w)") if cues else None
        self._compile(list(patterns.values()))
        self._compile_generic(vocabulary)

    def _compile_generic(self, vocabulary: Vocabulary) -> None:
        """Generic references, and the country names that may tie one to a country."""
        self._generic = [
            (group, re.compile(r"(?i)(?<![\w-])(?:" + "|".join(group.patterns) + r")(?![\w-])"))
            for group in vocabulary.generic]
        names = {}
        for iso3 in sorted(self._hosted):
            for phrase in _country_names(iso3, vocabulary.country_names):
                regex, _ = phrase_pattern(phrase, vocabulary.equivalents)
                names.setdefault(regex, iso3)
        self._country_names = [(re.compile(rx + r"(?!\w)"), iso3) for rx, iso3 in names.items()]
        after, before = vocabulary.country_after, vocabulary.country_before
        self._link_after = re.compile(rf"\s+(?i:{after})\s+") if after else None
        self._link_before = re.compile(rf"(?i:{before})\s*$") if before else None

    def _tied_country(self, s: str, start: int, end: int) -> tuple[int, int, str | None]:
        """Span of a generic reference widened to a country tied to it, and that country."""
        if self._link_after is not None and (m := self._link_after.match(s, end)):
            for rx, iso3 in self._country_names:
                if (c := rx.match(s, m.end())) is not None:
                    return start, c.end(), iso3
        if self._link_before is not None and (m := self._link_before.search(s, 0, start)):
            for rx, iso3 in self._country_names:
                for c in rx.finditer(s, max(0, m.start() - 80), m.start()):
                    if c.end() == m.start() and (c.start() == 0 or not s[c.start() - 1].isalnum()):
                        return c.start(), end, iso3
        return start, end, None

    def _generic_found(self, s: str) -> list[tuple[int, int, _Entry]]:
        found = []
        for i, (_, rx) in enumerate(self._generic):
            for m in rx.finditer(s):
                start, end, iso3 = self._tied_country(s, m.start(), m.end())
                found.append((start, end, _Entry("generic", f"{i}|{iso3 or ''}", m.group())))
        return found

    def generic_targets(self, target: str, own: list[str], year: int | None) -> list[str]:
        """Operations a generic reference (``"<group>|<ISO3 or empty>"``) names: the
        document's operations of the group's organisations and kinds, or, when the words tie
        it to a country, the operations of that organisation deployed there in ``year``."""
        index, _, iso3 = target.partition("|")
        group = self._generic[int(index)][0]

        def fits(acronym: str) -> bool:
            org, kind = self._org_kind.get(acronym, ("", ""))
            return ((not group.organisations or org in group.organisations)
                    and (not group.kinds or kind in group.kinds))
        if iso3:
            return [a for a in self.operations_in(iso3, year) if fits(a)]
        return [a for a in own if fits(a)]

    def _compile(self, patterns: list[tuple[str, set[str], _Entry]]) -> None:
        by_key: dict[str, list[tuple[str, _Entry]]] = {}
        for regex, keys, entry in patterns:
            for key in keys:
                by_key.setdefault(key, []).append((regex, entry))
        self._entries: dict[str, _Entry] = {}
        self._by_key: dict[str, re.Pattern[str]] = {}
        for key in sorted(by_key):
            # Longest phrase first: at one position the first alternative that fits wins.
            group = sorted(
                by_key[key],
                key=lambda p: (-len(normalise(p[1].phrase).text), _PRIORITY[p[1].how], p[0]),
            )
            alternatives = []
            for regex, entry in group:
                name = f"e{len(self._entries)}"
                self._entries[name] = entry
                alternatives.append(f"(?P<{name}>{regex}(?!\\w))")
            self._by_key[key] = re.compile("|".join(alternatives))

    @classmethod
    def from_missions(
        cls,
        missions: pd.DataFrame,
        *,
        vocabulary: str | Path | Vocabulary = DEFAULT_VOCABULARY,
        self_reference_nouns: Iterable[str] | None = None,
        country_cues: Iterable[str] | None = None,
        country_names: Mapping[str, Iterable[str]] | None = None,
        equivalents: Iterable[Iterable[str]] | None = None,
    ) -> Gazetteer:
        """Gazetteer of a loaded operations table (:func:`analysis.missions.load_missions`).

        ``vocabulary`` is a YAML file like ``gazetteer.yaml`` (the default) or a
        :class:`Vocabulary`; the other arguments, when given, replace its lists.
        """
        vocab = vocabulary if isinstance(vocabulary, Vocabulary) else load_vocabulary(vocabulary)
        fields: dict[str, object] = {}
        for key, words in (("nouns", self_reference_nouns), ("country_cues", country_cues)):
            if isinstance(words, str):
                raise GazetteerError(f"{key}: give a list of words, not the string {words!r}")
            if words is not None:
                fields[key] = tuple(words)
        if country_names is not None:
            fields["country_names"] = {k: tuple(v) for k, v in country_names.items()}
        if equivalents is not None:
            fields["equivalents"] = tuple(tuple(g) for g in equivalents)
        return cls(missions, dataclasses.replace(vocab, **fields))

    @classmethod
    def from_path(cls, path: str | Path, **kwargs: object) -> Gazetteer:
        """Gazetteer of the operations table CSV at ``path`` (validated on loading)."""
        return cls.from_missions(load_missions(path), **kwargs)

    def operations_in(self, iso3: str, year: int | None) -> list[str]:
        """Acronyms (sorted) of operations hosted by ``iso3`` in ``year`` (None: ever)."""
        return sorted(
            acr
            for acr, start, end in self._hosted.get(iso3, [])
            if year is None
            or (start is not None and start <= year and (end is None or year <= end))
        )

    def _own(self, doc_operations: Iterable[str] | str) -> list[str]:
        if isinstance(doc_operations, str):
            doc_operations = split_list(doc_operations)
        own = []
        for name in doc_operations:
            acronym = self._lookup.get(alias_key(name))
            if acronym is None:
                raise GazetteerError(
                    f"doc_operations: {name!r} is not an acronym, name or alias in the "
                    "operations table; add the operation to raw/missions.csv or fix the name"
                )
            own.append(acronym)
        return list(dict.fromkeys(own))

    def find_operations(
        self, text: str, *, doc_operations: Iterable[str] | str = (), doc_date: object = None
    ) -> list[Mention]:
        """Operations named in ``text``, sorted by position (rules: module docstring).

        Args:
            text: a paragraph (any length; offsets refer to it unchanged).
            doc_operations: the document's own operation(s) (acronyms, names or aliases, or a
                ';'-separated string); "the Mission" etc. resolve to them. Empty: no
                self-references are reported.
            doc_date: the document's date (year, 'YYYY-MM-DD', date) for country mentions;
                None: every operation ever hosted by the country.

        Returns:
            One :class:`Mention` per operation and span; a span naming several operations
            (a self-reference in a joint report, a country with two operations) gives several.
        """
        own, year = self._own(doc_operations), _year(doc_date)
        norm = normalise(text)
        s = norm.text
        found = []
        for tok in _TOKEN.finditer(s):
            rx = self._by_key.get(tok.group().lower())
            if rx is not None and (m := rx.match(s, tok.start())) is not None:
                entry = self._entries[m.lastgroup]
                found.append((m.start(), m.end(), entry))
        found += self._generic_found(s)
        kept = _longest(found)
        if any(e.how == "country" for _, _, e in kept):
            kept = self._cued(s, kept)
        mentions = []
        for n_start, n_end, entry in kept:
            if entry.how == "self_reference":
                targets = own
            elif entry.how == "generic":
                targets = self.generic_targets(entry.target, own, year)
            elif entry.how == "country":
                targets = self.operations_in(entry.target, year)
            else:
                targets = [entry.target]
            start, end = norm.span(n_start, n_end)
            mentions += [Mention(start, end, op, text[start:end], entry.how) for op in targets]
        return sorted(mentions)

    def _cued(self, s: str, kept: list[tuple[int, int, _Entry]]) -> list[tuple[int, int, _Entry]]:
        """Drop country spans whose sentence has no cue word outside operation names."""
        names = [(a, b) for a, b, e in kept if e.how in ("acronym", "name", "alias")]
        ends = [m.end() for m in _SENTENCE_END.finditer(s)]
        cued = set()
        for m in self._cues.finditer(s) if self._cues else ():
            if not any(a <= m.start() < b for a, b in names):
                cued.add(bisect_right(ends, m.start()))
        return [k for k in kept if k[2].how != "country" or bisect_right(ends, k[0]) in cued]


def _longest(found: list[tuple[int, int, _Entry]]) -> list[tuple[int, int, _Entry]]:
    """Non-overlapping spans, longest first (ties: earlier, then by HOW order), by position."""
    kept: list[tuple[int, int, _Entry]] = []
    for cand in sorted(found, key=lambda f: (f[0] - f[1], f[0], _PRIORITY[f[2].how])):
        if all(cand[1] <= a or b <= cand[0] for a, b, _ in kept):
            kept.append(cand)
    return sorted(kept, key=lambda f: f[0])
