"""The main screen: story list, highlights and viewer, fed from the store by workers.

The list shows one *view* at a time (tui.views): all stories, bookmarks, a search
typed in the search bar, a saved search or one feed, optionally narrowed to unread stories.
Every store call runs in a named worker that posts a message; the handlers here own
the state and call down into the widgets.

At start, with a large store, the newest rows are read while the app starts (a thread begun
with the screen) and show in the first frame; the whole view follows from a worker, the cursor
staying where the reader has put it meanwhile.  The highlights pane follows the cursor once it
rests (a held key reads no story per row it passes).

The list follows the store through its change log: a load keeps a token
(`Store.changes_since`), and every poll reads only the stories changed since it and
patches their rows in place (`StoryList.patch_stories`), so a change made by another
process costs a few rows, not a reload of every story.

Feeds are refreshed (r, and every few minutes) by an async worker running
`store.fetch.fetch_all` on the app's event loop: downloads wait on the network,
parsing runs in other processes, stories are written by the fetcher's own thread,
so the keys stay responsive; progress goes to the status bar and the new stories
reach the list by the change log like any other change.

Full text (tui.full_text): opening a story whose feed gave only a summary fetches its
page in a named async worker (`store.articles.fetch_full_text`), which stores the
extracted text, so the next open is instant and offline; `v` switches between the
feed text and the full text, `f` fetches again.  A story with no highlights of its
own gets generated ones (`store.articles.ensure_highlights`, in a thread worker).
The viewer shows the story the reader opened (enter), not the one under the cursor:
side by side, the highlights pane follows the cursor ("the key points of the selected
story") and the viewer stays on what is being read, so a move of the cursor repaints two
rows of the list, the highlights and the status line, and nothing else.  `z` gives the
viewer the whole screen (reading mode); `z` or escape returns.  The layout follows the
width, or the config's `layout` ("wide", "stacked").

Links (tui.links): `o` opens the story's link (a browser on a desktop, the clipboard
over SSH), `y` copies it, and a click on a link in the viewer takes the same road.
`a` saves any web page as a bookmarked story (`store.articles.save_url`).
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import importlib
import itertools
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.containers import Container, Vertical
from textual.dom import DOMNode
from textual.events import DescendantFocus
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Markdown
from textual.worker import get_current_worker

from store import QueryError, SavedSearch, Store, StoreError, Story, StorySummary, sample_stories
from store.feeds import FeedList
from tui.full_text import fetch_on_open, text_choice
from tui.grouped import GC_FREEZE_ROWS, GROUPING_ACTIONS, Folded, GroupingMixin
from tui.links import Launcher, copy_url, launch_detached, open_url
from tui.matches import StoryMatches, find_story_matches, query_terms, spans_in
from tui.named_work import named_work
from tui.patch import plan_patch
from tui.refresh import NO_FEEDS, plural, progress_line, start_process_tracker, summary_message
from tui.views import ALL_STORIES, BOOKMARKS, SEARCH_LIMIT, View, saved_view, search_view, unread_only_query
from tui.widgets.highlights import Highlights
from tui.widgets.key_bar import KeyBar
from tui.widgets.search_bar import HINT, SearchBar
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import KEEP, KeepCursor, RowSnippet, StoryList, row_index
from tui.widgets.story_view import StoryView

if TYPE_CHECKING:
    from store.articles import FullTextOutcome
    from store.fetch import FetchProgress, FetchSettings, FetchSummary
    from tui.config import Retention
    from tui.widgets.view_list import ViewChoice

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

FIRST_ROWS = 200
"""At start, the newest this many rows show first (read in a few milliseconds); the rest follow."""

STORE_POLL_SECONDS = 2.0
"""How often to look for stories written by other processes."""

NOTICE_SECONDS = 30
"""How long a notice of damage found in the store stays up."""

CURSOR_REST_SECONDS = 0.08
"""A cursor that moves again within this time is passing by: the highlights wait till it rests."""

HIGHLIGHTS_DELAY = 0.2
"""Seconds the cursor rests on a story without highlights before they are generated (and stored)."""

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
    token: int | None
    """The change-log token of the rows: closing the search catches up from it."""


class MainScreen(GroupingMixin, Screen[None], inherit_bindings=False):
    """Three panes over one store: list | highlights over viewer, or stacked when narrow."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (WIDE_LAYOUT_WIDTH, "-wide")]

    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    """Textual's, without repainting the whole screen when the focus moves (every row of the list and
    every line of the story, 40 KB over SSH, on each enter and h): the widgets that gain and lose
    the focus repaint themselves."""
    # Below 17 lines the highlights shrink, below 12 they go: the list keeps at least four rows.
    VERTICAL_BREAKPOINTS = [(0, "-tiny"), (SHORT_HEIGHT, "-short"), (TALL_HEIGHT, "-tall")]
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
        Binding(
            "z",
            "reading_mode",
            "Reading mode",
            show=False,
            tooltip="Read full screen, or go back",
            id="view.reading_mode",
        ),
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
        Binding("r", "refresh_feeds", "Refresh", tooltip="Refresh all feeds", id="feeds.refresh"),
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
            "space",
            "space_page",
            "Page down",
            show=False,
            tooltip="Page the story, else the list",
            id="pane.page_down",
        ),
        Binding(
            "full_stop", "next_unread", "Next unread", show=False, tooltip="Next unread story", id="story.next_unread"
        ),
        Binding(
            "v",
            "toggle_text",
            "Feed/full text",
            show=False,
            tooltip="Switch feed text / full text",
            id="viewer.toggle_text",
        ),
        Binding(
            "f",
            "fetch_text",
            "Fetch full text",
            show=False,
            tooltip="Fetch the story's full text",
            id="story.fetch_text",
        ),
        Binding(
            "o",
            "open_link",
            "Open link",
            show=False,
            tooltip="Open the link (copied over SSH)",
            id="story.open_link",
        ),
        Binding("y", "copy_link", "Copy link", show=False, tooltip="Copy the story's link", id="story.copy_link"),
        Binding("a", "save_page", "Save page", show=False, tooltip="Save a web page to read later", id="page.save"),
        Binding(
            "c",
            "toggle_grouping",
            "Group coverage",
            show=False,
            tooltip="Group the sources of one event",
            id="view.toggle_grouping",
        ),
        Binding(
            "right_square_bracket",
            "next_source",
            "Next source",
            show=False,
            tooltip="Show the next source's version",
            id="story.next_source",
        ),
        Binding(
            "left_square_bracket",
            "previous_source",
            "Previous source",
            show=False,
            tooltip="Show the previous source",
            id="story.previous_source",
        ),
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

    class ChangesFound(Message):
        """Stories changed since the token `since`: their rows now (`rows`), the ids gone from the store,
        and for a search, which of them match it.  `everything`: read the whole view again."""

        def __init__(
            self,
            since: int,
            token: int,
            view: View,
            unread_only: bool,
            rows: list[StorySummary],
            gone: list[str],
            matching: set[str] | None = None,
            *,
            everything: bool = False,
        ) -> None:
            super().__init__()
            self.since = since
            self.token = token
            self.view = view
            self.unread_only = unread_only
            self.rows = rows
            self.gone = gone
            self.matching = matching
            self.everything = everything

    class NoticesWaiting(Message):
        """The store has notices not shown yet (damage found while the app is open)."""

    class FetchProgressed(Message):
        """A feed of the refresh is done, or a batch of its stories written."""

        def __init__(self, progress: FetchProgress) -> None:
            super().__init__()
            self.progress = progress

    class FetchDone(Message):
        """A refresh ended: what it did and the stories it changed; no summary when it could not run
        (`error` says why in one sentence, NO_FEEDS when nothing is followed)."""

        def __init__(
            self,
            summary: FetchSummary | None,
            changed: list[str],
            titles: dict[str, str],
            *,
            quiet: bool,
            error: str = "",
        ) -> None:
            super().__init__()
            self.summary = summary
            self.changed = changed
            self.titles = titles
            self.quiet = quiet
            self.error = error

    class FullTextFetching(Message):
        """A story's page is being fetched for its full text."""

        def __init__(self, story_id: str) -> None:
            super().__init__()
            self.story_id = story_id

    class FullTextFetched(Message):
        """A fetch of a story's full text ended: `outcome` says how (None: it was stopped)."""

        def __init__(self, story_id: str, outcome: FullTextOutcome | None, *, asked: bool) -> None:
            super().__init__()
            self.story_id = story_id
            self.outcome = outcome
            self.asked = asked
            """The reader asked for it (f), rather than opening a story."""

    class HighlightsGenerated(Message):
        """Highlights generated for (or already in) a story, and stored."""

        def __init__(self, story_id: str, highlights: list[str]) -> None:
            super().__init__()
            self.story_id = story_id
            self.highlights = highlights

    class PageSaved(Message):
        """A web page saved as a bookmarked story."""

        def __init__(self, story: Story) -> None:
            super().__init__()
            self.story = story

    class PageNotSaved(Message):
        def __init__(self, url: str, error: str) -> None:
            super().__init__()
            self.url = url
            self.error = error

    class StoreFailed(Message):
        """A store call failed; `reload` when what the screen shows may now be wrong."""

        def __init__(self, error: str, *, reload: bool, title: str = "Store") -> None:
            super().__init__()
            self.error = error
            self.reload = reload
            self.title = title

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
        self._fetching = False
        self._auto_refresh_started = False
        self._refresh_timer: Timer | None = None
        self._written_during_fetch: set[str] = set()
        """Stories the reader changed while a refresh ran: not news for the saved searches."""
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
        self._last_refresh: datetime | None = None
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
        self._token: int | None = None
        """The change-log token of the rows shown: a poll reads the changes since it."""
        self._changed_here: set[str] = set()
        """Stories whose flags the reader changed here since the view was read: a patch keeps
        their rows even when they no longer fit the view (read in "unread only")."""
        self._notices_shown = [0, 0]
        """How many of the store's notices, and of the feed list's, have been shown."""
        self._fetch_on_open = fetch_on_open(os.environ)
        self._text_fetching: str | None = None
        """The story whose page is being fetched for its full text."""
        self._text_failures: dict[str, str] = {}
        """Why a story's full text could not be fetched, in one sentence (this session)."""
        self._feed_text_ids: set[str] = set()
        """Stories the reader switched to their feed text (v)."""
        self._highlights_asked: set[str] = set()
        """Stories whose highlights were generated (or tried) this session."""
        self._rest_pending = False
        """The list shows the first rows of its view; the rest is being read."""
        self._reading = False
        """A story is open (see `reading`)."""
        self._last_move = 0.0
        """When the cursor last moved to another story (time.monotonic)."""
        self._rest_timer: Timer | None = None
        """Reads the story under the cursor once the cursor rests (see _story_highlighted)."""
        self.launcher: Launcher = launch_detached
        """Starts the browser from its argv (tests put a recorder here)."""
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
    def opener(self) -> list[str] | None:
        """The reader's opener command (argv) from the config (or BROADSHEET_OPENER); None: the system's browser."""
        config = getattr(self.app, "config", None)
        opener = list(getattr(config, "opener", ()) or ())
        return opener or None

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

    # ------------------------------------------------------------ full text, highlights and links

    @property
    def full_text_fetching(self) -> str | None:
        """The story whose page is being fetched for its full text, if any."""
        return self._text_fetching

    def _target_story(self) -> Story | None:
        """The story o, y, v and f act on: the one being read in the viewer, else the one under the cursor
        (None before it is read from the store)."""
        if self._viewer_focused():
            return self.story_view.story
        story = self.highlights.story
        highlighted = self.story_list.highlighted_story
        if story is None or highlighted is None or story.id != highlighted.id:
            return None
        return story

    def action_toggle_text(self) -> None:
        story = self._target_story()
        if story is None or not story.full_text:
            self.notify("This story has no full text yet: f fetches it from its page.", timeout=3, markup=False)
            return
        if story.id in self._feed_text_ids:
            self._feed_text_ids.discard(story.id)
        else:
            self._feed_text_ids.add(story.id)
        if story.id != self._opened_id:
            which = "feed's text" if story.id in self._feed_text_ids else "full text"
            self.notify(f"The story opens with its {which}.", timeout=3)
        self._show_story(story)

    def action_fetch_text(self) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link to fetch its full text from.", timeout=3, markup=False)
            return
        if self._text_fetching == story.id:
            self.notify("The full text is being fetched already.", timeout=3)
            return
        self._fetch_full_text(story.id, force=True)

    def action_open_link(self) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link.", timeout=3)
            return
        self.open_link(story.url)

    def action_copy_link(self) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link.", timeout=3)
            return
        outcome = copy_url(story.url, copy=self.app.copy_to_clipboard)
        severity = "warning" if outcome.result == "refused" else "information"
        self.notify(outcome.message, title="Link", severity=severity, timeout=5, markup=False)

    def open_link(self, url: str) -> None:
        """Open `url` as the reader's setup allows: a browser on a desktop, the clipboard over SSH.
        Every link goes this way: `o`, clicks in the viewer, and whatever Textual would open."""
        outcome = open_url(
            url, environ=os.environ, opener=self.opener, launcher=self.launcher, copy=self.app.copy_to_clipboard
        )
        severity = "warning" if outcome.result == "refused" else "information"
        self.notify(outcome.message, title="Link", severity=severity, timeout=6, markup=False)

    @on(Markdown.LinkClicked)
    def _markdown_link_clicked(self, message: Markdown.LinkClicked) -> None:
        message.stop()
        self.open_link(message.href)

    @on(StoryView.LinkClicked)
    def _story_link_clicked(self, message: StoryView.LinkClicked) -> None:
        self.open_link(message.url)

    def action_save_page(self) -> None:
        from tui.dialogs.input import InputDialog  # the dialogs and the views screen load when first wanted

        dialog = InputDialog(
            "Save a page",
            "The address of a web page to keep as a bookmarked story:",
            placeholder="https://…",
            max_length=4096,
        )

        def answered(url: str | None) -> None:
            if url:
                self.notify(f"Saving {url}…", title="Save page", timeout=3, markup=False)
                self._save_page(url)

        self.app.push_screen(dialog, answered)

    @on(PageSaved)
    def _page_saved(self, message: PageSaved) -> None:
        title = message.story.title or message.story.url
        self.notify(f"Saved “{title}” to your bookmarks (B shows them).", title="Save page", markup=False)
        self._story_cache.discard(message.story.id)
        self._poll_store()

    @on(PageNotSaved)
    def _page_not_saved(self, message: PageNotSaved) -> None:
        self.notify(
            f"Could not save the page: {message.error}", title="Save page", severity="error", timeout=10, markup=False
        )

    @on(FullTextFetching)
    def _full_text_fetching(self, message: FullTextFetching) -> None:
        self._text_fetching = message.story_id
        self._text_failures.pop(message.story_id, None)
        self._show_again(message.story_id)

    @on(FullTextFetched)
    def _full_text_fetched(self, message: FullTextFetched) -> None:
        if self._text_fetching == message.story_id:
            self._text_fetching = None
        outcome = message.outcome
        if outcome is not None and outcome.ok:
            self._text_failures.pop(message.story_id, None)
            self._feed_text_ids.discard(message.story_id)
            self._story_cache.discard(message.story_id)
            self._match_cache.clear()
            if message.asked:
                self.notify("Fetched the full text again.", title="Full text", timeout=3)
            self._story_changed(message.story_id)
            return
        if outcome is not None:
            self._text_failures[message.story_id] = outcome.reason
        self._show_again(message.story_id)

    def _show_again(self, story_id: str) -> None:
        """Show the story again (its text or the line about it changed) when it is the one shown."""
        shown = self.story_view.story
        if shown is not None and shown.id == story_id:
            self._show_story(shown)

    @on(HighlightsGenerated)
    def _highlights_generated(self, message: HighlightsGenerated) -> None:
        cached = self._story_cache.get(message.story_id)
        if cached is not None and not cached.highlights and message.highlights:
            self._cache_story(dataclasses.replace(cached, highlights=message.highlights, highlights_generated=True))
        for shown in (self.highlights.story, self.story_view.story):
            if shown is not None and shown.id == message.story_id and not shown.highlights and message.highlights:
                self._show_story(dataclasses.replace(shown, highlights=message.highlights, highlights_generated=True))
                return

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
        elif self._view.kind == "feed":
            current = f"feed:{self._view.query}"
        else:
            current = ""
        from tui.screens.views import ViewsScreen

        views = ViewsScreen(self._store, current, feeds=self._feeds, refresher=self, clock=self._clock)
        self.app.push_screen(views, self._view_chosen)

    def _view_chosen(self, choice: ViewChoice | None) -> None:
        self._load_saved_searches()
        if choice is not None:
            self.open_view(choice.view, unread_only=choice.unread_only)
        self._poll_store()  # a feed removed there: its stories go now, not in two seconds

    def _reload(self, *, select: Select = KEEP, seed_samples: bool = False) -> None:
        """Read the current view again from the store, in a worker."""
        view = self._view
        if view.kind == "search":
            if view.query.strip():
                self._run_search(view, self._unread_only, select)
            return
        self._read_view(view, self._unread_only, select, seed_samples, first_rows=seed_samples)

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
            token=self._token,
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
        self.folded_after_search(snapshot.view)
        self._show_rows(snapshot.rows, select=snapshot.cursor_id, snippet_key=None, unread_count=snapshot.unread_count)
        # After the layout has changed back (the list's height may differ while searching).
        self.call_after_refresh(self.story_list.scroll_to, y=snapshot.scroll_y, animate=False, immediate=True)
        self._set_reading(False)
        self.story_list.focus()
        self._update_status()
        self._token = snapshot.token
        if reload:
            # The rows are as they were: catch up with what changed since (not a reload of every row).
            self._poll_store()

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
        self._step_match(1)

    def action_previous_match(self) -> None:
        self._step_match(-1)

    def _step_match(self, step: int) -> None:
        """The next (1) or previous (-1) match in the story read; from the list beside the viewer, the story
        under the cursor opens in the viewer first (the focus stays on the list)."""
        if not self._viewer_focused() and self._cursor_story_not_open():
            highlighted = self.story_list.highlighted_story
            assert highlighted is not None
            self._step_after_open = step
            self._open(highlighted.id)
            return
        if not self.story_view.next_match(step):
            self.notify("No more matches below." if step > 0 else "No more matches above.", timeout=3)

    # ------------------------------------------------------------ refreshing feeds

    @property
    def refreshing(self) -> bool:
        """True while a refresh of the feeds runs."""
        return self._fetching

    def action_refresh_feeds(self) -> None:
        self.refresh_feeds()

    def refresh_feeds(self, urls: list[str] | None = None, *, quiet: bool = False) -> bool:
        """Fetch every feed (or those in `urls`) in the background; False when a refresh already runs.

        `quiet` (the automatic refresh): no word when there are no feeds, and a summary only
        when there are new stories.
        """
        if self._fetching:
            if not quiet:
                self.notify("The feeds are being refreshed already.", timeout=3)
            return False
        self._fetching = True
        self._written_during_fetch.clear()
        self._fetch_feeds(urls, quiet)
        return True

    def _start_auto_refresh(self) -> None:
        """Once the stored stories show: refresh now, then every few minutes (when configured)."""
        if self._auto_refresh_started or self._refresh_minutes <= 0:
            return
        self._auto_refresh_started = True
        self.refresh_feeds(quiet=True)
        self._refresh_timer = self.set_interval(self._refresh_minutes * 60, self._refresh_by_timer)

    def _refresh_by_timer(self) -> None:
        self.refresh_feeds(quiet=True)

    class LastRefreshRead(Message):
        """When a feed was last fetched with success (None: never), read at start."""

        def __init__(self, when: datetime | None) -> None:
            super().__init__()
            self.when = when

    @named_work("read last refresh", thread=True, group="last-refresh")
    def _read_last_refresh(self) -> None:
        try:
            times = [feed.last_success for feed in self._feeds.all() if feed.last_success is not None]
        except StoreError:
            return  # the status line says "not refreshed yet"; the feed list's damage is noticed elsewhere
        self.post_message(self.LastRefreshRead(max(times) if times else None))

    @on(LastRefreshRead)
    def _last_refresh_read(self, message: LastRefreshRead) -> None:
        if self._last_refresh is None and message.when is not None:
            self._last_refresh = message.when
        if not self._fetching:
            self.query_one(StatusBar).activity = self._refreshed_line()

    def _refreshed_line(self) -> str:
        """ "Refreshed 14:05" (today), "Refreshed 3 Nov" (before), or "Not refreshed yet"."""
        when = self._last_refresh
        if when is None:
            return "Not refreshed yet"
        now = self._clock()
        local = when.astimezone(now.tzinfo)
        if local.date() == now.date():
            return f"Refreshed {local:%H:%M}"
        return f"Refreshed {local.day} {local:%b}"

    @on(FetchProgressed)
    def _fetch_progressed(self, message: FetchProgressed) -> None:
        self.query_one(StatusBar).activity = progress_line(message.progress)

    @on(FetchDone)
    def _fetch_done(self, message: FetchDone) -> None:
        self._fetching = False
        status = self.query_one(StatusBar)
        summary = message.summary
        if summary is None:
            status.activity = self._refreshed_line()
            if message.error == NO_FEEDS:
                if not message.quiet:
                    self.notify(NO_FEEDS, title="Refresh", markup=False)
            else:
                self.notify(message.error, title="Refresh failed", severity="error", timeout=10, markup=False)
        else:
            failed = f" · {plural(len(summary.errors), 'feed')} failed" if summary.errors else ""
            self._last_refresh = self._clock()
            status.activity = f"{self._refreshed_line()}{failed}"
            text, severity = summary_message(summary, message.titles)
            if not message.quiet or summary.new_stories:
                timeout = 10 if severity != "information" else 5
                self.notify(text, title="Refresh", severity=severity, timeout=timeout, markup=False)
            self._poll_store()  # the new stories now, not at the next tick
            self.start_group_sync()  # then into their groups (off the event loop)
            news = [story_id for story_id in message.changed if story_id not in self._written_during_fetch]
            self.app.announce_new_stories(news)  # type: ignore[attr-defined]
        self._written_during_fetch.clear()
        self._show_new_notices()
        from tui.screens.views import ViewsScreen

        for screen in self.app.screen_stack:  # the feeds screen, maybe under a dialog
            if isinstance(screen, ViewsScreen):
                screen.feeds_refreshed()

    # ------------------------------------------------------------ saved searches

    def action_save_search(self) -> None:
        view = self._view
        if not view.has_query:
            self.notify("Search first (press /), then save the search.", markup=False)
            return
        suggestion = view.name if view.kind == "saved" else view.query
        from tui.dialogs.input import InputDialog

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
                if self._fetching:
                    self._written_during_fetch.add(story.id)
                self._save_note(story.id, note)

        from tui.dialogs.note import NoteDialog

        self.app.push_screen(NoteDialog(story.title, story.note), answered)

    @on(NoteSaved)
    def _note_saved(self, message: NoteSaved) -> None:
        self.notify("Note saved." if message.note else "Note removed.")
        cached = self._story_cache.get(message.story_id)
        if cached is not None:
            self._cache_story(dataclasses.replace(cached, note=message.note))
        self._match_cache.clear()
        self._story_changed(message.story_id)

    # ------------------------------------------------------------ read state of many stories

    def action_mark_all_read(self) -> None:
        unread = [story for story in self.story_list.stories if not story.read]
        if not unread:
            self.notify("Everything here is read already.")
            return
        self._write_read_state(self.with_group_members([story.id for story in unread]), True, undoing=False)

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
        self._changed_here.update(story_ids)
        if self._fetching:
            self._written_during_fetch.update(story_ids)
        for story_id in story_ids:
            self._unsaved_flags[(story_id, "read")] = (ticket, read)
            row = story_list.story(story_id)
            if row is not None and row.read != read:
                changed_rows.append(dataclasses.replace(row, read=read))
        story_list.replace_stories(changed_rows)
        self._unread_count += -len(changed_rows) if read else len(changed_rows)
        changed = set(story_ids)
        for shown in (self.story_view.story, self.highlights.story):
            if shown is not None and shown.id in changed:
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

    # ------------------------------------------------------------ changing flags

    def _change_flag(self, story: StorySummary, flag: Flag, value: bool) -> None:
        """Show the change at once, then write it in a worker."""
        if self.change_group_flag(story, flag, value):
            return  # a group's row: every story of the group, or the version shown (tui.grouped)
        self._changed_here.add(story.id)
        if self._fetching:
            self._written_during_fetch.add(story.id)
        self._show_flag(story, flag, value)
        self._update_status()
        shown = self.story_view.story
        if shown is not None and shown.id == story.id:
            self._show_story(shown)  # the viewer's line under the title shows the bookmark
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

    # ------------------------------------------------------------ following the store's changes

    @on(ChangesFound)
    def _changes_found(self, message: ChangesFound) -> None:
        if message.since != self._token or message.view != self._view or message.unread_only != self._unread_only:
            return  # a load or another view came first: the next poll starts from its token
        self._token = message.token
        if message.everything:
            self._reload(select=KEEP)
            return
        if self.fold_changes(message.rows, message.gone):
            return  # the rows are folded into groups (tui.grouped)
        self._patch_rows(message.rows, message.gone, message.matching)

    def _patch_rows(self, rows: list[StorySummary], gone: list[str], matching: set[str] | None) -> None:
        """Bring the rows of these changed stories up to date, in place; the cursor stays on its story."""
        story_list = self.story_list
        patch = plan_patch(
            self._view,
            self._unread_only,
            [self._with_unsaved_flags(row) for row in rows],
            gone,
            story_list.story,
            matching=matching,
            kept=self._changed_here,
            capped=self._matched_count is not None,
        )
        self._unread_count += patch.unread_change
        touched = patch.touched
        for story_id in touched:
            self._story_cache.discard(story_id)
        if touched:
            self._match_cache.clear()
        if not patch.empty:
            story_list.patch_stories(patch.changed, patch.added, patch.removed, by_date=self._view.kind != "search")
            self._after_rows_changed(touched)
        if patch.search_again:
            self._reload(select=KEEP)

    def _with_unsaved_flags(self, row: StorySummary) -> StorySummary:
        """The row with the flag changes shown here but not yet written (they are newer than the store's)."""
        for flag in ("read", "bookmarked"):
            pending = self._unsaved_flags.get((row.id, flag))  # type: ignore[arg-type]
            if pending is not None and getattr(row, flag) != pending[1]:
                row = dataclasses.replace(row, **{flag: pending[1]})
        return row

    def _after_rows_changed(self, touched: set[str]) -> None:
        """After a patch: the status, and the story under the cursor read again when it changed."""
        highlighted = self.story_list.highlighted_story
        if highlighted is None:
            self._show_rows([], select=None, snippet_key=self.story_list.snippet_key, unread_count=0)
        elif highlighted.id in touched and highlighted.id == self._wanted_id:
            self._request_story(highlighted.id)
        if self._opened_id in touched and self._opened_id != self._wanted_id:
            self._request_story(self._opened_id)
        self._update_status()
        self.refresh_bindings()

    @on(NoticesWaiting)
    def _notices_arrived(self) -> None:
        self._show_new_notices()

    def _notice_lists(self) -> list[list[str]]:
        return [self._store.notices, self._feeds.notices]

    def _notices_waiting(self) -> bool:
        return any(len(notices) > shown for notices, shown in zip(self._notice_lists(), self._notices_shown))

    def _show_new_notices(self) -> None:
        """Show the notices not shown yet (damage found at start, or later while the app is open)."""
        for index, notices in enumerate(self._notice_lists()):
            for notice in notices[self._notices_shown[index] :]:
                self.notify(notice, title="Store", severity="warning", timeout=NOTICE_SECONDS, markup=False)
            self._notices_shown[index] = len(notices)

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, title=message.title, severity="error", markup=False)
        if self._rest_pending and not any(w.group == "store-load" and w.is_running for w in self.workers):
            self._rest_pending = False  # the rest of the view could not be read: the rows shown are all
            self._update_status()
        if message.reload:
            self._load_stories(seed_samples=False)

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("load stories", thread=True, group="store-load", exclusive=True)
    def _read_view(
        self, view: View, unread_only: bool, select: Select, seed_samples: bool, *, first_rows: bool = False
    ) -> None:
        """Read the view's rows and post them.  With `first_rows` (at start) the newest rows of all
        stories go first, at once, and the whole view follows, the cursor staying where it is."""
        try:
            if seed_samples and self._store.is_empty():
                self._store.put_stories(sample_stories())
            self._store.refresh()
            token = self._store.changes_since(None).token  # before the rows: a change meanwhile comes again
            if first_rows and view == ALL_STORIES and not isinstance(select, str):
                if self._post_first_rows(view, unread_only, select, token):
                    select = KEEP  # the rest: where the reader has put the cursor meanwhile
            if view.kind == "saved":
                query = unread_only_query(view.query) if unread_only else view.query
                hits = self._store.search(query, limit=SEARCH_LIMIT, sort="date") if query is not None else []
                summaries = [hit.story.summary() for hit in hits]
                matched = self._store.count_matches(query) if len(hits) >= SEARCH_LIMIT and query else None
            elif view.kind == "feed":
                summaries = [
                    summary
                    for summary in self._store.summaries(unread_only=unread_only)
                    if summary.feed == view.query
                ]
                matched = None
            else:
                summaries = self._store.summaries(unread_only=unread_only, bookmarked_only=view == BOOKMARKS)
                matched = None
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        folded = self.fold_rows(view, summaries)
        if folded is not None:
            summaries = folded.rows
            if isinstance(select, str):
                select = folded.row_of.get(select, select)
        if not get_current_worker().is_cancelled:
            self.post_message(
                self.StoriesLoaded(
                    view, unread_only, summaries, select=select, matched_count=matched, token=token, folded=folded
                )
            )

    def _post_first_rows(self, view: View, unread_only: bool, select: Select, token: int) -> bool:
        """Post the newest rows of the view (folded as the whole view will fold them).  In a worker.
        False when the view is small enough to read whole at once."""
        first = self._store.summaries(unread_only=unread_only, limit=FIRST_ROWS)
        if len(first) < FIRST_ROWS:
            return False
        folded = self.fold_first_rows(view, unread_only, first)
        rows = folded.rows if folded is not None else first
        if get_current_worker().is_cancelled:
            return False
        # The counts come with the whole view (the status bar says "loading…" till then).
        self.post_message(
            self.StoriesLoaded(view, unread_only, rows, select=select, token=token, folded=folded, first_rows=True)
        )
        return True

    @named_work("search", thread=True, group="search", exclusive=True)
    def _run_search(self, view: View, unread_only: bool, select: Select) -> None:
        worker = get_current_worker()
        try:
            token = self._store.changes_since(None).token
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
        summaries = [hit.story.summary() for hit in hits]
        highlights = {hit.story.id: hit.story.highlights for hit in hits if hit.story.highlights}
        self.post_message(
            self.StoriesLoaded(
                view,
                unread_only,
                summaries,
                select=select,
                matched_count=matched,
                highlights=highlights,
                token=token,
            )
        )

    @named_work("cut snippets", thread=True, group="snippets")
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

    @named_work("fetch full text", group="full-text", exclusive=True)
    async def _fetch_full_text(self, story_id: str, force: bool) -> None:
        """Fetch, extract and store the story's full text (on open: only when its feed gave a summary)."""
        outcome: FullTextOutcome | None = None
        started = False
        try:
            articles = await asyncio.to_thread(importlib.import_module, "store.articles")
            if not force:
                story = await asyncio.to_thread(self._store.get, story_id)
                if story is None or story.full_text:
                    return
                extract = importlib.import_module("store.extract")
                if not extract.is_summary_only(story.body, story.url):
                    return
            started = True
            self.post_message(self.FullTextFetching(story_id))
            outcome = await articles.fetch_full_text(self._store, story_id, force=force)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            articles = importlib.import_module("store.articles")
            outcome = articles.FullTextOutcome(False, f"Something went wrong ({type(error).__name__}).", "")
        finally:
            if started:
                self.post_message(self.FullTextFetched(story_id, outcome, asked=force))

    @named_work("generate highlights", thread=True, group="highlights", exclusive=True)
    def _generate_highlights(self, story_id: str) -> None:
        """Highlights for a story that has none: chosen from its text, stored, marked as generated."""
        worker = get_current_worker()
        time.sleep(HIGHLIGHTS_DELAY)  # the cursor may be passing by: then nothing is written
        if worker.is_cancelled:
            self._highlights_asked.discard(story_id)
            return
        try:
            articles = importlib.import_module("store.articles")
            highlights = articles.ensure_highlights(self._store, story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Highlights"))
            return
        self.post_message(self.HighlightsGenerated(story_id, highlights))

    @named_work("save page", group="save-page")
    async def _save_page(self, url: str) -> None:
        try:
            articles = await asyncio.to_thread(importlib.import_module, "store.articles")
            story = await articles.save_url(self._store, url)
        except asyncio.CancelledError:
            raise
        except StoreError as error:  # ArticleError is one: a plain sentence
            self.post_message(self.PageNotSaved(url, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            self.post_message(self.PageNotSaved(url, f"something went wrong ({type(error).__name__})."))
            return
        self.post_message(self.PageSaved(story))

    @named_work("read note", thread=True, group="story-text", exclusive=True)
    def _read_story_for_note(self, story_id: str) -> None:
        try:
            story = self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if story is not None:
            self.post_message(self.NoteReady(story))

    @named_work("save note", thread=True, group="store-write")
    def _save_note(self, story_id: str, note: str) -> None:
        try:
            self._store.update_story(story_id, note=note)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Note not saved"))
            return
        self.post_message(self.NoteSaved(story_id, note))

    @named_work("save flag", thread=True, group="store-write")
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

    @named_work("save read state", thread=True, group="store-write")
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

    @named_work("load saved searches", thread=True, group="saved-searches", exclusive=True)
    def _load_saved_searches(self) -> None:
        try:
            searches = self._store.saved_searches()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Saved searches"))
            return
        self.post_message(self.SavedSearchesLoaded(searches))

    @named_work("save search", thread=True, group="store-write")
    def _save_search(self, name: str, query: str) -> None:
        try:
            replaced = any(search.name.lower() == name.lower() for search in self._store.saved_searches())
            saved = self._store.save_search(name, query)
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Search not saved"))
            return
        self.post_message(self.SearchSaved(saved, replaced))

    @named_work("announce new stories", thread=True, group="announce")
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

    @named_work("refresh feeds", group="fetch", exclusive=True)
    async def _fetch_feeds(self, urls: list[str] | None, quiet: bool) -> None:
        """Fetch on the app's event loop: it waits on the network; parsing and writing run elsewhere."""
        describe = str
        try:
            # Loaded on the first refresh, off the event loop: httpx and the parsers take a while to import.
            fetch = await asyncio.to_thread(importlib.import_module, "store.fetch")
            describe = fetch.describe_failure
            followed = await asyncio.to_thread(self._feeds.all)
            if not followed:
                self.post_message(self.FetchDone(None, [], {}, quiet=quiet, error=NO_FEEDS))
                return
            titles = {feed.url: feed.title for feed in followed}
            asked = [feed for feed in followed if not feed.gone and (urls is None or feed.url in urls)]
            self.post_message(self.FetchProgressed(fetch.FetchProgress(0, len(asked), 0)))
            before = await asyncio.to_thread(lambda: self._store.changes_since(None).token)
            retention = self._retention()
            settings = self._fetch_settings or fetch.FetchSettings(keep_days=retention.keep_days)
            if settings.parse_workers > 0:
                start_process_tracker()  # parsing runs in spawned processes: see its docstring
            summary = await fetch.fetch_all(
                self._store,
                self._feeds,
                urls=urls,
                progress=lambda progress: self.post_message(self.FetchProgressed(progress)),
                settings=settings,
            )
            if retention.keep_days or retention.max_per_feed:  # pruning, off the event loop, atomic like any write
                await asyncio.to_thread(
                    self._store.prune, keep_days=retention.keep_days, max_per_feed=retention.max_per_feed
                )
            changed = await asyncio.to_thread(self._changed_since, before)
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            self.post_message(self.FetchDone(None, [], {}, quiet=quiet, error=f"Could not refresh: {describe(error)}"))
            return
        self.post_message(self.FetchDone(summary, changed, titles, quiet=quiet))

    def _retention(self) -> Retention:
        """The config's retention (keep_days, max_per_feed; 0 keeps everything)."""
        from tui.config import Retention

        retention = getattr(getattr(self.app, "config", None), "retention", None)
        return retention if isinstance(retention, Retention) else Retention()

    def _changed_since(self, token: int) -> list[str]:
        """The stories changed since `token` (the ones a refresh brought or updated).  In a worker."""
        self._store.refresh()
        return self._store.changes_since(token).story_ids or []

    @named_work("look for changes", thread=True, group="store-poll", exclusive=True)
    def _poll_store(self) -> None:
        """Read what changed since the rows were read: only those stories, never the whole view."""
        since, view, unread_only = self._token, self._view, self._unread_only
        try:
            self._store.refresh()
            found = self._changes_since(since, view, unread_only) if since is not None else None
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            found = None
        if self._notices_waiting():
            self.post_message(self.NoticesWaiting())
        if found is not None and not get_current_worker().is_cancelled:
            self.post_message(found)

    def _changes_since(self, since: int, view: View, unread_only: bool) -> ChangesFound | None:
        """The changes since `since` as a message for the view (None: nothing changed).  In a worker."""
        changes = self._store.changes_since(since)
        if changes.story_ids is None:
            return self.ChangesFound(since, changes.token, view, unread_only, [], [], everything=True)
        if not changes.story_ids:
            return None
        rows = self._store.summaries_for(changes.story_ids)
        present = [row.id for row in rows]
        gone = sorted(set(changes.story_ids) - set(present))
        matching: set[str] | None = None
        if view.kind in ("search", "saved") and view.query.strip():
            try:
                query = unread_only_query(view.query) if unread_only else view.query
                matching = set(self._store.matching_ids(query, present)) if query is not None else set()
            except QueryError:
                matching = set()
        return self.ChangesFound(since, changes.token, view, unread_only, rows, gone, matching)


