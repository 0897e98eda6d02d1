"""One line under the panes: which view this is and how many stories it holds."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget


class StatusBar(Widget):
    """The view name, the number of stories and how many are unread."""

    view_name: reactive[str] = reactive("All stories")
    story_count: reactive[int | None] = reactive(None)
    unread_count: reactive[int] = reactive(0)

    def render(self) -> Content:
        if self.story_count is None:
            counts = "loading…"
        else:
            noun = "story" if self.story_count == 1 else "stories"
            counts = f"{self.story_count:,} {noun} · {self.unread_count:,} unread"
        return Content.from_markup(
            "[b]Broadsheet[/b]  $view  [dim]│[/dim]  $counts", view=self.view_name, counts=counts
        )
