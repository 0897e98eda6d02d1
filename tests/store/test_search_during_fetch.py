"""Searching stays correct while a fetch is adding stories (real server, real store)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from store import Store
from store.feeds import Feed, FeedList
from store.fetch import FetchSettings, fetch_all
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture


def rss(channel: str, items: int) -> bytes:
    entries = "".join(
        f"<item><title>Zeppelin report {channel} {n}</title><link>https://{channel}.example/{n}</link>"
        f"<guid>{channel}-{n}</guid><description>Airship news number {n} from {channel}.</description></item>"
        for n in range(items)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{channel}</title>{entries}</channel></rss>'.encode()


def test_search_while_a_fetch_adds_stories(home: Path, http_server: FeedServer) -> None:
    urls = [http_server.route(f"/feed{n}.xml", Route(body=rss(f"c{n}", 40), delay=0.05 * n)) for n in range(8)]
    with FeedList(home) as feeds:
        feeds.add_many([Feed(url=url) for url in urls])
    with Store(home) as store, FeedList(home) as feeds:
        failures: list[BaseException] = []
        counts: list[int] = []
        done = threading.Event()

        def search_repeatedly() -> None:
            with Store(home) as reader:
                while not done.is_set():
                    try:
                        reader.refresh()
                        counts.append(len(reader.search("zeppelin", limit=500)))
                    except BaseException as error:  # noqa: BLE001 - the test reports it
                        failures.append(error)

        searcher = threading.Thread(target=search_repeatedly)
        searcher.start()
        try:
            summary = asyncio.run(fetch_all(store, feeds, settings=FetchSettings(parse_workers=0)))
        finally:
            done.set()
            searcher.join()
        assert summary.ok and summary.new_stories == 320
        assert failures == []
        assert counts and counts == sorted(counts)  # results only ever grow while stories arrive
        store.refresh()
        assert len(store.search("zeppelin", limit=500)) == 320
        assert len(store.search("airship c3", limit=500)) == 40
