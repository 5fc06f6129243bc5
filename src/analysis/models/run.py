"""Models: does an explicit OC mandate predict what an operation does about OC?

Inputs (tables of :mod:`analysis.coding.tables` and the operations table): ``panel.csv``,
``mission_activity.csv``, ``mandates.csv``, ``raw/missions.csv``. Outputs (schemas in
:mod:`analysis.schemas.models`, checked here):

- ``estimates.csv``: one tidy table of every model: the operation cross-section
  (:mod:`analysis.models.cross`: volume and breadth on the operation's share of reports
  under an explicit mandate, with controls while the data allow, HC3 t(n-k) and
  randomization p-values) and the operation-report panel
  (:mod:`analysis.models.panel`: fixed effects, clustered by operation, Poisson, negative
  binomial, logit for any activity, leads and lags; CR1 with t(S-1), S = switching
  operations, not fitted below 3 switchers; for the FE Poisson mandate term also a wild
  cluster score bootstrap p-value and interval). A model that cannot be fitted is a
  ``not_fitted`` row with its reason, never left out.
- ``operations.csv``: the operation cross-section the models use.

Floats are rounded to 10 significant digits (:func:`analysis.io.significant`, the
precision :func:`analysis.io.write_csv` writes), permutations are seeded and bootstrap
weight vectors enumerated (or seeded), so the same inputs give the same bytes.

In-process use: :func:`fit_all` (DataFrames in, DataFrames out) and
:func:`analysis.models.panel.fit_panel_poisson` (re-exported here) for the mandate term of
the panel Poisson model, cheap enough to call thousands of times.

CLI: ``python -m analysis.models fit --panel P --mission-activity A --mandates M --missions R
--estimates-out E --operations-out O [--permutations 2000 --seed 20180307 --max-exact 20000]
[--mandate-timing period_start|report_date|period_share] [--period-years 2]
[--coding-accuracy results/qc/coding_accuracy.csv | --validation-table results/qc/validation.csv]
[--coding-draws 200 --coding-seed 20180307]``
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from analysis.io import TableError, read_csv, significant, write_csv
from analysis.models.cross import cross_section_models, operation_table
from analysis.models.panel import fit_panel_poisson, panel_models
from analysis.schemas.models import NUMBERS, Estimates, Operations, columns

__all__ = ["fit_all", "fit_panel_poisson", "main"]

DEFAULT_PERMUTATIONS = 2000
DEFAULT_SEED = 20180307
DEFAULT_MAX_EXACT = 20000


def tidy(rows: list[dict]) -> pd.DataFrame:
    """Rows -> the validated estimates table (missing cells empty, floats rounded)."""
    df = pd.DataFrame(rows).reindex(columns=columns(Estimates))
    for col in NUMBERS:
        df[col] = df[col].map(lambda v: significant(None if pd.isna(v) else v)).astype(float)
    for col in ("exact_method", "cov_type", "reason", "inference"):
        df[col] = df[col].astype(object).where(df[col].notna(), "").astype(str)
    for col in ("n_clusters", "n_switchers"):
        df[col] = df[col].astype("Int64")
    return Estimates.validate(df.reset_index(drop=True))


# config `mandate_timing` -> the panel column the models use as the treatment
TIMINGS = {"period_start": "explicit_mandate", "report_date": "explicit_mandate_at_report",
           "period_share": "mandate_share"}
DEFAULT_TIMING = "period_start"


def treatment_panel(panel: pd.DataFrame, timing: str = DEFAULT_TIMING) -> pd.DataFrame:
    """``panel`` with the treatment named by ``timing`` (:data:`TIMINGS`) in
    ``explicit_mandate``, the column every model reads. ``period_start`` (default): the
    explicit mandate in force at the start of the reporting period; ``report_date``: on the
    report's own date; ``period_share``: the share of the period under an explicit mandate
    (0-1). A panel without the column (written before the timings existed) is refused with
    the column's name."""
    if timing not in TIMINGS:
        raise ValueError(f"mandate timing {timing!r} unknown; use one of {', '.join(TIMINGS)}")
    column = TIMINGS[timing]
    if column not in panel.columns:
        raise ValueError(f"panel table has no column {column!r} (mandate_timing: {timing}); "
                         "rebuild it with python -m analysis.coding tables")
    out = panel.copy()
    out["explicit_mandate"] = panel[column]
    return out


