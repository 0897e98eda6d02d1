"""Fetching feeds over HTTP and storing their stories.

One shared ``httpx.AsyncClient`` (keep-alive) fetches every feed, at most
``concurrency`` at once and ``per_host`` per origin.  Each request runs under
one deadline for everything (connecting, redirects, headers, body), so a server
that drips a byte a second is cut off, not only one that stops.  Redirects are
followed by hand: at most ``max_redirects``, only to http(s), and a chain that
starts with 301/308 moves the subscription.  The body is read raw and decoded
here, layer by layer, with every layer's output capped, so a gzip bomb (stacked
encodings included) stops at ``max_bytes`` instead of filling memory; httpx's
own decoders inflate a whole network chunk at once, which a double gzip turns
into gigabytes.

Parsing is CPU work (see store.parse), so it runs in worker processes: the
event loop keeps downloading while the workers parse, and a TUI running this in
its loop does not stall.  Stories go to the store from one writer thread, in
batches grouped by partition (see StoryWriter and PendingStories), and a feed's
bookkeeping (ETag, Last-Modified, status, error) is written only once all its
stories are: a crash can cost a refetch, never stories.  A 304 costs no parse
and no story write.

Every failure of one feed, whatever raised it, becomes one plain sentence on
that feed; the others carry on.
"""

from __future__ import annotations

import asyncio
import functools
import http
import multiprocessing
import os
import re
import socket
import ssl
import sys
import zlib
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from time import monotonic
from typing import Any
from urllib.parse import urljoin, urlsplit

import h11
import httpcore
import httpx

from store.discover import FeedLink
from store.errors import StoreError
from store.feeds import Feed, FeedList, InvalidFeedAddress, normalize_feed_url
from store.htmltext import web_link
from store.ingest import PackedStories, PreparedFeed, parse_and_prepare
from store.model import utc_now
from store.parse import DEFAULT_MAX_ITEMS, FeedParseError, NotAFeed, parse_feed
from store.records import Store
from store.sanitize import clean_line


def _broadsheet_version() -> str:
    try:
        return version("broadsheet")
    except PackageNotFoundError:
        return "0"


USER_AGENT = f"Broadsheet/{_broadsheet_version()} (+https://github.com/broadsheet; terminal news reader)"
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
# An idle writer writes a partition only if the stories waiting for it are at
# least this share of what the write costs (them and the partition's stored stories).
IDLE_WORTH = 0.25
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
WAIT_STATUSES = frozenset({429, 503})
NO_BODY_STATUSES = frozenset({204, 205})
MAX_ENCODING_LAYERS = 3
MAX_HEADER_VALUE = 500
MAX_SENTENCE = 300


def default_parse_workers() -> int:
    """A parsing process per core, up to four.

    Measured on two cores (200 feeds x 50 items): two workers parsed in 1.0 s
    what one parsed in 1.5 s, although the main process downloads and writes
    meanwhile: it waits on the network and the disk much of the time.
    """
    return max(1, min(4, os.cpu_count() or 1))


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How politely, how patiently and how much to fetch."""

    concurrency: int = 16
    # Requests at once to one origin (scheme, host, port), as HTTP connection pools count them.
    per_host: int = 4
    # Everything for one request (connect, redirects, headers, body) must fit in this.
    timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    # The longest Retry-After honoured; a longer one is cut to this.
    retry_after_cap: float = 6 * 3600.0
    # A Retry-After this short is waited out once, within the same fetch.
    retry_within_fetch: float = 10.0
    max_items: int = DEFAULT_MAX_ITEMS
    # Retention (Store.prune): items older than keep_days are not taken in (0: any age).
    keep_days: int = 0
    # Stories held back for the store (packed, about 1 KB each; see PendingStories),
    # stories a write may read and write (stored ones of the partitions it
    # rewrites, and new ones: this bounds the writer's memory), and the longest a
    # parsed story waits while the writer idles (see StoryWriter.write_when_idle).
    # At 1,000 feeds x 100 items: 24,000 and 8,000 peaked at 269 MB (workers
    # included), 32,000 and 10,000 at 287 MB and 8% faster.
    batch_stories: int = 24_000
    write_stories: int = 8_000
    batch_seconds: float = 5.0
    # Stories of the partitions it wrote last that the writer keeps read between
    # writes.  0: a write takes the partitions where the most stories wait, which
    # are seldom the ones it wrote just before, so keeping them did not pay
    # (measured at 1,000 feeds x 100 items: no faster, 30 MB more).
    cache_stories: int = 0
    # Processes that parse; 0 parses in a thread of this process.
    parse_workers: int = field(default_factory=default_parse_workers)
    user_agent: str = USER_AGENT


@dataclass(frozen=True, slots=True)
class FetchProgress:
    """Sent after each feed is fetched and after each store write."""

    done: int
    total: int
    new_stories: int
    # The feed just finished, and its error ("" when it went well, or for a store write).
    feed_url: str = ""
    error: str = ""


@dataclass(slots=True)
class FetchSummary:
    """What a whole fetch did.  ``errors`` holds (feed address, one sentence) pairs."""

    feeds: int = 0
    new_stories: int = 0
    updated: int = 0
    not_modified: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    # Feeds not asked this time: their server asked to wait (Retry-After) until later.
    deferred: list[str] = field(default_factory=list)
    # Damage found in the store while writing (a file moved aside and salvaged), one sentence each.
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> dict[str, Any]:
        return {
            "feeds": self.feeds,
            "new_stories": self.new_stories,
            "updated": self.updated,
            "not_modified": self.not_modified,
            "errors": [{"url": url, "error": sentence} for url, sentence in self.errors],
            "deferred": list(self.deferred),
            "notices": list(self.notices),
            "seconds": round(self.seconds, 3),
        }


@dataclass(slots=True)
class AddFeedOutcome:
    """What ``discover_and_add`` did: exactly one of the four is set.

    ``feed``: newly subscribed.  ``already``: that feed was followed already (in
    ``feed`` too).  ``candidates``: the page names several feeds; call again with
    one of their addresses.  ``error``: one sentence.
    """

    feed: Feed | None = None
    already: bool = False
    candidates: list[FeedLink] = field(default_factory=list)
    error: str = ""


class FetchError(Exception):
    """A fetch failed; the message is one plain sentence."""


# ------------------------------------------------------------------ sentences


def seconds_text(seconds: float) -> str:
    if seconds >= 7200:
        return f"{seconds / 3600:.0f} hours"
    if seconds >= 120:
        return f"{seconds / 60:.0f} minutes"
    whole = f"{seconds:g}"
    return f"{whole} second" if whole == "1" else f"{whole} seconds"


def size_text(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size / 1024:g} KB"
    return f"{size} bytes"


def status_text(status: int) -> str:
    try:
        return f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def sentence(text: str) -> str:
    """One line, ending with a full stop, not too long."""
    line = clean_line(text)
    if len(line) > MAX_SENTENCE:
        line = line[: MAX_SENTENCE - 1].rstrip() + "…"
    return line if line.endswith((".", "…", "?", "!")) else line + "."


def _causes(error: BaseException) -> Iterator[BaseException]:
    """The error and what caused it, down the chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


