"""Shared machinery of the models: fit guards, tidy rows, clustered inference, permutation.

Every model of :mod:`analysis.models.cross` and :mod:`analysis.models.panel` goes through
:func:`guarded_fit` (warnings and errors are caught and become the ``reason`` of a row, never
silently dropped) and :func:`tidy_rows` (one row per reported term). Rows follow
:data:`analysis.schemas.models.ESTIMATE_COLUMNS`.

Inference conventions (documented once, here):

- ``cov_type == "cluster"``: cluster-robust by operation, CR1 with the factor G/(G-1) only
  (the operation fixed effects are nested in the clusters, so they are not counted as
  parameters, as in Stata's ``areg``/``ppmlhdfe``); p-values and intervals from Student's
  t with G-1 degrees of freedom, as recommended for few clusters (Cameron and Miller 2015).
- otherwise the statsmodels defaults: normal (z) p-values and 95% Wald intervals.
- ``estimate_exp`` = exp(estimate): a rate ratio (Poisson, negative binomial) or an odds
  ratio (logit, binomial); empty for the negative binomial's ``alpha``.
- :func:`score_bootstrap`: wild cluster score bootstrap (Kline and Santos 2012) of one
  coefficient from restricted cluster scores, p-value and interval by test inversion;
  used for the mandate term of the FE Poisson panel, where t(G-1) over-rejects because
  few operations identify the effect.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from statsmodels.tools import sm_exceptions as sme

MANDATE_TERM = "explicit_mandate"
LEVEL = 0.95
# Any of these means the estimates cannot be trusted: the row becomes not_fitted.
FATAL_WARNINGS = (sme.ConvergenceWarning, sme.PerfectSeparationWarning,
                  sme.HessianInversionWarning, sme.IterationLimitWarning)
# A mandate log-rate ratio beyond this (rate ratio > 22,000) is a diverging estimate: in
# these data it only happens under (quasi-)separation, e.g. a group with no activity at all.
DIVERGED = 10.0
# Largest log-scale value whose exp() is a float (exp(709.8) overflows): a term beyond it
# (estimate or interval bound) has separated.
MAX_LOG = 700.0


@dataclass
class Attempt:
    """What one guarded fit returned: the result (None when it failed) and why."""

    result: object | None
    problems: list[str] = field(default_factory=list)  # fatal: the model is not_fitted
    notes: list[str] = field(default_factory=list)  # kept in `reason`, the fit stands


def _short(message) -> str:
    return " ".join(str(message).split())[:200]


def guarded_fit(fit: Callable[[], object]) -> Attempt:
    """Run ``fit()`` catching warnings and errors (see :data:`FATAL_WARNINGS`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = fit()
        except (np.linalg.LinAlgError, sme.PerfectSeparationError, ValueError,
                ZeroDivisionError, OverflowError) as err:
            return Attempt(None, [f"{type(err).__name__}: {_short(err)}"])
    attempt = Attempt(result)
    seen = set()
    for w in caught:
        text = f"{w.category.__name__}: {_short(w.message)}"
        if text in seen:
            continue
        seen.add(text)
        (attempt.problems if issubclass(w.category, FATAL_WARNINGS) else attempt.notes).append(
            text)
    converged = getattr(result, "converged", None)
    if converged is None:
        converged = getattr(result, "mle_retvals", {}).get("converged", True)
    if not converged and not any(p.startswith("ConvergenceWarning") for p in attempt.problems):
        attempt.problems.append("did not converge")
    return attempt


def fit_negbin(model, *, start=None, **fit_kwargs) -> Attempt:
    """Fit a ``statsmodels`` ``NegativeBinomial`` trying Newton, then L-BFGS, then BFGS.

    Newton is fastest when alpha is interior; when the data show no overdispersion, alpha
    runs to its boundary (0), where Newton steps fail and L-BFGS still converges. A note
    says which optimizer gave the estimates and when alpha is at the boundary.
    """
    attempt = Attempt(None, ["no optimizer tried"])
    for method in ("newton", "lbfgs", "bfgs"):
        attempt = guarded_fit(lambda m=method: model.fit(start_params=start, method=m,
                                                         maxiter=1000, disp=0, **fit_kwargs))
        if (attempt.result is not None and not attempt.problems
                and np.all(np.isfinite(np.asarray(attempt.result.params)))):
            if method != "newton":
                attempt.notes.append(f"optimizer {method} (Newton failed)")
            alpha = float(np.asarray(attempt.result.params)[-1])
            if alpha < 1e-4:
                attempt.notes.append(f"alpha at its boundary ({alpha:.1g}): no overdispersion"
                                     ", the negative binomial reduces to the Poisson")
            return attempt
    return attempt


def cluster_inference(estimate: np.ndarray, se0: np.ndarray, n_clusters: int) -> dict:
    """CR1 standard errors, t(G-1) p-values and intervals from CR0 standard errors ``se0``."""
    g = n_clusters
    se = se0 * math.sqrt(g / (g - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = estimate / se
    p = 2 * stats.t.sf(np.abs(tval), df=g - 1)
    q = stats.t.ppf(0.5 + LEVEL / 2, df=g - 1)
    return {"std_error": se, "p_value": p, "conf_low": estimate - q * se,
            "conf_high": estimate + q * se}


def normal_inference(estimate: np.ndarray, se: np.ndarray) -> dict:
    """z p-values and 95% Wald intervals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = estimate / se
    q = stats.norm.ppf(0.5 + LEVEL / 2)
    return {"std_error": se, "p_value": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": estimate - q * se, "conf_high": estimate + q * se}


def not_fitted(model: str, family: str, reasons: list[str], *, term: str = MANDATE_TERM,
               n: int = 0, n_clusters: int | None = None, cov_type: str = "") -> list[dict]:
    """The single row reporting a model that could not be fitted, and why."""
    return [{"model": model, "family": family, "term": term, "n": n, "n_clusters": n_clusters,
             "cov_type": cov_type, "status": "not_fitted",
             "reason": "; ".join(reasons) or "not fitted"}]


def tidy_rows(model: str, family: str, attempt: Attempt, terms: dict[str, str], *, n: int,
              n_clusters: int | None, cov_type: str, notes: list[str],
              key_terms: tuple[str, ...] = (MANDATE_TERM,)) -> list[dict]:
    """Rows for the reported ``terms`` ({statsmodels name: table name}) of a guarded fit.

    The model is ``not_fitted`` when the fit failed, raised a fatal warning, or a key term
    (the mandate) has a non-finite or diverging estimate or standard error.
    """
    label = "cluster" if cov_type == "cluster" else cov_type
    problems = list(attempt.problems)
    result = attempt.result
    if result is None or problems:
        return not_fitted(model, family, problems + notes + attempt.notes, term=key_terms[0],
                          n=n, n_clusters=n_clusters, cov_type=label)
    names = (list(result.params.index) if hasattr(result.params, "index")
             else list(result.model.exog_names))
    params = np.asarray(result.params, dtype=float)
    se0 = np.asarray(result.bse, dtype=float)
    inf = (cluster_inference(params, se0, n_clusters) if cov_type == "cluster"
           else normal_inference(params, se0))
    rows = []
    for sm_name, term in terms.items():
        i = names.index(sm_name)
        est, se = params[i], inf["std_error"][i]
        low, high = inf["conf_low"][i], inf["conf_high"][i]
        if term in key_terms and not (np.isfinite(est) and np.isfinite(se) and se > 0):
            problems.append(f"{term}: estimate or standard error not finite (singular fit)")
        elif term in key_terms and abs(est) > DIVERGED:
            problems.append(f"{term}: estimate diverged ({est:.1f} on the log scale), "
                            "likely separation (a group with no activity at all)")
        elif not all(np.isfinite(v) and abs(v) <= MAX_LOG for v in (est, low, high)):
            # a control or intercept separated: its ratio or interval is beyond any number
            problems.append(f"{term}: estimate or interval not finite or beyond exp({MAX_LOG}) "
                            "on the ratio scale, likely separation")
            continue
        exp = term != "alpha"
        rows.append({"model": model, "family": family, "term": term, "estimate": est,
                     "std_error": se, "conf_low": low, "conf_high": high,
                     "p_value": inf["p_value"][i],
                     "estimate_exp": math.exp(est) if exp else None,
                     "conf_low_exp": math.exp(low) if exp and np.isfinite(low) else None,
                     "conf_high_exp": math.exp(high) if exp and np.isfinite(high) else None,
                     "n": n, "n_clusters": n_clusters, "cov_type": label,
                     "status": "fitted", "reason": "; ".join(notes + attempt.notes)})
    if problems:
        return not_fitted(model, family, problems + notes + attempt.notes, term=key_terms[0],
                          n=n, n_clusters=n_clusters, cov_type=label)
    return rows


def permutation_p(refit: Callable[[np.ndarray], float], treat: np.ndarray, observed: float, *,
                  permutations: int, seed: int, max_exact: int,
                  statistic: str = f"|{MANDATE_TERM} coefficient|") -> tuple[float | None, str]:
    """Two-sided permutation p-value of a coefficient, and a sentence saying how.

    ``refit(labels)`` returns the mandate coefficient refitted with ``labels`` (0/1, one per
    operation) in place of the observed ``treat``; it may raise or return NaN (counted as a
    failed fit and left out). ``observed`` = ``refit(treat)``; ``statistic`` describes it.
    The number of treated operations is held fixed. All
    C(n, n_treated) assignments are enumerated when there are at most ``max_exact`` of them
    (p = share with |b| >= |b_observed|, the observed one included); otherwise ``permutations``
    seeded Monte Carlo draws, p = (1 + hits) / (1 + draws).
    """
    treat = np.asarray(treat, dtype=float)
    n, n1 = len(treat), int(treat.sum())
    total = math.comb(n, n1)
    tol = 1e-7 * max(1.0, abs(observed))
    if total <= max_exact:
        assignments = (np.isin(np.arange(n), idx).astype(float)
                       for idx in itertools.combinations(range(n), n1))
        how = f"exact: all {total} assignments"
    else:
        rng = np.random.default_rng(seed)
        assignments = (rng.permutation(treat) for _ in range(permutations))
        how = f"Monte Carlo: {permutations} seeded draws (seed {seed}) of {total} assignments"
    stats_, failed = [], 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for labels in assignments:
            try:
                value = float(refit(labels))
            except (np.linalg.LinAlgError, sme.PerfectSeparationError, ValueError,
                    ZeroDivisionError, OverflowError):
                value = float("nan")
            if np.isfinite(value):
                stats_.append(abs(value))
            else:
                failed += 1
    if not stats_:
        return None, f"permutation failed: no permuted fit succeeded ({how})"
    hits = int(np.sum(np.asarray(stats_) >= abs(observed) - tol))
    p = hits / len(stats_) if total <= max_exact else (1 + hits) / (1 + len(stats_))
    method = (f"permutation of explicit_mandate across {n} operations ({n1} mandated), "
              f"{how}; statistic {statistic}; "
              f"two-sided; {failed} permuted fits failed and were left out")
    return min(p, 1.0), method


# ------------------------------------------------------------------ wild score bootstrap
# Webb's (2023) six-point distribution: mean 0, variance 1, symmetric, like Rademacher in
# its first four moments but with six mass points instead of two.
WEBB = np.array([-math.sqrt(1.5), -1.0, -math.sqrt(0.5), math.sqrt(0.5), 1.0, math.sqrt(1.5)])
MAX_WEBB = 6  # Webb weights, all 6^S vectors enumerated, up to S = 6 (46,656 vectors)
MAX_RADEMACHER = 12  # Rademacher, all 2^S sign vectors, up to S = 12 (4,096 vectors)
BOOT_DRAWS = 9999  # seeded Monte Carlo Rademacher draws beyond that
BOOT_SEED = 20120101
BOOT_REACH = 10.0  # interval search up to +/- this many log units around the estimate


@dataclass
class Bootstrap:
    """Result of :func:`score_bootstrap`: p-value of H0, interval (log scale), and how."""

    p_value: float
    conf_low: float
    conf_high: float
    method: str


def bootstrap_weights(n_scored: int, *, draws: int = BOOT_DRAWS,
                      seed: int = BOOT_SEED) -> tuple[np.ndarray, str]:
    """Weight vectors (rows) for ``n_scored`` clusters and a phrase saying which.

    - ``n_scored`` <= :data:`MAX_WEBB`: Webb six-point weights, all 6^S vectors. With so few
      clusters the 2^S Rademacher vectors give too coarse a distribution: with S <= 5 no
      two-sided p below 2/2^S >= 0.0625 exists, so the test could never reject at 5%
      (Webb 2023; MacKinnon and Webb 2018).
    - up to :data:`MAX_RADEMACHER`: Rademacher (+/-1), all 2^S sign vectors: the sign-flip
      distribution, exact under symmetric independent cluster scores.
    - more: ``draws`` seeded Monte Carlo Rademacher vectors.

    Enumerated vectors all have the same probability, so the bootstrap p-value is the exact
    bootstrap p-value (no simulation error) and the same every run.
    """
    s = int(n_scored)
    if s <= MAX_WEBB:
        w = np.array(list(itertools.product(WEBB, repeat=s))).reshape(-1, s)
        return w, f"Webb 6-point weights, {len(w)} of {len(w)} weight vectors (exact)"
    if s <= MAX_RADEMACHER:
        w = np.array(list(itertools.product((-1.0, 1.0), repeat=s)))
        return w, f"Rademacher weights, {len(w)} of {len(w)} sign vectors (exact)"
    rng = np.random.default_rng(seed)
    w = rng.choice(np.array([-1.0, 1.0]), size=(draws, s))
    return w, (f"Rademacher weights, {draws} seeded Monte Carlo draws (seed {seed}) of "
               f"2^{s} sign vectors")


def score_statistic_p(scores: np.ndarray, weights: np.ndarray) -> float:
    """Bootstrap p of the studentized score statistic from cluster scores at H0.

    T = sum_g s_g / sqrt(sum_g s_g^2) (the cluster-robust score/LM statistic); in each
    bootstrap draw the scores become w_g s_g and T* = sum w_g s_g / sqrt(sum w_g^2 s_g^2),
    the variance recomputed from the perturbed scores. Two-sided, symmetric:
    p = share of draws with |T*| >= |T| (ties count). All scores zero: p = 1.
    """
    s = np.asarray(scores, dtype=float)
    ss = float(np.sum(s * s))
    if not ss > 0:
        return 1.0
    t = abs(float(np.sum(s))) / math.sqrt(ss)
    t_star = np.abs(weights @ s) / np.sqrt((weights * weights) @ (s * s))
    return float(np.mean(t_star >= t * (1 - 1e-10) - 1e-12))


def _bound(p_at: Callable[[float], float], center: float, side: int, alpha: float,
           reach: float, tol: float) -> float:
    """Outer edge, on one side of ``center``, of the values b0 with p(b0) >= alpha.

    Offsets from ``center`` double from 0.005 up to steps of 0.25, then go on in steps of
    0.25 up to ``reach``; the edge is bisected (to ``tol``) between the farthest accepted
    offset and the rejected one just beyond it. p(b0) need not be monotone (the statistic is
    studentized), so rejected stretches inside are passed over: the interval is the hull of
    the accepted values, never narrower than the confidence set.
    """
    offsets, d = [], 0.005
    while not offsets or offsets[-1] < reach:
        offsets.append(min((offsets[-1] if offsets else 0.0) + d, reach))
        d = min(2 * d, 0.25)
    accepted = [0.0] + [o for o in offsets if p_at(center + side * o) >= alpha]
    inner = accepted[-1]
    if inner >= reach:
        return side * math.inf
    outer = next(o for o in offsets if o > inner)
    while outer - inner > tol:  # bisection: p(inner) >= alpha > p(outer)
        mid = (inner + outer) / 2
        if p_at(center + side * mid) < alpha:
            outer = mid
        else:
            inner = mid
    return center + side * (inner + outer) / 2


def score_bootstrap(scores_at: Callable[[float], np.ndarray], n_scored: int, *,
                    estimate: float, null: float = 0.0, ci: bool = True,
                    alpha: float = 1 - LEVEL, draws: int = BOOT_DRAWS, seed: int = BOOT_SEED,
                    reach: float = BOOT_REACH, tol: float = 1e-4) -> Bootstrap:
    """Wild cluster score bootstrap (Kline and Santos 2012) of one coefficient.

    ``scores_at(b0)`` returns the ``n_scored`` cluster scores of the coefficient at the
    RESTRICTED estimate (the model refitted with the coefficient fixed at ``b0``, nuisance
    parameters re-estimated and partialled out); clusters whose score is identically zero
    are left out of it (their weights cannot matter). The p-value tests H0: coefficient =
    ``null`` with :func:`score_statistic_p` and the weights of :func:`bootstrap_weights`.
    The model is never re-estimated per draw: the score bootstrap perturbs the scores,
    which is what makes it cheap and usable for ML estimators without residuals.

    ``ci``: the (1 - alpha) interval by test inversion: the hull of the b0 with
    p(b0) >= alpha (same weight vectors for every b0), scanned outward from ``estimate`` in
    steps of at most 0.25 up to ``reach`` (:func:`_bound`), each edge located to ``tol`` by
    bisection, and widened to include ``null`` when p(null) >= alpha; an edge is -inf/inf
    when the farthest value scanned on that side is not rejected.
    """
    weights, how = bootstrap_weights(n_scored, draws=draws, seed=seed)

    def p_at(b0: float) -> float:
        return score_statistic_p(scores_at(b0), weights)

    p = p_at(null)
    low = high = math.nan
    if ci:
        low = _bound(p_at, estimate, -1, alpha, reach, tol)
        high = _bound(p_at, estimate, +1, alpha, reach, tol)
        if p >= alpha:  # the tested null is in the confidence set, whatever the grid saw
            low, high = min(low, null), max(high, null)
    return Bootstrap(p, low, high, how)
