"""Helpers shared by the benchmarks: the cached generated store, a pseudo-terminal
runner for the real app, RESULT lines (the contract bench/run.py reads), percentiles.

Generated stores are cached under the bench work dir (``$BROADSHEET_BENCH_DIR``, else
``~/.cache/broadsheet-bench``), keyed by their size and by a digest of the code that
shapes them (bench/make_store.py and the store's file and index format), so they are
built once, not every run.  Benchmarks that write (opening stories marks them read,
a fetch adds stories) work on a scratch copy (`scratch_copy`).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path


ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def broadsheet_command() -> list[str]:
    """The real `broadsheet` command: the venv's entry point, else the module it runs."""
    script = Path(PYTHON).parent / "broadsheet"
    return [str(script)] if script.exists() else [PYTHON, "-m", "tui.cli"]


def bench_dir() -> Path:
    folder = Path(os.environ.get("BROADSHEET_BENCH_DIR") or Path.home() / ".cache" / "broadsheet-bench")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def bench_config() -> Path:
    """The settings the app runs with under the benchmarks: the defaults, no automatic refresh.

    Not the reader's own config.toml (a theme, a layout or key bindings of theirs would
    change the figures, a retention setting could prune the store under the benchmark).
    """
    path = bench_dir() / "config.toml"
    wanted = "# Written by bench/_common.py: the defaults, without automatic refresh.\nrefresh_minutes = 0\n"
    if not path.exists() or path.read_text() != wanted:
        temporary = path.with_name(f".config.{os.getpid()}.tmp")
        temporary.write_text(wanted)
        temporary.replace(path)
    return path


def code_version() -> str:
    """What shapes a generated store: the generator, the index's schema version, the story's fields.

    Not every change to store/: a store made by older code still opens (the store
    brings its index up to date itself), so other edits do not force a rebuild.
    """
    sys.path.insert(0, str(ROOT))
    from dataclasses import fields

    from store.catalog import SCHEMA_VERSION
    from store.model import Story

    digest = hashlib.sha256((ROOT / "bench" / "make_store.py").read_bytes())
    digest.update(SCHEMA_VERSION.encode())
    digest.update(" ".join(field.name for field in fields(Story)).encode())
    return digest.hexdigest()[:10]


