"""Links: `o` opens (a browser on a desktop, the clipboard over SSH), `y` copies, viewer links
are OSC 8 hyperlinks for http(s) only, and every link Textual would open takes the same road.

The browser is replaced by a recorder of the argv it would have been started with.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import NOW, fixed_clock, notifications, screen_lines, settle, until

from store import Store, Story, make_story_id
from tui.app import BroadsheetApp
from tui.config import load_config
from tui.links import LinkOutcome, open_url, opener_argv, over_ssh, system_browser_argv
from tui.screens.main import MainScreen
from tui.widgets.article_markdown import split_markdown, with_hyperlinks
from tui.widgets.story_view import StoryView

NARROW = (80, 24)
URL = "https://news.example/1"
REFUSED = [
    "javascript:alert(1)",
    "JavaScript:alert(document.cookie)",
    "file:///etc/passwd",
    "data:text/html,<script>alert(1)</script>",
    "-https://news.example/story",
    "--new-window=https://evil.example",
    "https://news.example/a story",
    "ftp://files.example/story",
]
LINKED_MARKDOWN = """\
## Links of every kind

A [good link](https://good.example/a) and an [evil one](javascript:alert(1)), a [file one](file:///etc/passwd),
a [data one](data:text/html,boo) and a [dash one](-https://good.example/b).

- a list item with [another good link](http://good.example/b)
"""


class Recorder:
    """Stands in for the browser: records each argv it is asked to start."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str]) -> None:
        self.calls.append(list(argv))


@pytest.fixture
def local(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local desktop session: no SSH variables, an opener command set."""
    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("BROADSHEET_OPENER", "my-browser --new-tab")


def make_app(store: Store) -> tuple[BroadsheetApp, Recorder]:
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0)
    recorder = Recorder()
    app.main_screen.launcher = recorder
    return app, recorder


def osc52_writes(app: BroadsheetApp) -> list[str]:
    """Record what the app writes to the terminal (the headless driver drops it otherwise)."""
    written: list[str] = []
    driver = app._driver
    assert driver is not None
    driver.write = written.append  # type: ignore[method-assign]
    return written


# ---------------------------------------------------------------- open_url on its own


def test_over_ssh_the_link_is_copied_and_no_browser_starts() -> None:
    copied: list[str] = []
    recorder = Recorder()
    for environ in ({"SSH_TTY": "/dev/pts/3"}, {"SSH_CONNECTION": "10.0.0.2 50000 10.0.0.1 22", "DISPLAY": ":0"}):
        outcome = open_url(URL, environ=environ, opener=["firefox"], launcher=recorder, copy=copied.append)
        assert outcome.result == "copied" and URL in outcome.message and "SSH" in outcome.message
    assert recorder.calls == []
    assert copied == [URL, URL]


def test_locally_the_opener_gets_the_address_as_one_argument() -> None:
    recorder = Recorder()
    address = "https://news.example/a?b=1&c=$(id);echo`id`|cat>x"
    outcome = open_url(address, environ={}, opener=["my-browser", "--new-tab"], launcher=recorder, copy=print)
    argv = ("my-browser", "--new-tab", address)
    assert outcome == LinkOutcome("opened", f"Opened in the browser: {address}", address, argv)
    assert recorder.calls == [["my-browser", "--new-tab", address]]
    assert opener_argv(["open-it", "--url={url}", "--quiet"], address) == ["open-it", f"--url={address}", "--quiet"]


async def test_the_opener_setting_is_split_like_argv_and_never_run_by_a_shell(store: Store) -> None:
    """The opener comes from the config (which reads BROADSHEET_OPENER): links.py never reads the setting."""
    config, problems = load_config(environ={"BROADSHEET_OPENER": "'/opt/My Browser/run' --private"}, read_file=False)
    assert config.opener == ("/opt/My Browser/run", "--private") and problems == []
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=config)
    async with app.run_test(size=NARROW):
        assert app.main_screen.opener == ["/opt/My Browser/run", "--private"]
    config, problems = load_config(environ={}, read_file=False)
    app = BroadsheetApp(store, clock=fixed_clock, refresh_minutes=0, config=config)
    async with app.run_test(size=NARROW):
        assert app.main_screen.opener is None
    config, problems = load_config(environ={"BROADSHEET_OPENER": "browser 'unclosed"}, read_file=False)
    assert config.opener == () and len(problems) == 1 and "BROADSHEET_OPENER" in problems[0]


def test_the_system_browser_needs_a_display(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "xdg-open"
    fake.write_text("#!/bin/sh\nexit 0\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert system_browser_argv(URL, {"DISPLAY": ":0"}, platform="linux") == [str(fake), URL]
    assert system_browser_argv(URL, {"WAYLAND_DISPLAY": "wayland-0"}, platform="linux") == [str(fake), URL]
    assert system_browser_argv(URL, {}, platform="linux") is None
    assert system_browser_argv(URL, {}, platform="darwin") == ["open", URL]
    copied: list[str] = []
    recorder = Recorder()
    outcome = open_url(URL, environ={}, opener=None, launcher=recorder, copy=copied.append)
    assert outcome.result == "copied" and recorder.calls == [] and copied == [URL]


def test_a_browser_that_cannot_start_leaves_the_link_copied() -> None:
    def missing(argv: Sequence[str]) -> None:
        raise FileNotFoundError(2, "No such file or directory", argv[0])

    copied: list[str] = []
    outcome = open_url(URL, environ={}, opener=["/nowhere/browser"], launcher=missing, copy=copied.append)
    assert outcome.result == "copied" and "Could not start browser" in outcome.message
    assert copied == [URL]


@pytest.mark.parametrize("url", REFUSED)
def test_only_web_addresses_are_opened(url: str) -> None:
    copied: list[str] = []
    recorder = Recorder()
    for environ in ({}, {"SSH_TTY": "/dev/pts/1"}):
        outcome = open_url(url, environ=environ, opener=["browser"], launcher=recorder, copy=copied.append)
        assert outcome.result == "refused" and outcome.message.startswith("Not opened: ")
    assert recorder.calls == [] and copied == []


def test_ssh_is_known_by_either_variable() -> None:
    assert over_ssh({"SSH_TTY": "/dev/pts/0"}) and over_ssh({"SSH_CONNECTION": "a b c d"})
    assert not over_ssh({"SSH_AUTH_SOCK": "/tmp/agent"}) and not over_ssh({})


# ---------------------------------------------------------------- the keys in the app


async def test_o_over_ssh_copies_with_osc52_and_starts_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_TTY", "/dev/pts/4")
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        written = osc52_writes(app)
        await pilot.press("enter", "o")
        await settle(pilot)
        assert recorder.calls == []
        assert app.clipboard == URL
        assert f"\x1b]52;c;{base64.b64encode(URL.encode()).decode()}\a" in written
        assert any(URL in str(note.message) and "SSH" in str(note.message) for note in notifications(app))


async def test_o_locally_starts_the_opener_with_the_url_as_one_argument(store: Store, local: None) -> None:
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert recorder.calls == [["my-browser", "--new-tab", URL]]
        assert app.clipboard == ""


async def test_y_copies_the_link_locally_and_over_ssh(
    store: Store, local: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        written = osc52_writes(app)
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard == URL and any("]52;c;" in data for data in written)
        monkeypatch.setenv("SSH_CONNECTION", "10.0.0.2 50000 10.0.0.1 22")
        await pilot.press("j", "y")
        await settle(pilot)
        assert app.clipboard == "https://news.example/2"
    assert recorder.calls == []


async def test_a_story_whose_link_is_not_a_web_address_is_refused(store: Store, local: None) -> None:
    url = "javascript:alert(document.cookie)"
    store.put_stories([Story(id=make_story_id(url=url), title="Evil", url=url, published=NOW, body="Short.")])
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter", "o", "y")
        await settle(pilot)
        assert recorder.calls == [] and app.clipboard == ""
        messages = [str(note.message) for note in notifications(app)]
        assert any(message.startswith("Not opened: only web addresses") for message in messages)
        assert any(message.startswith("Not copied: only web addresses") for message in messages)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "-https://news.example/x"])
async def test_textual_link_opening_goes_through_the_same_checks(store: Store, local: None, url: str) -> None:
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        app.open_url(url)  # what a Textual widget would call for a clicked link
        app.open_url("https://good.example/page")
        await settle(pilot)
        assert recorder.calls == [["my-browser", "--new-tab", "https://good.example/page"]]
        assert any(str(note.message).startswith("Not opened") for note in notifications(app))


# ---------------------------------------------------------------- links drawn in the viewer


def test_only_http_links_become_hyperlinks() -> None:
    from textual.content import Content, Span
    from textual.style import Style

    text = "good evil"
    content = Content(
        text,
        spans=[
            Span(0, 4, Style.from_meta({"@click": "link('https://good.example/a')"})),
            Span(5, 9, Style.from_meta({"@click": "link('javascript:alert(1)')"})),
        ],
    )
    linked = with_hyperlinks(content)
    assert [(span.start, span.end, span.style.link) for span in linked.spans] == [(0, 4, "https://good.example/a")]


def test_a_long_text_is_cut_for_markdown_at_a_paragraph() -> None:
    text = "\n\n".join(f"Paragraph {n} " + "word " * 40 for n in range(400))
    head, rest = split_markdown(text, limit=5_000)
    assert head + rest == text
    assert len(head) <= 5_000 and head.endswith("\n\n") and rest.startswith("Paragraph")
    fenced = "Intro.\n\n```\n" + "code line\n\n" * 200 + "```\n\nAfter."
    head, rest = split_markdown(fenced, limit=500)
    assert head == "Intro.\n\n"


def full_text_story(slug: str, title: str, full_text: str, body: str = "The feed text.") -> Story:
    """A story whose stored full text is Markdown (no fetch: it is already there)."""
    url = f"https://good.example/{slug}"
    return Story(id=make_story_id(url=url), title=title, url=url, published=NOW, body=body, full_text=full_text)


async def open_full_text(pilot: Any, app: BroadsheetApp) -> StoryView:
    """Open the first story and wait for its Markdown full text to be drawn."""
    await settle(pilot)
    await pilot.press("enter")
    view = app.query_one(StoryView)
    await until(pilot, lambda: view.shows_full_text and view.markdown_ready)
    return view


def links_on_screen(pilot: Any) -> set[str]:
    return {segment.style.link for strip in screen_lines(pilot) for segment in strip if segment.style and segment.style.link}


async def test_viewer_links_are_osc8_for_http_only_and_a_click_opens_them(store: Store, local: None) -> None:
    store.put_stories([full_text_story("story", "A story with links", LINKED_MARKDOWN)])
    app, recorder = make_app(store)
    async with app.run_test(size=(100, 30)) as pilot:
        view = await open_full_text(pilot, app)
        assert links_on_screen(pilot) == {"https://good.example/story", "https://good.example/a", "http://good.example/b"}
        text = "\n".join(strip.text for strip in screen_lines(pilot))
        for words in ("evil one", "file one", "data one", "dash one"):
            assert words in text, "an unsafe link keeps its words"
        assert "javascript" not in text and "file:///" not in text
        paragraph = next(block for block in view.query("MarkdownParagraph") if "good link" in block.render().plain)
        assert isinstance(app.screen, MainScreen)
        await pilot.click(paragraph, offset=(paragraph.render().plain.index("good link") + 1, 0))
        await settle(pilot)
        assert recorder.calls == [["my-browser", "--new-tab", "https://good.example/a"]]
        evil = paragraph.render().plain.index("evil one") + 1
        await pilot.click(paragraph, offset=(evil, 0))
        await settle(pilot)
        assert len(recorder.calls) == 1, "the words of an unsafe link open nothing"


async def test_the_story_link_line_is_a_hyperlink_that_opens_on_click(store: Store, local: None) -> None:
    app, recorder = make_app(store)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        line = app.query_one("#story-link")
        assert {segment.style.link for strip in screen_lines(pilot) for segment in strip if segment.style} >= {URL}
        await pilot.click(line, offset=(2, 0))
        await settle(pilot)
        assert recorder.calls == [["my-browser", "--new-tab", URL]]



NASTY_MARKDOWN = """\
## [/foo] and [bold]not bold[/bold]

Text with [@click=app.quit]a click action[/] and [link=https://bare.example]markup link[/link].

A [link with markup in it [/]](https://good.example/x) and <script>alert(1)</script> and `[/code]`.

> [b]quoted[/b] with a [quoted link](https://good.example/q)
"""


async def test_nasty_markdown_is_shown_as_text_and_runs_nothing(store: Store, local: None) -> None:
    store.put_stories([full_text_story("nasty", "Nasty [/] title", NASTY_MARKDOWN, body="Feed text.")])
    app, recorder = make_app(store)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_full_text(pilot, app)
        text = "\n".join(strip.text for strip in screen_lines(pilot))
        for shown in ("[/foo]", "[@click=app.quit]a click action[/]", "[link=https://bare.example]markup link[/link]"):
            assert shown in text
        # Markup is words; a bare web address in the text is a link, as in any Markdown reader.
        expected = {"https://good.example/nasty", "https://good.example/x", "https://good.example/q"}
        assert links_on_screen(pilot) == expected | {"https://bare.example"}
        assert app.is_running and recorder.calls == []
