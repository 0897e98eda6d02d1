"""`broadsheet fetch` and `broadsheet import` bring the story groups up to date (tui.group_sync),
so a list or a viewer opened next finds the new stories in their groups; a failure to group is one
line on stderr and never changes the exit status."""

from __future__ import annotations

from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from store import Store
from store.groupstate import Groups
from store.storydoc import format_story_document
from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture
from tests.store.test_grouping import SPACE, space_reports, unrelated_reports
from tui.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def known_groups(home: Path, story_ids: list[str]) -> dict[str, str]:
    """The groups file as the command left it (read, not synced again)."""
    with Groups(home) as groups:
        return groups.groups_of(story_ids)


def rss(title: str, link: str, body: str, number: int) -> bytes:
    published = space_reports()[number].published
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>{escape(link)}</link><description>News</description><item><title>{escape(title)}</title>"
        f"<link>{escape(link)}/story</link><guid>{escape(link)}/story</guid>"
        f"<pubDate>{format_datetime(published)}</pubDate><description>{escape(body)}</description></item>"
        "</channel></rss>"
    ).encode()


def test_import_groups_the_stories_it_brings(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stories = [*space_reports(), *unrelated_reports()]
    paths = []
    for story in stories:
        path = tmp_path / f"{story.id}.txt"
        path.write_text(format_story_document(story), encoding="utf-8")
        paths.append(str(path))
    code, out, err = run_cli(capsys, "--home", str(home), "import", *paths)
    assert code == 0 and err == "" and out.startswith("Imported 5 stories")
    with Store(home) as store:
        ids = [summary.id for summary in store.summaries()]
        space_ids = [summary.id for summary in store.summaries() if summary.title in {t for _, _, t, _ in SPACE}]
    found = known_groups(home, ids)
    assert len(space_ids) == 3 and len({found[i] for i in space_ids}) == 1
    assert len(set(found.values())) == 3  # the event, and the two unrelated stories alone


def test_fetch_groups_the_new_stories(home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    h = ["--home", str(home)]
    for number, (_feed, _source, title, body) in enumerate(SPACE):
        site = http_server.url(f"/site{number}")
        url = http_server.route(f"/feed{number}.xml", Route(body=rss(title, site, body, number)))
        assert run_cli(capsys, *h, "add", url)[0] == 0
    code, out, err = run_cli(capsys, *h, "fetch")
    assert code == 0 and out.startswith("Fetched 3 feeds"), (out, err)
    assert "could not group" not in err
    with Store(home) as store:
        ids = [summary.id for summary in store.summaries()]
    assert len(ids) == 3
    assert len(set(known_groups(home, ids).values())) == 1


def test_a_failure_to_group_is_one_line_and_keeps_the_exit_status(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    story = space_reports()[0]
    path = tmp_path / "one.txt"
    path.write_text(format_story_document(story), encoding="utf-8")
    home.mkdir(parents=True, exist_ok=True)
    (home / "groups.sqlite3").mkdir()  # not a file SQLite can open
    code, out, err = run_cli(capsys, "--home", str(home), "import", str(path))
    assert code == 0 and out.startswith("Imported 1 story")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("broadsheet: could not group the stories")
    assert "Traceback" not in err
