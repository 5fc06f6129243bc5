"""``python -m analysis.simulation fast|run ...``: the simulation check (rules/simulation.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "fast": ("analysis.simulation.fast:main",
             "size, coverage and power of every estimator on oracle panels (seconds)"),
    "run": ("analysis.simulation.run:main",
            "the same estimators on whole-pipeline replicates (PDFs -> coding -> panel)"),
}

if __name__ == "__main__":
    sys.exit(dispatch("simulation", COMMANDS))
