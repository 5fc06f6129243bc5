# Extraction stage (analysis.extract): the accepted documents in batches (config
# extract_batches; one process per batch, one set of outputs and log lines per document),
# then corpus-wide QC. Rule `extract` extracts one document on request
# (snakemake results/extract/<doc_id>.parquet).


rule extract_batch:
    """Paragraphs, pages and first-page metadata of a batch of PDFs, each document on its
    own; a document that fails is listed in failed.json and left out, the others go on."""
    input:
        code=code("extract.batch"),
        pdfs=batch_pdfs,
    output:
        batch=directory(BATCH_DIR),
    log:
        "results/logs/extract/{batch}.log",
    benchmark:
        "results/benchmarks/extract/{batch}.tsv"
    wildcard_constraints:
        batch=r"b\d{4}",
    conda:
        ENV
    resources:
        # by the batch's pages (one document in memory at a time) and its pages to OCR
        mem_mb=batch_mem_mb,
        runtime=batch_runtime,
    params:
        py=PY,
        docs=batch_doc_options,
        ocr=lambda wildcards: f"{OCR_FLAGS} --ocr-cache {OCR_CACHE}" if config["ocr"] else OCR_FLAGS,
    shell:
        "{params.py} -m analysis.extract batch {params.docs} {params.ocr}"
        " --out-dir {output.batch:q} 2> {log:q}"


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
    """All paragraphs in one table; the documents extracted; QC of pages without text, of
    metadata and of failed extractions."""
    input:
        code=code("extract.collect"),
        documents=rules.check_corpus.output.documents,
        batches=batch_folders,
    output:
        paragraphs="results/extract/paragraphs.parquet",
        documents=EXTRACTED_DOCUMENTS,
        extraction="results/qc/extraction.csv",
        metadata="results/qc/metadata.csv",
        failed="results/qc/extraction_failed.csv",
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
        " --batches {input.batches:q} --paragraphs-out {output.paragraphs:q}"
        " --documents-out {output.documents:q} --failed-out {output.failed:q}"
        " --extraction-out {output.extraction:q} --metadata-out {output.metadata:q}"
        " 2> {log:q}"
