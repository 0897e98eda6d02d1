"""Bookmarks as a readable archive: Markdown, JSON or a standalone HTML page.

Each entry carries what makes a bookmark worth keeping: title, source, date,
link, highlights and the reader's note.  Stored text is already free of control
characters; here it is also escaped for the target format, and only http(s)
links become links.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from store.model import Story

FORMATS = ("md", "json", "html")


def is_web_link(url: str) -> bool:
    return url.lower().startswith(("http://", "https://"))


def _date(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _markdown_text(text: str) -> str:
    """Escape what Markdown would take for formatting."""
    for char in "\\`*_{}[]<>#|":
        text = text.replace(char, "\\" + char)
    return text


def bookmarks_markdown(stories: list[Story]) -> str:
    lines = ["# Broadsheet bookmarks", ""]
    for story in stories:
        lines.append(f"## {_markdown_text(story.title)}")
        lines.append("")
        meta = " · ".join(_markdown_text(part) for part in (story.source, story.author) if part)
        lines.append(f"{meta} · {_date(story.published)}" if meta else _date(story.published))
        if is_web_link(story.url):
            lines += ["", f"<{story.url}>"]
        if story.highlights:
            lines.append("")
            lines += [f"- {_markdown_text(point)}" for point in story.highlights]
        if story.note:
            lines += ["", "> **Note:** " + _markdown_text(story.note).replace("\n", "\n> ")]
        lines.append("")
    return "\n".join(lines)


def bookmark_record(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "title": story.title,
        "source": story.source,
        "author": story.author or None,
        "published": story.published.isoformat(),
        "url": story.url if is_web_link(story.url) else None,
        "feed": story.feed or None,
        "highlights": story.highlights,
        "note": story.note or None,
    }


def bookmarks_json(stories: list[Story]) -> str:
    return json.dumps([bookmark_record(story) for story in stories], ensure_ascii=False, indent=2) + "\n"


def bookmarks_html(stories: list[Story]) -> str:
    escape = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Broadsheet bookmarks</title>",
        "<style>body{max-width:42rem;margin:2rem auto;font:16px/1.5 Georgia,serif;padding:0 1rem}"
        "article{border-top:1px solid #ccc;padding:1rem 0}.meta{color:#555;font-size:.9em}"
        "blockquote{margin:.5rem 0;padding-left:1rem;border-left:3px solid #ccc}</style>",
        "</head><body><h1>Broadsheet bookmarks</h1>",
    ]
    for story in stories:
        title = escape(story.title)
        if is_web_link(story.url):
            title = f'<a href="{escape(story.url, quote=True)}" rel="noopener noreferrer">{title}</a>'
        meta = " · ".join(escape(part) for part in (story.source, story.author, _date(story.published)) if part)
        parts.append(f"<article><h2>{title}</h2><p class=\"meta\">{meta}</p>")
        if story.highlights:
            parts.append("<ul>" + "".join(f"<li>{escape(point)}</li>" for point in story.highlights) + "</ul>")
        if story.note:
            parts.append(f"<blockquote>{escape(story.note)}</blockquote>")
        parts.append("</article>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


EXPORTERS: dict[str, Callable[[list[Story]], str]] = {
    "md": bookmarks_markdown,
    "json": bookmarks_json,
    "html": bookmarks_html,
}
