"""The command line keeps to ../shared/CLI.md: names, JSON fields, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from store import Store
from tests.conftest import make_story
from tui.cli import main

STORY_FIELDS = {"id", "title", "source", "feed", "url", "author", "published", "highlights", "read", "bookmarked"}


@pytest.fixture
def filled(home: Path) -> Path:
    with Store(home) as store:
        store.put_stories([make_story(n) for n in range(1, 6)])
    return home


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_has_the_contract_fields(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--home", str(filled), "list", "--json")
    assert code == 0 and err == ""
    stories = json.loads(out)
    assert [s["title"] for s in stories] == [f"Story number {n}" for n in range(1, 6)]
    for story in stories:
        assert STORY_FIELDS <= story.keys()
        assert story["published"].endswith("+00:00")
        assert story["highlights"] == [f"First point of story {story['title'][-1]}.", f"Second point of story {story['title'][-1]}."]


def test_list_filters_and_limit(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = make_story(1).id
    assert run_cli(capsys, "--home", str(filled), "bookmark", first[:8])[0] == 0
    _, out, _ = run_cli(capsys, "list", "--json", "--bookmarked", "--home", str(filled))
    assert [s["id"] for s in json.loads(out)] == [first]
    _, out, _ = run_cli(capsys, "--home", str(filled), "list", "--json", "--limit", "2")
    assert len(json.loads(out)) == 2
    with Store(filled) as store:
        store.set_read([first], True)
    _, out, _ = run_cli(capsys, "--home", str(filled), "list", "--json", "--unread")
    assert first not in {s["id"] for s in json.loads(out)} and len(json.loads(out)) == 4


def test_list_plain_lines(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--home", str(filled), "list", "--limit", "1")
    assert code == 0
    assert out.startswith(make_story(1).id) and "Story number 1" in out


def test_show_json_adds_the_text(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = make_story(2)
    code, out, _ = run_cli(capsys, "--home", str(filled), "show", story.id, "--json")
    shown = json.loads(out)
    assert code == 0 and STORY_FIELDS <= shown.keys()
    assert shown["body"] == story.body and shown["opinions"] == []


def test_show_plain(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--home", str(filled), "show", make_story(2).id)
    assert code == 0
    assert out.splitlines()[0] == "Story number 2" and "Highlights" in out and "A second paragraph." in out


def test_bookmark_on_and_off(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story_id = make_story(3).id
    code, out, _ = run_cli(capsys, "--home", str(filled), "bookmark", story_id)
    assert code == 0 and out.startswith("Bookmarked")
    code, out, _ = run_cli(capsys, "--home", str(filled), "bookmark", story_id, "--off")
    assert code == 0 and out.startswith("Removed bookmark")
    with Store(filled) as store:
        assert not store.get(story_id).bookmarked  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "args",
    [
        ["show", "ffffffffffff"],
        ["show", "nothex!"],
        ["bookmark", "0000"],
        ["list", "--limit", "many"],
        ["list", "--limit", "-3"],
        ["frobnicate"],
        ["show"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(filled: Path, capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    code, out, err = run_cli(capsys, "--home", str(filled), *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("broadsheet: ")
    assert "Traceback" not in err


def test_broadsheet_home_environment(filled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROADSHEET_HOME", str(filled))
    _, out, _ = run_cli(capsys, "list", "--json")
    assert len(json.loads(out)) == 5


def test_real_process_and_version(filled: Path) -> None:
    environment = {**os.environ, "BROADSHEET_HOME": str(filled)}
    listed = subprocess.run(
        [sys.executable, "-m", "tui.cli", "list", "--json", "--limit", "1"], capture_output=True, text=True, env=environment
    )
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1
    version = subprocess.run([sys.executable, "-m", "tui.cli", "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("broadsheet ")
    helped = subprocess.run([sys.executable, "-m", "tui.cli", "--help"], capture_output=True, text=True)
    for command in ("list", "show", "bookmark", "import"):
        assert command in helped.stdout


def test_export_bookmarks_and_story(filled: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    story_id = make_story(2).id
    run_cli(capsys, "--home", str(filled), "bookmark", story_id)
    code, out, _ = run_cli(capsys, "--home", str(filled), "export", "--bookmarks", "--format", "json")
    assert code == 0 and [entry["id"] for entry in json.loads(out)] == [story_id]
    code, out, _ = run_cli(capsys, "--home", str(filled), "export", "--bookmarks", "--format", "html")
    assert code == 0 and out.startswith("<!DOCTYPE html>") and "Story number 2" in out
    code, out, _ = run_cli(capsys, "--home", str(filled), "export", "--story", story_id)
    assert code == 0 and out.rstrip().endswith("You've reached the end")
    document = tmp_path / "exported.txt"
    document.write_text(out, encoding="utf-8")
    code, out, _ = run_cli(capsys, "--home", str(filled), "import", str(document))
    assert code == 0


def test_search_command(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--home", str(filled), "search", "number", "--json", "--limit", "2", "--sort", "date")
    results = json.loads(out)
    assert code == 0 and len(results) == 2 and STORY_FIELDS | {"score", "snippet"} <= results[0].keys()
    code, _, err = run_cli(capsys, "--home", str(filled), "search", '"broken')
    assert code == 2 and "not closed" in err and len(err.splitlines()) == 1


def test_search_for_a_single_excluded_word(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--home", str(filled), "search", "-zeppelin", "--json")
    assert code == 0 and len(json.loads(out)) == 5
    code, _, err = run_cli(capsys, "--home", str(filled), "search", "--json")
    assert code == 2 and "needs a QUERY" in err


@pytest.mark.parametrize("home", ["", "   "])
def test_empty_home_is_refused(home: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--home", home, "list")
    assert code == 2 and "--home needs a folder" in err


def test_reading_a_store_that_does_not_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    code, _, err = run_cli(capsys, "--home", str(missing), "list")
    assert code == 2 and "no store at" in err and not missing.exists()


def test_error_lines_never_carry_control_characters(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hostile = tmp_path / "\x1b[31mevil\x1b]0;pwn\x07.txt"
    hostile.write_text("not a story", encoding="utf-8")
    code, _, err = run_cli(capsys, "--home", str(home), "import", str(hostile))
    assert code == 2 and "\x1b" not in err and "\x07" not in err and "evil" in err
