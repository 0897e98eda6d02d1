"""Text from outside reaches the screen as text: no markup, no actions, no escape bytes."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tui_helpers import fixed_clock, fixed_stories, screen_lines, screen_text, settle

from store import Store
from tui.app import BroadsheetApp
from tui.widgets.highlights import Highlights
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

HOSTILE_TITLE = "[bold]x[/] [@click=app.quit]q[/] \x1b[31mred"
SHOWN_TITLE = "[bold]x[/] [@click=app.quit]q[/] red"  # the store drops the ESC at ingestion


def hostile_store(home: Path) -> Store:
    story = dataclasses.replace(
        fixed_stories()[0],
        title=HOSTILE_TITLE,
        source="[red]Feed[/]",
        highlights=["[/] closes nothing", "[@click=app.quit]quit[/]"],
        body="[b]not bold[/b]\n\n[@click=app.quit]click me[/] \x1b]52;c;aGk=\x07 osc",
        opinions=["[/foo] stays"],
    )
    store = Store(home)
    store.put_stories([story])
    return store


def assert_no_escape_or_actions(lines: list) -> None:
    for strip in lines:
        for segment in strip:
            assert "\x1b" not in segment.text
            assert "\x9b" not in segment.text
            meta = segment.style.meta if segment.style else {}
            assert "@click" not in meta


async def test_hostile_title_is_shown_literally(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "store") as store:
        assert store.summaries()[0].title == SHOWN_TITLE
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            story_list = app.query_one(StoryList)
            assert SHOWN_TITLE in story_list.render_line(0).text
            text = screen_text(pilot)
            assert SHOWN_TITLE in text
            assert "[red]Feed[/]" in text
            assert "[/] closes nothing" in text and "[@click=app.quit]quit[/]" in text
            assert_no_escape_or_actions(screen_lines(pilot))

            await pilot.click(StoryList, offset=(12, 1))
            await pilot.click(StoryList, offset=(12, 1), times=2)
            await settle(pilot)
            assert app.is_running, "clicking the title must not run its [@click]"
            viewer = app.query_one(StoryView)
            assert app.focused is viewer
            text = screen_text(pilot)
            assert SHOWN_TITLE in text
            assert "[b]not bold[/b]" in text and "[@click=app.quit]click me[/]" in text
            assert "[/foo] stays" in text
            assert_no_escape_or_actions(screen_lines(pilot))
            await pilot.click(StoryView, offset=(5, 2))
            await pilot.pause()
            assert app.is_running


async def test_hostile_highlights_do_not_crash_the_panel(tmp_path: Path) -> None:
    with hostile_store(tmp_path / "store") as store:
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            highlights = app.query_one(Highlights)
            assert highlights.story is not None
            assert highlights.story.highlights == ["[/] closes nothing", "[@click=app.quit]quit[/]"]
            assert_no_escape_or_actions(screen_lines(pilot))


async def test_store_notices_are_shown_as_plain_text(store: Store) -> None:
    store.notices.append("stories/2026-11-0.json was damaged: [bold]moved[/] [@click=app.quit]aside[/]")
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        text = screen_text(pilot)
        assert "[bold]moved[/]" in text
        assert "[@click=app.quit]aside[/]" in text
