"""The viewer's "Coverage" of a group: every source's version of the same event.

A group (store.coverage) is one event reported by several feeds.  While one of its
stories is shown, two widgets in the viewer say so:

- `CoverageNote`, one line under the story's link: which source's version this is,
  and that `[` and `]` step through the others;
- `CoverageSection`, after the text: every source with its own headline, date and
  link, oldest first, the version shown marked.  A click on a headline shows that
  version (`SourceChosen`); a click on a link asks the screen to open it
  (`LinkClicked`), the same road as every other link in the app.

Every text here comes from feeds: it is shown as `Content`, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from textual import events
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widgets import Static

from store.coverage import Member
from tui.links import link_target

CURRENT_MARK = "▶"


def published_text(published: datetime, now: datetime) -> str:
    """ "Sun 3 Nov 2024, 14:05", in the reader's time zone (as the viewer's date line)."""
    local = published.astimezone(now.tzinfo)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def note_text(position: int, count: int) -> str:
    """The line under the link: "Source 2 of 3 · [ and ] show the others · all below under Coverage"."""
    return f"Source {position + 1} of {count} · [ and ] show the others · all of them under Coverage below"


def entry_content(member: Member, current: bool, now: datetime) -> Content:
    """A source's line, then its headline: "Northfield Times · Sun 3 Nov 2024, 14:05 · shown" / "Headline"."""
    name = member.source or member.feed or "(unknown source)"
    line = Content.styled(name, "bold") + Content(f" · {published_text(member.published, now)}")
    if member.opinion:
        line = line + Content(" · opinion")
    if current:
        line = line + Content.styled(f" · {CURRENT_MARK} shown", "bold")
    return line + Content("\n") + Content(member.title or "(untitled)")


class SourceEntry(Static):
    """One source's name, date and headline; a click shows its version."""

    def __init__(self, member: Member, current: bool, now: datetime) -> None:
        super().__init__(entry_content(member, current, now), classes="coverage-entry")
        self.member = member
        self.set_class(current, "-current")

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(CoverageSection.SourceChosen(self.member.id))


class SourceLink(Static):
    """A source's address: an OSC 8 hyperlink when it is http(s); a click asks the screen to open it."""

    def __init__(self, url: str) -> None:
        content = Content(url)
        target = link_target(url)
        if target is not None:
            content = content.stylize(Style(link=target), 0, len(url))
        super().__init__(content, classes="coverage-link")
        self.url = url

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.post_message(CoverageSection.LinkClicked(self.url))


class CoverageNote(Static):
    """One line under the story's link while a group's story is shown (class -shown; hidden otherwise)."""

    def show_position(self, position: int, count: int) -> None:
        self.update(Content(note_text(position, count)))
        self.set_class(True, "-shown")

    def clear(self) -> None:
        self.set_class(False, "-shown")


class CoverageSection(Vertical):
    """Every source of the group shown, the current version marked (hidden for a story alone)."""

    class SourceChosen(Message):
        """The reader clicked a source's headline: show its version."""

        def __init__(self, story_id: str) -> None:
            super().__init__()
            self.story_id = story_id

    class LinkClicked(Message):
        """The reader clicked a source's link."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[tuple[Member, ...], str] | None = None

    @property
    def members(self) -> tuple[Member, ...]:
        return self._shown[0] if self._shown is not None else ()

    @property
    def current(self) -> str | None:
        """The id of the version marked as shown (None when hidden)."""
        return self._shown[1] if self._shown is not None else None

    def show_members(self, members: Sequence[Member], current: str, now: datetime) -> None:
        """List `members` (oldest first), marking `current`; nothing is rebuilt when they are the same."""
        wanted = (tuple(members), current)
        if wanted == self._shown:
            self.set_class(True, "-shown")
            return
        self._shown = wanted
        self.remove_children()
        widgets: list[Static] = [
            Static(Content(f"Coverage · {len(members)} sources"), classes="coverage-heading"),
        ]
        for member in members:
            widgets.append(SourceEntry(member, member.id == current, now))
            if member.url:
                widgets.append(SourceLink(member.url))
        self.mount_all(widgets)
        self.set_class(True, "-shown")

    def clear(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.remove_children()
        self.set_class(False, "-shown")


__all__ = ["CoverageNote", "CoverageSection", "SourceEntry", "SourceLink", "entry_content", "note_text"]
