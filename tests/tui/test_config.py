"""The settings file: reading, checking, environment overrides, the remembered theme, and the app using them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tui_helpers import fixed_clock, notifications, settle

from store import Store
from tui.app import BroadsheetApp, binding_ids
from tui.config import (
    DEFAULT_CONFIG_TEXT,
    Config,
    Retention,
    ThemeChoice,
    init_config,
    load_config,
    read_theme_choice,
    starting_theme,
    write_theme_choice,
)
from tui.screens.main import MainScreen
from tui.widgets.story_list import StoryList

NARROW = (80, 24)


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def make_app(store: Store, path: Path, environ: dict[str, str] | None = None) -> BroadsheetApp:
    config, problems = load_config(path, environ or {})
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=config, config_problems=problems)
    app.animation_level = "none"
    return app


# ---------------------------------------------------------------- reading and checking


def test_no_file_means_the_defaults(tmp_path: Path) -> None:
    config, problems = load_config(tmp_path / "missing.toml", {})
    assert problems == []
    assert config == Config(path=tmp_path / "missing.toml")
    assert (config.theme, config.refresh_minutes, config.layout, config.opener) == ("broadsheet-dark", 30, "auto", ())
    assert config.retention == Retention(keep_days=0, max_per_feed=0)


def test_every_setting_is_read(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
theme = "broadsheet-print"
refresh_minutes = 12.5
layout = "stacked"
opener = ["firefox", "--new-tab"]
[retention]
keep_days = 30
max_per_feed = 500
[keys]
"story.down" = "n, down"
"app.help" = "f1"
""",
    )
    config, problems = load_config(path, {})
    assert problems == []
    assert config.theme == "broadsheet-print"
    assert config.refresh_minutes == 12.5
    assert config.layout == "stacked"
    assert config.opener == ("firefox", "--new-tab")
    assert config.retention == Retention(keep_days=30, max_per_feed=500)
    assert dict(config.keys) == {"story.down": "n,down", "app.help": "f1"}
    assert config.themes_dir == tmp_path / "themes" and config.state_path == tmp_path / "state.json"


def test_the_default_file_from_init_reads_back_without_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "config.toml"
    init_config(path)
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT
    config, problems = load_config(path, {})
    assert problems == [] and config == Config(path=path)
    with pytest.raises(FileExistsError):
        init_config(path)
    path.write_text("theme = 'mine'\n", encoding="utf-8")
    init_config(path, force=True)
    assert path.read_text(encoding="utf-8") == DEFAULT_CONFIG_TEXT


@pytest.mark.parametrize(
    "line, key, allowed",
    [
        ("refresh_minutes = -5", "refresh_minutes", "a number of minutes from 0"),
        ("refresh_minutes = 'often'", "refresh_minutes", "a number of minutes from 0"),
        ("refresh_minutes = nan", "refresh_minutes", "a number of minutes from 0"),
        ("layout = 'tall'", "layout", '"auto", "wide", "stacked"'),
        ("theme = 3", "theme", "a theme name"),
        ("opener = 7", "opener", "a command as a list of words"),
        ("opener = ['ok', '']", "opener", "a command as a list of words"),
        ("retention = { keep_days = -1 }", "retention.keep_days", "a whole number of days"),
        ("retention = { max_per_feed = 2.5 }", "retention.max_per_feed", "a whole number of stories"),
        ("keys = 'j'", "keys", "a table of binding id"),
    ],
)
def test_an_invalid_value_is_one_line_naming_the_key_and_the_default_is_used(
    tmp_path: Path, line: str, key: str, allowed: str
) -> None:
    config, problems = load_config(write(tmp_path, line + "\n"), {})
    assert len(problems) == 1
    assert problems[0].startswith(f"config.toml: {key} must be ") and allowed in problems[0]
    assert "using" in problems[0] or "keeping" in problems[0]
    assert config == Config(path=tmp_path / "config.toml")


def test_unknown_settings_and_bad_toml_are_told(tmp_path: Path) -> None:
    _config, problems = load_config(write(tmp_path, "colour = 'red'\n"), {})
    assert problems == [
        "config.toml: unknown setting 'colour' (settings: theme, refresh_minutes, retention, opener, layout, keys); ignoring it."
    ]
    config, problems = load_config(write(tmp_path, "theme = \n"), {})
    assert len(problems) == 1 and "not valid TOML" in problems[0] and "using the defaults" in problems[0]
    assert config.theme == "broadsheet-dark"
    (tmp_path / "config.toml").write_bytes(b"theme = '\xff'\n")
    assert load_config(tmp_path / "config.toml", {})[1] == [f"{tmp_path / 'config.toml'}: not UTF-8 text; using the defaults."]


def test_a_bad_key_string_keeps_the_usual_key(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, "[keys]\n'story.down' = 'n'\n'story.up' = 'e e'\n"), {})
    assert dict(config.keys) == {"story.down": "n"}
    assert len(problems) == 1 and problems[0].startswith("config.toml: keys.story.up must be key names")


