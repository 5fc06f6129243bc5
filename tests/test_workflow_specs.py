"""The whole workflow, to the paper, on demo corpora unlike the shipped one (issue 11).

Five synthetic-corpus specs (tests/specs/*.yaml, test data): another seed, a true null, a very
small corpus, every operation mandated, no operation mandated. Each is built once, as a
researcher builds it (`snakemake --cores 2 --config demo_spec=...`), and must end in a paper
with every model in estimates.csv either fitted or `not_fitted` with its reason: a model that
cannot be fitted on such data is a row that says why, never a crashed run.

Run with `pytest -m workflow -k specs`; the five builds take a few minutes on two cores.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
import yaml
from test_workflow import REPO, _pdf_text, snakemake

SPECS = Path(__file__).parent / "specs"
CASES = ("seed-424242", "null", "tiny", "all-mandated", "none-mandated")
FIGURES = ("fig1_operation_quadrant", "fig2_quadrant_market", "fig3_mandate_coefficients",
           "fig4_mandate_timeline", "fig5_activity_by_mandate", "fig6_reliability",
           "fig7_rounds", "fig8_event_study")
# Fewer permutations than the shipped 2000: the p-values are not what these builds test.
CONFIG = ("permutations=200",)
DURATIONS: dict[str, float] = {}


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_specs_are_valid_demo_specs():
    """Every spec passes the demo spec schema and says it is synthetic test data."""
    import jsonschema

    schema = yaml.safe_load((REPO / "workflow/schemas/demo-spec.schema.yaml").read_text())
    for case in CASES:
        path = SPECS / f"{case}.yaml"
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# SYNTHETIC-corpus spec"), path
        spec = yaml.safe_load(text)
        jsonschema.validate(spec, schema)
    mandated = [("explicit_from" in op) for op in
                yaml.safe_load((SPECS / "all-mandated.yaml").read_text())["operations"]]
    assert all(mandated)
    spec = yaml.safe_load((SPECS / "all-mandated.yaml").read_text())
    assert all(op["explicit_from"] == 1 for op in spec["operations"])
    spec = yaml.safe_load((SPECS / "none-mandated.yaml").read_text())
    assert not any(op.get("explicit_from") for op in spec["operations"])
    assert yaml.safe_load((SPECS / "null.yaml").read_text())["effect"]["rate_ratio"] == 1.0
    shipped = yaml.safe_load((REPO / "workflow/demo/spec.yaml").read_text())
    assert yaml.safe_load((SPECS / "seed-424242.yaml").read_text()) == {**shipped,
                                                                        "seed": 424242}
    assert len(yaml.safe_load((SPECS / "tiny.yaml").read_text())["operations"]) <= 4


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """``case -> workdir``, each spec built (once) on first use; a failed build is not
    retried: every later test of that spec fails with the first build's error."""
    done: dict[str, Path] = {}
    failed: dict[str, str] = {}

    def build(case: str) -> Path:
        if case in failed:
            pytest.fail(f"the build of spec {case} failed (see its first test):\n"
                        + failed[case][:3000])
        if case not in done:
            workdir = tmp_path_factory.mktemp(f"spec-{case}")
            start = time.monotonic()
            try:
                snakemake(workdir, "--cores", "2", "--config",
                          f"demo_spec={SPECS / f'{case}.yaml'}", *CONFIG)
            except pytest.fail.Exception as error:
                failed[case] = str(error)
                raise
            finally:
                DURATIONS[case] = time.monotonic() - start
            done[case] = workdir
        return done[case]

    yield build
    if DURATIONS:
        total = sum(DURATIONS.values())
        print("\nworkflow builds per spec: " + ", ".join(
            f"{c} {s:.0f} s" for c, s in DURATIONS.items()) + f"; total {total:.0f} s")


@pytest.mark.workflow
@pytest.mark.parametrize("case", CASES)
def test_spec_builds_to_the_paper(builds, case):
    workdir = builds(case)
    pdf = workdir / "results/paper/paper.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.stat().st_size > 20_000
    for stem in FIGURES:
        assert (workdir / "results/figures" / f"{stem}.pdf").stat().st_size > 1_000, stem
    text = _pdf_text(pdf)
    assert "synthetic" in text.lower()
    # The demo's simulated coders are named as such wherever a reader sees them.
    assert "(human)" not in text


@pytest.mark.workflow
@pytest.mark.parametrize("case", CASES)
def test_every_model_has_a_status_and_not_fitted_says_why(builds, case):
    rows = read_csv(builds(case) / "results/models/estimates.csv")
    assert rows, f"{case}: estimates.csv is empty"
    for row in rows:
        assert row["status"] in ("fitted", "not_fitted"), (case, row["model"], row["status"])
        if row["status"] == "not_fitted":
            assert row["reason"].strip(), f"{case}: {row['model']} not fitted without a reason"
    by_round = read_csv(builds(case) / "results/models/estimates_by_round.csv")
    for row in by_round:
        if row["status"] == "not_fitted":
            assert row["reason"].strip(), (case, row["round"], row["model"])


@pytest.mark.workflow
def test_every_spec_reports_the_same_models(builds):
    """No model silently drops out of estimates.csv on awkward data."""
    models = {case: {r["model"] for r in read_csv(builds(case) / "results/models/estimates.csv")}
              for case in CASES}
    every = set().union(*models.values())
    for case, mine in models.items():
        assert mine == every, f"{case}: models missing: {sorted(every - mine)}"


@pytest.mark.workflow
@pytest.mark.parametrize("case", ["all-mandated", "none-mandated"])
def test_without_a_switching_operation_the_panel_is_not_fitted_and_the_paper_says_so(builds,
                                                                                      case):
    rows = read_csv(builds(case) / "results/models/estimates.csv")
    panel = [r for r in rows if r["model"] == "panel_poisson_fe"]
    assert panel and all(r["status"] == "not_fitted" for r in panel)
    assert "explicit_mandate" in panel[0]["reason"] or "switch" in panel[0]["reason"]
    fitted_mandate = [r for r in rows if r["status"] == "fitted"
                      and r["term"] == "explicit_mandate"]
    text = " ".join(_pdf_text(builds(case) / "results/paper/paper.pdf").split())
    if not fitted_mandate:
        assert "No model of the explicit mandate could be fitted" in text
