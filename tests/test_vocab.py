"""The vocabulary is defined once (analysis.vocab) and agrees with the codebook schema."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from analysis import vocab
from analysis.demo.generate import REASON_DRAW_ORDER

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "analysis"
SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/codebook.schema.yaml").read_text("utf-8"))

# Every tuple of words in analysis.vocab, by name.
CONCEPTS = {name: value for name, value in vars(vocab).items()
            if name.isupper() and isinstance(value, tuple) and len(value) > 1}
# Deliberate second orders of a concept, each saying why it is not the vocab's order.
OTHER_ORDERS = {("demo/generate.py", "REASON_DRAW_ORDER")}


def labels(section: str, *path: str) -> set[str]:
    node = SCHEMA["properties"][section]
    for key in path:
        node = node["properties"][key]
    return set(node["properties"])


def test_the_codebook_schema_allows_exactly_the_vocabulary():
    # a codebook may only name labels the tables' schemas accept, and must name the
    # ones the coding relies on
    target, mode = labels("quadrant_cues", "target"), labels("quadrant_cues", "mode")
    assert {f"{m}_{t}" for m in mode for t in target} == set(vocab.QUADRANTS)
    assert labels("negative_cues") == set(vocab.NEGATIVE_REASONS)
    assert labels("engagement_cues") == set(vocab.ENGAGEMENTS)
    assert labels("addressee_cues") == set(vocab.ADDRESSEES)
    # "reference" is given to preambular paragraphs, not found by verbs
    assert labels("strength_verbs") | {"reference"} == set(vocab.STRENGTHS)


def test_document_types_in_both_orders_are_the_same_types():
    assert sorted(vocab.ALL_TYPES) == sorted(vocab.DOC_TYPES)
    assert set(vocab.REPORT_TYPES).isdisjoint(vocab.RESOLUTION_TYPES)


def test_the_demo_draws_the_same_negative_reasons():
    assert sorted(REASON_DRAW_ORDER) == sorted(vocab.NEGATIVE_REASONS)


def word_literals(tree: ast.AST, rel: str):
    """Tuples, lists and sets of two or more string constants, except OTHER_ORDERS."""
    skip = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name) and (rel, t.id) in OTHER_ORDERS}
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set) and id(node) not in skip \
                and len(node.elts) > 1 and all(isinstance(e, ast.Constant)
                                               and isinstance(e.value, str) for e in node.elts):
            yield node.lineno, [e.value for e in node.elts]


def test_no_module_defines_a_vocabulary_again():
    """A literal tuple, list or set of the same words as a vocab tuple, outside vocab.py,
    is a second definition that can drift: import the name from analysis.vocab instead."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "vocab.py":
            continue
        for line, words in word_literals(ast.parse(path.read_text("utf-8")), rel):
            found += [f"{rel}:{line}: {words} is analysis.vocab.{name}"
                      for name, value in CONCEPTS.items() if set(words) == set(value)]
    assert not found, "\n".join(found)


def test_the_duplicate_check_sees_a_duplicate():
    tree = ast.parse('def f(x):\n    return x in ["study", "report", "resolution"]\n')
    assert [w for _, w in word_literals(tree, "x.py")] == [["study", "report", "resolution"]]
    assert {"study", "report", "resolution"} == set(CONCEPTS["DOC_TYPES"])
