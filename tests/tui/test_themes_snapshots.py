"""The main screen in every built-in theme at 80x24 and 200x60, and under NO_COLOR.

Fixed stories and a fixed clock; update with `make snapshots` after looking at the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from tui_helpers import fixed_clock, settle

from store import Store
from tui.app import BroadsheetApp
from tui.config import load_config
from tui.themes import BUILTIN_THEME_NAMES


def themed_app(store: Store, folder: Path, theme: str) -> BroadsheetApp:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(f'theme = "{theme}"\n', encoding="utf-8")
    config, problems = load_config(folder / "config.toml", {})
    assert problems == []
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=config)
    app.animation_level = "none"
    return app


async def cursor_on_a_bookmarked_story(pilot: Pilot[None]) -> None:
    """Two rows down: the cursor, read and unread rows, a bookmark and the highlights all show."""
    await settle(pilot)
    await pilot.press("j")
    await settle(pilot)


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
@pytest.mark.parametrize("theme", BUILTIN_THEME_NAMES)
def test_main_screen_in_each_theme(
    snap_compare: Callable[..., bool], store: Store, tmp_path: Path, theme: str, size: tuple[int, int]
) -> None:
    app = themed_app(store, tmp_path / "cfg", theme)
    assert snap_compare(app, terminal_size=size, run_before=cursor_on_a_bookmarked_story)


def test_main_screen_with_no_color(
    snap_compare: Callable[..., bool], store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No colour at all: the cursor shows by reverse video, the focused pane by a heavy border."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = themed_app(store, tmp_path / "cfg", "broadsheet-dark")
    assert snap_compare(app, terminal_size=(80, 24), run_before=cursor_on_a_bookmarked_story)
