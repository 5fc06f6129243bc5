# Coding stage: every paragraph coded in one job, then the analysis tables and, for the
# demo corpus, the accuracy of the coding against the generator's ground truth.

CODE_TARGETS = [
    "results/tables/coded_paragraphs.parquet",
    "results/tables/evidence.parquet",
    "results/tables/mandates.csv",
    "results/tables/mission_activity.csv",
    "results/tables/panel.csv",
]
if config["corpus"] == "demo":
    CODE_TARGETS += [
        "results/qc/coding_accuracy.csv",
        "results/qc/coding_accuracy_join.csv",
    ]


rule code_paragraphs:
    """Mandate coding of resolutions, activity coding of reports and studies, with evidence."""
    input:
        paragraphs="results/extract/paragraphs.parquet",
        documents="results/corpus/documents.csv",
        missions=locate(config["missions"]),
        codebook=locate(config["codebook"]),
    output:
        coded="results/tables/coded_paragraphs.parquet",
        evidence="results/tables/evidence.parquet",
        mentions="results/tables/operation_mentions.parquet",
    log:
        "results/logs/code_paragraphs.log",
    benchmark:
        "results/benchmarks/code_paragraphs.tsv"
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.coding paragraphs --paragraphs {input.paragraphs:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --coded-out {output.coded:q}"
        " --evidence-out {output.evidence:q} --mentions-out {output.mentions:q} 2> {log:q}"


rule build_tables:
    """Mandate timeline, mission activity (operation x quadrant x market) and report panel."""
    input:
        coded=rules.code_paragraphs.output.coded,
        evidence=rules.code_paragraphs.output.evidence,
        mentions=rules.code_paragraphs.output.mentions,
        documents="results/corpus/documents.csv",
        missions=locate(config["missions"]),
        codebook=locate(config["codebook"]),
    output:
        mandates=report(
            "results/tables/mandates.csv",
            caption="../report/table_mandates.rst",
            category="Tables",
        ),
        activity=report(
            "results/tables/mission_activity.csv",
            caption="../report/table_mission_activity.rst",
            category="Tables",
        ),
        panel=report(
            "results/tables/panel.csv",
            caption="../report/table_panel.rst",
            category="Tables",
        ),
    log:
        "results/logs/build_tables.log",
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.coding tables --coded {input.coded:q} --evidence {input.evidence:q}"
        " --mentions {input.mentions:q} --documents {input.documents:q}"
        " --missions {input.missions:q} --codebook {input.codebook:q}"
        " --mandates-out {output.mandates:q} --activity-out {output.activity:q}"
        " --panel-out {output.panel:q} 2> {log:q}"


rule coding_accuracy:
    """Precision, recall and F1 of the automated coding against the demo ground truth."""
    input:
        truth="results/demo/truth",
        coded=rules.code_paragraphs.output.coded,
        mandates=rules.build_tables.output.mandates,
        panel=rules.build_tables.output.panel,
    output:
        accuracy=report(
            "results/qc/coding_accuracy.csv",
            caption="../report/table_coding_accuracy.rst",
            category="Quality checks",
        ),
        join="results/qc/coding_accuracy_join.csv",
    log:
        "results/logs/coding_accuracy.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.coding accuracy --truth-dir {input.truth:q} --coded {input.coded:q}"
        " --mandates {input.mandates:q} --panel {input.panel:q}"
        " --out {output.accuracy:q} --join-out {output.join:q} 2> {log:q}"
