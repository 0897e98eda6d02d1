"""Shared fixtures: every test gets its own store on disk in a temp dir."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from store import Store, Story, make_story_id

FIXED_NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


def make_story(number: int, **overrides: object) -> Story:
    """A realistic story with a fixed id and date, numbered newest first."""
    url = f"https://news.example/{number}"
    fields: dict[str, object] = dict(
        id=make_story_id(url=url),
        title=f"Story number {number}",
        source="Example News",
        url=url,
        author="A. Writer",
        published=FIXED_NOW - timedelta(hours=number),
        fetched=FIXED_NOW,
        highlights=[f"First point of story {number}.", f"Second point of story {number}."],
        body=f"Body of story {number}.\n\nA second paragraph.",
    )
    fields.update(overrides)
    return Story(**fields)  # type: ignore[arg-type]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    with Store(home) as opened:
        yield opened


@pytest.fixture(autouse=True)
def no_user_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never read the settings of whoever runs them: no config file, no BROADSHEET_* overrides."""
    import os

    for name in list(os.environ):
        if name.startswith("BROADSHEET_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("BROADSHEET_CONFIG", str(tmp_path_factory.mktemp("settings") / "config.toml"))
