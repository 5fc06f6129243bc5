"""Tests of the SYNTHETIC demo corpus generator (analysis.demo).

Builds real corpora with reportlab into tmp_path: a small spec (fast) for most checks, and the
shipped default spec once for the checks a researcher would make on the real demo corpus.
"""

from __future__ import annotations

import csv
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import yaml

from analysis.demo import SpecError, build_corpus

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SPEC = ROOT / "workflow" / "demo" / "spec.yaml"
MISSIONS = ROOT / "raw" / "missions.csv"
QUADRANTS = {"direct_consequences", "direct_drivers", "indirect_consequences", "indirect_drivers"}
REASONS = {"concern_only", "plan", "negation", "postponed", "other_actor"}


def write_spec(path: Path, **changes) -> Path:
    """A small spec (4 operations) derived from the default, with top-level/effect changes."""
    spec = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    spec["operations"] = spec["operations"][:4]
    for key, value in changes.items():
        if key in ("rate_ratio", "base_rate", "operation_sd"):
            spec["effect"][key] = value
        else:
            spec[key] = value
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def truth_docs(folder: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8"))
            for p in sorted((folder / "truth").glob("*.truth.json"))]


def missions_years() -> dict[str, tuple[int, int]]:
    with open(MISSIONS, encoding="utf-8", newline="") as fh:
        return {r["acronym"]: (int(r["start_year"]), int(r["end_year"] or 2024))
                for r in csv.DictReader(fh)}


@pytest.fixture(scope="module")
def default_corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo-default")
    build_corpus(DEFAULT_SPEC, MISSIONS, out)
    return out


def test_same_spec_gives_identical_bytes(tmp_path):
    spec = write_spec(tmp_path / "spec.yaml")
    a, b = build_corpus(spec, MISSIONS, tmp_path / "a"), build_corpus(spec, MISSIONS,
                                                                      tmp_path / "b")
    fa, fb = files_of(a.parent), files_of(b.parent)
    assert fa.keys() == fb.keys()
    assert any(k.endswith(".pdf") for k in fa)
    assert [k for k in fa if fa[k] != fb[k]] == []


def test_different_seed_gives_different_corpus(tmp_path):
    a = build_corpus(write_spec(tmp_path / "a.yaml", seed=1), MISSIONS, tmp_path / "a").parent
    b = build_corpus(write_spec(tmp_path / "b.yaml", seed=2), MISSIONS, tmp_path / "b").parent
    fa, fb = files_of(a), files_of(b)
    common = [k for k in fa if k in fb and k.endswith(".pdf")]
    assert common and all(fa[k] != fb[k] for k in common)
    assert fa["truth/paragraphs.csv"] != fb["truth/paragraphs.csv"]


