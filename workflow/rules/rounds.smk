# Coding rounds: coder sheets, human rounds (sheets -> consensus), revised codebooks, and
# for every round the same tables and models as the main round; then reliability,
# disagreements and the mandate estimate by round. Each round's jobs read only that round's
# files, so editing one coder's sheet reruns that round and the summaries, nothing else.
# Round names, folders, sheets and codebooks: common.smk.


rule coder_sheet:
    """A stratified, seeded sample of paragraphs with empty code columns, for coders."""
    input:
        code=code("rounds"),
        coded=rules.code_paragraphs.output.coded,
        codebook=MAIN_CODEBOOK,
    output:
        sheet="results/coding/sheets/{round}.csv",
        allowed="results/coding/sheets/{round}.codebook.csv",
        sample="results/coding/sheets/{round}.sample.csv",
    log:
        "results/logs/coding/sheet_{round}.log",
    wildcard_constraints:
        round=r"[A-Za-z0-9][A-Za-z0-9_\-]*",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        py=PY,
        size=sheet_setting("sheet_size"),
        seed=sheet_setting("sheet_seed"),
    shell:
        "{params.py} -m analysis.rounds sheet --coded {input.coded:q}"
        " --codebook {input.codebook:q} --size {params.size} --seed {params.seed}"
        " --sheet-out {output.sheet:q} --codebook-out {output.allowed:q}"
        " --sample-out {output.sample:q} 2> {log:q}"


rule coding_form:
    """An offline HTML coding form of a coder sheet: one file to send to each coder."""
    input:
        code=code("rounds"),
        sheet=rules.coder_sheet.output.sheet,
        allowed=rules.coder_sheet.output.allowed,
        paragraphs=rules.collect_extraction.output.paragraphs,
        coded=rules.code_paragraphs.output.coded,
        documents=rules.collect_extraction.output.documents,
    output:
        form=report(
            "results/coding/forms/{round}.html",
            caption="../report/coding_form.rst",
            category="Coding rounds",
        ),
    log:
        "results/logs/coding/form_{round}.log",
    wildcard_constraints:
        round=r"[A-Za-z0-9][A-Za-z0-9_\-]*",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.rounds form --sheet {input.sheet:q}"
        " --allowed {input.allowed:q} --paragraphs {input.paragraphs:q}"
        " --coded {input.coded:q} --documents {input.documents:q}"
        " --round {wildcards.round} --out {output.form:q} 2> {log:q}"


if DEMO_CODERS:

    rule demo_coders:
        """SYNTHETIC coder sheets of the demo round, from the demo ground truth."""
        input:
            code=code("rounds"),
            sheet=f"results/coding/sheets/{DEMO_ROUND}.csv",
            coded=rules.code_paragraphs.output.coded,
            truth=rules.demo_corpus.output.truth,
            codebook=MAIN_CODEBOOK,
        output:
            expand(
                "results/demo/coding/{round}/{coder}.csv",
                round=DEMO_ROUND,
                coder=DEMO_CODERS,
            ),
        log:
            "results/logs/coding/demo_coders.log",
        conda:
            ENV
        resources:
            mem_mb=1000,
            runtime=5,
        params:
            py=PY,
            n=len(DEMO_CODERS),
            error=config["demo_coder_error"],
            seed=config["sheet_seed"],
            out_dir=lambda wildcards, output: str(Path(output[0]).parent),
        shell:
            "{params.py} -m analysis.rounds demo-coders --sheet {input.sheet:q}"
            " --coded {input.coded:q} --truth-dir {input.truth:q}"
            " --codebook {input.codebook:q} --coders {params.n} --error {params.error}"
            " --seed {params.seed} --out-dir {params.out_dir:q} 2> {log:q}"


rule settle_round:
    """Check a human round's sheets (all problems at once); consensus and disagreements."""
    input:
        code=code("rounds"),
        sheets=round_sheets,
        adjudicated=round_adjudicated,
        coded=rules.code_paragraphs.output.coded,
        codebook=MAIN_CODEBOOK,
    output:
        codes=f"{ROUND_DIR}/codes.parquet",
        consensus=f"{ROUND_DIR}/consensus.csv",
        disagreements=f"{ROUND_DIR}/disagreements.csv",
    log:
        "results/logs/coding/settle_{round}.log",
    wildcard_constraints:
        round=_one_of(HUMAN_ROUNDS),
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        py=PY,
        adjudicated=lambda wildcards, input: (
            f"--adjudicated {shlex.quote(input.adjudicated[0])}"
            if input.adjudicated
            else ""
        ),
    shell:
        "{params.py} -m analysis.rounds settle --round {wildcards.round}"
        " --sheets {input.sheets:q} {params.adjudicated} --coded {input.coded:q}"
        " --codebook {input.codebook:q} --codes-out {output.codes:q}"
        " --consensus-out {output.consensus:q}"
        " --disagreements-out {output.disagreements:q} 2> {log:q}"


