"""Two-column and mixed layouts (issue 12): columns detected from the geometry of the text
lines, read column by column, full-width blocks kept in place, and a QC signal when the
paragraph structure looks broken.

The texts are typeset at test time by ``pdf_fixtures.ColumnTypesetter``: the seed paper's
text (read from ../shared, never stored here; those tests skip where it is absent) and
neutral generated text (always). Each is set in one column, in two, and mixed (sections
alternating between two columns and one, switching mid-page)."""

from __future__ import annotations

import itertools
import re
from unittest import mock

import pytest
from pdf_fixtures import SEED_TEXT, WORDS, generated_study_blocks, typeset_seed, typst_study

import analysis.extract.pdf as pdf_module
from analysis.extract.pdf import extract_document, read_lines
from analysis.extract.segment import Line, order_columns

HEADER = "Working paper on peace operations"  # the running header typeset_seed draws


SOURCES = {
    "generated": generated_study_blocks,
    "seed": None,  # read from ../shared at test time
}


def _blocks(source):
    if source == "seed":
        if not SEED_TEXT.is_file():
            pytest.skip(f"seed text not found at {SEED_TEXT} (shared/ is not beside the repo)")
        from pdf_fixtures import seed_blocks

        return seed_blocks()
    return SOURCES[source]()


@pytest.fixture(scope="module", params=["generated", "seed"])
def layouts(request, tmp_path_factory):
    """The same text in one column, two columns and mixed: extracted documents."""
    blocks = _blocks(request.param)
    folder = tmp_path_factory.mktemp(f"columns-{request.param}")
    docs = {}
    for name, columns in (("one", 1), ("two", 2), ("mixed", "mixed")):
        path = typeset_seed(folder / f"{name}.pdf", columns=columns, blocks=blocks)
        docs[name] = (path, extract_document(path))
    return request.param, blocks, docs


def _paragraphs(doc):
    return [r["text"] for r in doc.paragraphs if r["kind"] == "paragraph"]


@pytest.mark.parametrize("layout", ["two", "mixed"])
def test_column_layouts_give_the_same_paragraphs_as_one_column(layouts, layout):
    _, blocks, docs = layouts
    one = _paragraphs(docs["one"][1])
    other = _paragraphs(docs[layout][1])
    n_source = sum(1 for kind, _ in blocks if kind == "paragraph")
    assert abs(len(one) - n_source) <= 0.05 * n_source, (len(one), n_source)
    assert abs(len(other) - len(one)) <= 0.05 * len(one), (len(other), len(one))
    same = set(one) & set(other)
    assert len(same) >= 0.95 * len(one), [t[:60] for t in one if t not in same][:5]
    # Same order too: the rows found in both layouts follow each other in the same sequence.
    assert [t for t in one if t in same] == [t for t in other if t in same]
    assert docs[layout][1].qc["n_column_pages"] >= 2
    assert docs["one"][1].qc["n_column_pages"] == 0


