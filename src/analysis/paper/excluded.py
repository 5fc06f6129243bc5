"""Documents the corpus check excluded: how many the manifest listed, how many were left out
and why, and the table of them the paper prints.

The corpus check (:mod:`analysis.corpus.check`) writes one row per rejected document to the
quarantine table (``doc_id, path, reason``). Its reasons are sentences made for a person
("no text layer on any of its 3 page(s) ...; run OCR on it ..."); the paper groups them by
*kind* (:func:`reason_kind`): a small mapping of the reasons the check writes, else the text
before the first ``:`` (or ``;`` / ``(``), so a reason nobody foresaw still counts, under its
own words.
"""

from __future__ import annotations

import pandas as pd

from analysis.corpus.summary import NO_REASON, OTHER, reason_kind  # noqa: F401 (re-exported)
from analysis.paper.format import Numbers
from analysis.paper.stats import PaperError, require

# Up to this many excluded documents the paper lists them in a table; beyond it, only the
# counts by reason and a pointer to the quarantine table.
EXCLUDED_TABLE_MAX = 15
EXCLUDED_COLUMNS = ["doc_id", "reason"]


def reasons_text(counts: dict[str, int]) -> str:
    """``"no text layer (2), checksum mismatch (1)"``: most frequent first, ties by name."""
    if not counts:
        return "none"
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{kind} ({n:,})" for kind, n in ordered)


def excluded_numbers(num: Numbers, quarantine: pd.DataFrame | None, documents: pd.DataFrame,
                     *, file: str, documents_file: str) -> pd.DataFrame:
    """Counts of listed, analysed and excluded documents; returns the table of excluded
    documents (``doc_id``, ``reason`` = its kind, sorted by doc_id; no rows when none).

    Keys: ``n_quarantined`` (rows of the quarantine table), ``n_manifest_documents``
    (accepted + quarantined: every row of the manifest), ``quarantine_reasons`` (value:
    ``{kind: count}``; text: ``"kind (n), ..."``), ``n_quarantine_reasons`` (distinct kinds),
    ``quarantine_file`` (the table's path as given, for the paper to point to),
    ``excluded_table_shown`` (1..:data:`EXCLUDED_TABLE_MAX` excluded: the paper lists them).
    Without a quarantine table (``None``) all of them are None: the paper then says it
    cannot tell what was excluded.
    """
    if quarantine is None:
        for key, how in (("n_quarantined", "no quarantine table given"),
                         ("n_manifest_documents", "no quarantine table given")):
            num.count(key, None, "", how)
        num.add("quarantine_reasons", None, None, "", "no quarantine table given")
        num.count("n_quarantine_reasons", None, "", "no quarantine table given")
        num.label("quarantine_file", None, "", "no quarantine table given")
        num.flag("excluded_table_shown", None, "", "no quarantine table given")
        return pd.DataFrame(columns=EXCLUDED_COLUMNS)
    require(quarantine, ["doc_id", "reason"], file,
            "the corpus check (python -m analysis.corpus check)")
    both = sorted(set(quarantine["doc_id"]) & set(documents["doc_id"]))
    if both:
        raise PaperError(f"{file} and {documents_file} both list {', '.join(both[:5])}: a "
                         "document is either accepted or quarantined; the two tables come from "
                         "different runs of the corpus check, rebuild both")
    kinds = quarantine["reason"].map(reason_kind)
    counts = {kind: int(n) for kind, n in sorted(kinds.value_counts().items())}
    n = len(quarantine)
    num.count("n_quarantined", n, file, "documents quarantined by the corpus check (rows)")
    num.count("n_manifest_documents", n + len(documents), f"{documents_file}; {file}",
              "documents the manifest lists: accepted (rows) + quarantined (rows)")
    num.add("quarantine_reasons", counts, reasons_text(counts), file,
            "quarantined documents by kind of reason (analysis.paper.excluded.reason_kind)")
    num.count("n_quarantine_reasons", len(counts), file, "distinct kinds of reason")
    num.label("quarantine_file", file, file, "the quarantine table the counts come from")
    num.flag("excluded_table_shown", 0 < n <= EXCLUDED_TABLE_MAX, file,
             f"1 to {EXCLUDED_TABLE_MAX} documents excluded: the paper lists them")
    table = pd.DataFrame({"doc_id": quarantine["doc_id"].astype(str), "reason": kinds})
    return table.sort_values("doc_id", kind="stable").reset_index(drop=True)
