"""The search bar: a one-line query input above the story list, and a line saying how it went.

It only edits the query.  A pause in typing posts `QueryChanged` (debounced, so a fast
typist starts one search, not ten); enter or down posts `Submitted`.  The screen runs
the search and tells the bar what happened with `show_message`.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, Static

DEBOUNCE_SECONDS = 0.18
"""How long typing must pause before a search runs."""

PLACEHOLDER = 'words  "a phrase"  tram*  -word  a OR b  title:word  is:unread  after:2026-11-01'
HINT = "type to search · enter: browse results · escape: close · the syntax is in ? (help)"


class SearchBar(Vertical, inherit_bindings=False):
    """A query input with a message line under it; hidden until the screen opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "submit", "Results", show=False, tooltip="Go to the search results", id="search.results"),
    ]

    class QueryChanged(Message):
        """The query changed and typing paused: search for it."""

        def __init__(self, search_bar: SearchBar, query: str) -> None:
            super().__init__()
            self.search_bar = search_bar
            self.query = query

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    class Submitted(Message):
        """The user wants to browse the results (enter or down)."""

        def __init__(self, search_bar: SearchBar, query: str) -> None:
            super().__init__()
            self.search_bar = search_bar
            self.query = query

        @property
        def control(self) -> SearchBar:
            return self.search_bar

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._timer: Timer | None = None
        self._announced: str | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="search-row"):
            yield Static(Content("/"), id="search-prompt")
            yield Input(placeholder=PLACEHOLDER, compact=True, select_on_focus=False, id="search-input")
        yield Static(Content(HINT), id="search-message")

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def query(self) -> str:
        return self.input.value

    def open(self, query: str | None = None) -> None:
        """Show the bar and put the cursor in it (with `query` in it, when given)."""
        self.display = True
        if query is not None and query != self.input.value:
            self._announced = query
            with self.prevent(Input.Changed):
                self.input.value = query
            self.input.cursor_position = len(query)
        self.input.focus()

    def close(self) -> None:
        """Hide the bar and forget the query."""
        self._stop_timer()
        self.display = False
        self._announced = None
        with self.prevent(Input.Changed):
            self.input.value = ""
        self.show_message(HINT)

    def show_message(self, message: str, *, error: bool = False) -> None:
        """Say how the search went: a count, a hint, or why the query cannot run (plain words)."""
        line = self.query_one("#search-message", Static)
        line.update(Content(message))
        line.set_class(error, "-error")

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    @on(Input.Changed, "#search-input")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        self._stop_timer()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._announce)

    def _announce(self) -> None:
        """Post the query if it is not the one last posted."""
        self._stop_timer()
        query = self.input.value
        if query != self._announced:
            self._announced = query
            self.post_message(self.QueryChanged(self, query))

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self._announce()
        self.post_message(self.Submitted(self, self.input.value))
