"""The real `broadsheet` in a pseudo-terminal: every TERM we promise, NO_COLOR, TEXTUAL_ANIMATIONS.

These read what the app writes to the terminal, escape codes and all.  The deadlines only
bound a wait for the first screen; nothing here asserts on time.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from tui_helpers import fixed_stories

from store import Store

ROOT = Path(__file__).resolve().parents[2]
SGR = re.compile(rb"\x1b\[([0-9;:]*)m")
ESCAPES = re.compile(rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|\x1b[()][0-9A-Za-z]")
FIRST_TITLE = fixed_stories()[0].title[:40]


@pytest.fixture
def closed_store(tmp_path: Path) -> Path:
    home = tmp_path / "store"
    with Store(home) as store:
        store.put_stories(fixed_stories())
    return home


def run_in_pty(home: Path, tmp_path: Path, env: dict[str, str], *, size: tuple[int, int] = (100, 30)) -> bytes:
    """Start the app, wait for the first story's title, quit with ctrl+q; everything it wrote."""
    (tmp_path / "cfg").mkdir(exist_ok=True)
    (tmp_path / "cfg" / "config.toml").write_text("refresh_minutes = 0\n", encoding="utf-8")
    leader, follower = os.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    environment = {
        key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "COLORTERM", "TEXTUAL", "TERM")
    }
    environment.update(BROADSHEET_HOME=str(home), BROADSHEET_CONFIG=str(tmp_path / "cfg" / "config.toml"), **env)
    process = subprocess.Popen(
        [sys.executable, "-m", "tui.cli"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=environment,
        cwd=ROOT,
        start_new_session=True,
    )
    os.close(follower)
    output = b""
    quit_sent = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    data = os.read(leader, 65536)
                except OSError:
                    break
                if not data:
                    break
                output += data
            if not quit_sent and FIRST_TITLE.encode() in ESCAPES.sub(b"", output):
                time.sleep(0.5)  # let the first screen finish before quitting
                os.write(leader, b"\x11")  # ctrl+q
                quit_sent = True
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(leader)
    assert quit_sent, ESCAPES.sub(b"", output)[-1500:]
    return output


def colour_codes(output: bytes) -> set[str]:
    """The colour parameters of every SGR sequence: '38;5;74', '31', '48;2;…' (attributes dropped)."""
    found: set[str] = set()
    for match in SGR.finditer(output):
        parameters = match.group(1).decode().split(";")
        index = 0
        while index < len(parameters):
            code = parameters[index]
            if code in ("38", "48"):
                width = 3 if parameters[index + 1 : index + 2] == ["5"] else 5
                found.add(";".join(parameters[index : index + width]))
                index += width
                continue
            if code.isdigit() and (30 <= int(code) <= 49 or 90 <= int(code) <= 107) and code not in ("39", "49"):
                found.add(code)
            index += 1
    return found


@pytest.mark.parametrize("term", ["xterm-256color", "screen-256color", "tmux-256color", "linux"])
def test_the_app_starts_renders_and_quits_under_each_term(closed_store: Path, tmp_path: Path, term: str) -> None:
    output = run_in_pty(closed_store, tmp_path, {"TERM": term})
    text = ESCAPES.sub(b"", output).decode("utf-8", "replace")
    assert FIRST_TITLE in text and "Broadsheet" in text
    codes = colour_codes(output)
    assert codes, "some colour is used"
    if term == "linux":
        # The Linux console: only the 16 standard colours, never 256-colour or RGB codes.
        assert not any(code.startswith(("38;", "48;")) for code in codes), sorted(codes)[:10]
    else:
        # Without COLORTERM (as over SSH) Textual writes 256-colour codes, not RGB.
        assert not any(code.startswith(("38;2", "48;2")) for code in codes), sorted(codes)[:10]
    assert b"\x1b[?1049h" in output and b"\x1b[?1049l" in output  # alternate screen entered and left


def test_no_color_writes_no_colour_codes(closed_store: Path, tmp_path: Path) -> None:
    output = run_in_pty(closed_store, tmp_path, {"TERM": "xterm-256color", "COLORTERM": "truecolor", "NO_COLOR": "1"})
    assert FIRST_TITLE in ESCAPES.sub(b"", output).decode("utf-8", "replace")
    assert colour_codes(output) == set()
    attributes = {parameter for match in SGR.finditer(output) for parameter in match.group(1).decode().split(";")}
    assert "4" in attributes or "7" in attributes  # the cursor row: underlined (or in reverse video)
    assert "1" in attributes  # unread titles, in bold


def test_textual_animations_none_is_honoured(closed_store: Path) -> None:
    probe = (
        "from store import Store; from tui.app import BroadsheetApp; "
        f"store = Store({str(closed_store)!r}); print(BroadsheetApp(store).animation_level); store.close()"
    )
    for level in ("none", "basic", "full"):
        environment = {**os.environ, "TEXTUAL_ANIMATIONS": level}
        result = subprocess.run([sys.executable, "-c", probe], env=environment, cwd=ROOT, capture_output=True, text=True)
        assert result.stdout.strip() == level, result.stderr
