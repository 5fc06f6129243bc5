"""Coder sheets: a stratified, seeded sample of paragraphs with empty code columns.

:func:`sample_paragraphs` draws the paragraphs. Strata are the document type crossed with the
paragraph's RAREST automated code: each paragraph's positive codes (``oc``, ``activity``,
``explicit_mandate`` when true; every quadrant, market, engagement, negative reason,
strength and addressee it has) are looked up in the corpus counts of its document type, and
the least frequent one names its stratum (``report|market=kidnapping``); a paragraph with
no positive code is in ``<doc_type>|none``. The sample is allocated EQUALLY across strata
(each stratum gets the same number, or all its paragraphs when it has fewer; left-over
places go to the largest strata), so rare codes are seen by coders even in a small sheet.
The sample is therefore not proportional to the corpus: ``<round>.sample.csv`` keeps every
sampled paragraph (``para_id, doc_id, page, para_no, para_seq``) with its stratum, stratum
size and sampling weight.

:func:`coder_sheet` lays the sample out for coders, in document order: ``para_id, doc_id,
doc_type, page, para_no, para_seq, operations, text`` (``para_id`` by the printed number,
:mod:`analysis.ids`; ``para_no`` empty for an unnumbered paragraph), one column per variable of
:data:`analysis.rounds.variables.VARIABLES` (empty; ``n/a`` where the variable does not apply
to the document type), and a free ``comment`` column. :func:`analysis.rounds.variables.
codebook_table` lists the allowed values beside it (``<round>.codebook.csv``).

Same table, size and seed => the same sheet, byte for byte.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from analysis.rounds.variables import Variable, long_codes, paragraph_table
from analysis.vocab import FALSE, NONE, NOT_APPLICABLE, VARIABLES

SHEET_INFO = ["para_id", "doc_id", "doc_type", "page", "para_no", "para_seq", "operations",
              "text"]
SHEET_COLUMNS = [*SHEET_INFO, *VARIABLES, "comment"]
SAMPLE_COLUMNS = ["para_id", "doc_id", "page", "para_no", "para_seq", "stratum",
                  "stratum_size", "stratum_sampled", "weight"]
# Codes every paragraph of a type has, which say nothing about rarity.
_NOT_A_STRATUM = ("part",)


def _positive_codes(long: pd.DataFrame) -> pd.DataFrame:
    """(para_id, doc_type, code) for every positive automated code."""
    pos = long[~long["value"].isin([NONE, FALSE, ""]) & ~long["variable"].isin(_NOT_A_STRATUM)]
    rows = []
    for rec in pos.itertuples():
        labels = [rec.variable] if rec.value == "true" else [
            f"{rec.variable}={x}" for x in rec.value.split(";")]
        rows += [(rec.para_id, rec.doc_type, code) for code in labels]
    return pd.DataFrame(rows, columns=["para_id", "doc_type", "code"])


def strata(coded: pd.DataFrame, vocab: dict[str, Variable]) -> pd.DataFrame:
    """``para_id, doc_type, stratum`` of every coded paragraph (see the module doc)."""
    long = long_codes(coded, vocab)
    codes = _positive_codes(long)
    counts = Counter(zip(codes["doc_type"], codes["code"], strict=True))
    rarest: dict[str, str] = {}
    for rec in codes.itertuples():
        key = (counts[(rec.doc_type, rec.code)], rec.code)  # ties: alphabetical code
        best = rarest.get(rec.para_id)
        if best is None or key < (counts[(rec.doc_type, best)], best):
            rarest[rec.para_id] = rec.code
    out = pd.DataFrame({"para_id": coded["para_id"].to_numpy(),
                        "doc_type": coded["doc_type"].to_numpy()})
    out["stratum"] = [f"{t}|{rarest.get(p, 'none')}" for p, t in zip(
        out["para_id"], out["doc_type"], strict=True)]
    return out


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Equal allocation of ``n`` places over strata of ``sizes``, capped by each size; the
    places left by small strata go one by one to the largest (ties: name)."""
    n = min(n, sum(sizes.values()))
    take = dict.fromkeys(sizes, 0)
    while sum(take.values()) < n:
        open_ = [s for s in sizes if take[s] < sizes[s]]
        per = (n - sum(take.values())) // len(open_)
        if per == 0:
            for s in sorted(open_, key=lambda s: (-(sizes[s] - take[s]), s))[
                    :n - sum(take.values())]:
                take[s] += 1
            break
        for s in open_:
            take[s] += min(per, sizes[s] - take[s])
    return take


def sample_paragraphs(coded: pd.DataFrame, vocab: dict[str, Variable], size: int,
                      seed: int) -> pd.DataFrame:
    """The sample (:data:`SAMPLE_COLUMNS`), sorted by para_id order of ``coded``."""
    table = strata(coded, vocab)
    sizes = table.groupby("stratum").size().to_dict()
    take = allocate(sizes, size)
    rng = np.random.default_rng(seed)
    chosen = []
    for stratum in sorted(sizes):  # fixed order: the same seed draws the same paragraphs
        members = table.loc[table["stratum"] == stratum, "para_id"].tolist()
        picks = rng.permutation(len(members))[:take[stratum]]
        chosen += [(members[i], stratum) for i in sorted(picks)]
    sample = pd.DataFrame(chosen, columns=["para_id", "stratum"])
    sample["stratum_size"] = sample["stratum"].map(sizes).astype(int)
    sample["stratum_sampled"] = sample["stratum"].map(take).astype(int)
    sample["weight"] = (sample["stratum_size"] / sample["stratum_sampled"]).round(6)
    order = {p: i for i, p in enumerate(table["para_id"])}
    sample = sample.sort_values("para_id", key=lambda s: s.map(order), kind="stable")
    where = paragraph_table(coded).loc[sample["para_id"]]
    for column in ("doc_id", "page", "para_no", "para_seq"):
        sample[column] = where[column].to_numpy()
    return sample[SAMPLE_COLUMNS].reset_index(drop=True)


def coder_sheet(coded: pd.DataFrame, sample: pd.DataFrame,
                vocab: dict[str, Variable]) -> pd.DataFrame:
    """The sheet coders fill in (:data:`SHEET_COLUMNS`), one row per sampled paragraph."""
    where = paragraph_table(coded)
    rows = coded.set_index(where.index).loc[sample["para_id"]]
    where = where.loc[sample["para_id"]]
    sheet = pd.DataFrame({
        "para_id": where["para_id"], "doc_id": where["doc_id"], "doc_type": where["doc_type"],
        "page": where["page"], "para_no": where["para_no"], "para_seq": where["para_seq"],
        "operations": rows["operations"].fillna("").astype(str),
        "text": rows["text"].astype(str)}).reset_index(drop=True)
    for name in VARIABLES:
        sheet[name] = [("" if vocab[name].applies(t) else NOT_APPLICABLE)
                       for t in sheet["doc_type"]]
    sheet["comment"] = ""
    return sheet[SHEET_COLUMNS]
