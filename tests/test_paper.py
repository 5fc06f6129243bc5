"""The paper: numbers.json from small hand-made tables, and the Typst paper built from it.

The tables describe two operations (ALPHA, BRAVO) with two resolutions and four reports; the
expected numbers are worked out by hand in each test. Figures are real PDFs drawn with
matplotlib; the paper is compiled with Typst and its text read back with pypdfium2.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest

from analysis.paper.build import BuildError, build_paper, figure_slots
from analysis.paper.numbers import TABLES, build_numbers, main, write_outputs
from analysis.paper.stats import PaperError

ROOT = Path(__file__).resolve().parents[1]
MAIN_TYP = ROOT / "paper" / "main.typ"
BIB = ROOT / "paper" / "refs.bib"

DOCUMENTS = [  # doc_id, doc_type, missions, date
    ("res-a", "resolution", "ALPHA", "2004-06-01"),
    ("res-b", "resolution", "BRAVO", "2006-01-15"),
    ("rep-a1", "report", "ALPHA", "2005-01-10"),
    ("rep-a2", "report", "ALPHA", "2007-02-20"),
    ("rep-b1", "report", "BRAVO", "2006-05-05"),
    ("rep-b2", "report", "BRAVO", "2008-09-09"),
]
# Paragraph blocks per document: 3 paragraphs + 1 heading each (headings are not counted).
PANEL = [  # operation, doc_id, oc, all, known, explicit, reference
    ("ALPHA", "rep-a1", 6, 20, "True", "True", "True"),
    ("ALPHA", "rep-a2", 4, 20, "True", "True", "True"),
    ("BRAVO", "rep-b1", 1, 25, "True", "False", "True"),
    ("BRAVO", "rep-b2", 2, 25, "True", "False", "False"),
]
EST_COLS = ["model", "family", "term", "estimate", "std_error", "conf_low", "conf_high",
            "p_value", "estimate_exp", "conf_low_exp", "conf_high_exp", "exact_p",
            "exact_method", "n", "n_clusters", "cov_type", "status", "reason",
            "boot_conf_low", "boot_conf_high", "boot_conf_low_exp", "boot_conf_high_exp"]
BOOT_METHOD = ("wild cluster score bootstrap (Kline-Santos), restricted under explicit_mandate"
               " = 0; Webb 6-point weights, 6 of 6 weight vectors (exact) over the 1 "
               "operations whose explicit_mandate changes")


def estimate_rows(rr: float = 2.43, low: float = 1.17, high: float = 5.03,
                  p: float = 0.022, panel_status: str = "fitted",
                  boot: tuple = (1.04, 7.08, 0.031)) -> list[dict]:
    """Model rows; ``boot``: (low, high, p) of the panel bootstrap (bounds may be 0 / inf)."""
    import math

    def row(model, family, term, rr, low, high, p, n, nc, status="fitted", exact=None,
            reason=""):
        base = {"model": model, "family": family, "term": term, "n": n, "n_clusters": nc,
                "cov_type": "cluster" if nc else "HC1", "status": status, "reason": reason}
        if status != "fitted":
            return base
        return {**base, "estimate": math.log(rr), "std_error": 0.3,
                "conf_low": math.log(low), "conf_high": math.log(high), "p_value": p,
                "estimate_exp": rr, "conf_low_exp": low, "conf_high_exp": high,
                "exact_p": exact, "exact_method": "permutation" if exact else ""}

    return [
        row("cross_section_volume_poisson", "poisson", "intercept", 0.08, 0.05, 0.13, 0.001,
            2, None),
        row("cross_section_volume_poisson", "poisson", "explicit_mandate", 1.86, 1.03, 3.34,
            0.039, 2, None, exact=0.055),
        {**row("panel_poisson_fe", "poisson", "explicit_mandate", rr, low, high, p, 4, 2,
               status=panel_status,
               reason="" if panel_status == "fitted" else "too few clusters"),
         **({} if panel_status != "fitted" else {
             "exact_p": boot[2], "exact_method": BOOT_METHOD,
             "boot_conf_low": math.log(boot[0]) if boot[0] > 0 else -math.inf,
             "boot_conf_high": math.log(boot[1]), "boot_conf_low_exp": boot[0],
             "boot_conf_high_exp": boot[1]})},
        row("panel_logit_any", "binomial", "explicit_mandate", 0, 0, 0, 0, 4, 2,
            status="not_fitted", reason="separation: every report has activity"),
        row("panel_leads_lags", "poisson", "lag_0", 1.73, 0.69, 4.34, 0.217, 4, 2),
    ]


REL_COLS = ["round", "measure", "automated_round", "variable", "label", "n_units", "n_coders",
            "alpha", "agreement", "precision", "recall", "f1", "support", "tp", "fp", "fn",
            "note"]


def reliability_rows() -> list[tuple]:
    """Round r2 (two coders): alpha 0.9 / 0.7 / 0.5 for oc / activity / market, undefined for
    explicit_mandate; a per-label row that must not count; F1 of oc-v1 against r2."""
    def alpha(var, value, label="", note=""):
        return ("r2", "alpha", "", var, label, 10, 2, value, 0.8, "", "", "", "", "", "", "",
                note)

    def f1(var, value):
        return ("r2", "automated_vs_human", "oc-v1", var, "", 10, "", "", "", 0.9, 0.9, value,
                5, 4, 1, 1, "")
    return [alpha("oc", 0.9), alpha("activity", 0.7), alpha("market", 0.5),
            alpha("market", 0.1, label="drugs"),
            alpha("explicit_mandate", "", note="one value only: alpha undefined"),
            f1("oc", 0.95), f1("activity", 0.8), f1("market", 0.6)]


def by_round_rows(r2: tuple = (1.9, 0.9, 4.0)) -> list[dict]:
    """panel_poisson_fe in the main round (as estimate_rows) and in human round r2."""
    return [{"round": "oc-v1", "round_kind": "automated", "model": "panel_poisson_fe",
             "family": "poisson", "term": "explicit_mandate", "estimate_exp": 2.43,
             "conf_low_exp": 1.17, "conf_high_exp": 5.03, "status": "fitted", "reason": ""},
            {"round": "r2", "round_kind": "human", "model": "panel_poisson_fe",
             "family": "poisson", "term": "explicit_mandate", "estimate_exp": r2[0],
             "conf_low_exp": r2[1], "conf_high_exp": r2[2], "status": "fitted", "reason": ""},
            {"round": "r2", "round_kind": "human", "model": "panel_logit_any",
             "family": "binomial", "term": "explicit_mandate", "status": "not_fitted",
             "reason": "separation"}]


ACCURACY_COLS = ["level", "doc_type", "bank", "variable", "label", "precision", "recall", "f1",
                 "support"]
# as analysis.coding.accuracy writes it: the "all" rows, then those of each phrasing bank
ACCURACY_ROWS = [("paragraph", "report", "all", "activity", "", 0.97, 0.91, 0.938, 120),
                 ("paragraph", "report", "all", "activity", "x", 0.5, 0.5, 0.5, 2),
                 ("document", "resolution", "all", "explicit_mandate", "", 1.0, 0.8, 0.889, 5),
                 ("paragraph", "report", "tuned", "activity", "", 1.0, 0.99, 0.995, 90),
                 ("document", "resolution", "tuned", "explicit_mandate", "", 1.0, 1.0, 1.0, 3),
                 ("paragraph", "report", "heldout", "activity", "", 0.9, 0.6, 0.72, 30),
                 ("paragraph", "report", "heldout", "market", "", 0.7, 0.5, 0.583, 30),
                 ("document", "resolution", "heldout", "explicit_mandate", "", 1.0, 0.5, 0.667,
                  2)]


def write_inputs(folder: Path, *, estimates: list[dict] | None = None,
                 accuracy: bool = True, simulation: bool | str = True,
                 rounds: bool = True, by_round: list[dict] | None = None,
                 panel: list[tuple] | None = None, documents: list[tuple] | None = None,
                 quarantine: list[tuple] | None = (), ocr_docs: tuple = (),
                 broken_docs: tuple = ()) -> dict:
    """The workflow's tables for the two operations, as files; returns the CLI paths.

    ``quarantine``: (doc_id, reason) rows of the corpus check's quarantine table (default:
    none quarantined; None: no quarantine table at all). ``ocr_docs``: documents whose
    paragraphs were read by OCR (the paragraph table's ``ocr`` column)."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = pd.DataFrame(documents or DOCUMENTS, columns=["doc_id", "doc_type", "missions",
                                                         "date"])
    docs["title"], docs["symbol"], docs["path"], docs["sha256"], docs["n_pages"] = "", "", "", "", 1
    docs.to_csv(folder / "documents.csv", index=False)
    blocks = [(d, k) for d, *_ in DOCUMENTS for k in ("heading", "paragraph", "paragraph",
                                                       "paragraph")]
    pd.DataFrame(blocks, columns=["doc_id", "kind"]).assign(
        ocr=lambda df: df["doc_id"].isin(ocr_docs)).to_parquet(folder / "paragraphs.parquet")
    pd.DataFrame(panel or PANEL, columns=["operation", "doc_id", "oc_activity_paragraphs",
                                 "all_paragraphs", "mandate_known", "explicit_mandate",
                                 "oc_reference"]).assign(
        date="", resolution="", resolution_symbol="").to_csv(folder / "panel.csv", index=False)
    pd.DataFrame([("ALPHA", "res-a", "S/RES/1 (2004)", "2004-06-01", "", True, True, "drugs"),
                  ("BRAVO", "res-b", "S/RES/2 (2006)", "2006-01-15", "", False, True, ""),
                  ("BRAVO", "res-c", "S/RES/3 (2007)", "2007-01-15", "", False, False, "")],
                 columns=["operation", "resolution", "symbol", "adopted", "in_force_until",
                          "explicit_mandate", "oc_reference", "markets"]).to_csv(
        folder / "mandates.csv", index=False)
    # Paragraph rep-a1:5 names two markets: two cells, one paragraph.
    pd.DataFrame([
        ("ALPHA", "direct_consequences", "drugs", 2, "rep-a1:5:quadrant:1;rep-a1:6:quadrant:1"),
        ("ALPHA", "direct_consequences", "gangs", 1, "rep-a1:5:quadrant:1;rep-a1:5:market:2"),
        ("ALPHA", "indirect_drivers", "drugs", 1, "rep-a2:3:quadrant:1"),
        ("BRAVO", "indirect_consequences", "drugs", 1, "rep-b1:2:quadrant:1"),
        ("BRAVO", "direct_drivers", "gangs", 0, ""),
    ], columns=["operation", "quadrant", "market", "n_paragraphs", "evidence_ids"]).assign(
        n_documents=1, n_report_paragraphs=0, n_study_paragraphs=0).to_csv(
        folder / "mission_activity.csv", index=False)
    pd.DataFrame(estimates if estimates is not None else estimate_rows(),
                 columns=EST_COLS).to_csv(folder / "estimates.csv", index=False)
    paths = {name: str(folder / f"{name}.csv") for name in
             ("documents", "panel", "mandates", "mission_activity", "estimates")}
    (folder / "codebook.yaml").write_text("version: oc-v1\ntuned_on: [demo]\n", encoding="utf-8")
    paths["codebook"] = str(folder / "codebook.yaml")
    paths["paragraphs"] = str(folder / "paragraphs.parquet")
    pd.DataFrame([(d, 1 if d in broken_docs else 0,
                   "suspicious structure: ..." if d in broken_docs else "")
                  for d, *_ in (documents or DOCUMENTS)],
                 columns=["doc_id", "n_column_pages", "structure_warning"]).to_csv(
        folder / "extraction.csv", index=False)
    paths["extraction"] = str(folder / "extraction.csv")
    if quarantine is not None:
        pd.DataFrame([(d, f"raw/pdfs/{d}.pdf", r) for d, r in quarantine],
                     columns=["doc_id", "path", "reason"]).to_csv(folder / "quarantine.csv",
                                                                  index=False)
        paths["quarantine"] = str(folder / "quarantine.csv")
    if accuracy:
        pd.DataFrame(ACCURACY_ROWS, columns=ACCURACY_COLS).assign(tp=0, fp=0, fn=0).to_csv(
            folder / "accuracy.csv", index=False)
        paths["accuracy"] = str(folder / "accuracy.csv")
        (folder / "spec.yaml").write_text("seed: 1\neffect:\n  rate_ratio: 2.0\n")
        paths["demo_spec"] = str(folder / "spec.yaml")
    if simulation:  # as analysis.simulation.fast writes it (two scenarios, two estimators)
        cols = ["scenario", "estimator", "n_replicates", "n_fitted", "n_errors",
                "true_rate_ratio", "rejection_is", "rejection_rate", "rejection_rate_mcse",
                "coverage", "coverage_mcse", "mean_rate_ratio", "mean_rate_ratio_mcse",
                "median_rate_ratio", "median_rate_ratio_mcse", "unbounded_share"]
        rows = []
        for scen, truth, kind in (("null", 1.0, "size"), ("effect", 2.0, "power"),
                                  ("trend", 1.0, "size"), ("heterogeneous", 2.3, "power")):
            for est, rej, cov, unb in (("fe_cluster", 0.14, 0.86, 0.0),
                                       ("fe_bootstrap", 0.045, 0.965, 0.5),
                                       ("twfe_cluster", 0.05, 0.95, 0.0),
                                       ("etwfe_jackknife", 0.01, 0.99, 0.0)):
                if kind == "power":
                    rej = rej + 0.4
                rows.append((scen, est, 200, 198, 0, truth, kind, rej, 0.02, cov, 0.015,
                             truth * 1.05, 0.03, truth, 0.04, unb))
        pd.DataFrame(rows, columns=cols).to_csv(folder / "simulation.csv", index=False)
        paths["simulation"] = str(folder / "simulation.csv")
        from analysis.simulation.headline import choose_headline, write_headline

        rule = {"candidates": ["etwfe_jackknife", "twfe_cluster", "fe_bootstrap",
                               "fe_cluster"], "size_scenarios": ["null", "trend"],
                "size_range": [0.03, 0.07], "coverage_scenarios": ["effect", "heterogeneous"],
                "min_coverage": 0.93}
        summary = pd.read_csv(folder / "simulation.csv", keep_default_na=False)
        write_headline(folder / "headline.csv", choose_headline(summary, rule)[2])
        paths["simulation_headline"] = str(folder / "headline.csv")
    if rounds:
        pd.DataFrame(reliability_rows(), columns=REL_COLS).to_csv(folder / "reliability.csv",
                                                                  index=False)
        pd.DataFrame(by_round if by_round is not None else by_round_rows()).to_csv(
            folder / "estimates_by_round.csv", index=False)
        paths["reliability"] = str(folder / "reliability.csv")
        paths["estimates_by_round"] = str(folder / "estimates_by_round.csv")
    return paths


