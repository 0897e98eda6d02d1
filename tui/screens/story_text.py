"""The story's text on the main screen: full text, generated highlights, links and saved pages.

Full text (tui.full_text): opening a story whose feed gave only a summary fetches its
page in a named async worker (`store.articles.fetch_full_text`), which stores the
extracted text, so the next open is instant and offline; `v` switches between the
feed text and the full text, `f` fetches again.  A story with no highlights of its
own gets generated ones (`store.articles.ensure_highlights`, in a thread worker).

Links (tui.links): `o` opens the story's link (a browser on a desktop, the clipboard
over SSH), `y` copies it, and a click on a link in the viewer takes the same road.
`a` saves any web page as a bookmarked story (`store.articles.save_url`).

`StoryTextMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import os
import time
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.widgets import Markdown
from textual.worker import get_current_worker

from store import StoreError, Story
from tui.full_text import fetch_on_open
from tui.links import Launcher, copy_url, launch_detached, open_url
from tui.named_work import named_work
from tui.widgets.story_view import StoryView

if TYPE_CHECKING:
    from store.articles import FullTextOutcome
    from tui.screens.main import MainScreen

HIGHLIGHTS_DELAY = 0.2
"""Seconds the cursor rests on a story without highlights before they are generated (and stored)."""


# ------------------------------------------------------------------ messages


class FullTextFetching(Message):
    """A story's page is being fetched for its full text."""

    def __init__(self, story_id: str) -> None:
        super().__init__()
        self.story_id = story_id


class FullTextFetched(Message):
    """A fetch of a story's full text ended: `outcome` says how (None: it was stopped)."""

    def __init__(self, story_id: str, outcome: FullTextOutcome | None, *, asked: bool) -> None:
        super().__init__()
        self.story_id = story_id
        self.outcome = outcome
        self.asked = asked
        """The reader asked for it (f), rather than opening a story."""


class HighlightsGenerated(Message):
    """Highlights generated for (or already in) a story, and stored."""

    def __init__(self, story_id: str, highlights: list[str]) -> None:
        super().__init__()
        self.story_id = story_id
        self.highlights = highlights


class PageSaved(Message):
    """A web page saved as a bookmarked story."""

    def __init__(self, story: Story) -> None:
        super().__init__()
        self.story = story


class PageNotSaved(Message):
    def __init__(self, url: str, error: str) -> None:
        super().__init__()
        self.url = url
        self.error = error


# ------------------------------------------------------------------ the screen's part


