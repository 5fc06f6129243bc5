"""Build the SYNTHETIC demo corpus: PDFs, manifest and ground truth.

Output folder layout (``out_dir``, the workflow passes ``results/demo/``)::

    manifest.csv                 doc_id, path, doc_type, missions, date, title, symbol,
                                 source_url (empty), sha256; path relative to out_dir
    pdfs/<doc_id>.pdf            one PDF per document; doc_ids demo-res-<op>-NN, demo-rep-<op>-NN
    truth/<doc_id>.truth.json    document truth, headings, footnotes, paragraphs with codes
    truth/paragraphs.csv         every truth paragraph of every document, one table

Truth paragraph ``text`` is what a reader sees: words joined by single spaces, line-break
hyphens removed, real hyphens kept, no footnote markers. ``seq`` counts body paragraphs
(headings and front matter excluded); ``para_no`` is the printed number ("3.") or null.
``bank`` is the phrasing bank the paragraph's wording came from: ``tuned`` (the bank the
codebook was refined on) or ``heldout`` (never used to tune it; share set by the spec's
``heldout_share``). A document's ``bank`` is the bank of all its paragraphs, ``mixed`` when
they differ (resolutions draw one bank per document, reports one per paragraph); a report's
``mandate_bank`` is the bank of the resolution in force at its date.

Report truth files also say which mandate the report's true OC activity responded to:
``period_start`` (ISO date the reporting period began: the operation's previous report
date, or for its first report the adoption of its first resolution),
``explicit_mandate_period_start`` (an explicit mandate was in force then: the generator's
treatment, ``rate_ratio ** explicit_mandate_period_start``) and ``period_mandate_symbol``;
``explicit_mandate_in_force`` and ``mandate_symbol`` are the mandate on the report date.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

from analysis.demo.generate import report_document, resolution_document
from analysis.demo.model import CODE_NAMES, Document
from analysis.demo.plan import plan_corpus
from analysis.demo.render import render
from analysis.demo.spec import load_operations, load_spec
from analysis.io import write_csv

MANIFEST_COLUMNS = ["doc_id", "path", "doc_type", "missions", "date", "title", "symbol",
                    "source_url", "sha256"]
PARAGRAPH_COLUMNS = ["doc_id", "doc_type", "seq", "para_no", "page", *CODE_NAMES,
                     "bank", "operations", "text"]


def truth_record(doc: Document) -> dict:
    """The truth file content of a rendered document (pages must be set)."""
    is_res = doc.doc_type == "resolution"
    record = {
        "doc_id": doc.doc_id,
        "doc_type": doc.doc_type,
        "symbol": doc.symbol,
        "date": doc.date.isoformat(),
        "title": doc.title,
        "operations": [doc.operation],
        "synthetic": True,
        "pages": doc.pages,
        "explicit_mandate": doc.meta["explicit_mandate"] if is_res else None,
        "oc_reference": doc.meta["oc_reference"] if is_res else None,
        **{k: v for k, v in doc.meta.items() if k not in ("explicit_mandate", "oc_reference")},
        "headings": [{"number": h.number, "text": h.text, "level": h.level, "page": h.page,
                      "before_seq": h.before_seq} for h in doc.headings],
        "footnotes": [{"marker": marker, "text": text, "seq": p.seq, "page": p.page}
                      for p in doc.paragraphs for _, (marker, text) in sorted(p.footnotes.items())],
        "paragraphs": [{"seq": p.seq, "para_no": p.para_no, "page": p.page, "text": p.text,
                        "operations": [doc.operation], **p.codes, "bank": p.bank}
                       for p in doc.paragraphs],
    }
    return record


def _write_text(path: Path, text: str) -> None:
    # newline="" keeps "\n" on every platform, so bytes do not depend on the OS
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def _write_table(path: Path, columns: list[str], rows: list[dict]) -> None:
    """Rows as a CSV of text cells (:func:`_cell`: booleans ``true``/``false``, lists
    ``;``-joined, None empty), written by :func:`analysis.io.write_csv`."""
    import pandas as pd

    cells = [[_cell(row.get(k)) for k in columns] for row in rows]
    write_csv(pd.DataFrame(cells, columns=columns, dtype=object), path)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(value)
    return str(value)


def build_corpus(spec_path: str | Path, missions_path: str | Path, out_dir: str | Path,
                 log=sys.stderr) -> Path:
    """Generate the demo corpus described by the spec; return the manifest path.

    ``spec_path``: YAML spec (schema workflow/schemas/demo-spec.schema.yaml);
    ``missions_path``: raw/missions.csv (real facts of the operations);
    ``out_dir``: output folder, created if needed; demo files of an earlier build that the
    spec no longer produces are removed. Progress goes to ``log``.
    """
    started = time.perf_counter()
    spec = load_spec(spec_path)
    ops = load_operations(missions_path, spec, spec_path)
    plans = plan_corpus(ops, spec)
    out = Path(out_dir)
    (out / "pdfs").mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    manifest_rows, para_rows, made = [], [], set()
    for plan in plans:
        docs = [resolution_document(plan, res, spec) for res in plan.resolutions]
        previous = None
        for rep in plan.reports:
            docs.append(report_document(plan, rep, spec, previous))
            previous = rep
        for doc in docs:
            pdf = out / "pdfs" / f"{doc.doc_id}.pdf"
            render(doc, pdf, spec["seed"])
            record = truth_record(doc)
            _write_text(out / "truth" / f"{doc.doc_id}.truth.json",
                        json.dumps(record, indent=2, ensure_ascii=False) + "\n")
            made.add(doc.doc_id)
            manifest_rows.append({
                "doc_id": doc.doc_id, "path": f"pdfs/{doc.doc_id}.pdf",
                "doc_type": doc.doc_type, "missions": [doc.operation],
                "date": doc.date.isoformat(), "title": doc.title, "symbol": doc.symbol,
                "source_url": "", "sha256": hashlib.sha256(pdf.read_bytes()).hexdigest()})
            para_rows += [{"doc_id": doc.doc_id, "doc_type": doc.doc_type, **p}
                          for p in record["paragraphs"]]
        print(f"demo: {plan.op.acronym}: {len(plan.resolutions)} resolutions, "
              f"{len(plan.reports)} reports", file=log)
    for stale in list((out / "pdfs").glob("demo-*.pdf")) + list(
            (out / "truth").glob("demo-*.truth.json")):
        if stale.name.split(".")[0] not in made:
            stale.unlink()
    manifest_rows.sort(key=lambda r: r["doc_id"])
    para_rows.sort(key=lambda r: (r["doc_id"], r["seq"]))
    _write_table(out / "truth" / "paragraphs.csv", PARAGRAPH_COLUMNS, para_rows)
    manifest = out / "manifest.csv"
    _write_table(manifest, MANIFEST_COLUMNS, manifest_rows)
    print(f"demo: {len(manifest_rows)} documents, {len(para_rows)} paragraphs in {out} "
          f"({time.perf_counter() - started:.1f} s)", file=log)
    return manifest
