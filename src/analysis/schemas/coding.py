"""Schemas of the coding tables (``results/tables/``) and of the accuracy table.

Each table has a pandera ``DataFrameModel``, checked by the function that writes it
(:mod:`analysis.coding.paragraphs`, :mod:`analysis.coding.tables`, :mod:`analysis.coding.accuracy`), so a broken table
fails where it is made. ``COLUMNS`` of each model fixes the column order written to disk.

Conventions shared by every table: ``;``-joined lists (``operations``, ``quadrants``,
``markets``, ``evidence_ids``) in a fixed order and empty when empty; dates as ISO strings
``YYYY-MM-DD`` (empty when unknown); operations by their acronym in ``raw/missions.csv``;
paragraph and evidence ids as :mod:`analysis.ids` builds them (from the printed number
``para_no``), with ``page``, ``para_no`` and ``para_seq`` in their own columns beside them.

Vocabularies (RESEARCH-DESIGN.md) are those of :mod:`analysis.vocab`: ``part``
:data:`~analysis.vocab.PARTS`, ``strength`` :data:`~analysis.vocab.STRENGTHS`, ``addressee``
:data:`~analysis.vocab.ADDRESSEES`, quadrants :data:`~analysis.vocab.QUADRANTS`, engagement
:data:`~analysis.vocab.ENGAGEMENTS`, ``negative_reason`` :data:`~analysis.vocab.NEGATIVE_REASONS`.
Market labels are the codebook's (not fixed, since a revised codebook may add one);
:data:`analysis.vocab.UNSPECIFIED_MARKET` marks OC activity naming no market.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from analysis.ids import EVIDENCE_ID_PATTERN, PARA_ID_PATTERN, refers_to, split_evidence_id
from analysis.vocab import (
    ADDRESSEES,
    DOC_TYPES,
    ENGAGEMENTS,
    NEGATIVE_REASONS,
    PARTS,
    QUADRANTS,
    STRENGTHS,
)

# Variables of the evidence table, in the order their rows are numbered.
EVIDENCE_VARIABLES = ("part", "verb", "strength", "addressee", "oc", "market", "quadrant",
                      "explicit_mandate", "activity", "engagement", "negative_reason")
_ISO_DATE = r"^(\d{4}-\d{2}-\d{2})?$"
_LIST = r"^([^;]+(;[^;]+)*)?$"


def _list_of(values) -> str:
    """Regex of a ``;``-joined list drawn from ``values`` (empty allowed)."""
    alt = "|".join(values)
    return rf"^(({alt})(;({alt}))*)?$"


class _Strict(pa.DataFrameModel):
    class Config:
        strict = True
        coerce = True


class CodedParagraphs(_Strict):
    """``coded_paragraphs.parquet``: one row per coded paragraph (extract kind == paragraph).

    Mandate variables (``part`` .. ``explicit_mandate``) are null for reports and studies;
    activity variables (``activity``, ``engagement``, ``negative_reason``) null for
    resolutions. ``operations``: the operations the coded values are attributed to.
    ``para_id``: :mod:`analysis.ids`; ``para_no`` the printed number (null when none).
    """

    para_id: Series[str] = pa.Field(unique=True, str_matches=PARA_ID_PATTERN)
    doc_id: Series[str] = pa.Field(str_length={"min_value": 1})
    page: Series[int] = pa.Field(ge=1)
    para_no: Series[str] = pa.Field(nullable=True)
    para_seq: Series[int] = pa.Field(ge=1)
    doc_type: Series[str] = pa.Field(isin=list(DOC_TYPES))
    date: Series[str] = pa.Field(str_matches=_ISO_DATE)
    operations: Series[str] = pa.Field(str_matches=_LIST)
    part: Series[str] = pa.Field(nullable=True, isin=list(PARTS))
    verb: Series[str] = pa.Field(nullable=True)
    strength: Series[str] = pa.Field(nullable=True, isin=list(STRENGTHS))
    addressee: Series[str] = pa.Field(nullable=True, isin=list(ADDRESSEES))
    oc: Series[bool]
    activity: Series[pa.BOOL] = pa.Field(nullable=True)
    quadrants: Series[str] = pa.Field(str_matches=_list_of(QUADRANTS))
    markets: Series[str] = pa.Field(str_matches=_LIST)
    engagement: Series[str] = pa.Field(nullable=True, isin=list(ENGAGEMENTS))
    negative_reason: Series[str] = pa.Field(nullable=True, isin=list(NEGATIVE_REASONS))
    explicit_mandate: Series[pa.BOOL] = pa.Field(nullable=True)
    char_start: Series[int] = pa.Field(ge=0)
    text: Series[str]
    codebook_version: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def one_row_per_paragraph(cls, df):
        return ~df.duplicated(["doc_id", "para_seq"])

    @pa.dataframe_check
    def para_id_names_the_row(cls, df):
        return refers_to(df["para_id"], df["doc_id"], df["para_no"], df["para_seq"])


class Evidence(_Strict):
    """``evidence.parquet``: one row per coded value and matched span.

    ``span_start``/``span_end`` are offsets in the paragraph text (``text[span_start:span_end]
    == matched``); ``doc_start``/``doc_end`` the same in the document text (paragraph
    ``char_start`` + span). A value the coder derived without matched words (a numbered
    paragraph's ``part``, a default engagement, a ``concern_only`` paragraph with no concern
    word) has one row with null spans and empty ``matched``. ``evidence_id``:
    ``<para_id>:<variable>:<k>`` (:mod:`analysis.ids`). ``ocr``: the paragraph's start page
    was a scan read by OCR (the extraction's ``ocr``), so ``matched`` is an OCR reading.
    """

    evidence_id: Series[str] = pa.Field(unique=True, str_matches=EVIDENCE_ID_PATTERN)
    doc_id: Series[str]
    page: Series[int] = pa.Field(ge=1)
    para_no: Series[str] = pa.Field(nullable=True)
    para_seq: Series[int] = pa.Field(ge=1)
    operation: Series[str] = pa.Field(nullable=True)
    variable: Series[str] = pa.Field(isin=list(EVIDENCE_VARIABLES))
    value: Series[str] = pa.Field(str_length={"min_value": 1})
    span_start: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    span_end: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    doc_start: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    doc_end: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    matched: Series[str]
    ocr: Series[bool]
    codebook_version: Series[str]

    @pa.dataframe_check
    def evidence_id_names_the_row(cls, df):
        refs = df["evidence_id"].map(split_evidence_id)
        paragraph = refs.map(lambda r: r and r.para_id)
        variable = refs.map(lambda r: r and r.variable)
        return refers_to(paragraph, df["doc_id"], df["para_no"], df["para_seq"]) & (
            variable == df["variable"])


class OperationMentions(_Strict):
    """``operation_mentions.parquet``: every operation named in any block of any document
    (headings, captions and footnotes too), from the gazetteer (``how``: acronym | name |
    alias | self_reference | country). Offsets are in the block's text."""

    doc_id: Series[str]
    para_seq: Series[int] = pa.Field(ge=1)
    kind: Series[str]
    operation: Series[str]
    start: Series[int] = pa.Field(ge=0)
    end: Series[int] = pa.Field(ge=0)
    matched: Series[str]
    how: Series[str]


class Mandates(_Strict):
    """``mandates.csv``: the mandate timeline, one row per (operation, resolution)."""

    operation: Series[str]
    resolution: Series[str]
    symbol: Series[str]
    adopted: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}$")
    in_force_until: Series[str] = pa.Field(str_matches=_ISO_DATE)
    explicit_mandate: Series[bool]
    oc_reference: Series[bool]
    markets: Series[str] = pa.Field(str_matches=_LIST)


