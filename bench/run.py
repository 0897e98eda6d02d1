"""Run every benchmark and print one table, with ratios against newsboat where it ran.

    python bench/run.py                  # the default sizes: about six minutes on 2 cores
    python bench/run.py --full           # also 1,000-feed fetches, 100,000-story grouping, newsboat without ANALYZE
    python bench/run.py --only startup keys
    python bench/run.py --skip fetch     # everything but fetch

Each benchmark runs as its own process, its output shown as it comes; its key
figures are collected from its output and the table printed at the end (Markdown,
ready for the README), with the machine it ran on.

The contract (for every script under bench/)
--------------------------------------------
A script reports a figure by printing one line to stdout:

    RESULT name=<id> value=<number> unit=<unit> [newsboat=<number>] [target='<op> <number>'] [label='<text>']

* ``name``: dotted id, e.g. ``startup.tui``; ``value`` a plain number; ``unit`` e.g. s, ms, MB, stories/s, ratio.
* ``newsboat``: newsboat's figure for the same measurement, same unit, same run (when it ran).
* ``target``: ``< 0.5``, ``<= 300``, ``>= 5000``, or relative: ``<= 1.5x newsboat``.
* ``label``: what the row says in the table (default: the name).
* Values with spaces are quoted as a POSIX shell would (``shlex.quote``); bench/_common.result() prints one.

Also accepted: ``RESULT <id>=<number> unit=<unit> ...`` (the id as the first key) and
``RESULT {"name": ..., "value": ..., ...}`` (one JSON object).  Scripts that print no
RESULT line yet (fetch, search, extract today) are read by the parsers at the end of
this file.  Exit status: 0 fine (1 may mean a bound was broken: the figures still
count); anything else, or no figure at all, is shown as a failure in the table.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._common import cached_store, load_average, scratch_copy, scratch_dir  # noqa: E402

RESERVED = {"name", "value", "unit", "newsboat", "target", "label"}


@dataclass
class Figure:
    name: str
    value: float
    unit: str = ""
    newsboat: float | None = None
    target: str = ""
    label: str = ""
    bench: str = ""


@dataclass
class Bench:
    name: str
    arguments: Callable[[argparse.Namespace, Path], list[str]]
    parse: Callable[[str], list[Figure]] | None = None
    needs_store: bool = False
    figures: list[Figure] = field(default_factory=list)
    status: str = ""
    seconds: float = 0.0


# ------------------------------------------------------------------ reading RESULT lines


def number(text: str) -> float:
    return float(text.replace(",", ""))


def parse_result_line(line: str) -> Figure | None:
    rest = line.strip()[len("RESULT") :].strip()
    if rest.startswith("{"):
        data = json.loads(rest)
        return Figure(
            str(data["name"]),
            float(data["value"]),
            str(data.get("unit", "")),
            float(data["newsboat"]) if data.get("newsboat") is not None else None,
            str(data.get("target", "")),
            str(data.get("label", "")),
        )
    fields: dict[str, str] = {}
    first: tuple[str, str] | None = None
    for token in shlex.split(rest):
        key, _, value = token.partition("=")
        if key not in RESERVED and first is None and "name" not in fields:
            first = (key, value)
        else:
            fields[key] = value
    if "name" in fields:
        name, value = fields["name"], fields.get("value", "nan")
    elif first is not None:
        name, value = first
    else:
        return None
    return Figure(
        name,
        number(value),
        fields.get("unit", ""),
        number(fields["newsboat"]) if fields.get("newsboat") not in (None, "") else None,
        fields.get("target", ""),
        fields.get("label", ""),
    )


def result_lines(output: str) -> list[Figure]:
    figures = []
    for line in output.splitlines():
        if line.startswith("RESULT "):
            try:
                figure = parse_result_line(line)
            except (ValueError, KeyError, json.JSONDecodeError):
                continue
            if figure is not None:
                figures.append(figure)
    return figures


# ------------------------------------------------------------------ the scripts that print no RESULT yet


def parse_fetch(output: str) -> list[Figure]:
    figures: list[Figure] = []
    scenario = ""
    rows: dict[str, tuple[float, float, float, float]] = {}

    def flush() -> None:
        ours = rows.get("broadsheet")
        if ours is None:
            return
        theirs = rows.get("newsboat")
        slug = scenario.replace(" ", "")
        figures.append(
            Figure(f"fetch.{slug}.cold", ours[0], "s", theirs[0] if theirs else None, label=f"fetch {scenario}, cold")
        )
        figures.append(
            Figure(f"fetch.{slug}.warm", ours[3], "s", theirs[3] if theirs else None, label=f"fetch {scenario}, warm (304s)")
        )
        figures.append(
            Figure(f"fetch.{slug}.rss", ours[2], "MB", theirs[2] if theirs else None, label=f"fetch {scenario}, peak RSS")
        )

    for line in output.splitlines():
        header = re.match(r"^(\d[\d,]*) feeds x (\d[\d,]*) items", line)
        if header:
            flush()
            rows = {}
            scenario = f"{header.group(1)}x{header.group(2)}"
            continue
        row = re.match(r"^(broadsheet|newsboat)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+) MB\s+([\d.]+)", line)
        if row:
            rows[row.group(1)] = (float(row.group(2)), float(row.group(3)), float(row.group(4)), float(row.group(5)))
    flush()
    return figures


def parse_search(output: str) -> list[Figure]:
    figures = []
    match = re.search(r"all \(top 500\)\s+([\d.]+)\s+([\d.]+)", output)
    like = re.search(r"LIKE scan, newsboat-style\s+([\d.]+) ms", output)
    if match:
        newsboat = float(like.group(1)) if like else None
        figures.append(Figure("search.p50", float(match.group(1)), "ms", newsboat, "< 10", "search p50 (newsboat: LIKE scan)"))
        figures.append(Figure("search.p99", float(match.group(2)), "ms", None, "< 50", "search p99"))
    match = re.search(r"whole command\s+([\d.]+) s", output)
    if match:
        figures.append(Figure("search.command", float(match.group(1)), "s", None, "< 0.3", "`search`, whole process"))
    match = re.search(r"index build\s+([\d.]+) s\s+([\d.]+) stories/s", output)
    if match:
        figures.append(Figure("search.index_rate", float(match.group(2)), "stories/s", None, ">= 5000", "index build rate"))
    return figures


def parse_extract(output: str) -> list[Figure]:
    figures = []
    for line in output.splitlines():
        row = re.match(r"^(broadsheet \(balanced\)|trafilatura\.extract)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", line)
        if row and row.group(1).startswith("broadsheet"):
            figures.append(Figure("extract.shingle_f1", float(row.group(7)), "F1", label="extraction, shingle F1 (tests/pages)"))
            figures.append(Figure("extract.seconds_per_page", float(row.group(8)), "s", label="extraction, s per page"))
    return figures


# ------------------------------------------------------------------ the benchmarks


def benches() -> list[Bench]:
    return [
        Bench("startup", lambda a, s: ["--full"] if a.full else [], needs_store=True),
        Bench("keys", lambda a, s: [], needs_store=True),
        Bench("memory", lambda a, s: [], needs_store=True),
        Bench("search", lambda a, s: ["--home", str(s)], parse_search, needs_store=True),
        Bench("fetch", lambda a, s: [] if a.full else ["--quick"], parse_fetch),
        Bench("extract", lambda a, s: [], parse_extract),
        Bench("hostile", lambda a, s: []),
        Bench("bytes", lambda a, s: []),
        Bench("grouping", lambda a, s: [] if a.full else ["--quick"]),
    ]


def run_bench(bench: Bench, arguments: list[str], timeout: float) -> str:
    command = [sys.executable, str(ROOT / "bench" / f"{bench.name}.py"), *arguments]
    print(f"\n== {bench.name}: {' '.join(command[1:])}  (load average {load_average()})", flush=True)
    started = time.perf_counter()
    lines: list[str] = []
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    try:
        deadline = started + timeout
        for line in process.stdout:
            print("   " + line, end="", flush=True)
            lines.append(line)
            if time.perf_counter() > deadline:
                process.kill()
                bench.status = f"timed out after {timeout:.0f} s"
                break
        process.wait()
    except KeyboardInterrupt:
        process.kill()
        raise
    bench.seconds = time.perf_counter() - started
    if not bench.status and process.returncode not in (0, 1):
        bench.status = f"failed (exit {process.returncode})"
    return "".join(lines)


# ------------------------------------------------------------------ the table


def target_met(figure: Figure) -> bool | None:
    match = re.match(r"^\s*(<=|>=|<|>)\s*([\d.,]+)\s*(x newsboat)?\s*$", figure.target)
    if not match:
        return None
    operator, bound = match.group(1), number(match.group(2))
    if match.group(3):
        if figure.newsboat is None:
            return None
        bound *= figure.newsboat
    return {"<": figure.value < bound, "<=": figure.value <= bound, ">": figure.value > bound, ">=": figure.value >= bound}[
        operator
    ]


def shown(value: float, unit: str) -> str:
    if value != value:  # NaN
        return "–"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    elif abs(value) >= 100:
        text = f"{value:.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    elif abs(value) >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(all_benches: list[Bench]) -> str:
    lines = [
        "| Benchmark | Broadsheet | newsboat | Broadsheet ÷ newsboat | Target | |",
        "|---|---:|---:|---:|---|---|",
    ]
    for bench in all_benches:
        if bench.status and not bench.figures:
            lines.append(f"| {bench.name} | {bench.status} | | | | ✗ |")
            continue
        for figure in bench.figures:
            theirs = shown(figure.newsboat, figure.unit) if figure.newsboat is not None else ""
            ratio = f"{figure.value / figure.newsboat:.2f}x" if figure.newsboat else ""
            met = target_met(figure)
            mark = {True: "✓", False: "✗ missed", None: ""}[met]
            label = (figure.label or figure.name).replace("|", "\\|")
            target = figure.target.replace("|", "\\|")
            lines.append(f"| {label} | {shown(figure.value, figure.unit)} | {theirs} | {ratio} | {target} | {mark} |")
        if bench.status:
            lines.append(f"| {bench.name} | {bench.status} | | | | ✗ |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kilobytes = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kilobytes / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    newsboat = "not installed"
    if shutil.which("newsboat"):
        answer = subprocess.run(["newsboat", "--version"], capture_output=True, text=True)
        newsboat = answer.stdout.splitlines()[0].split(" - ")[0] if answer.stdout else "installed"
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; {newsboat}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Run every benchmark; print one table")
    parser.add_argument("--full", action="store_true", help="the large sizes too (much longer)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks")
    parser.add_argument("--skip", nargs="+", metavar="NAME", default=[], help="do not run these")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed to each benchmark")
    args = parser.parse_args()
    chosen = [b for b in benches() if (not args.only or b.name in args.only) and b.name not in args.skip]
    chosen = [b for b in chosen if (ROOT / "bench" / f"{b.name}.py").exists()]
    started = time.perf_counter()
    print(f"Machine: {machine()}\nLoad average at start: {load_average()}", flush=True)
    if any(b.needs_store for b in chosen):
        cached_store(100_000, 1_000)  # built once here, not inside the first benchmark's time
    with scratch_dir("run-") as scratch:
        for bench in chosen:
            store = Path(scratch) / bench.name
            if bench.name == "search":  # it rebuilds the index: give it a copy, keep the cached one as built
                store = scratch_copy(cached_store(100_000, 1_000), Path(scratch) / bench.name)
            output = run_bench(bench, bench.arguments(args, store), args.timeout)
            bench.figures = result_lines(output) or (bench.parse(output) if bench.parse else [])
            for figure in bench.figures:
                figure.bench = bench.name
            if not bench.figures and not bench.status:
                bench.status = "no figures in its output"
            if store.exists():
                shutil.rmtree(store, ignore_errors=True)
    minutes = (time.perf_counter() - started) / 60
    print(f"\n\n## Benchmarks ({'full' if args.full else 'default'} sizes, {minutes:.1f} min)\n")
    print(f"Machine: {machine()}; load average at the end {load_average()}.\n")
    print(table(chosen))
    print("\nRatios: Broadsheet's figure over newsboat's for the same measurement in the same run (below 1: less time, memory or disk).")
    failed = [b.name for b in chosen if b.status]
    if failed:
        print("Failed: " + ", ".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
