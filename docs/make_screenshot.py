"""Regenerate docs/screenshot.svg from the real app: the sample stories, a story open.

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store import Store, sample_stories  # noqa: E402
from tui.app import BroadsheetApp  # noqa: E402

CLOCK = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)


async def capture(target: Path) -> None:
    with tempfile.TemporaryDirectory() as home, Store(home) as store:
        store.put_stories(sample_stories())
        app = BroadsheetApp(store, clock=lambda: CLOCK)
        async with app.run_test(size=(160, 40)) as pilot:
            await pilot.pause(0.5)
            await pilot.press("j", "j")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await pilot.pause(0.5)
            app.save_screenshot(filename=target.name, path=str(target.parent))


if __name__ == "__main__":
    destination = ROOT / "docs" / "screenshot.svg"
    asyncio.run(capture(destination))
    print(f"wrote {destination}")
