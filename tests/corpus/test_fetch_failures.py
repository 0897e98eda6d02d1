"""How the fetcher words and survives failures of the HTTP stack (issue 7 point 3, issue 3 point 3).

Against a real server on 127.0.0.1 sending canned bytes (tests/corpus/rawserver.py):
a request whose answer never came is asked again once, on a fresh connection;
one whose answer came is never asked again; a redirect to a non-web address
is refused with a sentence saying so.  And every error the HTTP stack can raise
(httpx, httpcore, h11, idna, ssl, the OS) becomes one plain sentence with no
Python exception class name in it.
"""

from __future__ import annotations

import asyncio
import errno
import re
import socket
import ssl
from pathlib import Path

import h11
import httpcore
import httpx
import idna
import pytest

from store import Store
from store.feeds import Feed, FeedList
from store.fetch import FetchSettings, FetchSummary, describe_failure, fetch_all
from tests.corpus.rawserver import RawServer, raw_server_fixture  # noqa: F401 - the fixture

SETTINGS = FetchSettings(timeout=3.0, parse_workers=0, retry_within_fetch=0.0, concurrency=1, per_host=1)
FEED = (
    b'<rss version="2.0"><channel><title>Good</title><item><guid>good-1</guid><title>Good story</title>'
    b"<link>https://good.example/1</link></item></channel></rss>"
)


def answer(head: str, body: bytes = b"") -> bytes:
    return head.replace("\n", "\r\n").encode("latin-1") + b"\r\n\r\n" + body


def fetch(home: Path, *urls: str) -> FetchSummary:
    with FeedList(home) as feeds:
        feeds.add_many([Feed(url=url) for url in urls])
    with Store(home) as store, FeedList(home) as feeds:
        return asyncio.run(fetch_all(store, feeds, settings=SETTINGS))


def titles(home: Path) -> list[str]:
    with Store(home) as store:
        return [summary.title for summary in store.summaries()]


# ------------------------------------------------------------------ asking again


def test_an_answer_that_is_not_http_is_asked_for_once_more_and_no_more(home: Path, raw_server: RawServer) -> None:
    broken = raw_server.route("/broken.xml", b"NOT HTTP AT ALL\r\n\r\n")
    summary = fetch(home, broken)
    assert dict(summary.errors) == {broken: "The server broke off the answer (illegal status line)."}
    assert raw_server.hits("/broken.xml") == 2


def test_a_body_broken_off_after_the_headers_is_not_asked_for_again(home: Path, raw_server: RawServer) -> None:
    # The headers arrived: that request got its answer, and a GET asked twice would double the server's work.
    short = raw_server.route(
        "/short.xml", answer("HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: 5000", FEED), close=True
    )
    summary = fetch(home, short)
    assert dict(summary.errors)[short].startswith("The server broke off the answer")
    assert raw_server.hits("/short.xml") == 1


def test_a_spoilt_kept_alive_connection_costs_the_next_feed_nothing(home: Path, raw_server: RawServer) -> None:
    # Content-Length counts characters: the last bytes stay on the connection, where the
    # next feed's answer is expected.  That feed is asked again on a fresh connection.
    body = '<rss version="2.0"><channel><title>é</title><item><guid>1</guid><title>Café “quoted”</title></item></channel></rss>'
    lying = raw_server.route(
        "/lying.xml",
        answer(f"HTTP/1.1 200 OK\nContent-Type: application/rss+xml\nContent-Length: {len(body)}", body.encode()),
    )
    good = raw_server.feed("/good.xml", FEED)
    summary = fetch(home, lying, good)
    assert good not in dict(summary.errors)
    assert "Good story" in titles(home)
    assert raw_server.hits("/good.xml") in (1, 2)


def test_a_redirect_httpx_cannot_read_is_refused_and_not_asked_again(home: Path, raw_server: RawServer) -> None:
    # httpx would raise RemoteProtocolError("Invalid URL in location header") for this one,
    # after its answer came: it must not look like a spoilt connection and be sent again.
    moved = raw_server.route("/moved.xml", answer("HTTP/1.1 301 Moved Permanently\nLocation: http://[::1\nContent-Length: 0"))
    summary = fetch(home, moved)
    assert dict(summary.errors) == {moved: "The server redirected to an address that is not valid: http://[::1."}
    assert raw_server.hits("/moved.xml") == 1


@pytest.mark.parametrize(
    ("location", "sentence"),
    [
        ("javascript:alert(1)", "Redirected to a non-web address (javascript:alert(1))."),
        ("data:text/xml,<rss/>", "Redirected to a non-web address (data:text/xml,<rss/>)."),
        ("JavaScript:void(0)", "Redirected to a non-web address (JavaScript:void(0))."),
        ("http://xn--a.xn--/feed.xml", "The server redirected to an address that is not valid: http://xn--a.xn--/feed.xml."),
    ],
)
def test_a_redirect_to_a_non_web_or_unusable_address_says_so(
    home: Path, raw_server: RawServer, location: str, sentence: str
) -> None:
    moved = raw_server.route("/moved.xml", answer(f"HTTP/1.1 302 Found\nLocation: {location}\nContent-Length: 0"))
    good = raw_server.feed("/good.xml", FEED)
    summary = fetch(home, moved, good)
    assert dict(summary.errors) == {moved: sentence}
    assert raw_server.hits("/moved.xml") == 1
    assert titles(home) == ["Good story"]


