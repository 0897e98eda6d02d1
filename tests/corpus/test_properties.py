"""Property tests: whatever the bytes or the text, the parsers and the sanitizer keep their promises.

* The feed parser turns any bytes (and any feed-shaped document with hostile
  strings in its fields) into stories or raises FeedParseError, nothing else; and
  what it returns for the feed list (title, site address) is already clean.
* The OPML reader raises OpmlError or nothing; HTML to text and feed discovery never raise.
* The sanitizer's output never holds a control, C1, bidi or zero-width character,
  and cleaning twice changes nothing.
* The query parser raises QueryError or nothing, and a real store's search does too.

* The story-document importer imports any file clean or gives one error line (its
  parser's own properties are in tests/store/test_storydoc.py:
  test_any_text_parses_or_raises_story_document_error, test_round_trip_property).
Example counts are kept small: the whole file runs in seconds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import QueryError, Store, import_story_documents, parse_query
from store.discover import find_feed_links
from store.htmltext import html_to_line, html_to_text
from store.opml import OpmlError, read_opml
from store.parse import FeedParseError, parse_feed
from store.storydoc import format_story_document
from store.sanitize import clean_line, clean_text, strip_escape_sequences
from tests.conftest import make_story
from tests.corpus.test_corpus import FORBIDDEN

FETCHED = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
# HOSTILE_EXAMPLES=5000 runs a longer hunt; the suite's default keeps this file to seconds.
SCALE = int(os.environ.get("HOSTILE_EXAMPLES", "0"))
FEW = settings(max_examples=SCALE or 60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=SCALE or 150, deadline=None)

# Text that looks like trouble: escape sequences and their pieces, C0/C1, bidi,
# zero-width, markup, entities, XML syntax, quotes, and ordinary letters.
NASTY_PIECES = [
    "\x1b", "\x1b[", "\x1b]", "\x1b]52;c;", "\x1b]0;", "\x1b]8;;", "\x1b\\", "\x07", "\x9b", "\x9d", "\x9c", "\x90",
    "[31m", "[2J", "\u202e", "\u2066", "\u200b", "\ufeff", "\x00", "\r", "\n", "\t", "[bold]", "[/]",
    "[@click=app.quit]", "&amp;", "&lol;", "&#x1b;", "&#0;", "<", ">", "]]>", "<![CDATA[", '"', "'", "&",
    "<b>", "</p>", "<a href='javascript:x'>", "café", "日本", " ", "word",
]
nasty_text = st.lists(st.one_of(st.sampled_from(NASTY_PIECES), st.text(max_size=5)), max_size=12).map("".join)


def assert_clean(text: str) -> None:
    assert not (set(text) & FORBIDDEN), repr(text)


# ------------------------------------------------------------------ feed parsers


def parse_or_refuse(data: bytes, content_type: str = "") -> None:
    try:
        parsed = parse_feed(data, feed_url="https://feeds.example/f", fetched=FETCHED, content_type=content_type)
    except FeedParseError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert_clean(parsed.title)
    assert_clean(parsed.site_url)
    for story in parsed.stories:
        clean = story.sanitized()
        for value in (clean.title, clean.body, clean.author, clean.url, clean.source, *clean.tags):
            assert_clean(value)
        assert story.url == "" or story.url.lower().startswith(("http://", "https://"))


@FEW
@given(st.binary(max_size=2000), st.sampled_from(["", "application/json", "text/xml; charset=utf-16", "text/html"]))
def test_any_bytes_parse_or_raise_feed_parse_error(data: bytes, content_type: str) -> None:
    parse_or_refuse(data, content_type)


@FEW
@given(st.binary(max_size=400))
def test_bytes_after_a_feed_start_parse_or_raise(data: bytes) -> None:
    starts = (
        b"<rss version='2.0'><channel><item><title>",
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry>',
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{',
    )
    for start in starts:
        parse_or_refuse(start + data)


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@FEW
@given(nasty_text, nasty_text, nasty_text, nasty_text, nasty_text, st.booleans())
def test_rss_and_atom_with_hostile_fields(title: str, body: str, link: str, author: str, date: str, escape: bool) -> None:
    fields = [_xml_text(value) if escape else value for value in (title, body, link, author, date)]
    title, body, link, author, date = fields
    rss = (
        f"<rss version='2.0'><channel><title>{title}</title><link>{link}</link><item><title>{title}</title>"
        f"<link>{link}</link><description>{body}</description><author>{author}</author><pubDate>{date}</pubDate>"
        f"<guid>{link}</guid></item></channel></rss>"
    )
    atom = (
        f'<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">{title}</title><entry><id>{link}</id>'
        f'<title type="html">{title}</title><link href="{_xml_text(link)}"/><author><name>{author}</name></author>'
        f'<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">{body}</div></content>'
        f"<updated>{date}</updated></entry></feed>"
    )
    parse_or_refuse(rss.encode("utf-8", "surrogatepass"))
    parse_or_refuse(atom.encode("utf-8", "surrogatepass"))


json_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), nasty_text),
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(st.sampled_from(["name", "url", "title", "x"]), children, max_size=3),
    ),
    max_leaves=8,
)


@FEW
@given(st.dictionaries(
    st.sampled_from(["id", "url", "external_url", "title", "content_html", "content_text", "summary", "date_published",
                     "date_modified", "author", "authors", "tags"]),
    json_value, max_size=8,
), json_value)
def test_json_feed_with_wrong_types_and_hostile_strings(item: dict[str, object], title: object) -> None:
    document = {"version": "https://jsonfeed.org/version/1.1", "title": title, "home_page_url": title, "items": [item, item]}
    parse_or_refuse(json.dumps(document).encode())


@FEW
@given(st.binary(max_size=1000))
def test_any_bytes_read_as_opml_or_raise_opml_error(data: bytes) -> None:
    try:
        feeds, skipped = read_opml(b"<opml><body><outline xmlUrl='" + data)
    except OpmlError:
        return
    for feed in feeds:
        assert feed.url.startswith(("http://", "https://"))
        assert_clean(feed.title)


@SOME
@given(nasty_text)
def test_html_to_text_and_feed_discovery_never_raise(html: str) -> None:
    html_to_text(html, "https://pages.example/a/")
    html_to_line(html)
    for link in find_feed_links(html.encode("utf-8", "surrogatepass"), "https://pages.example/"):
        assert link.url.startswith(("http://", "https://"))
        assert_clean(link.title)


# ------------------------------------------------------------------ the story-document importer


@pytest.fixture(scope="module")
def import_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Path]]:
    folder = tmp_path_factory.mktemp("import")
    with Store(folder / "home") as store:
        yield store, folder


@settings(max_examples=SCALE or 40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(
    st.binary(max_size=600),
    st.tuples(nasty_text, nasty_text, nasty_text).map(
        lambda parts: format_story_document(make_story(1, title=parts[0] or "t", body=parts[1], author=parts[2])).encode()
    ),
    st.tuples(st.binary(max_size=50), st.integers(0, 400)).map(
        lambda pair: format_story_document(make_story(2)).encode()[: pair[1]] + pair[0]
    ),
))
def test_any_file_imports_or_gives_one_error_line(import_store: tuple[Store, Path], data: bytes) -> None:
    """Arbitrary bytes, hostile fields, a document cut anywhere: imported clean, or one plain error line."""
    store, folder = import_store
    path = folder / "story.txt"
    path.write_bytes(data)
    report = import_story_documents(store, [path])
    assert len(report.imported) + len(report.errors) == 1
    for error in report.errors:
        assert "\n" not in error
        assert_clean(error)
    for story_id in report.imported:
        story = store.get(story_id)
        assert story is not None
        for value in (story.title, story.body, story.author, story.source, story.url, *story.highlights, *story.opinions):
            assert_clean(value)


# ------------------------------------------------------------------ the sanitizer


@SOME
@given(st.one_of(nasty_text, st.text()))
def test_sanitized_text_is_clean_and_cleaning_twice_changes_nothing(text: str) -> None:
    line, block = clean_line(text), clean_text(text)
    assert_clean(line)
    assert_clean(block)
    assert clean_line(line) == line
    assert clean_text(block) == block
    assert "\x1b" not in strip_escape_sequences(text)


@SOME
@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cf", "Cs")), max_size=40), nasty_text)
def test_a_terminated_osc_sequence_goes_whole_and_the_words_around_it_stay(words: str, payload: str) -> None:
    payload = payload.translate({0x07: None, 0x1B: None, 0x9C: None})
    assert clean_line(f"{words}\x1b]0;{payload}\x07{words}") == clean_line(words + words)


# ------------------------------------------------------------------ the query language


@SOME
@given(st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(['"', "-", "*", "OR", "title:", "source:", "author:", "is:", "before:", "after:", "(", ")",
                              "NEAR", "AND", "NOT", "^", "0001-01-01", "9999-12-31", "unread", "x", " ", ":", "日本"]),
             max_size=10).map("".join),
))
def test_any_query_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse_query(text)
    except QueryError as error:
        assert str(error) and "\n" not in str(error)
        return
    query.match_expression()
    query.exclusion_expression()


@pytest.fixture(scope="module")
def search_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    with Store(tmp_path_factory.mktemp("search") / "home") as store:
        store.put_stories([make_story(n) for n in range(5)])
        yield store


@settings(max_examples=SCALE or 80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(['"', "-", "*", "OR", "title:", "author:", "is:read", "before:", "after:",
                                 "2026-01-01", "0001-01-01", "9999-12-31", "NEAR(", ")", "story", "stor*", "^",
                                 "{", "}", " ", "日本", "\x00", "'", "-body"]), min_size=1, max_size=8).map("".join))
def test_any_query_searches_or_raises_query_error(search_store: Store, text: str) -> None:
    try:
        search_store.search(text, limit=5)
        search_store.search(text, limit=5, sort="date")
    except QueryError as error:
        assert str(error) and "\n" not in str(error)


def test_out_of_range_dates_are_a_query_error() -> None:
    for text in ("before:0001-01-01", "after:0001-01-01"):
        with pytest.raises(QueryError, match="out of range"):
            parse_query(text)
