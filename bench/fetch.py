"""Benchmark: fetching N feeds of M items, cold and warm, against newsboat.

    python bench/fetch.py                      # 200 x 50, then 1,000 x 100
    python bench/fetch.py --quick              # 200 x 50 only
    python bench/fetch.py --feeds 500 --items 20 --latency-ms 50

It writes a corpus of feeds (RSS 2.0 and Atom 1.0 in turn, items with realistic
HTML bodies) to a temporary folder and serves it on 127.0.0.1 from a separate
process (several ports, as several hosts would be; ETag, Last-Modified, gzip,
optional latency).  Broadsheet subscribes a fresh store to every feed, then a
fresh process runs ``fetch_all`` twice: cold (every story new) and warm (every
answer a 304).  Times are wall-clock seconds of the whole fetching process,
start-up included, as for newsboat; peak RSS is the largest sum, sampled, of
the fetching process and its children (the parsing workers).

When ``newsboat`` is installed, it runs on the same corpus in the same run:
``reload-threads 8``, ``newsboat -x reload``.  newsboat sends conditional
requests only from its third reload, so it is primed twice after the cold
reload before its warm reload is timed.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import gzip
import hashlib
import html
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ((200, 50), (1000, 100))
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or his from at which but have an "
    "they you were her she there been one all we their has would when if so no will what can more who harbour "
    "council market research climate water energy city report court school health season players museum "
    "election policy data ferry bridge station library budget minister weather festival river coast union"
).split()


# ------------------------------------------------------------------ corpus


class Corpus:
    """Feeds written to a folder, deterministic for a given size."""

    def __init__(self, folder: Path, feeds: int, items: int) -> None:
        self.folder = folder
        self.feeds = feeds
        self.items = items
        self.random = random.Random(feeds * 100_003 + items)
        self.paragraphs = [self._paragraph() for _ in range(1500)]

    def _sentence(self, low: int = 8, high: int = 22) -> str:
        words = self.random.choices(WORDS, k=self.random.randint(low, high))
        return " ".join(words).capitalize() + "."

    def _paragraph(self) -> str:
        sentences = []
        for _ in range(self.random.randint(2, 5)):
            text = html.escape(self._sentence())
            roll = self.random.random()
            if roll < 0.25:
                words = html.escape(self._sentence(2, 4)[:-1])
                text = text[:-1] + f' <a href="/story/{self.random.randint(1, 99_999)}">{words}</a>.'
            elif roll < 0.35:
                text = f"<em>{text}</em>"
            elif roll < 0.4:
                elsewhere = f"https://other.example/{self.random.randint(1, 9999)}"
                text = f'<strong>{text}</strong> <a href="{elsewhere}">more</a>'
            sentences.append(text)
        return "<p>" + " ".join(sentences) + "</p>"

    def body(self) -> str:
        blocks = self.random.sample(self.paragraphs, self.random.randint(1, 6))
        if self.random.random() < 0.3:
            image = f'<img src="/img/{self.random.randint(1, 999)}.jpg" alt="A photo">'
            blocks.insert(1, f"<figure>{image}<figcaption>{self._sentence(4, 8)}</figcaption></figure>")
        if self.random.random() < 0.2:
            blocks.append("<ul>" + "".join(f"<li>{self._sentence(4, 9)}</li>" for _ in range(3)) + "</ul>")
        return "\n".join(blocks)

    def write(self) -> list[str]:
        """Write every feed; returns their file names."""
        self.folder.mkdir(parents=True, exist_ok=True)
        names = []
        for number in range(self.feeds):
            atom = number % 2 == 1
            name = f"feed{number:05d}.{'atom' if atom else 'rss'}"
            document = self._atom(number) if atom else self._rss(number)
            (self.folder / name).write_text(document, encoding="utf-8")
            names.append(name)
        return names

    def _dates(self, number: int) -> list[datetime]:
        step = timedelta(hours=self.random.randint(2, 30))
        return [NOW - timedelta(minutes=number) - step * index for index in range(self.items)]

    def _rss(self, number: int) -> str:
        out = [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>',
            f"<title>Gazette {number}</title><link>https://site{number}.example/</link>",
            "<description>Local news</description>",
        ]
        for index, date in enumerate(self._dates(number)):
            out.append(
                f"<item><title>{html.escape(self._sentence(5, 11))}</title>"
                f"<link>https://site{number}.example/{date:%Y/%m}/story-{index}</link>"
                f'<guid isPermaLink="false">site{number}-{index}</guid>'
                f"<pubDate>{email.utils.format_datetime(date)}</pubDate>"
                f"<dc:creator>Writer {index % 7}</dc:creator><category>Section {index % 5}</category>"
                f"<description>{html.escape(self.body())}</description></item>"
            )
        out.append("</channel></rss>")
        return "\n".join(out)

    def _atom(self, number: int) -> str:
        out = [
            '<?xml version="1.0" encoding="utf-8"?>',
            '<feed xmlns="http://www.w3.org/2005/Atom">',
            f'<title>Journal {number}</title><id>urn:bench:{number}</id>',
            f'<link rel="alternate" href="https://journal{number}.example/"/><updated>{NOW.isoformat()}</updated>',
        ]
        for index, date in enumerate(self._dates(number)):
            out.append(
                f"<entry><title>{html.escape(self._sentence(5, 11))}</title><id>urn:bench:{number}:{index}</id>"
                f'<link rel="alternate" href="https://journal{number}.example/{index}"/>'
                f"<published>{date.isoformat()}</published><updated>{date.isoformat()}</updated>"
                f"<author><name>Writer {index % 7}</name></author>"
                f'<content type="html">{html.escape(self.body())}</content></entry>'
            )
        out.append("</feed>")
        return "\n".join(out)


# ------------------------------------------------------------------ server (its own process)


@dataclass
class Served:
    body: bytes
    gzipped: bytes
    etag: str
    last_modified: str
    content_type: str


def serve(folder: Path, ports: int, latency: float) -> None:
    """Serve every file of ``folder`` on ``ports`` ports; print the ports; run until stdin closes."""
    files: dict[str, Served] = {}
    stamp = email.utils.format_datetime(NOW, usegmt=True)
    for path in sorted(folder.iterdir()):
        body = path.read_bytes()
        kind = "application/atom+xml" if path.suffix == ".atom" else "application/rss+xml"
        etag = '"' + hashlib.blake2b(body, digest_size=8).hexdigest() + '"'
        files["/" + path.name] = Served(body, gzip.compress(body, 6), etag, stamp, kind)
    counts: dict[int, int] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet."""

        def do_GET(self) -> None:
            if self.path == "/_stats":
                with lock:
                    self._send(200, {"Content-Type": "application/json"}, json.dumps(counts).encode())
                    counts.clear()
                return
            if latency:
                time.sleep(latency)
            served = files.get(self.path)
            if served is None:
                status, headers, body = 404, {}, b""
            elif self.headers.get("If-None-Match") == served.etag or (
                self.headers.get("If-Modified-Since") == served.last_modified and not self.headers.get("If-None-Match")
            ):
                status, headers, body = 304, {"ETag": served.etag, "Last-Modified": served.last_modified}, b""
            else:
                status, body = 200, served.body
                headers = {
                    "Content-Type": served.content_type,
                    "ETag": served.etag,
                    "Last-Modified": served.last_modified,
                }
                if "gzip" in self.headers.get("Accept-Encoding", ""):
                    body = served.gzipped
                    headers["Content-Encoding"] = "gzip"
            with lock:
                counts[status] = counts.get(status, 0) + 1
            self._send(status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    servers = []
    for _ in range(ports):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    print(" ".join(str(server.server_address[1]) for server in servers), flush=True)
    sys.stdin.read()


class CorpusServer:
    """The server process, from the benchmark's side."""

    def __init__(self, folder: Path, ports: int, latency: float) -> None:
        command = [sys.executable, __file__, "--serve", str(folder), "--ports", str(ports)]
        command += ["--latency-ms", str(latency * 1000)]
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        self.ports = [int(port) for port in self.process.stdout.readline().split()]

    def urls(self, names: list[str]) -> list[str]:
        return [f"http://127.0.0.1:{self.ports[i % len(self.ports)]}/{name}" for i, name in enumerate(names)]

    def stats(self) -> dict[str, int]:
        """Answers by status since the last call."""
        import urllib.request

        with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[0]}/_stats") as answer:
            return {str(k): v for k, v in json.loads(answer.read()).items()}

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


