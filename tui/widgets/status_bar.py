"""One line under the panes, always shown: the view, where the cursor is, how many are unread,
and the last refresh (or the one running).

It is the only thing besides two rows of the list (and the highlights) that a move of the
cursor repaints, so the position lives here rather than in the list's border.  Narrow
terminals get the same facts in fewer cells: the name of the app goes first, then the view's
name is cut, so the counts and the refresh always show.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.view_list import clip

VIEW_NAME_WIDTH = 32
"""A long view name (a feed's title) is cut, so the counts and a refresh's progress still show."""
MIN_VIEW_NAME_WIDTH = 10
"""The view name keeps at least this many cells when space is short."""
BRAND = "Broadsheet"
SEPARATOR = "  │  "
TIGHT_SEPARATOR = " │ "


class StatusBar(Widget):
    """The view name, whether only unread stories show, where the cursor is, how many are unread, the refresh."""

    view_name: reactive[str] = reactive("All stories")
    unread_only: reactive[bool] = reactive(False)
    story_count: reactive[int | None] = reactive(None)
    matched_count: reactive[int | None] = reactive(None)
    """How many stories matched, when more than the list shows (a search is capped)."""
    unread_count: reactive[int] = reactive(0)
    position: reactive[str] = reactive("")
    """Where the cursor is in the list: "12/2,000"."""
    activity: reactive[str] = reactive("")
    """What runs in the background, or last ran: "Fetching 12/200 · 35 new", "Refreshed 14:05"."""

    def counts(self) -> str:
        """ "12/2,000 · 345 unread", "3/200 of 1,250 · 20 unread", "no stories", "loading…"."""
        if self.story_count is None:
            return "loading…"
        if not self.story_count:
            return "no stories"
        shown = self.position or f"{self.story_count:,}"
        if self.matched_count is not None and self.matched_count > self.story_count:
            shown = f"{shown} of {self.matched_count:,}"
        return f"{shown} · {self.unread_count:,} unread"

    def render(self) -> Content:
        width = self.content_size.width or 200
        counts = self.counts()
        unread_only = "  unread only" if self.unread_only else ""
        activity = self.activity
        separator = SEPARATOR
        fixed = cell_len(counts) + cell_len(unread_only) + (cell_len(activity) + len(separator) if activity else 0)
        brand = width - fixed - len(separator) - cell_len(self.view_name) >= len(BRAND) + 2
        if not brand and width - fixed - len(separator) - MIN_VIEW_NAME_WIDTH < 0:
            separator = TIGHT_SEPARATOR
            fixed = cell_len(counts) + cell_len(unread_only) + (cell_len(activity) + len(separator) if activity else 0)
        room = width - fixed - len(separator) - ((len(BRAND) + 2) if brand else 0)
        view_name = clip(self.view_name, max(MIN_VIEW_NAME_WIDTH, min(VIEW_NAME_WIDTH, room)))
        return Content.assemble(
            *(((BRAND, "bold"), "  ") if brand else ()),
            view_name,
            (unread_only, "bold"),
            (separator, "dim"),
            counts,
            *(((separator, "dim"), activity) if activity else ()),
        )
