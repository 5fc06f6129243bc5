"""A human coding round added to the workflow the way the README tells a researcher to.

One demo run in a fresh folder: export the coder sheet of a new round, let two coders
(written by the test) fill it in under raw/coding/<round>/, add the round to a config file,
run everything; then edit one coder's sheet and check, with a dry run, that only that round's
jobs and the summaries that read them would rerun (never extraction or the main coding).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
ROUND = "human-r2"
# The main automated round is named after the config's codebook (workflow/config.yaml). The
# config file written below replaces the default `rounds:` list, so the default's automated
# oc-v1 round is not part of this run.
MAIN_CODEBOOK, MAIN_ROUND = "workflow/codebooks/oc-v2.yaml", "oc-v2"

pytestmark = pytest.mark.workflow


def snakemake(workdir: Path, *args: str) -> str:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"),
               "--directory", str(workdir), *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=workdir, check=False)
    if result.returncode != 0:
        pytest.fail(f"snakemake {' '.join(args)} failed ({result.returncode}):\n"
                    f"{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result.stdout + result.stderr


def fill(sheet: pd.DataFrame, automated: pd.Series, flip: int) -> pd.DataFrame:
    """A coder's sheet: the automated codes, with `activity` flipped on the first `flip`
    report paragraphs (a coder who disagrees with the machine, and with the other coder)."""
    out = sheet.copy()
    for i, rec in out.iterrows():
        for var in ("oc", "activity", "quadrant", "market", "engagement", "negative_reason",
                    "part", "strength", "addressee", "explicit_mandate"):
            if rec[var] != "n/a":
                out.at[i, var] = automated[(rec["para_id"], var)]
    reports = out.index[out["doc_type"] == "report"][:flip]
    out.loc[reports, "activity"] = out.loc[reports, "activity"].map(
        {"true": "false", "false": "true"})
    return out


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    from analysis.coding.codebook import load_codebook
    from analysis.rounds.variables import long_codes, vocabulary

    work = tmp_path_factory.mktemp("rounds-run")
    base = work / "fast.yaml"  # one simulation seed: this test is about rounds
    base.write_text("simulation_seeds: 1\nsimulation_replicates: 12\n", encoding="utf-8")
    # 1. Export the sheet of the new round (no config line needed yet).
    snakemake(work, f"results/coding/sheets/{ROUND}.csv", "--cores", "2", "--configfile",
              str(base))
    sheet = pd.read_csv(work / f"results/coding/sheets/{ROUND}.csv", dtype=str,
                        keep_default_na=False)
    # 2. Two coders fill it in and save it under raw/coding/<round>/<coder>.csv.
    coded = pd.read_parquet(work / "results/tables/coded_paragraphs.parquet")
    vocab = vocabulary(load_codebook(REPO / MAIN_CODEBOOK))
    automated = long_codes(coded, vocab).set_index(["para_id", "variable"])["value"]
    folder = work / "raw" / "coding" / ROUND
    folder.mkdir(parents=True)
    fill(sheet, automated, flip=0).to_csv(folder / "coder-a.csv", index=False)
    fill(sheet, automated, flip=4).to_csv(folder / "coder-b.csv", index=False)
    # 3. One config line, 4. run.
    config = work / "rounds.yaml"
    config.write_text(f"simulation_seeds: 1\nsimulation_replicates: 12\nrounds:\n  - {{name: {ROUND}, folder: "
                      f"raw/coding/{ROUND}}}\n", encoding="utf-8")
    snakemake(work, "--cores", "2", "--configfile", str(config))
    return work


def test_the_round_is_checked_measured_and_refitted(run: Path):
    rel = pd.read_csv(run / "results/coding/reliability.csv")
    rel[["label", "automated_round"]] = rel[["label", "automated_round"]].fillna("")
    mine = rel[rel["round"] == ROUND]
    alpha = mine[(mine["measure"] == "alpha") & (mine["label"] == "")]
    assert set(alpha["variable"]) >= {"oc", "activity", "market"}
    assert (alpha.set_index("variable").loc["oc", "alpha"]) == 1.0  # coders agree on oc
    assert alpha.set_index("variable").loc["activity", "alpha"] < 1.0
    prf = mine[(mine["measure"] == "automated_vs_human") & (mine["label"] == "")]
    assert set(prf["automated_round"]) == {MAIN_ROUND}
    # Disagreements on activity stay unresolved with two coders: the automated value is kept
    # (coder-a copied it), so the automated round matches the consensus everywhere.
    assert (prf["f1"].fillna(1.0) == 1.0).all()
    dis = pd.read_csv(run / "results/coding/disagreements.csv", keep_default_na=False)
    assert len(dis[dis["round"] == ROUND]) == 4
    assert set(dis.loc[dis["round"] == ROUND, "status"]) == {"unresolved"}
    # The demo's synthetic round runs beside the human one.
    assert set(rel["round"]) == {ROUND, "demo-simulated-coders"}
    by_round = pd.read_csv(run / "results/models/estimates_by_round.csv")
    assert list(dict.fromkeys(by_round["round"])) == [MAIN_ROUND, ROUND,
                                                      "demo-simulated-coders"]
    assert set(by_round.loc[by_round["round"] == ROUND, "round_kind"]) == {"human"}
    for name in ("codes.parquet", "consensus.csv", "coded.parquet", "panel.csv",
                 "mission_activity.csv", "mandates.csv", "estimates.csv"):
        assert (run / "results/coding/rounds" / ROUND / name).exists(), name
    for fig in ("fig6_reliability", "fig7_rounds"):
        assert (run / f"results/figures/{fig}.pdf").stat().st_size > 0


def test_the_paper_reports_the_round(run: Path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(run / "results/paper/paper.pdf"))
    text = " ".join(page.get_textpage().get_text_range() for page in pdf)
    pdf.close()
    text = re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("\u00ad", ""))
    assert ROUND in text and "Krippendorff" in text
    assert "demo-simulated-coders" in text and "synthetic" in text
    assert "Robustness" in text or "robustness" in text


def test_editing_one_sheet_reruns_only_that_round(run: Path):
    sheet = run / "raw" / "coding" / ROUND / "coder-b.csv"
    df = pd.read_csv(sheet, dtype=str, keep_default_na=False)
    row = df.index[df["doc_type"] == "report"][-1]
    df.at[row, "oc"] = "false" if df.at[row, "oc"] == "true" else "true"
    df.to_csv(sheet, index=False)
    out = snakemake(run, "--cores", "1", "--dry-run", "--quiet", "rules", "--configfile",
                    str(run / "rounds.yaml"))
    jobs = dict(re.findall(r"^(\w+)\s+(\d+)$", out, flags=re.MULTILINE))
    jobs.pop("total", None)
    assert set(jobs) == {"settle_round", "human_round_coding", "round_models", "reliability",
                         "estimates_by_round", "figure", "numbers",
                         "paper", "provenance", "browser", "all"}, out
    # provenance checksums the sheets; the browser shows the round's codes beside the automated
    assert jobs["figure"] == "2", out  # Figures 6 and 7, the ones that read the rounds
    assert jobs["settle_round"] == jobs["round_models"] == "1"  # this round only
