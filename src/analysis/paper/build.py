"""Typeset the paper: gather its inputs in one build folder and compile it with Typst.

Typst reads files only under its *root*. The workflow's paper source lives in the workflow
folder (``paper/main.typ``) while numbers, tables and figures live in the working
directory's ``results/``, which may be anywhere (``snakemake --directory DIR``). So every
input is COPIED into one build folder (default ``results/paper/build/``)::

    build/main.typ            the paper source (unchanged copy)
    build/refs.bib            the bibliography (same file name as given)
    build/numbers.json        every number the text quotes (analysis.paper.numbers numbers)
    build/tables/<name>.csv   formatted tables, read in Typst with csv()
    build/figures/<file>.pdf  figures; slot figN from the file name prefix ``figN_``
    build/build.json          what is where: {"bibliography", "figures": {slot: path|null},
                              "tables": {name: path}}

and compiled with the build folder as root, so the folder alone reproduces the PDF
(``typst compile --root build build/main.typ``). Only Typst's embedded fonts are used and
the PDF carries no date: the same inputs give the same bytes on any machine. A figure slot
with no file gets a visible placeholder in the PDF (and a warning here), never a crash.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

FIGURE_SLOTS = ("fig1", "fig2", "fig3", "fig4", "fig5", "fig6", "fig7", "fig8")
_SLOT = re.compile(r"^(fig\d+)_")
# Typst writes this into the PDF only if the document sets no date; main.typ sets none, and
# a fixed value keeps datetime.today() (unused) deterministic as well.
TIMESTAMP = 0


class BuildError(RuntimeError):
    """The paper could not be typeset; the message names the input at fault."""


def figure_slots(figures: list[str | Path]) -> dict[str, Path]:
    """Slot (``fig1``..) -> figure file, from file names ``figN_<stem>.pdf``."""
    slots: dict[str, Path] = {}
    for path in map(Path, figures):
        m = _SLOT.match(path.name)
        if not m or m.group(1) not in FIGURE_SLOTS:
            raise BuildError(f"figure {path}: the file name must start with one of "
                             f"{', '.join(s + '_' for s in FIGURE_SLOTS)} to find its place")
        if m.group(1) in slots:
            raise BuildError(f"figures {slots[m.group(1)]} and {path} both fill slot "
                             f"{m.group(1)}; pass one of them")
        slots[m.group(1)] = path
    return slots


def _copy(src: Path, dest: Path, what: str) -> None:
    if not src.is_file():
        raise BuildError(f"{what} {src} does not exist; build it first (snakemake {src})")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)


def assemble(*, main: str | Path, bibliography: str | Path, numbers: str | Path,
             tables: list[str | Path], figures: list[str | Path],
             build_dir: str | Path, log=sys.stderr) -> Path:
    """Fill ``build_dir`` (emptied first) as the module doc says; returns its main.typ."""
    build = Path(build_dir)
    if build.exists():
        shutil.rmtree(build)
    build.mkdir(parents=True)
    main, bibliography = Path(main), Path(bibliography)
    _copy(main, build / "main.typ", "paper source")
    _copy(bibliography, build / bibliography.name, "bibliography")
    _copy(Path(numbers), build / "numbers.json", "numbers file")
    table_paths = {}
    for table in map(Path, tables):
        if table.stem in table_paths:
            raise BuildError(f"two tables named {table.stem}: {table} and "
                             f"{table_paths[table.stem]}; tables must have distinct names")
        _copy(table, build / "tables" / table.name, "table")
        table_paths[table.stem] = f"tables/{table.name}"
    slots = figure_slots(figures)
    figure_paths = {}
    for slot in FIGURE_SLOTS:
        if slot not in slots:
            print(f"paper: no figure for {slot}; the PDF shows a placeholder", file=log)
            figure_paths[slot] = None
            continue
        _copy(slots[slot], build / "figures" / slots[slot].name, "figure")
        figure_paths[slot] = f"figures/{slots[slot].name}"
    manifest = {"bibliography": bibliography.name, "figures": figure_paths,
                "tables": dict(sorted(table_paths.items()))}
    (build / "build.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return build / "main.typ"


def compile_pdf(main: str | Path, out: str | Path, log=sys.stderr) -> None:
    """Compile ``main`` (root: its folder) to the PDF ``out`` with Typst's own fonts.

    Needs the ``typst`` package >= 0.14 (PDF figures as images, ``timestamp``); Typst's
    warnings go to ``log``.
    """
    import typst  # imported here: only the paper job needs the compiler

    main = Path(main)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        pdf, warnings = typst.compile_with_warnings(
            str(main), root=str(main.parent), ignore_system_fonts=True, timestamp=TIMESTAMP)
        for warning in warnings:
            print(f"paper: typst warning: {getattr(warning, 'message', warning)}", file=log)
    except typst.TypstError as err:
        hints = "".join(f"\n  hint: {h}" for h in getattr(err, "hints", []) or [])
        raise BuildError(f"Typst could not compile {main}: {getattr(err, 'message', err)}\n"
                         f"{getattr(err, 'diagnostic', '')}{hints}") from err
    except RuntimeError as err:  # older bindings raise a plain RuntimeError
        raise BuildError(f"Typst could not compile {main}: {err}") from err
    out.write_bytes(pdf)


def build_paper(*, main, bibliography, numbers, tables, figures, build_dir, out,
                log=sys.stderr) -> Path:
    """Assemble the build folder and compile it to ``out``; returns ``out``."""
    built = assemble(main=main, bibliography=bibliography, numbers=numbers, tables=tables,
                     figures=figures, build_dir=build_dir, log=log)
    compile_pdf(built, out, log=log)
    return Path(out)
