"""Two processes on one store: a refetch rewriting stories never loses the bookmarks another process sets.

tests/store/test_durability.py covers SIGKILL at random instants, a full disk,
damaged files and two writers adding different stories.  What it leaves out is
the race a reader actually runs into: `broadsheet fetch` (or the TUI's refresh)
updating stories at the very moment the reader bookmarks them in the TUI.
Here a second process rewrites the same stories again and again (new titles,
as a feed that edits its items) while this process bookmarks them one by one;
every bookmark must hold, and every story must end with one of the titles
the writer gave it.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from store import Store
from tests.conftest import make_story

STORIES = 40
ROOT = Path(__file__).resolve().parents[2]

REFETCHER = textwrap.dedent(f"""
    import sys
    sys.path.insert(0, {str(ROOT)!r})
    from store import Store
    from tests.conftest import make_story
    from pathlib import Path
    store = Store(sys.argv[1])
    stop = Path(sys.argv[2])
    print("ready", flush=True)
    rounds = 0
    while not stop.exists() or rounds < 2:
        store.put_stories([make_story(n, title=f"Story {{n}} edit {{rounds}}") for n in range({STORIES})])
        rounds += 1
    store.close()
    print(rounds, flush=True)
""")


def test_a_refetch_in_another_process_keeps_every_bookmark(home: Path, tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    with Store(home) as store:
        store.put_stories([make_story(n) for n in range(STORIES)])
        # The refetcher rewrites the stories until told to stop: every bookmark below lands while it writes.
        command = [sys.executable, "-c", REFETCHER, str(home), str(stop)]
        refetcher = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert refetcher.stdout is not None and refetcher.stdout.readline().strip() == "ready"
        for n in range(STORIES):
            store.set_bookmarked(make_story(n).id, True)
            if n % 4 == 0:
                store.set_read([make_story(n).id], True)
        assert refetcher.poll() is None, "the refetcher stopped before the bookmarks were set: nothing raced"
        stop.touch()
        output, _ = refetcher.communicate(timeout=120)
        assert refetcher.returncode == 0 and int(output.strip()) >= 2
    with Store(home) as reopened:
        assert reopened.notices == []
        for n in range(STORIES):
            story = reopened.get(make_story(n).id)
            assert story is not None, f"story {n} lost"
            assert story.bookmarked, f"the bookmark on story {n} was lost to the refetch"
            assert story.read == (n % 4 == 0), f"the read state of story {n} was lost to the refetch"
            assert story.title.startswith(f"Story {n}")
        assert reopened.count() == STORIES
