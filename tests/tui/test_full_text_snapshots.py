"""Snapshot of the viewer showing a full text as Markdown (headings, lists, quotes, links),
with the story's opinions under it.  The text is extracted from tests/pages once, offline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot
from tui_helpers import NOW, fixed_clock, settle, until

from store import Store, Story, make_story_id
from store.extract import extract_article
from tui.app import BroadsheetApp
from tui.widgets.story_view import StoryView

PAGES = Path(__file__).resolve().parents[1] / "pages"
URL = "https://harbour.example/news/ferry-timetable"


def ferry_story() -> Story:
    extracted = extract_article((PAGES / "ferry-timetable.html").read_bytes(), URL)
    assert extracted.ok and "## What changes for passengers" in extracted.text
    return Story(
        id=make_story_id(url=URL),
        title="Northgate ferry to run every 20 minutes from March",
        source="Harbour Gazette",
        url=URL,
        author="Ines Marlow",
        published=NOW,
        fetched=NOW,
        highlights=["Crossings every 20 minutes on weekdays from 2 March.", "A second vessel joins the route."],
        body="The harbour board has approved a new timetable. Continue reading…",
        full_text=extracted.text,
        opinions=["Twenty minutes is a commuter service at last.", "The board has not hired the crews it needs."],
    )


def test_viewer_shows_the_full_text_as_markdown(snap_compare: Callable[..., bool], store: Store) -> None:
    store.put_stories([ferry_story()])
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0)
    app.animation_level = "none"

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await pilot.press("enter")
        view = pilot.app.query_one(StoryView)
        await until(pilot, lambda: view.shows_full_text and view.markdown_ready)
        assert view.markdown_head and view.query("MarkdownH2") and view.query("MarkdownBlockQuote")

    assert snap_compare(app, terminal_size=(160, 48), run_before=run_before)