rule human_round_coding:
    """A human round's coding of the corpus: the main coding with the consensus applied."""
    input:
        code=code("rounds"),
        coded=rules.code_paragraphs.output.coded,
        evidence=rules.code_paragraphs.output.evidence,
        consensus=rules.settle_round.output.consensus,
        documents=rules.collect_extraction.output.documents,
        codebook=MAIN_CODEBOOK,
    output:
        long=f"{ROUND_DIR}/coded.parquet",
        coded=f"{ROUND_DIR}/coded_paragraphs.parquet",
        evidence=f"{ROUND_DIR}/evidence.parquet",
    log:
        "results/logs/coding/human_{round}.log",
    wildcard_constraints:
        round=_one_of(HUMAN_ROUNDS),
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.rounds human --round {wildcards.round}"
        " --coded {input.coded:q} --evidence {input.evidence:q}"
        " --consensus {input.consensus:q} --documents {input.documents:q}"
        " --codebook {input.codebook:q} --long-out {output.long:q}"
        " --coded-out {output.coded:q} --evidence-out {output.evidence:q} 2> {log:q}"


rule automated_round_coding:
    """An automated round: the whole corpus coded with the round's own codebook."""
    input:
        code=code("rounds"),
        paragraphs=rules.collect_extraction.output.paragraphs,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
        codebook=round_codebook,
    output:
        long=f"{ROUND_DIR}/coded.parquet",
        coded=f"{ROUND_DIR}/coded_paragraphs.parquet",
        evidence=f"{ROUND_DIR}/evidence.parquet",
    log:
        "results/logs/coding/automated_{round}.log",
    wildcard_constraints:
        round=_one_of(AUTOMATED_ROUNDS),
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.rounds automated --round {wildcards.round}"
        " --paragraphs {input.paragraphs:q} --documents {input.documents:q}"
        " --missions {input.missions:q} --codebook {input.codebook:q}"
        " --long-out {output.long:q} --coded-out {output.coded:q}"
        " --evidence-out {output.evidence:q} 2> {log:q}"


rule round_models:
    """A round's mandates, mission activity and panel tables, and every model refitted."""
    input:
        code=code("rounds"),
        coded=f"{ROUND_DIR}/coded_paragraphs.parquet",
        evidence=f"{ROUND_DIR}/evidence.parquet",
        mentions=rules.code_paragraphs.output.mentions,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
        codebook=round_codebook,
    output:
        mandates=f"{ROUND_DIR}/mandates.csv",
        activity=f"{ROUND_DIR}/mission_activity.csv",
        panel=f"{ROUND_DIR}/panel.csv",
        estimates=f"{ROUND_DIR}/estimates.csv",
        operations=f"{ROUND_DIR}/operations.csv",
    log:
        "results/logs/coding/models_{round}.log",
    wildcard_constraints:
        round=_one_of(list(ROUNDS)),
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        py=PY,
        permutations=config["permutations"],
        seed=config["permutation_seed"],
        timing=config["mandate_timing"],
        period_years=config["period_years"],
    shell:
        "{params.py} -m analysis.rounds models --coded {input.coded:q}"
        " --evidence {input.evidence:q} --mentions {input.mentions:q}"
        " --documents {input.documents:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --permutations {params.permutations}"
        " --mandate-timing {params.timing} --period-years {params.period_years}"
        " --seed {params.seed} --mandates-out {output.mandates:q}"
        " --activity-out {output.activity:q} --panel-out {output.panel:q}"
        " --estimates-out {output.estimates:q} --operations-out {output.operations:q}"
        " 2> {log:q}"


rule reliability:
    """Alpha per round and label; automated rounds against human rounds; disagreements."""
    input:
        code=code("rounds"),
        main_coded=rules.code_paragraphs.output.coded,
        codebook=MAIN_CODEBOOK,
        automated=expand(f"{ROUND_DIR}/coded.parquet", round=AUTOMATED_ROUNDS),
        human=expand(
            f"{ROUND_DIR}/{{table}}",
            round=HUMAN_ROUNDS,
            table=("codes.parquet", "consensus.csv", "disagreements.csv"),
        ),
    output:
        reliability=report(
            "results/coding/reliability.csv",
            caption="../report/table_reliability.rst",
            category="Coding rounds",
        ),
        disagreements="results/coding/disagreements.csv",
    log:
        "results/logs/coding/reliability.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        py=PY,
        rounds=RELIABILITY_OPTIONS,
    shell:
        "{params.py} -m analysis.rounds reliability --codebook {input.codebook:q}"
        " --main-coded {input.main_coded:q} {params.rounds}"
        " --reliability-out {output.reliability:q}"
        " --disagreements-out {output.disagreements:q} 2> {log:q}"


rule estimates_by_round:
    """The explicit-mandate estimate of every model in every round, main round first."""
    input:
        code=code("rounds"),
        main=rules.fit_models.output.estimates,
        rounds=expand(f"{ROUND_DIR}/estimates.csv", round=list(ROUNDS)),
    output:
        report(
            "results/models/estimates_by_round.csv",
            caption="../report/table_estimates_by_round.rst",
            category="Coding rounds",
        ),
    log:
        "results/logs/coding/estimates_by_round.log",
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=5,
    params:
        py=PY,
        main=MAIN_ROUND,
        rounds=BY_ROUND_OPTIONS,
    shell:
        "{params.py} -m analysis.rounds by-round --main {params.main} {input.main:q}"
        " {params.rounds} --out {output:q} 2> {log:q}"


ROUND_TARGETS = [
    *rules.reliability.output,
    *rules.estimates_by_round.output,
    *expand(rules.coder_sheet.output.sheet, round=HUMAN_ROUNDS),
    *expand(rules.coding_form.output.form, round=HUMAN_ROUNDS),
]
