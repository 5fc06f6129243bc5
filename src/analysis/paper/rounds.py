"""Coding rounds for the paper: reliability numbers and the mandate estimate by round.

Reads ``results/coding/reliability.csv`` and ``results/models/estimates_by_round.csv``
(contracts: :mod:`analysis.schemas.rounds`) as strings. Keys:

- :func:`reliability_numbers`: ``has_human_rounds``, ``n_human_rounds``, ``human_rounds``
  (names of the rounds of coder sheets), ``rel_simulated`` (the demo's SYNTHETIC simulated
  coders are one of them), ``n_people_rounds`` / ``people_rounds`` (the others: coded by
  people),
  ``rel_n_alpha`` (round x variable pairs with a defined alpha), ``rel_n_reliable``
  (alpha >= 0.8), ``rel_n_tentative`` (0.667 <= alpha < 0.8), ``rel_n_unreliable``
  (< 0.667), ``rel_min_alpha`` / ``rel_max_alpha`` with ``__variable`` (and round),
  ``rel_threshold_reliable`` / ``rel_threshold_tentative`` (0.8, 0.667),
  ``rel_automated_round``, ``rel_min_f1`` / ``rel_max_f1`` with ``__variable``: F1 of the automated round(s) against
  human consensus, per variable (micro average over labels). Table ``reliability``.
- :func:`round_numbers`: ``n_rounds`` (main round included), ``has_extra_rounds``,
  ``rounds_model`` (the headline
  model, or the first model fitted in every round), ``rounds_n_fitted`` (rounds in which it
  was fitted), ``rounds_min`` / ``rounds_max`` (its ratio across rounds),
  ``rounds_n_same_direction`` (rounds whose interval is on the same side of one as the main
  round's, or across it like the main round's) of that model. The claim over EVERY model:
  ``rounds_n_models`` (models with a fitted explicit_mandate ratio in the main round, the
  first round of the table), ``rounds_n_models_differ`` / ``rounds_models_differ`` (those
  whose interval lies on another side of one in some round: label, round and both
  directions), ``rounds_n_models_unfitted`` / ``rounds_models_unfitted`` (fitted in the main
  round but not in some other round: not checked there), ``rounds_all_same_direction`` (no
  model differs and every model was checked in every round: the only case in which the
  paper says the conclusion does not hinge on the coding round), ``rounds_inference`` (which
  interval decides a direction: the ENDORSED inference of
  :mod:`analysis.paper.models` when the table has its columns, else each model's own).
  Round kinds are printed with :func:`kind_label` (``simulated coders`` for the demo's
  SYNTHETIC round, never ``human``). Table ``rounds``.
"""

from __future__ import annotations

import pandas as pd

from analysis.paper.format import MISSING, Numbers, fmt_ci, fmt_count, fmt_ratio
from analysis.paper.models import (
    ENDORSED,
    HEADLINE_ORDER,
    MANDATE_TERM,
    MODEL_INFERENCE,
    direction,
    endorsed,
    model_label,
)
from analysis.paper.stats import numeric, require

SIMULATED_ROUND = "demo-simulated-coders"  # analysis.rounds.demo / workflow/rules/rounds.smk
KIND_LABELS = {"automated": "automated", "human": "human coders"}


def kind_label(round_name: str, kind: str) -> str:
    """What a reader is told a round is: the demo's SYNTHETIC coders are ``simulated
    coders`` (their table kind is ``human``: they fill the human coder sheets)."""
    if round_name == SIMULATED_ROUND:
        return "simulated coders"
    return KIND_LABELS.get(kind, kind)
RELIABLE, TENTATIVE = 0.8, 0.667
REL_HEADER = ["Round", "Variable", "Paragraphs", "Alpha", "Agreement", "Automated F1",
              "Precision", "Recall"]
ROUND_HEADER = ["Round", "Kind", "Model", "Ratio", "95% CI", "Direction"]
_DIRECTION_WORDS = {"higher": "above one", "lower": "below one",
                    "inconclusive": "across one"}


def _words(name: str) -> str:
    return name.replace("_", " ")



def _extremes(num, measure: str, values, whole, file: str, how: str) -> None:
    """rel_min_<measure> / rel_max_<measure> and the variable and round where each occurs."""
    for key, pick in (("min", values.idxmin), ("max", values.idxmax)):
        i = pick() if len(values) else None
        num.ratio(f"rel_{key}_{measure}", None if i is None else values[i], file,
                  f"{key} {how}", digits=2)
        num.add(f"rel_{key}_{measure}__variable", None if i is None else whole.at[i, "variable"],
                None if i is None else f"{_words(whole.at[i, 'variable'])} "
                f"({whole.at[i, 'round']})", file, f"variable and round of rel_{key}_{measure}")

