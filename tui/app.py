"""The Broadsheet app: a thin shell that owns the store, the keys and the screens."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType, Keymap
from textual.screen import Screen

from store import Store, StoreError
from tui.commands import SavedSearchCommands, StoryCommands, help_actions
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen


def local_now() -> datetime:
    """The time now, in the reader's time zone."""
    return datetime.now().astimezone()


class BroadsheetApp(App[None], inherit_bindings=False):
    """A terminal news reader over one store."""

    CSS_PATH = "broadsheet.tcss"
    TITLE = "Broadsheet"
    COMMANDS = App.COMMANDS | {StoryCommands, SavedSearchCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit", id="app.quit"),
        Binding(
            "ctrl+q", "quit", "Quit", show=False, priority=True, system=True, tooltip="Quit", id="app.quit_anywhere"
        ),
        Binding("question_mark", "help", "Keys", tooltip="Show every key", id="app.help"),
        Binding(
            "ctrl+p",
            "command_palette",
            "Commands",
            show=False,
            priority=True,
            system=True,
            tooltip="Open the command palette",
            id="app.command_palette",
        ),
        Binding("ctrl+c", "help_quit", "Quit?", show=False, system=True, tooltip="Say how to quit", id="app.help_quit"),
    ]

    def __init__(self, store: Store, *, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__()
        self.store = store
        self.main_screen = MainScreen(store, clock or local_now)

    @property
    def keymap(self) -> Keymap:
        """The keymap in force (set with `set_keymap`; Textual keeps it private)."""
        return self._keymap

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def on_mount(self) -> None:
        for notice in self.store.notices:
            self.notify(notice, title="Store", severity="warning", timeout=10, markup=False)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_actions(self), self.keymap))

    def announce_new_stories(self, story_ids: list[str]) -> None:
        """After a fetch: notify, for each saved search these new stories match, its name and how many."""
        self.main_screen.announce_new_stories(story_ids)


def run_tui(home: Path) -> int:
    """Open the store in `home`, run the app until the user quits, close the store."""
    try:
        store = Store(home)
    except StoreError as error:
        print(f"broadsheet: {error}", file=sys.stderr)
        return 1
    with store:
        app = BroadsheetApp(store)
        app.run()
    return app.return_code or 0
