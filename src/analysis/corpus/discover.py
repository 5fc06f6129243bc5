"""Find an operation's Security Council resolutions and Secretary-General reports in the UN
Digital Library (https://digitallibrary.un.org): a DRAFT list for the researcher to review.

``python -m analysis.corpus discover --operation UNMIL --missions raw/missions.csv
--out results/study/discovered.csv`` searches the library's public catalogue by the
operation's names (acronym, name and aliases from the operations table), pages through the
answers in MARCXML and writes one row per document with the manifest's columns
(:data:`analysis.schemas.manifest.MANIFEST_COLUMNS`) plus ``document_kind`` and ``source``
(the catalogue record the symbol and date were read from), as the study manifest
(``raw/study/manifest.csv``) wants them, then ``record_id``, ``status`` and ``message``. It needs the
network; every request goes through :class:`analysis.corpus.http.PoliteClient` (one request
per second by default, retries with backoff, a User-Agent naming the project). Nothing it
writes is a confirmed document: a catalogue search finds documents that merely mention an
operation, and its metadata can be wrong. The researcher checks each row against its record
before copying it into the study manifest.

Rows (``status``):

- ``to review``: a resolution (symbol ``S/RES/<n> (<year>)``) or a report (symbol
  ``S/<year>/<n>``) with a full date. ``message`` says what to look at (no English PDF link,
  a "report" whose title does not say report, e.g. a letter of the Secretary-General).
- ``incomplete``: the record has no document symbol or no full date; kept, not dropped,
  with ``message`` saying what is missing, so the researcher can complete it by hand.
- ``other type``: a symbol of another shape (a General Assembly document, a meeting
  record, an addendum ...); ``doc_type`` is empty. Kept so nothing found is hidden.

``doc_id`` is the symbol lower-cased with every run of other characters turned into ``-``
(``S/RES/1509 (2003)`` -> ``s-res-1509-2003``, ``S/2003/875`` -> ``s-2003-875``), the form
``raw/manifest.csv`` uses; ``undl-<record id>`` when there is no symbol. Symbols are written
``S/RES/1509 (2003)`` (one space before the parenthesis; the library writes both
``S/RES/1509(2003)`` and ``S/RES/1509 (2003)``). Rows are merged by symbol (a document found
for two operations lists both, ``;``-separated; of two records of one symbol the one with an
English PDF, then the complete one, then the lowest record id is kept) and sorted by date,
symbol and record id: the same answers give a byte-identical CSV.

What was confirmed, and where (all seen on 30 November 2026 through stored copies):

- The search API: ``GET /search?p=...&of=xm&jrec=...&rg=...``: ``p`` the query, ``of=xm``
  MARCXML, ``jrec`` the number of the first hit to return (1 = first), ``rg`` the records
  per page; "set jrec and rg appropriately to paginate". The library's own help page
  https://digitallibrary.un.org/help/search-engine-api?ln=en (Invenio's search engine API).
- Logical fields and MARC tags: ``documentsymbol`` searches ``191__a`` (and 191 $z, 791 $a,
  019 $a), ``author`` 110/710/111/711, ``title`` 245/246/..., ``subject`` 600-651; ranges on
  dates ``269:1948->1949`` and ``992:>2018`` (so 269 and 992 hold dates); a sample query
  ``author:"Secretary-General" fulltext:"sustaining peace"``. The library's search help,
  https://digitallibrary.un.org/pages/?ln=ar&page=newVersion_02 .
- CR-UNSC (github.com/SeanFobbe/cr-unsc, functions/f.record_main.R, f.record_url.R) finds a
  resolution's record with ``/search?...&p1=S/RES/<n>(...&f1=documentsymbol...&of=hb
  &fct__1=Resolutions and Decisions``, so the resource-type facet ``fct__1`` has the value
  ``Resolutions and Decisions``; record pages are ``/record/<id>``, files
  ``/record/<id>/files/S_RES_37%281947%29-ES.pdf`` (language code before ``.pdf``).
- Public code of the Dag Hammarskjöld Library's own tools (a service built on its ``dlx``
  and ``gdoc_api`` packages, found with the ``search`` tool) reads ``of=xm`` answers of
  ``/search?p=191:<symbol>&of=xm&ot=001,191,856``: the record id in 001, the symbol in 191,
  the English file as the 856 field whose ``$y`` is ``English`` (URL in ``$u``), and the hit
  count from the comment before the collection (``Search-Engine-Total-Number-Of-Results:
  N``), as Invenio writes it. On the symbols' spelling, the library's
  github.com/dag-hammarskjold-library/undl_proxy (app.py) notes that ``S/RES/2049(2012)``
  and ``S/RES/2273 (2016)`` are both valid symbols, hence the normalisation.
- ``S/RES/1509 (2003)`` was adopted on 19 September 2003 and established UNMIL
  (http://unscr.com/en/resolutions/1509, the resolution's text), used in the test fixture.

Assumptions (not confirmed; each lives in :func:`build_query_url` or :func:`parse_marcxml`,
so a change of the library is fixed in one place):

- ``fct__1=Resolutions and Decisions`` also filters an ``of=xm`` answer (seen only with
  ``of=hb``); if the library ignores it, the symbol test below still sorts the rows.
- Secretary-General reports are found by ``author:"Secretary-General"`` (the help page's
  sample) joined with the names; no resource-type facet is used for them because its value
  was not confirmed. Letters of the Secretary-General have the same symbol shape
  (``S/<year>/<n>``); a report row whose title does not say "report" gets a message.
- Double-quoted names (``"United Nations Mission in Liberia"``) search the phrase in any
  field; in some Invenio versions a double-quoted phrase must match a whole field, which
  would find fewer records (the acronym, also searched, softens this).
- The date is 269 $a, else 992 $a, written ``YYYY-MM-DD`` or ``YYYYMMDD`` (a third-party
  harvester documents 269 $a as the publication date); the title is 245 $a $b (and $n $p).
- The English file may also be named by ``$3 English`` (the UNBIS manual's 856 practice) or
  only by its file name ``...-EN.pdf``; both are accepted.
- Older Invenio/TIND answers may omit the MARC namespace; records are read with or without it.
"""