def test_every_document_is_visibly_synthetic(default_corpus):
    with open(default_corpus / "manifest.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 12 * 6
    for row in rows:
        assert "DEMO" in row["symbol"], row
        assert re.fullmatch(r"S/RES/DEMO-\d{4} \(\d{4}\)|S/DEMO/\d{4}/\d{3}", row["symbol"]), row
        assert "demo" in row["doc_id"] and "demo" in row["path"]
        assert row["source_url"] == "" and len(row["sha256"]) == 64
        pdf = pdfium.PdfDocument(default_corpus / row["path"])
        first = pdf[0].get_textpage().get_text_range()
        assert "SYNTHETIC DEMO MATERIAL" in first and "Not a United Nations document" in first
        assert row["symbol"] in first
        assert "SYNTHETIC" in pdf.get_metadata_dict()["Title"]
        assert "ynthetic" in pdf.get_metadata_dict()["Subject"]
        pdf.close()


def test_counts_dates_and_coverage(default_corpus):
    years = missions_years()
    docs = truth_docs(default_corpus)
    by_op: dict[str, dict[str, int]] = {}
    for doc in docs:
        (op,) = doc["operations"]
        start, end = years[op]
        assert start <= int(doc["date"][:4]) <= end, (doc["doc_id"], doc["date"])
        by_op.setdefault(op, {"resolution": 0, "report": 0})[doc["doc_type"]] += 1
    assert len(by_op) == 12
    for op, n in by_op.items():
        assert 2 <= n["resolution"] <= 5 and 4 <= n["report"] <= 12, (op, n)
    paras = [p for d in docs for p in d["paragraphs"]]
    assert {p["quadrant"] for p in paras if p["activity"]} == QUADRANTS
    assert len({p["market"] for p in paras if p["oc"]}) >= 5
    assert {p["negative_reason"] for p in paras} - {None} == REASONS
    assert all(not p["activity"] for p in paras if p["negative_reason"])
    resolutions = [d for d in docs if d["doc_type"] == "resolution"]
    assert any(d["explicit_mandate"] for d in resolutions)
    assert any(d["oc_reference"] and not d["explicit_mandate"] for d in resolutions)
    assert {p["part"] for d in resolutions for p in d["paragraphs"]} == {"preambular",
                                                                           "operative"}


def _realised_rate_ratio(folder: Path) -> float:
    counts = {True: [0, 0], False: [0, 0]}
    for doc in truth_docs(folder):
        if doc["doc_type"] == "report":
            c = counts[doc["explicit_mandate_in_force"]]
            c[0] += sum(p["activity"] for p in doc["paragraphs"])
            c[1] += len(doc["paragraphs"])
    return (counts[True][0] / counts[True][1]) / (counts[False][0] / counts[False][1])


def test_true_effect_moves_the_realised_rate_ratio(tmp_path):
    # same seed, only the true effect differs: more OC activity under an explicit mandate
    spec = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    path = tmp_path / "spec.yaml"
    ratios = {}
    for rr in (1.0, 4.0):
        spec["effect"]["rate_ratio"] = rr
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
        ratios[rr] = _realised_rate_ratio(build_corpus(path, MISSIONS, tmp_path / str(rr)).parent)
    assert ratios[4.0] > 2.0 * ratios[1.0], ratios
    assert ratios[4.0] > 2.0


def test_truth_agrees_with_extraction(default_corpus):
    from analysis.extract.pdf import extract_pdf  # part of the contract: must be importable

    def no(value) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return str(value).strip().rstrip(".")

    total = matched = 0
    misses = []
    for doc in truth_docs(default_corpus):
        df = extract_pdf(default_corpus / "pdfs" / f"{doc['doc_id']}.pdf", doc["doc_id"])
        if "kind" in df.columns:
            df = df[df["kind"] == "paragraph"]
        rows = list(zip(df["para_no"].map(no), df["text"]))
        numbered = set(rows)
        cursor = 0
        for para in doc["paragraphs"]:
            total += 1
            if para["para_no"] is not None:
                ok = (no(para["para_no"]), para["text"]) in numbered
            else:  # unnumbered preambular paragraphs: by text, in order
                hits = [i for i in range(cursor, len(rows)) if rows[i][1] == para["text"]]
                ok = bool(hits)
                cursor = hits[0] + 1 if hits else cursor
            matched += ok
            if not ok:
                misses.append((doc["doc_id"], para["para_no"], para["text"][:80]))
    print(f"truth paragraphs matched by extraction: {matched}/{total}")
    assert matched == total, f"{total - matched} of {total} not matched, e.g. {misses[:5]}"


def test_spec_errors_name_file_and_key(tmp_path):
    bad = write_spec(tmp_path / "bad.yaml", seed="abc")
    with pytest.raises(SpecError, match=r"bad\.yaml: key 'seed'"):
        build_corpus(bad, MISSIONS, tmp_path / "out")
    spec = yaml.safe_load(DEFAULT_SPEC.read_text(encoding="utf-8"))
    spec["operations"] = [{"acronym": "NOSUCHOP", "markets": ["drugs"]}]
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SpecError, match=r"operations\.0\.acronym.*NOSUCHOP.*missions\.csv"):
        build_corpus(unknown, MISSIONS, tmp_path / "out")


def test_cli_builds_and_reports_progress(tmp_path):
    spec = write_spec(tmp_path / "spec.yaml")
    done = subprocess.run([sys.executable, "-m", "analysis.demo", "--spec", str(spec),
                           "--missions", str(MISSIONS), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert "documents" in done.stderr
    assert (tmp_path / "out" / "manifest.csv").is_file()
    assert (tmp_path / "out" / "truth" / "paragraphs.csv").is_file()
