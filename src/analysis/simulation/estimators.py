"""The estimators the simulation check scores: a registry of name -> function(panel).

Every estimator takes a panel DataFrame (one row per operation x report, columns
``operation``, ``doc_id``, ``date``, ``oc_activity_paragraphs``, ``all_paragraphs``,
``mandate_known``, ``explicit_mandate``: the treatment) and returns a dict with
``estimate``, ``conf_low``, ``conf_high`` (log rate ratio of the mandate term, 95%
interval; -inf/inf for an unbounded side), ``p_value`` (H0: no mandate effect),
``status`` (fitted | not_fitted) and ``reason``; numbers NaN when not fitted. Estimators
must be deterministic.

:data:`ESTIMATORS` maps a name to the function itself or to ``"module:function"``
(imported on first use, so the registry costs nothing to import and an estimator's module
may import anything the simulation may). Adding one is one line::

    ESTIMATORS["my_estimator"] = "analysis.models.panel:my_estimator"

:func:`estimate_all` runs a list of them on one panel; an estimator that raises gives a
``not_fitted`` row whose reason names the error (``error`` = True), so one broken
estimator never stops the simulation; the summary counts those rows (``n_errors``).
"""

from __future__ import annotations

import functools
import importlib
import math
from collections.abc import Callable

import pandas as pd

RESULT_KEYS = ("estimate", "conf_low", "conf_high", "p_value", "status", "reason")


def fe_cluster(panel: pd.DataFrame) -> dict:
    """``panel_poisson_fe``: operation-FE Poisson, cluster-robust interval and p
    (:func:`analysis.models.panel.fit_panel_poisson` without the bootstrap)."""
    from analysis.models.panel import fit_panel_poisson

    res = fit_panel_poisson(panel, bootstrap=False)
    return {k: res[k] for k in RESULT_KEYS}


def fe_bootstrap(panel: pd.DataFrame) -> dict:
    """``panel_poisson_fe`` with the wild cluster score bootstrap: its p (``boot_p``) and
    its test-inversion interval (``boot_conf_low``/``boot_conf_high``)."""
    from analysis.models.panel import fit_panel_poisson

    res = fit_panel_poisson(panel, bootstrap=True)
    return {"estimate": res["estimate"], "conf_low": res["boot_conf_low"],
            "conf_high": res["boot_conf_high"], "p_value": res["boot_p"],
            "status": res["status"], "reason": res["reason"]}


PERIOD_YEARS = 2  # calendar years per period of the time effects (config `period_years`)


def twfe_cluster(panel: pd.DataFrame, period_years: int = PERIOD_YEARS) -> dict:
    """``panel_poisson_twfe``: operation and calendar-period FE, CR1 t(S-1)
    (:func:`analysis.models.staggered.twfe_cluster`)."""
    from analysis.models.staggered import twfe_cluster as fit

    res = fit(panel, period_years=period_years)
    return {k: res[k] for k in RESULT_KEYS}


def etwfe_jackknife(panel: pd.DataFrame, period_years: int = PERIOD_YEARS) -> dict:
    """``panel_poisson_etwfe``: Wooldridge's extended TWFE in imputation form, jackknife
    t(S-1) (:func:`analysis.models.staggered.etwfe_jackknife`)."""
    from analysis.models.staggered import etwfe_jackknife as fit

    res = fit(panel, period_years=period_years)
    return {k: res[k] for k in RESULT_KEYS}


# name -> function or "module:function" (order = order of the output tables)
ESTIMATORS: dict[str, Callable | str] = {
    "fe_cluster": fe_cluster,
    "fe_bootstrap": fe_bootstrap,
    "twfe_cluster": twfe_cluster,
    "etwfe_jackknife": etwfe_jackknife,
}


def registry_with(*, period_years: int = PERIOD_YEARS) -> dict[str, Callable | str]:
    """:data:`ESTIMATORS` with the models' settings (the config's ``period_years``) bound,
    so the simulation scores the estimators exactly as the models stage fits them."""
    out = dict(ESTIMATORS)
    for name in ("twfe_cluster", "etwfe_jackknife"):
        out[name] = functools.partial(out[name], period_years=period_years)
    return out


def resolve(name: str, registry: dict | None = None) -> Callable:
    """The function registered under ``name`` (imported when given as a string)."""
    registry = ESTIMATORS if registry is None else registry
    if name not in registry:
        raise KeyError(f"estimator {name!r} is not registered in analysis.simulation."
                       f"estimators.ESTIMATORS (known: {', '.join(registry)})")
    entry = registry[name]
    if callable(entry):
        return entry
    module, _, attr = entry.partition(":")
    return getattr(importlib.import_module(module), attr)


def _number(value) -> float:
    if value is None:
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def estimate_one(name: str, panel: pd.DataFrame, registry: dict | None = None) -> dict:
    """One estimator on one panel: the keys of :data:`RESULT_KEYS` plus ``estimator`` and
    ``error`` (True when it raised or returned something unusable; then not_fitted)."""
    try:
        res = resolve(name, registry)(panel)
        missing = [k for k in RESULT_KEYS if k not in res]
        if missing:
            raise KeyError(f"result lacks {', '.join(missing)}")
        out = {k: _number(res[k]) for k in RESULT_KEYS[:4]}
        out["status"] = str(res["status"])
        out["reason"] = "" if res["reason"] is None else str(res["reason"])
        if out["status"] != "fitted":
            out.update({k: math.nan for k in RESULT_KEYS[:4]})
        error = False
    except Exception as err:  # noqa: BLE001 - a broken estimator must not stop the run
        out = {k: math.nan for k in RESULT_KEYS[:4]}
        out["status"] = "not_fitted"
        out["reason"] = f"estimator {name} raised {type(err).__name__}: {err}"
        error = True
    return {"estimator": name, **out, "error": error}


def estimate_all(panel: pd.DataFrame, names: list[str] | None = None,
                 registry: dict | None = None) -> list[dict]:
    """Every named estimator (default: all registered, in registry order) on ``panel``."""
    registry = ESTIMATORS if registry is None else registry
    return [estimate_one(n, panel, registry) for n in (names or list(registry))]
