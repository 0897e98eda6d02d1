"""Every action a key can trigger, with its keys as remapped: for the help screen and the palette."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.actions import parse as parse_action
from textual.binding import Binding, BindingsMap, Keymap
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

from tui.views import saved_view

if TYPE_CHECKING:
    from textual.app import App

    from tui.app import BroadsheetApp


@dataclass(frozen=True, slots=True)
class KeyedAction:
    """One binding id: the pane it belongs to, what it does and the keys that trigger it now.

    `node` runs the action; None for bindings listed only in the help (a screen not open).
    """

    pane: str
    node: DOMNode | None
    binding_id: str
    action: str
    title: str
    keys: tuple[Binding, ...]
    in_palette: bool

    def key_display(self, app: App[Any]) -> str:
        return ", ".join(app.get_key_display(binding) for binding in self.keys)


Owner = DOMNode | type[DOMNode]
"""A node whose actions can run, or a class whose bindings are only listed."""


def keyed_actions(panes: Sequence[tuple[str, Sequence[Owner]]], keymap: Keymap) -> list[KeyedAction]:
    """The bindings of every node in `panes`, one entry per binding id, with `keymap` applied.

    A class instead of a node lists its bindings for the help screen only (not the palette).
    """
    found: dict[str, KeyedAction] = {}
    for pane, owners in panes:
        for owner in owners:
            node = None if isinstance(owner, type) else owner
            bindings = BindingsMap((owner if isinstance(owner, type) else type(owner)).BINDINGS)
            bindings.apply_keymap(keymap)
            for _key, binding in bindings:
                binding_id = binding.id or binding.action
                known = found.get(binding_id)
                if known is None:
                    found[binding_id] = KeyedAction(
                        pane=pane,
                        node=node,
                        binding_id=binding_id,
                        action=binding.action,
                        title=binding.tooltip or binding.description,
                        keys=(binding,),
                        in_palette=node is not None and not binding.system,
                    )
                elif all(binding.key != seen.key for seen in known.keys):
                    # Textual expands "j,down" into two bindings, and a remapping of the id replaces
                    # each of them with all the new keys: list every key once.
                    found[binding_id] = dataclasses.replace(known, keys=(*known.keys, binding))
    return list(found.values())


def broadsheet_actions(app: App[Any]) -> list[KeyedAction]:
    """Every action of the main screen's panes, with the app's keymap applied."""
    broadsheet = cast("BroadsheetApp", app)
    return keyed_actions(broadsheet.main_screen.panes(), broadsheet.keymap)


def other_screen_panes() -> list[tuple[str, Sequence[Owner]]]:
    """The screens and dialogs that are not always open: listed in the help, not run from the palette."""
    from tui.dialogs.base import Dialog
    from tui.dialogs.confirm import ConfirmDialog
    from tui.dialogs.note import NoteDialog
    from tui.screens.views import ViewsScreen
    from tui.widgets.feed_table import FeedTable
    from tui.widgets.view_list import ViewList

    return [
        ("Feeds & views (F)", [ViewList, ViewsScreen]),
        ("Feeds (F, then tab)", [FeedTable]),
        ("Dialogs", [Dialog, ConfirmDialog]),
        ("Note editor (e)", [NoteDialog]),
    ]


def help_actions(app: App[Any]) -> list[KeyedAction]:
    """Every binding the app has: the main screen's panes, then the other screens and dialogs."""
    broadsheet = cast("BroadsheetApp", app)
    return broadsheet_actions(app) + keyed_actions(other_screen_panes(), broadsheet.keymap)


async def run_keyed_action(app: App[Any], action: KeyedAction) -> None:
    """Run an action as its key would; say so when it cannot run here (rather than doing nothing)."""
    if action.node is None:
        return
    name, parameters = parse_action(action.action)[1:]
    if not action.node.check_action(name, parameters):
        app.notify(f"{action.title}: not available here.", severity="warning", markup=False)
        return
    await app.run_action(action.action, action.node)


def plain_highlight(matcher: Matcher, candidate: str) -> Content:
    """`Matcher.highlight` for text that is not markup (a saved search's name)."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class StoryCommands(Provider):
    """Command palette entries: every action bound to a key, shown with its key."""

    def _palette_actions(self) -> list[tuple[KeyedAction, str]]:
        if self.screen is not cast("BroadsheetApp", self.app).main_screen:
            return []  # the main screen's actions mean nothing over another screen
        return [
            (action, escape(f"{action.key_display(self.app)}  ·  {action.pane}"))
            for action in broadsheet_actions(self.app)
            if action.in_palette
        ]

    async def discover(self) -> Hits:
        for action, help_text in self._palette_actions():
            yield DiscoveryHit(
                Content(action.title),
                partial(run_keyed_action, self.app, action),
                text=action.title,
                help=help_text,
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for action, help_text in self._palette_actions():
            score = matcher.match(action.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(action.title),
                    partial(run_keyed_action, self.app, action),
                    text=action.title,
                    help=help_text,
                )


class SavedSearchCommands(Provider):
    """Command palette entries: "Open saved search: Trams" for every saved search."""

    def _entries(self) -> list[tuple[str, str, Any]]:
        main_screen = cast("BroadsheetApp", self.app).main_screen
        if self.screen is not main_screen:
            return []
        return [
            (
                f"Open saved search: {search.name}",
                escape(search.query),
                partial(main_screen.open_view, saved_view(search.name, search.query)),
            )
            for search in main_screen.saved_searches
        ]

    async def discover(self) -> Hits:
        for title, help_text, command in self._entries():
            yield DiscoveryHit(Content(title), command, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, command in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, plain_highlight(matcher, title), command, text=title, help=help_text)
