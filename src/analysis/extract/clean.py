"""Text rules for extracted PDF lines: artefacts, running headers, hyphens, unicode, metadata.

Rules (each documented where it is implemented):

- running headers/footers: one of the two top or bottom lines of a page, lying in the top
  or bottom 15% of the page, whose text with digits replaced by "#" recurs in those zones
  on at least a quarter of the pages (and on two pages at least) is removed; so are page numbers ("3", "- 3 -", "Page 3 of 9")
  at the extreme top or bottom, UN job numbers ("07-45678 (E)", "0745678E") and barcodes
  ("*0745678*") in those zones.
- dehyphenation (:class:`Dehyphenator`): see its docstring.
- first-page metadata (:func:`extract_metadata`, :func:`compare_metadata`): UN symbols,
  dates and the document type, by the conventions of UN documents.
- normalisation (:func:`normalize`): "(cid:N)" placeholders and U+FFFD dropped, unicode
  superscript digits glued to a word taken out as footnote markers, NFKC (repairs the
  ligatures ﬁ ﬂ ﬀ ﬃ ﬄ, no-break and other odd spaces), whitespace collapsed.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # segment imports this module; the type is only for annotations
    from analysis.extract.segment import Line

ZONE_LINES = 3  # lines at the top and at the bottom of a page that may be running text

_PAGE_NUMBER = re.compile(
    r"^(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:of|/)\s*\d{1,4})?$", re.IGNORECASE
)
_JOB_NUMBER = re.compile(r"\b\d{2}-\d{5}\s*(?:\([A-Z]\))?|\b\d{7}[A-Z]\b|\*\d{6,}\*")
_CID = re.compile(r"\(cid:\d+\)")
_UNICODE_SUP = re.compile(r"(?<=[^\s\d⁰¹²³⁴⁵⁶⁷⁸⁹])([⁰¹²³⁴⁵⁶⁷⁸⁹]{1,3})(?![⁰¹²³⁴⁵⁶⁷⁸⁹])")
_SUP_DIGITS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_DIGITS = re.compile(r"\d+")
_WORD_CHARS = re.compile(r"[\w’']+")
_LAST_WORD = re.compile(r"[\w’']+$")
_HAS_SUP = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f]")  # below " " except tab and newline
_SPACES = re.compile(r"\s+")
# Whitespace other than " " and control characters: what _SPACES and _CONTROL would change.
_ODD_SPACE = re.compile(r"[^\S ]|[\x00-\x08\x0b-\x1f]")
_TOKEN = re.compile(r"[\w’'-]+")  # a run that can hold _WORD matches, and only them
_WORD = re.compile(r"[^\W\d_](?:[\w’']*[^\W\d_])?(?:-[^\W\d_](?:[\w’']*[^\W\d_])?)*")

# Prefixes whose hyphen is usually real ("post-conflict", "counter-trafficking",
# "self-determination") - used only when the document itself gives no evidence.
HYPHEN_PREFIXES = frozenset(
    [
        "self",
        "non",
        "ex",
        "co",
        "counter",
        "cross",
        "post",
        "anti",
        "multi",
        "semi",
        "well",
        "long",
        "short",
        "quasi",
        "mid",
        "socio",
        "ill",
        "all",
        "high",
        "low",
        "full",
        "cease",
        "proto",
        "narco",
    ]
)
# Second parts of common hyphenated compounds in policy prose ("long-term",
# "community-based", "gang-related", "cross-border"): whole words that a syllable break
# would not leave behind as the tail of a broken word.
COMPOUND_TAILS = frozenset(
    [
        "term",
        "off",
        "offs",
        "based",
        "related",
        "led",
        "level",
        "scale",
        "wide",
        "owned",
        "oriented",
        "specific",
        "sensitive",
        "affected",
        "border",
        "located",
        "laundering",
        "making",
        "focused",
        "funded",
        "sponsored",
        "driven",
        "centred",
        "centered",
        "dominated",
        "controlled",
        "prone",
        "bound",
        "free",
        "friendly",
        "contributing",
        "party",
        "country",
    ]
)


def normalize(text: str) -> tuple[str, list[str]]:
    """Return (clean text, footnote markers) for a raw text fragment."""
    if text.isascii() and text.isprintable() and "(cid:" not in text:
        # Fast path (most lines): printable ASCII is NFKC-stable, has no superscripts,
        # U+FFFD or control characters, and its only whitespace is " ".
        text = text.strip()
        return (_SPACES.sub(" ", text) if "  " in text else text), []
    if (
        "(cid:" not in text
        and "\ufffd" not in text
        and "  " not in text
        and not text[:1].isspace()
        and not text[-1:].isspace()
        and _ODD_SPACE.search(text) is None
        and unicodedata.is_normalized("NFKC", text)
    ):
        # Already clean (curly quotes, accents, dashes): every step below would return it
        # as is. Superscript digits are not NFKC-normalized, so they take the slow path.
        return text, []
    refs: list[str] = []
    if _HAS_SUP.search(text):

        def take(m: re.Match) -> str:
            refs.append(m.group(1).translate(_SUP_DIGITS))
            return ""

        text = _UNICODE_SUP.sub(take, text)
    text = _CID.sub("", text).replace("\ufffd", "")
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    return _SPACES.sub(" ", text).strip(), refs


def _key(text: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", text)).strip().lower()


_y = attrgetter("y")


def strip_artifacts(text: str) -> str:
    """Remove UN job numbers and barcodes from a header/footer-zone line."""
    if (
        text.isascii()
        and text.isprintable()
        and "  " not in text
        and text[:1] != " " != text[-1:]
        and _JOB_NUMBER.search(text) is None
    ):
        return text  # no job number, single-spaced and stripped: nothing to remove
    return _SPACES.sub(" ", _JOB_NUMBER.sub(" ", text)).strip()


def mark_running_lines(pages: list[list[Line]], heights: list[float] | None = None) -> int:
    """Set ``kind = "header"`` on running headers/footers, page numbers, job numbers.

    ``pages`` holds each page's lines, ``heights`` each page's height in points (a repeated
    line counts as running text only in the top or bottom 15% of its page); returns how
    many lines were marked. The outermost line at the top/bottom is a candidate; the second
    one only when a gap wider than 1.4 line heights separates it from the text inside it
    (so a body line that happens to recur is not mistaken for a header).
    """
    zones: list[list[tuple[int, bool, Line, str | None]]] = []
    counts: Counter[str] = Counter()
    for lines in pages:
        order = sorted(lines, key=_y, reverse=True)  # top first; stable like key=-y
        n = len(order)
        # Only the ZONE_LINES outermost lines at each end (rank = distance from the edge).
        zone = range(n) if n <= 2 * ZONE_LINES else [*range(ZONE_LINES), *range(n - ZONE_LINES, n)]
        ranked = []
        for i in zone:
            ln = order[i]
            rank = min(i, n - 1 - i)
            inner = order[i + 1] if i < n - 1 - i else order[i - 1] if i > 0 else None
            gap = abs(ln.y - inner.y) if inner is not None else 1e9
            detached = rank == 0 or gap > 1.4 * max(ln.fs, inner.fs if inner else 0)
            # The recurrence key of the lines that may repeat (the text is still unchanged
            # when the second loop reads it).
            key = _key(ln.text) if detached and rank <= 1 else None
            ranked.append((rank, detached, ln, key))
        zones.append(ranked)
        counts.update({key for *_, key in ranked if key is not None})
    n_pages = sum(1 for lines in pages if lines)
    threshold = max(2, -(-n_pages // 4))
    marked = 0
    for p, ranked in enumerate(zones):
        height = heights[p] if heights else None
        for rank, detached, ln, key in ranked:
            rest = strip_artifacts(ln.text)
            edge = height is None or not (0.15 * height < ln.y < 0.85 * height)
            repeated = n_pages >= 2 and edge and detached and rank <= 1 and counts[key] >= threshold
            page_number = rank <= 1 and bool(_PAGE_NUMBER.match(rest))
            if repeated or page_number or not rest:
                ln.kind = "header"
                marked += 1
            elif rest != ln.text:
                ln.text = rest
    return marked


class Dehyphenator:
    """Decide whether a line-end hyphen is a real hyphen or a word break.

    Rule, in order, for ``left-`` at a line end followed by ``right`` on the next line:

    1. digits on both sides ("2010-" / "12"): keep the hyphen;
    2. the document elsewhere (not at a line break) uses the joined form more often than the
       hyphenated one: join ("peacekeeping"); the hyphenated form more often: keep
       ("Guinea-Bissau"); the part after the last inner hyphen of ``left`` counts too, so
       "narco-e-" / "conomy" becomes "narco-economy";
    3. no evidence: keep the hyphen when ``right`` starts with a capital ("Guinea-Bissau",
       "Bosnia-Herzegovina"); after "co" before a vowel ("co-optation"); after an acronym
       ("UN-led"); when both parts (4+ letters each) are words used elsewhere in the
       document; when ``right`` is a common compound tail (:data:`COMPOUND_TAILS`:
       "long-term", "gang-related"); or when ``left`` is a common prefix
       (:data:`HYPHEN_PREFIXES`) and ``right`` is a word of the document or such a tail
       ("post-conflict", "co-located"). A syllable break rarely leaves whole words behind;
    4. otherwise join (ordinary typesetting breaks: "organiza-" / "tion").
    """

    def __init__(self, texts: Iterable[str]):
        # The vocabulary is counted on first use: a document without a line-end hyphen never
        # needs it (``texts`` may be a generator; it is read once).
        self._texts = texts

    @cached_property
    def words(self) -> Counter[str]:
        """Word counts of the document (lower case; a hyphenated word counts its parts too)."""
        # Fold case once over the whole text (no word spans a newline), count in C, then
        # add the parts of hyphenated words.
        # Words lie inside runs of word characters, apostrophes and hyphens (tokens): count
        # the tokens in C, then take the words of each distinct token (a token of letters
        # only is one word; others go through _WORD, as a scan of the whole text would).
        tokens = Counter(_TOKEN.findall("\n".join(self._texts).lower()))
        # (a dict comprehension for the letters-only tokens: Counter's += on a new key goes
        # through its Python-level __missing__; the counts do not depend on the order)
        words: Counter[str] = Counter({t: n for t, n in tokens.items() if t.isalpha()})
        for token, n in tokens.items():
            if not token.isalpha():
                for w in _WORD.findall(token):
                    words[w] += n
        for w, n in [(w, n) for w, n in words.items() if "-" in w]:
            for part in w.split("-"):
                words[part] += n
        self._texts = ()
        return words

    @classmethod
    def from_lines(cls, lines: list[Line]) -> Dehyphenator:
        """Build the vocabulary from lines in reading order, leaving out the two halves of
        every broken word. The lines are read on first use: do not change their text
        before."""
        return cls(_unbroken_texts(lines))

    def join(self, left: str, right: str) -> str:
        """Join two line texts where ``left`` ended with a hyphen marker (marker removed)."""
        left = left.rstrip("-\u00ad")
        a = _last_word(left)
        rw = _WORD_CHARS.match(right)
        if not a or not rw:
            return f"{left}-{right}" if left and right else left + right
        b = rw.group()
        keep = self.keep_hyphen(a, b)
        return f"{left}-{right}" if keep else left + right

    def keep_hyphen(self, a: str, b: str) -> bool:
        if a[-1].isdigit() and b[0].isdigit():
            return True
        joined, hyph = (a + b).lower(), f"{a}-{b}".lower()
        cj, ch = self.words[joined], self.words[hyph]
        if cj != ch:
            return ch > cj
        if b[0].isupper() or (a.lower() == "co" and b[0].lower() in "aeiou"):
            return True
        if a.isupper() and len(a) >= 2:
            return True  # acronym compound ("UN-led")
        if min(len(a), len(b)) >= 4 and self.words[a.lower()] and self.words[b.lower()]:
            return True  # two words of the document: a compound ("gang-related")
        tail = b.lower() in COMPOUND_TAILS
        if len(a) >= 3 and tail:
            return True
        return a.lower() in HYPHEN_PREFIXES and (tail or self.words[b.lower()] > 0)


def _last_word(text: str) -> str:
    """The run of word characters (``[\\w’']``) that ends ``text``; "" when there is none.

    What ``re.search(r"[\\w’']+$", text)`` finds, without a regex that would try every
    start position of a long paragraph.
    """
    if text.endswith("\n"):  # "$" also matches before a final newline: let the regex decide
        m = _LAST_WORD.search(text)
        return m.group() if m else ""
    i = len(text)
    while i and (text[i - 1].isalnum() or text[i - 1] in "_’'"):
        i -= 1
    return text[i:]


def _unbroken_texts(lines: list[Line]) -> Iterator[str]:
    """The line texts without the two halves of each broken word: a line ending in a hyphen
    marker loses its last word, the line after it its first (in that order when one line
    is both). Runs on first use (a generator)."""
    texts = [ln.text for ln in lines]
    for i in [i for i, ln in enumerate(lines) if ln.hyphen]:  # ascending
        text = texts[i]
        texts[i] = text.rsplit(" ", 1)[0] if " " in text else ""
        if i + 1 < len(texts):
            text = texts[i + 1]
            texts[i + 1] = text.split(" ", 1)[1] if " " in text else ""
    yield from texts


def join_lines(lines: list[Line], dehyphenator: Dehyphenator) -> str:
    """Join the lines of one block into a single string (hyphens resolved).

    Lines are joined with a space, except: after a line-end hyphen (the dehyphenator decides
    between "peacekeeping" and "Guinea-Bissau"), after a slash, and at an unspaced em dash
    on either side of the break ("operations—" / "has", "operations" / "—has").
    """
    if not lines:
        return ""
    texts = [ln.text for ln in lines]
    if not [ln for ln in lines if ln.hyphen]:
        # Fast path (most blocks): no line-end hyphen marker, and none of the boundary cases
        # below can occur anywhere in the space-joined text (each would leave "- ", "/ ",
        # "— " or " —" in it), so every line joins with a space.
        out = " ".join(texts)
        if "- " not in out and "/ " not in out and "— " not in out and " —" not in out:
            return out
    pieces = [texts[0]]  # joined at the end: no quadratic string building
    prev_hyphen = lines[0].hyphen
    for ln in lines[1:]:
        text = ln.text
        last = pieces[-1]
        tail = last[-2:] if len(last) >= 2 else "".join(pieces[-3:])[-2:]  # the text's end
        end = tail[-1:]
        if prev_hyphen or (end == "-" and tail != " -"):
            pieces = [dehyphenator.join("".join(pieces), text)]
        elif (
            end == "/"
            or (end == "—" and tail != " —")  # "operations—" / "has"
            or (text[:1] == "—" and text[:2] != "— ")  # "operations" / "—has"
        ):
            pieces.append(text)
        else:
            pieces.append(" ")
            pieces.append(text)
        prev_hyphen = ln.hyphen
    out = "".join(pieces)
    return out + "-" if lines[-1].hyphen else out


# ------------------------------------------------------------- first-page metadata ----

_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTH_RE = "|".join(m.capitalize() for m in _MONTHS)
# (Each pattern opens with a look-ahead for the characters it can start with: the same
# matches, found without trying the whole pattern at every position of a page.)
_DATE_DMY = re.compile(rf"(?=\d)\b(\d{{1,2}})\s+({_MONTH_RE})\s+(\d{{4}})\b")
_DATE_MDY = re.compile(rf"(?=[JFMASOND])\b({_MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})\b")
# UN document symbols: S/RES/1542 (2004), S/2007/503, A/RES/55/25, S/PRST/2009/32,
# S/2004/300/Add.1, and the demo corpus's S/RES/DEMO-1001 (2005), S/DEMO/2007/12.
SYMBOL_RE = re.compile(
    r"(?=[SAE])(?<![\w/])((?:S|A|E|ST|SG)(?:/[A-Z]{2,}(?:\.\d+)?)*(?:/(?:DEMO-?)?\d+[A-Za-z]?)+"
    r"(?:/(?:Add|Rev|Corr)\.\d+)*(?:\s?\(\d{4}\))?)"
)


def extract_metadata(first_page_text: str) -> dict:
    """UN symbol, ISO date and document-type guess from the text of a first page.

    Returns ``{"symbol": str | None, "date": "YYYY-MM-DD" | None, "doc_type":
    "resolution" | "report" | "study"}``; the first symbol and date in reading order win.
    """
    text = first_page_text or ""
    m = SYMBOL_RE.search(text)
    symbol = normalize_symbol(m.group(1)) if m else None
    date = None
    for m in sorted(
        [*_DATE_DMY.finditer(text), *_DATE_MDY.finditer(text)], key=lambda m: m.start()
    ):
        g = m.groups()
        day, month, year = (g[0], g[1], g[2]) if g[0].isdigit() else (g[1], g[0], g[2])
        try:
            date = _dt.date(int(year), _MONTHS.index(month.lower()) + 1, int(day)).isoformat()
            break
        except ValueError:
            continue
    if symbol and "/RES/" in symbol:
        doc_type = "resolution"
    elif re.search(r"report of the secretary-general", text, re.IGNORECASE):
        doc_type = "report"
    elif re.search(
        r"^resolution\s+(?:DEMO-)?\d+\s*\(\d{4}\)|adopted by the security council|"
        r"council (?:joint action|decision)|peace and security council",
        text,
        re.IGNORECASE | re.MULTILINE,
    ):
        doc_type = "resolution"
    elif symbol and re.match(r"^S/(?:DEMO/)?\d{4}/\d+", symbol):
        doc_type = "report"
    else:
        doc_type = "study"
    return {"symbol": symbol, "date": date, "doc_type": doc_type}


def normalize_symbol(symbol: str) -> str:
    """Canonical spelling of a UN symbol: no inner spaces except one before "(YYYY)"."""
    s = re.sub(r"\s+", "", str(symbol)).upper().replace("ADD.", "Add.").replace("REV.", "Rev.")
    return re.sub(r"\((\d{4})\)$", r" (\1)", s.replace("CORR.", "Corr."))


_MANIFEST_KEYS = {
    "symbol": ("symbol", "un_symbol"),
    "date": ("date", "doc_date", "published"),
    "doc_type": ("doc_type", "type"),
}


def compare_metadata(meta: dict, manifest_row: dict) -> list[dict]:
    """Mismatches between PDF metadata and a manifest row; never raises.

    Each mismatch is ``{"field", "manifest", "pdf", "reason"}``. A field is compared only
    when the manifest has a value for it (keys: symbol/un_symbol, date/doc_date/published,
    doc_type/type); a value missing from the PDF's first page is a mismatch too.
    """
    out = []
    for fld, keys in _MANIFEST_KEYS.items():
        want = next((manifest_row.get(k) for k in keys if _present(manifest_row.get(k))), None)
        if want is None:
            continue
        got = (meta or {}).get(fld)
        try:
            if fld == "symbol":
                a, b = normalize_symbol(want), normalize_symbol(got) if got else None
            elif fld == "date":
                a, b = str(want)[:10], (str(got)[:10] if got else None)
            else:
                a, b = str(want).strip().lower(), (str(got).lower() if got else None)
        except (TypeError, ValueError, AttributeError):  # odd manifest value: report it
            a, b = str(want), got
        if b is None:
            out.append(
                {
                    "field": fld,
                    "manifest": str(want),
                    "pdf": None,
                    "reason": f"{fld} not found on the first page",
                }
            )
        elif a != b:
            out.append(
                {"field": fld, "manifest": str(want), "pdf": str(got), "reason": f"{fld} differs"}
            )
    return out


def _present(v) -> bool:
    return v is not None and not (isinstance(v, float) and math.isnan(v)) and str(v).strip() != ""
