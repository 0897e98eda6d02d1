"""What the story list can show: all stories, bookmarks, a search, a saved search, one feed.

Plain data, no widgets: the main screen keeps one `View` and an unread-only flag,
and the workers turn them into store calls.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from store import Query, parse_query

ViewKind = Literal["all", "bookmarks", "search", "saved", "feed"]

SEARCH_LIMIT = 500
"""At most this many search results are listed (the status bar says how many matched)."""


@dataclass(frozen=True, slots=True)
class View:
    """One way of listing stories.  Equal views are the same place (cursors are kept per view).

    For a feed, `query` is the feed's address and `name` its title.
    """

    kind: ViewKind = "all"
    query: str = ""
    name: str = ""

    @property
    def title(self) -> str:
        """What the status bar calls it: "All stories", "Bookmarks", "Search: tram", "Saved: Trams"."""
        if self.kind == "bookmarks":
            return "Bookmarks"
        if self.kind == "search":
            return f"Search: {self.query}" if self.query else "Search"
        if self.kind == "saved":
            return f"Saved: {self.name}"
        if self.kind == "feed":
            return f"Feed: {self.name or self.query}"
        return "All stories"

    @property
    def has_query(self) -> bool:
        return self.kind in ("search", "saved") and bool(self.query.strip())

    @property
    def sort(self) -> Literal["relevance", "date"]:
        """A search is best first; a saved search reads like a feed, newest first."""
        return "relevance" if self.kind == "search" else "date"


ALL_STORIES = View("all")
BOOKMARKS = View("bookmarks")


def search_view(query: str) -> View:
    return View("search", query=query)


def saved_view(name: str, query: str) -> View:
    return View("saved", query=query, name=name)


def feed_view(url: str, title: str) -> View:
    """The stories of one feed, newest first."""
    return View("feed", query=url, name=title)


def unread_only_query(query: str | Query) -> Query | None:
    """The query narrowed to unread stories; None when it can match nothing (it asks for is:read).

    Raises `QueryError` for a malformed query.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    if parsed.read is True:
        return None
    return dataclasses.replace(parsed, read=False)
