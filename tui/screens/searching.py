"""Searching on the main screen: the search bar, its results, and saved searches.

`/` opens the search bar over the list; every change of the query runs a search in a
worker (`Store.search`, capped at SEARCH_LIMIT) and the list shows its results with
snippets cut on demand for the rows in sight.  Escape puts back the list exactly as it
was before the search (`ListSnapshot`).  `n` and `N` step through the matches in the
story read.  `S` saves the search with a name; after a refresh the reader is told which
saved searches match the new stories.

`SearchingMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.worker import get_current_worker

from store import QueryError, SavedSearch, StoreError, StorySummary
from tui.matches import query_terms, spans_in
from tui.named_work import named_work
from tui.refresh import plural
from tui.views import ALL_STORIES, SEARCH_LIMIT, View, saved_view, search_view, unread_only_query
from tui.widgets.search_bar import HINT, SearchBar
from tui.widgets.story_list import RowSnippet, StoryList

if TYPE_CHECKING:
    from tui.screens.main import MainScreen, Select


@dataclass(frozen=True, slots=True)
class ListSnapshot:
    """What the list showed before a search, to put back exactly when the search closes."""

    view: View
    unread_only: bool
    rows: list[StorySummary]
    cursor_id: str | None
    scroll_y: float
    unread_count: int
    matched_count: int | None
    token: int | None
    """The change-log token of the rows: closing the search catches up from it."""


# ------------------------------------------------------------------ messages


class SearchFailed(Message):
    """The query cannot run: `error` says why in one plain sentence."""

    def __init__(self, view: View, error: str) -> None:
        super().__init__()
        self.view = view
        self.error = error


class SnippetsCut(Message):
    """Snippets for rows of the search `key`."""

    def __init__(self, key: str, snippets: dict[str, RowSnippet]) -> None:
        super().__init__()
        self.key = key
        self.snippets = snippets


class SavedSearchesLoaded(Message):
    def __init__(self, searches: list[SavedSearch]) -> None:
        super().__init__()
        self.searches = searches


class SearchSaved(Message):
    def __init__(self, search: SavedSearch, replaced: bool) -> None:
        super().__init__()
        self.search = search
        self.replaced = replaced


class SavedSearchNews(Message):
    """New stories that saved searches match: (search name, how many)."""

    def __init__(self, news: list[tuple[str, int]]) -> None:
        super().__init__()
        self.news = news


# ------------------------------------------------------------------ the screen's part


class SearchingMixin:
    """Searching and saved searches for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._before_search: ListSnapshot | None = None
        self._search_error = ""
        self._result_highlights: dict[str, list[str]] = {}
        self._saved_searches: list[SavedSearch] = []

    # ------------------------------------------------------------ search

    def action_search(self: MainScreen) -> None:
        if not self.searching:
            self._before_search = self._snapshot()
            self._remember_cursor()
            self._view = search_view("")
            self._search_error = ""
            self._matched_count = None
            self.add_class("-searching")
            self._update_status()
        self._set_reading(False)
        self.search_bar.open()

    def _snapshot(self: MainScreen) -> ListSnapshot:
        story_list = self.story_list
        highlighted = story_list.highlighted_story
        return ListSnapshot(
            view=self._view,
            unread_only=self._unread_only,
            rows=list(story_list.stories),
            cursor_id=highlighted.id if highlighted is not None else None,
            scroll_y=story_list.scroll_y,
            unread_count=self._unread_count,
            matched_count=self._matched_count,
            token=self._token,
        )

    def action_close_search(self: MainScreen) -> None:
        self._close_search(reload=True)

    def _close_search(self: MainScreen, *, reload: bool) -> None:
        """Close the bar and put back the list, the cursor and the scroll as they were before it opened."""
        snapshot = self._before_search
        if snapshot is None:
            return
        self._before_search = None
        self._search_error = ""
        self.remove_class("-searching")
        self.search_bar.close()
        self._view = snapshot.view
        self._unread_only = snapshot.unread_only
        self._matched_count = snapshot.matched_count
        self.folded_after_search(snapshot.view)
        self._show_rows(snapshot.rows, select=snapshot.cursor_id, snippet_key=None, unread_count=snapshot.unread_count)
        # After the layout has changed back (the list's height may differ while searching).
        self.call_after_refresh(self.story_list.scroll_to, y=snapshot.scroll_y, animate=False, immediate=True)
        self._set_reading(False)
        self.story_list.focus()
        self._update_status()
        self._token = snapshot.token
        if reload:
            # The rows are as they were: catch up with what changed since (not a reload of every row).
            self._poll_store()

    def on_search_bar_query_changed(self: MainScreen, message: SearchBar.QueryChanged) -> None:
        if not self.searching:
            return
        self._view = search_view(message.query.strip())
        self._search_error = ""
        if not self._view.query:
            snapshot = self._before_search
            assert snapshot is not None
            self._matched_count = None
            self._show_rows(
                snapshot.rows, select=snapshot.cursor_id, snippet_key=None, unread_count=snapshot.unread_count
            )
            self.search_bar.show_message(HINT)
        else:
            self.search_bar.show_message("Searching…")
            self._run_search(self._view, self._unread_only, None)
        self._update_status()
        self.refresh_bindings()

    def on_search_bar_submitted(self: MainScreen) -> None:
        if self._view.query and self.story_list.story_count and not self._search_error:
            self.story_list.focus()

    def on_search_failed(self: MainScreen, message: SearchFailed) -> None:
        if message.view != self._view:
            return
        self._search_error = message.error
        self.search_bar.show_message(message.error, error=True)
        self.refresh_bindings()

    def on_story_list_snippets_wanted(self: MainScreen, message: StoryList.SnippetsWanted) -> None:
        wanted = []
        for story_id in message.story_ids:
            story = self.story_list.story(story_id)
            if story is not None:
                wanted.append((story_id, story.title, self._result_highlights.get(story_id, [])))
        if wanted:
            self._cut_snippets(message.key, wanted)

    def on_snippets_cut(self: MainScreen, message: SnippetsCut) -> None:
        self.story_list.set_snippets(message.key, message.snippets)

    def action_next_match(self: MainScreen) -> None:
        self._step_match(1)

    def action_previous_match(self: MainScreen) -> None:
        self._step_match(-1)

    def _step_match(self: MainScreen, step: int) -> None:
        """The next (1) or previous (-1) match in the story read; from the list beside the viewer, the story
        under the cursor opens in the viewer first (the focus stays on the list)."""
        if not self._viewer_focused() and self._cursor_story_not_open():
            highlighted = self.story_list.highlighted_story
            assert highlighted is not None
            self._step_after_open = step
            self._open(highlighted.id)
            return
        if not self.story_view.next_match(step):
            self.notify("No more matches below." if step > 0 else "No more matches above.", timeout=3)

    # ------------------------------------------------------------ saved searches

    def action_save_search(self: MainScreen) -> None:
        view = self._view
        if not view.has_query:
            self.notify("Search first (press /), then save the search.", markup=False)
            return
        suggestion = view.name if view.kind == "saved" else view.query
        from tui.dialogs.input import InputDialog

        dialog = InputDialog(
            "Save search",
            f"A name for the search “{view.query}”:",
            value=suggestion[:60],
            placeholder="e.g. Trams",
            max_length=60,
        )

        def answered(name: str | None) -> None:
            if name:
                self._save_search(name, view.query)

        self.app.push_screen(dialog, answered)

    def on_search_saved(self: MainScreen, message: SearchSaved) -> None:
        verb = "Replaced" if message.replaced else "Saved"
        self.notify(
            f"{verb} the search “{message.search.name}”. F lists it with its unread count.",
            title="Saved searches",
            markup=False,
        )
        self._load_saved_searches()

    def on_saved_searches_loaded(self: MainScreen, message: SavedSearchesLoaded) -> None:
        self._saved_searches = message.searches
        if self._view.kind == "saved":
            by_name = {search.name.lower(): search for search in message.searches}
            kept = by_name.get(self._view.name.lower())
            if kept is None:
                self.notify(f"The saved search “{self._view.name}” is gone: showing all stories.", markup=False)
                self.open_view(ALL_STORIES)
            elif kept.query != self._view.query:
                self.open_view(saved_view(kept.name, kept.query))

    def announce_new_stories(self: MainScreen, story_ids: list[str]) -> None:
        """Tell the reader which saved searches match these new stories (e.g. after a fetch)."""
        if story_ids:
            self._announce_new_stories(list(story_ids))

    def on_saved_search_news(self: MainScreen, message: SavedSearchNews) -> None:
        for name, count in message.news:
            self.notify(f"{name}: {plural(count, 'new story', 'new stories')}", title="Saved search", markup=False)

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("search", thread=True, group="search", exclusive=True)
    def _run_search(self: MainScreen, view: View, unread_only: bool, select: Select) -> None:
        worker = get_current_worker()
        try:
            token = self._store.changes_since(None).token
            query = unread_only_query(view.query) if unread_only else view.query
            hits = self._store.search(query, limit=SEARCH_LIMIT, sort=view.sort) if query is not None else []
            matched = self._store.count_matches(query) if len(hits) >= SEARCH_LIMIT and query else None
        except QueryError as error:
            if not worker.is_cancelled:
                self.post_message(SearchFailed(view, str(error)))
            return
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if worker.is_cancelled:
            return
        summaries = [hit.story.summary() for hit in hits]
        highlights = {hit.story.id: hit.story.highlights for hit in hits if hit.story.highlights}
        self.post_message(
            self.StoriesLoaded(
                view,
                unread_only,
                summaries,
                select=select,
                matched_count=matched,
                highlights=highlights,
                token=token,
            )
        )

    @named_work("cut snippets", thread=True, group="snippets")
    def _cut_snippets(self: MainScreen, query: str, stories: list[tuple[str, str, list[str]]]) -> None:
        worker = get_current_worker()
        terms = query_terms(query)
        cut: dict[str, RowSnippet] = {}
        try:
            for story_id, title, highlights in stories:
                if worker.is_cancelled:
                    return
                snippet = self._store.snippet(story_id, query, highlights or None)
                cut[story_id] = RowSnippet(snippet.text, snippet.spans, spans_in(title, terms))
        except (StoreError, QueryError):
            pass  # a snippet is a courtesy: the rows stay without one
        self.post_message(SnippetsCut(query, cut))

    @named_work("load saved searches", thread=True, group="saved-searches", exclusive=True)
    def _load_saved_searches(self: MainScreen) -> None:
        try:
            searches = self._store.saved_searches()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Saved searches"))
            return
        self.post_message(SavedSearchesLoaded(searches))

    @named_work("save search", thread=True, group="store-write")
    def _save_search(self: MainScreen, name: str, query: str) -> None:
        try:
            replaced = any(search.name.lower() == name.lower() for search in self._store.saved_searches())
            saved = self._store.save_search(name, query)
        except (StoreError, QueryError) as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Search not saved"))
            return
        self.post_message(SearchSaved(saved, replaced))

    @named_work("announce new stories", thread=True, group="announce")
    def _announce_new_stories(self: MainScreen, story_ids: list[str]) -> None:
        news: list[tuple[str, int]] = []
        try:
            for search in self._store.saved_searches():
                try:
                    count = len(self._store.matching_ids(search.query, story_ids))
                except QueryError:
                    continue
                if count:
                    news.append((search.name, count))
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Saved searches"))
            return
        if news:
            self.post_message(SavedSearchNews(news))
