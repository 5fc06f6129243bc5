"""The static evidence browser (analysis.browser): what a reviewer checks on the site.

Unit tests build the site from small hand-made tables; the workflow test builds it from the
demo build's tables and clicks through it in headless Chromium (tests/browser.py)."""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest

from analysis.browser.load import BrowserInputError
from analysis.browser.render import highlight, merge_spans
from analysis.browser.site import build
from analysis.figures.data import operation_quadrant_counts, quadrant_market_counts
from analysis.ids import evidence_paragraphs

REPO = Path(__file__).resolve().parents[1]
MISSIONS = REPO / "raw" / "missions.csv"

TEXT_A = 'The Mission seized <5 kg> of cocaine & "heroin" from drug traffickers in Gao.'
TEXT_B = "The Council voiced concern that arms trafficking persists in the north."
TEXT_C = "Requests MINUSMA to support national efforts against organized crime."
TEXT_D = "UNMIL trained customs officers to detect drugs and arms at the border."
TEXT_E = "MINUSMA helped destroy seized cocaine stocks with the authorities."


def _span(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def paragraph(pid, doc, page, para_no, seq, doc_type, ops, text, oc=True, activity=None,
              quadrants="", markets="", engagement="", negative_reason="", part="",
              explicit=None):
    return {"para_id": pid, "doc_id": doc, "page": page, "para_no": para_no, "para_seq": seq,
            "doc_type": doc_type, "date": "2015-03-01", "operations": ops, "part": part,
            "verb": "Requests" if part else None, "strength": "requested" if part else None,
            "addressee": "operation" if part else None, "oc": oc, "activity": activity,
            "quadrants": quadrants, "markets": markets, "engagement": engagement or None,
            "negative_reason": negative_reason or None, "explicit_mandate": explicit,
            "char_start": 0, "text": text, "codebook_version": "test"}


def evidence_rows(pid, op, text, items):
    """items: (variable, value, word, nth occurrence)."""
    rows, k = [], {}
    for variable, value, word, nth in items:
        k[variable] = k.get(variable, 0) + 1
        s, e = _span(text, word, nth)
        rows.append({"evidence_id": f"{pid}:{variable}:{k[variable]}", "doc_id": pid.split(":")[0],
                     "page": 1, "para_no": "", "para_seq": 1, "operation": op,
                     "variable": variable, "value": value, "span_start": s, "span_end": e,
                     "doc_start": s, "doc_end": e, "matched": text[s:e], "ocr": False,
                     "codebook_version": "test"})
    return rows


@pytest.fixture
def tables(tmp_path) -> dict:
    """Small tables of two operations, the PDFs (empty files) under ``root``."""
    root = tmp_path / "root"
    coded = pd.DataFrame([
        paragraph("rep-a:3", "rep-a", 2, "3", 10, "report", "MINUSMA", TEXT_A, activity=True,
                  quadrants="direct_consequences", markets="drugs", engagement="implement"),
        paragraph("rep-a:4", "rep-a", 2, "4", 11, "report", "MINUSMA", TEXT_B, activity=False,
                  markets="arms_trafficking", negative_reason="concern_only"),
        paragraph("rep-a:5", "rep-a", 3, "5", 12, "report", "MINUSMA", TEXT_E, activity=True,
                  quadrants="direct_consequences", markets="drugs", engagement="assist"),
        paragraph("rep-a:6", "rep-a", 3, "6", 13, "report", "MINUSMA", "Nothing on crime.",
                  oc=False, activity=False),
        paragraph("res-a:s5", "res-a", 1, "", 5, "resolution", "MINUSMA", TEXT_C,
                  part="operative", explicit=True),
        paragraph("rep-b:2", "rep-b", 1, "2", 4, "report", "UNMIL", TEXT_D, activity=True,
                  quadrants="direct_consequences;indirect_drivers",
                  markets="drugs;arms_trafficking", engagement="assist"),
    ])
    coded["activity"] = coded["activity"].astype("boolean")
    coded["explicit_mandate"] = coded["explicit_mandate"].astype("boolean")
    evidence = pd.DataFrame(
        evidence_rows("rep-a:3", "MINUSMA", TEXT_A, [
            ("oc", "True", "cocaine", 0), ("oc", "True", "drug traffickers", 0),
            ("market", "drugs", "traffickers", 0), ("market", "drugs", "heroin", 0),
            ("activity", "True", "seized", 0), ("quadrant", "direct_consequences", "seized", 0)])
        + evidence_rows("rep-a:4", "MINUSMA", TEXT_B, [
            ("oc", "True", "arms trafficking", 0), ("negative_reason", "concern_only",
                                                    "concern", 0)])
        + evidence_rows("rep-a:5", "MINUSMA", TEXT_E, [
            ("oc", "True", "cocaine", 0), ("market", "drugs", "cocaine", 0),
            ("quadrant", "direct_consequences", "destroy", 0)])
        + evidence_rows("res-a:s5", "MINUSMA", TEXT_C, [("oc", "True", "organized crime", 0)])
        + evidence_rows("rep-b:2", "UNMIL", TEXT_D, [
            ("market", "drugs", "drugs", 0), ("market", "arms_trafficking", "arms", 0),
            ("quadrant", "direct_consequences", "detect", 0),
            ("quadrant", "indirect_drivers", "trained", 0)]))
    for col in ("span_start", "span_end", "doc_start", "doc_end"):
        evidence[col] = evidence[col].astype("Int64")

    def ids(pid, variables):
        return ";".join(e for e in evidence["evidence_id"] if e.startswith(pid + ":")
                        and e.split(":")[-2] in variables)

    activity = pd.DataFrame([
        ("MINUSMA", "direct_consequences", "drugs", 2,
         ids("rep-a:3", ("quadrant", "market")) + ";" + ids("rep-a:5", ("quadrant", "market"))),
        ("MINUSMA", "direct_consequences", "arms_trafficking", 0, ""),
        ("UNMIL", "direct_consequences", "drugs", 1, ids("rep-b:2", ("quadrant", "market"))),
        ("UNMIL", "direct_consequences", "arms_trafficking", 1,
         ids("rep-b:2", ("quadrant", "market"))),
        ("UNMIL", "indirect_drivers", "drugs", 1, ids("rep-b:2", ("quadrant", "market"))),
        ("UNMIL", "indirect_drivers", "arms_trafficking", 1,
         ids("rep-b:2", ("quadrant", "market"))),
    ], columns=["operation", "quadrant", "market", "n_paragraphs", "evidence_ids"])
    activity.insert(4, "n_documents", activity["n_paragraphs"].clip(upper=1))
    mandates = pd.DataFrame([
        ("MINUSMA", "res-a", "S/RES/9999 (2013)", "2013-04-25", "2014-06-25", "True", "True",
         "drugs"),
        ("UNMIL", "res-b", "S/RES/9998 (2003)", "2003-09-19", "", "False", "False", ""),
    ], columns=["operation", "resolution", "symbol", "adopted", "in_force_until",
                "explicit_mandate", "oc_reference", "markets"])
    documents = pd.DataFrame([
        ("rep-a", "report", "MINUSMA", "2015-03-01", "Report on Mali", "S/2015/1",
         "raw/pdfs/rep-a.pdf", 3),
        ("res-a", "resolution", "MINUSMA", "2013-04-25", "Resolution 9999", "S/RES/9999",
         "raw/pdfs/res-a.pdf", 2),
        ("rep-b", "report", "UNMIL", "2015-03-01", "Report on Liberia", "S/2015/2",
         "raw/pdfs/rep b.pdf", 1),
    ], columns=["doc_id", "doc_type", "missions", "date", "title", "symbol", "path", "n_pages"])
    for p in documents["path"]:
        (root / p).parent.mkdir(parents=True, exist_ok=True)
        (root / p).write_bytes(b"%PDF-1.4\n")
    paths = {"coded": tmp_path / "coded.parquet", "evidence": tmp_path / "evidence.parquet",
             "activity": tmp_path / "mission_activity.csv",
             "mandates": tmp_path / "mandates.csv", "documents": tmp_path / "documents.csv"}
    coded.to_parquet(paths["coded"], index=False)
    evidence.to_parquet(paths["evidence"], index=False)
    activity.to_csv(paths["activity"], index=False)
    mandates.to_csv(paths["mandates"], index=False)
    documents.to_csv(paths["documents"], index=False)
    return {**paths, "missions": MISSIONS, "root": root, "evidence_df": evidence,
            "activity_df": activity}


def site(tables, out, **kw) -> Path:
    args = {k: tables[k] for k in ("coded", "evidence", "activity", "mandates", "documents",
                                   "missions")}
    return build(**args, out_dir=out, root=tables["root"], **kw)


ARTICLE = re.compile(r'<article class="para[^"]*"[^>]*data-para-id="([^"]+)".*?</article>',
                     re.DOTALL)
MARK = re.compile(r"<mark[^>]*>(.*?)</mark>", re.DOTALL)


def articles(path: Path) -> dict[str, str]:
    """para_id -> the article's HTML, for every paragraph listed on a page."""
    text = path.read_text(encoding="utf-8")
    return {html.unescape(m.group(1)): m.group(0) for m in ARTICLE.finditer(text)}


def listed(first_page: Path) -> list[str]:
    """Paragraph ids listed over a list's pages (first.html, first-2.html ...)."""
    out, k, page = [], 1, first_page
    while page.exists():
        out += list(articles(page))
        k += 1
        page = first_page.with_name(f"{first_page.stem}-{k}.html")
    return out


def marks(article: str) -> list[str]:
    return [html.unescape(m) for m in MARK.findall(article)]


# ---------------------------------------------------------------- highlighting

def test_overlapping_spans_merge_and_text_is_escaped():
    text = 'a <b> & "c" drug traffickers'
    s = text.index("drug")
    spans = [(s, s + 16, "oc=True"), (s + 5, s + 16, "market=drugs"), (2, 5, "x=y")]
    assert merge_spans(spans) == [(2, 5, ["x=y"]), (s, s + 16, ["market=drugs", "oc=True"])]
    out = highlight(text, spans)
    assert out == ('a <mark title="x=y">&lt;b&gt;</mark> &amp; &quot;c&quot; '
                   '<mark title="market=drugs; oc=True">drug traffickers</mark>')
    # spans that only touch stay two marks; a negative_reason span is marked as such
    out = highlight("concern arms", [(0, 7, "negative_reason=concern_only"), (7, 12, "oc=True")])
    assert out.count("<mark") == 2 and '<mark class="neg"' in out


def test_operation_page_marks_matched_words_and_escapes_text(tables, tmp_path):
    out = site(tables, tmp_path / "site")
    page = articles(out / "ops" / "MINUSMA.html")
    a = page["rep-a:3"]
    # "drug traffickers" (oc) and "traffickers" (market) overlap: one mark
    assert marks(a) == ["seized", "cocaine", "heroin", "drug traffickers"]
    assert "seized</mark> &lt;5 kg&gt; of <mark" in a and "</mark> &amp; &quot;<mark" in a
    assert "page 2 · paragraph 3" in a
    assert "rep-a:6" not in page  # not coded: not listed
    assert 'data-para-id="res-a:s5"' in page["res-a:s5"] and "explicit_mandate" in page["res-a:s5"]


def test_pdf_link_is_relative_and_opens_the_page(tables, tmp_path):
    out = site(tables, tmp_path / "deep" / "site")
    for page_file, pid, doc in (("ops/MINUSMA.html", "rep-a:3", "rep-a.pdf"),
                                ("ops/UNMIL.html", "rep-b:2", "rep b.pdf"),
                                ("cells/UNMIL/direct_consequences--drugs.html", "rep-b:2",
                                 "rep b.pdf")):
        a = articles(out / page_file)[pid]
        href = html.unescape(re.search(r'class="pdf" href="([^"]+)"', a).group(1))
        assert not href.startswith("/") and "#page=" in href
        target, _, fragment = href.partition("#")
        resolved = Path(os.path.normpath((out / page_file).parent / unquote(target)))
        assert resolved == (tables["root"] / "raw" / "pdfs" / doc)
        assert resolved.is_file()
        assert fragment == ("page=2" if pid == "rep-a:3" else "page=1")


# ---------------------------------------------------------------- counts behind cells

def _cell_links(page: Path) -> list[tuple[str, int]]:
    text = page.read_text(encoding="utf-8")
    return [(html.unescape(h), int(n)) for h, n in
            re.findall(r'<a href="(cells/[^"]+)" aria-label="[^"]*">(\d+)</a>', text)]


@pytest.mark.parametrize("page_size", [200, 1])
def test_every_cell_lists_exactly_its_paragraphs(tables, tmp_path, page_size):
    out = site(tables, tmp_path / "site", page_size=page_size)
    activity = tables["activity_df"]
    links = dict(_cell_links(out / "matrix.html"))
    nonzero = activity[activity["n_paragraphs"] > 0]
    assert len(links) == len(nonzero)
    for r in nonzero.itertuples():
        target = f"cells/{r.operation}/{r.quadrant}--{r.market}.html"
        assert links[target] == r.n_paragraphs
        ids = listed(out / target)
        assert len(ids) == r.n_paragraphs
        assert set(ids) == evidence_paragraphs(r.evidence_ids)
    # Figures 1 and 2: the numbers of analysis.figures.data, and as many paragraphs listed
    fig1 = operation_quadrant_counts(activity.astype({"n_paragraphs": str}))
    for target, n in _cell_links(out / "fig1.html"):
        op, q = target.split("/")[1], target.split("/")[2].removesuffix(".html")
        assert n == fig1.loc[op, q] == len(listed(out / target))
    fig2 = quadrant_market_counts(activity.astype({"n_paragraphs": str}))
    shown = _cell_links(out / "fig2.html")
    assert sum(n for _, n in shown) == int(fig2.to_numpy().sum())
    for target, n in shown:
        q, m = target.split("/")[2].removesuffix(".html").split("--")
        assert n == fig2.loc[m, q] == len(listed(out / target))
    # the UNMIL paragraph with two markets is counted once in Figure 1's cell
    assert listed(out / "cells/UNMIL/direct_consequences.html") == ["rep-b:2"]


def test_long_operation_pages_are_split_and_anchors_follow(tables, tmp_path):
    out = site(tables, tmp_path / "site", page_size=1)
    pages = sorted(p.name for p in (out / "ops").glob("MINUSMA*.html"))
    assert pages == ["MINUSMA-2.html", "MINUSMA-3.html", "MINUSMA-4.html", "MINUSMA.html"]
    cell = articles(out / "cells/MINUSMA/direct_consequences--drugs-2.html")
    link = re.search(r'href="([^"]+)">on the operation page', next(iter(cell.values())))
    target, _, anchor = html.unescape(link.group(1)).partition("#")
    assert f'id="{anchor}"' in (out / "cells/MINUSMA" / target).resolve().read_text()


# ---------------------------------------------------------------- negatives, errors, bytes

def test_hard_negatives_are_listed_with_their_reason(tables, tmp_path):
    out = site(tables, tmp_path / "site")
    text = (out / "ops" / "MINUSMA.html").read_text(encoding="utf-8")
    assert 'id="negative"' in text
    a = articles(out / "ops" / "MINUSMA.html")["rep-a:4"]
    assert 'data-kind="negative"' in a and 'data-reason="concern_only"' in a
    assert "NOT COUNTED" in a and "concern only: the text voices concern" in a
    assert marks(a) == ["concern", "arms trafficking"]
    assert '<mark class="neg"' in a
    # the reason filter offers every reason; the index counts the negative
    assert '<option value="concern_only">' in text
    assert "hard negatives (not counted): 1" in (out / "index.html").read_text()


def test_missing_column_names_the_file_and_column(tables, tmp_path):
    ev = pd.read_parquet(tables["evidence"]).drop(columns=["span_end"])
    bad = tmp_path / "bad_evidence.parquet"
    ev.to_parquet(bad, index=False)
    with pytest.raises(BrowserInputError, match=r"bad_evidence\.parquet: column 'span_end'"):
        site({**tables, "evidence": bad}, tmp_path / "site")
    act = pd.read_csv(tables["activity"]).drop(columns=["evidence_ids"])
    act.to_csv(tmp_path / "act.csv", index=False)
    result = subprocess.run(
        [sys.executable, "-m", "analysis.browser", "site", "--coded", str(tables["coded"]),
         "--evidence", str(tables["evidence"]), "--activity", str(tmp_path / "act.csv"),
         "--mandates", str(tables["mandates"]), "--documents", str(tables["documents"]),
         "--missions", str(MISSIONS), "--out-dir", str(tmp_path / "cli")],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert result.returncode == 1
    assert "act.csv: column 'evidence_ids' is missing" in result.stderr
    assert not (tmp_path / "cli").exists()


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_two_builds_are_byte_identical(tables, tmp_path):
    out = site(tables, tmp_path / "site")
    first = _tree(out)
    site(tables, tmp_path / "site")  # rebuilt in place
    assert _tree(out) == first
    assert len(first) > 10
    assert all(str(tmp_path) not in b.decode("utf-8") for b in first.values())
    # the synthetic banner only for demo documents
    assert "SYNTHETIC DEMO CORPUS" not in first["index.html"].decode()


# ---------------------------------------------------------------- in Chromium, demo build

@pytest.mark.workflow
def test_demo_site_in_chromium(demo_build, tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from browser import chromium

    results = demo_build / "results"
    missions = demo_build / "raw" / "missions.csv"
    out = tmp_path / "browser"
    command = [
        sys.executable, "-m", "analysis.browser", "site",
        "--coded", str(results / "tables/coded_paragraphs.parquet"),
        "--evidence", str(results / "tables/evidence.parquet"),
        "--activity", str(results / "tables/mission_activity.csv"),
        "--mandates", str(results / "tables/mandates.csv"),
        "--documents", str(results / "corpus/documents.csv"),
        "--missions", str(missions if missions.exists() else MISSIONS),
        "--round", f"demo-simulated-coders={results / 'coding/rounds/demo-simulated-coders'}",
        "--disagreements", str(results / "coding/disagreements.csv"),
        "--root", str(demo_build), "--out-dir", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=demo_build, check=False,
                          env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert done.returncode == 0, done.stderr
    activity = pd.read_csv(results / "tables/mission_activity.csv", keep_default_na=False)
    cell = activity.sort_values(["n_paragraphs", "operation", "quadrant", "market"],
                                ascending=[False, True, True, True]).iloc[0]
    expected = evidence_paragraphs(cell["evidence_ids"])
    assert len(expected) == cell["n_paragraphs"] > 0
    evidence = pd.read_parquet(results / "tables/evidence.parquet")
    evidence["para_id"] = evidence["evidence_id"].str.rsplit(":", n=2).str[0]
    coded = pd.read_parquet(results / "tables/coded_paragraphs.parquet").set_index("para_id")

    from selenium.webdriver.common.by import By

    with chromium() as driver:
        driver.get((out / "matrix.html").as_uri())
        assert "SYNTHETIC DEMO CORPUS" in driver.find_element(By.CSS_SELECTOR, ".banner").text
        target = f"cells/{cell['operation']}/{cell['quadrant']}--{cell['market']}.html"
        link = driver.find_elements(By.CSS_SELECTOR, f'table.matrix a[href="{target}"]')
        assert link, f"matrix.html has no link to {target}"
        assert link[0].text == str(cell["n_paragraphs"])
        link[0].click()
        assert driver.current_url.endswith(target)
        shown = driver.find_elements(By.CSS_SELECTOR, "article.para")
        assert {a.get_attribute("data-para-id") for a in shown} == expected
        assert len(shown) == len(expected)
        for a in shown:
            pid = a.get_attribute("data-para-id")
            rows = evidence[(evidence["para_id"] == pid) & evidence["span_start"].notna()]
            text = coded.loc[pid, "text"]
            spans = [(int(s), int(e), "x") for s, e in zip(rows["span_start"], rows["span_end"])]
            want = [text[s:e] for s, e, _ in merge_spans(spans)]
            got = [m.text for m in a.find_elements(By.TAG_NAME, "mark")]
            assert got == want
            assert all(any(w in g for g in got) for w in rows["matched"])
            # the PDF link opens the document at the paragraph's page
            pdf = a.find_element(By.CSS_SELECTOR, "a.pdf").get_attribute("href")
            path, _, fragment = pdf.partition("#")
            assert fragment == f"page={int(coded.loc[pid, 'page'])}"
            assert Path(unquote(path.removeprefix("file://"))).is_file()
        # the search finds a word of the cell's first paragraph
        pid = min(expected)
        word = evidence.loc[evidence["para_id"] == pid, "matched"].iloc[0]
        driver.get((out / "search.html").as_uri())
        from selenium.webdriver.support.ui import Select, WebDriverWait
        Select(driver.find_element(By.ID, "s-op")).select_by_value(cell["operation"])
        Select(driver.find_element(By.ID, "s-q")).select_by_value(cell["quadrant"])
        Select(driver.find_element(By.ID, "s-m")).select_by_value(cell["market"])
        driver.find_element(By.ID, "s-text").send_keys(word)
        driver.find_element(By.ID, "s-go").click()
        WebDriverWait(driver, 10).until(
            lambda d: "match" in d.find_element(By.ID, "s-count").text)
        hits = [li.get_attribute("data-para-id")
                for li in driver.find_elements(By.CSS_SELECTOR, "#s-results li")]
        assert pid in hits and set(hits) <= expected
        driver.find_element(By.CSS_SELECTOR, f'#s-results li[data-para-id="{pid}"] a').click()
        target = driver.find_element(By.ID, f"p-{pid}")
        assert target.get_attribute("data-para-id") == pid
        # the round page marks disagreements in text, not only colour
        driver.get((out / "rounds" / "demo-simulated-coders.html").as_uri())
        assert driver.find_elements(By.CSS_SELECTOR, "td.dis-coders")
        assert "≠ coders disagree" in driver.find_element(By.TAG_NAME, "main").text
