"""``python -m analysis.paper COMMAND``: the paper stage's command line (rules/paper.smk)."""

import sys

from analysis.cli import dispatch


def _numbers(argv):
    from analysis.paper import numbers

    return numbers.main(["numbers", *argv])


def _build(argv):
    from analysis.paper import numbers

    return numbers.main(["build", *argv])


def _provenance(argv):
    from analysis.paper import provenance

    return provenance.main(argv)


COMMANDS = {
    "numbers": (_numbers, "numbers.json and the formatted tables the paper prints"),
    "build": (_build, "typeset the paper with Typst (offline)"),
    "provenance": (_provenance, "provenance.json: inputs, checksums, versions"),
}

if __name__ == "__main__":
    sys.exit(dispatch("paper", COMMANDS))
