"""Which view the main screen's list shows, and reading a view's rows from the store.

A view (tui.views) is all stories, bookmarks, a search, a saved search or one feed,
optionally narrowed to unread stories.  `B` goes to the bookmarks and back, `U` shows
unread stories only, `F` opens the views screen; the cursor goes back where it was in a
view left.  A view's rows are read by a worker, the newest first at start.

`ViewSwitchingMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.worker import get_current_worker

from store import QueryError, StoreError, sample_stories
from tui.named_work import named_work
from tui.views import ALL_STORIES, BOOKMARKS, SEARCH_LIMIT, View, unread_only_query
from tui.widgets.story_list import KEEP

if TYPE_CHECKING:
    from tui.screens.main import MainScreen, Select
    from tui.widgets.view_list import ViewChoice

FIRST_ROWS = 200
"""At start, the newest this many rows show first (read in a few milliseconds); the rest follow."""


class ViewSwitchingMixin:
    """Switching views and reading their rows for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cursors: dict[View, str] = {}
        """The story the cursor was on in each view left, to put it back on return."""
        self._before_bookmarks: View | None = None

    # ------------------------------------------------------------ views

    def open_view(self: MainScreen, view: View, *, unread_only: bool | None = None) -> None:
        """Show another view (closing a search first); the cursor goes back where it was in that view."""
        if self.searching:
            self._close_search(reload=False)
        if view == self._view and (unread_only is None or unread_only == self._unread_only):
            self._set_reading(False)
            self.story_list.focus()
            return
        if view != BOOKMARKS:
            self._before_bookmarks = None
        self._remember_cursor()
        self._view = view
        if unread_only is not None:
            self._unread_only = unread_only
        self._matched_count = None
        self._set_reading(False)
        self.story_list.focus()
        self._update_status()
        self._reload(select=self._cursors.get(view))

    def _remember_cursor(self: MainScreen) -> None:
        highlighted = self.story_list.highlighted_story
        if highlighted is not None and self._view.kind != "search":
            self._cursors[self._view] = highlighted.id

    def action_bookmarks(self: MainScreen) -> None:
        if self._before_search is not None:
            from_bookmarks = self._before_search.view == BOOKMARKS
            self._close_search(reload=from_bookmarks)
            if from_bookmarks:
                return  # the search was over the bookmarks: closing it is enough
        elif self._view == BOOKMARKS:
            self.open_view(self._before_bookmarks or ALL_STORIES)
            return
        came_from = self._view
        self.open_view(BOOKMARKS)
        self._before_bookmarks = came_from

    def action_unread_only(self: MainScreen) -> None:
        self._unread_only = not self._unread_only
        self._update_status()
        shown = "unread stories only" if self._unread_only else "read and unread stories"
        self.notify(f"Showing {shown}.", timeout=2)
        self._reload(select=KEEP)

    def action_views(self: MainScreen) -> None:
        if self._view.kind == "saved":
            current = f"saved:{self._view.name.lower()}"
        elif self._view == BOOKMARKS:
            current = "bookmarks"
        elif self._view == ALL_STORIES:
            current = "unread" if self._unread_only else "all"
        elif self._view.kind == "feed":
            current = f"feed:{self._view.query}"
        else:
            current = ""
        from tui.screens.views import ViewsScreen

        views = ViewsScreen(self._store, current, feeds=self._feeds, refresher=self, clock=self._clock)
        self.app.push_screen(views, self._view_chosen)

    def _view_chosen(self: MainScreen, choice: ViewChoice | None) -> None:
        self._load_saved_searches()
        if choice is not None:
            self.open_view(choice.view, unread_only=choice.unread_only)
        self._poll_store()  # a feed removed there: its stories go now, not in two seconds

    def _reload(self: MainScreen, *, select: Select = KEEP, seed_samples: bool = False) -> None:
        """Read the current view again from the store, in a worker."""
        view = self._view
        if view.kind == "search":
            if view.query.strip():
                self._run_search(view, self._unread_only, select)
            return
        self._read_view(view, self._unread_only, select, seed_samples, first_rows=seed_samples)

    def _load_stories(self: MainScreen, *, seed_samples: bool = False) -> None:
        """Read the current view again, the cursor staying on its story."""
        self._reload(select=KEEP, seed_samples=seed_samples)

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("load stories", thread=True, group="store-load", exclusive=True)
    def _read_view(
        self, view: View, unread_only: bool, select: Select, seed_samples: bool, *, first_rows: bool = False
    ) -> None:
        """Read the view's rows and post them.  With `first_rows` (at start) the newest rows of all
        stories go first, at once, and the whole view follows, the cursor staying where it is."""
        try:
            if seed_samples and self._store.is_empty():
                self._store.put_stories(sample_stories())
            self._store.refresh()
            token = self._store.changes_since(None).token  # before the rows: a change meanwhile comes again
            if first_rows and view == ALL_STORIES and not isinstance(select, str):
                if self._post_first_rows(view, unread_only, select, token):
                    select = KEEP  # the rest: where the reader has put the cursor meanwhile
            if view.kind == "saved":
                query = unread_only_query(view.query) if unread_only else view.query
                hits = self._store.search(query, limit=SEARCH_LIMIT, sort="date") if query is not None else []
                summaries = [hit.story.summary() for hit in hits]
                matched = self._store.count_matches(query) if len(hits) >= SEARCH_LIMIT and query else None
            elif view.kind == "feed":
                summaries = [
                    summary
                    for summary in self._store.summaries(unread_only=unread_only)
                    if summary.feed == view.query
                ]
                matched = None
            else:
                summaries = self._store.summaries(unread_only=unread_only, bookmarked_only=view == BOOKMARKS)
                matched = None
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        folded = self.fold_rows(view, summaries)
        if folded is not None:
            summaries = folded.rows
            if isinstance(select, str):
                select = folded.row_of.get(select, select)
        if not get_current_worker().is_cancelled:
            self.post_message(
                self.StoriesLoaded(
                    view, unread_only, summaries, select=select, matched_count=matched, token=token, folded=folded
                )
            )

    def _post_first_rows(self: MainScreen, view: View, unread_only: bool, select: Select, token: int) -> bool:
        """Post the newest rows of the view (folded as the whole view will fold them).  In a worker.
        False when the view is small enough to read whole at once."""
        first = self._store.summaries(unread_only=unread_only, limit=FIRST_ROWS)
        if len(first) < FIRST_ROWS:
            return False
        folded = self.fold_first_rows(view, unread_only, first)
        rows = folded.rows if folded is not None else first
        if get_current_worker().is_cancelled:
            return False
        # The counts come with the whole view (the status bar says "loading…" till then).
        self.post_message(
            self.StoriesLoaded(view, unread_only, rows, select=select, token=token, folded=folded, first_rows=True)
        )
        return True
