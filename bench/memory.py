"""Memory and disk with 100,000 stories: the app's peak RSS, and the store's size against newsboat's cache.

    python bench/memory.py [--stories 100000] [--feeds 1000] [--runs 3]

* Peak RSS (VmHWM of the app's process, from /proc) of the real app under a
  pseudo-terminal, once the newest stories show and the whole list has loaded,
  and again after scrolling: page down, the end of the list (G), the top (g),
  opening stories (enter) and holding j.  Target < 300 MB.
* Disk: the store (stories, texts) plus its index (catalog.sqlite3 with the
  full-text index), against newsboat's cache.db of the same items (see
  bench/_common.newsboat_cache).  Target: at most 1.5 times newsboat's cache.
* newsboat's peak RSS for `newsboat -x print-unread` on that cache, for scale.

Runs on a scratch copy (opening a story marks it read).  Prints RESULT lines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (  # noqa: E402
    PtyApp,
    broadsheet_command,
    cached_store,
    folder_size,
    load_average,
    newest_titles,
    newsboat_cache,
    result,
    scratch_copy,
    scratch_dir,
    timed_run,
)

SCROLL = [b"\x1b[6~"] * 5 + [b"G", b"g"] + [b"j"] * 30 + [b"\r", b"\x1b", b"j", b"\r", b"\x1b"] + [b"\x1b[6~"] * 20


def app_memory(home: Path, title: str) -> tuple[int, int]:
    """(VmHWM after the list loaded, VmHWM after scrolling and opening), in kB."""
    with PtyApp([*broadsheet_command(), "--home", str(home)], env={"BROADSHEET_REFRESH_MINUTES": "0"}) as app:
        if app.wait_for(lambda text: title[:20] in text, timeout=60) is None:
            raise SystemExit("the app never showed its stories")
        app.quiet(since=0, gap=1.0, timeout=30)
        loaded = app.status("VmHWM")
        for key in SCROLL:
            app.send(key)
            time.sleep(0.05)
        app.quiet(since=0, gap=1.0, timeout=30)
        return loaded, app.status("VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser(description="Memory and disk benchmark")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-newsboat", action="store_true")
    args = parser.parse_args()

    cached = cached_store(args.stories, args.feeds)
    title = newest_titles(cached)[0]
    use_newsboat = not args.no_newsboat and shutil.which("newsboat") is not None
    cache = urls = None
    if use_newsboat:
        cache, urls = newsboat_cache(args.stories, args.feeds)
    print(f"memory, {args.stories:,} stories, load average {load_average()}", flush=True)

    index = sum(path.stat().st_size for path in cached.glob("catalog.sqlite3*"))
    records = folder_size(cached / "stories") + folder_size(cached / "texts")
    total = folder_size(cached)
    newsboat_bytes = cache.stat().st_size if cache is not None else None

    loads, peaks = [], []
    with scratch_dir("memory-") as scratch:
        home = scratch_copy(cached, Path(scratch))
        (home / "feeds.json").unlink(missing_ok=True)
        for _ in range(args.runs):
            loaded, peak = app_memory(home, title)
            loads.append(loaded)
            peaks.append(peak)
            print(f"  app VmHWM: loaded {loaded / 1024:.0f} MB, after scrolling {peak / 1024:.0f} MB", flush=True)
        newsboat_rss = None
        if use_newsboat and cache is not None and urls is not None:
            nb_home = Path(scratch) / "newsboat"
            nb_home.mkdir()
            (nb_home / "config").write_text("")
            command = ["newsboat", "-C", str(nb_home / "config"), "-c", str(cache), "-u", str(urls), "-x", "print-unread"]
            newsboat_rss = timed_run(command, env={**os.environ, "HOME": str(nb_home)}, stdout=subprocess.DEVNULL)[1]

    peak = statistics.median(peaks)
    print(f"\nMemory and disk, {args.stories:,} stories (load average now {load_average()})")
    print(f"  app peak RSS, list loaded   {statistics.median(loads) / 1024:7.0f} MB")
    print(f"  app peak RSS, after use     {peak / 1024:7.0f} MB   (target < 300 MB)")
    if newsboat_rss is not None:
        print(f"  newsboat print-unread RSS   {newsboat_rss / 1024:7.0f} MB")
    print(f"  store records (JSON, gzip)  {records / 1e6:7.0f} MB")
    print(f"  index (SQLite + FTS5)       {index / 1e6:7.0f} MB")
    print(f"  store + index               {total / 1e6:7.0f} MB", end="")
    if newsboat_bytes:
        print(f"   newsboat cache {newsboat_bytes / 1e6:.0f} MB: {total / newsboat_bytes:.2f}x (target <= 1.5x)")
    else:
        print()
    result(
        "memory.tui_peak_rss",
        peak / 1024,
        "MB",
        newsboat=newsboat_rss / 1024 if newsboat_rss else None,
        target="< 300",
        label=f"peak RSS, {args.stories:,} stories open",
    )
    result(
        "disk.store_and_index",
        total / 1e6,
        "MB",
        newsboat=newsboat_bytes / 1e6 if newsboat_bytes else None,
        target="<= 1.5x newsboat",
        label="store + index on disk",
    )
    result("disk.index", index / 1e6, "MB", label="of which the index (SQLite + FTS5)")


if __name__ == "__main__":
    main()
