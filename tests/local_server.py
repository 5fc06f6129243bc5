"""A small HTTP server on 127.0.0.1 for the download tests: it answers each path from a
routes table, as the UN's servers would (a PDF, a redirect, an HTML landing page, an error
that passes on retry), and records what it was asked."""

from __future__ import annotations

import http.server
import threading
import time
import urllib.parse
from typing import ClassVar


class RoutesHandler(http.server.BaseHTTPRequestHandler):
    """``routes[path] = (status, content_type, body[, headers])``, or a list of such answers
    given in turn (the last one stays); a redirect's body is its Location. Unknown paths get
    404. ``seen`` gets (path, User-Agent) and ``times`` the arrival time of every request."""

    routes: ClassVar[dict] = {}  # replaced per server by a subclass (see `start`)
    seen: ClassVar[list] = []
    times: ClassVar[list] = []

    def do_GET(self):
        self.seen.append((self.path, self.headers.get("User-Agent", "")))
        self.times.append(time.monotonic())
        route = self.routes.get(urllib.parse.unquote(self.path),
                                (404, "text/html", b"<h1>404</h1>"))
        if isinstance(route, list):
            route = route.pop(0) if len(route) > 1 else route[0]
        status, ctype, body = route[:3]
        extra = route[3] if len(route) > 3 else {}
        self.send_response(status)
        for key, value in extra.items():
            self.send_header(key, value)
        if status in (301, 302, 303, 307, 308):
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep pytest output clean
        pass


def start() -> http.server.ThreadingHTTPServer:
    """A live server with its own routes; ``.url``, ``.routes``, ``.seen``, ``.times``."""
    handler = type("Handler", (RoutesHandler,), {"routes": {}, "seen": [], "times": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.routes, httpd.seen, httpd.times = handler.routes, handler.seen, handler.times
    return httpd


def stop(httpd: http.server.ThreadingHTTPServer) -> None:
    httpd.shutdown()
    httpd.server_close()
