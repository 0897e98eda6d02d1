"""The feed subcommands: add, remove, feeds, fetch, and OPML in and out.

Part of the `broadsheet` command (see tui/cli.py for the contract and exit codes).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from store import Store
from store.sanitize import clean_line
from tui.cli_common import EXIT_OK, EXIT_PARTIAL, UsageError

if TYPE_CHECKING:
    from store.fetch import FetchProgress, FetchSettings, FetchSummary
    from tui.config import Config

# The feed machinery (httpx, parsers) is imported inside the commands that use it,
# so `broadsheet list` and friends start without it.


def is_opml(path: Path) -> bool:
    """OPML by its first bytes, whatever the file is called."""
    try:
        with path.open("rb") as handle:
            start = handle.read(2048).lower()
    except OSError:
        return False
    return b"<opml" in start


def import_opml_files(home: Path, paths: list[Path]) -> tuple[int, list[str]]:
    """Subscribe to the feeds in these OPML files; (how many added, error lines)."""
    from store.feeds import FeedList
    from store.opml import OpmlError, import_opml

    added, errors = 0, []
    with FeedList(home) as feeds:
        for path in paths:
            try:
                report = import_opml(feeds, path.read_bytes())
            except (OpmlError, OSError) as error:
                errors.append(f"{path}: {error}")
                continue
            added += len(report.added)
            print(f"{path}: {len(report.added)} feeds added, {len(report.existing)} already followed.")
            errors += [f"{path}: {reason}" for reason in report.skipped]
    return added, errors


def command_add(store: Store, args: argparse.Namespace) -> int:
    from store.feeds import FeedList
    from store.fetch import discover_and_add

    with FeedList(store.home) as feeds:
        outcome = asyncio.run(discover_and_add(feeds, args.url, tags=args.tag or []))
    if outcome.error:
        print(f"broadsheet: cannot add {clean_line(args.url)}: {outcome.error}", file=sys.stderr)
        return EXIT_PARTIAL
    if outcome.candidates:
        print(f"That page names {len(outcome.candidates)} feeds; add the one you want:")
        for link in outcome.candidates:
            print(f"  broadsheet add {link.url}" + (f"    ({link.title})" if link.title else ""))
        return EXIT_PARTIAL
    feed = outcome.feed
    assert feed is not None
    if outcome.already:
        print(f"Already following {feed.url}")
    else:
        print(f"Subscribed to {feed.title or feed.url} ({feed.url}). Run 'broadsheet fetch' to get its stories.")
    return EXIT_OK


def command_remove(store: Store, args: argparse.Namespace) -> int:
    from store.feeds import FeedList, InvalidFeedAddress, normalize_feed_url

    with FeedList(store.home) as feeds:
        # As 'broadsheet feeds' shows it, even if no longer taken as a new address (stricter checks since).
        address = args.url.strip()
        if feeds.get(address) is None:
            try:
                address = normalize_feed_url(args.url)
            except InvalidFeedAddress as error:
                raise UsageError(str(error)) from None
        if feeds.get(address) is None:
            raise UsageError(f"not following {address} (see 'broadsheet feeds')")
        removed = store.remove_feed_stories(address)
        feeds.remove(address)
    print(f"Removed {address} and {removed} of its stories (bookmarked ones are kept).")
    return EXIT_OK


def _age(moment: datetime | None) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else "never"


def command_feeds(store: Store, args: argparse.Namespace) -> int:
    from store.feeds import FeedList

    with FeedList(store.home) as feeds:
        followed = feeds.all()
    counts = store.feed_counts()
    if args.json:
        json.dump([feed.as_json(counts) for feed in followed], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return EXIT_OK
    for feed in followed:
        stories, unread = counts.get(feed.url, (0, 0))
        status = "gone" if feed.gone else (str(feed.last_status) if feed.last_status else "-")
        tags = f"  [{', '.join(feed.tags)}]" if feed.tags else ""
        print(f"{feed.title or feed.url}{tags}")
        print(f"    {feed.url}")
        print(f"    last success {_age(feed.last_success)} · status {status} · {stories} stories, {unread} unread")
        if feed.last_error:
            print(f"    error: {feed.last_error}")
    if not followed:
        print("No feeds yet: add one with 'broadsheet add URL'.")
    return EXIT_OK


class ProgressLine:
    """A one-line progress bar on a terminal; plain lines (errors only) otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on_terminal = stream.isatty()

    def __call__(self, progress: FetchProgress) -> None:
        if progress.error:
            self.clear()
            print(f"{progress.feed_url}: {progress.error}", file=self.stream)
        if self.on_terminal and progress.total:
            filled = int(30 * progress.done / progress.total)
            bar = "█" * filled + "·" * (30 - filled)
            self.stream.write(f"\r{bar} {progress.done}/{progress.total} feeds · {progress.new_stories} new ")
            self.stream.flush()

    def clear(self) -> None:
        if self.on_terminal:
            self.stream.write("\r\x1b[K")


def summary_line(summary: FetchSummary) -> str:
    parts = [
        f"{summary.new_stories} new stor{'y' if summary.new_stories == 1 else 'ies'}",
        f"{summary.updated} updated",
        f"{summary.not_modified} not modified",
        f"{len(summary.errors)} error{'' if len(summary.errors) == 1 else 's'}",
    ]
    if summary.deferred:
        parts.append(f"{len(summary.deferred)} asked to wait")
    return f"Fetched {summary.feeds} feed{'' if summary.feeds == 1 else 's'} in {summary.seconds:.1f} s: " + ", ".join(parts) + "."


