"""The catalog's copy of each list record: the columns plus a deflated rest, read back whole."""

from __future__ import annotations

import dataclasses
import zlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import apsw
import orjson
import pytest

from store import Store, Story
from store.catalog import RECORD_COLUMNS, SCHEMA_VERSION, Catalog, Entry, decode_record
from store.model import TEXT_FIELDS, story_to_records
from tests.conftest import FIXED_NOW, make_story

TYPICAL = story_to_records(make_story(1, feed="https://news.example/feed.xml", tags=["world"]))[0]
ODD_RECORDS: list[dict[str, Any]] = [
    TYPICAL,
    # Every field, unicode everywhere, user state set, extra data nested.
    {
        **TYPICAL,
        "title": "Ünïcödé 標題 — ‏עברית‏ 🚀",
        "source": "Zeitung für Straße",
        "author": "Ærøskøbing Ω",
        "highlights": ["第一点。", "Zweiter Punkt: «ça va»", ""],
        "highlights_generated": True,
        "read": True,
        "bookmarked": True,
        "tags": ["é", "标签"],
        "extra": {"nested": {"list": [1, 2.5, None, True], "text": "\u2028 line separator"}},
    },
    # Values the columns hold differently from the record: kept as they were.
    {**TYPICAL, "title": "Escape \x1b[31mred\x1b[0m  and  spaces ", "source": "  padded  ", "feed": None},
    {**TYPICAL, "read": 1, "bookmarked": None, "published": 1_700_000_000, "title": 42},
    {**TYPICAL, "published": "not a date", "read": "yes", "bookmarked": 0},
    # Fields missing (an old or hand-edited store file), and fields this version does not know.
    {"title": "Only a title"},
    {"url": "https://news.example/x", "unknown": {"kept": ["as", "is"]}, "zzz": 1},
    {},
]


