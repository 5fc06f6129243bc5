"""Named numbers for the paper: raw value, formatted text and where each came from.

:class:`Numbers` collects every number the paper quotes. Each entry has a raw ``value``
(int, float rounded to :data:`DIGITS` places, bool, str or None), the ``text`` the paper
prints, and a ``source``: the file it was computed from and how. :meth:`Numbers.as_json`
gives ``{"corpus", "values", "text", "sources"}`` with sorted keys, so the same inputs give
byte-identical ``numbers.json``.

Formatting conventions (one place, so the paper is consistent): counts with a thousands
separator; shares as percentages with one decimal; ratios and estimates with two decimals;
p-values with three decimals, or ``<0.001``; intervals as ``low–high``; missing as ``n/a``.
Infinite bounds of a ratio interval (a test-inversion interval that no value beyond rejects)
print as ``0`` below and ``∞`` above (:func:`fmt_bound_ci`), never ``inf`` or ``nan``.
"""

from __future__ import annotations

import json
import math

DIGITS = 6  # decimals kept of raw floats: enough to recompute, stable across platforms
MISSING = "n/a"


def clean(value):
    """A JSON-safe raw value: floats rounded (NaN/inf -> None), numpy scalars unboxed."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalar
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, DIGITS) + 0.0
    return value


def fmt_count(n) -> str:
    return MISSING if n is None else f"{int(n):,}"


def fmt_share(x) -> str:
    """A share in [0, 1] as a percentage with one decimal: 0.4213 -> '42.1%'."""
    return MISSING if x is None else f"{100 * x:.1f}%"


def fmt_ratio(x, digits: int = 2) -> str:
    return MISSING if x is None else f"{x:.{digits}f}"


def fmt_p(p) -> str:
    if p is None:
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def fmt_ci(low, high, digits: int = 2) -> str:
    if low is None or high is None:
        return MISSING
    return f"{low:.{digits}f}–{high:.{digits}f}"


INFINITY = "∞"


def fmt_bound(x, digits: int = 2) -> str:
    """One bound of a RATIO interval: +inf -> '∞', 0 or -inf (exp(-inf)) -> '0', NaN/None ->
    'n/a', else two decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    x = float(x)
    if math.isinf(x):
        return INFINITY if x > 0 else "0"
    return "0" if x == 0 else f"{x:.{digits}f}"


def fmt_bound_ci(low, high, digits: int = 2) -> str:
    """A ratio interval whose bounds may be infinite: ``0.85–∞``, ``0–3.20``; ``n/a`` when a
    bound is missing."""
    low_t, high_t = fmt_bound(low, digits), fmt_bound(high, digits)
    if MISSING in (low_t, high_t):
        return MISSING
    return f"{low_t}–{high_t}"


def fmt_bool(flag) -> str:
    return MISSING if flag is None else ("yes" if flag else "no")


class Numbers:
    """Named numbers with their text and source (see the module doc)."""

    def __init__(self, corpus: str):
        self.corpus = corpus
        self.values: dict = {}
        self.text: dict = {}
        self.sources: dict = {}

    def add(self, key: str, value, text: str | None, file: str, how: str) -> None:
        """Record ``key``. ``text`` None: the raw value as a string (or ``n/a``)."""
        if key in self.values:
            raise ValueError(f"numbers: key {key!r} set twice (by {self.sources[key]['file']} "
                             f"and {file}); give one of them another name")
        value = clean(value)
        self.values[key] = value
        self.text[key] = text if text is not None else (MISSING if value is None else str(value))
        self.sources[key] = {"file": str(file), "how": how}

    # Shorthands for the common kinds of number.
    def count(self, key, n, file, how):
        n = None if n is None else int(n)
        self.add(key, n, fmt_count(n), file, how)

    def share(self, key, x, file, how):
        self.add(key, x, fmt_share(clean(x)), file, how)

    def ratio(self, key, x, file, how, digits: int = 2):
        self.add(key, x, fmt_ratio(clean(x), digits), file, how)

    def pvalue(self, key, p, file, how):
        self.add(key, p, fmt_p(clean(p)), file, how)

    def flag(self, key, flag, file, how):
        self.add(key, None if flag is None else bool(flag), fmt_bool(flag), file, how)

    def label(self, key, value, file, how):
        self.add(key, value, None, file, how)

    def as_json(self) -> str:
        doc = {"corpus": self.corpus, "values": self.values, "text": self.text,
               "sources": self.sources}
        return json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False,
                          allow_nan=False) + "\n"
