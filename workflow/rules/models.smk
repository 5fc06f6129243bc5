# Models stage (analysis.models): the operation cross-section and the operation-report
# panel, in one tidy table.


rule fit_models:
    """Fit every model: cross-section (randomization p), panel (fixed effects, time effects,
    event study, sensitivity to each switcher and to measured coding error)."""
    input:
        unpack(coding_error_input),
        code=code("models"),
        panel=rules.build_tables.output.panel,
        activity=rules.build_tables.output.activity,
        mandates=rules.build_tables.output.mandates,
        missions=MISSIONS,
    output:
        estimates=report(
            "results/models/estimates.csv",
            caption="../report/table_estimates.rst",
            category="Tables",
        ),
        operations="results/models/operations.csv",
    log:
        "results/logs/fit_models.log",
    benchmark:
        "results/benchmarks/fit_models.tsv"
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
        draws=config["coding_error_draws"],
        coding_seed=config["coding_error_seed"],
        coding_error=coding_error_option,
    shell:
        "{params.py} -m analysis.models fit --panel {input.panel:q}"
        " --mission-activity {input.activity:q} --mandates {input.mandates:q}"
        " --missions {input.missions:q} --estimates-out {output.estimates:q}"
        " --operations-out {output.operations:q} --permutations {params.permutations}"
        " --seed {params.seed} --mandate-timing {params.timing}"
        " --period-years {params.period_years} --coding-draws {params.draws}"
        " --coding-seed {params.coding_seed} {params.coding_error} 2> {log:q}"
