"""Feed documents become stories: every format, hostile input, odd encodings and dates."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from store.discover import find_feed_links
from store.htmltext import html_to_line, html_to_text, web_link
from store.model import make_story_id
from store.parse import FeedParseError, NotAFeed, ParsedFeed, parse_date, parse_feed

FEEDS = Path(__file__).resolve().parents[1] / "feeds"
FETCHED = datetime(2026, 11, 25, 6, 0, tzinfo=timezone.utc)
FEED_URL = "https://feeds.example/news/feed.xml"


def parse(name: str, **options: object) -> ParsedFeed:
    data = (FEEDS / name).read_bytes()
    return parse_feed(data, feed_url=FEED_URL, fetched=FETCHED, **options)  # type: ignore[arg-type]


def by_title(parsed: ParsedFeed) -> dict[str, object]:
    return {story.title: story for story in parsed.stories}


# ------------------------------------------------------------------ formats


def test_rss_2_items_become_stories() -> None:
    parsed = parse("rss20.xml")
    assert (parsed.kind, parsed.title, parsed.site_url) == ("RSS 2.0", "Harbour Gazette", "https://harbour.example/")
    first = parsed.stories[0]
    assert first.title == "Ferry timetable changes & new routes"
    assert first.url == "https://feeds.example/news/ferry-timetable"  # relative link resolved
    assert first.author == "Ann Tide"
    assert first.published == datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
    assert first.tags == ["Transport", "Harbour"]
    assert first.feed == FEED_URL and first.source == "Harbour Gazette"
    assert first.id == make_story_id(feed=FEED_URL, guid="harbour-1001")
    # content:encoded wins over description; HTML becomes text; scripts vanish.
    assert first.body.startswith("The winter timetable starts on Monday. See the timetable [1] and this trick.")
    assert "• Earlier first sailing\n• New night route" in first.body
    assert "steal" not in first.body
    assert first.body.endswith("Links:\n[1] https://feeds.example/timetables/winter")


def test_rss_author_email_gives_the_name() -> None:
    assert by_title(parse("rss20.xml"))["Fish market reopens"].author == "Bo Netter"  # type: ignore[attr-defined]


def test_rss_091_with_its_dtd_entities() -> None:
    parsed = parse("rss091.xml")
    assert parsed.kind == "RSS 0.91" and parsed.title == "Café Society"
    assert [s.title for s in parsed.stories] == ["Résumé of the week — part one", "Second item"]
    assert parsed.stories[0].body == "Tea & cake … and more."


def test_rss_1_0_and_0_90() -> None:
    rdf = parse("rss10.rdf")
    assert rdf.kind == "RSS 1.0" and rdf.title == "Science Notes"
    tides = rdf.stories[0]
    assert (tides.title, tides.url, tides.author, tides.tags) == (
        "Tides and the moon",
        "https://science.example/notes/1",
        "Dr. Moon",
        ["Astronomy"],
    )
    assert tides.published == datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc)
    old = parse("rss090.rdf")
    assert old.kind == "RSS 0.90"
    assert [s.url for s in old.stories] == ["http://www.mozilla.org/status/", "http://www.mozilla.org/bugs/"]


def test_atom_1_0_with_xml_base_and_xhtml() -> None:
    parsed = parse("atom10.xml")
    assert (parsed.kind, parsed.title, parsed.site_url) == ("Atom 1.0", "Notes & Queries", "https://blog.example/")
    tides, plain, summary = parsed.stories
    assert tides.url == "https://blog.example/posts/tide-tables"
    assert tides.published == datetime(2026, 11, 22, 8, 0, tzinfo=timezone.utc)  # published, not updated
    assert tides.author == "Cy Gnus" and tides.tags == ["Tides", "howto"]
    assert tides.body == (
        "High water is at noon.\n\nSee the chart [1].\n\nLinks:\n[1] https://blog.example/posts/tide-tables/chart.png"
    )
    assert plain.body == "Line one.\nLine two."
    assert summary.title == "Summary only"
    assert summary.body == "Only a summary [1] here.\n\nLinks:\n[1] https://blog.example/about"


def test_atom_0_3_escaped_and_base64_content() -> None:
    parsed = parse("atom03.xml")
    assert parsed.kind == "Atom 0.3"
    first, second = parsed.stories
    assert (first.body, first.author) == ("Hello, old world.", "Mark")
    assert first.published == datetime(2005, 7, 31, 12, 29, 29, tzinfo=timezone.utc)
    assert second.body == "Encoded bold text."


def test_json_feed_1_1() -> None:
    parsed = parse("jsonfeed11.json")
    assert (parsed.kind, parsed.title, parsed.site_url) == ("JSON Feed 1.1", "The Night Desk", "https://night.example/")
    late, first, untitled = parsed.stories
    assert late.author == "Nora Night, Desk Staff" and late.tags == ["print", "late"]
    assert late.body == "Printed at midnight. Archive [1].\n\nLinks:\n[1] https://night.example/archive"
    assert late.published == datetime(2026, 11, 25, 4, 0, tzinfo=timezone.utc)
    assert late.id == make_story_id(feed=FEED_URL, guid="2")
    assert first.id == make_story_id(feed=FEED_URL, guid="1")  # a numeric id is still an id
    assert first.url == "https://night.example/2026/11/23/first"
    assert first.body == "Just text.\n\nTwo paragraphs."
    assert untitled.url == "" and untitled.title == "An item with no title and an unsafe link."


def test_json_feed_1_0() -> None:
    parsed = parse("jsonfeed10.json")
    assert parsed.kind == "JSON Feed 1"
    (story,) = parsed.stories
    assert (story.author, story.body) == ("Solo Author", "Only a summary.")


def test_json_that_is_not_a_feed() -> None:
    with pytest.raises(FeedParseError, match="not a JSON Feed"):
        parse_feed(b'{"hello": "world"}', feed_url=FEED_URL, fetched=FETCHED)
    with pytest.raises(FeedParseError, match="not valid JSON"):
        parse_feed(b'{"version": ', feed_url=FEED_URL, fetched=FETCHED)


def test_json_feed_with_invalid_utf8_keeps_its_items() -> None:
    data = b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "Caf\xe9 ok"}]}'
    (story,) = parse_feed(data, feed_url=FEED_URL, fetched=FETCHED).stories
    assert story.title == "Caf\ufffd ok"


# ------------------------------------------------------------------ identity and order


def test_duplicates_by_guid_then_link_are_dropped() -> None:
    titles = [story.title for story in parse("rss20.xml").stories]
    assert "Duplicate guid" not in titles
    assert "Fish market reopens (duplicate link)" not in titles
    assert len(titles) == len(set(titles)) == 5


def test_story_ids_are_scoped_to_the_story_key() -> None:
    moved = parse("rss20.xml", story_key="https://old.example/feed")
    assert moved.stories[0].id == make_story_id(feed="https://old.example/feed", guid="harbour-1001")
    assert moved.stories[0].feed == FEED_URL


def test_items_without_guid_use_their_link() -> None:
    story = by_title(parse("rss20.xml"))["Fish market reopens"]
    assert story.id == make_story_id(url="https://harbour.example/news/fish-market")  # type: ignore[attr-defined]


def test_a_huge_feed_keeps_its_newest_items() -> None:
    items = "".join(
        f"<item><title>Item {n}</title><guid>g{n}</guid>"
        f"<pubDate>{(FETCHED - timedelta(hours=n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for n in (5, 1, 4, 2, 3)
    )
    data = f"<rss version='2.0'><channel><title>Big</title>{items}</channel></rss>".encode()
    parsed = parse_feed(data, feed_url=FEED_URL, fetched=FETCHED, max_items=3)
    assert [story.title for story in parsed.stories] == ["Item 1", "Item 2", "Item 3"]


# ------------------------------------------------------------------ links and dates


def test_only_web_links_are_kept() -> None:
    unsafe = by_title(parse("rss20.xml"))["Undated and unsafe"]
    assert unsafe.url == ""  # type: ignore[attr-defined]
    assert unsafe.body == "See data and file."  # type: ignore[attr-defined]
    assert web_link("javascript:alert(1)") == web_link("data:text/html,x") == web_link("file:///etc/passwd") == ""
    assert web_link("//cdn.example/x", "https://site.example/a") == "https://cdn.example/x"
    assert web_link("../up", "https://site.example/a/b/c") == "https://site.example/a/up"


def test_impossible_dates_fall_back_to_the_fetch_time() -> None:
    stories = by_title(parse("rss20.xml"))
    for title in ("A story from the year 100", "A story from the future", "Undated and unsafe"):
        assert stories[title].published == FETCHED  # type: ignore[attr-defined]
    parsed = parse("rss20.xml")
    assert len(parsed.undated) == 3
    future = stories["A story from the future"]
    assert future.url == "https://harbour.example/news/future"  # type: ignore[attr-defined]  # permalink guid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 24 Nov 2026 09:30:00 +0000", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("24 Nov 2026 09:30:00 GMT", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("Tue, 24 Nov 2026 04:30:00 EST", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("2026-11-24T09:30:00Z", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("2026-11-24T10:30:00+01:00", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("2026-11-24 09:30:00", datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)),
        ("2026-11-24", datetime(2026, 11, 24, tzinfo=timezone.utc)),
        ("yesterday", None),
        ("", None),
        ("Tue, 99 Nov 2026 09:30:00 +0000", None),
        ("9999999-01-01", None),
    ],
)
def test_dates(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


# ------------------------------------------------------------------ hostile and broken input


def test_billion_laughs_is_not_expanded() -> None:
    (story,) = parse("billion_laughs.xml").stories
    assert len(story.title) < 100 and "lollol" not in story.title
    assert "lollol" not in story.body


def test_external_entities_are_not_fetched() -> None:
    (story,) = parse("xxe.xml").stories
    assert "root:" not in story.title and "root:" not in story.body


def test_utf8_declared_as_latin1_is_read_as_utf8() -> None:
    parsed = parse("misdeclared_latin1.xml")
    assert parsed.title == "Café (declared Latin-1, really UTF-8)"
    assert [(s.title, s.body) for s in parsed.stories] == [("Crème brûlée", "naïve")]


def test_invalid_utf8_keeps_readable_items() -> None:
    parsed = parse("invalid_utf8.xml")
    assert [s.title.split()[0] for s in parsed.stories] == ["Good", "Caf\ufffd", "Another"]
    assert parsed.stories[2].body == "Still readable with a form feed."


def test_declared_windows_1252() -> None:
    (story,) = parse("windows1252.xml").stories
    assert (story.title, story.body) == ("“Quoted” – café", "€ 10")


def test_a_truncated_feed_keeps_its_complete_items() -> None:
    data = (FEEDS / "rss10.rdf").read_bytes()
    cut = data[: data.index(b"<title>Salt")]
    assert [s.title for s in parse_feed(cut, feed_url=FEED_URL, fetched=FETCHED).stories] == ["Tides and the moon"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"just some text", "not XML"),
        (b"<?xml version='1.0'?><note><to>you</to></note>", "root element is <note>"),
    ],
)
def test_documents_that_are_not_feeds(data: bytes, message: str) -> None:
    with pytest.raises(FeedParseError, match=message):
        parse_feed(data, feed_url=FEED_URL, fetched=FETCHED)


def test_a_web_page_names_its_feeds() -> None:
    with pytest.raises(NotAFeed) as one:
        parse("page_one_feed.html")
    assert [link.url for link in one.value.links] == ["https://feeds.example/feed.xml"]
    assert str(one.value) == "This is a web page, not a feed; it names the feed https://feeds.example/feed.xml."
    with pytest.raises(NotAFeed, match="names no feed"):
        parse("page_no_feed.html")
    # It survives the trip back from a parsing process.
    copy = pickle.loads(pickle.dumps(one.value))
    assert copy.links == one.value.links and str(copy) == str(one.value)


def test_xhtml_page_served_as_xml_is_a_web_page() -> None:
    page = b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>x</title></head></html>'
    with pytest.raises(NotAFeed):
        parse_feed(page, feed_url=FEED_URL, fetched=FETCHED)


def test_find_feed_links_honours_base_and_drops_unsafe_links() -> None:
    links = find_feed_links((FEEDS / "page_two_feeds.html").read_bytes(), "https://elsewhere.example/page")
    assert [(link.url, link.title, link.kind) for link in links] == [
        ("https://blog.example/atom.xml", "Posts (Atom)", "Atom"),
        ("https://blog.example/feed.json", "Posts (JSON)", "JSON Feed"),
    ]


# ------------------------------------------------------------------ HTML to text


def test_html_to_text_blocks_lists_and_preformatted_text() -> None:
    html = (
        "<h2>Title</h2><p>One  <b>bold</b>\n word.</p><ul><li>a</li><li>b</li></ul>"
        "<pre>  keep\n    spacing</pre><p>x<br>y</p><table><tr><td>c1</td><td>c2</td></tr></table>"
        "<style>p{}</style><!-- note --><p>&lt;not a tag&gt; &amp; &eacute;</p>"
    )
    assert html_to_text(html) == (
        "Title\n\nOne bold word.\n\n• a\n• b\n\n  keep\n    spacing\n\nx\ny\n\nc1 c2\n\n<not a tag> & é"
    )


def test_html_links_are_numbered_once_and_resolved() -> None:
    html = '<p><a href="/a">first</a>, <a href="/a">again</a>, <a href="#top">anchor</a>, <a href="https://x.example/">https://x.example/</a></p>'
    assert html_to_text(html, "https://site.example/post") == (
        "first [1], again [1], anchor, https://x.example/\n\nLinks:\n[1] https://site.example/a"
    )


def test_html_to_text_of_plain_text_and_titles() -> None:
    assert html_to_text("plain   text\n\n\n\nnext") == "plain text\n\nnext"
    assert html_to_text("") == ""
    assert html_to_line("AT&amp;T <b>rocks</b>\n now") == "AT&T rocks now"
    assert html_to_line("Fish & chips") == "Fish & chips"
    assert html_to_text("<b>text</b> with \ue000 private marks") == "text with private marks"
