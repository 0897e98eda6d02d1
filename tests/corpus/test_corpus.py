"""The hostile corpus: every file in tests/corpus served from 127.0.0.1 and checked against its .expect.json.

One case per file, the way feedparser's own test corpus works: the hostile
document (or whole HTTP answer) sits beside a JSON file saying what must happen
(see make_corpus.py for the keys).  Every case is fetched through the real
fetcher (fetch_all, real sockets, real store on disk); on top of what each case
expects, every case checks that nothing stored or reported can drive a terminal:
no control, C1, bidi or zero-width character in any story field, the feed's record
or the error sentence, and no stored link that is not http(s).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import fields, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from store import Store
from store.articles import safe_web_url
from store.discover import find_feed_links
from store.extract import extract_article
from store.feeds import Feed, FeedList
from store.fetch import FetchSettings, FetchSummary, fetch_all
from store.opml import import_opml
from tests.corpus.rawserver import RawServer, raw_server_fixture  # noqa: F401 - the fixture
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture

CORPUS = Path(__file__).resolve().parent
CASES = sorted(path.name.removesuffix(".expect.json") for path in CORPUS.glob("*.expect.json"))
SETTINGS = FetchSettings(timeout=3.0, parse_workers=0, retry_within_fetch=0.0)

# Nothing from outside may keep these: C0 (but tab and newline), DEL, C1, bidi
# controls and isolates, zero-width characters, the BOM.
FORBIDDEN = (
    {chr(c) for c in range(0x00, 0x20) if c not in (0x09, 0x0A)}
    | {chr(0x7F)}
    | {chr(c) for c in range(0x80, 0xA0)}
    | set("\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff")
)
GOOD_FEED = (
    b'<rss version="2.0"><channel><title>Good</title><item><guid>good-1</guid><title>Good story</title>'
    b"<link>https://good.example/1</link></item></channel></rss>"
)


def load(name: str) -> dict[str, Any]:
    return json.loads((CORPUS / f"{name}.expect.json").read_text())


def with_base(value: Any, base: str) -> Any:
    if isinstance(value, str):
        return value.replace("{{BASE}}", base)
    if isinstance(value, bytes):
        return value.replace(b"{{BASE}}", base.encode())
    if isinstance(value, list):
        return [with_base(v, base) for v in value]
    if isinstance(value, dict):
        return {k: with_base(v, base) for k, v in value.items()}
    return value


def case_body(expect: dict[str, Any], base: str) -> bytes:
    return with_base((CORPUS / expect["file"]).read_bytes(), base)


def fetch(home: Path, settings: FetchSettings) -> FetchSummary:
    with Store(home) as store, FeedList(home) as feeds:
        return asyncio.run(fetch_all(store, feeds, settings=settings))


def every_text(value: Any) -> list[str]:
    """Every string inside a story, a feed record or a list of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in every_text(item)]
    if isinstance(value, dict):
        return [text for item in value.items() for text in every_text(item)]
    if hasattr(value, "__dataclass_fields__"):
        return [text for f in fields(value) for text in every_text(getattr(value, f.name))]
    return []


def stored(home: Path) -> list[Any]:
    with Store(home) as store:
        return [store.get(summary.id) for summary in store.summaries()]


def assert_clean(texts: list[str], absent: list[str]) -> None:
    for text in texts:
        bad = set(text) & FORBIDDEN
        assert not bad, f"forbidden characters {sorted(map(hex, map(ord, bad)))} kept in {text[:200]!r}"
        for payload in absent:
            assert payload not in text, f"{payload!r} kept in {text[:200]!r}"


def assert_error(expect: dict[str, Any], error: str | None, base: str) -> None:
    if "error" in expect:
        assert error == with_base(expect["error"], base)
    if "error_startswith" in expect:
        assert error is not None and error.startswith(expect["error_startswith"]), error
    if "error_contains" in expect:
        assert error is not None and expect["error_contains"] in error, error
    if error is not None:
        assert "\n" not in error and error.endswith((".", "…")), error


def assert_stories(expect: dict[str, Any], stories: list[Any], fetched_between: tuple[datetime, datetime]) -> None:
    titles = [story.title for story in stories]
    if "stories" in expect:
        assert len(stories) == expect["stories"], titles[:20]
    if "min_stories" in expect:
        assert len(stories) >= expect["min_stories"], titles[:20]
    for title in expect.get("titles", []):
        assert title in titles, f"{title!r} not among {titles[:20]}"
    if "max_title" in expect:
        assert max(len(title) for title in titles) <= expect["max_title"]
    for words in expect.get("contains", []):
        assert any(words in story.body or words in story.title for story in stories), words
    for story in stories:
        assert story.url == "" or safe_web_url(story.url) == story.url, story.url
        for line in story.body.splitlines():
            if line.startswith("[") and "] " in line:  # the numbered links under "Links:"
                assert safe_web_url(line.split("] ", 1)[1]), line
    for title, link in expect.get("links", {}).items():
        found = [story.url for story in stories if story.title == title]
        assert found and (found[0] == link or found[0] in link.split("|")), (title, found)
    if expect.get("dated_by_fetch"):
        start, end = fetched_between
        for story in stories:
            assert start <= story.published <= end, (story.title, story.published)


# ------------------------------------------------------------------ feeds fetched from a real server


def cases_of(kind: str) -> list[Any]:
    """The cases of one kind; a case with "xfail" names a fix still due elsewhere (strict unless its
    failure depends on timing: remove the key once the fix is in)."""
    chosen = []
    for name in CASES:
        expect = load(name)
        if expect["kind"] != kind:
            continue
        strict = expect.get("xfail_strict", True)
        marks = [pytest.mark.xfail(reason=expect["xfail"], strict=strict)] if "xfail" in expect else []
        chosen.append(pytest.param(name, marks=marks, id=name))
    return chosen


