"""The highlights panel: the selected story's bullets, with a search's matches marked.

The panel follows the cursor, so it changes on every move through the list: it is one
widget painted line by line (the Line API), its text wrapped once per story and width,
with a height the stylesheet fixes.  A new story repaints the panel and nothing else: no
widgets are mounted, no layout runs, no scrollbar elsewhere is repainted (over SSH every
byte counts).  It scrolls itself (j/k, the wheel) when the bullets do not fit, and says so
on its last line (not in its border: a border change repaints the whole panel).

The story's whole title heads the bullets (the list cuts titles to its column), then a line
saying when the highlights were generated from the text, unless the panel is too short to
spare the lines.  Nothing is ever written in the border: a border change repaints the panel.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.geometry import Region
from textual.strip import Strip
from textual.style import Style
from textual.widget import Widget
from textual.widgets import Static

from store import Story
from tui.matches import Spans

BULLET = Content("•")
MARK_WIDTH = 2
"""The bullet and the space after it: wrapped lines hang under the text, not under the bullet."""
MATCH_STYLE = ".highlights--match"
TITLE_MIN_HEIGHT = 5
"""A panel with fewer lines than this shows only the bullets."""
GENERATED = "generated from the story's text"
"""Under the title, for highlights chosen by Broadsheet rather than given by the feed."""


def marked(text: str, spans: Spans, style: str | Style = MATCH_STYLE) -> Content:
    content = Content(text)
    for start, end in spans:
        content = content.stylize(style, start, end)
    return content


class Bullet(Horizontal):
    """One highlight, its wrapped lines hanging under the bullet mark (the viewer's highlights use it)."""

    def __init__(self, text: str, spans: Spans = ()) -> None:
        super().__init__()
        self._text = text
        self._spans = spans

    def compose(self) -> ComposeResult:
        yield Static(BULLET, classes="bullet-mark")
        yield Static(marked(self._text, self._spans), classes="bullet-text")


class Highlights(Widget, can_focus=True, inherit_bindings=False):
    """The bullets of one story, or a line saying why there are none."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "scroll_down", "Down", show=False, tooltip="Scroll the highlights down", id="highlights.down"
        ),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the highlights up", id="highlights.up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "highlights--match",
        "highlights--mark",
        "highlights--placeholder",
        "highlights--title",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._story: Story | None = None
        self._spans: tuple[Spans, ...] = ()
        self._message = "Loading…"
        self._top = 0
        """The first line shown (the panel scrolls when the bullets do not fit)."""
        self._lines: list[Strip] = []
        self._lines_width = -1
        """The width `_lines` were wrapped for (-1: wrap again)."""
        self._more: Strip | None = None
        """The last line shown while more lines are below."""

    @property
    def story(self) -> Story | None:
        return self._story

    @property
    def spans(self) -> tuple[Spans, ...]:
        """The matches marked in each highlight."""
        return self._spans

    @property
    def message(self) -> str | None:
        """The line shown instead of bullets (None while a story shows)."""
        return self._message if self._story is None else None

    @property
    def generated(self) -> bool:
        """True when the highlights shown were generated from the story's text (not given by its feed)."""
        story = self._story
        return story is not None and bool(story.highlights) and story.highlights_generated

    @property
    def scroll_line(self) -> int:
        """The first line shown."""
        return self._top

    def bullet_content(self, index: int) -> Content:
        """Highlight `index` as shown: its text with the matches marked."""
        assert self._story is not None
        spans = self._spans[index] if index < len(self._spans) else ()
        return marked(self._story.highlights[index], spans)

    def show_story(self, story: Story, spans: tuple[Spans, ...] = ()) -> None:
        """Show the story's highlights, with `spans` (one tuple per highlight) marked."""
        shown = self._story
        self._story = story  # its flags may be newer; what is painted depends only on the fields below
        if (
            shown is not None
            and shown.id == story.id
            and shown.title == story.title
            and shown.highlights == story.highlights
            and shown.highlights_generated == story.highlights_generated
            and spans == self._spans
        ):
            return
        self._spans = spans
        self._changed()

    def show_message(self, message: str) -> None:
        if self._story is None and message == self._message:
            return
        self._story = None
        self._spans = ()
        self._message = message
        self._changed()

    # ------------------------------------------------------------ painting

    def _changed(self) -> None:
        """Repaint what changed: only the lines that differ, unless the border changes too."""
        before = self._visible_lines() if self._lines_width >= 0 else None
        self._top = 0
        self._lines_width = -1
        if before is None or not self.content_size:
            self.refresh()
            return
        after = self._visible_lines()
        width = self.content_size.width
        for y, (old, new) in enumerate(zip(before, after)):
            if old != new:
                self.refresh(Region(0, y, width, 1))

    def _visible_lines(self) -> list[Strip | None]:
        """The lines the panel shows now (None for a blank line past the text)."""
        width, height = self.content_size
        lines = self._text_lines(width)
        shown: list[Strip | None] = list(lines[self._top : self._top + height])
        if height > 1 and len(lines) - self._top > height:
            shown[-1] = self._more_line(width)
        return [*shown, *([None] * (height - len(shown)))]

    def _more_line(self, width: int) -> Strip:
        if self._more is None or self._more.cell_length != width:
            self._more = self._plain_lines("↓ more: tab here, then j", width, "highlights--placeholder")[0]
        return self._more

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines_width = -1
        self._more = None

    def on_resize(self, event: events.Resize) -> None:
        self._lines_width = -1
        self._top = min(self._top, self._max_top())

    def _text_lines(self, width: int) -> list[Strip]:
        """Every line of the panel at `width` cells (wrapped once per story and width)."""
        if width == self._lines_width:
            return self._lines
        self._lines_width = width
        self._lines = self._wrap(width) if width > 0 else []
        return self._lines

    def _plain_lines(self, text: str, width: int, component: str) -> list[Strip]:
        style = self.get_visual_style(component)
        base_rich = self.get_visual_style().rich_style
        return [
            Strip(line.render_segments(style)).adjust_cell_length(width, base_rich).simplify()
            for line in Content(text).wrap(width)
        ]

    def _wrap(self, width: int) -> list[Strip]:
        base = self.get_visual_style()
        base_rich = base.rich_style
        story = self._story
        if story is None:
            return self._plain_lines(self._message, width, "highlights--placeholder")
        lines: list[Strip] = []
        if story.title and self.content_size.height >= TITLE_MIN_HEIGHT:
            lines = self._plain_lines(story.title, width, "highlights--title")
            if self.generated:
                lines += self._plain_lines(GENERATED, width, "highlights--placeholder")
            lines.append(Strip.blank(width, base_rich))
        if not story.highlights:
            return lines + self._plain_lines("No highlights for this story.", width, "highlights--placeholder")
        match = self.get_visual_style("highlights--match", partial=True)
        mark = Segment("•".ljust(MARK_WIDTH), self.get_visual_style("highlights--mark").rich_style)
        hang = Segment(" " * MARK_WIDTH, base_rich)
        text_width = max(1, width - MARK_WIDTH)
        for index, text in enumerate(story.highlights):
            if index:
                lines.append(Strip.blank(width, base_rich))
            spans = self._spans[index] if index < len(self._spans) else ()
            for number, line in enumerate(marked(text, spans, match).wrap(text_width)):
                segments = [mark if number == 0 else hang, *line.render_segments(base)]
                lines.append(Strip(segments).adjust_cell_length(width, base_rich).simplify())
        return lines

    def render_line(self, y: int) -> Strip:
        shown = self._visible_lines()
        line = shown[y] if 0 <= y < len(shown) else None
        return line if line is not None else Strip.blank(self.content_size.width, self.get_visual_style().rich_style)

    # ------------------------------------------------------------ scrolling

    def _max_top(self) -> int:
        return max(0, len(self._text_lines(self.content_size.width)) - self.content_size.height)

    def scroll_lines(self, lines: int) -> None:
        top = max(0, min(self._top + lines, self._max_top()))
        if top != self._top:
            self._top = top
            self.refresh()

    def action_scroll_down(self) -> None:
        self.scroll_lines(1)

    def action_scroll_up(self) -> None:
        self.scroll_lines(-1)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_lines(1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_lines(-1)
