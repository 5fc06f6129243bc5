"""Coding rounds: coder sheets, human rounds, revised codebooks, reliability, estimates.

Round 1 is the main automated coding (``results/tables/``, named after its codebook's
``version``). Further rounds are listed in the config: an AUTOMATED round names another
codebook and codes the whole corpus with it; a HUMAN round names a folder
``raw/coding/<round>/`` with one sheet per coder (``<coder>.csv``) and an optional
``adjudicated.csv``. Every round gets the same tables and models as the main round, in
``results/coding/rounds/<round>/``. Modules:

- :mod:`analysis.rounds.variables`: variables, allowed values, paragraph ids, the long format;
- :mod:`analysis.rounds.sheet`: the stratified, seeded coder sheet;
- :mod:`analysis.rounds.load`: reading and checking sheets (every problem at once);
- :mod:`analysis.rounds.agree`: alpha, consensus, disagreements, P/R/F1;
- :mod:`analysis.rounds.apply`: a round's coding, tables, models, estimates by round;
- :mod:`analysis.rounds.demo`: SYNTHETIC simulated coders for the demo corpus.

CLI (one subcommand per workflow step; ``python -m analysis.rounds <step> --help``)::

    sheet         export a coder sheet (+ allowed values, + the sample's strata)
    form          the offline HTML coding form of an exported sheet (one file per sheet)
    demo-coders   fill the sheet with simulated coders from the demo truth (demo only)
    settle        check a human round's sheets; consensus and disagreements
    human         a human round's coding of the corpus (automated + consensus)
    automated     an automated round's coding of the corpus with its codebook
    models        a round's tables and model estimates
    reliability   alpha and P/R/F1 of every round; all disagreements
    by-round      the explicit-mandate estimate of every model in every round
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from analysis.coding.codebook import load_codebook
from analysis.io import read_csv, read_parquet, write_csv, write_parquet
from analysis.rounds.variables import long_codes, paragraph_table, vocabulary

# ------------------------------------------------------------------ steps

def export_sheet(coded: str, codebook: str, size: int, seed: int, sheet_out: str,
                 codebook_out: str, sample_out: str) -> int:
    """Write the coder sheet, its allowed values and its sample; returns the sheet's rows."""
    from analysis.rounds.sheet import coder_sheet, sample_paragraphs
    from analysis.rounds.variables import codebook_table

    table = read_parquet(coded)
    vocab = vocabulary(load_codebook(codebook))
    sample = sample_paragraphs(table, vocab, size, seed)
    write_csv(coder_sheet(table, sample, vocab), sheet_out)
    write_csv(codebook_table(vocab), codebook_out)
    write_csv(sample, sample_out)
    return len(sample)


def coding_form(sheet: str, allowed: str, paragraphs: str, coded: str, documents: str,
                round_name: str, out: str) -> int:
    """Write the HTML coding form of a sheet (:mod:`analysis.rounds.form`); returns its
    number of paragraphs."""
    from analysis.rounds.form import build_form

    return build_form(sheet, allowed, paragraphs, coded, documents, round_name, out)


def demo_coders(sheet: str, coded: str, truth_dir: str, codebook: str, coders: int,
                error: float, seed: int, out_dir: str) -> list[Path]:
    """Write ``simulated-coder-<k>.csv`` sheets (SYNTHETIC) into ``out_dir``."""
    from analysis.coding.accuracy import read_truth
    from analysis.rounds.demo import simulated_sheets

    truth, _ = read_truth(truth_dir)
    blank = read_csv(sheet)
    sheets = simulated_sheets(blank, read_parquet(coded), truth,
                              vocabulary(load_codebook(codebook)), coders=coders,
                              error=error, seed=seed)
    written = []
    for name, filled in sheets.items():
        path = Path(out_dir) / f"{name}.csv"
        write_csv(filled, path)
        written.append(path)
    return written


def settle(round_name: str, sheets: list[str], adjudicated: str | None, coded: str,
           codebook: str, codes_out: str, consensus_out: str, disagreements_out: str) -> None:
    """Check a human round's files; write its codes, consensus and disagreements."""
    from analysis.rounds.agree import consensus, disagreements
    from analysis.rounds.load import load_round
    from analysis.schemas.rounds import Consensus, Disagreements, RoundCodes

    table = read_parquet(coded)
    vocab = vocabulary(load_codebook(codebook))
    codes, settled = load_round(sheets, round_name, paragraph_table(table), vocab,
                                adjudicated)
    agreed = Consensus.validate(consensus(codes, settled, long_codes(table, vocab),
                                          round_name))
    write_parquet(RoundCodes.validate(codes), codes_out)
    write_csv(agreed, consensus_out)
    write_csv(Disagreements.validate(disagreements(agreed, table[["para_id", "text"]])),
              disagreements_out)


def _round_long(coded: pd.DataFrame, vocab, round_name: str,
                sources: dict | None = None) -> pd.DataFrame:
    from analysis.schemas.rounds import RoundCoded

    long = long_codes(coded, vocab)
    long.insert(0, "round", round_name)
    keys = zip(long["para_id"], long["variable"], strict=True)
    long["source"] = [(sources or {}).get(k, "automated") for k in keys]
    return RoundCoded.validate(long)


