"""A writer process for the crash and concurrency tests.

Writes batches of stories and bookmarks to the store named on the command line,
printing a line after each write returns, so the test knows what was committed.
Usage: writer.py HOME FIRST_NUMBER [BATCHES]  (no BATCHES: write until killed).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store import Store  # noqa: E402
from tests.conftest import make_story  # noqa: E402

BATCH = 25


def main() -> None:
    home, first = sys.argv[1], int(sys.argv[2])
    batches = int(sys.argv[3]) if len(sys.argv) > 3 else None
    store = Store(home)
    print("ready", flush=True)
    number, done = first, 0
    while batches is None or done < batches:
        stories = [make_story(n) for n in range(number, number + BATCH)]
        store.put_stories(stories)
        print(f"put {number} {number + BATCH}", flush=True)
        store.set_bookmarked(stories[0].id, True)
        print(f"bookmark {stories[0].id}", flush=True)
        store.set_read([s.id for s in stories[1:5]], True)
        print("read " + " ".join(s.id for s in stories[1:5]), flush=True)
        number += BATCH
        done += 1
    store.close()


if __name__ == "__main__":
    main()
