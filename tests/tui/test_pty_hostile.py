"""The real app under a pseudo-terminal, showing hostile stories: no escape sequence from the content reaches the terminal.

Textual writes escape sequences of its own, so the check is on the content's
payloads: the exact OSC 52 clipboard string, the OSC 0/2 window titles, the OSC 8
hyperlink to file:, a device-status query, C1 controls and bidi overrides (as
UTF-8), and the words inside those sequences, which the sanitizer removes whole.
The stories come in the way they do in use: the hostile corpus files parsed by
store.parse, then written through Store.put_stories, plus stories built with the
payloads in every field.  The app is started as the reader starts it (the
``broadsheet`` script), keys are pressed (j, j, enter, h, q), and every byte it
writes is captured.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from store import Store, Story, make_story_id
from store.parse import parse_feed

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
NOW = datetime.now(timezone.utc)
MARKER = "Zanzibar"

OSC52 = "\x1b]52;c;cm0gLXJmIH4vKgo=\x07"
PAYLOADS = {
    "osc52": OSC52,
    "osc0": "\x1b]0;pwned title\x07",
    "osc2": "\x1b]2;pwned window\x1b\\",
    "osc8": "\x1b]8;;file:///etc/passwd\x1b\\visible link\x1b]8;;\x1b\\",
    "dsr": "\x1b[6n",
    "title_report": "\x1b[21t",
    "c1_csi": "\x9b6n",
    "c1_osc": "\x9d0;pwned c1\x9c",
    "dcs": "\x1bP$qpwned dcs\x1b\\",
    "bidi": "\u202e",
    "isolate": "\u2066",
    "zero_width": "\u200b",
}
# What must never appear in the output bytes.
FORBIDDEN_OUTPUT = [
    b"\x1b]52;", b"cm0gLXJmIH4vKgo=", b"\x1b]0;pwned", b"\x1b]2;pwned", b"\x1b]8;;file:",
    b"pwned", b"\x1b[6n", b"\x1b[21t", b"\xc2\x9b", b"\xc2\x9d", b"\xc2\x9c", b"\x1bP$q",
    "\u202e".encode(), "\u2066".encode(), "\u200b".encode(),
]


def hostile_stories() -> list[Story]:
    stories: list[Story] = []
    for name, content_type in (("terminal_escapes_rss.xml", ""), ("terminal_escapes_atom.xml", ""),
                               ("terminal_escapes_json.json", "application/feed+json"), ("markup_titles.xml", "")):
        parsed = parse_feed((CORPUS / name).read_bytes(), feed_url=f"https://feeds.example/{name}", fetched=NOW,
                            content_type=content_type)
        stories += parsed.stories
    every = "".join(PAYLOADS.values())
    for number, (label, payload) in enumerate(PAYLOADS.items()):
        url = f"https://news.example/{label}"
        stories.append(Story(
            id=make_story_id(url=url),
            title=f"{MARKER} {number} {payload}title{payload}",
            source=f"Source{payload}",
            url=url + payload,
            author=f"Author {payload}",
            published=NOW - timedelta(minutes=number),
            fetched=NOW,
            highlights=[f"Point {payload} one", f"[@click=app.quit]point[/] {payload}"],
            body=f"Body {payload} text.\n\n{every} more [link=file:///etc/passwd]words[/link]",
            opinions=[f"Opinion {payload}"],
            tags=[f"tag{payload}"],
        ))
    stories.append(huge_title_story(NOW + timedelta(minutes=1)))
    return stories


def huge_title_story(published: datetime) -> Story:
    """A story whose feed gave it a 100,000-character title (with an OSC 52 in the middle), read by store.parse."""
    title = "W" * 50_000 + " " + OSC52 + "x" * 50_000
    feed = (
        "<rss version='2.0'><channel><title>Huge</title><item><guid>huge</guid><link>https://news.example/huge</link>"
        f"<title>{title}</title><description>A story with a 100,000-character title.</description></item></channel></rss>"
    )
    parsed = parse_feed(feed.encode(), feed_url="https://feeds.example/huge.xml", fetched=published)
    return parsed.stories[0]


def run_in_pty(
    argv: list[str], env: dict[str, str], keys: list[tuple[float, bytes]], *, ready: bytes
) -> tuple[bytes, int | None]:
    """Start argv on a new pseudo-terminal, press keys once ``ready`` is seen, return every byte written."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    process = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True
    )
    os.close(slave)
    output = bytearray()

    def read_for(seconds: float, until: bytes | None = None) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if until is not None and until in output:
                return
            readable, _, _ = select.select([master], [], [], 0.1)
            if readable:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                output.extend(chunk)

    try:
        read_for(60.0, until=ready)
        read_for(1.0)
        for pause, key in keys:
            os.write(master, key)
            read_for(pause)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        read_for(0.5)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)
    return bytes(output), process.returncode


