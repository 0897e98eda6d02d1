"""Opening and copying a story's link: a browser on a desktop, the clipboard over SSH.

`open_url` is the one road every link takes (the `o` key, a click on a link in the
viewer, anything Textual itself would open): the address must be http(s) and must
not start with "-" (store.weburl.safe_web_url), and then

* over SSH (`SSH_CONNECTION` or `SSH_TTY` set) no browser starts on the remote
  host: the address is copied to the reader's own clipboard with OSC 52;
* on a desktop the configured opener (the config's `opener`, or BROADSHEET_OPENER:
  tui.config reads both; this module never reads the setting itself), else the system's (`open` on macOS,
  `xdg-open` where there is a display), is started with the address as one argv
  element, never through a shell, detached from the terminal;
* where no browser can start (no display, the opener is missing) the address is
  copied instead, and the reader is told so.

The launcher and the clipboard are parameters, so tests put recorders in their place.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from store.weburl import safe_web_url

URL_PLACEHOLDER = "{url}"
"""Where the address goes in the opener's argv (else it is the last argument)."""

Launcher = Callable[[Sequence[str]], None]
"""Starts a program from its argv; raises OSError when it cannot."""

Copier = Callable[[str], None]
"""Puts text on the reader's clipboard (App.copy_to_clipboard: OSC 52)."""

LinkResult = Literal["opened", "copied", "refused"]


@dataclass(frozen=True, slots=True)
class LinkOutcome:
    """What `open_url` did, and one plain sentence to tell the reader."""

    result: LinkResult
    message: str
    url: str = ""
    argv: tuple[str, ...] = ()


def _clause(sentence: str) -> str:
    """A sentence to follow a colon: its first letter small ("Only web..." -> "only web...")."""
    if len(sentence) > 1 and sentence[0].isupper() and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def checked_url(url: str) -> str:
    """`url` when it is an http(s) address that may be opened or shown as a link; ValueError (plain words) otherwise."""
    return safe_web_url(url)


def link_target(url: str) -> str | None:
    """The address to make a clickable link of, or None for anything but a safe http(s) address."""
    try:
        return checked_url(url)
    except ValueError:
        return None


def over_ssh(environ: Mapping[str, str]) -> bool:
    """True in a session reached through SSH: a browser started here would open on the remote host."""
    return bool(environ.get("SSH_CONNECTION") or environ.get("SSH_TTY"))


def opener_argv(opener: Sequence[str], url: str) -> list[str]:
    """The opener's argv with the address in place of "{url}", or added as the last argument."""
    if any(URL_PLACEHOLDER in part for part in opener):
        return [part.replace(URL_PLACEHOLDER, url) for part in opener]
    return [*opener, url]


def system_browser_argv(url: str, environ: Mapping[str, str], platform: str = sys.platform) -> list[str] | None:
    """How this system opens an address in the reader's browser; None where none can start (no display)."""
    if platform == "darwin":
        return ["open", url]
    if platform == "win32":
        return ["explorer", url]
    if not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return None  # a console browser would fight the TUI for the terminal
    found = shutil.which("xdg-open")
    return [found, url] if found else None


def launch_detached(argv: Sequence[str]) -> None:
    """Start `argv` without a shell, in its own session, with no access to the terminal."""
    subprocess.Popen(  # noqa: S603 - argv from the reader's own setting, address checked; no shell
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        start_new_session=True,
    )


def open_url(
    url: str,
    *,
    environ: Mapping[str, str] | None = None,
    opener: Sequence[str] | None = None,
    launcher: Launcher = launch_detached,
    copy: Copier,
) -> LinkOutcome:
    """Open `url` in the reader's browser, or copy it to the reader's clipboard where that is the right thing."""
    environ = os.environ if environ is None else environ
    try:
        address = checked_url(url)
    except ValueError as error:
        return LinkOutcome("refused", f"Not opened: {_clause(str(error))}")
    if over_ssh(environ):
        copy(address)
        return LinkOutcome("copied", f"Over SSH no browser starts here; copied the link: {address}", address)
    argv = opener_argv(opener, address) if opener else system_browser_argv(address, environ)
    if argv is None:
        copy(address)
        return LinkOutcome("copied", f"No browser to start here (no display); copied the link: {address}", address)
    try:
        launcher(argv)
    except OSError as error:
        copy(address)
        reason = error.strerror or str(error)
        return LinkOutcome(
            "copied", f"Could not start {os.path.basename(argv[0])} ({reason}); copied the link: {address}", address
        )
    return LinkOutcome("opened", f"Opened in the browser: {address}", address, tuple(argv))


def copy_url(url: str, *, copy: Copier) -> LinkOutcome:
    """Copy `url` to the reader's clipboard (OSC 52), locally and over SSH alike."""
    try:
        address = checked_url(url)
    except ValueError as error:
        return LinkOutcome("refused", f"Not copied: {_clause(str(error))}")
    copy(address)
    return LinkOutcome("copied", f"Copied the link: {address}", address)
