"""The store survives SIGKILL at any instant, shares itself between processes,
and never silently overwrites a damaged file."""

from __future__ import annotations

import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import store.storage
from store import Store, StoreWriteError
from tests.conftest import make_story

WRITER = Path(__file__).with_name("writer.py")
KILLS = 110


def start_writer(home: Path, first: int, batches: int | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, str(WRITER), str(home), str(first)]
    if batches is not None:
        command.append(str(batches))
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "ready"
    return process


def committed(lines: list[str]) -> tuple[set[int], set[str], set[str]]:
    """Story numbers, bookmarked ids and read ids the writer saw committed."""
    numbers: set[int] = set()
    bookmarked: set[str] = set()
    read: set[str] = set()
    for line in filter(str.strip, lines):
        kind, *values = line.split()
        if kind == "put":
            numbers.update(range(int(values[0]), int(values[1])))
        elif kind == "bookmark":
            bookmarked.add(values[0])
        elif kind == "read":
            read.update(values)
    return numbers, bookmarked, read


def assert_holds(
    home: Path, numbers: set[int], bookmarked: set[str], read: set[str], *, check_bodies: bool = True
) -> None:
    with Store(home) as opened:
        assert opened.notices == [], opened.notices
        assert opened.count() >= len(numbers)
        for number in numbers:
            expected = make_story(number)
            got = opened.get(expected.id)
            assert got is not None, f"committed story {number} lost"
            assert got.title == expected.title and got.body == expected.body
        listed = {summary.id: summary for summary in opened.summaries()}
        for story_id in bookmarked:
            assert listed[story_id].bookmarked, f"committed bookmark on {story_id} lost"
        for story_id in read:
            assert listed[story_id].read, f"committed read state of {story_id} lost"
        if check_bodies:
            for summary in listed.values():  # whatever is listed is whole
                story = opened.get(summary.id)
                assert story is not None and story.body


def test_sigkill_at_random_instants_loses_nothing_committed(home: Path) -> None:
    chance = random.Random(20261124)
    numbers: set[int] = set()
    bookmarked: set[str] = set()
    read: set[str] = set()
    for kill in range(KILLS):
        writer = start_writer(home, first=kill * 1000)
        time.sleep(chance.uniform(0.0, 0.12))
        writer.send_signal(signal.SIGKILL)
        output, _ = writer.communicate()
        new_numbers, new_bookmarked, new_read = committed(output.splitlines())
        numbers |= new_numbers
        bookmarked |= new_bookmarked
        read |= new_read
        # Each kill: what this writer committed, and all state so far; the whole store at the end.
        assert_holds(home, new_numbers, bookmarked, read, check_bodies=False)
    assert_holds(home, numbers, bookmarked, read)
    assert len(numbers) > KILLS, "the writers hardly committed anything: the test proved little"
    assert not list(home.rglob("*.tmp")), "temp files of killed writers were left behind"


def test_two_processes_write_one_store(home: Path) -> None:
    with Store(home) as watcher:
        watcher.put_stories([make_story(n) for n in range(900_000, 900_010)])
        first = start_writer(home, first=0, batches=8)
        second = start_writer(home, first=500_000, batches=8)
        # This process writes too, while the others do.
        for n in range(900_000, 900_010):
            watcher.set_bookmarked(make_story(n).id, True)
        outputs = [first.communicate()[0], second.communicate()[0]]
        assert first.returncode == 0 and second.returncode == 0
        assert watcher.refresh() is True
        assert watcher.count() == 10 + 2 * 8 * 25
    numbers, bookmarked, read = committed("\n".join(outputs).splitlines())
    bookmarked |= {make_story(n).id for n in range(900_000, 900_010)}
    assert_holds(home, numbers, bookmarked, read)


def test_refresh_is_false_when_nothing_changed(store: Store) -> None:
    store.put_stories([make_story(1)])
    store.refresh()
    assert store.refresh() is False


