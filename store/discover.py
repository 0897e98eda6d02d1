"""Feeds a web page names: ``<link rel="alternate" type="application/rss+xml" href=...>``.

Used by ``broadsheet add`` when it is given a web page instead of a feed, and by
the fetcher to say, when a subscribed address serves a page, which feed the page
points to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from store.htmltext import web_link
from store.sanitize import clean_line

FEED_TYPES = {
    "application/rss+xml": "RSS",
    "application/rdf+xml": "RSS",
    "application/atom+xml": "Atom",
    "application/feed+json": "JSON Feed",
    "application/json": "JSON Feed",
}
_HTML_START = re.compile(r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.I | re.S)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page names: its address, the title the page gives it, and its format."""

    url: str
    title: str
    kind: str


def looks_like_html(start: str) -> bool:
    """True when a document starts the way an HTML page does (doctype or <html>)."""
    return bool(_HTML_START.match(start))


def find_feed_links(page: bytes, page_url: str) -> list[FeedLink]:
    """The feeds a page names in its <link rel="alternate"> elements, in page order, http(s) only."""
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(page, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return []
    if root is None:
        return []
    base = page_url
    for element in root.iter("base"):
        base = web_link(element.get("href") or "", page_url) or page_url
        break
    found: dict[str, FeedLink] = {}
    for element in root.iter("link"):
        rel = (element.get("rel") or "").lower().split()
        kind = FEED_TYPES.get((element.get("type") or "").split(";")[0].strip().lower())
        if "alternate" not in rel or kind is None:
            continue
        url = web_link(element.get("href") or "", base)
        if url and url not in found:
            found[url] = FeedLink(url=url, title=clean_line(element.get("title") or ""), kind=kind)
    return list(found.values())
