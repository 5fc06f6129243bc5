"""The offline HTML coding form of a coder sheet (analysis.rounds.form).

Unit tests build a form from the hand-made corpus of tests/test_rounds.py (its sheet of 12
paragraphs, one of them with a comma, quotes, a newline and an accent in its text). The
Chromium tests open the page in headless Chromium (tests/browser.py; skipped where it is not
installed): an untouched form saves the exported sheet byte for byte, the page's CSV writer,
reader and value check agree with Python's, and (``workflow``) a coder fills the form of the
demo build's sheet with clicks and keys, and the saved file passes the workflow's sheet check
and changes the round's reliability.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from browser import chromium
from test_rounds import VOCAB, corpus

from analysis.coding.codebook import load_codebook
from analysis.io import read_csv, write_csv, write_parquet
from analysis.problems import Problem
from analysis.rounds.agree import alpha_rows
from analysis.rounds.form import FormError, allowed_variables, build_form
from analysis.rounds.load import load_round, read_sheet
from analysis.rounds.sheet import coder_sheet, sample_paragraphs
from analysis.rounds.steps import main as rounds_main
from analysis.rounds.variables import (
    codebook_table,
    long_codes,
    normalise,
    paragraph_table,
    vocabulary,
)
from analysis.vocab import NONE, NOT_APPLICABLE, VARIABLES

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"
ROUND = "round-2"
TRICKY = 'Looted "heritage", sold abroad;\nthe café owner said: "no".'
DEMO_ROUND = "demo-simulated-coders"


def build_inputs(folder: Path, prefix: str = "") -> dict[str, Path]:
    """Sheet, allowed values, paragraphs, coded paragraphs and documents of the hand-made
    corpus; ``prefix`` goes before every doc_id (``demo-`` makes it a demo corpus)."""
    coded = corpus()
    coded["doc_id"] = prefix + coded["doc_id"]
    coded["para_id"] = prefix + coded["para_id"]
    coded.loc[coded["para_id"] == f"{prefix}rep-4:50", "text"] = TRICKY
    sample = sample_paragraphs(coded, VOCAB, 12, seed=7)
    paths = {name: folder / name for name in ("sheet.csv", "sheet.codebook.csv",
                                               "paragraphs.parquet", "coded.parquet",
                                               "documents.csv")}
    write_csv(coder_sheet(coded, sample, VOCAB), paths["sheet.csv"])
    write_csv(codebook_table(VOCAB), paths["sheet.codebook.csv"])
    write_parquet(coded, paths["coded.parquet"])
    body = coded[["doc_id", "para_seq", "page", "para_no", "text"]].assign(
        kind="paragraph", section="II. Developments")
    # a heading between paragraphs 2 and 3 of every document: never shown as context
    headings = body.drop_duplicates("doc_id").assign(
        para_seq=lambda d: d["para_seq"] * 0 + 1000, kind="heading", text="II. Heading",
        para_no=None)
    write_parquet(pd.concat([body, headings], ignore_index=True), paths["paragraphs.parquet"])
    docs = sorted(set(coded["doc_id"]))
    write_csv(pd.DataFrame({
        "doc_id": docs, "doc_type": ["resolution" if "res" in d else "report" for d in docs],
        "missions": "ALPHA", "date": "2010-01-01", "title": [f"Title of {d}" for d in docs],
        "symbol": [f"S/2010/{i}" for i, _ in enumerate(docs, start=1)]}),
        paths["documents.csv"])
    return paths


def build(paths: dict[str, Path], out: Path) -> str:
    build_form(paths["sheet.csv"], paths["sheet.codebook.csv"], paths["paragraphs.parquet"],
               paths["coded.parquet"], paths["documents.csv"], ROUND, out)
    return out.read_text(encoding="utf-8")


def embedded(page: str) -> dict:
    found = re.search(r'<script id="form-data" type="application/json">(.*?)</script>', page,
                      re.DOTALL)
    assert found, "no embedded data"
    return json.loads(found.group(1))


@pytest.fixture
def inputs(tmp_path: Path) -> dict[str, Path]:
    return build_inputs(tmp_path)


# ---------------------------------------------------------------------- the page's data


def test_form_embeds_every_sheet_row_and_only_the_codebook_csv_values(inputs, tmp_path):
    page = build(inputs, tmp_path / "form.html")
    data = embedded(page)
    sheet = read_csv(inputs["sheet.csv"])
    assert [r["para_id"] for r in data["rows"]] == sheet["para_id"].tolist()
    assert data["columns"] == sheet.columns.tolist()
    assert data["cells"] == sheet.to_numpy().tolist()
    allowed = read_csv(inputs["sheet.codebook.csv"]).set_index("variable")
    assert [v["name"] for v in data["variables"]] == list(VARIABLES)
    for var in data["variables"]:
        assert var["values"] == allowed.loc[var["name"], "allowed_values"].split(" | ")
        assert var["several"] == allowed.loc[var["name"], "several"].startswith("yes")
    assert TRICKY in [r["text"] for r in data["rows"]]
    # the tricky text cannot break out of the embedding script element
    assert page.count("</script>") == 2 and data["round"] == ROUND
    assert "SYNTHETIC DEMO CORPUS" not in page and data["demo"] is False


def test_only_the_variables_of_the_doc_type_are_offered(inputs, tmp_path):
    data = embedded(build(inputs, tmp_path / "form.html"))
    report = ["oc", "activity", "quadrant", "market", "engagement", "negative_reason"]
    resolution = ["oc", "market", "part", "strength", "addressee", "explicit_mandate"]
    types = Counter(r["doc_type"] for r in data["rows"])
    assert types["report"] and types["resolution"]
    for row, cells in zip(data["rows"], data["cells"], strict=True):
        applies = report if row["doc_type"] == "report" else resolution
        assert row["applies"] == applies
        for name in VARIABLES:  # the sheet's n/a cells are kept for the other variables
            cell = cells[data["columns"].index(name)]
            assert cell == ("" if name in applies else NOT_APPLICABLE)


def test_context_is_the_body_paragraph_before_and_after(inputs, tmp_path):
    rows = {r["para_id"]: r for r in embedded(build(inputs, tmp_path / "form.html"))["rows"]}
    last = rows["rep-4:50"]  # the last paragraph of rep-4: nothing after it (the heading
    assert last["after"] is None  # at para_seq 1000 is not a paragraph)
    assert last["before"] == {"page": 6, "para_no": "49", "text": "Paragraph 51 of rep-4."}
    assert last["section"] == "II. Developments"


def test_automated_codes_are_those_of_the_coded_paragraphs(inputs, tmp_path):
    data = embedded(build(inputs, tmp_path / "form.html"))
    long = long_codes(pd.read_parquet(inputs["coded.parquet"]), VOCAB)
    for row in data["rows"]:
        expect = long[long["para_id"] == row["para_id"]]
        assert row["automated"] == dict(zip(expect["variable"], expect["value"], strict=True))
    assert data["rows"][-1]["automated"]["explicit_mandate"] in ("true", "false")


def test_the_same_inputs_give_the_same_bytes_without_paths(inputs, tmp_path):
    first = build(inputs, tmp_path / "a.html")
    second = build(inputs, tmp_path / "b" / "a.html")
    assert first == second
    assert str(tmp_path) not in first
    assert embedded(first)["checksum"] == hashlib.sha256(
        inputs["sheet.csv"].read_bytes()).hexdigest()[:16]


def test_a_demo_sheet_shows_the_synthetic_banner(tmp_path):
    paths = build_inputs(tmp_path, prefix="demo-")
    page = build(paths, tmp_path / "form.html")
    assert embedded(page)["demo"] is True
    assert 'class="banner"' in page and "SYNTHETIC DEMO CORPUS" in page


def test_the_codebook_csv_gives_the_variables_of_the_codebook(inputs):
    problems: list[Problem] = []
    read = allowed_variables(inputs["sheet.codebook.csv"], problems)
    assert problems == []
    for name in VARIABLES:
        assert read[name].allowed == VOCAB[name].allowed
        assert read[name].doc_types == VOCAB[name].doc_types
        assert (read[name].several, read[name].binary) == (VOCAB[name].several,
                                                          VOCAB[name].binary)


def test_errors_name_the_file_line_and_column(inputs, tmp_path):
    sheet = read_csv(inputs["sheet.csv"])
    sheet.loc[3, "para_id"] = "rep-9:1"
    sheet.loc[5, "market"] = "cocaine"
    write_csv(sheet, inputs["sheet.csv"])
    with pytest.raises(FormError) as err:
        build(inputs, tmp_path / "form.html")
    text = str(err.value)
    assert f"{inputs['sheet.csv']}:5: column 'para_id': 'rep-9:1' is not a paragraph" in text
    assert f"{inputs['sheet.csv']}:7: column 'market': 'cocaine' not allowed" in text

    allowed = read_csv(inputs["sheet.codebook.csv"]).drop(columns="applies_to")
    write_csv(allowed, inputs["sheet.codebook.csv"])
    with pytest.raises(FormError, match=r"sheet.codebook.csv:1: column 'applies_to'"):
        build(inputs, tmp_path / "form.html")


def test_a_half_filled_sheet_starts_with_its_codes(inputs, tmp_path):
    sheet = read_csv(inputs["sheet.csv"])
    first = sheet["doc_type"].eq("report").idxmax()
    sheet.loc[first, ["oc", "market", "comment"]] = ["yes", "Gangs, drugs", "seen"]
    write_csv(sheet, inputs["sheet.csv"])
    data = embedded(build(inputs, tmp_path / "form.html"))
    pid = sheet.loc[first, "para_id"]
    assert data["initial"] == {pid: {"oc": "true", "market": "drugs;gangs"}}
    assert data["comments"] == {pid: "seen"}


def test_command_line_writes_the_form_and_reports_a_missing_file(inputs, tmp_path, capsys):
    args = ["form", "--sheet", str(inputs["sheet.csv"]),
            "--allowed", str(inputs["sheet.codebook.csv"]),
            "--paragraphs", str(inputs["paragraphs.parquet"]),
            "--coded", str(inputs["coded.parquet"]),
            "--documents", str(inputs["documents.csv"]), "--round", ROUND,
            "--out", str(tmp_path / "forms" / f"{ROUND}.html")]
    assert rounds_main(args) == 0
    assert "coding form of 12 paragraphs" in capsys.readouterr().err
    assert (tmp_path / "forms" / f"{ROUND}.html").stat().st_size > 10_000
    args[args.index("--documents") + 1] = str(tmp_path / "nowhere.csv")
    assert rounds_main(args) == 1
    assert "nowhere.csv" in capsys.readouterr().err


# ---------------------------------------------------------------------- in Chromium


def open_form(driver, page: Path) -> None:
    driver.get(page.as_uri())
    driver.execute_script("localStorage.clear()")
    driver.get(page.as_uri())


def test_untouched_form_saves_the_exported_sheet_byte_for_byte(inputs, tmp_path):
    page = tmp_path / "form.html"
    build(inputs, page)
    with chromium() as driver:
        open_form(driver, page)
        saved = driver.execute_script("return window.codingForm.sheetCsv()")
    assert saved.encode("utf-8") == inputs["sheet.csv"].read_bytes()


def test_work_is_kept_in_the_browser_per_round_and_sheet(inputs, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    page = tmp_path / "form.html"
    data = embedded(build(inputs, page))
    with chromium() as driver:
        open_form(driver, page)
        assert driver.find_element(By.ID, "progress").text == "0 of 12 coded"
        ActionChains(driver).send_keys("1").perform()  # oc = true, by key
        driver.find_element(By.ID, "coder").send_keys("ben")
        driver.get(page.as_uri())  # closed and opened again
        keys = driver.execute_script("return Object.keys(localStorage)")
        pressed = driver.find_element(
            By.CSS_SELECTOR, '#codes button[data-var="oc"][data-value="true"]')
        assert pressed.get_attribute("aria-pressed") == "true"
        assert driver.find_element(By.ID, "coder").get_attribute("value") == "ben"
        assert "1 started" in driver.find_element(By.ID, "progress").text
        assert "Restored" in driver.find_element(By.ID, "status").text
    assert keys == [f"coding-form:{ROUND}:{data['checksum']}"]


def test_page_csv_writer_and_reader_agree_with_python(inputs, tmp_path):
    rows = [["a", "b,c", 'say "hi"', "two\nlines", "", " lead", "café;x"],
            ["1", "", "", "", "", "", ""]]
    buffer = io.StringIO()  # as analysis.io.write_csv (pandas: Python's csv) writes them
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    carriage = [["cr\rhere", "x"]]  # Python leaves a lone CR unquoted; RFC 4180 quotes it
    page = tmp_path / "form.html"
    build(inputs, page)
    with chromium() as driver:
        open_form(driver, page)
        written = driver.execute_script("return window.codingForm.csvText(arguments[0])", rows)
        read = driver.execute_script("return window.codingForm.parseCsv(arguments[0], ',')",
                                     written)
        cr_written = driver.execute_script("return window.codingForm.csvText(arguments[0])",
                                           carriage)
        cr_read = driver.execute_script("return window.codingForm.parseCsv(arguments[0], ',')",
                                        cr_written)
        crlf = driver.execute_script("return window.codingForm.parseCsv(arguments[0], ';')",
                                     'x;"y;z"\r\n\r\n1;2\r\n')
        checks = {}
        for name, cells in {"oc": ["Yes", "n", "maybe"],
                            "market": ["Gangs, drugs", "none;drugs", "cocaine", " ",
                                       "Human-Trafficking"],
                            "engagement": ["assist;monitor", "NONE"]}.items():
            for cell in cells:
                checks[(name, cell)] = driver.execute_script(
                    "return window.codingForm.normalise(arguments[0], arguments[1])", name, cell)
    assert written == buffer.getvalue()
    assert read == rows
    assert cr_written == '"cr\rhere",x\n' and cr_read == carriage
    assert list(csv.reader(io.StringIO(written, newline=""))) == rows
    assert crlf == [["x", "y;z"], ["1", "2"]]
    for (name, cell), (value, why) in checks.items():
        assert (value, why) == normalise(VOCAB[name], cell), (name, cell)


def test_a_loaded_csv_resumes_and_reports_bad_cells_as_the_workflow(inputs, tmp_path):
    sheet = read_csv(inputs["sheet.csv"])
    reports = sheet.index[sheet["doc_type"] == "report"].tolist()
    resolution = sheet.index[sheet["doc_type"] == "resolution"][0]
    sheet.loc[reports[0], ["oc", "activity", "market"]] = ["yes", "no", "drugs, gangs"]
    sheet.loc[reports[1], "market"] = "cocaine"
    sheet.loc[resolution, "quadrant"] = "direct_drivers"
    filled = tmp_path / "ana.csv"
    write_csv(sheet, filled)
    problems: list[Problem] = []
    read_sheet(filled, ROUND, paragraph_table(pd.read_parquet(inputs["coded.parquet"])),
               VOCAB, problems)
    expected = [str(Problem("ana.csv", p.line, p.column, p.message)) for p in problems]
    assert len(expected) == 2
    page = tmp_path / "form.html"
    build(inputs, page)
    from selenium.webdriver.common.by import By

    with chromium() as driver:
        open_form(driver, page)
        driver.find_element(By.ID, "load").send_keys(str(filled))
        time.sleep(0.3)
        shown = [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#problem-list li")]
        coder = driver.find_element(By.ID, "coder").get_attribute("value")
        codes = driver.execute_script(
            "return JSON.parse(localStorage.getItem(Object.keys(localStorage)[0])).codes")
    assert shown == expected
    assert coder == "ana"
    assert codes == {sheet.loc[reports[0], "para_id"]: {"oc": "true", "activity": "false",
                                                       "market": "drugs;gangs"}}


# ---------------------------------------------------------------------- the demo round


def majority(sheets: list[Path]) -> dict[tuple[str, str], str]:
    votes: dict[tuple[str, str], Counter] = {}
    for path in sheets:
        for rec in read_csv(path).to_dict("records"):
            for name in VARIABLES:
                cell = rec[name].strip()
                if cell and cell != NOT_APPLICABLE:
                    votes.setdefault((rec["para_id"], name), Counter())[cell] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items()}


def wait_for(path: Path, seconds: float = 15) -> Path:
    end = time.time() + seconds
    while time.time() < end:
        if path.exists() and not list(path.parent.glob("*.crdownload")):
            return path
        time.sleep(0.2)
    raise AssertionError(f"{path} was not downloaded")


@pytest.mark.workflow
def test_a_coder_fills_the_demo_form_and_the_saved_sheet_changes_reliability(demo_build,
                                                                            tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    results = demo_build / "results"
    sheet_path = results / "coding" / "sheets" / f"{DEMO_ROUND}.csv"
    allowed_path = results / "coding" / "sheets" / f"{DEMO_ROUND}.codebook.csv"
    page = tmp_path / "forms" / f"{DEMO_ROUND}.html"
    done = subprocess.run(
        [sys.executable, "-m", "analysis.rounds", "form", "--sheet", str(sheet_path),
         "--allowed", str(allowed_path), "--paragraphs",
         str(results / "extract" / "paragraphs.parquet"),
         "--coded", str(results / "tables" / "coded_paragraphs.parquet"),
         "--documents", str(results / "corpus" / "documents.csv"), "--round", DEMO_ROUND,
         "--out", str(page)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(SRC)})
    assert done.returncode == 0, done.stderr
    sims = sorted((results / "demo" / "coding" / DEMO_ROUND).glob("*.csv"))
    assert len(sims) == 3
    sheet = read_csv(sheet_path)
    data = embedded(page.read_text(encoding="utf-8"))
    variables = {v["name"]: v for v in data["variables"]}
    votes = majority(sims)
    # The plan: paragraphs 1-2 by clicks, 3 and the first resolution by keys; every value the
    # simulated coders' majority gave, but oc against it.
    first_res = int(sheet.index[sheet["doc_type"] == "resolution"][0])
    plan: dict[int, dict[str, str]] = {}
    for i in (0, 1, 2, first_res):
        pid = sheet.loc[i, "para_id"]
        codes = {n: votes[(pid, n)] for n in data["rows"][i]["applies"]}
        codes["oc"] = "false" if codes["oc"] == "true" else "true"
        plan[i] = codes

    def labels(name, value):
        return value.split(";") if variables[name]["several"] else [value]

    def key(name, value):
        if value == NONE:
            return "n"
        j = [x for x in variables[name]["values"] if x != NONE].index(value)
        return str(j + 1) if j < 9 else "0"

    download = tmp_path / "download"
    download.mkdir()
    with chromium(download_dir=download) as driver:
        open_form(driver, page)
        body = driver.find_element(By.TAG_NAME, "body")
        assert "SYNTHETIC DEMO CORPUS" in body.text
        assert "0 of 60 coded" in driver.find_element(By.ID, "progress").text
        first = data["rows"][0]
        assert driver.find_element(By.ID, "target").text == first["text"]
        # automated codes: hidden, and not shown before the paragraph is coded
        show = driver.find_element(By.ID, "show")
        assert not show.is_enabled()
        auto_rows = [f"{n} {first['automated'][n]}" for n in first["applies"]]
        assert "Automated codes" not in body.text
        assert not any(r in body.text for r in auto_rows)
        for i in (0, 1):  # by clicks
            driver.find_elements(By.CSS_SELECTOR, "#overview button")[i].click()
            for name, value in plan[i].items():
                for label in labels(name, value):
                    driver.find_element(
                        By.CSS_SELECTOR,
                        f'#codes button[data-var="{name}"][data-value="{label}"]').click()
            if i == 0:
                driver.find_element(By.ID, "comment").send_keys('I disagree, "firmly"')
                driver.find_element(By.ID, "show").click()
                table = driver.find_element(By.ID, "automated").text
                assert "Automated codes of this paragraph" in table
                for name in first["applies"]:
                    assert f"{name} {first['automated'][name]} {plan[0][name]}" in table
        for i in (2, first_res):  # by keys: j moves on, digits choose, arrows go down
            keys = ActionChains(driver)
            driver.find_elements(By.CSS_SELECTOR, "#overview button")[i - 1].click()
            keys.send_keys("j")
            for name, value in plan[i].items():
                for label in labels(name, value):
                    keys.send_keys(key(name, label))
                if variables[name]["several"]:
                    keys.send_keys("\ue015")  # ArrowDown: a several-value variable stays
            keys.perform()
            assert driver.find_element(By.CSS_SELECTOR, "h2 .muted").text == \
                sheet.loc[i, "para_id"]
        assert driver.find_element(By.ID, "progress").text == "4 of 60 coded"
        driver.find_element(By.ID, "coder").send_keys("form-coder")
        driver.find_element(By.ID, "save").click()
        saved = wait_for(download / "form-coder.csv")
        driver.save_screenshot(str(tmp_path / "form.png"))

    # exactly the sheet's layout: same header and rows; untouched rows unchanged
    lines = saved.read_text(encoding="utf-8").splitlines()
    exported = sheet_path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == exported[0] and len(lines) == len(exported)
    back = read_csv(saved)
    assert back["para_id"].tolist() == sheet["para_id"].tolist()
    untouched = [i for i in range(len(sheet)) if i not in plan]
    assert back.loc[untouched].equals(sheet.loc[untouched])
    assert back.loc[0, "comment"] == 'I disagree, "firmly"'

    # it passes the workflow's sheet check, with exactly the codes given
    coded = pd.read_parquet(results / "tables" / "coded_paragraphs.parquet")
    paragraphs = paragraph_table(coded)
    vocab = vocabulary(load_codebook(REPO / "workflow" / "codebooks" / "oc-v2.yaml"))
    problems: list[Problem] = []
    long = read_sheet(saved, DEMO_ROUND, paragraphs, vocab, problems)
    assert problems == []
    assert set(zip(long["para_id"], long["variable"], long["value"], strict=True)) == {
        (sheet.loc[i, "para_id"], n, v) for i, codes in plan.items() for n, v in codes.items()}

    # and it changes the round's reliability: oc coded against the majority lowers alpha
    def oc_alpha(sheets):
        codes, _ = load_round(sheets, DEMO_ROUND, paragraphs, vocab)
        rows = alpha_rows(codes, DEMO_ROUND, vocab)
        return next(r for r in rows if r["variable"] == "oc" and r["label"] == "")
    before, after = oc_alpha(sims), oc_alpha([*sims, saved])
    assert (before["n_coders"], after["n_coders"]) == (3, 4)
    assert after["alpha"] < before["alpha"]
