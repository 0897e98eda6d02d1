"""Binding ids, the `?` help screen and the command palette."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.widgets import Static
from tui_helpers import fixed_stories, row, settle, stored

from store import Store
from tui.app import BroadsheetApp
from tui.commands import SavedSearchCommands, StoryCommands, broadsheet_actions, help_actions
from tui.dialogs.base import Dialog
from tui.dialogs.confirm import ConfirmDialog
from tui.dialogs.input import InputDialog
from tui.dialogs.note import NoteDialog
from tui.screens.help import KEY_WIDTH, QUERY_LANGUAGE, TITLE_WIDTH, HelpScreen
from tui.screens.main import MainScreen
from tui.screens.views import ViewsScreen
from tui.views import saved_view
from tui.widgets.feed_table import FeedTable
from tui.widgets.highlights import Highlights
from tui.widgets.search_bar import SearchBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView
from tui.widgets.view_list import ViewList

BINDING_OWNERS: list[type[DOMNode]] = [
    BroadsheetApp,
    MainScreen,
    StoryList,
    SearchBar,
    Highlights,
    StoryView,
    HelpScreen,
    ViewsScreen,
    ViewList,
    FeedTable,
    Dialog,
    ConfirmDialog,
    InputDialog,
    NoteDialog,
]

# Every key the issue asks for, by the id users will remap it with.
ISSUE_KEYS = {
    "story.down": {"j", "down"},
    "story.up": {"k", "up"},
    "story.first": {"g"},
    "story.last": {"G"},
    "story.open": {"enter", "l"},
    "view.back": {"h", "escape"},
    "pane.next": {"tab"},
    "pane.previous": {"shift+tab"},
    "viewer.page_down": {"space", "pagedown"},
    "viewer.page_up": {"pageup"},
    "story.toggle_bookmark": {"b"},
    "story.toggle_read": {"m"},
    "app.quit": {"q"},
    "app.help": {"question_mark"},
    "app.command_palette": {"ctrl+p"},
    "search.open": {"slash"},
    "search.close": {"escape"},
    "search.save": {"S"},
    "viewer.next_match": {"n"},
    "viewer.previous_match": {"N"},
    "view.bookmarks": {"B"},
    "story.edit_note": {"e"},
    "view.mark_all_read": {"M"},
    "view.undo_mark_all": {"u"},
    "view.unread_only": {"U"},
    "views.open": {"F"},
    # Foundation and Feeds
    "story.page_down": {"pagedown"},
    "story.page_up": {"pageup"},
    "story.half_down": {"ctrl+d"},
    "story.half_up": {"ctrl+u"},
    "story.next_unread": {"full_stop"},
    "pane.page_down": {"space"},
    "feeds.refresh": {"r"},
}

# The actions this issue adds: each has a key, a palette entry and a line in the help.
NEW_ACTIONS = [
    "search.open",
    "search.close",
    "search.save",
    "viewer.next_match",
    "viewer.previous_match",
    "view.bookmarks",
    "story.edit_note",
    "view.mark_all_read",
    "view.undo_mark_all",
    "view.unread_only",
    "views.open",
    "story.page_down",
    "story.page_up",
    "story.half_down",
    "story.half_up",
    "story.next_unread",
    "pane.page_down",
    "feeds.refresh",
]


@pytest.mark.parametrize("owner", BINDING_OWNERS, ids=lambda owner: owner.__name__)
def test_every_binding_has_an_id(owner: type[DOMNode]) -> None:
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding) and binding.id, f"{owner.__name__}: {binding}"


def test_owners_do_not_inherit_unnamed_bindings() -> None:
    for owner in BINDING_OWNERS:
        assert owner._merged_bindings is not None
        for _key, binding in owner._merged_bindings:
            assert binding.id, f"{owner.__name__} inherits {binding}"


def test_every_title_fits_its_column_in_the_help() -> None:
    for owner in BINDING_OWNERS:
        for binding in vars(owner).get("BINDINGS", []):
            assert len(binding.tooltip or binding.description) < TITLE_WIDTH, binding.id


def test_binding_ids_are_unique() -> None:
    ids = [
        binding.id
        for owner in BINDING_OWNERS
        for binding in vars(owner).get("BINDINGS", [])  # its own, not a base class's
        if isinstance(binding, Binding)
    ]
    assert len(ids) == len(set(ids))


async def test_issue_keys_are_bound_by_id(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = {action.binding_id: {binding.key for binding in action.keys} for action in broadsheet_actions(app)}
        for binding_id, wanted in ISSUE_KEYS.items():
            assert wanted <= keys[binding_id], binding_id


async def test_help_lists_every_binding(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = help_screen.key_table().plain
        for action in help_actions(app):
            assert action.binding_id in text
            assert action.key_display(app) in text
            assert action.title in text
        for pane in ("Story list", "Search bar", "Highlights", "Viewer", "Everywhere", "Feeds & views", "Dialogs"):
            assert pane in text
        for binding_id in (
            "views.delete_search",
            "views.open",
            "dialog.confirm",
            "dialog.cancel",
            "note.save",
            "feeds.choose",
            "feeds.refresh_one",
            "feeds.remove",
        ):
            assert binding_id in text
        assert help_screen.query_one("#help-keys", Static).content == help_screen.key_table()


@pytest.mark.parametrize("key", ["escape", "q", "question_mark"])
async def test_help_closes(app: BroadsheetApp, key: str) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press(key)
        assert isinstance(app.screen, MainScreen)
        assert app.is_running, "q closes the help, it does not quit"


async def test_help_scrolls_by_line_page_and_to_either_end(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        body = help_screen.query_one("#help-body")
        # Actions back to back, as keys read at once from the terminal run: none is lost.
        for _ in range(3):
            help_screen.action_scroll_help(1)
        assert body.scroll_y == 3
        help_screen.action_page_help(1)
        help_screen.action_page_help(1)
        assert body.scroll_y == min(3 + 2 * body.scrollable_content_region.height, body.max_scroll_y)
        await pilot.press("G")
        assert body.scroll_y == body.max_scroll_y > 0
        await pilot.press("g")
        assert body.scroll_y == 0
        await pilot.press("end")
        assert body.scroll_y == body.max_scroll_y


async def test_help_shows_remapped_keys(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_keymap({"story.toggle_bookmark": "B", "story.down": "n"})
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.key_table().plain
        bookmark_line = next(line for line in text.splitlines() if "story.toggle_bookmark" in line)
        assert bookmark_line.split()[0] == "B"
        await pilot.press("escape", "n")
        assert app.query_one(StoryList).cursor == 1


async def test_help_lists_each_remapped_key_once(app: BroadsheetApp) -> None:
    """Textual expands "j,down" into two bindings; remapped, each became "n,down": n, n, down, down."""
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.set_keymap({"story.down": "n,down"})
        (down,) = [action for action in help_actions(app) if action.binding_id == "story.down"]
        assert down.key_display(app) == "n, ↓"
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        line = next(line for line in app.screen.key_table().plain.splitlines() if "story.down" in line)
        assert line[:KEY_WIDTH].strip() == "n, ↓"


async def test_palette_lists_every_action_with_its_key(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        provider = StoryCommands(app.main_screen)
        hits = [hit async for hit in provider.discover()]
        titles = {hit.text for hit in hits}
        for action in broadsheet_actions(app):
            if action.in_palette:
                assert action.title in titles
        toggle = next(hit for hit in hits if hit.text == "Toggle bookmark")
        assert toggle.help is not None and toggle.help.startswith("b")


async def test_palette_runs_toggle_bookmark(app: BroadsheetApp, store: Store) -> None:
    story_id = fixed_stories()[0].id
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not stored(store, story_id).bookmarked
        await pilot.press("ctrl+p")
        await pilot.press(*"Toggle bookmark")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, CommandPalette)
        assert row(app, story_id).bookmarked
        assert stored(store, story_id).bookmarked


async def test_help_documents_the_query_language(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        search_help = app.screen.query_one("#help-search", Static).content.plain
        examples = ('"night bus"', "launch*", "-strike", "tram OR bus", "title:tram", "is:unread", "before:", "after:")
        for example in examples:
            assert example in search_help
        for words in ("source:", "author:", "is:read", "is:bookmarked"):
            assert words in search_help
        assert len(QUERY_LANGUAGE) >= 9
        await pilot.press("slash")
        body = app.screen.query_one("#help-body")
        assert body.scroll_y > 0, "/ jumps to the search syntax"


async def test_palette_has_an_entry_for_every_new_action(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = {hit.text for hit in [hit async for hit in StoryCommands(app.main_screen).discover()]}
        actions = {action.binding_id: action for action in broadsheet_actions(app)}
        for binding_id in NEW_ACTIONS:
            assert actions[binding_id].in_palette
            assert actions[binding_id].title in titles, binding_id


async def test_palette_runs_show_bookmarks(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Show bookmarks")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.view.kind == "bookmarks"


async def test_palette_says_when_an_action_cannot_run(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"Save this search")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        messages = [notification.message for notification in app._notifications]
        assert "Save this search with a name: not available here." in messages


async def test_palette_opens_saved_searches(app: BroadsheetApp, store: Store) -> None:
    store.save_search("Trams", "tram")
    store.save_search("[b]Bold[/b]", "coffee")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        provider = SavedSearchCommands(app.main_screen)
        titles = [hit.text async for hit in provider.discover()]
        assert sorted(titles) == ["Open saved search: Trams", "Open saved search: [b]Bold[/b]"]
        await pilot.press("ctrl+p", *"saved search bold")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.main_screen.view == saved_view("[b]Bold[/b]", "coffee")
        assert [story.id for story in app.query_one(StoryList).stories] == [fixed_stories()[2].id]
