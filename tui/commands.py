"""Every action a key can trigger, with its keys as remapped: for the help screen and the palette."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding, BindingsMap, Keymap
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape

if TYPE_CHECKING:
    from textual.app import App

    from tui.app import BroadsheetApp


@dataclass(frozen=True, slots=True)
class KeyedAction:
    """One binding id: the pane it belongs to, what it does and the keys that trigger it now."""

    pane: str
    node: DOMNode
    binding_id: str
    action: str
    title: str
    keys: tuple[Binding, ...]
    in_palette: bool

    def key_display(self, app: App[Any]) -> str:
        return ", ".join(app.get_key_display(binding) for binding in self.keys)


def keyed_actions(panes: Sequence[tuple[str, Sequence[DOMNode]]], keymap: Keymap) -> list[KeyedAction]:
    """The bindings of every node in `panes`, one entry per binding id, with `keymap` applied."""
    found: dict[str, KeyedAction] = {}
    for pane, nodes in panes:
        for node in nodes:
            bindings = BindingsMap(type(node).BINDINGS)
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
                        in_palette=not binding.system,
                    )
                else:
                    found[binding_id] = dataclasses.replace(known, keys=(*known.keys, binding))
    return list(found.values())


def broadsheet_actions(app: App[Any]) -> list[KeyedAction]:
    """Every action of the main screen's panes, with the app's keymap applied."""
    broadsheet = cast("BroadsheetApp", app)
    return keyed_actions(broadsheet.main_screen.panes(), broadsheet.keymap)


class StoryCommands(Provider):
    """Command palette entries: every action bound to a key, shown with its key."""

    def _palette_actions(self) -> list[tuple[KeyedAction, str]]:
        return [
            (action, escape(f"{action.key_display(self.app)}  ·  {action.pane}"))
            for action in broadsheet_actions(self.app)
            if action.in_palette
        ]

    async def discover(self) -> Hits:
        for action, help_text in self._palette_actions():
            yield DiscoveryHit(
                Content(action.title),
                partial(self.app.run_action, action.action, action.node),
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
                    partial(self.app.run_action, action.action, action.node),
                    text=action.title,
                    help=help_text,
                )
