"""The numbers of the paper, computed from the workflow's tables, one function per source.

Every function takes tables read as strings (``dtype=str``, empty cells as ``""``; see
:func:`analysis.paper.numbers.read_table`), the path each came from (recorded as the source of every
number) and a :class:`analysis.paper.format.Numbers`; it adds named numbers and returns the
formatted table(s) the paper prints, with pretty column names. Vocabulary as in
RESEARCH-DESIGN.md: operation, quadrant, market, explicit_mandate, oc_reference.

Keys are documented where they are made; ``<model>__<term>__<field>`` for model estimates.
"""

from __future__ import annotations

import pandas as pd

from analysis.ids import evidence_paragraphs
from analysis.paper.format import MISSING, Numbers, clean, fmt_count, fmt_ratio
from analysis.vocab import DOC_TYPES, QUADRANTS

PLURAL = {"resolution": "resolutions", "report": "reports", "study": "studies"}
QUADRANT_LABELS = {"direct_consequences": "direct action on consequences",
                   "direct_drivers": "direct action on drivers",
                   "indirect_consequences": "indirect action on consequences",
                   "indirect_drivers": "indirect action on drivers"}
MANDATE_GROUPS = (("explicit_mandate", "Explicit mandate"),
                  ("oc_reference_only", "OC reference only"),
                  ("no_oc_reference", "No OC reference"),
                  ("unknown", "No mandate coded"))


class PaperError(ValueError):
    """A table the paper needs is missing a column or holds a value it cannot read."""


