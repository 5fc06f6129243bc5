"""Paragraph ids and evidence ids: the one place they are built and read.

A paragraph id names a coded paragraph (extraction ``kind == "paragraph"``) the way a reader
finds it in the PDF, by the number printed in the document (``para_no``):

- ``<doc_id>:<para_no>`` when the paragraph has a printed number that no other coded
  paragraph of the same document has: ``S-2007-503:10`` is the paragraph printed "10.";
- ``<doc_id>:s<para_seq>`` otherwise: a paragraph printed without a number (a resolution's
  preambular paragraphs, the body of a study) and every paragraph whose number is printed
  more than once in the document (an annex that numbers from 1 again), e.g.
  ``S-RES-1885-2009:s7``. ``para_seq`` is the extraction's running order of all blocks of
  the document (headings, captions and footnotes count too), not a count of paragraphs.

An evidence id is the paragraph id, the variable and the number of the evidence row among
that paragraph's rows of that variable (1, 2, ...): ``S-2007-503:10:market:1``.

Ids read back unambiguously (:func:`split_para_id`, :func:`split_evidence_id`): a doc_id
never holds ``:`` (the manifest allows letters, digits, ``-``, ``_``, ``.``), a printed
number is digits with an optional lower-case letter (``12``, ``12a``), and the sequence form
starts with ``s``. A printed number of any other shape is not used in ids (sequence form).

Ids are unique and stable: repeats of a number are looked for among the coded paragraphs of
a document only (footnote numbers do not count), so the same extraction gives the same ids
whatever the codebook. :func:`para_ids` therefore needs every coded paragraph of a document
at once; the coding stage computes them once (``para_id`` of ``coded_paragraphs.parquet``)
and later stages read that column rather than recomputing ids from a subset. Tables keep
``para_no`` (printed, null or empty when none), ``para_seq`` and ``page`` as their own
columns; joins between tables use ``(doc_id, para_seq)``.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

import pandas as pd

PRINTED_NUMBER = r"\d+[a-z]?"
PARA_ID_PATTERN = rf"^[^:]+:(?:{PRINTED_NUMBER}|s[1-9]\d*)$"
EVIDENCE_ID_PATTERN = rf"^[^:]+:(?:{PRINTED_NUMBER}|s[1-9]\d*):[a-z_]+:[1-9]\d*$"
_NUMBER = re.compile(rf"^{PRINTED_NUMBER}$")
_SEQ = re.compile(r"^s([1-9]\d*)$")


class ParaRef(NamedTuple):
    """A parsed paragraph id: ``para_no`` for the printed form, ``para_seq`` for the
    sequence form (the other is None)."""

    doc_id: str
    para_no: str | None
    para_seq: int | None


class EvidenceRef(NamedTuple):
    para_id: str
    variable: str
    k: int


def printed_number(para_no) -> str | None:
    """The printed number as ids use it, or None (no number, or one of another shape)."""
    if para_no is None or para_no is pd.NA or (isinstance(para_no, float)
                                               and math.isnan(para_no)):
        return None
    text = str(para_no).strip()
    return text if _NUMBER.match(text) else None


def _check_doc_id(doc_id) -> str:
    doc_id = str(doc_id)
    if not doc_id or ":" in doc_id:
        raise ValueError(f"doc_id {doc_id!r} cannot be part of a paragraph id: it must be "
                         "non-empty and hold no ':' (fix it in the manifest)")
    return doc_id


def para_id(doc_id: str, para_no, para_seq) -> str:
    """The id of one paragraph: ``doc:para_no`` when ``para_no`` is given (and is a printed
    number), else ``doc:s<para_seq>``.

    The caller passes ``para_no`` only when it is unique among the document's coded
    paragraphs; :func:`para_ids` does that check for a whole table."""
    doc_id = _check_doc_id(doc_id)
    number = printed_number(para_no)
    if number is not None:
        return f"{doc_id}:{number}"
    seq = int(para_seq)
    if seq < 1:
        raise ValueError(f"{doc_id}: para_seq {para_seq!r} must be 1 or more")
    return f"{doc_id}:s{seq}"


def para_ids(table: pd.DataFrame) -> pd.Series:
    """Paragraph ids of a table holding EVERY coded paragraph of its documents (columns
    ``doc_id``, ``para_no``, ``para_seq``), aligned with its index. A printed number found on
    two paragraphs of one document gives both the sequence form."""
    numbers = table["para_no"].map(printed_number)
    known = numbers.notna()
    repeated = known & pd.DataFrame({"d": table["doc_id"], "n": numbers}).duplicated(
        ["d", "n"], keep=False)
    usable = numbers.where(known & ~repeated, None)
    ids = [para_id(d, n, s) for d, n, s in zip(table["doc_id"], usable, table["para_seq"],
                                               strict=True)]
    return pd.Series(ids, index=table.index, dtype=object, name="para_id")


def split_para_id(value) -> ParaRef | None:
    """``"S-2007-503:10"`` -> ``ParaRef("S-2007-503", "10", None)``; ``"doc:s7"`` ->
    ``ParaRef("doc", None, 7)``; None when ``value`` is not a paragraph id."""
    doc_id, sep, tail = str(value).strip().rpartition(":")
    if not sep or not doc_id or ":" in doc_id:
        return None
    if _NUMBER.match(tail):
        return ParaRef(doc_id, tail, None)
    m = _SEQ.match(tail)
    return ParaRef(doc_id, None, int(m.group(1))) if m else None


def evidence_id(paragraph: str, variable: str, k: int) -> str:
    """``<para_id>:<variable>:<k>``, the id of the k-th (from 1) evidence row of a
    paragraph and variable."""
    return f"{paragraph}:{variable}:{int(k)}"


def split_evidence_id(value) -> EvidenceRef | None:
    """``"S-2007-503:10:market:1"`` -> ``EvidenceRef("S-2007-503:10", "market", 1)``;
    None when ``value`` is not an evidence id."""
    parts = str(value).strip().split(":")
    if len(parts) != 4 or not re.fullmatch(r"[a-z_]+", parts[2]) or not re.fullmatch(
            r"[1-9]\d*", parts[3]):
        return None
    paragraph = ":".join(parts[:2])
    if split_para_id(paragraph) is None:
        return None
    return EvidenceRef(paragraph, parts[2], int(parts[3]))


def evidence_paragraphs(evidence_ids) -> set[str]:
    """The paragraph ids of a ``;``-joined list of evidence ids (a ``mission_activity.csv``
    cell); entries that are not evidence ids are skipped."""
    refs = (split_evidence_id(e) for e in str(evidence_ids or "").split(";") if e.strip())
    return {r.para_id for r in refs if r is not None}


def refers_to(ids: pd.Series, doc_id: pd.Series, para_no: pd.Series,
              para_seq: pd.Series) -> pd.Series:
    """True where a paragraph id names the paragraph of its row: the id's document is
    ``doc_id`` and its printed number is ``para_no`` (printed form) or its sequence is
    ``para_seq`` (sequence form). For schema checks of tables carrying ids."""
    out = []
    for value, doc, no, seq in zip(ids, doc_id, para_no, para_seq, strict=True):
        ref = split_para_id(value)
        if ref is None or ref.doc_id != str(doc):
            out.append(False)
        elif ref.para_no is not None:
            out.append(ref.para_no == printed_number(no))
        else:
            out.append(ref.para_seq == int(seq))
    return pd.Series(out, index=ids.index, dtype=bool)