@pytest.fixture(scope="module")
def figures(tmp_path_factory) -> list[Path]:
    """Eight real figure PDFs, one per slot, each with a word we can find in the paper."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder = tmp_path_factory.mktemp("figures")
    out = []
    for i, stem in enumerate(["operation_quadrant", "quadrant_market", "coefficients",
                              "timeline", "status", "reliability", "rounds", "event_study"],
                             start=1):
        fig, ax = plt.subplots(figsize=(4, 2.5))
        ax.bar(["a", "b"], [i, i + 1])
        ax.set_title(f"Placeholder{i}")
        path = folder / f"fig{i}_{stem}.pdf"
        fig.savefig(path, metadata={"CreationDate": None})
        plt.close(fig)
        out.append(path)
    return out


def numbers_for(folder: Path, corpus: str = "demo", **kw):
    paths = write_inputs(folder, **kw)
    return build_numbers(corpus=corpus, **paths)


def compile_paper(folder: Path, figures, corpus: str = "demo", **kw) -> tuple[dict, str]:
    """numbers.json + tables + PDF in ``folder``; returns (numbers, text of the PDF)."""
    num, tables = numbers_for(folder / "in", corpus, **kw)
    written = write_outputs(num, tables, folder / "numbers.json", folder / "tables")
    pdf = build_paper(main=MAIN_TYP, bibliography=BIB, numbers=written[0], tables=written[1:],
                      figures=figures, build_dir=folder / "build", out=folder / "paper.pdf")
    doc = pdfium.PdfDocument(str(pdf))
    text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    return json.loads((folder / "numbers.json").read_text()), text


def squash(text: str) -> str:
    """Text without whitespace and hyphenation marks: line breaks cannot split a match."""
    return re.sub(r"[\s\u00ad\u0002\ufffe-]", "", text)


def has(text: str, needle: str) -> bool:
    return squash(needle) in squash(text)


# ---------------------------------------------------------------------------------------
# numbers.json


def test_numbers_are_computed_from_the_tables(tmp_path: Path):
    num, _ = numbers_for(tmp_path)
    v, t = num.values, num.text
    assert (v["n_documents"], v["n_resolutions"], v["n_reports"], v["n_studies"]) == (6, 2, 4, 0)
    assert v["n_paragraphs"] == 18  # 3 paragraphs x 6 documents; headings left out
    assert v["n_operations"] == 2 and (v["year_first"], v["year_last"]) == (2004, 2008)
    # Mandates: 3 rows, 2 refer to OC, 1 explicit -> half of the OC-referring ones.
    assert (v["n_mandates"], v["n_mandates_oc_reference"], v["n_mandates_explicit"]) == (3, 2, 1)
    assert t["share_oc_reference_explicit"] == "50.0%"
    assert (v["n_operations_explicit"], v["n_operations_reference_only"]) == (1, 1)
    # Panel: explicit 10/40 = 25 per 100; not explicit 3/50 = 6 per 100; ratio 25/6.
    assert t["group__explicit_mandate__rate"] == "25.0"
    assert t["group__oc_reference_only__rate"] == "4.0"  # 1/25
    assert v["raw_rate_ratio"] == pytest.approx(25 / 6, abs=1e-6)
    assert v["raw_rate_direction"] == "more"
    assert v["n_oc_activity_paragraphs"] == 13
    # Activity: rep-a1:5 sits in two cells but counts once -> 4 distinct paragraphs.
    assert v["n_activity_paragraphs"] == 4
    assert v["quadrant__direct_consequences__paragraphs"] == 2
    assert v["top_quadrant"] == "direct_consequences" and v["top_market"] == "drugs"
    assert v["n_active_operations"] == 2 and v["n_operations_all_quadrants"] == 0


def test_model_numbers_headline_and_directions(tmp_path: Path):
    num, tables = numbers_for(tmp_path)
    v, t = num.values, num.text
    assert v["headline__model"] == "panel_poisson_fe" and v["headline__unit"] == "reports"
    assert (t["headline__estimate"], t["headline__ci"], t["headline__p"]) == (
        "2.43", "1.17–5.03", "0.022")
    assert v["headline__direction"] == "higher"
    assert v["headline__covers_truth"] is True  # 2.0 in [1.17, 5.03]
    assert t["cross_section_volume_poisson__explicit_mandate__exact_p"] == "0.055"
    assert v["panel_logit_any__status"] == "not_fitted"
    assert (v["n_models"], v["n_models_fitted"], v["n_mandate_models"]) == (4, 3, 2)
    assert (v["n_mandate_higher"], v["n_mandate_inconclusive"]) == (2, 0)
    est = tables["estimates"]
    assert "Intercept" not in set(est["Term"]) and len(est) == 4  # key terms only
    assert set(tables["estimates_notes"]["Notes"]) >= {"separation: every report has activity"}


def test_headline_falls_back_when_the_panel_model_is_not_fitted(tmp_path: Path):
    num, _ = numbers_for(tmp_path, estimates=estimate_rows(panel_status="not_fitted"))
    assert num.values["headline__model"] == "cross_section_volume_poisson"
    assert num.values["headline__unit"] == "operations"
    none_fitted = [r for r in estimate_rows() if r["term"] == "explicit_mandate"
                   and r["model"] == "panel_logit_any"]
    num2, _ = numbers_for(tmp_path / "b", estimates=none_fitted)
    assert num2.values["headline__fitted"] is False and num2.text["headline__estimate"] == "n/a"


def test_bootstrap_design_from_the_panel():
    from analysis.paper.format import Numbers
    from analysis.paper.models import bootstrap_design, weight_scheme

    rows = [("A", "True", "True", "9"), ("A", "False", "True", "9"),  # switches
            ("B", "True", "True", "9"), ("B", "True", "True", "9"),
            ("C", "False", "True", "9"), ("C", "True", "True", "0"),  # no paragraphs: dropped
            ("D", "False", "True", "9"), ("D", "True", "False", "9"),  # unknown: dropped
            ("E", "True", "True", "9"), ("E", "False", "True", "9")]  # switches
    panel = pd.DataFrame(rows, columns=["operation", "explicit_mandate", "mandate_known",
                                        "all_paragraphs"])
    num = Numbers("demo")
    bootstrap_design(num, panel, file="panel.csv")
    v = num.values
    assert (v["boot__n_switchers"], v["boot__n_operations"], v["boot__n_static"]) == (2, 5, 3)
    assert (v["boot__weights"], v["boot__n_vectors"], v["boot__enumerated"]) == (
        "Webb six-point", 36, True)
    assert weight_scheme(6) == ("Webb six-point", 46656, True)
    assert weight_scheme(7) == ("Rademacher", 128, True)
    assert weight_scheme(13)[2] is False


def test_infinite_bounds_print_readably():
    from analysis.paper.format import fmt_bound, fmt_bound_ci

    assert fmt_bound(math.inf) == "∞" and fmt_bound(-math.inf) == "0" and fmt_bound(0.0) == "0"
    assert fmt_bound(math.nan) == "n/a" and fmt_bound(None) == "n/a"
    assert fmt_bound_ci(0.85, math.inf) == "0.85–∞" and fmt_bound_ci(0.0, 3.2) == "0–3.20"
    assert fmt_bound_ci(math.nan, 2.0) == "n/a"


def test_infinite_bootstrap_bounds_in_numbers(tmp_path: Path):
    num, tables = numbers_for(tmp_path, estimates=estimate_rows(boot=(0.0, math.inf, 0.4)))
    v, t = num.values, num.text
    assert t["headline__boot_ci"] == "0–∞"
    assert v["headline__boot_unbounded_low"] is True and v["headline__boot_unbounded_high"]
    assert v["headline__boot_conf_high"] is None and v["headline__boot_conf_low"] == 0
    assert v["headline__exact_test"] == "wild bootstrap"
    assert t["cross_section_volume_poisson__explicit_mandate__exact_test"] == "permutation p"
    panel_row = tables["estimates"][tables["estimates"]["Model"].str.startswith("Reports: P")]
    assert list(panel_row["Bootstrap 95% CI"]) == ["0–∞"]
    printed = json.dumps([num.text, num.values], ensure_ascii=False)  # not the "how" notes
    assert not re.search(r"\b(inf|nan|NaN|Infinity)\b", printed)
    assert "n/a" not in tables["estimates"]["Bootstrap 95% CI"].tolist()


def test_simulation_numbers_and_the_headline_rule(tmp_path: Path):
    num, tables = numbers_for(tmp_path)
    t, v = num.text, num.values
    assert t["sim__null__fe_cluster__rejection_rate"] == "14.0%"
    assert t["sim__null__twfe_cluster__coverage"] == "95.0%"
    assert t["sim__effect__true_rate_ratio"] == "2.00" and v["sim_replicates_min"] == 200
    # etwfe_jackknife has size 1% (outside 3-7%): the rule moves on to twfe_cluster
    assert v["sim_headline"] == "twfe_cluster" and v["sim_headline_passed"] is True
    assert v["sim_headline_model"] == "panel_poisson_twfe"
    assert "etwfe_jackknife" in v["sim_headline_explanation"]
    assert (v["sim_rule_size_lower"], v["sim_rule_size_upper"]) == (0.03, 0.07)
    assert v["sim_rule_size_scenarios"] == "null, trend"
    sim = tables["simulation"]
    assert len(sim) == 16  # scenario x estimator
    row = sim[(sim["Scenario"] == "null") & sim["Estimator"].str.startswith("Poisson, operation FE, cluster")]
    assert row["Size or power"].tolist() == ["size 14.0% ± 2.0"]
    # the headline model is not fitted in these tables: the paper says the rule's model
    # could not be the headline and falls back on the first fitted panel model
    assert v["headline__from_rule"] is False
    num, tables = numbers_for(tmp_path / "none", simulation=False)
    assert num.values["sim_run"] is False and num.values["sim_headline"] is None
    assert tables["simulation"].empty


def test_reliability_and_round_numbers(tmp_path: Path):
    num, tables = numbers_for(tmp_path)
    v, t = num.values, num.text
    assert v["has_human_rounds"] is True and v["human_rounds"] == "r2"
    assert v["rel_simulated"] is False
    # Whole-variable alphas 0.9, 0.7, 0.5 (explicit_mandate undefined, the label row ignored).
    assert (v["rel_n_alpha"], v["rel_n_reliable"], v["rel_n_tentative"],
            v["rel_n_unreliable"]) == (3, 1, 1, 1)
    assert (t["rel_min_alpha"], t["rel_min_alpha__variable"]) == ("0.50", "market (r2)")
    assert (t["rel_max_alpha"], t["rel_max_alpha__variable"]) == ("0.90", "oc (r2)")
    assert (t["rel_min_f1"], t["rel_max_f1"]) == ("0.60", "0.95")
    assert list(tables["reliability"]["Variable"]) == ["oc", "activity", "market",
                                                      "explicit mandate"]
    assert list(tables["reliability"]["Automated F1"]) == ["0.95", "0.80", "0.60", "n/a"]
    # panel_poisson_fe: 2.43 [1.17, 5.03] (above one) in oc-v1, 1.9 [0.9, 4.0] (across) in r2.
    assert v["n_rounds"] == 2 and v["has_extra_rounds"] is True
    assert v["rounds_model"] == "panel_poisson_fe" and v["rounds_n_fitted"] == 2
    assert (t["rounds_min"], t["rounds_max"]) == ("1.90", "2.43")
    assert v["rounds_n_same_direction"] == 1 and v["rounds_all_same_direction"] is False
    assert list(tables["rounds"]["Direction"]) == ["higher", "inconclusive"]
    num2, _ = numbers_for(tmp_path / "same", by_round=by_round_rows(r2=(2.2, 1.1, 4.4)))
    assert num2.values["rounds_all_same_direction"] is True


def _round_row(round_name, kind, model, ratio, low, high, status="fitted"):
    return {"round": round_name, "round_kind": kind, "model": model, "family": "poisson",
            "term": "explicit_mandate", "estimate_exp": ratio, "conf_low_exp": low,
            "conf_high_exp": high, "status": status, "reason": "" if status == "fitted"
            else "separation"}


def test_the_round_claim_covers_every_model_and_names_the_ones_that_differ(tmp_path: Path):
    # The headline model agrees across rounds; the cross-section model does not.
    rows = [_round_row("oc-v2", "automated", "panel_poisson_fe", 2.4, 1.2, 5.0),
            _round_row("oc-v2", "automated", "cross_section_volume_poisson", 1.9, 1.1, 3.3),
            _round_row("oc-v1", "automated", "panel_poisson_fe", 2.2, 1.1, 4.4),
            _round_row("oc-v1", "automated", "cross_section_volume_poisson", 1.3, 0.7, 2.4)]
    num, _tables = numbers_for(tmp_path, by_round=rows)
    v, t = num.values, num.text
    assert v["rounds_model"] == "panel_poisson_fe" and v["rounds_n_same_direction"] == 2
    assert v["rounds_n_models"] == 2 and v["rounds_n_models_differ"] == 1
    assert v["rounds_all_same_direction"] is False
    assert t["rounds_models_differ"] == ("Operations: volume, Poisson (above one in oc-v2; "
                                         "oc-v1: across one)")
    # A model fitted in the main round but not in another is not claimed for that round.
    unfitted = [*rows[:3], _round_row("oc-v1", "automated", "cross_section_volume_poisson",
                                      None, None, None, status="not_fitted")]
    num2, _ = numbers_for(tmp_path / "unfitted", by_round=unfitted)
    assert num2.values["rounds_n_models_differ"] == 0
    assert num2.values["rounds_all_same_direction"] is False
    assert num2.text["rounds_models_unfitted"] == ("Operations: volume, Poisson (not fitted "
                                                   "in oc-v1)")
    same = [*rows[:3], _round_row("oc-v1", "automated", "cross_section_volume_poisson",
                                  1.8, 1.05, 3.1)]
    num3, _ = numbers_for(tmp_path / "same", by_round=same)
    assert num3.values["rounds_all_same_direction"] is True
    assert num3.text["rounds_models_differ"] == "n/a"


def test_the_round_sentence_in_the_pdf_names_the_differing_model(tmp_path: Path, figures):
    rows = [_round_row("oc-v2", "automated", "panel_poisson_fe", 2.4, 1.2, 5.0),
            _round_row("oc-v2", "automated", "cross_section_volume_poisson", 1.9, 1.1, 3.3),
            _round_row("oc-v1", "automated", "panel_poisson_fe", 2.2, 1.1, 4.4),
            _round_row("oc-v1", "automated", "cross_section_volume_poisson", 1.3, 0.7, 2.4)]
    _, text = compile_paper(tmp_path, figures, by_round=rows)
    assert not has(text, "does not hinge on the coding round")
    assert has(text, "Operations: volume, Poisson (above one in oc-v2; oc-v1: across one)")


def test_the_count_of_intervals_above_one_uses_the_endorsed_inference(tmp_path: Path):
    from analysis.paper.models import ENDORSED

    assert ENDORSED["panel_poisson_fe"][:3] == ("boot_conf_low_exp", "boot_conf_high_exp",
                                                "exact_p")
    # panel_poisson_fe: t interval 1.17-5.03 above one, bootstrap interval 0.80-7.00 across.
    num, _ = numbers_for(tmp_path, estimates=estimate_rows(boot=(0.80, 7.0, 0.12)))
    v, t = num.values, num.text
    assert v["panel_poisson_fe__explicit_mandate__direction"] == "higher"  # the t interval
    assert v["panel_poisson_fe__explicit_mandate__endorsed_direction"] == "inconclusive"
    assert (v["n_mandate_higher"], v["n_mandate_inconclusive"]) == (1, 1)
    assert t["panel_poisson_fe__explicit_mandate__endorsed_ci"] == "0.80–7.00"
    assert "bootstrap" in t["endorsed_note"] and "Poisson, operation FE" in t["endorsed_note"]
    # an unbounded bootstrap interval still counts (as containing one), never as missing
    num2, _ = numbers_for(tmp_path / "inf", estimates=estimate_rows(boot=(1.2, math.inf, 0.01)))
    assert num2.values["n_mandate_higher"] == 2
    assert num2.text["panel_poisson_fe__explicit_mandate__endorsed_ci"] == "1.20–∞"


def test_simulated_coders_are_never_called_human(tmp_path: Path):
    from analysis.paper.rounds import kind_label

    rows = [_round_row("oc-v2", "automated", "panel_poisson_fe", 2.4, 1.2, 5.0),
            _round_row("demo-simulated-coders", "human", "panel_poisson_fe", 2.3, 1.1, 4.9),
            _round_row("round-2", "human", "panel_poisson_fe", 2.1, 1.05, 4.0)]
    _num, tables = numbers_for(tmp_path, by_round=rows)
    assert list(tables["rounds"]["Kind"]) == ["automated", "simulated coders", "human coders"]
    assert kind_label("demo-simulated-coders", "human") == "simulated coders"


def test_no_rounds_gives_no_round_numbers(tmp_path: Path):
    num, tables = numbers_for(tmp_path, rounds=False)
    assert num.values["has_human_rounds"] is False and num.values["n_rounds"] == 0
    assert num.text["rel_min_alpha"] == "n/a" and tables["reliability"].empty


def test_accuracy_numbers_read_the_all_rows_and_each_bank_apart():
    from analysis.paper.format import Numbers
    from analysis.paper.stats import accuracy_numbers

    acc = pd.DataFrame(ACCURACY_ROWS, columns=ACCURACY_COLS).astype(str)
    acc["label"] = acc["label"].replace("nan", "")
    num = Numbers("demo")
    table = accuracy_numbers(num, acc, file="acc.csv")
    v = num.values
    # the table and the acc__ keys come from the "all" rows only
    assert len(table) == 2 and list(table["F1"]) == ["0.938", "0.889"]
    assert v["acc__paragraph__report__activity__f1"] == 0.938
    assert v["acc_min_f1"] == 0.889
    # the banks apart: tuned vs held-out F1 of the headline variables
    assert v["has_bank_accuracy"] is True
    assert v["acc_tuned__paragraph__report__activity__f1"] == 0.995
    assert v["acc_heldout__paragraph__report__activity__f1"] == 0.72
    assert v["acc_heldout__document__resolution__explicit_mandate__f1"] == 0.667
    assert v["acc_heldout__paragraph__report__activity__support"] == 30
    assert v["acc_heldout_min_f1"] == 0.583
    assert v["acc_heldout_min_f1__variable"] == "market (reports)"
    assert v["acc_tuned__paragraph__report__quadrant__f1"] is None  # no such row: n/a
    # an accuracy table from before the banks: every row is an "all" row, no bank numbers
    num = Numbers("demo")
    old = acc[acc["bank"] == "all"].drop(columns="bank")
    assert list(accuracy_numbers(num, old, file="old.csv")["F1"]) == ["0.938", "0.889"]
    assert num.values["has_bank_accuracy"] is False
    assert num.values["acc_heldout__paragraph__report__activity__f1"] is None


def test_every_number_has_text_and_a_source(tmp_path: Path):
    num, _ = numbers_for(tmp_path)
    assert set(num.values) == set(num.text) == set(num.sources)
    for key, src in num.sources.items():
        assert src["how"], key
    assert num.sources["n_documents"]["file"].endswith("documents.csv")
    assert num.sources["headline__estimate"]["file"].endswith("estimates.csv")


def test_outputs_are_deterministic(tmp_path: Path):
    digests = []
    for run in ("a", "b"):
        num, tables = numbers_for(tmp_path / "in")
        written = write_outputs(num, tables, tmp_path / run / "numbers.json", tmp_path / run)
        digests.append([p.read_bytes() for p in written])
        assert [p.stem for p in written[1:]] == list(TABLES)
    assert digests[0] == digests[1]
    doc = json.loads((tmp_path / "a" / "numbers.json").read_text())
    assert list(doc["values"]) == sorted(doc["values"]) and doc["corpus"] == "demo"


def test_missing_column_names_file_and_column(tmp_path: Path):
    paths = write_inputs(tmp_path)
    pd.read_csv(paths["panel"]).drop(columns="all_paragraphs").to_csv(paths["panel"],
                                                                       index=False)
    with pytest.raises(PaperError, match=r"panel\.csv: missing column\(s\) all_paragraphs"):
        build_numbers(**paths)


def test_unreadable_number_names_the_row(tmp_path: Path):
    paths = write_inputs(tmp_path)
    df = pd.read_csv(paths["panel"])
    df["oc_activity_paragraphs"] = df["oc_activity_paragraphs"].astype(str)
    df.loc[2, "oc_activity_paragraphs"] = "many"
    df.to_csv(paths["panel"], index=False)
    with pytest.raises(PaperError, match=r"row 4, column 'oc_activity_paragraphs': 'many'"):
        build_numbers(**paths)


def test_cli_reports_a_missing_table(tmp_path: Path, capsys):
    paths = write_inputs(tmp_path)
    code = main(["numbers", "--documents", paths["documents"], "--paragraphs",
                 paths["paragraphs"], "--quarantine", paths["quarantine"],
                 "--panel", str(tmp_path / "nope.csv"),
                 "--mission-activity", paths["mission_activity"], "--mandates",
                 paths["mandates"], "--out", str(tmp_path / "n.json"),
                 "--tables-dir", str(tmp_path / "t")])
    assert code == 1 and "nope.csv does not exist" in capsys.readouterr().err


# Reasons as analysis.corpus.check writes them (the fix hints make them long on purpose).
NO_TEXT = ("no text layer on any of its 2 page(s) (image-only scan?); run OCR on it (e.g. "
           "ocrmypdf) and list the OCRed file instead")
MISMATCH = ("checksum mismatch: file has sha256 " + "a" * 64 + ", the manifest expects "
            + "b" * 64 + "; replace the file or correct the manifest")
QUARANTINED = [("rep-c1", NO_TEXT), ("res-c", MISMATCH), ("rep-c2", NO_TEXT)]


def test_excluded_documents_are_counted_by_reason(tmp_path: Path):
    num, tables = numbers_for(tmp_path, quarantine=QUARANTINED)
    v, t = num.values, num.text
    assert (v["n_documents"], v["n_quarantined"], v["n_manifest_documents"]) == (6, 3, 9)
    assert v["quarantine_reasons"] == {"checksum mismatch": 1, "no text layer": 2}
    assert t["quarantine_reasons"] == "no text layer (2), checksum mismatch (1)"
    assert v["n_quarantine_reasons"] == 2 and v["excluded_table_shown"] is True
    assert v["quarantine_file"].endswith("quarantine.csv")
    excluded = tables["excluded"]
    assert list(excluded.columns) == ["doc_id", "reason"]
    assert excluded.values.tolist() == [["rep-c1", "no text layer"], ["rep-c2", "no text layer"],
                                        ["res-c", "checksum mismatch"]]


def test_no_excluded_documents_and_no_quarantine_table(tmp_path: Path):
    num, tables = numbers_for(tmp_path / "none")  # an empty quarantine table
    v = num.values
    assert (v["n_quarantined"], v["n_manifest_documents"]) == (0, 6)
    assert v["quarantine_reasons"] == {} and num.text["quarantine_reasons"] == "none"
    assert v["excluded_table_shown"] is False
    assert tables["excluded"].empty and list(tables["excluded"].columns) == ["doc_id", "reason"]
    num, tables = numbers_for(tmp_path / "absent", quarantine=None)  # function API: optional
    assert num.values["n_quarantined"] is None and num.text["n_quarantined"] == "n/a"
    assert num.values["n_manifest_documents"] is None and tables["excluded"].empty


def test_many_excluded_documents_are_not_listed(tmp_path: Path):
    from analysis.paper.excluded import EXCLUDED_TABLE_MAX

    reason = "file missing: raw/pdfs/x.pdf (and no symbol/source_url to download it)"
    many = [(f"doc-{i:02d}", reason) for i in range(EXCLUDED_TABLE_MAX + 1)]
    num, tables = numbers_for(tmp_path, quarantine=many)
    assert num.values["n_quarantined"] == EXCLUDED_TABLE_MAX + 1
    assert num.values["excluded_table_shown"] is False
    assert num.text["quarantine_reasons"] == f"missing file ({EXCLUDED_TABLE_MAX + 1})"
    assert len(tables["excluded"]) == EXCLUDED_TABLE_MAX + 1  # the file still lists them all


def test_reason_kinds_of_the_reasons_the_corpus_check_writes(tmp_path: Path, monkeypatch):
    """Every kind of bad document, quarantined by the real corpus check; its reasons map to
    short kinds, and a reason nobody foresaw still counts under its own words."""
    from pdf_fixtures import (
        encrypted_pdf,
        image_only_pdf,
        text_pdf,
        truncated_pdf,
        write_manifest,
        zero_page_pdf,
    )

    from analysis.corpus.check import check_corpus
    from analysis.paper.excluded import OTHER, reason_kind

    monkeypatch.chdir(tmp_path)
    pdfs = tmp_path / "raw" / "pdfs"
    text_pdf(pdfs / "good.pdf", "1. Decides to extend the mandate.")
    (pdfs / "copy.pdf").write_bytes((pdfs / "good.pdf").read_bytes())
    text_pdf(pdfs / "other.pdf", "2. Requests the Secretary-General to report.")
    image_only_pdf(pdfs / "scan.pdf")
    encrypted_pdf(pdfs / "locked.pdf")
    zero_page_pdf(pdfs / "empty-doc.pdf")
    truncated_pdf(pdfs / "broken.pdf", pdfs / "other.pdf")
    (pdfs / "zero.pdf").write_bytes(b"")
    (pdfs / "page.pdf").write_text("<html>not found</html>")
    rows = [{"doc_id": d, "path": f"pdfs/{d}.pdf"} for d in
            ("good", "copy", "scan", "locked", "empty-doc", "broken", "zero", "page", "gone")]
    rows.append({"doc_id": "pinned", "path": "pdfs/other.pdf", "sha256": "0" * 64})
    write_manifest(tmp_path / "raw" / "manifest.csv", rows)
    documents, quarantine = check_corpus("raw/manifest.csv", "results/sources")
    assert list(documents["doc_id"]) == ["good"]
    kinds = {d: reason_kind(r) for d, r in zip(quarantine["doc_id"], quarantine["reason"])}
    assert kinds == {"copy": "duplicate of another document", "scan": "no text layer",
                     "locked": "encrypted PDF", "empty-doc": "no pages",
                     "broken": "corrupt PDF", "zero": "empty file", "page": "not a PDF",
                     "gone": "missing file", "pinned": "checksum mismatch"}
    assert reason_kind("not downloaded (offline)") == "not downloaded (offline)"
    assert reason_kind("download failed: HTTP 404") == "download failed"
    assert reason_kind("Withdrawn by the editor: see note") == "Withdrawn by the editor"
    assert reason_kind("a reason written as one long sentence without any colon at all") == OTHER


def test_a_document_both_accepted_and_quarantined_is_an_error(tmp_path: Path):
    paths = write_inputs(tmp_path, quarantine=[("rep-a1", NO_TEXT)])
    with pytest.raises(PaperError, match=r"quarantine\.csv and .*documents\.csv both list "
                       r"rep-a1.*rebuild both"):
        build_numbers(**paths)


def test_cli_requires_the_quarantine_table_and_writes_the_excluded_table(tmp_path: Path,
                                                                        capsys):
    paths = write_inputs(tmp_path, quarantine=QUARANTINED)
    args = ["numbers", "--documents", paths["documents"], "--paragraphs", paths["paragraphs"],
            "--panel", paths["panel"], "--mission-activity", paths["mission_activity"],
            "--mandates", paths["mandates"], "--estimates", paths["estimates"],
            "--out", str(tmp_path / "out" / "numbers.json"),
            "--tables-dir", str(tmp_path / "out" / "tables")]
    with pytest.raises(SystemExit):
        main(args)
    assert "--quarantine" in capsys.readouterr().err
    assert main([*args, "--quarantine", paths["quarantine"]]) == 0
    assert "3 of 9 documents the manifest lists are excluded" in capsys.readouterr().err
    excluded = (tmp_path / "out" / "tables" / "excluded.csv").read_text()
    assert excluded == ("doc_id,reason\nrep-c1,no text layer\nrep-c2,no text layer\n"
                        "res-c,checksum mismatch\n")
    values = json.loads((tmp_path / "out" / "numbers.json").read_text())["values"]
    assert (values["n_quarantined"], values["n_manifest_documents"]) == (3, 9)


# ---------------------------------------------------------------------------------------
# The typeset paper


def test_paper_quotes_numbers_json(tmp_path: Path, figures):
    numbers, text = compile_paper(tmp_path, figures)
    t = numbers["text"]
    for key in ("n_documents", "n_paragraphs", "n_mandates_oc_reference", "headline__estimate",
                "headline__ci", "headline__boot_ci", "headline__exact_p", "raw_rate_ratio", "group__explicit_mandate__rate",
                "sim__effect__fe_cluster__coverage", "sim__null__fe_bootstrap__rejection_rate",
                "sim__null__twfe_cluster__rejection_rate",
                "cross_section_volume_poisson__explicit_mandate__exact_p"):
        assert has(text, t[key]), f"{key} = {t[key]!r} not in the PDF"
    assert has(text, "Demonstration build on a SYNTHETIC corpus")
    assert has(text, "The corpus check accepted every document the manifest lists (6); none "
               "was excluded.")
    assert not has(text, "Not every listed document is analysed")
    assert has(text, "interval lies above one") and not has(text, "interval lies below one")
    assert has(text, "reaches the same conclusion") and not has(text, "disagree")
    assert has(text, "headline interval covers it")
    for i in range(1, 9):  # every figure embedded, none replaced by a placeholder
        assert has(text, f"Placeholder{i}")
    assert "Figure not built" not in text
    assert numbers["values"]["boot__n_switchers"] == 0  # ALPHA and BRAVO never switch
    assert has(text, "mandate changes between its reports, so the fixed-effects models cannot")
    assert "else [" not in text and "#" not in text  # no Typst markup leaked into the text
    assert has(text, "van der Lijn") and has(text, "Journal of Conflict Resolution")
    # Coding rounds: reliability and the estimate by round, with their numbers.
    for key in ("rel_min_alpha", "rel_max_f1", "rounds_min", "rounds_max"):
        assert has(text, t[key]), f"{key} = {t[key]!r} not in the PDF"
    # accuracy on the tuned and the held-out phrasings, side by side
    for key in ("acc_tuned__paragraph__report__activity__f1",
                "acc_heldout__paragraph__report__activity__f1",
                "acc_heldout__document__resolution__explicit_mandate__f1", "acc_heldout_min_f1"):
        assert has(text, t[key]), f"{key} = {t[key]!r} not in the PDF"
    assert has(text, "never used to tune the codebook")
    assert has(text, "Krippendorff")
    # the round comparison names the model whose interval moves (above one -> across one)
    assert has(text, "depends on how the paragraphs are coded")
    assert has(text, t["rounds_models_differ"]) and "Poisson, operation FE" in t[
        "rounds_models_differ"]
    assert not has(text, "does not hinge on the coding round")
    assert not has(text, "planned for a later version")
    build = json.loads((tmp_path / "build" / "build.json").read_text())
    assert build["figures"]["fig3"] == "figures/fig3_coefficients.pdf"


def test_a_changed_table_changes_the_paper(tmp_path: Path, figures):
    _, before = compile_paper(tmp_path / "a", figures)
    numbers, after = compile_paper(tmp_path / "b", figures,
                                   estimates=estimate_rows(rr=0.41, low=0.22, high=0.77,
                                                           p=0.006, boot=(0.18, 0.9, 0.02)))
    assert numbers["values"]["headline__direction"] == "lower"
    assert has(after, "rate ratio 0.41") and has(after, "0.22–0.77")
    assert has(before, "rate ratio 2.43") and not has(after, "rate ratio 2.43")
    assert has(after, "interval lies below one") and not has(after, "interval lies above one")
    assert has(after, "headline interval misses it")
    # An interval across one: no direction is claimed.
    numbers, across = compile_paper(tmp_path / "c", figures,
                                    estimates=estimate_rows(rr=1.2, low=0.8, high=1.9, p=0.4,
                                                            boot=(0.7, math.inf, 0.45)))
    assert numbers["values"]["headline__direction"] == "inconclusive"
    assert has(across, "The interval includes one")
    assert not has(across, "interval lies above one") and not has(across, "lies below one")
    assert has(across, "reaches the same conclusion") and has(across, "0.70–∞")


def test_bootstrap_numbers_and_disagreement_in_the_pdf(tmp_path: Path, figures):
    """The bootstrap p and interval are printed beside the cluster-robust ones; when the two
    disagree the paper says so; an infinite bound prints as ∞, never inf or nan."""
    switching = [*PANEL[:3], ("BRAVO", "rep-b2", 2, 25, "True", "True", "True")]
    numbers, text = compile_paper(tmp_path, figures, panel=switching,
                                  estimates=estimate_rows(boot=(0.85, math.inf, 0.062)))
    v, t = numbers["values"], numbers["text"]
    assert (t["headline__boot_ci"], t["headline__exact_p"]) == ("0.85–∞", "0.062")
    assert v["headline__boot_agrees"] is False and v["headline__boot_direction"] == "inconclusive"
    assert has(text, "cluster-robust 95% CI 1.17–5.03")
    assert has(text, "wild bootstrap 95% CI 0.85–∞, wild bootstrap p = 0.062")
    assert has(text, "The two kinds of inference disagree here")
    assert has(text, "the association is not established by these data")
    assert has(text, "The wild cluster bootstrap, which allows for the few operations whose "
               "mandate changes, disagrees")  # the abstract too
    assert has(text, "unbounded above")
    assert not re.search(r"\b(inf|nan|NaN|Infinity)\b", text)
    # Estimates table: wild bootstrap for the panel row, permutation for the cross-section.
    assert has(text, "0.062 (wild bootstrap)") and has(text, "0.055 (permutation)")
    # Method section: switching operations and weight vectors from numbers.json; the
    # simulation: bootstrap rejection rates with their MCSE and the advice to add seeds.
    assert (v["boot__n_switchers"], v["boot__n_vectors"]) == (1, 6)  # BRAVO switches
    assert has(text, "With 1 switching operations all 6 weight vectors of Webb six-point "
               "weights are enumerated")
    assert "else [" not in text and "#" not in text  # no Typst markup leaked into the text
    assert has(text, "14.0% ± 2.0") and has(text, "It chose Poisson, operation + period FE")
    assert has(text, "Codebook oc-v1 was refined while looking at its coding errors")


def test_real_corpus_has_no_demo_label_and_says_what_is_missing(tmp_path: Path, figures):
    numbers, text = compile_paper(tmp_path, figures[:4], corpus="manifest", accuracy=False,
                                  simulation=False, rounds=False)
    assert numbers["corpus"] == "manifest"
    assert "SYNTHETIC" not in text and not has(text, "synthetic demonstration corpus")
    assert has(text, "reports no accuracy of the automated coding")
    assert has(text, "simulation check was not run")
    assert has(text, "Figure not built in this run (fig5)")
    assert has(text, "No human coding round is part of this build")
    assert has(text, "Only the main automated coding round")


def test_paper_states_what_was_excluded(tmp_path: Path, figures):
    """The user's case: four documents listed, three quarantined, one analysed."""
    quarantined = [("rep-a1", NO_TEXT), ("rep-a2", NO_TEXT), ("res-b", MISMATCH)]
    numbers, text = compile_paper(tmp_path / "few", figures, documents=DOCUMENTS[:1],
                                  quarantine=quarantined)
    v = numbers["values"]
    assert (v["n_manifest_documents"], v["n_documents"], v["n_quarantined"]) == (4, 1, 3)
    assert has(text, "Of the 4 documents the manifest lists, the corpus check excluded 3 and "
               "the analysis uses the remaining 1.")
    assert has(text, "Excluded documents by reason: no text layer (2), checksum mismatch (1)")
    assert has(text, "the corpus check excluded another 3 listed in the manifest")  # abstract
    assert has(text, "Table 2 lists them") and has(text, "quarantine.csv")
    for doc_id in ("rep-a1", "rep-a2", "res-b"):  # the table of excluded documents
        assert has(text, doc_id), doc_id
    assert not has(text, "none was excluded") and not has(text, "too many to list")
    # More than fit in a table: counts by reason and the pointer, no table.
    many = [(f"gone-{i:02d}", "file missing: raw/pdfs/x.pdf") for i in range(20)]
    numbers, text = compile_paper(tmp_path / "many", figures, quarantine=many)
    assert numbers["values"]["excluded_table_shown"] is False
    assert has(text, "Of the 26 documents the manifest lists, the corpus check excluded 20")
    assert has(text, "missing file (20)") and has(text, "They are too many to list here.")
    assert has(text, "quarantine.csv") and not has(text, "gone-07")


