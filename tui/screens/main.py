"""The main screen: story list, highlights and viewer, fed from the store by workers."""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable, Sequence
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
from textual.widgets import Footer
from textual.worker import get_current_worker

from store import Store, StoreError, Story, StorySummary, sample_stories
from tui.widgets.highlights import Highlights
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

WIDE_LAYOUT_WIDTH = 120
"""From this many columns the panes sit side by side."""

STORE_POLL_SECONDS = 2.0
"""How often to look for stories written by other processes."""

Flag = Literal["read", "bookmarked"]
"""The two flags a reader sets on a story."""


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
        Binding("b", "toggle_bookmark", "Bookmark", tooltip="Toggle bookmark", id="story.toggle_bookmark"),
        Binding("m", "toggle_read", "Read", tooltip="Toggle read", id="story.toggle_read"),
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

    class StoriesLoaded(Message):
        """The store's list of stories, read by a worker."""

        def __init__(self, summaries: list[StorySummary], unread_count: int) -> None:
            super().__init__()
            self.summaries = summaries
            self.unread_count = unread_count

    class StoryLoaded(Message):
        """One story's full text, read by a worker (None: it is gone from the store)."""

        def __init__(self, story_id: str, story: Story | None) -> None:
            super().__init__()
            self.story_id = story_id
            self.story = story

    class FlagWritten(Message):
        """A flag change reached the store (or failed: then a reload follows)."""

        def __init__(self, story_id: str, flag: Flag, ticket: int) -> None:
            super().__init__()
            self.story_id = story_id
            self.flag = flag
            self.ticket = ticket

    class StoreChanged(Message):
        """Another process changed the store."""

    class StoreFailed(Message):
        """A store call failed; `reload` when what the screen shows may now be wrong."""

        def __init__(self, error: str, *, reload: bool) -> None:
            super().__init__()
            self.error = error
            self.reload = reload

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        super().__init__(id="main")
        self._store = store
        self._clock = clock
        self._story_cache: LRUCache[str, Story] = LRUCache(64)
        self._wanted_id: str | None = None
        self._unread_count = 0
        self._write_lock = threading.Lock()
        self._write_tickets = itertools.count()
        self._unsaved_flags: dict[tuple[str, Flag], tuple[int, bool]] = {}
        """Flag changes shown but not yet written: (story id, flag) -> (ticket, value)."""

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Container(id="panes"):
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
        self._load_stories(seed_samples=True)
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
    def reading(self) -> bool:
        """True while a story is open (in a narrow terminal the viewer then fills the screen)."""
        return self.has_class("-reading")

    def panes(self) -> list[tuple[str, Sequence[DOMNode]]]:
        """Where each binding lives, by the pane a person would name."""
        return [
            ("Story list", [self.story_list]),
            ("Highlights", [self.highlights]),
            ("Viewer", [self.story_view]),
            ("Everywhere", [self, self.app]),
        ]

    def _viewer_shown(self) -> bool:
        return self.has_class("-wide") or self.reading

    def _set_reading(self, reading: bool) -> None:
        self.set_class(reading, "-reading")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return self.reading or self.focused is not self.story_list
        if action in ("toggle_bookmark", "toggle_read"):
            return self.story_list.highlighted_story is not None
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

    # ------------------------------------------------------------ showing stories

    @on(StoriesLoaded)
    def _show_stories(self, message: StoriesLoaded) -> None:
        self._story_cache.clear()
        self._unread_count = message.unread_count
        story_list = self.story_list
        story_list.set_stories(message.summaries)
        for (story_id, flag), (_ticket, value) in self._unsaved_flags.items():
            story = story_list.story(story_id)
            if story is not None:
                self._show_flag(story, flag, value)
        self._update_status()
        self.refresh_bindings()
        highlighted = story_list.highlighted_story
        if highlighted is None:
            self._wanted_id = None
            self.highlights.show_message("No stories yet.")
            self.story_view.show_message("No stories yet.")
        elif highlighted.id == self._wanted_id:
            # Same story under the cursor: its text may have changed, so read it again.
            self._request_story(highlighted.id)

    @on(StoryList.Highlighted)
    def _story_highlighted(self, message: StoryList.Highlighted) -> None:
        self._request_story(message.story_id)

    def _request_story(self, story_id: str) -> None:
        self._wanted_id = story_id
        cached = self._story_cache.get(story_id)
        if cached is not None:
            self._show_story(cached)
        else:
            self._load_story(story_id)

    @on(StoryLoaded)
    def _story_loaded(self, message: StoryLoaded) -> None:
        if message.story is not None:
            self._story_cache[message.story_id] = message.story
        if message.story_id != self._wanted_id:
            return
        if message.story is None:
            self.highlights.show_message("This story is no longer in the store.")
            self.story_view.show_message("This story is no longer in the store.")
        else:
            self._show_story(message.story)

    def _show_story(self, story: Story) -> None:
        """Show a story with the flags the list has now (they may be newer than the store's)."""
        summary = self.story_list.story(story.id)
        if summary is not None:
            story = dataclasses.replace(story, read=summary.read, bookmarked=summary.bookmarked)
        self.highlights.show_story(story)
        self.story_view.show_story(story)

    def _update_status(self) -> None:
        status = self.query_one(StatusBar)
        status.story_count = self.story_list.story_count
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
        self.notify(message.error, title="Store", severity="error", markup=False)
        if message.reload:
            self._load_stories(seed_samples=False)

    # ------------------------------------------------------------ workers (no widgets here)

    @work(thread=True, group="store-load", exclusive=True, name="load stories")
    def _load_stories(self, *, seed_samples: bool) -> None:
        try:
            if seed_samples and self._store.is_empty():
                self._store.put_stories(sample_stories())
            summaries = self._store.summaries()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        unread_count = sum(1 for summary in summaries if not summary.read)
        if not get_current_worker().is_cancelled:
            self.post_message(self.StoriesLoaded(summaries, unread_count))

    @work(thread=True, group="story-text", exclusive=True, name="load story")
    def _load_story(self, story_id: str) -> None:
        try:
            story = self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        self.post_message(self.StoryLoaded(story_id, story))

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

    @work(thread=True, group="store-poll", exclusive=True, name="look for changes")
    def _poll_store(self) -> None:
        try:
            changed = self._store.refresh()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if changed:
            self.post_message(self.StoreChanged())
