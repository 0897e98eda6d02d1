"""OPML import and export of subscriptions.

Folders are tags.  A feed inside nested folders gets each folder's name as a tag,
outermost first; on export a feed with tags ``[a, b]`` goes in folder ``b`` inside
folder ``a``.  So export followed by import gives back the same feeds with the
same titles, site addresses and tags, in the same order: the round trip is
lossless.  The file is read with the same hardened XML parser as feeds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import format_datetime

from lxml import etree

from store.errors import StoreError
from store.feeds import Feed, FeedList, InvalidFeedAddress, normalize_feed_url, normalize_tags
from store.htmltext import web_link
from store.parse import FeedParseError, safe_xml_root
from store.sanitize import clean_line


class OpmlError(StoreError):
    """The file is not OPML Broadsheet can read; the message is one plain sentence."""


@dataclass(slots=True)
class OpmlImport:
    """What an import did: addresses added, addresses already followed, outlines skipped (one sentence each)."""

    added: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _attribute(outline: etree._Element, name: str) -> str:
    """An outline attribute, whatever its case (``xmlUrl``, ``xmlurl``, ``XMLURL`` are all seen)."""
    value = outline.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in outline.attrib.items() if str(k).lower() == wanted), None)
    return clean_line(value or "")


def read_opml(data: bytes) -> tuple[list[Feed], list[str]]:
    """The feeds an OPML document lists (tags from the folders around them), and the outlines skipped."""
    try:
        root = safe_xml_root(data)
    except FeedParseError as error:
        raise OpmlError(f"The file is not readable OPML: {error}") from None
    body = root.find("body") if root.tag == "opml" else None
    if body is None:
        raise OpmlError("The file is not OPML (it has no <opml> and <body>).")
    feeds: dict[str, Feed] = {}
    skipped: list[str] = []
    _read_outlines(body, [], feeds, skipped)
    return list(feeds.values()), skipped


def _read_outlines(parent: etree._Element, folders: list[str], feeds: dict[str, Feed], skipped: list[str]) -> None:
    for outline in parent.iterchildren("outline"):
        address = _attribute(outline, "xmlUrl")
        text = _attribute(outline, "text")
        title = outline.get("title")
        if not address:
            folder = clean_line(title) if title is not None else text
            _read_outlines(outline, [*folders, folder] if folder else folders, feeds, skipped)
            continue
        try:
            url = normalize_feed_url(address)
        except InvalidFeedAddress as error:
            skipped.append(f"Skipped {address}: {error}")
            continue
        tags = normalize_tags(folders)
        if url in feeds:
            feeds[url].tags = normalize_tags([*feeds[url].tags, *tags])
            continue
        feeds[url] = Feed(
            url=url,
            title=clean_line(title) if title is not None else ("" if text in (address, url) else text),
            tags=tags,
            site_url=web_link(_attribute(outline, "htmlUrl")),
        )


def import_opml(feeds: FeedList, data: bytes) -> OpmlImport:
    """Subscribe to every feed an OPML document lists that is not yet followed (one write)."""
    found, skipped = read_opml(data)
    added = set(feeds.add_many(found))
    report = OpmlImport(skipped=skipped)
    for feed in found:
        (report.added if feed.url in added else report.existing).append(feed.url)
    return report


def export_opml(feeds: Iterable[Feed], *, title: str = "Broadsheet subscriptions") -> str:
    """An OPML 2.0 document of the feeds, folders made from their tags."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(datetime.now(timezone.utc), usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], etree._Element] = {(): body}
    for feed in feeds:
        parent = _folder(folders, tuple(feed.tags))
        outline = etree.SubElement(parent, "outline", type="rss", text=feed.title or feed.url)
        if feed.title:
            outline.set("title", feed.title)
        outline.set("xmlUrl", feed.url)
        if feed.site_url:
            outline.set("htmlUrl", feed.site_url)
    document: bytes = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return document.decode("utf-8")


def _folder(folders: dict[tuple[str, ...], etree._Element], path: tuple[str, ...]) -> etree._Element:
    """The outline for a path of tags, made (with its parents) when first needed."""
    if path not in folders:
        parent = _folder(folders, path[:-1])
        folders[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
    return folders[path]
