"""The `broadsheet` command: the TUI, plus subcommands for scripts.

The contract (names, JSON fields, exit codes) is ../shared/CLI.md: 0 success,
1 done but something failed, 2 bad usage or bad input.  Errors are one line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from store import QueryError, Store, StoreError, Story, StoreWriteError
from tui.cli_common import EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, UsageError, print_error


def broadsheet_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # only for --version: it takes a while to load

    try:
        return version("broadsheet")
    except PackageNotFoundError:
        return "unknown"


def default_home() -> Path:
    """BROADSHEET_HOME, else the platform's user data dir."""
    configured = os.environ.get("BROADSHEET_HOME")
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("broadsheet", appauthor=False))


class VersionAction(argparse.Action):
    """--version: the version is looked up only when asked for (reading it slows every start)."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **options: Any) -> None:
        options.setdefault("default", argparse.SUPPRESS)
        super().__init__(option_strings, dest, nargs=0, **options)

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"broadsheet {broadsheet_version()}")
        parser.exit()


READ_ONLY_COMMANDS = frozenset({"list", "show", "search", "export", "feeds"})


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a usage error in one line instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{self.prog} --help')")


# ------------------------------------------------------------------ formatting


def story_json(story: Story, *, whole: bool = False) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": story.id,
        "title": story.title,
        "source": story.source,
        "feed": story.feed or None,
        "url": story.url or None,
        "author": story.author or None,
        "published": story.published.isoformat(),
        "highlights": story.highlights,
        "read": story.read,
        "bookmarked": story.bookmarked,
    }
    if whole:
        fields.update(
            highlights_generated=story.highlights_generated,
            fetched=story.fetched.isoformat(),
            body=story.body,
            opinions=story.opinions,
            full_text=story.full_text or None,
            note=story.note or None,
            tags=story.tags,
        )
    return fields


def local_date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def story_line(story: Story) -> str:
    markers = ("●" if not story.read else " ") + ("★" if story.bookmarked else " ")
    return f"{story.id}  {markers} {local_date(story.published)}  {story.source[:20]:<20}  {story.title}"


def story_text(story: Story) -> str:
    lines = [story.title, " · ".join(p for p in (story.source, story.author, local_date(story.published)) if p)]
    if story.url:
        lines.append(story.url)
    if story.highlights:
        lines += ["", "Highlights" + (" (generated)" if story.highlights_generated else "")]
        lines += [f"  • {highlight}" for highlight in story.highlights]
    lines += ["", "Story", "", story.full_text or story.body]
    if story.opinions:
        lines += ["", "Opinions", ""] + [f"  • {opinion}" for opinion in story.opinions]
    if story.note:
        lines += ["", "Note", "", story.note]
    return "\n".join(lines)


# ------------------------------------------------------------------ commands


def command_list(store: Store, args: argparse.Namespace) -> int:
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    stories = store.listed_stories(unread_only=args.unread, bookmarked_only=args.bookmarked, limit=args.limit)
    if args.json:
        from store.coverage import story_groups

        group_of = story_groups(store, [story.id for story in stories])
        print_json([{**story_json(story), "group": group_of[story.id]} for story in stories])
    else:
        for story in stories:
            print(story_line(story))
    return EXIT_OK


def command_show(store: Store, args: argparse.Namespace) -> int:
    story = store.get(store.resolve_id(args.id))
    if story is None:
        raise UsageError(f"no story with id {args.id!r}")
    if args.json:
        from store.coverage import story_groups

        print_json({**story_json(story, whole=True), "group": story_groups(store, [story.id])[story.id]})
    else:
        print(story_text(story))
    return EXIT_OK


def command_bookmark(store: Store, args: argparse.Namespace) -> int:
    story_id = store.resolve_id(args.id)
    store.set_bookmarked(story_id, not args.off)
    story = store.get(story_id)
    title = story.title if story else story_id
    print(f"{'Removed bookmark from' if args.off else 'Bookmarked'} {story_id}: {title}")
    return EXIT_OK


def command_import(store: Store, args: argparse.Namespace) -> int:
    """Story documents and OPML subscription lists, told apart by their content."""
    from store.storydoc import import_story_documents
    from tui.cli_feeds import import_opml_files, is_opml

    paths = [Path(p) for p in args.paths]
    opml = [path for path in paths if path.is_file() and is_opml(path)]
    documents = [path for path in paths if path not in opml]
    feeds_added, errors = import_opml_files(store.home, opml) if opml else (0, [])
    imported = 0
    if documents:
        report = import_story_documents(store, documents)
        errors += report.errors
        imported = len(report.imported)
        if report.added or report.updated:
            from tui.group_sync import sync_groups

            for notice in sync_groups(store)[1]:
                print_error(notice)
        print(
            f"Imported {imported} stor{'y' if imported == 1 else 'ies'}: "
            f"{report.added} new, {report.updated} updated, {report.unchanged} unchanged."
        )
    for error in errors:
        print_error(error)
    if errors:
        return EXIT_PARTIAL if imported or feeds_added else EXIT_USAGE
    return EXIT_OK


def command_search(store: Store, args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError("--limit must be 1 or more")
    query = " ".join(args.query)
    try:
        hits = store.search(query, limit=args.limit, sort=args.sort)
    except QueryError as error:
        raise UsageError(f"cannot search for {query!r}: {error}") from None
    if args.json:
        from store.coverage import story_groups

        group_of = story_groups(store, [hit.story.id for hit in hits])
        results = []
        for hit in hits:
            fields = {**story_json(hit.story), "group": group_of[hit.story.id]}
            fields["score"] = round(hit.score, 4)
            fields["snippet"] = store.snippet(hit.story.id, query, hit.story.highlights).text
            results.append(fields)
        print_json(results)
    else:
        for hit in hits:
            print(story_line(hit.story))
            snippet = store.snippet(hit.story.id, query, hit.story.highlights).text
            if snippet:
                print(f"{'':16}{snippet}")
    return EXIT_OK


def command_reindex(store: Store, args: argparse.Namespace) -> int:
    count = store.reindex()
    print(f"Rebuilt the search index: {count} stor{'y' if count == 1 else 'ies'}.")
    return EXIT_OK


def command_prune(store: Store, args: argparse.Namespace) -> int:
    """Apply the retention settings (or --days / --per-feed) now; bookmarks are never pruned."""
    from tui.config import load_config

    config, problems = load_config(config_path_of(args))
    for problem in problems:
        print_error(problem)
    days = config.retention.keep_days if args.days is None else args.days
    per_feed = config.retention.max_per_feed if args.per_feed is None else args.per_feed
    if days < 0 or per_feed < 0:
        raise UsageError("--days and --per-feed must be 0 or more")
    if days == 0 and per_feed == 0:
        print("No retention set (retention.keep_days or retention.max_per_feed in the settings, or --days, --per-feed): nothing pruned.")
        return EXIT_OK
    removed = store.prune(keep_days=days, max_per_feed=per_feed)
    rules = [f"older than {days} day{'' if days == 1 else 's'}" if days else "", f"beyond the newest {per_feed} of a feed" if per_feed else ""]
    print(f"Pruned {removed} stor{'y' if removed == 1 else 'ies'} ({' or '.join(r for r in rules if r)}; bookmarks kept).")
    return EXIT_OK


def command_export(store: Store, args: argparse.Namespace) -> int:
    if args.opml:
        from tui.cli_feeds import command_export_opml

        return command_export_opml(store)
    if args.story is not None:
        from store.coverage import group_document

        # The story's group, told once from all its sources (a lone story as it is).
        sys.stdout.write(group_document(store, store.resolve_id(args.story)))
        return EXIT_OK
    from store.export import EXPORTERS

    sys.stdout.write(EXPORTERS[args.format](store.bookmarked_stories()))
    return EXIT_OK


def command_tui(home: Path, config_path: Path | None) -> int:
    from tui.app import run_tui

    return run_tui(home, config_path)


def config_path_of(args: argparse.Namespace) -> Path | None:
    """--config FILE, if given (else tui.config's default: BROADSHEET_CONFIG or the platform dir)."""
    configured = getattr(args, "config", None)
    if configured is None:
        return None
    if not configured.strip():
        raise UsageError("--config needs a file")
    return Path(configured).expanduser()


def command_config(args: argparse.Namespace) -> int:
    """`config --path` prints where the settings file is; `config --init` writes a commented default."""
    from tui.config import default_config_path, init_config

    if args.force and not args.init:
        raise UsageError("--force only goes with --init")
    path = config_path_of(args) or default_config_path()
    if args.path:
        print(path)
        return EXIT_OK
    if path.is_dir():
        raise UsageError(f"{path} is a folder, not a settings file")
    try:
        init_config(path, force=args.force)  # a failed write: StoreWriteError, exit 1
    except FileExistsError:
        raise UsageError(f"{path} already exists; add --force to replace it with the default") from None
    except OSError as error:  # the folder cannot be made
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
    print(f"Wrote the default settings to {path}")
    return EXIT_OK


# ------------------------------------------------------------------ parser


def build_parser() -> OneLineParser:
    home_help = "the store folder (default: $BROADSHEET_HOME, else the platform data dir)"
    config_help = "the settings file (default: $BROADSHEET_CONFIG, else config.toml in the platform config dir)"
    parser = OneLineParser(
        prog="broadsheet",
        description="A terminal news browser. With no command, opens the reader (? in it lists every key).",
        epilog=(
            "Every command takes --home DIR and --config FILE. Settings live in config.toml "
            "('broadsheet config --path' shows where, 'broadsheet config --init' writes a commented one); "
            "BROADSHEET_<SETTING> variables override them for one run (BROADSHEET_THEME, "
            "BROADSHEET_REFRESH_MINUTES, BROADSHEET_LAYOUT, ...). NO_COLOR turns colour off. "
            "Exit status: 0 ok, 1 some items failed, 2 bad usage or input."
        ),
    )
    parser.add_argument("--home", metavar="DIR", help=home_help)
    parser.add_argument("--config", metavar="FILE", help=config_help)
    parser.add_argument("--version", action=VersionAction, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=OneLineParser)

    def add(name: str, summary: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary)
        sub.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS, help=home_help)
        sub.add_argument("--config", metavar="FILE", default=argparse.SUPPRESS, help=config_help)
        return sub

    listing = add("list", "List stories, newest first.")
    listing.add_argument("--json", action="store_true", help="print a JSON array of stories")
    listing.add_argument("--unread", action="store_true", help="only unread stories")
    listing.add_argument("--bookmarked", action="store_true", help="only bookmarked stories")
    listing.add_argument("--limit", type=int, metavar="N", help="at most N stories")
    listing.set_defaults(run=command_list)

    show = add("show", "Print one story, whole.")
    show.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
    show.add_argument("--json", action="store_true", help="print a JSON object")
    show.set_defaults(run=command_show)

    bookmark = add("bookmark", "Bookmark a story (or remove the bookmark with --off).")
    bookmark.add_argument("id", metavar="ID", help="a story id, or a unique prefix of one")
    bookmark.add_argument("--off", action="store_true", help="remove the bookmark")
    bookmark.set_defaults(run=command_bookmark)

    importing = add("import", "Import story documents (.txt files, or folders of them) and OPML feed lists.")
    importing.add_argument("paths", nargs="+", metavar="PATH", help="a story document, a folder of them, or an OPML file")
    importing.set_defaults(run=command_import)

    from tui.cli_feeds import add_feed_commands

    add_feed_commands(add)
    searching = add("search", "Search stories (quote the query: broadsheet search 'launch -russia').")
    searching.add_argument("query", nargs="*", metavar="QUERY", help="words, \"phrases\", prefix*, -word, OR, filters")
    searching.add_argument("--json", action="store_true", help="print a JSON array of results")
    searching.add_argument("--limit", type=int, default=20, metavar="N", help="at most N results (default 20)")
    searching.add_argument("--sort", choices=("relevance", "date"), default="relevance", help="order of results (default relevance)")
    searching.set_defaults(run=command_search)

    export = add("export", "Write bookmarks, or one story, to standard output.")
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--bookmarks", action="store_true", help="every bookmarked story, as an archive")
    what.add_argument("--story", metavar="ID", help="one story and its group's coverage, as a story document")
    what.add_argument("--opml", action="store_true", help="the subscriptions, as OPML")
    export.add_argument("--format", choices=("md", "json", "html"), default="md", help="archive format (default md)")
    export.set_defaults(run=command_export)

    prune = add("prune", "Delete old stories now, by the retention settings; bookmarked stories are always kept.")
    prune.add_argument("--days", type=int, metavar="N", help="delete stories published more than N days ago (0: no age limit)")
    prune.add_argument("--per-feed", type=int, metavar="M", help="keep only the newest M stories of each feed (0: no limit)")
    prune.set_defaults(run=command_prune)

    reindex = add("reindex", "Rebuild the search index from the store.")
    reindex.set_defaults(run=command_reindex)

    config = add("config", "Show where the settings file is, or write a commented default one.")
    config_what = config.add_mutually_exclusive_group(required=True)
    config_what.add_argument("--path", action="store_true", help="print the settings file's path (it may not exist yet)")
    config_what.add_argument(
        "--init", action="store_true", help="write the default settings, with comments (refuses to replace a file)"
    )
    config.add_argument("--force", action="store_true", help="with --init: replace an existing settings file")
    config.set_defaults(run=command_config)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(argv)
    except UsageError as error:
        print_error(error)
        return EXIT_USAGE
    except StoreWriteError as error:
        print_error(error)
        return EXIT_PARTIAL
    except StoreError as error:
        print_error(error)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`broadsheet list | head`): not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the last line of defence: never a traceback
        if os.environ.get("BROADSHEET_DEBUG"):
            raise
        print_error(f"internal error: {type(error).__name__}: {error} (BROADSHEET_DEBUG=1 shows more)")
        return EXIT_PARTIAL


