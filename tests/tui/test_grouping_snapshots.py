"""Snapshot of a group opened in the viewer: the lead's text, the note under its link, the group's
highlights naming their sources, the "Coverage" section (every source with its headline, date and
link) and the group's opinion piece."""

from __future__ import annotations

from collections.abc import Callable

from test_grouping import COLUMN, report, space_reports
from textual.pilot import Pilot
from tui_helpers import fixed_clock, settle, until

from store import Store
from tui.app import BroadsheetApp
from tui.widgets.coverage import CoverageSection
from tui.widgets.highlights import Highlights
from tui.widgets.story_view import StoryView


def test_a_group_open_in_the_viewer(snap_compare: Callable[..., bool], store: Store) -> None:
    store.put_stories([*space_reports(), report(9, *COLUMN, minutes=5)])
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0)
    app.animation_level = "none"

    async def run_before(pilot: Pilot[None]) -> None:
        await settle(pilot)
        section = pilot.app.query_one(CoverageSection)
        story_list = pilot.app.screen.story_list  # type: ignore[attr-defined]
        await until(pilot, lambda: story_list.group_badge(story_list.stories[0].id) is not None)
        await pilot.press("enter")
        view = pilot.app.query_one(StoryView)
        panel = pilot.app.query_one(Highlights)
        await until(pilot, lambda: len(section.members) == 4 and view.story is not None and view.story.opinions)
        await until(pilot, lambda: panel.story is not None and any(" — " in h for h in panel.story.highlights))
        view.scroll_end(animate=False, immediate=True)  # the coverage and the opinions, under the text
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=run_before)
