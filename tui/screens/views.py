"""The "Feeds & views" screen: every way of listing stories, saved searches as virtual feeds.

Dismissed with the `ViewChoice` to show, or None.  Counts come from a worker; deleting
a saved search asks first.  Under the views, the feeds with their health (`FeedTable`):
enter shows a feed's stories, r refreshes it (the main screen's refresh does the
fetching, see `FeedRefresher`), d removes it after asking.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import ClassVar, Protocol

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, OptionList, Static
from textual.worker import get_current_worker

from store import QueryError, SavedSearch, Store, StoreError
from store.feeds import Feed, FeedList
from tui.dialogs.confirm import ConfirmDialog
from tui.named_work import named_work
from tui.refresh import NO_FEEDS, plural
from tui.views import feed_view, unread_only_query
from tui.widgets.key_bar import KeyBar
from tui.widgets.feed_table import FeedTable, feed_title
from tui.widgets.view_list import ViewChoice, ViewCounts, ViewList, saved_choice


class FeedRefresher(Protocol):
    """What refreshes feeds (the main screen): the feeds screen asks it to refresh one."""

    @property
    def refreshing(self) -> bool: ...

    def refresh_feeds(self, urls: list[str] | None = None, *, quiet: bool = False) -> bool: ...


def feed_choice(feed: Feed) -> ViewChoice:
    return ViewChoice(f"feed:{feed.url}", feed_title(feed), feed_view(feed.url, feed_title(feed)))


class ViewsScreen(Screen[ViewChoice | None], inherit_bindings=False):
    """Views, then saved searches with their unread counts; enter shows one, d deletes a saved search."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,F,h,q", "close", "Back", tooltip="Back to the stories", id="views.close"),
        Binding("d,delete", "delete_search", "Delete", tooltip="Delete the saved search", id="views.delete_search"),
        Binding("tab", "app.focus_next", "Next", show=False, tooltip="Go to the next section", id="views.next_section"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous",
            show=False,
            tooltip="Go to the previous section",
            id="views.previous_section",
        ),
    ]

    AUTO_FOCUS = "ViewList"

    class SavedLoaded(Message):
        def __init__(self, saved: list[SavedSearch]) -> None:
            super().__init__()
            self.saved = saved

    class CountsLoaded(Message):
        def __init__(self, counts: dict[str, ViewCounts]) -> None:
            super().__init__()
            self.counts = counts

    class StoreFailed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    class FeedsLoaded(Message):
        def __init__(self, feeds: list[Feed], counts: dict[str, tuple[int, int]]) -> None:
            super().__init__()
            self.feeds = feeds
            self.counts = counts

    class FeedRemoved(Message):
        def __init__(self, name: str, removed: int, error: str = "") -> None:
            super().__init__()
            self.name = name
            self.removed = removed
            self.error = error

    class SearchDeleted(Message):
        def __init__(self, name: str, deleted: bool, error: str = "") -> None:
            super().__init__()
            self.name = name
            self.deleted = deleted
            self.error = error

    def __init__(
        self,
        store: Store,
        current: str,
        *,
        feeds: FeedList | None = None,
        refresher: FeedRefresher | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(id="views")
        self._store = store
        self._current = current
        self._feeds = feeds
        self._refresher = refresher
        self._clock = clock or (lambda: datetime.now().astimezone())

    def compose(self) -> ComposeResult:
        with Vertical(id="views-body"):
            yield ViewList(self._current, id="view-list")
            yield from self.compose_feeds()
        yield KeyBar()

    def compose_feeds(self) -> ComposeResult:
        """The feeds section, under the views: each feed with its health, or how to add one."""
        with Vertical(id="feeds-section", classes="-empty") as section:
            section.border_title = "Feeds"
            yield FeedTable(self._clock, self._current.removeprefix("feed:"), id="feed-table")
            yield Static(id="feed-detail")
            yield Static(Content("Loading…"), id="feeds-message")

    def on_mount(self) -> None:
        self.view_list.border_title = "Views & saved searches"
        self.view_list.border_subtitle = "enter open · d delete · tab feeds · escape back"
        self.view_list.set_saved([])
        self._load_views()
        self._load_feeds()

    @property
    def feed_table(self) -> FeedTable:
        return self.query_one(FeedTable)

    def feeds_refreshed(self) -> None:
        """A refresh ended: read the feeds' health again."""
        self.feed_table.refreshed()
        self._load_feeds()
        self._load_views()

    @property
    def view_list(self) -> ViewList:
        return self.query_one(ViewList)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete_search":
            choice = self.view_list.highlighted_choice
            return choice is not None and choice.view.kind == "saved"
        return True

    # ------------------------------------------------------------ actions

    def action_close(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#view-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        choice = self.view_list.choices.get(event.option.id or "")
        if choice is not None:
            self.dismiss(choice)

    @on(OptionList.OptionHighlighted, "#view-list")
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def action_delete_search(self) -> None:
        choice = self.view_list.highlighted_choice
        if choice is None or choice.view.kind != "saved":
            return
        name = choice.view.name

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._delete_search(name)

        self.app.push_screen(
            ConfirmDialog(
                "Delete saved search", f"Delete the saved search “{name}”? Stories are kept.", confirm="Delete"
            ),
            answered,
        )

    # ------------------------------------------------------------ results of the workers

    # ------------------------------------------------------------ feeds

    @on(FeedTable.Chosen)
    def _feed_chosen(self, message: FeedTable.Chosen) -> None:
        feed = next((feed for feed in self.feed_table.feeds if feed.url == message.url), None)
        if feed is not None:
            self.dismiss(feed_choice(feed))

    @on(FeedTable.RefreshWanted)
    def _refresh_wanted(self, message: FeedTable.RefreshWanted) -> None:
        if self._refresher is None:
            return
        if self._refresher.refresh_feeds([message.url]):
            self.feed_table.mark_refreshing(message.url)

    @on(FeedTable.RemoveWanted)
    def _remove_wanted(self, message: FeedTable.RemoveWanted) -> None:
        feed = next((feed for feed in self.feed_table.feeds if feed.url == message.url), None)
        if feed is None:
            return
        if self._refresher is not None and self._refresher.refreshing:
            self.notify("The feeds are being refreshed: remove the feed once that is done.", markup=False)
            return
        name = feed_title(feed)
        stories = self.feed_table.counts.get(feed.url, (0, 0))[0]

        def answered(confirmed: bool | None) -> None:
            if confirmed:
                self._remove_feed(feed.url, name)

        self.app.push_screen(
            ConfirmDialog(
                "Remove feed",
                f"Stop following “{name}” and delete its {plural(stories, 'story', 'stories')}? "
                "Bookmarked stories are kept.",
                confirm="Remove",
            ),
            answered,
        )

    @on(DataTable.RowHighlighted, "#feed-table")
    def _feed_highlighted(self) -> None:
        self._show_feed_detail()

    def _show_feed_detail(self) -> None:
        """Under the table, the highlighted feed's address and its whole error (the column cuts it)."""
        feed = self.feed_table.highlighted_feed
        detail = self.query_one("#feed-detail", Static)
        if feed is None:
            detail.update(Content(""))
            return
        error = feed.last_error or ("The server says the feed is gone." if feed.gone else "")
        detail.update(Content(f"{feed.url}\n{error}" if error else feed.url))

    @on(FeedsLoaded)
    def _feeds_loaded(self, message: FeedsLoaded) -> None:
        self.feed_table.set_feeds(message.feeds, message.counts)
        self._show_feed_detail()
        section = self.query_one("#feeds-section")
        section.set_class(not message.feeds, "-empty")
        section.border_subtitle = "enter show · r refresh · d remove" if message.feeds else ""
        self.query_one("#feeds-message", Static).update(Content(NO_FEEDS if not message.feeds else ""))

    @on(FeedRemoved)
    def _feed_removed(self, message: FeedRemoved) -> None:
        if message.error:
            self.notify(message.error, title="Feeds", severity="error", markup=False)
        else:
            kept = "; bookmarked stories are kept" if message.removed else ""
            self.notify(
                f"Removed “{message.name}” and {plural(message.removed, 'story', 'stories')}{kept}.",
                title="Feeds",
                markup=False,
            )
        self._load_feeds()
        self._load_views()

    # ------------------------------------------------------------ saved searches

    @on(SavedLoaded)
    def _saved_loaded(self, message: SavedLoaded) -> None:
        self.view_list.set_saved(message.saved)
        self.refresh_bindings()

    @on(CountsLoaded)
    def _counts_loaded(self, message: CountsLoaded) -> None:
        self.view_list.set_counts(message.counts)

    @on(StoreFailed)
    def _store_failed(self, message: StoreFailed) -> None:
        self.notify(message.error, title="Store", severity="error", markup=False)

    @on(SearchDeleted)
    def _search_deleted(self, message: SearchDeleted) -> None:
        if message.error:
            self.notify(message.error, title="Saved searches", severity="error", markup=False)
        elif message.deleted:
            self.notify(f"Deleted the saved search “{message.name}”.", title="Saved searches", markup=False)
        self._load_views()

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("load views", thread=True, group="views-load", exclusive=True)
    def _load_views(self) -> None:
        worker = get_current_worker()
        try:
            saved = self._store.saved_searches()
            self.post_message(self.SavedLoaded(saved))
            unread = self._store.count(unread_only=True)
            self.post_message(
                self.CountsLoaded(
                    {
                        "all": ViewCounts(self._store.count(), unread),
                        "unread": ViewCounts(unread, unread),
                        "bookmarks": ViewCounts(
                            self._store.count(bookmarked_only=True),
                            self._store.count(unread_only=True, bookmarked_only=True),
                        ),
                    }
                )
            )
            for search in saved:
                if worker.is_cancelled:
                    return
                self.post_message(self.CountsLoaded({saved_choice(search).key: self._count_saved(search)}))
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error)))

    def _count_saved(self, search: SavedSearch) -> ViewCounts:
        try:
            stories = self._store.count_matches(search.query)
            unread_query = unread_only_query(search.query)
            unread = self._store.count_matches(unread_query) if unread_query is not None else 0
        except QueryError:
            return ViewCounts(0, 0)
        return ViewCounts(stories, unread)

    @named_work("load feeds", thread=True, group="feeds-load", exclusive=True)
    def _load_feeds(self) -> None:
        if self._feeds is None:
            self.post_message(self.FeedsLoaded([], {}))
            return
        try:
            feeds = self._feeds.all()
            counts = self._store.feed_counts()
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.FeedsLoaded(feeds, counts))

    @named_work("remove feed", thread=True, group="views-write")
    def _remove_feed(self, url: str, name: str) -> None:
        assert self._feeds is not None
        try:
            # Stories first, bookmarked ones kept; then the subscription.
            removed = self._store.remove_feed_stories(url)
            self._feeds.remove(url)
        except StoreError as error:
            self.post_message(self.FeedRemoved(name, 0, str(error)))
            return
        self.post_message(self.FeedRemoved(name, removed))

    @named_work("delete saved search", thread=True, group="views-write")
    def _delete_search(self, name: str) -> None:
        try:
            deleted = self._store.delete_search(name)
        except StoreError as error:
            self.post_message(self.SearchDeleted(name, False, str(error)))
            return
        self.post_message(self.SearchDeleted(name, deleted))