FEED_CASES = cases_of("feed")
RAW_CASES = cases_of("raw")
ADDRESS_CASES = cases_of("subscribe")


@pytest.mark.parametrize("name", FEED_CASES)
def test_feed_case(name: str, home: Path, http_server: FeedServer) -> None:
    expect = load(name)
    base = http_server.base
    serve = with_base(expect.get("serve", {}), base)
    headers = dict(serve.get("headers", {}))
    if serve.get("encoded"):
        headers["Content-Encoding"] = ", ".join(serve["encoded"])
    route = Route(
        status=serve.get("status", 200),
        body=case_body(expect, base),
        headers=headers,
        content_type=serve.get("content_type", "application/xml"),
        drip=serve.get("drip", 0.0),
    )
    url = http_server.route("/" + expect["file"], route)
    for path, text in expect.get("routes", {}).items():
        http_server.route(path, Route(body=text.encode(), content_type="text/plain"))
    with FeedList(home) as feeds:
        feeds.add(Feed(url=url))
    settings = replace(SETTINGS, **expect.get("settings", {}))

    before = datetime.now(timezone.utc)
    summary = fetch(home, settings)
    after = datetime.now(timezone.utc)

    errors = dict(summary.errors)
    assert set(errors) <= {url}
    assert_error(expect, errors.get(url), base)
    stories = stored(home)
    assert_stories(expect, stories, (before, after))
    with FeedList(home) as feeds:
        record = feeds.get(url)
    assert record is not None
    assert record.site_url == "" or safe_web_url(record.site_url)
    assert_clean(every_text(stories) + every_text(record) + list(errors.values()), expect.get("absent", []))
    for path in expect.get("untouched", []):
        assert http_server.hits(path) == [], f"the parser asked the server for {path}"
    if "retry_capped_hours" in expect:
        assert record.retry_after_until is not None
        assert record.retry_after_until <= after + timedelta(hours=expect["retry_capped_hours"], seconds=5)


@pytest.mark.parametrize("name", RAW_CASES)
def test_raw_answer_case(name: str, home: Path, raw_server: RawServer) -> None:
    """A lying or malformed HTTP answer: an error on that feed at most, and the next feed on the host still fetches."""
    expect = load(name)
    hostile = raw_server.route("/" + expect["file"], case_body(expect, raw_server.base), close=expect.get("close", False))
    good = raw_server.feed("/good.xml", GOOD_FEED)
    with FeedList(home) as feeds:
        feeds.add(Feed(url=hostile))  # added first, so fetched first: the good feed may reuse its connection
        feeds.add(Feed(url=good))
    # One connection at a time to the host, so the good feed gets the hostile one's connection if it is reused.
    summary = fetch(home, replace(SETTINGS, concurrency=1, per_host=1))

    errors = dict(summary.errors)
    assert good not in errors, errors.get(good)
    assert_error(expect, errors.get(hostile), raw_server.base)
    stories = stored(home)
    titles = [story.title for story in stories]
    assert "Good story" in titles
    if "stories" in expect:
        assert len(stories) == expect["stories"] + 1, titles
    assert_clean(every_text(stories) + list(errors.values()), expect.get("absent", []))


@pytest.mark.parametrize("name", ADDRESS_CASES)
def test_invalid_address_case(name: str, home: Path, http_server: FeedServer) -> None:
    """An address httpx cannot use (in a feeds file from an older version, say): an error on that feed only."""
    expect = load(name)
    address = (CORPUS / expect["file"]).read_text().strip()
    good = http_server.route("/good.xml", Route(body=GOOD_FEED))
    with FeedList(home) as feeds:
        feeds.add_many([Feed(url=address), Feed(url=good)])
    summary = fetch(home, SETTINGS)
    errors = dict(summary.errors)
    assert set(errors) == {address}
    assert errors[address].startswith(("The address is not valid", "The server's name could not be found")), errors
    assert_error(expect, errors[address], http_server.base)
    assert_clean(list(errors.values()), [])
    assert [story.title for story in stored(home)] == ["Good story"]


# ------------------------------------------------------------------ OPML and web pages


@pytest.mark.parametrize("name", cases_of("opml"))
def test_opml_case(name: str, home: Path) -> None:
    expect = load(name)
    with FeedList(home) as feeds:
        report = import_opml(feeds, (CORPUS / expect["file"]).read_bytes())
        imported = feeds.all()
    assert [feed.url for feed in imported] == expect["feeds"]
    assert len(report.skipped) == expect["skipped"]
    for feed in imported:
        assert feed.site_url == "" or safe_web_url(feed.site_url)
    assert_clean(every_text(imported) + report.skipped, expect.get("absent", []))


@pytest.mark.parametrize("name", cases_of("page"))
def test_page_case(name: str) -> None:
    expect = load(name)
    base = "https://pages.example"
    page = case_body(expect, base)
    links = find_feed_links(page, base + "/article.html")
    assert [link.url for link in links] == with_base(expect["feed_links"], base)
    extracted = extract_article(page, base + "/article.html", output="text")
    assert extracted.ok, extracted.reason
    assert "Paragraph 3 of the article" in extracted.text
    texts = every_text(links) + every_text(extracted)
    assert_clean(texts, expect.get("absent", []))


def test_every_case_has_its_file_and_says_what_it_covers() -> None:
    assert len(CASES) >= 50
    for name in CASES:
        expect = load(name)
        assert (CORPUS / expect["file"]).is_file(), name
        assert expect["about"][:1].isdigit(), f"{name}: 'about' starts with the point of issue 7 it covers"
        assert expect["kind"] in ("feed", "raw", "subscribe", "opml", "page"), name
