"""The paper quotes the coding's accuracy on labelled real passages (validation.csv), or says
that none were configured; the numbers are those of the table."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pypdfium2 as pdfium
import pytest
from test_paper import BIB, MAIN_TYP, figures, has, write_inputs  # noqa: F401 (fixture)
from test_validation import MARKETS, items, passages_of

from analysis.coding.validation import score
from analysis.io import write_csv
from analysis.paper.build import build_paper
from analysis.paper.numbers import build_numbers, main, write_outputs
from analysis.paper.stats import PaperError
from analysis.schemas.coding import Validation


def validation_table(folder: Path) -> Path:
    """A validation table with known figures: op x quadrant tp 3 of 4 gold and 6 predicted
    (P 0.5, R 0.75, F1 0.6); 1 of 4 hard negatives credited; explicit mandate tp 1 of 2
    gold, 1 predicted (P 1, R 0.5, F1 0.67)."""
    passages = passages_of(["p1", "p2", "p3", "p4", "p5", "p6"],
                           ["", "", "plan", "plan", "negation", "other_actor"])
    gold = items([("p1", "operation_quadrant", "A", "direct_consequences"),
                  ("p1", "operation_quadrant", "A", "indirect_drivers"),
                  ("p2", "operation_quadrant", "B", "direct_consequences"),
                  ("p2", "operation_quadrant", "B", "direct_drivers"),
                  ("p1", "activity", "", "yes"), ("p2", "activity", "", "yes"),
                  ("p1", "explicit_mandate", "A", ""), ("p2", "explicit_mandate", "B", "")])
    predicted = items([("p1", "operation_quadrant", "A", "direct_consequences"),
                       ("p1", "operation_quadrant", "A", "indirect_drivers"),
                       ("p2", "operation_quadrant", "B", "direct_consequences"),
                       ("p2", "operation_quadrant", "C", "direct_consequences"),
                       ("p2", "operation_quadrant", "B", "indirect_drivers"),
                       ("p3", "operation_quadrant", "A", "direct_consequences"),
                       ("p1", "activity", "", "yes"), ("p2", "activity", "", "yes"),
                       ("p3", "activity", "", "yes"), ("p1", "explicit_mandate", "A", "")])
    evidence = pd.DataFrame({"doc_id": ["p3"], "operation": [None], "coding": ["activity"]})
    table = score(passages, gold, predicted, evidence, MARKETS)
    return write_csv(table, folder / "validation.csv", schema=Validation)


def test_validation_numbers_from_the_table(tmp_path: Path):
    path = validation_table(tmp_path)
    num, _ = build_numbers(validation=path, **write_inputs(tmp_path / "in"))
    v, t = num.values, num.text
    assert v["has_validation"] is True and v["validation__n_passages"] == 6
    assert (v["validation__op_quadrant__precision"], v["validation__op_quadrant__recall"],
            v["validation__op_quadrant__f1"]) == (0.5, 0.75, 0.6)
    assert (t["validation__op_quadrant__precision"], t["validation__op_quadrant__f1"]) == (
        "0.50", "0.60")
    assert (v["validation__hard_negative__n"], v["validation__hard_negative__count"]) == (4, 1)
    assert t["validation__hard_negative__rate"] == "25.0%"
    assert v["validation__explicit_mandate__f1"] == pytest.approx(0.6667)
    assert t["validation__explicit_mandate__f1"] == "0.67"
    assert v["validation__evidence_without_operation"] == 1
    assert num.sources["validation__op_quadrant__f1"]["file"] == str(path)


def test_without_validation_the_numbers_are_empty(tmp_path: Path):
    num, _ = build_numbers(**write_inputs(tmp_path / "in"))
    assert num.values["has_validation"] is False
    assert num.values["validation__op_quadrant__f1"] is None
    assert num.text["validation__hard_negative__rate"] == "n/a"


def test_a_table_of_another_shape_is_an_error_naming_it(tmp_path: Path):
    bad = tmp_path / "validation.csv"
    pd.DataFrame({"variable": ["activity"], "label": [""]}).to_csv(bad, index=False)
    with pytest.raises(PaperError, match=r"validation.csv: missing column\(s\) precision"):
        build_numbers(validation=bad, **write_inputs(tmp_path / "in"))


def test_cli_option(tmp_path: Path):
    paths = write_inputs(tmp_path / "in")
    argv = ["numbers", *(f"--{k.replace('_', '-')}={p}" for k, p in paths.items()),
            f"--validation={validation_table(tmp_path)}", f"--out={tmp_path / 'numbers.json'}",
            f"--tables-dir={tmp_path / 'tables'}"]
    assert main(argv) == 0
    doc = json.loads((tmp_path / "numbers.json").read_text())
    assert doc["values"]["validation__op_quadrant__recall"] == 0.75


def compile_with(folder: Path, pdfs, validation) -> str:
    num, tables = build_numbers(validation=validation, **write_inputs(folder / "in"))
    written = write_outputs(num, tables, folder / "numbers.json", folder / "tables")
    pdf = build_paper(main=MAIN_TYP, bibliography=BIB, numbers=written[0], tables=written[1:],
                      figures=pdfs, build_dir=folder / "build", out=folder / "paper.pdf")
    doc = pdfium.PdfDocument(str(pdf))
    text = "\n".join(page.get_textpage().get_text_range() for page in doc)
    doc.close()
    return text


def test_paper_states_the_validation_beside_the_demo_accuracy(tmp_path: Path, figures):  # noqa: F811
    text = compile_with(tmp_path / "with", figures, validation_table(tmp_path))
    assert has(text, "On 6 passages of real text about peace operations")
    assert has(text, "precision 0.50, recall 0.75 and F1 0.60")
    assert has(text, "credits activity to 1 of the 4 passages")
    assert has(text, "work; 25.0%)")  # the share of hard negatives credited
    assert has(text, "explicit OC mandate with F1 0.67")
    assert not has(text, "No labelled passages of real text were configured")
    assert "else [" not in text and "#" not in text

    text = compile_with(tmp_path / "without", figures, None)
    assert has(text, "No labelled passages of real text were configured (config key "
                     "validation)")
    assert not has(text, "passages of real text about peace operations")
