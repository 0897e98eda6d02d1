"""Fetching against a real HTTP server on 127.0.0.1: formats, caching, moves, limits, failures.

The server (tests/httpserver.py) is started per test and serves real feed files;
nothing here mocks the transport.  Limits (deadline, size) are set small so the
tests stay fast, and no test asserts on timing: the drip test asserts the
deadline's error, not how long it took.
"""

from __future__ import annotations

import asyncio
import email.utils
import resource
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from store import Store
from store.feeds import Feed, FeedList
from store.fetch import FetchProgress, FetchSettings, FetchSummary, discover_and_add, fetch_all
from store.model import make_story_id
from tests.httpserver import FEEDS, FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture

SETTINGS = FetchSettings(timeout=2.0, parse_workers=0, retry_within_fetch=2.0)


@pytest.fixture
def feeds(home: Path) -> FeedList:
    return FeedList(home)


def subscribe(feeds: FeedList, *urls: str) -> None:
    feeds.add_many(Feed(url=url) for url in urls)


def fetch(store: Store, feeds: FeedList, settings: FetchSettings = SETTINGS, **options: object) -> FetchSummary:
    return asyncio.run(fetch_all(store, feeds, settings=settings, **options))  # type: ignore[arg-type]


def feed(feeds: FeedList, url: str) -> Feed:
    found = feeds.get(url)
    assert found is not None
    return found


# ------------------------------------------------------------------ formats and bookkeeping


