"""Story groups in the TUI: one row per event, its coverage in the viewer, group read state, the toggle."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any
from xml.sax.saxutils import escape

import pytest
from textual.pilot import Pilot
from tui_helpers import NOW, fixed_clock, fixed_stories, stored, until

from store import Store, Story, make_story_id
from store.feeds import Feed, FeedList
from store.fetch import FetchSettings
from tests.store.test_grouping import SPACE  # the same three reports of one event
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture
from tui.app import BroadsheetApp
from tui.grouped import fold
from tui.screens.main import MainScreen
from tui.widgets.coverage import CoverageNote, CoverageSection, SourceEntry
from tui.widgets.highlights import Highlights
from tui.widgets.story_list import StoryList
from tui.widgets.story_view import StoryView

COLUMN = (
    "https://globe.example/opinion/rss",
    "The Globe Opinion",
    "Opinion: Bakanov's Houston visit shows space cooperation with Russia is worth keeping",
    "Dmitry Bakanov's talks with NASA's Sean Duffy in Houston are a reminder that Roscosmos and NASA "
    "still need each other on the International Space Station. Whatever else divides them, that is worth keeping.",
)


def report(number: int, feed: str, source: str, title: str, body: str, *, minutes: int) -> Story:
    url = f"https://{source.lower().replace(' ', '-')}.example/space/{number}"
    return Story(
        id=make_story_id(url=url),
        title=title,
        source=source,
        url=url,
        published=NOW - timedelta(minutes=minutes),
        fetched=NOW,
        body=body,
        feed=feed,
    )


def space_reports() -> list[Story]:
    # Newer than every fixed story: the group is the first row.
    return [report(number, *fields, minutes=30 - 10 * number) for number, fields in enumerate(SPACE, start=1)]


@pytest.fixture
def grouped_store(store: Store) -> Store:
    store.put_stories(space_reports())
    return store


def main_screen(app: BroadsheetApp) -> MainScreen:
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def grouped(pilot: Pilot[Any], sources: int = 3) -> MainScreen:
    """Wait until the first row stands for the group of `sources` sources."""
    main = main_screen(pilot.app)  # type: ignore[arg-type]
    story_list = main.story_list

    def group_row_shown() -> bool:
        badges = [story_list.group_badge(story.id) for story in story_list.stories]
        return any(badge is not None and badge.sources == sources for badge in badges)

    await until(pilot, group_row_shown)
    return main


def row_text(app: BroadsheetApp, index: int) -> str:
    story_list = app.query_one(StoryList)
    return story_list.render_line(index - round(story_list.scroll_y)).text


async def test_a_group_is_one_row_with_its_number_of_sources_and_first_seen_time(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    async with app.run_test(size=(80, 24)) as pilot:
        main = await grouped(pilot)
        story_list = main.story_list
        assert story_list.story_count == len(fixed_stories()) + 1
        first = story_list.stories[0]
        assert first.title in {title for _, _, title, _ in SPACE}
        text = row_text(app, 0)
        assert "3 sources" in text
        assert text.rstrip().endswith("20m")  # first seen: the oldest report, 20 minutes ago
        assert len(text) == story_list.scrollable_content_region.width  # fits 80 columns


async def test_opening_a_group_shows_its_coverage_and_brackets_step_through_the_sources(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await grouped(pilot)
        lead_id = main.story_list.stories[0].id
        await pilot.press("enter")
        section = app.query_one(CoverageSection)
        await until(pilot, lambda: len(section.query(SourceEntry)) == 3)
        viewer = app.query_one(StoryView)
        assert viewer.story is not None and viewer.story.id == lead_id
        members = section.members
        assert [m.source for m in members] == ["Wire Service", "The Globe", "Daily Courier"]  # oldest first
        assert section.current == lead_id
        entries = list(section.query(SourceEntry))
        assert all(entry.member.title in str(entry.render()) for entry in entries)
        note = app.query_one(CoverageNote)
        assert note.has_class("-shown")
        index = [m.id for m in members].index(lead_id)
        step = "right_square_bracket" if index < 2 else "left_square_bracket"
        other = members[index + 1 if index < 2 else index - 1]
        await pilot.press(step)
        await until(pilot, lambda: viewer.story is not None and viewer.story.id == other.id)
        assert viewer.story.title == other.title
        assert section.current == other.id
        assert main.story_list.highlighted_story.id == lead_id  # the list stays on the group
        back = "left_square_bracket" if step == "right_square_bracket" else "right_square_bracket"
        await pilot.press(back)
        await until(pilot, lambda: viewer.story is not None and viewer.story.id == lead_id)


async def test_marking_a_group_read_marks_all_its_stories_and_opening_it_too(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    ids = [story.id for story in space_reports()]
    async with app.run_test(size=(100, 30)) as pilot:
        main = await grouped(pilot)
        await pilot.press("m")
        await until(pilot, lambda: all(stored(grouped_store, i).read for i in ids))
        assert main.story_list.stories[0].read
        await pilot.press("m")
        await until(pilot, lambda: not any(stored(grouped_store, i).read for i in ids))
        assert not main.story_list.stories[0].read
        await pilot.press("enter")
        await until(pilot, lambda: all(stored(grouped_store, i).read for i in ids))


async def test_bookmarking_in_a_group_bookmarks_the_version_shown(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await grouped(pilot)
        lead_id = main.story_list.stories[0].id
        await pilot.press("enter")
        section = app.query_one(CoverageSection)
        await until(pilot, lambda: len(section.members) == 3)
        other = next(m for m in section.members if m.id != lead_id)
        main.show_source(other.id)
        viewer = app.query_one(StoryView)
        await until(pilot, lambda: viewer.story is not None and viewer.story.id == other.id)
        await pilot.press("b")
        await until(pilot, lambda: stored(grouped_store, other.id).bookmarked)
        assert not stored(grouped_store, lead_id).bookmarked


async def test_the_toggle_shows_every_story_on_its_own_row(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await grouped(pilot)
        story_list = main.story_list
        await pilot.press("c")
        await until(pilot, lambda: story_list.story_count == len(fixed_stories()) + 3)
        assert not any(story_list.group_badge(story.id) for story in story_list.stories)
        assert "3 sources" not in row_text(app, 0)
        await pilot.press("c")
        await until(pilot, lambda: story_list.story_count == len(fixed_stories()) + 1)
        assert "3 sources" in row_text(app, 0)


async def test_group_highlights_draw_from_every_source_and_name_them(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await grouped(pilot)
        panel = app.query_one(Highlights)

        def named() -> bool:
            story = panel.story
            return story is not None and any(" — " in text for text in story.highlights)

        await until(pilot, named)
        highlights = panel.story.highlights  # type: ignore[union-attr]
        sources = {"Wire Service", "The Globe", "Daily Courier"}
        assert all(any(source in text for source in sources) for text in highlights)
        named_first = {text.split(" — ")[-1].split(" (also")[0] for text in highlights}
        assert len(named_first) >= 2  # drawn from more than one source
        assert len(highlights) == len(set(highlights))


async def test_opinion_pieces_of_a_group_appear_under_opinions(store: Store) -> None:
    column = report(9, *COLUMN, minutes=5)
    store.put_stories([*space_reports(), column])
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        main = await grouped(pilot, sources=4)
        assert main.story_list.stories[0].id != column.id  # the lead is a report, not the column
        await pilot.press("enter")
        viewer = app.query_one(StoryView)
        await until(pilot, lambda: viewer.story is not None and len(viewer.story.opinions) == 1)
        assert viewer.story.opinions[0].startswith("The Globe Opinion: ")
        assert app.query_one("#opinions-heading").display


async def test_a_story_arriving_late_joins_its_groups_row_after_a_sync(store: Store) -> None:
    first, second, late = space_reports()
    store.put_stories([first, second])
    app = BroadsheetApp(store, clock=fixed_clock)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await grouped(pilot, sources=2)
        store.put_stories([late])
        story_list = main.story_list
        assert story_list.story_count == len(fixed_stories()) + 1
        await until(pilot, lambda: story_list.story(late.id) is not None)  # the poll: on its own until grouped
        assert story_list.story_count == len(fixed_stories()) + 2
        main.start_group_sync()  # what a refresh of the feeds does when it ends
        await grouped(pilot, sources=3)
        assert story_list.story_count == len(fixed_stories()) + 1
        group = main.folded.group(late.id) if main.folded is not None else None
        assert group is not None and set(group.story_ids) == {first.id, second.id, late.id}


def test_folding_keeps_order_and_chooses_a_lead_only_for_groups() -> None:
    stories = [story.summary() for story in [*space_reports(), *fixed_stories()]]
    stories.sort(key=lambda s: (-s.published.timestamp(), s.id))
    group_of = {s.id: "g" for s in stories[:3]}
    folded = fold(stories, group_of)
    assert len(folded.rows) == len(stories) - 2
    assert [row.id for row in folded.rows[1:]] == [s.id for s in stories[3:]]
    group = folded.groups[folded.rows[0].id]
    assert group.sources == 3
    assert folded.rows[0].published == stories[0].published  # placed at its newest report
    assert group.first_seen == stories[2].published
    assert set(folded.row_of) == {s.id for s in stories[:3]}


async def test_mark_all_read_marks_every_story_of_each_group(grouped_store: Store) -> None:
    app = BroadsheetApp(grouped_store, clock=fixed_clock)
    ids = [story.id for story in space_reports()]
    async with app.run_test(size=(100, 30)) as pilot:
        await grouped(pilot)
        await pilot.press("M")
        await until(pilot, lambda: all(stored(grouped_store, i).read for i in ids))
        assert all(story.read for story in grouped_store.summaries())


async def test_a_refresh_brings_a_late_source_into_its_groups_row(store: Store, http_server: FeedServer) -> None:
    first, second, late = space_reports()
    store.put_stories([first, second])
    item = (
        f"<item><title>{escape(late.title)}</title><link>https://courier.example/bakanov</link>"
        f"<guid>https://courier.example/bakanov</guid><pubDate>{format_datetime(late.published)}</pubDate>"
        f"<description>{escape(late.body)}</description></item>"
    )
    feed = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Daily Courier</title>'
        f"<link>https://courier.example/</link><description>News</description>{item}</channel></rss>"
    ).encode()
    url = http_server.route("/courier.xml", Route(body=feed))
    with FeedList(store.home) as followed:
        followed.add_many([Feed(url=url)])
    settings = FetchSettings(timeout=5.0, parse_workers=0, batch_seconds=0.2)
    app = BroadsheetApp(store, clock=fixed_clock, fetch_settings=settings, refresh_minutes=0)
    async with app.run_test(size=(100, 30)) as pilot:
        main = await grouped(pilot, sources=2)
        await pilot.press("r")
        await grouped(pilot, sources=3)  # fetched, synced in the background, folded again
        assert main.story_list.story_count == len(fixed_stories()) + 1
        group = main.folded.group(first.id) if main.folded is not None else None
        assert group is not None and any(member.feed == url for member in group.members)
