"""Feeds in the TUI: r refreshes in the background, F shows each feed's health, filters and removes.

A real HTTP server on 127.0.0.1 (tests/httpserver.py) serves real RSS; nothing mocks the
transport.  Parsing runs in a thread (parse_workers=0) so the tests start no processes.
"""

from __future__ import annotations

import dataclasses
import socket
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import pytest
from rich.text import Text
from textual.message import Message
from tui_helpers import NOW, fixed_clock, fixed_stories, notifications, screen_text, settle, until

from store import Store
from store.feeds import Feed, FeedList
from store.fetch import FetchSettings
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture
from tui.app import BroadsheetApp
from tui.dialogs.confirm import ConfirmDialog
from tui.refresh import NO_FEEDS, RefreshSetting, refresh_setting
from tui.screens.main import MainScreen
from tui.screens.views import ViewsScreen
from tui.widgets.feed_table import FeedTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList

NARROW = (80, 24)
STORIES = fixed_stories()
SETTINGS = FetchSettings(timeout=5.0, parse_workers=0, batch_seconds=0.2)


def rss(title: str, items: list[tuple[str, str, datetime]]) -> bytes:
    """An RSS 2.0 document: (guid, title, published) per item."""
    entries = "".join(
        f"<item><title>{escape(item_title)}</title><link>https://wire.example/{guid}</link>"
        f'<guid isPermaLink="false">{guid}</guid><pubDate>{format_datetime(published)}</pubDate>'
        f"<description>About {escape(item_title)}.</description></item>"
        for guid, item_title, published in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>https://wire.example/</link><description>Wire</description>"
        f"{entries}</channel></rss>"
    ).encode()


NEWS = [
    # Not the event of the fixed "Harbour ferries return to the winter timetable": it would join its group.
    ("w1", "Ferry crew rescues a kayaker off the north pier", NOW - timedelta(minutes=1)),
    ("w2", "Council publishes the tram depot plans", NOW - timedelta(minutes=2)),
    ("w3", "Bakery opens a second shop", NOW - timedelta(minutes=3)),
]


def subscribe(store: Store, *feeds: Feed) -> None:
    with FeedList(store.home) as followed:
        followed.add_many(feeds)


def make_app(store: Store, **options: Any) -> BroadsheetApp:
    options.setdefault("refresh_minutes", 0)
    return BroadsheetApp(store, clock=fixed_clock, fetch_settings=SETTINGS, **options)


def shown_ids(app: BroadsheetApp) -> list[str]:
    return [story.id for story in app.query_one(StoryList).stories]


def titles_shown(app: BroadsheetApp) -> list[str]:
    return [story.title for story in app.query_one(StoryList).stories]


def fetch_running(app: BroadsheetApp) -> bool:
    return any(worker.name == "refresh feeds" and worker.is_running for worker in app.workers)


def unique(seen: list[Message], kind: type[Message]) -> list[Any]:
    return list({id(message): message for message in seen if isinstance(message, kind)}.values())


async def open_feeds(pilot: Any) -> FeedTable:
    await pilot.press("F")
    assert isinstance(pilot.app.screen, ViewsScreen)
    table = pilot.app.screen.query_one(FeedTable)
    await until(pilot, lambda: bool(table.feeds) or "No feeds" in screen_text(pilot))
    await pilot.press("tab")
    assert pilot.app.focused is table
    return table


def cells(table: FeedTable, index: int) -> list[str]:
    return [cell.plain if isinstance(cell, Text) else str(cell) for cell in table.get_row_at(index)]


# ---------------------------------------------------------------- r


async def test_r_refreshes_in_the_background_and_the_cursor_stays(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS), delay=0.8))
    subscribe(store, Feed(url=url))
    app = make_app(store)
    seen: list[Message] = []
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        await settle(pilot)
        status = app.query_one(StatusBar)
        activity: list[str] = []
        status.watch(status, "activity", lambda value: activity.append(value), init=False)
        story_list = app.query_one(StoryList)
        await pilot.press("j", "j")
        await pilot.press("r")
        await pilot.pause(0.1)
        assert fetch_running(app)
        await pilot.press("j")
        assert fetch_running(app), "the key was handled while the fetch waited on the server"
        assert story_list.highlighted_story is not None and story_list.highlighted_story.id == STORIES[3].id
        await settle(pilot)
        assert titles_shown(app)[:3] == [title for _, title, _ in NEWS], "new stories on top, newest first"
        assert story_list.highlighted_story.id == STORIES[3].id and story_list.cursor == 6
        assert story_list.cursor - round(story_list.scroll_y) == 3, "the cursor stayed on its line"
        progress = unique(seen, MainScreen.FetchProgressed)
        assert progress and (progress[-1].progress.done, progress[-1].progress.total) == (1, 1)
        assert "Fetching 1/1 · 3 new" in activity
        assert status.activity == "Refreshed 12:00"
        note = notifications(app)[-1]
        assert note.message == "Refreshed 1 feed: 3 new stories." and not note.markup
        assert status.unread_count == 7 + 3