class MissionActivity(_Strict):
    """``mission_activity.csv``: OC activity paragraphs per operation x quadrant x market
    (a full grid over the operations in the corpus; zero cells kept)."""

    operation: Series[str]
    quadrant: Series[str] = pa.Field(isin=list(QUADRANTS))
    market: Series[str]
    n_paragraphs: Series[int] = pa.Field(ge=0)
    n_documents: Series[int] = pa.Field(ge=0)
    n_report_paragraphs: Series[int] = pa.Field(ge=0)
    n_study_paragraphs: Series[int] = pa.Field(ge=0)
    evidence_ids: Series[str] = pa.Field(str_matches=_LIST)

    @pa.dataframe_check
    def one_row_per_cell(cls, df):
        return ~df.duplicated(["operation", "quadrant", "market"])


class Panel(_Strict):
    """``panel.csv``: one row per operation x report, with the mandate over its reporting
    period (:func:`analysis.coding.tables.panel`).

    ``period_start``: start of the period the report describes: the operation's previous
    report date, never before the adoption of its first resolution (the first report's
    period starts at that adoption); empty for a report dated before every resolution.
    ``mandate_known``, ``explicit_mandate``, ``oc_reference``, ``resolution`` and
    ``resolution_symbol``: the mandate in force on ``period_start`` (``explicit_mandate``
    is the default treatment of the models); ``explicit_mandate_at_report``: the explicit
    mandate in force on the report's ``date`` (empty when none is); ``mandate_share``: the
    share of the days from ``period_start`` to ``date`` under an explicit mandate (empty
    when ``mandate_known`` is False).
    """

    operation: Series[str]
    doc_id: Series[str]
    date: Series[str] = pa.Field(str_matches=_ISO_DATE)
    oc_activity_paragraphs: Series[int] = pa.Field(ge=0)
    all_paragraphs: Series[int] = pa.Field(ge=0)
    mandate_known: Series[bool]
    explicit_mandate: Series[pa.BOOL] = pa.Field(nullable=True)
    oc_reference: Series[pa.BOOL] = pa.Field(nullable=True)
    resolution: Series[str]
    resolution_symbol: Series[str]
    # added with the mandate timing of the reporting period: new columns go at the end
    period_start: Series[str] = pa.Field(str_matches=_ISO_DATE)
    explicit_mandate_at_report: Series[pa.BOOL] = pa.Field(nullable=True)
    mandate_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)

    @pa.dataframe_check
    def activity_within_exposure(cls, df):
        return df["oc_activity_paragraphs"] <= df["all_paragraphs"]

    @pa.dataframe_check
    def period_starts_by_the_report(cls, df):
        dated = (df["period_start"] != "") & (df["date"] != "")
        return ~dated | (df["period_start"] <= df["date"])

    @pa.dataframe_check
    def share_known_with_mandate(cls, df):
        return df["mandate_share"].isna() == ~df["mandate_known"].astype(bool)