def damage(path: Path) -> None:
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])


def test_damaged_story_file_is_moved_aside_and_kept(home: Path) -> None:
    stories = [make_story(n) for n in range(40)]
    with Store(home) as opened:
        opened.put_stories(stories)
        opened.set_bookmarked(stories[2].id, True)
    victim = max((home / "stories").glob("*.json"), key=lambda p: p.stat().st_size)
    damage(victim)
    with Store(home) as opened:
        assert len(opened.notices) == 1
        notice = opened.notices[0]
        assert "damaged" in notice and "moved it to" in notice
        moved = list((home / "damaged").iterdir())
        assert len(moved) == 1 and str(moved[0]) in notice
        assert opened.count() == 40
        assert opened.get(stories[2].id).bookmarked  # type: ignore[union-attr]
        for story in stories:
            assert opened.get(story.id) is not None


def test_damaged_text_file_keeps_what_is_readable(home: Path) -> None:
    stories = [make_story(n) for n in range(40)]
    with Store(home) as opened:
        opened.put_stories(stories)
    victim = max((home / "texts").glob("*.json.gz"), key=lambda p: p.stat().st_size)
    damage(victim)
    with Store(home) as opened:
        bodies = [opened.get(story.id) for story in stories]  # reading finds the damage
        assert all(story is not None for story in bodies)
        assert any("damaged" in notice for notice in opened.notices)
        assert list((home / "damaged").iterdir())
        kept = sum(1 for story in bodies if story and story.body)
        assert 0 < kept < 40


def test_garbage_catalog_is_moved_aside_and_rebuilt(home: Path) -> None:
    with Store(home) as opened:
        opened.put_stories([make_story(n) for n in range(5)])
    for leftover in home.glob("catalog.sqlite3-*"):
        leftover.unlink()
    (home / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    with Store(home) as opened:
        assert opened.count() == 5
        assert any("rebuilt" in notice for notice in opened.notices)


def test_full_disk_leaves_the_previous_state(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Store(home) as opened:
        opened.put_stories([make_story(1)])

        def no_space(descriptor: int, data: object) -> int:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(store.storage.os, "write", no_space)
        with pytest.raises(StoreWriteError, match="disk is full"):
            opened.put_stories([make_story(2)])
        with pytest.raises(StoreWriteError):
            opened.set_bookmarked(make_story(1).id, True)
        monkeypatch.undo()
        assert opened.count() == 1
        assert not opened.get(make_story(1).id).bookmarked  # type: ignore[union-attr]
    assert not list(home.rglob("*.tmp"))
    with Store(home) as reopened:
        assert reopened.notices == [] and reopened.count() == 1
        reopened.put_stories([make_story(2)])
        assert reopened.count() == 2


def test_a_copied_store_is_not_indexed_again(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """cp -r or a restore gives every file a new identity but the same bytes: no rebuild."""
    import shutil

    from store.catalog import Catalog

    with Store(home) as opened:
        opened.put_stories([make_story(n) for n in range(60)])
    copy = tmp_path / "copy"
    shutil.copytree(home, copy, copy_function=shutil.copyfile)  # new inodes and mtimes
    indexed: list[int] = []
    original = Catalog.index_many

    def counting(self: Catalog, partitions: list, **options: object) -> None:  # type: ignore[type-arg]
        indexed.append(len(partitions))
        original(self, partitions, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(Catalog, "index_many", counting)
    with Store(copy) as opened:
        assert opened.count() == 60 and opened.notices == []
        assert len(opened.search("story", limit=100)) == 60
    assert indexed == []
    (copy / "stories" / next((copy / "stories").glob("*.json")).name).write_bytes(
        next((home / "stories").glob("*.json")).read_bytes().replace(b"Story number", b"Story Number")
    )
    with Store(copy) as opened:
        assert indexed, "a partition whose bytes changed must be indexed again"
