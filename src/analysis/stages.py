"""Which source files make up each stage, so that an edit to a stage's code reruns it.

A stage is a subpackage of :mod:`analysis` (``corpus``, ``extract``, ``coding`` ...). Its
code is every module of that subpackage and every module they import from the package,
followed transitively (floor modules such as ``analysis.io`` or ``analysis.schemas.*`` and
earlier stages alike), plus the data files (``.yaml``, ``.json``; ``.css``, ``.js``, ``.html``
of the browser's pages) that sit in the folders of those modules (codebook vocabularies,
phrasing banks, page assets). Imports are read with :mod:`ast`; no
module is executed, so the answer is cheap to compute each time a workflow is parsed.

The workflow lists these files as inputs of the stage's rules: editing any of them makes
the rule, and everything downstream of it, out of date.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

PACKAGE = "analysis"
DATA_SUFFIXES = (".yaml", ".yml", ".json", ".css", ".js", ".html")


def _module_file(base: Path, dotted: str) -> Path | None:
    """The file of module ``analysis.<dotted>`` under ``base`` (the package folder)."""
    rel = Path(*dotted.split(".")) if dotted else Path()
    for candidate in (base / rel.with_suffix(".py") if dotted else None, base / rel / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _imports(base: Path, path: Path) -> set[Path]:
    """Package files that importing ``path`` runs: the modules it imports (anywhere in the
    file, including lazy imports inside functions) and their packages' ``__init__.py``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    dotted: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            dotted |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            dotted.add(node.module)
            # `from analysis.coding import tables`: tables may be a module
            dotted |= {f"{node.module}.{a.name}" for a in node.names}
    found: set[Path] = set()
    for name in dotted:
        parts = name.split(".")
        if parts[0] != PACKAGE:
            continue
        for k in range(1, len(parts) + 1):  # the package chain, then the module itself
            f = _module_file(base, ".".join(parts[1:k]))
            if f is not None:
                found.add(f)
    return found


@cache
def _graph(root: str) -> tuple[dict[Path, frozenset[Path]], dict[Path, tuple[Path, ...]]]:
    base = Path(root)
    modules = sorted(p for p in base.rglob("*.py") if "__pycache__" not in p.parts)
    graph = {p: frozenset(_imports(base, p)) for p in modules}
    data = {
        folder: tuple(sorted(p for p in folder.iterdir() if p.suffix in DATA_SUFFIXES))
        for folder in {p.parent for p in modules}
    }
    return graph, data


def stage_files(package_dir: str | Path, *entries: str) -> list[str]:
    """Every source and data file that the given entries run: their own modules, the
    modules they import (transitively) and the data files beside those modules. Sorted.

    An entry is a stage (``"coding"``: every module of the subpackage) or one module of a
    stage (``"extract.pdf"``: that module, what it imports, and the stage's command line
    ``extract/__main__.py`` without the other commands it would load), so that a rule run
    thousands of times depends only on the code it really runs.

    Raises:
        ValueError: an entry that is no stage subpackage or module of ``package_dir``.
    """
    base = Path(package_dir).resolve()
    graph, data = _graph(str(base))
    todo: list[Path] = [base / "__init__.py"]
    for entry in entries:
        stage, _, module = entry.partition(".")
        if not (base / stage / "__init__.py").is_file() or (
            module and _module_file(base, entry) is None
        ):
            known = sorted(p.parent.name for p in base.glob("*/__init__.py"))
            raise ValueError(f"{base}: no stage or stage module {entry!r}; "
                             f"stages are {', '.join(known)}")
        if module:
            todo.append(_module_file(base, entry))
            main = base / stage / "__main__.py"
            seen_main = {main, base / "cli.py"} & set(graph)
            todo.extend(seen_main)
        else:
            todo.extend(p for p in graph if p.relative_to(base).parts[0] == stage)
    # A stage module's __main__ imports every command lazily: follow only what it runs.
    mains = {p for p in todo if p.name == "__main__.py"} if any("." in e for e in entries) else set()
    seen: set[Path] = set()
    while todo:
        p = todo.pop()
        if p not in seen:
            seen.add(p)
            if p not in mains:
                todo.extend(graph.get(p, ()))
    files = seen | {d for p in seen for d in data.get(p.parent, ())}
    return sorted(str(p) for p in files)