def parse_arguments(parser: OneLineParser, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse, letting a search query hold words that start with '-' (`search -weather`)."""
    args, extras = parser.parse_known_args(argv)
    if extras:
        if getattr(args, "command", None) != "search" or any(not word.startswith("-") or word.startswith("--") for word in extras):
            parser.error(f"unrecognized arguments: {' '.join(extras)}")
        args.query = [*args.query, *extras]
    if getattr(args, "command", None) == "search" and not args.query:
        parser.error("search needs a QUERY")
    return args


def store_home(args: argparse.Namespace) -> Path:
    if args.home is None:
        return default_home()
    if not args.home.strip():
        raise UsageError("--home needs a folder")
    home = Path(args.home).expanduser()
    if args.command in READ_ONLY_COMMANDS and not home.exists():
        raise UsageError(f"no store at {home} (import or fetch stories into it first)")
    return home


def run(argv: Sequence[str] | None) -> int:
    args = parse_arguments(build_parser(), argv)
    if args.command == "config":
        return command_config(args)
    home = store_home(args)
    if args.command is None:
        return command_tui(home, config_path_of(args))
    command: Callable[[Store, argparse.Namespace], int] = args.run
    with Store(home) as store:
        for notice in store.notices:
            print_error(notice)
        return command(store, args)


if __name__ == "__main__":
    sys.exit(main())
