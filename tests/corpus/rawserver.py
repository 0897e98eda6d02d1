"""A server on 127.0.0.1 that sends canned bytes as they are: whole HTTP answers, wrong ones included.

tests/httpserver.py always sends a correct Content-Length; the cases that need a
lying server (a Content-Length shorter or longer than the body, a reason phrase
with escape bytes, a header too long to parse) need this.  Connections are kept
alive: after a canned answer the next request on the same connection is read and
answered, which is what lets a test see whether a bad answer poisons the
connection for the next feed.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest


@dataclass
class Canned:
    """What to send for one path: these exact bytes, then maybe close the connection."""

    data: bytes
    close: bool = False


@dataclass
class RawServer:
    routes: dict[str, Canned] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def route(self, path: str, data: bytes, *, close: bool = False) -> str:
        self.routes[path] = Canned(data, close)
        return self.base + path

    def feed(self, path: str, body: bytes, content_type: str = "application/rss+xml") -> str:
        """A correct answer, for the well-behaved feed next to the hostile one."""
        head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
        return self.route(path, head.encode("ascii") + body)

    def hits(self, path: str) -> int:
        with self.lock:
            return self.requests.count(path)

    def _serve(self) -> None:
        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(connection,), daemon=True).start()

    def _connection(self, connection: socket.socket) -> None:
        connection.settimeout(5.0)
        buffer = b""
        with connection:
            while not self.stopping.is_set():
                try:
                    while b"\r\n\r\n" not in buffer:
                        chunk = connection.recv(65536)
                        if not chunk:
                            return
                        buffer += chunk
                except OSError:
                    return
                head, _, buffer = buffer.partition(b"\r\n\r\n")
                request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
                parts = request_line.split(" ")
                path = parts[1] if len(parts) > 1 else "/"
                with self.lock:
                    self.requests.append(path)
                canned = self.routes.get(path, Canned(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"))
                try:
                    connection.sendall(canned.data)
                except OSError:
                    return
                if canned.close:
                    return

    def close(self) -> None:
        self.stopping.set()
        self.listener.close()
        self.thread.join(timeout=2)


@pytest.fixture(name="raw_server")
def raw_server_fixture() -> Iterator[RawServer]:
    server = RawServer()
    try:
        yield server
    finally:
        server.close()
