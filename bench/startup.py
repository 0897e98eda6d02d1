"""Start-up on a 100,000-story store: the real app under a pseudo-terminal, and `list`.

    python bench/startup.py [--stories 100000] [--feeds 1000] [--runs 5] [--full]

* TUI: `broadsheet --home DIR` runs under a pseudo-terminal (xterm-256color,
  120x40); the time is from launch until the newest story's title appears in
  its output (escape sequences stripped).  Target < 0.5 s.  For comparison, the
  same on a store holding only the bundled sample stories, and the time until
  the first frame (the list's border) shows.
* `broadsheet list --limit 50` as a whole process.  Target < 0.3 s.
* newsboat (when installed): `newsboat -x print-unread` on a cache of the same
  items (see bench/_common.newsboat_cache), after SQLite's ANALYZE, which is
  newsboat's best case; with --full also without it (about half a minute or more).

Medians of --runs runs; automatic refresh is off (BROADSHEET_REFRESH_MINUTES=0)
so that no fetch starts.  Prints RESULT lines for bench/run.py.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
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
    load_average,
    newest_titles,
    newsboat_cache,
    newsboat_command,
    result,
    scratch_dir,
    timed_run,
)

QUIET_ENV = {"BROADSHEET_REFRESH_MINUTES": "0"}


def tui_start(home: Path, title: str, timeout: float = 60.0) -> tuple[float, float, float]:
    """(seconds until the list's first frame, seconds until `title` shows, CPU seconds by then) of one launch."""
    needle = title[:24]
    with PtyApp([*broadsheet_command(), "--home", str(home)], env=QUIET_ENV) as app:
        shown = app.wait_for(lambda text: needle in text, timeout=timeout)
        if shown is None:
            raise RuntimeError(f"the newest title never showed within {timeout:.0f} s")
        cpu = app.cpu_seconds()
        frame = app.moment_found(lambda text: "Stories" in text) or shown
        return frame - app.started, shown - app.started, cpu


def sample_store(folder: Path) -> tuple[Path, str]:
    """A store holding only the sample stories (the app seeds them into an empty store)."""
    home = folder / "samples"
    home.mkdir()
    subprocess.run(
        [*broadsheet_command(), "--home", str(home), "list", "--limit", "1"], check=True, capture_output=True
    )
    titles = newest_titles(home)
    if not titles:  # `list` does not seed: let the app do it once
        with PtyApp([*broadsheet_command(), "--home", str(home)], env=QUIET_ENV) as app:
            app.wait_for(lambda text: "Stories" in text, timeout=30)
            deadline = time.monotonic() + 30
            while not newest_titles(home) and time.monotonic() < deadline:
                time.sleep(0.1)
        titles = newest_titles(home)
    return home, titles[0]


def main() -> None:
    parser = argparse.ArgumentParser(description="Start-up benchmark")
    parser.add_argument("--stories", type=int, default=100_000)
    parser.add_argument("--feeds", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--full", action="store_true", help="also time newsboat without ANALYZE (slow)")
    parser.add_argument("--no-newsboat", action="store_true")
    args = parser.parse_args()

    home = cached_store(args.stories, args.feeds)
    title = newest_titles(home)[0]
    use_newsboat = not args.no_newsboat and shutil.which("newsboat") is not None
    cache = urls = None
    if use_newsboat:
        cache, urls = newsboat_cache(args.stories, args.feeds)
    print(f"start-up, {args.stories:,} stories, load average {load_average()}", flush=True)

    with scratch_dir("startup-") as scratch:
        folder = Path(scratch)
        small, small_title = sample_store(folder)
        tui_start(home, title)  # once to warm the page cache, not counted
        frames, shows, cpus, small_shows = [], [], [], []
        for _ in range(args.runs):
            frame, shown, cpu = tui_start(home, title)
            frames.append(frame)
            shows.append(shown)
            cpus.append(cpu)
            small_shows.append(tui_start(small, small_title)[1])
            print(
                f"  tui: first frame {frame:.3f} s, newest title {shown:.3f} s (CPU {cpu:.2f} s); "
                f"sample store {small_shows[-1]:.3f} s; load {load_average()}",
                flush=True,
            )

        list_command = [*broadsheet_command(), "--home", str(home), "list", "--limit", "50"]
        timed_run(list_command, stdout=subprocess.DEVNULL)
        list_runs = [timed_run(list_command, stdout=subprocess.DEVNULL) for _ in range(max(args.runs, 5))]
        lists = [run[0] for run in list_runs]
        list_cpus = [run[2] for run in list_runs]

        newsboat_seconds: float | None = None
        newsboat_cold: float | None = None
        if use_newsboat and cache is not None and urls is not None:
            nb_home = folder / "newsboat"
            nb_home.mkdir()
            newsboat_command(cache, urls, "print-unread", nb_home)  # warm the page cache
            times = []
            for _ in range(max(1, min(args.runs, 3))):
                started = time.perf_counter()
                newsboat_command(cache, urls, "print-unread", nb_home)
                times.append(time.perf_counter() - started)
            newsboat_seconds = statistics.median(times)
            print(f"  newsboat print-unread (analyzed cache): {', '.join(f'{t:.2f}' for t in times)} s", flush=True)
            if args.full:
                cold = folder / "cold.db"
                shutil.copyfile(cache, cold)
                connection = sqlite3.connect(cold)
                connection.execute("DELETE FROM sqlite_stat1")
                connection.commit()
                connection.close()
                started = time.perf_counter()
                newsboat_command(cold, urls, "print-unread", nb_home)
                newsboat_cold = time.perf_counter() - started
                print(f"  newsboat print-unread (no ANALYZE): {newsboat_cold:.1f} s", flush=True)

    shown = statistics.median(shows)
    print(f"\nStart-up over {args.stories:,} stories ({args.runs} runs, medians; load average now {load_average()})")
    print(f"  first frame               {statistics.median(frames):6.3f} s")
    print(f"  newest title on screen    {shown:6.3f} s   (target < 0.5 s; best {min(shows):.3f} s)")
    print(f"  CPU used by then          {statistics.median(cpus):6.3f} s   (what an idle machine's time would be near)")
    print(f"  sample store, title       {statistics.median(small_shows):6.3f} s   (an almost empty store)")
    print(f"  `list --limit 50`         {statistics.median(lists):6.3f} s   (target < 0.3 s; CPU {statistics.median(list_cpus):.3f} s)")
    if newsboat_seconds is not None:
        print(f"  newsboat print-unread     {newsboat_seconds:6.3f} s   (cache after ANALYZE)")
    if newsboat_cold is not None:
        print(f"  newsboat, no ANALYZE      {newsboat_cold:6.1f} s")
    result("startup.tui", shown, "s", newsboat=newsboat_seconds, target="< 0.5", label=f"start-up, {args.stories:,} stories, newest title shown")
    result("startup.tui_cpu", statistics.median(cpus), "s", label="start-up, CPU time until the newest title shows")
    result("startup.tui_first_frame", statistics.median(frames), "s", label="start-up, first frame")
    result("startup.tui_samples", statistics.median(small_shows), "s", label="start-up, sample store (near empty)")
    result("startup.list", statistics.median(lists), "s", target="< 0.3", label="`list --limit 50`, whole process")
    result("startup.list_cpu", statistics.median(list_cpus), "s", label="`list --limit 50`, CPU time")
    if newsboat_cold is not None:
        result("startup.newsboat_no_analyze", newsboat_cold, "s", label="newsboat print-unread, cache without ANALYZE")


if __name__ == "__main__":
    main()
