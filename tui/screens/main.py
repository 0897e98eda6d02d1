"""The main screen: story list, highlights and viewer, fed from the store by workers.

The list shows one *view* at a time (tui.views): all stories, bookmarks, a search
typed in the search bar, a saved search or one feed, optionally narrowed to unread stories.
Every store call runs in a named worker that posts a message; the handlers own
the state and call down into the widgets.

At start, with a large store, the newest rows are read while the app starts (a thread begun
with the screen) and show in the first frame; the whole view follows from a worker, the cursor
staying where the reader has put it meanwhile.  The highlights pane follows the cursor once it
rests (a held key reads no story per row it passes).

The viewer shows the story the reader opened (enter), not the one under the cursor:
side by side, the highlights pane follows the cursor ("the key points of the selected
story") and the viewer stays on what is being read, so a move of the cursor repaints two
rows of the list, the highlights and the status line, and nothing else.  `z` gives the
viewer the whole screen (reading mode); `z` or escape returns.  The layout follows the
width, or the config's `layout` ("wide", "stacked").

`MainScreen` holds the layout, the core actions and the showing of stories; the rest is in
mixins, one module per concern, each typed against `MainScreen`:

- tui.screens.view_switching: which view the list shows, and reading its rows;
- tui.screens.searching: the search bar, its results, and saved searches;
- tui.screens.story_text: full text, generated highlights, links and saved pages;
- tui.screens.feed_refresh: refreshing the feeds;
- tui.screens.story_marks: read, bookmarked, notes, and marking all read;
- tui.screens.store_following: following the store's change log, and its notices;
- tui.grouped: story groups (one row per event, its coverage in the viewer).

Textual collects `@on` handlers only from the screen's own class body: the mixins name their
handlers `on_<message>` instead.
"""

from __future__ import annotations

import dataclasses
import gc
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.containers import Container, Vertical
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input
from textual.worker import get_current_worker

from store import SavedSearch, Store, StoreError, Story, StorySummary
from store.feeds import FeedList
from tui.full_text import text_choice
from tui.grouped import GC_FREEZE_ROWS, GROUPING_ACTIONS, Folded, GroupingMixin
from tui.matches import StoryMatches, find_story_matches
from tui.named_work import named_work
from tui.refresh import plural
from tui.screens.feed_refresh import FeedRefreshMixin, FetchProgressed
from tui.screens.main_keys import MAIN_SCREEN_BINDINGS
from tui.screens.searching import SearchingMixin
from tui.screens.store_following import STORE_POLL_SECONDS, ChangesFound, StoreFollowingMixin
from tui.screens.story_marks import StoryMarksMixin
from tui.screens.story_text import FullTextFetching, StoryTextMixin
from tui.screens.view_switching import FIRST_ROWS, ViewSwitchingMixin
from tui.views import ALL_STORIES, View
from tui.widgets.highlights import Highlights
from tui.widgets.key_bar import KeyBar
from tui.widgets.search_bar import SearchBar
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import KEEP, KeepCursor, StoryList, row_index
from tui.widgets.story_view import StoryView

if TYPE_CHECKING:
    from store.fetch import FetchSettings

WIDE_LAYOUT_WIDTH = 120
"""From this many columns the panes sit side by side (config `layout = "auto"`)."""

LAYOUT_BREAKPOINTS: dict[str, list[tuple[int, str]]] = {
    "auto": [(0, "-narrow"), (WIDE_LAYOUT_WIDTH, "-wide")],
    "wide": [(0, "-wide")],
    "stacked": [(0, "-narrow")],
}
"""The config's `layout`: by the width, always side by side, or always stacked."""

VIEWER_HINT = "enter opens the story under the cursor here · z reads it full screen"
"""What the viewer says beside the list before a story is opened."""

SHORT_HEIGHT = 12
TALL_HEIGHT = 17
"""From SHORT_HEIGHT lines a narrow terminal shows a small highlights pane; from TALL_HEIGHT, a full one."""

EARLY_ROWS_WAIT = 0.3
"""Seconds the screen, once mounted, waits for the rows read while the app started."""

