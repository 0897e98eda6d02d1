"""Search in the TUI: `/`, results as you type with marked snippets, the viewer's matches, escape."""

from __future__ import annotations

from typing import Any

import pytest
from textual.message import Message
from textual.widgets import Input, Static
from tui_helpers import fixed_stories, notifications, screen_text, search_for, settle, until

from store import Store, match_spans, parse_query
from tui.app import BroadsheetApp
from tui.screens.main import MainScreen
from tui.views import ALL_STORIES, search_view
from tui.widgets.highlights import Highlights
from tui.widgets.search_bar import SearchBar
from tui.widgets.status_bar import StatusBar
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

NARROW = (80, 24)
WIDE = (160, 48)
STORIES = fixed_stories()
TRAM = STORIES[0]


def main_screen(app: BroadsheetApp) -> MainScreen:
    return app.main_screen


def match_segments(strip: Any) -> list[str]:
    """The text of the segments painted as matches (bold and underlined)."""
    return [segment.text for segment in strip if segment.style and segment.style.bold and segment.style.underline]


async def test_slash_opens_the_bar_and_typing_lists_the_results(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        main = main_screen(app)
        assert not main.search_bar.display
        await pilot.press("slash")
        assert main.search_bar.display
        assert isinstance(app.focused, Input) and app.focused.id == "search-input"
        await search_for(pilot, "tram")
        story_list = app.query_one(StoryList)
        assert [story.id for story in story_list.stories] == [TRAM.id]
        assert main.view == search_view("tram")
        assert app.query_one(StatusBar).view_name == "Search: tram"
        assert "1 story" in str(main.search_bar.query_one("#search-message", Static).content)


async def test_typing_fast_runs_one_search(app: BroadsheetApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("tui.widgets.search_bar.DEBOUNCE_SECONDS", 1.0)  # a slow machine types fast enough
    seen: list[Message] = []
    async with app.run_test(size=NARROW, message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"harbour")
        await until(pilot, lambda: main_screen(app).view.query == "harbour")
        seen[:] = list({id(message): message for message in seen}.values())  # the hook sees each hop of a bubble
        queries = [message.query for message in seen if isinstance(message, SearchBar.QueryChanged)]
        assert queries == ["harbour"], "debounced: one search for the whole word"
        loaded = [
            message
            for message in seen
            if isinstance(message, MainScreen.StoriesLoaded) and message.view.kind == "search"
        ]
        assert len(loaded) == 1
        assert {summary.id for summary in loaded[0].summaries} == {STORIES[3].id, STORIES[5].id}


async def test_results_are_capped_and_relevance_ordered(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "hospital OR bread")
        ids = [story.id for story in app.query_one(StoryList).stories]
        assert set(ids) == {TRAM.id, STORIES[5].id}


async def test_each_result_has_a_snippet_with_the_matches_marked(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "hospital")
        story_list = app.query_one(StoryList)
        assert story_list.row_height == 2
        snippet = story_list.snippet(TRAM.id)
        assert snippet is not None and snippet.spans
        assert all(snippet.text[start:end].lower().startswith("hospital") for start, end in snippet.spans)
        title_line, snippet_line = story_list.render_line(0), story_list.render_line(1)
        assert "hospital" in snippet_line.text
        assert [text.lower() for text in match_segments(snippet_line)] == ["hospital"] * len(
            [span for span in snippet.spans if span[1] < len(snippet_line.text) - 6]
        )
        assert match_segments(title_line) == [], "the title has no 'hospital'"
        assert snippet_line.cell_length == story_list.scrollable_content_region.width


async def test_title_matches_are_marked_in_the_row(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        title_line = app.query_one(StoryList).render_line(0)
        assert [text.lower() for text in match_segments(title_line)] == ["tram"]


async def test_snippets_are_cut_only_for_rows_on_screen(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "the")  # every story
        story_list = app.query_one(StoryList)
        assert story_list.story_count == len(STORIES)
        cut = [story.id for story in story_list.stories if story_list.snippet(story.id) is not None]
        assert 0 < len(cut) < len(STORIES)
        last = story_list.stories[-1]
        assert story_list.snippet(last.id) is None
        await pilot.press("enter", "G")
        await until(pilot, lambda: story_list.snippet(last.id) is not None)


async def test_enter_opens_a_result_with_its_matches_marked(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("enter")
        assert app.focused is app.query_one(StoryList)
        await pilot.press("enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        assert app.focused is viewer
        assert viewer.story is not None and viewer.story.id == TRAM.id
        terms = parse_query("tram").highlight_terms()
        expected = len(match_spans(TRAM.title, terms)) + len(match_spans(TRAM.body, terms))
        assert viewer.match_count == expected >= 3
        title = viewer.query_one("#story-title", Static).content
        marked = [title.plain[span.start : span.end] for span in title.spans if span.style == ".story-view--match"]
        assert marked == ["tram"]
        body = viewer.query_one("#story-body", Static).content
        assert [body.plain[span.start : span.end] for span in body.spans] == ["tram", "trams"]
        assert "matches · n next" in viewer.border_subtitle


async def test_n_and_shift_n_bring_each_match_into_view(app: BroadsheetApp) -> None:
    async with app.run_test(size=(80, 14)) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("enter", "enter")
        await settle(pilot)
        viewer = app.query_one(StoryView)
        count = viewer.match_count
        height = viewer.scrollable_content_region.height
        lines = []
        for index in range(count):
            await pilot.press("n")
            await pilot.pause()
            assert viewer.current_match == index
            line = viewer.match_line(index)
            lines.append(line)
            assert viewer.scroll_y <= line < viewer.scroll_y + height, f"match {index} is on screen"
        assert lines == sorted(lines) and lines[-1] > height, "the last match needed a scroll"
        assert f"match {count} of {count}" in viewer.border_subtitle
        await pilot.press("n")
        assert viewer.current_match == count - 1
        assert "No more matches below." in [note.message for note in notifications(app)]
        for index in reversed(range(count - 1)):
            await pilot.press("N")
            await pilot.pause()
            assert viewer.current_match == index
            line = viewer.match_line(index)
            assert viewer.scroll_y <= line < viewer.scroll_y + height
        await pilot.press("N")
        assert "No more matches above." in [note.message for note in notifications(app)]


async def test_the_highlights_pane_marks_matches(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search_for(pilot, "hospital")
        highlights = app.query_one(Highlights)
        assert highlights.story is not None and highlights.story.id == TRAM.id
        first = TRAM.highlights[0]
        assert highlights.spans[0] == ((first.index("hospital"), first.index("hospital") + len("hospital")),)
        text = highlights.bullet_content(0)
        assert [text.plain[span.start : span.end] for span in text.spans] == ["hospital"]


async def test_n_works_from_the_list_when_the_viewer_is_beside_it(app: BroadsheetApp) -> None:
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("enter")
        assert app.focused is app.query_one(StoryList)
        await pilot.press("n")
        assert app.query_one(StoryView).current_match == 0


@pytest.mark.parametrize("where", ["bar", "list", "viewer"])
async def test_escape_restores_the_list_and_the_cursor(app: BroadsheetApp, where: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("G", "k")
        before_ids = [story.id for story in story_list.stories]
        before_cursor, before_scroll = story_list.cursor, story_list.scroll_y
        assert before_scroll > 0
        await search_for(pilot, "tram")
        assert story_list.story_count == 1
        if where in ("list", "viewer"):
            await pilot.press("enter")
        if where == "viewer":
            await pilot.press("enter")
            await pilot.press("escape")
            assert app.focused is story_list and main_screen(app).searching, "first escape: back to the results"
        await pilot.press("escape")
        await pilot.pause()
        main = main_screen(app)
        assert not main.searching and not main.search_bar.display
        assert main.view == ALL_STORIES
        assert [story.id for story in story_list.stories] == before_ids
        assert (story_list.cursor, story_list.scroll_y) == (before_cursor, before_scroll)
        assert story_list.row_height == 1
        assert app.focused is story_list
        await settle(pilot)
        assert story_list.cursor == before_cursor, "the reload after it keeps the cursor"
        assert app.query_one(StatusBar).view_name == "All stories"


async def test_clearing_the_query_shows_the_previous_list(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        story_list = app.query_one(StoryList)
        await pilot.press("j", "j")
        await search_for(pilot, "tram")
        await pilot.press(*["backspace"] * 4)
        await until(pilot, lambda: story_list.story_count == len(STORIES))
        assert story_list.cursor == 2
        assert main_screen(app).searching


NASTY_QUERIES = [
    '"tram',
    "tram OR",
    "OR",
    "is:nothing",
    "before:yesterday",
    "after:2026-13-45",
    "title:",
    "[/]",
    "[@click=app.quit]x[/]",
    "-",
    "*",
    '""',
    "-is:unread",
    "\\",
    "tram OR is:read",
]


@pytest.mark.parametrize("query", NASTY_QUERIES)
async def test_a_malformed_query_says_why_in_plain_words(app: BroadsheetApp, query: str) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await search_for(pilot, query)
        assert app.is_running
        message = app.query_one("#search-message", Static)
        text = str(message.content)
        if message.has_class("-error"):
            assert text and "Traceback" not in text and "\n" not in text
            assert text in screen_text(pilot) or text[:60] in screen_text(pilot)
        await pilot.press("enter")
        assert app.is_running


async def test_an_unclosed_quote_keeps_the_last_results(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "tram")
        await pilot.press("space", "quotation_mark", "r")
        message = app.query_one("#search-message", Static)
        await until(pilot, lambda: message.has_class("-error"))
        assert str(message.content) == 'a quote (") is not closed'
        assert [story.id for story in app.query_one(StoryList).stories] == [TRAM.id]
        await pilot.press("quotation_mark")
        await until(pilot, lambda: not message.has_class("-error"))


async def test_unread_only_narrows_a_search(app: BroadsheetApp) -> None:
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await search_for(pilot, "the")
        story_list = app.query_one(StoryList)
        assert story_list.story_count == len(STORIES)
        await pilot.press("enter", "U")
        await until(pilot, lambda: story_list.story_count == sum(1 for story in STORIES if not story.read))
        assert all(not story.read for story in story_list.stories)
        await search_for(pilot, "the is:read")
        assert story_list.story_count == 0, "is:read and unread only: nothing"


async def test_a_search_finds_the_words_of_a_hostile_title_literally(tmp_path: Any) -> None:
    import dataclasses

    story = dataclasses.replace(STORIES[0], title="[bold]Trams[/] [@click=app.quit]quit[/]")
    with Store(tmp_path / "store") as store:
        store.put_stories([story])
        app = BroadsheetApp(store)
        async with app.run_test(size=NARROW) as pilot:
            await settle(pilot)
            await search_for(pilot, "quit")
            assert "[bold]Trams[/] [@click=app.quit]quit[/]" in screen_text(pilot)
            for strip in app.screen._compositor.render_strips():
                for segment in strip:
                    assert "@click" not in (segment.style.meta if segment.style else {})
            await pilot.press("enter", "enter")
            await settle(pilot)
            assert app.is_running
