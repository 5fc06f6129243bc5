"""Download the manifest's documents that are not on disk (standard library only).

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

Reuse: a file already in the sources folder is kept when its SHA-256 equals the manifest's
sha256, or (when the manifest has none) the checksum recorded for the same URL by an earlier
run. Earlier runs are remembered in the lock and in ``<dest>/.fetch-state.csv`` (same columns),
because a workflow manager may delete the lock before re-running this step. Offline, a file
already present whose checksum cannot be verified is kept (message says so).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import os
import re
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pandas as pd

from analysis import __version__
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
DEFAULT_TIMEOUT = 60.0  # seconds without an answer before a download is given up
USER_AGENT = f"oc-mandates/{__version__} (research workflow; Python urllib)"
LOCK_COLUMNS = ("doc_id", "url", "sha256", "bytes", "status", "message")
STATE_FILE = ".fetch-state.csv"
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
    """One document could not be downloaded; the message is written to the lock."""


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


def document_url(row, base_url: str = DEFAULT_BASE_URL) -> str:
    """The row's source_url, else the undocs address of its symbol."""
    return row["source_url"] or symbol_url(row["symbol"], base_url)


def download(url: str, target: Path, timeout: float, expected_sha256: str = "") -> tuple[str, int]:
    """Download ``url`` to ``target`` atomically; return (sha256, bytes).

    Follows redirects, sends a User-Agent, gives up after ``timeout`` seconds of silence. The
    body goes to a temporary file next to ``target`` and is renamed only when it is a PDF and
    matches ``expected_sha256`` (if given). Raises ``FetchError`` with a readable message.
    """
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                               "Accept": "application/pdf,*/*;q=0.5"})
    tmp = target.with_name(f".{target.name}.part")
    h, size, head = hashlib.sha256(), 0, b""
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, open(tmp, "wb") as out:
            ctype = resp.headers.get_content_type()
            for chunk in iter(lambda: resp.read(1 << 16), b""):
                if len(head) < MAGIC_WINDOW:
                    head += chunk[:MAGIC_WINDOW]
                h.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if not looks_like_pdf(head):
            start = describe_start(head) or "(empty body)"
            raise FetchError(f"not a PDF: server sent {ctype} starting with {start!r}")
        digest = h.hexdigest()
        if expected_sha256 and digest != expected_sha256:
            raise FetchError(f"checksum mismatch: downloaded file has sha256 {digest}, the "
                             f"manifest expects {expected_sha256}; file not kept (correct the "
                             "manifest's sha256 or source)")
        os.replace(tmp, target)
        return digest, size
    except urllib.error.HTTPError as err:
        raise FetchError(f"HTTP {err.code} {err.reason} for {url}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError):
            raise FetchError(f"no answer within {timeout:g} s from {url}") from None
        raise FetchError(f"cannot reach {urllib.parse.urlsplit(url).netloc}: {reason}") from None
    except TimeoutError:
        raise FetchError(f"no answer within {timeout:g} s from {url}") from None
    except (OSError, http.client.HTTPException) as err:  # reset or cut mid-body, disk full
        raise FetchError(f"download interrupted: {err!r}") from None
    except ValueError as err:  # an address urllib cannot use (e.g. no host)
        raise FetchError(f"unusable address {url!r}: {err}") from None
    finally:
        tmp.unlink(missing_ok=True)


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


def _fetch_one(row, url: str, target: Path, previous: dict, timeout: float,
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
    if offline:
        return {**entry, "status": "offline", "message": "not downloaded (offline)"}
    try:
        digest, size = download(url, target, timeout, row["sha256"])
    except FetchError as err:
        return {**entry, "status": "failed", "message": str(err)}
    return {**entry, "sha256": digest, "bytes": size, "status": "downloaded", "message": ""}


def _inside(child: Path, parent: Path) -> bool:
    child, parent = child.resolve(), parent.resolve()
    return child == parent or parent in child.parents


def fetch_missing(manifest_df: pd.DataFrame, manifest_dir: str | Path, dest_dir: str | Path,
                  base_url: str = DEFAULT_BASE_URL, timeout: float = DEFAULT_TIMEOUT,
                  lock_path: str | Path | None = None, offline: bool = False,
                  log=sys.stderr) -> pd.DataFrame:
    """Download every manifest row that has no local file but a symbol or source_url.

    ``manifest_df`` comes from ``load_manifest``; ``manifest_dir`` is the folder its paths are
    relative to; PDFs go to ``dest_dir/<doc_id>.pdf`` (refused if ``dest_dir`` is inside the
    manifest folder). Returns the lock table (LOCK_COLUMNS, sorted by doc_id) and writes it
    to ``lock_path`` if given. Per-document failures are rows with status ``failed``; progress
    lines go to ``log``.
    """
    manifest_dir, dest_dir = Path(manifest_dir), Path(dest_dir)
    if _inside(dest_dir, manifest_dir):
        raise DestinationError(f"download folder {dest_dir} is inside the manifest folder "
                         f"{manifest_dir}, which holds raw data and is never written to; "
                         "download into results/sources/ instead")
    dest_dir.mkdir(parents=True, exist_ok=True)
    previous = {**read_lock(dest_dir / STATE_FILE), **read_lock(lock_path)}
    todo = [r for r in manifest_df.to_dict("records") if needs_download(r, manifest_dir)]
    entries = []
    for i, row in enumerate(todo, start=1):
        url = document_url(row, base_url)
        entry = _fetch_one(row, url, download_path(row["doc_id"], dest_dir), previous,
                           timeout, offline)
        entries.append(entry)
        label = row["symbol"] or row["doc_id"]
        status = "ok" if entry["status"] == "downloaded" else entry["status"]
        detail = f": {entry['message']}" if entry["status"] == "failed" else ""
        print(f"fetch {i}/{len(todo)} {label} ... {status}{detail}", file=log, flush=True)
    lock = pd.DataFrame(entries, columns=list(LOCK_COLUMNS))
    lock = lock.sort_values("doc_id", kind="stable").reset_index(drop=True)
    lock = lock.astype({c: str for c in LOCK_COLUMNS if c != "bytes"} | {"bytes": "int64"})
    kept = lock[lock["status"].isin(ON_DISK)]
    write_csv(kept, dest_dir / STATE_FILE, LockSchema)
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
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds")
    ap.add_argument("--offline", action="store_true", help="do not use the network")
    ap.add_argument("--missions", metavar="PATH", help=MISSIONS_HELP)
    args = ap.parse_args(argv)
    try:
        manifest = load_manifest(args.manifest, args.missions)
        lock = fetch_missing(manifest, Path(args.manifest).parent, args.dest, args.base_url,
                             args.timeout, args.lock_out, args.offline)
    except (ManifestError, MissionsError, DestinationError) as err:
        print(err, file=sys.stderr)
        return 1
    counts = lock["status"].value_counts().sort_index()
    summary = ", ".join(f"{n} {s}" for s, n in counts.items()) or "nothing to download"
    print(f"fetch: {summary}; lock written to {args.lock_out}", file=sys.stderr)
    return 0
