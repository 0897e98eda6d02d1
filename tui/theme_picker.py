"""The theme picker: a command palette listing Broadsheet's themes, then the user's.

The app previews the highlighted theme as the cursor moves (it handles
`CommandPalette.OptionHighlighted`) and puts the old one back on escape.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from tui.app import BroadsheetApp

PLACEHOLDER = "Pick a theme (the cursor previews it; escape keeps the old one)…"


class ThemePicker(CommandPalette):
    """The command palette with only the theme provider: marks a palette as the theme picker."""

    def __init__(self) -> None:
        super().__init__(providers=[BroadsheetThemes], placeholder=PLACEHOLDER)


class BroadsheetThemes(Provider):
    """Broadsheet's themes first (in their usual order), then the user's; choosing one keeps it."""

    def _commands(self) -> list[tuple[str, str, Callable[[], None]]]:
        app: BroadsheetApp = self.app  # type: ignore[assignment]
        commands = []
        for name in app.theme_names:
            help_text = "yours, from " + str(app.config.themes_dir) if name in app.user_theme_names else "built in"
            if name == app.picker_original_theme:
                help_text += " · in use"
            commands.append((name, help_text, partial(app.choose_theme, name)))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