def run_app(tmp_path: Path, home: Path) -> tuple[bytes, int | None]:
    """The reader's app on a 160x40 pseudo-terminal: down twice, open, down, back, last story, open, back, quit."""
    script = Path(sys.executable).with_name("broadsheet")
    module = [sys.executable, "-c", "import sys; from tui.cli import main; sys.exit(main())"]
    argv = [str(script)] if script.exists() else module
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "BROADSHEET_HOME": str(home),
        "BROADSHEET_FULL_TEXT": "manual",
        "TERM": "xterm-256color",
        "COLUMNS": "160",
        "LINES": "40",
        "LANG": "C.UTF-8",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    keys = [
        (0.4, b"j"), (0.4, b"j"), (1.0, b"\r"), (0.5, b"j"), (0.5, b"h"), (0.4, b"G"), (0.8, b"\r"), (0.5, b"h"), (0.3, b"q")
    ]
    return run_in_pty(argv, env, keys, ready=MARKER.encode())


def assert_nothing_hostile_written(output: bytes, returncode: int | None) -> None:
    assert MARKER.encode() in output, "the hostile stories were never drawn: the test proved nothing"
    assert b"visible link" in output, "no story was opened: the viewer's text was never drawn"
    assert b"A story with a 100,000" in output, "the story with the 100,000-character title was never opened"
    assert returncode == 0, f"the app did not quit cleanly ({returncode}): {output[-2000:]!r}"
    for payload in FORBIDDEN_OUTPUT:
        assert payload not in output, f"{payload!r} reached the terminal"
    # Markup in titles and highlights is shown as text, not acted on (the app only quit when asked).
    assert b"@click=app.quit" in output


pty_only = pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")


@pty_only
def test_hostile_stories_write_no_escape_sequence_to_the_terminal(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with Store(home) as store:
        store.put_stories(hostile_stories())
    assert_nothing_hostile_written(*run_app(tmp_path, home))


@pty_only
def test_unsanitized_store_records_write_no_escape_sequence_either(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: records written raw (an old or hand-edited store) are cleaned on the way out."""
    home = tmp_path / "home"
    monkeypatch.setattr(Story, "sanitized", lambda self: self)  # write the records raw, as a damaged store might hold them
    with Store(home) as store:
        store.put_stories(hostile_stories())
    monkeypatch.undo()
    assert_nothing_hostile_written(*run_app(tmp_path, home))


async def test_a_100000_character_title_keeps_the_layout(tmp_path: Path) -> None:
    """The list and the viewer stay within the screen; the stories around the huge title stay on the list,
    and the story's text is on screen as soon as it is opened (store.parse cut the title to 500 characters)."""
    from tui_helpers import fixed_clock, fixed_stories, screen_lines, screen_text, settle

    from tui.app import BroadsheetApp

    huge = huge_title_story(fixed_clock())
    others = fixed_stories()[:3]
    with Store(tmp_path / "home") as store:
        store.put_stories([huge, *others])
        app = BroadsheetApp(store, clock=fixed_clock)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for view in ("list", "story"):
                lines = screen_lines(pilot)
                assert len(lines) == 24, view
                assert all(strip.cell_length == 80 for strip in lines), view
                text = screen_text(pilot)
                assert "WWWW" in text, view
                if view == "list":
                    for story in others:
                        assert story.title[:20] in text, f"{story.title!r} pushed off the list by the huge title"
                    await pilot.press("enter")
                    await settle(pilot)
            assert "A story with a 100,000-character title." in screen_text(pilot)
