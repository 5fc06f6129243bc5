"""``python -m analysis.extract COMMAND``: the extraction stage's command line (rules/extract.smk).

``document`` runs once per PDF, ``batch`` once per batch of PDFs (what the workflow runs);
both import only pypdfium2 and pyarrow (no pandas), so jobs stay cheap; ``collect`` joins
their outputs and writes the QC tables.
"""

import sys

from analysis.cli import dispatch

COMMANDS = {
    "document": ("analysis.extract.pdf:main",
                 "one PDF: paragraphs, pages and first-page metadata"),
    "batch": ("analysis.extract.batch:main",
              "many PDFs in one process, each with its own outputs; failures left out"),
    "collect": ("analysis.extract.collect:main",
                "all documents' paragraphs in one table; extraction and metadata QC"),
}

if __name__ == "__main__":
    sys.exit(dispatch("extract", COMMANDS))
