"""Views: saved searches (S, F, d), bookmarks (B), unread only (U), mark all read (M) and undo (u),
notes (e), and the notification when a fetch brings stories a saved search matches."""

from __future__ import annotations

import dataclasses
from typing import Any

from textual.widgets import Input, Static, TextArea
from tui_helpers import fixed_stories, notifications, row, search_for, settle, stored, until

from store import Store, make_story_id
from tui.app import BroadsheetApp
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.input import InputDialog
from tui.dialogs.note import NoteDialog
from tui.screens.main import MainScreen
from tui.screens.views import ViewsScreen
from tui.views import ALL_STORIES, BOOKMARKS, saved_view
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView
from tui.widgets.view_list import ViewCounts, ViewList

NARROW = (80, 24)
STORIES = fixed_stories()
UNREAD = [story.id for story in STORIES if not story.read]
BOOKMARKED = [story.id for story in STORIES if story.bookmarked]


def shown_ids(app: BroadsheetApp) -> list[str]:
    return [story.id for story in app.query_one(StoryList).stories]


def cursor_id(app: BroadsheetApp) -> str | None:
    story = app.query_one(StoryList).highlighted_story
    return None if story is None else story.id


async def open_views(pilot: Any) -> ViewsScreen:
    await pilot.press("F")
    screen = pilot.app.screen
    assert isinstance(screen, ViewsScreen)
    view_list = screen.query_one(ViewList)
    await until(pilot, lambda: len(view_list.counts) == len(view_list.choices))
    return screen


async def choose(pilot: Any, key: str) -> None:
    view_list = pilot.app.screen.query_one(ViewList)
    view_list.highlighted = view_list.get_option_index(key)
    await pilot.press("enter")
    await settle(pilot)


# ---------------------------------------------------------------- saved searches


