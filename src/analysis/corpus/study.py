"""The real study's manifest (``raw/study/manifest.csv``) and its gate after fetching.

The study manifest is an ordinary manifest (``analysis.schemas.manifest``) with two more
columns that this module requires:

``source``         the public page(s) where the row's symbol (or official reference) and date
                   were confirmed: one or more ``http(s)://`` addresses separated by ``;``,
                   then optionally `` | `` and a note in our own words
``document_kind``  what the document is (``Security Council resolution``,
                   ``Secretary-General report``, ``EU Council decision`` ...)

A row without a confirmed source does not belong in the manifest: it goes to
``raw/study/to-confirm.csv`` with what is known.

The gate runs after the download step. It counts, per operation and document type, what the
manifest lists, what is on disk and what could not be had (and why), writes that table, and
prints it. When documents are missing it stops the run (exit 1) unless ``allow_missing`` is
set: an analysis of part of the study, silently, would be misleading (an operation whose
reports are missing looks inactive). With ``allow_missing`` it warns and lets the run go on;
the paper then lists the documents it lacks. A document for which no public address is known
(an AU communiqué without a URL: status ``by_hand``) is reported but never stops the run,
since no run could fetch it; it is analysed once its PDF is given with a ``path``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pandas as pd

from analysis.io import read_csv, write_csv
from analysis.missions import MissionsError
from analysis.schemas.manifest import ManifestError, load_manifest, local_path

STUDY_COLUMNS = ("source", "document_kind")
URL = re.compile(r"https?://\S+")
# symbol -> the year it carries: S/RES/1509 (2003), S/2003/875
RES_YEAR = re.compile(r"^S/RES/\d+ \((\d{4})\)$")
REPORT_YEAR = re.compile(r"^S/(\d{4})/\d+(?:/(?:Add|Corr|Rev)\.\d+)*$")
# before 1994 Council documents were numbered without a year: S/26802
OLD_SYMBOL = re.compile(r"^S/\d{4,5}(?:/(?:Add|Corr|Rev)\.\d+)*$")
SUMMARY_COLUMNS = ("operation", "doc_type", "listed", "available", "missing", "offline",
                   "failed", "by_hand")
NO_ADDRESS = "no address"  # how the fetch lock's message starts for such a document


def study_problems(df: pd.DataFrame, path: str | Path = "manifest") -> list[str]:
    """Every problem of a study manifest beyond the ordinary manifest checks, one line each
    (``<path>, line N, column C: ...``; lines as a spreadsheet shows them when the file has
    no blank lines: header = line 1)."""
    problems = []
    for col in STUDY_COLUMNS:
        if col not in df.columns:
            problems.append(f"{path}, column {col}: missing (every study row needs it; see "
                            "raw/study/README.md)")
    if problems:
        return problems
    seen: dict[str, int] = {}
    for i, row in enumerate(df.to_dict("records")):
        line = i + 2
        where = f"{path}, line {line}"
        src = row["source"].split(" | ")[0]
        urls = [u.strip() for u in src.split(";") if u.strip()]
        if not urls or not all(URL.fullmatch(u) for u in urls):
            problems.append(f"{where}, column source: {row['source']!r} must start with the "
                            "http(s) address(es) of the page(s) where the symbol and date were "
                            "confirmed (several separated by ';'), then optionally ' | ' and a "
                            "note; a document without one belongs in to-confirm.csv")
        if not row["document_kind"]:
            problems.append(f"{where}, column document_kind: empty")
        sym = row["symbol"]
        if row["doc_type"] == "study":
            continue
        if not sym:
            problems.append(f"{where}, column symbol: empty (the study cites every document "
                            "by its symbol or official reference)")
            continue
        if sym in seen:
            problems.append(f"{where}, column symbol: {sym} is listed twice (also line "
                            f"{seen[sym]})")
        seen[sym] = line
        year = row["date"][:4]
        # numbered resolutions and numbered documents have a fixed shape; other symbols
        # (S/PRST/2004/1, S/PV.5000) and other organizations' references are not checked
        if sym.startswith("S/RES/") and sym[6:7].isdigit():
            m = RES_YEAR.match(sym)
            if not m:
                problems.append(f"{where}, column symbol: {sym!r} is not written like "
                                "'S/RES/1509 (2003)'")
        elif re.match(r"^S/\d", sym):
            m = REPORT_YEAR.match(sym)
            if OLD_SYMBOL.match(sym):
                if row["date"] >= "1994":
                    problems.append(f"{where}, column symbol: {sym} has no year, as Council "
                                    "documents had only before 1994, but the date is "
                                    f"{row['date']}")
            elif not m:
                problems.append(f"{where}, column symbol: {sym!r} is not written like "
                                "'S/2003/875' or (before 1994) 'S/26802'")
        else:
            m = None
        if m and m.group(1) != year:
            problems.append(f"{where}, column date: symbol {sym} carries the year "
                            f"{m.group(1)} but the date is {row['date']}")
    return problems


def load_study_manifest(path: str | Path, missions: str | Path | None = None) -> pd.DataFrame:
    """The manifest checked as a manifest and as a study manifest; ManifestError lists all."""
    df = load_manifest(path, missions)
    problems = study_problems(df, path)
    if problems:
        raise ManifestError(path, problems)
    return df


def availability(manifest: pd.DataFrame, manifest_dir: str | Path,
                 lock: pd.DataFrame) -> pd.DataFrame:
    """Per document: doc_id, doc_type, missions, symbol, status and message, from the
    manifest, the files on disk and the fetch lock. Status: ``available`` (on disk),
    ``offline`` (not fetched because offline), ``failed`` (the fetch says why), ``by_hand``
    (no public address is known: the PDF must be added by hand, with a ``path``)."""
    by_id = {r["doc_id"]: r for r in lock.to_dict("records")} if len(lock) else {}
    rows = []
    for row in manifest.to_dict("records"):
        entry = by_id.get(row["doc_id"])
        if entry is None:  # not fetched: a local file the manifest names
            path = local_path(row, manifest_dir)
            ok = path is not None and path.is_file()
            status, msg = ("available", "") if ok else ("failed", f"file {path} not found")
        elif entry["status"] in ("downloaded", "reused"):
            status, msg = "available", ""
        elif entry["message"].startswith(NO_ADDRESS):
            status, msg = "by_hand", entry["message"]
        else:
            status, msg = entry["status"], entry["message"]
        rows.append({"doc_id": row["doc_id"], "doc_type": row["doc_type"],
                     "missions": row["missions"], "symbol": row["symbol"],
                     "status": status, "message": msg})
    return pd.DataFrame(rows, columns=["doc_id", "doc_type", "missions", "symbol", "status",
                                       "message"])


def summarise(avail: pd.DataFrame) -> pd.DataFrame:
    """SUMMARY_COLUMNS: per operation and document type, listed / available / missing (of
    which offline / failed / by_hand); a document of several operations counts for each; studies
    without an operation count under ``(study)``. Sorted by operation, doc_type."""
    long = avail.assign(operation=avail["missions"].str.split(";")).explode("operation")
    long["operation"] = long["operation"].fillna("").replace("", "(study)")
    out = (long.assign(available=long["status"].eq("available"),
                       offline=long["status"].eq("offline"),
                       failed=long["status"].eq("failed"),
                       by_hand=long["status"].eq("by_hand"))
           .groupby(["operation", "doc_type"], sort=True)
           .agg(listed=("doc_id", "size"), available=("available", "sum"),
                offline=("offline", "sum"), failed=("failed", "sum"),
                by_hand=("by_hand", "sum"))
           .reset_index())
    out["missing"] = out["listed"] - out["available"]
    return out[list(SUMMARY_COLUMNS)].astype({c: "int64" for c in SUMMARY_COLUMNS[2:]})


def failure_kind(message: str) -> str:
    """``cannot reach undocs.org``, ``HTTP 404 Not Found``, ``not a PDF``, ``not tried``,
    ``wrong document?`` ...: a failure message up to its first ``:`` or `` for ``."""
    return re.split(r":| for ", message, maxsplit=1)[0].strip() or "no reason given"


def blocking(avail: pd.DataFrame) -> pd.Series:
    """Documents whose absence stops the run: not fetched (offline) or failed. A document
    with no public address (``by_hand``) is reported but never stops it: no run could
    fetch it."""
    return avail["status"].isin(["offline", "failed"])


def report_lines(avail: pd.DataFrame, summary: pd.DataFrame, manifest_path: str,
                 allow_missing: bool, max_listed: int = 15) -> list[str]:
    """What the console shows after fetching the study."""
    n, ok = len(avail), int(avail["status"].eq("available").sum())
    count = avail["status"].value_counts()
    missing = avail[avail["status"] != "available"]
    ops = summary.loc[summary["operation"] != "(study)", "operation"].nunique()
    lines = [(f"Study corpus ({manifest_path}): {n} documents on {ops} operations; {ok} "
             f"available, {len(missing)} missing")]
    if len(missing):
        lines[0] += (f" ({count.get('offline', 0)} not fetched because offline, "
                     f"{count.get('failed', 0)} failed, {count.get('by_hand', 0)} to add by "
                     "hand: no public address is known)")
        lines.append("  missing documents by operation and document type "
                     "(listed / available / missing):")
        for r in summary.to_dict("records"):
            if r["missing"]:
                lines.append(f"    {r['operation']:<24} {r['doc_type']:<10} "
                             f"{r['listed']:>4} / {r['available']:>4} / {r['missing']:>4}")
        failed = missing[missing["status"] == "failed"]
        if len(failed):
            kinds = failed["message"].map(failure_kind).value_counts()
            lines.append("  failed downloads by kind: " + ", ".join(
                f"{k} ({n})" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0]))))
        for status, what in (("failed", "failed downloads"),
                             ("by_hand", ("documents to add by hand (download the PDF, give its "
                                         "path in the manifest)"))):
            rows = missing[missing["status"] == status]
            if len(rows):
                lines.append(f"  {what}:")
                for r in rows.head(max_listed).to_dict("records"):
                    why = "" if status == "by_hand" else f": {r['message']}"
                    lines.append(f"    {r['symbol'] or r['doc_id']}{why}")
                if len(rows) > max_listed:
                    lines.append(f"    ... and {len(rows) - max_listed} more (all in "
                                 "results/sources/lock.csv)")
    if blocking(avail).any():
        if allow_missing:
            lines.append(f"  WARNING: allow_missing=true, so the study is built from the {ok} "
                         "documents at hand; the paper lists what is missing. Operations "
                         "whose documents are missing are under-counted.")
        else:
            lines.append("  Nothing was built: an analysis of part of the study would be "
                         "misleading (an operation whose reports are missing looks inactive).")
            lines.append("  To go on: run again with the network (documents already "
                         "downloaded are kept and not asked for again); correct the rows "
                         "whose download failed; or add allow_missing=true to --config to "
                         "build from what is at hand.")
    elif len(missing):
        lines.append("  The documents to add by hand are left out of this build until their "
                     "PDFs are given; the paper lists them.")
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.corpus gate --manifest M --missions T --lock L --out S
    [--allow-missing]``: exit 1 when study documents are missing (unless allowed)."""
    ap = argparse.ArgumentParser(prog="python -m analysis.corpus gate",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True, help="study manifest (raw/study/manifest.csv)")
    ap.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    ap.add_argument("--lock", required=True, help="fetch lock (results/sources/lock.csv)")
    ap.add_argument("--out", required=True, help="summary CSV to write")
    ap.add_argument("--allow-missing", action="store_true",
                    help="warn about missing documents instead of stopping")
    args = ap.parse_args(argv)
    try:
        manifest = load_study_manifest(args.manifest, args.missions)
    except (ManifestError, MissionsError) as err:
        print(err, file=sys.stderr)
        return 1
    lock = read_csv(args.lock)
    avail = availability(manifest, Path(args.manifest).parent, lock)
    summary = summarise(avail)
    for line in report_lines(avail, summary, args.manifest, args.allow_missing):
        print(line, file=sys.stderr)
    if blocking(avail).any() and not args.allow_missing:
        return 1
    write_csv(summary, args.out)
    return 0
