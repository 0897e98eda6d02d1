"""What changes in the store do to the rows a view shows: plain data, no widgets.

The main screen reads the stories changed since its token (`Store.changes_since`) and
asks `plan_patch` what to do with each: repaint its row, add it, or take it out.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from store import StorySummary
from tui.views import View


def fits_view(view: View, unread_only: bool, row: StorySummary, matching: Collection[str] | None) -> bool:
    """Whether the story belongs in the view (`matching`: which changed stories a search matches)."""
    if view.kind in ("search", "saved"):
        return matching is not None and row.id in matching
    if unread_only and row.read:
        return False
    if view.kind == "bookmarks":
        return row.bookmarked
    if view.kind == "feed":
        return row.feed == view.query
    return True


@dataclass(frozen=True, slots=True)
class RowPatch:
    """Rows to repaint, to add (in date order) and to take out; `search_again` when new stories
    match a search whose order the store decides (relevance, or a capped list)."""

    changed: list[StorySummary]
    added: list[StorySummary]
    removed: list[str]
    search_again: bool
    unread_change: int

    @property
    def touched(self) -> set[str]:
        """The stories shown before whose rows change or go."""
        return {row.id for row in self.changed} | set(self.removed)

    @property
    def empty(self) -> bool:
        return not (self.changed or self.added or self.removed)


def plan_patch(
    view: View,
    unread_only: bool,
    rows: list[StorySummary],
    gone: list[str],
    shown: Callable[[str], StorySummary | None],
    *,
    matching: Collection[str] | None = None,
    kept: Collection[str] = (),
    capped: bool = False,
) -> RowPatch:
    """The patch for stories changed in the store: `rows` as they are now, `gone` deleted.

    `shown` gives the row on show for an id; `kept` are stories the reader changed here,
    whose rows stay even when they no longer fit (read in "unread only", until the view
    is read again).  While a search's query is empty the rows before the search show:
    they are only repainted.
    """
    ranked = view.kind == "search"
    typing = ranked and not view.query
    changed: list[StorySummary] = []
    added: list[StorySummary] = []
    removed = [] if typing else [story_id for story_id in gone if shown(story_id) is not None]
    for row in rows:
        before = shown(row.id)
        fits = typing or fits_view(view, unread_only, row, matching)
        if before is None:
            if fits and not typing:
                added.append(row)
        elif fits or row.id in kept:
            if row != before:
                changed.append(row)
        else:
            removed.append(row.id)
    search_again = bool(added) and (ranked or (view.kind == "saved" and capped))
    if search_again:
        added = []  # the search places them
    unread_change = sum(not row.read for row in added)
    for story_id in removed:
        before = shown(story_id)
        unread_change -= before is not None and not before.read
    for row in changed:
        before = shown(row.id)
        unread_change += (not row.read) - (before is not None and not before.read)
    return RowPatch(changed, added, removed, search_again, unread_change)
