"""The user's settings: one TOML file, each setting overridable for one run by BROADSHEET_<KEY>.

    <platform config dir>/broadsheet/config.toml     (`broadsheet config --path` prints it)

Plain data, no widgets and no Textual: `load_config` returns a `Config` and a list of
one-line problems; a wrong value never stops the app, its default is used and the
problem is told.  The theme picked with ctrl+t is remembered in a small state file
next to the config file, so the user's config.toml (and its comments) is never rewritten.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, cast

from tui.refresh import DEFAULT_REFRESH_MINUTES, REFRESH_MINUTES_VARIABLE

DEFAULT_THEME = "broadsheet-dark"
CONFIG_VARIABLE = "BROADSHEET_CONFIG"
CONFIG_FILE_NAME = "config.toml"
STATE_FILE_NAME = "state.json"
MAX_REFRESH_MINUTES = 7 * 24 * 60
MAX_CONFIG_BYTES = 256 * 1024
LAYOUTS = ("auto", "wide", "stacked")
Layout = Literal["auto", "wide", "stacked"]
KEYS = ("theme", "refresh_minutes", "retention", "opener", "layout", "keys")
RETENTION_KEYS = ("keep_days", "max_per_feed")


@dataclass(frozen=True, slots=True)
class Retention:
    """How long stories are kept: 0 means no limit."""

    keep_days: int = 0
    """Delete read, unbookmarked stories older than this many days (0: keep them all)."""
    max_per_feed: int = 0
    """Keep at most this many stories per feed, newest first; bookmarks always stay (0: no cap)."""


@dataclass(frozen=True, slots=True)
class Config:
    """Every setting, checked.  The defaults are what a missing config file means."""

    theme: str = DEFAULT_THEME
    refresh_minutes: float = DEFAULT_REFRESH_MINUTES
    """Minutes between automatic refreshes of the feeds; 0 turns them off."""
    retention: Retention = Retention()
    opener: tuple[str, ...] = ()
    """The command that opens a link, as argv (the URL is appended, or replaces a "{url}" item);
    empty: the system's browser."""
    layout: Layout = "auto"
    """"auto": side by side when the terminal is wide, stacked when narrow; or always one of them."""
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Binding id -> keys (Textual's keymap), e.g. {"story.down": "n,down"}."""
    path: Path | None = None
    """The config file these settings came from (None: built from defaults and the environment)."""
    overridden: frozenset[str] = frozenset()
    """Settings that came from a BROADSHEET_<KEY> variable for this run."""

    @property
    def folder(self) -> Path | None:
        """The folder of the config file: themes/ and the state file live there."""
        return None if self.path is None else self.path.parent

    @property
    def themes_dir(self) -> Path | None:
        return None if self.path is None else self.path.parent / "themes"

    @property
    def state_path(self) -> Path | None:
        return None if self.path is None else self.path.parent / STATE_FILE_NAME


def default_config_path(environ: Mapping[str, str] | None = None) -> Path:
    """BROADSHEET_CONFIG, else config.toml in the platform's user config dir."""
    configured = (os.environ if environ is None else environ).get(CONFIG_VARIABLE, "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("broadsheet", appauthor=False)) / CONFIG_FILE_NAME


# ---------------------------------------------------------------- checking one value each


class BadValue(Exception):
    """What is allowed, in words: "a number of minutes from 0 to 10080"."""


def _number(value: object, low: float, high: float, *, whole: bool) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip()) if not whole else int(value.strip())
        except ValueError:
            raise BadValue from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue
    if whole and isinstance(value, float):
        if not value.is_integer():
            raise BadValue
    if math.isnan(value) or not low <= value <= high:
        raise BadValue
    return value


def check_theme(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 60:
        raise BadValue
    return value.strip()


def check_refresh_minutes(value: object) -> float:
    return float(_number(value, 0, MAX_REFRESH_MINUTES, whole=False))


def check_days(value: object) -> int:
    return int(_number(value, 0, 100 * 365, whole=True))


def check_count(value: object) -> int:
    return int(_number(value, 0, 10_000_000, whole=True))


def check_opener(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        try:
            value = shlex.split(value)
        except ValueError:
            raise BadValue from None
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise BadValue
    if any("\x00" in item for item in value):
        raise BadValue
    return tuple(value)


def check_layout(value: object) -> Layout:
    if not isinstance(value, str) or value.strip().lower() not in LAYOUTS:
        raise BadValue
    return cast(Layout, value.strip().lower())


def check_key(value: object) -> str:
    """Textual key names, comma separated: "j", "ctrl+t", "n,down", "question_mark"."""
    if not isinstance(value, str):
        raise BadValue
    keys = [key.strip() for key in value.split(",")]
    if not all(keys) or any(len(key) > 40 or any(c.isspace() or ord(c) < 32 for c in key) for key in keys):
        raise BadValue
    return ",".join(keys)


ALLOWED = {
    "theme": "a theme name, like \"broadsheet-light\" (ctrl+t lists them)",
    "refresh_minutes": f"a number of minutes from 0 (never) to {MAX_REFRESH_MINUTES}",
    "retention.keep_days": "a whole number of days, 0 (keep everything) or more",
    "retention.max_per_feed": "a whole number of stories, 0 (no limit) or more",
    "opener": "a command as a list of words, like [\"firefox\", \"--new-tab\"]",
    "layout": "one of \"auto\", \"wide\", \"stacked\"",
    "keys": "a table of binding id = \"keys\", like story.down = \"n,down\"",
    "keys.*": "key names separated by commas, like \"n,down\" or \"ctrl+t\"",
}
CHECKS = {
    "theme": check_theme,
    "refresh_minutes": check_refresh_minutes,
    "retention.keep_days": check_days,
    "retention.max_per_feed": check_count,
    "opener": check_opener,
    "layout": check_layout,
}
ENV_SETTINGS = {
    "BROADSHEET_THEME": "theme",
    REFRESH_MINUTES_VARIABLE: "refresh_minutes",
    "BROADSHEET_RETENTION_KEEP_DAYS": "retention.keep_days",
    "BROADSHEET_RETENTION_MAX_PER_FEED": "retention.max_per_feed",
    "BROADSHEET_OPENER": "opener",
    "BROADSHEET_LAYOUT": "layout",
    "BROADSHEET_KEYS": "keys",
}
"""Environment variables and the setting each overrides.  BROADSHEET_KEYS: "id=keys;id=keys"."""


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 42 else text[:40] + "…"


def _default_of(key: str) -> str:
    defaults = Config()
    if key == "retention.keep_days":
        return "0 (keep everything)"
    if key == "retention.max_per_feed":
        return "0 (no limit)"
    if key == "opener":
        return "the system's browser"
    value = getattr(defaults, key)
    return f"{value:g}" if isinstance(value, float) else str(value)


def problem_line(where: str, key: str, value: object) -> str:
    """One line: where the setting came from, its name, what is allowed, and what is used instead."""
    allowed = ALLOWED.get(key) or ALLOWED["keys.*"]
    if where.startswith("BROADSHEET_"):
        return f"{where} must be {allowed}, not {_shown(value)}; using {_default_of(key)}."
    return f"{where}: {key} must be {allowed}, not {_shown(value)}; using {_default_of(key) if key in CHECKS else 'the default'}."


# ---------------------------------------------------------------- reading


def _read_document(path: Path, problems: list[str]) -> dict[str, Any]:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        return {}
    except OSError as error:
        problems.append(f"{path}: cannot be read ({error.strerror or error}); using the defaults.")
        return {}
    if len(data) > MAX_CONFIG_BYTES:
        problems.append(f"{path}: larger than {MAX_CONFIG_BYTES // 1024} KB; using the defaults.")
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        problems.append(f"{path}: not UTF-8 text; using the defaults.")
    except tomllib.TOMLDecodeError as error:
        problems.append(f"{path}: not valid TOML ({error}); using the defaults.")
    return {}


def _keys_table(where: str, value: object, problems: list[str]) -> dict[str, str]:
    if not isinstance(value, dict):
        problems.append(problem_line(where, "keys", value))
        return {}
    keys: dict[str, str] = {}
    for binding_id, keys_value in value.items():
        try:
            keys[str(binding_id)] = check_key(keys_value)
        except BadValue:
            problems.append(
                f"{where}: keys.{binding_id} must be {ALLOWED['keys.*']}, not {_shown(keys_value)}; keeping its usual key."
            )
    return keys


def _env_keys(raw: str, problems: list[str]) -> dict[str, str]:
    table: dict[str, str] = {}
    for item in raw.split(";"):
        if not item.strip():
            continue
        binding_id, equals, keys = item.partition("=")
        if not equals or not binding_id.strip():
            problems.append(
                f"BROADSHEET_KEYS must be \"binding.id=keys\" items separated by ';', not {_shown(item.strip())}; ignoring it."
            )
            continue
        table[binding_id.strip()] = keys
    return _keys_table("BROADSHEET_KEYS", table, problems)


def _settings(where: str, document: Mapping[str, Any], problems: list[str]) -> dict[str, Any]:
    """The valid settings of a parsed config file, by dotted key; a problem line for each bad one."""
    found: dict[str, Any] = {}
    for key, value in document.items():
        if key == "keys":
            found["keys"] = _keys_table(where, value, problems)
        elif key == "retention":
            if not isinstance(value, dict):
                problems.append(f"{where}: retention must be a table with keep_days and max_per_feed; using no limits.")
                continue
            for sub, sub_value in value.items():
                dotted = f"retention.{sub}"
                if sub not in RETENTION_KEYS:
                    problems.append(f"{where}: unknown setting {dotted!r} (retention has {', '.join(RETENTION_KEYS)}); ignoring it.")
                    continue
                _check_into(found, where, dotted, sub_value, problems)
        elif key in CHECKS:
            _check_into(found, where, key, value, problems)
        else:
            problems.append(f"{where}: unknown setting {key!r} (settings: {', '.join(KEYS)}); ignoring it.")
    return found


def _check_into(found: dict[str, Any], where: str, key: str, value: object, problems: list[str]) -> None:
    try:
        found[key] = CHECKS[key](value)
    except BadValue:
        problems.append(problem_line(where, key, value))


def _environment(environ: Mapping[str, str], problems: list[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for variable, key in ENV_SETTINGS.items():
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        if key == "keys":
            found["keys"] = _env_keys(raw, problems)
        else:
            _check_into(found, variable, key, raw, problems)
    return found


def build_config(settings: Mapping[str, Any], *, path: Path | None, overridden: frozenset[str] = frozenset()) -> Config:
    retention = Retention(
        keep_days=settings.get("retention.keep_days", 0), max_per_feed=settings.get("retention.max_per_feed", 0)
    )
    plain = {key: settings[key] for key in ("theme", "refresh_minutes", "opener", "layout") if key in settings}
    keys = MappingProxyType(dict(settings.get("keys", {})))
    return Config(**plain, retention=retention, keys=keys, path=path, overridden=overridden)


def load_config(
    path: Path | None = None, environ: Mapping[str, str] | None = None, *, read_file: bool = True
) -> tuple[Config, list[str]]:
    """The settings: config file (`path`, else `default_config_path()`), then BROADSHEET_<KEY> over it.

    Returns the config and the problems found, one line each.  `read_file=False` uses only the
    defaults and the environment (the app's default, so tests never read the user's file).
    """
    environ = os.environ if environ is None else environ
    problems: list[str] = []
    settings: dict[str, Any] = {}
    config_path: Path | None = None
    if read_file:
        config_path = path or default_config_path(environ)
        settings.update(_settings(config_path.name, _read_document(config_path, problems), problems))
    from_env = _environment(environ, problems)
    if "keys" in from_env and "keys" in settings:
        from_env["keys"] = {**settings["keys"], **from_env["keys"]}
    settings.update(from_env)
    return build_config(settings, path=config_path, overridden=frozenset(from_env)), problems


# ---------------------------------------------------------------- the remembered theme


@dataclass(frozen=True, slots=True)
class ThemeChoice:
    """The theme last picked with ctrl+t, and the config file's theme at that moment.

    When the config's theme has changed since (the user edited config.toml), the config wins.
    """

    theme: str
    config_theme: str


def read_theme_choice(path: Path | None) -> ThemeChoice | None:
    if path is None:
        return None
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return ThemeChoice(str(document["theme"]), str(document["config_theme"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_theme_choice(path: Path, choice: ThemeChoice) -> None:
    """Atomically; raises StoreWriteError (from store.storage) when the disk refuses."""
    from store.storage import atomic_write

    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"theme": choice.theme, "config_theme": choice.config_theme}, indent=2) + "\n"
    atomic_write(path, payload.encode("utf-8"))


def starting_theme(config: Config) -> str:
    """The theme to start with: BROADSHEET_THEME, else the remembered pick (unless the config
    file's theme changed since it was picked), else the config file's."""
    if "theme" in config.overridden:
        return config.theme
    choice = read_theme_choice(config.state_path)
    if choice is not None and choice.config_theme == config.theme:
        return choice.theme
    return config.theme


# ---------------------------------------------------------------- broadsheet config --init

DEFAULT_CONFIG_TEXT = """\
# Broadsheet settings.  Every line is optional: a missing setting keeps its default.
# A setting can also be given for one run by an environment variable, e.g.
#   BROADSHEET_THEME=broadsheet-light broadsheet
# (BROADSHEET_THEME, BROADSHEET_REFRESH_MINUTES, BROADSHEET_LAYOUT, BROADSHEET_OPENER,
#  BROADSHEET_RETENTION_KEEP_DAYS, BROADSHEET_RETENTION_MAX_PER_FEED, and
#  BROADSHEET_KEYS="story.down=n;story.up=e").

# The colour theme: broadsheet-dark, broadsheet-light, broadsheet-contrast,
# broadsheet-ansi (your terminal's 16 colours), broadsheet-print, or one of yours
# from the themes/ folder next to this file.  ctrl+t picks one and remembers it.
theme = "broadsheet-dark"

# Minutes between automatic refreshes of the feeds; 0 turns them off.
refresh_minutes = 30

# "auto" (side by side when the terminal is wide enough, stacked when narrow),
# "wide" (always side by side) or "stacked" (always one above the other).
layout = "auto"

# The command that opens a story's link; the URL is added at the end (or replaces
# a "{url}" item).  Leave it out to use the system's browser.
# opener = ["firefox", "--new-tab"]

[retention]
# Delete read stories older than this many days (bookmarks always stay); 0 keeps everything.
keep_days = 0
# Keep at most this many stories per feed, newest first; 0 means no limit.
max_per_feed = 0

[keys]
# Rebind any key by its binding id; ? in the app lists them.  Several keys: "n,down".
# story.down = "n,down"
# story.up = "e,up"
# story.toggle_bookmark = "s"
"""


def init_config(path: Path, *, force: bool = False) -> None:
    """Write the commented default config; FileExistsError when one is there and not `force`."""
    from store.storage import atomic_write

    if path.exists() and not force:
        raise FileExistsError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, DEFAULT_CONFIG_TEXT.encode("utf-8"))