class StudyOperations(_Strict):
    """``study_operations.csv``: one row per acronym legend entry (``ACR = Full name``) in a
    caption or footnote of a study (:func:`analysis.coding.legend.study_operations`).

    ``known``: the acronym, or else the name, is an acronym, name or alias of a row of the
    operations table; ``matched_acronym``: that row's acronym (empty when not known).
    """

    doc_id: Series[str] = pa.Field(str_length={"min_value": 1})
    page: Series[int] = pa.Field(ge=1)
    para_no: Series[str] = pa.Field(nullable=True)
    para_seq: Series[int] = pa.Field(ge=1)
    acronym: Series[str] = pa.Field(str_length={"min_value": 1})
    name: Series[str] = pa.Field(str_length={"min_value": 1})
    known: Series[bool]
    matched_acronym: Series[str]

    @pa.dataframe_check
    def matched_when_known(cls, df):
        return df["known"] == (df["matched_acronym"] != "")


class Accuracy(_Strict):
    """``coding_accuracy.csv``: automated coding against the demo ground truth.

    ``level``: paragraph | document; ``bank``: the paragraphs and documents scored, ``all``
    or only those worded from one phrasing bank of the demo generator (``tuned``: the bank
    the codebook was refined on; ``heldout``: never used to tune it); ``label`` empty for
    the variable as a whole (micro average over its labels), else one label; ``support``:
    truth positives.
    """

    level: Series[str] = pa.Field(isin=["paragraph", "document"])
    doc_type: Series[str]
    bank: Series[str] = pa.Field(isin=["all", "tuned", "heldout"])
    variable: Series[str]
    label: Series[str]
    precision: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    recall: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    f1: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    support: Series[int] = pa.Field(ge=0)
    tp: Series[int] = pa.Field(ge=0)
    fp: Series[int] = pa.Field(ge=0)
    fn: Series[int] = pa.Field(ge=0)