from __future__ import annotations

import argparse
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from analysis.schemas.manifest import MANIFEST_COLUMNS

DEFAULT_BASE_URL = "https://digitallibrary.un.org"
DEFAULT_PAGE_SIZE = 50  # records per request (rg)
MAX_PAGE_SIZE = 200  # Invenio's usual ceiling for rg
DEFAULT_MAX_RECORDS = 500  # per operation and document type
MARC_NS = "http://www.loc.gov/MARC21/slim"
DOC_TYPES = ("resolution", "report")  # what discover searches for, in this order
PLURAL = {"resolution": "resolutions", "report": "reports"}
EXTRA_COLUMNS = ("document_kind", "source", "record_id", "status", "message")
# the study manifest's document_kind (raw/study/README.md) by doc_type
DOCUMENT_KIND = {"resolution": "Security Council resolution",
                 "report": "Secretary-General report"}
COLUMNS = (*MANIFEST_COLUMNS, *EXTRA_COLUMNS)
TO_REVIEW, INCOMPLETE, OTHER = "to review", "incomplete", "other type"
RESOLUTION_SYMBOL = re.compile(r"S/RES/\d+ \(\d{4}\)")
REPORT_SYMBOL = re.compile(r"S/\d{4}/\d+")
TOTAL = re.compile(rb"Search-Engine-Total-Number-Of-Results:\s*(\d+)")
ENGLISH = frozenset({"english", "en", "eng", "anglais"})
EN_FILE = re.compile(r"-EN\.pdf$", re.IGNORECASE)
DRAFT_NOTE = ("DRAFT: each row is a candidate a catalogue search found, not a confirmed "
              "document. Review every row (symbol, date, operations) against its record "
              "(column source) before adding it to the study manifest in raw/study/.")


class DiscoverError(Exception):
    """Discovery cannot go on (unknown operation, an answer that is not MARCXML ...)."""


# --- pure functions ---------------------------------------------------------------------