def human_coding(round_name: str, coded: str, evidence: str, consensus_path: str,
                 documents: str, codebook: str, long_out: str, coded_out: str,
                 evidence_out: str) -> None:
    """The human round's coding of the corpus: main automated coding + consensus."""
    from analysis.coding.paragraphs import read_documents
    from analysis.rounds.apply import apply_consensus

    vocab = vocabulary(load_codebook(codebook))
    agreed = read_csv(consensus_path)
    new_coded, new_evidence = apply_consensus(
        read_parquet(coded), read_parquet(evidence), agreed, read_documents(documents),
        vocab, round_name)
    resolved = agreed[agreed["status"] != "unresolved"]
    sources = dict(zip(zip(resolved["para_id"], resolved["variable"], strict=True),
                       resolved["status"], strict=True))
    write_parquet(_round_long(new_coded, vocab, round_name, sources), long_out)
    write_parquet(new_coded, coded_out)
    write_parquet(new_evidence, evidence_out)


def automated_coding(round_name: str, paragraphs: str, documents: str, missions: str,
                     codebook: str, long_out: str, coded_out: str, evidence_out: str) -> None:
    """An automated round: the whole corpus coded with the round's codebook."""
    from analysis.coding.gazetteer import Gazetteer
    from analysis.coding.paragraphs import code_corpus, read_documents
    from analysis.missions import load_missions

    book = load_codebook(codebook)
    coded, evidence, _ = code_corpus(read_parquet(paragraphs), read_documents(documents),
                                     book, Gazetteer.from_missions(load_missions(missions)))
    write_parquet(_round_long(coded, vocabulary(book), round_name), long_out)
    write_parquet(coded, coded_out)
    write_parquet(evidence, evidence_out)


def fit_round(coded: str, evidence: str, mentions: str, documents: str, missions: str,
              codebook: str, permutations: int, seed: int, outs: dict[str, str],
              mandate_timing: str = "period_start", period_years: int = 2) -> None:
    """A round's tables and estimates; ``outs``: table name -> path (mandates,
    mission_activity, panel, estimates, operations)."""
    from analysis.coding.paragraphs import read_documents
    from analysis.missions import load_missions
    from analysis.rounds.apply import round_models

    tables = round_models(read_parquet(coded), read_parquet(evidence),
                          read_parquet(mentions), read_documents(documents),
                          load_missions(missions), list(load_codebook(codebook).markets),
                          permutations=permutations, seed=seed,
                          mandate_timing=mandate_timing, period_years=period_years)
    for name, path in outs.items():
        write_csv(tables[name], path)


def reliability(codebook: str, main_coded: str, automated: list[tuple[str, str]],
                human: list[tuple[str, str, str, str]], reliability_out: str,
                disagreements_out: str) -> pd.DataFrame:
    """Alpha of every human round; P/R/F1 of the main and every automated round against
    every human round; all disagreements in one table.

    ``automated``: (round, coded.parquet) of extra automated rounds; ``human``: (round,
    codes.parquet, consensus.csv, disagreements.csv)."""
    from analysis.rounds.agree import (
        DISAGREEMENT_COLUMNS,
        alpha_rows,
        automated_vs_human,
        reliability_table,
    )
    from analysis.schemas.rounds import Disagreements, Reliability

    book = load_codebook(codebook)
    vocab = vocabulary(book)
    autos = [(book.version, long_codes(read_parquet(main_coded), vocab))]
    autos += [(name, read_parquet(path)) for name, path in automated]
    rows, disagreed = [], []
    for name, codes_path, consensus_path, disagreements_path in human:
        rows += alpha_rows(read_parquet(codes_path), name, vocab)
        agreed = read_csv(consensus_path)
        for auto_name, auto in autos:
            rows += automated_vs_human(auto, agreed, name, auto_name, vocab)
        disagreed.append(read_csv(disagreements_path))
    table = Reliability.validate(reliability_table(rows))
    write_csv(table, reliability_out)
    all_disagreed = (pd.concat(disagreed, ignore_index=True) if disagreed
                     else pd.DataFrame(columns=DISAGREEMENT_COLUMNS))
    if all_disagreed.empty:
        all_disagreed = all_disagreed.astype({"page": int, "para_seq": int})
    write_csv(Disagreements.validate(all_disagreed), disagreements_out)
    return table


def by_round(main: tuple[str, str], rounds: list[tuple[str, str, str]], out: str) -> None:
    """``estimates_by_round.csv`` from the main estimates and each round's (name, kind, path)."""
    from analysis.rounds.apply import estimates_by_round
    from analysis.schemas.rounds import EstimatesByRound

    def read(path):
        return read_csv(path).replace("", None)

    frames = [(main[0], "automated", read(main[1]))]
    frames += [(name, kind, read(path)) for name, kind, path in rounds]
    table = estimates_by_round(frames)
    for col in ("reason",):
        table[col] = table[col].fillna("")
    write_csv(EstimatesByRound.validate(table), out)