def test_rss_atom_and_json_feed_are_stored(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    rss = http_server.route("/rss.xml", Route.file("rss20.xml"))
    atom = http_server.route("/atom.xml", Route.file("atom10.xml", content_type="application/atom+xml"))
    json_feed = http_server.route("/feed.json", Route.file("jsonfeed11.json", content_type="application/feed+json"))
    subscribe(feeds, rss, atom, json_feed)
    seen: list[FetchProgress] = []
    summary = fetch(store, feeds, progress=seen.append)
    assert summary.ok and summary.feeds == 3 and summary.new_stories == 5 + 3 + 3
    assert store.feed_counts() == {rss: (5, 5), atom: (3, 3), json_feed: (3, 3)}
    stored = {story.title: story for story in store.listed_stories()}
    assert stored["Ferry timetable changes & new routes"].feed == rss
    assert stored["Late edition"].feed == json_feed
    assert stored["Reading the tide tables"].url == "https://blog.example/posts/tide-tables"
    assert [p.done for p in seen if p.feed_url] == [1, 2, 3]
    assert seen[-1] == FetchProgress(3, 3, 11)  # after the write: every new story counted
    harbour = feed(feeds, rss)
    assert (harbour.title, harbour.site_url, harbour.last_status, harbour.last_error) == (
        "Harbour Gazette",
        "https://harbour.example/",
        200,
        "",
    )
    assert harbour.last_success is not None and harbour.last_success.tzinfo is not None


def test_requests_say_who_is_asking(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    subscribe(feeds, http_server.route("/rss.xml", Route.file("rss20.xml")))
    fetch(store, feeds)
    (request,) = http_server.hits("/rss.xml")
    assert request.headers["user-agent"].startswith("Broadsheet/")
    assert "terminal news reader" in request.headers["user-agent"]
    assert "gzip" in request.headers["accept-encoding"]
    assert "application/rss+xml" in request.headers["accept"]


def test_compressed_feeds_are_read(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    gzipped = http_server.route("/gzip.xml", Route.file("rss20.xml", encodings=("gzip",)))
    deflated = http_server.route("/deflate.xml", Route.file("atom10.xml", encodings=("deflate",)))
    twice = http_server.route("/twice.xml", Route.file("rss10.rdf", encodings=("gzip", "gzip")))
    subscribe(feeds, gzipped, deflated, twice)
    summary = fetch(store, feeds)
    assert summary.ok and summary.new_stories == 5 + 3 + 2


def test_the_same_feed_twice_adds_nothing(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    subscribe(feeds, http_server.route("/rss.xml", Route.file("rss20.xml")))
    fetch(store, feeds)
    again = fetch(store, feeds)  # no validators: a full answer, parsed, nothing new
    assert again.ok and again.new_stories == 0 and again.updated == 0 and store.count() == 5


def test_an_updated_item_keeps_read_and_bookmark(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    original = (FEEDS / "rss20.xml").read_bytes()
    changed = original.replace(b"Ferry timetable changes", b"Ferry timetable changed again")
    url = http_server.route("/rss.xml", Route(body=original), Route(body=changed))
    subscribe(feeds, url)
    fetch(store, feeds)
    story_id = make_story_id(feed=url, guid="harbour-1001")
    store.set_read([story_id], True)
    store.set_bookmarked(story_id, True)
    summary = fetch(store, feeds)
    assert (summary.new_stories, summary.updated) == (0, 1)
    story = store.get(story_id)
    assert story is not None and story.title == "Ferry timetable changed again & new routes"
    assert story.read and story.bookmarked


def test_an_undated_story_keeps_its_first_date(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    subscribe(feeds, http_server.route("/rss.xml", Route.file("rss20.xml")))
    fetch(store, feeds)
    story_id = make_story_id(feed=http_server.url("/rss.xml"), guid="harbour-unsafe")
    first = store.get(story_id)
    assert fetch(store, feeds).updated == 0
    later = store.get(story_id)
    assert first is not None and later is not None and later.published == first.published


# ------------------------------------------------------------------ conditional GET


def test_a_304_costs_no_parse_and_no_story_write(
    store: Store, feeds: FeedList, http_server: FeedServer, home: Path
) -> None:
    stamp = "Tue, 24 Nov 2026 09:30:00 GMT"
    etagged = http_server.route("/etag.xml", Route.file("rss20.xml", etag='"v1"'))
    dated = http_server.route("/dated.xml", Route.file("atom10.xml", last_modified=stamp))
    subscribe(feeds, etagged, dated)
    fetch(store, feeds)
    assert feed(feeds, etagged).etag == '"v1"' and feed(feeds, dated).last_modified == stamp
    files = {path: path.stat().st_mtime_ns for path in home.rglob("*") if path.is_file() and path.name != "feeds.json"}
    summary = fetch(store, feeds)
    assert summary.ok and summary.not_modified == 2 and summary.new_stories == 0
    assert http_server.hits("/etag.xml")[-1].headers["if-none-match"] == '"v1"'
    assert http_server.hits("/dated.xml")[-1].headers["if-modified-since"] == stamp
    catalog_files = {"catalog.sqlite3", "catalog.sqlite3-wal", "catalog.sqlite3-shm", ".lock"}
    changed = [p for p, mtime in files.items() if p.exists() and p.stat().st_mtime_ns != mtime]
    assert [p for p in changed if p.name not in catalog_files] == []
    assert feed(feeds, etagged).last_status == 304


# ------------------------------------------------------------------ status codes


def test_a_permanent_redirect_moves_the_feed(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    old = http_server.route("/old.xml", Route.redirect("/new.xml", status=301))
    new = http_server.route("/new.xml", Route.file("rss20.xml"))
    subscribe(feeds, old)
    summary = fetch(store, feeds)
    assert summary.ok and [f.url for f in feeds.all()] == [new]
    moved = feed(feeds, new)
    assert moved.story_key == old and moved.title == "Harbour Gazette"
    assert {story.feed for story in store.listed_stories()} == {new}
    fetch(store, feeds)
    assert len(http_server.hits("/old.xml")) == 1 and len(http_server.hits("/new.xml")) == 2
    # The story ids still come from the first address, so nothing is duplicated.
    assert store.count() == 5


def test_temporary_redirects_do_not_move_the_feed(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    start = http_server.route("/start.xml", Route.redirect("/hop.xml", status=302))
    http_server.route("/hop.xml", Route.redirect("/final.xml", status=308))
    http_server.route("/final.xml", Route.file("rss20.xml"))
    subscribe(feeds, start)
    assert fetch(store, feeds).ok
    assert [f.url for f in feeds.all()] == [start]


def test_410_marks_the_feed_gone_and_it_is_not_fetched_again(
    store: Store, feeds: FeedList, http_server: FeedServer
) -> None:
    url = http_server.route("/gone.xml", Route(status=410))
    subscribe(feeds, url)
    summary = fetch(store, feeds)
    assert summary.errors == [(url, "The feed is gone (the server answered 410 Gone); it will not be fetched again.")]
    assert feed(feeds, url).gone
    assert fetch(store, feeds).feeds == 0
    assert len(http_server.hits("/gone.xml")) == 1


def test_404_is_one_plain_sentence(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.url("/missing.xml")
    subscribe(feeds, url)
    assert fetch(store, feeds).errors == [(url, "The server answered 404 Not Found.")]
    assert feed(feeds, url).last_status == 404 and not feed(feeds, url).gone


def test_429_with_a_short_retry_after_is_waited_out(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route(
        "/busy.xml", Route(status=429, headers={"Retry-After": "1"}), Route.file("rss20.xml")
    )
    subscribe(feeds, url)
    summary = fetch(store, feeds)
    assert summary.ok and summary.new_stories == 5
    assert len(http_server.hits("/busy.xml")) == 2


def test_429_with_a_long_retry_after_defers_the_feed(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/busy.xml", Route(status=429, headers={"Retry-After": "3600"}), Route.file("rss20.xml"))
    subscribe(feeds, url)
    before = datetime.now(timezone.utc)
    summary = fetch(store, feeds)
    assert summary.errors == [
        (
            url,
            "The server answered 429 Too Many Requests and asked to wait 60 minutes;"
            " it will not be asked again before then.",
        )
    ]
    until = feed(feeds, url).retry_after_until
    assert until is not None and before + timedelta(minutes=59) < until < before + timedelta(minutes=61)
    later = fetch(store, feeds)
    assert later.feeds == 0 and later.deferred == [url] and later.ok
    assert len(http_server.hits("/busy.xml")) == 1


def test_503_retry_after_date_is_capped(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    far = email.utils.format_datetime(datetime.now(timezone.utc) + timedelta(days=30), usegmt=True)
    url = http_server.route("/down.xml", Route(status=503, headers={"Retry-After": far}))
    subscribe(feeds, url)
    before = datetime.now(timezone.utc)
    summary = fetch(store, feeds, settings=replace(SETTINGS, retry_after_cap=7200.0))
    assert summary.errors[0][1].startswith("The server answered 503 Service Unavailable and asked to wait 2 hours")
    until = feed(feeds, url).retry_after_until
    assert until is not None and until < before + timedelta(hours=2, minutes=1)


# ------------------------------------------------------------------ limits


def test_a_dripping_server_hits_the_deadline(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/drip.xml", Route.file("rss20.xml", drip=0.05))
    subscribe(feeds, url)
    summary = fetch(store, feeds, settings=replace(SETTINGS, timeout=0.5))
    assert summary.errors == [(url, "The feed did not arrive in full within 0.5 seconds.")]


def test_a_silent_server_hits_the_deadline(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/slow.xml", Route.file("rss20.xml", delay=3.0))
    subscribe(feeds, url)
    summary = fetch(store, feeds, settings=replace(SETTINGS, timeout=0.3))
    assert summary.errors == [(url, "No answer within 0.3 seconds.")]


def test_an_oversized_body_hits_the_cap(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    big = b"<rss version='2.0'><channel>" + b"<item><title>x</title></item>" * 40_000 + b"</channel></rss>"
    plain = http_server.route("/big.xml", Route(body=big))
    squeezed = http_server.route("/big.xml.gz", Route(body=big, encodings=("gzip",)))
    subscribe(feeds, plain, squeezed)
    summary = fetch(store, feeds, settings=replace(SETTINGS, max_bytes=1024 * 1024))
    too_large = "The feed is larger than 1 MB."
    assert sorted(summary.errors) == [(plain, too_large), (squeezed, too_large)]


def test_a_double_gzip_bomb_hits_the_cap_while_decompressing(
    store: Store, feeds: FeedList, http_server: FeedServer
) -> None:
    # 1,827 bytes that inflate to 1 GiB of zeros through two gzip layers.
    url = http_server.route("/bomb.xml", Route.file("bomb_1gib.gz.gz", headers={"Content-Encoding": "gzip, gzip"}))
    subscribe(feeds, url)
    summary = fetch(store, feeds)
    assert summary.errors == [(url, "The feed is larger than 10 MB.")]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert peak_mb < 600  # inflating it would need 1,024 MB at least


def test_a_redirect_loop_stops(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/a.xml", Route.redirect("/b.xml", status=302))
    http_server.route("/b.xml", Route.redirect("/a.xml", status=302))
    subscribe(feeds, url)
    assert fetch(store, feeds).errors == [(url, "Too many redirects (more than 5).")]
    assert len(http_server.requests) == 6


def test_redirects_only_to_the_web(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/ftp.xml", Route.redirect("ftp://files.example/feed.xml"))
    subscribe(feeds, url)
    assert fetch(store, feeds).errors == [(url, "Redirected to a non-web address (ftp://files.example/feed.xml).")]


def test_per_host_and_global_limits(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    urls = [http_server.route(f"/slow{n}.xml", Route.file("rss10.rdf", delay=0.2)) for n in range(6)]
    subscribe(feeds, *urls)
    summary = fetch(store, feeds, settings=replace(SETTINGS, per_host=2))
    assert summary.ok and http_server.most_in_flight == 2


# ------------------------------------------------------------------ failures stay with their feed


def test_a_web_page_instead_of_a_feed(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/index.html", Route.file("page_one_feed.html", content_type="text/html"))
    subscribe(feeds, url)
    assert fetch(store, feeds).errors == [
        (url, f"This is a web page, not a feed; it names the feed {http_server.url('/feed.xml')}.")
    ]


def test_one_failing_feed_never_affects_the_others(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    good = http_server.route("/good.xml", Route.file("rss20.xml"))
    broken = http_server.route("/broken.xml", Route(body=b"\x89PNG\r\n\x1a\n not a feed"))
    refused = "http://127.0.0.1:1/feed.xml"
    bad_port = "http://127.0.0.1:99999/feed.xml"
    bad_host = "http://127.0.0.1:abc/feed.xml"  # httpx.InvalidURL, which is no httpx.HTTPError
    subscribe(feeds, bad_host, refused, good, broken, bad_port)
    summary = fetch(store, feeds)
    errors = dict(summary.errors)
    assert summary.new_stories == 5 and set(errors) == {bad_host, refused, broken, bad_port}
    assert errors[refused] == "The server refused the connection."
    assert errors[bad_port].startswith("The address is not valid")
    assert errors[bad_host].startswith("The address is not valid")
    assert errors[broken].endswith("so not a feed.")
    for sentence in errors.values():
        assert "\n" not in sentence and sentence.endswith(".")
    assert feed(feeds, refused).last_error == errors[refused]
    assert feed(feeds, good).last_error == ""


def test_an_error_is_cleared_by_the_next_success(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/flaky.xml", Route(status=500), Route.file("rss20.xml"))
    subscribe(feeds, url)
    fetch(store, feeds)
    assert feed(feeds, url).last_error == "The server answered 500 Internal Server Error."
    assert fetch(store, feeds).ok
    assert feed(feeds, url).last_error == "" and feed(feeds, url).last_status == 200


def test_only_the_urls_asked_for(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    one = http_server.route("/one.xml", Route.file("rss20.xml"))
    two = http_server.route("/two.xml", Route.file("atom10.xml"))
    subscribe(feeds, one, two)
    summary = fetch(store, feeds, urls=[two])
    assert summary.feeds == 1 and not http_server.hits("/one.xml")


def test_a_removed_feed_is_not_brought_back(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/slow.xml", Route.file("rss20.xml", delay=0.3))
    subscribe(feeds, url)

    async def fetch_and_remove() -> FetchSummary:
        fetching = asyncio.create_task(fetch_all(store, feeds, settings=SETTINGS))
        await asyncio.sleep(0.1)
        feeds.remove(url)
        return await fetching

    asyncio.run(fetch_and_remove())
    assert feeds.all() == []


def test_parsing_in_worker_processes(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    rss = http_server.route("/rss.xml", Route.file("rss20.xml"))
    page = http_server.route("/page.html", Route.file("page_two_feeds.html", content_type="text/html"))
    subscribe(feeds, rss, page)
    summary = fetch(store, feeds, settings=replace(SETTINGS, parse_workers=1))
    assert summary.new_stories == 5
    assert summary.errors == [(page, "This is a web page, not a feed; it names 2 feeds, such as https://blog.example/atom.xml.")]


def test_stories_are_written_in_several_batches(store: Store, feeds: FeedList, http_server: FeedServer) -> None:
    names = ["rss20.xml", "atom10.xml", "rss10.rdf"]
    urls = [http_server.route(f"/f{n}.xml", Route.file(name)) for n, name in enumerate(names)]
    subscribe(feeds, *urls)
    written: list[int] = []

    def progress(update: FetchProgress) -> None:
        if not update.feed_url:
            written.append(update.new_stories)

    settings = replace(SETTINGS, batch_stories=2, write_stories=1)
    summary = fetch(store, feeds, settings=settings, progress=progress)
    assert summary.ok and summary.new_stories == 10 and store.count() == 10
    assert len(written) > 1 and written == sorted(written) and written[-1] == 10
    assert all(feed(feeds, url).last_status == 200 for url in urls)


# ------------------------------------------------------------------ subscribing


def add(feeds: FeedList, url: str) -> object:
    return asyncio.run(discover_and_add(feeds, url, settings=SETTINGS))


def test_add_a_feed_directly(feeds: FeedList, http_server: FeedServer) -> None:
    url = http_server.route("/rss.xml", Route.file("rss20.xml"))
    outcome = add(feeds, url)
    assert outcome.feed is not None and not outcome.already and not outcome.error  # type: ignore[attr-defined]
    assert (outcome.feed.url, outcome.feed.title) == (url, "Harbour Gazette")  # type: ignore[attr-defined]
    assert add(feeds, url).already  # type: ignore[attr-defined]


def test_add_a_page_naming_one_feed(feeds: FeedList, http_server: FeedServer) -> None:
    page = http_server.route("/", Route.file("page_one_feed.html", content_type="text/html"))
    http_server.route("/feed.xml", Route.file("rss20.xml"))
    outcome = add(feeds, page)
    assert outcome.feed is not None and outcome.feed.url == http_server.url("/feed.xml")  # type: ignore[attr-defined]
    assert [f.url for f in feeds.all()] == [http_server.url("/feed.xml")]


def test_add_a_page_naming_several_feeds_lists_them(feeds: FeedList, http_server: FeedServer) -> None:
    page = http_server.route("/blog", Route.file("page_two_feeds.html", content_type="text/html"))
    outcome = add(feeds, page)
    assert [link.url for link in outcome.candidates] == [  # type: ignore[attr-defined]
        "https://blog.example/atom.xml",
        "https://blog.example/feed.json",
    ]
    assert outcome.feed is None and feeds.all() == []  # type: ignore[attr-defined]


def test_add_errors_are_sentences(feeds: FeedList, http_server: FeedServer) -> None:
    page = http_server.route("/plain.html", Route.file("page_no_feed.html", content_type="text/html"))
    assert add(feeds, page).error == "This is a web page, not a feed, and it names no feed."  # type: ignore[attr-defined]
    assert add(feeds, http_server.url("/missing")).error == "The server answered 404 Not Found."  # type: ignore[attr-defined]
    assert add(feeds, "ftp://example.com/feed").error.startswith("The address is not a web address")  # type: ignore[attr-defined]
    assert add(feeds, "http://127.0.0.1:1/feed").error == "The server refused the connection."  # type: ignore[attr-defined]
    assert feeds.all() == []
