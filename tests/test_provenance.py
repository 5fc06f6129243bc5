"""Provenance record: checksums of the inputs and of every accepted PDF, package versions,
Python version, workflow commit and dirty flag, config; the same inputs give the same bytes."""

from __future__ import annotations

import csv
import hashlib
import json
import platform
import shutil
import subprocess
from pathlib import Path

import pytest
from pdf_fixtures import text_pdf

from analysis.paper.provenance import (
    ProvenanceError,
    main,
    provenance,
    workflow_version,
    write_provenance,
)

HAS_GIT = shutil.which("git") is not None


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def run(tmp_path: Path) -> dict:
    """A working directory with two accepted PDFs and the inputs of a run."""
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    rows = []
    for doc_id, doc_type in (("rep-1", "report"), ("res-1", "resolution")):
        pdf = pdfs / f"{doc_id}.pdf"
        text_pdf(pdf, f"Document {doc_id}")
        rows.append({"doc_id": doc_id, "doc_type": doc_type, "path": str(pdf),
                     "sha256": _sha(pdf)})
    documents = tmp_path / "documents.csv"
    with open(documents, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(reversed(rows))  # out of order on purpose: the record sorts
    files = {}
    manifest = "doc_id,path\nrep-1,pdfs/rep-1.pdf\nres-1,pdfs/res-1.pdf\ngone-1,pdfs/gone-1.pdf\n"
    for name, body in (("manifest", manifest),
                       ("missions", "acronym,name\nUNMIL,United Nations Mission in Liberia\n"),
                       ("codebook", "version: oc-v1\n"), ("config_file", "corpus: demo\n"),
                       ("demo_spec", "seed: 1\n")):
        files[name] = tmp_path / f"{name}.txt"
        files[name].write_text(body, encoding="utf-8")
    return {**files, "documents": documents, "workflow_dir": tmp_path,
            "config": {"corpus": "demo", "offline": True}}


def test_checksums_of_inputs_and_documents(run: dict):
    record = provenance(**run)
    for name in ("manifest", "missions", "codebook", "config_file", "demo_spec", "documents"):
        assert record["inputs"][name]["sha256"] == _sha(Path(run[name])), name
    docs = record["documents"]
    assert [d["doc_id"] for d in docs] == ["rep-1", "res-1"]
    assert all(d["verified"] is True for d in docs)
    assert docs[0]["sha256"] == _sha(Path(docs[0]["path"]))
    assert record["config"] == {"corpus": "demo", "offline": True}


def test_a_changed_or_missing_pdf_is_flagged(run: dict):
    with open(run["documents"], encoding="utf-8") as handle:
        docs = list(csv.DictReader(handle))
    text_pdf(docs[0]["path"], "changed after the corpus check")
    Path(docs[1]["path"]).unlink()
    by_id = {d["doc_id"]: d["verified"] for d in provenance(**run)["documents"]}
    assert by_id == {docs[0]["doc_id"]: False, docs[1]["doc_id"]: None}


def test_versions_present(run: dict):
    record = provenance(**run)
    for name in ("pandas", "snakemake", "pypdfium2", "typst", "reportlab", "pyarrow"):
        assert record["packages"][name], name
    assert record["python"]["version"] == platform.python_version()
    assert record["packages"]["pandas"] == __import__("pandas").__version__


def test_record_is_deterministic(run: dict, tmp_path: Path):
    write_provenance(provenance(**run), tmp_path / "a.json")
    write_provenance(provenance(**run), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_not_a_git_folder_is_unknown(tmp_path: Path):
    assert workflow_version(tmp_path) == {"commit": "unknown", "dirty": None}
    assert workflow_version(tmp_path / "missing") == {"commit": "unknown", "dirty": None}


@pytest.mark.skipif(not HAS_GIT, reason="git is not installed")
def test_git_commit_and_dirty_flag(tmp_path: Path):
    repo = tmp_path / "wf"
    repo.mkdir()

    def git(*args):
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    (repo / "Snakefile").write_text("rule all:\n")
    git("add", "Snakefile")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "init")
    head = git("rev-parse", "HEAD")
    assert workflow_version(repo) == {"commit": head, "dirty": False}
    (repo / "Snakefile").write_text("rule all:\n    input: []\n")
    assert workflow_version(repo) == {"commit": head, "dirty": True}


def test_cli_writes_the_record_and_names_a_missing_input(run: dict, tmp_path: Path, capsys):
    args = ["--manifest", str(run["manifest"]), "--documents", str(run["documents"]),
            "--missions", str(run["missions"]), "--codebook", str(run["codebook"]),
            "--config-file", str(run["config_file"]), "--workflow-dir", str(tmp_path),
            "--config-json", json.dumps(run["config"])]
    out = tmp_path / "provenance.json"
    assert main([*args, "--out", str(out)]) == 0
    record = json.loads(out.read_text())
    assert "demo_spec" not in record["inputs"] and len(record["documents"]) == 2
    run["codebook"].unlink()
    assert main([*args, "--out", str(out)]) == 1
    assert "codebook.txt does not exist" in capsys.readouterr().err
    with pytest.raises(ProvenanceError):
        provenance(**run)


def test_coder_sheets_of_every_round_are_checksummed(run: dict, tmp_path: Path, capsys):
    folder = tmp_path / "coding" / "r2"
    folder.mkdir(parents=True)
    sheets = []
    for coder, body in (("coder-b", "para_id,activity\np1,yes\n"),
                        ("coder-a", "para_id,activity\np1,no\n")):
        sheets.append(folder / f"{coder}.csv")
        sheets[-1].write_text(body, encoding="utf-8")
    record = provenance(**run, coder_sheets={"r2": sheets})
    rounds = record["coding_rounds"]
    assert list(rounds) == ["r2"]
    assert [Path(r["path"]).name for r in rounds["r2"]] == ["coder-a.csv", "coder-b.csv"]
    assert rounds["r2"][0]["sha256"] == _sha(sheets[1])
    assert provenance(**run)["coding_rounds"] == {}
    # A changed sheet changes the record; the CLI takes one --coder-sheets per round.
    sheets[1].write_text("para_id,activity\np1,yes\n", encoding="utf-8")
    out = tmp_path / "p.json"
    args = ["--manifest", str(run["manifest"]), "--documents", str(run["documents"]),
            "--missions", str(run["missions"]), "--codebook", str(run["codebook"]),
            "--config-file", str(run["config_file"]), "--workflow-dir", str(tmp_path),
            "--out", str(out), "--coder-sheets", "r2", *map(str, sheets)]
    assert main(args) == 0
    after = json.loads(out.read_text())["coding_rounds"]["r2"]
    assert after[0]["sha256"] == _sha(sheets[1]) != rounds["r2"][0]["sha256"]
    sheets[0].unlink()
    assert main(args) == 1
    assert "coder-b.csv does not exist" in capsys.readouterr().err
    assert main([*args[:-4], "--coder-sheets", "r2", str(sheets[1]),
                 "--coder-sheets", "r2", str(sheets[1])]) == 1


def test_the_record_names_the_manifest_given_and_no_other(run: dict, tmp_path: Path):
    """provenance.json records path and checksum of the --manifest of the run (there is no
    default), and refuses a manifest that does not list the accepted documents."""
    other = tmp_path / "elsewhere" / "manifest.csv"
    other.parent.mkdir()
    other.write_text("DOC_ID ,path\n res-1 ,a.pdf\nrep-1,b.pdf\n", encoding="utf-8")
    args = ["--documents", str(run["documents"]), "--missions", str(run["missions"]),
            "--codebook", str(run["codebook"]), "--config-file", str(run["config_file"]),
            "--workflow-dir", str(tmp_path)]
    out = tmp_path / "p.json"
    records = []
    for manifest in (run["manifest"], other):
        assert main([*args, "--manifest", str(manifest), "--out", str(out)]) == 0
        records.append(json.loads(out.read_text())["inputs"]["manifest"])
        assert records[-1] == {"path": str(manifest), "sha256": _sha(Path(manifest))}
    assert records[0]["sha256"] != records[1]["sha256"]
    with pytest.raises(SystemExit):  # no manifest, no record
        main([*args, "--out", str(out)])
    other.write_text("doc_id,path\nrep-1,b.pdf\n", encoding="utf-8")
    with pytest.raises(ProvenanceError, match=r"manifest\.csv does not list 1 accepted "
                       r"document\(s\) \(res-1\).*checked against another manifest"):
        provenance(**{**run, "manifest": other})


def test_labelled_passage_files_are_checksummed(run: dict, tmp_path: Path):
    passages = tmp_path / "passages.jsonl"
    passages.write_text('{"id": "p1", "text": "x"}\n', encoding="utf-8")
    record = provenance(**run, validation=[passages])
    assert record["inputs"]["validation"] == [{"path": str(passages), "sha256": _sha(passages)}]
    assert "validation" not in provenance(**run)["inputs"]
    out = tmp_path / "p.json"
    args = ["--manifest", str(run["manifest"]), "--documents", str(run["documents"]),
            "--missions", str(run["missions"]), "--codebook", str(run["codebook"]),
            "--config-file", str(run["config_file"]), "--workflow-dir", str(tmp_path),
            "--out", str(out), "--validation", str(passages)]
    assert main(args) == 0
    assert json.loads(out.read_text())["inputs"]["validation"][0]["sha256"] == _sha(passages)
