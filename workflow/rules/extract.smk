# Extraction stage (analysis.extract): one job per accepted document, then corpus-wide QC.


rule extract:
    """Paragraphs, pages and first-page metadata of one PDF; pages without a text layer
    are OCR'd when config ocr is true (cached in results/extract/ocr-cache/)."""
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
        # OCR (Tesseract) needs more memory and about 1.5 s per scanned page
        mem_mb=lambda wildcards: 1500 if ocr_pages_possible(wildcards) else 500,
        runtime=lambda wildcards: 10 + (ocr_pages_possible(wildcards) // 30),
    params:
        py=PY,
        ocr=lambda wildcards: f"{OCR_FLAGS} --ocr-cache {OCR_CACHE}" if config["ocr"] else OCR_FLAGS,
    shell:
        "{params.py} -m analysis.extract document {input.pdf:q} --doc-id {wildcards.doc_id}"
        " {params.ocr} --out {output.paragraphs:q} --pages-out {output.pages:q}"
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
