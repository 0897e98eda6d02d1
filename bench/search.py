"""Search figures on a 100,000-story store: index build, size, latency.

    python bench/search.py [--stories 100000] [--home DIR]

Prints the index build rate, the index size, p50/p99 latency in-process over a
fixed mix of queries (rare word, common word, phrase, prefix, filter plus word),
the wall time of a whole `broadsheet search` command, and, for scale, the time
of a LIKE scan over a newsboat-style SQLite table of the same items (the way
newsboat searches).  Targets: p50 < 10 ms, p99 < 50 ms, command < 0.3 s,
indexing >= 5,000 stories/s.
"""

from __future__ import annotations

import argparse
import gc
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.make_store import build, generate  # noqa: E402
from store import Store  # noqa: E402

ROUNDS = 30


def pick_queries(store: Store) -> dict[str, str]:
    """Queries drawn from the store's own words, so they match what a reader would type."""
    counts: Counter[str] = Counter()
    sample = store.listed_stories(limit=3_000)
    for story in sample:
        counts.update(word.lower() for word in story.title.split() if word.isalpha() and len(word) > 5)
    ranked = [word for word, _ in counts.most_common()]
    common, rare, middle = ranked[0], ranked[-1], ranked[len(ranked) // 3]
    words = sample[7].title.split()
    phrase = " ".join(words[1:3]).lower()
    return {
        "rare word": rare,
        "common word": common,
        "phrase": f'"{phrase}"',
        "prefix": middle[:4] + "*",
        "filter + word": f"{middle} is:unread",
    }


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def in_process(store: Store, queries: dict[str, str], limit: int) -> dict[str, list[float]]:
    timings: dict[str, list[float]] = {name: [] for name in queries}
    for _ in range(ROUNDS):
        for name, query in queries.items():
            started = time.perf_counter()
            store.search(query, limit=limit)
            timings[name].append(time.perf_counter() - started)
    return timings


def whole_command(home: Path, query: str, runs: int = 7) -> float:
    command = [sys.executable, "-m", "tui.cli", "--home", str(home), "search", query, "--limit", "20"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=Path(__file__).resolve().parents[1])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def like_scan(stories: int, word: str, folder: Path) -> float:
    """newsboat's search: LIKE '%word%' over title and content of its SQLite cache."""
    path = folder / "newsboat-like.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE rss_item (id INTEGER PRIMARY KEY, title TEXT, content TEXT)")
    for batch in generate(stories, max(1, stories // 100)):
        connection.executemany(
            "INSERT INTO rss_item (title, content) VALUES (?, ?)",
            [(s.title, "\n".join([s.body, s.full_text])) for s in batch],
        )
    connection.commit()
    pattern = f"%{word}%"
    times = []
    for _ in range(5):
        started = time.perf_counter()
        connection.execute(
            "SELECT id FROM rss_item WHERE title LIKE ? OR content LIKE ?", (pattern, pattern)
        ).fetchall()
        times.append(time.perf_counter() - started)
    connection.close()
    return statistics.median(times)


def folder_size(path: Path, pattern: str) -> int:
    return sum(item.stat().st_size for item in path.glob(pattern) if item.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description="Search benchmark")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--home", type=Path, help="an existing store made by bench/make_store.py")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        home = args.home or Path(scratch) / "home"
        if args.home is None:
            print(f"building a store of {args.stories} stories…", flush=True)
            build(home, args.stories, max(1, args.stories // 100))
        with Store(home) as store:
            count = store.count()
            started = time.perf_counter()
            store.reindex()
            build_seconds = time.perf_counter() - started
            queries = pick_queries(store)
            # What building and reindexing left behind is no search's: out of the collector's way, as a
            # process that only searches would have it (the reader freezes its rows the same way).
            gc.collect()
            gc.freeze()
            timings = in_process(store, queries, limit=500)
        index_bytes = folder_size(home, "catalog.sqlite3*")
        command_seconds = whole_command(home, queries["common word"])
        like_seconds = like_scan(count, queries["common word"], Path(scratch))
    everything = [t for values in timings.values() for t in values]
    print(f"\nSearch over {count} stories ({os.cpu_count()} cores)")
    print(f"  index build        {build_seconds:6.1f} s   {count / build_seconds:8.0f} stories/s   (target >= 5000)")
    print(f"  index size         {index_bytes / 1e6:6.1f} MB (catalog with list rows and FTS5 index)")
    print(f"  {'query':<18} {'p50 ms':>8} {'p99 ms':>8}   text")
    for name, values in timings.items():
        p50, p99 = percentile(values, 0.5) * 1e3, percentile(values, 0.99) * 1e3
        print(f"  {name:<18} {p50:8.2f} {p99:8.2f}   {queries[name]}")
    p50, p99 = percentile(everything, 0.5) * 1e3, percentile(everything, 0.99) * 1e3
    print(f"  {'all (top 500)':<18} {p50:8.2f} {p99:8.2f}   (targets: p50 < 10, p99 < 50)")
    print(f"  whole command      {command_seconds:6.3f} s   (target < 0.3 s)")
    print(f"  LIKE scan, newsboat-style  {like_seconds * 1e3:6.1f} ms   -> Broadsheet p50 is {like_seconds / (p50 / 1e3):.0f}x faster, and ranked")


if __name__ == "__main__":
    main()