def build_query_url(base_url: str, names: Sequence[str], doc_type: str, jrec: int = 1,
                    rg: int = DEFAULT_PAGE_SIZE) -> str:
    """The search URL for one page of an operation's resolutions or reports (MARCXML).

    This is the one place the library's query language is spoken:

    - ``p``: the operation's names, each double-quoted, joined by ``OR`` in parentheses:
      ``("UNMIL" OR "UN Mission in Liberia" OR "United Nations Mission in Liberia")``;
      for reports ``AND author:"Secretary-General"`` is added;
    - ``fct__1=Resolutions and Decisions`` (the resource-type facet) for resolutions;
    - ``of=xm`` (MARCXML), ``rg`` records from hit number ``jrec`` (1 = first), ``ln=en``.

    Names are used as given (the caller drops repeats); a ``"`` inside a name is dropped.
    """
    if doc_type not in DOC_TYPES:
        raise ValueError(f"doc_type must be one of {', '.join(DOC_TYPES)}, not {doc_type!r}")
    if not names:
        raise ValueError("no names to search for")
    if jrec < 1 or not 1 <= rg <= MAX_PAGE_SIZE:
        raise ValueError(f"jrec must be >= 1 and rg 1..{MAX_PAGE_SIZE}")
    terms = " OR ".join(f'"{n.replace(chr(34), "").strip()}"' for n in names)
    pattern = f"({terms})"
    params = [("p", pattern)]
    if doc_type == "resolution":
        params.append(("fct__1", "Resolutions and Decisions"))
    else:
        params[0] = ("p", f'{pattern} AND author:"Secretary-General"')
    params += [("of", "xm"), ("rg", str(rg)), ("jrec", str(jrec)), ("ln", "en")]
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    return f"{base_url.rstrip('/')}/search?{query}"


@dataclass
class Record:
    """What one MARCXML record says (raw, as the catalogue wrote it)."""

    record_id: str
    symbols: list[str] = field(default_factory=list)  # every 191 $a
    title: str = ""  # 245 $a $b $n $p
    date_269: str = ""
    date_992: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)  # 856 ($u, $y or $3)


@dataclass
class Page:
    """One answer: the hit count the library announced (None if absent) and the records."""

    total: int | None
    records: list[Record]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _describe_start(body: bytes, n: int = 60) -> str:
    text = body[:n].decode("utf-8", errors="replace")
    return " ".join(text.split())


def parse_marcxml(body: bytes, url: str = "") -> Page:
    """Parse a MARCXML answer (``<collection>`` of ``<record>``, namespace
    http://www.loc.gov/MARC21/slim or none).

    Raises :class:`DiscoverError` naming ``url`` when the answer is not MARCXML (an HTML
    error or login page, an empty body, a document type declaration)."""
    where = f" from {url}" if url else ""
    hint = ("open the address in a browser to see what the library answers; it may be down, "
            "refusing automated requests, or its search interface may have changed")
    if not body.strip():
        raise DiscoverError(f"the answer{where} is empty, not MARCXML; {hint}")
    if b"<!DOCTYPE" in body[:2048].upper() or b"<!ENTITY" in body:
        raise DiscoverError(f"the answer{where} is not MARCXML (it starts "
                            f"{_describe_start(body)!r}: an HTML page?); {hint}")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as err:
        raise DiscoverError(f"the answer{where} is not MARCXML ({err}; it starts "
                            f"{_describe_start(body)!r}); {hint}") from None
    ns = root.tag[1:].split("}")[0] if root.tag.startswith("{") else ""
    if _local(root.tag) != "collection" or ns not in ("", MARC_NS):
        raise DiscoverError(f"the answer{where} is XML but not a MARCXML collection (root "
                            f"element {root.tag!r}); {hint}")
    head = body.split(b"<record", 1)[0]
    m = TOTAL.search(head)
    total = int(m.group(1)) if m else None
    records = []
    for rec in root:
        if _local(rec.tag) == "record":
            records.append(_record(rec))
    return Page(total, records)


def _subfields(datafield: ET.Element) -> list[tuple[str, str]]:
    return [(sf.get("code", ""), " ".join((sf.text or "").split()))
            for sf in datafield if _local(sf.tag) == "subfield"]


def _record(rec: ET.Element) -> Record:
    out = Record(record_id="")
    for fld in rec:
        name, tag = _local(fld.tag), fld.get("tag", "")
        if name == "controlfield" and tag == "001":
            out.record_id = (fld.text or "").strip()
            continue
        if name != "datafield":
            continue
        subs = _subfields(fld)
        first = {}
        for code, value in subs:
            first.setdefault(code, value)
        if tag == "191" and first.get("a"):
            out.symbols.append(first["a"])
        elif tag == "245" and not out.title:
            parts = [v for c, v in subs if c in "abnp" and v]
            out.title = _clean_title(" ".join(parts))
        elif tag == "269" and not out.date_269:
            out.date_269 = first.get("a", "")
        elif tag == "992" and not out.date_992:
            out.date_992 = first.get("a", "")
        elif tag == "856" and first.get("u"):
            out.files.append((first["u"], first.get("y") or first.get("3") or ""))
    return out


