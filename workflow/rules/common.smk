# Helpers that turn the config and the manifest into paths. Nothing else lives here.
import csv
import shlex
from pathlib import Path

BASE = Path(workflow.basedir)
ENV = "../envs/analysis.yaml"

# The analysis package ships with the workflow: jobs find it through the
# workflow's folder even when it is not installed, whatever the working directory.
PY = f"PYTHONPATH={shlex.quote(str(BASE / 'src'))}${{PYTHONPATH:+:$PYTHONPATH}} python"


wildcard_constraints:
    doc_id=r"[A-Za-z0-9][A-Za-z0-9_.\-]*",


def locate(path):
    """A config path: as given if it exists (absolute, or relative to the
    working directory), else relative to the workflow's own folder."""
    given = Path(path)
    if given.is_absolute() or given.exists():
        return str(given)
    shipped = BASE / given
    return str(shipped) if shipped.exists() else str(given)


DEMO_MANIFEST = "results/demo/manifest.csv"
MANIFEST = DEMO_MANIFEST if config["corpus"] == "demo" else locate(config["manifest"])


def accepted_documents():
    """doc_id -> row of results/corpus/documents.csv (written by the
    check_corpus checkpoint: documents that passed every check)."""
    table = checkpoints.check_corpus.get().output.documents
    with open(table, newline="", encoding="utf-8") as handle:
        return {row["doc_id"]: row for row in csv.DictReader(handle)}


def document_pdf(wildcards):
    return accepted_documents()[wildcards.doc_id]["path"]


def extracted(kind):
    """Input function: one extraction output of `kind` per accepted document."""
    patterns = {
        "paragraphs": "results/extract/{doc_id}.parquet",
        "pages": "results/extract/pages/{doc_id}.parquet",
        "meta": "results/extract/meta/{doc_id}.json",
    }

    def inputs(wildcards):
        return expand(patterns[kind], doc_id=sorted(accepted_documents()))

    return inputs
