"""The key bar at the bottom: what it shows in each state, clicks on it, and narrow terminals."""

from __future__ import annotations

from tui_helpers import fixed_stories, screen_text, settle, stored

from store import Store
from tui.app import BroadsheetApp
from tui.widgets.key_bar import KeyBar
from tui.widgets.story_list import StoryList

NARROW = (80, 24)
WIDE = (160, 48)
STORIES = fixed_stories()


def bottom_line(pilot: object) -> str:
    return screen_text(pilot).splitlines()[-1]  # type: ignore[arg-type]


def column_of(line: str, word: str) -> int:
    at = line.index(word)
    return at + len(word) // 2


async def test_the_bar_follows_the_reader_into_a_story_and_back(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        line = bottom_line(pilot)
        assert "Open" in line and "Back" not in line
        assert line.rstrip().endswith("^p Commands"), "the palette's key sits at the right"
        await pilot.press("enter")
        await settle(pilot)
        line = bottom_line(pilot)
        assert "h Back" in line and "Open" not in line
        await pilot.press("h")
        await settle(pilot)
        assert "Open" in bottom_line(pilot)


async def test_a_key_is_shown_once_for_its_action(app: BroadsheetApp) -> None:
    """h and escape both go back: the bar names the first key only, as Textual's Footer does."""
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        shown = app.screen.query_one(KeyBar).shown
        actions = [key.description for key in shown]
        assert actions.count("Back") == 1
        assert bottom_line(pilot).count("Back") == 1


async def test_clicking_a_key_runs_it(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        story_id = app.screen.query_one(StoryList).highlighted_story.id  # type: ignore[union-attr]
        before = stored(store, story_id).bookmarked
        line = bottom_line(pilot)
        await pilot.click(KeyBar, offset=(column_of(line, "Bookmark"), 0))
        await settle(pilot)
        assert stored(store, story_id).bookmarked is not before


async def test_clicking_the_palette_key_opens_the_palette(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        line = bottom_line(pilot)
        await pilot.click(KeyBar, offset=(column_of(line, "Commands"), 0))
        await settle(pilot)
        assert app.screen.__class__.__name__ == "CommandPalette"


async def test_clicking_between_keys_does_nothing(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        line = bottom_line(pilot)
        gap = line.index("^p") - 3  # in the blank run before the palette's key
        assert line[gap] == " "
        screen = app.screen
        await pilot.click(KeyBar, offset=(gap, 0))
        await settle(pilot)
        assert app.screen is screen and app.screen.query_one(StoryList).has_focus


async def test_narrow_bar_drops_whole_keys_and_keeps_the_palette(app: BroadsheetApp) -> None:
    async with app.run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        line = bottom_line(pilot)
        bar = app.screen.query_one(KeyBar)
        assert line.rstrip().endswith("^p Commands")
        left = line[: line.index("▏")]
        shown = [key for key in bar.shown[:-1] if f" {key.display} {key.description} " in left + " "]
        assert shown, "some keys fit"
        assert len(shown) < len(bar.shown) - 1, "not all keys fit in 60 columns"
        # What is shown is whole keys, in order, and nothing cut in half after them.
        expected = "".join(f" {key.display} {key.description} " for key in shown)
        assert left.rstrip() == expected.rstrip()