@pytest.mark.parametrize("layout", ["one", "two", "mixed"])
def test_headings_footnotes_headers_and_hyphens_survive_each_layout(layouts, layout):
    _, blocks, docs = layouts
    path, doc = docs[layout]
    headings = [r["text"] for r in doc.paragraphs if r["kind"] == "heading"]
    expected = [text for kind, text in blocks if kind == "heading"]
    assert headings == expected
    # Footnote markers: every marker of the source is recorded as a reference, none is
    # left glued to a word ("mandate.3 Further").
    markers = sum(len(re.findall(r"\^\d+", text)) for _, text in blocks)
    refs = sum(len(r["footnote_refs"].split(";")) for r in doc.paragraphs
               if r["footnote_refs"] and r["kind"] != "footnote")
    assert refs == markers
    body = [r for r in doc.paragraphs if r["kind"] == "paragraph"]
    assert not [r["text"] for r in body if re.search(r"[a-z][.,’]\d{1,2}\s[A-Z]", r["text"])]
    notes = [r for r in doc.paragraphs if r["kind"] == "footnote"]
    assert len(notes) == markers
    # Running header and page numbers are gone from every row.
    assert not [r for r in doc.paragraphs if HEADER in r["text"]]
    assert doc.qc["n_running_lines_removed"] >= 2 * doc.qc["n_pages"] - 1
    # Hyphenation: the typesetter broke words at line ends; rows read the joined words.
    pages, _, _ = read_lines(path)
    breaks = []
    for lines in pages:
        for ln, nxt in itertools.pairwise(lines):
            if ln.hyphen:
                head = ln.text.split()[-1].rstrip("-")
                tail = re.match(r"[a-z]+", nxt.text)
                if tail:
                    breaks.append(head + tail.group())
    assert len(breaks) >= 3, "the fixture should break some words at line ends"
    text = " ".join(r["text"] for r in body)
    assert not re.findall(r"[a-z]- [a-z]+", text)  # no "organiza- tion" left
    joined = [w for w in breaks if w in text]
    assert len(joined) >= 0.9 * len(breaks), sorted(set(breaks) - set(joined))[:10]
    assert not doc.qc["structure_warning"]


def test_a_broken_column_layout_is_flagged_by_the_structure_qc(layouts):
    """Read column pages in the PDF's line order without column detection (what happens
    to a layout the detector misses): the QC signal must catch it."""
    path, good = layouts[2]["two"]
    assert good.qc["structure_warning"] == "" and good.qc["mid_sentence_share"] == 0

    def no_columns(pages):
        return [1] * len(pages)

    with mock.patch.object(pdf_module, "order_columns", no_columns):
        broken = extract_document(path)
    n_good = len(_paragraphs(good))
    assert len(_paragraphs(broken)) > 2 * n_good  # lines became rows
    assert broken.qc["mid_sentence_share"] >= 0.3
    assert broken.qc["structure_warning"].startswith("suspicious structure:")
    assert any("suspicious structure" in w for w in broken.qc["warnings"])


def test_columns_written_line_by_line_across_the_page_are_flagged(layouts, tmp_path):
    """Some producers write a two-column page baseline by baseline across both columns;
    PDFium then joins the two columns' lines, so columns cannot be read apart. That must not
    pass silently: the structure QC flags the document."""
    _, blocks, _ = layouts
    doc = extract_document(typeset_seed(tmp_path / "interleaved.pdf", columns=2,
                                        blocks=blocks, interleave=True))
    assert doc.qc["n_column_pages"] == 0
    assert doc.qc["structure_warning"].startswith("suspicious structure:")


def test_a_paragraph_row_too_long_to_be_one_paragraph_is_flagged():
    words = " ".join(["word"] * (pdf_module.LONG_PARAGRAPH_WORDS + 1))
    rows = [{"kind": "paragraph", "text": "Short one.", "_n_lines": 1},
            {"kind": "paragraph", "text": words.capitalize() + ".", "_n_lines": 90}]
    qc = pdf_module.structure_qc(rows, [1])
    assert qc["max_paragraph_words"] == pdf_module.LONG_PARAGRAPH_WORDS + 1
    assert "paragraph breaks were not found" in qc["structure_warning"]
    assert all("_n_lines" not in r for r in rows)
    rows = [{"kind": "paragraph", "text": "Short one.", "_n_lines": 1}]
    assert pdf_module.structure_qc(rows, [1])["structure_warning"] == ""