def index_and_read(tmp_path: Path, records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    catalog = Catalog(tmp_path / "catalog.sqlite3")
    try:
        entries = [Entry(f"{number:012x}", record, float(number)) for number, record in enumerate(records)]
        catalog.index_many([("2026-11-0", ("signature", "digest"), entries)])
        return catalog.records("2026-11-0")
    finally:
        catalog.close()


def test_every_record_reads_back_exactly(tmp_path: Path) -> None:
    found = index_and_read(tmp_path, ODD_RECORDS)
    for number, record in enumerate(ODD_RECORDS):
        back = found[f"{number:012x}"]
        assert back == record
        # Same types too (a 1 is not read back as True, nor a missing field as an empty one).
        assert {key: type(value) for key, value in back.items()} == {key: type(value) for key, value in record.items()}


def test_fields_come_back_in_the_order_a_story_stores_them(tmp_path: Path) -> None:
    found = index_and_read(tmp_path, [TYPICAL, ODD_RECORDS[1]])
    assert list(found[f"{0:012x}"]) == list(TYPICAL)
    assert list(found[f"{1:012x}"]) == list(ODD_RECORDS[1])


def test_the_blob_leaves_out_what_the_columns_hold_and_is_deflated(tmp_path: Path) -> None:
    record = {**TYPICAL, "title": "A title only the column holds", "source": "A source only the column holds"}
    path = tmp_path / "catalog.sqlite3"
    index_and_read(tmp_path, [record])
    connection = apsw.Connection(str(path))
    (row,) = connection.execute(f"SELECT {RECORD_COLUMNS} FROM stories").fetchall()
    blob = row[-1]
    assert b"only the column holds" not in blob
    inflated = zlib.decompressobj(-zlib.MAX_WBITS, Catalog_dictionary()).decompress(blob)
    rest = orjson.loads(inflated)
    assert "title" not in rest and "source" not in rest and "published" not in rest and "read" not in rest
    assert rest["url"] == TYPICAL["url"] and rest["highlights"] == TYPICAL["highlights"]
    assert len(blob) < len(inflated) < len(orjson.dumps(record))
    assert decode_record(*row) == record


def Catalog_dictionary() -> bytes:  # noqa: N802 - the module's private dictionary, read for the test
    from store import catalog

    return catalog._DICTIONARY


def test_listed_stories_and_search_hits_are_the_stories_as_stored(store: Store) -> None:
    stories = [
        make_story(1, feed="https://a.example/feed", tags=["t"], extra={"k": [1, "二"]}),
        make_story(2, title="Bücher und Straßen 書籍", highlights_generated=True, author=""),
        make_story(3, highlights=[], url="", source=""),
    ]
    store.put_stories(stories)
    store.set_read([stories[0].id], True)
    store.set_bookmarked(stories[1].id, True)

    def list_part(story: Story | None) -> Story:
        assert story is not None
        return dataclasses.replace(story, **{name: type(getattr(story, name))() for name in TEXT_FIELDS})

    whole = {story.id: store.get(story.id) for story in stories}
    listed = store.listed_stories()
    assert [story.id for story in listed] == [story.id for story in stories]
    for story in listed:
        assert story == list_part(whole[story.id])
    for hit in store.search("story"):
        assert hit.story == list_part(whole[hit.story.id])


def test_a_catalog_of_the_old_format_is_rebuilt_and_shrinks(home: Path) -> None:
    stories = [make_story(n, bookmarked=n == 3) for n in range(60)]
    with Store(home) as opened:
        opened.put_stories(stories)
    path = home / "catalog.sqlite3"
    # Make it what version 7 left: the whole record as JSON in the blob (padded here, so that
    # giving the space back shows), and its schema version.
    connection = apsw.Connection(str(path))
    rows = connection.execute(f"SELECT id, {RECORD_COLUMNS} FROM stories").fetchall()
    with connection:
        for story_id, *columns in rows:
            record = decode_record(*columns)
            record["extra"] = {"padding": "x" * 20_000}
            connection.execute("UPDATE stories SET record = ? WHERE id = ?", (orjson.dumps(record), story_id))
        connection.execute("UPDATE settings SET value = '7' WHERE key = 'schema'")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    before = path.stat().st_size
    assert before > 60 * 20_000

    with Store(home) as opened:
        assert opened.count() == 60
        listed = {story.id: story for story in opened.listed_stories()}
        for story in stories:
            assert listed[story.id].extra == {}  # read again from the store, not the old blob
            assert listed[story.id].highlights == story.highlights
        assert [summary.id for summary in opened.summaries(bookmarked_only=True)] == [stories[3].id]
        assert [hit.story.id for hit in opened.search('"story number 17"')] == [stories[17].id]
    connection = apsw.Connection(str(path))
    assert connection.execute("SELECT value FROM settings WHERE key = 'schema'").fetchone()[0] == SCHEMA_VERSION
    connection.close()
    assert path.stat().st_size < before / 4


def test_a_destroyed_story_file_is_restored_whole_from_the_catalog(home: Path) -> None:
    feed = "https://news.example/feed.xml"
    stories = [
        make_story(n, feed=feed, tags=[f"tag {n}"], extra={"n": n}, author=f"Writer {n} ß", highlights_generated=bool(n % 2))
        for n in range(12)
    ]
    with Store(home) as opened:
        opened.put_stories(stories)
        opened.set_read([story.id for story in stories[::2]], True)
        for story in stories[::3]:
            opened.set_bookmarked(story.id, True)
        before = {story.id: opened.get(story.id) for story in stories}
    # Nothing of the file is readable: every record must come from the catalog's copy.
    victim = max((home / "stories").glob("*.json"), key=lambda path: len(orjson.loads(path.read_bytes())["records"]))
    held = set(orjson.loads(victim.read_bytes())["records"])
    assert len(held) >= 2
    victim.write_bytes(b"\x00 nothing readable here " * 40)
    with Store(home) as opened:
        after = {story.id: opened.get(story.id) for story in stories}
        assert len(opened.notices) == 1 and "damaged" in opened.notices[0]
        assert f"kept {len(held)} readable records" in opened.notices[0]
    assert after == before


@pytest.mark.parametrize("hours", [0, 24 * 400])
def test_published_stamp_comes_back_with_its_offset(store: Store, hours: int) -> None:
    story = make_story(1, published=(FIXED_NOW - timedelta(hours=hours)).astimezone())
    store.put_stories([story])
    (listed,) = store.listed_stories()
    assert listed.published == story.published
    assert listed.published.utcoffset() == story.published.utcoffset()


def test_a_record_that_does_not_read_makes_the_index_rebuild(home: Path) -> None:
    stories = [make_story(n) for n in range(8)]
    with Store(home) as opened:
        opened.put_stories(stories)
    connection = apsw.Connection(str(home / "catalog.sqlite3"))
    with connection:
        connection.execute("UPDATE stories SET record = ? WHERE id = ?", (b"\x00not deflate", stories[4].id))
    connection.close()
    with Store(home) as opened:
        listed = {story.id: story for story in opened.listed_stories()}
        assert listed[stories[4].id].highlights == stories[4].highlights
        assert len(listed) == 8
        assert any("story index" in notice and "rebuilt" in notice for notice in opened.notices)