def test_every_setting_can_be_overridden_by_the_environment(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = 'broadsheet-light'\nlayout = 'wide'\n[keys]\n'story.up' = 'e'\n")
    environ = {
        "BROADSHEET_THEME": "broadsheet-contrast",
        "BROADSHEET_REFRESH_MINUTES": "0",
        "BROADSHEET_LAYOUT": "stacked",
        "BROADSHEET_OPENER": "lynx -dump",
        "BROADSHEET_RETENTION_KEEP_DAYS": "7",
        "BROADSHEET_RETENTION_MAX_PER_FEED": "100",
        "BROADSHEET_KEYS": "story.down=n,down; app.help=f1",
    }
    config, problems = load_config(path, environ)
    assert problems == []
    assert config.theme == "broadsheet-contrast"
    assert config.refresh_minutes == 0
    assert config.layout == "stacked"
    assert config.opener == ("lynx", "-dump")
    assert config.retention == Retention(7, 100)
    assert dict(config.keys) == {"story.up": "e", "story.down": "n,down", "app.help": "f1"}
    assert config.overridden == frozenset(
        {"theme", "refresh_minutes", "layout", "opener", "retention.keep_days", "retention.max_per_feed", "keys"}
    )


def test_a_bad_environment_value_names_the_variable(tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path, "layout = 'wide'\n"), {"BROADSHEET_LAYOUT": "sideways"})
    assert config.layout == "wide"
    assert problems == ['BROADSHEET_LAYOUT must be one of "auto", "wide", "stacked", not \'sideways\'; using auto.']


def test_the_config_location_comes_from_broadsheet_config(tmp_path: Path) -> None:
    path = write(tmp_path / "elsewhere", "layout = 'wide'\n")
    config, _problems = load_config(None, {"BROADSHEET_CONFIG": str(path)})
    assert config.path == path and config.layout == "wide"


def test_without_reading_a_file_only_the_environment_counts(tmp_path: Path) -> None:
    config, problems = load_config(None, {"BROADSHEET_LAYOUT": "wide"}, read_file=False)
    assert config.path is None and config.layout == "wide" and problems == []
    assert config.state_path is None and config.themes_dir is None


# ---------------------------------------------------------------- the remembered theme


def test_a_picked_theme_wins_until_the_config_file_changes_its_theme(tmp_path: Path) -> None:
    path = write(tmp_path, "theme = 'broadsheet-light'\n")
    config, _ = load_config(path, {})
    assert config.state_path is not None
    write_theme_choice(config.state_path, ThemeChoice("broadsheet-print", config_theme="broadsheet-light"))
    assert json.loads(config.state_path.read_text()) == {"theme": "broadsheet-print", "config_theme": "broadsheet-light"}
    assert starting_theme(config) == "broadsheet-print"
    edited, _ = load_config(write(tmp_path, "theme = 'broadsheet-contrast'\n"), {})
    assert starting_theme(edited) == "broadsheet-contrast"
    overridden, _ = load_config(path, {"BROADSHEET_THEME": "broadsheet-ansi"})
    assert starting_theme(overridden) == "broadsheet-ansi"


def test_a_damaged_state_file_is_ignored(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text("{not json", encoding="utf-8")
    assert read_theme_choice(state) is None
    state.write_text('{"theme": "x"}', encoding="utf-8")
    assert read_theme_choice(state) is None
    assert read_theme_choice(None) is None


# ---------------------------------------------------------------- the app with its settings


def test_every_binding_id_in_the_default_config_comment_exists() -> None:
    ids = binding_ids()
    assert {"story.down", "story.up", "story.toggle_bookmark", "app.help", "app.change_theme", "views.up"} <= ids


async def test_an_invalid_config_value_is_one_notification_and_the_default_is_used(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "cfg", "layout = 'sideways'\nrefresh_minutes = 15\n")
    app = make_app(store, path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.config.layout == "auto" and app.config.refresh_minutes == 15
        notes = notifications(app)
        assert len(notes) == 1
        assert notes[0].message == "config.toml: layout must be one of \"auto\", \"wide\", \"stacked\", not 'sideways'; using auto."
        assert notes[0].severity == "warning"
        assert isinstance(app.screen, MainScreen)


async def test_an_unknown_theme_or_binding_id_is_told_and_the_app_starts(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "cfg", "theme = 'no-such-theme'\n[keys]\n'story.sideways' = 'x'\n'story.down' = 'n'\n")
    app = make_app(store, path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.theme == "broadsheet-dark"
        (note,) = notifications(app)
        assert "there is no theme named 'no-such-theme'" in note.message
        assert "there is no binding with id 'story.sideways'" in note.message
        assert app.keymap == {"story.down": "n"}


async def test_a_remapped_key_moves_the_cursor_and_the_old_key_no_longer_does(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "cfg", "[keys]\n'story.down' = 'n'\n'story.toggle_bookmark' = 's'\n")
    app = make_app(store, path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        assert story_list.cursor == 0
        await pilot.press("n")
        await settle(pilot)
        assert story_list.cursor == 1
        await pilot.press("j")
        await settle(pilot)
        assert story_list.cursor == 1  # j was story.down's key; the keymap replaced it
        story = story_list.highlighted_story
        assert story is not None
        await pilot.press("s")
        await settle(pilot)
        assert store.get(story.id).bookmarked is not story.bookmarked  # type: ignore[union-attr]


async def test_the_help_shows_the_remapped_key(store: Store, tmp_path: Path) -> None:
    from tui.commands import help_actions

    app = make_app(store, write(tmp_path / "cfg", "[keys]\n'story.down' = 'n,down'\n"))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        (down,) = [action for action in help_actions(app) if action.binding_id == "story.down"]
        assert set(down.key_display(app).split(", ")) == {"n", "↓"}  # j is gone
        (theme,) = [action for action in help_actions(app) if action.binding_id == "app.change_theme"]
        assert theme.key_display(app) == "^t"


async def test_the_refresh_interval_comes_from_the_config(store: Store, tmp_path: Path) -> None:
    config, problems = load_config(write(tmp_path / "cfg", "refresh_minutes = 45\n"), {})
    app = BroadsheetApp(store, clock=fixed_clock, config=config, config_problems=problems)
    assert app.refresh_minutes == 45
    config, problems = load_config(tmp_path / "cfg" / "config.toml", {"BROADSHEET_REFRESH_MINUTES": "5"})
    assert BroadsheetApp(store, clock=fixed_clock, config=config).refresh_minutes == 5