def test_an_etag_that_is_not_ascii_does_not_break_the_next_fetch(home: Path, raw_server: RawServer) -> None:
    # httpx reads the header as UTF-8; sent back as it is, it would fail every later request to the feed.
    feed = raw_server.route(
        "/etag.xml", b'HTTP/1.1 200 OK\r\nETag: "caf\xc3\xa9"\r\nContent-Length: %d\r\n\r\n' % len(FEED) + FEED
    )
    assert fetch(home, feed).ok
    second = fetch(home, feed)
    assert second.ok, second.errors
    assert raw_server.hits("/etag.xml") == 2


# ------------------------------------------------------------------ the sentences


def _idna_error() -> BaseException:
    try:
        idna.decode("xn--a")
    except idna.IDNAError as error:
        return error
    raise AssertionError("idna accepted xn--a")


def _codec_error() -> BaseException:
    try:
        ("x" * 70 + ".example").encode("idna")
    except UnicodeError as error:
        return error
    raise AssertionError("the idna codec accepted a 70-letter label")


def _host_error() -> BaseException:
    try:
        httpx.URL("http://xn--a.xn--/feed.xml").host  # noqa: B018 - the property is what raises
    except Exception as error:  # noqa: BLE001 - whatever httpx lets through is what the fetcher gets
        return error
    raise AssertionError("httpx decoded xn--a.xn--")


STACK_ERRORS: list[BaseException] = [
    _idna_error(),
    _codec_error(),
    _host_error(),
    idna.IDNAError(),
    httpx.InvalidURL(""),
    httpx.UnsupportedProtocol("Request URL has an unsupported protocol 'ftp://'."),
    httpx.ConnectError(""),
    httpx.ConnectTimeout(""),
    httpx.ReadTimeout(""),
    httpx.PoolTimeout(""),
    httpx.ReadError(""),
    httpx.WriteError(""),
    httpx.CloseError(""),
    httpx.RemoteProtocolError("illegal status line: bytearray(b'\\xc3\\xa9 tail')"),
    httpx.RemoteProtocolError(""),
    httpx.LocalProtocolError(""),
    httpx.ProxyError(""),
    httpx.DecodingError(""),
    httpx.TooManyRedirects(""),
    httpx.StreamConsumed(),
    httpx.StreamClosed(),
    httpx.ResponseNotRead(),
    httpcore.ConnectError(""),
    httpcore.ReadError(""),
    httpcore.WriteError(""),
    httpcore.ReadTimeout(""),
    httpcore.RemoteProtocolError(""),
    httpcore.LocalProtocolError(""),
    httpcore.UnsupportedProtocol(""),
    httpcore.ProxyError(""),
    h11.RemoteProtocolError("illegal status line: bytearray(b'x')", 400),
    h11.LocalProtocolError("Too much data for declared Content-Length"),
    ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)"),
    ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (_ssl.c:1000)"),
    ssl.SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2406)"),
    socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
    ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"),
    ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"),
    BrokenPipeError(errno.EPIPE, "Broken pipe"),
    TimeoutError(),
    OSError(errno.ENOSPC, "No space left on device"),
    OSError(),
    UnicodeEncodeError("ascii", "caf\u00e9", 3, 4, "ordinal not in range(128)"),
]
# CamelCase words ending as exception classes do, and the names of these very classes.
CLASS_NAME = re.compile(r"\b(?:[A-Z][a-z0-9]*)+(?:Error|Exception|Timeout|Codepoint)\b")


@pytest.mark.parametrize("error", STACK_ERRORS, ids=lambda error: f"{type(error).__module__}.{type(error).__name__}")
def test_every_error_of_the_http_stack_is_one_plain_sentence(error: BaseException) -> None:
    text = describe_failure(error)
    assert "\n" not in text and text.endswith((".", "…")), text
    assert text[:1].isupper(), text
    assert not CLASS_NAME.search(text), text
    assert type(error).__name__ not in text, text
    for python in ("bytearray(", "b'", "_ssl.c", "[SSL", "[Errno", "Traceback"):
        assert python not in text, text


@pytest.mark.parametrize(
    ("error", "start"),
    [
        (_idna_error(), "The address is not valid: "),
        (_codec_error(), "The address is not valid: "),
        (_host_error(), "The address is not valid: "),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "The server's name could not be found."),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "The server refused the connection."),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1000)"), "A secure connection"),
        (OSError(errno.ENOSPC, "No space left on device"), "A system error stopped the fetch (No space left on device)."),
        (httpx.RemoteProtocolError("illegal status line: bytearray(b'x')"), "The server broke off the answer (illegal status line)."),
    ],
)
def test_the_sentence_says_what_went_wrong(error: BaseException, start: str) -> None:
    assert describe_failure(error).startswith(start)


def test_a_group_of_errors_is_told_by_its_first() -> None:
    group = ExceptionGroup("fetch", [httpx.ReadError(""), ValueError("later")])
    assert describe_failure(group) == "The connection broke while the answer was read."


def test_a_connect_error_names_its_cause() -> None:
    try:
        raise httpx.ConnectError("[Errno -2] Name or service not known") from socket.gaierror(-2, "Name or service not known")
    except httpx.ConnectError as error:
        assert describe_failure(error) == "The server's name could not be found."


def test_a_real_address_with_a_bad_international_name_fails_on_its_feed_only(home: Path, raw_server: RawServer) -> None:
    good = raw_server.feed("/good.xml", FEED)
    summary = fetch(home, "http://xn--a.xn--/feed.xml", good)
    assert dict(summary.errors)["http://xn--a.xn--/feed.xml"].startswith("The address is not valid: ")
    assert titles(home) == ["Good story"]

