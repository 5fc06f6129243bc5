"""The package's layers, read from the source: what may import what.

- The floor (``analysis`` itself, ``io``, ``vocab``, ``problems``, ``missions``, ``cli``,
  ``schemas/*``) imports no stage, so every stage can stand on it.
- A pipeline stage imports the floor, its own modules and EARLIER stages only, in the order
  data flows: corpus, extract, coding, models, rounds, figures, paper.
- ``demo`` (the synthetic corpus generator) stands before the pipeline: its output is a
  manifest and PDFs, the corpus stage's input FILES, so it imports only the floor, and only
  ``simulation`` imports it (the real pipeline never depends on the generator).
- ``simulation`` runs the whole pipeline in one process: it may import any stage, and no
  stage imports it.
- Nothing imports Snakemake.

Every import counts, also those inside functions (the stages import lazily).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "analysis"
FLOOR = {"", "io", "vocab", "ids", "problems", "missions", "cli", "stages", "schemas"}
PIPELINE = ("corpus", "extract", "coding", "models", "rounds", "figures", "paper", "browser")
GENERATOR, RUNNER = "demo", "simulation"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> list[tuple[int, str]]:
    """``(line, absolute module)`` of every import in the file, relative ones resolved."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # "from analysis import io" imports the module analysis.io, "from analysis
            # import __version__" only the package
            found += [(node.lineno, f"{target}.{alias.name}" if target == "analysis" and (
                (PACKAGE / alias.name).is_dir() or (PACKAGE / f"{alias.name}.py").is_file())
                else target) for alias in node.names]
    return found


def layer(module: str) -> str:
    """``io``, ``schemas``, ``coding``...: the top-level part of ``analysis.<part>...``;
    ``""`` for the package itself."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def allowed(importer: str) -> set[str]:
    if importer in FLOOR:
        return set(FLOOR)
    if importer == GENERATOR:
        return FLOOR | {GENERATOR}
    if importer == RUNNER:
        return FLOOR | set(PIPELINE) | {GENERATOR, RUNNER}
    return FLOOR | set(PIPELINE[:PIPELINE.index(importer) + 1])


SOURCES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_of_the_package_has_a_place_in_the_layers():
    known = FLOOR | set(PIPELINE) | {GENERATOR, RUNNER}
    unknown = sorted({layer(module_name(p)) for p in SOURCES} - known)
    assert not unknown, (f"{unknown}: new module(s) or subpackage(s) of analysis; add them to "
                         "the floor or the stage order in tests/test_layers.py")
    assert len(SOURCES) > 50  # the walk found the package


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_imports_follow_the_layers(path):
    importer = layer(module_name(path))
    wrong = [f"{path.relative_to(PACKAGE.parent)}:{line}: imports {target} "
             f"({layer(target)!r} is not allowed in {importer or 'analysis'!r})"
             for line, target in imports(path)
             if target.split(".")[0] == "analysis" and layer(target) not in allowed(importer)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: module_name(p))
def test_nothing_imports_snakemake(path):
    found = [line for line, target in imports(path) if target.split(".")[0] == "snakemake"]
    assert not found, f"{path}: imports snakemake on line(s) {found}; pass paths as arguments"


def test_vocab_imports_nothing_of_the_package():
    found = [t for _, t in imports(PACKAGE / "vocab.py") if t.split(".")[0] == "analysis"]
    assert not found


def test_the_checks_see_lazy_imports_and_the_order():
    # the checks above would pass vacuously if imports() missed the imports inside functions
    steps = {t for _, t in imports(PACKAGE / "rounds" / "steps.py")}
    assert {"analysis.rounds.agree", "analysis.coding.paragraphs"} <= steps  # in functions
    assert "rounds" not in allowed("coding") and "coding" in allowed("rounds")
    assert "demo" not in allowed("corpus") and "demo" in allowed("simulation")
    assert "simulation" not in allowed("paper") and "coding" not in allowed("schemas")
