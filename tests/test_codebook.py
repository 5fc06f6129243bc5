"""The codebook is data: it loads, validates, compiles, reports bad entries, and drives coding."""

from pathlib import Path

import pytest
import yaml

from analysis.coding.activities import code_activity_paragraph
from analysis.coding.codebook import (
    CodebookError,
    find_labels,
    find_spans,
    load_codebook,
    main,
    quadrant_spans,
    sentence_bounds,
)
from analysis.coding.mandates import code_mandate_paragraph

ROOT = Path(__file__).resolve().parents[1]
CODEBOOK = ROOT / "workflow" / "codebooks" / "oc-v1.yaml"
SEED_TEXT = ROOT.parent / "shared" / "seed" / "van-der-lijn-2018.txt"
MARKETS = [
    "drugs",
    "arms_trafficking",
    "human_trafficking",
    "natural_resources",
    "gangs",
    "corruption",
    "kidnapping",
    "cultural_heritage",
    "piracy",
    "transnational_oc",
]


@pytest.fixture(scope="module")
def book():
    return load_codebook(CODEBOOK)


def _copy(tmp_path: Path, edit) -> Path:
    """Write an edited copy of the shipped codebook (edit gets the text, returns new text)."""
    out = tmp_path / "edited.yaml"
    out.write_text(edit(CODEBOOK.read_text(encoding="utf-8")), encoding="utf-8")
    return out


def test_shipped_codebook_loads_every_section(book):
    assert book.version == "oc-v1"
    assert list(book.markets) == MARKETS
    assert set(book.target) == {"consequences", "drivers"}
    assert set(book.mode) == {"direct", "indirect"}
    assert set(book.engagement) == {
        "monitor",
        "advocate",
        "assist",
        "material_support",
        "implement",
    }
    assert set(book.addressee) == {
        "operation",
        "host_government",
        "member_states",
        "secretary_general",
    }
    assert set(book.negative) == {"concern_only", "plan", "negation", "postponed", "other_actor"}
    with pytest.raises(TypeError):
        book.markets["drugs"] = ()  # read-only mapping


def test_patterns_ignore_case_unless_marked(book):
    assert find_labels(book.markets, "Seizures of COCAINE rose.") == {
        "drugs": find_spans(book.markets["drugs"], "Seizures of COCAINE rose.")
    }
    # SALW is marked case_sensitive: the acronym counts, the lower-case word does not.
    assert "arms_trafficking" in find_labels(book.markets, "a SALW commission")
    assert "arms_trafficking" not in find_labels(book.markets, "a salw commission")


def test_spans_point_into_the_text(book):
    text = "Gangs controlled the port; timber and charcoal left by night."
    found = find_labels(book.markets, text)
    assert set(found) == {"gangs", "natural_resources"}
    for spans in found.values():
        for span in spans:
            assert text[span.start : span.end] == span.text
    assert [s.text for s in found["natural_resources"]] == ["timber", "charcoal"]


def test_sentence_bounds_keep_abbreviations_together():
    text = "Mr. Ruiz met the police. No. 5 was arrested! Then patrols resumed."
    pieces = [text[a:b] for a, b in sentence_bounds(text)]
    assert pieces == ["Mr. Ruiz met the police.", "No. 5 was arrested!", "Then patrols resumed."]


def test_quadrant_pairs_each_target_with_its_nearest_mode(book):
    text = "It mentored border guards on interdiction and ran sensitization sessions."
    assert list(quadrant_spans(book, text)) == ["indirect_consequences", "direct_drivers"]
    assert quadrant_spans(book, "Nothing happened here.") == {}


def test_editing_a_pattern_changes_the_coding_without_python(tmp_path, book):
    text = "UN police seized 40 kg of pangolin scales at the river port."
    before = code_activity_paragraph(text, book, None, ["UNMISS"])
    assert before["oc"] is False and before["markets"] == []

    edited = load_codebook(
        _copy(
            tmp_path,
            lambda s: s.replace(
                "    - '\\bivory\\b'\n", "    - '\\bivory\\b'\n    - '\\bpangolin scales?\\b'\n"
            ),
        )
    )
    after = code_activity_paragraph(text, edited, None, ["UNMISS"])
    assert after["markets"] == ["natural_resources"]
    assert after["activity"] is True and after["quadrants"] == ["direct_consequences"]
    mandate = code_mandate_paragraph(
        "Requests UNMISS to deter the trade in pangolin scales;", 4, edited, ["UNMISS"]
    )
    assert mandate["explicit_mandate"] is True


