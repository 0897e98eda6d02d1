"""Fetching, the store's side: moved feeds, one feed's stories, notices, progress, workers, connections.

Real parts only: the HTTP server of tests/httpserver.py (or, where the test must
see connections, a small one here), a store on disk, real worker processes.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from store import Store
from store.feeds import Feed, FeedList
from store.fetch import FetchProgress, FetchSettings, FetchSummary, FeedResult, PendingStories, fetch_all
from store.ingest import PackedStories, prepare_story
from tests.conftest import make_story
from tests.httpserver import FEEDS, FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture

SETTINGS = FetchSettings(timeout=2.0, parse_workers=0, retry_within_fetch=2.0)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def feeds(home: Path) -> Iterator[FeedList]:
    with FeedList(home) as registry:
        yield registry


def fetch(store: Store, feeds: FeedList, settings: FetchSettings = SETTINGS, **options: object) -> FetchSummary:
    return asyncio.run(fetch_all(store, feeds, settings=settings, **options))  # type: ignore[arg-type]


# ------------------------------------------------------------------ a feed that moved


def test_a_permanent_redirect_moves_the_stored_stories_too(
    store: Store, feeds: FeedList, http_server: FeedServer
) -> None:
    old = http_server.route("/old.xml", Route.file("rss20.xml"), Route.redirect("/new.xml", status=308))
    new = http_server.route("/new.xml", Route.file("rss20.xml"))
    feeds.add(Feed(url=old))
    assert fetch(store, feeds).new_stories == 5
    assert {story.feed for story in store.listed_stories()} == {old}
    store.set_read([store.listed_stories()[0].id], True)

    summary = fetch(store, feeds)
    assert summary.ok and summary.new_stories == 0
    assert [feed.url for feed in feeds.all()] == [new]
    store.refresh()
    assert {story.feed for story in store.listed_stories()} == {new}
    assert store.feed_counts() == {new: (5, 4)}
    assert store.summaries(feed=old) == []


def test_rename_feed_moves_only_that_feeds_stories(store: Store) -> None:
    ours = [make_story(n, feed="https://a.example/feed") for n in range(4)]
    theirs = [make_story(n, feed="https://b.example/feed") for n in range(4, 6)]
    store.put_stories(ours + theirs)
    changed = store.rename_feed("https://a.example/feed", "https://a.example/new")
    assert sorted(changed) == sorted(story.id for story in ours)
    assert store.feed_counts() == {"https://a.example/new": (4, 4), "https://b.example/feed": (2, 2)}
    with Store(store.home) as other:  # on disk, not only in this store's memory
        assert {s.id for s in other.summaries(feed="https://a.example/new")} == {s.id for s in ours}
    assert store.rename_feed("https://nobody.example/", "https://a.example/new") == []


def test_summaries_of_one_feed(store: Store) -> None:
    ours = [make_story(n, feed="https://a.example/feed") for n in range(6)]
    store.put_stories(ours + [make_story(n, feed="https://b.example/feed") for n in range(6, 9)])
    store.set_read([ours[0].id, ours[1].id], True)
    store.set_bookmarked(ours[2].id, True)
    rows = store.summaries(feed="https://a.example/feed")
    assert [row.id for row in rows] == [row.id for row in store.summaries() if row.feed == "https://a.example/feed"]
    assert len(rows) == 6
    unread = store.summaries(feed="https://a.example/feed", unread_only=True)
    assert {row.id for row in unread} == {story.id for story in ours[2:]}
    assert [row.id for row in store.summaries(feed="https://a.example/feed", bookmarked_only=True)] == [ours[2].id]
    assert store.summaries(feed="https://a.example/feed", limit=2, offset=1) == rows[1:3]
    assert store.summaries(feed="https://nobody.example/") == []


# ------------------------------------------------------------------ notices, progress


def test_damage_the_writer_finds_is_told_in_the_summary(
    store: Store, feeds: FeedList, http_server: FeedServer, home: Path
) -> None:
    url = http_server.route("/rss.xml", Route.file("rss20.xml"))
    feeds.add(Feed(url=url))
    assert fetch(store, feeds).new_stories == 5
    partition = next((home / "stories").glob("*.json"))
    partition.write_bytes(b'{"records": {"abc')  # cut short, as by a failing disk
    before = len(store.notices)

    summary = fetch(store, feeds)
    assert len(summary.notices) == 1 and f"stories/{partition.name} was damaged" in summary.notices[0]
    assert summary.as_json()["notices"] == summary.notices
    assert store.notices[before:] == summary.notices  # where a TUI shows its store's notices
    assert (home / "damaged").is_dir()
    store.refresh()
    assert store.count() == 5  # the stories came back with the fetch


def test_progress_counts_new_stories_before_they_are_written(
    store: Store, feeds: FeedList, http_server: FeedServer
) -> None:
    names = ["rss20.xml", "atom10.xml", "rss10.rdf"]
    urls = [http_server.route(f"/f{n}.xml", Route.file(name)) for n, name in enumerate(names)]
    feeds.add_many(Feed(url=url) for url in urls)
    updates: list[FetchProgress] = []
    # One write, at the end: the count must not wait for it.
    settings = replace(SETTINGS, batch_seconds=60.0)
    summary = fetch(store, feeds, settings=settings, progress=updates.append)
    per_feed = [update for update in updates if update.feed_url]
    assert [update.done for update in per_feed] == [1, 2, 3]
    assert all(update.new_stories > 0 for update in per_feed)
    assert per_feed[-1].new_stories == summary.new_stories == 10
    assert updates[-1].done == 3 and updates[-1].new_stories == 10

    # Known stories are not new: the second time every feed counts 0.
    updates.clear()
    fetch(store, feeds, settings=settings, progress=updates.append)
    assert {update.new_stories for update in updates} == {0}


# ------------------------------------------------------------------ what waits for the store


def packed(partition: str, count: int, start: int = 0) -> PackedStories:
    stories = [prepare_story(make_story(n)) for n in range(start, start + count)]
    for story in stories:
        story.partition = partition
    return PackedStories.pack(partition, stories)


def test_pending_stories_go_where_a_write_buys_most() -> None:
    pending = PendingStories({"big": 1000, "small": 10})
    result = FeedResult(Feed(url="https://a.example/"), {})
    result.stories = [packed("big", 50), packed("small", 20, 50), packed("new", 5, 70)]
    pending.add(result)
    assert pending.count == 75 and result.unwritten == 75 and result.stories == []
    # "big" has the most waiting, but rewriting it costs 1,050 stories for 50.
    taken = pending.take(budget=100, everything=True)
    assert {pack.partition for pack, _ in taken} == {"new", "small"}
    assert pending.count == 50
    # Partitions not worth an idle write are left for a full batch.
    assert pending.take(budget=10_000, everything=True, least_worth=0.25) == []
    # At least one partition, whatever the budget.
    assert [pack.partition for pack, _ in pending.take(budget=1, everything=True)] == ["big"]
    assert pending.count == 0


def test_prepared_stories_are_clean() -> None:
    dirty = make_story(1, title="Harbour \x1b[31mred\x1b[0m news", body="Line\x1b]52;c;aGk=\x07 one")
    prepared = prepare_story(dirty)
    assert prepared.listed["title"] == "Harbour red news"
    assert "\x1b" not in prepared.text["body"] and "\x07" not in prepared.text["body"]
    [unpacked] = PackedStories.pack(prepared.partition, [prepared]).unpack()
    assert unpacked == prepared


# ------------------------------------------------------------------ worker processes


QUIET_WORKER = """
import os, sys
from concurrent.futures import ProcessPoolExecutor
import multiprocessing
sys.path.insert(0, sys.argv[1])
from store.fetch import quiet_worker

