"""The subscriptions registry: kept on disk, shared safely, repaired when damaged."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from store.feeds import Feed, FeedList, InvalidFeedAddress, normalize_feed_url

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def feeds(home: Path) -> FeedList:
    return FeedList(home)


def test_add_get_all_remove(feeds: FeedList, home: Path) -> None:
    assert feeds.add(Feed(url="https://a.example/feed", title="A", tags=["news", " news", "", "local"]))
    assert not feeds.add(Feed(url="https://a.example/feed", title="Another title"))
    assert feeds.add(Feed(url="https://b.example/feed"))
    a = feeds.get("https://a.example/feed")
    assert a is not None and a.title == "A" and a.tags == ["news", "local"]
    assert a.story_key == "https://a.example/feed" and a.added.tzinfo is not None
    assert [feed.url for feed in FeedList(home).all()] == ["https://a.example/feed", "https://b.example/feed"]
    assert feeds.remove("https://a.example/feed")
    assert not feeds.remove("https://a.example/feed")
    assert feeds.get("https://a.example/feed") is None and len(feeds) == 1


def test_update_keeps_types(feeds: FeedList, home: Path) -> None:
    feeds.add(Feed(url="https://a.example/feed"))
    updated = feeds.update(
        "https://a.example/feed", last_status=200, last_success=WHEN, etag='"x"', retry_after_until=None, gone=False
    )
    assert updated is not None and updated.last_success == WHEN
    again = FeedList(home).get("https://a.example/feed")
    assert again is not None
    assert (again.last_status, again.last_success, again.etag, again.gone) == (200, WHEN, '"x"', False)
    with pytest.raises(TypeError, match="unknown feed fields: colour"):
        feeds.update("https://a.example/feed", colour="red")


def test_update_many_is_one_write_and_never_resurrects(feeds: FeedList, home: Path) -> None:
    feeds.add_many([Feed(url=f"https://{n}.example/feed") for n in "abc"])
    before = (home / "feeds.json").stat().st_ino
    feeds.update_many(
        {
            "https://a.example/feed": {"last_status": 304},
            "https://b.example/feed": {"last_error": "The server answered 404 Not Found."},
            "https://gone.example/feed": {"last_status": 200},
        }
    )
    assert (home / "feeds.json").stat().st_ino != before  # replaced, atomically, once
    by_url = {feed.url: feed for feed in feeds.all()}
    assert by_url["https://a.example/feed"].last_status == 304
    assert by_url["https://b.example/feed"].last_error == "The server answered 404 Not Found."
    assert "https://gone.example/feed" not in by_url


def test_two_registries_on_one_store_lose_nothing(home: Path) -> None:
    first, second = FeedList(home), FeedList(home)
    first.add(Feed(url="https://a.example/feed"))
    second.add(Feed(url="https://b.example/feed"))
    first.update("https://b.example/feed", title="Set by the first")
    second.update("https://a.example/feed", title="Set by the second")
    titles = {feed.url: feed.title for feed in FeedList(home).all()}
    assert titles == {"https://a.example/feed": "Set by the second", "https://b.example/feed": "Set by the first"}


def test_another_process_sees_changes(feeds: FeedList, home: Path) -> None:
    feeds.add(Feed(url="https://a.example/feed"))
    code = (
        "import sys; from store.feeds import FeedList, Feed\n"
        "registry = FeedList(sys.argv[1])\n"
        "registry.add(Feed(url='https://other.example/feed'))\n"
        "registry.update('https://a.example/feed', title='From another process')\n"
    )
    subprocess.run([sys.executable, "-c", code, str(home)], check=True, cwd=ROOT)
    assert {feed.url: feed.title for feed in feeds.all()} == {
        "https://a.example/feed": "From another process",
        "https://other.example/feed": "",
    }


def test_rename_keeps_the_story_key(feeds: FeedList) -> None:
    feeds.add(Feed(url="https://old.example/feed", title="T", tags=["x"]))
    moved = feeds.rename("https://old.example/feed", "https://new.example/feed")
    assert moved is not None and moved.url == "https://new.example/feed"
    assert (moved.title, moved.tags, moved.story_key) == ("T", ["x"], "https://old.example/feed")
    assert [feed.url for feed in feeds.all()] == ["https://new.example/feed"]
    assert feeds.rename("https://nowhere.example/feed", "https://x.example/") is None


def test_rename_onto_a_followed_feed_merges(feeds: FeedList) -> None:
    feeds.add(Feed(url="https://old.example/feed", tags=["a", "b"]))
    feeds.add(Feed(url="https://new.example/feed", title="Kept", tags=["b", "c"]))
    merged = feeds.rename("https://old.example/feed", "https://new.example/feed")
    assert merged is not None and (merged.title, merged.tags) == ("Kept", ["b", "c", "a"])
    assert len(feeds) == 1


def test_damaged_file_is_moved_aside_and_salvaged(home: Path) -> None:
    feeds = FeedList(home)
    feeds.add_many([Feed(url="https://a.example/feed", title="A"), Feed(url="https://b.example/feed", title="B")])
    path = home / "feeds.json"
    raw = path.read_bytes()
    path.write_bytes(raw[: raw.index(b"https://b.example/feed") + 60])  # cut inside the second record
    damaged = FeedList(home)
    assert [feed.title for feed in damaged.all()] == ["A"]
    assert len(damaged.notices) == 1 and "feeds.json was damaged" in damaged.notices[0]
    assert "kept 1 readable feed" in damaged.notices[0]
    assert len(list((home / "damaged").iterdir())) == 1
    assert [feed.title for feed in FeedList(home).all()] == ["A"]


def test_odd_records_are_tolerated(home: Path) -> None:
    (home).mkdir(parents=True)
    (home / "feeds.json").write_text(
        '{"records": {"https://a.example/feed": {"title": 7, "tags": "x", "last_status": true,'
        ' "last_success": "not a date", "added": null}}}'
    )
    (feed,) = FeedList(home).all()
    assert (feed.title, feed.tags, feed.last_status) == ("", [], None)
    assert feed.added.tzinfo is not None


def test_as_json_has_the_cli_fields() -> None:
    feed = Feed(url="https://a.example/feed", title="A", tags=["t"], last_status=200, last_success=WHEN)
    assert feed.as_json({"https://a.example/feed": (12, 5)}) == {
        "url": "https://a.example/feed",
        "title": "A",
        "tags": ["t"],
        "stories": 12,
        "unread": 5,
        "last_status": 200,
        "last_success": "2026-11-24T12:00:00+00:00",
        "error": None,
    }
    assert Feed(url="https://b.example/", last_error="Gone.").as_json()["error"] == "Gone."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://example.com/feed", "https://example.com/feed"),
        ("  HTTP://Example.COM:8080/a?x=1#frag ", "http://example.com:8080/a?x=1"),
        ("example.com", "https://example.com/"),
        ("example.com/feed.xml", "https://example.com/feed.xml"),
        ("http://[::1]:8080/feed", "http://[::1]:8080/feed"),
        ("https://user:secret@example.com/private.xml", "https://user:secret@example.com/private.xml"),
        ("127.0.0.1:8080/feed.xml", "https://127.0.0.1:8080/feed.xml"),
        ("http://127.0.0.1:8080/feed.xml", "http://127.0.0.1:8080/feed.xml"),
        ("http://[2001:DB8::1]/feed", "http://[2001:db8::1]/feed"),
        ("localhost:8080/feed", "https://localhost:8080/feed"),
        ("http://B\u00dcCHER.de/feed", "http://b\u00fccher.de/feed"),
        ("http://xn--bcher-kva.de/feed", "http://xn--bcher-kva.de/feed"),
        ("https://ab--cd.example/", "https://ab--cd.example/"),
        ("https://my_blog.example/", "https://my_blog.example/"),
        ("https://example.com./feed", "https://example.com./feed"),
        ("https://a1.b-2.example/", "https://a1.b-2.example/"),
    ],
)
def test_normalize_feed_url(text: str, expected: str) -> None:
    assert normalize_feed_url(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("ftp://example.com/feed", "not a web address"),
        ("javascript:alert(1)//x", "not a web address"),
        ("http://", "no host name"),
        ("http://example.com:99999/", "not valid"),
        ("http://-oProxyCommand=sh/", "starts or ends with '-'"),
        ("-oProxyCommand=sh", "starts or ends with '-'"),
        ("https://x-.example/", "starts or ends with '-'"),
        ("http://exa$(id)mple.com/", "characters a host name cannot"),
        ("http://exa;mple.com/", "characters a host name cannot"),
        ("http://%65xample.com/", "characters a host name cannot"),
        ("http://a..b/feed", "empty part"),
        ("http://.example.com/", "empty part"),
        ("http://" + "a" * 64 + ".example/", "longer than 63"),
        ("http://" + ".".join(["abcdefghi"] * 26) + "/", "longer than 253"),
        ("http://xn--a.xn--/feed.xml", "not a valid international domain name"),
        ("http://xn--zz.example/", "not a valid international domain name"),
        ("http://\u0627\u0644\u0639\u0631\u0628\u064aa.example/", "not a valid international domain name"),
        ("http://256.1.1.1/", "not a valid IPv4 address"),
        ("http://1.2.3/", "not a valid IPv4 address"),
        ("http://[::g]/", "not valid"),
        ("http://exa\u202emple.com/feed.xml", "invisible"),
        ("http://pay\u200bpal.com/", "invisible"),
        ("http://exa\u2066mple.com/", "invisible"),
        ("exa\ufeffmple.com/feed", "invisible"),
        ("http://exa\x1bmple.com/", "control character"),
        ("http://exa\x00mple.com/", "control character"),
        ("http://exa mple.com/", "space"),
        ("http://user\u200b:pw@example.com/", "invisible"),
        ("http://example.com\\@evil.example/", "backslash"),
    ],
)
def test_normalize_feed_url_refuses(text: str, message: str) -> None:
    with pytest.raises(InvalidFeedAddress, match=re.escape(message)) as raised:
        normalize_feed_url(text)
    sentence = str(raised.value)
    assert "\n" not in sentence and sentence.endswith(".")
    assert not set(sentence) & {"\x00", "\x1b", "\u200b", "\u202e", "\u2066", "\ufeff"}, sentence


def test_invisible_characters_outside_the_host_are_still_dropped() -> None:
    # Only the host decides where the request goes: there, a hidden character is refused (above).
    assert normalize_feed_url("https://example.com/fe\u200bed.xml") == "https://example.com/feed.xml"
