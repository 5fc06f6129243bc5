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
    # the default spec words part of the corpus from the held-out phrasing bank
    assert {p["bank"] for p in paras} == {"tuned", "heldout"}


def _realised_rate_ratio(folder: Path) -> float:
    counts = {True: [0, 0], False: [0, 0]}
    for doc in truth_docs(folder):
        if doc["doc_type"] == "report":
            c = counts[doc["explicit_mandate_period_start"]]
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
    # the activity responds to the mandate at the START of the reporting period: reports
    # whose period began without an explicit mandate have the same activity under either
    # effect, even when a mandate was in force by their date
    docs = {rr: {d["doc_id"]: d for d in truth_docs(tmp_path / str(rr))
                 if d["doc_type"] == "report"} for rr in (1.0, 4.0)}
    unaffected = [d for d in docs[1.0].values() if not d["explicit_mandate_period_start"]]
    assert any(d["explicit_mandate_in_force"] for d in unaffected)  # the timing matters here
    for doc in unaffected:
        assert doc["oc_activity_paragraphs"] == docs[4.0][doc["doc_id"]]["oc_activity_paragraphs"]


def test_reporting_period_starts_at_the_previous_report(default_corpus):
    docs = truth_docs(default_corpus)
    resolutions: dict[str, list] = {}
    reports: dict[str, list] = {}
    for doc in sorted(docs, key=lambda d: d["date"]):
        (op,) = doc["operations"]
        (resolutions if doc["doc_type"] == "resolution" else reports).setdefault(op, []).append(doc)
    for op, reps in reports.items():
        starts = [resolutions[op][0]["date"]] + [r["date"] for r in reps[:-1]]
        assert [r["period_start"] for r in reps] == starts, op
        for rep in reps:
            in_force = [r for r in resolutions[op] if r["date"] <= rep["period_start"]][-1]
            assert rep["explicit_mandate_period_start"] == in_force["explicit_mandate"]
            assert rep["period_mandate_symbol"] == in_force["symbol"]
            on_date = [r for r in resolutions[op] if r["date"] <= rep["date"]][-1]
            assert rep["explicit_mandate_in_force"] == on_date["explicit_mandate"]


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