def reliability_numbers(num: Numbers, rel: pd.DataFrame | None, *, file: str,
                        main_round: str | None = None) -> pd.DataFrame:
    """Numbers of the module doc; returns the paper's reliability table (one row per human
    round and variable; F1 etc. of ``main_round``, default: the first automated round)."""
    if rel is None:
        rel = pd.DataFrame(columns=["round", "measure", "automated_round", "variable", "label",
                                    "n_units", "alpha", "agreement", "precision", "recall",
                                    "f1"])
    require(rel, ["round", "measure", "automated_round", "variable", "label", "n_units",
                  "alpha", "agreement", "precision", "recall", "f1"], file,
            "the reliability rule (analysis.rounds.steps reliability)")
    whole = rel[rel["label"] == ""].reset_index(drop=True)
    vals = {c: numeric(whole, c, file) for c in ("n_units", "alpha", "agreement",
                                                  "precision", "recall", "f1")}
    alpha_rows = whole["measure"] == "alpha"
    auto_rows = whole["measure"] == "automated_vs_human"
    rounds = list(dict.fromkeys(whole.loc[alpha_rows | auto_rows, "round"]))
    num.flag("has_human_rounds", bool(rounds), file, "rows of measure alpha or "
             "automated_vs_human exist")
    num.count("n_human_rounds", len(rounds), file, "distinct rounds")
    num.label("human_rounds", ", ".join(rounds) or None, file, "round names, table order")
    num.flag("rel_simulated", SIMULATED_ROUND in rounds, file,
             f"round {SIMULATED_ROUND} (SYNTHETIC simulated coders, demo only) is present")
    people = [r for r in rounds if r != SIMULATED_ROUND]
    num.count("n_people_rounds", len(people), file, f"distinct rounds other than "
              f"{SIMULATED_ROUND} (rounds coded by people)")
    num.label("people_rounds", ", ".join(people) or None, file, "their names, table order")
    num.ratio("rel_threshold_reliable", RELIABLE, file, "alpha for reliable data "
              "(Krippendorff's convention)", digits=2)
    num.ratio("rel_threshold_tentative", TENTATIVE, file, "alpha for tentative conclusions "
              "(Krippendorff's convention)", digits=3)
    alpha = vals["alpha"][alpha_rows]
    defined = alpha.dropna()
    how = "whole-variable rows (label empty) of measure alpha with a defined alpha"
    num.count("rel_n_alpha", len(defined), file, how)
    num.count("rel_n_reliable", (defined >= RELIABLE).sum(), file, f"{how}, alpha >= 0.8")
    num.count("rel_n_tentative", ((defined >= TENTATIVE) & (defined < RELIABLE)).sum(), file,
              f"{how}, 0.667 <= alpha < 0.8")
    num.count("rel_n_unreliable", (defined < TENTATIVE).sum(), file, f"{how}, alpha < 0.667")
    _extremes(num, "alpha", defined, whole, file, f"of {how}")
    if main_round is None and auto_rows.any():
        main_round = whole.loc[auto_rows, "automated_round"].iloc[0]
    num.label("rel_automated_round", main_round, file, "automated round compared with humans")
    f1 = vals["f1"][auto_rows & (whole["automated_round"] == main_round)].dropna()
    how = f"whole-variable rows of measure automated_vs_human, automated_round {main_round}"
    _extremes(num, "f1", f1, whole, file, f"F1 of {how}")
    rows = []
    for i in whole.index[alpha_rows]:
        r = whole.loc[i]
        match = whole.index[auto_rows & (whole["round"] == r["round"])
                            & (whole["variable"] == r["variable"])
                            & (whole["automated_round"] == main_round)]
        j = match[0] if len(match) else None

        def val(col, k=j, digits=2):
            v = None if k is None else vals[col][k]
            return fmt_ratio(None if v is None or pd.isna(v) else float(v), digits)
        rows.append(dict(zip(REL_HEADER, [
            r["round"], _words(r["variable"]), fmt_count(vals["n_units"][i]),
            val("alpha", i), val("agreement", i), val("f1"), val("precision"),
            val("recall")])))
    return pd.DataFrame(rows, columns=REL_HEADER)


