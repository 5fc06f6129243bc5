"""Benchmark the evidence browser at scale (prints, never asserts).

    python benchmarks/bench_browser.py [--results results] [--root .] [--documents 2000 5000]

Reads a demo build's tables (``--results``, default ``results``: run ``snakemake --cores 2``
first; ``--root``: the folder their PDF paths are relative to), replicates them until the
corpus has about the requested numbers of documents (each copy gets distinct doc_ids, hence
distinct para_ids and evidence ids; the mission-activity cells gather the copies' evidence
ids, so counts grow with the copies), builds the site with ``python -m analysis.browser
site`` in a temporary folder, and prints for each size:

- the build time (the whole command: process start, reading, writing);
- the total size of the site, its number of files, its largest page (HTML) and largest file;
- load times in headless Chromium (tests/browser.py's flags): ``index.html``, the largest
  operation page, and ``search.html`` opened and then one search over all operations (every
  data file loaded) until the result count shows.

Load time is the page's ``loadEventEnd - navigationStart`` (Navigation Timing, so the
driver's own overhead is left out); the search time is measured in the page with
``performance.now()`` from the click to the count text.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "src"))


def rename(value: str, doc_ids: set[str], k: int) -> str:
    """``doc:rest`` -> ``doc-rK:rest`` for a document of the corpus (copy 0 keeps its id)."""
    if k == 0:
        return value
    doc, sep, rest = value.partition(":")
    return f"{doc}-r{k}{sep}{rest}" if doc in doc_ids else value


def replicate(results: Path, folder: Path, copies: int) -> dict[str, Path]:
    """The demo tables ``copies`` times over, written into ``folder``."""
    coded = pd.read_parquet(results / "tables/coded_paragraphs.parquet")
    evidence = pd.read_parquet(results / "tables/evidence.parquet")
    activity = pd.read_csv(results / "tables/mission_activity.csv", dtype=str,
                           keep_default_na=False)
    documents = pd.read_csv(results / "corpus/documents.csv", dtype=str, keep_default_na=False)
    docs = set(documents["doc_id"])
    c_parts, e_parts, d_parts = [], [], []
    for k in range(copies):
        c = coded.copy()
        c["para_id"] = [rename(v, docs, k) for v in c["para_id"]]
        c["doc_id"] = [rename(v, docs, k) for v in c["doc_id"]]
        c_parts.append(c)
        e = evidence.copy()
        e["evidence_id"] = [rename(v, docs, k) for v in e["evidence_id"]]
        e["doc_id"] = [rename(v, docs, k) for v in e["doc_id"]]
        e_parts.append(e)
        d = documents.copy()
        d["doc_id"] = [rename(v, docs, k) for v in d["doc_id"]]
        d_parts.append(d)
    a = activity.copy()
    for col in ("n_paragraphs", "n_documents", "n_report_paragraphs", "n_study_paragraphs"):
        if col in a:
            a[col] = (a[col].astype(int) * copies).astype(str)
    a["evidence_ids"] = [";".join(rename(e, docs, k) for k in range(copies)
                                  for e in ids.split(";") if e) for ids in a["evidence_ids"]]
    paths = {"coded": folder / "coded_paragraphs.parquet", "evidence": folder / "evidence.parquet",
             "activity": folder / "mission_activity.csv", "documents": folder / "documents.csv"}
    pd.concat(c_parts, ignore_index=True).to_parquet(paths["coded"], index=False)
    pd.concat(e_parts, ignore_index=True).to_parquet(paths["evidence"], index=False)
    a.to_csv(paths["activity"], index=False)
    pd.concat(d_parts, ignore_index=True).to_csv(paths["documents"], index=False)
    return paths


def load_ms(driver, url: str) -> float:
    driver.get(url)
    return driver.execute_script(
        "var t = performance.timing; return t.loadEventEnd - t.navigationStart;")


def search_ms(driver, url: str) -> tuple[float, str]:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url)
    driver.execute_script(
        "window.__t0 = null; var c = document.getElementById('s-count');"
        "new MutationObserver(function () { if (/match/.test(c.textContent) && !window.__t1)"
        " { window.__t1 = performance.now(); } }).observe(c, {childList: true,"
        " characterData: true, subtree: true});")
    driver.find_element(By.ID, "s-text").send_keys("trafficking")
    driver.execute_script("window.__t0 = performance.now();")
    driver.find_element(By.ID, "s-go").click()
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return !!window.__t1;"))
    ms = driver.execute_script("return window.__t1 - window.__t0;")
    return ms, driver.find_element(By.ID, "s-count").text


def human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--results", default="results", type=Path)
    parser.add_argument("--root", default=".", type=Path)
    parser.add_argument("--missions", type=Path, default=REPO / "raw" / "missions.csv")
    parser.add_argument("--documents", type=int, nargs="+", default=[2000, 5000])
    args = parser.parse_args()
    import pytest
    from browser import browser_missing, chromium

    base = pd.read_csv(args.results / "corpus/documents.csv", dtype=str)
    print(f"demo corpus: {len(base)} documents ({args.results})")
    for target in args.documents:
        copies = max(1, round(target / len(base)))
        with tempfile.TemporaryDirectory(prefix="bench-browser-") as tmp:
            tmp = Path(tmp)
            paths = replicate(args.results, tmp, copies)
            out = tmp / "site"
            command = [sys.executable, "-m", "analysis.browser", "site",
                       "--coded", str(paths["coded"]), "--evidence", str(paths["evidence"]),
                       "--activity", str(paths["activity"]),
                       "--mandates", str(args.results / "tables/mandates.csv"),
                       "--documents", str(paths["documents"]), "--missions", str(args.missions),
                       "--root", str(args.root.resolve()), "--out-dir", str(out)]
            start = time.perf_counter()
            subprocess.run(command, check=True, stderr=subprocess.DEVNULL,
                           env={**os.environ, "PYTHONPATH": str(REPO / "src")})
            build_s = time.perf_counter() - start
            files = [p for p in out.rglob("*") if p.is_file()]
            pages = [p for p in files if p.suffix == ".html"]
            total = sum(p.stat().st_size for p in files)
            biggest = max(pages, key=lambda p: p.stat().st_size)
            largest_file = max(files, key=lambda p: p.stat().st_size)
            ops = [p for p in (out / "ops").glob("*.html")]
            big_op = max(ops, key=lambda p: p.stat().st_size)
            n_par = len(pd.read_parquet(paths["coded"], columns=["para_id"]))
            print(f"\n== {copies} copies: {len(base) * copies} documents, {n_par} paragraphs")
            print(f"build: {build_s:.1f} s; site {human(total)} in {len(files)} files "
                  f"({len(pages)} pages)")
            print(f"largest page: {biggest.relative_to(out)} {human(biggest.stat().st_size)}; "
                  f"largest file: {largest_file.relative_to(out)} "
                  f"{human(largest_file.stat().st_size)}")
            reason = browser_missing()
            if reason:
                print(f"load times skipped: {reason}")
                continue
            try:
                with chromium() as driver:
                    index = load_ms(driver, (out / "index.html").as_uri())
                    op = load_ms(driver, big_op.as_uri())
                    search_load = load_ms(driver, (out / "search.html").as_uri())
                    search, count = search_ms(driver, (out / "search.html").as_uri())
            except pytest.skip.Exception as err:  # pragma: no cover - browser absent
                print(f"load times skipped: {err}")
                continue
            print(f"load index.html: {index:.0f} ms; largest operation page "
                  f"({big_op.name}, {human(big_op.stat().st_size)}): {op:.0f} ms; "
                  f"search.html: {search_load:.0f} ms")
            print(f"one search over all operations ('trafficking'): {search:.0f} ms "
                  f"({count})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
