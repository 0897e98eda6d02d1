"""Themes: the built-in files, user theme files (good and broken), the picker (ctrl+t), NO_COLOR."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import ColorType
from textual.filter import NoColor
from tui_helpers import fixed_clock, notifications, settle, until

from store import Store
from tui.app import BroadsheetApp
from tui.config import load_config, read_theme_choice
from tui.screens.main import MainScreen
from tui.theme_picker import ThemePicker
from tui.themes import BUILTIN_THEME_NAMES, ThemeError, builtin_theme_dir, load_theme_file, load_themes
from tui.widgets.story_list import StoryList

NARROW = (80, 24)
REPO_THEMES = Path(__file__).resolve().parents[2] / "themes"

GOOD_THEME = """\
name = "harbour"
dark = true
primary = "#3388cc"
background = "#101418"
[variables]
block-cursor-background = "#224466"
"""


def config_folder(tmp_path: Path, text: str = "") -> Path:
    folder = tmp_path / "cfg"
    (folder / "themes").mkdir(parents=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")
    return folder


def make_app(store: Store, folder: Path, environ: dict[str, str] | None = None) -> BroadsheetApp:
    config, problems = load_config(folder / "config.toml", environ or {})
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=config, config_problems=problems)
    app.animation_level = "none"
    return app


# ---------------------------------------------------------------- files


def test_the_five_builtin_themes_are_files_in_the_checkout() -> None:
    assert builtin_theme_dir() == REPO_THEMES
    assert sorted(path.stem for path in REPO_THEMES.glob("*.toml")) == sorted(BUILTIN_THEME_NAMES)
    loaded = load_themes()
    assert loaded.problems == []
    assert list(loaded.themes) == list(BUILTIN_THEME_NAMES)
    assert [loaded.themes[name].dark for name in BUILTIN_THEME_NAMES] == [True, False, True, True, False]


async def test_the_ansi_theme_paints_only_with_the_terminals_16_colours(store: Store, tmp_path: Path) -> None:
    app = make_app(store, config_folder(tmp_path, 'theme = "broadsheet-ansi"\n'))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.theme == "broadsheet-ansi" and app.native_ansi_color
        kinds = set()
        for strip in app.screen._compositor.render_strips():
            for segment in strip:
                if segment.style is not None:
                    for colour in (segment.style.color, segment.style.bgcolor):
                        if colour is not None:
                            kinds.add(colour.type)
                            assert colour.type in (ColorType.DEFAULT, ColorType.STANDARD), (segment, colour)
        assert ColorType.STANDARD in kinds  # some colour is used, from the terminal's palette


@pytest.mark.parametrize(
    "text, problem",
    [
        ('name = "x"\nprimary = "#12345"\n', "primary = '#12345' is not a colour"),
        ('name = "x"\n', "primary is missing"),
        ('primary = "#123456"\n', "name is missing"),
        ('name = "x y"\nprimary = "#123456"\n', "must be letters, digits"),
        ('name = "x"\nprimary = "#123456"\nprimry = "#000000"\n', "unknown field 'primry'"),
        ('name = "x"\nprimary = "#123456"\ndark = "yes"\n', "dark must be true or false"),
        ('name = "x"\nprimary = "#123456"\ntext_alpha = 3\n', "text_alpha must be a number from 0 to 1"),
        ('name = "x"\nprimary = "#123456"\nvariables = 3\n', "variables must be a table"),
        ('name = "x"\nprimary = "#123456"\n[variables]\nborder = "red; color: blue"\n', "holds characters"),
        ('name = "x"\nprimary = \n', "is not valid TOML"),
    ],
)
def test_a_broken_theme_file_says_what_is_wrong(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThemeError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        load_theme_file(path)


def test_user_themes_load_after_the_builtin_ones_and_broken_ones_are_listed(tmp_path: Path) -> None:
    folder = config_folder(tmp_path)
    (folder / "themes" / "harbour.toml").write_text(GOOD_THEME, encoding="utf-8")
    (folder / "themes" / "copy.toml").write_text((REPO_THEMES / "broadsheet-light.toml").read_text(), encoding="utf-8")
    (folder / "themes" / "zz-bad.toml").write_bytes(b"\xff\xfe")
    (folder / "themes" / "notes.txt").write_text("not a theme", encoding="utf-8")
    loaded = load_themes(folder / "themes")
    assert list(loaded.themes) == [*BUILTIN_THEME_NAMES, "harbour"]
    assert loaded.user_names == ["harbour"]
    assert [(problem.path.name, problem.problem) for problem in loaded.problems] == [
        ("copy.toml", "name 'broadsheet-light' is a built-in theme's; give your copy a name of its own"),
        ("zz-bad.toml", "is not UTF-8 text"),
    ]


# ---------------------------------------------------------------- the app


async def test_a_broken_theme_file_is_one_notification_and_the_app_starts(store: Store, tmp_path: Path) -> None:
    folder = config_folder(tmp_path)
    (folder / "themes" / "harbour.toml").write_text(GOOD_THEME, encoding="utf-8")
    (folder / "themes" / "broken.toml").write_text('name = "broken"\nprimary = "not-a-colour"\n', encoding="utf-8")
    app = make_app(store, folder)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        (note,) = notifications(app)
        assert note.title == "Theme not loaded"
        assert str(folder / "themes" / "broken.toml") in note.message
        assert "primary = 'not-a-colour' is not a colour" in note.message
        assert app.theme == "broadsheet-dark"
        assert "harbour" in app.available_themes and "broken" not in app.available_themes
        assert isinstance(app.screen, MainScreen) and len(app.screen.query_one(StoryList).stories) == 14


async def test_a_user_theme_can_be_the_configured_one(store: Store, tmp_path: Path) -> None:
    folder = config_folder(tmp_path, 'theme = "harbour"\n')
    (folder / "themes" / "harbour.toml").write_text(GOOD_THEME, encoding="utf-8")
    app = make_app(store, folder)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.theme == "harbour" and notifications(app) == []
        assert app.theme_names == [*BUILTIN_THEME_NAMES, "harbour"]


async def test_ctrl_t_previews_themes_and_escape_keeps_the_old_one(store: Store, tmp_path: Path) -> None:
    app = make_app(store, config_folder(tmp_path))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, ThemePicker))
        await pilot.press("down")  # the list opens on the first theme, the one in use; down goes to the next
        await until(pilot, lambda: app.theme == "broadsheet-light")  # the preview
        await pilot.press("down")
        await until(pilot, lambda: app.theme == "broadsheet-contrast")
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, ThemePicker))
        assert app.theme == "broadsheet-dark"
        assert app.config.state_path is not None and not app.config.state_path.exists()


async def test_a_theme_chosen_with_ctrl_t_is_remembered_across_restarts(store: Store, tmp_path: Path) -> None:
    folder = config_folder(tmp_path, "# my comment\nrefresh_minutes = 20\n")
    app = make_app(store, folder)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, ThemePicker))
        await pilot.press(*"print")
        await pilot.pause()
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count == 1)
        await pilot.press("enter")
        await until(pilot, lambda: app.theme == "broadsheet-print" and not isinstance(app.screen, ThemePicker))
    choice = read_theme_choice(folder / "state.json")
    assert choice is not None and choice.theme == "broadsheet-print"
    assert (folder / "config.toml").read_text(encoding="utf-8") == "# my comment\nrefresh_minutes = 20\n"

    again = make_app(store, folder)
    async with again.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert again.theme == "broadsheet-print"


async def test_the_palette_has_a_theme_command(store: Store, tmp_path: Path) -> None:
    app = make_app(store, config_folder(tmp_path))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"theme")
        await until(pilot, lambda: app.screen.query_one("CommandList").option_count >= 1)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ThemePicker))


async def test_no_color_drops_every_colour(store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(store, config_folder(tmp_path))
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert app.no_color and app.native_ansi_color
        assert any(isinstance(line_filter, NoColor) for line_filter in app.get_line_filters())
        painted = 0
        for strip in app.screen._compositor.render_strips():  # what the driver would write
            for segment in strip:
                style = segment.style
                painted += bool(segment.text.strip())
                if style is not None:
                    assert style.color is None or style.color.is_default, segment
                    assert style.bgcolor is None or style.bgcolor.is_default, segment
        assert painted > 20


async def test_a_theme_file_name_cannot_drive_the_terminal(store: Store, tmp_path: Path) -> None:
    folder = config_folder(tmp_path)
    (folder / "themes" / "evil\x1b]52;c;aGk=\x07[@click=app.quit]x.toml").write_text("name = \n", encoding="utf-8")
    app = make_app(store, folder)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        (note,) = notifications(app)
        assert "\x1b" not in note.message and "\x07" not in note.message
        assert "[@click=app.quit]x.toml" in note.message and "is not valid TOML" in note.message  # shown as text, not markup
