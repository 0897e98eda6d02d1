"""Links from hostile feeds never reach a shell, and never reach a browser unless they are plain http(s).

Every link the corpus's link cases carry (shell metacharacters, a leading "-",
javascript:, data:, file:, relative to a file: base) goes the way a reader's
click or the `o` key sends it: store.parse keeps or drops it, then
tui.links.open_url refuses it or hands it to the opener as one argv element.
The launcher is a recorder, so no browser starts.
"""

from __future__ import annotations

import ast
from datetime import datetime, timezone
from pathlib import Path

import pytest

from store.articles import safe_web_url
from store.parse import parse_feed

links = pytest.importorskip("tui.links")

ROOT = Path(__file__).resolve().parents[2]
SHELL_CALLS = ("os.system", "os.popen", "os.execlp", "os.spawnlp", "subprocess.getoutput", "subprocess.getstatusoutput")
CORPUS = Path(__file__).resolve().parent
HOSTILE_LINKS = [
    "-oProxyCommand=touch /tmp/broadsheet-pwned", "--help", " -x https://news.example/", "javascript:alert(1)",
    " JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>", "file:///etc/passwd", "vbscript:msgbox",
    "https://news.example/$(touch${IFS}/tmp/broadsheet-pwned)", "https://news.example/`id`;rm -rf ~",
    "https://news.example/a\nb", "https://news.example/\u202etxt.exe", "https://news.example/\x1b]52;c;aGk=\x07",
    "http://-evil.example/", "https://news.example/'\"><$IFS|&;", "//news.example/protocol-relative",
]


def corpus_links() -> list[str]:
    found: list[str] = []
    for name in ("shell_links.xml", "unsafe_links.xml"):
        parsed = parse_feed((CORPUS / name).read_bytes(), feed_url="https://feeds.example/feed.xml",
                            fetched=datetime.now(timezone.utc))
        found += [story.sanitized().url for story in parsed.stories]
    return found


@pytest.mark.parametrize("url", HOSTILE_LINKS + corpus_links())
def test_a_link_is_refused_or_opened_as_one_argv_element(url: str) -> None:
    started: list[list[str]] = []
    copied: list[str] = []
    outcome = links.open_url(url, environ={"DISPLAY": ":0"}, opener=["browser", "--new-tab"],
                             launcher=lambda argv: started.append(list(argv)), copy=copied.append)
    if outcome.result == "refused":
        assert not started and not copied
        return
    assert outcome.result == "opened"
    assert started == [["browser", "--new-tab", outcome.url]]
    assert safe_web_url(outcome.url) == outcome.url
    assert outcome.url.startswith(("http://", "https://")) and not outcome.url.startswith("-")


def test_shell_metacharacters_are_kept_as_data_not_run() -> None:
    started: list[list[str]] = []
    url = "https://news.example/$(touch${IFS}/tmp/broadsheet-pwned)"
    outcome = links.open_url(
        url, environ={"DISPLAY": ":0"}, opener=["browser"], launcher=lambda argv: started.append(list(argv)), copy=len
    )
    assert outcome.result == "opened" and started == [["browser", url]]


def test_over_ssh_a_link_is_copied_not_opened() -> None:
    started: list[list[str]] = []
    copied: list[str] = []
    outcome = links.open_url("https://news.example/a", environ={"SSH_CONNECTION": "1 2 3 4", "DISPLAY": ":0"},
                             opener=["browser"], launcher=lambda argv: started.append(list(argv)), copy=copied.append)
    assert outcome.result == "copied" and copied == ["https://news.example/a"] and not started


def test_no_module_runs_a_shell() -> None:
    """Nothing in store/ or tui/ calls os.system/os.popen or passes shell=True: outside text can never reach a shell."""
    offenders = []
    for path in [*ROOT.joinpath("store").rglob("*.py"), *ROOT.joinpath("tui").rglob("*.py")]:
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                if name in SHELL_CALLS:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}")
                for keyword in node.keywords:
                    plainly_false = isinstance(keyword.value, ast.Constant) and keyword.value.value is False
                    if keyword.arg == "shell" and not plainly_false:
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} shell=")
    assert offenders == []
