"""The coded variables of a coding round, their allowed values, and paragraph ids.

Every coding round (the automated one, a revised codebook, human coders) is stored in one
LONG format: one row per paragraph and variable, ``para_id, variable, value``. This module
fixes that format:

- ``para_id`` is the paragraph id of :mod:`analysis.ids`, by the number printed in the
  document (``demo-rep-minusca-02:14`` is the paragraph printed "14."; ``doc:s3`` a
  paragraph without a unique printed number), read from ``coded_paragraphs.parquet``;
  ``page``, ``para_no`` (printed, empty when none) and ``para_seq`` stand beside it.
- the variables, in RESEARCH-DESIGN.md words (:data:`analysis.vocab.VARIABLES`): for reports and studies
  ``oc, activity, quadrant, market, engagement, negative_reason``; for resolutions ``oc,
  market, part, strength, addressee, explicit_mandate``. ``oc`` and ``market`` apply to both
  because the mandates table reads them (``oc_reference``, ``markets``).
- values are written the same way everywhere: ``true``/``false`` for binary variables;
  ``none`` when a labelled variable has no label (no quadrant, no market named, no
  engagement, no negative reason, no strength, no addressee); several quadrants or markets
  joined with ``;`` in the codebook's order. The allowed labels come from the codebook
  (:func:`vocabulary`), so a revised codebook with a new market accepts it.

:func:`long_codes` turns ``coded_paragraphs.parquet`` (wide, :mod:`analysis.coding.paragraphs`) into
the long format; :func:`normalise` reads one cell written by a person.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.coding.codebook import Codebook
from analysis.vocab import (
    ALL_TYPES,
    FALSE,
    NONE,
    PARTS,
    QUADRANTS,
    REPORT_TYPES,
    RESOLUTION_TYPES,
    TRUE,
    VARIABLES,
)

_SPELLINGS = {"true": TRUE, "yes": TRUE, "1": TRUE, "y": TRUE,
              "false": FALSE, "no": FALSE, "0": FALSE, "n": FALSE}


@dataclass(frozen=True)
class Variable:
    """A coded variable: the doc types it applies to, its labels, and its kind.

    ``binary``: true/false. Otherwise ``labels`` are the allowed values besides ``none``
    (``allow_none``); ``several``: more than one label may be given, joined with ``;``.
    """

    name: str
    doc_types: tuple[str, ...]
    labels: tuple[str, ...] = ()
    binary: bool = False
    several: bool = False
    allow_none: bool = True
    meaning: str = ""

    @property
    def allowed(self) -> tuple[str, ...]:
        """Every value a cell may hold (for one label; lists combine ``labels``)."""
        if self.binary:
            return (TRUE, FALSE)
        return self.labels + ((NONE,) if self.allow_none else ())

    def applies(self, doc_type: str) -> bool:
        return doc_type in self.doc_types


def vocabulary(codebook: Codebook) -> dict[str, Variable]:
    """The variables of :data:`VARIABLES` with the codebook's labels (in codebook order)."""
    v = [
        Variable("oc", ALL_TYPES, binary=True, meaning="the paragraph is about organized crime"),
        Variable("activity", REPORT_TYPES, binary=True,
                 meaning="the operation itself does or supports OC work (not concern, plans, "
                         "negations, postponed work or other actors alone)"),
        Variable("quadrant", REPORT_TYPES, tuple(QUADRANTS), several=True,
                 meaning="target (consequences|drivers) x mode (direct|indirect) of the "
                         "activity; none without activity"),
        Variable("market", ALL_TYPES, tuple(codebook.markets), several=True,
                 meaning="crime markets named"),
        Variable("engagement", REPORT_TYPES, tuple(codebook.engagement),
                 meaning="PACT-style engagement of the operation; none without activity"),
        Variable("negative_reason", REPORT_TYPES, tuple(codebook.negative),
                 meaning="why OC text is not activity; none otherwise"),
        Variable("part", RESOLUTION_TYPES, PARTS, allow_none=False,
                 meaning="preambular or operative paragraph"),
        Variable("strength", RESOLUTION_TYPES, (*codebook.strength, "reference"),
                 meaning="force of the verb: requested, encouraged, reference (preambular)"),
        Variable("addressee", RESOLUTION_TYPES, tuple(codebook.addressee),
                 meaning="whom the paragraph addresses"),
        Variable("explicit_mandate", RESOLUTION_TYPES, binary=True,
                 meaning="an operative paragraph requests or authorizes the operation itself "
                         "to address OC"),
    ]
    return {x.name: x for x in v}