async def test_r_without_feeds_says_how_to_add_one(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert notifications(app)[-1].message == NO_FEEDS
        assert app.query_one(StatusBar).activity == "Not refreshed yet"


async def test_r_while_refreshing_does_not_start_another(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS), delay=0.5))
    subscribe(store, Feed(url=url))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r", "r")
        await settle(pilot)
        assert len(http_server.hits("/wire.xml")) == 1
        assert "The feeds are being refreshed already." in [note.message for note in notifications(app)]


async def test_a_failing_feed_is_told_in_plain_words(store: Store, http_server: FeedServer) -> None:
    good = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS[:1])))
    bad = http_server.route("/gone.xml", Route(status=404, body=b"[b]nope[/b]"))
    subscribe(store, Feed(url=good, title="The Wire"), Feed(url=bad, title="[b]Broken[/b] feed"))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        note = notifications(app)[-1]
        assert note.severity == "warning" and not note.markup
        assert note.message.startswith("Refreshed 2 feeds: 1 new story.\n1 feed failed. [b]Broken[/b] feed: ")
        assert "404" in note.message
        assert app.query_one(StatusBar).activity == "Refreshed 12:00 · 1 feed failed"


async def test_saved_searches_hear_of_the_new_stories(store: Store, http_server: FeedServer) -> None:
    store.save_search("Ferries", "ferry")
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        news = [note.message for note in notifications(app) if note.title == "Saved search"]
        assert news == ["Ferries: 1 new story"]


# ---------------------------------------------------------------- automatic refresh


async def test_the_app_shows_stored_stories_first_then_refreshes(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS), delay=0.5))
    subscribe(store, Feed(url=url))
    app = make_app(store, refresh_minutes=30)
    loaded_while_fetching: list[bool] = []

    def hook(message: Message) -> None:
        if isinstance(message, MainScreen.StoriesLoaded):
            loaded_while_fetching.append(not http_server.hits("/wire.xml"))

    async with app.run_test(size=NARROW, message_hook=hook) as pilot:
        await until(pilot, lambda: app.query_one(StoryList).story_count == len(STORIES) + 3, timeout=10)
        assert loaded_while_fetching[0], "the stored stories showed before the feed was asked"
        assert len(http_server.hits("/wire.xml")) == 1


async def test_no_automatic_refresh_when_it_is_off(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store, refresh_minutes=0)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.pause(0.3)
        assert http_server.hits("/wire.xml") == []


async def test_the_automatic_refresh_repeats(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store, refresh_minutes=0.5 / 60)  # every half second
    async with app.run_test(size=NARROW) as pilot:
        deadline = time.monotonic() + 10
        while len(http_server.hits("/wire.xml")) < 2 and time.monotonic() < deadline:
            await pilot.pause(0.1)
        assert len(http_server.hits("/wire.xml")) >= 2
        assert not [note for note in notifications(app) if note.message == NO_FEEDS]


@pytest.mark.parametrize(
    "value, setting",
    [
        ("", RefreshSetting(30)),
        ("0", RefreshSetting(0)),
        ("5", RefreshSetting(5)),
        ("2.5", RefreshSetting(2.5)),
    ],
)
def test_refresh_minutes_come_from_the_environment(value: str, setting: RefreshSetting) -> None:
    assert refresh_setting({"BROADSHEET_REFRESH_MINUTES": value}) == setting


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "inf", "[b]x[/b]"])
def test_a_bad_refresh_setting_is_told_and_the_default_kept(value: str) -> None:
    setting = refresh_setting({"BROADSHEET_REFRESH_MINUTES": value})
    assert setting.minutes == 30 and "BROADSHEET_REFRESH_MINUTES must be a number of minutes" in setting.warning


