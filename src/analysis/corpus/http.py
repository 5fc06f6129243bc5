"""A polite HTTP client for public document servers (standard library only).

Every request the workflow sends to the UN Digital Library, the UN document system or any
other public server goes through :class:`PoliteClient`, which

- waits so that requests start at least ``interval`` seconds apart (default 1 s: one request
  per second), across every URL it is asked for;
- sends a User-Agent that names the project (and a contact address, when one is configured);
- retries what may pass (no answer, connection reset, HTTP 429, 500, 502, 503, 504) up to
  ``retries`` times, waiting ``backoff`` x 2^(attempt-1) seconds between tries, or the
  server's ``Retry-After`` when it gives one (capped at ``max_wait``);
- follows redirects (urllib does; each hop is one request) and reports the final address;
- never retries what will not pass (HTTP 400, 401, 403, 404, 410 ...): it fails at once.

Failures raise :class:`HttpFailure` with a message a researcher can act on.
"""

from __future__ import annotations

import email.utils
import http.client
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from analysis import __version__

PROJECT = "oc-mandates"
DEFAULT_INTERVAL = 1.0  # seconds between the starts of two requests
DEFAULT_RETRIES = 3  # further tries after a failure that may pass
DEFAULT_BACKOFF = 2.0  # seconds before the first retry; doubled for each further one
DEFAULT_TIMEOUT = 60.0  # seconds without an answer before a request is given up
MAX_WAIT = 120.0  # longest wait a Retry-After header may impose
MAX_BYTES = 512 * 1024 * 1024  # larger answers are refused (no UN document comes near)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def user_agent(contact: str = "") -> str:
    """``oc-mandates/<version> (research workflow on peace operations; <contact>)``."""
    who = f"; {contact}" if contact else ""
    return f"{PROJECT}/{__version__} (research workflow on peace operations{who}; Python urllib)"


class HttpFailure(Exception):
    """A request failed for good (after the retries it was allowed). ``unreachable``: the
    server never answered (no route, no name resolution, refused, timed out), as opposed to
    answering with an error."""

    def __init__(self, message: str, status: int | None = None, unreachable: bool = False):
        super().__init__(message)
        self.status = status
        self.unreachable = unreachable


@dataclass
class Response:
    """One answer: the address asked for, where the redirects ended, status, type, body."""

    url: str
    final_url: str
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        """The body as text, in the charset the server names (UTF-8 if none)."""
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip('"')
        try:
            return self.body.decode(charset, errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")


def add_politeness_arguments(ap) -> None:
    """The command-line options of a polite client (``--interval``, ``--retries``,
    ``--backoff``, ``--timeout``, ``--contact``), shared by ``fetch`` and ``discover``."""
    ap.add_argument("--interval", type=float, default=DEFAULT_INTERVAL,
                    help="seconds between two requests (default: %(default)s)")
    ap.add_argument("--retries", type=int, default=DEFAULT_RETRIES,
                    help="further tries after a failure that may pass (default: %(default)s)")
    ap.add_argument("--backoff", type=float, default=DEFAULT_BACKOFF,
                    help="seconds before the first retry, doubled for each further one "
                         "(default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help="seconds without an answer before a request is given up "
                         "(default: %(default)s)")
    ap.add_argument("--contact", default="", metavar="EMAIL",
                    help="e-mail or web address added to the User-Agent, so that a "
                         "server's operators can reach you")


def client_from_args(args, log=sys.stderr) -> PoliteClient:
    """A PoliteClient from the options of :func:`add_politeness_arguments`; ValueError
    for values it refuses (negative interval ...)."""
    return PoliteClient(interval=args.interval, retries=args.retries, backoff=args.backoff,
                        timeout=args.timeout, contact=args.contact, log=log)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date); None if absent/odd."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PoliteClient:
    """GET with a rate limit, retries with backoff and a project User-Agent.

    ``sleep`` and ``clock`` can be replaced (tests); ``log`` receives one line per retry.
    """

    def __init__(self, *, interval: float = DEFAULT_INTERVAL, retries: int = DEFAULT_RETRIES,
                 backoff: float = DEFAULT_BACKOFF, timeout: float = DEFAULT_TIMEOUT,
                 contact: str = "", max_wait: float = MAX_WAIT, max_bytes: int = MAX_BYTES,
                 sleep=time.sleep, clock=time.monotonic, log=sys.stderr):
        if interval < 0 or retries < 0 or backoff < 0 or timeout <= 0:
            raise ValueError("interval, retries and backoff must be >= 0 and timeout > 0")
        self.interval, self.retries, self.backoff = interval, retries, backoff
        self.timeout, self.max_wait, self.max_bytes = timeout, max_wait, max_bytes
        self.user_agent = user_agent(contact)
        self._sleep, self._clock, self._log = sleep, clock, log
        self._last_start: float | None = None
        self.requests = 0  # requests sent (each try counts; redirect hops are urllib's)

    def _wait_turn(self) -> None:
        now = self._clock()
        if self._last_start is not None:
            wait = self._last_start + self.interval - now
            if wait > 0:
                self._sleep(wait)
                now = self._clock()
        self._last_start = now

    def _once(self, url: str, accept: str) -> Response:
        self._wait_turn()
        self.requests += 1
        req = urllib.request.Request(url, headers={"User-Agent": self.user_agent,
                                                   "Accept": accept})
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:
            body = resp.read(self.max_bytes + 1)
            if len(body) > self.max_bytes:
                raise HttpFailure(f"answer from {url} is larger than {self.max_bytes} bytes; "
                                  "refused")
            headers = {k.lower(): v for k, v in resp.headers.items()}
            return Response(url=url, final_url=resp.geturl(), status=resp.status,
                            content_type=resp.headers.get_content_type(), body=body,
                            headers=headers)

    def get(self, url: str, accept: str = "*/*") -> Response:
        """The answer to GET ``url``; raises HttpFailure when it cannot be had."""
        host = urllib.parse.urlsplit(url).netloc or url
        attempt = 0
        while True:
            attempt += 1
            wait, unreachable = None, False
            try:
                return self._once(url, accept)
            except urllib.error.HTTPError as err:
                if err.code not in RETRY_STATUSES:
                    raise HttpFailure(f"HTTP {err.code} {err.reason} for {url}",
                                      err.code) from None
                problem, status = f"HTTP {err.code} {err.reason}", err.code
                wait = _retry_after(err.headers.get("Retry-After") if err.headers else None)
            except urllib.error.URLError as err:
                reason = err.reason
                if isinstance(reason, TimeoutError):
                    problem = f"no answer within {self.timeout:g} s"
                else:
                    problem = f"cannot reach {host}: {reason}"
                status, unreachable = None, True
            except TimeoutError:
                problem, status, unreachable = f"no answer within {self.timeout:g} s", None, True
            except (OSError, http.client.HTTPException) as err:  # reset or cut mid-body
                problem, status = f"connection broken: {err!r}", None
            except ValueError as err:  # an address urllib cannot use (e.g. no host)
                raise HttpFailure(f"unusable address {url!r}: {err}") from None
            if attempt > self.retries:
                tries = f"{attempt} tries" if attempt > 1 else "1 try"
                raise HttpFailure(f"{problem} for {url} ({tries})", status, unreachable)
            if wait is None:
                wait = self.backoff * 2 ** (attempt - 1)
            wait = min(wait, self.max_wait)
            print(f"  {problem} for {url}; retry {attempt}/{self.retries} in {wait:g} s",
                  file=self._log, flush=True)
            self._sleep(wait)
