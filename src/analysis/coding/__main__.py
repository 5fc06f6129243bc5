"""``python -m analysis.coding COMMAND``: the coding stage's command line (rules/coding.smk)."""

import sys

from analysis.cli import dispatch


def _paragraphs(argv):
    from analysis.coding import paragraphs

    return paragraphs.main(argv)


def _tables(argv):
    from analysis.coding import tables

    return tables.main(argv)


def _accuracy(argv):
    from analysis.coding import accuracy

    return accuracy.main(argv)


def _legends(argv):
    from analysis.coding import legend

    return legend.main(argv)


def _codebook(argv):
    from analysis.coding import codebook

    return codebook.main(argv)


COMMANDS = {
    "paragraphs": (_paragraphs, "code every paragraph (mandates, activities) with evidence"),
    "tables": (_tables, "mandates, mission activity and the operation-report panel"),
    "accuracy": (_accuracy, "precision, recall and F1 against the demo ground truth"),
    "legends": (_legends, "acronym legends of the studies: operations missing from the table"),
    "codebook": (_codebook, "validate a codebook YAML file"),
}

if __name__ == "__main__":
    sys.exit(dispatch("coding", COMMANDS))
