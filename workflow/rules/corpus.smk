# Corpus stage (analysis.corpus, analysis.demo): the synthetic demo corpus, downloads,
# document checks and quarantine.


rule demo_corpus:
    """Generate the SYNTHETIC demo corpus (resolutions, reports, ground truth)."""
    input:
        code=code("demo"),
        spec=DEMO_SPEC,
        spec_schema=DEMO_SPEC_SCHEMA,
        missions=MISSIONS,
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
        out=lambda wildcards, output: str(Path(output.manifest).parent),
    shell:
        "{params.py} -m analysis.demo --spec {input.spec:q} --missions {input.missions:q}"
        " --out {params.out:q} 2> {log:q}"


rule fetch_sources:
    """Download documents that have a symbol or URL but no local file; the lock lists them."""
    input:
        code=code("corpus.fetch"),
        manifest=MANIFEST,
        missions=MISSIONS,
    output:
        lock="results/sources/lock.csv",
    log:
        "results/logs/fetch_sources.log",
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=fetch_runtime,
    params:
        py=PY,
        dest=lambda wildcards, output: str(Path(output.lock).parent),
        base_url=config["fetch_base_url"],
        timeout=config["fetch_timeout"],
        offline="--offline" if config["offline"] else "",
        interval=config["fetch_interval"],
        retries=config["fetch_retries"],
        contact=f"--contact {shlex.quote(config['fetch_contact'])}" if config["fetch_contact"] else "",
    shell:
        "{params.py} -m analysis.corpus fetch --manifest {input.manifest:q}"
        " --missions {input.missions:q} --dest {params.dest:q}"
        " --lock-out {output.lock:q} --base-url {params.base_url:q}"
        " --timeout {params.timeout} {params.offline} --interval {params.interval}"
        " --retries {params.retries} {params.contact} 2> {log:q}"


rule study_gate:
    """The real study: what could not be fetched, by operation; stop unless allow_missing."""
    input:
        code=code("corpus.study"),
        manifest=MANIFEST,
        missions=MISSIONS,
        lock=rules.fetch_sources.output.lock,
    output:
        report(
            "results/study/availability.csv",
            caption="../report/table_study_availability.rst",
            category="Tables",
        ),
    log:
        "results/logs/study_gate.log",
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=5,
    params:
        py=PY,
        allow="--allow-missing" if config["allow_missing"] else "",
    shell:
        "{params.py} -m analysis.corpus gate --manifest {input.manifest:q}"
        " --missions {input.missions:q} --lock {input.lock:q} --out {output:q}"
        " {params.allow} 2> {log:q}"


checkpoint check_corpus:
    """Validate the manifest and every PDF; bad documents go to quarantine."""
    input:
        unpack(study_gate_input),
        code=code("corpus.check"),
        manifest=MANIFEST,
        missions=MISSIONS,
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
        # downloads sit beside the lock that lists them
        sources=lambda wildcards, input: str(Path(input.lock).parent),
        ocr=OCR_FLAGS,
        # a change (e.g. the engine installed after a run) re-checks the quarantined scans
        ocr_engine=lambda wildcards: ocr_engine_state(),
    shell:
        "{params.py} -m analysis.corpus check --manifest {input.manifest:q}"
        " --missions {input.missions:q} --lock {input.lock:q} --sources-dir {params.sources:q}"
        " {params.ocr} --documents-out {output.documents:q}"
        " --quarantine-out {output.quarantine:q} 2> {log:q}"
