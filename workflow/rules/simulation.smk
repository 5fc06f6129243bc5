# Simulation check (analysis.simulation), on SYNTHETIC data with a known truth. Two paths:
# - fast (rule simulation_fast, part of every build): panels drawn from the demo spec's
#   design under six scenarios, every estimator of analysis.simulation.estimators scored
#   for size, coverage and power; the config's `headline_rule` picks the paper's headline
#   estimator from it (results/qc/simulation_headline.csv).
# - full pipeline (rule simulation_pipeline): demo corpora rendered as PDFs and run through
#   extraction, coding and the models; built on request (`snakemake --cores 2 simulation`)
#   or, with `simulation: true`, in the default build and the paper (low priority).


rule simulation_fast:
    """Size, coverage and power of every estimator over six scenarios; the headline rule."""
    input:
        code=code("simulation.fast", "simulation.headline", "simulation.estimators",
                  "models.panel", "models.staggered"),
        spec=DEMO_SPEC,
        spec_schema=DEMO_SPEC_SCHEMA,
        missions=MISSIONS,
    output:
        summary=report(
            "results/qc/simulation.csv",
            caption="../report/simulation.rst",
            category="Quality checks",
        ),
        replicates="results/qc/simulation_replicates.csv",
        headline="results/qc/simulation_headline.csv",
    log:
        "results/logs/simulation_fast.log",
    benchmark:
        "results/benchmarks/simulation_fast.tsv"
    conda:
        ENV
    threads: 2
    resources:
        mem_mb=1500,
        runtime=lambda wildcards, attempt: (3 + config["simulation_replicates"] // 20) * attempt,
    params:
        py=PY,
        replicates=config["simulation_replicates"],
        base_seed=config["simulation_base_seed"],
        period_years=config["period_years"],
        rule=json.dumps(config["headline_rule"], sort_keys=True),
    shell:
        "{params.py} -m analysis.simulation fast --spec {input.spec:q}"
        " --missions {input.missions:q} --replicates {params.replicates}"
        " --base-seed {params.base_seed} --threads {threads} --rule {params.rule:q}"
        " --period-years {params.period_years}"
        " --summary-out {output.summary:q} --replicates-out {output.replicates:q}"
        " --headline-out {output.headline:q} 2> {log:q}"


rule simulation_pipeline:
    """The whole pipeline on rendered synthetic corpora at the true effect and at a null."""
    input:
        code=code("simulation.run", "simulation.estimators", "models.panel",
                  "models.staggered"),
        spec=DEMO_SPEC,
        spec_schema=DEMO_SPEC_SCHEMA,
        missions=MISSIONS,
        codebook=MAIN_CODEBOOK,
        codebook_schema=CODEBOOK_SCHEMA,
    output:
        summary=report(
            "results/qc/simulation_pipeline.csv",
            caption="../report/simulation_pipeline.rst",
            category="Quality checks",
        ),
        replicates="results/qc/simulation_pipeline_replicates.csv",
        work=directory("results/qc/simulation_pipeline"),
    log:
        "results/logs/simulation_pipeline.log",
    benchmark:
        "results/benchmarks/simulation_pipeline.tsv"
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
        period_years=config["period_years"],
    shell:
        "{params.py} -m analysis.simulation run --spec {input.spec:q}"
        " --missions {input.missions:q} --codebook {input.codebook:q}"
        " --seeds {params.seeds} --base-seed {params.base_seed} --threads {threads}"
        " --period-years {params.period_years}"
        " --work-dir {output.work:q} --summary-out {output.summary:q}"
        " --replicates-out {output.replicates:q} 2> {log:q}"


rule simulation:
    """Both simulation paths: snakemake --cores 2 simulation"""
    input:
        rules.simulation_fast.output,
        rules.simulation_pipeline.output.summary,
        rules.simulation_pipeline.output.replicates,
