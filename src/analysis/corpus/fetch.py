"""Download the manifest's documents that are not on disk.

A manifest row whose ``path`` is empty or names a missing file, and which has a ``symbol`` or a
``source_url``, is downloaded into the sources folder (the workflow uses ``results/sources/``)
as ``<doc_id>.pdf``. The manifest folder (``raw/``) is never written to.

URL: ``source_url`` if given, else ``base_url`` + the symbol. Undocs writes a symbol without the
space before its parenthesis (``https://undocs.org/en/S/RES/1542(2004)`` for
``S/RES/1542 (2004)``), so whitespace before ``(`` is dropped; slashes and parentheses are
kept; any other space becomes ``%20``.

Every document gets one row in the lock CSV (``doc_id, url, sha256, bytes, status, message``,
sorted by doc_id, no timestamps): status ``downloaded``, ``reused`` (a file already in the
sources folder matched the expected checksum), ``failed`` (message says why) or ``offline``.
A failure never stops the run: the corpus check turns it into a quarantine row.

Politeness (``analysis.corpus.http``): one request per second by default (``--interval``),
retries with exponential backoff for what may pass (``--retries``, ``--backoff``; a server's
Retry-After is honoured), a User-Agent naming the project (and ``--contact``). An HTML answer
is read as a landing page: a meta refresh is followed, else the link to the English PDF
(links marked as another language are never taken); an answer that is still not a PDF is
refused with the reason (what the server sent, or what the landing page lacked).

Identity: a downloaded PDF must name the row's symbol on its first pages (``1509 (2003)``
for ``S/RES/1509 (2003)``, the symbol for a report, ``2015/800`` for an EU act numbered so);
otherwise it is refused as probably the wrong document. A scan without text is kept with a
note that it could not be checked. A reference that is not a UN symbol (an AU communiqué)
and has no ``source_url`` has no address: it fails with that reason and is never guessed.

Reuse: a file already in the sources folder is kept when its SHA-256 equals the manifest's
sha256, or (when the manifest has none) the checksum recorded for the same URL by an earlier
run. Earlier runs are remembered in the lock and in ``<dest>/.fetch-state.csv`` (same columns),
because a workflow manager may delete the lock before re-running this step. Offline, a file
already present whose checksum cannot be verified is kept (message says so).
"""

from __future__ import annotations

import argparse
import hashlib
import html.parser
import os
import re
import sys
import urllib.parse
from pathlib import Path

import pandas as pd

from analysis.corpus.http import (
    DEFAULT_BACKOFF,
    DEFAULT_INTERVAL,
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    HttpFailure,
    PoliteClient,
    add_politeness_arguments,
    client_from_args,
    user_agent,
)
from analysis.io import read_csv, write_csv
from analysis.missions import MissionsError
from analysis.schemas.manifest import (
    LockSchema,
    ManifestError,
    download_path,
    load_manifest,
    needs_download,
)

DEFAULT_BASE_URL = "https://undocs.org/en/"
USER_AGENT = user_agent()
LOCK_COLUMNS = ("doc_id", "url", "sha256", "bytes", "status", "message")
STATE_FILE = ".fetch-state.csv"
# After this many documents in a row whose server never answered, the other documents of
# that server are not tried (each would wait through every retry): no network, or it is down.
MAX_UNREACHABLE = 3
UNREACHABLE = "_unreachable"  # internal flag of a lock entry, not written
PDF_MAGIC = b"%PDF-"
# lock statuses of a document whose PDF is in the download folder
ON_DISK = ("downloaded", "reused")
MAGIC_WINDOW = 1024  # PDF readers accept the header anywhere in the first 1024 bytes
MISSIONS_HELP = ("operations table (e.g. raw/missions.csv); when given, every name in the "
                 "manifest's missions column must be an acronym, name or alias of one of its "
                 "operations (upper/lower case does not matter) and is read as that "
                 "operation's acronym; otherwise the manifest is refused with file, line, "
                 "column and the closest acronyms. Without it names are not checked")


