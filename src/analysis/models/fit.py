"""Shared machinery of the models: fit guards, tidy rows, clustered inference, permutation.

Every model of :mod:`analysis.models.cross` and :mod:`analysis.models.panel` goes through
:func:`guarded_fit` (warnings and errors are caught and become the ``reason`` of a row, never
silently dropped) and :func:`tidy_rows` (one row per reported term). Rows follow
:data:`analysis.schemas.models.ESTIMATE_COLUMNS`.

Inference conventions (documented once, here; every row says which in ``inference`` and
the t degrees of freedom in ``df_resid``):

- panel models, ``cov_type == "cluster"``: cluster-robust by operation, CR1 with the factor
  G/(G-1) only (the operation fixed effects are nested in the clusters, so they are not
  counted as parameters, as in Stata's ``areg``/``ppmlhdfe``); p-values and intervals from
  Student's t with S-1 degrees of freedom, S = the number of SWITCHERS (operations whose
  treatment varies between their reports). With operation fixed effects only the switchers
  carry information on the mandate (the others' mandate scores are zero), so the variance
  rests on S clusters, not G: t(G-1) counts clusters that carry none and over-rejects.
  Models with fixed effects are ``not_fitted`` when S < 3 (:data:`MIN_SWITCHERS`): the
  variance would rest on one or two clusters. Models without fixed effects: t(G-1).
- cross-section: HC3 standard errors (``cov_type == "HC3"``, :func:`hc3_attempt`) with
  t(n-k) for the Poisson and binomial models (with a dozen operations HC0/HC1 with z are
  too liberal); the negative binomial keeps its model-based (ML) standard errors with
  normal (z) p-values and intervals (``df_resid`` empty). HC3 is computed here: the
  installed ``statsmodels`` GLM accepts ``cov_type="HC1"``/``"HC3"`` but returns HC0, which
  is what the earlier "HC1" rows held.
- ``estimate_exp`` = exp(estimate): a rate ratio (Poisson, negative binomial) or an odds
  ratio (logit, binomial); empty for the negative binomial's ``alpha`` and for
  ``overdispersion_lr``.
- negative binomial at its boundary: when alpha runs to 0 (no overdispersion), the NB
  likelihood is maximized by the Poisson; the NB model is reported FITTED with alpha = 0
  and the Poisson estimates (:func:`overdispersion_lr`), and every NB model has a row
  ``overdispersion_lr``: the likelihood-ratio statistic of NB vs Poisson and its
  chi-bar-squared p (half the chi2(1) tail; alpha = 0 lies on the boundary).
- :func:`score_bootstrap`: wild cluster score bootstrap (Kline and Santos 2012) of one
  coefficient from restricted cluster scores, p-value and interval by test inversion
  (root finding on the p-value function, see :func:`_bound`); used for the mandate term of
  the FE Poisson panel. Its size is not guaranteed: with 12 operations of which 4 switch,
  an earlier simulation check measured about 2% rejections of a true null at 5%
  (conservative); the simulation check (:mod:`analysis.simulation`) measures it.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pandas as pd
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
# Fewest switchers for cluster-robust inference with operation fixed effects (t(S-1)).
MIN_SWITCHERS = 3
# alpha below this: the negative binomial sits at its boundary (alpha = 0, the Poisson).
ALPHA_BOUNDARY = 1e-4
OVERDISPERSION_TERM = "overdispersion_lr"


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


def t_inference(estimate: np.ndarray, se: np.ndarray, df: float) -> dict:
    """Student t(df) p-values and 95% intervals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tval = estimate / se
    p = 2 * stats.t.sf(np.abs(tval), df=df)
    q = stats.t.ppf(0.5 + LEVEL / 2, df=df)
    return {"std_error": se, "p_value": p, "conf_low": estimate - q * se,
            "conf_high": estimate + q * se}


