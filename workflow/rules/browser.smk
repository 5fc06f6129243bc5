# Browser stage (analysis.browser): the static, offline evidence browser. Every number of
# the matrix and of Figures 1 and 2 links to the paragraphs behind it, with the matched
# words highlighted and a link to the PDF page; hard negatives with their reasons; human
# rounds beside the automated codes; a search over paragraphs. Plain HTML, CSS and a little
# JavaScript in results/browser/ (open index.html; no server, no network).


rule browser:
    """The evidence browser: operation pages, matrix and figure twins, rounds, search."""
    input:
        code=code("browser"),
        coded=rules.code_paragraphs.output.coded,
        evidence=rules.code_paragraphs.output.evidence,
        activity=rules.build_tables.output.activity,
        mandates=rules.build_tables.output.mandates,
        documents=rules.collect_extraction.output.documents,
        missions=MISSIONS,
        rounds=expand(
            f"{ROUND_DIR}/{{table}}",
            round=HUMAN_ROUNDS,
            table=("codes.parquet", "consensus.csv"),
        ),
        disagreements=rules.reliability.output.disagreements,
    output:
        site=report(
            directory("results/browser"),
            htmlindex="index.html",
            caption="../report/browser.rst",
            category="Evidence browser",
        ),
    log:
        "results/logs/browser.log",
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        py=PY,
        rounds=" ".join(
            f"--round {shlex.quote(f'{name}={ROUND_DIR.format(round=name)}')}"
            for name in HUMAN_ROUNDS
        ),
    shell:
        "{params.py} -m analysis.browser site --coded {input.coded:q}"
        " --evidence {input.evidence:q} --activity {input.activity:q}"
        " --mandates {input.mandates:q} --documents {input.documents:q}"
        " --missions {input.missions:q} {params.rounds}"
        " --disagreements {input.disagreements:q} --out-dir {output.site:q} 2> {log:q}"
