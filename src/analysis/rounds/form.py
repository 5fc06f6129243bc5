"""The offline HTML coding form of a coder sheet: one self-contained page per sheet.

:func:`build_form` lays an exported coder sheet (:mod:`analysis.rounds.sheet`) out for a
human coder as ONE HTML file with its data embedded (no server, no network, no file beside
it), so it can be e-mailed and opened by double-click in any browser:

- one paragraph at a time: its text, the paragraph before and after it in its document
  (``paragraphs.parquet``, by ``para_seq``, body paragraphs only), the section heading, the
  document (symbol, title, doc_type, date from ``documents.csv``), page, printed para_no and
  operations;
- every variable that applies to the paragraph's doc_type (``applies_to`` of the sheet's
  ``<round>.codebook.csv``), its allowed values as buttons, exactly those of the codebook
  CSV (one click selects the value of a one-value variable; a variable that takes several
  values toggles each); variables that do not apply are not shown and their cells stay as
  the sheet has them (``n/a``); a comment field;
- keyboard shortcuts, progress, autosave in the browser (``localStorage``, keyed by the
  round and the sheet's checksum), "Load a saved CSV" to resume, with every problem of the
  loaded file listed by line and column as :mod:`analysis.rounds.load` words them;
- "Save CSV" downloads ``<coder>.csv`` in exactly the sheet's layout (same columns, same
  order, same rows; codes written as :func:`analysis.rounds.variables.normalise` returns
  them; uncoded cells empty; RFC 4180 quoting, UTF-8, ``\\n`` line ends as
  :func:`analysis.io.write_csv` writes): an untouched form saves the exported sheet byte
  for byte, and a coded one passes :func:`analysis.rounds.load.read_sheet` unchanged;
- the automated codes (``coded_paragraphs.parquet``, in the long format of
  :func:`analysis.rounds.variables.long_codes`) are hidden, and can be shown for a
  paragraph only once every variable of it is coded, so coders are not anchored;
- a "SYNTHETIC DEMO CORPUS" banner when a document id of the sheet starts with ``demo-``.

Same inputs => the same bytes (no timestamps, no absolute paths; JSON with sorted keys).
The templates are package data beside this module (``form_assets/``).
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from pathlib import Path
from string import Template

import pandas as pd

from analysis.io import read_csv, read_parquet
from analysis.problems import Problem, ProblemsError
from analysis.rounds.variables import Variable, long_codes, normalise, paragraph_table
from analysis.vocab import FALSE, NONE, NOT_APPLICABLE, TRUE, VARIABLES

ASSETS = Path(__file__).with_name("form_assets")
DEMO_PREFIX = "demo-"
# Columns the form needs in each input (others are kept or ignored).
SHEET_NEEDS = ["para_id", "doc_id", "doc_type", "page", "para_no", "para_seq", "text",
               *VARIABLES]
ALLOWED_NEEDS = ["variable", "applies_to", "allowed_values", "several"]
PARAGRAPH_NEEDS = ["doc_id", "para_seq", "page", "para_no", "text"]
DOCUMENT_NEEDS = ["doc_id", "doc_type", "date", "title", "symbol"]
# Only body paragraphs are context (not the front page, titles or footnotes).
BODY_KIND = "paragraph"


class FormError(ProblemsError):
    """The inputs of a coding form are inconsistent; ``.problems`` lists every problem."""

    subject = "the coding form's inputs"


def _missing(columns, need: list[str], path, problems: list[Problem], what: str) -> bool:
    missing = [c for c in need if c not in columns]
    if missing:
        problems.append(Problem(str(path), 1, ", ".join(missing),
                                f"missing column(s); {what}"))
    return bool(missing)


def allowed_variables(path: str | Path, problems: list[Problem]) -> dict[str, Variable]:
    """The variables of a sheet's ``<round>.codebook.csv``
    (:func:`analysis.rounds.variables.codebook_table`) as :class:`Variable` objects: the
    doc types of ``applies_to``, the values of ``allowed_values`` in their order, several
    values when ``several`` says yes; ``true | false`` is a binary variable."""
    table = read_csv(path)
    if _missing(table.columns, ALLOWED_NEEDS, path, problems,
                "use the <round>.codebook.csv exported with the sheet"):
        return {}
    out: dict[str, Variable] = {}
    for i, rec in enumerate(table.to_dict("records")):
        line, name = i + 2, rec["variable"].strip()
        if name not in VARIABLES:
            problems.append(Problem(str(path), line, "variable", f"{name!r} is not a coded "
                                    f"variable; use one of {', '.join(VARIABLES)}"))
            continue
        if name in out:
            problems.append(Problem(str(path), line, "variable", f"{name} is listed twice"))
            continue
        allowed = tuple(v.strip() for v in rec["allowed_values"].split("|") if v.strip())
        doc_types = tuple(t.strip() for t in rec["applies_to"].split(";") if t.strip())
        if not allowed:
            problems.append(Problem(str(path), line, "allowed_values", f"{name} has no "
                                    "allowed value; export the sheet again"))
            continue
        if not doc_types:
            problems.append(Problem(str(path), line, "applies_to", f"{name} applies to no "
                                    "document type; export the sheet again"))
            continue
        binary = set(allowed) == {TRUE, FALSE}
        out[name] = Variable(
            name, doc_types, () if binary else tuple(v for v in allowed if v != NONE),
            binary=binary, several=rec["several"].strip().lower().startswith("yes"),
            allow_none=NONE in allowed, meaning=rec.get("meaning", "").strip())
    absent = [v for v in VARIABLES if v not in out]
    if absent and not problems:
        problems.append(Problem(str(path), None, "variable", f"no row for {', '.join(absent)}; "
                                "use the <round>.codebook.csv exported with the sheet"))
    return out


def _context(paragraphs: pd.DataFrame, sheet: pd.DataFrame, path,
             problems: list[Problem], sheet_path) -> list[dict]:
    """Section, previous and next body paragraph of every sheet row."""
    docs = set(sheet["doc_id"])
    body = paragraphs[paragraphs["doc_id"].isin(docs)]
    if "kind" in body.columns:
        body = body[body["kind"] == BODY_KIND]
    body = body.sort_values(["doc_id", "para_seq"], kind="stable")
    by_doc = {d: g.reset_index(drop=True) for d, g in body.groupby("doc_id", sort=False)}

    def brief(rec) -> dict:
        no = rec["para_no"]
        return {"page": int(rec["page"]), "para_no": "" if pd.isna(no) else str(no),
                "text": str(rec["text"])}

    out = []
    for i, (doc, seq) in enumerate(zip(sheet["doc_id"], sheet["para_seq"], strict=True)):
        if not str(seq).strip().isdigit():
            problems.append(Problem(str(sheet_path), i + 2, "para_seq", (
                f"{seq!r} is not a whole number; keep the para_seq of the exported sheet")))
            out.append({})
            continue
        group = by_doc.get(doc)
        where = [] if group is None else group.index[group["para_seq"] == int(seq)].tolist()
        if not where:
            problems.append(Problem(str(sheet_path), i + 2, "para_seq", (
                f"paragraph {seq} of {doc} is not a body paragraph of {path}; build the form "
                "from the paragraphs of the run that exported the sheet")))
            out.append({})
            continue
        k = where[0]
        rec = group.loc[k]
        section = rec.get("section") if "section" in group.columns else None
        out.append({
            "before": brief(group.loc[k - 1]) if k > 0 else None,
            "after": brief(group.loc[k + 1]) if k + 1 < len(group) else None,
            "section": "" if section is None or pd.isna(section) else str(section)})
    return out


def form_data(sheet_path: str | Path, allowed_path: str | Path, paragraphs_path: str | Path,
              coded_path: str | Path, documents_path: str | Path,
              round_name: str) -> dict:
    """Everything the page shows, as one JSON-ready dict; :class:`FormError` lists every
    problem of the inputs with its file, line and column."""
    problems: list[Problem] = []
    raw = Path(sheet_path).read_bytes()
    sheet = read_csv(sheet_path)
    vocab = allowed_variables(allowed_path, problems)
    _missing(sheet.columns, SHEET_NEEDS, sheet_path, problems,
             "build the form from the sheet the workflow exported")
    paragraphs = read_parquet(paragraphs_path)
    _missing(paragraphs.columns, PARAGRAPH_NEEDS, paragraphs_path, problems,
             "use the extraction step's paragraphs.parquet")
    documents = read_csv(documents_path)
    _missing(documents.columns, DOCUMENT_NEEDS, documents_path, problems,
             "use the corpus step's documents.csv")
    coded = read_parquet(coded_path)
    if "para_id" not in coded.columns:
        problems.append(Problem(str(coded_path), None, "para_id", "missing column; rebuild "
                                "it with the coding step (rule code_paragraphs)"))
    if problems:
        raise FormError(problems)

    known = paragraph_table(coded)
    docs = documents.set_index("doc_id")
    rows, initial, comments = [], {}, {}
    for i, rec in enumerate(sheet.to_dict("records")):
        line, pid = i + 2, rec["para_id"].strip()
        if pid not in known.index:
            problems.append(Problem(str(sheet_path), line, "para_id", (
                f"{pid!r} is not a paragraph of {coded_path}; build the form from the run "
                "that exported the sheet")))
            continue
        if rec["doc_id"] not in docs.index:
            problems.append(Problem(str(documents_path), None, "doc_id", (
                f"no row for {rec['doc_id']!r} (sheet {sheet_path} line {line})")))
        applies = [v for v in VARIABLES if vocab[v].applies(rec["doc_type"])]
        for name in applies:  # a sheet given back half filled: its codes are the start
            cell = rec[name].strip()
            if not cell or cell.lower() == NOT_APPLICABLE:
                continue
            value, why = normalise(vocab[name], cell)
            if why:
                problems.append(Problem(str(sheet_path), line, name, why))
            else:
                initial.setdefault(pid, {})[name] = value
        if rec.get("comment", ""):
            comments[pid] = rec["comment"]
        rows.append({"para_id": pid, "doc_id": rec["doc_id"], "doc_type": rec["doc_type"],
                     "page": rec["page"], "para_no": rec["para_no"],
                     "operations": rec.get("operations", ""), "text": rec["text"],
                     "applies": applies})
    if problems:
        raise FormError(problems)
    for row, ctx in zip(rows, _context(paragraphs, sheet, paragraphs_path, problems,
                                       sheet_path), strict=True):
        row.update(ctx)
    if problems:
        raise FormError(problems)

    ids = [r["para_id"] for r in rows]
    subset = coded[coded["para_id"].isin(set(ids))]
    automated: dict[str, dict[str, str]] = {}
    for rec in long_codes(subset, vocab).itertuples():
        automated.setdefault(rec.para_id, {})[rec.variable] = rec.value
    for row in rows:
        row["automated"] = automated.get(row["para_id"], {})
    doc_ids = sorted({r["doc_id"] for r in rows})
    return {
        "round": round_name,
        "sheet": Path(sheet_path).name,
        "checksum": hashlib.sha256(raw).hexdigest()[:16],
        "columns": list(sheet.columns),
        "cells": [list(map(str, r)) for r in sheet.itertuples(index=False, name=None)],
        "rows": rows,
        "initial": initial,
        "comments": comments,
        "variables": [{"name": v.name, "values": list(v.allowed),
                       "several": v.several, "binary": v.binary, "labels": list(v.labels),
                       "applies_to": list(v.doc_types), "meaning": v.meaning}
                      for v in (vocab[n] for n in VARIABLES)],
        "documents": {d: {c: str(docs.loc[d, c]) for c in DOCUMENT_NEEDS if c != "doc_id"}
                      for d in doc_ids},
        "demo": any(d.startswith(DEMO_PREFIX) for d in doc_ids),
    }


def _script_json(data: dict) -> str:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>`` and ``&``
    escaped so no text of the corpus can close the element."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render(data: dict) -> str:
    """The HTML page of :func:`form_data`'s dict."""
    page = Template((ASSETS / "form.html").read_text(encoding="utf-8"))
    title = f"Coding form: round {data['round']} ({data['sheet']})"
    banner = ('<div class="banner" role="note">SYNTHETIC DEMO CORPUS: the documents of this '
              'sheet are generated for testing, not United Nations documents.</div>'
              if data["demo"] else "")
    return page.substitute(
        title=html.escape(title), banner=banner,
        css=(ASSETS / "form.css").read_text(encoding="utf-8"),
        js=(ASSETS / "form.js").read_text(encoding="utf-8"),
        data=_script_json(data), round=html.escape(data["round"]),
        sheet=html.escape(data["sheet"]), n=len(data["rows"]))


def build_form(sheet: str | Path, allowed: str | Path, paragraphs: str | Path,
               coded: str | Path, documents: str | Path, round_name: str,
               out: str | Path) -> int:
    """Write the coding form of ``sheet`` to ``out``; returns its number of paragraphs."""
    data = form_data(sheet, allowed, paragraphs, coded, documents, round_name)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(render(data), encoding="utf-8", newline="\n")
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
    return len(data["rows"])


__all__ = ["FormError", "allowed_variables", "build_form", "form_data",
           "render"]