@pytest.mark.parametrize("source", ["generated", "seed"])
def test_a_study_set_by_typst_reads_the_same_in_one_and_two_columns(source, tmp_path):
    """A second, real typesetter (Typst: its own content order, hyphenation, and footnote
    markers drawn as the font's superscript glyphs at full size on the baseline)."""
    blocks = _blocks(source)
    docs = {n: extract_document(typst_study(tmp_path / f"{n}.pdf", blocks, columns=n))
            for n in (1, 2)}
    one, two = _paragraphs(docs[1]), _paragraphs(docs[2])
    n_source = sum(1 for kind, _ in blocks if kind == "paragraph")
    assert abs(len(one) - n_source) <= 0.05 * n_source, (len(one), n_source)
    assert abs(len(two) - len(one)) <= 0.05 * len(one), (len(two), len(one))
    same = set(one) & set(two)
    assert len(same) >= 0.9 * len(one), [t[:60] for t in one if t not in same][:5]
    assert docs[2].qc["n_column_pages"] >= 1 and docs[1].qc["n_column_pages"] == 0
    markers = sum(len(re.findall(r"\^\d+", text)) for _, text in blocks)
    for doc in docs.values():
        body = [r for r in doc.paragraphs if r["kind"] == "paragraph"]
        refs = sum(len(r["footnote_refs"].split(";")) for r in body if r["footnote_refs"])
        assert refs == markers  # every superscript marker taken out of the text
        assert not [r["text"] for r in body if re.search(r"[a-z][.,’]\d{1,2}(\s|$)", r["text"])]
        assert not [r for r in doc.paragraphs if HEADER in r["text"]]
        assert [r["text"] for r in doc.paragraphs if r["kind"] == "heading"] == [
            t for k, t in blocks if k == "heading"]
        assert doc.qc["structure_warning"] == ""


# ------------------------------------------------------------------- unit level ----

def _line(x0, x1, y, text="word " * 8, fs=10.0, bold=False):
    return Line(1, text.strip(), x0, x1, y, fs, bold)


def test_a_single_column_page_keeps_its_order_and_no_column():
    lines = [_line(72, 523 if i % 4 else 300, 700 - 12 * i) for i in range(30)]
    before = list(lines)
    assert order_columns([lines]) == [1]
    assert lines == before and all(ln.col == 0 for ln in lines)


def test_a_un_masthead_with_right_aligned_lines_is_not_read_as_columns():
    lines = [_line(72, 180, 780, "United Nations"), _line(380, 480, 760, "Distr.: General"),
             _line(380, 470, 748, "12 March 2007"), _line(380, 480, 736, "Original: English")]
    lines += [_line(72, 523, 700 - 12 * i) for i in range(25)]
    assert order_columns([lines]) == [1]
    assert all(ln.col == 0 for ln in lines)


def test_a_table_of_short_cells_is_not_read_as_columns():
    lines = [_line(72, 523, 760 - 12 * i) for i in range(6)]
    for i in range(12):  # two columns of short cells: names and figures
        y = 680 - 12 * i
        lines.append(_line(72, 110 + 7 * (i % 5), y, "Country"))
        lines.append(_line(420, 445, y, str(100 + i)))
    assert order_columns([lines]) == [1]


def test_two_columns_with_a_spanning_heading_are_read_band_by_band():
    lines = []
    # band 1: left then right column, drawn interleaved in the PDF (right first)
    for i in range(6):
        lines.append(_line(308, 523, 760 - 12 * i, f"b1 right {i} " + "w " * 20))
        lines.append(_line(72, 287, 760 - 12 * i, f"b1 left {i} " + "w " * 20))
    lines.append(_line(72, 160, 670, "II. Spanning heading", fs=12, bold=True))
    for i in range(6):
        lines.append(_line(72, 287, 650 - 12 * i, f"b2 left {i} " + "w " * 20))
        lines.append(_line(308, 523, 650 - 12 * i, f"b2 right {i} " + "w " * 20))
    assert order_columns([lines]) == [2]
    order = [ln.text.split(" w")[0] for ln in lines]
    expected = ([f"b1 left {i}" for i in range(6)] + [f"b1 right {i}" for i in range(6)]
                + ["II. Spanning heading"]
                + [f"b2 left {i}" for i in range(6)] + [f"b2 right {i}" for i in range(6)])
    assert order == expected


def test_words_list_has_long_words_for_hyphenation():
    # the generated text needs words the typesetter can break (7+ letters)
    assert sum(1 for w in WORDS if len(w) >= 7) >= 8
