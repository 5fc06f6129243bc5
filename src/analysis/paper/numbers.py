"""The paper's numbers and tables (``numbers.json``), and the typeset paper.

Every number the paper quotes is computed here from the workflow's tables and written to
``numbers.json``: ``{"corpus", "values", "text", "sources"}`` where ``values`` holds the raw
value, ``text`` what the paper prints and ``sources`` the file and the computation of each
(:class:`analysis.paper.format.Numbers`). The formatted tables the paper prints are written
as CSV beside it (:data:`TABLES`). Nothing in ``paper/main.typ`` is typed by hand: it reads
these files. Same inputs => byte-identical outputs.

Inputs (contracts in notes/TABLES.md): documents table, extracted paragraphs, panel, mission
activity, mandates, model estimates; optional: the quarantine table of the corpus check (what
the manifest listed but the analysis left out, and why: :mod:`analysis.paper.excluded`;
required on the command line, so a workflow run cannot forget it), coding accuracy (demo
corpus), coding accuracy on labelled passages of real text (:mod:`analysis.paper.validation`),
simulation check, demo spec (the true effect the synthetic corpus was generated
with), reliability of the coding rounds and the mandate estimate by round
(:mod:`analysis.paper.rounds`).

CLI::

    python -m analysis.paper numbers --documents results/corpus/documents.csv \\
        --quarantine results/qc/quarantine.csv \\
        --paragraphs results/extract/paragraphs.parquet --panel results/tables/panel.csv \\
        --mission-activity results/tables/mission_activity.csv \\
        --mandates results/tables/mandates.csv --estimates results/models/estimates.csv \\
        [--accuracy results/qc/coding_accuracy.csv] [--simulation results/qc/simulation.csv] \\
        [--demo-spec workflow/demo/spec.yaml] [--reliability results/coding/reliability.csv] \\
        [--estimates-by-round results/models/estimates_by_round.csv] \\
        [--codebook workflow/codebooks/oc-v1.yaml] \\
        [--validation results/qc/validation.csv] --config-corpus demo \\
        --out results/paper/numbers.json --tables-dir results/paper/tables

    python -m analysis.paper build --main paper/main.typ --bibliography paper/refs.bib \\
        --numbers results/paper/numbers.json --tables results/paper/tables/*.csv \\
        --figures results/figures/fig1_*.pdf ... --build-dir results/paper/build \\
        --out results/paper/paper.pdf
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.io import read_csv, read_parquet, write_csv
from analysis.paper.build import BuildError, build_paper
from analysis.paper.excluded import excluded_numbers
from analysis.paper.format import Numbers
from analysis.paper.models import bootstrap_design, estimate_numbers
from analysis.paper.rounds import reliability_numbers, round_numbers
from analysis.paper.stats import (
    PaperError,
    accuracy_numbers,
    activity_numbers,
    corpus_numbers,
    documents_cited,
    extraction_numbers,
    mandate_numbers,
    panel_numbers,
    simulation_numbers,
)
from analysis.paper.validation import validation_numbers

# Formatted tables written beside numbers.json, by name (file <name>.csv).
TABLES = ("corpus", "documents", "excluded", "activity_by_mandate", "estimates",
          "estimates_notes", "accuracy", "simulation", "reliability", "rounds")
CORPORA = ("demo", "manifest", "study")
# Codebook versions refined while looking at coding errors on the demo corpus of the default
# spec: their accuracy on that corpus is optimistic (the paper says so).


def read_table(path: str | Path | None, what: str) -> pd.DataFrame | None:
    """A CSV as strings (empty cells ``""``); None when ``path`` is None."""
    if path is None:
        return None
    path = Path(path)
    if not path.is_file():
        raise PaperError(f"{what} {path} does not exist; build it first (snakemake {path})")
    return read_csv(path)


def read_paragraphs(path: str | Path) -> pd.DataFrame:
    """doc_id (and kind and ocr, when present) of the extracted paragraphs table (parquet or
    CSV), as strings."""
    path = Path(path)
    if not path.is_file():
        raise PaperError(f"paragraphs table {path} does not exist; build it first")
    if path.suffix == ".csv":
        return read_csv(path)
    import pyarrow.parquet as pq

    names = pq.read_schema(path).names
    return read_parquet(path, columns=[c for c in ("doc_id", "kind", "ocr") if c in names]).astype(str)


def _yaml(path: str | Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as handle:
        doc = yaml.safe_load(handle) or {}
    if not isinstance(doc, dict):
        raise PaperError(f"{path}: expected a YAML mapping")
    return doc


def demo_truth(num: Numbers, spec: str | Path | None) -> None:
    """``demo_true_rate_ratio``: the rate ratio the synthetic corpus was generated with;
    ``demo_seed``: the seed of its spec."""
    value = seed = None
    if spec is not None:
        doc = _yaml(spec)
        value = (doc.get("effect") or {}).get("rate_ratio")
        seed = doc.get("seed")
        if value is None:
            raise PaperError(f"{spec}: no effect.rate_ratio; is this the demo spec?")
    num.ratio("demo_true_rate_ratio", None if value is None else float(value),
              str(spec) if spec else "", "effect.rate_ratio of the demo spec (demo corpus only)")
    num.add("demo_seed", seed, None if seed is None else str(seed), str(spec or ""),
            "seed of the demo spec (demo corpus only)")


def codebook_numbers(num: Numbers, codebook: str | Path | None,
                     validation_files: list[str] | tuple[str, ...] = ()) -> None:
    """``codebook_version`` (its ``version:``), ``codebook_tuned_on_demo`` ("demo" in its
    ``tuned_on:`` list) and ``validation_tuned`` (a labelled passage file the validation used
    is named, by file name, in ``tuned_on:``: its accuracy there is optimistic); None
    without a codebook."""
    version, tuned_on = None, []
    if codebook is not None:
        book = _yaml(codebook)
        version = book.get("version")
        if version is None:
            raise PaperError(f"{codebook}: no 'version:' key; is this a codebook?")
        version = str(version)
        tuned_on = [str(x) for x in book.get("tuned_on") or []]
    file = str(codebook or "")
    num.label("codebook_version", version, file, "version: of the codebook")
    num.flag("codebook_tuned_on_demo", None if version is None else "demo" in tuned_on,
             file, "'demo' in the codebook's tuned_on: (refined on the demo corpus's errors)")
    tuned_files = sorted(Path(f).name for f in validation_files if Path(f).name in tuned_on)
    num.flag("validation_tuned", bool(tuned_files) if validation_files else None, file,
             "a labelled passage file of the validation is in the codebook's tuned_on: "
             + (", ".join(tuned_files) or "none"))


def build_numbers(*, documents, paragraphs, panel, mission_activity, mandates,
                  quarantine=None, extraction=None, estimates=None, accuracy=None, simulation=None,
                  simulation_headline=None, demo_spec=None, reliability=None, estimates_by_round=None, codebook=None,
                  validation=None, validation_files=(), corpus: str = "demo",
                  mandate_timing: str = "period_start", period_years: int = 2
                  ) -> tuple[Numbers, dict[str, pd.DataFrame]]:
    """All numbers and formatted tables from the table files (paths; optional ones None).

    ``quarantine``: the corpus check's quarantine table; without it the numbers of excluded
    documents are None and the paper says it cannot tell what was excluded. ``validation``:
    the coding's accuracy on labelled passages of real text (results/qc/validation.csv);
    without it the paper says none were configured."""
    if corpus not in CORPORA:
        raise PaperError(f"corpus {corpus!r}: expected one of {', '.join(CORPORA)} (config key "
                         "'corpus')")
    num = Numbers(corpus)
    num.flag("is_demo", corpus == "demo", "workflow/config.yaml", "config key corpus == demo")
    num.label("mandate_timing", mandate_timing, "workflow/config.yaml",
              "config key mandate_timing (the treatment of the models)")
    num.count("period_years", period_years, "workflow/config.yaml",
              "config key period_years (periods of the two-way models' time effects)")
    tables = {}
    documents_table = read_table(documents, "documents table")
    tables["corpus"] = corpus_numbers(
        num, documents_table, read_paragraphs(paragraphs),
        documents_file=str(documents), paragraphs_file=str(paragraphs))
    tables["documents"] = documents_cited(documents_table)
    extraction_numbers(num, read_table(extraction, "extraction QC table"),
                       file=str(extraction or ""))
    tables["excluded"] = excluded_numbers(
        num, read_table(quarantine, "quarantine table"), documents_table,
        file=str(quarantine or ""), documents_file=str(documents))
    mandate_numbers(num, read_table(mandates, "mandates table"), file=str(mandates))
    panel_table = read_table(panel, "panel table")
    tables["activity_by_mandate"] = panel_numbers(num, panel_table, file=str(panel))
    bootstrap_design(num, panel_table, file=str(panel))
    activity_numbers(num, read_table(mission_activity, "mission activity table"),
                     file=str(mission_activity))
    # the simulation first: its headline rule names the headline estimator of the models
    tables["simulation"] = simulation_numbers(
        num, read_table(simulation, "simulation table"), file=str(simulation or ""),
        headline=read_table(simulation_headline, "simulation headline table"),
        headline_file=str(simulation_headline or ""))
    tables["estimates"], tables["estimates_notes"] = estimate_numbers(
        num, read_table(estimates, "estimates table"), file=str(estimates or ""),
        headline_model=num.values.get("sim_headline_model"),
        headline_estimator=num.values.get("sim_headline"))
    tables["accuracy"] = accuracy_numbers(num, read_table(accuracy, "accuracy table"),
                                          file=str(accuracy or ""))
    validation_numbers(num, read_table(validation, "validation table"),
                       file=str(validation or ""))
    tables["reliability"] = reliability_numbers(
        num, read_table(reliability, "reliability table"), file=str(reliability or ""))
    tables["rounds"] = round_numbers(
        num, read_table(estimates_by_round, "estimates by round table"),
        file=str(estimates_by_round or ""), headline_model=num.values.get("headline__model"))
    demo_truth(num, demo_spec if corpus == "demo" else None)
    codebook_numbers(num, codebook, validation_files)
    truth, low, high = (num.values[k] for k in ("demo_true_rate_ratio", "headline__conf_low",
                                                 "headline__conf_high"))
    covers = None if None in (truth, low, high) else low <= truth <= high
    num.flag("headline__covers_truth", covers, str(demo_spec or ""),
             "headline__conf_low <= demo_true_rate_ratio <= headline__conf_high (demo only)")
    return num, tables


def write_outputs(num: Numbers, tables: dict[str, pd.DataFrame], out: str | Path,
                  tables_dir: str | Path) -> list[Path]:
    """Write numbers.json and every table of :data:`TABLES`; returns the paths written."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(num.as_json(), encoding="utf-8")
    written = [out]
    tdir = Path(tables_dir)
    tdir.mkdir(parents=True, exist_ok=True)
    for name in TABLES:
        written.append(write_csv(tables[name], tdir / f"{name}.csv"))
    return written


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis.paper",
                                description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    n = sub.add_parser("numbers", help="numbers.json and the formatted tables")
    for name in ("documents", "paragraphs", "panel", "mission-activity", "mandates"):
        n.add_argument(f"--{name}", required=True)
    n.add_argument("--quarantine", required=True, metavar="PATH",
                   help="the corpus check's quarantine table (results/qc/quarantine.csv): "
                        "documents the manifest lists that the analysis leaves out")
    n.add_argument("--extraction", default=None, metavar="PATH",
                   help="the extraction QC table (results/qc/extraction.csv): documents read "
                        "as columns and documents whose paragraph structure looks broken")
    for name in ("estimates", "accuracy", "simulation", "simulation-headline", "demo-spec",
                 "reliability",
                 "estimates-by-round", "codebook", "validation"):
        n.add_argument(f"--{name}", default=None)
    n.add_argument("--validation-files", nargs="*", default=[], metavar="FILE",
                   help="the labelled passage files the validation table was made from "
                        "(checked against the codebook's tuned_on: list)")
    n.add_argument("--config-corpus", default="demo", choices=CORPORA)
    n.add_argument("--mandate-timing", default="period_start",
                   choices=["period_start", "report_date", "period_share"])
    n.add_argument("--period-years", type=int, default=2)
    n.add_argument("--out", required=True)
    n.add_argument("--tables-dir", required=True)
    b = sub.add_parser("build", help="typeset the paper with Typst")
    b.add_argument("--main", required=True)
    b.add_argument("--bibliography", required=True)
    b.add_argument("--numbers", required=True)
    b.add_argument("--tables", nargs="*", default=[])
    b.add_argument("--figures", nargs="*", default=[])
    b.add_argument("--build-dir", required=True)
    b.add_argument("--out", required=True)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "numbers":
            num, tables = build_numbers(
                documents=args.documents, paragraphs=args.paragraphs, panel=args.panel,
                mission_activity=args.mission_activity, mandates=args.mandates,
                quarantine=args.quarantine, extraction=args.extraction,
                estimates=args.estimates, accuracy=args.accuracy, simulation=args.simulation,
                simulation_headline=args.simulation_headline,
                demo_spec=args.demo_spec, reliability=args.reliability,
                estimates_by_round=args.estimates_by_round, codebook=args.codebook,
                validation=args.validation, validation_files=args.validation_files,
                corpus=args.config_corpus, mandate_timing=args.mandate_timing,
                period_years=args.period_years)
            write_outputs(num, tables, args.out, args.tables_dir)
            v = num.values
            if v["n_quarantined"]:
                print(f"paper: {v['n_quarantined']} of {v['n_manifest_documents']} documents "
                      f"the manifest lists are excluded ({num.text['quarantine_reasons']}); "
                      f"the paper says so (see {args.quarantine})", file=sys.stderr)
            print(f"paper: {len(num.values)} numbers -> {args.out}", file=sys.stderr)
        else:
            build_paper(main=args.main, bibliography=args.bibliography, numbers=args.numbers,
                        tables=args.tables, figures=args.figures, build_dir=args.build_dir,
                        out=args.out)
            print(f"paper: {args.out}", file=sys.stderr)
    except (PaperError, BuildError) as err:
        print(f"paper: error: {err}", file=sys.stderr)
        return 1
    return 0