# ------------------------------------------------------------------ CLI

def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m analysis.rounds",
                                description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="step", required=True)

    def add(name, required=(), optional=(), **kw):
        s = sub.add_parser(name, **kw)
        for arg in required:
            s.add_argument(f"--{arg}", required=True)
        for arg in optional:
            s.add_argument(f"--{arg}", default=None)
        return s

    s = add("sheet", ["coded", "codebook", "sheet-out", "codebook-out", "sample-out"])
    s.add_argument("--size", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    add("form", ["sheet", "allowed", "paragraphs", "coded", "documents", "round", "out"],
        help="the offline HTML coding form of an exported sheet")
    s = add("demo-coders", ["sheet", "coded", "truth-dir", "codebook", "out-dir"])
    s.add_argument("--coders", type=int, required=True)
    s.add_argument("--error", type=float, required=True)
    s.add_argument("--seed", type=int, required=True)
    s = add("settle", ["round", "coded", "codebook", "codes-out", "consensus-out",
                       "disagreements-out"], ["adjudicated"])
    s.add_argument("--sheets", nargs="+", required=True)
    add("human", ["round", "coded", "evidence", "consensus", "documents", "codebook",
                  "long-out", "coded-out", "evidence-out"])
    add("automated", ["round", "paragraphs", "documents", "missions", "codebook", "long-out",
                      "coded-out", "evidence-out"])
    s = add("models", ["coded", "evidence", "mentions", "documents", "missions", "codebook",
                       "mandates-out", "activity-out", "panel-out", "estimates-out",
                       "operations-out"])
    s.add_argument("--permutations", type=int, required=True)
    s.add_argument("--seed", type=int, required=True)
    s.add_argument("--mandate-timing", default="period_start",
                   choices=["period_start", "report_date", "period_share"])
    s.add_argument("--period-years", type=int, default=2)
    s = add("reliability", ["codebook", "main-coded", "reliability-out", "disagreements-out"])
    s.add_argument("--automated", nargs=2, action="append", default=[],
                   metavar=("ROUND", "CODED"))
    s.add_argument("--human", nargs=4, action="append", default=[],
                   metavar=("ROUND", "CODES", "CONSENSUS", "DISAGREEMENTS"))
    s = add("by-round", ["out"])
    s.add_argument("--main", nargs=2, required=True, metavar=("ROUND", "ESTIMATES"))
    s.add_argument("--round", nargs=3, action="append", default=[],
                   metavar=("ROUND", "KIND", "ESTIMATES"))
    return p


def main(argv: list[str] | None = None) -> int:
    a = _parser().parse_args(argv)
    try:
        if a.step == "sheet":
            n = export_sheet(a.coded, a.codebook, a.size, a.seed, a.sheet_out, a.codebook_out,
                             a.sample_out)
            print(f"rounds: sheet of {n} paragraphs -> {a.sheet_out}", file=sys.stderr)
        elif a.step == "form":
            n = coding_form(a.sheet, a.allowed, a.paragraphs, a.coded, a.documents, a.round,
                            a.out)
            print(f"rounds: coding form of {n} paragraphs -> {a.out}", file=sys.stderr)
        elif a.step == "demo-coders":
            for path in demo_coders(a.sheet, a.coded, a.truth_dir, a.codebook, a.coders,
                                    a.error, a.seed, a.out_dir):
                print(f"rounds: SYNTHETIC coder sheet {path}", file=sys.stderr)
        elif a.step == "settle":
            settle(a.round, a.sheets, a.adjudicated, a.coded, a.codebook, a.codes_out,
                   a.consensus_out, a.disagreements_out)
        elif a.step == "human":
            human_coding(a.round, a.coded, a.evidence, a.consensus, a.documents, a.codebook,
                         a.long_out, a.coded_out, a.evidence_out)
        elif a.step == "automated":
            automated_coding(a.round, a.paragraphs, a.documents, a.missions, a.codebook,
                             a.long_out, a.coded_out, a.evidence_out)
        elif a.step == "models":
            fit_round(a.coded, a.evidence, a.mentions, a.documents, a.missions, a.codebook,
                      a.permutations, a.seed,
                      {"mandates": a.mandates_out, "mission_activity": a.activity_out,
                       "panel": a.panel_out, "estimates": a.estimates_out,
                       "operations": a.operations_out},
                      mandate_timing=a.mandate_timing, period_years=a.period_years)
        elif a.step == "reliability":
            reliability(a.codebook, a.main_coded, [tuple(x) for x in a.automated],
                        [tuple(x) for x in a.human], a.reliability_out, a.disagreements_out)
        else:
            by_round(tuple(a.main), [tuple(x) for x in a.round], a.out)
    except (ValueError, OSError) as err:  # SheetError lists every problem with its place
        print(f"rounds {a.step} failed: {err}", file=sys.stderr)
        return 1
    print(f"rounds: {a.step} done", file=sys.stderr)
    return 0


__all__ = ["automated_coding", "by_round", "coding_form", "demo_coders", "export_sheet",
           "fit_round", "human_coding", "main", "reliability", "settle"]
