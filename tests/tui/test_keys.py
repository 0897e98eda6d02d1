"""Every key the issue names, pressed through Pilot, with the state it must leave behind."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from tui_helpers import fixed_clock, fixed_stories, row, screen_text, settle, stored

from store import Store, StorySummary
from tui.app import BroadsheetApp
from tui.widgets.highlights import Highlights
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

NARROW = (80, 24)
WIDE = (160, 48)
STORIES = fixed_stories()


@pytest.mark.parametrize("down, up", [("j", "k"), ("down", "up")])
async def test_moving_down_and_up(app: BroadsheetApp, down: str, up: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        assert story_list.cursor == 0
        await pilot.press(down, down)
        assert story_list.cursor == 2
        await pilot.press(up)
        assert story_list.cursor == 1
        await settle(pilot)
        shown = app.query_one(Highlights).story
        assert shown is not None and shown.id == STORIES[1].id


async def test_cursor_stops_at_the_ends(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("k")
        assert story_list.cursor == 0
        await pilot.press("G", "j")
        assert story_list.cursor == len(STORIES) - 1


async def test_first_and_last(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("G")
        assert story_list.cursor == len(STORIES) - 1
        assert story_list.scroll_y > 0, "the last row is scrolled into view"
        await pilot.press("g")
        assert story_list.cursor == 0
        assert story_list.scroll_y == 0


@pytest.mark.parametrize("key", ["enter", "l"])
async def test_open_shows_the_story_and_marks_it_read(app: BroadsheetApp, store: Store, key: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        await pilot.press(key)
        viewer = app.query_one(StoryView)
        assert viewer.display and app.focused is viewer
        assert not app.query_one(StoryList).display, "narrow: the viewer fills the screen"
        assert row(app, STORIES[1].id).read, "the row is marked read at once"
        await settle(pilot)
        assert viewer.story is not None and viewer.story.id == STORIES[1].id
        assert stored(store, STORIES[1].id).read


@pytest.mark.parametrize("key", ["h", "escape"])
async def test_back_returns_to_the_list(app: BroadsheetApp, key: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        assert app.focused is app.query_one(StoryView)
        await pilot.press(key)
        story_list = app.query_one(StoryList)
        assert app.focused is story_list
        assert story_list.display and not app.query_one(StoryView).display


async def test_back_from_another_pane_when_wide(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("tab")
        assert app.focused is app.query_one(Highlights)
        await pilot.press("escape")
        assert app.focused is app.query_one(StoryList)


async def test_tab_and_shift_tab_cycle_the_panes(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        story_list, highlights, viewer = app.query_one(StoryList), app.query_one(Highlights), app.query_one(StoryView)
        assert app.focused is story_list
        seen = []
        for _ in range(3):
            await pilot.press("tab")
            seen.append(app.focused)
        assert seen == [highlights, viewer, story_list]
        seen = []
        for _ in range(3):
            await pilot.press("shift+tab")
            seen.append(app.focused)
        assert seen == [viewer, highlights, story_list]


@pytest.mark.parametrize("forward", ["space", "pagedown"])
async def test_page_keys_scroll_the_viewer(app: BroadsheetApp, forward: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        assert viewer.scroll_y == 0
        await pilot.press(forward)
        assert viewer.scroll_y > 0
        await pilot.press("pageup")
        assert viewer.scroll_y == 0


async def test_page_keys_scroll_the_viewer_from_the_list_when_wide(app: BroadsheetApp) -> None:
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        viewer, story_list = app.query_one(StoryView), app.query_one(StoryList)
        await pilot.press("space")  # nothing opened yet: the list pages
        assert viewer.story is None and story_list.cursor > 0
        await pilot.press("g", "enter", "escape")
        await settle(pilot)
        await pilot.press("space")
        assert app.focused is story_list
        assert viewer.scroll_y > 0


async def test_the_viewer_stays_on_the_opened_story_while_the_highlights_follow_the_cursor(
    app: BroadsheetApp,
) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        viewer, highlights = app.query_one(StoryView), app.query_one(Highlights)
        assert viewer.story is None and "enter opens" in str(viewer.query_one("#viewer-message", Static).content)
        await pilot.press("enter")
        await settle(pilot)
        assert viewer.story is not None and viewer.story.id == STORIES[0].id
        await pilot.press("escape", "j", "j")
        await settle(pilot)
        assert highlights.story is not None and highlights.story.id == STORIES[2].id
        assert viewer.story.id == STORIES[0].id
        await pilot.press("enter")
        await settle(pilot)
        assert viewer.story.id == STORIES[2].id and app.focused is viewer


async def test_viewer_line_keys(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        await pilot.press("j", "j")
        assert viewer.scroll_y == 2
        await pilot.press("k")
        assert viewer.scroll_y == 1
        await pilot.press("G")
        assert viewer.scroll_y == viewer.max_scroll_y > 0
        await pilot.press("g")
        assert viewer.scroll_y == 0


async def test_keys_arriving_together_each_scroll_the_viewer(app: BroadsheetApp) -> None:
    """Keys read from the terminal at once (a burst over SSH, a paste) run their actions back to back,
    with no frame drawn between them: each must move on from where the one before left the viewer."""
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        for _ in range(5):
            viewer.action_scroll_down()
        assert viewer.scroll_y == 5
        viewer.action_scroll_up()
        viewer.action_scroll_up()
        assert viewer.scroll_y == 3
        page = viewer.scrollable_content_region.height
        viewer.action_page(1)
        assert viewer.scroll_y == min(3 + page, viewer.max_scroll_y)
        await pilot.pause()
        assert viewer.scroll_y == min(3 + page, viewer.max_scroll_y), "and it stays there once drawn"


async def test_b_toggles_the_bookmark(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("j", "j")
        story_id = STORIES[2].id
        await pilot.press("b")
        assert row(app, story_id).bookmarked, "the row changes at once"
        assert story_list.cursor == 2
        await settle(pilot)
        assert stored(store, story_id).bookmarked
        await pilot.press("b")
        assert not row(app, story_id).bookmarked
        await settle(pilot)
        assert not stored(store, story_id).bookmarked


async def test_quick_presses_are_saved_in_order(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("b", "b", "b")
        await settle(pilot)
        assert stored(store, STORIES[0].id).bookmarked
        assert row(app, STORIES[0].id).bookmarked


async def test_m_toggles_read(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_id = STORIES[0].id
        assert not row(app, story_id).read
        await pilot.press("m")
        assert row(app, story_id).read
        await settle(pilot)
        assert stored(store, story_id).read
        await pilot.press("m")
        await settle(pilot)
        assert not stored(store, story_id).read
        assert not row(app, story_id).read


async def test_bookmark_shows_in_the_open_story(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        await pilot.press("j", "j", "space")
        scrolled = viewer.scroll_y
        await pilot.press("b")
        assert viewer.story is not None and viewer.story.bookmarked
        assert viewer.scroll_y == scrolled, "the reader keeps their place"


async def test_q_quits(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


async def test_status_bar_counts_follow_the_flags(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        status = app.query_one(StatusBar)
        unread = sum(1 for story in STORIES if not story.read)
        assert (status.story_count, status.unread_count) == (len(STORIES), unread)
        await pilot.press("m")
        assert status.unread_count == unread - 1


class HeldWritesStore(Store):
    """A store whose bookmark writes wait until the test lets them through."""

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.release = threading.Event()

    def set_bookmarked(self, story_id: str, bookmarked: bool) -> None:
        assert self.release.wait(timeout=10)
        super().set_bookmarked(story_id, bookmarked)


async def test_a_reload_before_the_write_lands_keeps_the_change(store_home: Path) -> None:
    with HeldWritesStore(store_home) as store:
        store.put_stories(STORIES)
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            await pilot.press("b")
            app.main_screen._load_stories(seed_samples=False)
            await pilot.app.workers.wait_for_complete(
                [worker for worker in app.workers if worker.name == "load stories"]
            )
            await pilot.pause()
            assert not stored(store, STORIES[0].id).bookmarked, "the write is still held"
            assert row(app, STORIES[0].id).bookmarked, "the reload did not undo what the reader sees"
            store.release.set()
            await settle(pilot)
            assert stored(store, STORIES[0].id).bookmarked
            assert row(app, STORIES[0].id).bookmarked


class HeldListStore(Store):
    """A store whose list of stories waits until the test lets it through."""

    def __init__(self, home: Path) -> None:
        super().__init__(home)
        self.release = threading.Event()

    def summaries(self, **options: Any) -> list[StorySummary]:
        assert self.release.wait(timeout=10)
        return super().summaries(**options)


async def test_footer_offers_the_story_keys_once_stories_arrive(store_home: Path) -> None:
    with HeldListStore(store_home) as store:
        store.put_stories(STORIES)
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=NARROW) as pilot:
            await pilot.pause()
            footer = screen_text(pilot).splitlines()[-1]
            assert "Bookmark" not in footer, "nothing to bookmark while loading"
            store.release.set()
            await settle(pilot)
            await pilot.pause()
            footer = screen_text(pilot).splitlines()[-1]
            assert "Bookmark" in footer and "Read" in footer
