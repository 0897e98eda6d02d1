"""The story list: one row per story, painted line by line so 100,000 rows stay quick.

A Line-API `ScrollView`: only the visible rows are rendered, each row is cached until
it changes, and the widget holds plain `StorySummary` rows, never a widget per story.

Rows change in place as the store changes (`patch_stories`): the cursor stays on its
story and on the same line of the screen, whatever arrives above it.

Search results take two lines a row: the story, then a snippet with the matched words
marked.  Snippets are asked for (`SnippetsWanted`) only for rows that are painted, and
handed back with `set_snippets`; the list never reads the store itself.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Final

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style as RichStyle
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import StorySummary
from tui.matches import Spans

UNREAD_MARK = "●"
BOOKMARK_MARK = "★"
AGE_WIDTH = 6
SOURCE_WIDTH = 16
# Cells outside the title and source: margins, the two markers and the gaps between columns.
FIXED_WIDTH = 1 + 1 + 1 + 1 + 1 + 2 + 2 + AGE_WIDTH + 1
SNIPPET_INDENT = 5
"""A snippet starts under the title: past the margin and the two markers."""


class KeepCursor:
    """`set_stories(select=KEEP)`: keep the cursor on the story it is on."""


KEEP: Final = KeepCursor()


@dataclass(frozen=True, slots=True)
class RowSnippet:
    """What a search result row shows under its title, and where the title matched."""

    text: str
    spans: Spans = ()
    title_spans: Spans = ()


@dataclass(frozen=True, slots=True)
class GroupBadge:
    """A row standing for a group of stories (tui.grouped): how many sources, and since when."""

    sources: int
    first_seen: datetime

    @property
    def label(self) -> str:
        """What the source column says instead of one source's name: "3 sources"."""
        return f"{self.sources} sources"


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


def marked_segments(text: str, spans: Spans, style: RichStyle, match_style: RichStyle) -> Iterable[Segment]:
    """`text` as segments, the spans in `match_style` (spans are sorted, as `match_spans` gives them)."""
    position = 0
    for start, end in spans:
        start = max(start, position)
        if end <= start:
            continue
        if start > position:
            yield Segment(text[position:start], style)
        yield Segment(text[start:end], match_style)
        position = end
    if position < len(text):
        yield Segment(text[position:], style)


def fit_segments(
    text: str, spans: Spans, width: int, style: RichStyle, match_style: RichStyle
) -> list[Segment]:
    """Like `fit_cells`, with the spans marked: exactly `width` cells, an ellipsis when cut."""
    if not spans:
        return [Segment(fit_cells(text, width), style)] if width > 0 else []
    if width <= 0:
        return []
    segments = list(marked_segments(text, spans, style, match_style))
    if cell_len(text) <= width:
        return list(Strip(segments).adjust_cell_length(width, style))
    return [*Strip(segments).crop(0, width - 1), Segment("…", style)]


def date_order(story: StorySummary) -> tuple[float, str]:
    """The sort key of a list read newest first (as the store lists stories: by date, then id)."""
    return (-story.published.timestamp(), story.id)


def merged_at(rows: list[StorySummary], added: list[StorySummary], places: list[int]) -> list[StorySummary]:
    """`rows` with each of `added` put before the row at its place (places in order): slices, not inserts,
    so 5,000 new stories go into 100,000 rows in one pass."""
    merged: list[StorySummary] = []
    start = 0
    for story, place in zip(added, places):
        merged += rows[start:place]
        merged.append(story)
        start = place
    merged += rows[start:]
    return merged


def position_text(cursor: int, count: int) -> str:
    """Where the cursor is, for the status bar: "201/100,001" ("" for an empty list)."""
    return f"{cursor + 1:,}/{count:,}" if count else ""


def row_index(stories: Sequence[StorySummary]) -> dict[str, int]:
    """Each row's place in the list, by story id."""
    return {story.id: place for place, story in enumerate(stories)}


