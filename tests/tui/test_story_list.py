"""The story list on its own: row format, cursor keeping, 100,000 rows, and the store feeding it."""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from tui_helpers import NOW, fixed_clock, fixed_stories, settle

from store import Store, StorySummary
from tui.app import BroadsheetApp
from tui.widgets.highlights import Highlights
from tui.widgets.story_list import StoryList, fit_cells, format_age


@pytest.mark.parametrize(
    "age, shown",
    [
        (timedelta(seconds=-30), "now"),
        (timedelta(seconds=59), "now"),
        (timedelta(minutes=5), "5m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=3), "3h"),
        (timedelta(hours=23, minutes=59), "23h"),
        (timedelta(days=2), "2d"),
        (timedelta(days=6, hours=23), "6d"),
        (timedelta(days=21), "Nov 3"),
        (timedelta(days=400), "2025"),
    ],
)
def test_format_age(age: timedelta, shown: str) -> None:
    assert format_age(NOW - age, NOW) == shown


def test_format_age_uses_the_clock_time_zone() -> None:
    published = datetime(2026, 11, 3, 23, 30, tzinfo=UTC)
    later = datetime(2026, 11, 24, tzinfo=timezone(timedelta(hours=2)))
    assert format_age(published, later) == "Nov 4"


@pytest.mark.parametrize(
    "text, width, fitted",
    [("abc", 5, "abc  "), ("abcdef", 4, "abc…"), ("日本語", 5, "日本…"), ("abc", 0, "")],
)
def test_fit_cells(text: str, width: int, fitted: str) -> None:
    assert fit_cells(text, width) == fitted


def summaries(count: int) -> list[StorySummary]:
    return [
        StorySummary(
            id=f"{index:012x}",
            title=f"Story number {index}",
            source="Wire",
            published=NOW - timedelta(minutes=index),
            read=index % 3 == 0,
            bookmarked=index % 7 == 0,
        )
        for index in range(count)
    ]


class ListApp(App[None]):
    def __init__(self, rows: list[StorySummary]) -> None:
        super().__init__()
        self.rows = rows
        self.highlighted: list[str] = []
        self.selected: list[str] = []

    def compose(self) -> ComposeResult:
        yield StoryList(fixed_clock)

    def on_mount(self) -> None:
        self.query_one(StoryList).set_stories(self.rows)

    def on_story_list_highlighted(self, message: StoryList.Highlighted) -> None:
        self.highlighted.append(message.story_id)

    def on_story_list_selected(self, message: StoryList.Selected) -> None:
        self.selected.append(message.story_id)


async def test_a_hundred_thousand_rows_stay_responsive() -> None:
    rows = summaries(100_000)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        story_list = app.query_one(StoryList)
        assert story_list.virtual_size.height == 100_000
        started = time.perf_counter()
        story_list.set_stories(list(reversed(rows)))
        assert time.perf_counter() - started < 0.5
        started = time.perf_counter()
        await pilot.press("G", "k", "g", "j")
        assert time.perf_counter() - started < 2
        assert story_list.cursor == 1
        assert len(story_list._row_cache) < 200, "only visible rows are rendered"


async def test_messages_go_up() -> None:
    rows = summaries(5)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("j", "j", "k", "enter")
        await pilot.pause()
        assert app.highlighted == [rows[0].id, rows[1].id, rows[2].id, rows[1].id]
        assert app.selected == [rows[1].id]


async def test_new_rows_keep_the_cursor_on_the_same_story() -> None:
    rows = summaries(50)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        story_list = app.query_one(StoryList)
        story_list.move_cursor(30)
        await pilot.pause()
        newer = [dataclasses.replace(row, id=f"new{index:09x}") for index, row in enumerate(rows[:3])]
        story_list.set_stories(newer + rows)
        assert story_list.cursor == 33
        assert story_list.highlighted_story == rows[30]
        story_list.set_stories(rows[:10])
        assert story_list.cursor == 9, "a story that is gone leaves the cursor as near as it can"
        story_list.set_stories([])
        assert story_list.highlighted_story is None


async def test_replace_story_repaints_one_row() -> None:
    rows = summaries(3)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        story_list = app.query_one(StoryList)
        await pilot.pause()
        assert "★" not in story_list.render_line(1).text
        story_list.replace_story(dataclasses.replace(rows[1], bookmarked=True))
        assert "★" in story_list.render_line(1).text
        assert story_list.render_line(1).cell_length == story_list.scrollable_content_region.width


async def test_clicks_move_the_cursor_and_double_clicks_open() -> None:
    rows = summaries(5)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click(StoryList, offset=(10, 3))
        assert app.query_one(StoryList).cursor == 3
        await pilot.click(StoryList, offset=(10, 2), times=2)
        await pilot.pause()
        assert app.selected == [rows[2].id]


async def test_first_run_puts_the_samples_in_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "empty") as store:
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            assert not store.is_empty()
            assert app.query_one(StoryList).story_count == store.count() >= 3
            assert not app.query("Toast"), "no error on first run"
            assert app.query_one(Highlights).story is not None


async def test_changes_from_another_process_are_picked_up(app: BroadsheetApp, store_home: Path) -> None:
    stories = fixed_stories()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("j", "j")
        with Store(store_home) as other:
            fresh = dataclasses.replace(stories[0], id="0123456789ab", title="Breaking: a newer story", published=NOW)
            other.put_stories([fresh])
            other.set_bookmarked(stories[2].id, True)
        app.main_screen._poll_store()
        await settle(pilot)
        assert story_list.story_count == len(stories) + 1
        highlighted = story_list.highlighted_story
        assert highlighted is not None and highlighted.id == stories[2].id
        assert story_list.cursor == 3
        assert highlighted.bookmarked, "the other process's bookmark shows"
