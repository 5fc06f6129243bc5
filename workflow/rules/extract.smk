# Extraction stage (analysis.extract): one job per accepted document, then corpus-wide QC.


rule extract:
    """Paragraphs, pages and first-page metadata of one PDF."""
    input:
        code=code("extract.pdf"),
        pdf=document_pdf,
    output:
        paragraphs=EXTRACTED["paragraphs"],
        pages=EXTRACTED["pages"],
        meta=EXTRACTED["meta"],
    log:
        "results/logs/extract/{doc_id}.log",
    benchmark:
        "results/benchmarks/extract/{doc_id}.tsv"
    conda:
        ENV
    resources:
        mem_mb=500,
        runtime=10,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.extract document {input.pdf:q} --doc-id {wildcards.doc_id}"
        " --out {output.paragraphs:q} --pages-out {output.pages:q}"
        " --meta-out {output.meta:q} 2> {log:q}"


rule collect_extraction:
    """All paragraphs in one table; QC of pages without text and of metadata."""
    input:
        code=code("extract.collect"),
        documents=rules.check_corpus.output.documents,
        paragraphs=extracted("paragraphs"),
        pages=extracted("pages"),
        meta=extracted("meta"),
    output:
        paragraphs="results/extract/paragraphs.parquet",
        extraction="results/qc/extraction.csv",
        metadata="results/qc/metadata.csv",
    log:
        "results/logs/collect_extraction.log",
    conda:
        ENV
    resources:
        mem_mb=2000,
        runtime=20,
    params:
        py=PY,
    shell:
        "{params.py} -m analysis.extract collect --documents {input.documents:q}"
        " --paragraphs {input.paragraphs:q} --pages {input.pages:q} --meta {input.meta:q}"
        " --paragraphs-out {output.paragraphs:q} --extraction-out {output.extraction:q}"
        " --metadata-out {output.metadata:q} 2> {log:q}"
