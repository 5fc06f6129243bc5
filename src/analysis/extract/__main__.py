"""``python -m analysis.extract COMMAND``: the extraction stage's command line (rules/extract.smk).

``document`` runs once per PDF and imports only pypdfium2 and pyarrow (no pandas), so
thousands of jobs stay cheap; ``collect`` joins their outputs and writes the QC tables.
"""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "document": ("analysis.extract.pdf:main",
                 "one PDF: paragraphs, pages and first-page metadata"),
    "collect": ("analysis.extract.collect:main",
                "all documents' paragraphs in one table; extraction and metadata QC"),
}

if __name__ == "__main__":
    sys.exit(dispatch("extract", COMMANDS))
