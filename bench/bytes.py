"""Bytes written to the terminal per one-row move, through a pseudo-terminal at 120x40.

    python bench/bytes.py [--stories 2000] [--moves 20] [--term xterm-256color] [--truecolor]

Runs the real `broadsheet` on a generated store under a pty (TIOCSWINSZ 120x40), waits
for the first screen to settle, then presses `j` and counts the bytes the app writes
until its output goes quiet; 20 times.  Prints the median and the maximum, and what the
bytes went to (which screen rows were written), since over a slow SSH link every byte
counts.  Target: at most 4 KB per one-row move.

By default the terminal looks like one reached over SSH: TERM=xterm-256color and no
COLORTERM (so Textual writes 256-colour codes); --truecolor sets COLORTERM=truecolor.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import PtyApp, broadsheet_command, cached_store, newest_titles, plain, result  # noqa: E402

TARGET_BYTES = 4096
COLUMNS, ROWS = 120, 40
CURSOR_MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def rows_written(output: bytes) -> list[int]:
    """The screen rows the output moved the cursor to (1-based), in order, without repeats."""
    rows: list[int] = []
    for match in CURSOR_MOVE.finditer(output):
        row = int(match.group(1))
        if row not in rows:
            rows.append(row)
    return rows


def measure(home: Path, moves: int, *, term: str, truecolor: bool) -> list[tuple[int, list[int]]]:
    """(bytes, rows written) for each of `moves` presses of j, after the first screen settles."""
    with tempfile.TemporaryDirectory(prefix="broadsheet-bytes-") as scratch:
        config = Path(scratch) / "config.toml"
        config.write_text("refresh_minutes = 0\n", encoding="utf-8")
        env = {
            "TERM": term,
            "BROADSHEET_CONFIG": str(config),
            "BROADSHEET_HOME": str(home),
            "TEXTUAL_ANIMATIONS": "none",
            # Over SSH COLORTERM is usually not forwarded: empty, Textual writes 256-colour codes.
            "COLORTERM": "truecolor" if truecolor else "",
        }
        title = newest_titles(home)[0][:30]
        with PtyApp(broadsheet_command(), columns=COLUMNS, rows=ROWS, env=env) as app:
            if app.wait_for(lambda text: title in text, timeout=60) is None:
                raise SystemExit(f"the first screen never showed {title!r}:\n{plain(app.output())[-2000:]}")
            app.quiet(since=0, gap=1.0, timeout=30)
            figures = []
            for _ in range(moves):
                mark = app.mark()
                app.send(b"j")
                if app.quiet(since=mark, gap=0.4, timeout=10) is None:
                    raise SystemExit("the app wrote nothing after j, or never went quiet")
                output = app.output(mark)
                figures.append((len(output), rows_written(output)))
            return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=2000, help="stories in the generated store (default 2000)")
    parser.add_argument("--moves", type=int, default=20, help="presses of j to measure (default 20)")
    parser.add_argument("--term", default="xterm-256color", help="TERM for the app (default xterm-256color)")
    parser.add_argument("--truecolor", action="store_true", help="also set COLORTERM=truecolor (24-bit colour codes)")
    args = parser.parse_args()
    home = cached_store(args.stories, max(1, args.stories // 100), quiet=True)
    figures = measure(home, args.moves, term=args.term, truecolor=args.truecolor)
    sizes = [size for size, _rows in figures]
    median, largest = statistics.median(sizes), max(sizes)
    colours = "truecolor" if args.truecolor else "256 colours"
    print(f"{args.moves} one-row moves at {COLUMNS}x{ROWS}, TERM={args.term}, {colours}, {args.stories:,} stories")
    print(f"bytes per move: median {median:,.0f}, max {largest:,}, min {min(sizes):,} (target <= {TARGET_BYTES:,})")
    _size, rows = figures[len(figures) // 2]
    print(f"rows written by a typical move ({len(rows)} of {ROWS}): {', '.join(map(str, sorted(rows)))}")
    print("OK" if largest <= TARGET_BYTES else "OVER the target")
    result("bytes_per_move", median, "bytes", target=f"<= {TARGET_BYTES}", label=f"{COLUMNS}x{ROWS} {colours}")
    result("bytes_per_move_max", largest, "bytes", target=f"<= {TARGET_BYTES}", label=f"{COLUMNS}x{ROWS} {colours}")


if __name__ == "__main__":
    main()