# "UnicodeError: " inside a message (the idna codec puts it there), and Python's
# repr of bytes at its end (h11: "illegal status line: bytearray(b'...')").
_CLASS_PREFIX = re.compile(r"\b(?:[A-Z][a-z0-9]*)+(?:Error|Exception)\b:\s*")
_BYTES_TAIL = re.compile(r":?\s*(?:bytearray\()?(?<![\w'\"])b['\"].*$")
_SSL_TAGS = re.compile(r"\[SSL(?:: [A-Z0-9_]+)?\]\s*|\s*\(_ssl\.c:\d+\)")


def _detail(error: BaseException) -> str:
    """What an error says, in words: no exception class names, no Python reprs; "" when it says nothing."""
    if isinstance(error, OSError) and error.strerror and not isinstance(error, ssl.SSLError):
        text = clean_line(error.strerror)
    else:
        text = clean_line(str(error))
    text = _CLASS_PREFIX.sub("", _BYTES_TAIL.sub("", text))
    return text.strip(" :;,.")


def _with_detail(text: str, detail: str) -> str:
    return sentence(f"{text} ({detail})" if detail else text)


def _ssl_reason(error: ssl.SSLError) -> str:
    """OpenSSL's reason in words ("wrong version number"), without the library's tags."""
    reason = getattr(error, "reason", None)
    if isinstance(reason, str) and reason:
        return reason.replace("_", " ").lower()
    return _SSL_TAGS.sub("", _detail(error)).strip()


