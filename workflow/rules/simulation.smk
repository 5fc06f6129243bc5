# Simulation check (analysis.simulation): the whole pipeline (demo corpus -> extraction ->
# coding -> tables -> panel model) run on synthetic corpora with a known true effect and
# with none. A method check, not a step of the study: it is built only on request
# (`snakemake --cores 2 simulation`) or, with `simulation: true` in the config, in the
# default build and the paper; it then runs after the main path (low priority).


rule simulation_check:
    """Coverage and rejection rate of the mandate estimate at a known effect and at a null."""
    input:
        code=code("simulation"),
        spec=DEMO_SPEC,
        spec_schema=DEMO_SPEC_SCHEMA,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        codebook_schema=CODEBOOK_SCHEMA,
    output:
        summary=report(
            "results/qc/simulation.csv",
            caption="../report/simulation.rst",
            category="Quality checks",
        ),
        replicates="results/qc/simulation_replicates.csv",
        work=directory("results/qc/simulation"),
    log:
        "results/logs/simulation_check.log",
    benchmark:
        "results/benchmarks/simulation_check.tsv"
    conda:
        ENV
    priority: -10
    threads: 2
    resources:
        mem_mb=1500,
        runtime=lambda wildcards, attempt: 5 + 3 * config["simulation_seeds"] * attempt,
    params:
        py=PY,
        seeds=config["simulation_seeds"],
        base_seed=config["simulation_base_seed"],
    shell:
        "{params.py} -m analysis.simulation run --spec {input.spec:q}"
        " --missions {input.missions:q} --codebook {input.codebook:q}"
        " --seeds {params.seeds} --base-seed {params.base_seed} --threads {threads}"
        " --work-dir {output.work:q} --summary-out {output.summary:q}"
        " --replicates-out {output.replicates:q} 2> {log:q}"


rule simulation:
    """The simulation check alone: snakemake --cores 2 simulation"""
    input:
        rules.simulation_check.output.summary,
        rules.simulation_check.output.replicates,
