"""OPML import (folders become tags) and export, and the lossless round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.feeds import Feed, FeedList
from store.opml import OpmlError, export_opml, import_opml, read_opml

FEEDS = Path(__file__).resolve().parents[1] / "feeds"


def test_nested_outlines_become_tags(home: Path) -> None:
    feeds = FeedList(home)
    report = import_opml(feeds, (FEEDS / "subscriptions.opml").read_bytes())
    assert report.added == [
        "https://top.example/feed.xml",
        "https://harbour.example/feed.xml",
        "https://night.example/feed.json",
    ]
    assert report.existing == []
    assert report.skipped == ["Skipped ftp://files.example/feed: The address is not a web address (http or https): ftp://files.example/feed."]
    by_url = {feed.url: feed for feed in feeds.all()}
    top = by_url["https://top.example/feed.xml"]
    assert (top.title, top.tags, top.site_url) == ("Top-level feed", [], "https://top.example/")
    # The same feed in two folders: one subscription with both tags.
    harbour = by_url["https://harbour.example/feed.xml"]
    assert (harbour.title, harbour.tags) == ("Harbour Gazette", ["News", "Science"])
    night = by_url["https://night.example/feed.json"]  # a lower-case xmlurl attribute
    assert (night.title, night.tags) == ("Night Desk", ["News", "Local"])


def test_importing_again_adds_nothing(home: Path) -> None:
    feeds = FeedList(home)
    data = (FEEDS / "subscriptions.opml").read_bytes()
    import_opml(feeds, data)
    again = import_opml(feeds, data)
    assert again.added == [] and len(again.existing) == 3 and len(feeds) == 3


def test_round_trip_is_lossless(home: Path, tmp_path: Path) -> None:
    original = [
        Feed(url="https://a.example/feed", title="Plain"),
        Feed(url="https://b.example/rss?x=1&y=2", title='Quotes "and" <angles> & ampersands', tags=["News"]),
        Feed(url="https://c.example/atom", title="", tags=["News", "Local, and more / slashes"], site_url="https://c.example/"),
        Feed(url="https://d.example/feed.json", title="Deep", tags=["A", "B", "C"]),
        Feed(url="https://e.example/feed", title="https://e.example/feed", tags=["B"]),
        Feed(url="https://f.example/feed", title="Ünïcödé ✓", tags=["News"]),
    ]
    FeedList(home).add_many(original)
    exported = export_opml(FeedList(home).all())
    other = FeedList(tmp_path / "other")
    report = import_opml(other, exported.encode("utf-8"))
    assert report.skipped == [] and sorted(report.added) == sorted(feed.url for feed in original)

    def shape(feeds: list[Feed]) -> dict[str, tuple[str, list[str], str]]:
        return {feed.url: (feed.title, feed.tags, feed.site_url) for feed in feeds}

    assert shape(other.all()) == shape(original)
    assert export_opml(other.all()).split("<body>")[1] == exported.split("<body>")[1]


def test_export_is_opml_2() -> None:
    text = export_opml([Feed(url="https://a.example/feed", title="A", tags=["News"])])
    assert text.startswith("<?xml version='1.0' encoding='UTF-8'?>\n<opml version=\"2.0\">")
    assert '<outline text="News" title="News">' in text
    assert 'type="rss" text="A" title="A" xmlUrl="https://a.example/feed"' in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"<html><body>not opml</body></html>", "not OPML"),
        (b"", "not readable OPML"),
        (b"\x00\x01binary", "not readable OPML"),
    ],
)
def test_files_that_are_not_opml(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        read_opml(data)


def test_opml_entities_are_not_expanded() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">'
        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<opml version="1.0"><body><outline text="&x;&b;" xmlUrl="https://a.example/feed"/></body></opml>'
    )
    (feed,), _ = read_opml(data)
    assert "root:" not in feed.title and "aaaa" not in feed.title