def _connect_failure(error: BaseException, detail: str) -> str:
    for cause in _causes(error):
        if isinstance(cause, socket.gaierror):
            return "The server's name could not be found."
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = getattr(cause, "verify_message", "") or _ssl_reason(cause)
            return _with_detail("The server's certificate could not be trusted", reason)
        if isinstance(cause, ssl.SSLError):
            return _with_detail("A secure connection to the server could not be made", _ssl_reason(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "The server refused the connection."
    return _with_detail("Could not connect to the server", detail)


def _is_idna_error(error: BaseException) -> bool:
    """The idna package's errors (IDNAError, InvalidCodepoint...) and the standard idna codec's."""
    if type(error).__module__.startswith("idna"):
        return True
    return isinstance(error, UnicodeError) and "idna" in str(error).lower()


def _network_failure(error: BaseException, detail: str) -> str | None:
    """An error from the HTTP stack (httpx, httpcore, h11, idna, ssl, the OS) as one sentence; None for others."""
    if isinstance(error, (httpx.InvalidURL, httpx.UnsupportedProtocol, httpcore.UnsupportedProtocol)) or _is_idna_error(
        error
    ):
        return sentence(f"The address is not valid: {detail}") if detail else "The address is not valid."
    if isinstance(error, OverflowError) and "port" in detail:
        return sentence(f"The address is not valid: {detail}")
    if isinstance(error, (httpx.TimeoutException, httpcore.TimeoutException, TimeoutError)):
        return "The server did not answer in time."
    if isinstance(error, (httpx.ConnectError, httpcore.ConnectError)):
        return _connect_failure(error, detail)
    if isinstance(error, (httpx.RemoteProtocolError, httpcore.RemoteProtocolError, h11.RemoteProtocolError)):
        return _with_detail("The server broke off the answer", detail)
    if isinstance(error, (httpx.LocalProtocolError, httpcore.LocalProtocolError, h11.LocalProtocolError)):
        return _with_detail("The request could not be sent", detail)
    if isinstance(error, (httpx.ProxyError, httpcore.ProxyError)):
        return _with_detail("The proxy failed", detail)
    if isinstance(error, (httpx.ReadError, httpcore.ReadError)):
        return _with_detail("The connection broke while the answer was read", detail)
    if isinstance(error, (httpx.WriteError, httpcore.WriteError)):
        return _with_detail("The connection broke while the request was sent", detail)
    if isinstance(error, httpx.TooManyRedirects):
        return "Too many redirects."
    if isinstance(error, httpx.DecodingError):
        return _with_detail("The server sent a body that could not be decoded", detail)
    if isinstance(error, httpx.StreamError):  # its messages are meant for programmers
        return "The connection failed unexpectedly."
    if isinstance(error, (httpx.HTTPError, httpcore.NetworkError, httpcore.ProtocolError)):
        return _with_detail("The connection failed", detail)
    if isinstance(error, h11.ProtocolError):
        return _with_detail("The server broke off the answer", detail)
    if isinstance(error, ssl.SSLError):
        return _connect_failure(error, detail)
    if isinstance(error, (socket.gaierror, ConnectionRefusedError)):
        return _connect_failure(error, detail)
    if isinstance(error, ConnectionError):
        return _with_detail("The connection to the server broke", detail)
    if isinstance(error, OSError):
        return _with_detail("A system error stopped the fetch", detail)
    if isinstance(error, UnicodeEncodeError):  # a header httpx could not encode
        return "The request could not be sent: it holds characters HTTP cannot carry."
    return None


def describe_failure(error: BaseException) -> str:
    """Any exception from fetching or parsing a feed, as one plain sentence.

    Errors from the HTTP stack (httpx, httpcore, h11, idna, ssl, the OS) never
    show an exception class name; only a failure nobody foresaw (a bug) does.
    """
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    if isinstance(error, (FetchError, FeedParseError, StoreError)):
        return sentence(str(error))
    detail = _detail(error)
    described = _network_failure(error, detail)
    if described is not None:
        return described
    if isinstance(error, BrokenProcessPool):
        return "The feed parser stopped unexpectedly while reading this feed."
    if isinstance(error, MemoryError):
        return "The feed was too large to read."
    return sentence(f"Unexpected error ({type(error).__name__}: {detail or 'no details'})")


# ------------------------------------------------------------------ HTTP


def _too_large(limit: int) -> FetchError:
    return FetchError(f"The feed is larger than {size_text(limit)}.")


class _InflateLayer:
    """One gzip or deflate layer whose total output is capped."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.produced = 0
        self.decompressor: zlib._Decompress | None = None

    def _start(self, data: bytes) -> zlib._Decompress:
        if self.encoding in ("gzip", "x-gzip"):
            return zlib.decompressobj(16 + zlib.MAX_WBITS)
        # "deflate" is meant to be zlib-wrapped; some servers send raw deflate.
        wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and ((data[0] << 8) | data[1]) % 31 == 0
        return zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def inflate(self, data: bytes) -> bytes:
        pieces = []
        while data:
            if self.decompressor is None:
                self.decompressor = self._start(data)
            piece = self.decompressor.decompress(data, self.limit + 1 - self.produced)
            self.produced += len(piece)
            if self.produced > self.limit:
                raise _too_large(self.limit)
            pieces.append(piece)
            if self.decompressor.eof:
                # Another gzip member may follow: decode it too.
                data = self.decompressor.unused_data
                self.decompressor = None
            else:
                data = self.decompressor.unconsumed_tail
        return b"".join(pieces)


class BodyDecoder:
    """Undoes Content-Encoding as the bytes arrive; no layer may produce more than the cap."""

    def __init__(self, content_encoding: str, limit: int) -> None:
        names = [name.strip().lower() for name in content_encoding.split(",")]
        names = [name for name in names if name and name != "identity"]
        if len(names) > MAX_ENCODING_LAYERS:
            raise FetchError(f"The server compressed the feed {len(names)} times over.")
        for name in names:
            if name not in ("gzip", "x-gzip", "deflate"):
                raise FetchError(f"The server compressed the feed with {name[:40]}, which Broadsheet cannot read.")
        # The last encoding applied is the first to undo.
        self.layers = [_InflateLayer(name, limit) for name in reversed(names)]
        self.limit = limit
        self.size = 0

    def decode(self, data: bytes) -> bytes:
        try:
            for layer in self.layers:
                data = layer.inflate(data)
        except zlib.error:
            raise FetchError("The server sent a compressed body that could not be decompressed.") from None
        self.size += len(data)
        if self.size > self.limit:
            raise _too_large(self.limit)
        return data


@dataclass(slots=True)
class Download:
    """The final answer to a request, after redirects."""

    status: int
    url: str
    headers: httpx.Headers
    body: bytes = b""
    # Where a chain of permanent redirects (301/308) from the start led, if anywhere.
    moved_to: str = ""


async def download(
    client: httpx.AsyncClient, url: str, settings: FetchSettings, headers: dict[str, str] | None = None
) -> Download:
    """GET ``url`` within the deadline, following redirects by hand, body decoded and capped."""
    answered = False

    def note_answer() -> None:
        nonlocal answered
        answered = True

    try:
        async with asyncio.timeout(settings.timeout):
            return await _follow(client, url, settings, headers or {}, note_answer)
    except (TimeoutError, httpx.TimeoutException):
        if answered:
            raise FetchError(f"The feed did not arrive in full within {seconds_text(settings.timeout)}.") from None
        raise FetchError(f"No answer within {seconds_text(settings.timeout)}.") from None


async def _follow(
    client: httpx.AsyncClient,
    url: str,
    settings: FetchSettings,
    headers: dict[str, str],
    note_answer: Callable[[], None],
) -> Download:
    current, moved_to, permanent = url, "", True
    may_retry = True
    for _ in range(settings.max_redirects + 1):
        request = client.build_request("GET", current, headers=headers)
        try:
            response = await client.send(request, stream=True)
        except httpx.RemoteProtocolError:
            # No answer came (a stream=True send returns with the headers; a redirect's
            # answer is marked by _check_redirect): most likely a kept-alive connection
            # spoilt by the answer before it (bytes past a wrong Content-Length read as
            # this one's status line) or closed by the server meanwhile.  httpcore has
            # closed that connection: ask once more, on another.  Once per download.
            if not may_retry or request.extensions.get(_ANSWERED):
                raise
            may_retry = False
            response = await client.send(client.build_request("GET", current, headers=headers), stream=True)
        try:
            location = response.headers.get("location")
            if response.status_code in REDIRECT_STATUSES and location:
                target = _redirect_target(current, location)
                permanent = permanent and response.status_code in PERMANENT_REDIRECTS
                moved_to = target if permanent else moved_to
                current = target
                continue
            note_answer()
            body = await _read_body(response, settings) if 200 <= response.status_code < 300 else b""
            return Download(response.status_code, current, response.headers, body, moved_to)
        finally:
            await response.aclose()
    raise FetchError(f"Too many redirects (more than {settings.max_redirects}).")


def _redirect_target(current: str, location: str) -> str:
    location = location.strip()
    try:
        target = urljoin(current, location)
    except ValueError:
        raise FetchError(f"The server redirected to an address that is not valid: {location[:100]}.") from None
    if not web_link(target):
        raise FetchError(f"Redirected to a non-web address ({location[:100]}).")
    return target


# Set on a request's extensions when its answer arrived (see _check_redirect): never sent again.
_ANSWERED = "broadsheet.answered"


async def _check_redirect(response: httpx.Response) -> None:
    """Response hook: a redirect's Location checked before httpx reads it.

    httpx builds the next request of a redirect even with follow_redirects=False,
    and a Location it cannot use (javascript:alert(1), data:, a bad host) raises
    there, with a sentence about URL syntax (or a RemoteProtocolError, which
    would look like a spoilt connection).  Checked here first, the feed gets
    the sentence that says what happened.  Costs one comparison on other answers.
    """
    if response.status_code not in REDIRECT_STATUSES:
        return
    request = response.request
    request.extensions[_ANSWERED] = True
    location = response.headers.get("location")
    if not location:
        return
    target = _redirect_target(str(request.url), location)
    try:
        httpx.URL(location.strip())
        httpx.URL(target).host  # noqa: B018 - decoding the host (IDNA) is what may raise
    except Exception:  # noqa: BLE001 - httpx.InvalidURL, idna's UnicodeErrors, ValueError...
        shown = clean_line(location)[:100]
        raise FetchError(f"The server redirected to an address that is not valid: {shown}.") from None


async def _read_body(response: httpx.Response, settings: FetchSettings) -> bytes:
    decoder = BodyDecoder(response.headers.get("content-encoding", ""), settings.max_bytes)
    declared = response.headers.get("content-length", "")
    if not decoder.layers and declared.isdigit() and int(declared) > settings.max_bytes:
        raise _too_large(settings.max_bytes)
    pieces = [decoder.decode(chunk) async for chunk in response.aiter_raw()]
    return b"".join(pieces)


def make_client(settings: FetchSettings) -> httpx.AsyncClient:
    """The one client a fetch shares: keep-alive, no automatic redirects, our User-Agent."""
    return httpx.AsyncClient(
        headers={"User-Agent": settings.user_agent, "Accept": ACCEPT, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=False,
        event_hooks={"response": [_check_redirect]},
        timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0)),
        limits=httpx.Limits(
            max_connections=settings.concurrency,
            max_keepalive_connections=settings.concurrency,
            keepalive_expiry=30.0,
        ),
    )


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - now).total_seconds())


def origin_of(url: str) -> str:
    """scheme://host:port, the unit the per-host limit counts."""
    try:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.hostname}:{parts.port or ''}"
    except ValueError:
        return url


# ------------------------------------------------------------------ parsing off the loop


class FeedParser:
    """Runs store.parse.parse_feed in worker processes (or a thread), started when first needed.

    Workers are spawned, so, as always with multiprocessing's spawn, the program's
    main module must be safe to import (the ``if __name__ == "__main__":`` idiom).
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None
        # Feeds between download and store writer (being parsed, or parsed and
        # waiting for the writer to take them): bounded, so memory is too.
        self.slots = asyncio.Semaphore(max(2, 2 * workers))

    def _executor(self) -> Executor | None:
        if self.workers <= 0:
            return None
        if self._pool is None:
            # spawn, not fork: forking a process that runs threads (a TUI, asyncio) is unsafe.
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=quiet_worker)
        return self._pool

    def start(self) -> None:
        """Start the workers now, while the first answers are on their way (they take 0.1 s or more)."""
        executor = self._executor()
        if executor is not None:
            for _ in range(self.workers):
                executor.submit(os.getpid)

    async def parse(self, body: bytes, **options: Any) -> PreparedFeed:
        """store.parse.parse_feed, and the stories made ready for the store (store.ingest)."""
        job = functools.partial(parse_and_prepare, body, **options)
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor(), job)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): start afresh for the other feeds.
            broken, self._pool = self._pool, None
            if broken is not None:
                broken.shutdown(wait=False, cancel_futures=True)
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def quiet_worker() -> None:
    """First thing in a parsing process: nothing it prints may reach the terminal (a TUI's screen).

    The process inherits the terminal as stdout and stderr; a stray print, a
    warning or a traceback from a worker would land in the middle of the TUI.
    Its standard streams go to the null device instead, at the file-descriptor
    level, so C libraries (libxml2) are silenced too.
    """
    null = os.open(os.devnull, os.O_RDWR)
    for descriptor in (0, 1, 2):
        os.dup2(null, descriptor)
    os.close(null)
    sys.stdin = open(os.devnull, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    sys.stdout = sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


class HostLimiter:
    """At most ``per_host`` requests to one origin and ``concurrency`` in all."""

    def __init__(self, settings: FetchSettings) -> None:
        self.per_host = settings.per_host
        self.everyone = asyncio.Semaphore(settings.concurrency)
        self.hosts: dict[str, asyncio.Semaphore] = {}

    def host(self, url: str) -> asyncio.Semaphore:
        return self.hosts.setdefault(origin_of(url), asyncio.Semaphore(self.per_host))


# ------------------------------------------------------------------ one feed


@dataclass(slots=True)
class FeedResult:
    """One feed's fetch: its stories (if any) and the changes to its record."""

    feed: Feed
    changes: dict[str, Any]
    stories: list[PackedStories] = field(default_factory=list)
    undated: frozenset[str] = frozenset()
    moved_to: str = ""
    not_modified: bool = False
    error: str = ""
    # Stories of this feed not yet written: its bookkeeping waits for them.
    unwritten: int = 0

    @property
    def url(self) -> str:
        return self.moved_to or self.feed.url


class FeedFetcher:
    """Fetches and parses feeds, sharing the client, the limits and the parser, and hands each result on."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: FetchSettings,
        parser: FeedParser,
        accept: Callable[[FeedResult], Awaitable[None]],
        many_waiting: Callable[[], bool] = lambda: True,
    ) -> None:
        self.client = client
        self.settings = settings
        self.parser = parser
        self.accept = accept
        # Whether many stories wait for the store: then they are packed small (see PackedStories).
        self.many_waiting = many_waiting
        self.limiter = HostLimiter(settings)
        self.oldest_kept = utc_now() - timedelta(days=settings.keep_days) if settings.keep_days > 0 else None

    async def fetch(self, feed: Feed) -> FeedResult:
        """Fetch one feed and hand its result to ``accept``.

        Never raises (but for cancellation): a failure is a sentence in the result.
        A parsed feed keeps its parser slot until ``accept`` has taken it, so when
        the store falls behind, fetching waits instead of piling up stories.
        """
        body_slot = None
        try:
            result, body_slot = await self._fetch(feed)
        except Exception as error:  # noqa: BLE001 - one feed's failure, whatever it is, stays with that feed
            message = describe_failure(error)
            result = FeedResult(feed, {"last_status": None, "last_error": message}, error=message)
        try:
            await self.accept(result)
        finally:
            if body_slot is not None:
                body_slot.release()
        return result

    async def _fetch(self, feed: Feed) -> tuple[FeedResult, asyncio.Semaphore | None]:
        headers = {}
        # ASCII only: a header must be (an older version stored what the server sent).
        if feed.etag and feed.etag.isascii():
            headers["If-None-Match"] = feed.etag
        if feed.last_modified and feed.last_modified.isascii():
            headers["If-Modified-Since"] = feed.last_modified
        answer, body_slot = await self._download(feed, headers)
        if body_slot is None:
            return self._without_body(feed, answer), None
        try:
            parsed = await self.parser.parse(
                answer.body,
                feed_url=answer.moved_to or feed.url,
                base_url=answer.url,
                story_key=feed.story_key,
                content_type=answer.headers.get("content-type", ""),
                fetched=utc_now(),
                max_items=self.settings.max_items,
                published_after=self.oldest_kept,
                compress=self.many_waiting(),
            )
        except BaseException:
            body_slot.release()
            raise
        return self._with_stories(feed, answer, parsed), body_slot

    async def _download(self, feed: Feed, headers: dict[str, str]) -> tuple[Download, asyncio.Semaphore | None]:
        """The answer, and, when it has a body to parse, the parser slot taken for it."""
        waited = False
        while True:
            async with self.limiter.host(feed.url), self.limiter.everyone:
                answer = await download(self.client, feed.url, self.settings, headers)
                if not 200 <= answer.status < 300 or answer.status in NO_BODY_STATUSES:
                    body_slot = None
                else:
                    # Hold the network slot until the parser can take the body: bodies stay few.
                    await self.parser.slots.acquire()
                    body_slot = self.parser.slots
            delay = self._short_wait(answer) if not waited else None
            if delay is None:
                return answer, body_slot
            waited = True
            await asyncio.sleep(delay)

    def _short_wait(self, answer: Download) -> float | None:
        """A Retry-After short enough to wait out now, once."""
        if answer.status not in WAIT_STATUSES:
            return None
        delay = retry_after_seconds(answer.headers.get("retry-after"), utc_now())
        if delay is None or delay > self.settings.retry_within_fetch:
            return None
        return delay

    def _without_body(self, feed: Feed, answer: Download) -> FeedResult:
        status = answer.status
        changes: dict[str, Any] = {"last_status": status}
        result = FeedResult(feed, changes, moved_to=answer.moved_to)
        if status == 304:
            changes.update(last_success=utc_now(), last_error="", retry_after_until=None)
            changes.update(_validators(answer.headers, keep=feed))
            result.not_modified = True
            return result
        if 200 <= status < 300:
            result.error = f"The server answered {status_text(status)} with nothing to read."
        elif status == 410:
            changes["gone"] = True
            result.error = "The feed is gone (the server answered 410 Gone); it will not be fetched again."
        elif status in WAIT_STATUSES:
            result.error = self._deferral(answer, changes)
        else:
            result.error = f"The server answered {status_text(status)}."
        changes["last_error"] = result.error
        return result

    def _deferral(self, answer: Download, changes: dict[str, Any]) -> str:
        now = utc_now()
        delay = retry_after_seconds(answer.headers.get("retry-after"), now)
        answered = f"The server answered {status_text(answer.status)}"
        if delay is None:
            return f"{answered}."
        delay = min(delay, self.settings.retry_after_cap)
        changes["retry_after_until"] = now + timedelta(seconds=delay)
        return f"{answered} and asked to wait {seconds_text(round(delay))}; it will not be asked again before then."

    def _with_stories(self, feed: Feed, answer: Download, parsed: PreparedFeed) -> FeedResult:
        changes: dict[str, Any] = {
            "last_status": answer.status,
            "last_success": utc_now(),
            "last_error": "",
            "retry_after_until": None,
            **_validators(answer.headers),
        }
        if parsed.title and not feed.title:
            changes["title"] = parsed.title
        if parsed.site_url and parsed.site_url != feed.site_url:
            changes["site_url"] = parsed.site_url
        return FeedResult(feed, changes, parsed.packs, parsed.undated, moved_to=answer.moved_to)


def _validators(headers: httpx.Headers, keep: Feed | None = None) -> dict[str, str]:
    """ETag and Last-Modified for the next conditional request (a 304 may omit them: keep the old)."""
    found = {
        "etag": clean_line(headers.get("etag", ""))[:MAX_HEADER_VALUE],
        "last_modified": clean_line(headers.get("last-modified", ""))[:MAX_HEADER_VALUE],
    }
    # Sent back as they are, and a header must be ASCII: a UTF-8 ETag would fail every later request.
    found = {name: value if value.isascii() else "" for name, value in found.items()}
    if keep is None:
        return found
    return {name: value for name, value in found.items() if value}


# ------------------------------------------------------------------ writing


@dataclass(slots=True)
class WriteBatch:
    """Stories to write now (each with the result it came from), and bookkeeping due after them."""

    stories: list[tuple[PackedStories, FeedResult]] = field(default_factory=list)
    results: list[FeedResult] = field(default_factory=list)


class PendingStories:
    """Stories waiting for the store, grouped by the partition each will land in.

    The store rewrites a whole partition file on each write (and reads it first),
    so writing a partition costs its stored stories as well as the new ones.  A
    write takes the partitions where it buys most, those whose waiting stories
    are the largest share of what the write must read and write, as many as fit
    ``budget`` stories, and leaves the others to fill up: a big partition is
    rewritten when many stories wait for it, a new or small one as soon as it
    pays.  The budget also bounds what the writer holds in memory.

    Measured fetching 1,000 feeds x 100 items (100,000 stories over 80
    partitions) into an empty store: the four fullest partitions per write,
    12,000 stories waiting as Story objects, took 76 writes and 15.5 s of the
    writer's CPU; this, 24,000 waiting packed (store.ingest.PackedStories) and
    8,000 per write, 27 writes and 9.3 s (the sanitizing moved to the workers too).
    """

    def __init__(self, sizes: dict[str, int] | None = None) -> None:
        self.by_partition: dict[str, list[tuple[PackedStories, FeedResult]]] = {}
        self.waiting: dict[str, int] = {}
        self.count = 0
        # Stories each partition holds in the store (as far as this fetch knows).
        self.sizes: dict[str, int] = dict(sizes or {})

    def add(self, result: FeedResult) -> None:
        for pack in result.stories:
            self.by_partition.setdefault(pack.partition, []).append((pack, result))
            self.waiting[pack.partition] = self.waiting.get(pack.partition, 0) + len(pack.ids)
            self.count += len(pack.ids)
            result.unwritten += len(pack.ids)
        # From here the stories are held here only, so each goes as soon as it is written.
        result.stories = []

    def _worth(self, partition: str) -> float:
        waiting = self.waiting[partition]
        return waiting / (waiting + self.sizes.get(partition, 0))

    def take(
        self, *, budget: int, everything: bool, least_worth: float = 0.0
    ) -> list[tuple[PackedStories, FeedResult]]:
        """Whole partitions, the most worth writing first, up to ``budget`` stories read and written
        (at least one partition); unless ``everything``, stop once half the waiting stories are taken.
        Partitions worth less than ``least_worth`` (the waiting stories' share of the cost) are left."""
        keep = 0 if everything else self.count // 2
        taken: list[tuple[PackedStories, FeedResult]] = []
        cost = 0
        for partition in sorted(self.by_partition, key=self._worth, reverse=True):
            if self.count <= keep or self._worth(partition) < least_worth:
                break
            waiting = self.waiting[partition]
            size = self.sizes.get(partition, 0) + waiting
            if taken and cost + size > budget:
                continue  # a smaller one may still fit
            del self.waiting[partition]
            members = self.by_partition.pop(partition)
            taken += members
            cost += size
            self.count -= waiting
            self.sizes[partition] = size  # about: some may be updates of stored stories
        return taken


class StoryWriter:
    """Writes stories, then the bookkeeping of each feed once all its stories are written.

    One write at a time, in its own thread, while fetching and parsing go on.  A
    write starts when ``batch_stories`` wait (it takes the partitions most worth
    rewriting, see PendingStories), when what waits is cheap to write and has
    waited ``batch_seconds`` with the writer idle, and at the end.  Few large
    writes beat many small ones: each rewrites every partition file it touches.
    When a batch is full while a write runs, the feed handing in its result
    waits, and so fetching slows to the store's pace.

    The writer has a store of its own, opened in its thread and kept for the
    whole fetch; after each write it lets go of what it read (``cache_stories``,
    see Store.trim_cache), as a store otherwise keeps every partition it has read
    (about 360 MB for 100,000 stories).  The caller's store sees the new stories
    as it sees any other writer's (``Store.refresh``).  Damage the writer's store
    finds on the way is told in ``FetchSummary.notices``.
    """

    def __init__(
        self,
        store: Store,
        feeds: FeedList,
        summary: FetchSummary,
        settings: FetchSettings,
        on_written: Callable[[], None],
    ) -> None:
        self.home = store.home
        self.feeds = feeds
        self.summary = summary
        self.settings = settings
        self.on_written = on_written
        self.pending = PendingStories(store.partition_sizes())
        self.ready: list[FeedResult] = []
        self.oldest: float | None = None
        self.writing: asyncio.Future[None] | None = None
        self.turn = asyncio.Lock()
        self.store: Store | None = None
        # Always the same thread: each thread gets its own malloc arena, and a write's
        # memory, freed in one thread's arena, is only reused by that thread (with
        # asyncio.to_thread's pool the fetching process grew by 100 MB more).
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="broadsheet-store-writer")

    def add(self, result: FeedResult) -> None:
        if result.stories:
            self.pending.add(result)
        else:
            self.ready.append(result)
        self.oldest = self.oldest or monotonic()

    @property
    def full(self) -> bool:
        return self.pending.count >= self.settings.batch_stories

    def many_waiting(self) -> bool:
        """More stories wait than a write takes: worth packing them small (memory over CPU)."""
        return self.pending.count >= self.settings.write_stories

    @property
    def empty(self) -> bool:
        return not self.pending.count and not self.ready

    @property
    def busy(self) -> bool:
        return self.writing is not None and not self.writing.done()

    async def accept(self, result: FeedResult) -> None:
        """Take a feed's result; when a batch is full, start a write, first waiting for the one running."""
        self.add(result)
        if self.full:
            async with self.turn:
                if self.full:
                    await self._finish_writing()
                    self._start(everything=False)

    async def write_when_idle(self) -> None:
        """Runs beside the fetch: what waited ``batch_seconds`` while the writer idled gets written,
        if it is cheap to write: feeds' bookkeeping, and stories of partitions that are new or small
        next to what waits for them (rewriting a big partition for a few stories waits for a full batch
        or the end).  So a slow fetch shows its stories as it goes, and a big one is not slowed."""
        while True:
            await asyncio.sleep(self.settings.batch_seconds)
            waited = self.oldest is not None and monotonic() - self.oldest >= self.settings.batch_seconds
            if waited and not self.busy:
                async with self.turn:
                    if not self.busy:
                        self._start(everything=True, least_worth=IDLE_WORTH)

    async def finish(self) -> None:
        """Write whatever waits, and wait for it."""
        async with self.turn:
            await self._write_everything()

    async def _write_everything(self) -> None:
        await self._finish_writing()
        while not self.empty:
            self._start(everything=True)
            await self._finish_writing()

    async def _finish_writing(self) -> None:
        if self.writing is not None:
            # Shielded: a caller cancelled while waiting (the idle writer, at the end) must not cancel the write.
            await asyncio.shield(self.writing)

    def _start(self, *, everything: bool, least_worth: float = 0.0) -> None:
        stories = self.pending.take(budget=self.settings.write_stories, everything=everything, least_worth=least_worth)
        if not stories and not self.ready:
            self.oldest = monotonic() if not self.empty else None
            return
        batch = WriteBatch(stories, self.ready)
        self.ready = []
        self.oldest = monotonic() if not self.empty else None
        loop = asyncio.get_running_loop()
        self.writing = asyncio.ensure_future(loop.run_in_executor(self.thread, self.write, batch))
        self.writing.add_done_callback(lambda _: self.on_written())

    def close(self) -> None:
        """Close the writer's store (in its thread) and stop the thread."""
        try:
            self.thread.submit(self._close_store).result()
        finally:
            self.thread.shutdown(wait=True)

    def _close_store(self) -> None:
        if self.store is not None:
            self._collect_notices()
            self.store.close()
            self.store = None

    def _collect_notices(self) -> None:
        if self.store is not None and self.store.notices:
            self.summary.notices.extend(self.store.notices)
            self.store.notices.clear()

    def write(self, batch: WriteBatch) -> None:
        """Runs in a thread: it touches the disk.  Stories first; bookkeeping after."""
        done = list(batch.results)
        try:
            if batch.stories:
                try:
                    self._put(batch.stories)
                except StoreError as error:
                    self._unsaved(batch.stories, describe_failure(error))
                for pack, result in batch.stories:
                    result.unwritten -= len(pack.ids)
                    if result.unwritten == 0:
                        done.append(result)
            self._move_feeds([result for result in done if result.moved_to])
            try:
                self.feeds.update_many({result.url: result.changes for result in done})
            except StoreError as error:
                message = describe_failure(error)
                self.summary.errors.extend((result.url, message) for result in done if not result.error)
        finally:
            self._collect_notices()

    def _writer_store(self) -> Store:
        if self.store is None:
            self.store = Store(self.home)
        return self.store

    def _put(self, entries: list[tuple[PackedStories, FeedResult]]) -> None:
        store = self._writer_store()
        undated = {story_id for pack, result in entries for story_id in pack.ids if story_id in result.undated}
        outcome = store.put_stories((story for pack, _ in entries for story in pack.unpack()), keep_published=undated)
        store.trim_cache(self.settings.cache_stories)
        self.summary.new_stories += len(outcome.added)
        self.summary.updated += len(outcome.updated)

    def _move_feeds(self, moved: list[FeedResult]) -> None:
        """Feeds that moved for good (301/308): the subscription and its stories follow."""
        for result in moved:
            self.feeds.rename(result.feed.url, result.moved_to)
            try:
                self._writer_store().rename_feed(result.feed.url, result.moved_to)
            except StoreError as error:
                message = f"Could not move the stories to the new address: {describe_failure(error)}"
                self.summary.errors.append((result.url, sentence(message)))

    def _unsaved(self, entries: list[tuple[PackedStories, FeedResult]], message: str) -> None:
        """Stories that could not be written: no new ETag for their feeds, so the next fetch gets them again."""
        for result in {id(result): result for _, result in entries}.values():
            if result.error:
                continue
            result.error = f"Could not save the stories: {message}"
            result.changes = {"last_status": result.changes.get("last_status"), "last_error": result.error}
            self.summary.errors.append((result.url, result.error))


# ------------------------------------------------------------------ the whole fetch


async def fetch_all(
    store: Store,
    feeds: FeedList,
    *,
    urls: list[str] | None = None,
    progress: Callable[[FetchProgress], None] | None = None,
    settings: FetchSettings = FetchSettings(),
) -> FetchSummary:
    """Fetch every followed feed (or those in ``urls``) and store what is new.

    Feeds that are gone (410) are skipped, and so are feeds whose server asked to
    wait (Retry-After) until a time not yet reached.  ``progress`` is called in
    the event loop after each feed, after each store write and once at the end;
    its ``new_stories`` counts a story as soon as its feed is parsed and it is
    found not to be in the store yet (the last call gives what was written).
    """
    started = monotonic()
    now = utc_now()
    summary = FetchSummary()
    wanted = set(urls) if urls is not None else None
    targets: list[Feed] = []
    for feed in feeds.all():
        if feed.gone or (wanted is not None and feed.url not in wanted):
            continue
        if feed.retry_after_until is not None and feed.retry_after_until > now:
            summary.deferred.append(feed.url)
            continue
        targets.append(feed)
    summary.feeds = len(targets)
    done = 0
    # Stories found new (not in the store when their feed was parsed): progress
    # counts them at once, while they wait for a write.
    found_new: set[str] = set()

    def report(feed_url: str = "", error: str = "") -> None:
        if progress is not None:
            new = max(len(found_new), summary.new_stories)
            progress(FetchProgress(done, len(targets), new, feed_url, error))

    writer = StoryWriter(store, feeds, summary, settings, report)
    parser = FeedParser(settings.parse_workers)
    if any(not (feed.etag or feed.last_modified) for feed in targets):
        parser.start()  # feeds never fetched (or without validators) will need parsing

    async def accept(result: FeedResult) -> None:
        if result.stories and progress is not None:
            ids = [story_id for pack in result.stories for story_id in pack.ids]
            try:
                known = await asyncio.to_thread(store.known_ids, ids)
            except StoreError:
                known = set(ids)  # the writes will tell
            found_new.update(story_id for story_id in ids if story_id not in known)
        await writer.accept(result)

    async def fetch_one(fetcher: FeedFetcher, feed: Feed) -> None:
        nonlocal done
        result = await fetcher.fetch(feed)
        if result.error:
            summary.errors.append((result.url, result.error))
        summary.not_modified += result.not_modified
        done += 1
        report(result.url, result.error)

    try:
        async with make_client(settings) as client:
            fetcher = FeedFetcher(client, settings, parser, accept, writer.many_waiting)
            idle_writes = asyncio.create_task(writer.write_when_idle())
            try:
                async with asyncio.TaskGroup() as group:
                    for feed in targets:
                        group.create_task(fetch_one(fetcher, feed))
            finally:
                idle_writes.cancel()
            await writer.finish()
    finally:
        await asyncio.to_thread(parser.close)
        await asyncio.to_thread(writer.close)
        # Damage the writer found, told where the caller's own notices are told too.
        store.notices.extend(summary.notices)
    summary.seconds = monotonic() - started
    found_new.clear()
    report()
    return summary


# ------------------------------------------------------------------ subscribing


async def discover_and_add(
    feeds: FeedList,
    url: str,
    client: httpx.AsyncClient | None = None,
    *,
    settings: FetchSettings = FetchSettings(),
    tags: list[str] | None = None,
) -> AddFeedOutcome:
    """Subscribe to ``url``: a feed, or a web page naming exactly one feed.

    A page naming several feeds gives their list (``candidates``) and subscribes
    to none.  Nothing is stored but the subscription: the next fetch gets the stories.
    """
    if client is None:
        async with make_client(settings) as own_client:
            return await discover_and_add(feeds, url, own_client, settings=settings, tags=tags)
    try:
        address = normalize_feed_url(url)
    except InvalidFeedAddress as error:
        return AddFeedOutcome(error=str(error))
    try:
        return await _subscribe(feeds, address, client, settings, tags or [], follow_page=True)
    except Exception as error:  # noqa: BLE001 - whatever went wrong, the user gets one sentence
        return AddFeedOutcome(error=describe_failure(error))


async def _subscribe(
    feeds: FeedList,
    address: str,
    client: httpx.AsyncClient,
    settings: FetchSettings,
    tags: list[str],
    *,
    follow_page: bool,
) -> AddFeedOutcome:
    known = feeds.get(address)
    if known is not None:
        return AddFeedOutcome(feed=known, already=True)
    answer = await download(client, address, settings)
    if answer.status != 200:
        return AddFeedOutcome(error=f"The server answered {status_text(answer.status)}.")
    final = normalize_feed_url(answer.moved_to) if answer.moved_to else address
    try:
        parsed = await asyncio.to_thread(
            parse_feed,
            answer.body,
            feed_url=final,
            base_url=answer.url,
            content_type=answer.headers.get("content-type", ""),
            fetched=utc_now(),
            max_items=1,
        )
    except NotAFeed as page:
        if follow_page and len(page.links) == 1:
            return await _subscribe(feeds, page.links[0].url, client, settings, tags, follow_page=False)
        if follow_page and len(page.links) > 1:
            return AddFeedOutcome(candidates=page.links)
        return AddFeedOutcome(error=str(page))
    feed = Feed(url=final, title=parsed.title, site_url=parsed.site_url, tags=tags)
    if not feeds.add(feed):
        return AddFeedOutcome(feed=feeds.get(final), already=True)
    return AddFeedOutcome(feed=feed)