def test_paper_says_which_text_was_read_by_ocr(tmp_path: Path, figures):
    numbers, text = compile_paper(tmp_path / "ocr", figures, ocr_docs=("rep-a1", "rep-a2"))
    v = numbers["values"]
    assert (v["n_paragraphs_ocr"], v["n_documents_ocr"]) == (6, 2)  # 3 paragraphs each
    assert has(text, "6 paragraphs of 2 documents come from scanned pages without a text layer")
    numbers, text = compile_paper(tmp_path / "none", figures)
    assert numbers["values"]["n_paragraphs_ocr"] == 0
    assert not has(text, "read by OCR")


def test_paper_says_which_documents_have_a_broken_structure(tmp_path: Path, figures):
    numbers, text = compile_paper(tmp_path / "broken", figures, broken_docs=("rep-a1",))
    v = numbers["values"]
    assert (v["n_documents_structure_warning"], v["n_documents_columns"]) == (1, 1)
    assert has(text, "The layout check of the extraction flagged 1 of the analysed documents "
               "(rep-a1)")
    numbers, text = compile_paper(tmp_path / "fine", figures)
    assert numbers["values"]["n_documents_structure_warning"] == 0
    assert not has(text, "layout check of the extraction flagged")


def test_figure_names_must_give_their_slot(tmp_path: Path):
    ok = figure_slots([tmp_path / "fig2_x.pdf", tmp_path / "fig5_y.pdf"])
    assert sorted(ok) == ["fig2", "fig5"]
    with pytest.raises(BuildError, match="must start with one of"):
        figure_slots([tmp_path / "heatmap.pdf"])
    with pytest.raises(BuildError, match="both fill slot fig1"):
        figure_slots([tmp_path / "fig1_a.pdf", tmp_path / "fig1_b.pdf"])


