"""The command line and story groups: `list --json` names each story's group, and
`export --story` writes a group as a story document that imports back as the same story."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import Store
from store.coverage import coverage, group_story
from store.groupstate import Groups
from tests.store.test_grouping import report, space_reports, unrelated_reports
from tui.cli import main

COLUMN = (
    "https://globe.example/opinion/rss",
    "The Globe Opinion",
    "Opinion: Bakanov's Houston visit shows space cooperation with Russia is worth keeping",
    "Dmitry Bakanov's talks with NASA's Sean Duffy in Houston are a reminder that Roscosmos and NASA "
    "still need each other on the International Space Station. Whatever else divides them, that is worth keeping.",
)


@pytest.fixture
def grouped(home: Path) -> Path:
    with Store(home) as store:
        store.put_stories([*space_reports(), *unrelated_reports(), report(0, *COLUMN)])
    return home


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_gives_every_story_its_group(grouped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--home", str(grouped), "list", "--json")
    assert code == 0 and err == ""
    stories = {story["id"]: story for story in json.loads(out)}
    space = [story.id for story in space_reports()]
    column = report(0, *COLUMN).id
    assert {stories[i]["group"] for i in [*space, column]} == {space[-1]}  # the first report's id
    for lone in unrelated_reports():
        assert stories[lone.id]["group"] == lone.id
    # The groups file is kept in the store, so a second listing only reads it.
    assert (grouped / "groups.sqlite3").exists()
    _, again, _ = run_cli(capsys, "--home", str(grouped), "list", "--json", "--limit", "2")
    assert all(story["group"] == stories[story["id"]]["group"] for story in json.loads(again))


def test_show_and_search_json_name_the_group_too(grouped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    space = [story.id for story in space_reports()]
    code, out, _ = run_cli(capsys, "--home", str(grouped), "show", space[0], "--json")
    assert code == 0 and json.loads(out)["group"] == space[-1]
    code, out, _ = run_cli(capsys, "--home", str(grouped), "search", "Bakanov", "--json")
    hits = json.loads(out)
    assert code == 0 and hits and {hit["group"] for hit in hits} == {space[-1]}


def test_export_of_a_group_imports_back_as_the_same_story(
    grouped: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    member = space_reports()[0].id
    code, document, err = run_cli(capsys, "--home", str(grouped), "export", "--story", member[:8])
    assert code == 0 and err == ""
    with Store(grouped) as store, Groups(grouped) as groups:
        group = coverage(store, groups, member)
        assert group is not None
        expected = group_story(group)
    lines = document.splitlines()
    assert lines[0] != lines[1]  # first report, then the latest one
    assert lines[3] == expected.title
    assert "Highlights" in lines and "Story" in lines and "Opinions" in lines
    assert lines[-1] == "You've reached the end"
    assert any("The Globe Opinion" in line for line in lines[lines.index("Opinions") :])

    path = tmp_path / "group.txt"
    path.write_text(document, encoding="utf-8")
    other = tmp_path / "other-home"
    code, out, err = run_cli(capsys, "--home", str(other), "import", str(path))
    assert code == 0 and err == "" and "1 new" in out
    with Store(other) as store:
        [summary] = store.summaries()
        imported = store.get(summary.id)
    assert imported is not None
    assert imported.title == expected.title
    assert imported.published == expected.published
    assert imported.highlights == expected.highlights and len(imported.highlights) >= 3
    assert imported.body == expected.body
    assert imported.opinions == expected.opinions
    # Exporting the imported story gives the same document back, date lines aside.
    code, again, _ = run_cli(capsys, "--home", str(other), "export", "--story", imported.id)
    assert code == 0 and again.splitlines()[2:] == lines[2:]


def test_export_of_a_lone_story_is_that_story(grouped: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lone = unrelated_reports()[1]
    code, document, _ = run_cli(capsys, "--home", str(grouped), "export", "--story", lone.id)
    assert code == 0
    lines = document.splitlines()
    assert lines[0] == lines[1] and lines[3] == lone.title
    assert "Reported by" not in document
    path = tmp_path / "lone.txt"
    path.write_text(document, encoding="utf-8")
    other = tmp_path / "other-home"
    assert run_cli(capsys, "--home", str(other), "import", str(path))[0] == 0
    with Store(other) as store:
        imported = store.get(store.summaries()[0].id)
    assert imported is not None
    assert (imported.title, imported.published, imported.body) == (lone.title, lone.published, lone.body)


def test_export_of_an_unknown_story_is_one_line_and_exit_2(grouped: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "--home", str(grouped), "export", "--story", "abcdef123456")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "abcdef123456" in err