def _clean_title(text: str) -> str:
    """245 punctuation off: ``Resolution 1509 (2003) /`` -> ``Resolution 1509 (2003)``."""
    text = " ".join(text.split())
    text = re.sub(r"\s+([:;,/])", r"\1", text)
    return text.rstrip(" /:;,.=")


def normalize_symbol(symbol: str) -> str:
    """``S/RES/1509(2003)`` -> ``S/RES/1509 (2003)``: spaces collapsed, none around ``/``,
    one before ``(``."""
    s = " ".join(str(symbol).split())
    s = re.sub(r"\s*/\s*", "/", s)
    return re.sub(r"\s*\(\s*", " (", s).replace(" )", ")").strip()


def doc_id_for(symbol: str, record_id: str = "") -> str:
    """``S/RES/1509 (2003)`` -> ``s-res-1509-2003``; ``undl-<record_id>`` without symbol."""
    if symbol:
        return re.sub(r"[^a-z0-9]+", "-", symbol.lower()).strip("-")
    return f"undl-{record_id or 'unknown'}"


def iso_date(value: str) -> str:
    """``2003-09-19``, ``20030919`` or ``2003-09-19T...`` -> ``2003-09-19``; "" otherwise
    (a year or month alone is not a date)."""
    import datetime as dt

    value = value.strip()
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})(?:[T ].*)?", value)
    if not m:
        return ""
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return ""


def english_pdf(files: Iterable[tuple[str, str]], base_url: str) -> str:
    """The first 856 link whose language is English or whose file name ends ``-EN.pdf``
    (absolute; spaces escaped), else ""."""
    for url, lang in files:
        path = urllib.parse.unquote(urllib.parse.urlsplit(url).path)
        if lang.strip().lower() in ENGLISH or EN_FILE.search(path):
            full = urllib.parse.urljoin(base_url.rstrip("/") + "/", url.strip())
            return urllib.parse.quote(full, safe=":/?&=%#;,+@()~!$'*[]")
    return ""


def classify(symbol: str) -> str:
    """``resolution``, ``report`` or "" (another kind of document) from a normalised symbol."""
    if RESOLUTION_SYMBOL.fullmatch(symbol):
        return "resolution"
    if REPORT_SYMBOL.fullmatch(symbol):
        return "report"
    return ""


def records_to_rows(records: Iterable[Record], operation: str, base_url: str) -> list[dict]:
    """One output row per record (all :data:`COLUMNS`, text), for one operation.

    The symbol decides ``doc_type`` (whatever the query was); ``status`` and ``message``
    as the module doc says. Nothing is dropped."""
    base = base_url.rstrip("/")
    rows = []
    for rec in records:
        symbol = normalize_symbol(rec.symbols[0]) if rec.symbols else ""
        date = iso_date(rec.date_269) or iso_date(rec.date_992)
        doc_type = classify(symbol) if symbol else ""
        missing = []
        if not symbol:
            missing.append("no document symbol (191 $a)")
        if not date:
            seen = ", ".join(f"{tag} $a {v!r}" for tag, v in (("269", rec.date_269),
                                                               ("992", rec.date_992)) if v)
            missing.append(f"no full date ({seen or '269 and 992 absent'})")
        source_url = english_pdf(rec.files, base)
        notes = []
        if missing:
            status = INCOMPLETE
            notes.append("; ".join(missing) + ": read it on the record page (column "
                                              "source) and fill it in, or leave the row out")
        elif not doc_type:
            status = OTHER
            notes.append(f"{symbol!r} is neither a Security Council resolution "
                         "(S/RES/<n> (<year>)) nor a report (S/<year>/<n>); kept for review")
        else:
            status = TO_REVIEW
        if doc_type == "report" and "report" not in rec.title.lower():
            notes.append("the title does not say 'report': check that it is a report of "
                         "the Secretary-General, not a letter")
        if len(rec.symbols) > 1:
            notes.append("the record has several symbols: "
                         + ", ".join(normalize_symbol(s) for s in rec.symbols))
        if not source_url and status != INCOMPLETE:
            notes.append("no English PDF link in the record; fetch will look the symbol up")
        rows.append({
            "doc_id": doc_id_for(symbol, rec.record_id), "path": "", "doc_type": doc_type,
            "missions": operation, "date": date, "title": rec.title, "symbol": symbol,
            "source_url": source_url, "sha256": "",
            "document_kind": DOCUMENT_KIND.get(doc_type, ""),
            "source": f"{base}/record/{rec.record_id}" if rec.record_id else "",
            "record_id": rec.record_id, "status": status, "message": "; ".join(notes),
        })
    return rows


