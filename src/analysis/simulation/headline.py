"""The paper's headline estimator, chosen from the simulation summary by a rule written in
the config before the results are seen.

Rule (a dict; config key ``simulation_headline`` or a YAML/JSON file)::

    candidates: [etwfe_jackknife, twfe_cluster, fe_bootstrap, fe_cluster]  # preference order
    size_scenarios: [null, trend]           # rejection rate at 5% must lie in size_range
    size_range: [0.03, 0.07]
    coverage_scenarios: [effect, heterogeneous]  # 95% coverage must be >= min_coverage
    min_coverage: 0.93

:func:`choose_headline` checks every candidate against every scenario; the headline is the
FIRST candidate that passes all its checks (``headline.csv``: :func:`write_headline`). When none passes, it is the first candidate,
with ``passed`` False and an explanation saying so (the paper reports it with that warning).
A candidate absent from the summary (not registered, or not run) fails its checks; so does
a scenario with no fitted replicate.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import yaml

RULE_KEYS = ("candidates", "size_scenarios", "size_range", "coverage_scenarios",
             "min_coverage")
CHECK_COLUMNS = ["estimator", "check", "scenario", "statistic", "value", "lower", "upper",
                 "passed", "explanation"]


def load_rule(text_or_path: str | dict) -> dict:
    """The rule from a dict, an inline JSON/YAML mapping (``{...}``) or a YAML/JSON file;
    checked for its keys (the message names a missing or malformed one)."""
    if isinstance(text_or_path, dict):
        rule, where = text_or_path, "rule"
    elif str(text_or_path).lstrip().startswith("{"):
        rule, where = yaml.safe_load(text_or_path), "--rule (inline)"
    else:
        path = Path(text_or_path)
        try:
            rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ValueError(f"{path}: cannot read the headline rule ({err.strerror})") from err
        where = str(path)
        if isinstance(rule, dict) and "simulation_headline" in rule:  # a whole config file
            rule = rule["simulation_headline"]
    if not isinstance(rule, dict):
        raise ValueError(  # noqa: TRY004 - a bad config value, reported like the others
            f"{where}: the headline rule must be a mapping with keys {', '.join(RULE_KEYS)}")
    missing = [k for k in RULE_KEYS if k not in rule]
    if missing:
        raise ValueError(f"{where}: headline rule lacks key(s) {', '.join(missing)} "
                         f"(e.g. size_range: [0.03, 0.07], min_coverage: 0.93)")
    lo_hi = rule["size_range"]
    if (not isinstance(lo_hi, (list, tuple)) or len(lo_hi) != 2
            or not 0 <= float(lo_hi[0]) <= float(lo_hi[1]) <= 1):
        raise ValueError(f"{where}: key 'size_range' must be [low, high] with "
                         f"0 <= low <= high <= 1, got {lo_hi!r}")
    if not 0 <= float(rule["min_coverage"]) <= 1:
        raise ValueError(f"{where}: key 'min_coverage' must lie in [0, 1], got "
                         f"{rule['min_coverage']!r}")
    for key in ("candidates", "size_scenarios", "coverage_scenarios"):
        if not isinstance(rule[key], (list, tuple)) or not rule[key]:
            raise ValueError(f"{where}: key '{key}' must be a non-empty list")
    return rule


def _fmt(x: float) -> str:
    return "missing" if x is None or math.isnan(x) else f"{x:.3f}"


def candidate_checks(summary: pd.DataFrame, rule: dict, estimator: str) -> list[dict]:
    """The checks of one candidate (rows of :data:`CHECK_COLUMNS`)."""
    rows = []
    lo, hi = (float(v) for v in rule["size_range"])
    min_cov = float(rule["min_coverage"])
    plan = ([("size", s, "rejection_rate", lo, hi) for s in rule["size_scenarios"]]
            + [("coverage", s, "coverage", min_cov, 1.0) for s in rule["coverage_scenarios"]])
    for check, scenario, stat, lower, upper in plan:
        hit = summary[(summary["estimator"] == estimator) & (summary["scenario"] == scenario)]
        value = float(hit[stat].iloc[0]) if len(hit) else math.nan
        if not (summary["estimator"] == estimator).any():
            passed, why = False, (f"{estimator} is not in the simulation summary (not "
                                  "registered or not run)")
        elif not len(hit):
            passed, why = False, f"{estimator} has no {scenario} row in the simulation summary"
        elif math.isnan(value):
            passed, why = False, f"{estimator}: no fitted replicate in {scenario}"
        else:
            passed = lower <= value <= upper
            what = (f"size {_fmt(value)} in {scenario} "
                    + (f"within [{lower:g}, {upper:g}]" if passed
                       else f"outside [{lower:g}, {upper:g}]")
                    if check == "size" else
                    f"coverage {_fmt(value)} in {scenario} "
                    + (f">= {lower:g}" if passed else f"< {lower:g}"))
            why = f"{estimator}: {what}"
        rows.append({"estimator": estimator, "check": check, "scenario": scenario,
                     "statistic": stat, "value": value, "lower": lower, "upper": upper,
                     "passed": passed, "explanation": why})
    return rows


def choose_headline(summary: pd.DataFrame, rule: dict | str) -> tuple[str, str, pd.DataFrame]:
    """``(estimator, explanation, table)``: the headline estimator by ``rule``.

    ``summary``: the simulation summary (columns ``scenario``, ``estimator``,
    ``rejection_rate``, ``coverage``; for a pipeline summary pass the rows of one ``codes``).
    ``table`` (:func:`headline_table`): first row ``check`` = ``headline`` with the chosen
    estimator, ``passed`` (False when no candidate passes) and the explanation; then one
    row per candidate x check (:data:`CHECK_COLUMNS`).
    """
    rule = load_rule(rule)
    checks, chosen = [], None
    for estimator in rule["candidates"]:
        rows = candidate_checks(summary, rule, estimator)
        checks += rows
        if chosen is None and all(r["passed"] for r in rows):
            chosen = estimator
    table = pd.DataFrame(checks, columns=CHECK_COLUMNS)
    failed = {e: list(dict.fromkeys(r["explanation"] for r in checks
                                    if r["estimator"] == e and not r["passed"]))
              for e in rule["candidates"]}
    earlier = (list(rule["candidates"][:list(rule["candidates"]).index(chosen)]) if chosen
               else list(rule["candidates"]))
    skipped = "; ".join(f"{e} failed ({'; '.join(failed[e])})" for e in earlier)
    if chosen is not None:
        lo, hi = rule["size_range"]
        text = (f"headline estimator {chosen}: the first candidate in "
                f"[{', '.join(rule['candidates'])}] whose size lies in [{lo:g}, {hi:g}] in "
                f"{' and '.join(rule['size_scenarios'])} and whose coverage is >= "
                f"{rule['min_coverage']:g} in {' and '.join(rule['coverage_scenarios'])}")
        if skipped:
            text += f"; before it, {skipped}"
        return chosen, text, headline_table(chosen, True, text, table)
    first = rule["candidates"][0]
    text = (f"no candidate passes the headline rule; the headline is the first candidate, "
            f"{first}, reported with a warning: {skipped}")
    return first, text, headline_table(first, False, text, table)


def headline_table(estimator: str, passed: bool, explanation: str,
                   checks: pd.DataFrame) -> pd.DataFrame:
    """One table for ``headline.csv``: a first row ``check`` = ``headline`` (the chosen
    estimator, ``passed`` overall, the explanation), then the checks."""
    head = pd.DataFrame([{"estimator": estimator, "check": "headline", "scenario": "",
                          "statistic": "", "value": math.nan, "lower": math.nan,
                          "upper": math.nan, "passed": passed, "explanation": explanation}],
                        columns=CHECK_COLUMNS)
    return pd.concat([head, checks], ignore_index=True) if len(checks) else head


def write_headline(path: str | Path, table: pd.DataFrame) -> None:
    """Write the table of :func:`choose_headline`: ``path`` ending in ``.json`` gives
    {estimator, passed, explanation, checks: [...]}, any other the CSV itself."""
    from analysis.io import write_csv

    path = Path(path)
    if path.suffix != ".json":
        write_csv(table, path)
        return
    head, checks = table.iloc[0], table.iloc[1:]
    doc = {"estimator": head["estimator"], "passed": bool(head["passed"]),
           "explanation": head["explanation"],
           "checks": json.loads(checks.to_json(orient="records", double_precision=6))}
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
