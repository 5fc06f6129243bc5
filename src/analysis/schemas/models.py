"""Schemas of the model outputs (``results/models/``), checked where they are written.

``estimates.csv`` (:class:`Estimates`): one tidy table for every model, one row per reported
term. Model ids: ``cross_section_volume_poisson``, ``cross_section_volume_negbin``,
``cross_section_breadth_poisson``, ``cross_section_breadth_binomial``, ``panel_poisson_fe``,
``panel_negbin_fe``, ``panel_logit_any``, ``panel_logit_any_pooled``, ``panel_poisson_twfe``,
``panel_poisson_etwfe``, ``panel_event_study`` (terms lead_*/lag_* and the pre-trend test
``pretrend_wald``: estimate = F statistic), ``panel_poisson_fe_loo`` (one row per switcher
left out, term ``explicit_mandate|without <OP>``), ``panel_poisson_fe_coding_error``.
Besides the model terms, every negative binomial model has the row ``overdispersion_lr``
(estimate = likelihood-ratio statistic of NB vs Poisson, p_value = its chi-bar-squared p,
half the chi2(1) tail); when alpha is at its boundary 0 the NB model is fitted with the
Poisson estimates and ``alpha`` = 0 without a standard error.

- ``estimate``, ``std_error``, ``conf_low``, ``conf_high`` (95%), ``p_value``: on the link
  scale (log rate ratio, log odds ratio); ``*_exp``: exp of them (rate or odds ratio);
  empty for ``alpha`` (negative binomial dispersion), ``overdispersion_lr`` and unfitted
  rows. The cross-section's ``explicit_mandate`` term is the operation's SHARE of reports
  under an explicit mandate (0-1): its rate ratio compares all reports under a mandate
  with none. In the panel it is the treatment the models were given (0/1, or a share).
- ``exact_p``/``exact_method``: for the cross-section, the randomization p-value of the
  mandate term (permutation of the shares across operations, valid under exchangeability
  of the treatment across operations); for ``panel_poisson_fe``, the wild cluster score bootstrap p-value of the
  mandate term (H0: no effect; :func:`analysis.models.panel.mandate_bootstrap`); and how
  it was computed. Empty elsewhere.
- ``boot_conf_low``/``boot_conf_high`` (log scale) and ``boot_conf_low_exp``/
  ``boot_conf_high_exp`` (rate ratio): the 95% interval of that bootstrap by test
  inversion (``panel_poisson_fe`` mandate row only). A bound is -inf/inf (written ``-inf``
  and ``inf``; 0 and ``inf`` on the ratio scale) when the data reject no value on that
  side: the mandate effect is not bounded by the switching operations there.
- ``n`` observations (operations or reports), ``n_clusters`` operations (panel models).
- ``cov_type``: HC3 | nonrobust | cluster (by operation, CR1) | empty (test rows).
- ``n_switchers``: panel models: S, the operations whose treatment varies between their
  reports (the only ones that identify the mandate effect with operation fixed effects).
- ``df_resid``: the degrees of freedom of the t distribution used for p and the interval
  (S-1 for the FE panel models, G-1 for the pooled logit, n-k for the cross-section's HC3
  models); empty when the normal (z) or another distribution is used.
- ``inference``: one phrase saying how p and the interval were computed (see
  :mod:`analysis.models.fit`), e.g. "cluster-robust by operation (CR1), t(S-1), S =
  switchers".
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
          "panel_poisson_twfe", "panel_poisson_etwfe", "panel_event_study",
          "panel_poisson_fe_loo", "panel_poisson_fe_coding_error")
FAMILIES = ("poisson", "negative_binomial", "binomial")
COV_TYPES = ("HC3", "nonrobust", "cluster", "jackknife", "")
NUMBERS = ("estimate", "std_error", "conf_low", "conf_high", "p_value", "estimate_exp",
           "conf_low_exp", "conf_high_exp", "exact_p", "boot_conf_low", "boot_conf_high",
           "boot_conf_low_exp", "boot_conf_high_exp", "df_resid")
# rows that need no standard error when fitted: a test statistic, alpha at its boundary
NO_SE_TERMS = ("overdispersion_lr", "alpha", "pretrend_wald")


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
    n_switchers: Series[pa.Int64] = pa.Field(nullable=True, ge=0)
    df_resid: Series[float] = pa.Field(nullable=True, gt=0)
    inference: Series[str]

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
        return (df["status"] != "fitted") | (df["estimate"].notna() & (
            df["std_error"].notna() | df["term"].isin(NO_SE_TERMS)))


class Operations(pa.DataFrameModel):
    """``operations.csv``: one row per operation (see :mod:`analysis.models.cross`)."""

    operation: Series[str] = pa.Field(unique=True)
    explicit_mandate: Series[pa.BOOL] = pa.Field(nullable=True)
    mandate_share: Series[float] = pa.Field(nullable=True, ge=0, le=1)
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
