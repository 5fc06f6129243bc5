"""Provenance of a run: what went in, with which software, from which workflow version.

:func:`provenance` returns a dict written as ``results/provenance.json``:

- ``inputs``: path and sha256 of the manifest, the accepted-documents table, the operations
  table (missions.csv), the codebook, the demo spec (demo corpus) and the config file; the
  manifest is the one given (no default) and must list every accepted document, so a record
  cannot name a manifest other than the one the corpus was checked against;
- ``documents``: every accepted document (``documents.csv``): doc_id, doc_type, path, the
  sha256 recorded when the corpus was checked, and ``verified``: true when the file on disk
  still has that checksum, false when it changed since (results are then stale), null when
  the file is not there;
- ``packages``: installed versions (importlib.metadata) of the analysis stack, null when a
  package is not installed; ``python``: version and implementation; ``platform``;
- ``workflow``: ``commit`` (``git rev-parse HEAD`` of the workflow folder, or "unknown"
  when it is not a git work tree or git is missing) and ``dirty`` (tracked or untracked,
  not ignored, changes; null when unknown);
- ``config``: the configuration the run used (keys sorted);
- ``coding_rounds``: per human coding round (name), path and sha256 of every coder sheet
  (and of its ``adjudicated.csv`` when there is one), sorted by path; the demo's simulated
  coder sheets (results/demo/coding/) count as a round too. Empty when no round was coded.

No timestamps: the same inputs, software and commit give a byte-identical file.

CLI: ``python -m analysis.paper provenance --manifest M --documents D --missions R --codebook C
[--demo-spec S] [--coder-sheets ROUND SHEET [SHEET ...]]... --config-file F
--config-json '{...}' --workflow-dir DIR --out results/provenance.json``
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from analysis.corpus.fetch import sha256_file
from analysis.io import read_csv

PACKAGES = ("oc-mandates", "snakemake", "pandas", "numpy", "pyarrow", "pypdfium2",
            "pdfplumber", "statsmodels", "scipy", "seaborn", "matplotlib", "pandera", "typst",
            "reportlab", "PyYAML", "jsonschema", "pycountry")
UNKNOWN = "unknown"


class ProvenanceError(ValueError):
    """An input named for the record is missing or unreadable."""


sha256 = sha256_file  # one checksum routine for the corpus check, the lock and provenance


def file_record(path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise ProvenanceError(f"{path} does not exist; it is an input of this run, so the "
                              "record cannot be made without it")
    return {"path": str(path), "sha256": sha256(path)}


def document_records(documents: str | Path) -> list[dict]:
    """One record per accepted document (sorted by doc_id), checksum verified on disk."""
    table = read_csv(documents)
    missing = {"doc_id", "path", "sha256"} - set(table.columns)
    if missing:
        raise ProvenanceError(f"{documents}: missing column(s) {', '.join(sorted(missing))};"
                              " rebuild it with the corpus check (analysis.corpus.check check)")
    rows = table.to_dict("records")
    out = []
    for row in sorted(rows, key=lambda r: r["doc_id"]):
        path = Path(row["path"])
        verified = (sha256(path) == row["sha256"]) if path.is_file() else None
        out.append({"doc_id": row["doc_id"], "doc_type": row.get("doc_type", ""),
                    "path": row["path"], "sha256": row["sha256"], "verified": verified})
    return out


def check_manifest_lists(manifest: str | Path, documents: list[dict]) -> None:
    """Every accepted document must be a row of ``manifest`` (column ``doc_id``, matched as
    the corpus check reads it: header case-insensitive, cells stripped); else the record
    would name a manifest the corpus was not checked against."""
    with open(manifest, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    header = [h.strip().lower() for h in (rows[0] if rows else [])]
    if "doc_id" not in header:
        raise ProvenanceError(f"{manifest}: no doc_id column; is this the document manifest?")
    col = header.index("doc_id")
    listed = {r[col].strip() for r in rows[1:] if len(r) > col}
    missing = [d["doc_id"] for d in documents if d["doc_id"] not in listed]
    if missing:
        raise ProvenanceError(
            f"{manifest} does not list {len(missing)} accepted document(s) "
            f"({', '.join(missing[:5])}{', ...' if len(missing) > 5 else ''}): the documents "
            "table was checked against another manifest; pass the manifest the corpus check "
            "used (--manifest) or rerun the corpus check")


def package_versions(names=PACKAGES) -> dict:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return dict(sorted(versions.items(), key=lambda kv: kv[0].lower()))


def _git(args: list[str], cwd: Path) -> str | None:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", LC_ALL="C")  # read-only: no index refresh
    try:
        done = subprocess.run(["git", "-C", str(cwd), *args], check=False, capture_output=True,
                              text=True, timeout=30, env=env)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def workflow_version(workflow_dir: str | Path) -> dict:
    """Commit and dirty flag of the git work tree holding ``workflow_dir``."""
    folder = Path(workflow_dir)
    commit = _git(["rev-parse", "HEAD"], folder) if folder.is_dir() else None
    if not commit:
        return {"commit": UNKNOWN, "dirty": None}
    status = _git(["status", "--porcelain"], folder)
    return {"commit": commit.strip(), "dirty": None if status is None else bool(status.strip())}


def round_records(coder_sheets: dict | None) -> dict:
    """``{round: [file_record, ...]}`` sorted by round and path; a round without sheets is an
    error (the workflow only lists rounds that have them)."""
    out = {}
    for name, paths in sorted((coder_sheets or {}).items()):
        if not paths:
            raise ProvenanceError(f"coding round {name!r}: no coder sheet given; pass its "
                                  "sheets (<folder>/<coder>.csv) or leave the round out")
        out[name] = [file_record(p) for p in sorted(map(str, paths))]
    return out


def provenance(*, manifest, documents, missions, codebook, config_file, config: dict,
               workflow_dir, demo_spec=None, coder_sheets: dict | None = None,
               validation: list | None = None) -> dict:
    """The provenance record (module doc). Paths are recorded as given. ``coder_sheets``:
    round name -> paths of its coder sheets; ``validation``: labelled passage files."""
    inputs = {"manifest": file_record(manifest), "documents": file_record(documents),
              "missions": file_record(missions), "codebook": file_record(codebook),
              "config_file": file_record(config_file)}
    if demo_spec is not None:
        inputs["demo_spec"] = file_record(demo_spec)
    if validation:
        inputs["validation"] = [file_record(p) for p in validation]
    accepted = document_records(documents)
    check_manifest_lists(manifest, accepted)
    return {
        "coding_rounds": round_records(coder_sheets),
        "config": config,
        "documents": accepted,
        "inputs": inputs,
        "packages": package_versions(),
        "platform": {"system": platform.system(), "machine": platform.machine()},
        "python": {"implementation": platform.python_implementation(),
                   "version": platform.python_version()},
        "workflow": workflow_version(workflow_dir),
    }


def write_provenance(record: dict, out: str | Path) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m analysis.paper provenance",
                                description=__doc__.split("\n\n")[0])
    for name in ("manifest", "documents", "missions", "codebook", "config-file",
                 "workflow-dir", "out"):
        p.add_argument(f"--{name}", required=True)
    p.add_argument("--demo-spec", default=None)
    p.add_argument("--validation", nargs="*", default=[],
                   help="labelled passage files the coding was validated on")
    p.add_argument("--config-json", default="{}", help="the run's configuration as JSON")
    p.add_argument("--coder-sheets", nargs="+", action="append", default=[],
                   metavar=("ROUND", "SHEET"),
                   help="a human coding round and its coder sheets (repeat per round)")
    args = p.parse_args(argv)
    sheets: dict[str, list[str]] = {}
    for name, *paths in args.coder_sheets:
        if name in sheets:
            print(f"provenance: error: --coder-sheets: round {name!r} given twice",
                  file=sys.stderr)
            return 1
        sheets[name] = paths
    try:
        config = json.loads(args.config_json)
    except json.JSONDecodeError as err:
        print(f"provenance: error: --config-json is not JSON ({err})", file=sys.stderr)
        return 1
    try:
        record = provenance(manifest=args.manifest, documents=args.documents,
                            missions=args.missions, codebook=args.codebook,
                            config_file=args.config_file, config=config,
                            workflow_dir=args.workflow_dir, demo_spec=args.demo_spec,
                            coder_sheets=sheets, validation=args.validation)
    except (ProvenanceError, OSError) as err:
        print(f"provenance: error: {err}", file=sys.stderr)
        return 1
    write_provenance(record, args.out)
    stale = [d["doc_id"] for d in record["documents"] if d["verified"] is False]
    if stale:
        print(f"provenance: WARNING: {len(stale)} document(s) changed on disk since the corpus "
              f"check (results may be stale): {', '.join(stale[:10])}", file=sys.stderr)
    print(f"provenance: {len(record['documents'])} documents, commit "
          f"{record['workflow']['commit']} -> {args.out}", file=sys.stderr)
    return 0
