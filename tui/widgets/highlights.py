"""The highlights panel: the selected story's bullets."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from store import Story

BULLET = Content("•")


class Bullet(Horizontal):
    """One highlight, its wrapped lines hanging under the bullet mark."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def compose(self) -> ComposeResult:
        yield Static(BULLET, classes="bullet-mark")
        yield Static(Content(self._text), classes="bullet-text")


class Highlights(VerticalScroll, inherit_bindings=False):
    """The bullets of one story, or a line saying why there are none."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "j,down", "scroll_down", "Down", show=False, tooltip="Scroll the highlights down", id="highlights.down"
        ),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the highlights up", id="highlights.up"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._story: Story | None = None
        self._message = "Loading…"

    @property
    def story(self) -> Story | None:
        return self._story

    def show_story(self, story: Story) -> None:
        self._story = story
        self.border_subtitle = "generated" if story.highlights_generated else ""
        self._redraw()

    def show_message(self, message: str) -> None:
        self._story = None
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
            for text in story.highlights:
                yield Bullet(text)
