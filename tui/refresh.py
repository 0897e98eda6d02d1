"""Refreshing feeds from the TUI, as plain data: the setting, and the words for progress and outcome.

No widgets here.  `store.fetch` (httpx, the parsers) is imported only for type checking:
the app loads it on the first refresh, so it starts as fast without feeds as with them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from store.fetch import FetchProgress, FetchSummary

DEFAULT_REFRESH_MINUTES = 30.0
REFRESH_MINUTES_VARIABLE = "BROADSHEET_REFRESH_MINUTES"
NO_FEEDS = "No feeds yet: add one with broadsheet add URL"

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True, slots=True)
class RefreshSetting:
    """Minutes between automatic refreshes (0: never), and a warning when the setting was unusable."""

    minutes: float
    warning: str = ""


def refresh_setting(environ: Mapping[str, str] | None = None) -> RefreshSetting:
    """The auto-refresh interval from BROADSHEET_REFRESH_MINUTES alone (default 30; 0 turns it off).

    The app takes it from its `Config` (tui/config.py: config.toml's refresh_minutes, which this
    variable overrides); this is the same check, for callers that have no config file.
    """
    from tui.config import load_config

    raw = (os.environ if environ is None else environ).get(REFRESH_MINUTES_VARIABLE)
    only = {} if raw is None else {REFRESH_MINUTES_VARIABLE: raw}
    config, problems = load_config(environ=only, read_file=False)
    return RefreshSetting(config.refresh_minutes, problems[0] if problems else "")


def start_process_tracker() -> None:
    """Start multiprocessing's resource tracker now, with the real stderr.

    The fetcher parses in spawned processes, and spawning starts that tracker, which
    hands its process `sys.stderr.fileno()`.  Inside a Textual app sys.stderr is a
    capture whose fileno() is -1, and spawning fails ("bad value(s) in fds_to_keep").
    Started once with the real stderr, the tracker is reused by every later spawn.
    Call it on the UI thread, with nothing else printing meanwhile.
    """
    real = sys.__stderr__
    if real is None:
        return
    from multiprocessing import resource_tracker

    captured, sys.stderr = sys.stderr, real
    try:
        resource_tracker.ensure_running()
    finally:
        sys.stderr = captured


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def feed_name(url: str, titles: Mapping[str, str]) -> str:
    """A feed as a reader knows it: its title, else its host."""
    return titles.get(url) or urlsplit(url).hostname or url


def progress_line(progress: FetchProgress) -> str:
    """For the status bar while a refresh runs: "Fetching 12/200 · 35 new"."""
    return f"Fetching {progress.done:,}/{progress.total:,} · {progress.new_stories:,} new"


def summary_message(summary: FetchSummary, titles: Mapping[str, str]) -> tuple[str, Severity]:
    """What a refresh did, in plain words (never markup), and how loudly to say it."""
    if not summary.feeds and summary.deferred:
        waiting = plural(len(summary.deferred), "feed")
        return f"Nothing refreshed: {waiting} asked to wait before the next fetch.", "information"
    if not summary.feeds:
        return "Nothing to refresh: the feed is no longer followed.", "information"
    line = f"Refreshed {plural(summary.feeds, 'feed')}: {plural(summary.new_stories, 'new story', 'new stories')}"
    if summary.updated:
        line += f", {summary.updated:,} updated"
    lines = [line + "."]
    severity: Severity = "information"
    if summary.errors:
        severity = "warning"
        url, sentence = summary.errors[0]
        failed = plural(len(summary.errors), "feed")
        lines.append(f"{failed} failed. {feed_name(url, titles)}: {sentence}")
        if len(summary.errors) > 1:
            lines.append("F shows each feed's health.")
    if summary.deferred:
        lines.append(f"{plural(len(summary.deferred), 'feed')} asked to wait: skipped this time.")
    return "\n".join(lines), severity
