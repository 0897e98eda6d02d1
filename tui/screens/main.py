"""The main screen: story list, highlights and viewer, fed from the store by workers.

The list shows one *view* at a time (tui.views): all stories, bookmarks, a search
typed in the search bar, or a saved search, optionally narrowed to unread stories.
Every store call runs in a named worker that posts a message; the handlers here own
the state and call down into the widgets.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Container, Vertical
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from store import QueryError, SavedSearch, Store, StoreError, Story, StorySummary, sample_stories
from tui.dialogs.input import InputDialog
from tui.dialogs.note import NoteDialog
from tui.matches import StoryMatches, find_story_matches, query_terms, spans_in
from tui.screens.views import ViewsScreen
from tui.views import ALL_STORIES, BOOKMARKS, SEARCH_LIMIT, View, saved_view, search_view, unread_only_query
from tui.widgets.highlights import Highlights
from tui.widgets.search_bar import HINT, SearchBar
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import KEEP, RowSnippet, StoryList, KeepCursor
from tui.widgets.story_view import StoryView
from tui.widgets.view_list import ViewChoice

WIDE_LAYOUT_WIDTH = 120
"""From this many columns the panes sit side by side."""

STORE_POLL_SECONDS = 2.0
"""How often to look for stories written by other processes."""

Flag = Literal["read", "bookmarked"]
"""The two flags a reader sets on a story."""

Select = str | None | KeepCursor
"""Where the cursor goes when rows arrive: a story id, the top (None), or where it is (KEEP)."""


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """What the list showed before a search, to put back exactly when the search closes."""

    view: View
    unread_only: bool
    rows: list[StorySummary]
    cursor_id: str | None
    scroll_y: float
    unread_count: int
    matched_count: int | None


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


class MainScreen(Screen[None], inherit_bindings=False):
    """Three panes over one store: list | highlights over viewer, or stacked when narrow."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_LAYOUT_WIDTH, "-wide")]
    AUTO_FOCUS = "StoryList"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_pane", "Next pane", show=False, tooltip="Go to the next pane", id="pane.next"),
        Binding(
            "shift+tab",
            "previous_pane",
            "Previous pane",
            show=False,
            tooltip="Go to the previous pane",
            id="pane.previous",
        ),
        Binding("h,escape", "back", "Back", tooltip="Go back to the story list", id="view.back"),
        # After view.back: escape closes the search when there is nothing to go back from.
        Binding(
            "escape",
            "close_search",
            "Close search",
            show=False,
            tooltip="Close the search; list as it was",
            id="search.close",
        ),
        Binding("b", "toggle_bookmark", "Bookmark", tooltip="Toggle bookmark", id="story.toggle_bookmark"),
        Binding("m", "toggle_read", "Read", tooltip="Toggle read", id="story.toggle_read"),
        Binding("slash", "search", "Search", tooltip="Search the stories", id="search.open"),
        Binding(
            "S", "save_search", "Save search", show=False, tooltip="Save this search with a name", id="search.save"
        ),
        Binding("n", "next_match", "Next match", show=False, tooltip="Next match in the story", id="viewer.next_match"),
        Binding(
            "N",
            "previous_match",
            "Previous match",
            show=False,
            tooltip="Previous match in the story",
            id="viewer.previous_match",
        ),
        Binding("e", "edit_note", "Note", show=False, tooltip="Add or edit a note on the story", id="story.edit_note"),
        Binding("B", "bookmarks", "Bookmarks", show=False, tooltip="Show bookmarks, or go back", id="view.bookmarks"),
        Binding(
            "U",
            "unread_only",
            "Unread only",
            show=False,
            tooltip="Show only unread stories, or all",
            id="view.unread_only",
        ),
        Binding(
            "M",
            "mark_all_read",
            "Mark all read",
            show=False,
            tooltip="Mark all in this view read",
            id="view.mark_all_read",
        ),
        Binding(
            "u", "undo_mark_all", "Undo", show=False, tooltip="Undo marking everything read", id="view.undo_mark_all"
        ),
        Binding("F", "views", "Views", show=False, tooltip="Feeds, views and saved searches", id="views.open"),
        Binding(
            "space,pagedown",
            "page_down",
            "Page down",
            show=False,
            tooltip="Scroll the story down a page",
            id="viewer.page_down",
        ),
        Binding("pageup", "page_up", "Page up", show=False, tooltip="Scroll the story up a page", id="viewer.page_up"),
        Binding("ctrl+c", "copy_text", "Copy", show=False, tooltip="Copy the selected text", id="screen.copy"),
    ]

    # ------------------------------------------------------------ messages from the workers

    class StoriesLoaded(Message):
        """The rows of a view, read by a worker (a search's rows come with their highlights)."""

        def __init__(
            self,
            view: View,
            unread_only: bool,
            summaries: list[StorySummary],
            *,
            select: Select = KEEP,
            matched_count: int | None = None,
            highlights: dict[str, list[str]] | None = None,
        ) -> None:
            super().__init__()
            self.view = view
            self.unread_only = unread_only
            self.summaries = summaries
            self.unread_count = sum(1 for summary in summaries if not summary.read)
            self.select = select
            self.matched_count = matched_count
            self.highlights = highlights or {}

    class SearchFailed(Message):
        """The query cannot run: `error` says why in one plain sentence."""

        def __init__(self, view: View, error: str) -> None:
            super().__init__()
            self.view = view
            self.error = error

    class SnippetsCut(Message):
        """Snippets for rows of the search `key`."""

        def __init__(self, key: str, snippets: dict[str, RowSnippet]) -> None:
            super().__init__()
            self.key = key
            self.snippets = snippets

    class StoryLoaded(Message):
        """One story's full text, read by a worker (None: it is gone from the store), with what `query` matched."""

        def __init__(
            self, story_id: str, story: Story | None, query: str = "", matches: StoryMatches | None = None
        ) -> None:
            super().__init__()
            self.story_id = story_id
            self.story = story
            self.query = query
            self.matches = matches

    class FlagWritten(Message):
        """A flag change reached the store (or failed: then a reload follows)."""

        def __init__(self, story_id: str, flag: Flag, ticket: int) -> None:
            super().__init__()
            self.story_id = story_id
            self.flag = flag
            self.ticket = ticket

    class ReadStateWritten(Message):
        """Many stories marked read (or unread, undoing): `changed` are the ids the store changed."""

        def __init__(self, story_ids: list[str], read: bool, ticket: int, changed: list[str], *, undoing: bool) -> None:
            super().__init__()
            self.story_ids = story_ids
            self.read = read
            self.ticket = ticket
            self.changed = changed
            self.undoing = undoing

    class SavedSearchesLoaded(Message):
        def __init__(self, searches: list[SavedSearch]) -> None:
            super().__init__()
            self.searches = searches

    class SearchSaved(Message):
        def __init__(self, search: SavedSearch, replaced: bool) -> None:
            super().__init__()
            self.search = search
            self.replaced = replaced

    class NoteReady(Message):
        """A story read for its note, so the note editor can open."""

        def __init__(self, story: Story) -> None:
            super().__init__()
            self.story = story

    class NoteSaved(Message):
        def __init__(self, story_id: str, note: str) -> None:
            super().__init__()
            self.story_id = story_id
            self.note = note

    class SavedSearchNews(Message):
        """New stories that saved searches match: (search name, how many)."""

        def __init__(self, news: list[tuple[str, int]]) -> None:
            super().__init__()
            self.news = news

    class StoreChanged(Message):
        """Another process changed the store."""

    class StoreFailed(Message):
        """A store call failed; `reload` when what the screen shows may now be wrong."""

        def __init__(self, error: str, *, reload: bool, title: str = "Store") -> None:
            super().__init__()
            self.error = error
            self.reload = reload
            self.title = title

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        super().__init__(id="main")
        self._store = store
        self._clock = clock
        self._story_cache: LRUCache[str, Story] = LRUCache(64)
        self._match_cache: LRUCache[tuple[str, str], StoryMatches] = LRUCache(64)
        self._wanted_id: str | None = None
        self._unread_count = 0
        self._matched_count: int | None = None
        self._write_lock = threading.Lock()
        self._write_tickets = itertools.count()
        self._unsaved_flags: dict[tuple[str, Flag], tuple[int, bool]] = {}
        """Flag changes shown but not yet written: (story id, flag) -> (ticket, value)."""
        self._view = ALL_STORIES
        self._unread_only = False
        self._cursors: dict[View, str] = {}
        """The story the cursor was on in each view left, to put it back on return."""
        self._before_search: ListSnapshot | None = None
        self._before_bookmarks: View | None = None
        self._search_error = ""
        self._result_highlights: dict[str, list[str]] = {}
        self._saved_searches: list[SavedSearch] = []
        self._undo_read: list[str] = []
        """The stories the last mark-all-read changed: what `u` marks unread again."""

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Container(id="panes"):
            with Vertical(id="list-column"):
                yield SearchBar(id="search-bar")
                yield StoryList(self._clock, id="story-list")
            with Vertical(id="reader"):
                yield Highlights(id="highlights")
                yield StoryView(self._clock, id="story-view")
        yield StatusBar(id="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.story_list.border_title = "Stories"
        self.highlights.border_title = "Highlights"
        self.story_view.border_title = "Story"
        self.search_bar.display = False
        self._load_stories(seed_samples=True)
        self._load_saved_searches()
        self.set_interval(STORE_POLL_SECONDS, self._poll_store)

    @property
    def story_list(self) -> StoryList:
        return self.query_one(StoryList)

    @property
    def highlights(self) -> Highlights:
        return self.query_one(Highlights)

    @property
    def story_view(self) -> StoryView:
        return self.query_one(StoryView)

    @property
    def search_bar(self) -> SearchBar:
        return self.query_one(SearchBar)

    @property
    def reading(self) -> bool:
        """True while a story is open (in a narrow terminal the viewer then fills the screen)."""
        return self.has_class("-reading")

    @property
    def view(self) -> View:
        """What the story list shows."""
        return self._view

    @property
    def unread_only(self) -> bool:
        return self._unread_only

    @property
    def searching(self) -> bool:
        """True while the search bar is open (the list shows its results once a query runs)."""
        return self._before_search is not None

    @property
    def saved_searches(self) -> Sequence[SavedSearch]:
        """The saved searches, as last read from the store (for the command palette)."""
        return self._saved_searches

    def panes(self) -> list[tuple[str, Sequence[DOMNode]]]:
        """Where each binding lives, by the pane a person would name."""
        return [
            ("Story list", [self.story_list]),
            ("Search bar", [self.search_bar]),
            ("Highlights", [self.highlights]),
            ("Viewer", [self.story_view]),
            ("Everywhere", [self, self.app]),
        ]

    def _viewer_shown(self) -> bool:
        return self.has_class("-wide") or self.reading

    def _set_reading(self, reading: bool) -> None:
        self.set_class(reading, "-reading")
        self.refresh_bindings()

    def _typing_query(self) -> bool:
        return isinstance(self.focused, Input) and self.focused.id == "search-input"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_search":
            return self.searching and not self.reading and (self._typing_query() or self.focused is self.story_list)
        if action == "back":
            return (self.reading or self.focused is not self.story_list) and not self._typing_query()
        if self._typing_query() and action not in ("next_pane", "previous_pane", "copy_text", "views"):
            return False
        if action in ("toggle_bookmark", "toggle_read", "edit_note"):
            return self.story_list.highlighted_story is not None
        if action == "save_search":
            return self._view.has_query and not self._search_error
        if action in ("next_match", "previous_match"):
            return self._viewer_shown() and self.story_view.match_count > 0
        if action == "mark_all_read":
            return self._unread_count > 0
        if action == "undo_mark_all":
            return bool(self._undo_read)
        if action in ("page_down", "page_up"):
            return self._viewer_shown()
        return True

    # ------------------------------------------------------------ actions

    def action_next_pane(self) -> None:
        self.focus_next()

    def action_previous_pane(self) -> None:
        self.focus_previous()

    def action_back(self) -> None:
        self._set_reading(False)
        self.story_list.focus()

    def action_page_down(self) -> None:
        self.story_view.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.story_view.scroll_page_up(animate=False)

    def action_toggle_bookmark(self) -> None:
        story = self.story_list.highlighted_story
        if story is not None:
            self._change_flag(story, "bookmarked", not story.bookmarked)

    def action_toggle_read(self) -> None:
        story = self.story_list.highlighted_story
        if story is not None:
            self._change_flag(story, "read", not story.read)

    @on(StoryList.Selected)
    def _open_story(self, message: StoryList.Selected) -> None:
        self._set_reading(True)
        self.story_view.focus()
        story = self.story_list.story(message.story_id)
        if story is not None and not story.read:
            self._change_flag(story, "read", True)

    @on(DescendantFocus)
    def _leave_reading(self, event: DescendantFocus) -> None:
        if event.widget is self.story_list and self.reading:
            self._set_reading(False)
        self.refresh_bindings()

    # ------------------------------------------------------------ views

    def open_view(self, view: View, *, unread_only: bool | None = None) -> None:
        """Show another view (closing a search first); the cursor goes back where it was in that view."""
        if self.searching:
            self._close_search(reload=False)
        if view == self._view and (unread_only is None or unread_only == self._unread_only):
            self._set_reading(False)
            self.story_list.focus()
            return
        if view != BOOKMARKS:
            self._before_bookmarks = None
        self._remember_cursor()
        self._view = view
        if unread_only is not None:
            self._unread_only = unread_only
        self._matched_count = None
        self._set_reading(False)
        self.story_list.focus()
        self._update_status()
        self._reload(select=self._cursors.get(view))

    def _remember_cursor(self) -> None:
        highlighted = self.story_list.highlighted_story
        if highlighted is not None and self._view.kind != "search":
            self._cursors[self._view] = highlighted.id

    def action_bookmarks(self) -> None:
        if self._before_search is not None:
            from_bookmarks = self._before_search.view == BOOKMARKS
            self._close_search(reload=from_bookmarks)
            if from_bookmarks:
                return  # the search was over the bookmarks: closing it is enough
        elif self._view == BOOKMARKS:
            self.open_view(self._before_bookmarks or ALL_STORIES)
            return
        came_from = self._view
        self.open_view(BOOKMARKS)
        self._before_bookmarks = came_from

    def action_unread_only(self) -> None:
        self._unread_only = not self._unread_only
        self._update_status()
        shown = "unread stories only" if self._unread_only else "read and unread stories"
        self.notify(f"Showing {shown}.", timeout=2)
        self._reload(select=KEEP)

    def action_views(self) -> None:
        if self._view.kind == "saved":
            current = f"saved:{self._view.name.lower()}"
        elif self._view == BOOKMARKS:
            current = "bookmarks"
        elif self._view == ALL_STORIES:
            current = "unread" if self._unread_only else "all"
        else:
            current = ""
        self.app.push_screen(ViewsScreen(self._store, current), self._view_chosen)

    def _view_chosen(self, choice: ViewChoice | None) -> None:
        self._load_saved_searches()
        if choice is not None:
            self.open_view(choice.view, unread_only=choice.unread_only)

    def _reload(self, *, select: Select = KEEP, seed_samples: bool = False) -> None:
        """Read the current view again from the store, in a worker."""
        view = self._view
        if view.kind == "search":
            if view.query.strip():
                self._run_search(view, self._unread_only, select)
            return
        self._read_view(view, self._unread_only, select, seed_samples)

    def _load_stories(self, *, seed_samples: bool = False) -> None:
        """Read the current view again, the cursor staying on its story."""
        self._reload(select=KEEP, seed_samples=seed_samples)

    # ------------------------------------------------------------ search

    def action_search(self) -> None:
        if not self.searching:
            self._before_search = self._snapshot()
            self._remember_cursor()
            self._view = search_view("")
            self._search_error = ""
            self._matched_count = None
            self.add_class("-searching")
            self._update_status()
        self._set_reading(False)
        self.search_bar.open()

    def _snapshot(self) -> ListSnapshot:
        story_list = self.story_list
        highlighted = story_list.highlighted_story
        return ListSnapshot(
            view=self._view,
            unread_only=self._unread_only,
            rows=list(story_list.stories),
            cursor_id=highlighted.id if highlighted is not None else None,
            scroll_y=story_list.scroll_y,
            unread_count=self._unread_count,
            matched_count=self._matched_count,
        )

    def action_close_search(self) -> None:
        self._close_search(reload=True)

    def _close_search(self, *, reload: bool) -> None:
        """Close the bar and put back the list, the cursor and the scroll as they were before it opened."""
        snapshot = self._before_search
        if snapshot is None:
            return
        self._before_search = None
        self._search_error = ""
        self.remove_class("-searching")
        self.search_bar.close()
        self._view = snapshot.view
        self._unread_only = snapshot.unread_only
        self._matched_count = snapshot.matched_count
        self._show_rows(snapshot.rows, select=snapshot.cursor_id, snippet_key=None, unread_count=snapshot.unread_count)
        # After the layout has changed back (the list's height may differ while searching).
        self.call_after_refresh(self.story_list.scroll_to, y=snapshot.scroll_y, animate=False, immediate=True)
        self._set_reading(False)
        self.story_list.focus()
        self._update_status()
        if reload:
            self._reload(select=KEEP)

    @on(SearchBar.QueryChanged)
    def _query_changed(self, message: SearchBar.QueryChanged) -> None:
        if not self.searching:
            return
        self._view = search_view(message.query.strip())
        self._search_error = ""
        if not self._view.query:
            snapshot = self._before_search
            assert snapshot is not None
            self._matched_count = None
            self._show_rows(
                snapshot.rows, select=snapshot.cursor_id, snippet_key=None, unread_count=snapshot.unread_count
            )
            self.search_bar.show_message(HINT)
        else:
            self.search_bar.show_message("Searching…")
            self._run_search(self._view, self._unread_only, None)
        self._update_status()
        self.refresh_bindings()

    @on(SearchBar.Submitted)
    def _query_submitted(self) -> None:
        if self._view.query and self.story_list.story_count and not self._search_error:
            self.story_list.focus()

    @on(SearchFailed)
    def _search_failed(self, message: SearchFailed) -> None:
        if message.view != self._view:
            return
        self._search_error = message.error
        self.search_bar.show_message(message.error, error=True)
        self.refresh_bindings()

    @on(StoryList.SnippetsWanted)
    def _snippets_wanted(self, message: StoryList.SnippetsWanted) -> None:
        wanted = []
        for story_id in message.story_ids:
            story = self.story_list.story(story_id)
            if story is not None:
                wanted.append((story_id, story.title, self._result_highlights.get(story_id, [])))
        if wanted:
            self._cut_snippets(message.key, wanted)

    @on(SnippetsCut)
    def _snippets_cut(self, message: SnippetsCut) -> None:
        self.story_list.set_snippets(message.key, message.snippets)

    def action_next_match(self) -> None:
        if not self.story_view.next_match(1):
            self.notify("No more matches below.", timeout=3)

    def action_previous_match(self) -> None:
        if not self.story_view.next_match(-1):
            self.notify("No more matches above.", timeout=3)

    # ------------------------------------------------------------ saved searches

    def action_save_search(self) -> None:
        view = self._view
        if not view.has_query:
            self.notify("Search first (press /), then save the search.", markup=False)
            return
        suggestion = view.name if view.kind == "saved" else view.query
        dialog = InputDialog(
            "Save search",
            f"A name for the search “{view.query}”:",
            value=suggestion[:60],
            placeholder="e.g. Trams",
            max_length=60,
        )

        def answered(name: str | None) -> None:
            if name:
                self._save_search(name, view.query)

        self.app.push_screen(dialog, answered)

    @on(SearchSaved)
    def _search_saved(self, message: SearchSaved) -> None:
        verb = "Replaced" if message.replaced else "Saved"
        self.notify(
            f"{verb} the search “{message.search.name}”. F lists it with its unread count.",
            title="Saved searches",
            markup=False,
        )
        self._load_saved_searches()

    @on(SavedSearchesLoaded)
    def _saved_searches_loaded(self, message: SavedSearchesLoaded) -> None:
        self._saved_searches = message.searches
        if self._view.kind == "saved":
            by_name = {search.name.lower(): search for search in message.searches}
            kept = by_name.get(self._view.name.lower())
            if kept is None:
                self.notify(f"The saved search “{self._view.name}” is gone: showing all stories.", markup=False)
                self.open_view(ALL_STORIES)
            elif kept.query != self._view.query:
                self.open_view(saved_view(kept.name, kept.query))

    def announce_new_stories(self, story_ids: list[str]) -> None:
        """Tell the reader which saved searches match these new stories (e.g. after a fetch)."""
        if story_ids:
            self._announce_new_stories(list(story_ids))

    @on(SavedSearchNews)
    def _saved_search_news(self, message: SavedSearchNews) -> None:
        for name, count in message.news:
            self.notify(f"{name}: {plural(count, 'new story', 'new stories')}", title="Saved search", markup=False)

    # ------------------------------------------------------------ notes

    def action_edit_note(self) -> None:
        story = self.story_list.highlighted_story
        if story is None:
            return
        cached = self._story_cache.get(story.id)
        if cached is not None:
            self._open_note_editor(cached)
        else:
            self._read_story_for_note(story.id)

    @on(NoteReady)
    def _note_ready(self, message: NoteReady) -> None:
        self._cache_story(message.story)
        self._open_note_editor(message.story)

    def _open_note_editor(self, story: Story) -> None:
        def answered(note: str | None) -> None:
            if note is not None and note != story.note:
                self._save_note(story.id, note)

        self.app.push_screen(NoteDialog(story.title, story.note), answered)

    @on(NoteSaved)
    def _note_saved(self, message: NoteSaved) -> None:
        self.notify("Note saved." if message.note else "Note removed.")
        cached = self._story_cache.get(message.story_id)
        if cached is not None:
            self._cache_story(dataclasses.replace(cached, note=message.note))
        self._match_cache.clear()
        if self._wanted_id == message.story_id:
            self._request_story(message.story_id)

    # ------------------------------------------------------------ read state of many stories

    def action_mark_all_read(self) -> None:
        unread = [story for story in self.story_list.stories if not story.read]
        if not unread:
            self.notify("Everything here is read already.")
            return
        self._write_read_state([story.id for story in unread], True, undoing=False)

    def action_undo_mark_all(self) -> None:
        story_ids, self._undo_read = self._undo_read, []
        self.refresh_bindings()
        if story_ids:
            self._write_read_state(story_ids, False, undoing=True)

    def _write_read_state(self, story_ids: list[str], read: bool, *, undoing: bool) -> None:
        """Show many stories read (or unread) at once, then write them in a worker."""
        ticket = next(self._write_tickets)
        story_list = self.story_list
        changed_rows = []
        for story_id in story_ids:
            self._unsaved_flags[(story_id, "read")] = (ticket, read)
            row = story_list.story(story_id)
            if row is not None and row.read != read:
                changed_rows.append(dataclasses.replace(row, read=read))
        story_list.replace_stories(changed_rows)
        self._unread_count += -len(changed_rows) if read else len(changed_rows)
        shown = self.story_view.story
        if shown is not None and shown.id in set(story_ids):
            self._show_story(shown)
        self._update_status()
        self.refresh_bindings()
        self._write_many_read(story_ids, read, ticket, undoing)

    @on(ReadStateWritten)
    def _read_state_written(self, message: ReadStateWritten) -> None:
        for story_id in message.story_ids:
            key = (story_id, "read")
            if self._unsaved_flags.get(key, (None, False))[0] == message.ticket:
                del self._unsaved_flags[key]
        count = len(message.changed)
        if message.undoing:
            self.notify(f"Marked {plural(count, 'story', 'stories')} unread again.", title="Undone")
        else:
            self._undo_read = message.changed
            self.notify(f"Marked {plural(count, 'story', 'stories')} read. Press u to undo.", title="Read")
        self.refresh_bindings()

    # ------------------------------------------------------------ showing stories

    @on(StoriesLoaded)
    def _show_stories(self, message: StoriesLoaded) -> None:
        if message.view != self._view or message.unread_only != self._unread_only:
            return  # the reader moved on while the worker ran
        self._story_cache.clear()
        searching = message.view.kind == "search"
        if searching:
            self._result_highlights = message.highlights
            self._search_error = ""
        select = message.select
        if searching and self.story_list.snippet_key != message.view.query:
            select = None  # a new query: its best result first
        self._matched_count = message.matched_count
        self._show_rows(
            message.summaries,
            select=select,
            snippet_key=message.view.query if searching else None,
            unread_count=message.unread_count,
        )
        if searching:
            self.search_bar.show_message(self._results_line(len(message.summaries), message.matched_count))
        self._update_status()
        self.refresh_bindings()

    def _results_line(self, shown: int, matched: int | None) -> str:
        if not shown:
            return "No stories match. escape: close"
        found = plural(shown, "story", "stories")
        if matched is not None and matched > shown:
            found = f"the best {shown:,} of {matched:,} stories"
        return f"{found} · enter: browse · S: save this search · escape: close"

    def _show_rows(
        self, rows: list[StorySummary], *, select: Select, snippet_key: str | None, unread_count: int
    ) -> None:
        """Put rows in the list, with the flag changes not yet written shown on them."""
        self._unread_count = unread_count
        story_list = self.story_list
        story_list.set_stories(rows, select=select, snippet_key=snippet_key)
        for (story_id, flag), (_ticket, value) in self._unsaved_flags.items():
            story = story_list.story(story_id)
            if story is not None:
                self._show_flag(story, flag, value)
        highlighted = story_list.highlighted_story
        if highlighted is None:
            self._wanted_id = None
            message = "No stories match." if self._view.has_query else "No stories here yet."
            if self._view == ALL_STORIES and not self._unread_only:
                message = "No stories yet."
            self.highlights.show_message(message)
            self.story_view.show_message(message)
        elif highlighted.id == self._wanted_id:
            # Same story under the cursor: its text or its matches may have changed, so read it again.
            self._request_story(highlighted.id)

    @on(StoryList.Highlighted)
    def _story_highlighted(self, message: StoryList.Highlighted) -> None:
        self._request_story(message.story_id)

    def _current_query(self) -> str:
        return self._view.query if self._view.has_query else ""

    def _request_story(self, story_id: str) -> None:
        self._wanted_id = story_id
        query = self._current_query()
        cached = self._story_cache.get(story_id)
        if cached is not None and (not query or (story_id, query) in self._match_cache):
            self._show_story(cached)
        else:
            self._load_story(story_id, query, cached)

    @on(StoryLoaded)
    def _story_loaded(self, message: StoryLoaded) -> None:
        if message.story is not None:
            self._cache_story(message.story)
            if message.matches is not None:
                key = (message.story_id, message.query)
                self._match_cache.discard(key)
                self._match_cache[key] = message.matches
        if message.story_id != self._wanted_id:
            return
        if message.query != self._current_query():
            self._request_story(message.story_id)
        elif message.story is None:
            self.highlights.show_message("This story is no longer in the store.")
            self.story_view.show_message("This story is no longer in the store.")
        else:
            self._show_story(message.story)

    def _cache_story(self, story: Story) -> None:
        # Textual's LRUCache keeps the first value set for a key: drop the old one first.
        self._story_cache.discard(story.id)
        self._story_cache[story.id] = story

    def _show_story(self, story: Story) -> None:
        """Show a story with the flags the list has now (they may be newer than the store's)."""
        summary = self.story_list.story(story.id)
        if summary is not None:
            story = dataclasses.replace(story, read=summary.read, bookmarked=summary.bookmarked)
        query = self._current_query()
        matches = self._match_cache.get((story.id, query)) if query else None
        self.highlights.show_story(story, matches.highlights if matches is not None else ())
        self.story_view.show_story(story, matches)
        self.refresh_bindings()

    def _update_status(self) -> None:
        status = self.query_one(StatusBar)
        status.view_name = self._view.title
        status.unread_only = self._unread_only
        status.story_count = self.story_list.story_count
        status.matched_count = self._matched_count
        status.unread_count = self._unread_count

    # ------------------------------------------------------------ changing flags

    def _change_flag(self, story: StorySummary, flag: Flag, value: bool) -> None:
        """Show the change at once, then write it in a worker."""
        self._show_flag(story, flag, value)
        self._update_status()
        shown = self.story_view.story
        if shown is not None and shown.id == story.id:
            self._show_story(shown)
        ticket = next(self._write_tickets)
        self._unsaved_flags[(story.id, flag)] = (ticket, value)
        self._write_flag(story.id, flag, value, ticket)

    def _show_flag(self, story: StorySummary, flag: Flag, value: bool) -> None:
        """Repaint a row with one flag changed, keeping the unread count in step."""
        if flag == "bookmarked":
            changed = dataclasses.replace(story, bookmarked=value)
        else:
            if story.read != value:
                self._unread_count += -1 if value else 1
            changed = dataclasses.replace(story, read=value)
        self.story_list.replace_story(changed)

    @on(FlagWritten)
    def _flag_written(self, message: FlagWritten) -> None:
        key = (message.story_id, message.flag)
        if self._unsaved_flags.get(key, (None, False))[0] == message.ticket:
            del self._unsaved_flags[key]

    @on(StoreChanged)
    def _store_changed(self) -> None:
        self._load_stories(seed_samples=False)

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, title=message.title, severity="error", markup=False)
        if message.reload:
            self._load_stories(seed_samples=False)

    # ------------------------------------------------------------ workers (no widgets here)

    @work(thread=True, group="store-load", exclusive=True, name="load stories")
    def _read_view(self, view: View, unread_only: bool, select: Select, seed_samples: bool) -> None:
        try:
            if seed_samples and self._store.is_empty():
                self._store.put_stories(sample_stories())
            if view.kind == "saved":
                query = unread_only_query(view.query) if unread_only else view.query
                hits = self._store.search(query, limit=SEARCH_LIMIT, sort="date") if query is not None else []
                summaries = [summary_of(hit.story) for hit in hits]
                matched = self._store.count_matches(query) if len(hits) >= SEARCH_LIMIT and query else None
            else:
                summaries = self._store.summaries(unread_only=unread_only, bookmarked_only=view == BOOKMARKS)
                matched = None
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.StoriesLoaded(view, unread_only, summaries, select=select, matched_count=matched))

    @work(thread=True, group="search", exclusive=True, name="search")
    def _run_search(self, view: View, unread_only: bool, select: Select) -> None:
        worker = get_current_worker()
        try:
            query = unread_only_query(view.query) if unread_only else view.query
            hits = self._store.search(query, limit=SEARCH_LIMIT, sort=view.sort) if query is not None else []
            matched = self._store.count_matches(query) if len(hits) >= SEARCH_LIMIT and query else None
        except QueryError as error:
            if not worker.is_cancelled:
                self.post_message(self.SearchFailed(view, str(error)))
            return
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if worker.is_cancelled:
            return
        summaries = [summary_of(hit.story) for hit in hits]
        highlights = {hit.story.id: hit.story.highlights for hit in hits if hit.story.highlights}
        self.post_message(
            self.StoriesLoaded(
                view, unread_only, summaries, select=select, matched_count=matched, highlights=highlights
            )
        )

    @work(thread=True, group="snippets", name="cut snippets")
    def _cut_snippets(self, query: str, stories: list[tuple[str, str, list[str]]]) -> None:
        worker = get_current_worker()
        terms = query_terms(query)
        cut: dict[str, RowSnippet] = {}
        try:
            for story_id, title, highlights in stories:
                if worker.is_cancelled:
                    return
                snippet = self._store.snippet(story_id, query, highlights or None)
                cut[story_id] = RowSnippet(snippet.text, snippet.spans, spans_in(title, terms))
        except (StoreError, QueryError):
            pass  # a snippet is a courtesy: the rows stay without one
        self.post_message(self.SnippetsCut(query, cut))

    @work(thread=True, group="story-text", exclusive=True, name="load story")
    def _load_story(self, story_id: str, query: str, cached: Story | None) -> None:
        try:
            story = cached if cached is not None else self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        matches = find_story_matches(story, query) if story is not None and query else None
        if not get_current_worker().is_cancelled:
            self.post_message(self.StoryLoaded(story_id, story, query, matches))

    @work(thread=True, group="story-text", exclusive=True, name="read note")
    def _read_story_for_note(self, story_id: str) -> None:
        try:
            story = self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if story is not None:
            self.post_message(self.NoteReady(story))

    @work(thread=True, group="store-write", name="save note")
    def _save_note(self, story_id: str, note: str) -> None:
        try:
            self._store.update_story(story_id, note=note)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Note not saved"))
            return
        self.post_message(self.NoteSaved(story_id, note))

    @work(thread=True, group="store-write", name="save flag")
    def _write_flag(self, story_id: str, flag: Flag, value: bool, ticket: int) -> None:
        # Writes run in their own threads: only the newest change of a flag is written,
        # so two quick presses of a key can never land in the wrong order.
        with self._write_lock:
            latest = self._unsaved_flags.get((story_id, flag))
            if latest is None or latest[0] != ticket:
                return
            try:
                if flag == "read":
                    self._store.set_read([story_id], value)
                else:
                    self._store.set_bookmarked(story_id, value)
            except StoreError as error:
                self.post_message(self.StoreFailed(str(error), reload=True))
            self.post_message(self.FlagWritten(story_id, flag, ticket))

    @work(thread=True, group="store-write", name="save read state")
    def _write_many_read(self, story_ids: list[str], read: bool, ticket: int, undoing: bool) -> None:
        with self._write_lock:
            # A later change of one of these stories (m) wins: it is written by its own worker.
            wanted = [i for i in story_ids if self._unsaved_flags.get((i, "read"), (None, False))[0] == ticket]
            try:
                changed = self._store.set_read(wanted, read) if wanted else []
            except StoreError as error:
                self.post_message(self.StoreFailed(str(error), reload=True))
                changed = []
            self.post_message(self.ReadStateWritten(story_ids, read, ticket, changed, undoing=undoing))

    @work(thread=True, group="saved-searches", exclusive=True, name="load saved searches")
    def _load_saved_searches(self) -> None:
        try:
            searches = self._store.saved_searches()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Saved searches"))
            return
        self.post_message(self.SavedSearchesLoaded(searches))

    @work(thread=True, group="store-write", name="save search")
    def _save_search(self, name: str, query: str) -> None:
        try:
            replaced = any(search.name.lower() == name.lower() for search in self._store.saved_searches())
            saved = self._store.save_search(name, query)
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Search not saved"))
            return
        self.post_message(self.SearchSaved(saved, replaced))

    @work(thread=True, group="announce", name="announce new stories")
    def _announce_new_stories(self, story_ids: list[str]) -> None:
        news: list[tuple[str, int]] = []
        try:
            for search in self._store.saved_searches():
                try:
                    count = len(self._store.matching_ids(search.query, story_ids))
                except QueryError:
                    continue
                if count:
                    news.append((search.name, count))
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Saved searches"))
            return
        if news:
            self.post_message(self.SavedSearchNews(news))

    @work(thread=True, group="store-poll", exclusive=True, name="look for changes")
    def _poll_store(self) -> None:
        try:
            changed = self._store.refresh()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if changed:
            self.post_message(self.StoreChanged())


def summary_of(story: Story) -> StorySummary:
    """A list row for a story read with its list fields only (a search hit)."""
    return StorySummary(
        id=story.id,
        title=story.title,
        source=story.source,
        published=story.published,
        read=story.read,
        bookmarked=story.bookmarked,
        feed=story.feed,
    )
