"""``python -m analysis.corpus COMMAND``: the corpus stage's command line (rules/corpus.smk)."""

import sys

from analysis.cli import dispatch


def _check(argv):
    from analysis.corpus import check

    return check.main(["check", *argv])


def _validate(argv):
    from analysis.corpus import check

    return check.main(["validate", *argv])


def _fetch(argv):
    from analysis.corpus import fetch

    return fetch.main(argv)


def _operations(argv):
    from analysis import missions

    return missions.main(argv)


def _summary(argv):
    from analysis.corpus import summary

    return summary.main(argv)


COMMANDS = {
    "fetch": (_fetch, "download listed documents that have no local file (results/sources)"),
    "check": (_check, "check the manifest and every PDF: documents.csv and quarantine.csv"),
    "validate": (_validate, "only validate a manifest; list every problem with file and line"),
    "operations": (_operations, "validate an operations table (raw/missions.csv)"),
    "summary": (_summary, "print what the corpus accepted and quarantined, and why"),
}

if __name__ == "__main__":
    sys.exit(dispatch("corpus", COMMANDS))
