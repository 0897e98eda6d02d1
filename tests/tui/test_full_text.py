"""Full text in the viewer, against a real HTTP server on 127.0.0.1 serving article pages.

Opening a story whose feed gave only a summary fetches its page (a named worker),
shows the extracted text as Markdown and stores it; the next open is offline.
`v` switches texts, `f` fetches again, a failure keeps the feed text with one line
saying why; generated highlights are marked; `a` saves a page; a 500 KB page opens
with a bounded Markdown part.  No test asserts on timing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.widgets.markdown import MarkdownBlock
from tui_helpers import NOW, fixed_clock, notifications, screen_text, settle, stored, until

from store import Store, Story, make_story_id
from store.highlights import markdown_to_plain
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture
from tui.app import BroadsheetApp
from tui.dialogs.input import InputDialog
from tui.screens.main import MainScreen
from tui.widgets.article_markdown import MARKDOWN_BLOCKS, MARKDOWN_LIMIT, ArticleMarkdown
from tui.widgets.highlights import Highlights
from tui.widgets.story_view import StoryView

PAGES = Path(__file__).resolve().parents[1] / "pages"
HTML = "text/html; charset=utf-8"
NARROW = (80, 24)
TEASER = "A short summary from the feed. Continue reading…"
BOILERPLATE = ("newsletter", "Sign up", "Listen to this", "Photo:", "Click here", "Follow us", "Advertisement")


@pytest.fixture(autouse=True)
def fetch_on_open(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADSHEET_FULL_TEXT", "auto")


def page(name: str) -> Route:
    return Route(body=(PAGES / f"{name}.html").read_bytes(), content_type=HTML)


def teaser_story(url: str, **fields: Any) -> Story:
    """The newest story (first in the list), its feed text only a teaser."""
    values: dict[str, Any] = dict(
        id=make_story_id(url=url),
        title="Ferry crossings",
        source="Harbour Gazette",
        url=url,
        published=NOW,
        body=TEASER,
    )
    values.update(fields)
    return Story(**values)


def make_app(store: Store) -> BroadsheetApp:
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0)
    app.animation_level = "none"
    return app


def viewer(app: BroadsheetApp) -> StoryView:
    return app.query_one(StoryView)


async def open_first_and_wait(pilot: Any) -> StoryView:
    """Open the first story and wait until its fetch (if any) ended and its Markdown is on screen."""
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)  # the fetch worker, then the load of the story it stored
    view = viewer(pilot.app)
    main = pilot.app.main_screen
    await until(pilot, lambda: main.full_text_fetching is None and view.markdown_ready)
    return view


async def test_opening_a_teaser_fetches_extracts_and_shows_markdown(store: Store, http_server: FeedServer) -> None:
    story = teaser_story(http_server.route("/ferry", page("ferry-timetable")))
    store.put_stories([story])
    seen: list[Message] = []
    app = make_app(store)
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        view = await open_first_and_wait(pilot)
        assert view.shows_full_text
        assert len(http_server.hits("/ferry")) == 1
        assert any(isinstance(message, MainScreen.FullTextFetching) for message in seen)
        kept = stored(store, story.id).full_text
        assert "## What changes for passengers" in kept
        markdown = view.query_one(ArticleMarkdown)
        assert markdown.display and markdown.source == kept
        assert [block.render().plain for block in markdown.query("MarkdownH2")] == ["What changes for passengers"]
        assert markdown.query("MarkdownBulletList")
        assert view.query_one("#text-notice").render().plain.startswith("Full text from the page")
        assert "The harbour board has approved a new timetable" in screen_text(pilot)


async def test_the_fetch_runs_in_a_named_worker(store: Store, http_server: FeedServer) -> None:
    store.put_stories([teaser_story(http_server.route("/slow", Route(body=b"", delay=0.5, content_type=HTML)))])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        names = set()
        for _ in range(50):
            names |= {worker.name for worker in app.workers}
            if "fetch full text" in names:
                break
            await pilot.pause(0.02)
        assert "fetch full text" in names
        await until(pilot, lambda: app.main_screen.full_text_fetching is None)


async def test_second_open_is_instant_and_offline(store: Store, http_server: FeedServer) -> None:
    story = teaser_story(http_server.route("/ferry", page("ferry-timetable")))
    store.put_stories([story])
    async with make_app(store).run_test(size=NARROW) as pilot:
        await open_first_and_wait(pilot)
    http_server.close()
    seen: list[Message] = []
    app = make_app(store)
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        view = await open_first_and_wait(pilot)
        assert view.shows_full_text and view.markdown_head
        assert not any(isinstance(message, MainScreen.FullTextFetching) for message in seen)
        assert "Could not" not in view.query_one("#text-notice").render().plain
    assert len(http_server.hits("/ferry")) == 1


async def test_v_toggles_between_feed_text_and_full_text(store: Store, http_server: FeedServer) -> None:
    store.put_stories([teaser_story(http_server.route("/ferry", page("ferry-timetable")))])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        view = await open_first_and_wait(pilot)
        await pilot.press("v")
        await settle(pilot)
        assert not view.shows_full_text and view.choice.feed_text
        assert not view.query_one(ArticleMarkdown).display
        assert TEASER in screen_text(pilot)
        assert "Feed text · v: the full text" in screen_text(pilot)
        await pilot.press("v")
        await until(pilot, lambda: view.markdown_ready and view.query_one(ArticleMarkdown).display)
        assert view.shows_full_text and view.query_one(ArticleMarkdown).display
        assert TEASER not in screen_text(pilot)


async def test_f_fetches_again(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/story", page("ferry-timetable"), page("library-late-opening"))
    story = teaser_story(url)
    store.put_stories([story])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        view = await open_first_and_wait(pilot)
        assert "Northgate ferry" in view.markdown_head
        await pilot.press("f")
        await settle(pilot)
        await until(pilot, lambda: view.markdown_ready and "library" in view.markdown_head.lower())
        assert len(http_server.hits("/story")) == 2
        assert "library" in stored(store, story.id).full_text.lower()
        assert any("Fetched the full text again" in str(note.message) for note in notifications(app))


async def test_a_page_that_cannot_be_fetched_keeps_the_feed_text_and_says_why(
    store: Store, http_server: FeedServer
) -> None:
    story = teaser_story(http_server.route("/gone", Route(status=404, body=b"gone", content_type="text/plain")))
    store.put_stories([story])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        view = await open_first_and_wait(pilot)
        notice = view.query_one("#text-notice")
        assert notice.display and notice.has_class("-warning")
        assert notice.render().plain.startswith("Could not get the full text: the server answered 404")
        assert TEASER in screen_text(pilot)
        assert stored(store, story.id).full_text == ""


async def test_generated_highlights_come_from_the_full_text_and_are_marked(
    store: Store, http_server: FeedServer
) -> None:
    story = teaser_story(http_server.route("/market", page("market-hall-fluff-lead")), highlights=[])
    store.put_stories([story])
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_first_and_wait(pilot)
        kept = stored(store, story.id)
        assert kept.full_text and kept.highlights_generated and 3 <= len(kept.highlights) <= 5
        plain = markdown_to_plain(kept.full_text)
        for highlight in kept.highlights:
            assert highlight in plain, "chosen from the article's own sentences"
            assert not any(word.lower() in highlight.lower() for word in BOILERPLATE), highlight
        panel = app.query_one(Highlights)
        await until(pilot, lambda: panel.story is not None and panel.story.highlights == kept.highlights)
        assert panel.generated and "generated from the story's text" in screen_text(pilot)
        assert kept.highlights[0][:40] in screen_text(pilot)


async def test_a_story_without_highlights_gets_generated_ones_without_any_fetch(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # a story with text and no highlights of its own
        panel = app.query_one(Highlights)
        await until(pilot, lambda: panel.story is not None and bool(panel.story.highlights))
        assert panel.generated and "generated from the story's text" in screen_text(pilot)
        story = stored(store, panel.story.id)
        assert story.highlights_generated and story.highlights == panel.story.highlights


async def test_a_saves_a_page_as_a_bookmarked_story(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/reservoir", page("reservoir-levels"))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        dialog.input.value = url
        await pilot.press("enter")
        await until(pilot, lambda: any("Saved" in str(note.message) for note in notifications(app)))
        saved = stored(store, make_story_id(url=url))
        assert saved.bookmarked and saved.full_text and saved.url == url
        assert saved.highlights and saved.highlights_generated
        await until(pilot, lambda: app.main_screen.story_list.story(saved.id) is not None)


async def test_a_with_a_refused_address_says_why(store: Store) -> None:
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.input.value = "javascript:alert(1)"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await until(pilot, lambda: any("Could not save" in str(note.message) for note in notifications(app)))
        message = next(str(note.message) for note in notifications(app) if "Could not save" in str(note.message))
        assert "javascript" in message


def big_page(size: int = 500_000) -> bytes:
    parts = ["<html><head><title>A very long read</title></head><body><article><h1>A very long read</h1>"]
    number = 0
    while sum(map(len, parts)) < size:
        number += 1
        if number % 9 == 0:
            parts.append(f"<h2>Part {number}</h2>")
        else:
            parts.append(
                f"<p>Paragraph {number} of the long read is about the harbour and the ferry, with a "
                f"<a href='https://example.org/{number}'>link</a> and some <em>emphasis</em>.</p>"
            )
    parts.append("</article></body></html>")
    return "".join(parts).encode()


async def test_a_500_kb_page_opens_with_a_bounded_markdown_part(store: Store, http_server: FeedServer) -> None:
    body = big_page()
    assert len(body) >= 500_000
    story = teaser_story(http_server.route("/big", Route(body=body, content_type=HTML)))
    store.put_stories([story])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        view = await open_first_and_wait(pilot)
        full = stored(store, story.id).full_text
        assert len(full) > 5 * MARKDOWN_LIMIT
        assert view.shows_full_text and 0 < len(view.markdown_head) <= MARKDOWN_LIMIT
        assert full.startswith(view.markdown_head)
        blocks = view.query_one(ArticleMarkdown).query(MarkdownBlock)
        assert 0 < len(blocks) <= 2 * MARKDOWN_BLOCKS
        body_part = view.query_one("#story-body")
        rest_text = body_part.render().plain
        assert body_part.display and "Paragraph" in rest_text
        assert "## Part" not in rest_text and "](https://" not in rest_text, "the rest is plain text"
        rest = view.query_one("#story-rest")
        assert rest.display and "more" in rest.render().plain
        assert "Paragraph 1 of the long read" in screen_text(pilot)


NEW_ACTIONS = {
    "viewer.toggle_text": "v",
    "story.fetch_text": "f",
    "story.open_link": "o",
    "story.copy_link": "y",
    "page.save": "a",
}


async def test_the_new_keys_are_in_the_help_and_the_palette(store: Store) -> None:
    from tui.commands import broadsheet_actions, help_actions
    from tui.screens.help import HelpScreen

    app = make_app(store)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        actions = {action.binding_id: action for action in broadsheet_actions(app)}
        for binding_id, key in NEW_ACTIONS.items():
            action = actions[binding_id]
            assert action.in_palette and action.title and action.key_display(app) == key
        assert set(NEW_ACTIONS) <= {action.binding_id for action in help_actions(app)}
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = app.screen.key_table().plain
        for binding_id in NEW_ACTIONS:
            assert binding_id in table
        assert "Open the link (copied over SSH)" in table


async def test_a_search_in_the_full_text_shows_it_plain_with_its_matches(store: Store) -> None:
    from tui_helpers import search_for

    full = "## Ferry news\n\nThe **Kittiwake** joins the route.\n\n- crossings every 20 minutes\n"
    store.put_stories([teaser_story("https://harbour.example/k", full_text=full)])
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "kittiwake")
        await pilot.press("enter", "enter")
        view = viewer(app)
        await until(pilot, lambda: view.story is not None and view.match_count > 0)
        assert view.shows_full_text and view.markdown_head == "" and view.markdown_ready
        assert "The **Kittiwake** joins the route." in view.query_one("#story-body").render().plain
