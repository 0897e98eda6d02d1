"""Layout snapshots at 80x24, 160x48 and 200x60, with fixed stories and a fixed clock.

Side by side, the highlights follow the cursor and the viewer shows the story opened
("open-moved-on": opened, then the cursor moved on); "reading-mode" is `z`.

Update with `make snapshots` after a change you have looked at; the SVGs are committed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from tui_helpers import NOW, fixed_clock, fixed_stories, search_for, settle, until

from store import Store
from store.feeds import Feed, FeedList
from tui.app import BroadsheetApp
from tui.screens.views import ViewsScreen
from tui.widgets.feed_table import FeedTable
from tui.widgets.story_view import StoryView
from tui.widgets.view_list import ViewList

NARROW = (80, 24)
WIDE = (160, 48)
SHORT = (80, 12)


def presses(*keys: str) -> Callable[[Pilot[None]], object]:
    """Wait for the stories, press `keys`, wait again: every screenshot shows loaded data."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def make_app(store: Store) -> BroadsheetApp:
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0)
    app.animation_level = "none"
    return app


SCENES: list[tuple[str, tuple[int, int], Iterable[str]]] = [
    ("list", NARROW, ()),
    ("list", WIDE, ()),
    ("list", SHORT, ()),
    ("open", NARROW, ("enter",)),
    ("open", WIDE, ("j", "enter")),
    ("flags", NARROW, ("j", "j", "b", "m", "j")),
    ("open-moved-on", (200, 60), ("j", "enter", "escape", "j", "j")),
    ("reading-mode", NARROW, ("j", "z")),
    ("reading-mode", WIDE, ("j", "enter", "z")),
    ("help", NARROW, ("question_mark",)),
    ("help", WIDE, ("question_mark",)),
]


@pytest.mark.parametrize(
    "size, keys",
    [(size, keys) for _name, size, keys in SCENES],
    ids=[f"{name}-{size[0]}x{size[1]}" for name, size, _keys in SCENES],
)
def test_snapshot(snap_compare: Callable[..., bool], store: Store, size: tuple[int, int], keys: Iterable[str]) -> None:
    assert snap_compare(make_app(store), terminal_size=size, run_before=presses(*keys))


def test_open_story_scrolled(snap_compare: Callable[..., bool], store: Store) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter", "space")
        await settle(pilot)
        assert pilot.app.query_one(StoryView).scroll_y > 0

    assert snap_compare(make_app(store), terminal_size=NARROW, run_before=run_before)


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_search_results(snap_compare: Callable[..., bool], store: Store, size: tuple[int, int]) -> None:
    """Results with their snippets, the matched words marked, the best first."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await search_for(pilot, "hospital OR harbour OR bread")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=size, run_before=run_before)


def test_search_result_open_at_a_match(snap_compare: Callable[..., bool], store: Store) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("n", "n")
        await settle(pilot)
        assert pilot.app.query_one(StoryView).current_match == 1

    assert snap_compare(make_app(store), terminal_size=NARROW, run_before=run_before)


def test_search_error(snap_compare: Callable[..., bool], store: Store) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await search_for(pilot, "tram before:2026-11-31")

    assert snap_compare(make_app(store), terminal_size=NARROW, run_before=run_before)


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_views_screen(snap_compare: Callable[..., bool], store: Store, size: tuple[int, int]) -> None:
    """F: the views, then saved searches as virtual feeds with their unread counts."""
    store.save_search("Trams", "tram")
    store.save_search("Harbour and coffee", "harbour OR coffee")
    store.save_search("Unread science", 'source:"science weekly" is:unread')

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("F")
        screen = pilot.app.screen
        assert isinstance(screen, ViewsScreen)
        view_list = screen.query_one(ViewList)
        await until(pilot, lambda: len(view_list.counts) == len(view_list.choices))
        await pilot.press("G")
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "160x48"])
def test_feeds_screen(snap_compare: Callable[..., bool], store: Store, size: tuple[int, int]) -> None:
    """F, the feeds section: each feed's health, the highlighted feed's address and error below."""
    harbour, civic = "https://harbour.example/feed.xml", "https://civic.example/rss"
    feed_of = {3: harbour, 5: harbour, 6: civic, 10: civic}
    stories = fixed_stories()
    store.put_stories([dataclasses.replace(story, feed=feed_of.get(index, "")) for index, story in enumerate(stories)])
    with FeedList(store.home) as feeds:
        feeds.add_many(
            [
                Feed(url=harbour, title="Harbour Gazette", last_status=200, last_success=NOW - timedelta(hours=2)),
                Feed(
                    url=civic,
                    title="Civic Review",
                    last_status=404,
                    last_success=NOW - timedelta(days=3),
                    last_error="The server answered 404 Not Found.",
                ),
                Feed(url="https://new.example/atom"),
            ]
        )

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("F")
        table = pilot.app.screen.query_one(FeedTable)
        await until(pilot, lambda: len(table.feeds) == 3)
        await pilot.press("tab", "j")
        await settle(pilot)

    assert snap_compare(make_app(store), terminal_size=size, run_before=run_before)
