# Corpus stage: the synthetic demo corpus, downloads, document checks and quarantine.


rule demo_corpus:
    """Generate the SYNTHETIC demo corpus (resolutions, reports, ground truth)."""
    input:
        spec=locate(config["demo_spec"]),
        missions=locate(config["missions"]),
    output:
        manifest=DEMO_MANIFEST,
        pdfs=directory("results/demo/pdfs"),
        truth=directory("results/demo/truth"),
    log:
        "results/logs/demo_corpus.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.demo --spec {input.spec:q} --missions {input.missions:q}"
        " --out results/demo 2> {log:q}"


rule fetch_sources:
    """Download documents that have a symbol or URL but no local file."""
    input:
        manifest=MANIFEST,
    output:
        lock="results/sources/lock.csv",
    log:
        "results/logs/fetch_sources.log",
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=60,
    params:
        py=PY,
        base_url=config["fetch_base_url"],
        timeout=config["fetch_timeout"],
        offline="--offline" if config["offline"] else "",
    shell:
        "{params.py} -m analysis.corpus fetch --manifest {input.manifest:q} --dest results/sources"
        " --lock-out {output.lock:q} --base-url {params.base_url:q}"
        " --timeout {params.timeout} {params.offline} 2> {log:q}"


checkpoint check_corpus:
    """Validate the manifest and every PDF; bad documents go to quarantine."""
    input:
        manifest=MANIFEST,
        lock=rules.fetch_sources.output.lock,
    output:
        documents="results/corpus/documents.csv",
        quarantine="results/qc/quarantine.csv",
    log:
        "results/logs/check_corpus.log",
    conda:
        ENV
    resources:
        mem_mb=1000,
        runtime=30,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.corpus check --manifest {input.manifest:q}"
        " --sources-dir results/sources --lock {input.lock:q}"
        " --documents-out {output.documents:q} --quarantine-out {output.quarantine:q}"
        " 2> {log:q}"