def _rank(row: dict) -> tuple:
    """Which of two rows of one symbol to keep: English PDF, complete, lowest record id."""
    rid = row["record_id"]
    return (row["source_url"] == "", row["status"] == INCOMPLETE,
            int(rid) if rid.isdigit() else float("inf"), rid)


def merge_rows(rows: Iterable[dict]):
    """Rows merged by symbol (records without a symbol by record id), operations joined
    (sorted, ``;``), sorted by date (undated last), symbol, record id; a DataFrame with
    :data:`COLUMNS`."""
    import pandas as pd

    kept: dict[str, dict] = {}
    missions: dict[str, set[str]] = {}
    for row in rows:
        key = row["symbol"] or f"record:{row['record_id']}"
        missions.setdefault(key, set()).update(m for m in row["missions"].split(";") if m)
        if key not in kept or _rank(row) < _rank(kept[key]):
            kept[key] = dict(row)
    out = []
    for key, row in kept.items():
        row["missions"] = ";".join(sorted(missions[key]))
        out.append(row)
    out.sort(key=lambda r: (r["date"] == "", r["date"], r["symbol"], _rank(r)[2:]))
    return pd.DataFrame(out, columns=list(COLUMNS), dtype=str).fillna("")


# --- operations table -------------------------------------------------------------------

def operation_names(operations, name: str, table: str = "raw/missions.csv") -> tuple[str,
                                                                                     list[str]]:
    """(acronym, names to search) of the operation called ``name`` (acronym, name or alias,
    any case); :class:`DiscoverError` with the closest acronyms when none is."""
    from analysis.missions import alias_index, closest_acronyms
    from analysis.schemas.missions import alias_key, split_list

    acronym = alias_index(operations).get(alias_key(name))
    if acronym is None:
        near = closest_acronyms(operations, name)
        hint = (f"closest known acronyms: {', '.join(near)}" if near else
                f"no acronym of its {len(operations)} operations is close to it")
        raise DiscoverError(f"{name!r} is not an operation of {table} ({hint}); give an "
                            f"acronym, name or alias listed there, or add the operation as "
                            f"a row of {table}")
    row = operations.loc[operations["acronym"] == acronym].iloc[0]
    names: list[str] = []
    for n in [row["acronym"], row["name"], *split_list(row["aliases"])]:
        if n.strip() and alias_key(n) not in {alias_key(x) for x in names}:
            names.append(n.strip())
    return acronym, names


# --- I/O ----------------------------------------------------------------------------------

@dataclass
class Search:
    """What one (operation, document type) search found."""

    operation: str
    doc_type: str
    total: int | None = None
    records: list[Record] = field(default_factory=list)
    pages: int = 0
    truncated: bool = False


def search(client, base_url: str, operation: str, names: Sequence[str], doc_type: str,
           page_size: int = DEFAULT_PAGE_SIZE, max_records: int = DEFAULT_MAX_RECORDS,
           log=sys.stderr) -> Search:
    """Page through one search (``jrec`` 1, 1+rg, ...) until every announced hit is read,
    a page comes back short or empty, or ``max_records`` records are read."""
    found = Search(operation, doc_type)
    label = f"{operation} {PLURAL[doc_type]}"
    while len(found.records) < max_records:
        rg = min(page_size, max_records - len(found.records))
        url = build_query_url(base_url, names, doc_type, jrec=len(found.records) + 1, rg=rg)
        response = client.get(url, accept="application/marcxml+xml, application/xml, "
                                          "text/xml;q=0.9, */*;q=0.1")
        if response.status != 200:
            raise DiscoverError(f"HTTP {response.status} from {url}; expected 200 with "
                                "MARCXML (open the address in a browser to see why)")
        page = parse_marcxml(response.body, url)
        found.pages += 1
        seen = {r.record_id for r in found.records}
        if page.records and all(r.record_id in seen for r in page.records):
            print(f"{label}: page {found.pages} repeats records already read (the library "
                  f"ignored jrec?); stopping", file=log, flush=True)
            found.truncated = True
            break
        if page.total is not None:
            found.total = page.total
        found.records.extend(page.records)
        of = f" of {found.total}" if found.total is not None else ""
        print(f"{label}: page {found.pages}, {len(found.records)}{of} records", file=log,
              flush=True)
        if (not page.records or len(page.records) < rg
                or (found.total is not None and len(found.records) >= found.total)):
            break
    else:
        found.truncated = found.total is None or found.total > len(found.records)
    return found


