"""Layout snapshots at 80x24 and 160x48, with fixed stories and a fixed clock.

Update with `make snapshots` after a change you have looked at; the SVGs are committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pytest
from textual.pilot import Pilot
from tui_helpers import fixed_clock, settle

from store import Store
from tui.app import BroadsheetApp
from tui.widgets.story_view import StoryView

NARROW = (80, 24)
WIDE = (160, 48)


def presses(*keys: str) -> Callable[[Pilot[None]], object]:
    """Wait for the stories, press `keys`, wait again: every screenshot shows loaded data."""

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run_before


def make_app(store: Store) -> BroadsheetApp:
    app = BroadsheetApp(store, clock=fixed_clock)
    app.animation_level = "none"
    return app


SCENES: list[tuple[str, tuple[int, int], Iterable[str]]] = [
    ("list", NARROW, ()),
    ("list", WIDE, ()),
    ("open", NARROW, ("enter",)),
    ("open", WIDE, ("j", "enter")),
    ("flags", NARROW, ("j", "j", "b", "m", "j")),
    ("help", NARROW, ("question_mark",)),
    ("help", WIDE, ("question_mark",)),
]


@pytest.mark.parametrize(
    "size, keys",
    [(size, keys) for _name, size, keys in SCENES],
    ids=[f"{name}-{size[0]}x{size[1]}" for name, size, _keys in SCENES],
)
def test_snapshot(snap_compare: Callable[..., bool], store: Store, size: tuple[int, int], keys: Iterable[str]) -> None:
    assert snap_compare(make_app(store), terminal_size=size, run_before=presses(*keys))


def test_open_story_scrolled(snap_compare: Callable[..., bool], store: Store) -> None:
    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter", "space")
        await settle(pilot)
        assert pilot.app.query_one(StoryView).scroll_y > 0

    assert snap_compare(make_app(store), terminal_size=NARROW, run_before=run_before)
