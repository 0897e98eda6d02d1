"""The feed commands of the CLI, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.httpserver import FeedServer, Route, http_server_fixture  # noqa: F401 - the fixture
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_subscribe_fetch_list_and_remove(home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    rss = http_server.route("/rss.xml", Route.file("rss20.xml", etag='"v1"'))
    atom = http_server.route("/atom.xml", Route.file("atom10.xml"))
    h = ["--home", str(home)]
    assert run_cli(capsys, *h, "add", rss)[0] == 0
    code, out, _ = run_cli(capsys, *h, "add", atom, "--tag", "blogs")
    assert code == 0 and "Subscribed" in out
    code, out, _ = run_cli(capsys, *h, "add", rss)
    assert code == 0 and "Already following" in out

    code, out, err = run_cli(capsys, *h, "fetch")
    assert code == 0 and out.startswith("Fetched 2 feeds") and "0 errors" in out
    code, out, _ = run_cli(capsys, *h, "fetch", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["new_stories"] == 0 and summary["not_modified"] >= 1

    code, out, _ = run_cli(capsys, *h, "feeds", "--json")
    feeds = {feed["url"]: feed for feed in json.loads(out)}
    assert set(feeds) == {rss, atom}
    assert {"url", "title", "tags", "stories", "unread", "last_status", "last_success", "error"} <= feeds[rss].keys()
    assert feeds[atom]["tags"] == ["blogs"] and feeds[rss]["stories"] > 0
    assert feeds[rss]["last_status"] == 304 and feeds[rss]["last_success"]  # the conditional second fetch

    code, out, _ = run_cli(capsys, *h, "list", "--json")
    stories = json.loads(out)
    assert {story["feed"] for story in stories} == {rss, atom}
    kept = next(story for story in stories if story["feed"] == rss)
    run_cli(capsys, *h, "bookmark", kept["id"])

    code, out, _ = run_cli(capsys, *h, "remove", rss)
    assert code == 0 and "bookmarked ones are kept" in out
    _, out, _ = run_cli(capsys, *h, "list", "--json")
    assert [s["id"] for s in json.loads(out) if s["feed"] == rss] == [kept["id"]]
    code, _, err = run_cli(capsys, *h, "remove", rss)
    assert code == 2 and "not following" in err


def test_a_failing_feed_makes_fetch_exit_1(home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    good = http_server.route("/good.xml", Route.file("rss20.xml"))
    bad = http_server.route("/bad.xml", Route.file("rss20.xml"), Route(status=500, body=b"oops"))
    for url in (good, bad):
        assert run_cli(capsys, "--home", str(home), "add", url)[0] == 0
    code, out, err = run_cli(capsys, "--home", str(home), "fetch")
    assert code == 1 and "1 error" in out
    assert f"{bad}: The server answered 500" in err
    _, out, _ = run_cli(capsys, "--home", str(home), "feeds", "--json")
    errors = {feed["url"]: feed["error"] for feed in json.loads(out)}
    assert errors[good] is None and "500" in errors[bad]


def test_add_lists_choices_when_a_page_names_several_feeds(
    home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    page = (Path(__file__).parent / "feeds" / "page_two_feeds.html").read_bytes()
    url = http_server.route("/page.html", Route(body=page, content_type="text/html"))
    code, out, _ = run_cli(capsys, "--home", str(home), "add", url)
    assert code == 1 and "names 2 feeds" in out and out.count("broadsheet add ") == 2
    _, out, _ = run_cli(capsys, "--home", str(home), "feeds", "--json")
    assert json.loads(out) == []


def test_opml_round_trip(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = Path(__file__).parent / "feeds" / "subscriptions.opml"
    code, out, _ = run_cli(capsys, "--home", str(home), "import", str(source))
    assert code in (0, 1) and "feeds added" in out
    _, exported, _ = run_cli(capsys, "--home", str(home), "export", "--opml")
    _, before, _ = run_cli(capsys, "--home", str(home), "feeds", "--json")
    again = tmp_path / "again"
    copy = tmp_path / "exported.opml"
    copy.write_text(exported, encoding="utf-8")
    run_cli(capsys, "--home", str(again), "import", str(copy))
    _, after, _ = run_cli(capsys, "--home", str(again), "feeds", "--json")
    strip = lambda feeds: sorted((f["url"], f["title"], f["tags"]) for f in json.loads(feeds))  # noqa: E731
    assert strip(after) == strip(before) and strip(before)


def test_fetch_with_no_feeds(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--home", str(home), "fetch")
    assert code == 0 and "No feeds yet" in out


PAGES = Path(__file__).parent / "pages"


def test_extract_a_file_and_refuse_bad_addresses(capsys: pytest.CaptureFixture[str]) -> None:
    page = PAGES / "ferry-timetable.html"
    code, out, _ = run_cli(capsys, "extract", str(page))
    assert code == 0 and out.startswith("# Northgate ferry") and "Kittiwake" in out
    code, out, _ = run_cli(capsys, "extract", str(page), "--format", "text")
    assert code == 0 and not out.startswith("#")
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "-rf"):
        code, _, err = run_cli(capsys, "extract", "--", bad) if bad.startswith("-") else run_cli(capsys, "extract", bad)
        assert code == 2 and len(err.splitlines()) == 1, bad


def test_save_makes_a_bookmarked_searchable_story(
    home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = http_server.route("/ferry.html", Route(body=(PAGES / "ferry-timetable.html").read_bytes(), content_type="text/html"))
    code, out, _ = run_cli(capsys, "--home", str(home), "save", url)
    assert code == 0 and "bookmarked" in out
    _, out, _ = run_cli(capsys, "--home", str(home), "list", "--json", "--bookmarked")
    saved = json.loads(out)
    assert [story["url"] for story in saved] == [url] and 3 <= len(saved[0]["highlights"]) <= 5
    _, out, _ = run_cli(capsys, "--home", str(home), "search", "Kittiwake", "--json")
    assert [story["id"] for story in json.loads(out)] == [saved[0]["id"]]


WRITER = Path(__file__).parent / "store" / "writer.py"


def test_fetch_while_another_process_writes_the_store(
    home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`broadsheet fetch` and another writer (a TUI, say) on one store: neither loses the other's writes."""
    urls = [http_server.route(f"/f{n}.xml", Route.file(name)) for n, name in enumerate(["rss20.xml", "atom10.xml"])]
    h = ["--home", str(home)]
    for url in urls:
        assert run_cli(capsys, *h, "add", url)[0] == 0
    writer = subprocess.Popen([sys.executable, str(WRITER), str(home), "1000"], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        assert writer.stdout.readline().startswith("put")  # the writer is writing
        code, out, err = run_cli(capsys, *h, "fetch", "--json")
        assert code == 0 and json.loads(out)["new_stories"] == 8 and err == ""
    finally:
        writer.terminate()
        lines = writer.communicate(timeout=30)[0].splitlines()
    written = {n for line in lines if line.startswith("put") for n in range(*map(int, line.split()[1:3]))}
    written |= set(range(1000, 1025))  # the batch read above
    _, out, _ = run_cli(capsys, *h, "list", "--json")
    stories = json.loads(out)
    assert len([story for story in stories if story["feed"] in urls]) == 8
    listed_urls = {story["url"] for story in stories}
    assert {f"https://news.example/{n}" for n in written} <= listed_urls
    _, out, _ = run_cli(capsys, *h, "feeds", "--json")
    assert {feed["url"]: feed["last_status"] for feed in json.loads(out)} == {url: 200 for url in urls}


def rot(path: Path) -> None:
    """Damage a file the way a failing disk does: bytes changed in place, its size and time as they were.

    A store that opens sees no change (so does not read it); the fetch's writer, reading
    the partition to add stories to it, is the one that finds the damage.
    """
    status = path.stat()
    with path.open("r+b") as handle:
        handle.seek(status.st_size // 3)
        handle.write(b"\x00" * 16)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))