def normalise(var: Variable, raw) -> tuple[str | None, str | None]:
    """``(value, problem)`` for one cell: the canonical value, or None and why not.

    Case and spaces are ignored; binary cells accept true/false, yes/no, 1/0; several labels
    are separated by ``;`` (or ``,``) and come back in codebook order; ``none`` cannot be
    combined with a label.
    """
    text = str(raw).strip().lower()
    if var.binary:
        if text in _SPELLINGS:
            return _SPELLINGS[text], None
        return None, f"{raw!r} is not true or false"
    parts = [p.strip().replace(" ", "_").replace("-", "_") for p in
             text.replace(",", ";").split(";") if p.strip()]
    if not parts:
        return None, "empty"
    unknown = [p for p in parts if p not in var.allowed]
    if unknown:
        return None, (f"{', '.join(map(repr, unknown))} not allowed; use "
                      f"{' | '.join(var.allowed)}")
    if len(parts) > 1 and NONE in parts:
        return None, "'none' cannot be combined with a label"
    if len(set(parts)) > 1 and not var.several:
        return None, "only one value allowed"
    if parts == [NONE]:
        return NONE, None
    return ";".join(label for label in var.labels if label in set(parts)), None


def labels_of(value: str) -> frozenset:
    """The label set of a canonical value (``none``/``false`` -> empty set)."""
    if value in (NONE, FALSE, "") or value is None:
        return frozenset()
    return frozenset(value.split(";"))


def _given(value) -> bool:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return False
    return str(value) != ""


def _bool_value(value) -> str:
    return TRUE if _given(value) and bool(value) else FALSE


def _list_value(cell, var: Variable) -> str:
    labels = {x for x in str(cell or "").split(";") if x} if _given(cell) else set()
    ordered = [x for x in var.labels if x in labels] + sorted(labels - set(var.labels))
    return ";".join(ordered) if ordered else NONE


def _label_value(cell) -> str:
    return str(cell) if _given(cell) else NONE


# The columns that say which paragraph a row is about, in every round table.
PARAGRAPH_COLUMNS = ["para_id", "doc_id", "page", "para_no", "para_seq", "doc_type"]
LONG_COLUMNS = [*PARAGRAPH_COLUMNS, "variable", "value"]


def printed_no(value) -> str:
    """``para_no`` as round tables and sheets write it: the printed number, "" when none."""
    return str(value) if _given(value) else ""


def paragraph_table(coded: pd.DataFrame) -> pd.DataFrame:
    """:data:`PARAGRAPH_COLUMNS` of every coded paragraph, indexed by ``para_id`` (the ids
    of ``coded_paragraphs``, never rebuilt from a subset)."""
    if "para_id" not in coded.columns:
        raise ValueError("the coded paragraphs table has no para_id column (it was written "
                         "before paragraph ids carried the printed number); rebuild it with "
                         "the coding step (rule code_paragraphs)")
    out = coded[PARAGRAPH_COLUMNS].copy()
    out["para_no"] = out["para_no"].map(printed_no)
    out["page"] = out["page"].astype(int)
    out["para_seq"] = out["para_seq"].astype(int)
    out.index = pd.Index(out["para_id"].to_numpy())
    return out


def long_codes(coded: pd.DataFrame, vocab: dict[str, Variable]) -> pd.DataFrame:
    """``coded_paragraphs`` (wide) -> long codes, one row per paragraph x applicable
    variable (:data:`LONG_COLUMNS`), sorted by doc_id, para_seq and :data:`VARIABLES`."""
    source = {"quadrant": "quadrants", "market": "markets"}
    info = paragraph_table(coded)
    rows = []
    for rec, where in zip(coded.to_dict("records"), info.itertuples(index=False, name=None),
                          strict=True):
        for name in VARIABLES:
            var = vocab[name]
            if not var.applies(rec["doc_type"]):
                continue
            cell = rec.get(source.get(name, name))
            if var.binary:
                value = _bool_value(cell)
            elif var.several:
                value = _list_value(cell, var)
            else:
                value = _label_value(cell)
            rows.append((*where, name, value))
    out = pd.DataFrame(rows, columns=LONG_COLUMNS)
    out["order"] = out["variable"].map(VARIABLES.index)
    out = out.sort_values(["doc_id", "para_seq", "order"], kind="stable")
    return out.drop(columns="order").reset_index(drop=True)


def codebook_table(vocab: dict[str, Variable]) -> pd.DataFrame:
    """The allowed values of every variable, for coders (``<round>.codebook.csv``)."""
    rows = []
    for name in VARIABLES:
        var = vocab[name]
        rows.append({"variable": name, "applies_to": ";".join(var.doc_types),
                     "allowed_values": " | ".join(var.allowed),
                     "several": "yes, separated by ;" if var.several else "no",
                     "meaning": var.meaning})
    return pd.DataFrame(rows)
