"""Layout: side by side or stacked (by width or by the config), reading mode (z), resizing, the status line."""

from __future__ import annotations

import pytest
from tui_helpers import fixed_clock, fixed_stories, screen_lines, settle

from store import Store
from tui.app import BroadsheetApp
from tui.config import Config
from tui.screens.main import WIDE_LAYOUT_WIDTH, MainScreen
from tui.views import View
from tui.widgets.highlights import Highlights
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

NARROW = (80, 24)
WIDE = (160, 48)
STORIES = fixed_stories()


def make_app(store: Store, **settings: object) -> BroadsheetApp:
    return BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=Config(**settings))  # type: ignore[arg-type]


def shows(widget: object) -> bool:
    """On screen with some room (not display: none, not squeezed to nothing)."""
    region = widget.region  # type: ignore[attr-defined]
    return bool(widget.display and region.width and region.height)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- side by side or stacked


@pytest.mark.parametrize(
    "layout, size, wide",
    [
        ("auto", (WIDE_LAYOUT_WIDTH - 1, 40), False),
        ("auto", (WIDE_LAYOUT_WIDTH, 40), True),
        ("wide", NARROW, True),
        ("stacked", (200, 60), False),
    ],
)
async def test_the_layout_follows_the_width_or_the_config(
    store: Store, layout: str, size: tuple[int, int], wide: bool
) -> None:
    app = make_app(store, layout=layout)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.main_screen
        assert screen.has_class("-wide") is wide and screen.has_class("-narrow") is not wide
        story_list, viewer = app.query_one(StoryList), app.query_one(StoryView)
        assert shows(story_list) and shows(app.query_one(Highlights))
        assert shows(viewer) is wide, "the viewer sits beside the list only when wide"
        if wide:
            assert viewer.region.x > story_list.region.x
        await pilot.resize_terminal(size[0] + 100 if not wide else 80, size[1])
        await settle(pilot)
        if layout != "auto":
            assert screen.has_class("-wide") is wide, "a layout from the config holds at any width"


# ---------------------------------------------------------------- reading mode


@pytest.mark.parametrize("size", [NARROW, WIDE])
async def test_z_gives_the_viewer_the_whole_screen_and_z_returns(app: BroadsheetApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        story_list, viewer = app.query_one(StoryList), app.query_one(StoryView)
        await pilot.press("j", "j", "z")
        await settle(pilot)
        screen = app.main_screen
        assert screen.zoomed and app.focused is viewer
        assert viewer.story is not None and viewer.story.id == STORIES[2].id, "z opens the story under the cursor"
        assert viewer.region.width == size[0] and viewer.region.height == size[1] - 2  # all but status and keys
        assert not shows(story_list) and not shows(app.query_one(Highlights))
        await pilot.press("j")
        assert story_list.cursor == 2, "the keys go to the story, not the list"
        await pilot.press("z")
        await settle(pilot)
        assert not screen.zoomed and not screen.reading and app.focused is story_list
        assert story_list.cursor == 2, "the selection is kept"
        assert shows(story_list)


async def test_escape_leaves_reading_mode_back_to_the_story_being_read(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        viewer = app.query_one(StoryView)
        await pilot.press("j", "enter")
        await settle(pilot)
        await pilot.press("z")
        screen = app.main_screen
        assert screen.zoomed and viewer.region.width == WIDE[0]
        await pilot.press("escape")
        assert not screen.zoomed and screen.reading and app.focused is viewer, "back to reading beside the list"
        assert shows(app.query_one(StoryList)) and viewer.region.width < WIDE[0]
        await pilot.press("escape")
        assert app.focused is app.query_one(StoryList) and app.query_one(StoryList).cursor == 1


async def test_reading_mode_shows_the_highlights_at_the_head_of_the_story(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        heading = app.query_one(StoryView).query_one("#viewer-highlights-heading")
        assert STORIES[0].highlights and shows(heading), "no highlights pane beside it: they head the text"


# ---------------------------------------------------------------- resizing


@pytest.mark.parametrize("reading", [False, True])
async def test_resizing_keeps_the_selection(app: BroadsheetApp, reading: bool) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press(*["j"] * 11)
        if reading:
            await pilot.press("enter")
        await settle(pilot)
        chosen = story_list.highlighted_story
        assert chosen is not None
        for size in [(80, 24), (80, 12), (250, 70), (120, 40), NARROW]:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert story_list.highlighted_story == chosen, size
            assert app.main_screen.reading is reading
            if not reading or app.main_screen.has_class("-wide"):
                top = round(story_list.scroll_y)
                assert top <= story_list.cursor < top + story_list.scrollable_content_region.height, size
        viewer = app.query_one(StoryView)
        if reading:
            assert viewer.story is not None and viewer.story.id == chosen.id and shows(viewer)


# ---------------------------------------------------------------- status line


def status_line(pilot: object) -> str:
    return screen_lines(pilot)[-2].text  # type: ignore[arg-type]


async def test_the_status_line_says_where_the_cursor_is_and_fits_80_columns(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")
        line = status_line(pilot)
        unread = sum(1 for story in STORIES if not story.read)
        assert "All stories" in line and f"3/{len(STORIES)} · {unread} unread" in line
        assert "Not refreshed yet" in line
        assert len(line.rstrip()) <= NARROW[0]
        status = app.query_one(StatusBar)
        app.main_screen.open_view(View("feed", "https://feed.example/x", "A feed with a very long name indeed, longer than any column"))
        await settle(pilot)
        line = status_line(pilot)
        assert "Feed: A feed" in line and "no stories" in line and "Not refreshed yet" in line
        assert status.view_name.startswith("Feed: A feed with")


async def test_a_move_repaints_the_status_line_not_the_list_border(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("j")
        await settle(pilot)
        assert not story_list.border_subtitle, "the position lives in the status line"
        assert app.query_one(StatusBar).position == f"2/{len(STORIES)}"
        assert isinstance(app.screen, MainScreen)
