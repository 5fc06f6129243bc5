"""``python -m analysis.simulation run ...``: the simulation check (rules/simulation.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "run": ("analysis.simulation.run:main",
            "coverage and rejection rate at a known effect and at a null"),
}

if __name__ == "__main__":
    sys.exit(dispatch("simulation", COMMANDS))