def folder_size(path: Path) -> int:
    """Bytes in the files under `path` (what `du --apparent-size` counts)."""
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cached_store(stories: int, feeds: int, *, quiet: bool = False) -> Path:
    """The home of a generated store of this size, built by bench/make_store.py once and kept."""
    base = bench_dir()
    name = f"store-{stories}x{feeds}-{code_version()}"
    home = base / name / "home"
    done = base / name / "complete"
    with _locked(base / f"{name}.lock"):
        if done.exists():
            return home
        for old in base.glob(f"store-{stories}x{feeds}-*"):
            if old.is_dir() and old.name != name:
                shutil.rmtree(old, ignore_errors=True)  # another code version's: outdated
            elif old.suffix == ".lock" and old.stem != name:
                old.unlink(missing_ok=True)
        shutil.rmtree(base / name, ignore_errors=True)
        (base / name).mkdir(parents=True)
        if not quiet:
            print(f"building a store of {stories:,} stories in {feeds:,} feeds (cached in {base / name})…", flush=True)
        command = [PYTHON, str(ROOT / "bench" / "make_store.py"), "--stories", str(stories), "--feeds", str(feeds)]
        subprocess.run([*command, "--home", str(home)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL if quiet else None)
        done.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
    return home


def newsboat_cache(stories: int, feeds: int, *, quiet: bool = False) -> tuple[Path, Path]:
    """(cache.db, urls file): the same generated items in newsboat's own cache format.

    The schema is the one newsboat itself creates (it is run once on an empty cache
    to make it); each item's content is its body and, for a quarter, its full text,
    as HTML paragraphs (what newsboat keeps from a feed; it has no highlights).
    SQLite's ANALYZE has been run on it (newsboat's best case; see bench/startup.py).
    Built once and kept like `cached_store`.  Needs newsboat on PATH.
    """
    import html
    import sqlite3

    sys.path.insert(0, str(ROOT))
    from bench.make_store import generate, subscriptions

    base = bench_dir()
    name = f"newsboat-{stories}x{feeds}-{code_version()}-analyzed"
    folder = base / name
    cache, urls, done = folder / "cache.db", folder / "urls", folder / "complete"
    with _locked(base / f"{name}.lock"):
        if done.exists():
            return cache, urls
        for old in base.glob(f"newsboat-{stories}x{feeds}-*"):
            if old.is_dir() and old.name != name:
                shutil.rmtree(old, ignore_errors=True)
            elif old.suffix == ".lock" and old.stem != name:
                old.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        if not quiet:
            print(f"building newsboat's cache of the same {stories:,} items…", flush=True)
        subscribed = subscriptions(feeds)
        urls.write_text("".join(f"{feed.url}\n" for feed in subscribed))
        (folder / "config").write_text("")
        newsboat_command(cache, urls, "print-unread", folder)  # newsboat makes its schema
        connection = sqlite3.connect(cache)
        connection.executemany(
            "INSERT INTO rss_feed (rssurl, url, title, lastmodified) VALUES (?, ?, ?, ?)",
            [(feed.url, feed.site_url, feed.title, 0) for feed in subscribed],
        )

        def content(story: object) -> str:
            text = "\n\n".join(part for part in (story.body, story.full_text) if part)  # type: ignore[attr-defined]
            return "".join(f"<p>{html.escape(paragraph)}</p>\n" for paragraph in text.split("\n\n"))

        for batch in generate(stories, feeds):
            connection.executemany(
                "INSERT INTO rss_item (guid, title, author, url, feedurl, pubDate, content, unread, flags, deleted, base)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, '')",
                [
                    (
                        story.url,
                        story.title,
                        story.author,
                        story.url,
                        story.feed,
                        int(story.published.timestamp()),
                        content(story),
                        0 if story.read else 1,
                        "s" if story.bookmarked else "",
                    )
                    for story in batch
                ],
            )
        connection.commit()
        connection.execute("ANALYZE")  # newsboat's best case: without statistics it takes ten times as long
        connection.commit()
        connection.close()
        done.write_text(time.strftime("%Y-%m-%d %H:%M:%S\n"))
    return cache, urls


def newsboat_command(cache: Path, urls: Path, command: str, home: Path) -> subprocess.CompletedProcess[str]:
    """`newsboat -x COMMAND` on that cache, with an empty config, in a HOME of its own."""
    config = home / "config"
    if not config.exists():
        config.write_text("")
    return subprocess.run(
        ["newsboat", "-C", str(config), "-c", str(cache), "-u", str(urls), "-x", command],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        text=True,
        check=True,
    )


def timed_run(command: Sequence[str], **options: object) -> tuple[float, int, float]:
    """(wall seconds, peak RSS in kB, CPU seconds) of a whole process, from start to exit."""
    started = time.perf_counter()
    process = subprocess.Popen(list(command), **options)  # type: ignore[call-overload]
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, list(command))
    return elapsed, usage.ru_maxrss, usage.ru_utime + usage.ru_stime


def scratch_copy(home: Path, into: Path) -> Path:
    """A copy of a store to write to, so the cached one stays as built."""
    target = into / "home"
    shutil.copytree(home, target)
    return target


def newest_titles(home: Path, count: int = 1) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from store import Store

    with Store(home) as store:
        return [summary.title for summary in store.summaries(limit=count)]


# ------------------------------------------------------------------ results


def result(name: str, value: float, unit: str, *, newsboat: float | None = None, target: str = "", label: str = "") -> None:
    """Print one RESULT line (see bench/run.py for the contract)."""
    parts = [f"RESULT name={name}", f"value={value:.6g}", f"unit={unit}"]
    if newsboat is not None:
        parts.append(f"newsboat={newsboat:.6g}")
    if target:
        parts.append(f"target={shlex.quote(target)}")
    if label:
        parts.append(f"label={shlex.quote(label)}")
    print(" ".join(parts), flush=True)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


# ------------------------------------------------------------------ a pseudo-terminal

_ESCAPES = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1bP[^\x1b]*\x1b\\"  # DCS
    rb"|\x1b[@-Z\\-_]"  # other two-byte escapes
    rb"|\x1b[()][0-9A-Za-z]"
)


def plain(output: bytes) -> str:
    """The text of terminal output, escape sequences removed."""
    return _ESCAPES.sub(b"", output).decode("utf-8", "replace")


