# Figures stage: one rule per figure, each drawn from tables only (no model is fitted here).
# PNGs go into `snakemake --report` (category Figures); PDFs are for the paper.

FIGURES = {
    "fig1_operation_quadrant": "Figure 1: OC activity by operation and quadrant",
    "fig2_quadrant_market": "Figure 2: OC activity by quadrant and crime market",
    "fig3_mandate_coefficients": "Figure 3: explicit-mandate estimate of every model",
    "fig4_mandate_timeline": "Figure 4: mandate periods and OC activity per report",
    "fig5_activity_by_mandate": "Figure 5: OC activity per report by mandate in force",
    "fig6_reliability": "Figure 6: reliability of the coding by variable and round",
    "fig7_rounds": "Figure 7: explicit-mandate estimate by coding round",
}
FIGURE_FILES = expand("results/figures/{name}.{ext}", name=FIGURES, ext=("pdf", "png"))


rule figures:
    """All figures (PDF and PNG)."""
    input:
        FIGURE_FILES,


rule fig1_operation_quadrant:
    """Figure 1: operation x quadrant heatmap of OC activity paragraphs."""
    input:
        activity="results/tables/mission_activity.csv",
        mandates="results/tables/mandates.csv",
    output:
        pdf="results/figures/fig1_operation_quadrant.pdf",
        png=report(
            "results/figures/fig1_operation_quadrant.png",
            caption="../report/fig1_operation_quadrant.rst",
            category="Figures",
            labels={"figure": FIGURES["fig1_operation_quadrant"]},
        ),
    log:
        "results/logs/figures/fig1_operation_quadrant.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig1 --mission-activity {input.activity:q}"
        " --mandates {input.mandates:q} --out-pdf {output.pdf:q} --out-png {output.png:q}"
        " 2> {log:q}"


rule fig2_quadrant_market:
    """Figure 2: OC activity paragraphs per quadrant (2 x 2) and crime market."""
    input:
        activity="results/tables/mission_activity.csv",
    output:
        pdf="results/figures/fig2_quadrant_market.pdf",
        png=report(
            "results/figures/fig2_quadrant_market.png",
            caption="../report/fig2_quadrant_market.rst",
            category="Figures",
            labels={"figure": FIGURES["fig2_quadrant_market"]},
        ),
    log:
        "results/logs/figures/fig2_quadrant_market.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig2 --mission-activity {input.activity:q}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"


rule fig3_mandate_coefficients:
    """Figure 3: rate/odds ratio of the explicit mandate in every model."""
    input:
        estimates="results/models/estimates.csv",
    output:
        pdf="results/figures/fig3_mandate_coefficients.pdf",
        png=report(
            "results/figures/fig3_mandate_coefficients.png",
            caption="../report/fig3_mandate_coefficients.rst",
            category="Figures",
            labels={"figure": FIGURES["fig3_mandate_coefficients"]},
        ),
    log:
        "results/logs/figures/fig3_mandate_coefficients.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig3 --estimates {input.estimates:q}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"


rule fig4_mandate_timeline:
    """Figure 4: explicit-mandate periods and OC activity per report, per operation."""
    input:
        panel="results/tables/panel.csv",
        mandates="results/tables/mandates.csv",
    output:
        pdf="results/figures/fig4_mandate_timeline.pdf",
        png=report(
            "results/figures/fig4_mandate_timeline.png",
            caption="../report/fig4_mandate_timeline.rst",
            category="Figures",
            labels={"figure": FIGURES["fig4_mandate_timeline"]},
        ),
    log:
        "results/logs/figures/fig4_mandate_timeline.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig4 --panel {input.panel:q}"
        " --mandates {input.mandates:q} --out-pdf {output.pdf:q} --out-png {output.png:q}"
        " 2> {log:q}"


rule fig5_activity_by_mandate:
    """Figure 5: OC activity per report by explicit mandate in force."""
    input:
        panel="results/tables/panel.csv",
    output:
        pdf="results/figures/fig5_activity_by_mandate.pdf",
        png=report(
            "results/figures/fig5_activity_by_mandate.png",
            caption="../report/fig5_activity_by_mandate.rst",
            category="Figures",
            labels={"figure": FIGURES["fig5_activity_by_mandate"]},
        ),
    log:
        "results/logs/figures/fig5_activity_by_mandate.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig5 --panel {input.panel:q}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"


rule fig6_reliability:
    """Figure 6: Krippendorff's alpha per variable and round; automated-vs-human F1."""
    input:
        reliability="results/coding/reliability.csv",
    output:
        pdf="results/figures/fig6_reliability.pdf",
        png=report(
            "results/figures/fig6_reliability.png",
            caption="../report/fig6_reliability.rst",
            category="Figures",
            labels={"figure": FIGURES["fig6_reliability"]},
        ),
    log:
        "results/logs/figures/fig6_reliability.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig6 --reliability {input.reliability:q}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"


rule fig7_rounds:
    """Figure 7: the explicit-mandate estimate of every model in every coding round."""
    input:
        estimates="results/models/estimates_by_round.csv",
    output:
        pdf="results/figures/fig7_rounds.pdf",
        png=report(
            "results/figures/fig7_rounds.png",
            caption="../report/fig7_rounds.rst",
            category="Figures",
            labels={"figure": FIGURES["fig7_rounds"]},
        ),
    log:
        "results/logs/figures/fig7_rounds.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.figures fig7 --estimates-by-round {input.estimates:q}"
        " --out-pdf {output.pdf:q} --out-png {output.png:q} 2> {log:q}"