# Rows of the validation table (analysis.coding.validation), in this order.
VALIDATION_VARIABLES = ("operation_quadrant", "operation_market", "activity",
                        "explicit_mandate", "strength", "addressee",
                        "hard_negative_false_activity", "evidence_without_operation")


class Validation(_Strict):
    """``validation.csv``: automated coding against hand-labelled passages of real text
    (:mod:`analysis.coding.validation`), one row per variable and label.

    Precision/recall rows (``operation_quadrant``, ``operation_market``, ``activity``,
    ``explicit_mandate``, ``strength``, ``addressee``): ``label`` empty for the variable
    overall, else one label; ``n_gold``, ``n_predicted``, ``tp`` summed over passages (micro
    average); ``n`` the passages scored; ``count`` and ``rate`` empty.
    ``hard_negative_false_activity`` (label empty = all, else a negative reason): ``n``
    passages with that reason and no gold activity, ``count`` of them credited with activity,
    ``rate`` = count / n. ``evidence_without_operation`` (label empty): ``count`` evidence rows
    of the activity coding whose operation is empty, ``n`` passages holding them. Empty cells: does not apply, or a ratio with a zero denominator.
    """

    variable: Series[str] = pa.Field(isin=list(VALIDATION_VARIABLES))
    label: Series[str]
    n_gold: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    n_predicted: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    tp: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    precision: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    recall: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    f1: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    n: Series[pa.Int64] = pa.Field(ge=0)
    count: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    rate: Series[float] = pa.Field(nullable=True, ge=0, le=1)

    @pa.dataframe_check
    def one_row_per_label(cls, df):
        return ~df.duplicated(["variable", "label"])

    @pa.dataframe_check
    def true_positives_within_sets(cls, df):
        tp = df["tp"].fillna(0)
        return (tp <= df["n_gold"].fillna(0)) & (tp <= df["n_predicted"].fillna(0))


class ValidationPassages(_Strict):
    """``validation_passages.csv``: per labelled passage and scored variable, the gold and
    predicted sets where they differ (``operation|label`` items ``;``-joined; ``activity``
    is ``yes`` or empty; ``explicit_mandate`` lists operations), the items missed
    (``missing``) and those predicted but not labelled (``extra``), with the passage's
    file, line, negative reason and source."""

    passage_id: Series[str] = pa.Field(str_length={"min_value": 1})
    file: Series[str]
    line: Series[int] = pa.Field(ge=1)
    variable: Series[str] = pa.Field(isin=list(VALIDATION_VARIABLES))
    gold: Series[str]
    predicted: Series[str]
    missing: Series[str]
    extra: Series[str]
    negative_reason: Series[str]
    source_url: Series[str]

    @pa.dataframe_check
    def sets_differ(cls, df):
        return (df["missing"] != "") | (df["extra"] != "")


def columns(model) -> list[str]:
    """The column order of a model's table on disk."""
    return list(model.to_schema().columns)
