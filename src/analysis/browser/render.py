"""HTML pieces of the evidence browser, written with the standard library only.

Every function returns a string; nothing here reads or writes files. Text from the tables
is escaped with :func:`html.escape` at the point it enters the page (:func:`esc`), so a
paragraph holding ``<``, ``&`` or ``"`` shows as written.
"""

from __future__ import annotations

import html
import json
from urllib.parse import quote

from analysis.vocab import NEGATIVE_REASONS

# Reader-facing words (RESEARCH-DESIGN.md vocabulary).
QUADRANT_WORDS = {
    "direct_consequences": "direct: consequences",
    "direct_drivers": "direct: drivers",
    "indirect_consequences": "indirect: consequences",
    "indirect_drivers": "indirect: drivers",
}
NEGATIVE_WORDS = {
    "concern_only": "concern only: the text voices concern, no work of the operation",
    "negation": "negation: the text says the work did not happen",
    "plan": "plan: work announced or planned, not done",
    "postponed": "postponed: work postponed or suspended",
    "other_actor": "other actor: someone other than the operation does the work",
}
assert set(NEGATIVE_WORDS) == set(NEGATIVE_REASONS)

# The kinds of paragraph an operation page lists, in page order.
KINDS = (
    ("activity", "OC activity (counted)"),
    ("mandate", "Resolution paragraphs (mandate coding)"),
    ("oc", "Other OC paragraphs (OC named, no activity, no reason given)"),
    ("negative", "Hard negatives (NOT counted), with their reason"),
)
KIND_WORDS = dict(KINDS)
SYNTHETIC = "SYNTHETIC DEMO CORPUS"


def esc(value) -> str:
    return html.escape(str(value), quote=True)


def href(path: str) -> str:
    """A relative URL from a relative file path (spaces and other characters quoted)."""
    return esc(quote(path, safe="/._-~#=:"))


def js_data(value) -> str:
    """JSON for embedding in a ``<script>`` element or a ``.js`` data file: sorted keys, no
    ASCII escaping, and ``</`` broken so that text cannot close the script element."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029",
                                                                          "\\u2029")


def merge_spans(spans) -> list[tuple[int, int, list[str]]]:
    """Overlapping ``(start, end, label)`` spans merged into ``(start, end, labels)``, in
    text order. Spans that only touch stay apart; empty or reversed spans are dropped."""
    merged: list[list] = []
    for start, end, label in sorted(spans, key=lambda s: (s[0], s[1], s[2])):
        if end <= start:
            continue
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
            if label not in merged[-1][2]:
                merged[-1][2].append(label)
        else:
            merged.append([start, end, [label]])
    return [(s, e, sorted(labels)) for s, e, labels in merged]


def highlight(text: str, spans) -> str:
    """``text`` escaped, with each merged span in a ``<mark>`` whose title names the coded
    variables and values it supports. ``spans``: ``(start, end, "variable=value")`` with
    offsets into ``text``; spans outside the text are clipped."""
    n = len(text)
    clipped = [(max(0, int(s)), min(n, int(e)), lab) for s, e, lab in spans]
    out, pos = [], 0
    for start, end, labels in merge_spans(clipped):
        out.append(esc(text[pos:start]))
        negative = any(lab.startswith("negative_reason=") for lab in labels)
        cls = ' class="neg"' if negative else ""
        out.append(f'<mark{cls} title="{esc("; ".join(labels))}">{esc(text[start:end])}'
                   "</mark>")
        pos = end
    out.append(esc(text[pos:]))
    return "".join(out)


def split_codes(cell: str) -> list[str]:
    return [v.strip() for v in str(cell or "").split(";") if v.strip()]


NAV = (("index.html", "Overview"), ("matrix.html", "Matrix"), ("fig1.html", "Figure 1"),
       ("fig2.html", "Figure 2"), ("search.html", "Search"), ("rounds.html", "Rounds"))


def page(title: str, body: str, depth: int, synthetic: bool, scripts=(),
         inline_script: str = "") -> str:
    """A whole HTML page; ``depth``: folders between the page and the site root."""
    up = "../" * depth
    banner = (f'<p class="banner" role="note"><strong>{SYNTHETIC}</strong>: every document, '
              "number and word on these pages is made up to demonstrate the workflow; "
              "none of it is evidence about real operations.</p>" if synthetic else "")
    nav = " ".join(f'<a href="{up}{target}">{esc(label)}</a>' for target, label in NAV)
    script_tags = "".join(f'<script src="{href(up + s)}"></script>' for s in scripts)
    inline = f"<script>{inline_script}</script>" if inline_script else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{up}assets/style.css">\n'
        "</head>\n<body>\n"
        f"{banner}\n"
        f'<nav aria-label="Site">{nav}</nav>\n'
        f"<main>\n<h1>{esc(title)}</h1>\n{body}\n</main>\n"
        f'{inline}<script src="{up}assets/browser.js"></script>{script_tags}\n'
        "</body>\n</html>\n"
    )


def table(headers, rows, cls: str = "", caption: str = "") -> str:
    """A table; ``rows`` hold HTML cell contents already escaped (``(html, attrs)`` tuples
    allowed for attributes)."""
    head = "".join(f'<th scope="col">{h}</th>' for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            content, attrs = cell if isinstance(cell, tuple) else (cell, "")
            tag = "th" if i == 0 else "td"
            scope = ' scope="row"' if tag == "th" else ""
            cells.append(f"<{tag}{scope}{attrs}>{content}</{tag}>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    klass = f' class="{cls}"' if cls else ""
    return (f"<table{klass}>{cap}<thead><tr>{head}</tr></thead>\n<tbody>\n"
            + "\n".join(body) + "\n</tbody></table>")


def pager(stems: list[str], current: int, depth_prefix: str = "") -> str:
    """Links to the pages of a list split over several files (``stems``: file names)."""
    if len(stems) < 2:
        return ""
    links = []
    for i, stem in enumerate(stems):
        if i == current:
            links.append(f'<span aria-current="page">page {i + 1}</span>')
        else:
            links.append(f'<a href="{href(depth_prefix + stem)}">page {i + 1}</a>')
    return f'<nav class="pager" aria-label="Pages of this list">{" · ".join(links)}</nav>'