async def test_s_saves_the_search_under_a_name(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram OR coffee")
        await pilot.press("enter", "S")
        dialog = app.screen
        assert isinstance(dialog, InputDialog)
        assert dialog.query_one(Input).value == "tram OR coffee", "the query is the suggested name"
        await pilot.press(*"Trams", "enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert [(search.name, search.query) for search in store.saved_searches()] == [("Trams", "tram OR coffee")]
        note = notifications(app)[-1]
        assert "Saved the search “Trams”" in note.message and not note.markup
        assert [search.name for search in app.main_screen.saved_searches] == ["Trams"]


async def test_s_needs_a_name_and_escape_cancels(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("enter", "S")
        await pilot.press("ctrl+u", "enter")
        dialog = app.screen
        assert isinstance(dialog, InputDialog), "an empty name is refused"
        assert dialog.query_one("#dialog-error", Static).display
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert store.saved_searches() == []


async def test_s_is_not_offered_without_a_query(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.main_screen.check_action("save_search", ()) is False
        await pilot.press("S")
        assert isinstance(app.screen, MainScreen)


async def test_saved_searches_appear_in_f_with_their_unread_counts(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Trams", "tram")
    store.save_search("Harbour", "harbour OR coffee")
    store.save_search("Read harbour", "harbour is:read")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = await open_views(pilot)
        counts = screen.query_one(ViewList).counts
        assert counts["saved:trams"] == ViewCounts(stories=1, unread=1)
        assert counts["saved:harbour"] == ViewCounts(stories=3, unread=2), "coffee was read"
        assert counts["saved:read harbour"] == ViewCounts(stories=0, unread=0)
        assert counts["all"] == ViewCounts(len(STORIES), len(UNREAD))
        assert counts["unread"] == ViewCounts(len(UNREAD), len(UNREAD))
        assert counts["bookmarks"] == ViewCounts(len(BOOKMARKED), 1)
        text = "\n".join(str(option.prompt) for option in screen.query_one(ViewList).options)
        assert "Trams" in text and "1 unread" in text and "harbour OR coffee" in text


async def test_opening_a_saved_search_from_f_filters_the_list(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Harbour", "harbour OR coffee")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await open_views(pilot)
        await choose(pilot, "saved:harbour")
        assert isinstance(app.screen, MainScreen)
        assert app.main_screen.view == saved_view("Harbour", "harbour OR coffee")
        assert shown_ids(app) == [STORIES[2].id, STORIES[3].id, STORIES[5].id], "a feed: newest first"
        assert app.query_one(StatusBar).view_name == "Saved: Harbour"
        await pilot.press("U")
        await until(pilot, lambda: shown_ids(app) == [STORIES[3].id, STORIES[5].id])
        await open_views(pilot)
        await choose(pilot, "all")
        assert app.main_screen.view == ALL_STORIES and not app.main_screen.unread_only
        assert len(shown_ids(app)) == len(STORIES)


async def test_f_opens_unread_and_bookmarks_and_escape_keeps_the_view(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await open_views(pilot)
        await choose(pilot, "unread")
        assert app.main_screen.unread_only and shown_ids(app) == UNREAD
        await open_views(pilot)
        await choose(pilot, "bookmarks")
        assert app.main_screen.view == BOOKMARKS
        assert shown_ids(app) == [story_id for story_id in BOOKMARKED if story_id in UNREAD], "still unread only"
        await open_views(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and app.main_screen.view == BOOKMARKS


async def test_d_deletes_a_saved_search_after_asking(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Trams", "tram")
    store.save_search("Coffee", "coffee")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = await open_views(pilot)
        view_list = screen.query_one(ViewList)
        view_list.highlighted = view_list.get_option_index("saved:trams")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and len(store.saved_searches()) == 2
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        assert [search.name for search in store.saved_searches()] == ["Coffee"]
        assert "saved:trams" not in view_list.choices
        assert "Deleted the saved search “Trams”." in [note.message for note in notifications(app)]


async def test_d_does_nothing_on_a_fixed_view(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = await open_views(pilot)
        assert screen.query_one(ViewList).highlighted_choice.key == "all"  # type: ignore[union-attr]
        await pilot.press("d")
        assert app.screen is screen


async def test_deleting_the_saved_search_on_show_goes_back_to_all_stories(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Trams", "tram")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await open_views(pilot)
        await choose(pilot, "saved:trams")
        assert shown_ids(app) == [STORIES[0].id]
        screen = await open_views(pilot)
        screen.query_one(ViewList).highlighted = screen.query_one(ViewList).get_option_index("saved:trams")
        await pilot.press("d", "y")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert app.main_screen.view == ALL_STORIES
        assert len(shown_ids(app)) == len(STORIES)


async def test_announce_new_stories_names_each_matching_search(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Trams", "tram")
    store.save_search("[b]Ferries[/b]", "ferry OR ferries")
    store.save_search("Coffee", "coffee")
    fresh = [
        dataclasses.replace(STORIES[0], id=make_story_id(url=f"https://news.example/new/{n}"), title=title)
        for n, title in enumerate(["Tram depot opens", "Second tram line", "New ferry timetable"])
    ]
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        store.put_stories(fresh)
        app.announce_new_stories([story.id for story in fresh])
        await settle(pilot)
        news = [note for note in notifications(app) if note.title == "Saved search"]
        assert sorted(note.message for note in news) == ["Trams: 3 new stories", "[b]Ferries[/b]: 1 new story"]
        assert not any(note.markup for note in news)


async def test_announce_with_nothing_matching_stays_quiet(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Coffee", "coffee")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.announce_new_stories([STORIES[0].id])
        app.announce_new_stories([])
        await settle(pilot)
        assert [note for note in notifications(app) if note.title == "Saved search"] == []


# ---------------------------------------------------------------- bookmarks, unread only


async def test_b_shows_only_bookmarks_and_b_again_goes_back(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        before = cursor_id(app)
        await pilot.press("B")
        await settle(pilot)
        assert app.main_screen.view == BOOKMARKS
        assert shown_ids(app) == BOOKMARKED
        assert app.query_one(StatusBar).view_name == "Bookmarks"
        await pilot.press("j")
        await pilot.press("B")
        await settle(pilot)
        assert app.main_screen.view == ALL_STORIES
        assert len(shown_ids(app)) == len(STORIES)
        assert cursor_id(app) == before, "back on the story the cursor was on"
        await pilot.press("B")
        await settle(pilot)
        assert cursor_id(app) == BOOKMARKED[1], "and the bookmarks remember theirs"


async def test_b_from_a_search_closes_it_and_b_again_returns_before_it(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await search_for(pilot, "tram")
        await pilot.press("enter", "B")
        await settle(pilot)
        assert not app.main_screen.searching and app.main_screen.view == BOOKMARKS
        await pilot.press("B")
        await settle(pilot)
        assert app.main_screen.view == ALL_STORIES and cursor_id(app) == STORIES[1].id


async def test_unbookmarking_in_bookmarks_keeps_the_row_until_the_view_is_read_again(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("B")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert shown_ids(app) == BOOKMARKED and not row(app, BOOKMARKED[0]).bookmarked
        await pilot.press("B", "B")
        await settle(pilot)
        assert shown_ids(app) == BOOKMARKED[1:]


async def test_u_shift_toggles_unread_only_keeping_the_cursor(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j", "j", "j")
        assert cursor_id(app) == STORIES[3].id and not STORIES[3].read
        await pilot.press("U")
        await settle(pilot)
        assert shown_ids(app) == UNREAD
        assert cursor_id(app) == STORIES[3].id
        status = app.query_one(StatusBar)
        assert status.unread_only and "unread only" in str(status.render())
        await pilot.press("U")
        await settle(pilot)
        assert len(shown_ids(app)) == len(STORIES) and cursor_id(app) == STORIES[3].id
        assert not status.unread_only


# ---------------------------------------------------------------- mark all read, undo


async def test_shift_m_marks_the_view_read_and_u_undoes_exactly(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M")
        assert all(story.read for story in app.query_one(StoryList).stories), "the rows change at once"
        assert app.query_one(StatusBar).unread_count == 0
        await settle(pilot)
        assert all(stored(store, story.id).read for story in STORIES)
        assert f"Marked {len(UNREAD)} stories read. Press u to undo." in [note.message for note in notifications(app)]
        await pilot.press("u")
        assert {story.id for story in app.query_one(StoryList).stories if not story.read} == set(UNREAD)
        await settle(pilot)
        assert {story.id for story in STORIES if not stored(store, story.id).read} == set(UNREAD)
        assert app.query_one(StatusBar).unread_count == len(UNREAD)
        assert app.main_screen.check_action("undo_mark_all", ()) is False, "one undo"


async def test_u_right_after_shift_m_undoes_it_while_it_is_written(app: BroadsheetApp, store: Store) -> None:
    """On a large view the mark takes seconds to write: u pressed meanwhile undoes it, exactly."""
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M", "u")  # no wait between them: the write of M has not landed
        assert {story.id for story in app.query_one(StoryList).stories if not story.read} == set(UNREAD)
        await settle(pilot)
        assert {story.id for story in STORIES if not stored(store, story.id).read} == set(UNREAD)
        assert app.query_one(StatusBar).unread_count == len(UNREAD)
        messages = [note.message for note in notifications(app)]
        assert f"Marked {len(UNREAD)} stories unread again." in messages
        assert app.main_screen.check_action("undo_mark_all", ()) is False


async def test_shift_m_marks_only_what_the_view_shows(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "harbour OR hospital")
        await pilot.press("enter", "M")
        await settle(pilot)
        marked = {STORIES[0].id, STORIES[3].id, STORIES[5].id}
        assert {story.id for story in STORIES if stored(store, story.id).read} == marked | {
            story.id for story in STORIES if story.read
        }
        await pilot.press("escape")
        await settle(pilot)
        assert all(row(app, story_id).read for story_id in marked)
        assert not row(app, STORIES[1].id).read
        await pilot.press("u")
        await settle(pilot)
        assert {story.id for story in STORIES if not stored(store, story.id).read} == set(UNREAD)
        assert not row(app, STORIES[0].id).read


async def test_m_after_shift_m_wins(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("M", "m")
        await settle(pilot)
        assert not stored(store, STORIES[0].id).read
        assert stored(store, STORIES[1].id).read


# ---------------------------------------------------------------- notes


async def test_e_edits_a_note_the_viewer_shows_it_and_search_finds_it(app: BroadsheetApp, store: Store) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("j", "e")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, NoteDialog)
        assert app.focused is dialog.query_one(TextArea)
        await pilot.press(*"Ask Jonas about the zeppelin floats", "enter", *"[b]not bold[/b]", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        note = "Ask Jonas about the zeppelin floats\n[b]not bold[/b]"
        assert stored(store, STORIES[1].id).note == note
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        shown = viewer.query_one("#story-note", Static)
        assert shown.display and shown.content.plain == note
        assert viewer.query_one("#note-heading", Static).display
        await pilot.press("escape")
        await search_for(pilot, "zeppelin")
        assert [story.id for story in app.query_one(StoryList).stories] == [STORIES[1].id]
        snippet = app.query_one(StoryList).snippet(STORIES[1].id)
        assert snippet is not None and "zeppelin" in snippet.text


async def test_e_shows_the_note_there_is_and_escape_keeps_it(app: BroadsheetApp, store: Store) -> None:
    store.update_story(STORIES[0].id, note="Keep this")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one(TextArea).text == "Keep this"
        await pilot.press(*" and this", "escape")
        await settle(pilot)
        assert stored(store, STORIES[0].id).note == "Keep this"


async def test_an_emptied_note_is_removed(app: BroadsheetApp, store: Store) -> None:
    store.update_story(STORIES[0].id, note="Old")
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one(TextArea).text = "  "
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert stored(store, STORIES[0].id).note == ""
        assert "Note removed." in [note.message for note in notifications(app)]
        assert not app.query_one(StoryView).query_one("#story-note", Static).display
