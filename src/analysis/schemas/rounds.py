"""Schemas of the coding-round tables (``results/coding/``), checked where they are written.

- :class:`RoundCodes` ``rounds/<round>/codes.parquet``: every code of every coder of a human
  round (long: one row per coder, paragraph and variable).
- :class:`RoundCoded` ``rounds/<round>/coded.parquet``: the round's coding of the whole
  corpus in the long format (``para_id, variable, value``) with where each value came from
  (``source``: automated | adjudicated | unanimous | single | majority).
- :class:`Consensus` ``rounds/<round>/consensus.csv`` and :class:`Disagreements`
  ``disagreements.csv``: see :mod:`analysis.rounds.agree`.
- :class:`Reliability` ``reliability.csv``: alpha per round, variable and label; P/R/F1 of
  automated rounds against human rounds.
- :class:`EstimatesByRound` ``results/models/estimates_by_round.csv``.

Values follow :mod:`analysis.rounds.variables` (words from :mod:`analysis.vocab`):
``true``/``false``, ``none``, labels joined with ``;``. Every table names its paragraph by
``para_id`` (:mod:`analysis.ids`: the printed number, ``<doc_id>:s<para_seq>`` when there is
none or it repeats) and, beside it, ``doc_id``, ``page``, ``para_no`` (printed; empty when
none) and ``para_seq``; a check ties the id to them.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from analysis.ids import PARA_ID_PATTERN, refers_to
from analysis.vocab import ALL_TYPES, MODEL_STATUSES, ROUND_KINDS, ROUND_STATUSES, VARIABLES

ROUND_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
# where a round's value came from: the automated coding or a settled human code
SOURCES = ("automated", *[s for s in ROUND_STATUSES if s != "unresolved"])


class _Strict(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class _Paragraphs(_Strict):
    """The columns naming a paragraph (:data:`analysis.rounds.variables.PARAGRAPH_COLUMNS`)."""

    para_id: Series[str] = pa.Field(str_matches=PARA_ID_PATTERN)
    doc_id: Series[str]
    page: Series[int] = pa.Field(ge=1)
    para_no: Series[str]
    para_seq: Series[int] = pa.Field(ge=1)
    doc_type: Series[str] = pa.Field(isin=list(ALL_TYPES))

    @pa.dataframe_check
    def para_id_names_the_row(cls, df):
        return refers_to(df["para_id"], df["doc_id"], df["para_no"], df["para_seq"])


class RoundCodes(_Paragraphs):
    round: Series[str] = pa.Field(str_matches=ROUND_NAME)
    coder: Series[str] = pa.Field(str_length={"min_value": 1})
    variable: Series[str] = pa.Field(isin=list(VARIABLES))
    value: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def one_code_per_coder_paragraph_variable(cls, df):
        return ~df.duplicated(["coder", "para_id", "variable"])


class RoundCoded(_Paragraphs):
    round: Series[str] = pa.Field(str_matches=ROUND_NAME)
    variable: Series[str] = pa.Field(isin=list(VARIABLES))
    value: Series[str] = pa.Field(str_length={"min_value": 1})
    source: Series[str] = pa.Field(isin=list(SOURCES))

    @pa.dataframe_check
    def one_value_per_paragraph_variable(cls, df):
        return ~df.duplicated(["para_id", "variable"])


class Consensus(_Paragraphs):
    round: Series[str]
    variable: Series[str] = pa.Field(isin=list(VARIABLES))
    value: Series[str]
    status: Series[str] = pa.Field(isin=list(ROUND_STATUSES))
    n_coders: Series[int] = pa.Field(ge=0)
    coder_values: Series[str]
    automated: Series[str]


class Disagreements(_Paragraphs):
    round: Series[str]
    variable: Series[str] = pa.Field(isin=list(VARIABLES))
    coder_values: Series[str]
    automated: Series[str]
    status: Series[str] = pa.Field(isin=list(ROUND_STATUSES))
    value: Series[str]
    text: Series[str]


class Reliability(_Strict):
    round: Series[str]
    measure: Series[str] = pa.Field(isin=["alpha", "automated_vs_human"])
    automated_round: Series[str]
    variable: Series[str] = pa.Field(isin=list(VARIABLES))
    label: Series[str]
    n_units: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    n_coders: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    alpha: Series[float] = pa.Field(nullable=True, le=1)
    agreement: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    precision: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    recall: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    f1: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    support: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    tp: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    fp: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    fn: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    note: Series[str]


class EstimatesByRound(_Strict):
    round: Series[str] = pa.Field(str_matches=ROUND_NAME)
    round_kind: Series[str] = pa.Field(isin=list(ROUND_KINDS))
    model: Series[str]
    family: Series[str]
    term: Series[str]
    estimate: Series[float] = pa.Field(nullable=True)
    conf_low: Series[float] = pa.Field(nullable=True)
    conf_high: Series[float] = pa.Field(nullable=True)
    p_value: Series[float] = pa.Field(nullable=True)
    estimate_exp: Series[float] = pa.Field(nullable=True)
    conf_low_exp: Series[float] = pa.Field(nullable=True)
    conf_high_exp: Series[float] = pa.Field(nullable=True)
    exact_p: Series[float] = pa.Field(nullable=True)
    n: Series[pa.Int64] = pa.Field(nullable=True)
    n_clusters: Series[pa.Int64] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=list(MODEL_STATUSES))
    reason: Series[str]


def columns(model) -> list[str]:
    return list(model.to_schema().columns)