def round_numbers(num: Numbers, by_round: pd.DataFrame | None, *, file: str,
                  headline_model: str | None = None) -> pd.DataFrame:
    """Numbers of the module doc; returns the paper's ``rounds`` table (fitted models)."""
    if by_round is None:
        by_round = pd.DataFrame(columns=["round", "round_kind", "model", "estimate_exp",
                                         "conf_low_exp", "conf_high_exp", "status"])
    require(by_round, ["round", "round_kind", "model", "estimate_exp", "conf_low_exp",
                       "conf_high_exp", "status"], file,
            "the estimates_by_round rule (analysis.rounds.steps by-round)")
    df = by_round.reset_index(drop=True)
    if "term" in df.columns:  # one mandate row per round and model (not leave-one-out rows)
        df = df[df["term"].isin(["", MANDATE_TERM])].reset_index(drop=True)
    extra = sorted({c for inf in ENDORSED.values() for c in (inf.low, inf.high)}
                   & set(df.columns))
    ratio = {c: numeric(df, c, file) for c in ("estimate_exp", "conf_low_exp",
                                                "conf_high_exp", *extra)}
    fitted = (df["status"] == "fitted") & ratio["estimate_exp"].notna()
    rounds = list(dict.fromkeys(df["round"]))
    num.count("n_rounds", len(rounds), file, "distinct rounds (main automated round included)")
    num.flag("has_extra_rounds", len(rounds) > 1, file, "n_rounds > 1")
    models = [m for m in (headline_model, *HEADLINE_ORDER) if m]
    model = next((m for m in models if fitted[df["model"] == m].any()), None)
    num.add("rounds_model", model, model_label(model) if model else MISSING, file,
            "the headline model (else the first of HEADLINE_ORDER fitted in a round)")
    sel = df.index[(df["model"] == model) & fitted] if model else []
    est = ratio["estimate_exp"][sel]
    num.count("rounds_n_fitted", len(sel), file, f"rounds with model {model} fitted")
    num.ratio("rounds_min", est.min() if len(est) else None, file,
              f"min estimate_exp of model {model} over rounds")
    num.ratio("rounds_max", est.max() if len(est) else None, file,
              f"max estimate_exp of model {model} over rounds")
    directions = [direction(ratio["conf_low_exp"][i], ratio["conf_high_exp"][i]) for i in sel]
    same = sum(d == directions[0] for d in directions) if directions else None
    num.count("rounds_n_same_direction", same, file, "rounds whose interval of the model's "
              "ratio is on the same side of one as the first (main) round's, or across it")
    _every_model(num, df, ratio, fitted, rounds, file)
    rows = []
    for i in df.index[fitted]:
        low, high = ratio["conf_low_exp"][i], ratio["conf_high_exp"][i]
        low = None if pd.isna(low) else float(low)
        high = None if pd.isna(high) else float(high)
        rows.append(dict(zip(ROUND_HEADER, [
            df.at[i, "round"], kind_label(df.at[i, "round"], df.at[i, "round_kind"]),
            model_label(df.at[i, "model"]),
            fmt_ratio(float(ratio["estimate_exp"][i])), fmt_ci(low, high),
            direction(low, high)])))
    return pd.DataFrame(rows, columns=ROUND_HEADER)


def _every_model(num: Numbers, df: pd.DataFrame, ratio: dict, fitted: pd.Series,
                 rounds: list[str], file: str) -> None:
    """``rounds_n_models`` ... ``rounds_all_same_direction`` (module doc): every model fitted
    in the main round, compared round by round by its endorsed interval."""
    main = rounds[0] if rounds else None
    models = list(dict.fromkeys(df.loc[fitted & (df["round"] == main), "model"]))
    used, differ, unfitted = set(), [], []
    for model in models:
        inf = endorsed(model, ratio)
        if inf is not MODEL_INFERENCE and ratio[inf.low].isna().all():
            inf = MODEL_INFERENCE  # the table has the columns, but not for this model
        used.add(inf.name)
        side = {}
        for i in df.index[df["model"] == model]:
            side[df.at[i, "round"]] = (direction(ratio[inf.low][i], ratio[inf.high][i])
                                       if fitted[i] else None)
        base = side.get(main)
        moved = [f"{r}: {_DIRECTION_WORDS.get(d, d)}" for r, d in side.items()
                 if r != main and d is not None and d != base]
        missing = [r for r in rounds[1:] if side.get(r) is None]
        if moved:
            differ.append(f"{model_label(model)} ({_DIRECTION_WORDS.get(base, base)} in {main}"
                          f"; {'; '.join(moved)})")
        if missing:
            unfitted.append(f"{model_label(model)} (not fitted in {', '.join(missing)})")
    how = (f"models with a fitted explicit_mandate ratio in the main round ({main}), each "
           "compared in every other round by its endorsed interval (ENDORSED in "
           "analysis.paper.models, else its own)")
    num.count("rounds_n_models", len(models), file, how)
    num.count("rounds_n_models_differ", len(differ), file, f"{how}: interval on another side "
              "of one in some round")
    num.add("rounds_models_differ", differ or None, "; ".join(differ) or MISSING, file,
            "labels of those models, main-round direction and the rounds that differ")
    num.count("rounds_n_models_unfitted", len(unfitted), file, f"{how}: not fitted in some "
              "other round")
    num.add("rounds_models_unfitted", unfitted or None, "; ".join(unfitted) or MISSING, file,
            "labels of those models and the rounds they were not fitted in")
    all_same = (None if not models or len(rounds) < 2
                else not differ and not unfitted)
    num.flag("rounds_all_same_direction", all_same, file, "no model differs and every model "
             "was fitted in every round (None without a second round or a fitted model)")
    num.add("rounds_inference", sorted(used) or None, "; ".join(sorted(used)) or MISSING,
            file, "interval(s) that decided the directions")
