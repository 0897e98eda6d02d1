"""The full-text viewer: title, source, date, body and opinions of one story."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from store import Story


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


class StoryView(VerticalScroll, inherit_bindings=False):
    """One story in full; scrolled by the keys here and the page keys on the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, tooltip="Scroll the story down", id="viewer.down"),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the story up", id="viewer.up"),
        Binding("g,home", "scroll_home", "Top", show=False, tooltip="Go to the top of the story", id="viewer.top"),
        Binding("G,end", "scroll_end", "End", show=False, tooltip="Go to the end of the story", id="viewer.bottom"),
    ]

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._story: Story | None = None

    @property
    def story(self) -> Story | None:
        return self._story

    def compose(self) -> ComposeResult:
        yield Static(Content("Loading…"), id="viewer-message")
        yield Static(id="story-title")
        yield Static(id="story-meta")
        yield Static(id="story-link")
        yield Static(id="story-body")
        yield Static(Content("Opinions"), id="opinions-heading")
        yield Vertical(id="opinions")

    def on_mount(self) -> None:
        self.set_class(True, "-empty")

    def show_message(self, message: str) -> None:
        """No story to show: say why."""
        self._story = None
        self.query_one("#viewer-message", Static).update(Content(message))
        self.set_class(True, "-empty")
        self.scroll_home(animate=False, immediate=True)

    def show_story(self, story: Story) -> None:
        """Show `story`; when only its flags changed, keep the reader's place."""
        previous = self._story
        self._story = story
        self.query_one("#story-meta", Static).update(story_meta(story, self._clock()))
        if (
            previous is not None
            and dataclasses.replace(previous, read=story.read, bookmarked=story.bookmarked) == story
        ):
            return
        self.set_class(False, "-empty")
        self.query_one("#story-title", Static).update(Content(story.title or "(untitled)"))
        link = self.query_one("#story-link", Static)
        link.update(Content(story.url))
        link.display = bool(story.url)
        self.query_one("#story-body", Static).update(Content(story.full_text or story.body or "(no text)"))
        self.query_one("#opinions-heading", Static).display = bool(story.opinions)
        opinions = self.query_one("#opinions", Vertical)
        opinions.remove_children()
        opinions.mount_all(Static(Content(text), classes="opinion") for text in story.opinions)
        self.scroll_home(animate=False, immediate=True)
