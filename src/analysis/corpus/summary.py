"""What the corpus stage accepted and quarantined, and why: a short summary for the console.

``python -m analysis.corpus summary --documents results/corpus/documents.csv
--quarantine results/qc/quarantine.csv [--extraction results/qc/extraction.csv]`` prints, to
standard output:

- the documents accepted, by doc_type;
- each quarantined document with its reason; when there are many, one line per kind of
  reason with the documents it concerns; at most :data:`MAX_LINES` lines, then
  ``... and N more, see <quarantine.csv>``;
- with ``--extraction`` (the extraction QC table), the accepted documents that have pages
  without a text layer (text on those pages is lost unless the PDF is OCRed), the pages
  read by OCR, and the documents whose paragraph structure looks broken (the table's
  ``structure_warning``).

A summary is not a check: a missing or unreadable table is said in one line and the command
still exits 0. The workflow calls it at the end of every run, successful or not, so it reads
the tables with the ``csv`` module only (no pandas) and :func:`summary_lines` can be imported
and called directly, e.g. from a Snakefile's ``onsuccess``/``onerror``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from pathlib import Path

from analysis.vocab import DOC_TYPES

MAX_LINES = 20  # lines listing quarantined documents (and, separately, pages without text)
IDS_PER_KIND = 8  # doc_ids shown on one line of the grouped quarantine list

# The kind of a quarantine reason, one list for the console summary and the paper.
# (start of a reason written by analysis.corpus.check, lower case) -> kind printed in the paper.
REASON_KINDS = (
    ("file missing", "missing file"),
    ("download failed", "download failed"),
    ("not downloaded", "not downloaded (offline)"),
    ("empty file", "empty file"),
    ("not a pdf", "not a PDF"),
    ("encrypted pdf", "encrypted PDF"),
    ("pdf has no pages", "no pages"),
    ("corrupt pdf", "corrupt PDF"),
    ("no text layer", "no text layer"),
    ("ocr engine missing", "OCR engine missing"),
    ("checksum mismatch", "checksum mismatch"),
    ("duplicate of", "duplicate of another document"),
)
NO_REASON = "no reason given"
OTHER = "other reason"
KIND_MAX_CHARS = 40  # a longer unforeseen prefix is a sentence, not a kind


def reason_kind(reason: str) -> str:
    """The kind of a quarantine reason: ``"no text layer on any of its 3 page(s) ..."`` ->
    ``"no text layer"``. Unknown reasons give their text before the first ``:``, ``;`` or
    ``(`` (at most :data:`KIND_MAX_CHARS` characters, else :data:`OTHER`)."""
    text = " ".join(str(reason).split())
    low = text.lower()
    for prefix, kind in REASON_KINDS:
        if low.startswith(prefix):
            return kind
    head = text
    for stop in (":", ";", "("):
        head = head.split(stop, 1)[0]
    head = head.strip(" .,")
    if not head:
        return NO_REASON if not text else OTHER
    return head if len(head) <= KIND_MAX_CHARS else OTHER


def _read(path: Path, columns: tuple[str, ...], what: str) -> tuple[list[dict], str]:
    """(rows, "") or ([], a line saying why the table cannot be read)."""
    if not path.is_file():
        return [], f"{what}: {path} not found (that step has not run or failed)"
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                cols = ", ".join(missing)
                return [], f"{what}: {path} has no column {cols}; cannot summarise it"
            rows = [{k: v if isinstance(v, str) else "" for k, v in row.items() if k}
                    for row in reader]  # short rows: "" cells; extra cells dropped
    except (OSError, UnicodeDecodeError, csv.Error) as err:
        return [], f"{what}: {path} cannot be read ({err})"
    return [row for row in rows if any(v.strip() for v in row.values())], ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _accepted_lines(path: Path) -> list[str]:
    rows, problem = _read(path, ("doc_id", "doc_type"), "accepted")
    if problem:
        return [problem]
    counts = Counter(row["doc_type"] or "(no doc_type)" for row in rows)
    order = [t for t in DOC_TYPES if t in counts] + sorted(set(counts) - set(DOC_TYPES))
    by_type = ", ".join(f"{counts[t]} {t}" for t in order)
    return [f"accepted: {_plural(len(rows), 'document')}"
            + (f" ({by_type})" if by_type else "") + f", listed in {path}"]


def _quarantine_lines(path: Path) -> list[str]:
    rows, problem = _read(path, ("doc_id", "reason"), "quarantined")
    if problem:
        return [problem]
    if not rows:
        return ["quarantined: none"]
    rows = sorted(rows, key=lambda r: r["doc_id"])
    lines = [f"quarantined: {_plural(len(rows), 'document')} (not analysed; see {path})"]
    if len(rows) <= MAX_LINES:
        return lines + [f"  {r['doc_id']}: {r['reason']}" for r in rows]
    groups: dict[str, list[str]] = {}
    for row in rows:
        groups.setdefault(reason_kind(row["reason"]), []).append(row["doc_id"])
    shown = 0
    ordered = sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    for kind, ids in ordered[:MAX_LINES]:
        more = f", +{len(ids) - IDS_PER_KIND} more" if len(ids) > IDS_PER_KIND else ""
        lines.append(f"  {kind} ({len(ids)}): {', '.join(ids[:IDS_PER_KIND])}{more}")
        shown += min(len(ids), IDS_PER_KIND)
    if shown < len(rows):
        lines.append(f"  ... and {len(rows) - shown} more, see {path}")
    return lines


def _extraction_lines(path: Path) -> list[str]:
    rows, problem = _read(path, ("doc_id", "n_pages", "n_pages_without_text",
                                 "pages_without_text"), "text layer")
    if problem:
        return [problem]
    lacking = []  # (row, pages without a text layer that OCR did not read)
    for r in sorted(rows, key=lambda r: r["doc_id"]):
        ocr = set(filter(None, (r.get("pages_ocr") or "").split(";")))
        lost = [p for p in (r["pages_without_text"] or "").split(";") if p and p not in ocr]
        if lost:
            lacking.append((r, lost))
    if not lacking:
        every = _plural(len(rows), "extracted document")
        ocr = any((r.get("pages_ocr") or "").strip() for r in rows)
        return [f"text layer: every page of the {every} has one"
                + (" or was read by OCR" if ocr else "")]
    head = (f"text layer: {_plural(len(lacking), 'document')} with pages without one (their "
            f"text is lost unless the PDF is OCRed; see {path})")
    lines = [head]
    for row, lost in lacking[:MAX_LINES]:
        lines.append(f"  {row['doc_id']}: {len(lost)} of {row['n_pages']} "
                     f"pages (page {', '.join(lost)})")
    if len(lacking) > MAX_LINES:
        lines.append(f"  ... and {len(lacking) - MAX_LINES} more, see {path}")
    return lines


def _structure_lines(path: Path) -> list[str]:
    """OCR'd pages and suspicious paragraph structure, from the extraction QC table."""
    rows, problem = _read(path, ("doc_id",), "structure")
    if problem:
        return []  # already said by _extraction_lines
    rows = sorted(rows, key=lambda r: r["doc_id"])
    lines = []
    ocr = [r for r in rows if (r.get("n_pages_ocr") or "0").strip() not in ("", "0")]
    if ocr:
        lines.append(f"OCR: {_plural(len(ocr), 'document')} with pages read by OCR (weigh "
                     f"their evidence accordingly; see {path})")
        for row in ocr[:MAX_LINES]:
            lines.append(f"  {row['doc_id']}: page {row['pages_ocr'].replace(';', ', ')}")
        if len(ocr) > MAX_LINES:
            lines.append(f"  ... and {len(ocr) - MAX_LINES} more, see {path}")
    columns = [r for r in rows if (r.get("n_column_pages") or "0").strip() not in ("", "0")]
    if columns:
        lines.append(f"layout: {_plural(len(columns), 'document')} with pages read as columns")
    broken = [r for r in rows if (r.get("structure_warning") or "").strip()]
    if broken:
        lines.append(f"structure: {_plural(len(broken), 'document')} whose paragraphs look "
                     f"broken (see structure_warning in {path})")
        for row in broken[:MAX_LINES]:
            why = row["structure_warning"].removeprefix("suspicious structure: ")
            lines.append(f"  {row['doc_id']}: {why.split('; check')[0]}")
        if len(broken) > MAX_LINES:
            lines.append(f"  ... and {len(broken) - MAX_LINES} more, see {path}")
    return lines


def _failed_lines(path: Path) -> list[str]:
    """Documents whose extraction failed (``results/qc/extraction_failed.csv``), left out
    of the analysis; nothing when the table is absent or empty."""
    if not path.is_file():
        return []
    rows, problem = _read(path, ("doc_id", "reason"), "failed extractions")
    if problem or not rows:
        return [problem] if problem else []
    head = (f"extraction failed: {_plural(len(rows), 'document')}, left out of the analysis "
            f"(see {path})")
    lines = [head]
    for row in sorted(rows, key=lambda r: r["doc_id"])[:MAX_LINES]:
        lines.append(f"  {row['doc_id']}: {row['reason']}")
    if len(rows) > MAX_LINES:
        lines.append(f"  ... and {len(rows) - MAX_LINES} more, see {path}")
    return lines


def summary_lines(documents: str | Path, quarantine: str | Path,
                  extraction: str | Path | None = None,
                  failed: str | Path | None = None) -> list[str]:
    """The summary as lines (no newline characters); never raises for a missing table.

    Args:
        documents: accepted documents (``results/corpus/documents.csv``).
        quarantine: quarantined documents (``results/qc/quarantine.csv``).
        extraction: the extraction QC table (``results/qc/extraction.csv``), or None to leave
            the text-layer part out.
        failed: documents whose extraction failed (``results/qc/extraction_failed.csv``),
            or None.
    """
    lines = ["corpus summary", *_accepted_lines(Path(documents)),
             *_quarantine_lines(Path(quarantine))]
    if extraction is not None:
        lines += _extraction_lines(Path(extraction))
        lines += _structure_lines(Path(extraction))
    if failed is not None:
        lines += _failed_lines(Path(failed))
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print :func:`summary_lines` to standard output; always exit 0."""
    ap = argparse.ArgumentParser(prog="python -m analysis.corpus summary",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--documents", required=True,
                    help="accepted documents CSV (results/corpus/documents.csv)")
    ap.add_argument("--quarantine", required=True,
                    help="quarantined documents CSV (results/qc/quarantine.csv)")
    ap.add_argument("--extraction",
                    help="extraction QC CSV (results/qc/extraction.csv): also list documents "
                         "with pages without a text layer")
    args = ap.parse_args(argv)
    print("\n".join(summary_lines(args.documents, args.quarantine, args.extraction)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