def fetched_then_rotten(home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> Path:
    url = http_server.route("/rss.xml", Route.file("rss20.xml"))  # no validators: fetched again in full
    assert run_cli(capsys, "--home", str(home), "add", url)[0] == 0
    assert run_cli(capsys, "--home", str(home), "fetch", "--json")[0] == 0
    partitions = sorted((home / "stories").glob("*.json"))
    for partition in partitions:
        rot(partition)
    return partitions[0]


def test_fetch_tells_damage_the_writer_found_after_the_summary(
    home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    partition = fetched_then_rotten(home, http_server, capsys)
    run = subprocess.run(
        [sys.executable, "-m", "tui.cli", "--home", str(home), "fetch"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120, check=False,
    )
    lines = run.stdout.splitlines()
    assert run.returncode == 0 and lines[0].startswith("Fetched 1 feed"), run.stdout
    damage = lines[1:]
    assert damage and all(line.startswith("broadsheet: stories/") and "was damaged" in line for line in damage), lines
    assert any(line.startswith(f"broadsheet: stories/{partition.name} was damaged") for line in damage)
    assert all(str(home / "damaged") in line for line in damage)
    _, out, _ = run_cli(capsys, "--home", str(home), "list", "--json")
    assert len(json.loads(out)) == 5  # the stories came back with the fetch


def test_fetch_json_has_the_damage_and_stderr_stays_quiet(
    home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    fetched_then_rotten(home, http_server, capsys)
    code, out, err = run_cli(capsys, "--home", str(home), "fetch", "--json")
    summary = json.loads(out)
    assert code == 0 and summary["notices"] and all("was damaged" in notice for notice in summary["notices"])
    assert err == ""


def test_fetch_tells_a_damaged_feeds_file(home: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]) -> None:
    good = http_server.route("/good.xml", Route.file("rss20.xml"))
    h = ["--home", str(home)]
    assert run_cli(capsys, *h, "add", good)[0] == 0
    feeds_file = home / "feeds.json"
    feeds_file.write_bytes(feeds_file.read_bytes() + b"\x00 torn write")

    code, out, err = run_cli(capsys, *h, "fetch")
    assert code == 0 and out.startswith("Fetched 1 feed")
    lines = err.splitlines()
    assert len([line for line in lines if "feeds.json was damaged" in line]) == 1, err
    assert all(line.startswith("broadsheet: ") for line in lines), err


def test_remove_takes_an_address_followed_before_the_checks_got_stricter(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from store.feeds import Feed, FeedList

    old = "http://xn--a.xn--/feed.xml"  # refused by 'add' now (not valid punycode)
    with FeedList(home) as feeds:
        feeds.add(Feed(url=old))
    code, _, err = run_cli(capsys, "--home", str(home), "add", old)
    assert code == 1 and "not a valid international domain name" in err
    code, out, _ = run_cli(capsys, "--home", str(home), "remove", old)
    assert code == 0 and out.startswith(f"Removed {old}")
    with FeedList(home) as feeds:
        assert feeds.all() == []


def test_add_refuses_a_host_that_could_be_an_option_or_hides_characters(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for address, reason in (
        ("http://-oProxyCommand=sh/feed", "starts or ends with '-'"),
        ("http://exa\u202emple.com/feed.xml", "invisible"),
    ):
        code, out, err = run_cli(capsys, "--home", str(home), "add", address)
        assert code == 1 and out == "" and reason in err, err
        assert len(err.splitlines()) == 1 and "\u202e" not in err
    _, out, _ = run_cli(capsys, "--home", str(home), "feeds", "--json")
    assert json.loads(out) == []


def test_fetch_applies_the_retention_settings(
    home: Path, tmp_path: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a fetch, only the newest max_per_feed stories of each feed are kept (bookmarks never go)."""
    rss = http_server.route("/rss.xml", Route.file("rss20.xml"))
    settings = tmp_path / "config.toml"
    settings.write_text("[retention]\nmax_per_feed = 2\n", encoding="utf-8")
    h = ["--home", str(home), "--config", str(settings)]
    assert run_cli(capsys, *h, "add", rss)[0] == 0
    code, out, err = run_cli(capsys, *h, "fetch")
    assert code == 0 and "5 new stories" in out and err == ""
    code, out, _ = run_cli(capsys, *h, "list", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def test_fetch_leaves_out_items_older_than_the_retention(
    home: Path, tmp_path: Path, http_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Items older than keep_days are not taken in, so they are not 'new' on every fetch only to be pruned."""
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime

    now = datetime.now(timezone.utc)
    items = "".join(
        f"<item><title>Item {age} days old</title><link>https://news.example/{age}</link>"
        f"<pubDate>{format_datetime(now - timedelta(days=age, hours=1))}</pubDate></item>"
        for age in (0, 1, 5, 40)
    )
    body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'.encode()
    url = http_server.route("/aged.xml", Route(body=body, content_type="application/rss+xml"))
    settings = tmp_path / "config.toml"
    settings.write_text("[retention]\nkeep_days = 3\n", encoding="utf-8")
    h = ["--home", str(home), "--config", str(settings)]
    assert run_cli(capsys, *h, "add", url)[0] == 0
    for _ in range(2):  # the second fetch finds nothing new: the old items stay out
        code, out, err = run_cli(capsys, *h, "fetch", "--json")
        assert code == 0 and err == ""
        new = json.loads(out)["new_stories"]
        assert new == (2 if _ == 0 else 0)
    _, out, _ = run_cli(capsys, *h, "list", "--json")
    assert sorted(story["title"] for story in json.loads(out)) == ["Item 0 days old", "Item 1 days old"]