def test_every_invalid_regex_is_reported_with_file_key_and_line(tmp_path):
    def corrupt(text):
        text = text.replace("    - '\\bnarcotics?\\b'\n", "    - '\\bnarcotics?(\\b'\n")
        return text.replace("  - '\\bcontraband\\b'\n", "  - '[contraband'\n")

    path = _copy(tmp_path, corrupt)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    problems = caught.value.problems
    assert [p.key for p in problems] == ["markets.drugs[1]", "oc_terms[4]"]
    lines = path.read_text(encoding="utf-8").splitlines()
    for problem in problems:
        assert problem.file == str(path)
        assert "invalid regex" in problem.message
        assert (
            problem.line is not None
            and "narcotics?(" in lines[problem.line - 1]
            or "[contraband" in lines[problem.line - 1]
        )
    assert "missing )" in problems[0].message
    assert "unterminated character set" in problems[1].message
    assert f"{path}:" in str(caught.value)


def test_unknown_keys_are_rejected_by_name(tmp_path):
    def add_keys(text):
        text = text.replace("markets:\n", "markets:\n  narcotix:\n    - 'coca'\n", 1)
        return text + "\ncolour: blue\n"

    path = _copy(tmp_path, add_keys)
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    keys = {p.key: p for p in caught.value.problems}
    assert set(keys) == {"colour", "markets.narcotix"}
    assert "unknown key" in keys["colour"].message
    assert "drugs" in keys["markets.narcotix"].message  # says what is allowed
    assert keys["colour"].line == len(path.read_text(encoding="utf-8").splitlines())


def test_wrong_shapes_and_missing_sections(tmp_path):
    data = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    del data["negative_cues"]
    data["markets"]["piracy"] = [{"regex": "pirates"}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CodebookError) as caught:
        load_codebook(path)
    messages = {p.key: p.message for p in caught.value.problems}
    assert "negative_cues" in messages[None]
    assert "case_sensitive" in messages["markets.piracy[0]"]


def test_command_line_check(tmp_path, capsys):
    assert main([str(CODEBOOK)]) == 0
    assert "oc-v1 OK" in capsys.readouterr().out
    bad = _copy(tmp_path, lambda s: s.replace("'\\bgangs?\\b'", "'(gangs'"))
    assert main([str(bad)]) == 1
    assert "markets.gangs[0]" in capsys.readouterr().err


def test_seed_paper_names_every_market(book):
    if not SEED_TEXT.exists():
        pytest.skip(f"seed paper text not found at {SEED_TEXT}")
    text = SEED_TEXT.read_text(encoding="utf-8")
    # The paper discusses every market of the design except piracy, which it never names.
    assert set(find_labels(book.markets, text)) == set(MARKETS) - {"piracy"}


V2 = ROOT / "workflow" / "codebooks" / "oc-v2.yaml"


def test_revised_codebook_loads_its_optional_sections():
    v2 = load_codebook(V2)
    assert v2.version == "oc-v2" and list(v2.markets) == MARKETS
    assert v2.light and v2.actor_turns and v2.mandate_authority
    assert set(v2.reported_mandate) == {"requested", "encouraged"}
    assert all(v2.rule(r) for r in ("act_owner", "one_quadrant_per_clause",
                                    "next_sentence_context", "running_text_context"))
    v1 = load_codebook(CODEBOOK)  # the sections are optional: oc-v1 has none of them
    assert not v1.light and not v1.reported_mandate and not v1.rule("act_owner")


def test_a_rule_switch_changes_the_coding_without_python(tmp_path):
    text = ("UNOCI conducted joint patrols with the national police and seized 40 rifles "
            "smuggled across the border.")
    v2 = load_codebook(V2)
    assert code_activity_paragraph(text, v2, None, ["UNOCI"])["quadrants"] == [
        "direct_consequences"]
    off = tmp_path / "off.yaml"
    off.write_text(V2.read_text(encoding="utf-8").replace(
        "  act_owner: true", "  act_owner: false"), encoding="utf-8")
    coded = code_activity_paragraph(text, load_codebook(off), None, ["UNOCI"])
    assert coded["activity"] is True  # the sentence-level reading of oc-v1 still holds


def test_reported_mandate_needs_a_mandate_authority(tmp_path):
    text = V2.read_text(encoding="utf-8")
    start = text.index("mandate_authority:")
    end = text.index("# Switches of the coding machinery")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(CodebookError, match=r"reported_mandate.*needs a mandate_authority"):
        load_codebook(bad)
