"""Refreshing the feeds from the main screen.

Feeds are refreshed (r, and every few minutes) by an async worker running
`store.fetch.fetch_all` on the app's event loop: downloads wait on the network,
parsing runs in other processes, stories are written by the fetcher's own thread,
so the keys stay responsive; progress goes to the status bar and the new stories
reach the list by the change log like any other change.

`FeedRefreshMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

import asyncio
import importlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.timer import Timer

from store import StoreError
from tui.named_work import named_work
from tui.refresh import NO_FEEDS, plural, progress_line, start_process_tracker, summary_message
from tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from store.fetch import FetchProgress, FetchSummary
    from tui.config import Retention
    from tui.screens.main import MainScreen


# ------------------------------------------------------------------ messages


class FetchProgressed(Message):
    """A feed of the refresh is done, or a batch of its stories written."""

    def __init__(self, progress: FetchProgress) -> None:
        super().__init__()
        self.progress = progress


class FetchDone(Message):
    """A refresh ended: what it did and the stories it changed; no summary when it could not run
    (`error` says why in one sentence, NO_FEEDS when nothing is followed)."""

    def __init__(
        self,
        summary: FetchSummary | None,
        changed: list[str],
        titles: dict[str, str],
        *,
        quiet: bool,
        error: str = "",
    ) -> None:
        super().__init__()
        self.summary = summary
        self.changed = changed
        self.titles = titles
        self.quiet = quiet
        self.error = error


class LastRefreshRead(Message):
    """When a feed was last fetched with success (None: never), read at start."""

    def __init__(self, when: datetime | None) -> None:
        super().__init__()
        self.when = when


# ------------------------------------------------------------------ the screen's part


class FeedRefreshMixin:
    """Refreshing the feeds for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fetching = False
        self._auto_refresh_started = False
        self._refresh_timer: Timer | None = None
        self._written_during_fetch: set[str] = set()
        """Stories the reader changed while a refresh ran: not news for the saved searches."""
        self._last_refresh: datetime | None = None

    # ------------------------------------------------------------ refreshing feeds

    @property
    def refreshing(self: MainScreen) -> bool:
        """True while a refresh of the feeds runs."""
        return self._fetching

    def action_refresh_feeds(self: MainScreen) -> None:
        self.refresh_feeds()

    def refresh_feeds(self: MainScreen, urls: list[str] | None = None, *, quiet: bool = False) -> bool:
        """Fetch every feed (or those in `urls`) in the background; False when a refresh already runs.

        `quiet` (the automatic refresh): no word when there are no feeds, and a summary only
        when there are new stories.
        """
        if self._fetching:
            if not quiet:
                self.notify("The feeds are being refreshed already.", timeout=3)
            return False
        self._fetching = True
        self._written_during_fetch.clear()
        self._fetch_feeds(urls, quiet)
        return True

    def _start_auto_refresh(self: MainScreen) -> None:
        """Once the stored stories show: refresh now, then every few minutes (when configured)."""
        if self._auto_refresh_started or self._refresh_minutes <= 0:
            return
        self._auto_refresh_started = True
        self.refresh_feeds(quiet=True)
        self._refresh_timer = self.set_interval(self._refresh_minutes * 60, self._refresh_by_timer)

    def _refresh_by_timer(self: MainScreen) -> None:
        self.refresh_feeds(quiet=True)

    @named_work("read last refresh", thread=True, group="last-refresh")
    def _read_last_refresh(self: MainScreen) -> None:
        try:
            times = [feed.last_success for feed in self._feeds.all() if feed.last_success is not None]
        except StoreError:
            return  # the status line says "not refreshed yet"; the feed list's damage is noticed elsewhere
        self.post_message(LastRefreshRead(max(times) if times else None))

    def on_last_refresh_read(self: MainScreen, message: LastRefreshRead) -> None:
        if self._last_refresh is None and message.when is not None:
            self._last_refresh = message.when
        if not self._fetching:
            self.query_one(StatusBar).activity = self._refreshed_line()

    def _refreshed_line(self: MainScreen) -> str:
        """ "Refreshed 14:05" (today), "Refreshed 3 Nov" (before), or "Not refreshed yet"."""
        when = self._last_refresh
        if when is None:
            return "Not refreshed yet"
        now = self._clock()
        local = when.astimezone(now.tzinfo)
        if local.date() == now.date():
            return f"Refreshed {local:%H:%M}"
        return f"Refreshed {local.day} {local:%b}"

    def on_fetch_progressed(self: MainScreen, message: FetchProgressed) -> None:
        self.query_one(StatusBar).activity = progress_line(message.progress)

    def on_fetch_done(self: MainScreen, message: FetchDone) -> None:
        self._fetching = False
        status = self.query_one(StatusBar)
        summary = message.summary
        if summary is None:
            status.activity = self._refreshed_line()
            if message.error == NO_FEEDS:
                if not message.quiet:
                    self.notify(NO_FEEDS, title="Refresh", markup=False)
            else:
                self.notify(message.error, title="Refresh failed", severity="error", timeout=10, markup=False)
        else:
            failed = f" · {plural(len(summary.errors), 'feed')} failed" if summary.errors else ""
            self._last_refresh = self._clock()
            status.activity = f"{self._refreshed_line()}{failed}"
            text, severity = summary_message(summary, message.titles)
            if not message.quiet or summary.new_stories:
                timeout = 10 if severity != "information" else 5
                self.notify(text, title="Refresh", severity=severity, timeout=timeout, markup=False)
            self._poll_store()  # the new stories now, not at the next tick
            self.start_group_sync()  # then into their groups (off the event loop)
            news = [story_id for story_id in message.changed if story_id not in self._written_during_fetch]
            self.app.announce_new_stories(news)  # type: ignore[attr-defined]
        self._written_during_fetch.clear()
        self._show_new_notices()
        from tui.screens.views import ViewsScreen

        for screen in self.app.screen_stack:  # the feeds screen, maybe under a dialog
            if isinstance(screen, ViewsScreen):
                screen.feeds_refreshed()

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("refresh feeds", group="fetch", exclusive=True)
    async def _fetch_feeds(self: MainScreen, urls: list[str] | None, quiet: bool) -> None:
        """Fetch on the app's event loop: it waits on the network; parsing and writing run elsewhere."""
        describe = str
        try:
            # Loaded on the first refresh, off the event loop: httpx and the parsers take a while to import.
            fetch = await asyncio.to_thread(importlib.import_module, "store.fetch")
            describe = fetch.describe_failure
            followed = await asyncio.to_thread(self._feeds.all)
            if not followed:
                self.post_message(FetchDone(None, [], {}, quiet=quiet, error=NO_FEEDS))
                return
            titles = {feed.url: feed.title for feed in followed}
            asked = [feed for feed in followed if not feed.gone and (urls is None or feed.url in urls)]
            self.post_message(FetchProgressed(fetch.FetchProgress(0, len(asked), 0)))
            before = await asyncio.to_thread(lambda: self._store.changes_since(None).token)
            retention = self._retention()
            settings = self._fetch_settings or fetch.FetchSettings(keep_days=retention.keep_days)
            if settings.parse_workers > 0:
                start_process_tracker()  # parsing runs in spawned processes: see its docstring
            summary = await fetch.fetch_all(
                self._store,
                self._feeds,
                urls=urls,
                progress=lambda progress: self.post_message(FetchProgressed(progress)),
                settings=settings,
            )
            if retention.keep_days or retention.max_per_feed:  # pruning, off the event loop, atomic like any write
                await asyncio.to_thread(
                    self._store.prune, keep_days=retention.keep_days, max_per_feed=retention.max_per_feed
                )
            changed = await asyncio.to_thread(self._changed_since, before)
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            self.post_message(FetchDone(None, [], {}, quiet=quiet, error=f"Could not refresh: {describe(error)}"))
            return
        self.post_message(FetchDone(summary, changed, titles, quiet=quiet))

    def _retention(self: MainScreen) -> Retention:
        """The config's retention (keep_days, max_per_feed; 0 keeps everything)."""
        from tui.config import Retention

        retention = getattr(getattr(self.app, "config", None), "retention", None)
        return retention if isinstance(retention, Retention) else Retention()

    def _changed_since(self: MainScreen, token: int) -> list[str]:
        """The stories changed since `token` (the ones a refresh brought or updated).  In a worker."""
        self._store.refresh()
        return self._store.changes_since(token).story_ids or []