# ------------------------------------------------------------------ measuring a process


def _tree_rss(root: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
        except (OSError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21]) * page
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending.extend(children.get(pid, []))
    return total


@dataclass
class Run:
    seconds: float
    peak_rss: int
    output: str


def measure(command: list[str]) -> Run:
    """Run a command; its wall time and the peak resident size of its process tree."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{command[0]} failed ({process.returncode}):\n{output[-2000:]}")
    return Run(seconds, peak, output)


# ------------------------------------------------------------------ the two readers


def broadsheet_fetch(home: Path) -> None:
    """The fetching process: one fetch_all over every feed of the store; prints its summary."""
    sys.path.insert(0, str(ROOT))
    from store.feeds import FeedList
    from store.fetch import fetch_all
    from store.records import Store

    with Store(home) as store, FeedList(home) as feeds:
        summary = asyncio.run(fetch_all(store, feeds))
    print(json.dumps(summary.as_json()))


def subscribe(home: Path, urls: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from store.feeds import Feed, FeedList

    with FeedList(home) as feeds:
        feeds.add_many(Feed(url=url) for url in urls)


@dataclass
class Result:
    tool: str
    cold: Run
    warm: Run
    stories: int
    warm_answers: dict[str, int]


def run_broadsheet(work: Path, urls: list[str], server: CorpusServer) -> Result:
    home = work / "broadsheet-home"
    shutil.rmtree(home, ignore_errors=True)
    subscribe(home, urls)
    command = [sys.executable, __file__, "--fetch", str(home)]
    server.stats()
    cold = measure(command)
    cold_summary = json.loads(cold.output.strip().splitlines()[-1])
    server.stats()
    warm = measure(command)
    warm_summary = json.loads(warm.output.strip().splitlines()[-1])
    answers = server.stats()
    if cold_summary["errors"] or warm_summary["not_modified"] != len(urls):
        raise SystemExit(f"broadsheet: unexpected summaries:\ncold {cold_summary}\nwarm {warm_summary}")
    return Result("broadsheet", cold, warm, cold_summary["new_stories"], answers)


def run_newsboat(work: Path, urls: list[str], server: CorpusServer, items: int) -> Result:
    folder = work / "newsboat"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    (folder / "urls").write_text("\n".join(urls) + "\n")
    (folder / "config").write_text("reload-threads 8\n")
    command = [
        "newsboat", "-x", "reload",
        "-u", str(folder / "urls"), "-c", str(folder / "cache.db"), "-C", str(folder / "config"),
    ]
    server.stats()
    cold = measure(command)
    measure(command)  # newsboat sends conditional requests only from its third reload:
    measure(command)  # prime it twice before timing the warm one.
    server.stats()
    warm = measure(command)
    return Result("newsboat", cold, warm, len(urls) * items, server.stats())


# ------------------------------------------------------------------ report


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def report(feeds: int, items: int, latency_ms: float, results: list[Result], repeat: int = 1) -> None:
    title = f"\n{feeds} feeds x {items} items" + (f", {latency_ms:g} ms latency" if latency_ms else "")
    print(title + (f" (medians of {repeat} runs)" if repeat > 1 else ""))
    header = f"{'':12} {'cold s':>8} {'stories/s':>10} {'peak RSS':>9} {'warm s':>8}  warm answers"
    print(header)
    print("-" * len(header))
    for result in results:
        rate = result.stories / result.cold.seconds if result.cold.seconds else 0.0
        answers = ", ".join(f"{count} x {status}" for status, count in sorted(result.warm_answers.items()))
        print(
            f"{result.tool:12} {result.cold.seconds:8.2f} {rate:10.0f} {megabytes(result.cold.peak_rss):>9} "
            f"{result.warm.seconds:8.2f}  {answers}"
        )
    if len(results) == 2:
        ours, theirs = results
        print(
            f"broadsheet / newsboat: cold {ours.cold.seconds / theirs.cold.seconds:.2f}x, "
            f"warm {ours.warm.seconds / theirs.warm.seconds:.2f}x (below 1 is faster)"
        )


def median_result(runs: list[Result]) -> Result:
    """Each figure's median over the runs (one run: itself)."""
    if len(runs) == 1:
        return runs[0]

    def middle(values: list[float]) -> float:
        return sorted(values)[len(values) // 2]

    cold = Run(middle([r.cold.seconds for r in runs]), int(middle([r.cold.peak_rss for r in runs])), "")
    warm = Run(middle([r.warm.seconds for r in runs]), int(middle([r.warm.peak_rss for r in runs])), "")
    return Result(runs[0].tool, cold, warm, runs[0].stories, runs[-1].warm_answers)


def scenario(feeds: int, items: int, latency_ms: float, ports: int, repeat: int = 1) -> None:
    with tempfile.TemporaryDirectory(prefix="broadsheet-bench-") as temporary:
        work = Path(temporary)
        print(f"\nwriting {feeds} feeds of {items} items…", end="", flush=True)
        names = Corpus(work / "corpus", feeds, items).write()
        size = sum((work / "corpus" / name).stat().st_size for name in names)
        print(f" {megabytes(size)}")
        server = CorpusServer(work / "corpus", ports, latency_ms / 1000)
        try:
            urls = server.urls(names)
            ours: list[Result] = []
            theirs: list[Result] = []
            for _ in range(repeat):  # in turn, so both see the machine's load alike
                ours.append(run_broadsheet(work, urls, server))
                if shutil.which("newsboat"):
                    theirs.append(run_newsboat(work, urls, server, items))
            if not theirs:
                print("(newsboat is not installed: no comparison)")
        finally:
            server.close()
        if repeat > 1:
            for run in ours + theirs:
                print(f"  {run.tool:10} cold {run.cold.seconds:6.2f} s  warm {run.warm.seconds:5.2f} s  "
                      f"peak RSS {megabytes(run.cold.peak_rss)}")
        results = [median_result(ours)] + ([median_result(theirs)] if theirs else [])
        report(feeds, items, latency_ms, results, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, help="number of feeds (with --items: one scenario)")
    parser.add_argument("--items", type=int, help="items per feed")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="the server waits this long before each answer")
    parser.add_argument("--ports", type=int, default=8, help="ports served, standing for hosts (default 8)")
    parser.add_argument("--quick", action="store_true", help="only 200 feeds x 50 items")
    parser.add_argument("--repeat", type=int, default=1, help="run each reader this many times; print medians")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--fetch", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.ports, args.latency_ms / 1000)
        return
    if args.fetch:
        broadsheet_fetch(args.fetch)
        return
    if args.feeds or args.items:
        scenarios: tuple[tuple[int, int], ...] = ((args.feeds or 200, args.items or 50),)
    else:
        scenarios = SCENARIOS[:1] if args.quick else SCENARIOS
    print(f"cpus: {os.cpu_count()}, python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")
    for feeds, items in scenarios:
        scenario(feeds, items, args.latency_ms, args.ports, max(1, args.repeat))
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