def cluster_inference(estimate: np.ndarray, se0: np.ndarray, n_clusters: int,
                      df: float | None = None) -> dict:
    """CR1 standard errors from CR0 standard errors ``se0`` (factor G/(G-1)), p-values and
    intervals from t(``df``), by default t(G-1); the panel models pass df = S-1."""
    g = n_clusters
    se = se0 * math.sqrt(g / (g - 1))
    return t_inference(estimate, se, g - 1 if df is None else df)


def normal_inference(estimate: np.ndarray, se: np.ndarray) -> dict:
    """z p-values and 95% Wald intervals."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = estimate / se
    q = stats.norm.ppf(0.5 + LEVEL / 2)
    return {"std_error": se, "p_value": 2 * stats.norm.sf(np.abs(z)),
            "conf_low": estimate - q * se, "conf_high": estimate + q * se}


def not_fitted(model: str, family: str, reasons: list[str], *, term: str = MANDATE_TERM,
               n: int = 0, n_clusters: int | None = None, cov_type: str = "",
               n_switchers: int | None = None, inference: str = "") -> list[dict]:
    """The single row reporting a model that could not be fitted, and why."""
    return [{"model": model, "family": family, "term": term, "n": n, "n_clusters": n_clusters,
             "cov_type": cov_type, "status": "not_fitted",
             "reason": "; ".join(reasons) or "not fitted", "n_switchers": n_switchers,
             "inference": inference}]


CR1_SWITCHERS = "cluster-robust by operation (CR1), t(S-1), S = switchers"
CR1_CLUSTERS = "cluster-robust by operation (CR1), t(G-1)"


def hc3_attempt(attempt: Attempt) -> Attempt:
    """The guarded GLM fit ``attempt`` with HC3 standard errors in place of its own.

    HC3 (MacKinnon and White 1985) for a GLM: bread = inverse of minus the Hessian, meat =
    sum over observations of s_i s_i' / (1 - h_i)^2, s_i the score of observation i and h_i
    its leverage (diagonal of the GLM hat matrix, weights included). Computed here because
    ``statsmodels`` (0.15) GLM accepts ``cov_type="HC3"`` (and HC1, HC2) but returns HC0.
    An observation with leverage 1 makes HC3 undefined: a problem (not_fitted).
    """
    res = attempt.result
    if res is None or attempt.problems:
        return attempt
    model, params = res.model, np.asarray(res.params, dtype=float)
    try:
        scores = np.asarray(model.score_obs(params), dtype=float)
        bread = np.linalg.inv(-np.asarray(model.hessian(params), dtype=float))
        h = np.asarray(res.get_hat_matrix_diag(), dtype=float)
    except (np.linalg.LinAlgError, ValueError) as err:
        return Attempt(None, [f"HC3 not computed: {type(err).__name__}: {_short(err)}"],
                       attempt.notes)
    if np.any(h > 1 - 1e-10):
        n_one = int(np.sum(h > 1 - 1e-10))
        return Attempt(None, [f"HC3 undefined: {n_one} observation(s) with leverage 1"],
                       attempt.notes)
    u = scores / (1 - h)[:, None]
    se = np.sqrt(np.diag(bread @ (u.T @ u) @ bread))
    index = getattr(res.params, "index", None)
    result = SimpleNamespace(params=res.params, model=model, llf=res.llf,
                             bse=se if index is None else pd.Series(se, index=index))
    return Attempt(result, list(attempt.problems), list(attempt.notes))


def inference_phrase(cov_type: str) -> str:
    """The default ``inference`` cell: how p and the interval were computed."""
    if cov_type == "cluster":
        return CR1_CLUSTERS
    if cov_type == "HC3":
        return "HC3 heteroskedasticity-robust, t(n-k)"
    return "model-based (ML) standard errors, normal (z)"


def tidy_rows(model: str, family: str, attempt: Attempt, terms: dict[str, str], *, n: int,
              n_clusters: int | None, cov_type: str, notes: list[str],
              key_terms: tuple[str, ...] = (MANDATE_TERM,), t_df: float | None = None,
              n_switchers: int | None = None, inference: str | None = None,
              boundary_alpha: bool = False) -> list[dict]:
    """Rows for the reported ``terms`` ({statsmodels name: table name}) of a guarded fit.

    ``cov_type == "cluster"``: CR1 with t(``t_df``) (t(G-1) when ``t_df`` is None);
    ``"HC3"``: t(``t_df``) (the caller passes n-k); otherwise z. ``df_resid`` = the t df
    used (empty for z), ``inference`` = :func:`inference_phrase` unless given.
    ``boundary_alpha``: ``attempt`` is the POISSON fit standing for a negative binomial
    whose alpha is at its boundary 0; an ``alpha`` row with estimate 0 is added.

    The model is ``not_fitted`` when the fit failed, raised a fatal warning, or a key term
    (the mandate) has a non-finite or diverging estimate or standard error.
    """
    label = "cluster" if cov_type == "cluster" else cov_type
    if cov_type == "cluster" and t_df is None and n_clusters:
        t_df = n_clusters - 1
    if cov_type not in ("cluster", "HC3"):
        t_df = None
    phrase = inference or inference_phrase(cov_type)
    extra = {"n_switchers": n_switchers, "df_resid": t_df, "inference": phrase}
    problems = list(attempt.problems)
    result = attempt.result
    if result is None or problems:
        return not_fitted(model, family, problems + notes + attempt.notes, term=key_terms[0],
                          n=n, n_clusters=n_clusters, cov_type=label, n_switchers=n_switchers,
                          inference=phrase)
    names = (list(result.params.index) if hasattr(result.params, "index")
             else list(result.model.exog_names))
    params = np.asarray(result.params, dtype=float)
    se0 = np.asarray(result.bse, dtype=float)
    if cov_type == "cluster":
        inf = cluster_inference(params, se0, n_clusters, t_df)
    elif t_df is not None:
        inf = t_inference(params, se0, t_df)
    else:
        inf = normal_inference(params, se0)
    rows = []
    for sm_name, term in terms.items():
        i = names.index(sm_name)
        est, se = params[i], inf["std_error"][i]
        low, high = inf["conf_low"][i], inf["conf_high"][i]
        if term in key_terms and not (np.isfinite(est) and np.isfinite(se) and se > 0):
            problems.append(f"{term}: estimate or standard error not finite (singular fit)")
            continue
        if term in key_terms and abs(est) > DIVERGED:
            problems.append(f"{term}: estimate diverged ({est:.1f} on the log scale), "
                            "likely separation (a group with no activity at all)")
            continue
        if not all(np.isfinite(v) and abs(v) <= MAX_LOG for v in (est, low, high)):
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
                     "status": "fitted", "reason": "; ".join(notes + attempt.notes), **extra})
    if problems:
        return not_fitted(model, family, problems + notes + attempt.notes, term=key_terms[0],
                          n=n, n_clusters=n_clusters, cov_type=label, n_switchers=n_switchers,
                          inference=phrase)
    if boundary_alpha:
        rows.append({"model": model, "family": family, "term": "alpha", "estimate": 0.0,
                     "n": n, "n_clusters": n_clusters, "cov_type": label, "status": "fitted",
                     "reason": ("alpha = 0, its boundary: no standard error there (see "
                                "overdispersion_lr)"),
                     "n_switchers": n_switchers, "df_resid": None,
                     "inference": "boundary estimate, no standard error"})
    return rows


def overdispersion_lr(llf_negbin: float | None, llf_poisson: float) -> tuple[float, float]:
    """LR statistic of the negative binomial against the Poisson and its p-value.

    H0: alpha = 0 lies on the boundary of the parameter space, so under H0 the statistic is
    chi-bar-squared, a 50:50 mixture of a point mass at 0 and chi2(1) (Self and Liang 1987):
    p = half the chi2(1) tail for LR > 0, and 1 for LR = 0 (as Stata's ``nbreg``).
    ``llf_negbin`` None: the NB is at its boundary, LR = 0. LR below 1e-8 is taken as 0
    (optimizer noise).
    """
    lr = 0.0 if llf_negbin is None else max(2.0 * (llf_negbin - llf_poisson), 0.0)
    if lr < 1e-8:
        return 0.0, 1.0
    return lr, float(0.5 * stats.chi2.sf(lr, 1))


def overdispersion_score(y: np.ndarray, mu: np.ndarray) -> float:
    """Score of the NB2 log-likelihood in alpha at alpha = 0, up to a positive factor:
    sum((y - mu)^2 - y) over the Poisson fitted means ``mu`` (Cameron and Trivedi 2013).
    Not above 0: the likelihood falls as alpha leaves 0, the boundary is the maximum."""
    y, mu = np.asarray(y, float), np.asarray(mu, float)
    return float(np.sum((y - mu) ** 2 - y))


def overdispersion_row(model: str, lr: float, p: float, *, n: int, n_clusters: int | None,
                       n_switchers: int | None) -> dict:
    """The ``overdispersion_lr`` row of a negative binomial model."""
    return {"model": model, "family": "negative_binomial", "term": OVERDISPERSION_TERM,
            "estimate": lr, "p_value": p, "n": n, "n_clusters": n_clusters,
            "cov_type": "", "status": "fitted", "n_switchers": n_switchers, "df_resid": None,
            "inference": "likelihood ratio, chi-bar-squared (half the chi2(1) tail)",
            "reason": (f"LR test of overdispersion (H0: alpha = 0, the Poisson): estimate = "
                       f"LR = 2(llf NB - llf Poisson) = {lr:.4g}, p = {p:.4g} from the "
                       "chi-bar-squared (alpha = 0 is on the boundary: half the chi2(1) "
                       "tail)")}


def negbin_rows(name: str, nb: Attempt, poisson: Attempt, shown: dict[str, str], *,
                y: np.ndarray, n: int, n_clusters: int | None, cov_type: str,
                notes: list[str], key_terms=(MANDATE_TERM,), **inf) -> list[dict]:
    """Rows of a negative binomial model and its ``overdispersion_lr`` row.

    ``nb``: the NB2 fit; ``poisson``: the Poisson fit of the same design (same inference).
    Alpha interior (>= :data:`ALPHA_BOUNDARY`): the NB rows. Alpha at
    its boundary (below it, or no optimizer converged while the Poisson residuals show no
    overdispersion, :func:`overdispersion_score` <= 0): the NB
    likelihood is maximized at alpha = 0 by the Poisson estimates, so those are reported,
    FITTED, with ``alpha`` = 0. Either way the LR test of NB against Poisson follows.
    """
    family = "negative_binomial"
    ok = nb.result is not None and not nb.problems and np.all(
        np.isfinite(np.asarray(nb.result.params, dtype=float)))
    alpha = float(np.asarray(nb.result.params)[-1]) if ok else float("nan")
    pois_ok = poisson.result is not None and not poisson.problems
    if ok and alpha >= ALPHA_BOUNDARY:
        rows = tidy_rows(name, family, nb, {**shown, "alpha": "alpha"}, n=n,
                         n_clusters=n_clusters, cov_type=cov_type, notes=notes,
                         key_terms=key_terms, **inf)
        boundary = False
    elif pois_ok and (ok or overdispersion_score(y, poisson.result.mu) <= 0):
        why = (f"alpha estimated at {alpha:.1g}, below {ALPHA_BOUNDARY:g}" if ok else
               "no NB optimizer converged and the Poisson residuals show no overdispersion "
               "(sum((y - mu)^2 - y) <= 0: the likelihood falls as alpha leaves 0)")
        note = (f"alpha at its boundary 0 ({why}): the negative binomial reduces to the "
                "Poisson, whose estimates and standard errors are reported")
        rows = tidy_rows(name, family, poisson, shown, n=n, n_clusters=n_clusters,
                         cov_type=cov_type, notes=[note] + notes, key_terms=key_terms,
                         boundary_alpha=True, **inf)
        boundary = True
    else:
        reasons = [f"negative binomial: {p}" for p in (nb.problems or ["not fitted"])]
        if not pois_ok:
            reasons += [f"Poisson: {p}" for p in (poisson.problems or ["not fitted"])]
        else:
            reasons.append("the Poisson residuals show overdispersion, so alpha is not at "
                           "its boundary")
        return not_fitted(name, family, reasons + notes, term=key_terms[0], n=n,
                          n_clusters=n_clusters, cov_type=cov_type,
                          n_switchers=inf.get("n_switchers"), inference=inf.get("inference", ""))
    if rows[0]["status"] == "fitted" and pois_ok:
        llf_nb = float(nb.result.llf) if ok else None
        lr, p = overdispersion_lr(None if boundary and not ok else llf_nb,
                                  float(poisson.result.llf))
        rows.append(overdispersion_row(name, lr, p, n=n, n_clusters=n_clusters,
                                       n_switchers=inf.get("n_switchers")))
    return rows


RANDOMIZATION = ("randomization p under exchangeability of the treatment across operations")


def _multiset_permutations(values: list[float]):
    """Every distinct ordering of ``values`` (a multiset), in lexicographic order."""
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    keys = sorted(counts)
    n = len(values)
    out: list[float] = []

    def walk():
        if len(out) == n:
            yield np.array(out, dtype=float)
            return
        for k in keys:
            if counts[k]:
                counts[k] -= 1
                out.append(k)
                yield from walk()
                out.pop()
                counts[k] += 1

    return walk()


def n_arrangements(treat: np.ndarray) -> int:
    """Distinct orderings of ``treat``: n! / prod(count of each value)!"""
    _, counts = np.unique(np.asarray(treat, dtype=float), return_counts=True)
    total = math.factorial(len(treat))
    for c in counts:
        total //= math.factorial(int(c))
    return total


def permutation_p(refit: Callable[[np.ndarray], float], treat: np.ndarray, observed: float, *,
                  permutations: int, seed: int, max_exact: int,
                  statistic: str = f"|{MANDATE_TERM} coefficient|",
                  label: str = MANDATE_TERM) -> tuple[float | None, str]:
    """Two-sided randomization p-value of a coefficient, and a sentence saying how.

    ``refit(values)`` returns the mandate coefficient refitted with ``values`` (one per
    operation: 0/1 or a share in [0, 1]) in place of the observed ``treat``; it may raise or
    return NaN (counted as a failed fit and left out). ``observed`` = ``refit(treat)``;
    ``statistic`` describes it; ``label`` names the permuted column. The treatment values
    are permuted across operations (their multiset held fixed: with 0/1, the number of
    treated operations). This is a randomization p under exchangeability of the treatment
    across operations, not a test of a randomized design. All distinct arrangements are
    enumerated when there are at most ``max_exact`` of them (p = share with
    |b| >= |b_observed|, the observed one included); otherwise ``permutations`` seeded Monte
    Carlo draws, p = (1 + hits) / (1 + draws).
    """
    treat = np.asarray(treat, dtype=float)
    n = len(treat)
    binary = bool(np.isin(treat, (0.0, 1.0)).all())
    total = n_arrangements(treat)
    tol = 1e-7 * max(1.0, abs(observed))
    if total <= max_exact:
        if binary:
            n1 = int(treat.sum())
            assignments = (np.isin(np.arange(n), idx).astype(float)
                           for idx in itertools.combinations(range(n), n1))
        else:
            assignments = _multiset_permutations(list(treat))
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
    what = (f"{int(treat.sum())} mandated" if binary
            else f"{int(np.sum(treat > 0))} with a share above 0")
    method = (f"{RANDOMIZATION}: permutation of {label} across {n} operations ({what}), "
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
    method: str  # the weights
    interval: str = ""  # how the interval was found (empty without one)


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


def _grid(reach: float, must: float | None) -> list[float]:
    """Offsets from the centre: doubling from 0.005 up to steps of 0.25, then steps of 0.25
    up to ``reach``; ``must`` (the offset of the tested null) is added when inside."""
    offsets, d = [], 0.005
    while not offsets or offsets[-1] < reach:
        offsets.append(min((offsets[-1] if offsets else 0.0) + d, reach))
        d = min(2 * d, 0.25)
    if must is not None and 0 < must < reach:
        offsets = sorted(set(offsets) | {must})
    return offsets


def _bound(p_at: Callable[[float], float], center: float, side: int, alpha: float,
           reach: float, tol: float, null: float | None = None) -> float:
    """Edge, on one side of ``center``, of the confidence interval by test inversion.

    Root finding on the step function p(b0) - alpha: from ``center`` (where p = 1) the
    offsets of :func:`_grid` are tested outward until the FIRST rejected value
    (p < alpha); the edge is then bisected (to ``tol``) between the last accepted offset
    and that rejected one. ``null`` (the tested value, on this side) is a grid point, so a
    rejected null always falls outside the interval. Should p(b0) not be monotone and a
    rejected stretch lie between ``center`` and an accepted ``null``, the search goes on
    from ``null`` (the interval is then the hull of the set accepted up to the null, so it
    holds the null exactly when the null is accepted). No rejection up to ``reach``:
    -inf/inf (unbounded on that side).
    """
    must = None
    if null is not None and (null - center) * side > 0:
        must = abs(null - center)
    offsets = _grid(reach, must)
    inner, outer = 0.0, None
    for o in offsets:
        if p_at(center + side * o) < alpha:
            outer = o
            break
        inner = o
    if outer is not None and must is not None and outer < must and p_at(null) >= alpha:
        inner, outer = must, None  # the null is accepted: continue beyond it
        for o in (o for o in offsets if o > must):
            if p_at(center + side * o) < alpha:
                outer = o
                break
            inner = o
    if outer is None:
        return side * math.inf
    while outer - inner > tol:  # bisection: p(inner) >= alpha > p(outer)
        mid = (inner + outer) / 2
        if p_at(center + side * mid) < alpha:
            outer = mid
        else:
            inner = mid
    return center + side * (inner + outer) / 2  # strictly inside a rejected null


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

    ``ci``: the (1 - alpha) interval by test inversion (same weight vectors for every b0):
    on each side of ``estimate`` (where p = 1) the first rejected value is found on a grid
    of steps of at most 0.25 up to ``reach``, and the edge is bisected to ``tol`` between
    it and the last accepted value (:func:`_bound`). The interval excludes ``null`` exactly
    when p(null) < alpha. An edge is -inf/inf (unbounded, said in ``interval``) when no value
    within ``reach`` of the estimate is rejected on that side.
    """
    weights, how = bootstrap_weights(n_scored, draws=draws, seed=seed)
    cache: dict[float, float] = {}

    def p_at(b0: float) -> float:
        if b0 not in cache:
            cache[b0] = score_statistic_p(scores_at(b0), weights)
        return cache[b0]

    p = p_at(null)
    low = high = math.nan
    open_sides = []
    if ci:
        low = _bound(p_at, estimate, -1, alpha, reach, tol, null)
        high = _bound(p_at, estimate, +1, alpha, reach, tol, null)
        open_sides = [side for side, v in (("below", low), ("above", high))
                      if math.isinf(v)]
    interval = ""
    if ci:
        interval = (f"interval by test inversion (root finding on p(b0) - {alpha:g}, "
                    f"tolerance {tol:g})")
        if open_sides:
            interval += (f", unbounded {' and '.join(open_sides)}: no value within "
                         f"{reach:g} log units of the estimate is rejected")
    return Bootstrap(p, low, high, how, interval)
