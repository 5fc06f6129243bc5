"""SYNTHETIC coders for the demo corpus: filled coder sheets made from its ground truth.

The demo corpus is synthetic and so are these coders: each simulated coder copies the true
code of every paragraph of the exported sheet from the demo generator's truth table
(``results/demo/truth/paragraphs.csv``) and, with probability ``error`` per cell, writes a
different allowed value instead (drawn uniformly; seeded per coder). They exist so that the
default run exercises the human-round machinery (validation, alpha, consensus,
disagreements, estimates by round) end to end. They are never written to ``raw/`` and their
file names say ``simulated``; they are not evidence about human coding.

Truth paragraphs are matched to extracted ones with :func:`analysis.coding.accuracy.join_truth`
(numbered paragraphs by number, others by text); a sampled paragraph without truth is left
uncoded.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.coding.accuracy import join_truth
from analysis.rounds.sheet import SHEET_COLUMNS
from analysis.rounds.variables import Variable
from analysis.vocab import FALSE, NONE, NOT_APPLICABLE, TRUE, VARIABLES

COMMENT = "SYNTHETIC: simulated coder (demo corpus), not a human"


def _cell(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def true_values(truth_row: dict) -> dict[str, str]:
    """The canonical value of every variable from one row of the demo truth table."""
    def flag(key):
        return TRUE if _cell(truth_row.get(key)).lower() == "true" else FALSE

    def label(key):
        return _cell(truth_row.get(key)) or NONE

    values = {"oc": flag("oc"), "market": label("market")}
    if truth_row["doc_type"] == "resolution":
        values.update(part=label("part"), strength=label("strength"),
                      addressee=label("addressee"))
        values["explicit_mandate"] = TRUE if (
            values["part"] == "operative" and values["strength"] == "requested"
            and values["addressee"] == "operation" and values["oc"] == TRUE) else FALSE
    else:
        values.update(activity=flag("activity"), quadrant=label("quadrant"),
                      engagement=label("engagement"),
                      negative_reason=label("negative_reason"))
    return values


def _err(var: Variable, value: str, rng: np.random.Generator) -> str:
    others = [v for v in var.allowed if v != value]
    return others[int(rng.integers(len(others)))] if others else value


_TRUTH_KEYS = ("doc_type", "oc", "activity", "quadrant", "market", "engagement",
               "negative_reason", "part", "strength", "addressee")


def _truth_side(pair: dict) -> dict:
    """The truth's columns of a joined pair (``_true`` suffix where both sides have one)."""
    return {k: pair.get(f"{k}_true", pair.get(k)) for k in _TRUTH_KEYS}


def simulated_sheets(sheet: pd.DataFrame, coded: pd.DataFrame, truth: pd.DataFrame,
                     vocab: dict[str, Variable], *, coders: int, error: float,
                     seed: int) -> dict[str, pd.DataFrame]:
    """``{"simulated-coder-1": sheet, ...}``: the exported ``sheet`` filled by ``coders``
    simulated coders (see the module doc). ``coded``: the full coded paragraphs table (the
    truth is joined to all of it, so the k-th repeated text finds its own truth row)."""
    pairs, _ = join_truth(truth, coded)
    by_id = dict(zip(pairs["para_id"], pairs.to_dict("records"), strict=True))
    out = {}
    for k in range(1, coders + 1):
        rng = np.random.default_rng([seed, k])
        filled = sheet.copy()
        for i, pid in enumerate(filled["para_id"]):
            row = by_id.get(pid)
            values = {} if row is None else true_values(_truth_side(row))
            for name in VARIABLES:
                if filled.at[i, name] == NOT_APPLICABLE or name not in values:
                    continue
                value = values[name]
                if rng.random() < error:
                    value = _err(vocab[name], value, rng)
                filled.at[i, name] = value
        filled["comment"] = COMMENT
        out[f"simulated-coder-{k}"] = filled[SHEET_COLUMNS]
    return out
