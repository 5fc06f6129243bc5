# Simulation check: the whole pipeline (demo corpus -> extraction -> coding -> tables ->
# panel model) run on synthetic corpora with a known true effect and with none. Each
# replicate runs in-process in a worker; the scratch folder keeps each replicate's spec.


rule simulation_check:
    """Coverage and rejection rate of the mandate estimate at a known effect and at a null."""
    input:
        spec=locate(config["demo_spec"]),
        missions=locate(config["missions"]),
        codebook=locate(config["codebook"]),
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
    threads: 2
    resources:
        mem_mb=1500,
        runtime=15,
    params:
        py=PY,
        seeds=config["simulation_seeds"],
        base_seed=config["simulation_base_seed"],
    shell:
        "{params.py} -m analysis.simulation run --spec {input.spec:q} --missions {input.missions:q}"
        " --codebook {input.codebook:q} --seeds {params.seeds} --base-seed {params.base_seed}"
        " --threads {threads} --work-dir {output.work:q} --summary-out {output.summary:q}"
        " --replicates-out {output.replicates:q} 2> {log:q}"
