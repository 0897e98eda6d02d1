"""Fixed data and small helpers shared by the TUI tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from textual.app import App
from textual.notifications import Notification
from textual.pilot import Pilot
from textual.strip import Strip
from textual.worker import WorkerCancelled

from store import Store, Story, StorySummary, make_story_id
from tui.widgets.story_list import StoryList

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return NOW


TRAM_BODY = """\
Northfield's city council voted nine to four on Tuesday night to extend the riverside tram line by three stops, ending a debate that began in the spring and ran for more than four hours in the chamber.

The extension will run from the old goods yard to the new hospital campus, following the river for most of its length. Construction is expected to start next autumn and take about two years, with the line closed for six weeks while the junction at Mill Street is rebuilt.

Supporters said the line would take hundreds of cars a day off the ring road and give the hospital's night staff a way home after the buses stop. "People have been asking for this since the campus opened," said councillor Priya Raman, who chairs the transport committee.

Opponents questioned the cost, which officers put at 84 million, and asked whether a bus lane would do the same job for a fraction of the price. Councillor Tom Hale said the council had "fallen in love with rails" and warned that the estimate left little room for surprises underground.

Officers told the meeting that the river path would stay open during the works, apart from short closures at the two new bridges, and that the trees along the towpath would be replanted further from the track.

Residents of the streets near the goods yard asked for a say in where the depot's lights and noise barriers go. The council agreed to hold three drop-in sessions before the design is fixed in the new year.

The decision still needs the approval of the regional transport board, which meets in February. If it agrees, the first trams could reach the hospital in the spring of 2029.

Timetables for the existing line will not change while the extension is built, the operator said, though some late services may be replaced by buses during the junction works."""


def _story(
    number: int,
    title: str,
    source: str,
    age: timedelta,
    *,
    read: bool = False,
    bookmarked: bool = False,
    author: str = "",
    highlights: tuple[str, ...] = (),
    body: str = "",
    opinions: tuple[str, ...] = (),
) -> Story:
    url = f"https://news.example/{number}"
    return Story(
        id=make_story_id(url=url),
        title=title,
        source=source,
        url=url,
        author=author,
        published=NOW - age,
        fetched=NOW,
        highlights=list(highlights),
        body=body
        or f"{title}.\n\nThe full report follows the usual pattern of a short story: what happened, who said what, and what happens next.",
        opinions=list(opinions),
        read=read,
        bookmarked=bookmarked,
    )


def fixed_stories() -> list[Story]:
    """Fourteen stories, newest first, with every age format and flag combination."""
    return [
        _story(
            1,
            "City council approves the riverside tram extension after a four-hour debate",
            "Northfield Times",
            timedelta(minutes=4),
            author="Amira Okafor",
            highlights=(
                "Three new stops will link the old goods yard with the hospital campus.",
                "Work starts next autumn and is expected to take about two years.",
                "The regional transport board must still approve the plan in February.",
            ),
            body=TRAM_BODY,
            opinions=(
                "A bus lane would have done the same job for a tenth of the price.",
                "Night staff at the hospital have waited years for a way home after midnight.",
            ),
        ),
        _story(
            2,
            "Researchers map the deep-sea currents that carry heat toward the poles",
            "Science Weekly",
            timedelta(minutes=47),
            bookmarked=True,
            author="Jonas Berg",
            highlights=("A fleet of 300 floats measured temperature at depth for six years.",),
        ),
        _story(
            3,
            "Why the price of coffee beans doubled in eighteen months",
            "Market Ledger",
            timedelta(hours=3),
            read=True,
        ),
        _story(4, "Harbour ferries return to the winter timetable from Monday", "Harbour Gazette", timedelta(hours=5)),
        _story(
            5,
            "Open-source maintainers describe the hidden cost of a popular library",
            "Tech Ledger",
            timedelta(hours=9),
            read=True,
            bookmarked=True,
        ),
        _story(
            6,
            "Local bakery wins the regional bread prize for the third year running",
            "Harbour Gazette",
            timedelta(hours=26),
        ),
        _story(
            7,
            "A quiet revolution in rural broadband: the villages that built their own network",
            "Civic Review",
            timedelta(days=2),
        ),
        _story(
            8,
            "New exhibition brings a century of newspaper design to the city museum",
            "Culture Desk",
            timedelta(days=3),
            read=True,
        ),
        _story(
            9,
            "Weather service warns of strong gusts along the northern coast tonight",
            "Met Bulletin",
            timedelta(days=4),
        ),
        _story(
            10,
            "School meals programme expands to every primary school in the county",
            "Northfield Times",
            timedelta(days=6),
            read=True,
        ),
        _story(11, "The long road to fixing the old stone bridge", "Civic Review", timedelta(days=14), read=True),
        _story(
            12,
            "Interview: the translator who brought Nordic crime fiction to new readers",
            "Culture Desk",
            timedelta(days=27),
        ),
        _story(
            13,
            "Astronomers confirm a second moon-sized object orbiting a distant planet",
            "Science Weekly",
            timedelta(days=70),
            read=True,
        ),
        _story(
            14,
            "Annual report: what readers asked for most last year",
            "Broadsheet Notes",
            timedelta(days=540),
            read=True,
        ),
    ]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until no worker runs and every message they posted has been handled."""
    while True:
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            pass  # an exclusive worker was replaced by a newer one (a key moved on): wait for that one
        await pilot.pause()
        if not pilot.app.workers:
            return


def screen_lines(pilot: Pilot[Any]) -> list[Strip]:
    """The strips of the whole screen, exactly what the driver would be given to write."""
    return pilot.app.screen._compositor.render_strips()


def screen_text(pilot: Pilot[Any]) -> str:
    return "\n".join(strip.text for strip in screen_lines(pilot))


def stored(store: Store, story_id: str) -> Story:
    """The story as the store has it now."""
    story = store.get(story_id)
    assert story is not None
    return story


def row(app: App[Any], story_id: str) -> StorySummary:
    """The story as the list shows it now."""
    summary = app.query_one(StoryList).story(story_id)
    assert summary is not None
    return summary


async def until(pilot: Pilot[Any], condition: Callable[[], object], *, timeout: float = 5.0) -> None:
    """Let the app run until `condition()` holds (a debounce timer, then a worker), then settle.

    Not a sleep: it returns as soon as the condition holds, and fails after `timeout`.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__name__', condition)}")
        await pilot.pause(0.02)
    await settle(pilot)


async def search_for(pilot: Pilot[Any], query: str) -> None:
    """Open the search bar, type `query` and wait for its results and their snippets."""
    from tui.screens.main import MainScreen

    main = pilot.app.screen
    assert isinstance(main, MainScreen)
    await pilot.press("slash")
    search_input = main.search_bar.input
    search_input.value = ""
    await pilot.press(*query) if query else None
    story_list = main.story_list

    def results_shown() -> bool:
        if main.search_bar.query_one("#search-message").has_class("-error"):
            return main.search_bar.query != "" and main.view.query == query.strip()
        return main.view.query == query.strip() and story_list.snippet_key == query.strip()

    await until(pilot, results_shown)
    if main.search_bar.query_one("#search-message").has_class("-error"):
        return
    visible = story_list.stories[: story_list.scrollable_content_region.height // 2]
    await until(pilot, lambda: all(story_list.snippet(story.id) is not None for story in visible))


def notifications(app: App[Any]) -> list[Notification]:
    """Every notification the app is showing (or would show: tests run with toasts off)."""
    return list(app._notifications)
