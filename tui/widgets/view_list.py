"""The list of views on the "Feeds & views" screen: the fixed views, then every saved search.

Each row shows how many stories the view holds and how many are unread; the counts
arrive later than the rows (a worker counts them) and fill in with `set_counts`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store import SavedSearch
from tui.views import ALL_STORIES, BOOKMARKS, View, saved_view

NAME_WIDTH = 20
UNREAD_WIDTH = 15
STORIES_WIDTH = 17
FIXED_WIDTH = 2 + NAME_WIDTH + UNREAD_WIDTH + STORIES_WIDTH + 3
"""Cells before the query column: marker, name, the two counts and the gaps."""


@dataclass(frozen=True, slots=True)
class ViewChoice:
    """A row of the list: the view it opens, and whether it shows unread stories only
    (None: keep the filter the reader has on)."""

    key: str
    label: str
    view: View
    unread_only: bool | None = None


@dataclass(frozen=True, slots=True)
class ViewCounts:
    stories: int
    unread: int


def fixed_choices() -> list[ViewChoice]:
    return [
        ViewChoice("all", "All stories", ALL_STORIES, unread_only=False),
        ViewChoice("unread", "Unread", ALL_STORIES, unread_only=True),
        ViewChoice("bookmarks", "Bookmarks", BOOKMARKS),
    ]


def saved_choice(saved: SavedSearch) -> ViewChoice:
    return ViewChoice(f"saved:{saved.name.lower()}", saved.name, saved_view(saved.name, saved.query))


def clip(text: str, width: int) -> str:
    """`text` cut to `width` cells with an ellipsis, not padded."""
    if cell_len(text) <= width:
        return text
    while text and cell_len(text) > width - 1:
        text = text[:-1]
    return text + "…"


class ViewList(OptionList, inherit_bindings=False):
    """Views and saved searches with their counts; enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Down", show=False, tooltip="Next view", id="views.down"),
        Binding("k,up", "cursor_up", "Up", show=False, tooltip="Previous view", id="views.up"),
        Binding("g,home", "first", "First", show=False, tooltip="First view", id="views.first"),
        Binding("G,end", "last", "Last", show=False, tooltip="Last view", id="views.last"),
        Binding("enter,l", "select", "Open", tooltip="Show this view in the story list", id="views.choose"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "view-list--heading",
        "view-list--count",
        "view-list--unread",
        "view-list--query",
        "view-list--current",
    }

    def __init__(self, current: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._current = current
        self._choices: dict[str, ViewChoice] = {}
        self._counts: dict[str, ViewCounts] = {}
        self._saved: list[SavedSearch] = []

    @property
    def choices(self) -> Mapping[str, ViewChoice]:
        return self._choices

    @property
    def counts(self) -> Mapping[str, ViewCounts]:
        return self._counts

    @property
    def highlighted_choice(self) -> ViewChoice | None:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        return self._choices.get(option.id)

    def set_saved(self, saved: Sequence[SavedSearch]) -> None:
        """Rebuild the rows for these saved searches, keeping the highlighted row when it is still there."""
        highlighted = self.highlighted_option.id if self.highlighted_option is not None else self._current
        self._saved = list(saved)
        fixed = fixed_choices()
        searches = [saved_choice(search) for search in self._saved]
        self._choices = {choice.key: choice for choice in [*fixed, *searches]}
        options: list[Option | None] = [Option(self._heading("Views"), disabled=True)]
        options += [Option(self._prompt(choice), id=choice.key) for choice in fixed]
        options += [None, Option(self._heading("Saved searches"), disabled=True)]
        if searches:
            options += [Option(self._prompt(choice), id=choice.key) for choice in searches]
        else:
            hint = "None yet: search with /, then press S to save the search."
            options.append(Option(Content.styled(f"  {hint}", ".view-list--query"), disabled=True))
        self.set_options(options)
        keys = [choice.key for choice in [*fixed, *searches]]
        wanted = highlighted if highlighted in keys else keys[0]
        self.highlighted = self.get_option_index(wanted)

    def set_counts(self, counts: Mapping[str, ViewCounts]) -> None:
        """Fill in counts as the worker finds them."""
        self._counts.update(counts)
        for key in counts:
            if key in self._choices:
                self.replace_option_prompt(key, self._prompt(self._choices[key]))

    def on_resize(self, event: events.Resize) -> None:
        for key, choice in self._choices.items():
            self.replace_option_prompt(key, self._prompt(choice))

    def _heading(self, text: str) -> Content:
        return Content.styled(text, ".view-list--heading")

    def _prompt(self, choice: ViewChoice) -> Content:
        counts = self._counts.get(choice.key)
        current = choice.key == self._current
        if counts is None:
            unread, stories = "…", "…"
        else:
            noun = "story" if counts.stories == 1 else "stories"
            unread, stories = f"{counts.unread:,} unread", f"{counts.stories:,} {noun}"
        query_width = max(8, self.scrollable_content_region.width - FIXED_WIDTH - 1)
        return Content.assemble(
            ("▸ " if current else "  ", ".view-list--current"),
            (clip(choice.label, NAME_WIDTH).ljust(NAME_WIDTH), ".view-list--current" if current else ""),
            (unread.rjust(UNREAD_WIDTH), ".view-list--unread" if counts and counts.unread else ".view-list--count"),
            (stories.rjust(STORIES_WIDTH), ".view-list--count"),
            "   ",
            (clip(choice.view.query, query_width), ".view-list--query"),
        )
