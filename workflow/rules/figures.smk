# Figures stage (analysis.figures): one wildcard rule draws every figure from tables only
# (no model is fitted here). PNGs go into `snakemake --report` (category Figures); PDFs
# are for the paper. Names, titles and tables: FIGURES and FIGURE_TABLES in common.smk.


rule figure:
    """One figure (PDF for the paper, PNG for the report) from its tables."""
    input:
        unpack(figure_tables),
        code=code("figures"),
    output:
        pdf="results/figures/{figure}.pdf",
        png=report(
            "results/figures/{figure}.png",
            caption="../report/figure.rst",
            category="Figures",
            labels=lambda wildcards: {"figure": FIGURES[wildcards.figure]},
        ),
    log:
        "results/logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(FIGURES),
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
        command=lambda wildcards: wildcards.figure.split("_")[0],
        tables=figure_options,
    shell:
        "{params.py} -m analysis.figures {params.command} {params.tables}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"


rule figures:
    """All figures (PDF and PNG)."""
    input:
        FIGURE_FILES,
