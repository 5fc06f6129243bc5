"""``python -m analysis.corpus COMMAND``: the corpus stage's command line (rules/corpus.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "fetch": ("analysis.corpus.fetch:main",
              "download listed documents that have no local file (results/sources)"),
    "check": ("analysis.corpus.check:main",
              "check the manifest and every PDF: documents.csv and quarantine.csv", ("check",)),
    "validate": ("analysis.corpus.check:main",
                 "only validate a manifest; list every problem with file and line", ("validate",)),
    "operations": ("analysis.missions:main", "validate an operations table (raw/missions.csv)"),
    "discover": ("analysis.corpus.discover:main", "find UN resolutions/reports online (draft)"),
    "summary": ("analysis.corpus.summary:main",
                "print what the corpus accepted and quarantined, and why"),
}

if __name__ == "__main__":
    sys.exit(dispatch("corpus", COMMANDS))