async def test_the_app_tells_a_bad_setting(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADSHEET_REFRESH_MINUTES", "often")
    app = BroadsheetApp(store, clock=fixed_clock, fetch_settings=SETTINGS)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.refresh_minutes == 30
        assert any("must be a number of minutes" in note.message for note in notifications(app))


# ---------------------------------------------------------------- the feeds screen (F)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_f_lists_each_feed_with_its_health_and_counts(store: Store, http_server: FeedServer) -> None:
    good = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    bad = http_server.route("/gone.xml", Route(status=404))
    unanswered = f"http://127.0.0.1:{closed_port()}/feed.xml"  # nothing listens: no HTTP status at all
    subscribe(store, Feed(url=good), Feed(url=bad, title="Broken feed"), Feed(url=unanswered, title="Silent"))
    app = make_app(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("g", "m")  # one story of the wire read
        await settle(pilot)
        table = await open_feeds(pilot)
        assert [feed.url for feed in table.feeds] == [good, bad, unanswered]
        title, success, status, stories, unread, error = cells(table, 0)
        assert title.strip() == "The Wire" and success == "now" and status == "200"
        assert (stories, unread, error) == ("3", "2", "")
        title, success, status, stories, unread, error = cells(table, 1)
        assert title.strip() == "Broken feed" and success == "never" and status == "404"
        assert (stories, unread) == ("0", "0") and "404" in error
        title, success, status, stories, unread, error = cells(table, 2)
        assert title.strip() == "Silent" and success == "never" and status == "failed"
        assert error.strip(), "the error says why"


async def test_enter_on_a_feed_shows_only_its_stories(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await open_feeds(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.view.kind == "feed" and app.main_screen.view.query == url
        assert titles_shown(app) == [title for _, title, _ in NEWS]
        assert app.query_one(StatusBar).view_name == "Feed: The Wire"
        assert "Feed: The Wire" in screen_text(pilot)
        await pilot.press("U", "m")
        await settle(pilot)
        assert app.query_one(StoryList).story_count == 3, "read here: the row stays"


async def test_r_on_the_feeds_screen_refreshes_that_feed_only(store: Store, http_server: FeedServer) -> None:
    first = http_server.route("/one.xml", Route(body=rss("One", NEWS[:1])))
    second = http_server.route("/two.xml", Route(body=rss("Two", NEWS[1:]), delay=0.3))
    subscribe(store, Feed(url=first, title="One"), Feed(url=second, title="Two"))
    app = make_app(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        table = await open_feeds(pilot)
        await pilot.press("j", "r")
        assert cells(table, 1)[2] == "fetching…"
        await settle(pilot)
        assert http_server.hits("/one.xml") == [] and len(http_server.hits("/two.xml")) == 1
        assert isinstance(app.screen, ViewsScreen)
        assert cells(table, 1)[2] == "200" and cells(table, 1)[3] == "2"
        assert table.highlighted_feed is not None and table.highlighted_feed.url == second


async def test_d_removes_a_feed_after_asking_and_keeps_bookmarks(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("g", "j", "b")  # bookmark the wire's second story
        await settle(pilot)
        kept = app.query_one(StoryList).stories[1]
        table = await open_feeds(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert FeedList(store.home).get(url) is not None
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen.query_one(FeedTable) is table and table.feeds == []
        assert "No feeds yet: add one with broadsheet add URL" in screen_text(pilot)
        assert FeedList(store.home).get(url) is None
        assert store.feed_counts() == {url: (1, 1)}, "the bookmarked story stays"
        assert any(note.message.startswith("Removed “The Wire” and 2 stories") for note in notifications(app))
        await pilot.press("escape")
        await settle(pilot)
        assert titles_shown(app) == [kept.title, *(story.title for story in STORIES)]


async def test_hostile_feed_text_is_shown_as_text(store: Store, http_server: FeedServer) -> None:
    hostile = "[b]Wire[/b] [@click=app.quit]quit[/]"
    url = http_server.route("/wire.xml", Route(body=rss(hostile, [("h1", "[red]Ferry[/] news", NOW)])))
    subscribe(store, Feed(url=url, title=hostile))
    app = make_app(store)
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        table = await open_feeds(pilot)
        assert cells(table, 0)[0].strip() == hostile
        assert hostile in screen_text(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app.query_one(StatusBar).view_name == f"Feed: {hostile}"
        assert "[red]Ferry[/] news" in screen_text(pilot)


async def test_the_feeds_screen_without_feeds_says_how_to_add_one(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        assert NO_FEEDS in screen_text(pilot)


def test_feeds_test_data_is_newer_than_the_fixed_stories() -> None:
    assert all(published > STORIES[0].published for _, _, published in NEWS)


# ---------------------------------------------------------------- parsing in other processes


def test_the_process_tracker_starts_with_the_real_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    """Inside Textual sys.stderr.fileno() is -1, which breaks spawning the fetcher's parser processes."""
    import io
    import sys
    from multiprocessing import resource_tracker

    from tui.refresh import start_process_tracker

    class Captured(io.StringIO):
        def fileno(self) -> int:
            return -1

    seen: list[int] = []
    monkeypatch.setattr(resource_tracker, "ensure_running", lambda: seen.append(sys.stderr.fileno()))
    captured = Captured()
    monkeypatch.setattr(sys, "stderr", captured)
    start_process_tracker()
    assert seen == [sys.__stderr__.fileno()] and seen[0] >= 0
    assert sys.stderr is captured, "put back"


async def test_a_refresh_parses_in_a_process_inside_the_app(store: Store, http_server: FeedServer) -> None:
    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = BroadsheetApp(
        store, clock=fixed_clock, refresh_minutes=0, fetch_settings=dataclasses.replace(SETTINGS, parse_workers=1)
    )
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await until(pilot, lambda: not app.main_screen.refreshing, timeout=30)
        assert notifications(app)[-1].message == "Refreshed 1 feed: 3 new stories."


async def test_a_refresh_applies_the_retention_in_the_background(store: Store, http_server: FeedServer) -> None:
    """With max_per_feed = 2, a refresh keeps the feed's two newest stories; the others (and no bookmark) go."""
    from tui.config import Config, Retention

    url = http_server.route("/wire.xml", Route(body=rss("The Wire", NEWS)))
    subscribe(store, Feed(url=url))
    app = make_app(store, config=Config(retention=Retention(max_per_feed=2)))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        shown = titles_shown(app)
        assert [title for _, title, _ in NEWS[:2]] == [t for t in shown if t in {n[1] for n in NEWS}]
        assert NEWS[2][1] not in shown
    assert store.count() == len(STORIES) + 2
