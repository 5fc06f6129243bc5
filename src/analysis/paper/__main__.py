"""``python -m analysis.paper COMMAND``: the paper stage's command line (rules/paper.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "numbers": ("analysis.paper.numbers:main",
                "numbers.json and the formatted tables the paper prints", ("numbers",)),
    "build": ("analysis.paper.numbers:main", "typeset the paper with Typst (offline)",
              ("build",)),
    "provenance": ("analysis.paper.provenance:main",
                   "provenance.json: inputs, checksums, versions"),
}

if __name__ == "__main__":
    sys.exit(dispatch("paper", COMMANDS))
