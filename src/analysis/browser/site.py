"""Build the static evidence browser: ``python -m analysis.browser site ...``.

The site (plain HTML, CSS and a little JavaScript; no server, no network) lets a reviewer
go from any number in the matrix or in Figures 1 and 2 to the paragraphs behind it, with
the matched words highlighted and a link that opens the PDF at the page:

==============================  ===============================================================
file                            holds
==============================  ===============================================================
index.html                      overview, every operation, links to everything below
ops/<OP>.html (-2, -3 ...)      one operation: mandate timeline, reports, every coded
                                paragraph (OC activity, resolution paragraphs, other OC
                                paragraphs, hard negatives with their reason), filterable
matrix.html                     mission_activity.csv as a table: operation x quadrant x market
fig1.html, fig2.html            HTML twins of Figures 1 and 2 (same numbers, from
                                :mod:`analysis.figures.data`)
cells/<OP>/<q>--<m>.html        the paragraphs behind one matrix cell (exactly n_paragraphs)
cells/<OP>/<q>.html             ... behind one Figure 1 cell
cells/_all/<q>--<m>.html        ... behind one Figure 2 cell
search.html, data/<OP>.js       search over the coded paragraphs (one data file per operation,
                                loaded with ``<script src>``, so it works from ``file://``)
rounds.html, rounds/<R>.html    human coding rounds: each coder, the consensus and the
                                automated code side by side, disagreements marked
==============================  ===============================================================

Lists longer than ``page_size`` paragraphs are split over several files, so no page grows
with the whole corpus. Output is byte-identical for the same inputs: no timestamps, no
absolute paths (PDF links are relative to the page), sorted JSON.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from analysis.browser import load
from analysis.browser.render import (
    KIND_WORDS,
    KINDS,
    NEGATIVE_WORDS,
    QUADRANT_WORDS,
    esc,
    highlight,
    href,
    js_data,
    page,
    pager,
    split_codes,
    table,
)
from analysis.figures.data import (
    explicit_operations,
    operation_quadrant_counts,
    quadrant_market_counts,
)
from analysis.ids import evidence_paragraphs
from analysis.vocab import QUADRANTS, REPORT_TYPES

PAGE_SIZE = 200
ASSETS = ("style.css", "browser.js", "search.js")
FIG2_FOLDER = "_all"


def log(message: str) -> None:
    print(f"browser: {message}", file=sys.stderr, flush=True)


def slug(name: str) -> str:
    """A file-name-safe form of an operation or round name (``EUBAM Libya`` ->
    ``EUBAM_Libya``); never starts with ``_`` or ``.``."""
    out = "".join(c if c.isalnum() or c in "-." else "_" for c in str(name))
    out = out.strip("_.")
    return out or "x"


def kind_of(row) -> str:
    if row["negative_reason"]:
        return "negative"
    if row["activity"] is True:
        return "activity"
    if row["doc_type"] == "resolution":
        return "mandate"
    return "oc"


def market_words(value: str) -> str:
    return value.replace("_", " ")


@dataclass
class Site:
    out: Path  # the folder being written
    root: Path  # the workflow folder that documents.csv paths are relative to
    final: Path  # where the site ends up (PDF links are computed from there)
    synthetic: bool
    page_size: int
    written: int = 0

    def write(self, rel: str, text: str) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        self.written += 1
        if self.written % 200 == 0:
            log(f"{self.written} files written")


class Corpus:
    """The tables, indexed for page writing."""

    def __init__(self, coded, evidence, activity, mandates, documents, missions, site):
        self.coded = coded
        self.activity = activity
        self.mandates = mandates
        self.documents = documents
        self.missions = missions
        self.site = site
        coded = coded.copy()
        coded["kind"] = [kind_of(r) for _, r in coded.iterrows()]
        keep = (coded["oc"].eq(True) | coded["activity"].eq(True)
                | coded["doc_type"].eq("resolution") | coded["negative_reason"].ne("")
                | coded["part"].ne(""))
        self.paragraphs = coded[keep].copy()
        self.by_id = {r["para_id"]: r for r in coded.to_dict("records")}
        spans = defaultdict(list)
        good = evidence.dropna(subset=["span_start", "span_end"])
        for pid, s, e, var, val in zip(good["para_id"], good["span_start"], good["span_end"],
                                       good["variable"], good["value"], strict=True):
            spans[pid].append((int(s), int(e), f"{var}={val}"))
        self.spans = spans
        self.docs = {r["doc_id"]: r for r in documents.to_dict("records")}
        # operation -> its coded paragraphs, in page order
        per_op = defaultdict(list)
        order = {k: i for i, (k, _) in enumerate(KINDS)}
        ordered = self.paragraphs.assign(_k=self.paragraphs["kind"].map(order)).sort_values(
            ["_k", "date", "doc_id", "para_seq"], kind="stable")
        for r in ordered.to_dict("records"):
            for op in split_codes(r["operations"]):
                per_op[op].append(r)
        names = set(per_op) | set(activity["operation"]) | set(mandates["operation"])
        for ops in documents["missions"]:
            names |= set(split_codes(ops))
        self.operations = sorted(n for n in names if n)
        self.per_op = per_op
        self.slugs = {}
        taken = set()
        for op in self.operations:
            s, k = slug(op), 2
            while s.lower() in taken:
                s, k = f"{slug(op)}-{k}", k + 1
            taken.add(s.lower())
            self.slugs[op] = s
        # (operation, para_id) -> site-relative href of the paragraph on its operation page
        self.anchor: dict[tuple[str, str], str] = {}
        for op, rows in per_op.items():
            for i, r in enumerate(rows):
                self.anchor[(op, r["para_id"])] = (
                    f"ops/{self.op_file(op, i // site.page_size)}#p-{r['para_id']}")
        self.pdf: dict[str, str] = {}
        for doc_id, d in self.docs.items():
            if d["path"]:
                target = os.path.abspath(os.path.join(site.root, d["path"]))
                self.pdf[doc_id] = os.path.relpath(target, os.path.abspath(site.final)
                                                   ).replace(os.sep, "/")

    def op_file(self, op: str, chunk: int) -> str:
        return f"{self.slugs[op]}.html" if chunk == 0 else f"{self.slugs[op]}-{chunk + 1}.html"

    def first_anchor(self, pid: str, op: str | None = None) -> str | None:
        if op is not None and (op, pid) in self.anchor:
            return self.anchor[(op, pid)]
        row = self.by_id.get(pid)
        for o in split_codes(row["operations"]) if row else []:
            if (o, pid) in self.anchor:
                return self.anchor[(o, pid)]
        return None

    def pdf_link(self, doc_id: str, page_no, up: str) -> str:
        rel = self.pdf.get(doc_id)
        if not rel:
            return '<span class="nopdf">no PDF path in documents.csv</span>'
        return (f'<a class="pdf" href="{href(up + rel)}#page={int(page_no)}">open PDF at '
                f"page {int(page_no)}</a>")

    # ------------------------------------------------------------ one paragraph

    def article(self, r: dict, up: str, op: str | None = None, here: bool = False) -> str:
        """One paragraph: its place, its codes, its text with the matched words marked."""
        pid = r["para_id"]
        doc = self.docs.get(r["doc_id"], {})
        symbol = doc.get("symbol") or r["doc_id"]
        title = doc.get("title", "")
        kind = r.get("kind") or kind_of(r)
        codes = []
        if kind == "negative":
            reason = r["negative_reason"]
            words = esc(NEGATIVE_WORDS.get(reason, reason))
            codes.append(("NOT COUNTED", f'<strong class="notcounted">reason: {words}</strong>'))
        if r["doc_type"] == "resolution":
            for var in ("part", "verb", "strength", "addressee"):
                if r.get(var):
                    codes.append((var, esc(r[var])))
            if r.get("explicit_mandate") is not None:
                codes.append(("explicit_mandate", "yes" if r["explicit_mandate"] else "no"))
        else:
            if r["activity"] is not None:
                codes.append(("OC activity", "yes" if r["activity"] else "no"))
            q = split_codes(r["quadrants"])
            if q:
                codes.append(("quadrant", esc(", ".join(QUADRANT_WORDS.get(v, v) for v in q))))
            if r["engagement"]:
                codes.append(("engagement", esc(r["engagement"])))
        codes.append(("oc", "yes" if r["oc"] else "no"))
        m = split_codes(r["markets"])
        if m:
            codes.append(("market", esc(", ".join(market_words(v) for v in m))))
        dl = "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in codes)
        para_no = r["para_no"] or "(no printed number)"
        link = "" if here else self.first_anchor(pid, op)
        context = (f' · <a href="{href(up + link)}">on the operation page</a>' if link else "")
        text = highlight(r["text"], self.spans.get(pid, ()))
        anchor = f' id="p-{esc(pid)}"' if here else ""
        return (
            f'<article class="para kind-{kind}"{anchor} data-para-id="{esc(pid)}" '
            f'data-kind="{kind}" data-reason="{esc(r["negative_reason"])}" '
            f'data-markets="{esc(" ".join(m))}" '
            f'data-quadrants="{esc(" ".join(split_codes(r["quadrants"])))}">\n'
            f'<header><a class="pid" href="#p-{esc(pid)}">{esc(pid)}</a> '
            f'<span class="kind">{esc(KIND_WORDS[kind])}</span> '
            f'<span class="ops">{esc(", ".join(split_codes(r["operations"])))}</span><br>'
            f'<span class="doc">{esc(symbol)}</span> {esc(title)} · {esc(r["date"])} · '
            f'page {int(r["page"])} · paragraph {esc(para_no)} · '
            f'{self.pdf_link(r["doc_id"], r["page"], up)}{context}</header>\n'
            f'<dl class="codes">{dl}</dl>\n<p class="text">{text}</p>\n</article>'
        )

    # ------------------------------------------------------------ lists over pages

    def write_list(self, folder: str, stem: str, title: str, intro: str, rows: list[dict],
                   op: str | None) -> list[str]:
        """``rows`` rendered as articles over ``folder/stem.html``, ``stem-2.html`` ...;
        returns the site-relative file names."""
        depth = folder.count("/") + 1
        up = "../" * depth
        n = max(1, -(-len(rows) // self.site.page_size))
        stems = [f"{stem}.html" if i == 0 else f"{stem}-{i + 1}.html" for i in range(n)]
        for i, name in enumerate(stems):
            chunk = rows[i * self.site.page_size:(i + 1) * self.site.page_size]
            body = (f"{intro}\n{pager(stems, i)}\n<section class=\"list\" aria-label=\"Paragraphs\">\n"
                    + "\n".join(self.article(r, up, op) for r in chunk)
                    + f"\n</section>\n{pager(stems, i)}")
            self.site.write(f"{folder}/{name}", page(title, body, depth, self.site.synthetic))
        return [f"{folder}/{s}" for s in stems]

    def rows_of(self, pids) -> list[dict]:
        """Paragraph rows of ``pids`` in reading order (date, document, sequence); ids not in
        the coded table become a placeholder that says so."""
        rows = []
        for pid in pids:
            r = self.by_id.get(pid)
            if r is None:
                doc_id = pid.rsplit(":", 1)[0]
                r = {"para_id": pid, "doc_id": doc_id, "page": 0, "para_no": "",
                     "para_seq": 0, "doc_type": "", "date": "", "operations": "", "oc": None,
                     "activity": None, "quadrants": "", "markets": "", "engagement": "",
                     "negative_reason": "", "text": "(this paragraph id is not in the coded "
                     "paragraphs table: rebuild the coding step)", "kind": "oc"}
            else:
                r = dict(r, kind=kind_of(r))
            rows.append(r)
        return sorted(rows, key=lambda r: (r["date"], r["doc_id"], r["para_seq"],
                                           r["para_id"]))


# ---------------------------------------------------------------- operation pages

def timeline(c: Corpus, op: str) -> str:
    m = c.mandates[c.mandates["operation"] == op].sort_values(["adopted", "resolution"])
    if m.empty:
        return "<p>No resolution of this operation in mandates.csv.</p>"
    dates = pd.to_datetime(pd.concat([m["adopted"], m["in_force_until"]]).replace("", None),
                           errors="coerce").dropna()
    start, end = dates.min(), dates.max()
    span = max((end - start).days, 1)
    rows = []
    for r in m.to_dict("records"):
        a = pd.to_datetime(r["adopted"], errors="coerce")
        u = pd.to_datetime(r["in_force_until"] or None, errors="coerce")
        explicit = str(r["explicit_mandate"]).lower() == "true"
        bar = ""
        if not pd.isna(a):
            u2 = end if pd.isna(u) else u
            left = 100 * (a - start).days / span
            width = max(100 * (u2 - a).days / span, 0.8)
            cls = "bar explicit" if explicit else "bar"
            bar = (f'<span class="track"><span class="{cls}" style="left:{left:.2f}%;'
                   f'width:{min(width, 100 - left):.2f}%"></span></span>')
        label = ('<strong class="explicit-label">explicit OC mandate</strong>' if explicit
                 else "no explicit OC mandate")
        sym = esc(r["symbol"] or r["resolution"])
        if r["resolution"] in c.pdf:
            sym = f'<a href="{href("../" + c.pdf[r["resolution"]])}">{sym}</a>'
        rows.append((sym, esc(r["adopted"]), esc(r["in_force_until"] or "still in force"),
                     label, "yes" if str(r["oc_reference"]).lower() == "true" else "no",
                     esc(", ".join(market_words(v) for v in split_codes(r["markets"]))),
                     bar))
    return table(["Resolution", "Adopted", "In force until", "Explicit OC mandate",
                  "OC reference", "Markets named", f"Period ({start.date()} to {end.date()})"],
                 rows, cls="timeline")


def reports(c: Corpus, op: str, counts: dict) -> str:
    d = c.documents
    mine = d[d["doc_type"].isin(REPORT_TYPES)
             & d["missions"].map(lambda s: op in split_codes(s))]
    if mine.empty:
        return "<p>No report of this operation in documents.csv.</p>"
    rows = []
    for r in mine.sort_values(["date", "doc_id"]).to_dict("records"):
        sym = esc(r["symbol"] or r["doc_id"])
        if r["doc_id"] in c.pdf:
            sym = f'<a href="{href("../" + c.pdf[r["doc_id"]])}">{sym}</a>'
        k = counts.get(r["doc_id"], {})
        rows.append((esc(r["date"]), sym, esc(r["title"]), esc(r.get("n_pages", "")),
                     str(k.get("activity", 0)), str(k.get("negative", 0))))
    return table(["Date", "Symbol", "Title", "Pages", "OC activity paragraphs",
                  "Hard negatives"], rows, cls="reports")


FILTERS = (
    '<form class="filters" role="search" aria-label="Filter the paragraphs of this page" '
    'onsubmit="return false">'
    '<label>Kind <select data-filter="kind"><option value="">all</option>'
    + "".join(f'<option value="{k}">{esc(w)}</option>' for k, w in KINDS)
    + '</select></label> <label>Reason not counted <select data-filter="reason">'
    '<option value="">any</option>'
    + "".join(f'<option value="{k}">{esc(k)}</option>' for k in sorted(NEGATIVE_WORDS))
    + '</select></label> <label>Words <input type="search" data-filter="text"></label> '
    '<span class="shown" aria-live="polite"></span></form>')


def operation_pages(c: Corpus, op: str) -> None:
    rows = c.per_op.get(op, [])
    size = c.site.page_size
    n = max(1, -(-len(rows) // size))
    stems = [c.op_file(op, i) for i in range(n)]
    per_doc: dict = defaultdict(lambda: defaultdict(int))
    totals: dict = defaultdict(int)
    first: dict = {}
    for i, r in enumerate(rows):
        per_doc[r["doc_id"]][r["kind"]] += 1
        totals[r["kind"]] += 1
        first.setdefault(r["kind"], (i // size, r["para_id"]))
    name = c.missions.get(op, "")
    summary = "".join(
        f'<li><a href="{href(stems[first[k][0]])}#{k}">{esc(w)}</a>: {totals[k]}</li>'
        if k in first else f"<li>{esc(w)}: 0</li>" for k, w in KINDS)
    for i, stem in enumerate(stems):
        chunk = rows[i * size:(i + 1) * size]
        parts = [f"<p>{esc(name)}</p>" if name else "",
                 f'<ul class="summary">{summary}</ul>', pager(stems, i)]
        if i == 0:
            parts += ["<h2 id=\"mandates\">Mandate timeline</h2>", timeline(c, op),
                      "<h2 id=\"reports\">Reports</h2>", reports(c, op, per_doc)]
        parts.append(FILTERS)
        for kind, words in KINDS:
            mine = [r for r in chunk if r["kind"] == kind]
            if not mine:
                continue
            anchor = f' id="{kind}"' if first.get(kind, (None,))[0] == i else ""
            parts.append(f'<section class="kindsec" data-section="{kind}">'
                         f"<h2{anchor}>{esc(words)} ({totals[kind]} in all"
                         + (f", {len(mine)} on this page" if n > 1 else "") + ")</h2>\n"
                         + "\n".join(c.article(r, "../", op, here=True) for r in mine)
                         + "</section>")
        parts.append(pager(stems, i))
        title = f"{op}" + (f" (page {i + 1} of {n})" if n > 1 else "")
        c.site.write(f"ops/{stem}", page(title, "\n".join(p for p in parts if p), 1,
                                         c.site.synthetic))
    # the search data of this operation
    records = [{"id": r["para_id"], "h": c.anchor[(op, r["para_id"])], "d": r["date"],
                "s": (c.docs.get(r["doc_id"], {}).get("symbol") or r["doc_id"]),
                "pg": int(r["page"]), "no": r["para_no"], "k": r["kind"],
                "r": r["negative_reason"], "q": split_codes(r["quadrants"]),
                "m": split_codes(r["markets"]), "t": r["text"]} for r in rows]
    c.site.write(f"data/{c.slugs[op]}.js",
                 "window.OCB_DATA=window.OCB_DATA||{};\n"
                 f"window.OCB_DATA[{js_data(op)}]={js_data(records)};\n")


# ---------------------------------------------------------------- matrix and figures

def shade(value: int, top: int) -> str:
    if value <= 0 or top <= 0:
        return ""
    return f' style="background:rgba(33,102,172,{0.12 + 0.6 * value / top:.2f})"'


def cell_link(target: str, value: int, label: str, top: int) -> tuple[str, str]:
    if value <= 0:
        return ("0", ' class="zero"')
    link = f'<a href="{href(target)}" aria-label="{esc(label)}: {value} paragraphs">{value}</a>'
    return (link, shade(value, top))


def matrix_pages(c: Corpus) -> None:
    a = c.activity
    markets = list(dict.fromkeys(a["market"]))
    counts = {}
    for r in a.to_dict("records"):
        counts[(r["operation"], r["quadrant"], r["market"])] = r
    top = max([int(n) for n in a["n_paragraphs"]] + [0])
    rows = []
    cells = 0
    for op in sorted(set(a["operation"])):
        for qi, q in enumerate(QUADRANTS):
            head = (f'<a href="ops/{href(c.op_file(op, 0))}">{esc(op)}</a>' if qi == 0 else "",
                    ' class="op"' if qi == 0 else ' class="op cont"')
            row = [head, esc(QUADRANT_WORDS[q])]
            for m in markets:
                r = counts.get((op, q, m))
                n = int(r["n_paragraphs"]) if r else 0
                target = f"cells/{c.slugs[op]}/{q}--{slug(m)}.html"
                if n > 0:
                    pids = evidence_paragraphs(r["evidence_ids"])
                    listed = c.rows_of(sorted(pids))
                    note = "" if len(pids) == n else (
                        f'<p class="warn">mission_activity.csv says {n} paragraphs, its '
                        f"evidence ids name {len(pids)}.</p>")
                    c.write_list(f"cells/{c.slugs[op]}", f"{q}--{slug(m)}",
                                 f"{op} × {QUADRANT_WORDS[q]} × {market_words(m)}",
                                 f'<p class="cellcount">{n} paragraphs (n_paragraphs of '
                                 f"mission_activity.csv; {len(listed)} listed below)</p>{note}",
                                 listed, op)
                    cells += 1
                row.append(cell_link(target, n, f"{op}, {QUADRANT_WORDS[q]}, "
                                     f"{market_words(m)}", top))
            rows.append(row)
    body = ("<p>Distinct OC activity paragraphs per operation, quadrant and market "
            "(<code>mission_activity.csv</code>, <code>n_paragraphs</code>). A paragraph "
            "naming two markets counts in both. Every non-zero number opens the paragraphs "
            "behind it.</p>"
            + table(["Operation", "Quadrant"] + [esc(market_words(m)) for m in markets],
                    rows, cls="matrix"))
    c.site.write("matrix.html", page("Mission-activity matrix", body, 0, c.site.synthetic))
    log(f"matrix: {cells} cell pages")


def _union(a: pd.DataFrame) -> set[str]:
    out: set[str] = set()
    for ids in a["evidence_ids"]:
        out |= evidence_paragraphs(ids)
    return out


def figure_pages(c: Corpus) -> None:
    a = c.activity
    # Figure 1: operation x quadrant
    grid = operation_quadrant_counts(a)
    explicit = explicit_operations(c.mandates.assign(
        explicit_mandate=c.mandates["explicit_mandate"].str.lower().eq("true")))
    top = int(grid.to_numpy().max()) if grid.size else 0
    rows = []
    for op in grid.index:
        row = [(f'<a href="ops/{href(c.op_file(op, 0))}">{esc(op)}</a>'
                + (' <span class="tag">explicit mandate</span>' if op in explicit else ""), "")]
        for q in QUADRANTS:
            n = int(grid.loc[op, q])
            target = f"cells/{c.slugs[op]}/{q}.html"
            if n > 0:
                pids = _union(a[(a["operation"] == op) & (a["quadrant"] == q)])
                c.write_list(f"cells/{c.slugs[op]}", q, f"Figure 1: {op} × {QUADRANT_WORDS[q]}",
                             f'<p class="cellcount">{n} paragraphs (Figure 1 cell; '
                             f"{len(pids)} listed below; a paragraph naming several markets "
                             "is counted once)</p>", c.rows_of(sorted(pids)), op)
            row.append(cell_link(target, n, f"{op}, {QUADRANT_WORDS[q]}", top))
        rows.append(row)
    body = ("<p>The numbers of Figure 1 (distinct OC activity paragraphs per operation and "
            "quadrant, all markets together), each a link to its paragraphs.</p>"
            + table(["Operation"] + [esc(QUADRANT_WORDS[q]) for q in QUADRANTS], rows,
                    cls="matrix"))
    c.site.write("fig1.html", page("Figure 1: operation × quadrant", body, 0,
                                   c.site.synthetic))
    # Figure 2: market x quadrant
    grid = quadrant_market_counts(a)
    top = int(grid.to_numpy().max()) if grid.size else 0
    rows = []
    for m in grid.index:
        row = [(esc(market_words(m)), "")]
        for q in QUADRANTS:
            n = int(grid.loc[m, q])
            target = f"cells/{FIG2_FOLDER}/{q}--{slug(m)}.html"
            if n > 0:
                pids = _union(a[(a["market"] == m) & (a["quadrant"] == q)])
                c.write_list(f"cells/{FIG2_FOLDER}", f"{q}--{slug(m)}",
                             f"Figure 2: {QUADRANT_WORDS[q]} × {market_words(m)}",
                             f'<p class="cellcount">{n} paragraphs (Figure 2 cell, all '
                             f"operations; {len(pids)} listed below)</p>",
                             c.rows_of(sorted(pids)), None)
            row.append(cell_link(target, n, f"{QUADRANT_WORDS[q]}, {market_words(m)}", top))
        rows.append(row)
    body = ("<p>The numbers of Figure 2 (distinct OC activity paragraphs per market and "
            "quadrant, all operations together), each a link to its paragraphs.</p>"
            + table(["Market"] + [esc(QUADRANT_WORDS[q]) for q in QUADRANTS], rows,
                    cls="matrix"))
    c.site.write("fig2.html", page("Figure 2: quadrant × market", body, 0, c.site.synthetic))
    log("figures 1 and 2: done")


# ---------------------------------------------------------------- rounds

def _norm(value: str) -> tuple[str, ...]:
    return tuple(sorted(v.strip().lower() for v in str(value).split(";") if v.strip()))


def round_page(c: Corpus, rnd: load.Round) -> dict:
    cons = rnd.consensus
    coder_of = {}
    if rnd.codes is not None:
        for r in rnd.codes.to_dict("records"):
            coder_of[(r["para_id"], r["variable"], r["coder"])] = r["value"]
    else:
        for r in cons.to_dict("records"):
            for coder, v in load.coder_values(r["coder_values"]).items():
                coder_of[(r["para_id"], r["variable"], coder)] = v
    order = list(dict.fromkeys(cons["para_id"]))
    by_para = defaultdict(list)
    for r in cons.to_dict("records"):
        by_para[r["para_id"]].append(r)
    articles, n_coders_dis, n_auto_dis, n_para_dis = [], 0, 0, 0
    for pid in order:
        rows, any_dis = [], False
        for r in by_para[pid]:
            values = [coder_of.get((pid, r["variable"], k), "") for k in rnd.coders]
            given = {_norm(v) for v in values if v != ""}
            coders_differ = r["status"] in ("majority", "unresolved") or len(given) > 1
            auto_differs = r["automated"] != "" and _norm(r["automated"]) != _norm(r["value"])
            n_coders_dis += coders_differ
            n_auto_dis += auto_differs
            any_dis |= coders_differ or auto_differs
            cells = []
            for v in values:
                odd = v != "" and _norm(v) != _norm(r["value"])
                cells.append((esc(v) + (' <span class="flag">≠ consensus</span>' if odd
                                        else ""), ' class="differs"' if odd else ""))
            marks = []
            if coders_differ:
                marks.append('<span class="flag">≠ coders disagree</span>')
            if auto_differs:
                marks.append('<span class="flag">≠ automated differs</span>')
            cls = " ".join(k for k, on in (("dis-coders", coders_differ),
                                           ("dis-auto", auto_differs)) if on)
            rows.append([(esc(r["variable"]), ""), *cells,
                         (f'{esc(r["value"])} <span class="status">({esc(r["status"])})</span>',
                          ""),
                         (esc(r["automated"]), ' class="differs"' if auto_differs else ""),
                         (" ".join(marks) or "agree", f' class="{cls}"' if cls else "")])
        n_para_dis += any_dis
        p = c.by_id.get(pid)
        first = by_para[pid][0]
        if p is not None:
            head_row = dict(p, kind=kind_of(p))
            text = c.article(head_row, "../")
        else:
            text = (f'<p class="warn">{esc(pid)} ({esc(first["doc_id"])}) is not in the coded '
                    "paragraphs table.</p>")
        grid = table(["Variable", *(esc(k) for k in rnd.coders), "Consensus", "Automated",
                      "Disagreement"], rows, cls="round")
        articles.append(f'<section class="rpara{" has-dis" if any_dis else ""}" '
                        f'data-disagree="{"yes" if any_dis else "no"}">'
                        f"<h2>{esc(pid)}{' <span class=flag>≠ disagreement</span>' if any_dis else ''}"
                        f"</h2>{text}{grid}</section>")
    body = (f"<p>Round <code>{esc(rnd.name)}</code>: {len(order)} paragraphs, "
            f"coders {esc(', '.join(rnd.coders))}. {n_para_dis} paragraphs with a "
            f"disagreement: {n_coders_dis} codes where the coders disagree, {n_auto_dis} where "
            "the consensus and the automated code differ (marked ≠).</p>"
            '<form class="filters" onsubmit="return false"><label><input type="checkbox" '
            'data-filter="disagree"> only paragraphs with a disagreement</label> '
            '<span class="shown" aria-live="polite"></span></form>'
            + "\n".join(articles))
    c.site.write(f"rounds/{slug(rnd.name)}.html",
                 page(f"Coding round {rnd.name}", body, 1, c.site.synthetic))
    return {"paragraphs": len(order), "with_disagreement": n_para_dis,
            "coders_disagree": n_coders_dis, "automated_differs": n_auto_dis}


def rounds_index(c: Corpus, stats: dict, disagreements: pd.DataFrame | None) -> None:
    parts = []
    if stats:
        rows = [(f'<a href="rounds/{href(slug(n))}.html">{esc(n)}</a>', str(s["paragraphs"]),
                 str(s["with_disagreement"]), str(s["coders_disagree"]),
                 str(s["automated_differs"])) for n, s in sorted(stats.items())]
        parts.append(table(["Round", "Paragraphs", "With a disagreement",
                            "Codes: coders disagree", "Codes: automated differs"], rows))
    else:
        parts.append("<p>No human coding round was given to this build.</p>")
    if disagreements is not None and not disagreements.empty:
        counts = disagreements.groupby(["round", "variable"], sort=True).size()
        rows = []
        for (rnd, var), n in counts.items():
            name = (f'<a href="rounds/{href(slug(rnd))}.html">{esc(rnd)}</a>' if rnd in stats
                    else esc(rnd))
            rows.append((name, esc(var), str(int(n))))
        parts.append("<h2>disagreements.csv</h2>"
                     + table(["Round", "Variable", "Disagreement rows"], rows))
    c.site.write("rounds.html", page("Coding rounds", "\n".join(parts), 0, c.site.synthetic))


# ---------------------------------------------------------------- index and search

def index_page(c: Corpus, round_stats: dict) -> None:
    d = c.documents
    p = c.paragraphs
    explicit = explicit_operations(c.mandates.assign(
        explicit_mandate=c.mandates["explicit_mandate"].str.lower().eq("true")))
    rows = []
    for op in c.operations:
        mine = c.per_op.get(op, [])
        n = defaultdict(int)
        for r in mine:
            n[r["kind"]] += 1
        n_reports = int((d["doc_type"].isin(REPORT_TYPES)
                         & d["missions"].map(lambda s, op=op: op in split_codes(s))).sum())
        rows.append((f'<a href="ops/{href(c.op_file(op, 0))}">{esc(op)}</a>',
                     esc(c.missions.get(op, "")), "yes" if op in explicit else "no",
                     str(n_reports), str(n["activity"]), str(n["mandate"]),
                     str(n["negative"])))
    facts = [("documents", len(d)), ("reports and studies", int(d["doc_type"].isin(
        REPORT_TYPES).sum())), ("resolutions", int((d["doc_type"] == "resolution").sum())),
        ("paragraphs shown (coded)", len(p)),
        ("OC activity paragraphs", int((p["kind"] == "activity").sum())),
        ("hard negatives (not counted)", int((p["kind"] == "negative").sum()))]
    links = [("matrix.html", "Mission-activity matrix: operation × quadrant × market"),
             ("fig1.html", "Figure 1 as a table: operation × quadrant"),
             ("fig2.html", "Figure 2 as a table: quadrant × market"),
             ("search.html", "Search the paragraphs"),
             ("rounds.html", f"Coding rounds ({len(round_stats)} human rounds)")]
    body = ("<p>Every number of the mission-activity table and of Figures 1 and 2 links to "
            "the paragraphs behind it; every paragraph shows the words that were matched "
            "(highlighted), its codes, and a link that opens the PDF at its page. Hard "
            "negatives (OC text that was not counted, with the reason) are listed on each "
            "operation page.</p>"
            '<ul class="facts">' + "".join(f"<li>{esc(k)}: {v}</li>" for k, v in facts)
            + "</ul><ul>" + "".join(f'<li><a href="{t}">{esc(w)}</a></li>' for t, w in links)
            + "</ul><h2>Operations</h2>"
            + table(["Operation", "Name", "Explicit OC mandate", "Reports",
                     "OC activity paragraphs", "Resolution paragraphs", "Hard negatives"],
                    rows))
    c.site.write("index.html", page("Evidence browser", body, 0, c.site.synthetic))


def search_page(c: Corpus) -> None:
    ops = [{"name": op, "file": f"data/{c.slugs[op]}.js"} for op in c.operations
           if c.per_op.get(op)]
    markets = list(dict.fromkeys(c.activity["market"]))

    def options(vals, words) -> str:
        return "".join(f'<option value="{esc(v)}">{esc(words(v))}</option>' for v in vals)

    body = (
        '<form id="search" role="search" aria-label="Search the coded paragraphs">'
        '<label>Operation <select id="s-op"><option value="">all operations</option>'
        + options([o["name"] for o in ops], str) + "</select></label> "
        '<label>Quadrant <select id="s-q"><option value="">any</option>'
        + options(QUADRANTS, lambda q: QUADRANT_WORDS[q]) + "</select></label> "
        '<label>Market <select id="s-m"><option value="">any</option>'
        + options(markets, market_words) + "</select></label> "
        '<label>Kind <select id="s-k"><option value="">any</option>'
        + options([k for k, _ in KINDS], lambda k: KIND_WORDS[k]) + "</select></label> "
        '<label>Words <input id="s-text" type="search" '
        'placeholder="e.g. trafficking"></label> '
        '<button type="submit" id="s-go">Search</button></form>'
        '<p id="s-count" aria-live="polite"></p><ol id="s-results"></ol>')
    c.site.write("search.html", page("Search the paragraphs", body, 0, c.site.synthetic,
                                     scripts=("assets/search.js",),
                                     inline_script=f"window.OCB_SHARDS={js_data(ops)};"))


# ---------------------------------------------------------------- build

def build(coded, evidence, activity, mandates, documents, missions, out_dir, root=".",
          rounds=(), disagreements=None, page_size: int = PAGE_SIZE) -> Path:
    """Write the site into ``out_dir`` (replaced as a whole); returns ``out_dir``."""
    out_dir = Path(out_dir)
    log("reading the tables")
    coded_df = load.read_coded(coded)
    evidence_df = load.read_evidence(evidence)
    activity_df = load.read_activity(activity)
    mandates_df = load.read_mandates(mandates)
    documents_df = load.read_documents(documents)
    missions_df = load.read_missions(missions)
    round_list = [load.read_round(spec) for spec in rounds]
    dis = load.read_disagreements(disagreements) if disagreements else None
    if out_dir.exists() and any(out_dir.iterdir()) and not (out_dir / "index.html").exists():
        raise load.BrowserInputError(f"{out_dir}: folder exists and is not a browser site "
                                     "(no index.html); give an empty or new --out-dir")
    tmp = out_dir.with_name(f".{out_dir.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    synthetic = any(str(d).startswith("demo-") for d in documents_df["doc_id"])
    site = Site(tmp, Path(root), out_dir, synthetic, page_size)
    names = dict(zip(missions_df["acronym"], missions_df["name"], strict=True))
    c = Corpus(coded_df, evidence_df, activity_df, mandates_df, documents_df, names, site)
    try:
        for name in ASSETS:
            site.write(f"assets/{name}",
                       resources.files("analysis.browser").joinpath(name)
                       .read_text(encoding="utf-8"))
        for i, op in enumerate(c.operations, 1):
            operation_pages(c, op)
            log(f"operation pages {i}/{len(c.operations)} ({op})")
        matrix_pages(c)
        figure_pages(c)
        stats = {}
        for rnd in round_list:
            stats[rnd.name] = round_page(c, rnd)
            log(f"round {rnd.name}: {stats[rnd.name]['paragraphs']} paragraphs")
        rounds_index(c, stats, dis)
        index_page(c, stats)
        search_page(c)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        tmp.rename(out_dir)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"wrote {site.written} files to {out_dir}")
    return out_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m analysis.browser site",
        description="Build the static evidence browser (open OUT_DIR/index.html).")
    parser.add_argument("--coded", required=True, help="coded_paragraphs.parquet")
    parser.add_argument("--evidence", required=True, help="evidence.parquet")
    parser.add_argument("--activity", required=True, help="mission_activity.csv")
    parser.add_argument("--mandates", required=True, help="mandates.csv")
    parser.add_argument("--documents", required=True, help="documents.csv (corpus manifest)")
    parser.add_argument("--missions", required=True, help="operations reference table")
    parser.add_argument("--round", action="append", default=[], metavar="NAME=FOLDER",
                        help="a human coding round's folder (consensus.csv, codes.parquet); "
                        "repeatable")
    parser.add_argument("--disagreements", help="disagreements.csv of all rounds (optional)")
    parser.add_argument("--root", default=".",
                        help="folder the documents.csv paths are relative to (default: the "
                        "working directory)")
    parser.add_argument("--page-size", type=int, default=PAGE_SIZE,
                        help=f"paragraphs per page before a list is split (default "
                        f"{PAGE_SIZE})")
    parser.add_argument("--out-dir", required=True, help="the site's folder")
    args = parser.parse_args(argv)
    if args.page_size < 1:
        parser.error("--page-size must be 1 or more")
    try:
        build(args.coded, args.evidence, args.activity, args.mandates, args.documents,
              args.missions, args.out_dir, root=args.root, rounds=args.round,
              disagreements=args.disagreements, page_size=args.page_size)
    except (ValueError, OSError) as err:
        print(f"browser failed: {err}", file=sys.stderr)
        return 1
    return 0