# ----------------------------------------------------------------------- phrasing banks
def _strings(node):
    """Every string of a parsed phrasing file (templates, verbs, list items)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _same_shape(tuned, heldout, where="phrasings"):
    """Problems where ``heldout`` lacks a key, a label or list items that ``tuned`` has."""
    problems = []
    if isinstance(tuned, dict):
        if not isinstance(heldout, dict):
            return [f"{where}: not a mapping"]
        for key, value in tuned.items():
            if key not in heldout:
                problems.append(f"{where}.{key}: missing")
            else:
                problems += _same_shape(value, heldout[key], f"{where}.{key}")
    elif isinstance(tuned, list):
        if not isinstance(heldout, list) or not heldout:
            return [f"{where}: not a non-empty list"]
        labels = set.intersection(*(set(t) for t in tuned)) if all(
            isinstance(t, dict) for t in tuned) else set()
        for i, item in enumerate(heldout):
            if labels and not (isinstance(item, dict) and labels <= set(item)):
                problems.append(f"{where}[{i}]: lacks {sorted(labels - set(item or {}))}")
    return problems


def test_heldout_bank_has_every_key_of_the_tuned_bank():
    from analysis.demo.phrasings import markets, phrasings

    tuned, heldout = phrasings("tuned"), phrasings("heldout")
    assert _same_shape(tuned, heldout) == []
    assert _same_shape(markets("tuned"), markets("heldout"), "markets") == []
    assert set(markets("heldout")) == set(markets("tuned"))
    # the resolution generator samples these without replacement: as many as the tuned bank
    for key in ("tasks", "explicit", "others"):
        assert len(heldout["resolution"]["operative"][key]) >= len(
            tuned["resolution"]["operative"][key]), key
    assert len(heldout["resolution"]["preamble"]["ordinary"]) >= len(
        tuned["resolution"]["preamble"]["ordinary"])
    from analysis.vocab import ENGAGEMENTS, QUADRANTS

    assert set(heldout["activity"]) == set(QUADRANTS)
    assert {e["engagement"] for q in heldout["activity"].values() for e in q} <= set(ENGAGEMENTS)
    assert {e["quadrant"] for e in heldout["resolution"]["operative"]["explicit"]} == set(QUADRANTS)
    assert set(heldout["negative"]) == REASONS


def test_heldout_bank_says_it_is_held_out_and_shares_no_wording():
    from analysis.demo.phrasings import HERE, markets, phrasings

    for name in ("phrasings_heldout.yaml", "markets_heldout.yaml"):
        head = (HERE / name).read_text(encoding="utf-8")[:800]
        assert "NEVER USE THIS FILE" in head and "TUNE THE CODEBOOK" in head, name

    def grams(text, n=6):
        words = re.findall(r"[a-z]+|\{\w+\}", text.lower())
        return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}

    tuned = set().union(*map(grams, _strings([phrasings("tuned"), markets("tuned")])))
    heldout = set().union(*map(grams, _strings([phrasings("heldout"), markets("heldout")])))
    assert tuned and heldout and not tuned & heldout  # written apart: no 6 words in a row shared


def test_every_heldout_template_fills_for_every_organisation_and_market():
    import numpy as np

    from analysis.demo.phrasings import fill, markets, phrasings
    from analysis.demo.spec import Operation

    rng = np.random.default_rng(0)
    extra = {"res": "DEMO-2001 (2004)", "prev": "1 May 2005", "until": "1 May 2006",
             "prevsym": "S/DEMO/2005/123", "k": "12"}
    templates = [t for t in _strings(phrasings("heldout")) if "{" in t]
    assert len(templates) > 100
    for org in ("UN PKO", "UN SPM", "EU", "NATO", "OSCE", "AU", "regional"):
        op = Operation("TESTOP", "Test Operation in Ruritania", org, ("XKX",), ("Kosovo",),
                       2000, 2010, ("drugs",), None, None, None, None)
        for market in sorted(markets("heldout")):
            for template in templates:
                text = fill(template, rng, op, market, extra, bank="heldout")
                assert "{" not in text and "}" not in text, (org, market, template, text)
    with pytest.raises(KeyError, match=r"\{role\}.*phrasings\.yaml"):  # tuned bank has no roles
        fill("{Role} seized {goods}.", rng, op, "drugs", bank="tuned")


def _bank_corpus(tmp_path, share):
    spec = write_spec(tmp_path / f"spec-{share}.yaml", heldout_share=share)
    return build_corpus(spec, MISSIONS, tmp_path / f"out-{share}").parent


def test_heldout_only_spec_words_every_paragraph_from_the_heldout_bank(tmp_path):
    folder = _bank_corpus(tmp_path, 1.0)
    docs = truth_docs(folder)
    assert {p["bank"] for d in docs for p in d["paragraphs"]} == {"heldout"}
    assert {d["bank"] for d in docs} == {"heldout"}
    assert {d["mandate_bank"] for d in docs if d["doc_type"] == "report"} == {"heldout"}
    paras = [p for d in docs for p in d["paragraphs"]]
    assert any(p["activity"] for p in paras) and any(p["negative_reason"] for p in paras)
    with open(folder / "truth" / "paragraphs.csv", encoding="utf-8", newline="") as fh:
        table = list(csv.DictReader(fh))
    assert len(table) == len(paras) and {r["bank"] for r in table} == {"heldout"}
    # the text really is the held-out wording: words of its roles and places appear
    text = " ".join(p["text"] for p in paras)
    assert "blue helmets" in text.lower() or "UN police officers" in text


def test_heldout_share_changes_the_wording_not_the_design(tmp_path):
    corpora = {share: truth_docs(_bank_corpus(tmp_path, share)) for share in (0.0, 0.3, 1.0)}
    assert {p["bank"] for d in corpora[0.0] for p in d["paragraphs"]} == {"tuned"}
    mixed = [p for d in corpora[0.3] for p in d["paragraphs"] if d["doc_type"] == "report"]
    share = sum(p["bank"] == "heldout" for p in mixed) / len(mixed)
    assert 0.2 < share < 0.4, share  # report paragraphs draw their bank one by one
    res_banks = [d["bank"] for d in corpora[0.3] if d["doc_type"] == "resolution"]
    assert set(res_banks) <= {"tuned", "heldout"}  # one bank per resolution
    # same seed: same documents, report sizes, OC activity counts and mandates in force
    def design(docs):
        return [(d["doc_id"], d["date"], d.get("explicit_mandate"),
                 d.get("explicit_mandate_in_force"),
                 len(d["paragraphs"]) if d["doc_type"] == "report" else None,
                 sum(p["activity"] for p in d["paragraphs"])) for d in docs]
    assert design(corpora[0.0]) == design(corpora[0.3]) == design(corpora[1.0])
    texts = [{p["text"] for d in corpora[s] for p in d["paragraphs"]} for s in (0.0, 1.0)]
    assert len(texts[0] & texts[1]) < 0.05 * len(texts[0])


def test_same_spec_with_both_banks_gives_identical_bytes(tmp_path):
    spec = write_spec(tmp_path / "spec.yaml", heldout_share=0.5)
    a = build_corpus(spec, MISSIONS, tmp_path / "a").parent
    b = build_corpus(spec, MISSIONS, tmp_path / "b").parent
    fa, fb = files_of(a), files_of(b)
    assert fa.keys() == fb.keys() and [k for k in fa if fa[k] != fb[k]] == []
    banks = {p["bank"] for d in truth_docs(a) for p in d["paragraphs"]}
    assert banks == {"tuned", "heldout"}  # the bank draws are part of what is reproduced


def test_heldout_share_outside_zero_to_one_is_refused(tmp_path):
    with pytest.raises(SpecError, match=r"key 'heldout_share'"):
        build_corpus(write_spec(tmp_path / "bad.yaml", heldout_share=1.5), MISSIONS,
                     tmp_path / "out")
