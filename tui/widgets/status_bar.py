"""One line under the panes: which view this is, how many stories it holds, and a refresh's progress."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from tui.widgets.view_list import clip

VIEW_NAME_WIDTH = 32
"""A long view name (a feed's title) is cut, so the counts and a refresh's progress still show."""


class StatusBar(Widget):
    """The view name, whether only unread stories show, the number of stories and how many are unread."""

    view_name: reactive[str] = reactive("All stories")
    unread_only: reactive[bool] = reactive(False)
    story_count: reactive[int | None] = reactive(None)
    matched_count: reactive[int | None] = reactive(None)
    """How many stories matched, when more than the list shows (a search is capped)."""
    unread_count: reactive[int] = reactive(0)
    activity: reactive[str] = reactive("")
    """What runs in the background, or last ran: "Fetching 12/200 · 35 new", "Refreshed 14:05"."""

    def render(self) -> Content:
        if self.story_count is None:
            counts = "loading…"
        else:
            noun = "story" if self.story_count == 1 else "stories"
            shown = f"{self.story_count:,}"
            if self.matched_count is not None and self.matched_count > self.story_count:
                shown = f"{shown} of {self.matched_count:,}"
            counts = f"{shown} {noun} · {self.unread_count:,} unread"
        return Content.assemble(
            ("Broadsheet", "bold"),
            "  ",
            clip(self.view_name, VIEW_NAME_WIDTH),
            ("  unread only", "bold") if self.unread_only else "",
            "  ",
            ("│", "dim"),
            "  ",
            counts,
            *((("  ", ("│", "dim"), "  ", self.activity)) if self.activity else ()),
        )
