"""The accuracy of the automated coding on hand-labelled passages of real text, as the paper
quotes it (the validation table of :mod:`analysis.coding.validation`).

Keys (None when the build has no validation table): ``has_validation``;
``validation__n_passages``; ``validation__op_quadrant__{precision,recall,f1}`` (operation x
quadrant of OC activity); ``validation__hard_negative__{n,count,rate}`` (passages with a
negative reason and no activity, those credited with activity, their share);
``validation__explicit_mandate__{precision,recall,f1}``;
``validation__evidence_without_operation``.
"""

from __future__ import annotations

import pandas as pd

from analysis.paper.format import Numbers, clean
from analysis.paper.stats import PaperError, numeric, require

COLUMNS = ["variable", "label", "precision", "recall", "f1", "n", "count", "rate"]
MADE_BY = "analysis.coding.validation (snakemake results/qc/validation.csv)"


def _row(table: pd.DataFrame, variable: str, file: str) -> pd.Series:
    found = table[(table["variable"] == variable) & (table["label"] == "")]
    if found.empty:
        raise PaperError(f"{file}: no row with variable {variable!r} and an empty label; "
                         f"rebuild it with {MADE_BY}")
    return found.iloc[0]


def validation_numbers(num: Numbers, table: pd.DataFrame | None, *, file: str) -> None:
    """Record the headline validation figures (module doc) from ``table`` (as read by
    :func:`analysis.io.read_csv`, every cell text) or their absence (``table`` None)."""
    num.flag("has_validation", table is not None, file,
             "a validation table of labelled passages was given (config key validation)")
    values: dict[str, object] = {}
    if table is not None:
        require(table, COLUMNS, file, MADE_BY)
        for col in ("precision", "recall", "f1", "n", "count", "rate"):
            table = table.assign(**{col: numeric(table, col, file)})
        for key, variable in (("op_quadrant", "operation_quadrant"),
                              ("explicit_mandate", "explicit_mandate")):
            row = _row(table, variable, file)
            for metric in ("precision", "recall", "f1"):
                values[f"{key}__{metric}"] = row[metric]
        hard = _row(table, "hard_negative_false_activity", file)
        for metric in ("n", "count", "rate"):
            values[f"hard_negative__{metric}"] = hard[metric]
        values["n_passages"] = _row(table, "activity", file)["n"]
        values["evidence_without_operation"] = _row(table, "evidence_without_operation",
                                                    file)["count"]
    v = {k: clean(x) for k, x in values.items()}
    num.count("validation__n_passages", v.get("n_passages"), file,
              "column n of the row variable == activity (labelled passages scored)")
    for key, variable in (("op_quadrant", "operation_quadrant"),
                          ("explicit_mandate", "explicit_mandate")):
        for metric in ("precision", "recall", "f1"):
            num.ratio(f"validation__{key}__{metric}", v.get(f"{key}__{metric}"), file,
                      f"column {metric} of the row variable == {variable}, label empty "
                      "(micro average over passages)", digits=2)
    num.count("validation__hard_negative__n", v.get("hard_negative__n"), file,
              "column n of the row variable == hard_negative_false_activity, label empty "
              "(passages with a negative reason and no labelled activity)")
    num.count("validation__hard_negative__count", v.get("hard_negative__count"), file,
              "column count of that row (of them, credited with OC activity)")
    num.share("validation__hard_negative__rate", v.get("hard_negative__rate"), file,
              "column rate of that row (count / n)")
    num.count("validation__evidence_without_operation", v.get("evidence_without_operation"),
              file, "column count of the row variable == evidence_without_operation")
