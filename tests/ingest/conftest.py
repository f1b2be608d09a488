"""Fixtures for ingestion tests: a local HTTP server that serves whatever a test routes to
it, settings that reach it quickly, and a stand-in extractor."""

from __future__ import annotations

import gzip
import logging
import sys
import threading
import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sitrep.settings import Settings


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None  # 304 when If-None-Match matches
    last_modified: str | None = None  # 304 when If-Modified-Since matches
    gzip: bool = False


@dataclass
class _Gauge:
    now: int = 0
    peak: int = 0


@dataclass
class SeenRequest:
    path: str
    headers: dict[str, str]


class FeedServer:
    """Routes paths to canned answers and records every request it gets."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[SeenRequest] = []
        self._waiting = _Gauge()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._httpd.handle_error = lambda *args: None  # clients that time out hang up on us
        self._httpd.feed_server = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def route(self, path: str, body: bytes | str = b"", **options: object) -> str:
        """Serve `body` at `path`; return the full URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)  # type: ignore[arg-type]
        return self.base_url + path

    def redirect(self, path: str, to: str, status: int = 302) -> str:
        return self.route(path, status=status, headers={"Location": to})

    def seen(self, path: str) -> list[SeenRequest]:
        return [r for r in self.requests if r.path.split("?")[0] == path]

    def reset(self) -> None:
        self.routes.clear()
        self.requests.clear()
        self._waiting = _Gauge()  # requests left over from an earlier test count elsewhere

    @property
    def max_in_flight(self) -> int:
        return self._waiting.peak

    def record(self, request: SeenRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def wait(self, seconds: float) -> None:
        """Sleep like a slow server, counting how many requests are waiting at once (the
        count drops before the answer is sent, so a client can never be ahead of it)."""
        gauge = self._waiting
        with self._lock:
            gauge.now += 1
            gauge.peak = max(gauge.peak, gauge.now)
        time.sleep(seconds)
        with self._lock:
            gauge.now -= 1

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        server: FeedServer = self.server.feed_server  # type: ignore[attr-defined]
        server.record(SeenRequest(self.path, {k.lower(): v for k, v in self.headers.items()}))
        route = server.routes.get(self.path.split("?")[0])
        if route is None:
            route = Route(status=404, body=b"not found", content_type="text/plain")
        server.wait(route.delay)
        self._answer(route)

    def _answer(self, route: Route) -> None:
        if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified):
            self._send(304, b"", {})
            return
        headers = {"Content-Type": route.content_type, **route.headers}
        headers.update({k: v for k, v in (("ETag", route.etag),
                                          ("Last-Modified", route.last_modified)) if v})
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(route.status, body, headers)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def _feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    yield server
    server.close()


@pytest.fixture
def server(_feed_server: FeedServer) -> FeedServer:
    """The local feed server, with no routes and no recorded requests."""
    _feed_server.reset()
    return _feed_server


@pytest.fixture
def fast(settings: Settings) -> Settings:
    """Settings on a fresh SQLite database that reach 127.0.0.1 and give up after 1 s."""
    return settings.model_copy(update={"fetch_timeout_seconds": 1.0})


@pytest.fixture
def guarded(fast: Settings) -> Settings:
    """`fast`, with the private-address guard on (so the local server is refused)."""
    return fast.model_copy(update={"allow_private_feed_hosts": False})


@pytest.fixture(autouse=True)
def extractor(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """A stand-in for jobs.extract.runner: ingestion tests never depend on extraction.
    Returns the list of settings it was called with."""
    calls: list[object] = []
    runner = types.ModuleType("jobs.extract.runner")
    runner.extract_pending = lambda settings: calls.append(settings) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "jobs.extract.runner", runner)
    return calls


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`sitrep.cli.main` replaces the root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
