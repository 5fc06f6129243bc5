"""``python -m analysis.rounds STEP``: the coding-rounds stage's command line (rules/rounds.smk)."""

import sys

from analysis.rounds.steps import main

if __name__ == "__main__":
    sys.exit(main())