def noisy() -> int:
    print("stdout from a worker", flush=True)
    print("stderr from a worker", file=sys.stderr, flush=True)
    os.write(1, b"fd 1 from a worker\\n")
    os.write(2, b"fd 2 from a worker\\n")
    raise RuntimeError("a worker's traceback")

if __name__ == "__main__":
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=quiet_worker) as pool:
        try:
            pool.submit(noisy).result()
        except RuntimeError:
            pass
    os.write(1, b"parent done\\n")
"""


def test_parse_workers_never_write_to_the_terminal(tmp_path: Path) -> None:
    script = tmp_path / "noisy.py"
    script.write_text(QUIET_WORKER)
    done = subprocess.run([sys.executable, str(script), str(ROOT)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "parent done\n"
    assert done.stderr == ""


def test_fetching_with_worker_processes_prints_nothing(tmp_path: Path, http_server: FeedServer) -> None:
    url = http_server.route("/rss.xml", Route.file("rss20.xml"))
    code = (
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from store.feeds import Feed, FeedList\n"
        "from store.fetch import FetchSettings, fetch_all\n"
        "from store.records import Store\n"
        "if __name__ == '__main__':\n"
        f"    with Store({str(tmp_path)!r}) as store, FeedList({str(tmp_path)!r}) as feeds:\n"
        f"        feeds.add(Feed(url={url!r}))\n"
        "        summary = asyncio.run(fetch_all(store, feeds, settings=FetchSettings(parse_workers=1)))\n"
        "    assert summary.new_stories == 5, summary\n"
    )
    script = tmp_path / "fetch_once.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""


# ------------------------------------------------------------------ connections


class PortServer:
    """Serves one feed at any path and notes the client port of every request: one port, one connection."""

    def __init__(self) -> None:
        body = (FEEDS / "rss10.rdf").read_bytes()
        ports: list[int] = []
        self.ports = ports

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                ports.append(self.client_address[1])
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_one_client_keeps_its_connections_alive(store: Store, feeds: FeedList) -> None:
    server = PortServer()
    try:
        feeds.add_many(Feed(url=server.url(f"/feed{n}.rdf")) for n in range(8))
        summary = fetch(store, feeds, settings=replace(SETTINGS, concurrency=2, per_host=2))
    finally:
        server.close()
    assert summary.ok and len(server.ports) == 8
    assert len(set(server.ports)) <= 2  # eight requests over at most two connections


def test_the_global_limit_holds_across_hosts(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    slow = Route.file("rss10.rdf", delay=0.2)
    paths = [f"/slow{n}.xml" for n in range(6)]
    for path in paths:
        http_server.route(path, slow)
    port = http_server.server.server_address[1]
    # Two origins (as the per-host limit counts them) on the one server.
    urls = [f"http://{'127.0.0.1' if n % 2 else 'localhost'}:{port}{path}" for n, path in enumerate(paths)]
    feeds.add_many(Feed(url=url) for url in urls)
    summary = fetch(store, feeds, settings=replace(SETTINGS, concurrency=2, per_host=3))
    assert summary.ok and http_server.most_in_flight == 2
    http_server.most_in_flight = 0
    for path in paths:
        http_server.route(path, slow)  # no ETag: all fetched again
    summary = fetch(store, feeds, settings=replace(SETTINGS, concurrency=6, per_host=1))
    assert summary.ok and http_server.most_in_flight == 2  # one per origin