CURSOR_REST_SECONDS = 0.08
"""A cursor that moves again within this time is passing by: the highlights wait till it rests."""

Select = str | None | KeepCursor
"""Where the cursor goes when rows arrive: a story id, the top (None), or where it is (KEEP)."""


class MainScreen(
    ViewSwitchingMixin,
    SearchingMixin,
    StoryTextMixin,
    FeedRefreshMixin,
    StoryMarksMixin,
    StoreFollowingMixin,
    GroupingMixin,
    Screen[None],
    inherit_bindings=False,
):
    """Three panes over one store: list | highlights over viewer, or stacked when narrow."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_LAYOUT_WIDTH, "-wide")]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's, without repainting the whole screen when the focus moves (every row of the list and
    every line of the story, 40 KB over SSH, on each enter and h): the widgets that gain and lose
    the focus repaint themselves."""
    # Below 17 lines the highlights shrink, below 12 they go: the list keeps at least four rows.
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (SHORT_HEIGHT, "-short"), (TALL_HEIGHT, "-tall")]
    AUTO_FOCUS = "StoryList"

    BINDINGS: ClassVar[list[BindingType]] = MAIN_SCREEN_BINDINGS

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
            token: int | None = None,
            folded: Folded | None = None,
            first_rows: bool = False,
        ) -> None:
            super().__init__()
            self.token = token
            """The change-log token taken before the rows were read."""
            self.folded = folded
            """How the rows fold into groups (None: one row per story); `summaries` are then its rows."""
            self.view = view
            self.unread_only = unread_only
            self.summaries = summaries
            self.first_rows = first_rows
            """Only the newest rows (a screenful or so, at start): the whole view follows."""
            # Counted and indexed here, in the worker that posts the message, not on the event loop.
            self.unread_count = sum(1 for summary in summaries if not summary.read)
            self.index = row_index(summaries)
            self.select = select
            self.matched_count = matched_count
            self.highlights = highlights or {}

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

    class StoreFailed(Message):
        """A store call failed; `reload` when what the screen shows may now be wrong."""

        def __init__(self, error: str, *, reload: bool, title: str = "Store") -> None:
            super().__init__()
            self.error = error
            self.reload = reload
            self.title = title

    # Messages of the mixins' modules, also known by these names (`MainScreen.FetchProgressed`).
    ChangesFound = ChangesFound
    FetchProgressed = FetchProgressed
    FullTextFetching = FullTextFetching

    def __init__(
        self,
        store: Store,
        clock: Callable[[], datetime],
        *,
        feeds: FeedList | None = None,
        refresh_minutes: float = 0,
        fetch_settings: FetchSettings | None = None,
    ) -> None:
        super().__init__(id="main")
        self._store = store
        self._clock = clock
        self._feeds = feeds if feeds is not None else FeedList(store.home)
        self._refresh_minutes = refresh_minutes
        self._fetch_settings = fetch_settings
        self._story_cache: LRUCache[str, Story] = LRUCache(64)
        self._match_cache: LRUCache[tuple[str, str], StoryMatches] = LRUCache(64)
        self._wanted_id: str | None = None
        """The story under the cursor: the highlights pane shows it."""
        self._opened_id: str | None = None
        """The story the reader opened (enter): the viewer shows it."""
        self._step_after_open = 0
        """A match to step to (1 next, -1 previous) once the story being opened shows (n from the list)."""
        self._zoom_from_reading = False
        """Whether a story was being read when reading mode began (escape then goes back to it)."""
        self._unread_count = 0
        self._matched_count: int | None = None
        self._view = ALL_STORIES
        self._unread_only = False
        self._token: int | None = None
        """The change-log token of the rows shown: a poll reads the changes since it."""
        self._changed_here: set[str] = set()
        """Stories whose flags the reader changed here since the view was read: a patch keeps
        their rows even when they no longer fit the view (read in "unread only")."""
        self._rest_pending = False
        """The list shows the first rows of its view; the rest is being read."""
        self._reading = False
        """A story is open (see `reading`)."""
        self._last_move = 0.0
        """When the cursor last moved to another story (time.monotonic)."""
        self._rest_timer: Timer | None = None
        """Reads the story under the cursor once the cursor rests (see _story_highlighted)."""
        self._early: tuple[int, list[StorySummary], Folded | None] | None = None
        self._early_done = threading.Event()
        threading.Thread(target=self._read_early, name="read first rows", daemon=True).start()

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
        yield KeyBar()

    def on_mount(self) -> None:
        self._apply_layout_setting()
        self.watch(self.story_list, "announced_position", self._show_position, init=False)
        self.story_list.border_title = "Stories"
        self.highlights.border_title = "Highlights"
        self.story_view.border_title = "Story"
        self.search_bar.display = False
        self.story_view.show_message(VIEWER_HINT)
        self._show_new_notices()
        self._read_last_refresh()
        first = self._early_rows()
        if first is not None:
            self._show_stories(first)  # in the first frame
            self._read_view(self._view, self._unread_only, KEEP, False)  # the rest of the view
        else:
            self._load_stories(seed_samples=True)
        self._load_saved_searches()
        self.set_interval(STORE_POLL_SECONDS, self._poll_store)

    def _read_early(self) -> None:
        """The newest rows of all stories, read while the app starts (in a thread of its own, begun
        with the screen): with a large store they show in the first frame.  A store too small to be
        worth it, or a failure, leaves them to the usual worker (which says what went wrong)."""
        try:
            token = self._store.changes_since(None).token
            first = self._store.summaries(limit=FIRST_ROWS)
            if len(first) >= FIRST_ROWS:
                folded = self.fold_first_rows(ALL_STORIES, False, first)
                self._early = (token, folded.rows if folded is not None else first, folded)
        except Exception:  # noqa: BLE001 - the worker reads the view again and reports
            self._early = None
        finally:
            self._early_done.set()

    def _early_rows(self) -> StoriesLoaded | None:
        """The rows `_read_early` read, as a load of the first rows (None: none, or not in time)."""
        if not self._early_done.wait(EARLY_ROWS_WAIT) or self._early is None:
            return None
        if self._view != ALL_STORIES or self._unread_only:
            return None
        token, rows, folded = self._early
        self._early = None
        return self.StoriesLoaded(ALL_STORIES, False, rows, select=None, token=token, folded=folded, first_rows=True)

    def _apply_layout_setting(self) -> None:
        """Side by side or stacked by the width, or as the config's `layout` says."""
        layout = getattr(getattr(self.app, "config", None), "layout", "auto")
        self.HORIZONTAL_BREAKPOINTS = LAYOUT_BREAKPOINTS.get(layout, LAYOUT_BREAKPOINTS["auto"])
        width = self.size.width or self.app.size.width
        wide = layout == "wide" or (layout == "auto" and width >= WIDE_LAYOUT_WIDTH)
        self.set_class(wide, "-wide")
        self.set_class(not wide, "-narrow")

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
        return self._reading

    @property
    def zoomed(self) -> bool:
        """True in reading mode (z): the viewer has the whole screen."""
        return self.has_class("-zoomed")

    @property
    def opened_id(self) -> str | None:
        """The story the viewer shows (the one last opened), if any."""
        return self._opened_id

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
        self._reading = reading
        self._show_reading()
        if not reading:
            self.set_class(False, "-zoomed")
        self.refresh_bindings()

    def _show_reading(self) -> None:
        """The -reading class, where it changes the look: stacked, the viewer then fills the screen.
        Side by side nothing changes, and a class on the screen restyles every widget (a tenth of a
        second on enter and h): there the class is left off."""
        self.set_class(self._reading and not self.has_class("-wide"), "-reading")

    def on_resize(self) -> None:
        # After Textual's own handler has set the layout's class (-wide or -narrow) for the new width.
        self.call_after_refresh(self._show_reading)

    def _viewer_focused(self) -> bool:
        """True while a story is being read, or the viewer (or a link in it) has the focus."""
        focused = self.focused
        if self.reading:
            return True
        return focused is not None and (focused is self.story_view or self.story_view in focused.ancestors)

    def _typing_query(self) -> bool:
        return isinstance(self.focused, Input) and self.focused.id == "search-input"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_search":
            return self.searching and not self.reading and (self._typing_query() or self.focused is self.story_list)
        if action == "back":
            return (self.reading or self.focused is not self.story_list) and not self._typing_query()
        if self._typing_query() and action not in ("next_pane", "previous_pane", "views"):
            return False
        if action in GROUPING_ACTIONS:
            return self.grouping_action_allowed(action)
        if action in ("toggle_bookmark", "toggle_read", "edit_note", "next_unread"):
            return self.story_list.highlighted_story is not None
        if action == "save_search":
            return self._view.has_query and not self._search_error
        if action in ("next_match", "previous_match"):
            if not self._viewer_shown():
                return False
            return self.story_view.match_count > 0 or (self._view.has_query and self._cursor_story_not_open())
        if action == "toggle_text":
            shown = self._target_story()
            return shown is not None and bool(shown.full_text)
        if action in ("fetch_text", "open_link", "copy_link"):
            shown = self._target_story()
            return shown is not None and bool(shown.url)
        if action == "reading_mode":
            return self.zoomed or self.story_list.highlighted_story is not None or self.story_view.story is not None
        if action == "mark_all_read":
            return self._unread_count > 0
        if action == "undo_mark_all":
            return bool(self._undo_read)
        return True

    # ------------------------------------------------------------ actions

    def action_next_pane(self) -> None:
        self.focus_next()

    def action_previous_pane(self) -> None:
        self.focus_previous()

    def action_back(self) -> None:
        if self.zoomed:
            self._leave_reading_mode()
            return
        self._set_reading(False)
        self.story_list.focus()

    def action_reading_mode(self) -> None:
        """The viewer takes the whole screen (opening the story under the cursor from the list); z again returns."""
        if self.zoomed:
            self._leave_reading_mode()
            return
        was_reading = self.reading
        if not self._viewer_focused():
            highlighted = self.story_list.highlighted_story
            if highlighted is not None:
                self._open(highlighted.id)
        if self.story_view.story is None and self._opened_id is None:
            return
        self._zoom_from_reading = was_reading
        self._reading = True
        self._show_reading()
        self.set_class(True, "-zoomed")
        self.story_view.focus()
        self.refresh_bindings()

    def _leave_reading_mode(self) -> None:
        """Back to where reading mode began: the story being read, or the list."""
        self.set_class(False, "-zoomed")
        if self._zoom_from_reading:
            self.refresh_bindings()
        else:
            self._set_reading(False)
            self.story_list.focus()

    def action_space_page(self) -> None:
        """A page down in the story when it shows, else in the list (a narrow terminal's list)."""
        if self._viewer_shown() and self.story_view.story is not None:
            self.story_view.action_page(1)
        else:
            self.story_list.action_page(1)

    def action_next_unread(self) -> None:
        """The cursor to the next unread story (from the top after the last); opened when reading."""
        story_list = self.story_list
        index = story_list.next_unread()
        if index is None:
            self.notify("No unread stories here.", timeout=3)
            return
        if index <= story_list.cursor:
            self.notify("No unread stories below: back to the first from the top.", timeout=3)
        story_list.move_cursor(index)
        if self.reading:
            story_list.action_select()

    @on(StoryList.Selected)
    def _open_story(self, message: StoryList.Selected) -> None:
        self._set_reading(True)
        self.story_view.focus()
        self._open(message.story_id)

    def _open(self, story_id: str) -> None:
        """Show the story in the viewer (it stays there while the cursor moves on), marked read."""
        self._opened_id = story_id
        self._request_story(story_id)
        story = self.story_list.story(story_id)
        if story is not None and not story.read:
            self._change_flag(story, "read", True)
        if self._fetch_on_open and self._text_fetching != story_id:
            self._fetch_full_text(story_id, force=False)

    def _cursor_story_not_open(self) -> bool:
        highlighted = self.story_list.highlighted_story
        return highlighted is not None and highlighted.id != self._opened_id

    @on(DescendantFocus)
    def _leave_reading(self, event: DescendantFocus) -> None:
        if event.widget is self.story_list and self.reading:
            self._set_reading(False)
        self.refresh_bindings()

    # ------------------------------------------------------------ showing stories

    @on(StoriesLoaded)
    def _show_stories(self, message: StoriesLoaded) -> None:
        if message.view != self._view or message.unread_only != self._unread_only:
            return  # the reader moved on while the worker ran
        if not self._rest_pending:
            self._story_cache.clear()
        self._token = message.token
        searching = message.view.kind == "search"
        if not searching and not self._rest_pending:
            self._changed_here.clear()  # (the rest of a view that showed its first rows keeps them)
        self._rest_pending = message.first_rows
        if searching:
            self._result_highlights = message.highlights
            self._search_error = ""
        select = message.select
        if searching and self.story_list.snippet_key != message.view.query:
            select = None  # a new query: its best result first
        self._matched_count = message.matched_count
        self.use_folded(message.folded)
        self._show_rows(
            message.summaries,
            select=select,
            snippet_key=message.view.query if searching else None,
            unread_count=message.unread_count,
            index=message.index,
        )
        if searching:
            self.search_bar.show_message(self._results_line(len(message.summaries), message.matched_count))
        self._update_status()
        self.refresh_bindings()
        if message.first_rows:
            return  # the rest of the view comes next: nothing else starts before it
        if len(message.summaries) > GC_FREEZE_ROWS:
            # The rows stay for as long as the view: out of the collector's way (a full collection
            # walking 100,000 rows would take a tenth of a second, in the middle of a key).
            gc.freeze()
        self._start_auto_refresh()  # the stored stories show: now the feeds (once, when configured)
        self.start_group_sync_once()  # and the groups catch up (never before the first rows show)

    def _results_line(self, shown: int, matched: int | None) -> str:
        if not shown:
            return "No stories match. escape: close"
        found = plural(shown, "story", "stories")
        if matched is not None and matched > shown:
            found = f"the best {shown:,} of {matched:,} stories"
        return f"{found} · enter: browse · S: save this search · escape: close"

    def _show_rows(
        self,
        rows: list[StorySummary],
        *,
        select: Select,
        snippet_key: str | None,
        unread_count: int,
        index: dict[str, int] | None = None,
    ) -> None:
        """Put rows in the list, with the flag changes not yet written shown on them (`index`: see
        `StoryList.set_stories`)."""
        self._unread_count = unread_count
        story_list = self.story_list
        story_list.set_stories(rows, select=select, snippet_key=snippet_key, index=index)
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
            if self._opened_id is None:
                self.story_view.show_message(message)
        elif highlighted.id == self._wanted_id:
            # Same story under the cursor: its text or its matches may have changed, so read it again.
            self._request_story(highlighted.id)
        if self._opened_id is not None and self._opened_id != self._wanted_id:
            self._request_story(self._opened_id)  # its matches may differ under another search

    @on(StoryList.Highlighted)
    def _story_highlighted(self, message: StoryList.Highlighted) -> None:
        """The highlights follow the cursor: at once when it moved from rest (or the story is in hand),
        else once it rests (a held key reads no story per row it passes)."""
        self._wanted_id = message.story_id
        now = time.monotonic()
        resting = now - self._last_move >= CURSOR_REST_SECONDS
        self._last_move = now
        if resting or message.story_id in self._story_cache:
            self._request_story(message.story_id)
        elif self._rest_timer is None:
            self._rest_timer = self.set_timer(CURSOR_REST_SECONDS, self._cursor_rested)

    def _cursor_rested(self) -> None:
        left = self._last_move + CURSOR_REST_SECONDS - time.monotonic()
        if left > 0.005:
            self._rest_timer = self.set_timer(left, self._cursor_rested)
            return
        self._rest_timer = None
        wanted = self._wanted_id
        shown = self.highlights.story
        if wanted is not None and (shown is None or shown.id != wanted):
            self._request_story(wanted)

    def _show_position(self, position: str) -> None:
        self.query_one(StatusBar).position = position

    def _current_query(self) -> str:
        return self._view.query if self._view.has_query else ""

    def _story_changed(self, story_id: str) -> None:
        """The story changed in the store: read it again when the highlights or the viewer show it."""
        if story_id in (self._wanted_id, self._opened_id):
            self._request_story(story_id)

    def _request_story(self, story_id: str) -> None:
        """Show the story where it is wanted (the highlights: under the cursor; the viewer: opened), from
        the cache, else read in a worker.  The viewer's story is read by its own worker, so moving the
        cursor never cancels it."""
        query = self._current_query()
        cached = self._story_cache.get(story_id)
        if cached is not None and (not query or (story_id, query) in self._match_cache):
            self._show_story(cached)
        elif story_id == self._opened_id:
            self._load_opened_story(story_id, query, cached)
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
        if message.story_id not in (self._wanted_id, self._opened_id):
            return
        if message.query != self._current_query():
            self._request_story(message.story_id)
        elif message.story is None:
            gone = "This story is no longer in the store."
            if message.story_id == self._wanted_id:
                self.highlights.show_message(gone)
            if message.story_id == self._opened_id:
                self.story_view.show_message(gone)
        else:
            self._show_story(message.story)

    def _cache_story(self, story: Story) -> None:
        # Textual's LRUCache keeps the first value set for a key: drop the old one first.
        self._story_cache.discard(story.id)
        self._story_cache[story.id] = story

    def _show_story(self, story: Story) -> None:
        """Show a story where it is wanted (highlights: under the cursor; viewer: opened), with the flags
        the list has now (they may be newer than the store's)."""
        summary = self.story_list.story(story.id)
        if summary is not None:
            story = dataclasses.replace(story, read=summary.read, bookmarked=summary.bookmarked)
        story = self.story_in_group(story)
        query = self._current_query()
        matches = self._match_cache.get((story.id, query)) if query else None
        if story.id == self._wanted_id:
            self.highlights.show_story(story, matches.highlights if matches is not None else ())
            if not story.highlights and story.id not in self._highlights_asked:
                self._highlights_asked.add(story.id)
                self._generate_highlights(story.id)
        if story.id == self._opened_id:
            choice = text_choice(
                story,
                feed_text=story.id in self._feed_text_ids,
                fetching=self._text_fetching == story.id,
                failure=self._text_failures.get(story.id, ""),
            )
            self.show_coverage(story)
            self.story_view.show_story(story, matches, choice)
            step, self._step_after_open = self._step_after_open, 0
            if step and not self.story_view.next_match(step):
                self.notify("No matches in this story.", timeout=3)
        self.refresh_bindings()

    def _update_status(self) -> None:
        status = self.query_one(StatusBar)
        status.view_name = self._view.title
        status.unread_only = self._unread_only
        status.story_count = None if self._rest_pending else self.story_list.story_count
        status.matched_count = self._matched_count
        status.unread_count = self._unread_count
        status.position = self.story_list.position

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, title=message.title, severity="error", markup=False)
        if self._rest_pending and not any(w.group == "store-load" and w.is_running for w in self.workers):
            self._rest_pending = False  # the rest of the view could not be read: the rows shown are all
            self._update_status()
        if message.reload:
            self._load_stories(seed_samples=False)

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("load story", thread=True, group="story-text", exclusive=True)
    def _load_story(self, story_id: str, query: str, cached: Story | None) -> None:
        self._read_story(story_id, query, cached)

    @named_work("load opened story", thread=True, group="viewer-text", exclusive=True)
    def _load_opened_story(self, story_id: str, query: str, cached: Story | None) -> None:
        self._read_story(story_id, query, cached)

    def _read_story(self, story_id: str, query: str, cached: Story | None) -> None:
        """Read a story (and find what `query` matches in it) and post it.  In a worker."""
        try:
            story = cached if cached is not None else self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        matches = find_story_matches(story, query) if story is not None and query else None
        if not get_current_worker().is_cancelled:
            self.post_message(self.StoryLoaded(story_id, story, query, matches))
