"""The story list: one row per story, painted line by line so 100,000 rows stay quick.

A Line-API `ScrollView`: only the visible rows are rendered, each row is cached until
it changes, and the widget holds plain `StorySummary` rows, never a widget per story.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import StorySummary

UNREAD_MARK = "●"
BOOKMARK_MARK = "★"
AGE_WIDTH = 6
SOURCE_WIDTH = 16
# Cells outside the title and source: margins, the two markers and the gaps between columns.
FIXED_WIDTH = 1 + 1 + 1 + 1 + 1 + 2 + 2 + AGE_WIDTH + 1


def format_age(published: datetime, now: datetime) -> str:
    """How old a story is, in at most six cells: "now", "5m", "3h", "2d", "Nov 3", "2023"."""
    seconds = (now - published).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    local = published.astimezone(now.tzinfo)
    if seconds < 300 * 86400:
        return f"{local:%b} {local.day}"
    return f"{local.year}"


def fit_cells(text: str, width: int) -> str:
    """`text` padded or cut to exactly `width` cells, with an ellipsis when cut."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


class StoryList(ScrollView, can_focus=True, inherit_bindings=False):
    """Every story, newest first, with a cursor.  Posts `Highlighted` and `Selected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next story", id="story.down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous story", id="story.up"),
        Binding("g,home", "cursor_first", "First", show=False, tooltip="First story", id="story.first"),
        Binding("G,end", "cursor_last", "Last", show=False, tooltip="Last story", id="story.last"),
        Binding("enter,l", "select", "Open", tooltip="Open the story in the viewer", id="story.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "story-list--row",
        "story-list--cursor",
        "story-list--cursor-blurred",
        "story-list--unread-mark",
        "story-list--bookmark-mark",
        "story-list--title",
        "story-list--title-unread",
        "story-list--source",
        "story-list--age",
    }

    class Highlighted(Message):
        """The cursor moved to another story."""

        def __init__(self, story_list: StoryList, story_id: str) -> None:
            super().__init__()
            self.story_list = story_list
            self.story_id = story_id

        @property
        def control(self) -> StoryList:
            return self.story_list

    class Selected(Message):
        """The user asked to open the story under the cursor."""

        def __init__(self, story_list: StoryList, story_id: str) -> None:
            super().__init__()
            self.story_list = story_list
            self.story_id = story_id

        @property
        def control(self) -> StoryList:
            return self.story_list

    def __init__(
        self,
        clock: Callable[[], datetime],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._clock = clock
        self._stories: list[StorySummary] = []
        self._index_by_id: dict[str, int] = {}
        self._cursor = 0
        self._announced_id: str | None = None
        self._row_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)

    # ------------------------------------------------------------ what it holds

    @property
    def cursor(self) -> int:
        """Index of the row under the cursor (0 when the list is empty)."""
        return self._cursor

    @property
    def story_count(self) -> int:
        return len(self._stories)

    @property
    def highlighted_story(self) -> StorySummary | None:
        if not self._stories:
            return None
        return self._stories[self._cursor]

    def story(self, story_id: str) -> StorySummary | None:
        index = self._index_by_id.get(story_id)
        return None if index is None else self._stories[index]

    def set_stories(self, stories: Sequence[StorySummary]) -> None:
        """Show these rows instead; the cursor stays on the same story when it is still there."""
        current = self.highlighted_story
        self._stories = list(stories)
        self._index_by_id = {story.id: index for index, story in enumerate(self._stories)}
        self._row_cache.clear()
        self.virtual_size = Size(0, len(self._stories))
        kept = self._index_by_id.get(current.id) if current is not None else None
        self._cursor = self._clamped(self._cursor if kept is None else kept)
        self.refresh()
        self._cursor_moved()

    def replace_story(self, story: StorySummary) -> None:
        """Repaint one story's row in place (its flags changed)."""
        index = self._index_by_id.get(story.id)
        if index is None:
            return
        self._stories[index] = story
        self.refresh_line(index)

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row `index` (clamped to the list)."""
        index = self._clamped(index)
        if index != self._cursor:
            self.refresh_line(self._cursor)
            self._cursor = index
            self.refresh_line(index)
        self._cursor_moved()

    def _cursor_moved(self) -> None:
        self._scroll_cursor_into_view()
        story = self.highlighted_story
        if story is not None and story.id != self._announced_id:
            self._announced_id = story.id
            self.post_message(self.Highlighted(self, story.id))

    def _clamped(self, index: int) -> int:
        return max(0, min(index, len(self._stories) - 1))

    def _scroll_cursor_into_view(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 0:
            return
        top = round(self.scroll_y)
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False)

    # ------------------------------------------------------------ actions

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(len(self._stories) - 1)

    def action_select(self) -> None:
        story = self.highlighted_story
        if story is not None:
            self.post_message(self.Selected(self, story.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = round(self.scroll_y) + offset.y
        if row >= len(self._stories):
            return
        self.focus()
        self.move_cursor(row)
        if event.chain > 1:
            self.action_select()

    def on_resize(self, event: events.Resize) -> None:
        self._row_cache.clear()
        self._scroll_cursor_into_view()

    def on_focus(self) -> None:
        self.refresh_line(self._cursor)

    def on_blur(self) -> None:
        self.refresh_line(self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_cache.clear()

    # ------------------------------------------------------------ painting

    def render_line(self, y: int) -> Strip:
        row = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if row >= len(self._stories):
            return Strip.blank(width, self.get_visual_style("story-list--row").rich_style)
        story = self._stories[row]
        cursor = ""
        if row == self._cursor:
            cursor = "story-list--cursor" if self.has_focus else "story-list--cursor-blurred"
        age = format_age(story.published, self._clock())
        key = (story, width, cursor, age)
        strip = self._row_cache.get(key)
        if strip is None:
            strip = self._render_row(story, width, cursor, age)
            self._row_cache[key] = strip
        return strip

    def _render_row(self, story: StorySummary, width: int, cursor: str, age: str) -> Strip:
        def style(component: str) -> RichStyle:
            names = (component, cursor) if cursor else (component,)
            return self.get_visual_style(*names).rich_style

        row = style("story-list--row")
        source_width = min(SOURCE_WIDTH, max(0, (width - FIXED_WIDTH) // 3))
        title_width = max(0, width - FIXED_WIDTH - source_width)
        title_style = "story-list--title" if story.read else "story-list--title-unread"
        segments = [
            Segment(" ", row),
            Segment(" " if story.read else UNREAD_MARK, style("story-list--unread-mark")),
            Segment(" ", row),
            Segment(BOOKMARK_MARK if story.bookmarked else " ", style("story-list--bookmark-mark")),
            Segment(" ", row),
            Segment(fit_cells(story.title, title_width), style(title_style)),
            Segment("  ", row),
            Segment(fit_cells(story.source, source_width), style("story-list--source")),
            Segment("  ", row),
            Segment(age.rjust(AGE_WIDTH), style("story-list--age")),
            Segment(" ", row),
        ]
        return Strip(segments).adjust_cell_length(width, row)
