"""The highlights panel: the selected story's bullets, with a search's matches marked."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from store import Story
from tui.matches import Spans

BULLET = Content("•")
MATCH_STYLE = ".highlights--match"


def marked(text: str, spans: Spans) -> Content:
    content = Content(text)
    for start, end in spans:
        content = content.stylize(MATCH_STYLE, start, end)
    return content


class Bullet(Horizontal):
    """One highlight, its wrapped lines hanging under the bullet mark."""

    def __init__(self, text: str, spans: Spans = ()) -> None:
        super().__init__()
        self._text = text
        self._spans = spans

    def compose(self) -> ComposeResult:
        yield Static(BULLET, classes="bullet-mark")
        yield Static(marked(self._text, self._spans), classes="bullet-text")


class Highlights(VerticalScroll, inherit_bindings=False):
    """The bullets of one story, or a line saying why there are none."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "scroll_down", "Down", show=False, tooltip="Scroll the highlights down", id="highlights.down"
        ),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the highlights up", id="highlights.up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"highlights--match"}

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._story: Story | None = None
        self._spans: tuple[Spans, ...] = ()
        self._message = "Loading…"

    @property
    def story(self) -> Story | None:
        return self._story

    @property
    def spans(self) -> tuple[Spans, ...]:
        """The matches marked in each highlight."""
        return self._spans

    def show_story(self, story: Story, spans: tuple[Spans, ...] = ()) -> None:
        """Show the story's highlights, with `spans` (one tuple per highlight) marked."""
        if story == self._story and spans == self._spans:
            return
        self._story = story
        self._spans = spans
        self.border_subtitle = "generated" if story.highlights_generated else ""
        self._redraw()

    def show_message(self, message: str) -> None:
        self._story = None
        self._spans = ()
        self._message = message
        self.border_subtitle = ""
        self._redraw()

    def _redraw(self) -> None:
        self.scroll_home(animate=False, immediate=True)
        self.refresh(recompose=True)

    def compose(self) -> ComposeResult:
        story = self._story
        if story is None:
            yield Static(Content(self._message), classes="placeholder")
        elif not story.highlights:
            yield Static(Content("No highlights for this story."), classes="placeholder")
        else:
            for index, text in enumerate(story.highlights):
                yield Bullet(text, self._spans[index] if index < len(self._spans) else ())