class PtyApp:
    """A command running under a pseudo-terminal of a fixed size, its output collected.

    The environment is this one without BROADSHEET_* variables, with TERM=xterm-256color,
    COLORTERM=truecolor and BROADSHEET_CONFIG=`bench_config()`; `env` adds to or overrides it.

    Output is read by a thread into `chunks` as (time, bytes); `wait_for` polls it.
    """

    def __init__(self, command: Sequence[str], *, columns: int = 120, rows: int = 40, env: dict[str, str] | None = None) -> None:
        leader, follower = os.openpty()
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        inherited = {key: value for key, value in os.environ.items() if not key.startswith("BROADSHEET_")}
        environment = {
            **inherited,
            "TERM": "xterm-256color",
            "COLORTERM": "truecolor",
            "BROADSHEET_CONFIG": str(bench_config()),
            **(env or {}),
        }
        environment.pop("TEXTUAL", None)
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            list(command),
            stdin=follower,
            stdout=follower,
            stderr=follower,
            env=environment,
            cwd=ROOT,
            start_new_session=True,
            close_fds=True,
        )
        os.close(follower)
        self.fd = leader
        self.chunks: list[tuple[float, bytes]] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.fd, 65536)
            except OSError:
                data = b""
            now = time.perf_counter()
            with self._arrived:
                if data:
                    self.chunks.append((now, data))
                else:
                    self.chunks.append((now, b""))
                self._arrived.notify_all()
            if not data:
                return

    @property
    def pid(self) -> int:
        return self.process.pid

    def mark(self) -> int:
        with self._lock:
            return len(self.chunks)

    def output(self, since: int = 0) -> bytes:
        with self._lock:
            return b"".join(data for _, data in self.chunks[since:])

    def wait_for(self, found: Callable[[str], bool], *, since: int = 0, timeout: float = 30.0) -> float | None:
        """The time the output after chunk `since` first made `found(plain text)` true, or None."""
        deadline = time.perf_counter() + timeout
        seen = since
        while True:
            with self._arrived:
                while len(self.chunks) == seen:
                    left = deadline - time.perf_counter()
                    if left <= 0:
                        return None
                    self._arrived.wait(left)
                closed = not self.chunks[-1][1]
                seen = len(self.chunks)
            # Everything since `since` at once: an escape sequence may be split across reads.
            if found(plain(self.output(since))):
                return self.moment_found(found, since)
            if closed:
                return None  # the process closed the terminal

    def moment_found(self, found: Callable[[str], bool], since: int = 0) -> float | None:
        """The arrival time of the first chunk after which `found` holds (None: never)."""
        with self._lock:
            chunks = self.chunks[since:]
        gathered = b""
        for moment, data in chunks:
            gathered += data
            if found(plain(gathered)):
                return moment
        return None

    def quiet(self, *, since: int, gap: float = 0.03, timeout: float = 5.0) -> float | None:
        """The time of the last chunk after `since` once output has stopped for `gap` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            with self._lock:
                last = self.chunks[-1][0] if len(self.chunks) > since else None
            now = time.perf_counter()
            if last is not None and now - last >= gap:
                return last
            time.sleep(gap / 4)
        return None

    def send(self, data: bytes) -> float:
        moment = time.perf_counter()
        os.write(self.fd, data)
        return moment

    def status(self, field: str) -> int:
        """A /proc/PID/status figure in kB (VmHWM, VmRSS), of the app's process."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def cpu_seconds(self) -> float:
        """CPU time (user + system, all threads) the app's process has used so far.

        On a busy machine wall-clock times grow with the load; this does not, so it tells
        what the times would be on an idle one (the app's threads share one GIL).
        """
        stat = Path(f"/proc/{self.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2 :].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self, timeout: float = 5.0) -> None:
        if self.process.poll() is None:
            try:
                os.write(self.fd, b"\x11")  # ctrl+q: quit from anywhere
                self.process.wait(timeout)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.process.pid, signal.SIGTERM)
                    self.process.wait(timeout)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(self.process.pid, signal.SIGKILL)
                    self.process.wait()
        self._reader.join(2)
        try:
            os.close(self.fd)
        except OSError:
            pass

    def __enter__(self) -> PtyApp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def scratch_dir(prefix: str) -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix=prefix, dir=bench_dir())
