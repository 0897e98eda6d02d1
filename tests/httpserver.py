"""A real HTTP server on 127.0.0.1 for tests: routes set per test, requests recorded.

No mocked transport: the fetcher under test talks HTTP/1.1 over a socket to this
server, which answers from ``Route``s: a status, headers and a body, optionally
compressed, dripped a byte at a time, delayed, or answering conditional requests
with 304.  Several routes for one path are served in turn (the last repeats).
"""

from __future__ import annotations

import gzip
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).resolve().parent / "feeds"


@dataclass
class Route:
    """How the server answers one path."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml"
    # Answer 304 when the request's If-None-Match / If-Modified-Since matches.
    etag: str = ""
    last_modified: str = ""
    # Compress the body with these encodings, in order ("gzip", "deflate").
    encodings: tuple[str, ...] = ()
    # Send the body one byte at a time, this many seconds apart.
    drip: float = 0.0
    # Wait this long before answering.
    delay: float = 0.0

    @classmethod
    def file(cls, name: str, **options: object) -> Route:
        return cls(body=(FEEDS / name).read_bytes(), **options)  # type: ignore[arg-type]

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Route:
        return cls(status=status, headers={"Location": location})


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]


def _compressed(body: bytes, encodings: tuple[str, ...]) -> bytes:
    for encoding in encodings:
        body = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    return body


class FeedServer:
    """A threaded HTTP/1.1 server (keep-alive) on 127.0.0.1 at a free port."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Route]] = {}
        self.requests: list[SeenRequest] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        self.closing = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, *routes: Route) -> str:
        """Serve these answers at ``path`` (in turn; the last repeats); returns its URL."""
        with self._lock:
            self.routes[path] = list(routes)
            self._served[path] = 0
        return self.url(path)

    def hits(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def next_route(self, path: str) -> Route | None:
        with self._lock:
            routes = self.routes.get(path)
            if not routes:
                return None
            index = min(self._served[path], len(routes) - 1)
            self._served[path] += 1
            return routes[index]

    def close(self) -> None:
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


def _handler_for(owner: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: tests read ``owner.requests`` instead."""

        def do_GET(self) -> None:
            path = self.path
            with owner._lock:
                owner.requests.append(SeenRequest(path, {k.lower(): v for k, v in self.headers.items()}))
                owner.in_flight += 1
                owner.most_in_flight = max(owner.most_in_flight, owner.in_flight)
            try:
                self._answer(owner.next_route(path))
            finally:
                with owner._lock:
                    owner.in_flight -= 1

        def _answer(self, route: Route | None) -> None:
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            if route.delay:
                owner.closing.wait(route.delay)
            headers = {"Content-Type": route.content_type, **route.headers}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            if self._not_modified(route):
                self._send(304, {k: v for k, v in headers.items() if k in ("ETag", "Last-Modified")}, b"")
                return
            body = _compressed(route.body, route.encodings)
            if route.encodings:
                headers.setdefault("Content-Encoding", ", ".join(route.encodings))
            if route.drip:
                self._drip(route.status, headers, body, route.drip)
            else:
                self._send(route.status, headers, body)

        def _not_modified(self, route: Route) -> bool:
            tag = self.headers.get("If-None-Match")
            since = self.headers.get("If-Modified-Since")
            return bool((route.etag and tag == route.etag) or (route.last_modified and since == route.last_modified))

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _drip(self, status: int, headers: dict[str, str], body: bytes, interval: float) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                for index in range(len(body)):
                    if owner.closing.wait(interval):
                        break
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
            except OSError:
                pass  # the client gave up, as it should
            self.close_connection = True

    return Handler


@pytest.fixture(name="http_server")
def http_server_fixture() -> Iterator[FeedServer]:
    """A FeedServer for one test; import this into a test module to use ``http_server``."""
    server = FeedServer()
    try:
        yield server
    finally:
        server.close()

