"""The Broadsheet app: a thin shell that owns the store, the keys and the screens."""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType, Keymap
from textual.command import CommandPalette
from textual.dom import DOMNode
from textual.screen import Screen

from store import Store, StoreError
from store.feeds import FeedList
from store.sanitize import clean_line
from tui.commands import SavedSearchCommands, StoryCommands, help_actions
from tui.config import Config, ThemeChoice, load_config, starting_theme, write_theme_choice
from tui.screens.help import HelpScreen
from tui.screens.main import MainScreen
from tui.theme_picker import ThemePicker
from tui.themes import BUILTIN_THEME_NAMES, DEFAULT_THEME, load_themes

if TYPE_CHECKING:
    from store.fetch import FetchSettings

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it (Python's default is 0.005)."""

EXIT_BAD_INPUT = 2
"""The CLI's exit status for bad usage or input (here: a home that cannot hold a store)."""


def local_now() -> datetime:
    """The time now, in the reader's time zone."""
    return datetime.now().astimezone()


def binding_ids() -> set[str]:
    """Every binding id Broadsheet defines (for checking the config's [keys] table)."""
    import tui

    for module in pkgutil.walk_packages(tui.__path__, "tui."):
        if module.name.startswith(("tui.screens.", "tui.widgets.", "tui.dialogs.")):
            importlib.import_module(module.name)
    found: set[str] = set()
    pending: list[type] = [DOMNode]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("tui."):
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.id:
                    found.add(binding.id)
    return found


class BroadsheetApp(App[None], inherit_bindings=False):
    """A terminal news reader over one store."""

    CSS_PATH = ["broadsheet.tcss", "coverage.tcss", "nocolor.tcss"]
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
        Binding("ctrl+t", "change_theme", "Theme", show=False, tooltip="Pick a colour theme", id="app.change_theme"),
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
        config: Config | None = None,
        config_problems: Sequence[str] = (),
    ) -> None:
        """`config`: the settings (see tui/config.py); by default the defaults and the BROADSHEET_<KEY>
        variables, without reading a config file.  `config_problems`: lines to tell the user at start.
        `refresh_minutes` overrides the config's (0: no automatic refresh).  `fetch_settings`: how to
        fetch (the tests' are quick)."""
        # NO_COLOR: with native ANSI colours on, Textual strips every colour from the output
        # (without, it would paint in grey truecolour); emphasis then comes from nocolor.tcss.
        super().__init__(ansi_color=True if "NO_COLOR" in os.environ else None)
        if config is None:
            config, problems = load_config(read_file=False)
            config_problems = [*config_problems, *problems]
        self.config = config
        """The settings in force; the screens read `config.layout`, `config.opener`, ..."""
        self._problems: list[str] = list(config_problems)
        self.store = store
        self.feeds = FeedList(store.home)
        self.refresh_minutes = config.refresh_minutes if refresh_minutes is None else max(0.0, refresh_minutes)
        self.picker_original_theme: str | None = None
        """The theme in use when the theme picker opened (None: the picker is closed)."""
        self._register_themes()
        self._apply_keymap()
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

    # ------------------------------------------------------------ settings

    def _register_themes(self) -> None:
        """Broadsheet's themes and the user's; each broken theme file is one problem line."""
        loaded = load_themes(self.config.themes_dir)
        for theme in loaded.themes.values():
            self.register_theme(theme)
        self.user_theme_names: list[str] = loaded.user_names
        self._theme_problems = [str(problem) for problem in loaded.problems]
        wanted = starting_theme(self.config)
        if wanted not in self.available_themes:
            where = "BROADSHEET_THEME" if "theme" in self.config.overridden else "theme"
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            self._problems.append(
                f"{where}: there is no theme named {wanted[:60]!r} (ctrl+t lists them); using {fallback}."
            )
            wanted = fallback
        self.theme = wanted

    def _apply_keymap(self) -> None:
        """The config's [keys] table as Textual's keymap; an unknown binding id is one problem line."""
        if not self.config.keys:
            return  # nothing to check (finding every binding id imports every screen and widget)
        known = binding_ids()
        unknown = sorted(set(self.config.keys) - known)
        for binding_id in unknown:
            self._problems.append(
                f"keys: there is no binding with id {binding_id[:60]!r}; ids look like story.down or "
                "app.help (? lists every key with its id)."
            )
        self.set_keymap({key: value for key, value in self.config.keys.items() if key in known})

    @property
    def theme_names(self) -> list[str]:
        """The themes the picker offers: Broadsheet's, then the user's."""
        return [name for name in (*BUILTIN_THEME_NAMES, *self.user_theme_names) if name in self.available_themes]

    def on_mount(self) -> None:
        # File names and values come from the user's files: cleaned of control characters, never markup.
        for problem in self._theme_problems:
            self.notify(clean_line(problem), title="Theme not loaded", severity="warning", timeout=15, markup=False)
        if self._problems:
            lines = "\n".join(clean_line(problem) for problem in self._problems)
            self.notify(lines, title="Settings", severity="warning", timeout=15, markup=False)

    # ------------------------------------------------------------ the theme picker

    def action_change_theme(self) -> None:
        """Open the theme picker: the highlighted theme is previewed, escape puts the old one back."""
        if self.picker_original_theme is not None:
            return
        self.picker_original_theme = self.theme
        self.push_screen(ThemePicker())

    @on(CommandPalette.OptionHighlighted)
    def _preview_theme(self, event: CommandPalette.OptionHighlighted) -> None:
        if self.picker_original_theme is None or not isinstance(self.screen, ThemePicker):
            return
        option = event.highlighted_event.option
        name = getattr(getattr(option, "hit", None), "text", None)
        if name in self.available_themes:
            self.theme = name

    @on(CommandPalette.Closed)
    def _picker_closed(self, event: CommandPalette.Closed) -> None:
        original, self.picker_original_theme = self.picker_original_theme, None
        if original is not None and not event.option_selected:
            self.theme = original

    def choose_theme(self, name: str) -> None:
        """Use theme `name` and remember it for the next start (in the state file beside the config)."""
        self.picker_original_theme = None
        if name not in self.available_themes:
            return
        self.theme = name
        path = self.config.state_path
        if "theme" in self.config.overridden:
            self.notify(
                f"Using {name} for this run; BROADSHEET_THEME is set, so the choice is not remembered.",
                markup=False,
            )
            return
        if path is None:
            return
        try:
            write_theme_choice(path, ThemeChoice(theme=name, config_theme=self.config.theme))
        except StoreError as error:
            self.notify(f"Using {name}, but it cannot be remembered: {error}", severity="warning", markup=False)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Only the palette's system commands that mean something here: the theme and quitting."""
        yield SystemCommand("Theme", "Change the colours (ctrl+t)", self.action_change_theme)
        yield SystemCommand("Quit", "Quit Broadsheet", self.action_quit)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Textual's own link opening is off: every link it would open takes Broadsheet's road
        (http(s) only, never a browser over SSH; see tui.links)."""
        self.main_screen.open_link(url)

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


def run_tui(home: Path, config_path: Path | None = None) -> int:
    """Open the store in `home`, run the app until the user quits, close the store.

    `config_path`: the config file (default: BROADSHEET_CONFIG, else the platform's config dir).
    A home that cannot hold a store is bad input: one line on stderr, exit status 2.
    """
    # Workers (reading the store, folding 100,000 rows into groups) hold the GIL in turns with the
    # event loop; handing it over every millisecond rather than every five keeps keys quick meanwhile.
    sys.setswitchinterval(SWITCH_INTERVAL)
    config, problems = load_config(config_path)
    try:
        store = Store(home)
    except StoreError as error:
        print(f"broadsheet: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    with store:
        try:
            app = BroadsheetApp(store, config=config, config_problems=problems)
        except StoreError as error:  # the feed list cannot be read
            print(f"broadsheet: {error}", file=sys.stderr)
            return EXIT_BAD_INPUT
        try:
            app.run()
        finally:
            app.feeds.close()
    return app.return_code or 0