def test_main_typ_types_no_number_by_hand():
    """Digits in paper/main.typ may only be layout (lengths, colours, indices), citation keys
    or the keys of numbers.json; any other digit is a number typed by hand."""
    src = re.sub(r"//[^\n]*", "", MAIN_TYP.read_text(encoding="utf-8"))
    allowed = [
        r"\b\d+(\.\d+)?(pt|em|cm|mm|%)",  # lengths and ratios of the layout
        r'rgb\("#[0-9a-fA-F]{6}"\)', r'paper: "a4"', r'numbering: "1\.?"',
        r'regex\("[^"]*"\)',
        r"\.(slice|at)\(\d\)", r"\) [<>=]=? 0\b",  # table plumbing, tests against zero
        r"[@<][a-z]+\d{4}[a-z]*",  # citation keys
        r'\b(t|tt|val|opt|fig)\("[^"]*"',  # keys of numbers.json and figure slots
        r"\bF1\b",
        r"\bHC3\b", r"S − 1",  # the name of a standard error; the df of a t distribution
    ]
    for pattern in allowed:
        src = re.sub(pattern, "", src)
    leftovers = re.findall(r".{0,30}\d.{0,30}", src)
    assert not leftovers, f"numbers typed by hand in main.typ: {leftovers}"


def test_the_codebook_says_what_it_was_tuned_on(tmp_path: Path):
    """`tuned_on:` of the codebook decides the paper's caveats: accuracy on the demo, and
    on a labelled passage file the codebook was revised on, is optimistic."""
    from analysis.paper.format import Numbers
    from analysis.paper.numbers import codebook_numbers

    book = tmp_path / "cb.yaml"
    book.write_text("version: x-v9\ntuned_on: [demo, dev-passages.jsonl]\n", encoding="utf-8")
    num = Numbers(corpus="demo")
    codebook_numbers(num, book, ["../shared/validation/dev-passages.jsonl"])
    assert num.values["codebook_tuned_on_demo"] is True
    assert num.values["validation_tuned"] is True
    num = Numbers(corpus="demo")
    codebook_numbers(num, book, ["raw/validation/held-back.jsonl"])
    assert num.values["validation_tuned"] is False
    book.write_text("version: x-v9\n", encoding="utf-8")
    num = Numbers(corpus="demo")
    codebook_numbers(num, book)
    assert num.values["codebook_tuned_on_demo"] is False
    assert num.values["validation_tuned"] is None  # no validation in this build