def fit_all(panel_df: pd.DataFrame, mission_activity_df: pd.DataFrame,
            mandates_df: pd.DataFrame, missions_df: pd.DataFrame, *,
            permutations: int = DEFAULT_PERMUTATIONS, seed: int = DEFAULT_SEED,
            max_exact: int = DEFAULT_MAX_EXACT, min_resid_df: int = 5,
            min_clusters: int = 5, mandate_timing: str = DEFAULT_TIMING,
            period_years: int = 2, error_rates=None, error_source: str = "",
            coding_draws: int = 200, coding_seed: int = DEFAULT_SEED
            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit every model; return ``(estimates, operations)`` (validated, rounded).

    ``mandate_timing`` picks the treatment (:func:`treatment_panel`); ``period_years`` the
    periods of the two-way models' time effects; ``error_rates`` (precision and recall of
    the mandate and activity coding, :mod:`analysis.models.sensitivity`; ``error_source``
    says where they were measured) the estimate carrying coding error, in
    ``coding_draws`` draws seeded by ``coding_seed``.

    ``panel_df``, ``mission_activity_df``, ``mandates_df``: the tables of the same names;
    ``missions_df``: the operations table (acronym, organisation, kind, start_year,
    end_year). ``permutations``/``seed``: Monte Carlo permutation draws when the exact
    enumeration would exceed ``max_exact`` assignments. ``min_resid_df``: controls are added
    to the cross-section only while n - k stays at or above it. ``min_clusters``: panel
    models with fewer operations are not fitted.
    """
    panel_df = treatment_panel(panel_df, mandate_timing)
    operations = Operations.validate(operation_table(panel_df, mission_activity_df,
                                                     mandates_df, missions_df))
    rows = cross_section_models(operations, permutations=permutations, seed=seed,
                                max_exact=max_exact, min_resid_df=min_resid_df)
    rows += panel_models(panel_df, min_clusters=min_clusters, period_years=period_years,
                         mandates=mandates_df, error_rates=error_rates,
                         error_source=error_source, coding_draws=coding_draws,
                         coding_seed=coding_seed)
    return tidy(rows), operations


def _read(path: str, what: str, ints: tuple[str, ...] = ()) -> pd.DataFrame:
    """A coding table as text ("True"/"" booleans read as written), ``ints`` typed."""
    try:
        return read_csv(path, ints=ints)
    except FileNotFoundError as err:
        raise ValueError(f"{what} table not found: {path}; build it first "
                         "(python -m analysis.coding tables ...)") from err
    except TableError as err:
        raise ValueError(f"{err} (the table is written by python -m analysis.coding "
                         "tables)") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.models fit", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("panel", "mission-activity", "mandates", "missions", "estimates-out",
                 "operations-out"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--permutations", type=int, default=DEFAULT_PERMUTATIONS,
                        help="Monte Carlo draws when exact enumeration is too large")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--max-exact", type=int, default=DEFAULT_MAX_EXACT,
                        help="enumerate every arrangement of the treatment when there are at "
                             "most this many (else Monte Carlo)")
    parser.add_argument("--mandate-timing", choices=list(TIMINGS), default=DEFAULT_TIMING,
                        help="which mandate a report is compared under (config mandate_timing)")
    parser.add_argument("--period-years", type=int, default=2,
                        help="calendar years per period of the two-way models' time effects")
    errors = parser.add_mutually_exclusive_group()
    errors.add_argument("--coding-accuracy", default=None,
                        help="coding_accuracy.csv of the demo corpus: its precision and "
                             "recall feed the estimate carrying coding error")
    errors.add_argument("--validation-table", default=None,
                        help="validation.csv (labelled real passages): the same, from it")
    parser.add_argument("--coding-draws", type=int, default=200)
    parser.add_argument("--coding-seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    try:
        from analysis.missions import load_missions
        from analysis.models.sensitivity import (
            RatesUnavailable,
            error_rates_from_accuracy,
            error_rates_from_validation,
        )

        error_rates, error_source = None, ""
        try:
            if args.coding_accuracy:
                error_source = f"{args.coding_accuracy} (demo ground truth, all phrasings)"
                error_rates = error_rates_from_accuracy(read_csv(args.coding_accuracy))
            elif args.validation_table:
                error_source = f"{args.validation_table} (labelled passages)"
                error_rates = error_rates_from_validation(read_csv(args.validation_table))
        except RatesUnavailable as err:  # the other models still fit; this row says why
            print(f"models: coding error not measurable: {err}", file=sys.stderr)
            error_source = str(err)

        panel = _read(args.panel, "panel", ("oc_activity_paragraphs", "all_paragraphs"))
        activity = _read(args.mission_activity, "mission activity", ("n_paragraphs",))
        mandates = _read(args.mandates, "mandates")
        for path, df, need in ((args.panel, panel, ("operation", "date", "mandate_known",
                                                    TIMINGS[args.mandate_timing])),
                               (args.mission_activity, activity, ("operation", "quadrant")),
                               (args.mandates, mandates, ("operation", "explicit_mandate"))):
            if missing := [c for c in need if c not in df.columns]:
                raise ValueError(f"{path}: column(s) {', '.join(missing)} missing")
        estimates, operations = fit_all(panel, activity, mandates,
                                        load_missions(args.missions),
                                        permutations=args.permutations, seed=args.seed,
                                        max_exact=args.max_exact,
                                        mandate_timing=args.mandate_timing,
                                        period_years=args.period_years,
                                        error_rates=error_rates, error_source=error_source,
                                        coding_draws=args.coding_draws,
                                        coding_seed=args.coding_seed)
    except (ValueError, OSError) as err:
        print(f"models failed: {err}", file=sys.stderr)
        return 1
    write_csv(estimates, args.estimates_out)
    write_csv(operations, args.operations_out)
    fitted = estimates.drop_duplicates("model")
    for row in fitted.itertuples():
        print(f"models: {row.model}: {row.status}", file=sys.stderr)
    return 0
