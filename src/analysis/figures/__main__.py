"""CLI: ``python -m analysis.figures figN --<table> PATH ... --out-pdf PDF --out-png PNG``.

fig1 --mission-activity --mandates | fig2 --mission-activity | fig3 --estimates [--term] |
fig4 --panel --mandates | fig5 --panel | fig6 --reliability |
fig7 --estimates-by-round | fig8 --estimates. Exit status 1 with a message naming the file and
column when a table is missing or malformed.
"""

from __future__ import annotations

import argparse
import sys

import matplotlib

# Batch jobs have no display: the non-interactive Agg backend, chosen before any drawing.
matplotlib.use("Agg")

from analysis.figures import render
from analysis.figures.reliability import render_fig6
from analysis.figures.rounds import render_fig7

# figure -> (render function, its table options in call order)
FIGURES = {
    "fig1": (render.render_fig1, ["mission-activity", "mandates"],
             "operation x quadrant heatmap of OC activity paragraphs"),
    "fig2": (render.render_fig2, ["mission-activity"],
             "OC activity paragraphs by quadrant and crime market"),
    "fig3": (render.render_fig3, ["estimates"],
             "explicit-mandate rate/odds ratio of every model"),
    "fig4": (render.render_fig4, ["panel", "mandates"],
             "explicit-mandate periods and OC activity per report"),
    "fig5": (render.render_fig5, ["panel"], "OC activity per report by mandate in force"),
    "fig6": (render_fig6, ["reliability"],
             "Krippendorff's alpha and automated-vs-human F1 per label and round"),
    "fig7": (render_fig7, ["estimates-by-round"], "explicit-mandate estimate by coding round"),
    "fig8": (render.render_fig8, ["estimates"],
             "event study: OC activity by report around the first explicit mandate"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.figures", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="figure", required=True)
    for name, (_, tables, help_text) in FIGURES.items():
        sub = commands.add_parser(name, help=help_text)
        for table in tables:
            sub.add_argument(f"--{table}", required=True, help=f"{table} table (CSV)")
        if name == "fig3":
            sub.add_argument("--term", default="explicit_mandate",
                             help="coefficient to plot (default: explicit_mandate)")
        sub.add_argument("--out-pdf", required=True)
        sub.add_argument("--out-png", required=True)
    args = parser.parse_args(argv)
    function, tables, _ = FIGURES[args.figure]
    inputs = [getattr(args, t.replace("-", "_")) for t in tables]
    extra = {"term": args.term} if args.figure == "fig3" else {}
    try:
        function(*inputs, args.out_pdf, args.out_png, **extra)
    except (ValueError, OSError) as err:  # FigureInputError is a ValueError naming the place
        print(f"{args.figure} failed: {err}", file=sys.stderr)
        return 1
    print(f"{args.figure}: wrote {args.out_pdf} and {args.out_png}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
