"""Extracting an article's text from a page: what is kept, what is dropped, and the bounds.

The pages in tests/pages are realistic article pages (navigation, cookie banners,
adverts, newsletter boxes, captions, bylines, related links, comments, footers),
each with the article body a reader would mark, in ``<name>.expected.txt``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store.extract import (
    DEFAULT_LIMITS,
    OutputFormat,
    PageLimits,
    cut_note,
    decode_page,
    extract_article,
    is_summary_only,
)

PAGES = Path(__file__).resolve().parents[1] / "pages"
FERRY_URL = "https://courier.example/news/2026/11/northgate-ferry-timetable"
MARKDOWN_LINK = re.compile(r"(?<!\\)\[([^\]]*)\]\(([^)\s]*)")

# Page furniture that must not reach the text: per page, strings that only the clutter holds.
CLUTTER = {
    "ferry-timetable": [
        "cookies",  # the banner
        "Subscribe from",  # the header
        "Search the Courier",
        "Advertisement",
        "Sign up for our newsletter",
        "morning briefing",
        "Photo: Tom Reyes",  # the caption
        "Transport reporter",  # the byline
        "Share on Facebook",
        "Read more",
        "Harbour board delays vote",  # a related link inside the article
        "More from Transport",
        "Bus route 12",
        "About time!",  # the comments
        "Join the conversation",
        "Most read",
        "cheap flights",
        "All rights reserved",
        "Have a story?",
    ],
    "library-late-opening": [
        "Skip to content",
        "Branches and opening hours",
        "Posted on",
        "4 min read",
        "Photo: Eastfield Libraries",
        "Share this",
        "Summer reading challenge",
        "Tagged",
        "Published by Ruth Adeyemi",
        "Previous post",
        "Please keep it!",
        "Leave a Reply",
        "Recent Posts",
        "monthly newsletter",
        "Proudly powered by WordPress",
    ],
    "reservoir-levels": [
        "Log in",
        "e-Edition",
        "BREAKING",
        "Route 9 closed",
        "Published Nov. 21",
        "Valley Daily News photo",
        "RELATED",
        "Summer drought leaves farmers",
        "ADVERTISEMENT",
        "Environment newsletter",
        "You May Also Like",
        "Doctors Stunned",
        "Comments are closed",
        "Beloved Main Street bakery",
        "Do Not Sell",
    ],
    "market-hall-fluff-lead": [
        "Subscribe today",
        "Listen to this article",
        "Sign up for our newsletter",
        "Photo: Lena Marsh",
        "Click here",
        "Advertisement",
        "Follow us",
        "Read more",
        "Two years late and over budget",
        "All rights reserved",
    ],
}


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def expected_blocks(name: str) -> list[str]:
    text = (PAGES / f"{name}.expected.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def squeeze(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(CLUTTER))
def test_article_text_is_kept_and_page_furniture_dropped(name: str) -> None:
    extracted = extract_article(page(name), f"https://site.example/{name}", output="text")
    assert extracted.ok and extracted.reason == ""
    text = squeeze(extracted.text)
    for block in expected_blocks(name):
        assert squeeze(block) in text, f"missing from {name}: {block[:60]!r}"
    for clutter in CLUTTER[name]:
        assert clutter not in extracted.text, f"{name} kept {clutter!r}"


def test_metadata_comes_from_the_page() -> None:
    extracted = extract_article(page("ferry-timetable"), FERRY_URL)
    assert extracted.title == "Northgate ferry to run every 20 minutes from March"
    assert extracted.author == "Mara Quinn"
    assert extracted.site == "The Harbour Courier"
    assert extracted.published is not None and extracted.published.isoformat() == "2026-11-18T07:30:00+00:00"
    # The viewer shows the title: the text does not repeat it as a heading.
    assert not extracted.text.startswith("# ") and "# Northgate ferry" not in extracted.text


def test_markdown_keeps_headings_lists_quotes_emphasis_and_links() -> None:
    ferry = extract_article(page("ferry-timetable"), FERRY_URL).text
    assert "\n## What changes for passengers\n" in ferry
    assert "\n- Crossings every 20 minutes on weekdays from 6am to 8pm\n" in ferry
    assert "\n> People told us again and again that an hourly boat is not a commuter service." in ferry
    assert "the *Kittiwake*" in ferry
    # Relative links are resolved against the page's address.
    assert "[summary published by the board](https://courier.example/documents/ferry-consultation-2026.pdf)" in ferry
    assert "[Western Islands operator](https://islands-transport.example/fleet)" in ferry
    library = extract_article(page("library-late-opening"), "https://libraries.example/blog/late").text
    assert "\n1. Evening visitors want power sockets more than anything else." in library
    reservoir = extract_article(page("reservoir-levels"), "https://valleydaily.example/a").text
    assert "| Cole Brook | 1,850 | 47% |" in reservoir


def test_plain_text_has_no_markup() -> None:
    text = extract_article(page("ferry-timetable"), FERRY_URL, output="text").text
    assert "##" not in text and "](" not in text and "*Kittiwake*" not in text and "\n> " not in text
    assert "What changes for passengers\n\nThe harbour board listed" in text
    assert "according to a summary published by the board." in text


def test_only_web_links_survive() -> None:
    filler = "This sentence is here so that the page reads as an article with enough words in it. " * 6
    html = f"""<html><body><article><h1>Links</h1><p>{filler}</p>
      <p>See <a href="javascript:alert(document.cookie)">the script</a>, <a href="data:text/html,<b>x</b>">the data</a>,
      <a href="file:///etc/passwd">the file</a>, <a href="mailto:a@b.example">the mail</a>,
      <a href="vbscript:msgbox(1)">the vb</a>, <a href="ftp://files.example/x">the ftp</a>,
      <a href="  JaVaScRiPt:alert(1)">the mixed case</a>, <a href="/local/page">the relative one</a>
      and <a href="//cdn.example/x">the protocol-relative one</a> for more about this story.</p>
      <p>{filler}</p></article></body></html>"""
    extracted = extract_article(html, "https://site.example/story/1")
    assert extracted.ok
    targets = [target for _, target in MARKDOWN_LINK.findall(extracted.text)]
    assert targets == ["https://site.example/local/page", "https://cdn.example/x"]
    for scheme in ("javascript", "data:", "file:", "mailto", "vbscript", "ftp:"):
        assert scheme not in extracted.text.lower()
    for words in ("the script", "the data", "the file", "the mail", "the ftp", "the mixed case"):
        assert words in extracted.text  # the words stay, the address goes


def test_terminal_escapes_cannot_be_smuggled_through_a_page() -> None:
    filler = "A plain sentence about the harbour, long enough to count as article text here. " * 6
    html = (
        "<html><head><title>T\x1b[2J</title></head><body><article><h1>Escapes</h1>"
        f"<p>{filler}</p>"
        "<p>Red \x1b[31malert\x1b[0m, a hidden \x1b]8;;https://evil.example\x07link\x1b]8;;\x07, "
        "a C1 \x9b31m code, a reversed \u202egnirts\u202c and a numeric &#27;[5m blink &#155;1m too.</p>"
        f"<p>{filler}</p></article></body></html>"
    )
    outputs: tuple[OutputFormat, ...] = ("markdown", "text")
    for output in outputs:
        extracted = extract_article(html, "https://site.example/a", output=output)
        assert extracted.ok
        for field in (extracted.text, extracted.title):
            assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", field)
        assert "Red alert" in extracted.text and "link" in extracted.text


def test_a_page_without_an_article_says_so() -> None:
    extracted = extract_article(page("section-index"), "https://courier.example/news/transport")
    assert not extracted.ok and extracted.text == ""
    assert extracted.reason.startswith("Broadsheet found no article text on this page")
    assert "\n" not in extracted.reason


@pytest.mark.parametrize(
    "html",
    [
        b"",
        b"   ",
        "<html></html>",
        b"\x00\xff\xfe\x00garbage\x01\x02",
        "just words, no markup at all",
        b"%PDF-1.7\n%\xe2\xe3",
    ],
)
def test_empty_or_garbage_pages_fail_plainly(html: bytes | str) -> None:
    extracted = extract_article(html, "https://site.example/x")
    assert not extracted.ok and extracted.reason and extracted.text == ""


def long_article(size: int) -> str:
    paragraph = (
        "<p>The harbour board met again on Tuesday to discuss the ferry timetable, the crew "
        "rota, the fares for the winter season and the state of the east pier, number {n}.</p>\n"
    )
    parts, length, number = [], 0, 0
    while length < size:
        part = paragraph.format(n=number)
        parts.append(part)
        length += len(part)
        number += 1
    return f"<html><head><title>Long</title></head><body><article><h1>Long</h1>{''.join(parts)}</article></body></html>"


def test_a_500_kb_page_is_extracted_and_cut_at_the_bound() -> None:
    html = long_article(500_000)
    assert len(html) > 500_000
    extracted = extract_article(html, "https://site.example/long")
    assert extracted.ok and extracted.cut
    note = cut_note()
    assert extracted.text.endswith("\n\n" + note)
    assert len(extracted.text) <= DEFAULT_LIMITS.max_chars + len(note) + 2
    assert len(extracted.text) > DEFAULT_LIMITS.max_chars // 2
    assert "number 0." in extracted.text  # it is the start that is kept


def test_the_bounds_apply_before_extraction() -> None:
    limits = PageLimits(max_bytes=50_000, max_elements=100, max_page_chars=20_000, max_chars=5_000)
    extracted = extract_article(long_article(200_000), "https://site.example/long", limits=limits)
    assert extracted.ok and extracted.cut
    assert len(extracted.text) <= limits.max_chars + len(cut_note(limits)) + 2
    assert "number 0." in extracted.text and "number 150." not in extracted.text


def test_a_huge_script_does_not_push_the_article_past_the_cut() -> None:
    script = "<script>window.__STATE__ = '" + "x" * 3_000_000 + "';</script>"
    html = long_article(20_000).replace("<head>", "<head>" + script)
    extracted = extract_article(html, "https://site.example/app")
    assert extracted.ok and not extracted.cut
    assert "number 0." in extracted.text and "__STATE__" not in extracted.text


def test_decoding_follows_the_declared_charset_then_meta_then_utf8() -> None:
    latin = "<html><head><meta charset='iso-8859-1'></head><body><p>Caf\xe9 cr\xe8me</p></body></html>".encode(
        "latin-1"
    )
    assert "Café crème" in decode_page(latin)
    assert "Café crème" in decode_page(latin, "iso-8859-1")
    assert "Café" in decode_page("<p>Café</p>".encode())
    assert "Café" in decode_page("\ufeff<p>Café</p>".encode("utf-8"))
    assert decode_page(b"<p>\x93quoted\x94</p>", "not-a-charset") == "<p>\u201cquoted\u201d</p>"


def test_summary_only_feed_texts() -> None:
    url = "https://news.example/story"
    long_text = " ".join(["The council met on Tuesday and agreed the budget for next year."] * 20)
    assert is_summary_only("The council met on Tuesday.", url)
    assert is_summary_only("", url)
    assert not is_summary_only(long_text, url)
    assert is_summary_only(long_text + "\n\nContinue reading →", url)
    assert is_summary_only(long_text + " […]", url)
    assert is_summary_only(long_text + " Read the full story", url)
    assert is_summary_only(long_text + "\n\nRead more [1]\n\nLinks:\n[1] https://news.example/story", url)
    assert not is_summary_only(long_text + "\n\nLinks:\n[1] https://news.example/other", url)
    # Nothing to fetch: not worth trying.
    assert not is_summary_only("Short.", "")
    assert not is_summary_only("Short.", "javascript:alert(1)")
    assert not is_summary_only("Short.", "file:///etc/passwd")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.sampled_from(["markdown", "text"]))
def test_extraction_never_raises(text: str, output: str) -> None:
    for html in (text, f"<html><body><article><p>{text}</p></article></body></html>"):
        extracted = extract_article(html, "https://site.example/x", output=output)  # type: ignore[arg-type]
        assert extracted.ok or (extracted.reason and not extracted.text)
        assert "\x1b" not in extracted.text
