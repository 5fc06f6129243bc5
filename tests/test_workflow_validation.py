"""The workflow measures the coding on labelled passages listed in config `validation`."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from test_workflow import REPO, snakemake

pytestmark = pytest.mark.workflow

# Written for this test: one seizure by the operation, one concern-only passage.
PASSAGES = [
    {"id": "w1", "text": "Officers of UNMIL seized cocaine in Monrovia and arrested two "
                         "traffickers.", "missions": ["UNMIL"],
     "activity": [{"mission": "UNMIL", "quadrant": "direct-consequences", "market": "drugs"}],
     "mandate": [], "negative_reason": None, "source_url": "https://example.org/w1"},
    {"id": "w2", "text": "The Council voiced concern about drug trafficking in Liberia.",
     "missions": ["UNMIL"], "activity": [], "mandate": [], "negative_reason": "concern_only"},
]


def main_codebook_version() -> str:
    """The version of the codebook the shipped config codes with (the main round)."""
    config = yaml.safe_load((REPO / "workflow" / "config.yaml").read_text(encoding="utf-8"))
    book = yaml.safe_load((REPO / config["codebook"]).read_text(encoding="utf-8"))
    return book["version"]


def test_labelled_passages_give_the_validation_tables(tmp_path):
    labelled = tmp_path / "raw" / "validation" / "passages.jsonl"
    labelled.parent.mkdir(parents=True)
    labelled.write_text("".join(json.dumps(p) + "\n" for p in PASSAGES), encoding="utf-8")
    result = snakemake(tmp_path, "--cores", "2", "results/qc/validation.csv",
                       "--config", "validation=[raw/validation/passages.jsonl]")
    table = pd.read_csv(tmp_path / "results/qc/validation.csv", dtype=str,
                        keep_default_na=False)
    overall = table[(table["variable"] == "operation_quadrant") & (table["label"] == "")]
    assert overall[["n_gold", "n"]].values.tolist() == [["1", "2"]]
    hard = table[(table["variable"] == "hard_negative_false_activity") & (table["label"] == "")]
    assert hard["n"].tolist() == ["1"]
    assert (tmp_path / "results/qc/validation_passages.csv").exists()
    console = result.stdout + result.stderr
    assert f"validation: 2 labelled passages coded with codebook {main_codebook_version()}" in console
    assert "validation: operation x quadrant P/R/F1" in console


def test_the_paper_numbers_take_the_validation_table(tmp_path):
    labelled = tmp_path / "passages.jsonl"
    labelled.write_text(json.dumps(PASSAGES[0]) + "\n", encoding="utf-8")
    result = snakemake(tmp_path, "--cores", "1", "--dry-run", "--printshellcmds",
                       "results/paper/numbers.json", "--config", f"validation=[{labelled}]")
    assert "--validation results/qc/validation.csv" in result.stdout


def test_a_listed_file_that_does_not_exist_stops_the_run(tmp_path):
    result = snakemake(tmp_path, "--cores", "1", "--dry-run", "--config",
                       "validation=[raw/validation/missing.jsonl]", check=False)
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert "config key validation[0]" in console
    assert "raw/validation/missing.jsonl does not exist" in console
