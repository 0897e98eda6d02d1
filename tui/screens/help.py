"""The help screen: every binding, grouped by pane, with the keys in force now; then the query language."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType, Keymap
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.commands import KeyedAction, keyed_actions

KEY_WIDTH = 18
TITLE_WIDTH = 34
EXAMPLE_WIDTH = 22

QUERY_LANGUAGE: list[tuple[str, str]] = [
    ("tram depot", "stories with every word, in any form (tram, trams)"),
    ('"night bus"', "the words together, in this order"),
    ("launch*", "words that start with launch"),
    ("-strike", 'stories without the word (also -"a phrase", -title:word)'),
    ("tram OR bus", "either word"),
    ("title:tram", "the word in the title; also source: and author:"),
    ('title:"city council"', "a phrase in the title"),
    ("is:unread", "unread stories; also is:read and is:bookmarked"),
    ("after:2026-10-01", "published that day or later (your local dates)"),
    ("before:2026-11-01", "published before that day"),
]
QUERY_NOTES = [
    "Case and accents do not matter. Titles, highlights, text and your notes are searched.",
    "Mix freely: council tram* -bus after:2026-11-01 is:unread",
    "/ opens the search bar; results appear as you type, best first. enter goes to the",
    "results, n and N step through the matches in a story, S saves the search, escape",
    "closes the bar and puts the list back as it was.",
]


class HelpScreen(ModalScreen[None], inherit_bindings=False):
    """A scrollable table of keys; escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", tooltip="Close the help", id="help.close"),
        Binding("j,down", "scroll_help(1)", "Down", show=False, tooltip="Scroll the help down", id="help.down"),
        Binding("k,up", "scroll_help(-1)", "Up", show=False, tooltip="Scroll the help up", id="help.up"),
        Binding(
            "space,pagedown",
            "page_help(1)",
            "Page down",
            show=False,
            tooltip="Scroll the help down a page",
            id="help.page_down",
        ),
        Binding(
            "pageup", "page_help(-1)", "Page up", show=False, tooltip="Scroll the help up a page", id="help.page_up"
        ),
        Binding("g,home", "help_end(0)", "Top", show=False, tooltip="Go to the top of the help", id="help.top"),
        Binding("G,end", "help_end(1)", "End", show=False, tooltip="Go to the end of the help", id="help.bottom"),
        Binding("slash", "show_search_help", "Search", tooltip="Go to the query language", id="help.search"),
    ]

    def __init__(self, actions: Sequence[KeyedAction], keymap: Keymap) -> None:
        super().__init__(id="help")
        self._actions = [*actions, *keyed_actions([("This help", [self])], keymap)]

    def compose(self) -> ComposeResult:
        body = VerticalScroll(
            Static(self.key_table(), id="help-keys"),
            Static(query_language(), id="help-search"),
            id="help-body",
            can_focus=False,
        )
        body.border_title = "Keys"
        body.border_subtitle = "/ search syntax · escape to close"
        yield body

    def key_table(self) -> Content:
        """One section per pane: keys, what they do, and the binding id to remap them by."""
        lines: list[Content] = []
        for pane, actions in groupby(self._actions, key=lambda action: action.pane):
            if lines:
                lines.append(Content(""))
            lines.append(Content.from_markup("[b]$pane[/b]", pane=pane))
            for action in actions:
                keys = action.key_display(self.app)
                lines.append(
                    Content.assemble(
                        (f"  {keys}".ljust(KEY_WIDTH), "bold"),
                        action.title.ljust(TITLE_WIDTH),
                        (action.binding_id, "dim"),
                    )
                )
        return Content("\n").join(lines)

    def action_show_search_help(self) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to_widget(self.query_one("#help-search"), animate=False, top=True)

    def action_scroll_help(self, lines: int) -> None:
        # At once (immediate): a burst of keys each moves on from where the last one left it.
        self.query_one("#help-body", VerticalScroll).scroll_relative(y=lines, animate=False, immediate=True)

    def action_help_end(self, end: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_to(y=body.max_scroll_y if end else 0, animate=False, immediate=True)

    def action_page_help(self, pages: int) -> None:
        body = self.query_one("#help-body", VerticalScroll)
        body.scroll_relative(y=pages * body.scrollable_content_region.height, animate=False, immediate=True)


def query_language() -> Content:
    """The search syntax, with an example of each operator."""
    lines = [Content.from_markup("[b]Search[/b]")]
    for example, meaning in QUERY_LANGUAGE:
        lines.append(Content.assemble((f"  {example}".ljust(EXAMPLE_WIDTH), "bold"), meaning))
    lines.append(Content(""))
    lines.extend(Content(f"  {note}") for note in QUERY_NOTES)
    return Content("\n").join(lines)
