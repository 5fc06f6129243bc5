"""Schemas of the model outputs (``results/models/``), checked where they are written.

``estimates.csv`` (:class:`Estimates`): one tidy table for every model, one row per reported
term. Model ids: ``cross_section_volume_poisson``, ``cross_section_volume_negbin``,
``cross_section_breadth_poisson``, ``cross_section_breadth_binomial``, ``panel_poisson_fe``,
``panel_negbin_fe``, ``panel_logit_any``, ``panel_logit_any_pooled``, ``panel_leads_lags``.

- ``estimate``, ``std_error``, ``conf_low``, ``conf_high`` (95%), ``p_value``: on the link
  scale (log rate ratio, log odds ratio); ``*_exp``: exp of them (rate or odds ratio);
  empty for ``alpha`` (negative binomial dispersion) and unfitted rows.
- ``exact_p``/``exact_method``: for the cross-section, the permutation p-value of the
  mandate term; for ``panel_poisson_fe``, the wild cluster score bootstrap p-value of the
  mandate term (H0: no effect; :func:`analysis.models.panel.mandate_bootstrap`); and how
  it was computed. Empty elsewhere.
- ``boot_conf_low``/``boot_conf_high`` (log scale) and ``boot_conf_low_exp``/
  ``boot_conf_high_exp`` (rate ratio): the 95% interval of that bootstrap by test
  inversion (``panel_poisson_fe`` mandate row only). A bound is -inf/inf (written ``-inf``
  and ``inf``; 0 and ``inf`` on the ratio scale) when the data reject no value on that
  side: the mandate effect is not bounded by the switching operations there.
- ``n`` observations (operations or reports), ``n_clusters`` operations (panel models).
- ``cov_type``: HC1 | nonrobust | cluster (by operation, CR1, t with G-1 df).
- ``status``: fitted | not_fitted. A model that cannot be fitted is ONE row (term = its key
  term) with empty numbers and the ``reason``; for fitted rows ``reason`` holds warnings and
  notes on the sample (controls kept and dropped, operations left out, identification).

``operations.csv`` (:class:`Operations`): the operation cross-section, see
:mod:`analysis.models.cross`.
"""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from analysis.vocab import MODEL_STATUSES

MODELS = ("cross_section_volume_poisson", "cross_section_volume_negbin",
          "cross_section_breadth_poisson", "cross_section_breadth_binomial",
          "panel_poisson_fe", "panel_negbin_fe", "panel_logit_any", "panel_logit_any_pooled",
          "panel_leads_lags")
FAMILIES = ("poisson", "negative_binomial", "binomial")
COV_TYPES = ("HC1", "nonrobust", "cluster")
NUMBERS = ("estimate", "std_error", "conf_low", "conf_high", "p_value", "estimate_exp",
           "conf_low_exp", "conf_high_exp", "exact_p", "boot_conf_low", "boot_conf_high",
           "boot_conf_low_exp", "boot_conf_high_exp")


class Estimates(pa.DataFrameModel):
    """``estimates.csv`` (see the module doc); column order as declared."""

    model: Series[str] = pa.Field(isin=list(MODELS))
    family: Series[str] = pa.Field(isin=list(FAMILIES))
    term: Series[str] = pa.Field(str_length={"min_value": 1})
    estimate: Series[float] = pa.Field(nullable=True)
    std_error: Series[float] = pa.Field(nullable=True, ge=0)
    conf_low: Series[float] = pa.Field(nullable=True)
    conf_high: Series[float] = pa.Field(nullable=True)
    p_value: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    estimate_exp: Series[float] = pa.Field(nullable=True, ge=0)
    conf_low_exp: Series[float] = pa.Field(nullable=True, ge=0)
    conf_high_exp: Series[float] = pa.Field(nullable=True, ge=0)
    exact_p: Series[float] = pa.Field(nullable=True, ge=0, le=1)
    exact_method: Series[str]
    n: Series[int] = pa.Field(ge=0)
    n_clusters: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    cov_type: Series[str]
    status: Series[str] = pa.Field(isin=list(MODEL_STATUSES))
    reason: Series[str]
    # added after the first release: new columns go at the end
    boot_conf_low: Series[float] = pa.Field(nullable=True)
    boot_conf_high: Series[float] = pa.Field(nullable=True)
    boot_conf_low_exp: Series[float] = pa.Field(nullable=True, ge=0)
    boot_conf_high_exp: Series[float] = pa.Field(nullable=True, ge=0)

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def one_row_per_term(cls, df):
        return ~df.duplicated(["model", "term"])

    @pa.dataframe_check
    def not_fitted_has_reason_and_no_numbers(cls, df):
        bad = df["status"] == "not_fitted"
        return ~bad | ((df["reason"].str.len() > 0) & df["estimate"].isna())

    @pa.dataframe_check
    def fitted_has_numbers(cls, df):
        return (df["status"] != "fitted") | (df["estimate"].notna() & df["std_error"].notna())


class Operations(pa.DataFrameModel):
    """``operations.csv``: one row per operation (see :mod:`analysis.models.cross`)."""

    operation: Series[str] = pa.Field(unique=True)
    explicit_mandate: Series[pa.BOOL] = pa.Field(nullable=True)
    mandate_basis: Series[str] = pa.Field(isin=["report_dates", "resolutions", ""])
    breadth: Series[int] = pa.Field(ge=0, le=4)
    volume: Series[int] = pa.Field(ge=0)
    exposure: Series[int] = pa.Field(ge=0)
    organisation: Series[str]
    kind: Series[str]
    start_year: Series[pa.Int64] = pa.Field(nullable=True)
    duration: Series[pa.Int64] = pa.Field(nullable=True, ge=1)
    n_reports: Series[int] = pa.Field(ge=0)
    n_reports_mandated: Series[int] = pa.Field(ge=0)
    mandate_changes: Series[bool]

    class Config:
        strict = True
        coerce = True

    @pa.dataframe_check
    def volume_within_exposure(cls, df):
        return df["volume"] <= df["exposure"]


def columns(model) -> list[str]:
    """The column order of a model's table on disk."""
    return list(model.to_schema().columns)
