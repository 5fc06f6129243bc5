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
    "gate": ("analysis.corpus.study:main",
             "after fetching the study: what is missing, by operation; stop if anything is"),
    "discover": ("analysis.corpus.discover:main",
                 ("list an operation's resolutions and reports from the UN Digital Library "
                 "(needs the network; a draft to review)")),
    "summary": ("analysis.corpus.summary:main",
                "print what the corpus accepted and quarantined, and why"),
}

if __name__ == "__main__":
    sys.exit(dispatch("corpus", COMMANDS))
