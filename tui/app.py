"""The Broadsheet app: a thin shell that owns the store, the keys and the screens."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType, Keymap
from textual.screen import Screen

from store import Store, StoreError
from store.feeds import FeedList
from tui.commands import SavedSearchCommands, StoryCommands, help_actions
from tui.refresh import refresh_setting
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen

if TYPE_CHECKING:
    from store.fetch import FetchSettings

EXIT_BAD_INPUT = 2
"""The CLI's exit status for bad usage or input (here: a home that cannot hold a store)."""


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
        # One ctrl+c: it copies the text selected with the mouse, else says how to quit (it never quits).
        Binding(
            "ctrl+c",
            "copy_or_say_quit",
            "Copy",
            show=False,
            system=True,
            tooltip="Copy selected text (never quits)",
            id="app.copy",
        ),
    ]

    def __init__(
        self,
        store: Store,
        *,
        clock: Callable[[], datetime] | None = None,
        refresh_minutes: float | None = None,
        fetch_settings: FetchSettings | None = None,
    ) -> None:
        """`refresh_minutes`: minutes between automatic refreshes of the feeds (0: none); by default
        BROADSHEET_REFRESH_MINUTES, else 30.  `fetch_settings`: how to fetch (the tests' are quick)."""
        super().__init__()
        self.store = store
        self.feeds = FeedList(store.home)
        setting = refresh_setting()
        self._setting_warning = setting.warning if refresh_minutes is None else ""
        self.refresh_minutes = setting.minutes if refresh_minutes is None else max(0.0, refresh_minutes)
        self.main_screen = MainScreen(
            store,
            clock or local_now,
            feeds=self.feeds,
            refresh_minutes=self.refresh_minutes,
            fetch_settings=fetch_settings,
        )

    @property
    def keymap(self) -> Keymap:
        """The keymap in force (set with `set_keymap`; Textual keeps it private)."""
        return self._keymap

    def get_default_screen(self) -> Screen[None]:
        return self.main_screen

    def on_mount(self) -> None:
        if self._setting_warning:
            self.notify(self._setting_warning, title="Settings", severity="warning", timeout=10, markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Only the palette's system commands that mean something here: the theme and quitting."""
        yield SystemCommand("Theme", "Change the colours", self.action_change_theme)
        yield SystemCommand("Quit", "Quit Broadsheet", self.action_quit)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(help_actions(self), self.keymap))

    def action_copy_or_say_quit(self) -> None:
        selected = self.screen.get_selected_text()
        if selected:
            self.copy_to_clipboard(selected)
            self.notify("Copied the selected text.", timeout=2)
            return
        quit_keys = [key for key, active in self.screen.active_bindings.items() if active.binding.action == "quit"]
        how = "q (or ctrl+q from anywhere)" if "q" in quit_keys else "ctrl+q"
        self.notify(f"To quit, press {how}. ctrl+c copies text selected with the mouse.", markup=False, timeout=4)

    def announce_new_stories(self, story_ids: list[str]) -> None:
        """After a fetch: notify, for each saved search these new stories match, its name and how many."""
        self.main_screen.announce_new_stories(story_ids)


def run_tui(home: Path) -> int:
    """Open the store in `home`, run the app until the user quits, close the store.

    A home that cannot hold a store is bad input: one line on stderr, exit status 2.
    """
    try:
        store = Store(home)
    except StoreError as error:
        print(f"broadsheet: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with store:
        try:
            app = BroadsheetApp(store)
        except StoreError as error:  # the feed list cannot be read
            print(f"broadsheet: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            app.run()
        finally:
            app.feeds.close()
    return app.return_code or 0
