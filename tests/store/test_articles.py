"""The full-text pipeline against a real HTTP server on 127.0.0.1 and a real store.

Pages from tests/pages are served by tests/httpserver.py over a socket; nothing
mocks the transport.  No test asserts on timing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from store import Store, Story, make_story_id
from store.articles import (
    PAGE_SETTINGS,
    ArticleError,
    FullTextOutcome,
    ensure_highlights,
    extract_source,
    fetch_full_text,
    safe_web_url,
    save_url,
)
from store.extract import cut_note
from store.fetch import FetchSettings
from store.highlights import split_sentences
from tests.conftest import make_story
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture

PAGES = Path(__file__).resolve().parents[1] / "pages"
SETTINGS = FetchSettings(timeout=3.0, max_bytes=PAGE_SETTINGS.max_bytes, parse_workers=0)
HTML = "text/html; charset=utf-8"
REFUSED = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "file:///etc/passwd",
    "file:relative.html",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "ftp://files.example/story",
    "-x",
    "--output=/tmp/owned",
    "-https://news.example/story",
    "news.example/story",
    "http://",
    "https:///nohost",
    "https://news.example/a story",
    "https://news.example/\x1b[31mred",
    "https://news.example/\u202eevil",
    "https://news.example:99999/",
    "",
]
BOILERPLATE_WORDS = ("newsletter", "Sign up", "Listen to this", "Photo:", "Click here", "Follow us", "Advertisement")


def page_route(name: str, **options: object) -> Route:
    return Route(body=(PAGES / f"{name}.html").read_bytes(), content_type=HTML, **options)  # type: ignore[arg-type]


def summary_story(url: str, **overrides: object) -> Story:
    fields: dict[str, object] = dict(
        url=url,
        id=make_story_id(url=url),
        body="A short summary from the feed. Continue reading…",
        highlights=[],
        highlights_generated=False,
    )
    fields.update(overrides)
    return make_story(1, **fields)


def full_text(store: Store, story: Story, **options: object) -> FullTextOutcome:
    return asyncio.run(fetch_full_text(store, story.id, settings=SETTINGS, **options))  # type: ignore[arg-type]


# ------------------------------------------------------------------ full text


def test_full_text_is_fetched_extracted_and_stored(store: Store, http_server: FeedServer) -> None:
    story = summary_story(http_server.route("/ferry", page_route("ferry-timetable")))
    store.put_stories([story])
    outcome = full_text(store, story)
    assert outcome.ok and outcome.reason == "" and not outcome.from_store
    assert "\n## What changes for passengers\n" in outcome.full_text
    assert "The Northgate ferry carried 412,000 passengers last year" in outcome.full_text
    assert "Sign up for our newsletter" not in outcome.full_text and "harbourwatcher" not in outcome.full_text
    stored = store.get(story.id)
    assert stored is not None and stored.full_text == outcome.full_text
    assert stored.body == story.body  # the feed text stays: `v` toggles between the two
    assert stored.highlights_generated and 3 <= len(stored.highlights) <= 5
    assert list(outcome.highlights) == stored.highlights
    request = http_server.hits("/ferry")[0]
    assert request.headers["user-agent"].startswith("Broadsheet/")
    assert request.headers["accept"].startswith("text/html")


def test_second_open_uses_the_store_even_with_the_server_gone(store: Store, http_server: FeedServer) -> None:
    story = summary_story(http_server.route("/ferry", page_route("ferry-timetable")))
    store.put_stories([story])
    first = full_text(store, story)
    http_server.close()
    second = full_text(store, story)
    assert second.ok and second.from_store and second.full_text == first.full_text
    assert second.highlights == first.highlights
    assert len(http_server.hits("/ferry")) == 1
    # And from a fresh process's view of the store, too.
    with Store(store.home) as reopened:
        again = asyncio.run(fetch_full_text(reopened, story.id, settings=SETTINGS))
    assert again.ok and again.from_store and again.full_text == first.full_text


def test_force_fetches_again(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/story", page_route("ferry-timetable"), page_route("library-late-opening"))
    story = summary_story(url)
    store.put_stories([story])
    assert "Northgate" in full_text(store, story).full_text
    assert "Northgate" in full_text(store, story).full_text  # cached: no second request
    refreshed = full_text(store, story, force=True)
    assert refreshed.ok and not refreshed.from_store and "late opening" in refreshed.full_text
    assert len(http_server.hits("/story")) == 2
    stored = store.get(story.id)
    assert stored is not None and "late opening" in stored.full_text
    assert any("branch" in highlight for highlight in stored.highlights)  # generated again, from the new text


def test_a_failed_refetch_keeps_the_stored_text(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/story", page_route("ferry-timetable"), Route(status=500, body=b"oops"))
    story = summary_story(url)
    store.put_stories([story])
    first = full_text(store, story)
    failed = full_text(store, story, force=True)
    assert (
        not failed.ok and failed.reason == "The server answered 500 Internal Server Error." and failed.full_text == ""
    )
    stored = store.get(story.id)
    assert stored is not None and stored.full_text == first.full_text


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(status=404, body=b"not here", content_type="text/plain"), "The server answered 404 Not Found."),
        (Route(status=410, body=b"", content_type="text/html"), "The server answered 410 Gone."),
        (page_route("section-index"), "Broadsheet found no article text on this page"),
        (
            Route(body=b"%PDF-1.7 ...", content_type="application/pdf"),
            "The address gives application/pdf, not a web page.",
        ),
        (Route(body=b"", content_type=HTML), "The page is empty or is not HTML."),
        (Route.redirect("file:///etc/passwd", 302), "Redirected to a non-web address"),
    ],
)
def test_a_page_that_cannot_be_read_says_why_in_plain_words(
    store: Store, http_server: FeedServer, route: Route, reason: str
) -> None:
    story = summary_story(http_server.route("/page", route))
    store.put_stories([story])
    outcome = full_text(store, story)
    assert not outcome.ok and outcome.full_text == ""
    assert outcome.reason.startswith(reason) and "\n" not in outcome.reason and outcome.reason.endswith((".", ")."))
    stored = store.get(story.id)
    assert stored is not None and stored.full_text == "" and stored.highlights == []


def test_a_redirect_to_javascript_is_not_followed(store: Store, http_server: FeedServer) -> None:
    story = summary_story(http_server.route("/page", Route.redirect("javascript:alert(1)", 301)))
    store.put_stories([story])
    outcome = full_text(store, story)
    # The sentence comes from store.fetch (today httpx's own complaint about the Location).
    assert not outcome.ok and outcome.reason and "\n" not in outcome.reason
    assert [request.path for request in http_server.requests] == ["/page"]


def test_a_slow_page_fails_at_the_deadline(store: Store, http_server: FeedServer) -> None:
    story = summary_story(http_server.route("/slow", page_route("ferry-timetable", drip=0.5)))
    store.put_stories([story])
    outcome = asyncio.run(fetch_full_text(store, story.id, settings=FetchSettings(timeout=1.0, parse_workers=0)))
    assert not outcome.ok and outcome.reason == "The page did not arrive in full within 1 second."


def test_a_teaser_shorter_than_the_feed_text_is_not_taken(store: Store, http_server: FeedServer) -> None:
    feed_body = " ".join(["The harbour board met on Tuesday and agreed the new ferry timetable for the spring."] * 80)
    story = summary_story(http_server.route("/ferry", page_route("ferry-timetable")), body=feed_body)
    store.put_stories([story])
    outcome = full_text(store, story)
    assert not outcome.ok and "less text than the feed" in outcome.reason


def test_original_highlights_are_never_overwritten(store: Store, http_server: FeedServer) -> None:
    own = ["The ferry will run every 20 minutes.", "Fares stay the same."]
    story = summary_story(http_server.route("/ferry", page_route("ferry-timetable")), highlights=own)
    store.put_stories([story])
    outcome = full_text(store, story)
    assert outcome.ok and list(outcome.highlights) == own
    stored = store.get(story.id)
    assert stored is not None and stored.highlights == own and not stored.highlights_generated


def test_generated_highlights_come_from_the_facts_not_the_fluff(store: Store, http_server: FeedServer) -> None:
    story = summary_story(
        http_server.route("/market", page_route("market-hall-fluff-lead")),
        title="Market hall to reopen in April after £4.8m restoration",
        highlights=["A guess from the feed summary."],
        highlights_generated=True,  # generated before: replaced from the full text
    )
    store.put_stories([story])
    outcome = full_text(store, story)
    assert outcome.ok
    stored = store.get(story.id)
    assert stored is not None and stored.highlights_generated
    highlights = stored.highlights
    assert 3 <= len(highlights) <= 5
    sentences = split_sentences(stored.full_text)
    assert all(highlight in sentences for highlight in highlights)
    assert not any(word.lower() in h.lower() for h in highlights for word in BOILERPLATE_WORDS)
    assert not any(
        h.startswith(("It has been quite a journey", "There have been ups", "Ask anyone")) for h in highlights
    )
    assert highlights != sentences[: len(highlights)]
    assert any("£4.8 million restoration" in h for h in highlights)


def test_a_500_kb_page_is_stored_cut_at_the_bound(store: Store, http_server: FeedServer) -> None:
    paragraph = "<p>The harbour board met again to discuss the ferry timetable and the crew rota, item {n}.</p>\n"
    body = "".join(paragraph.format(n=n) for n in range(6000))
    html = f"<html><head><title>Long</title></head><body><article><h1>Long</h1>{body}</article></body></html>"
    assert len(html) > 500_000
    story = summary_story(http_server.route("/long", Route(body=html.encode(), content_type=HTML)))
    store.put_stories([story])
    outcome = full_text(store, story)
    assert outcome.ok and outcome.full_text.endswith(cut_note())
    assert "item 0." in outcome.full_text


def test_terminal_escapes_in_a_page_never_reach_the_store(store: Store, http_server: FeedServer) -> None:
    filler = "<p>The harbour board agreed the new ferry timetable on Tuesday, after a long debate about crews.</p>" * 6
    html = (
        f"<html><head><title>Ferry\x1b]0;owned\x07</title></head><body><article>{filler}"
        "<p>A hostile \x1b[2J\x1b[31mred\x1b[0m line with a \x1b]8;;https://evil.example\x07link\x1b]8;;\x07, "
        "a C1 \x9b1m byte and a \u202ereversed\u202c word, all of them said to be part of the article.</p>"
        f"{filler}</article></body></html>"
    ).encode()
    story = summary_story(http_server.route("/hostile", Route(body=html, content_type=HTML)))
    store.put_stories([story])
    outcome = full_text(store, story)
    assert outcome.ok
    stored = store.get(story.id)
    assert stored is not None
    for text in (stored.full_text, *stored.highlights, outcome.full_text):
        assert not any(ch in text for ch in "\x1b\x07\x9b\u202e\u202c")
    assert "hostile red line" in stored.full_text


# ------------------------------------------------------------------ addresses


@pytest.mark.parametrize("url", REFUSED)
def test_non_web_addresses_are_refused_plainly(url: str) -> None:
    with pytest.raises(ValueError) as caught:
        safe_web_url(url)
    message = str(caught.value)
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message


def test_web_addresses_are_accepted() -> None:
    tricky = "https://news.example/story?id=1&x=$(rm${IFS}-rf${IFS}/);`id`|cat>x"
    assert safe_web_url(f"  {tricky}\n") == tricky
    assert safe_web_url("HTTP://News.Example:8080/a#b") == "HTTP://News.Example:8080/a#b"
    assert safe_web_url("http://127.0.0.1:8000/") == "http://127.0.0.1:8000/"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "-x", ""])
def test_stories_with_non_web_addresses_are_never_fetched(store: Store, http_server: FeedServer, url: str) -> None:
    story = make_story(1, url=url, body="Short.", highlights=[])
    store.put_stories([story])
    outcome = full_text(store, story)
    assert not outcome.ok and outcome.reason and outcome.full_text == ""
    assert http_server.requests == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,x", "-x"])
def test_save_refuses_non_web_addresses(store: Store, url: str) -> None:
    with pytest.raises(ArticleError):
        asyncio.run(save_url(store, url, settings=SETTINGS))
    assert store.count() == 0


def test_a_missing_story_is_a_plain_failure(store: Store) -> None:
    outcome = asyncio.run(fetch_full_text(store, "0123456789ab", settings=SETTINGS))
    assert outcome == FullTextOutcome(False, "That story is no longer in the store.", "")


# ------------------------------------------------------------------ read it later


def test_save_url_makes_a_bookmarked_searchable_story(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/ferry", page_route("ferry-timetable"))
    saved = asyncio.run(save_url(store, url, settings=SETTINGS))
    assert saved.id == make_story_id(url=url) and saved.url == url
    assert saved.bookmarked and saved.feed == ""
    assert saved.title == "Northgate ferry to run every 20 minutes from March"
    assert saved.source == "The Harbour Courier" and saved.author == "Mara Quinn"
    assert saved.published.isoformat() == "2026-11-18T07:30:00+00:00"
    assert "## What changes" in saved.full_text  # Markdown for the viewer
    assert (
        "##" not in saved.body and "The Northgate ferry carried 412,000 passengers" in saved.body
    )  # plain, searchable
    assert saved.highlights_generated and 3 <= len(saved.highlights) <= 5
    assert store.count(bookmarked_only=True) == 1
    assert [hit.story.id for hit in store.search("Kittiwake")] == [saved.id]
    # Opening it needs no fetch.
    http_server.close()
    outcome = asyncio.run(fetch_full_text(store, saved.id, settings=SETTINGS))
    assert outcome.ok and outcome.from_store


def test_saving_twice_keeps_one_story(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/ferry", page_route("ferry-timetable"))
    first = asyncio.run(save_url(store, url, settings=SETTINGS))
    store.set_bookmarked(first.id, False)
    second = asyncio.run(save_url(store, url, settings=SETTINGS))
    assert second.id == first.id and second.bookmarked and store.count() == 1


def test_saving_a_known_feed_story_keeps_its_own_highlights(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/ferry", page_route("ferry-timetable"))
    own = ["From the feed: the ferry runs every 20 minutes."]
    store.put_stories([summary_story(url, highlights=own, feed="https://courier.example/feed.xml")])
    saved = asyncio.run(save_url(store, url, settings=SETTINGS))
    assert saved.bookmarked and saved.highlights == own and saved.feed == "https://courier.example/feed.xml"
    assert "## What changes" in saved.full_text


@pytest.mark.parametrize(
    ("route", "reason"),
    [
        (Route(status=404, body=b"", content_type="text/plain"), "The server answered 404 Not Found."),
        (page_route("section-index"), "Broadsheet found no article text on this page"),
    ],
)
def test_save_url_failures_are_one_sentence(store: Store, http_server: FeedServer, route: Route, reason: str) -> None:
    url = http_server.route("/page", route)
    with pytest.raises(ArticleError) as caught:
        asyncio.run(save_url(store, url, settings=SETTINGS))
    assert str(caught.value).startswith(reason) and store.count() == 0


def test_save_url_when_the_server_is_down(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/ferry", page_route("ferry-timetable"))
    http_server.close()
    with pytest.raises(ArticleError) as caught:
        asyncio.run(save_url(store, url, settings=SETTINGS))
    assert str(caught.value) == "The server refused the connection."


# ------------------------------------------------------------------ highlights and the CLI's extract


def test_ensure_highlights_generates_once_and_stores(store: Store) -> None:
    body = (PAGES / "market-hall-fluff-lead.expected.txt").read_text(encoding="utf-8")
    story = make_story(1, body=body, highlights=[], title="Market hall to reopen in April")
    store.put_stories([story])
    generated = ensure_highlights(store, story.id)
    assert 3 <= len(generated) <= 5
    stored = store.get(story.id)
    assert stored is not None and stored.highlights == generated and stored.highlights_generated
    assert ensure_highlights(store, story.id) == generated


def test_ensure_highlights_keeps_a_storys_own(store: Store) -> None:
    story = make_story(1)
    store.put_stories([story])
    assert ensure_highlights(store, story.id) == story.highlights
    stored = store.get(story.id)
    assert stored is not None and not stored.highlights_generated
    assert ensure_highlights(store, "0123456789ab") == []


def test_extract_source_reads_a_file_or_a_web_address(http_server: FeedServer) -> None:
    from_file = asyncio.run(extract_source(str(PAGES / "ferry-timetable.html"), output="text"))
    assert from_file.ok and "What changes for passengers" in from_file.text and "##" not in from_file.text
    url = http_server.route("/ferry", page_route("ferry-timetable"))
    from_web = asyncio.run(extract_source(url, settings=SETTINGS))
    assert from_web.ok and "## What changes for passengers" in from_web.text
    # Links resolve against the page's address when there is one.
    assert (
        f"[summary published by the board]({http_server.base}/documents/ferry-consultation-2026.pdf)" in from_web.text
    )
    from_file_markdown = asyncio.run(extract_source(str(PAGES / "ferry-timetable.html"))).text
    assert "[summary published by the board](https://courier.example/documents/" in from_file_markdown
    for refused in ("javascript:alert(1)", "file:///etc/passwd", "-x"):
        result = asyncio.run(extract_source(refused, settings=SETTINGS))
        assert not result.ok and result.reason and "\n" not in result.reason
    missing = asyncio.run(extract_source("/no/such/page.html"))
    assert not missing.ok and missing.reason.startswith("Cannot read /no/such/page.html")