def require(df: pd.DataFrame, columns, file: str, made_by: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise PaperError(f"{file}: missing column(s) {', '.join(missing)} (has: "
                         f"{', '.join(df.columns)}); rebuild it with {made_by}")


def numeric(df: pd.DataFrame, column: str, file: str) -> pd.Series:
    """Column as floats; empty -> NaN; anything else unreadable is an error naming the row."""
    raw = df[column].astype(str).str.strip()
    out = pd.to_numeric(raw.where(raw != "", None), errors="coerce")
    bad = out.isna() & (raw != "")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise PaperError(f"{file}: row {i + 2}, column {column!r}: {raw.iloc[i]!r} is not a "
                         "number; fix or rebuild the table")
    return out.astype(float)


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def boolean(df: pd.DataFrame, column: str, file: str) -> pd.Series:
    """Column as True / False / None (empty); other spellings are an error naming the row."""
    raw = df[column].astype(str).str.strip().str.lower()
    out = []
    for i, v in enumerate(raw):
        if v in _TRUE:
            out.append(True)
        elif v in _FALSE:
            out.append(False)
        elif v in ("", "nan", "none", "<na>"):
            out.append(None)
        else:
            raise PaperError(f"{file}: row {i + 2}, column {column!r}: {df[column].iloc[i]!r} "
                             "is not True/False")
    return pd.Series(out, index=df.index, dtype=object)


def _ops(cell: str) -> list[str]:
    return [x for x in str(cell).split(";") if x]


DOCUMENTS_COLUMNS = ["Operation", "Mandating documents", "Reports"]


def documents_cited(documents: pd.DataFrame) -> pd.DataFrame:
    """The paper's list of analysed documents, cited by symbol (or official reference): one
    row per operation, its resolutions/decisions and its reports in date order, separated by
    ``; `` (a document of several operations is listed under each); studies last, under
    ``(studies)``, by title. A document without a symbol is cited by its doc_id."""
    require(documents, ["doc_id", "doc_type", "missions", "date", "symbol"], "documents table",
            "the extraction's documents table")
    docs = documents.assign(cite=documents["symbol"].where(documents["symbol"] != "",
                                                          documents["doc_id"]))
    docs = docs.sort_values(["date", "cite"], kind="stable")
    rows = []
    long = docs[docs["doc_type"] != "study"].assign(op=lambda d: d["missions"].str.split(";"))
    long = long.explode("op")
    for op, grp in long.groupby("op", sort=True):
        rows.append([op, "; ".join(grp.loc[grp["doc_type"] == "resolution", "cite"]),
                     "; ".join(grp.loc[grp["doc_type"] == "report", "cite"])])
    studies = docs[docs["doc_type"] == "study"]
    if len(studies):
        cites = [t or c for t, c in zip(studies.get("title", studies["cite"]), studies["cite"],
                                        strict=True)]
        rows.append(["(studies)", "", "; ".join(cites)])
    return pd.DataFrame(rows, columns=DOCUMENTS_COLUMNS)


def corpus_numbers(num: Numbers, documents: pd.DataFrame, paragraphs: pd.DataFrame, *,
                   documents_file: str, paragraphs_file: str) -> pd.DataFrame:
    """Documents, paragraphs and operations by document type.

    Keys: ``n_documents``, ``n_resolutions|reports|studies``, ``n_paragraphs``, ``n_paragraphs_<doc_type>``,
    ``n_operations``, ``year_first``, ``year_last``; with an ``ocr`` column,
    ``n_paragraphs_ocr`` and ``n_documents_ocr`` (paragraphs read by OCR from scanned pages,
    and their documents). Paragraphs are extracted blocks of kind ``paragraph`` of accepted
    documents (all rows when the table has no ``kind``).
    """
    require(documents, ["doc_id", "doc_type", "missions", "date"], documents_file,
            "the corpus check (analysis.corpus.check check)")
    require(paragraphs, ["doc_id"], paragraphs_file, "the extraction (analysis.extract.collect)")
    paras = paragraphs
    if "kind" in paras.columns:
        paras = paras[paras["kind"] == "paragraph"]
    if "ocr" in paras.columns:
        ocr = paras[paras["ocr"].astype(str) == "True"]
        ocr = ocr[ocr["doc_id"].isin(documents["doc_id"])]
        num.count("n_paragraphs_ocr", len(ocr), paragraphs_file,
                  "paragraphs (kind 'paragraph') with ocr == True, of accepted documents")
        num.count("n_documents_ocr", ocr["doc_id"].nunique(), paragraphs_file,
                  "accepted documents with a paragraph read by OCR")
    per_doc = paras.groupby("doc_id").size()
    docs = documents.assign(n_par=documents["doc_id"].map(per_doc).fillna(0).astype(int),
                            year=documents["date"].str[:4])
    rows = []
    for label, sub in [*((t, docs[docs["doc_type"] == t]) for t in DOC_TYPES), ("all", docs)]:
        ops = sorted({op for cell in sub["missions"] for op in _ops(cell)})
        years = sorted(y for y in sub["year"] if y.isdigit())
        rows.append({"Document type": label, "Documents": fmt_count(len(sub)),
                     "Paragraphs": fmt_count(sub["n_par"].sum()),
                     "Operations": fmt_count(len(ops)),
                     "First year": years[0] if years else MISSING,
                     "Last year": years[-1] if years else MISSING})
        if label == "all":
            num.count("n_documents", len(sub), documents_file, "accepted documents (rows)")
            num.count("n_paragraphs", sub["n_par"].sum(), paragraphs_file,
                      "extracted blocks of kind 'paragraph' in accepted documents")
            num.count("n_operations", len(ops), documents_file,
                      "distinct operations in the 'missions' column")
            num.label("year_first", int(years[0]) if years else None, documents_file,
                      "earliest year of the 'date' column")
            num.label("year_last", int(years[-1]) if years else None, documents_file,
                      "latest year of the 'date' column")
        else:
            num.count(f"n_{PLURAL[label]}", len(sub), documents_file,
                      f"documents with doc_type {label}")
            num.count(f"n_paragraphs_{label}", sub["n_par"].sum(), paragraphs_file,
                      f"paragraphs of documents with doc_type {label}")
    return pd.DataFrame(rows)


def extraction_numbers(num: Numbers, extraction: pd.DataFrame | None, *, file: str) -> None:
    """Layout QC of the extraction (``results/qc/extraction.csv``).

    Keys: ``n_documents_columns`` (documents with pages read as columns),
    ``n_documents_structure_warning`` (documents whose paragraph structure looks broken),
    ``structure_warning_docs`` (their ids, at most eight, then "and N more"). All None
    without the table (the paper then says nothing of layouts).
    """
    if extraction is None:
        for key in ("n_documents_columns", "n_documents_structure_warning"):
            num.count(key, None, "", "no extraction QC table given")
        num.label("structure_warning_docs", None, "", "no extraction QC table given")
        return
    require(extraction, ["doc_id", "n_column_pages", "structure_warning"], file,
            "the extraction (analysis.extract.collect)")
    columns = extraction[pd.to_numeric(extraction["n_column_pages"], errors="coerce") > 0]
    broken = sorted(extraction.loc[extraction["structure_warning"].str.strip() != "", "doc_id"])
    num.count("n_documents_columns", len(columns), file, "rows with n_column_pages > 0")
    num.count("n_documents_structure_warning", len(broken), file,
              "rows with a non-empty structure_warning")
    shown = ", ".join(broken[:8]) + (f" and {len(broken) - 8} more" if len(broken) > 8 else "")
    num.label("structure_warning_docs", shown or None, file,
              "doc_id of the rows with a structure_warning (at most eight named)")


def mandate_numbers(num: Numbers, mandates: pd.DataFrame, *, file: str) -> None:
    """Resolutions that refer to OC vs those that give an explicit mandate.

    Keys: ``n_mandates`` (resolution x operation rows), ``n_mandate_operations``,
    ``n_mandates_oc_reference``, ``n_mandates_explicit``, ``share_mandates_oc_reference``,
    ``share_oc_reference_explicit`` (explicit among OC-referring), ``n_operations_explicit``
    (operations with an explicit mandate at some point), ``n_operations_oc_reference``,
    ``n_operations_reference_only`` (OC referred to, never explicitly mandated).
    """
    require(mandates, ["operation", "resolution", "explicit_mandate", "oc_reference"], file,
            "the tables stage (analysis.coding.tables)")
    explicit = boolean(mandates, "explicit_mandate", file).fillna(False).astype(bool)
    reference = boolean(mandates, "oc_reference", file).fillna(False).astype(bool)
    n = len(mandates)
    num.count("n_mandates", n, file, "rows (operation x resolution)")
    num.count("n_mandate_operations", mandates["operation"].nunique(), file,
              "distinct operations")
    num.count("n_mandates_oc_reference", reference.sum(), file, "rows with oc_reference")
    num.count("n_mandates_explicit", explicit.sum(), file, "rows with explicit_mandate")
    num.share("share_mandates_oc_reference", reference.mean() if n else None, file,
              "rows with oc_reference / rows")
    num.share("share_oc_reference_explicit",
              (explicit & reference).sum() / reference.sum() if reference.any() else None, file,
              "rows with explicit_mandate and oc_reference / rows with oc_reference")
    by_op = pd.DataFrame({"op": mandates["operation"], "e": explicit, "r": reference | explicit})
    ever = by_op.groupby("op")[["e", "r"]].any()
    num.count("n_operations_explicit", ever["e"].sum(), file,
              "operations with explicit_mandate in any resolution")
    num.count("n_operations_oc_reference", ever["r"].sum(), file,
              "operations with oc_reference (or explicit_mandate) in any resolution")
    num.count("n_operations_reference_only", (ever["r"] & ~ever["e"]).sum(), file,
              "operations with oc_reference but never explicit_mandate")


def _mandate_group(explicit, reference, known) -> str:
    if not known or explicit is None:
        return "unknown"
    if explicit:
        return "explicit_mandate"
    return "oc_reference_only" if reference else "no_oc_reference"


def panel_numbers(num: Numbers, panel: pd.DataFrame, *, file: str) -> pd.DataFrame:
    """OC activity paragraphs per report, by the mandate in force at the report's date.

    Keys: ``n_panel_reports`` (operation x report rows), ``n_panel_operations``,
    ``n_oc_activity_paragraphs``, ``share_reports_any_activity``, per group G of
    :data:`MANDATE_GROUPS`: ``group__G__reports``, ``group__G__rate`` (OC activity paragraphs
    per 100 paragraphs), ``group__G__mean``; ``raw_rate_ratio`` (explicit vs known, not explicit: a
    descriptive ratio, no controls). Returns the table ``activity_by_mandate``.
    """
    require(panel, ["operation", "doc_id", "oc_activity_paragraphs", "all_paragraphs",
                    "mandate_known", "explicit_mandate", "oc_reference"], file,
            "the tables stage (analysis.coding.tables)")
    df = pd.DataFrame({
        "operation": panel["operation"],
        "oc": numeric(panel, "oc_activity_paragraphs", file).fillna(0),
        "all": numeric(panel, "all_paragraphs", file).fillna(0),
        "group": [_mandate_group(e, r, k) for e, r, k in zip(
            boolean(panel, "explicit_mandate", file), boolean(panel, "oc_reference", file),
            boolean(panel, "mandate_known", file))]})
    num.count("n_panel_reports", len(df), file, "rows (operation x report)")
    num.count("n_panel_operations", df["operation"].nunique(), file, "distinct operations")
    num.count("n_oc_activity_paragraphs", df["oc"].sum(), file, "sum of oc_activity_paragraphs")
    num.share("share_reports_any_activity", (df["oc"] > 0).mean() if len(df) else None, file,
              "rows with oc_activity_paragraphs > 0 / rows")
    rows, rates = [], {}
    for key, label in MANDATE_GROUPS:
        sub = df[df["group"] == key]
        rate = 100 * sub["oc"].sum() / sub["all"].sum() if sub["all"].sum() > 0 else None
        mean = sub["oc"].mean() if len(sub) else None
        rates[key] = rate
        how = (f"rows in group {key} (explicit_mandate, oc_reference and mandate_known of the "
               "mandate in force)")
        num.count(f"group__{key}__reports", len(sub), file, how)
        num.ratio(f"group__{key}__rate", rate, file, "100 x sum(oc_activity_paragraphs) / "
                  f"sum(all_paragraphs) over {how}", digits=1)
        num.ratio(f"group__{key}__mean", mean, file, f"mean oc_activity_paragraphs over {how}")
        rows.append({"Mandate in force": label, "Reports": fmt_count(len(sub)),
                     "OC activity": fmt_count(sub["oc"].sum()),
                     "All paragraphs": fmt_count(sub["all"].sum()),
                     "Per 100 paragraphs": fmt_ratio(clean(rate), 1),
                     "Mean per report": fmt_ratio(clean(mean))})
    known_not = df[df["group"].isin(["oc_reference_only", "no_oc_reference"])]
    base = 100 * known_not["oc"].sum() / known_not["all"].sum() if known_not["all"].sum() else 0
    ratio = rates["explicit_mandate"] / base if base and rates["explicit_mandate"] is not None \
        else None
    num.label("raw_rate_direction", None if ratio is None else "more" if ratio > 1
              else "fewer" if ratio < 1 else "as many", file, "raw_rate_ratio above / below 1")
    num.ratio("raw_rate_ratio", ratio, file, "group__explicit_mandate__rate / rate of reports with a "
              "known mandate that is not explicit (no controls, no fixed effects)")
    return pd.DataFrame(rows)


def activity_numbers(num: Numbers, activity: pd.DataFrame, *, file: str) -> None:
    """OC activity by quadrant and market, counting each paragraph once.

    A paragraph naming two markets sits in two cells; the evidence ids name the paragraph, so
    their union counts it once (cells with a count but no ids add their count: an upper
    bound). Keys: ``n_activity_paragraphs``, ``quadrant__<q>__paragraphs`` and ``__share``,
    ``top_quadrant``, ``top_market``, ``top_market__share``, ``n_activity_operations``,
    ``n_active_operations``, ``n_operations_all_quadrants``, ``mean_breadth``.
    """
    require(activity, ["operation", "quadrant", "market", "n_paragraphs", "evidence_ids"], file,
            "the tables stage (analysis.coding.tables)")
    counts = numeric(activity, "n_paragraphs", file).fillna(0).astype(int)
    df = activity.assign(n=counts)
    df = df[df["n"] > 0]

    def distinct(sub: pd.DataFrame) -> int:
        ids = set().union(*map(evidence_paragraphs, sub["evidence_ids"])) if len(sub) else set()
        return len(ids) + int(sub.loc[sub["evidence_ids"].str.len() == 0, "n"].sum())

    total = distinct(df)
    num.count("n_activity_paragraphs", total, file, "distinct paragraphs (evidence_ids) over "
              "cells with n_paragraphs > 0")
    by_q = {q: distinct(df[df["quadrant"] == q]) for q in QUADRANTS}
    for q, n in by_q.items():
        num.count(f"quadrant__{q}__paragraphs", n, file, f"distinct paragraphs in quadrant {q}")
        num.share(f"quadrant__{q}__share", n / total if total else None, file,
                  f"quadrant__{q}__paragraphs / n_activity_paragraphs (a paragraph may have "
                  "several quadrants)")
    top_q = max(QUADRANTS, key=lambda q: (by_q[q], -QUADRANTS.index(q))) if total else None
    num.add("top_quadrant", top_q, QUADRANT_LABELS.get(top_q, MISSING), file,
            "quadrant with most distinct paragraphs (first in codebook order on ties)")
    markets = sorted(df["market"].unique())
    by_m = {m: distinct(df[df["market"] == m]) for m in markets}
    top_m = max(markets, key=lambda m: (by_m[m], [-ord(c) for c in m])) if markets else None
    num.add("top_market", top_m, top_m.replace("_", " ") if top_m else MISSING, file,
            "market with most distinct paragraphs (alphabetical on ties)")
    num.share("top_market__share", by_m[top_m] / total if top_m and total else None, file,
              "distinct paragraphs of top_market / n_activity_paragraphs")
    breadth = (df.groupby("operation")["quadrant"].nunique()
               .reindex(sorted(activity["operation"].unique()), fill_value=0))
    num.count("n_activity_operations", len(breadth), file, "operations in the table")
    num.count("n_active_operations", (breadth > 0).sum(), file,
              "operations with at least one OC activity paragraph")
    num.count("n_operations_all_quadrants", (breadth == len(QUADRANTS)).sum(), file,
              "operations with activity in all four quadrants")
    num.ratio("mean_breadth", breadth.mean() if len(breadth) else None, file,
              "mean number of quadrants with activity per operation (0-4)", digits=1)


# The simulation check's estimators (analysis.simulation.estimators) -> label and the model
# of estimates.csv it scores.
SIM_ESTIMATORS = {
    "fe_cluster": ("Poisson, operation FE, cluster-robust t(S-1)", "panel_poisson_fe"),
    "fe_bootstrap": ("Poisson, operation FE, wild cluster score bootstrap", "panel_poisson_fe"),
    "twfe_cluster": ("Poisson, operation + period FE (TWFE), t(S-1)", "panel_poisson_twfe"),
    "etwfe_jackknife": ("Extended TWFE (imputation), jackknife t(S-1)", "panel_poisson_etwfe"),
}
SIM_SCENARIOS = ("null", "effect", "trend", "reverse_timing", "heterogeneous", "coding_error")
SIM_HEADER = ["Scenario", "True ratio", "Estimator", "Fitted", "Size or power", "Coverage",
              "Mean ratio", "Unbounded"]


def _pct(x) -> str:
    return MISSING if x is None else f"{100 * x:.1f}%"


def _pct_se(x, se) -> str:
    """A share with its Monte Carlo standard error: '92.5% ± 4.3'."""
    if x is None:
        return MISSING
    return _pct(x) if se is None else f"{100 * x:.1f}% ± {100 * se:.1f}"


def simulation_numbers(num: Numbers, sim: pd.DataFrame | None, *, file: str,
                       headline: pd.DataFrame | None = None, headline_file: str = ""
                       ) -> pd.DataFrame:
    """The fast simulation check (analysis.simulation.fast summary): one row per scenario x
    estimator, and the headline estimator the config's rule chose from it.

    Keys: ``sim_run``; ``sim_replicates_min`` (fewest replicates of a row);
    ``sim__<scenario>__<estimator>__{rejection_rate,coverage}`` (+ ``_mcse``),
    ``__mean_rate_ratio``, ``__n_fitted``; ``sim__<scenario>__true_rate_ratio``;
    ``sim_headline`` (estimator id), ``sim_headline_label``, ``sim_headline_model`` (its
    model id in estimates.csv), ``sim_headline_passed`` (the rule's checks all passed),
    ``sim_headline_explanation``, ``sim_rule_*`` (the rule's bounds, from the checks).
    """
    num.flag("sim_run", sim is not None and len(sim) > 0, file, "the table exists and has rows")
    if sim is None or not len(sim):
        num.count("sim_replicates_min", None, file, "fewest n_replicates over rows")
        _sim_headline(num, None, headline_file)
        return pd.DataFrame(columns=SIM_HEADER)
    cols = ["scenario", "estimator", "n_replicates", "n_fitted", "true_rate_ratio",
            "rejection_is", "rejection_rate", "rejection_rate_mcse", "coverage",
            "coverage_mcse", "mean_rate_ratio", "unbounded_share"]
    require(sim, cols, file, "the fast simulation check (python -m analysis.simulation fast)")
    values = {c: numeric(sim, c, file) for c in cols[2:] if c != "rejection_is"}
    reps = values["n_replicates"].dropna()
    num.count("sim_replicates_min", reps.min() if len(reps) else None, file,
              "fewest n_replicates over scenario x estimator rows")
    rows = []
    for i, (scenario, estimator) in enumerate(zip(sim["scenario"], sim["estimator"],
                                                  strict=True)):
        v = {c: clean(values[c].iloc[i]) for c in values}
        how = f"row scenario == {scenario}, estimator == {estimator}"
        key = f"sim__{scenario}__{estimator}"
        if f"sim__{scenario}__true_rate_ratio" not in num.values:  # one per scenario
            num.ratio(f"sim__{scenario}__true_rate_ratio", v["true_rate_ratio"], file,
                      f"true_rate_ratio, row scenario == {scenario} (first estimator)")
        num.count(f"{key}__n_fitted", v["n_fitted"], file, f"n_fitted, {how}")
        for c in ("rejection_rate", "rejection_rate_mcse", "coverage", "coverage_mcse",
                  "unbounded_share"):
            num.share(f"{key}__{c}", v[c], file, f"{c}, {how}")
        num.ratio(f"{key}__mean_rate_ratio", v["mean_rate_ratio"], file,
                  f"mean_rate_ratio, {how}")
        kind = str(sim["rejection_is"].iloc[i])
        rows.append(dict(zip(SIM_HEADER, [
            scenario.replace("_", " "), fmt_ratio(v["true_rate_ratio"]),
            SIM_ESTIMATORS.get(estimator, (estimator,))[0],
            f"{fmt_count(v['n_fitted'])} of {fmt_count(v['n_replicates'])}",
            f"{kind} {_pct_se(v['rejection_rate'], v['rejection_rate_mcse'])}",
            _pct_se(v["coverage"], v["coverage_mcse"]), fmt_ratio(v["mean_rate_ratio"]),
            _pct(v["unbounded_share"])], strict=True)))
    _sim_headline(num, headline, headline_file)
    return pd.DataFrame(rows, columns=SIM_HEADER)


def _sim_headline(num: Numbers, headline: pd.DataFrame | None, file: str) -> None:
    """``sim_headline*`` and ``sim_rule_*`` from the headline table of
    :func:`analysis.simulation.headline.choose_headline` (None: not available)."""
    row = None
    if headline is not None and len(headline):
        require(headline, ["estimator", "check", "scenario", "lower", "upper", "passed",
                           "explanation"], file, "analysis.simulation.headline")
        first = headline[headline["check"] == "headline"]
        row = first.iloc[0] if len(first) else None
    estimator = None if row is None else str(row["estimator"])
    how = "check == headline row of the headline table (the config's headline_rule)"
    num.label("sim_headline", estimator, file, how)
    label, model = SIM_ESTIMATORS.get(estimator, (estimator, None)) if estimator else (None,
                                                                                         None)
    num.label("sim_headline_label", label, file, "label of sim_headline")
    num.label("sim_headline_model", model, file, "model id (estimates.csv) of sim_headline")
    num.flag("sim_headline_passed", None if row is None else boolean_text(row["passed"]), file,
             f"passed, {how}")
    num.label("sim_headline_explanation", None if row is None else str(row["explanation"]),
              file, f"explanation, {how}")
    checks = headline[headline["check"] != "headline"] if row is not None else None
    for check, stat in (("size", "lower"), ("size", "upper"), ("coverage", "lower")):
        value = None
        if checks is not None and len(part := checks[checks["check"] == check]):
            value = clean(pd.to_numeric(part[stat], errors="coerce").iloc[0])
        num.share(f"sim_rule_{check}_{stat}", value, file, f"{stat} bound of the {check} "
                  "checks of the headline rule")
    for check in ("size", "coverage"):
        scen = [] if checks is None else sorted(
            set(checks.loc[checks["check"] == check, "scenario"].astype(str)),
            key=lambda s: SIM_SCENARIOS.index(s) if s in SIM_SCENARIOS else 99)
        num.label(f"sim_rule_{check}_scenarios", ", ".join(s.replace("_", " ") for s in scen)
                  or None, file, f"scenarios of the {check} checks of the headline rule")


def boolean_text(value) -> bool | None:
    text = str(value).strip().lower()
    return True if text == "true" else False if text == "false" else None


# Headline variables of the accuracy by phrasing bank: (level, doc_type, variable).
ACC_HEADLINE = (("paragraph", "resolution", "part"), ("paragraph", "resolution", "strength"),
                ("paragraph", "resolution", "addressee"), ("paragraph", "resolution", "oc"),
                ("paragraph", "resolution", "explicit_mandate"),
                ("paragraph", "report", "oc"), ("paragraph", "report", "activity"),
                ("paragraph", "report", "quadrant"), ("paragraph", "report", "market"),
                ("document", "resolution", "explicit_mandate"),
                ("document", "resolution", "oc_reference"))
ACC_BANKS = ("tuned", "heldout")


def _bank_accuracy(num: Numbers, acc: pd.DataFrame | None, file: str) -> None:
    """Keys of the accuracy per phrasing bank (rows ``bank`` tuned | heldout, label empty):
    ``acc_<bank>__<level>__<doc_type>__<variable>__f1`` and ``__support`` for the
    :data:`ACC_HEADLINE` variables, ``acc_<bank>_min_f1`` (and ``__variable``) over them, and
    ``has_bank_accuracy`` (both banks have rows). Empty (n/a) when the table has no such rows.
    """
    rows = {}
    if acc is not None and "bank" in acc.columns:
        whole = acc[(acc["label"] == "") & acc["bank"].isin(ACC_BANKS)].reset_index(drop=True)
        f1, support = numeric(whole, "f1", file), numeric(whole, "support", file)
        for i, r in whole.iterrows():
            rows[(r["bank"], r["level"], r["doc_type"], r["variable"])] = (
                clean(f1.iloc[i]), clean(support.iloc[i]))
    num.flag("has_bank_accuracy", all(any(k[0] == b for k in rows) for b in ACC_BANKS), file,
             "rows with bank == tuned and rows with bank == heldout exist")
    for bank in ACC_BANKS:
        worst = None
        for level, doc_type, variable in ACC_HEADLINE:
            key = f"acc_{bank}__{level}__{doc_type}__{variable}"
            how = (f"row bank == {bank}, level == {level}, doc_type == {doc_type}, variable == "
                   f"{variable}, label empty (micro average over labels)")
            f1, support = rows.get((bank, level, doc_type, variable), (None, None))
            num.ratio(f"{key}__f1", f1, file, how, digits=3)
            num.count(f"{key}__support", support, file, how)
            if f1 is not None and (worst is None or f1 < worst[0]):
                worst = (f1, f"{variable.replace('_', ' ')} ({doc_type}s)")
        num.ratio(f"acc_{bank}_min_f1", worst[0] if worst else None, file,
                  f"lowest F1 over the headline variables, rows bank == {bank}", digits=3)
        num.add(f"acc_{bank}_min_f1__variable", worst[1] if worst else None, None, file,
                f"headline variable with the lowest F1, rows bank == {bank}")


def accuracy_numbers(num: Numbers, acc: pd.DataFrame | None, *, file: str) -> pd.DataFrame:
    """Automated coding vs the demo ground truth: one row per variable (micro average).

    Keys ``has_accuracy`` and ``acc__<level>__<doc_type>__<variable>__<metric>`` (metric:
    precision, recall, f1, support); ``acc_min_f1`` and ``acc_min_f1__variable``: all from
    the rows with ``bank == all`` (every row of a table without the column). The keys of the
    phrasing banks: :func:`_bank_accuracy`.
    """
    empty = pd.DataFrame(columns=["Level", "Documents", "Variable", "Precision", "Recall",
                                  "F1", "Support"])
    num.flag("has_accuracy", acc is not None and len(acc) > 0, file,
             "the table exists and has rows (demo corpus only)")
    if acc is None:
        return empty
    require(acc, ["level", "doc_type", "variable", "label", "precision", "recall", "f1",
                  "support"], file, "analysis.coding.accuracy")
    _bank_accuracy(num, acc, file)
    if "bank" in acc.columns:
        acc = acc[acc["bank"] == "all"]
    whole = acc[acc["label"] == ""].reset_index(drop=True)
    metrics = {m: numeric(whole, m, file) for m in ("precision", "recall", "f1", "support")}
    rows, worst = [], None
    for i, r in whole.iterrows():
        key = f"acc__{r['level']}__{r['doc_type']}__{r['variable']}"
        how = (f"row level == {r['level']}, doc_type == {r['doc_type']}, variable == "
               f"{r['variable']}, label empty (micro average over labels)")
        v = {m: clean(metrics[m].iloc[i]) for m in metrics}
        for m in ("precision", "recall", "f1"):
            num.ratio(f"{key}__{m}", v[m], file, how, digits=3)
        num.count(f"{key}__support", v["support"], file, how)
        if v["f1"] is not None and (worst is None or v["f1"] < worst[0]):
            worst = (v["f1"], f"{r['variable'].replace('_', ' ')} ({r['doc_type']}s)")
        rows.append({"Level": r["level"], "Documents": f"{r['doc_type']}s",
                     "Variable": r["variable"].replace("_", " "),
                     "Precision": fmt_ratio(v["precision"], 3),
                     "Recall": fmt_ratio(v["recall"], 3), "F1": fmt_ratio(v["f1"], 3),
                     "Support": fmt_count(v["support"])})
    num.ratio("acc_min_f1", worst[0] if worst else None, file, "lowest F1 over variable rows",
              digits=3)
    num.add("acc_min_f1__variable", worst[1] if worst else None, None, file,
            "variable with the lowest F1")
    return pd.DataFrame(rows) if rows else empty

