"""``python -m analysis.models fit ...``: the models stage's command line (rules/models.smk)."""

import sys

from analysis.cli import dispatch


def _fit(argv):
    from analysis.models import run

    return run.main(argv)


COMMANDS = {"fit": (_fit, "cross-section and panel models: estimates.csv, operations.csv")}

if __name__ == "__main__":
    sys.exit(dispatch("models", COMMANDS))