def command_fetch(store: Store, args: argparse.Namespace) -> int:
    from store.feeds import FeedList
    from store.fetch import FetchSummary, fetch_all

    with FeedList(store.home) as feeds:
        if not feeds.all():
            summary = FetchSummary(notices=list(feeds.notices))
            if args.json:
                print(json.dumps(summary.as_json()))
            else:
                print("No feeds yet: add one with 'broadsheet add URL'.")
                _print_notices(summary.notices)
            return EXIT_OK
        progress: Callable[[FetchProgress], None] | None = None if args.json else ProgressLine(sys.stderr)
        summary = asyncio.run(fetch_all(store, feeds, progress=progress, settings=fetch_settings(args)))
        # Damage found on the way: in the stories (the writer's) and in the feeds file.
        summary.notices.extend(notice for notice in feeds.notices if notice not in summary.notices)
    if isinstance(progress, ProgressLine):
        progress.clear()
    if args.json:
        json.dump(summary.as_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(summary_line(summary))
        _print_notices(summary.notices)
    sys.stdout.flush()  # the summary is the answer: it does not wait for the upkeep below
    _apply_retention(store, args)
    _group_new_stories(store)
    return EXIT_OK if summary.ok else EXIT_PARTIAL


def settings_of(args: argparse.Namespace) -> Config:
    """The settings (config file and BROADSHEET_* variables), read once per command; problems told once."""
    from tui.cli import config_path_of
    from tui.cli_common import print_error
    from tui.config import load_config

    if getattr(args, "settings", None) is None:
        config, problems = load_config(config_path_of(args))
        for problem in problems:
            print_error(problem)
        args.settings = config
    return args.settings


def fetch_settings(args: argparse.Namespace) -> FetchSettings:
    """How to fetch: items older than the retention's days are not taken in."""
    from store.fetch import FetchSettings

    return FetchSettings(keep_days=settings_of(args).retention.keep_days)


def _apply_retention(store: Store, args: argparse.Namespace) -> None:
    """The retention settings applied after a fetch (bookmarks are never pruned); silent when unset."""
    from store.errors import StoreError
    from tui.cli_common import print_error

    retention = settings_of(args).retention
    if retention.keep_days or retention.max_per_feed:
        try:
            store.prune(keep_days=retention.keep_days, max_per_feed=retention.max_per_feed)
        except StoreError as error:
            print_error(f"could not prune old stories: {error}")


def _print_notices(notices: list[str]) -> None:
    """Damage found and repaired (a file moved aside, what was kept): one line each on stderr."""
    from tui.cli_common import print_error

    for notice in notices:
        print_error(notice)


def _group_new_stories(store: Store) -> None:
    """The groups caught up with the new stories; a failure is one line on stderr, never the exit status."""
    from tui.cli_common import print_error
    from tui.group_sync import sync_groups

    for notice in sync_groups(store)[1]:
        print_error(notice)


def command_export_opml(store: Store) -> int:
    from store.feeds import FeedList
    from store.opml import export_opml

    with FeedList(store.home) as feeds:
        sys.stdout.write(export_opml(feeds.all()))
    return EXIT_OK


def command_extract(store: Store, args: argparse.Namespace) -> int:
    """Print what the viewer would show for a page: its main text, as Markdown or plain text."""
    from store.articles import extract_source

    extracted = asyncio.run(extract_source(args.source, output=args.format))
    if not extracted.ok:
        raise UsageError(f"cannot extract {clean_line(args.source)}: {extracted.reason}")
    if extracted.title:
        print(f"# {extracted.title}\n" if args.format == "markdown" else f"{extracted.title}\n")
    print(extracted.text)
    return EXIT_OK


def command_save(store: Store, args: argparse.Namespace) -> int:
    """Read it later: any article page becomes a bookmarked story, with its highlights."""
    from store.articles import save_url

    story = asyncio.run(save_url(store, args.url))
    print(f"Saved {story.id}: {story.title} ({story.source}), bookmarked.")
    return EXIT_OK


def add_feed_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    adding = add("add", "Subscribe to a feed, or find the feed a web page names.")
    adding.add_argument("url", metavar="URL", help="a feed, or a web page that links to one")
    adding.add_argument("--tag", action="append", metavar="TAG", help="a tag for the feed (repeatable)")
    adding.set_defaults(run=command_add)

    removing = add("remove", "Unsubscribe from a feed and delete its stories (bookmarks are kept).")
    removing.add_argument("url", metavar="URL", help="the feed's address, as 'broadsheet feeds' shows it")
    removing.set_defaults(run=command_remove)

    listing = add("feeds", "List subscriptions with their health.")
    listing.add_argument("--json", action="store_true", help="print a JSON array of feeds")
    listing.set_defaults(run=command_feeds)

    fetching = add("fetch", "Fetch every feed now.")
    fetching.add_argument("--json", action="store_true", help="print one JSON summary object")
    fetching.set_defaults(run=command_fetch)

    extracting = add("extract", "Print the main text of an article page (a URL or a saved HTML file).")
    extracting.add_argument("source", metavar="URL_OR_FILE", help="an http(s) address or a local .html file")
    extracting.add_argument("--format", choices=("markdown", "text"), default="markdown", help="output format")
    extracting.set_defaults(run=command_extract)

    saving = add("save", "Read it later: turn any article page into a bookmarked story.")
    saving.add_argument("url", metavar="URL", help="the article's http(s) address")
    saving.set_defaults(run=command_save)


__all__ = ["add_feed_commands", "command_export_opml", "import_opml_files", "is_opml"]
