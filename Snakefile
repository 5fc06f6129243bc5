# Organized-crime mandates and peace-operation activity: the workflow.
#
#   snakemake --cores 4                      # demo corpus (synthetic), all stages
#   snakemake --cores 4 --config corpus=manifest manifest=raw/manifest.csv
#
# Everything the workflow ships (config, schemas, codebooks, the analysis package) is
# found through the workflow's own folder, so `-s path/to/Snakefile --directory DIR` works.
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: Path(workflow.basedir) / "workflow" / "config.yaml"


# `--config offline=true` arrives as the string "true": accept the usual spellings.
_SPELLINGS = {
    "true": True,
    "yes": True,
    "on": True,
    "false": False,
    "no": False,
    "off": False,
}
if str(config.get("offline")).strip().lower() in _SPELLINGS:
    config["offline"] = _SPELLINGS[str(config["offline"]).strip().lower()]


validate(config, Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml")


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/corpus.smk"
include: "workflow/rules/extract.smk"
include: "workflow/rules/coding.smk"
include: "workflow/rules/models.smk"
include: "workflow/rules/rounds.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/simulation.smk"
include: "workflow/rules/paper.smk"


rule all:
    default_target: True
    input:
        "results/qc/quarantine.csv",
        "results/qc/extraction.csv",
        "results/qc/metadata.csv",
        "results/extract/paragraphs.parquet",
        CODE_TARGETS,
        "results/models/estimates.csv",
        "results/models/operations.csv",
        ROUND_TARGETS,
        FIGURE_FILES,
        "results/qc/simulation.csv",
        "results/paper/paper.pdf",
        "results/provenance.json",
