# Organized-crime mandates and peace-operation activity: the workflow.
#
#   snakemake --cores 4                      # demo corpus (synthetic), all stages
#   snakemake --cores 4 --config manifest=raw/manifest.csv     # your documents
#   snakemake --cores 2 simulation           # the simulation check (a method check)
#
# Reading order: this file -> workflow/rules/common.smk (config and manifest -> paths,
# input functions) -> one workflow/rules/<stage>.smk -> src/analysis/<stage>/__main__.py.
# Everything the workflow ships (config, schemas, codebooks, the analysis package) is
# found through the workflow's own folder, so `-s path/to/Snakefile --directory DIR` works.
# Defaults for the command line (keep going, rerun incomplete files, show failed logs) are
# in profiles/default/config.yaml, which Snakemake reads by itself.
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")


configfile: Path(workflow.basedir) / "workflow" / "config.yaml"


# `--config offline=true` arrives as the string "true": accept the usual spellings.
_SPELLINGS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}
for _key in ("offline", "simulation"):
    if str(config.get(_key)).strip().lower() in _SPELLINGS:
        config[_key] = _SPELLINGS[str(config[_key]).strip().lower()]


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
include: "workflow/rules/browser.smk"


# Run where Snakemake runs (a cluster's login node): the targets, and the downloads and their
# gate, because compute nodes often have no route to the internet.
localrules:
    all,
    figures,
    simulation,
    fetch_sources,
    study_gate,


rule all:
    default_target: True
    input:
        rules.check_corpus.output,
        rules.collect_extraction.output,
        CODE_TARGETS,
        rules.fit_models.output,
        ROUND_TARGETS,
        FIGURE_FILES,
        rules.paper.output.pdf,
        rules.browser.output,
        rules.provenance.output,
        rules.simulation_fast.output,
        (rules.simulation.input if SIMULATION else []),


# At the end of every run, on the console: what the corpus accepted and quarantined, and
# why (a dropped document is never silent). corpus_summary: common.smk.
onsuccess:
    study_report()
    corpus_summary()


onerror:
    study_report()
    corpus_summary()
