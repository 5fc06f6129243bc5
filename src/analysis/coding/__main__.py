"""``python -m analysis.coding COMMAND``: the coding stage's command line (rules/coding.smk)."""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "paragraphs": ("analysis.coding.paragraphs:main",
                   "code every paragraph (mandates, activities) with evidence"),
    "tables": ("analysis.coding.tables:main",
               "mandates, mission activity and the operation-report panel"),
    "accuracy": ("analysis.coding.accuracy:main",
                 "precision, recall and F1 against the demo ground truth"),
    "legends": ("analysis.coding.legend:main",
                "acronym legends of the studies: operations missing from the table"),
    "validate": ("analysis.coding.validation:main",
                 "precision, recall and F1 against hand-labelled passages of real text"),
    "codebook": ("analysis.coding.codebook:main", "validate a codebook YAML file"),
}

if __name__ == "__main__":
    sys.exit(dispatch("coding", COMMANDS))
