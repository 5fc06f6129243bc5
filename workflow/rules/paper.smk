# Paper stage: every number of the paper in numbers.json, the Typst paper, the provenance record.
import json
import shlex
from pathlib import Path

# Formatted tables written beside numbers.json (analysis.paper.TABLES).
PAPER_TABLES = [
    "corpus",
    "activity_by_mandate",
    "estimates",
    "estimates_notes",
    "accuracy",
    "simulation",
    "reliability",
    "rounds",
]
# Figures the paper shows, slot figN from the file name prefix (analysis.paper_build).
PAPER_FIGURES = [
    "results/figures/fig1_operation_quadrant.pdf",
    "results/figures/fig2_quadrant_market.pdf",
    "results/figures/fig3_mandate_coefficients.pdf",
    "results/figures/fig4_mandate_timeline.pdf",
    "results/figures/fig5_activity_by_mandate.pdf",
    "results/figures/fig6_reliability.pdf",
    "results/figures/fig7_rounds.pdf",
]
# Inputs that only the demo corpus has: the coding accuracy against its ground truth and
# the spec with the true effect it was generated with.
PAPER_DEMO_INPUTS = (
    {
        "accuracy": "results/qc/coding_accuracy.csv",
        "demo_spec": locate(config["demo_spec"]),
    }
    if config["corpus"] == "demo"
    else {}
)


# Coder sheets of every human coding round (rounds_common.smk: ROUNDS, HUMAN_ROUNDS), and
# the round's adjudicated.csv when there is one, as inputs of provenance: a changed sheet
# rebuilds the record. The demo's simulated sheets are outputs of rule demo_coders.
CODER_SHEETS = {
    name: (
        expand(f"{ROUNDS[name]['folder']}/{{coder}}.csv", coder=DEMO_CODERS)
        if ROUNDS[name].get("simulated")
        else [
            *ROUNDS[name]["sheets"],
            *(
                str(adjudicated)
                for adjudicated in [Path(ROUNDS[name]["folder"]) / "adjudicated.csv"]
                if adjudicated.exists()
            ),
        ]
    )
    for name in HUMAN_ROUNDS
}
CODER_SHEET_OPTIONS = " ".join(
    "--coder-sheets " + " ".join(shlex.quote(str(x)) for x in (name, *files))
    for name, files in CODER_SHEETS.items()
)
PAPER_DEMO_OPTIONS = " ".join(
    f"--{key.replace('_', '-')} {shlex.quote(str(path))}"
    for key, path in PAPER_DEMO_INPUTS.items()
)


rule numbers:
    """Every number the paper quotes, with its source, and the paper's formatted tables."""
    input:
        **PAPER_DEMO_INPUTS,
        documents="results/corpus/documents.csv",
        paragraphs="results/extract/paragraphs.parquet",
        panel="results/tables/panel.csv",
        mission_activity="results/tables/mission_activity.csv",
        mandates="results/tables/mandates.csv",
        estimates="results/models/estimates.csv",
        simulation="results/qc/simulation.csv",
        reliability="results/coding/reliability.csv",
        estimates_by_round="results/models/estimates_by_round.csv",
        codebook=MAIN_CODEBOOK,
    output:
        numbers="results/paper/numbers.json",
        tables=expand("results/paper/tables/{table}.csv", table=PAPER_TABLES),
    log:
        "results/logs/paper_numbers.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
        corpus=config["corpus"],
        demo_options=PAPER_DEMO_OPTIONS,
    shell:
        "{params.py} -m analysis.paper numbers --documents {input.documents:q}"
        " --paragraphs {input.paragraphs:q} --panel {input.panel:q}"
        " --mission-activity {input.mission_activity:q} --mandates {input.mandates:q}"
        " --estimates {input.estimates:q} --simulation {input.simulation:q}"
        " --reliability {input.reliability:q}"
        " --estimates-by-round {input.estimates_by_round:q} --codebook {input.codebook:q}"
        " {params.demo_options} --config-corpus {params.corpus}"
        " --out {output.numbers:q} --tables-dir results/paper/tables 2> {log:q}"


rule paper:
    """Typeset paper/main.typ with Typst into results/paper/paper.pdf."""
    input:
        main=str(BASE / "paper" / "main.typ"),
        bibliography=str(BASE / "paper" / "refs.bib"),
        numbers=rules.numbers.output.numbers,
        tables=rules.numbers.output.tables,
        figures=PAPER_FIGURES,
    output:
        pdf="results/paper/paper.pdf",
        build=directory("results/paper/build"),
    log:
        "results/logs/paper.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.paper build --main {input.main:q}"
        " --bibliography {input.bibliography:q} --numbers {input.numbers:q}"
        " --tables {input.tables:q} --figures {input.figures:q}"
        " --build-dir {output.build:q} --out {output.pdf:q} 2> {log:q}"


rule provenance:
    """Checksums of every input, package versions, workflow commit and the config."""
    input:
        **{k: v for k, v in PAPER_DEMO_INPUTS.items() if k == "demo_spec"},
        manifest=MANIFEST,
        documents="results/corpus/documents.csv",
        missions=locate(config["missions"]),
        codebook=locate(config["codebook"]),
        config_file=str(BASE / "workflow" / "config.yaml"),
        coder_sheets=[f for files in CODER_SHEETS.values() for f in files],
    output:
        "results/provenance.json",
    log:
        "results/logs/provenance.log",
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=10,
    params:
        py=PY,
        config=json.dumps(config, sort_keys=True),
        # The workflow folder (for its git commit): two levels above workflow/config.yaml.
        workflow_dir=lambda wildcards, input: str(
            Path(input.config_file).resolve().parents[1]
        ),
        demo_options=" ".join(
            f"--demo-spec {shlex.quote(str(path))}"
            for key, path in PAPER_DEMO_INPUTS.items()
            if key == "demo_spec"
        ),
        coder_sheets=CODER_SHEET_OPTIONS,
    shell:
        "{params.py} -m analysis.paper provenance --manifest {input.manifest:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --config-file {input.config_file:q}"
        " {params.demo_options} {params.coder_sheets} --config-json {params.config:q}"
        " --workflow-dir {params.workflow_dir:q} --out {output:q} 2> {log:q}"
