# Paper stage: every number of the paper in numbers.json, the Typst paper, the provenance record.
import json


rule numbers:
    """Every number the paper quotes, with its source, and the paper's formatted tables."""
    input:
        unpack(paper_optional_inputs),
        code=code("paper.numbers"),
        documents=rules.collect_extraction.output.documents,
        quarantine=rules.check_corpus.output.quarantine,
        paragraphs=rules.collect_extraction.output.paragraphs,
        extraction=rules.collect_extraction.output.extraction,
        panel=rules.build_tables.output.panel,
        mission_activity=rules.build_tables.output.activity,
        mandates=rules.build_tables.output.mandates,
        estimates=rules.fit_models.output.estimates,
        reliability=rules.reliability.output.reliability,
        estimates_by_round=rules.estimates_by_round.output[0],
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
        timing=config["mandate_timing"],
        period_years=config["period_years"],
        optional=paper_optional_options,
        tables_dir=lambda wildcards, output: str(Path(output.tables[0]).parent),
    shell:
        "{params.py} -m analysis.paper numbers --documents {input.documents:q}"
        " --quarantine {input.quarantine:q} --extraction {input.extraction:q}"
        " --paragraphs {input.paragraphs:q} --panel {input.panel:q}"
        " --mission-activity {input.mission_activity:q} --mandates {input.mandates:q}"
        " --estimates {input.estimates:q} --reliability {input.reliability:q}"
        " --estimates-by-round {input.estimates_by_round:q} --codebook {input.codebook:q}"
        " {params.optional} --config-corpus {params.corpus}"
        " --mandate-timing {params.timing} --period-years {params.period_years}"
        " --out {output.numbers:q} --tables-dir {params.tables_dir:q} 2> {log:q}"


rule paper:
    """Typeset paper/main.typ with Typst into results/paper/paper.pdf."""
    input:
        code=code("paper.build"),
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
        **({"demo_spec": DEMO_SPEC} if DEMO else {}),
        code=code("paper.provenance"),
        manifest=MANIFEST,
        documents=rules.check_corpus.output.documents,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        config_file=CONFIG_FILE,
        coder_sheets=[f for files in CODER_SHEETS.values() for f in files],
        validation=VALIDATION,
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
        demo_options=lambda wildcards, input: (
            f"--demo-spec {shlex.quote(input.demo_spec)}" if "demo_spec" in input.keys() else ""
        ),
        coder_sheets=CODER_SHEET_OPTIONS,
    shell:
        "{params.py} -m analysis.paper provenance --manifest {input.manifest:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --config-file {input.config_file:q}"
        " {params.demo_options} {params.coder_sheets} --validation {input.validation:q}"
        " --config-json {params.config:q}"
        " --workflow-dir {params.workflow_dir:q} --out {output:q} 2> {log:q}"
