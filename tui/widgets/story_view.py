"""The full-text viewer: title, source, date, the reader's note, body and opinions of one story.

Opened from a search, it marks what the search matched and steps from match to match
(`next_match`), scrolling each into view.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.style import Style
from textual.widgets import Static

from store import Story
from tui.matches import Spans, StoryMatches, viewer_body

MATCH_STYLE = ".story-view--match"
CURRENT_MATCH = Style(bold=True, reverse=True)
"""The match last stepped to: reversed, so it stands out in any theme and under NO_COLOR."""


def format_published(published: datetime, now: datetime) -> str:
    """A date a reader recognises at a glance, in the reader's time zone: "Sun 3 Nov 2024, 14:05"."""
    local = published.astimezone(now.tzinfo)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def story_meta(story: Story, now: datetime) -> Content:
    """The line under the title: source · author · date, then the bookmark when set."""
    parts = [part for part in (story.source, story.author) if part]
    parts.append(format_published(story.published, now))
    meta = Content(" · ".join(parts))
    if story.bookmarked:
        meta = meta + Content.styled("  ★ Bookmarked", "bold")
    return meta


def marked(text: str, spans: Spans, current: tuple[int, int] | None = None) -> Content:
    """`text` with every span marked, and the current one marked more strongly."""
    content = Content(text)
    for start, end in spans:
        content = content.stylize(MATCH_STYLE, start, end)
        if (start, end) == current:
            content = content.stylize(CURRENT_MATCH, start, end)
    return content


def line_of_offset(content: Content, offset: int, width: int) -> int:
    """Which line, once `content` is wrapped to `width` cells, holds the character at `offset`."""
    if width <= 0:
        return 0
    text = content.plain
    lines = content.wrap(width)
    position = 0
    for index, line in enumerate(lines):
        piece = line.plain.rstrip()
        if not piece:
            continue
        start = text.find(piece, position)
        if start < 0:  # the wrapper changed the text (tabs): estimate
            return min(len(lines) - 1, round(offset / max(1, len(text)) * len(lines)))
        position = start + len(piece)
        if offset < position:
            return index
    return max(0, len(lines) - 1)


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """One part of the story that can hold matches, and the widget showing it."""

    widget: Static
    text: str
    spans: Spans