class StoryList(ScrollView, can_focus=True, inherit_bindings=False):
    """Every story, newest first, with a cursor.  Posts `Highlighted`, `Selected` and `SnippetsWanted`.

    A move of the cursor repaints two rows and nothing else (over SSH every byte counts): where the
    cursor is goes into `announced_position` for the status bar, never into the list's own border.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next story", id="story.down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous story", id="story.up"),
        Binding("g,home", "cursor_first", "First", show=False, tooltip="First story", id="story.first"),
        Binding("G,end", "cursor_last", "Last", show=False, tooltip="Last story", id="story.last"),
        Binding("pagedown", "page(1)", "Page down", show=False, tooltip="Next page of stories", id="story.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="Previous page of stories", id="story.page_up"),
        Binding(
            "ctrl+d",
            "page(0.5)",
            "Half page down",
            show=False,
            tooltip="Half a page of stories down",
            id="story.half_down",
        ),
        Binding(
            "ctrl+u", "page(-0.5)", "Half page up", show=False, tooltip="Half a page of stories up", id="story.half_up"
        ),
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
        "story-list--snippet",
        "story-list--match",
    }

    announced_position: reactive[str] = reactive("", repaint=False, init=False)
    """Where the cursor is ("12/2,000"), for the status bar: watch it (`Widget.watch`).  A watcher runs
    as the cursor moves, so the status bar is drawn in the same frame as the rows; a message would
    reach the screen after that frame, and the position would show a frame or two (30 ms) late."""

    class StoryMessage(Message):
        """Something about one story in the list."""

        def __init__(self, story_list: StoryList, story_id: str) -> None:
            super().__init__()
            self.story_list = story_list
            self.story_id = story_id

        @property
        def control(self) -> StoryList:
            return self.story_list

    class Highlighted(StoryMessage):
        """The cursor moved to another story."""

    class Selected(StoryMessage):
        """The user asked to open the story under the cursor."""

    class SnippetsWanted(Message):
        """Rows on screen have no snippet yet: cut these, for the search `key`, and call `set_snippets`."""

        def __init__(self, story_list: StoryList, key: str, story_ids: list[str]) -> None:
            super().__init__()
            self.story_list = story_list
            self.key = key
            self.story_ids = story_ids

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
        self._styles: dict[tuple[object, ...], RichStyle] = {}
        """The rows' styles by (pseudo-class state, component names); cleared when the styles change."""
        self._style_state: tuple[bool, ...] = ()
        self._snippet_key: str | None = None
        """The search whose snippets the rows show; None: one line per row, no snippets."""
        self._snippets: dict[str, RowSnippet] = {}
        self._snippets_asked: set[str] = set()
        self._snippets_missing: set[str] = set()
        self._groups: Mapping[str, GroupBadge] = {}
        """Rows that stand for a group of stories (by the row's story id)."""

    # ------------------------------------------------------------ what it holds

    @property
    def cursor(self) -> int:
        """Index of the row under the cursor (0 when the list is empty)."""
        return self._cursor

    @property
    def story_count(self) -> int:
        return len(self._stories)

    @property
    def stories(self) -> Sequence[StorySummary]:
        """The rows, in order (do not change them: use `replace_stories`)."""
        return self._stories

    @property
    def position(self) -> str:
        """Where the cursor is: "12/2,000" ("" when the list is empty)."""
        return position_text(self._cursor, len(self._stories))

    @property
    def highlighted_story(self) -> StorySummary | None:
        if not self._stories:
            return None
        return self._stories[self._cursor]

    @property
    def snippet_key(self) -> str | None:
        """The search whose snippets are shown under the rows, if any."""
        return self._snippet_key

    @property
    def row_height(self) -> int:
        return 1 if self._snippet_key is None else 2

    def story(self, story_id: str) -> StorySummary | None:
        index = self._index_by_id.get(story_id)
        return None if index is None else self._stories[index]

    def snippet(self, story_id: str) -> RowSnippet | None:
        return self._snippets.get(story_id)

    def set_groups(self, groups: Mapping[str, GroupBadge]) -> None:
        """Which rows stand for a group (story id -> its badge); they show the number of sources
        and the group's first-seen time.  Call before `set_stories` with the folded rows."""
        self._groups = groups
        self._row_cache.clear()
        self.refresh()

    def group_badge(self, story_id: str) -> GroupBadge | None:
        return self._groups.get(story_id)

    def set_stories(
        self,
        stories: Sequence[StorySummary],
        *,
        select: str | None | KeepCursor = KEEP,
        snippet_key: str | None = None,
        index: dict[str, int] | None = None,
    ) -> None:
        """Show these rows instead.

        The cursor goes to the story `select` names (the top when it is None or not
        there); by default it stays on the same story when it is still there.  With a
        `snippet_key` (the search) each row takes two lines, the second its snippet.
        `index`: `row_index(stories)`, when a worker built it (100,000 rows take a hundredth of a
        second, a key's worth of time on the event loop); the list keeps it and never changes it.
        """
        current = self.highlighted_story
        line_on_screen = self._cursor * self.row_height - round(self.scroll_y)
        if snippet_key != self._snippet_key:
            self._snippet_key = snippet_key
            self._snippets.clear()
            self._snippets_asked.clear()
            self._snippets_missing.clear()
        self._stories = list(stories)
        self._index_by_id = index if index is not None else row_index(self._stories)
        self._row_cache.clear()
        self.virtual_size = Size(0, len(self._stories) * self.row_height)
        if isinstance(select, KeepCursor):
            kept = self._index_by_id.get(current.id) if current is not None else None
            self._cursor = self._clamped(self._cursor if kept is None else kept)
            if kept is not None:
                self._keep_on_screen_line(line_on_screen)
        else:
            self._cursor = self._clamped(self._index_by_id.get(select, 0) if select is not None else 0)
        self.refresh()
        self._cursor_moved()

    def patch_stories(
        self,
        changed: Iterable[StorySummary] = (),
        added: Iterable[StorySummary] = (),
        removed: Collection[str] = (),
        *,
        by_date: bool = True,
    ) -> None:
        """Change rows in place: repaint `changed`, put `added` in date order, drop `removed` (ids).

        The cursor stays on its story, on the same line of the screen; when its story
        goes, it moves to the row that took its place.  With `by_date` False (results
        ranked by relevance) a changed row keeps its place and nothing is added.
        """
        current = self.highlighted_story
        line_on_screen = self._cursor * self.row_height - round(self.scroll_y)
        added = list(added) if by_date else []
        removed = set(removed)
        for story in changed:
            index = self._index_by_id.get(story.id)
            if index is None:
                continue
            if by_date and story.published != self._stories[index].published:
                removed.add(story.id)  # it moves: out of its old place, into its new one
                added.append(story)
            else:
                self._stories[index] = story
        removed.update(story.id for story in added if story.id in self._index_by_id)
        removed &= self._index_by_id.keys()
        if removed or added:
            rows_before_cursor = self._cursor
            if removed:
                rows_before_cursor -= sum(1 for story_id in removed if self._index_by_id[story_id] < self._cursor)
                self._stories = [story for story in self._stories if story.id not in removed]
            if added:
                added.sort(key=date_order)
                places = [bisect_left(self._stories, date_order(story), key=date_order) for story in added]
                rows_before_cursor += sum(1 for place in places if place <= rows_before_cursor)
                self._stories = merged_at(self._stories, added, places)
            self._index_by_id = row_index(self._stories)
            self.virtual_size = Size(0, len(self._stories) * self.row_height)
            kept = self._index_by_id.get(current.id) if current is not None else None
            self._cursor = self._clamped(kept if kept is not None else rows_before_cursor)
            self._keep_on_screen_line(line_on_screen)
        self.refresh()
        self._cursor_moved()

    def _keep_on_screen_line(self, line: int) -> None:
        """Scroll so the cursor's row is on screen line `line` (as it was), as far as the list allows."""
        if 0 <= line < self.scrollable_content_region.height:
            self.scroll_to(y=max(0, self._cursor * self.row_height - line), animate=False, immediate=True, force=True)

    def set_snippets(self, key: str, snippets: Mapping[str, RowSnippet]) -> None:
        """Snippets cut for the search `key` (ignored when the list shows another search now)."""
        if key != self._snippet_key:
            return
        self._snippets.update(snippets)
        self.refresh()

    def replace_story(self, story: StorySummary) -> None:
        """Repaint one story's row in place (its flags changed)."""
        index = self._index_by_id.get(story.id)
        if index is None:
            return
        self._stories[index] = story
        self._refresh_row(index)

    def replace_stories(self, stories: Iterable[StorySummary]) -> None:
        """Repaint many rows in place at once (e.g. everything marked read)."""
        for story in stories:
            index = self._index_by_id.get(story.id)
            if index is not None:
                self._stories[index] = story
        self.refresh()

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row `index` (clamped to the list)."""
        index = self._clamped(index)
        if index != self._cursor:
            self._refresh_row(self._cursor)
            self._cursor = index
            self._refresh_row(index)
        self._cursor_moved()

    def _refresh_row(self, index: int) -> None:
        self.refresh_lines(index * self.row_height, self.row_height)

    def _cursor_moved(self) -> None:
        self._scroll_cursor_into_view()
        self.announced_position = position_text(self._cursor, len(self._stories))
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
        first = self._cursor * self.row_height
        last = first + self.row_height - 1
        if first < top:
            self.scroll_to(y=first, animate=False, force=True)
        elif last >= top + height:
            self.scroll_to(y=last - height + 1, animate=False, force=True)

    # ------------------------------------------------------------ actions

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_first(self) -> None:
        self.move_cursor(0)

    def action_cursor_last(self) -> None:
        self.move_cursor(len(self._stories) - 1)

    def action_page(self, pages: float) -> None:
        """Move a page (or a part of one) down or up, the cursor keeping its line on the screen."""
        rows = max(1, int(self.scrollable_content_region.height * abs(pages)) // self.row_height)
        step = rows if pages > 0 else -rows
        line_on_screen = self._cursor * self.row_height - round(self.scroll_y)
        self.move_cursor(self._cursor + step)
        self._keep_on_screen_line(line_on_screen)

    def next_unread(self) -> int | None:
        """The index of the first unread story after the cursor, else the first from the top (None: all read)."""
        stories = self._stories
        for index in range(self._cursor + 1, len(stories)):
            if not stories[index].read:
                return index
        for index in range(0, min(self._cursor + 1, len(stories))):
            if not stories[index].read:
                return index
        return None

    def action_select(self) -> None:
        story = self.highlighted_story
        if story is not None:
            self.post_message(self.Selected(self, story.id))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        row = (round(self.scroll_y) + offset.y) // self.row_height
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
        self._refresh_row(self._cursor)

    def on_blur(self) -> None:
        self._refresh_row(self._cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._row_cache.clear()
        self._styles.clear()

    # ------------------------------------------------------------ painting

    def render_line(self, y: int) -> Strip:
        row, part = divmod(round(self.scroll_y) + y, self.row_height)
        width = self.scrollable_content_region.width
        if row >= len(self._stories):
            return Strip.blank(width, self.get_visual_style("story-list--row").rich_style)
        story = self._stories[row]
        cursor = ""
        if row == self._cursor:
            cursor = "story-list--cursor" if self.has_focus else "story-list--cursor-blurred"
        snippet = self._wanted_snippet(story.id)
        badge = self._groups.get(story.id)
        age = format_age(badge.first_seen if badge else story.published, self._clock()) if part == 0 else ""
        key = (story, width, cursor, age, snippet, part, badge)
        strip = self._row_cache.get(key)
        if strip is None:
            # What Textual's own style cache is keyed by (see Widget.get_visual_style), once per row.
            self._style_state = (self.mouse_hover, self.has_focus, self.is_disabled)
            if part == 0:
                strip = self._render_row(story, width, cursor, age, snippet, badge)
            else:
                strip = self._render_snippet(width, cursor, snippet)
            self._row_cache[key] = strip
        return strip

    def _wanted_snippet(self, story_id: str) -> RowSnippet | None:
        """The row's snippet; when there is none yet, ask for it once the frame is painted."""
        if self._snippet_key is None:
            return None
        snippet = self._snippets.get(story_id)
        if snippet is None and story_id not in self._snippets_asked:
            if not self._snippets_missing:
                self.call_later(self._ask_for_snippets)
            self._snippets_missing.add(story_id)
        return snippet

    def _ask_for_snippets(self) -> None:
        missing = [story_id for story_id in self._snippets_missing if story_id not in self._snippets_asked]
        self._snippets_missing.clear()
        if missing and self._snippet_key is not None:
            self._snippets_asked.update(missing)
            self.post_message(self.SnippetsWanted(self, self._snippet_key, missing))

    def _style(self, *components: str, cursor: str) -> RichStyle:
        names = (*components, cursor) if cursor else components
        key = (self._style_state, names)
        style = self._styles.get(key)
        if style is None:
            # A row asks for seven styles: looked up once per state, till the styles change (a jump paints 40 rows).
            style = self._styles[key] = self.get_visual_style(*names).rich_style
        return style

    def _render_row(
        self,
        story: StorySummary,
        width: int,
        cursor: str,
        age: str,
        snippet: RowSnippet | None,
        badge: GroupBadge | None = None,
    ) -> Strip:
        def style(*components: str) -> RichStyle:
            return self._style(*components, cursor=cursor)

        row = style("story-list--row")
        source_width = min(SOURCE_WIDTH, max(0, (width - FIXED_WIDTH) // 3))
        title_width = max(0, width - FIXED_WIDTH - source_width)
        title_component = "story-list--title" if story.read else "story-list--title-unread"
        title_spans = snippet.title_spans if snippet is not None else ()
        segments = [
            Segment(" ", row),
            Segment(" " if story.read else UNREAD_MARK, style("story-list--unread-mark")),
            Segment(" ", row),
            Segment(BOOKMARK_MARK if story.bookmarked else " ", style("story-list--bookmark-mark")),
            Segment(" ", row),
            *fit_segments(
                story.title,
                title_spans,
                title_width,
                style(title_component),
                style(title_component, "story-list--match"),
            ),
            Segment("  ", row),
            Segment(
                fit_cells(badge.label if badge else story.source, source_width),
                style("story-list--source") + RichStyle(bold=True) if badge else style("story-list--source"),
            ),
            Segment("  ", row),
            Segment(age.rjust(AGE_WIDTH), style("story-list--age")),
            Segment(" ", row),
        ]
        return Strip(segments).adjust_cell_length(width, row).simplify()

    def _render_snippet(self, width: int, cursor: str, snippet: RowSnippet | None) -> Strip:
        row = self._style("story-list--row", cursor=cursor)
        text_style = self._style("story-list--snippet", cursor=cursor)
        match_style = self._style("story-list--snippet", "story-list--match", cursor=cursor)
        text, spans = (snippet.text, snippet.spans) if snippet is not None else ("…", ())
        segments = [
            Segment(" " * SNIPPET_INDENT, row),
            *fit_segments(text, spans, max(0, width - SNIPPET_INDENT - 1), text_style, match_style),
            Segment(" ", row),
        ]
        return Strip(segments).adjust_cell_length(width, row).simplify()
