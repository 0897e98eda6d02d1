"""Every worker of the app starts through `tui.named_work`, so none has its arguments repr'd
on the event loop (Textual's `@work` does that when it is given no description)."""

from __future__ import annotations

import re
from pathlib import Path

import tui

TUI = Path(tui.__file__).parent


def test_no_worker_is_started_with_textuals_bare_work_decorator() -> None:
    bare = [
        f"{path.relative_to(TUI.parent)}:{number}"
        for path in sorted(TUI.rglob("*.py"))
        if path.name != "named_work.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.match(r"\s*@work\b", line)
    ]
    assert not bare, f"use tui.named_work.named_work instead of @work at {', '.join(bare)}"
    assert any("@named_work(" in path.read_text(encoding="utf-8") for path in TUI.rglob("*.py"))


async def test_a_named_worker_never_reprs_its_arguments() -> None:
    from textual.app import App

    from tui.named_work import named_work

    class Loud:
        reprs = 0

        def __repr__(self) -> str:
            Loud.reprs += 1
            return "Loud()"

    class Host(App[None]):
        seen: object = None

        @named_work("take", thread=True)
        def take(self, argument: object) -> None:
            self.seen = argument

    app = Host()
    async with app.run_test() as pilot:
        loud = Loud()
        worker = app.take(loud)
        await worker.wait()
        await pilot.pause()
        assert app.seen is loud
        assert Loud.reprs == 0
        assert worker.description == "take"