class FetchError(Exception):
    """One document could not be downloaded; the message is written to the lock.
    ``unreachable``: its server never answered (see HttpFailure)."""

    def __init__(self, message: str, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


class DestinationError(ValueError):
    """The download folder is not allowed (it lies inside the read-only manifest folder)."""


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def looks_like_pdf(head: bytes) -> bool:
    """True if the PDF header appears in the first bytes (as PDF readers require)."""
    return PDF_MAGIC in head[:MAGIC_WINDOW]


def describe_start(head: bytes, n: int = 24) -> str:
    """The first characters of a file, printable, for 'not a PDF: file starts with ...'."""
    text = head[:n].decode("latin-1")
    return "".join(c if c.isprintable() else " " for c in text).strip()


def symbol_url(symbol: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """``S/RES/1542 (2004)`` -> ``https://undocs.org/en/S/RES/1542(2004)``."""
    compact = re.sub(r"\s+\(", "(", symbol.strip())
    compact = re.sub(r"\s+", " ", compact)
    return base_url.rstrip("/") + "/" + urllib.parse.quote(compact, safe="/()")


# Symbols the UN document system resolves (Security Council, General Assembly, ECOSOC,
# Secretariat); other references (an EU decision number, an AU communiqué) need a source_url.
UN_SYMBOL = re.compile(r"^(?:S|A|E|ST)/\S")


def document_url(row, base_url: str = DEFAULT_BASE_URL) -> str:
    """The row's source_url, else the undocs address of its UN symbol, else "" (no address:
    a reference such as ``PSC/PR/COMM.(DCCLIII)`` that no URL scheme resolves)."""
    if row["source_url"]:
        return row["source_url"]
    return symbol_url(row["symbol"], base_url) if UN_SYMBOL.match(row["symbol"]) else ""


# What a downloaded PDF must say on its first pages to be the document the row names:
# "1509 (2003)" for S/RES/1509 (2003), the symbol itself for a report, "2015/800" for an EU
# act numbered 2015/800. A wrong address otherwise gives the wrong document, silently.
CHECK_PAGES = 2


def symbol_key(symbol: str) -> re.Pattern | None:
    """The pattern a PDF of ``symbol`` shows on its first pages; None = nothing to check."""
    m = re.match(r"^S/RES/(\d+) \((\d{4})\)$", symbol)
    if m:
        return re.compile(rf"(?<!\d){m.group(1)}\s*\(\s*{m.group(2)}\s*\)")
    if UN_SYMBOL.match(symbol):
        parts = [re.escape(p) for p in symbol.split("/")]
        return re.compile(r"\s*/\s*".join(parts) + r"(?![\d])")
    m = re.search(r"(?<!\d)((?:19|20)\d\d)/(\d{1,4})(?!\d)", symbol)
    if m:
        return re.compile(rf"(?<!\d){m.group(1)}\s*/\s*0*{int(m.group(2))}(?!\d)")
    return None


def first_pages_text(path: Path, pages: int = CHECK_PAGES) -> str:
    """Text of the first pages (pypdfium2); "" for a scan without a text layer."""
    import pypdfium2 as pdfium  # lazy: only needed after a download

    pdf = pdfium.PdfDocument(str(path))
    try:
        out = []
        for i in range(min(pages, len(pdf))):
            page = pdf[i]
            textpage = page.get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
            page.close()
        return "\n".join(out)
    finally:
        pdf.close()


def identity_problem(path: Path, symbol: str) -> tuple[str | None, str]:
    """(problem or None, note): does the PDF at ``path`` name ``symbol`` on its first pages?
    A scan without text cannot be checked (note says so)."""
    key = symbol_key(symbol) if symbol else None
    if key is None:
        return None, ""
    try:
        text = first_pages_text(path)
    except Exception as err:  # noqa: BLE001 - a PDF pdfium cannot open is the check's job
        return None, f"identity not checked ({type(err).__name__})"
    if not text.strip():
        return None, "identity not checked (no text layer on the first pages)"
    if key.search(text):
        return None, ""
    return (f"wrong document? the PDF does not name {symbol} on its first {CHECK_PAGES} "
            "pages; file not kept (check the symbol or source_url)"), ""


class _LinkParser(html.parser.HTMLParser):
    """Links of an HTML landing page: <a href> (with its text), <meta http-equiv=refresh>,
    <link>/<iframe>/<embed>/<object> that point at a document, and the page <title>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []  # {"href", "text", "hreflang", "refresh"}
        self.title = ""
        self._a: dict | None = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self._a = {"href": a["href"], "text": a.get("title", ""),
                       "hreflang": a.get("hreflang", ""), "refresh": False}
            self.links.append(self._a)
        elif tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            m = re.search(r"url\s*=\s*['\"]?([^'\";]+)", a.get("content", ""),
                          re.IGNORECASE)
            if m:
                self.links.append({"href": m.group(1).strip(), "text": "", "hreflang": "",
                                   "refresh": True})
        elif tag in ("iframe", "embed") and a.get("src"):
            self.links.append({"href": a["src"], "text": "", "hreflang": "", "refresh": False})
        elif tag == "object" and a.get("data"):
            self.links.append({"href": a["data"], "text": "", "hreflang": "", "refresh": False})
        elif tag == "link" and a.get("href") and "pdf" in a.get("type", "").lower():
            self.links.append({"href": a["href"], "text": a.get("title", ""),
                               "hreflang": a.get("hreflang", ""), "refresh": False})
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._a = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._a is not None:
            self._a["text"] = (self._a["text"] + " " + data).strip()
        if self._in_title:
            self.title = (self.title + " " + data).strip()


# What marks a link as a PDF, and as the English or another language version of it. UN
# systems name files ``S_RES_1509(2003)-EN.pdf`` (Digital Library), ``...?l=en&t=pdf``
# (documents.un.org), ``/en/`` (undocs) or label the link with the language's name.
_PDF_LINK = re.compile(r"(?i)(\.pdf(?:$|[?#])|[?&]t=pdf\b|/pdf/|openelement)")
_ENGLISH = re.compile(r"(?i)([-_.](?:en|eng)\.pdf\b|[?&](?:ln|l|lang|language)=en\b|/en/|\benglish\b)")
_OTHER_LANGUAGE = re.compile(
    r"(?i)([-_.](?:fr|es|ar|zh|ru|de|pt)\.pdf\b|[?&](?:ln|l|lang|language)=(?:fr|es|ar|zh|ru|de|pt)\b"
    r"|/(?:fr|es|ar|zh|ru|de|pt)/|\b(?:french|fran[cç]ais|spanish|espa[nñ]ol|arabic|chinese|"
    r"russian|german|portuguese)\b|العربية|中文|русский)")
LANGUAGE_NAMES = {"fr": "French", "es": "Spanish", "ar": "Arabic", "zh": "Chinese",
                  "ru": "Russian", "de": "German", "pt": "Portuguese"}
MAX_LANDING_HOPS = 2  # landing page -> (landing page ->) PDF


def _link_language(link: dict) -> str:
    """``en``, ``other`` or ``""`` (not said) for a landing-page link."""
    lang = link["hreflang"].lower()[:2]
    if lang:
        return "en" if lang == "en" else "other"
    where = f"{link['href']} {link['text']}"
    if _ENGLISH.search(where):
        return "en"
    if _OTHER_LANGUAGE.search(where):
        return "other"
    return ""


def pick_pdf_link(page: str, page_url: str) -> tuple[str | None, str]:
    """The English PDF behind an HTML landing page: (absolute URL or None, explanation).

    A meta refresh is followed whatever it points at (the UN document system answers with
    one). Otherwise links that look like PDFs are ranked: English first, then links that
    name no language; links marked as another language are never chosen. The explanation
    says why nothing was chosen (no PDF link, or PDFs only in other languages).
    """
    parser = _LinkParser()
    parser.feed(page)  # html.parser is lenient: broken markup gives fewer links, no error
    parser.close()
    title = f" ({parser.title[:80]!r})" if parser.title else ""
    for link in parser.links:
        if link["refresh"]:
            return urllib.parse.urljoin(page_url, link["href"]), "refresh"
    ranked = {"en": [], "": [], "other": []}
    for link in parser.links:
        href = link["href"].strip()
        if href.startswith(("#", "mailto:", "javascript:")):
            continue
        if _PDF_LINK.search(href) or re.search(r"(?i)\bpdf\b", link["text"]):
            ranked[_link_language(link)].append(urllib.parse.urljoin(page_url, href))
    if ranked["en"]:
        return ranked["en"][0], "English"
    if ranked[""]:
        return ranked[""][0], "no language named"
    if ranked["other"]:
        langs = sorted({LANGUAGE_NAMES.get(m.lower(), m) for u in ranked["other"]
                        for m in re.findall(r"(?i)[-_.](fr|es|ar|zh|ru|de|pt)\.pdf", u)})
        which = f" ({', '.join(langs)})" if langs else ""
        return None, (f"landing page{title} offers PDFs only in other languages{which}, "
                      "no English version")
    return None, f"landing page{title} has no link to a PDF"


def download(url: str, target: Path, client: PoliteClient,
             expected_sha256: str = "") -> tuple[str, int, str]:
    """Download the PDF at ``url`` (or behind its landing page) to ``target``.

    Returns (sha256, bytes, how): ``how`` is empty for a direct PDF, else the landing-page
    path taken. Redirects are followed by the client; an HTML answer is read as a landing
    page and its English PDF link followed (at most MAX_LANDING_HOPS pages). Anything that
    is not a PDF in the end is refused with the reason. The file is written atomically and
    only when it is a PDF matching ``expected_sha256`` (if given). Raises ``FetchError``.
    """
    hops: list[str] = []
    current = url
    for _ in range(MAX_LANDING_HOPS + 1):
        try:
            resp = client.get(current, accept="application/pdf,text/html;q=0.8,*/*;q=0.5")
        except HttpFailure as err:
            raise FetchError(str(err), err.unreachable) from None
        if looks_like_pdf(resp.body):
            break
        if resp.content_type not in ("text/html", "application/xhtml+xml"):
            start = describe_start(resp.body) or "(empty body)"
            raise FetchError(f"not a PDF: {resp.final_url} sent {resp.content_type} starting "
                             f"with {start!r}")
        if len(hops) == MAX_LANDING_HOPS:
            raise FetchError(f"not a PDF: still an HTML page after {len(hops)} landing pages "
                             f"({' -> '.join([*hops, resp.final_url])})")
        link, why = pick_pdf_link(resp.text(), resp.final_url)
        if link is None:
            raise FetchError(f"not a PDF: {resp.final_url}: {why}")
        hops.append(resp.final_url)
        current = link
    digest = hashlib.sha256(resp.body).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        raise FetchError(f"checksum mismatch: downloaded file has sha256 {digest}, the "
                         f"manifest expects {expected_sha256}; file not kept (correct the "
                         "manifest's sha256 or source)")
    tmp = target.with_name(f".{target.name}.part")
    try:
        tmp.write_bytes(resp.body)
        os.replace(tmp, target)
    except OSError as err:
        raise FetchError(f"cannot write {target}: {err}") from None
    finally:
        tmp.unlink(missing_ok=True)
    how = f"via landing page {' -> '.join(hops)} -> {resp.final_url}" if hops else ""
    return digest, len(resp.body), how


def read_lock(path: str | Path | None) -> dict[str, dict]:
    """Lock (or state) file -> {doc_id: row dict}; an absent file gives {}."""
    if path is None or not Path(path).is_file():
        return {}
    df = read_csv(path)
    return {r["doc_id"]: r for r in df.to_dict("records")}


def _expected_sha(row, url: str, previous: dict[str, dict]) -> str:
    if row["sha256"]:
        return row["sha256"]
    prev = previous.get(row["doc_id"])
    if prev and prev.get("url") == url and prev.get("status") in ON_DISK:
        return prev.get("sha256", "")
    return ""


def _fetch_one(row, url: str, target: Path, previous: dict, client: PoliteClient | None,
               offline: bool) -> dict:
    expected = _expected_sha(row, url, previous)
    entry = {"doc_id": row["doc_id"], "url": url, "sha256": "", "bytes": 0}
    if target.is_file():
        have = sha256_file(target)
        if expected and have == expected:
            return {**entry, "sha256": have, "bytes": target.stat().st_size,
                    "status": "reused", "message": "checksum matches"}
        if offline and not row["sha256"]:
            with open(target, "rb") as fh:
                if looks_like_pdf(fh.read(MAGIC_WINDOW)):
                    return {**entry, "sha256": have, "bytes": target.stat().st_size,
                            "status": "reused",
                            "message": "offline: kept the file already downloaded (not verified)"}
    if not url:
        return {**entry, "status": "failed",
                "message": (f"no address to download {row['symbol']!r} from: it is not a UN "
                            "symbol and the row has no source_url; download the PDF by hand "
                            "and give its path, or add a source_url")}
    if offline or client is None:
        return {**entry, "status": "offline", "message": "not downloaded (offline)"}
    try:
        digest, size, how = download(url, target, client, row["sha256"])
    except FetchError as err:
        return {**entry, "status": "failed", "message": str(err),
                UNREACHABLE: err.unreachable}
    problem, note = identity_problem(target, row["symbol"])
    if problem:
        target.unlink(missing_ok=True)
        return {**entry, "status": "failed", "message": problem}
    how = "; ".join(m for m in (how, note) if m)
    return {**entry, "sha256": digest, "bytes": size, "status": "downloaded", "message": how}


def _write_state(state: dict[str, dict], path: Path) -> None:
    """The download state (documents on disk and their checksums), written atomically."""
    df = pd.DataFrame(sorted(state.values(), key=lambda r: r["doc_id"]),
                      columns=list(LOCK_COLUMNS))
    df = df.astype({c: str for c in LOCK_COLUMNS if c != "bytes"} | {"bytes": "int64"})
    write_csv(df, path, LockSchema)


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def fetch_missing(manifest_df: pd.DataFrame, manifest_dir: str | Path, dest_dir: str | Path,
                  base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT,
                  lock_path: str | Path | None = None, offline: bool = False,
                  log=sys.stderr, interval: float = DEFAULT_INTERVAL,
                  retries: int = DEFAULT_RETRIES, backoff: float = DEFAULT_BACKOFF,
                  contact: str = "", client: PoliteClient | None = None) -> pd.DataFrame:
    """Download every manifest row that has no local file but a symbol or source_url.

    ``manifest_df`` comes from ``load_manifest``; ``manifest_dir`` is the folder its paths are
    relative to; PDFs go to ``dest_dir/<doc_id>.pdf`` (refused if ``dest_dir`` is inside the
    manifest folder). Returns the lock table (LOCK_COLUMNS, sorted by doc_id) and writes it
    to ``lock_path`` if given. Per-document failures are rows with status ``failed``; progress
    lines go to ``log``.

    Politeness: requests go through one :class:`PoliteClient` (``interval`` seconds between
    requests, ``retries`` tries more with ``backoff``, a User-Agent naming the project and
    ``contact``). Resuming: the state file in ``dest_dir`` is rewritten after every document,
    so a run that is interrupted (Ctrl-C, a killed job) loses nothing it had downloaded; the
    next run reuses those files by checksum instead of asking the server again.
    """
    manifest_dir, dest_dir = Path(manifest_dir), Path(dest_dir)
    if _inside(dest_dir, manifest_dir):
        raise DestinationError(f"download folder {dest_dir} is inside the manifest folder "
                         f"{manifest_dir}, which holds raw data and is never written to; "
                         "download into results/sources/ instead")
    dest_dir.mkdir(parents=True, exist_ok=True)
    state_path = dest_dir / STATE_FILE
    state = read_lock(state_path)
    previous = {**state, **read_lock(lock_path)}
    todo = [r for r in manifest_df.to_dict("records") if needs_download(r, manifest_dir)]
    if client is None and not offline:
        client = PoliteClient(interval=interval, retries=retries, backoff=backoff,
                              timeout=timeout, contact=contact, log=log)
    if todo and not offline:
        print(f"fetch: {len(todo)} documents to check or download, at most one request every "
              f"{client.interval:g} s, User-Agent {client.user_agent!r}", file=log, flush=True)
    entries = []
    unreachable: dict[str, list[str]] = {}  # host -> messages of its failures in a row
    for i, row in enumerate(todo, start=1):
        url = document_url(row, base_url)
        host = urllib.parse.urlsplit(url).netloc
        target = download_path(row["doc_id"], dest_dir)
        down = unreachable.get(host, [])
        if len(down) >= MAX_UNREACHABLE and not (target.is_file() and _expected_sha(
                row, url, previous)):
            entry = {"doc_id": row["doc_id"], "url": url, "sha256": "", "bytes": 0,
                     "status": "failed",
                     "message": (f"not tried: {host} did not answer for {MAX_UNREACHABLE} "
                                 f"documents in a row (last: {down[-1]}); no network, or the "
                                 "server is down: run again later")}
        else:
            entry = _fetch_one(row, url, target, previous, client, offline)
            if entry.pop(UNREACHABLE, False):
                unreachable.setdefault(host, []).append(entry["message"])
                if len(unreachable[host]) == MAX_UNREACHABLE:
                    print(f"fetch: {host} did not answer for {MAX_UNREACHABLE} documents in "
                          f"a row; its other documents are not tried in this run", file=log,
                          flush=True)
            elif entry["status"] != "offline":
                unreachable.pop(host, None)  # it answered: count again from zero
        entries.append(entry)
        if entry["status"] in ON_DISK and state.get(row["doc_id"]) != entry:
            state[row["doc_id"]] = entry
            _write_state(state, state_path)  # after every document: resumable
        label = row["symbol"] or row["doc_id"]
        status = "ok" if entry["status"] == "downloaded" else entry["status"]
        detail = f": {entry['message']}" if entry["status"] == "failed" else ""
        print(f"fetch {i}/{len(todo)} {label} ... {status}{detail}", file=log, flush=True)
    lock = pd.DataFrame(entries, columns=list(LOCK_COLUMNS))
    lock = lock.sort_values("doc_id", kind="stable").reset_index(drop=True)
    lock = lock.astype({c: str for c in LOCK_COLUMNS if c != "bytes"} | {"bytes": "int64"})
    on_disk = set(lock.loc[lock["status"].isin(ON_DISK), "doc_id"])
    state = {d: r for d, r in state.items() if d in on_disk}  # forget what is gone
    for r in lock[lock["status"].isin(ON_DISK)].to_dict("records"):
        state[r["doc_id"]] = r
    _write_state(state, state_path)
    if lock_path is not None:
        write_csv(lock, lock_path, LockSchema)
    return lock


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.corpus fetch --manifest M --dest D --lock-out L [--missions T]
    [--base-url U] [--offline]``."""
    ap = argparse.ArgumentParser(prog="python -m analysis.corpus fetch", description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", required=True, help="manifest CSV (e.g. raw/manifest.csv)")
    ap.add_argument("--dest", required=True, help="download folder (e.g. results/sources)")
    ap.add_argument("--lock-out", required=True, help="lock CSV to write")
    ap.add_argument("--base-url", default=DEFAULT_BASE_URL, help="prefix for UN symbols")
    ap.add_argument("--offline", action="store_true", help="do not use the network")
    add_politeness_arguments(ap)
    ap.add_argument("--missions", metavar="PATH", help=MISSIONS_HELP)
    args = ap.parse_args(argv)
    try:
        manifest = load_manifest(args.manifest, args.missions)
        client = None if args.offline else client_from_args(args)
        lock = fetch_missing(manifest, Path(args.manifest).parent, args.dest, args.base_url,
                             args.timeout, args.lock_out, args.offline, client=client)
    except (ManifestError, MissionsError, DestinationError) as err:
        print(err, file=sys.stderr)
        return 1
    except ValueError as err:  # an option value the client refuses (e.g. --interval -1)
        print(f"fetch: {err}", file=sys.stderr)
        return 2
    counts = lock["status"].value_counts().sort_index()
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing to download"
    print(f"fetch: {summary}; lock written to {args.lock_out}", file=sys.stderr)
    return 0
