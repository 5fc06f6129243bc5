"""The polite HTTP client: spacing, backoff, Retry-After and which failures are retried."""

from __future__ import annotations

import io
import itertools
import urllib.error

import pytest

from analysis.corpus import http as polite
from analysis.corpus.http import HttpFailure, PoliteClient, Response, user_agent


class FakeTime:
    def __init__(self):
        self.now, self.sleeps = 100.0, []

    def clock(self):
        return self.now

    def sleep(self, s):
        self.sleeps.append(round(s, 6))
        self.now += s


def client_with(answers, **kw):
    """A client whose requests return/raise ``answers`` in turn, on a fake clock."""
    t = FakeTime()
    c = PoliteClient(sleep=t.sleep, clock=t.clock, log=io.StringIO(), **kw)
    calls = []

    def once(url, accept):
        c._wait_turn()
        calls.append(t.now)
        a = answers.pop(0)
        if isinstance(a, Exception):
            raise a
        return a

    c._once = once
    return c, t, calls


def ok(url="http://x/a.pdf"):
    return Response(url, url, 200, "application/pdf", b"%PDF-1.4")


def http_error(code, retry_after=None):
    headers = {"Retry-After": retry_after} if retry_after else {}
    return urllib.error.HTTPError("http://x/a.pdf", code, "why", headers, None)


def test_requests_are_spaced_by_the_interval():
    c, t, calls = client_with([ok(), ok(), ok()], interval=1.0)
    for _ in range(3):
        c.get("http://x/a.pdf")
        t.now += 0.25  # the caller's own work between requests counts towards the interval
    assert [round(b - a, 6) for a, b in itertools.pairwise(calls)] == [1.0, 1.0]


def test_backoff_doubles_and_retry_after_is_honoured():
    c, t, _ = client_with([http_error(503), http_error(502), ok()], interval=0, backoff=2)
    assert c.get("http://x/a.pdf").status == 200
    assert t.sleeps == [2.0, 4.0]
    c, t, _ = client_with([http_error(429, "7"), ok()], interval=0, backoff=2)
    c.get("http://x/a.pdf")
    assert t.sleeps == [7.0]
    c, t, _ = client_with([http_error(429, "99999"), ok()], interval=0, max_wait=30)
    c.get("http://x/a.pdf")
    assert t.sleeps == [30.0]


def test_gives_up_after_the_retries_and_never_retries_a_404():
    c, _, calls = client_with([http_error(500)] * 4, interval=0, retries=3, backoff=0)
    with pytest.raises(HttpFailure, match=r"HTTP 500 why for http://x/a.pdf \(4 tries\)"):
        c.get("http://x/a.pdf")
    assert len(calls) == 4
    c, _, calls = client_with([http_error(404), ok()], interval=0)
    with pytest.raises(HttpFailure) as err:
        c.get("http://x/a.pdf")
    assert err.value.status == 404 and len(calls) == 1


def test_connection_failures_are_retried():
    c, t, _ = client_with([urllib.error.URLError(ConnectionResetError("reset")), ok()],
                          interval=0, backoff=1)
    assert c.get("http://x/a.pdf").status == 200 and t.sleeps == [1.0]


def test_user_agent_names_the_project_and_contact():
    assert user_agent().startswith(f"oc-mandates/{polite.__version__} (research workflow")
    assert "me@uni.example" in user_agent("me@uni.example")


def test_text_uses_the_declared_charset():
    r = Response("u", "u", 200, "text/html", "é".encode("latin-1"),
                 {"content-type": "text/html; charset=ISO-8859-1"})
    assert r.text() == "é"
