"""Robustness ("Foundation"): the list follows the store by its change log, notices of damage
found while open, short and narrow terminals, paging, long stories, the palette and the exit code."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from textual.system_commands import SystemCommandsProvider
from textual.message import Message
from textual.widgets import Static
from tui_helpers import NOW, fixed_clock, fixed_stories, notifications, row, screen_text, search_for, settle, until

from store import Store, Story, StorySummary, make_story_id
from tui.app import BroadsheetApp, run_tui
from tui.commands import help_actions
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.views import saved_view
from tui.widgets.highlights import Highlights
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import BODY_PART, StoryView, split_body

NARROW = (80, 24)
WIDE = (160, 48)
STORIES = fixed_stories()
FEED = "https://feeds.example/wire.xml"


def fresh(number: int, title: str, *, age: timedelta = timedelta(minutes=1), feed: str = "", **fields: Any) -> Story:
    """A story another process adds: newer than every fixed story unless `age` says otherwise."""
    return dataclasses.replace(
        STORIES[0],
        id=make_story_id(url=f"https://news.example/fresh/{number}"),
        url=f"https://news.example/fresh/{number}",
        title=title,
        published=NOW - age,
        highlights=[],
        opinions=[],
        feed=feed,
        **fields,
    )


def shown_ids(app: BroadsheetApp) -> list[str]:
    return [story.id for story in app.query_one(StoryList).stories]


def line_on_screen(story_list: StoryList) -> int:
    return story_list.cursor * story_list.row_height - round(story_list.scroll_y)


async def poll(pilot: Any) -> None:
    """What the 2-second timer does, now."""
    pilot.app.main_screen._poll_store()
    await settle(pilot)


def loads(seen: list[Message]) -> list[MainScreen.StoriesLoaded]:
    return [message for message in seen if isinstance(message, MainScreen.StoriesLoaded)]


# ---------------------------------------------------------------- 1. patched, not reloaded


async def test_changes_from_outside_patch_rows_without_a_reload(app: BroadsheetApp, store_home: Path) -> None:
    seen: list[Message] = []
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        unchanged_row = story_list.stories[4]
        story_list.move_cursor(8)
        await settle(pilot)
        assert line_on_screen(story_list) == 8
        await poll(pilot)  # the highlights generated for the story under the cursor were written: read them first
        seen.clear()
        with Store(store_home) as other:
            other.put_stories([fresh(n, f"Newer story {n}", age=timedelta(minutes=n)) for n in (1, 2, 3)])
            other.set_bookmarked(STORIES[10].id, True)
        await poll(pilot)
        assert loads(seen) == [], "no reload of the whole view"
        changes = [message for message in seen if isinstance(message, MainScreen.ChangesFound)]
        assert len({id(message) for message in changes}) == 1
        assert len(changes[0].rows) == 4, "only the changed stories were read"
        assert story_list.stories[7] is unchanged_row, "rows not changed are kept as they were, not read again"
        assert story_list.story_count == len(STORIES) + 3
        assert story_list.highlighted_story is not None and story_list.highlighted_story.id == STORIES[8].id
        assert story_list.cursor == 11
        assert line_on_screen(story_list) == 8, "the story under the cursor did not move on the screen"
        assert row(app, STORIES[10].id).bookmarked
        assert shown_ids(app)[:3] == [fresh(n, "").id for n in (1, 2, 3)], "new stories in date order"
        status = app.query_one(StatusBar)
        assert (status.story_count, status.unread_count) == (len(STORIES) + 3, 7 + 3)
        assert status.position == "12/17"


async def test_stories_gone_from_the_store_leave_the_list(store: Store, store_home: Path) -> None:
    store.put_stories([fresh(n, f"Wire story {n}", feed=FEED, age=timedelta(minutes=n)) for n in (1, 2)])
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        story_list.move_cursor(1)  # on a story that is about to go
        await settle(pilot)
        with Store(store_home) as other:
            assert other.remove_feed_stories(FEED) == 2
        await poll(pilot)
        assert shown_ids(app) == [story.id for story in STORIES]
        assert story_list.highlighted_story is not None
        assert story_list.highlighted_story.id == STORIES[0].id, "the cursor moves to the row that took its place"
        await settle(pilot)
        highlights = app.query_one(Highlights)
        assert highlights.story is not None and highlights.story.id == STORIES[0].id


async def test_unread_only_drops_rows_read_elsewhere_but_keeps_rows_read_here(
    app: BroadsheetApp, store_home: Path
) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("U")
        await settle(pilot)
        unread = [story.id for story in STORIES if not story.read]
        assert shown_ids(app) == unread
        await pilot.press("m")  # read here: the row stays, as it always did until the view is read again
        await settle(pilot)
        with Store(store_home) as other:
            other.set_read([unread[2]], True)
        await poll(pilot)
        assert shown_ids(app) == [unread[0], unread[1], *unread[3:]]
        assert row(app, unread[0]).read
        assert app.query_one(StatusBar).unread_count == len(unread) - 2


async def test_the_cursor_story_keeps_its_place_when_the_list_is_at_the_top(
    app: BroadsheetApp, store_home: Path
) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        with Store(store_home) as other:
            other.put_stories([fresh(1, "Newest")])
        await poll(pilot)
        assert story_list.highlighted_story is not None and story_list.highlighted_story.id == STORIES[0].id
        assert (story_list.cursor, line_on_screen(story_list)) == (1, 0)
        await pilot.press("k")
        assert story_list.highlighted_story.id == fresh(1, "").id


async def test_a_saved_search_takes_new_matches_in_date_order(
    app: BroadsheetApp, store: Store, store_home: Path
) -> None:
    store.save_search("Harbour", "harbour")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.main_screen.open_view(saved_view("Harbour", "harbour"))
        await settle(pilot)
        assert shown_ids(app) == [STORIES[3].id, STORIES[5].id]
        with Store(store_home) as other:
            other.put_stories([fresh(1, "Harbour crane arrives", age=timedelta(hours=6)), fresh(2, "Unrelated")])
        await poll(pilot)
        assert shown_ids(app) == [STORIES[3].id, fresh(1, "").id, STORIES[5].id]


async def test_a_search_runs_again_only_when_a_new_story_matches(app: BroadsheetApp, store_home: Path) -> None:
    seen: list[Message] = []
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        await settle(pilot)
        await search_for(pilot, "ferry OR ferries")
        assert shown_ids(app) == [STORIES[3].id]
        seen.clear()
        with Store(store_home) as other:
            other.set_bookmarked(STORIES[0].id, True)  # not a result: nothing to do
        await poll(pilot)
        assert loads(seen) == []
        with Store(store_home) as other:
            other.put_stories([fresh(1, "Night ferry service returns")])
        await poll(pilot)
        assert len({id(message) for message in loads(seen)}) == 1, "the search ran again"
        assert set(shown_ids(app)) == {STORIES[3].id, fresh(1, "").id}


async def test_closing_a_search_catches_up_without_reading_every_row(app: BroadsheetApp, store_home: Path) -> None:
    seen: list[Message] = []
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        with Store(store_home) as other:
            other.set_bookmarked(STORIES[6].id, True)
        seen.clear()
        await pilot.press("escape")
        await settle(pilot)
        assert not app.main_screen.searching
        assert loads(seen) == []
        assert row(app, STORIES[6].id).bookmarked


def summaries(count: int) -> list[StorySummary]:
    return [
        StorySummary(f"{index:012x}", f"Story {index}", "Wire", NOW - timedelta(minutes=index), index % 2 == 0, False)
        for index in range(count)
    ]


async def test_patching_a_hundred_thousand_rows_is_quick() -> None:
    from test_story_list import ListApp

    rows = summaries(100_000)
    app = ListApp(rows)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        story_list = app.query_one(StoryList)
        story_list.move_cursor(50_000)
        newer = [
            dataclasses.replace(rows[0], id=f"new{index:09x}", published=NOW + timedelta(minutes=1))
            for index in range(5)
        ]
        started = time.perf_counter()
        story_list.patch_stories(
            changed=[dataclasses.replace(rows[10], read=True)], added=newer, removed=[rows[20].id]
        )
        assert time.perf_counter() - started < 0.25
        assert story_list.story_count == 100_004
        assert story_list.highlighted_story == rows[50_000] and story_list.cursor == 50_004


async def test_a_short_list_that_grows_keeps_the_cursor_story_in_view() -> None:
    """From fewer rows than the screen (no scrollbar yet) to many: the list may scroll even so."""
    from test_story_list import ListApp

    rows = summaries(5)
    app = ListApp(rows)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        story_list = app.query_one(StoryList)
        newer = [
            dataclasses.replace(rows[0], id=f"new{index:09x}", published=NOW + timedelta(minutes=index + 1))
            for index in range(35)
        ]
        story_list.patch_stories(added=newer)
        await pilot.pause()
        assert story_list.highlighted_story == rows[0]
        assert story_list.scroll_y == story_list.max_scroll_y > 0
        assert 0 <= line_on_screen(story_list) < story_list.scrollable_content_region.height


# ---------------------------------------------------------------- 2. notices while open


async def test_damage_found_while_open_is_told(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        store.notices.append("stories/2026-11-3.json was damaged: [b]bad[/b]; moved it aside")
        await poll(pilot)
        shown = [note for note in notifications(app) if "was damaged" in note.message]
        assert len(shown) == 1
        assert shown[0].severity == "warning" and not shown[0].markup and shown[0].timeout >= 20
        await poll(pilot)
        assert len([note for note in notifications(app) if "was damaged" in note.message]) == 1, "told once"


# ---------------------------------------------------------------- 3. short terminals


@pytest.mark.parametrize("height, highlights_rows", [(12, 2), (14, 2), (16, 2), (17, 7), (24, 7)])
async def test_the_list_keeps_rows_in_a_short_terminal(app: BroadsheetApp, height: int, highlights_rows: int) -> None:
    async with app.run_test(size=(80, height)) as pilot:
        await settle(pilot)
        assert app.query_one(StoryList).scrollable_content_region.height >= 4
        highlights = app.query_one(Highlights)
        assert highlights.display and highlights.scrollable_content_region.height == highlights_rows


@pytest.mark.parametrize("height", [8, 11])
async def test_a_tiny_terminal_gives_the_list_everything(app: BroadsheetApp, height: int) -> None:
    async with app.run_test(size=(80, height)) as pilot:
        await settle(pilot)
        assert app.query_one(StoryList).scrollable_content_region.height == height - 4
        assert app.query_one(Highlights).region.height == 0


# ---------------------------------------------------------------- 4. paging and next unread


async def test_page_keys_page_the_list(store: Store) -> None:
    # One feed: stories of one feed are never grouped into one row (their text is the same here).
    feed = "https://news.example/older.xml"
    older = [fresh(n, f"Older story {n}", age=timedelta(days=600 + n), feed=feed) for n in range(40)]
    store.put_stories(older)
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        page = story_list.scrollable_content_region.height
        await pilot.press("j", "j")
        await pilot.press("pagedown")
        assert story_list.cursor == 2 + page and line_on_screen(story_list) == 2
        await pilot.press("pageup")
        assert story_list.cursor == 2
        await pilot.press("ctrl+d")
        assert story_list.cursor == 2 + page // 2
        await pilot.press("ctrl+u")
        assert story_list.cursor == 2
        await pilot.press("space")
        assert story_list.cursor == 2 + page, "narrow, viewer hidden: space pages the list"
        assert app.query_one(StatusBar).position == f"{story_list.cursor + 1}/{story_list.story_count}"
        await pilot.press("G", "pagedown")
        assert story_list.cursor == story_list.story_count - 1


async def test_page_keys_in_the_viewer_and_space_from_the_list_when_wide(app: BroadsheetApp) -> None:
    async with app.run_test(size=(160, 30)) as pilot:
        await settle(pilot)
        story_list, viewer = app.query_one(StoryList), app.query_one(StoryView)
        await pilot.press("pagedown")
        assert story_list.cursor == len(STORIES) - 1 and viewer.scroll_y == 0, "pagedown pages the list"
        await pilot.press("g", "enter", "escape")  # the viewer shows the story opened, not the cursor's
        await settle(pilot)
        await pilot.press("space")
        assert story_list.cursor == 0 and viewer.scroll_y > 0, "space pages the story beside the list"


async def test_full_stop_goes_to_the_next_unread_story(app: BroadsheetApp) -> None:
    unread = [index for index, story in enumerate(STORIES) if not story.read]
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("j", "full_stop")
        assert story_list.cursor == unread[2]
        await pilot.press("full_stop")
        assert story_list.cursor == unread[3]
        story_list.move_cursor(unread[-1])
        await pilot.press("full_stop")
        assert story_list.cursor == unread[0], "from the top after the last"
        assert "No unread stories below" in notifications(app)[-1].message
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("full_stop")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        assert app.main_screen.reading and viewer.story is not None and viewer.story.id == STORIES[unread[1]].id
        assert row(app, STORIES[unread[1]].id).read, "reading: the next unread story opens"


async def test_full_stop_says_when_everything_is_read(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        await pilot.press("full_stop")
        assert notifications(app)[-1].message == "No unread stories here."


# ---------------------------------------------------------------- 5. highlights in a narrow viewer


async def test_a_narrow_viewer_shows_the_highlights_first(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        block = viewer.query_one("#viewer-highlights")
        assert block.display and block.region.height >= len(STORIES[0].highlights)
        text = screen_text(pilot)
        assert "Highlights" in text and STORIES[0].highlights[0] in text
        assert text.index(STORIES[0].highlights[0]) < text.index("Northfield's city council voted")


async def test_a_wide_viewer_leaves_the_highlights_to_their_pane(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert app.query_one(StoryView).query_one("#viewer-highlights").region.height == 0
        assert screen_text(pilot).count(STORIES[0].highlights[0]) == 1


async def test_a_story_without_highlights_has_no_block(app: BroadsheetApp, store: Store) -> None:
    # With no text to choose highlights from (a story with text gets generated ones).
    store.put_stories([dataclasses.replace(STORIES[2], body="")])
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        assert viewer.has_class("-no-highlights")
        assert viewer.query_one("#viewer-highlights-heading").region.height == 0


# ---------------------------------------------------------------- 6. long stories


def long_text(size: int) -> str:
    # Nothing like the fixed stories' topics: the long story is a group of its own (tui.grouped).
    paragraph = "The archive committee met again about the reading room hours and the lecture series. " * 12
    count = size // (len(paragraph) + 2) + 1
    return "\n\n".join(f"{paragraph}Paragraph {index}." for index in range(count))


def test_split_body_cuts_between_paragraphs_and_joins_back() -> None:
    text = long_text(400_000)
    parts = split_body(text)
    assert "".join(parts) == text
    assert all(len(part) <= BODY_PART for part in parts) and len(parts) >= 400_000 // BODY_PART
    assert all(part.endswith("\n\n") for part in parts[:-1])
    assert split_body("short") == ["short"]
    unbroken = "x" * (BODY_PART * 2 + 5)
    assert "".join(split_body(unbroken)) == unbroken


async def test_a_four_megabyte_story_opens_quickly_and_keys_go_to_it(store: Store) -> None:
    big = fresh(1, "A very long harbour report", body=long_text(4_000_000) + "\n\nThe last words.")
    store.put_stories([big])
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        viewer = app.query_one(StoryView)
        started = time.perf_counter()
        await pilot.press("enter", "j", "j", "space")
        await settle(pilot)
        assert time.perf_counter() - started < 2.0
        assert viewer.story is not None and viewer.story.id == big.id
        assert app.focused is viewer
        assert viewer.scroll_y == 2 + viewer.scrollable_content_region.height, "the keys scrolled the story"
        shown, parts = viewer.parts_shown
        assert shown == 1 and parts > 60
        body = viewer.query_one("#story-body", Static)
        assert len(body.content.plain) <= BODY_PART
        assert "more: it appears as you scroll down" in str(viewer.query_one("#story-rest", Static).content)
        viewer.scroll_end(animate=False, immediate=True)
        await until(pilot, lambda: viewer.parts_shown[0] == 2)
        assert viewer.query(".story-body-part")


async def test_n_reaches_a_match_deep_in_a_long_story(store: Store) -> None:
    big = fresh(1, "A very long harbour report", body=long_text(400_000) + "\n\nThe zeppelin landed at last.")
    store.put_stories([big])
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "zeppelin")
        await pilot.press("enter", "enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        assert viewer.match_count == 1 and viewer.parts_shown[0] == 1
        await pilot.press("n")
        await settle(pilot)
        assert viewer.parts_shown[0] == viewer.parts_shown[1], "the parts up to the match are laid out"
        line = viewer.match_line(0)
        assert viewer.scroll_y <= line < viewer.scroll_y + viewer.scrollable_content_region.height


# ---------------------------------------------------------------- 7. palette and help


async def test_the_palette_keeps_only_the_useful_system_commands(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        titles = [command.title for command in app.get_system_commands(app.main_screen)]
        assert titles == ["Theme", "Quit"]
        hits = [hit.text async for hit in SystemCommandsProvider(app.screen).discover()]
        for unwanted in ("Keys", "Maximize", "Screenshot"):
            assert unwanted not in hits


async def test_help_lists_ctrl_c_once_and_page_keys_where_they_work(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        actions = help_actions(app)
        ctrl_c = [action for action in actions if any(binding.key == "ctrl+c" for binding in action.keys)]
        assert [action.binding_id for action in ctrl_c] == ["app.copy"]
        panes = {action.binding_id: action.pane for action in actions}
        assert panes["viewer.page_down"] == panes["viewer.page_up"] == "Viewer"
        assert panes["story.page_down"] == panes["story.page_up"] == "Story list"
        assert panes["story.next_unread"] == "Everywhere"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.key_table().plain
        assert text.count("^c") == 1
        everywhere = text[text.index("Everywhere") :].split("\n\n")[0]
        assert "viewer.page" not in everywhere


async def test_ctrl_c_without_a_selection_says_how_to_quit(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert app.is_running
        assert "To quit, press q" in notifications(app)[-1].message


# ---------------------------------------------------------------- 8. exit code


def test_a_home_that_cannot_hold_a_store_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    for home in (Path("/etc/passwd"), not_a_folder):
        assert run_tui(home) == 2
        err = capsys.readouterr().err
        assert err.startswith("broadsheet: cannot use") and err.count("\n") == 1


# ---------------------------------------------------------------- the patch, as plain data


def summary(story: Story, **fields: Any) -> StorySummary:
    return dataclasses.replace(
        StorySummary(story.id, story.title, story.source, story.published, story.read, story.bookmarked, story.feed),
        **fields,
    )


def test_plan_patch_sorts_each_change() -> None:
    from tui.patch import plan_patch
    from tui.views import ALL_STORIES, BOOKMARKS, search_view

    rows = {story.id: summary(story) for story in STORIES[:4]}
    new = summary(fresh(1, "New"))
    read_elsewhere = dataclasses.replace(rows[STORIES[0].id], read=True)
    read_here = dataclasses.replace(rows[STORIES[1].id], read=True)
    patch = plan_patch(
        ALL_STORIES,
        True,
        [new, read_elsewhere, read_here],
        [STORIES[3].id, "unknown"],
        rows.get,
        kept={STORIES[1].id},
    )
    assert patch.added == [new] and patch.changed == [read_here]
    assert patch.removed == [STORIES[3].id, STORIES[0].id]
    assert patch.unread_change == 1 - 1 - 1 - 1  # new; story 3 (unread) gone; 0 and 1 read
    assert not patch.search_again
    unbookmarked = summary(STORIES[1], bookmarked=False)
    assert plan_patch(BOOKMARKS, False, [unbookmarked], [], rows.get).removed == [STORIES[1].id]
    ranked = plan_patch(search_view("new"), False, [new], [], rows.get, matching={new.id})
    assert ranked.search_again and ranked.added == []
    typing = plan_patch(search_view(""), False, [new, read_elsewhere], [STORIES[3].id], rows.get)
    assert typing.changed == [read_elsewhere] and typing.added == typing.removed == []