class StoryTextMixin:
    """Full text, generated highlights, links and saved pages for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fetch_on_open = fetch_on_open(os.environ)
        self._text_fetching: str | None = None
        """The story whose page is being fetched for its full text."""
        self._text_failures: dict[str, str] = {}
        """Why a story's full text could not be fetched, in one sentence (this session)."""
        self._feed_text_ids: set[str] = set()
        """Stories the reader switched to their feed text (v)."""
        self._highlights_asked: set[str] = set()
        """Stories whose highlights were generated (or tried) this session."""
        self.launcher: Launcher = launch_detached
        """Starts the browser from its argv (tests put a recorder here)."""

    # ------------------------------------------------------------ full text, highlights and links

    @property
    def opener(self: MainScreen) -> list[str] | None:
        """The reader's opener command (argv) from the config (or BROADSHEET_OPENER); None: the system's browser."""
        config = getattr(self.app, "config", None)
        opener = list(getattr(config, "opener", ()) or ())
        return opener or None

    @property
    def full_text_fetching(self: MainScreen) -> str | None:
        """The story whose page is being fetched for its full text, if any."""
        return self._text_fetching

    def _target_story(self: MainScreen) -> Story | None:
        """The story o, y, v and f act on: the one being read in the viewer, else the one under the cursor
        (None before it is read from the store)."""
        if self._viewer_focused():
            return self.story_view.story
        story = self.highlights.story
        highlighted = self.story_list.highlighted_story
        if story is None or highlighted is None or story.id != highlighted.id:
            return None
        return story

    def action_toggle_text(self: MainScreen) -> None:
        story = self._target_story()
        if story is None or not story.full_text:
            self.notify("This story has no full text yet: f fetches it from its page.", timeout=3, markup=False)
            return
        if story.id in self._feed_text_ids:
            self._feed_text_ids.discard(story.id)
        else:
            self._feed_text_ids.add(story.id)
        if story.id != self._opened_id:
            which = "feed's text" if story.id in self._feed_text_ids else "full text"
            self.notify(f"The story opens with its {which}.", timeout=3)
        self._show_story(story)

    def action_fetch_text(self: MainScreen) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link to fetch its full text from.", timeout=3, markup=False)
            return
        if self._text_fetching == story.id:
            self.notify("The full text is being fetched already.", timeout=3)
            return
        self._fetch_full_text(story.id, force=True)

    def action_open_link(self: MainScreen) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link.", timeout=3)
            return
        self.open_link(story.url)

    def action_copy_link(self: MainScreen) -> None:
        story = self._target_story()
        if story is None or not story.url:
            self.notify("This story has no link.", timeout=3)
            return
        outcome = copy_url(story.url, copy=self.app.copy_to_clipboard)
        severity = "warning" if outcome.result == "refused" else "information"
        self.notify(outcome.message, title="Link", severity=severity, timeout=5, markup=False)

    def open_link(self: MainScreen, url: str) -> None:
        """Open `url` as the reader's setup allows: a browser on a desktop, the clipboard over SSH.
        Every link goes this way: `o`, clicks in the viewer, and whatever Textual would open."""
        outcome = open_url(
            url, environ=os.environ, opener=self.opener, launcher=self.launcher, copy=self.app.copy_to_clipboard
        )
        severity = "warning" if outcome.result == "refused" else "information"
        self.notify(outcome.message, title="Link", severity=severity, timeout=6, markup=False)

    def on_markdown_link_clicked(self: MainScreen, message: Markdown.LinkClicked) -> None:
        message.stop()
        self.open_link(message.href)

    def on_story_view_link_clicked(self: MainScreen, message: StoryView.LinkClicked) -> None:
        self.open_link(message.url)

    def action_save_page(self: MainScreen) -> None:
        from tui.dialogs.input import InputDialog  # the dialogs and the views screen load when first wanted

        dialog = InputDialog(
            "Save a page",
            "The address of a web page to keep as a bookmarked story:",
            placeholder="https://…",
            max_length=4096,
        )

        def answered(url: str | None) -> None:
            if url:
                self.notify(f"Saving {url}…", title="Save page", timeout=3, markup=False)
                self._save_page(url)

        self.app.push_screen(dialog, answered)

    def on_page_saved(self: MainScreen, message: PageSaved) -> None:
        title = message.story.title or message.story.url
        self.notify(f"Saved “{title}” to your bookmarks (B shows them).", title="Save page", markup=False)
        self._story_cache.discard(message.story.id)
        self._poll_store()

    def on_page_not_saved(self: MainScreen, message: PageNotSaved) -> None:
        self.notify(
            f"Could not save the page: {message.error}", title="Save page", severity="error", timeout=10, markup=False
        )

    def on_full_text_fetching(self: MainScreen, message: FullTextFetching) -> None:
        self._text_fetching = message.story_id
        self._text_failures.pop(message.story_id, None)
        self._show_again(message.story_id)

    def on_full_text_fetched(self: MainScreen, message: FullTextFetched) -> None:
        if self._text_fetching == message.story_id:
            self._text_fetching = None
        outcome = message.outcome
        if outcome is not None and outcome.ok:
            self._text_failures.pop(message.story_id, None)
            self._feed_text_ids.discard(message.story_id)
            self._story_cache.discard(message.story_id)
            self._match_cache.clear()
            if message.asked:
                self.notify("Fetched the full text again.", title="Full text", timeout=3)
            self._story_changed(message.story_id)
            return
        if outcome is not None:
            self._text_failures[message.story_id] = outcome.reason
        self._show_again(message.story_id)

    def _show_again(self: MainScreen, story_id: str) -> None:
        """Show the story again (its text or the line about it changed) when it is the one shown."""
        shown = self.story_view.story
        if shown is not None and shown.id == story_id:
            self._show_story(shown)

    def on_highlights_generated(self: MainScreen, message: HighlightsGenerated) -> None:
        cached = self._story_cache.get(message.story_id)
        if cached is not None and not cached.highlights and message.highlights:
            self._cache_story(dataclasses.replace(cached, highlights=message.highlights, highlights_generated=True))
        for shown in (self.highlights.story, self.story_view.story):
            if shown is not None and shown.id == message.story_id and not shown.highlights and message.highlights:
                self._show_story(dataclasses.replace(shown, highlights=message.highlights, highlights_generated=True))
                return

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("fetch full text", group="full-text", exclusive=True)
    async def _fetch_full_text(self: MainScreen, story_id: str, force: bool) -> None:
        """Fetch, extract and store the story's full text (on open: only when its feed gave a summary)."""
        outcome: FullTextOutcome | None = None
        started = False
        try:
            articles = await asyncio.to_thread(importlib.import_module, "store.articles")
            if not force:
                story = await asyncio.to_thread(self._store.get, story_id)
                if story is None or story.full_text:
                    return
                extract = importlib.import_module("store.extract")
                if not extract.is_summary_only(story.body, story.url):
                    return
            started = True
            self.post_message(FullTextFetching(story_id))
            outcome = await articles.fetch_full_text(self._store, story_id, force=force)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            articles = importlib.import_module("store.articles")
            outcome = articles.FullTextOutcome(False, f"Something went wrong ({type(error).__name__}).", "")
        finally:
            if started:
                self.post_message(FullTextFetched(story_id, outcome, asked=force))

    @named_work("generate highlights", thread=True, group="highlights", exclusive=True)
    def _generate_highlights(self: MainScreen, story_id: str) -> None:
        """Highlights for a story that has none: chosen from its text, stored, marked as generated."""
        worker = get_current_worker()
        time.sleep(HIGHLIGHTS_DELAY)  # the cursor may be passing by: then nothing is written
        if worker.is_cancelled:
            self._highlights_asked.discard(story_id)
            return
        try:
            articles = importlib.import_module("store.articles")
            highlights = articles.ensure_highlights(self._store, story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Highlights"))
            return
        self.post_message(HighlightsGenerated(story_id, highlights))

    @named_work("save page", group="save-page")
    async def _save_page(self: MainScreen, url: str) -> None:
        try:
            articles = await asyncio.to_thread(importlib.import_module, "store.articles")
            story = await articles.save_url(self._store, url)
        except asyncio.CancelledError:
            raise
        except StoreError as error:  # ArticleError is one: a plain sentence
            self.post_message(PageNotSaved(url, str(error)))
            return
        except Exception as error:  # noqa: BLE001 - whatever went wrong, the reader gets one sentence
            self.post_message(PageNotSaved(url, f"something went wrong ({type(error).__name__})."))
            return
        self.post_message(PageSaved(story))
