"""Benchmark: every hostile feed in tests/corpus, fetched from 127.0.0.1, within bounds.

    python bench/hostile.py            # every case (run by `make bench`)
    python bench/hostile.py gzip_bomb  # some cases

Each case runs in a fresh process (so its peak memory is its own): the corpus
file is served on 127.0.0.1 the way its .expect.json says (tests/httpserver.py,
or tests/corpus/rawserver.py for whole canned HTTP answers), a fresh store
subscribes to it and ``fetch_all`` fetches it, parsing in the same process
(parse_workers=0), so lxml's and zlib's memory is counted too.  Printed per case:
peak resident memory growth over the process after start-up, and the fetch's
wall-clock time against its deadline.  The bounds of issue 7: growth under 100
MB, and no fetch past its deadline (with 1 s of slack for start and teardown).
Exit status 1 when any case breaks a bound.
"""

from __future__ import annotations

import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "corpus"
MEMORY_BOUND_MB = 100.0
SLACK_SECONDS = 1.0
DEFAULT_DEADLINE = 5.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_case(name: str) -> dict[str, object]:
    """In the child: serve, fetch, measure."""
    from store import Store
    from store.feeds import Feed, FeedList
    from store.fetch import FetchSettings, fetch_all
    from tests.corpus.rawserver import RawServer
    from tests.httpserver import FeedServer, Route

    expect = json.loads((CORPUS / f"{name}.expect.json").read_text())
    settings = FetchSettings(timeout=DEFAULT_DEADLINE, parse_workers=0, retry_within_fetch=0.0)
    settings = replace(settings, **expect.get("settings", {}))
    raw = expect["kind"] == "raw"
    server = RawServer() if raw else FeedServer()
    try:
        body = (CORPUS / expect["file"]).read_bytes().replace(b"{{BASE}}", server.base.encode())
        if raw:
            url = server.route("/" + expect["file"], body, close=expect.get("close", False))
        else:
            serve = json.loads(json.dumps(expect.get("serve", {})).replace("{{BASE}}", server.base))
            headers = dict(serve.get("headers", {}))
            if serve.get("encoded"):
                headers["Content-Encoding"] = ", ".join(serve["encoded"])
            url = server.route("/" + expect["file"], Route(
                status=serve.get("status", 200), body=body, headers=headers,
                content_type=serve.get("content_type", "application/xml"), drip=serve.get("drip", 0.0),
            ))
        del body
        with tempfile.TemporaryDirectory() as folder:
            home = Path(folder) / "home"
            with Store(home) as store, FeedList(home) as feeds:
                feeds.add(Feed(url=url))
                before = peak_mb()
                started = time.perf_counter()
                summary = asyncio.run(fetch_all(store, feeds, settings=settings))
                elapsed = time.perf_counter() - started
                growth = peak_mb() - before
    finally:
        server.close()
    error = summary.errors[0][1] if summary.errors else ""
    return {"case": name, "growth_mb": growth, "seconds": elapsed, "deadline": settings.timeout,
            "stories": summary.new_stories, "error": error}


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(run_case(argv[1])))
        return 0
    names = argv or sorted(
        path.name.removesuffix(".expect.json") for path in CORPUS.glob("*.expect.json")
        if json.loads(path.read_text())["kind"] in ("feed", "raw")
    )
    print(f"{'case':36} {'memory growth':>14} {'time':>8} {'deadline':>9}  outcome")
    worst_memory, worst_ratio, broken = 0.0, 0.0, []
    for name in names:
        child = subprocess.run([sys.executable, __file__, "--child", name], capture_output=True, text=True, cwd=ROOT)
        if child.returncode != 0 or not child.stdout.strip():
            print(f"{name:36} crashed: {child.stderr.strip().splitlines()[-1:] or child.returncode}")
            broken.append(name)
            continue
        found = json.loads(child.stdout.strip().splitlines()[-1])
        growth, seconds, deadline = float(found["growth_mb"]), float(found["seconds"]), float(found["deadline"])
        outcome = found["error"] or f"{found['stories']} stories"
        over = growth >= MEMORY_BOUND_MB or seconds > deadline + SLACK_SECONDS
        flag = "  <-- OVER BOUND" if over else ""
        print(f"{name:36} {growth:11.1f} MB {seconds:7.2f}s {deadline:8.1f}s  {str(outcome)[:70]}{flag}")
        worst_memory = max(worst_memory, growth)
        worst_ratio = max(worst_ratio, seconds / deadline)
        if over:
            broken.append(name)
    print(f"\n{len(names)} hostile feeds; largest memory growth {worst_memory:.1f} MB (bound {MEMORY_BOUND_MB:.0f} MB); "
          f"slowest fetch {worst_ratio:.0%} of its deadline.")
    print(f"RESULT name=hostile.max_memory_growth value={worst_memory:.6g} unit=MB")
    print(f"RESULT name=hostile.max_deadline_fraction value={worst_ratio:.6g} unit=ratio")
    if broken:
        print("Over a bound or crashed: " + ", ".join(broken))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
