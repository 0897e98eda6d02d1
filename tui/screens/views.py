"""The "Feeds & views" screen: every way of listing stories, saved searches as virtual feeds.

Dismissed with the `ViewChoice` to show, or None.  Counts come from a worker; deleting
a saved search asks first.  The feeds section (`compose_feeds`) is where the list of
feeds and their health goes.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import get_current_worker

from store import QueryError, SavedSearch, Store, StoreError
from tui.dialogs.confirm import ConfirmDialog
from tui.views import unread_only_query
from tui.widgets.view_list import ViewChoice, ViewCounts, ViewList, saved_choice


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

    class SearchDeleted(Message):
        def __init__(self, name: str, deleted: bool, error: str = "") -> None:
            super().__init__()
            self.name = name
            self.deleted = deleted
            self.error = error

    def __init__(self, store: Store, current: str) -> None:
        super().__init__(id="views")
        self._store = store
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="views-body"):
            yield ViewList(self._current, id="view-list")
            yield from self.compose_feeds()
        yield Footer()

    def compose_feeds(self) -> ComposeResult:
        """The feeds section, under the views.

        Empty for now.  The feeds go here: a FeedTable (widgets/feed_table.py) listing each
        feed with its health, fed by its own worker like `_load_views`, with its keys on
        the table so the help screen lists them under their own pane.
        """
        yield from ()

    def on_mount(self) -> None:
        self.view_list.border_title = "Feeds & views"
        self.view_list.border_subtitle = "enter open · d delete · escape back"
        self.view_list.set_saved([])
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

    @work(thread=True, group="views-load", exclusive=True, name="load views")
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

    @work(thread=True, group="views-write", name="delete saved search")
    def _delete_search(self, name: str) -> None:
        try:
            deleted = self._store.delete_search(name)
        except StoreError as error:
            self.post_message(self.SearchDeleted(name, False, str(error)))
            return
        self.post_message(self.SearchDeleted(name, deleted))