class StoryView(VerticalScroll, inherit_bindings=False):
    """One story in full; scrolled by the keys here and the page keys on the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, tooltip="Scroll the story down", id="viewer.down"),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the story up", id="viewer.up"),
        Binding("g,home", "scroll_home", "Top", show=False, tooltip="Go to the top of the story", id="viewer.top"),
        Binding("G,end", "scroll_end", "End", show=False, tooltip="Go to the end of the story", id="viewer.bottom"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"story-view--match"}

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._story: Story | None = None
        self._matches: StoryMatches | None = None
        self._sections: list[Section] = []
        self._match_list: list[tuple[int, int, int]] = []
        """Every match in reading order: (section index, start, end)."""
        self._current = -1

    @property
    def story(self) -> Story | None:
        return self._story

    @property
    def matches(self) -> StoryMatches | None:
        return self._matches

    @property
    def match_count(self) -> int:
        return len(self._match_list)

    @property
    def current_match(self) -> int | None:
        """Index of the match last stepped to (None before the first step)."""
        return self._current if self._current >= 0 else None

    def compose(self) -> ComposeResult:
        yield Static(Content("Loading…"), id="viewer-message")
        yield Static(id="story-title")
        yield Static(id="story-meta")
        yield Static(id="story-link")
        yield Static(Content("Note"), id="note-heading")
        yield Static(id="story-note")
        yield Static(id="story-body")
        yield Static(Content("Opinions"), id="opinions-heading")
        yield Vertical(id="opinions")

    def on_mount(self) -> None:
        self.set_class(True, "-empty")

    def show_message(self, message: str) -> None:
        """No story to show: say why."""
        self._story = None
        self._set_matches(None, [])
        self.query_one("#viewer-message", Static).update(Content(message))
        self.set_class(True, "-empty")
        self.scroll_home(animate=False, immediate=True)

    def show_story(self, story: Story, matches: StoryMatches | None = None) -> None:
        """Show `story`, marking `matches`; when only its flags changed, keep the reader's place."""
        previous = self._story
        self._story = story
        matches = matches if matches is not None and matches.count else None
        self.query_one("#story-meta", Static).update(story_meta(story, self._clock()))
        if (
            previous is not None
            and dataclasses.replace(previous, read=story.read, bookmarked=story.bookmarked) == story
            and matches == self._matches
        ):
            return
        self.set_class(False, "-empty")
        link = self.query_one("#story-link", Static)
        link.update(Content(story.url))
        link.display = bool(story.url)
        self.query_one("#note-heading", Static).display = bool(story.note)
        note = self.query_one("#story-note", Static)
        note.display = bool(story.note)
        self.query_one("#opinions-heading", Static).display = bool(story.opinions)
        opinions = self.query_one("#opinions", Vertical)
        opinions.remove_children()
        opinion_widgets = [Static(classes="opinion") for _ in story.opinions]
        opinions.mount_all(opinion_widgets)
        found = matches or StoryMatches("")
        opinion_spans = [*found.opinions, *([()] * len(story.opinions))]
        sections = [
            Section(self.query_one("#story-title", Static), story.title or "(untitled)", found.title),
            Section(note, story.note, found.note),
            Section(self.query_one("#story-body", Static), viewer_body(story), found.body),
            *(
                Section(widget, text, opinion_spans[index])
                for index, (widget, text) in enumerate(zip(opinion_widgets, story.opinions))
            ),
        ]
        self._set_matches(matches, sections)
        for index in range(len(sections)):
            self._paint(index)
        self.scroll_home(animate=False, immediate=True)

    def _set_matches(self, matches: StoryMatches | None, sections: list[Section]) -> None:
        self._matches = matches
        self._sections = sections
        self._match_list = [
            (index, start, end) for index, section in enumerate(sections) for start, end in section.spans
        ]
        self._current = -1
        self._update_subtitle()

    def _paint(self, index: int) -> None:
        section = self._sections[index]
        current: tuple[int, int] | None = None
        if self._current >= 0:
            at, start, end = self._match_list[self._current]
            if at == index:
                current = (start, end)
        section.widget.update(marked(section.text, section.spans, current))

    def _update_subtitle(self) -> None:
        count = len(self._match_list)
        if not count:
            self.border_subtitle = ""
        elif self._current < 0:
            self.border_subtitle = f"{count} {'match' if count == 1 else 'matches'} · n next"
        else:
            self.border_subtitle = f"match {self._current + 1} of {count} · n next · N previous"

    # ------------------------------------------------------------ stepping through matches

    def next_match(self, step: int = 1) -> bool:
        """Go to the next match (`step` 1) or the previous one (-1); False when there is none that way."""
        if not self._match_list:
            return False
        if self._current < 0:
            wanted = 0 if step > 0 else len(self._match_list) - 1
        else:
            wanted = self._current + step
        if not 0 <= wanted < len(self._match_list):
            return False
        old_section = self._match_list[self._current][0] if self._current >= 0 else None
        self._current = wanted
        new_section = self._match_list[wanted][0]
        if old_section is not None and old_section != new_section:
            self._paint(old_section)
        self._paint(new_section)
        self._update_subtitle()
        self.call_after_refresh(self.scroll_to_match, wanted)
        return True

    def match_line(self, index: int) -> int:
        """The line (in the viewer's scrollable content) that holds match `index`."""
        section_index, start, _end = self._match_list[index]
        widget = self._sections[section_index].widget
        top = widget.content_region.y - self.content_region.y + self.scroll_offset.y
        content = marked(self._sections[section_index].text, ())
        return top + line_of_offset(content, start, widget.content_region.width)

    def scroll_to_match(self, index: int) -> None:
        """Bring match `index` into view, a third of the way down when the viewer has to move."""
        if not 0 <= index < len(self._match_list):
            return
        line = self.match_line(index)
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        context = min(2, height // 4)
        if top + context <= line < top + height - context:
            return
        self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)
