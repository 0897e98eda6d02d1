"""Fixtures for the TUI tests: a real store in a temporary folder, fixed stories, a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tui_helpers import fixed_clock, fixed_stories

from store import Store
from tui.app import BroadsheetApp


@pytest.fixture(autouse=True)
def no_page_fetch_on_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixed stories link to news.example: opening one must not reach for the network.
    Tests of full text set BROADSHEET_FULL_TEXT=auto and serve pages on 127.0.0.1."""
    monkeypatch.setenv("BROADSHEET_FULL_TEXT", "manual")


@pytest.fixture
def store_home(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def store(store_home: Path) -> Iterator[Store]:
    with Store(store_home) as store:
        store.put_stories(fixed_stories())
        yield store


@pytest.fixture
def app(store: Store) -> BroadsheetApp:
    return BroadsheetApp(store, clock=fixed_clock)
