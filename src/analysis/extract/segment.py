"""Read visual text lines, with a little geometry, from a PDF page through PDFium.

The whole-page text comes from one ``get_text_range`` call (one character per PDFium char
index, so offsets into it are char indices). PDFium marks a hyphen that ends a line with
U+FFFE (older builds: U+0002) and then continues *without* a line break, so the marker is
where the line ends; real line breaks are CR LF. Geometry is then read only for a few
characters per line (first, middle, last) and for footnote-marker candidates: per-character
loops through ctypes cost ~1 us a call, which would dominate the run time.

Then the layout: :func:`measure` (body font size, line pitch, margins),
:func:`mark_footnotes_and_captions`, :func:`heading_level` and :func:`build_blocks`, which
rebuilds paragraphs from lines. A new paragraph starts at a numbered start ("12. "), a list
item after a closed line, a line after a short one (the next line's first word would have
fitted: lines only wrap when it does not), a vertical gap over 1.3 line pitches, or a
first-line indent after a line ending a sentence; a line-end hyphen never ends a paragraph,
and a paragraph runs on across a page break unless one of these signals says otherwise.

A :class:`Line` is one visual line: text (footnote markers already removed and recorded in
``refs``), left/right edge and baseline in PDF points (origin bottom-left), font size and
boldness of its middle character, and whether it ended in a line-end hyphen.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

# PDFium ends a line with CR LF (or CR, LF) or a hyphen marker (U+FFFE, older builds U+0002).
# One match per line: group 1 is the line's text from its first to its last non-space
# character, group 2 the hyphen marker when one ends the line (empty and blank lines have no
# match). Same result as splitting at the separators and stripping each piece.
_LINE = re.compile(
    r"[^\S\r\n]*([^\s\ufffe\x02](?:[^\r\n\ufffe\x02]*[^\s\ufffe\x02])?)[^\S\r\n]*([\ufffe\x02])?"
)
# A digit run glued to a preceding non-space character and not followed by a digit: a
# footnote-marker candidate, confirmed only by geometry (raised or smaller). Written to start
# with \d (the engine then skips quickly to digits) and look back from the first digit.
_MARKER_CANDIDATE = re.compile(r"\d(?<=[^\s\d]\d)\d{0,2}(?!\d)")


@dataclass(slots=True)
class Line:
    """One visual line of a page (coordinates in PDF points, y grows upwards)."""

    page: int
    text: str
    x0: float
    x1: float
    y: float
    fs: float
    bold: bool
    hyphen: bool = False
    refs: list[str] = field(default_factory=list)
    kind: str = "body"  # body, header, footnote, caption, heading, title, front
    col: int = 0  # 0: single column or full width; 1, 2, ...: column, left to right


_BOLD_WORDS = ("bold", "black", "heavy", "semibold", "demi")


def _unchecked(fn, restype):
    """The same PDFium function without ctypes' per-call argument conversion (the bindings'
    ``argtypes`` make every call check and convert each argument: about twice the cost of
    the C call itself). Callers pass exactly typed arguments: the text page as
    ``c_void_p``, indices as Python ints (C ``int``), out-parameters as ``byref(...)``,
    lengths as ``c_ulong``."""
    return ctypes.CFUNCTYPE(restype)(ctypes.cast(fn, ctypes.c_void_p).value)


_GetCharBox = _unchecked(pdfium_c.FPDFText_GetCharBox, ctypes.c_int)
_GetCharOrigin = _unchecked(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int)
_GetFontSize = _unchecked(pdfium_c.FPDFText_GetFontSize, ctypes.c_double)
_GetFontInfo = _unchecked(pdfium_c.FPDFText_GetFontInfo, ctypes.c_ulong)
_GetFontWeight = _unchecked(pdfium_c.FPDFText_GetFontWeight, ctypes.c_int)
_BUF_LEN = 128

# The optional compiled accelerator (src/analysis/extract/_geometry.c, built by
# ``pip install -e .`` when a C compiler is present) makes the same PDFium calls as
# _segments' Python loop, without ctypes: identical results. ANALYSIS_PURE_PYTHON=1 (any
# value but "" or "0") forces the Python path. GEOMETRY says which path is active.
_compiled = None
if os.environ.get("ANALYSIS_PURE_PYTHON", "") in ("", "0"):
    try:
        from analysis.extract import _geometry as _compiled
    except ImportError:  # not built (no compiler, or built for another Python)
        _compiled = None
    if _compiled is not None and not hasattr(_compiled, "page_line_objects"):
        _compiled = None  # built from an older _geometry.c: rebuild with `pip install -e .`
GEOMETRY = "compiled" if _compiled is not None else "python"
# How the compiled reader builds a Line: the slots of its fields, in order, and the
# defaults of the two fields it does not read (tests compare its Lines with Line(...)).
_FIELDS = dataclasses.fields(Line)
if [f.name for f in _FIELDS][-2:] != ["kind", "col"] or len(_FIELDS) != 11:
    raise RuntimeError("segment.Line changed: update _geometry.c's make_line (N_FIELDS)")
_LINE_SLOTS = (
    Line,
    tuple(Line.__dict__[f.name] for f in _FIELDS),
    _FIELDS[-2].default,
    _FIELDS[-1].default,
)
# The compiled clean-text test of pdf.read_lines (None: pdf tests each line in Python).
needs_normalize = _compiled.needs_normalize if _compiled is not None else None
# Addresses of the five functions, in the order _geometry.page_line_objects expects them.
_FUNCS = tuple(
    ctypes.cast(fn, ctypes.c_void_p).value
    for fn in (
        pdfium_c.FPDFText_GetCharBox,
        pdfium_c.FPDFText_GetFontSize,
        pdfium_c.FPDFText_GetCharOrigin,
        pdfium_c.FPDFText_GetFontInfo,
        pdfium_c.FPDFText_GetFontWeight,
    )
)


class _PageReader:
    """Geometry look-ups on one PDFium text page, with reusable ctypes out-parameters.

    The ctypes functions are module globals and the out-parameters are made once per page:
    a line costs a handful of calls, each ~0.3-0.5 us, and Python overhead around them would
    otherwise cost as much again.
    """

    def __init__(self, textpage, text: str):
        self.tp = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
        self.text = text
        self._d = [ctypes.c_double() for _ in range(4)]
        self._refs = [ctypes.byref(x) for x in self._d]
        self._buf = ctypes.create_string_buffer(_BUF_LEN)
        self._buf_len = ctypes.c_ulong(_BUF_LEN)
        self._flags = ctypes.c_int()
        self._flags_ref = ctypes.byref(self._flags)
        # (font name bytes, flags, weight) -> bold: the name test runs once per font.
        self._bold: dict[tuple[bytes, int, int], bool] = {}

    def origin(self, i: int) -> tuple[float, float]:
        _GetCharOrigin(self.tp, i, self._refs[0], self._refs[1])
        return self._d[0].value, self._d[1].value

    def box(self, i: int) -> tuple[float, float, float, float]:
        _GetCharBox(self.tp, i, *self._refs)
        a, b, c, d = self._d
        return a.value, b.value, c.value, d.value  # left, right, bottom, top

    def font_size(self, i: int) -> float:
        return float(_GetFontSize(self.tp, i))

    def bold(self, i: int) -> bool:
        n = _GetFontInfo(self.tp, i, self._buf, self._buf_len, self._flags_ref)
        key = (self._buf.raw[: max(n - 1, 0)], self._flags.value, _GetFontWeight(self.tp, i))
        bold = self._bold.get(key)
        if bold is None:
            name = key[0].decode("latin-1").lower()
            # Font flag bit 19 (ForceBold) is set by some producers instead of a "Bold" name.
            bold = any(k in name for k in _BOLD_WORDS) or key[2] >= 600 or bool(key[1] & (1 << 18))
            self._bold[key] = bold
        return bold


def read_page_lines(page, page_no: int) -> list[Line]:
    """Return the visual lines of one ``pypdfium2.PdfPage`` in content order.

    Footnote markers (digits raised above the baseline, set smaller than the preceding
    character, or superscript glyphs whose ink starts well above the baseline) are removed from ``Line.text`` and listed in ``Line.refs``.
    """
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        if not text.strip():
            return []
        if len(text) != textpage.count_chars():
            # Non-BMP characters break the index <-> offset mapping; rebuild it per char.
            text = "".join(
                chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, i) or 32)
                for i in range(textpage.count_chars())
            )
        if _compiled is not None:
            return _merge_same_baseline(_segments_compiled(textpage, text, page_no))
        return _merge_same_baseline(_segments(_PageReader(textpage, text), page_no))
    finally:
        textpage.close()


def _segments(reader: _PageReader, page_no: int) -> list[Line]:
    """One Line per PDFium segment: the text between line breaks / hyphen markers, stripped.

    The hot loop of extraction (one pass per text line), so the ctypes calls are inlined;
    with the compiled accelerator, one call per page does them all (:func:`_segments_compiled`).
    """
    text, tp, bold_of = reader.text, reader.tp, reader.bold
    left, right = reader._d[0], reader._d[1]
    r_left, r_right, r_bottom, r_top = reader._refs
    isspace = str.isspace
    segments: list[Line] = []
    append = segments.append
    for m in _LINE.finditer(text):
        fa, end = m.span(1)
        lb = end - 1
        mid = (fa + lb) // 2
        while mid < lb and isspace(text[mid]):
            mid += 1
        _GetCharBox(tp, fa, r_left, r_right, r_bottom, r_top)
        x0 = left.value
        if lb != fa:
            _GetCharBox(tp, lb, r_left, r_right, r_bottom, r_top)
        x1 = right.value
        fs = float(_GetFontSize(tp, mid))
        # Baseline of the first character unless it is itself a raised/smaller marker.
        at = mid if fa != mid and _GetFontSize(tp, fa) < 0.8 * fs else fa
        _GetCharOrigin(tp, at, r_left, r_right)
        y = right.value
        bold = bold_of(mid) and (fa == mid or bold_of(fa))
        hyphen = m.group(2) is not None
        if _MARKER_CANDIDATE.search(text, fa, end) is None:
            append(Line(page_no, m.group(1), x0, x1, y, fs, bold, hyphen, []))
            continue
        line_text, refs = _take_markers(reader, fa, end)
        if line_text:
            append(Line(page_no, line_text, x0, x1, y, fs, bold, hyphen, refs))
    return segments


def _segments_compiled(textpage, text: str, page_no: int) -> list[Line]:
    """:func:`_segments` with the line splitting, the geometry, the marker-candidate test
    and the Lines themselves done by ``_geometry.page_line_objects`` (one call per page);
    Python only takes the footnote markers of candidate lines (with a :class:`_PageReader`,
    made only then)."""
    address = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    lines, candidates = _compiled.page_line_objects(_FUNCS, address, text, *_LINE_SLOTS, page_no)
    if not candidates:
        return lines
    reader = _PageReader(textpage, text)
    for k, fa, end, hyphen, x0, x1, y, fs, bold in candidates:
        line_text, refs = _take_markers(reader, fa, end)
        if line_text:
            lines[k] = Line(page_no, line_text, x0, x1, y, fs, bold, hyphen, refs)
    return [ln for ln in lines if ln is not None]


def _take_markers(reader: _PageReader, fa: int, end: int) -> tuple[str, list[str]]:
    """The line ``text[fa:end]`` without its footnote markers, and the markers."""
    text = reader.text
    chars = list(text[fa:end])
    refs: list[str] = []
    # Walk candidates right to left so deletions keep earlier offsets valid.
    for m in reversed(list(_MARKER_CANDIDATE.finditer(text, fa, end))):
        i = m.start()
        if i == fa:  # a number opening the line (footnote text, list) is not a marker
            continue
        prev_fs = reader.font_size(i - 1)
        base = reader.origin(i - 1)[1]
        dy = reader.origin(i)[1] - base
        if (
            dy > 0.2 * prev_fs
            or reader.font_size(i) < 0.8 * prev_fs
            # a superscript glyph of the font (OpenType "sups", as Typst and InDesign set
            # footnote markers): same size and origin, but its ink starts well above the
            # baseline, where a digit's ink starts on it
            or reader.box(i)[2] - base > 0.25 * prev_fs
        ):
            refs.insert(0, m.group())
            del chars[i - fa : m.end() - fa]
            if text[m.end() : m.end() + 1].isalpha():  # "agendas.1Organized": keep a boundary
                chars.insert(i - fa, " ")
    return ("".join(chars).strip() if refs else text[fa:end]), refs


def _merge_same_baseline(segments: list[Line]) -> list[Line]:
    """Join PDFium segments that sit on one visual line (PDFium breaks after superscripts)."""
    lines: list[Line] = []
    for s in segments:
        prev = lines[-1] if lines else None
        if prev is not None and not prev.hyphen and s.x0 >= prev.x1 - 2.0:
            tol = 0.35 * max(prev.fs, s.fs)
            same = abs(s.y - prev.y) < tol
            # A lone raised number (superscript emitted as its own segment).
            lone_sup_after = s.text.isdigit() and len(s.text) <= 3 and 0 < s.y - prev.y < prev.fs
            lone_sup_before = (
                prev.text.isdigit() and len(prev.text) <= 3 and 0 < prev.y - s.y < s.fs
            )
            if lone_sup_after:
                prev.refs.append(s.text)
                prev.x1 = s.x1
                continue
            if same or lone_sup_before:
                sep = "" if s.text[:1] in ".,;:)" else " "
                if lone_sup_before:
                    prev.y, prev.fs, prev.bold = s.y, s.fs, s.bold
                prev.text = f"{prev.text}{sep}{s.text}"
                prev.x1 = s.x1
                prev.hyphen = s.hyphen
                prev.refs.extend(s.refs)
                continue
        lines.append(s)
    return lines


# --------------------------------------------------------------------------- layout ----

def order_columns(pages: list[list[Line]]) -> list[int]:
    """Detect columns on every page and put each page's lines in reading order.

    On a page, the lines set in the page's main type size are split at a *gutter*: an
    x-interval in the middle 60% of the text area that no more than a few lines cross (a
    title or a spanning heading may) and that has text on both sides, with most lines on
    its left ending near it and most lines on its right starting near it (justified or
    flush columns, not a table of short cells). Each side is split again the same way, so
    three columns are found as well. Each column must be at least 12 type sizes wide (a
    table of short cells is not a column layout). Lines get ``col`` 1, 2, ... from left to right; lines
    that cross a gutter, lines in other type sizes (footnotes, page furniture) and every
    line of a single-column page keep ``col`` 0.

    Reading order: lines crossing the columns (``col`` 0) stay in place from top to bottom
    and cut the page into bands; within a band, each column is read top to bottom, left
    column first. A page without columns keeps the PDF's content order, untouched. Returns
    the number of columns found on each page (1 for a single-column page).
    """
    found = []
    for lines in pages:
        found.append(_order_page(lines))
    return found


def _main_size(lines: Iterable[Line]) -> float | None:
    """The type size (rounded to half points) of the most characters of ``lines``; ties go
    to the size seen first, as ``Counter.most_common`` does. None without characters.

    Characters are first summed per exact size (few distinct sizes per document), then per
    rounded size in first-seen order, which keeps the first-seen order of rounded sizes."""
    exact: dict[float, int] = {}
    get = exact.get
    for ln in lines:
        if ln.text:
            exact[ln.fs] = get(ln.fs, 0) + len(ln.text)
    sizes: dict[float, int] = {}
    for fs, n in exact.items():
        k = round(fs * 2) / 2
        sizes[k] = sizes.get(k, 0) + n
    return max(sizes, key=sizes.__getitem__) if sizes else None  # first of the largest


def _order_page(lines: list[Line]) -> int:
    body = [ln for ln in lines if ln.kind == "body"]
    if len(body) < 8:
        return 1
    main_fs = _main_size(body)
    cand = [ln for ln in body if ln.fs >= 0.9 * main_fs]
    columns = _split_columns(cand, main_fs, depth=0)
    if len(columns) < 2:
        return 1
    for i, group in enumerate(columns, 1):
        for ln in group:
            ln.col = i
    _mark_spanning_headings(cand, main_fs)
    order = sorted(lines, key=lambda ln: -ln.y)  # stable: equal baselines keep PDF order
    out: list[Line] = []
    band: list[Line] = []
    for ln in order:
        if ln.col:
            band.append(ln)
            continue
        out.extend(sorted(band, key=lambda b: b.col))  # stable: each column top to bottom
        band = []
        out.append(ln)
    out.extend(sorted(band, key=lambda b: b.col))
    lines[:] = out
    return len(columns)


def _mark_spanning_headings(lines: list[Line], fs: float) -> None:
    """A short bold or larger heading that ends a band of columns (text of another column
    above it, none beside it, and below it more columns or full-width text) spans the page:
    give it ``col`` 0."""
    cols = [ln for ln in lines if ln.col]
    full = [ln for ln in lines if not ln.col]
    for ln in cols:
        if not (ln.bold or ln.fs >= 1.05 * fs):
            continue
        others = [o for o in cols if o.col != ln.col]
        beside = any(abs(o.y - ln.y) < 0.8 * max(o.fs, ln.fs) for o in others)
        above = any(o.y > ln.y for o in others)
        below = any(o.y < ln.y for o in others) or any(o.y < ln.y for o in full)
        if above and below and not beside:
            ln.col = 0


def _split_columns(lines: list[Line], fs: float, depth: int) -> list[list[Line]]:
    """Split lines at the widest gutter; recursively (up to four columns)."""
    gutter = _find_gutter(lines, fs) if depth < 2 else None
    if gutter is None:
        return [lines]
    left, right = _sides(lines, *gutter)
    return _split_columns(left, fs, depth + 1) + _split_columns(right, fs, depth + 1)


def _sides(lines: list[Line], g0: float, g1: float) -> tuple[list[Line], list[Line]]:
    """Lines left of a gutter (ending before the right column starts; a superscript may
    protrude into the gutter) and right of it (starting after the left column ends)."""
    left = [ln for ln in lines if ln.x1 <= g1 - 1.0 and ln.x0 < g0]
    right = [ln for ln in lines if ln.x0 >= g0 + 1.0 and ln.x1 > g1]
    return left, right


def _find_gutter(lines: list[Line], fs: float) -> tuple[float, float] | None:
    n = len(lines)
    if n < 8:
        return None
    x0s = [ln.x0 for ln in lines]
    x1s = [ln.x1 for ln in lines]
    xmin = min(x0s)
    xmax = max(x1s)
    width = xmax - xmin
    if width < 20 * fs:
        return None
    mid = (xmin + xmax) / 2
    crossing = sum([1 for a, b in zip(x0s, x1s, strict=True) if a < mid < b])
    if crossing > 0.8 * n:  # single column: fast exit
        return None
    lo, hi = xmin + 0.2 * width, xmax - 0.2 * width
    # Crossing counts of the elementary x-intervals inside the middle band.
    events = sorted([(ln.x0, 1) for ln in lines] + [(ln.x1, -1) for ln in lines])
    pieces: list[tuple[float, float, int]] = []
    count, x_prev = 0, xmin
    for x, step in events:
        if x > x_prev and x_prev < hi and x > lo:
            pieces.append((max(x_prev, lo), min(x, hi), count))
        count += step
        x_prev = x
    if not pieces:
        return None
    floor = min(c for _, _, c in pieces)
    if floor > 0.8 * n:  # nearly every line crosses every candidate: one column
        return None
    allowed = floor + max(1, int(0.02 * n))
    best: tuple[float, float] | None = None
    start = None
    for a, b, c in pieces:
        if c <= allowed:
            start = a if start is None else start
            if best is None or b - start > best[1] - best[0]:
                best = (start, b)
        else:
            start = None
    if best is None or best[1] - best[0] < 0.5 * fs:
        return None
    # Widen to the text on either side (the gutter may extend beyond the middle band).
    g0 = max((ln.x1 for ln in lines if ln.x1 <= best[0] + 0.5), default=best[0])
    g1 = min((ln.x0 for ln in lines if ln.x0 >= best[1] - 0.5), default=best[1])
    left, right = _sides(lines, g0, g1)
    need = max(3, 0.1 * n)
    if len(left) < need or len(right) < need:
        return None
    # Columns of running text are wide; a table's columns of short cells are not.
    if g0 - min(ln.x0 for ln in left) < 12 * fs or max(ln.x1 for ln in right) - g1 < 12 * fs:
        return None
    flush_left = sum(1 for ln in left if ln.x1 >= g0 - 3 * fs) / len(left)
    flush_right = sum(1 for ln in right if ln.x0 <= g1 + 3 * fs) / len(right)
    if flush_left < 0.4 or flush_right < 0.4:
        return None
    return g0, g1


_ROMAN = re.compile(r"^(?P<num>[IVXL]{1,6})\.\s+(?P<title>\S.*)$")
_LETTER = re.compile(r"^(?P<num>[A-Z])\.\s+(?P<title>\S.*)$")
_ARABIC = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2})*)\.?\s+(?P<title>[A-Z].*)$")
_PARA_NO = re.compile(r"^(\d{1,3})\.\s+(?=\S)")
_ITEM = re.compile(r"^(?:\([a-z]{1,4}\)|\([ivx]{1,5}\)|[•▪◦·–-])\s")
_CAPTION = re.compile(r"^(?:Figure|Table|Map|Chart|Box|Graph)\s+[\dIVX]+[A-Za-z]?\s*[.:]")
_FOOTNOTE_START = re.compile(r"^\d{1,3}(?:\s|[.)]\s|(?=[A-Z]))")


@dataclass
class Block:
    """A run of lines that form one row of the paragraph table."""

    kind: str
    page: int
    lines: list[Line]
    level: int = 0  # heading level: 1 roman, 2 letter/unnumbered, 3 arabic


@dataclass
class Layout:
    """Per-document typography: body font size, line pitch, and the text margins of each
    page's column (keys ``(page, col)``; ``col`` 0 is a single-column page or full-width
    text, see :func:`order_columns`)."""

    body_fs: float
    pitch: float
    left: dict[tuple[int, int], float]
    right: dict[tuple[int, int], float]

    def left_of(self, ln: Line) -> float:
        return self.left.get((ln.page, ln.col), ln.x0)

    def right_of(self, ln: Line) -> float:
        return self.right.get((ln.page, ln.col), ln.x1)


def _mode(values: list[float], default: float) -> float:
    if not values:
        return default
    return Counter(values).most_common(1)[0][0]


def measure(pages: list[list[Line]], widths: list[float] | None = None) -> Layout:
    """Estimate the body font size, the usual baseline pitch and each column's margins.

    Margins are measured per page and column (``(page, col)``, see :func:`order_columns`).
    A column's right edge is the 85th percentile of its long body lines' right ends when it
    has five or more; otherwise the value of the same column over the whole document, or
    (too few long lines anywhere) for a single-column page the page width minus the left
    margin, i.e. symmetric margins, and for a column its rightmost line end.
    """
    # Font size of the most characters: each line adds its length to its rounded size
    # (ties go to the size seen first, as Counter.most_common does).
    body_fs = _main_size([ln for lines in pages for ln in lines if ln.kind == "body"])
    body_fs = 10.0 if body_fs is None else body_fs
    gaps: list[float] = []
    left: dict[tuple[int, int], float] = {}
    right: dict[tuple[int, int], float] = {}
    widest: dict[tuple[int, int], float] = {}
    long_by_col: dict[int, list[float]] = {}
    max_gap = 3 * body_fs
    for lines in pages:
        groups: dict[tuple[int, int], list[Line]] = {}
        prev = None
        for ln in lines:
            if ln.kind != "body" or not abs(ln.fs - body_fs) < 0.6:
                continue
            if prev is not None and prev.col == ln.col and 0 < prev.y - ln.y < max_gap:
                gaps.append(prev.y - ln.y)  # rounded to 0.1 pt below, once
            prev = ln
            key = (ln.page, ln.col)
            group = groups.get(key)
            if group is None:
                groups[key] = [ln]
            else:
                group.append(ln)
        for key, group in groups.items():
            # Left margin: the leftmost x0 shared by several lines (first-line indents and
            # centred masthead lines sit to its right).
            exact: dict[float, int] = {}
            for ln in group:
                exact[ln.x0] = exact.get(ln.x0, 0) + 1
            bins: dict[float, int] = {}
            for x0, n in exact.items():
                x = round(x0 / 2) * 2
                bins[x] = bins.get(x, 0) + n
            enough = max(2, len(group) // 20)
            shared = [x for x, n in bins.items() if n >= enough]
            left[key] = min(shared) if shared else min(ln.x0 for ln in group)
            widest[key] = max(ln.x1 for ln in group)
            long = sorted([ln.x1 for ln in group if len(ln.text) > 30])
            long_by_col.setdefault(key[1], []).extend(long)
            if len(long) >= 5:
                right[key] = long[int(0.85 * (len(long) - 1))]
    doc_right = {}
    for col, long in long_by_col.items():
        long.sort()
        if len(long) >= 5:
            doc_right[col] = long[int(0.85 * (len(long) - 1))]
    for (p, col), x in left.items():
        if (p, col) in right:
            continue
        if col in doc_right:
            right[(p, col)] = doc_right[col]
        elif col == 0:
            width = widths[p - 1] if widths and p <= len(widths) else 2 * x + 400
            right[(p, col)] = width - x
        else:
            right[(p, col)] = widest[(p, col)]
    # Line pitch: a low percentile of baseline gaps, since in resolutions (many one-line
    # paragraphs) the gaps between paragraphs can outnumber those inside them.
    # (Rounding to 0.1 pt is monotonic: the percentile of the rounded gaps is the rounded
    # percentile.)
    pitch = round(sorted(gaps)[int(0.15 * len(gaps))], 1) if gaps else 1.2 * body_fs
    return Layout(body_fs, pitch, left, right)


def mark_footnotes_and_captions(lines: list[Line], lay: Layout) -> None:
    """Mark page-bottom small-type notes as footnotes and figure/table captions as captions."""
    small = 0.9 * lay.body_fs
    by_height = sorted((ln for ln in lines if ln.kind == "body"), key=lambda ln: ln.y)
    bottom: list[Line] = []
    for ln in by_height:
        if ln.fs >= small:
            break
        bottom.append(ln)
    if bottom:
        top = bottom[-1]
        if _FOOTNOTE_START.match(top.text) and not _CAPTION.match(top.text):
            for ln in bottom:
                ln.kind = "footnote"
    caption: Line | None = None
    for ln in lines:
        if ln.kind != "body":
            caption = None if ln.kind != "header" else caption
            continue
        if (
            _CAPTION.match(ln.text)
            and (ln.fs < 0.95 * lay.body_fs or ln.bold)
            or (
                caption is not None
                and abs(ln.fs - caption.fs) < 0.3
                and ln.fs < 0.95 * lay.body_fs
                and 0 < caption.y - ln.y < 2.2 * ln.fs
            )
        ):
            ln.kind, caption = "caption", ln
        else:
            caption = None


def heading_level(ln: Line, lay: Layout, last_letter: str | None) -> int:
    """Return 1-3 if the line starts a section heading, else 0."""
    text = ln.text
    styled = ln.bold or ln.fs >= 1.1 * lay.body_fs
    m = _ROMAN.match(text)
    letter = _LETTER.match(text)
    if not styled and m is None and letter is None:
        return 0  # the common case: a plain line that is no numbered heading
    short = ln.x1 < lay.right_of(ln) - 3 * ln.fs
    plain_ok = len(text) <= 90 and short and not text.endswith((".", ";", ",", ":"))
    if m and last_letter and len(m["num"]) == 1 and ord(m["num"]) == ord(last_letter) + 1:
        m = None  # "I." right after "H." is a letter heading
    if m and (styled or plain_ok):
        return 1
    if letter and (styled or plain_ok):
        return 2
    if not styled or len(text) > 160 or text.endswith((".", ";", ",")):
        return 0
    if _ARABIC.match(text):
        return 3 if ln.bold and len(text) <= 100 else 0
    if _PARA_NO.match(text) or _ITEM.match(text):
        return 0
    return 2  # unnumbered bold/large line


_ENDS = (".", ":", ";", "!", "?", "”", '"', ")")
_ROMAN_START = frozenset("IVXL")  # first characters _ROMAN can match
_ITEM_START = frozenset("(•▪◦·–-")  # first characters _ITEM can match


def _starts_paragraph(prev: Line, ln: Line, cur: list[Line], lay: Layout, next_no: int) -> bool:
    """Does ``ln`` start a new paragraph after ``prev`` (the last line of ``cur``)?

    In order: never after a line-end hyphen; yes after a short line (the next line's first
    word would have fitted: lines only wrap when it does not); yes at the next paragraph
    number, or any number after a line ending a sentence; yes at a list item after a
    line ending in ``: ; .``; yes after a vertical gap over 1.3 line pitches on the same
    page; yes at a first-line indent after a line ending a sentence, unless ``cur`` is a
    lone numbered or item line (a hanging indent).
    """
    if prev.hyphen:
        return False
    fs = prev.fs if prev.fs > ln.fs else ln.fs  # noqa: FURB136 (hot loop: no call)
    right = lay.right.get((prev.page, prev.col), prev.x1)
    text = ln.text
    n_first = text.find(" ")  # length of the next line's first word
    if n_first < 0:
        n_first = len(text)
    # A line wraps only when the next word does not fit: room for it means the paragraph ended.
    room = 0.5 * fs * n_first + 0.3 * fs
    if prev.x1 < right - (room if room > 1.5 * fs else 1.5 * fs):  # noqa: FURB136
        return True  # short
    ends = prev.text.endswith(_ENDS)
    first = text[:1]
    if first.isdigit():  # (cheap test before the regex: a paragraph number starts so)
        m = _PARA_NO.match(text)
        if m and (ends or int(m.group(1)) == next_no):
            return True
    if first in _ITEM_START and _ITEM.match(text) and prev.text.endswith((":", ";", ".")):
        return True
    if ln.page == prev.page and prev.y - ln.y > 1.3 * lay.pitch * fs / lay.body_fs:
        return True
    if not ends:
        return False
    left = lay.left.get((ln.page, ln.col), ln.x0)
    if not (ln.x0 > left + 0.7 * ln.fs and ln.x0 > prev.x0 + 0.7 * ln.fs):
        return False  # not indented
    hanging = len(cur) == 1 and (_PARA_NO.match(cur[0].text) or _ITEM.match(cur[0].text))
    return not hanging


def build_blocks(pages: list[list[Line]], lay: Layout) -> list[Block]:
    """Group the marked lines of all pages into blocks in document order."""
    blocks: list[Block] = []
    cur: list[Line] = []
    next_no = 1
    last_letter: str | None = None

    open_block: Block | None = None
    styled_fs = 1.1 * lay.body_fs

    def close() -> None:
        nonlocal cur, next_no, open_block
        if cur:
            if open_block is None or open_block.lines is not cur:
                blocks.append(Block("paragraph", cur[0].page, cur))
            open_block = None
            m = _PARA_NO.match(cur[0].text)
            if m:
                next_no = int(m.group(1)) + 1
            cur = []

    for lines in pages:
        if not lines:  # a page without text (image) ends the paragraph in progress
            close()
            continue
        body = [ln for ln in lines if ln.kind in ("body", "caption")]
        i = 0
        while i < len(body):
            ln = body[i]
            if ln.kind == "caption":
                close()
                group = [ln]
                while (
                    i + 1 < len(body)
                    and body[i + 1].kind == "caption"
                    and not _CAPTION.match(body[i + 1].text)
                ):
                    i += 1
                    group.append(body[i])
                blocks.append(Block("caption", ln.page, group))
                i += 1
                continue
            # heading_level's own first test, inlined: most lines are plain body text
            text = ln.text
            # (a roman heading starts with I V X or L; a letter heading has "." second)
            if ln.bold or ln.fs >= styled_fs or text[:1] in _ROMAN_START or text[1:2] == ".":
                level = heading_level(ln, lay, last_letter)
            else:
                level = 0
            if level:
                close()
                group = [ln]
                while (
                    i + 1 < len(body)
                    and (ln.bold or ln.fs >= 1.1 * lay.body_fs)
                    and len(group) < 3
                    and body[i + 1].kind == "body"
                    and body[i + 1].bold == ln.bold
                    and abs(body[i + 1].fs - ln.fs) < 0.3
                    and 0 < group[-1].y - body[i + 1].y < 1.8 * ln.fs
                    and not group[-1].text.endswith((".", ":", ";"))
                    and not _ROMAN.match(body[i + 1].text)
                    and not _LETTER.match(body[i + 1].text)
                ):
                    i += 1
                    group.append(body[i])
                if level == 2 and _LETTER.match(ln.text):
                    last_letter = ln.text[0]
                elif level == 1:
                    last_letter = None
                blocks.append(Block("heading", ln.page, group, level))
                i += 1
                continue
            if cur and not cur[-1].hyphen and _starts_paragraph(cur[-1], ln, cur, lay, next_no):
                close()
            cur.append(ln)
            i += 1
        notes = [ln for ln in lines if ln.kind == "footnote"]
        if notes:
            if cur and open_block is None:
                # The open paragraph may continue on the next page: reserve its place before
                # this page's notes so para_seq follows reading order; close() fills it.
                open_block = Block("paragraph", cur[0].page, cur)
                blocks.append(open_block)
            group: list[Line] = []
            for ln in notes:
                if group and _FOOTNOTE_START.match(ln.text):
                    blocks.append(Block("footnote", group[0].page, group))
                    group = []
                group.append(ln)
            blocks.append(Block("footnote", group[0].page, group))
    close()
    return blocks
