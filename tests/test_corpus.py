"""Corpus check: each bad input is quarantined with a readable reason, good documents pass.

Every test builds a small corpus (raw/manifest.csv + raw/pdfs/) of real PDFs, adds one bad
input, runs ``check_corpus`` from the corpus root (as the workflow does) and checks both sides:
the bad document is quarantined and the good ones are accepted; raw/ is never modified.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pandas as pd
import pytest
from pdf_fixtures import (
    encrypted_pdf,
    image_only_pdf,
    text_pdf,
    tree_state,
    truncated_pdf,
    write_manifest,
    zero_page_pdf,
)

from analysis.corpus.check import DOCUMENT_COLUMNS, check_corpus, probe_pdf, write_corpus
from analysis.corpus.fetch import sha256_file
from analysis.schemas.manifest import ManifestError, load_manifest

GOOD = {
    "S-RES-1542-2004": ("resolution", "S/RES/1542 (2004)", "MINUSTAH"),
    "S-2007-503": ("report", "S/2007/503", "MINUSTAH"),
    "study-2018": ("study", "", ""),
}


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    """A corpus root with three good PDFs; returns a function adding rows and running the check."""
    monkeypatch.chdir(tmp_path)
    pdfs = tmp_path / "raw" / "pdfs"
    rows = []
    for doc_id, (doc_type, symbol, missions) in GOOD.items():
        text_pdf(pdfs / f"{doc_id}.pdf", f"Document {doc_id}.", "1. Decides to extend the mandate.")
        rows.append({"doc_id": doc_id, "path": f"pdfs/{doc_id}.pdf", "doc_type": doc_type,
                     "missions": missions, "symbol": symbol, "title": f"Title of {doc_id}"})

    def run(extra_rows=(), lock=None):
        write_manifest(tmp_path / "raw" / "manifest.csv", rows + list(extra_rows))
        before = tree_state(tmp_path / "raw")
        docs, quarantine = check_corpus("raw/manifest.csv", "results/sources", lock)
        assert tree_state(tmp_path / "raw") == before, "raw/ was modified"
        assert set(GOOD) <= set(docs["doc_id"]), quarantine.to_string()
        return docs, quarantine.set_index("doc_id")["reason"].to_dict()

    run.pdfs = pdfs
    return run


def test_good_corpus_is_accepted_with_paths_pages_and_checksums(corpus):
    text_pdf(corpus.pdfs / "long.pdf", "Some text.", pages=3)
    docs, quarantine = corpus([{"doc_id": "long", "path": "pdfs/long.pdf"}])
    assert quarantine == {}
    assert tuple(docs.columns) == DOCUMENT_COLUMNS
    assert list(docs["doc_id"]) == sorted(docs["doc_id"])
    row = docs.set_index("doc_id").loc["long"]
    assert row["path"] == "raw/pdfs/long.pdf"  # relative to the working directory
    assert row["n_pages"] == 3
    assert row["sha256"] == sha256_file("raw/pdfs/long.pdf")
    res = docs.set_index("doc_id").loc["S-RES-1542-2004"]
    assert (res["doc_type"], res["symbol"], res["missions"]) == (
        "resolution", "S/RES/1542 (2004)", "MINUSTAH")


def test_outputs_are_byte_identical_across_runs(corpus, tmp_path):
    encrypted_pdf(corpus.pdfs / "locked.pdf")
    outputs = []
    for run in range(2):
        docs, _ = corpus([{"doc_id": "locked", "path": "pdfs/locked.pdf"}])
        _, quarantine = check_corpus("raw/manifest.csv", "results/sources")
        d, q = tmp_path / f"d{run}.csv", tmp_path / f"q{run}.csv"
        write_corpus(docs, quarantine, d, q)
        outputs.append((d.read_bytes(), q.read_bytes()))
    assert outputs[0] == outputs[1]
    assert b"locked,raw/pdfs/locked.pdf,encrypted PDF" in outputs[0][1]


def test_truncated_pdf_is_quarantined_as_corrupt(corpus):
    truncated_pdf(corpus.pdfs / "cut.pdf", corpus.pdfs / "S-2007-503.pdf")
    _, quarantine = corpus([{"doc_id": "cut", "path": "pdfs/cut.pdf"}])
    assert quarantine["cut"].startswith("corrupt PDF: cannot be opened")


def test_password_protected_pdf_is_quarantined(corpus):
    encrypted_pdf(corpus.pdfs / "locked.pdf")
    _, quarantine = corpus([{"doc_id": "locked", "path": "pdfs/locked.pdf"}])
    assert quarantine == {"locked": "encrypted PDF (password required)"}


def test_owner_password_only_pdf_opens_and_is_accepted(corpus):
    # Encrypted against editing but readable without a password: its text can be extracted.
    text_pdf(corpus.pdfs / "owner.pdf", "1. Requests the mission to support the national police.",
             owner_password="owner")
    docs, quarantine = corpus([{"doc_id": "owner", "path": "pdfs/owner.pdf"}])
    assert quarantine == {}
    assert "owner" in set(docs["doc_id"])


def test_zero_page_pdf_is_quarantined(corpus):
    zero_page_pdf(corpus.pdfs / "empty.pdf")
    _, quarantine = corpus([{"doc_id": "empty", "path": "pdfs/empty.pdf"}])
    assert quarantine == {"empty": "PDF has no pages"}


def test_image_only_pdf_is_quarantined(corpus):
    image_only_pdf(corpus.pdfs / "scan.pdf")
    _, quarantine = corpus([{"doc_id": "scan", "path": "pdfs/scan.pdf"}])
    assert quarantine["scan"].startswith("no text layer on any of its 1 page(s)")


def test_text_on_a_later_page_is_enough(corpus):
    # Cover page drawn without text, text from page 2: a normal scanned-cover report.
    text_pdf(corpus.pdfs / "cover.pdf", pages=[None, ["1. The mission conducted joint patrols."]])
    docs, quarantine = corpus([{"doc_id": "cover", "path": "pdfs/cover.pdf"}])
    assert quarantine == {}
    assert docs.set_index("doc_id").loc["cover", "n_pages"] == 2


def test_html_saved_as_pdf_is_quarantined(corpus):
    (corpus.pdfs / "page.pdf").write_text("<html><body>Document not found</body></html>")
    _, quarantine = corpus([{"doc_id": "page", "path": "pdfs/page.pdf"}])
    assert quarantine["page"].startswith("not a PDF: file starts with '<html>")


def test_same_checksum_keeps_first_row_in_manifest_order(corpus):
    shutil.copy(corpus.pdfs / "S-2007-503.pdf", corpus.pdfs / "copy.pdf")
    # "A-copy" sorts before "S-2007-503" but comes later in the manifest: it is the duplicate.
    docs, quarantine = corpus([{"doc_id": "A-copy", "path": "pdfs/copy.pdf"}])
    assert list(quarantine) == ["A-copy"]
    assert quarantine["A-copy"].startswith("duplicate of S-2007-503")
    assert "S-2007-503" in set(docs["doc_id"])


def test_missing_file_without_symbol_is_quarantined(corpus):
    _, quarantine = corpus([{"doc_id": "gone", "path": "pdfs/gone.pdf"}])
    assert quarantine == {
        "gone": "file missing: raw/pdfs/gone.pdf (and no symbol/source_url to download it)"}


def test_missing_file_with_symbol_is_taken_from_the_sources_folder(corpus, tmp_path):
    text_pdf(tmp_path / "results" / "sources" / "rep-2.pdf", "Downloaded report text.")
    docs, quarantine = corpus([
        {"doc_id": "rep-2", "path": "", "symbol": "S/2008/1"},
        {"doc_id": "rep-3", "path": "pdfs/rep-3.pdf", "symbol": "S/2008/2"},
    ])
    assert docs.set_index("doc_id").loc["rep-2", "path"] == "results/sources/rep-2.pdf"
    assert quarantine["rep-3"].startswith("file missing: results/sources/rep-3.pdf was not "
                                          "downloaded; not in raw/pdfs/rep-3.pdf either")


def test_failed_download_in_lock_is_quarantined(corpus, tmp_path):
    lock = tmp_path / "results" / "sources" / "lock.csv"
    lock.parent.mkdir(parents=True)
    pd.DataFrame([
        {"doc_id": "rep-9", "url": "https://undocs.org/en/S/2009/9", "sha256": "", "bytes": 0,
         "status": "failed", "message": "HTTP 404 Not Found for https://undocs.org/en/S/2009/9"},
        {"doc_id": "rep-8", "url": "https://undocs.org/en/S/2009/8", "sha256": "", "bytes": 0,
         "status": "offline", "message": "not downloaded (offline)"},
    ]).to_csv(lock, index=False)
    _, quarantine = corpus([{"doc_id": "rep-9", "symbol": "S/2009/9"},
                            {"doc_id": "rep-8", "symbol": "S/2009/8"}], lock=lock)
    assert quarantine == {
        "rep-9": "download failed: HTTP 404 Not Found for https://undocs.org/en/S/2009/9",
        "rep-8": "not downloaded (offline)"}


def test_checksum_mismatch_is_quarantined_and_match_accepted(corpus):
    text_pdf(corpus.pdfs / "right.pdf", "Right version.")
    text_pdf(corpus.pdfs / "wrong.pdf", "Wrong version.")
    right = sha256_file(corpus.pdfs / "right.pdf")
    docs, quarantine = corpus([
        {"doc_id": "right", "path": "pdfs/right.pdf", "sha256": right.upper()},
        {"doc_id": "wrong", "path": "pdfs/wrong.pdf", "sha256": right},
    ])
    assert "right" in set(docs["doc_id"])
    assert quarantine["wrong"].startswith(
        f"checksum mismatch: file has sha256 {sha256_file(corpus.pdfs / 'wrong.pdf')}")
    assert right in quarantine["wrong"]


def test_all_bad_inputs_together(corpus):
    truncated_pdf(corpus.pdfs / "cut.pdf", corpus.pdfs / "S-2007-503.pdf")
    encrypted_pdf(corpus.pdfs / "locked.pdf")
    zero_page_pdf(corpus.pdfs / "empty.pdf")
    image_only_pdf(corpus.pdfs / "scan.pdf")
    (corpus.pdfs / "page.pdf").write_bytes(b"<!DOCTYPE html><html></html>")
    names = ["cut", "locked", "empty", "scan", "page", "gone"]
    docs, quarantine = corpus([{"doc_id": n, "path": f"pdfs/{n}.pdf"} for n in names])
    assert sorted(quarantine) == sorted(names)
    assert sorted(docs["doc_id"]) == sorted(GOOD)


def test_probe_reports_pages_of_a_good_pdf(tmp_path):
    assert probe_pdf(text_pdf(tmp_path / "a.pdf", "x", pages=2)) == (2, "")
    (tmp_path / "nothing.pdf").write_bytes(b"")
    assert probe_pdf(tmp_path / "nothing.pdf") == (0, "empty file (0 bytes)")


# --- manifest validation -------------------------------------------------------------------

def test_manifest_reports_every_problem_with_line_and_column(tmp_path):
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "doc_id,path,doc_type,missions,date,title,symbol,source_url\n"  # no sha256 column
        "r1,pdfs/r1.pdf,resolution,MINUSTAH,2004-04-30,ok,,\n"
        "r1,pdfs/r2.pdf,Report,MINUSTAH,30/04/2004,dup,,\n"
        "\n"
        "bad id,,study,,2018-02-30,,,www.sipri.org/x.pdf\n")
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    problems = info.value.problems
    expected = [
        ("line 1, column 'sha256'", "missing"),
        ("line 3, column 'doc_id'", "already used on line 2"),
        ("line 3, column 'doc_type'", "did you mean 'report'?"),
        ("line 3, column 'date'", "YYYY-MM-DD"),
        ("line 5, column 'doc_id'", "'bad-id'"),  # blank line 4 still counts
        ("line 5, column 'date'", "not a real date"),
        ("line 5, column 'source_url'", "https://"),
    ]
    assert len(problems) == len(expected), problems
    for problem, (where, fix) in zip(problems, expected):
        assert problem.startswith(f"{manifest}, {where}"), problem
        assert fix in problem, problem
    assert all(p in str(info.value) for p in problems)


def test_manifest_cross_column_rules(tmp_path):
    manifest = write_manifest(tmp_path / "m.csv", [
        {"doc_id": "a", "path": "", "symbol": "", "source_url": ""},
        {"doc_id": "b", "path": "b.pdf", "missions": "", "doc_type": "resolution"},
        {"doc_id": "c", "path": "c.pdf", "missions": "MINUSTAH, UNMIL"},
        {"doc_id": "d", "path": "d.pdf", "sha256": "abc123"},
        {"doc_id": "e", "path": "e.pdf", "missions": "", "doc_type": "study"},
    ])
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    problems = info.value.problems
    assert [p.split(":")[0] for p in problems] == [
        f"{manifest}, line 2, column 'path'", f"{manifest}, line 3, column 'missions'",
        f"{manifest}, line 4, column 'missions'", f"{manifest}, line 5, column 'sha256'"]


def test_manifest_is_read_as_text_and_normalised(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("\ufeffDoc_ID,path,doc_type,missions,date,title,symbol,source_url,"
                        "sha256,notes\n"
                        f" a ,pdfs\\a.pdf,report,UNMIL ; UNOCI,2004-04-30,,,,{'AB' * 32},x\n",
                        encoding="utf-8")
    df = load_manifest(manifest)
    row = df.iloc[0]
    assert (row["doc_id"], row["path"], row["missions"]) == ("a", "pdfs/a.pdf", "UNMIL;UNOCI")
    assert row["sha256"] == "ab" * 32 and row["title"] == "" and row["notes"] == "x"


# --- command line --------------------------------------------------------------------------

def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "analysis.corpus", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=60, check=False)


def test_cli_check_writes_tables_and_manifest_errors_exit_1(corpus, tmp_path):
    encrypted_pdf(corpus.pdfs / "locked.pdf")
    corpus([{"doc_id": "locked", "path": "pdfs/locked.pdf"}])  # writes raw/manifest.csv
    out = _cli("check", "--manifest", "raw/manifest.csv", "--sources-dir", "results/sources",
               "--documents-out", "results/corpus/documents.csv",
               "--quarantine-out", "results/qc/quarantine.csv", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "3 accepted, 1 quarantined" in out.stderr
    docs = pd.read_csv(tmp_path / "results/corpus/documents.csv", keep_default_na=False)
    assert sorted(docs["doc_id"]) == sorted(GOOD)
    quarantine = pd.read_csv(tmp_path / "results/qc/quarantine.csv")
    assert list(quarantine["doc_id"]) == ["locked"]

    (tmp_path / "raw" / "manifest.csv").write_text(
        "doc_id,path,doc_type,missions,date,title,symbol,source_url,sha256\n"
        "x,pdfs/x.pdf,memo,MINUSTAH,2004,,,,\n")
    out = _cli("check", "--manifest", "raw/manifest.csv", "--sources-dir", "results/sources",
               "--documents-out", "d.csv", "--quarantine-out", "q.csv", cwd=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "line 2, column 'doc_type'" in out.stderr and "line 2, column 'date'" in out.stderr
    assert not (tmp_path / "d.csv").exists()


def test_manifest_without_rows_or_with_case_clashing_ids_is_refused(tmp_path):
    empty = write_manifest(tmp_path / "empty.csv", [])
    with pytest.raises(ManifestError, match="lists no documents"):
        load_manifest(empty)
    clash = write_manifest(tmp_path / "clash.csv", [{"doc_id": "S-2007-503", "path": "a.pdf"},
                                                    {"doc_id": "s-2007-503", "path": "b.pdf"}])
    with pytest.raises(ManifestError) as info:
        load_manifest(clash)
    expected = (f"{clash}, line 3, column 'doc_id': 's-2007-503' differs from 'S-2007-503' "
                "(line 2) only in upper/lower case; file names would collide on macOS and "
                "Windows, choose another id")
    assert info.value.problems == [expected]


# --- operation names in the manifest, checked against the operations table -----------------

OPERATIONS = (
    "acronym,name,organisation,kind,hosts,start_year,end_year,region,aliases,source\n"
    "MINUSTAH,United Nations Stabilization Mission in Haiti,UN PKO,mixed,HTI,2004,2017,"
    "Americas,Mission des Nations Unies pour la stabilisation en Haiti,test row\n"
    "MINUSMA,United Nations Multidimensional Integrated Stabilization Mission in Mali,"
    "UN PKO,mixed,MLI,2013,2023,Sub-Saharan Africa,,test row\n"
    "EUBAM Libya,European Union Border Assistance Mission to Libya,EU,civilian,LBY,2013,,"
    "Middle East and North Africa,EUBAM-Libya;EU Border Assistance Mission in Libya,test row\n"
)


@pytest.fixture
def operations(tmp_path):
    path = tmp_path / "raw" / "missions.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(OPERATIONS, encoding="utf-8")
    return path


def test_unknown_operation_is_a_manifest_problem_with_line_column_and_close_match(
        tmp_path, operations):
    manifest = write_manifest(tmp_path / "raw" / "manifest.csv", [
        {"doc_id": "a", "path": "a.pdf", "missions": "MINUSTAH"},
        {"doc_id": "b", "path": "b.pdf", "missions": "MINUSMA;MINUSTHA"},
        {"doc_id": "c", "path": "c.pdf", "missions": "UNAMA", "date": "2004"},
    ])
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest, operations)
    problems = info.value.problems
    assert [p.split(": ")[0] for p in problems] == [
        f"{manifest}, line 3, column 'missions'",
        f"{manifest}, line 4, column 'missions'",  # with the other problems, all at once
        f"{manifest}, line 4, column 'date'"], problems
    typo = problems[0]
    assert "'MINUSTHA' is not an operation of" in typo
    assert "closest known acronyms: MINUSTAH" in typo
    assert f"add it as a row of {operations}" in typo
    unknown = next(p for p in problems if "'UNAMA'" in p)
    assert "closest known acronyms" not in unknown  # nothing in the table is near UNAMA
    # without the table (e.g. in a notebook) the names are not checked
    unchecked = write_manifest(tmp_path / "m2.csv", [
        {"doc_id": "b", "path": "b.pdf", "missions": "MINUSMA;MINUSTHA"}])
    assert list(load_manifest(unchecked)["missions"]) == ["MINUSMA;MINUSTHA"]


def test_aliases_and_any_case_are_accepted_and_read_as_the_tables_acronym(tmp_path, operations):
    manifest = write_manifest(tmp_path / "m.csv", [
        {"doc_id": "a", "path": "a.pdf", "missions": "EUBAM-Libya"},
        {"doc_id": "b", "path": "b.pdf",
         "missions": "minustah;EU Border Assistance Mission in Libya"},
        {"doc_id": "c", "path": "c.pdf", "missions": "", "doc_type": "study"},
    ])
    df = load_manifest(manifest, operations)
    assert list(df["missions"]) == ["EUBAM Libya", "MINUSTAH;EUBAM Libya", ""]

    twice = write_manifest(tmp_path / "twice.csv", [
        {"doc_id": "a", "path": "a.pdf", "missions": "EUBAM Libya;EUBAM-Libya"}])
    with pytest.raises(ManifestError) as info:
        load_manifest(twice, operations)
    expected = (f"{twice}, line 2, column 'missions': 'EUBAM Libya' and 'EUBAM-Libya' both "
                "name EUBAM Libya; list each operation once")
    assert info.value.problems == [expected]


def test_cli_with_missions_refuses_an_unknown_operation(tmp_path, operations):
    write_manifest(tmp_path / "raw" / "manifest.csv", [
        {"doc_id": "a", "path": "pdfs/a.pdf", "missions": "MINUSTAH"},
        {"doc_id": "b", "path": "pdfs/b.pdf", "missions": "MINUSTHA"}])
    text_pdf(tmp_path / "raw" / "pdfs" / "a.pdf", "Text.")
    text_pdf(tmp_path / "raw" / "pdfs" / "b.pdf", "Text.")
    where = "raw/manifest.csv, line 3, column 'missions': 'MINUSTHA'"
    runs = {  # command line, files it writes
        "validate": (["validate", "--manifest", "raw/manifest.csv"], []),
        "check": (["check", "--manifest", "raw/manifest.csv", "--sources-dir", "results/sources",
                   "--documents-out", "d.csv", "--quarantine-out", "q.csv"], ["d.csv", "q.csv"]),
        "fetch": (["fetch", "--manifest", "raw/manifest.csv", "--dest", "results/sources",
                   "--lock-out", "lock.csv", "--offline"], ["lock.csv"]),
    }
    for name, (args, outputs) in runs.items():
        out = _cli(*args, "--missions", "raw/missions.csv", cwd=tmp_path)
        assert out.returncode == 1, (name, out.stderr)
        assert where in out.stderr and "closest known acronyms: MINUSTAH" in out.stderr, (
            name, out.stderr)
        assert "Traceback" not in out.stderr
        assert not any((tmp_path / f).exists() for f in outputs), name
        assert _cli(*args, cwd=tmp_path).returncode == 0, name  # not checked without the table


def test_check_writes_the_tables_acronym_for_an_alias(tmp_path, monkeypatch, operations):
    monkeypatch.chdir(tmp_path)
    text_pdf(tmp_path / "raw" / "pdfs" / "libya.pdf", "Border management.")
    write_manifest("raw/manifest.csv", [
        {"doc_id": "libya", "path": "pdfs/libya.pdf", "missions": "eubam-libya"}])
    docs, quarantine = check_corpus("raw/manifest.csv", "results/sources",
                                    missions=operations)
    assert quarantine.empty
    assert list(docs["missions"]) == ["EUBAM Libya"]
