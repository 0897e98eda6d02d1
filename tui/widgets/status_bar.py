"""One line under the panes: which view this is and how many stories it holds."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class StatusBar(Widget):
    """The view name, whether only unread stories show, the number of stories and how many are unread."""

    view_name: reactive[str] = reactive("All stories")
    unread_only: reactive[bool] = reactive(False)
    story_count: reactive[int | None] = reactive(None)
    matched_count: reactive[int | None] = reactive(None)
    """How many stories matched, when more than the list shows (a search is capped)."""
    unread_count: reactive[int] = reactive(0)

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
            self.view_name,
            ("  unread only", "bold") if self.unread_only else "",
            "  ",
            ("│", "dim"),
            "  ",
            counts,
        )
