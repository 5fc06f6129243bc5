"""The scale benchmark's helpers (benchmarks/bench_scale.py): its corpus copies are the same
documents with distinct checksums, its manifest passes as a manifest, and it reads Snakemake's
job tables and logs right. Nothing here is timed."""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
from pathlib import Path

import pypdfium2
import pytest
from pdf_fixtures import text_pdf

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    path = REPO / "benchmarks" / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def page_texts(data: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(data)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def test_a_distinct_copy_keeps_the_text_and_changes_the_checksum(bench, tmp_path):
    original = text_pdf(tmp_path / "report.pdf", "1. The mission supported the border police.",
                        pages=2).read_bytes()
    first = bench.make_distinct(original, "demo-rep-x-c0001")
    second = bench.make_distinct(original, "demo-rep-x-c0002")
    digests = {hashlib.sha256(d).hexdigest() for d in (original, first, second)}
    assert len(digests) == 3
    assert page_texts(first) == page_texts(second) == page_texts(original)
    assert "border police" in page_texts(first)[0]
    # the copy is the original plus one trailing comment line (no incremental update)
    assert first.startswith(original) and first.count(b"%%EOF") == original.count(b"%%EOF")
    with pytest.raises(ValueError, match="tag"):
        bench.make_distinct(original, "two words")


def test_the_corpus_manifest_is_well_formed(bench, tmp_path):
    demo = tmp_path / "demo"
    rows = []
    for doc_id, doc_type in (("demo-rep-a-01", "report"), ("demo-res-a-01", "resolution"),
                             ("demo-rep-a-02", "report")):
        text_pdf(demo / "pdfs" / f"{doc_id}.pdf", f"Text of {doc_id}.")
        rows.append({"doc_id": doc_id, "path": f"pdfs/{doc_id}.pdf", "doc_type": doc_type,
                     "missions": "MINUSTAH", "date": "2007-03-01", "title": "Report",
                     "symbol": "S/DEMO/2007/1", "source_url": "", "sha256": ""})
    bench.write_manifest(demo / "manifest.csv", rows)

    sources = bench.source_documents(demo / "manifest.csv")
    assert sources[0]["doc_type"] == "resolution", "mandates are copied first"

    folder = tmp_path / "corpus"
    bench.build_corpus(folder, sources, 7)
    with (folder / "raw" / "manifest.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        written = list(reader)
    assert tuple(reader.fieldnames) == bench.MANIFEST_COLUMNS
    assert len(written) == 7
    assert len({row["doc_id"] for row in written}) == 7
    assert written[0]["doc_id"] == "demo-res-a-01-c0001"
    assert written[3]["doc_id"] == "demo-res-a-01-c0002"
    for row in written:
        pdf = folder / "raw" / row["path"]
        assert hashlib.sha256(pdf.read_bytes()).hexdigest() == row["sha256"]
        assert "SYNTHETIC" in row["title"]
        source = next(s for s in sources if row["doc_id"].startswith(s["doc_id"] + "-c"))
        assert (row["doc_type"], row["missions"], row["date"], row["symbol"]) == (
            source["doc_type"], source["missions"], source["date"], source["symbol"])
    assert len({row["sha256"] for row in written}) == 7


def test_job_tables_and_logs_are_read(bench, tmp_path):
    stats = """Building DAG of jobs...
Job stats:
job                   count
------------------  -------
check_corpus              1
extract                   3
total                     4
"""
    assert bench.job_stats(stats) == {"check_corpus": 1, "extract": 3}
    assert bench.job_stats("Nothing to be done (all requested files are present).") == {}

    log = """[Mon Mar  2 10:00:00 2026]
checkpoint check_corpus:
    input: raw/manifest.csv
    jobid: 4
[Mon Mar  2 10:00:03 2026]
Finished jobid: 4 (Rule: check_corpus)
[Mon Mar  2 10:00:03 2026]
rule extract:
    jobid: 9
[Mon Mar  2 10:00:04 2026]
localrule extract:
    jobid: 10
[Mon Mar  2 10:00:05 2026]
Finished jobid: 9 (Rule: extract)
[Mon Mar  2 10:00:06 2026]
Finished jobid: 10 (Rule: extract)
"""
    done, seconds = bench.executed_jobs(log)
    assert done == {"check_corpus": 1, "extract": 2}
    assert seconds == {"check_corpus": 3.0, "extract": 4.0}

    root = tmp_path / "results" / "benchmarks"
    (root / "extract").mkdir(parents=True)
    header = "s\th:m:s\tmax_rss\tmax_vms\tcpu_time\n"
    (root / "extract" / "a.tsv").write_text(header + "0.5\t0:00:00\t90.1\t1\t0.25\n")
    (root / "extract" / "b.tsv").write_text(header + "0.7\t0:00:00\t95.0\t1\t0.5\n")
    (root / "fit_models.tsv").write_text(
        header + "9.0\t0:00:09\t250.0\t1\t8\n" + "2.0\t0:00:02\t230.0\t1\t1.5\n"
    )
    totals = bench.benchmark_totals(tmp_path / "results")
    assert totals["extract"]["jobs"] == 2
    assert totals["extract"]["s"] == pytest.approx(1.2)
    assert totals["extract"]["max_rss"] == 95.0
    assert totals["extract"]["cpu_s"] == pytest.approx(0.75)
    # a benchmark measured several times (repeat(...)) counts its last row only
    assert totals["fit_models"] == {"jobs": 1, "s": 2.0, "cpu_s": 1.5, "max_rss": 230.0}

    assert bench.linear_fit([(100, 60.0), (1000, 600.0)]) == pytest.approx((0.0, 0.6))
    assert bench.linear_fit([(100, 1.0)]) is None
    assert bench.add_one_ok({"extract": 1, "check_corpus": 1})
    assert not bench.add_one_ok({"extract": 2})
