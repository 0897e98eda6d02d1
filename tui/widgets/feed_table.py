"""The feeds on the "Feeds & views" screen: one row per feed with its health.

Title, when it last fetched well, the last HTTP status, its stories and unread stories,
and the last error in one plain sentence.  Every cell is a `rich.text.Text`: a feed's
title and its error come from the network and are never parsed as markup.

The table only shows and asks: enter posts `Chosen`, r `RefreshWanted`, d `RemoveWanted`;
the screen does the work.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import events, on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import DataTable

from store.feeds import Feed
from tui.widgets.story_list import format_age
from tui.widgets.view_list import clip

AGE_WIDTH = 12
STATUS_WIDTH = 9
COUNT_WIDTH = 7
FIXED_WIDTH = AGE_WIDTH + STATUS_WIDTH + 2 * COUNT_WIDTH + 2 * 6
"""Cells besides the title and the error: the other columns and every column's padding."""


def column_widths(width: int) -> tuple[int, int]:
    """(title, error) widths for a table `width` cells wide: the title up to 48, the error the rest."""
    free = width - FIXED_WIDTH
    title = max(16, min(48, free // 2))
    return title, max(12, free - title)


def feed_title(feed: Feed) -> str:
    return feed.title or feed.url


def status_text(feed: Feed) -> str:
    if feed.gone:
        return "gone"
    if feed.last_status is None:
        # No answer from the server at all (its name, the connection, a timeout): the error says which.
        return "failed" if feed.last_error else "not yet"
    return str(feed.last_status)


def last_success_text(feed: Feed, now: datetime) -> str:
    if feed.last_success is None:
        return "never"
    age = format_age(feed.last_success, now)
    return f"{age} ago" if age[-1] in "mhd" else age


class FeedTable(DataTable[Text], inherit_bindings=False):
    """Every feed and how it fares; the row under the cursor is the one the keys act on."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next feed", id="feeds.down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous feed", id="feeds.up"),
        Binding("g,home", "scroll_top", "First", show=False, tooltip="First feed", id="feeds.first"),
        Binding("G,end", "scroll_bottom", "Last", show=False, tooltip="Last feed", id="feeds.last"),
        Binding("enter,l", "choose", "Show", tooltip="Show this feed's stories", id="feeds.choose"),
        Binding("r", "refresh_feed", "Refresh", tooltip="Refresh this feed now", id="feeds.refresh_one"),
        Binding("d,delete", "remove_feed", "Remove", tooltip="Remove this feed", id="feeds.remove"),
    ]

    class Chosen(Message):
        """Show this feed's stories."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    class RefreshWanted(Message):
        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    class RemoveWanted(Message):
        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(
        self, clock: Callable[[], datetime], current: str = "", *, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(cursor_type="row", zebra_stripes=False, id=id, classes=classes)
        self._clock = clock
        self._current = current
        """The address of the feed the story list shows, if it shows one."""
        self._feeds: list[Feed] = []
        self._counts: dict[str, tuple[int, int]] = {}
        self._refreshing: set[str] = set()

    def on_mount(self) -> None:
        for label, key in (
            ("Feed", "title"),
            ("Last success", "success"),
            ("Status", "status"),
            ("Stories", "stories"),
            ("Unread", "unread"),
            ("Error", "error"),
        ):
            self.add_column(Text(label), key=key)

    @property
    def feeds(self) -> Sequence[Feed]:
        return self._feeds

    @property
    def counts(self) -> Mapping[str, tuple[int, int]]:
        """Each feed's (stories, unread), as last read."""
        return self._counts

    @property
    def highlighted_feed(self) -> Feed | None:
        if not self._feeds or not 0 <= self.cursor_row < len(self._feeds):
            return None
        return self._feeds[self.cursor_row]

    def set_feeds(self, feeds: Sequence[Feed], counts: Mapping[str, tuple[int, int]]) -> None:
        """Show these feeds (a refresh of one ends here too), keeping the cursor on its feed."""
        highlighted = self.highlighted_feed
        wanted = highlighted.url if highlighted is not None else self._current
        self._feeds = list(feeds)
        self._counts = dict(counts)
        self._refreshing &= {feed.url for feed in self._feeds}
        self._fill()
        urls = [feed.url for feed in self._feeds]
        if wanted in urls:
            self.move_cursor(row=urls.index(wanted), animate=False)

    def mark_refreshing(self, url: str) -> None:
        """Say "fetching…" on a feed's row until the next `set_feeds`."""
        self._refreshing.add(url)
        self._fill()

    def refreshed(self) -> None:
        self._refreshing.clear()

    def _fill(self) -> None:
        row = self.cursor_row
        self.clear()
        now = self._clock()
        title_width, error_width = column_widths(self.scrollable_content_region.width)
        for feed in self._feeds:
            stories, unread = self._counts.get(feed.url, (0, 0))
            marker = "▸ " if feed.url == self._current else "  "
            status = "fetching…" if feed.url in self._refreshing else status_text(feed)
            self.add_row(
                Text(marker + clip(feed_title(feed), title_width - 2), style="bold" if unread else ""),
                Text(last_success_text(feed, now)),
                Text(status, style="bold" if feed.last_error or feed.gone else ""),
                Text(f"{stories:,}", justify="right"),
                Text(f"{unread:,}", justify="right", style="bold" if unread else ""),
                Text(clip(feed.last_error, error_width), style="italic"),
                key=feed.url,
            )
        if self._feeds:
            self.move_cursor(row=min(row, len(self._feeds) - 1), animate=False)

    def on_resize(self, event: events.Resize) -> None:
        if self._feeds:
            self._fill()

    # ------------------------------------------------------------ actions: ask the screen

    def action_choose(self) -> None:
        feed = self.highlighted_feed
        if feed is not None:
            self.post_message(self.Chosen(feed.url))

    def action_refresh_feed(self) -> None:
        feed = self.highlighted_feed
        if feed is not None:
            self.post_message(self.RefreshWanted(feed.url))

    def action_remove_feed(self) -> None:
        feed = self.highlighted_feed
        if feed is not None:
            self.post_message(self.RemoveWanted(feed.url))

    @on(DataTable.RowSelected)
    def _clicked(self, event: DataTable.RowSelected) -> None:
        """A click on the highlighted row (DataTable's own select): show the feed."""
        event.stop()
        self.action_choose()