def discover(operations: Sequence[str], missions_path: str | Path, out: str | Path,
             client, base_url: str = DEFAULT_BASE_URL, page_size: int = DEFAULT_PAGE_SIZE,
             max_records: int = DEFAULT_MAX_RECORDS, log=sys.stderr):
    """Search every operation for resolutions and reports, write the draft CSV to ``out``
    and return (table, searches). Raises DiscoverError / MissionsError / HttpFailure."""
    from analysis.io import write_csv
    from analysis.missions import load_missions

    table = load_missions(missions_path)
    wanted = [operation_names(table, name, str(missions_path)) for name in operations]
    searches, rows = [], []
    for acronym, names in dict(wanted).items():  # an operation asked for twice runs once
        for doc_type in DOC_TYPES:
            found = search(client, base_url, acronym, names, doc_type, page_size,
                           max_records, log)
            searches.append(found)
            rows += records_to_rows(found.records, acronym, base_url)
    df = merge_rows(rows)
    write_csv(df, out)
    return df, searches


def summary(df, searches: Sequence[Search], out: str | Path, base_url: str,
            requests: int) -> str:
    """The end-of-run text (stderr): per search the records found, rows by status, the
    DRAFT note and that the command needs the network."""
    lines = [f"discover: {len(df)} documents written to {out}"]
    width = max((len(s.operation) for s in searches), default=0)
    for s in searches:
        total = f" (the library announced {s.total})" if s.total is not None else ""
        cut = " - STOPPED at --max-records, raise it to read all" if s.truncated else ""
        lines.append(f"  {s.operation:<{width}}  {PLURAL[s.doc_type]:<11} "
                     f"{len(s.records)} records found{total}{cut}")
    if len(df):
        counts = df.groupby(["doc_type", "status"]).size()
        parts = [f"{n} {t or 'untyped'} {st}" for (t, st), n in counts.items()]
        lines.append("  rows by doc_type and status: " + ", ".join(parts))
    host = urllib.parse.urlsplit(base_url).netloc or base_url
    lines.append(DRAFT_NOTE)
    lines.append(f"This command needs the network: it sent {requests} requests to {host}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.corpus discover --operation ACRONYM [...] --missions M --out O``."""
    from analysis.corpus.http import HttpFailure, add_politeness_arguments, client_from_args
    from analysis.io import TableError
    from analysis.missions import MissionsError

    ap = argparse.ArgumentParser(
        prog="python -m analysis.corpus discover",
        description="List an operation's Security Council resolutions and Secretary-General "
                    "reports from the UN Digital Library's public search (needs the network)."
                    " Writes a DRAFT to review before rows go into the study manifest.")
    ap.add_argument("--operation", action="append", required=True, metavar="ACRONYM",
                    help="operation acronym, name or alias of the operations table "
                         "(repeat for several)")
    ap.add_argument("--missions", required=True, help="operations table (raw/missions.csv)")
    ap.add_argument("--out", required=True, help="draft CSV to write "
                                                 "(e.g. results/study/discovered.csv)")
    ap.add_argument("--base-url", default=DEFAULT_BASE_URL, help="the library's address")
    ap.add_argument("--max-records", type=int, default=DEFAULT_MAX_RECORDS,
                    help="most records read per operation and document type "
                         "(default %(default)s)")
    ap.add_argument("--page-size", type=int, default=DEFAULT_PAGE_SIZE,
                    help=f"records per request, 1..{MAX_PAGE_SIZE} (default %(default)s)")
    add_politeness_arguments(ap)
    args = ap.parse_args(argv)
    if args.max_records < 1 or not 1 <= args.page_size <= MAX_PAGE_SIZE:
        ap.error(f"--max-records must be >= 1 and --page-size 1..{MAX_PAGE_SIZE}")
    try:
        client = client_from_args(args)
    except ValueError as err:
        ap.error(str(err))
    try:
        df, searches = discover(args.operation, args.missions, args.out, client,
                                args.base_url, args.page_size, args.max_records)
    except (DiscoverError, MissionsError, HttpFailure, TableError) as err:
        print(f"discover: {err}", file=sys.stderr)
        print(f"discover: nothing written to {args.out}.", file=sys.stderr)
        return 1
    print(summary(df, searches, args.out, args.base_url, client.requests), file=sys.stderr)
    return 0
