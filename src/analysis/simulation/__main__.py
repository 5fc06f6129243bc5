"""``python -m analysis.simulation run ...``: the simulation check (rules/simulation.smk)."""

import sys

from analysis.cli import dispatch


def _run(argv):
    from analysis.simulation import run

    return run.main(argv)


COMMANDS = {"run": (_run, "coverage and rejection rate at a known effect and at a null")}

if __name__ == "__main__":
    sys.exit(dispatch("simulation", COMMANDS))
