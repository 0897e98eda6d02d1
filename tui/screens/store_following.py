"""Following the store's changes on the main screen, and its notices.

The list follows the store through its change log: a load keeps a token
(`Store.changes_since`), and every poll reads only the stories changed since it and
patches their rows in place (`StoryList.patch_stories`), so a change made by another
process costs a few rows, not a reload of every story.  Damage found in the store or
the feed list while the app is open shows as a notice.

`StoreFollowingMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import get_current_worker

from store import QueryError, StoreError, StorySummary
from tui.named_work import named_work
from tui.patch import plan_patch
from tui.views import View, unread_only_query
from tui.widgets.story_list import KEEP

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

STORE_POLL_SECONDS = 2.0
"""How often to look for stories written by other processes."""

NOTICE_SECONDS = 30
"""How long a notice of damage found in the store stays up."""


# ------------------------------------------------------------------ messages


class ChangesFound(Message):
    """Stories changed since the token `since`: their rows now (`rows`), the ids gone from the store,
    and for a search, which of them match it.  `everything`: read the whole view again."""

    def __init__(
        self,
        since: int,
        token: int,
        view: View,
        unread_only: bool,
        rows: list[StorySummary],
        gone: list[str],
        matching: set[str] | None = None,
        *,
        everything: bool = False,
    ) -> None:
        super().__init__()
        self.since = since
        self.token = token
        self.view = view
        self.unread_only = unread_only
        self.rows = rows
        self.gone = gone
        self.matching = matching
        self.everything = everything


class NoticesWaiting(Message):
    """The store has notices not shown yet (damage found while the app is open)."""


# ------------------------------------------------------------------ the screen's part


class StoreFollowingMixin:
    """Following the store's change log and notices for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._notices_shown = [0, 0]
        """How many of the store's notices, and of the feed list's, have been shown."""

    # ------------------------------------------------------------ following the store's changes

    def on_changes_found(self: MainScreen, message: ChangesFound) -> None:
        if message.since != self._token or message.view != self._view or message.unread_only != self._unread_only:
            return  # a load or another view came first: the next poll starts from its token
        self._token = message.token
        if message.everything:
            self._reload(select=KEEP)
            return
        if self.fold_changes(message.rows, message.gone):
            return  # the rows are folded into groups (tui.grouped)
        self._patch_rows(message.rows, message.gone, message.matching)

    def _patch_rows(self: MainScreen, rows: list[StorySummary], gone: list[str], matching: set[str] | None) -> None:
        """Bring the rows of these changed stories up to date, in place; the cursor stays on its story."""
        story_list = self.story_list
        patch = plan_patch(
            self._view,
            self._unread_only,
            [self._with_unsaved_flags(row) for row in rows],
            gone,
            story_list.story,
            matching=matching,
            kept=self._changed_here,
            capped=self._matched_count is not None,
        )
        self._unread_count += patch.unread_change
        touched = patch.touched
        for story_id in touched:
            self._story_cache.discard(story_id)
        if touched:
            self._match_cache.clear()
        if not patch.empty:
            story_list.patch_stories(patch.changed, patch.added, patch.removed, by_date=self._view.kind != "search")
            self._after_rows_changed(touched)
        if patch.search_again:
            self._reload(select=KEEP)

    def _with_unsaved_flags(self: MainScreen, row: StorySummary) -> StorySummary:
        """The row with the flag changes shown here but not yet written (they are newer than the store's)."""
        for flag in ("read", "bookmarked"):
            pending = self._unsaved_flags.get((row.id, flag))  # type: ignore[arg-type]
            if pending is not None and getattr(row, flag) != pending[1]:
                row = dataclasses.replace(row, **{flag: pending[1]})
        return row

    def _after_rows_changed(self: MainScreen, touched: set[str]) -> None:
        """After a patch: the status, and the story under the cursor read again when it changed."""
        highlighted = self.story_list.highlighted_story
        if highlighted is None:
            self._show_rows([], select=None, snippet_key=self.story_list.snippet_key, unread_count=0)
        elif highlighted.id in touched and highlighted.id == self._wanted_id:
            self._request_story(highlighted.id)
        if self._opened_id in touched and self._opened_id != self._wanted_id:
            self._request_story(self._opened_id)
        self._update_status()
        self.refresh_bindings()

    def on_notices_waiting(self: MainScreen) -> None:
        self._show_new_notices()

    def _notice_lists(self: MainScreen) -> list[list[str]]:
        return [self._store.notices, self._feeds.notices]

    def _notices_waiting(self: MainScreen) -> bool:
        return any(len(notices) > shown for notices, shown in zip(self._notice_lists(), self._notices_shown))

    def _show_new_notices(self: MainScreen) -> None:
        """Show the notices not shown yet (damage found at start, or later while the app is open)."""
        for index, notices in enumerate(self._notice_lists()):
            for notice in notices[self._notices_shown[index] :]:
                self.notify(notice, title="Store", severity="warning", timeout=NOTICE_SECONDS, markup=False)
            self._notices_shown[index] = len(notices)

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("look for changes", thread=True, group="store-poll", exclusive=True)
    def _poll_store(self: MainScreen) -> None:
        """Read what changed since the rows were read: only those stories, never the whole view."""
        since, view, unread_only = self._token, self._view, self._unread_only
        try:
            self._store.refresh()
            found = self._changes_since(since, view, unread_only) if since is not None else None
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            found = None
        if self._notices_waiting():
            self.post_message(NoticesWaiting())
        if found is not None and not get_current_worker().is_cancelled:
            self.post_message(found)

    def _changes_since(self: MainScreen, since: int, view: View, unread_only: bool) -> ChangesFound | None:
        """The changes since `since` as a message for the view (None: nothing changed).  In a worker."""
        changes = self._store.changes_since(since)
        if changes.story_ids is None:
            return ChangesFound(since, changes.token, view, unread_only, [], [], everything=True)
        if not changes.story_ids:
            return None
        rows = self._store.summaries_for(changes.story_ids)
        present = [row.id for row in rows]
        gone = sorted(set(changes.story_ids) - set(present))
        matching: set[str] | None = None
        if view.kind in ("search", "saved") and view.query.strip():
            try:
                query = unread_only_query(view.query) if unread_only else view.query
                matching = set(self._store.matching_ids(query, present)) if query is not None else set()
            except QueryError:
                matching = set()
        return ChangesFound(since, changes.token, view, unread_only, rows, gone, matching)
