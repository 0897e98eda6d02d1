"""Themes as TOML files: Broadsheet's own (in the project's themes/ folder) and the user's.

A theme file maps onto `textual.theme.Theme`: top-level colour fields (`primary`, `background`,
...), `name`, `dark`, `ansi`, `luminosity_spread`, `text_alpha`, and a `[variables]` table.
themes/broadsheet-dark.toml documents the format.  No widgets here: the app registers what
`load_themes` returns and tells the user about the problems it lists.
"""

from __future__ import annotations

import sys
import sysconfig
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from tui.config import DEFAULT_THEME

BUILTIN_THEME_NAMES = (
    "broadsheet-dark",
    "broadsheet-light",
    "broadsheet-contrast",
    "broadsheet-ansi",
    "broadsheet-print",
)
"""Broadsheet's own themes, in the order the picker shows them."""
NO_COLOR_THEME = "broadsheet-ansi"
"""The theme under NO_COLOR: with native ANSI colours, Textual can drop every colour code."""

COLOUR_FIELDS = (
    "primary",
    "secondary",
    "warning",
    "error",
    "success",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
)
OTHER_FIELDS = ("name", "dark", "ansi", "luminosity_spread", "text_alpha", "variables")
MAX_THEME_FILE_BYTES = 64 * 1024
SHARE_PATH = Path("share", "broadsheet", "themes")


class ThemeError(Exception):
    """A theme file that cannot be used; the message names the problem (not the file)."""


@dataclass(frozen=True, slots=True)
class ThemeProblem:
    """A theme file that was skipped, and why."""

    path: Path
    problem: str

    def __str__(self) -> str:
        return f"Theme file {self.path}: {self.problem}"


@dataclass(slots=True)
class LoadedThemes:
    """The themes found, by name (built-in first), and the files that were skipped."""

    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[ThemeProblem] = field(default_factory=list)
    user_names: list[str] = field(default_factory=list)
    """Names of the themes that came from the user's folder, in file order."""


def builtin_theme_dir() -> Path | None:
    """Where Broadsheet's theme files are: the checkout's themes/, else the installed share/ copy."""
    candidates = [Path(__file__).resolve().parents[1] / "themes"]
    for prefix in (sysconfig.get_path("data"), sys.prefix, sys.base_prefix):
        if prefix:
            candidates.append(Path(prefix) / SHARE_PATH)
    for candidate in candidates:
        if (candidate / f"{DEFAULT_THEME}.toml").is_file():
            return candidate
    return None


def _colour(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{name} must be a colour in quotes, like \"#1d5fa8\" or \"ansi_blue\"")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{name} = {value[:40]!r} is not a colour (use \"#rrggbb\", a colour name or \"ansi_blue\")") from None
    return value


def _variable(name: str, value: object) -> str:
    """A CSS variable: a colour (optionally with a percentage), or a word such as a text style."""
    if not isinstance(value, str) or not value.strip():
        raise ThemeError(f"variables.{name} must be a string, like \"#1d5fa8\" or \"bold\"")
    if any(character in value for character in ";{}\n\r\x1b"):
        raise ThemeError(f"variables.{name} = {value[:40]!r} holds characters a CSS value cannot")
    return value


def theme_from_mapping(document: Mapping[str, Any]) -> Theme:
    """A Theme from a parsed theme file; ThemeError names the first field that is wrong."""
    unknown = sorted(set(document) - set(COLOUR_FIELDS) - set(OTHER_FIELDS))
    if unknown:
        allowed = ", ".join((*OTHER_FIELDS[:-1], *COLOUR_FIELDS))
        raise ThemeError(f"unknown field {unknown[0]!r} (allowed: {allowed} and a [variables] table)")
    name = document.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError("name is missing (add a line like name = \"my-theme\")")
    if len(name) > 60 or any(not (c.isalnum() or c in "-_") for c in name):
        raise ThemeError(f"name {name[:40]!r} must be letters, digits, '-' and '_' (at most 60)")
    if "primary" not in document:
        raise ThemeError("primary is missing (every theme needs a primary colour)")
    colours = {key: _colour(key, document[key]) for key in COLOUR_FIELDS if key in document}
    flags: dict[str, Any] = {}
    for key in ("dark", "ansi"):
        if key in document:
            if not isinstance(document[key], bool):
                raise ThemeError(f"{key} must be true or false")
            flags[key] = document[key]
    for key, low, high in (("luminosity_spread", 0.0, 1.0), ("text_alpha", 0.0, 1.0)):
        if key in document:
            value = document[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
                raise ThemeError(f"{key} must be a number from {low:g} to {high:g}")
            flags[key] = float(value)
    variables = document.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError("variables must be a table ([variables] with name = \"value\" lines)")
    checked = {str(key): _variable(str(key), value) for key, value in variables.items()}
    if flags.get("ansi"):
        # Textual's own CSS uses these under native ANSI colour; an ANSI theme without them fails to load.
        checked.setdefault("ansi-background", "ansi_default")
        checked.setdefault("ansi-foreground", "ansi_default")
    return Theme(name=name, **colours, **flags, variables=checked)


def load_theme_file(path: Path) -> Theme:
    """Read and check one theme file; ThemeError says what is wrong with it."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_THEME_FILE_BYTES + 1)
    except OSError as error:
        raise ThemeError(f"cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_THEME_FILE_BYTES:
        raise ThemeError(f"is larger than {MAX_THEME_FILE_BYTES // 1024} KB")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ThemeError("is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise ThemeError(f"is not valid TOML: {error}") from None
    theme = theme_from_mapping(document)
    try:
        theme.to_color_system().generate()
    except Exception as error:  # noqa: BLE001 - Textual's own check of the colours, whatever it raises
        raise ThemeError(f"Textual cannot use it: {error}") from None
    return theme


def _theme_files(folder: Path) -> Iterable[Path]:
    try:
        return sorted(path for path in folder.glob("*.toml") if path.is_file())
    except OSError:
        return []


def load_themes(user_dir: Path | None = None, builtin_dir: Path | None = None) -> LoadedThemes:
    """Broadsheet's themes, then the user's (`user_dir/*.toml`); a broken file is listed, not fatal.

    A user theme may not take the name of a built-in one (copying a built-in file without
    renaming it would otherwise hide the original).
    """
    loaded = LoadedThemes()
    folder = builtin_dir or builtin_theme_dir()
    if folder is None:
        loaded.problems.append(ThemeProblem(Path("themes"), "Broadsheet's theme files are missing; using Textual's"))
    else:
        for name in BUILTIN_THEME_NAMES:
            path = folder / f"{name}.toml"
            try:
                loaded.themes[name] = load_theme_file(path)
            except ThemeError as error:
                loaded.problems.append(ThemeProblem(path, str(error)))
    if user_dir is None:
        return loaded
    for path in _theme_files(user_dir):
        try:
            theme = load_theme_file(path)
        except ThemeError as error:
            loaded.problems.append(ThemeProblem(path, str(error)))
            continue
        if theme.name in BUILTIN_THEME_NAMES:
            loaded.problems.append(
                ThemeProblem(path, f"name {theme.name!r} is a built-in theme's; give your copy a name of its own")
            )
            continue
        if theme.name in loaded.user_names:
            loaded.problems.append(ThemeProblem(path, f"name {theme.name!r} is already used by another file"))
            continue
        loaded.themes[theme.name] = theme
        loaded.user_names.append(theme.name)
    return loaded
