"""``python -m analysis.extract COMMAND``: the extraction stage's command line (rules/extract.smk).

``document`` runs once per PDF and imports only pypdfium2 and pyarrow (no pandas), so
thousands of jobs stay cheap; ``collect`` joins their outputs and writes the QC tables.
"""

import sys

from analysis.cli import dispatch


def _document(argv):
    from analysis.extract import pdf

    return pdf.main(argv)


def _collect(argv):
    from analysis.extract import collect

    return collect.main(argv)


COMMANDS = {
    "document": (_document, "one PDF: paragraphs, pages and first-page metadata"),
    "collect": (_collect, "all documents' paragraphs in one table; extraction and metadata QC"),
}

if __name__ == "__main__":
    sys.exit(dispatch("extract", COMMANDS))
