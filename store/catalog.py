"""The catalog: a derived SQLite index of the story records.

TinyDB files are the source of truth; they are split by month so no change
rewrites every story.  Finding a story by id, deduplicating a fetch, and listing
100,000 stories newest first would then mean opening every file, so this index
keeps one row per story (its partition and its list record) and, per partition,
the signature of the file it last indexed.  A partition whose file has another
signature (another process wrote it, or a crash came between the two writes) is
simply indexed again, so the catalog can always be rebuilt from the store.
SQLite, from the standard library, is the engine because it is crash-safe and
shared safely between processes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partitions (name TEXT PRIMARY KEY, signature TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    id TEXT PRIMARY KEY,
    partition TEXT NOT NULL,
    published REAL NOT NULL,
    read INTEGER NOT NULL,
    bookmarked INTEGER NOT NULL,
    feed TEXT NOT NULL,
    record BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS stories_by_published ON stories (published DESC, id);
CREATE INDEX IF NOT EXISTS stories_by_partition ON stories (partition);
CREATE INDEX IF NOT EXISTS stories_by_feed ON stories (feed);
"""

# A row as kept: id, partition, published (epoch seconds), read, bookmarked, feed, list record.
CatalogRow = tuple[str, str, float, int, int, str, bytes]
INSERT_ROW = "INSERT OR REPLACE INTO stories VALUES (?, ?, ?, ?, ?, ?, ?)"


class CatalogDamaged(Exception):
    """The SQLite file cannot be used; the store moves it aside and rebuilds it."""


def catalog_row(story_id: str, partition: str, record: dict[str, Any], published: float) -> CatalogRow:
    return (
        story_id,
        partition,
        published,
        int(bool(record.get("read"))),
        int(bool(record.get("bookmarked"))),
        str(record.get("feed") or ""),
        orjson.dumps(record),
    )


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.connection = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.executescript(SCHEMA)
            version = self._setting("schema")
            if version is None:
                self._set_setting("schema", SCHEMA_VERSION)
            elif version != SCHEMA_VERSION:
                self._reset()
        except sqlite3.DatabaseError as error:
            raise CatalogDamaged(str(error)) from None

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            raise CatalogDamaged(str(error)) from None

    def _query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.connection.execute(sql, tuple(parameters)).fetchall()
        except sqlite3.DatabaseError as error:
            raise CatalogDamaged(str(error)) from None

    def _setting(self, key: str) -> str | None:
        rows = self._query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _set_setting(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def _reset(self) -> None:
        """An index from another version of Broadsheet: start it again (the store rebuilds it)."""
        with self.transaction() as connection:
            connection.execute("DROP TABLE IF EXISTS stories")
            connection.execute("DROP TABLE IF EXISTS partitions")
        self.connection.executescript(SCHEMA)
        self._set_setting("schema", SCHEMA_VERSION)

    def data_version(self) -> int:
        """Changes whenever another connection commits to the catalog."""
        return int(self._query("PRAGMA data_version")[0][0])

    def signatures(self) -> dict[str, str]:
        return dict(self._query("SELECT name, signature FROM partitions"))

    def replace_partition(self, name: str, signature: str, rows: list[CatalogRow]) -> None:
        """Make the partition's rows exactly these (after it was re-read whole)."""
        with self.transaction() as connection:
            connection.execute("DELETE FROM stories WHERE partition = ?", (name,))
            connection.executemany(INSERT_ROW, rows)
            connection.execute("INSERT OR REPLACE INTO partitions VALUES (?, ?)", (name, signature))

    def update_partition(self, name: str, signature: str, rows: list[CatalogRow]) -> None:
        """Insert or replace these rows of a partition just written."""
        with self.transaction() as connection:
            connection.executemany(INSERT_ROW, rows)
            connection.execute("INSERT OR REPLACE INTO partitions VALUES (?, ?)", (name, signature))

    def delete(self, story_ids: list[str], partition: str, signature: str) -> None:
        with self.transaction() as connection:
            connection.executemany("DELETE FROM stories WHERE id = ?", [(i,) for i in story_ids])
            connection.execute("INSERT OR REPLACE INTO partitions VALUES (?, ?)", (partition, signature))

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        rows = self._query("SELECT feed, COUNT(*), SUM(read = 0) FROM stories WHERE feed != '' GROUP BY feed")
        return {feed: (int(total), int(unread or 0)) for feed, total, unread in rows}

    def feed_story_ids(self, feed: str, *, keep_bookmarked: bool) -> dict[str, str]:
        sql = "SELECT id, partition FROM stories WHERE feed = ?" + (" AND bookmarked = 0" if keep_bookmarked else "")
        return dict(self._query(sql, (feed,)))

    def drop_partition(self, name: str) -> None:
        with self.transaction() as connection:
            connection.execute("DELETE FROM stories WHERE partition = ?", (name,))
            connection.execute("DELETE FROM partitions WHERE name = ?", (name,))

    def locate(self, story_ids: list[str]) -> dict[str, str]:
        """Partition of each known id."""
        found: dict[str, str] = {}
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._query(f"SELECT id, partition FROM stories WHERE id IN ({marks})", chunk))
        return found

    def records(self, partition: str) -> dict[str, dict[str, Any]]:
        rows = self._query("SELECT id, record FROM stories WHERE partition = ?", (partition,))
        return {story_id: orjson.loads(record) for story_id, record in rows}

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        upper = prefix + "\uffff"
        rows = self._query("SELECT id FROM stories WHERE id >= ? AND id < ? LIMIT ?", (prefix, upper, limit))
        return [row[0] for row in rows]

    @staticmethod
    def _where(unread_only: bool, bookmarked_only: bool) -> str:
        clauses = []
        if unread_only:
            clauses.append("read = 0")
        if bookmarked_only:
            clauses.append("bookmarked = 1")
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""

    def count(self, *, unread_only: bool = False, bookmarked_only: bool = False) -> int:
        where = self._where(unread_only, bookmarked_only)
        return int(self._query(f"SELECT COUNT(*) FROM stories{where}")[0][0])

    def newest(
        self, *, unread_only: bool, bookmarked_only: bool, limit: int | None, offset: int
    ) -> list[tuple[str, dict[str, Any]]]:
        where = self._where(unread_only, bookmarked_only)
        sql = f"SELECT id, record FROM stories{where} ORDER BY published DESC, id LIMIT ? OFFSET ?"
        rows = self._query(sql, (-1 if limit is None else limit, offset))
        return [(story_id, orjson.loads(record)) for story_id, record in rows]
