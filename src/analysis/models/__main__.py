"""``python -m analysis.models fit ...``: the models stage's command line (rules/models.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "fit": ("analysis.models.run:main",
            "cross-section and panel models: estimates.csv, operations.csv"),
}

if __name__ == "__main__":
    sys.exit(dispatch("models", COMMANDS))
