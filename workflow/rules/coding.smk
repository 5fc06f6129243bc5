# Coding stage (analysis.coding): every paragraph coded in one job, then the analysis
# tables, the operations named in studies' legends and, for the demo corpus, the accuracy
# of the coding against the generator's ground truth; with labelled passages configured
# (config `validation`), its accuracy on real text.


rule code_paragraphs:
    """Mandate coding of resolutions, activity coding of reports and studies, with evidence."""
    input:
        code=code("coding.paragraphs"),
        paragraphs=rules.collect_extraction.output.paragraphs,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        codebook_schema=CODEBOOK_SCHEMA,
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
        code=code("coding.tables"),
        coded=rules.code_paragraphs.output.coded,
        evidence=rules.code_paragraphs.output.evidence,
        mentions=rules.code_paragraphs.output.mentions,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        codebook_schema=CODEBOOK_SCHEMA,
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
        "{params.py} -m analysis.coding tables --coded {input.coded:q}"
        " --evidence {input.evidence:q} --mentions {input.mentions:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --mandates-out {output.mandates:q}"
        " --activity-out {output.activity:q} --panel-out {output.panel:q} 2> {log:q}"


rule coding_accuracy:
    """Precision, recall and F1 of the automated coding against the demo ground truth."""
    input:
        code=code("coding.accuracy"),
        truth=rules.demo_corpus.output.truth,
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
        "{params.py} -m analysis.coding accuracy --truth-dir {input.truth:q}"
        " --coded {input.coded:q} --mandates {input.mandates:q} --panel {input.panel:q}"
        " --out {output.accuracy:q} --join-out {output.join:q} 2> {log:q}"


rule study_operations:
    """Operations named in the studies' acronym legends, checked against the operations table."""
    input:
        code=code("coding.legend"),
        paragraphs=rules.collect_extraction.output.paragraphs,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
    output:
        operations="results/qc/study_operations.csv",
    log:
        "results/logs/study_operations.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        # the per-study lines (operations to add to the table) also reach the console
        "{params.py} -m analysis.coding legends --paragraphs {input.paragraphs:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --out {output.operations:q} 2> >(tee {log:q} >&2)"


rule validate_coding:
    """Precision, recall and F1 of the automated coding on hand-labelled passages of real text."""
    input:
        code=code("coding.validation"),
        passages=VALIDATION,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        codebook_schema=CODEBOOK_SCHEMA,
    output:
        validation=report(
            "results/qc/validation.csv",
            caption="../report/table_validation.rst",
            category="Quality checks",
        ),
        passages=report(
            "results/qc/validation_passages.csv",
            caption="../report/table_validation.rst",
            category="Quality checks",
        ),
    log:
        "results/logs/validate_coding.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        # the summary (op x quadrant, hard negatives, explicit mandate) also reaches the console
        "{params.py} -m analysis.coding validate --passages {input.passages:q}"
        " --codebook {input.codebook:q} --missions {input.missions:q}"
        " --out {output.validation:q} --passages-out {output.passages:q}"
        " 2> >(tee {log:q} >&2)"


CODE_TARGETS = [
    *rules.study_operations.output,
    *rules.code_paragraphs.output,
    *rules.build_tables.output,
    *(rules.coding_accuracy.output if DEMO else []),
    *(rules.validate_coding.output if VALIDATION else []),
]
