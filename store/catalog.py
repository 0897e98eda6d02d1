"""The catalog: a derived SQLite index of the story records, with full-text search.

TinyDB files are the source of truth; they are split by month so no change
rewrites every story.  Finding a story by id, deduplicating a fetch, listing
100,000 stories newest first and searching them would then mean opening every
file, so this index keeps one row per story (its partition and its list record),
an FTS5 full-text index of its text, and, per partition, the signature of the
files it last indexed.  A partition whose files have another signature (another
process wrote them, or a crash came between the two writes) is simply indexed
again, so the catalog can always be rebuilt from the store.

SQLite is the engine because it is crash-safe and shared safely between
processes.  It is reached through apsw, which bundles a current SQLite: the FTS5
table is contentless (the text already lives in the store; keeping it twice
would double the disk used) and deleting from a contentless table needs
SQLite 3.43, newer than many systems' Python ships.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw
import orjson

from store.sanitize import clean_line
from store.errors import StoreWriteError
from store.query import spread_cjk

SCHEMA_VERSION = "7"  # 7: list columns cleaned on indexing

SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS partitions (name TEXT PRIMARY KEY, signature TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS stories (
    num INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    partition TEXT NOT NULL,
    published REAL NOT NULL,
    read INTEGER NOT NULL,
    bookmarked INTEGER NOT NULL,
    feed TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    stamp TEXT NOT NULL,
    record BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS stories_by_published ON stories (published DESC, id);
CREATE INDEX IF NOT EXISTS stories_by_partition ON stories (partition);
CREATE INDEX IF NOT EXISTS stories_by_feed ON stories (feed);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5 (
    title, highlights, body, source, author, note,
    content='', contentless_delete=1,
    tokenize='porter unicode61 remove_diacritics 2'
);
"""

UPSERT_ROW = """
INSERT INTO stories (id, partition, published, read, bookmarked, feed, title, source, stamp, record)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    partition = excluded.partition, published = excluded.published, read = excluded.read,
    bookmarked = excluded.bookmarked, feed = excluded.feed, title = excluded.title,
    source = excluded.source, stamp = excluded.stamp, record = excluded.record
RETURNING num
"""

SEARCH_COLUMNS = ("title", "highlights", "body", "source", "author", "note")
INSERT_TEXT = f"INSERT INTO search (rowid, {', '.join(SEARCH_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)"
# A story id in the change log meaning "everything may have changed: read it all again".
EVERYTHING = "*"
KEPT_CHANGES = 100_000
_DAMAGE = (apsw.CorruptError, apsw.NotADBError, apsw.FormatError, apsw.SchemaChangeError)


class CatalogDamaged(Exception):
    """The SQLite file cannot be used; the store moves it aside and rebuilds it."""


@dataclass(slots=True)
class Entry:
    """One story to index: its list record, and its text record when that changed."""

    story_id: str
    record: dict[str, Any]
    published: float
    text: dict[str, Any] | None = None
    # Never indexed before (the catalog has no row for it): nothing to delete first.
    fresh: bool = False


# A partition to index: its name, (file signature, content digest), and its entries.
PartitionWork = tuple[str, tuple[str, str], list[Entry]]


def searchable_text(record: dict[str, Any], text: dict[str, Any]) -> tuple[str, ...]:
    body = "\n\n".join(part for part in (text.get("body", ""), text.get("full_text", "")) if part)
    fields = (
        str(record.get("title", "")),
        "\n".join(record.get("highlights") or ()),
        body,
        str(record.get("source", "")),
        str(record.get("author", "")),
        str(text.get("note", "")),
    )
    return tuple(spread_cjk(field) for field in fields)


@contextmanager
def translated_errors() -> Iterator[None]:
    """apsw errors in the store's terms: damage to rebuild from, or a write that failed."""
    try:
        yield
    except _DAMAGE as error:
        raise CatalogDamaged(str(error)) from None
    except apsw.FullError:
        raise StoreWriteError("could not update the story index: the disk is full") from None
    except apsw.BusyError:
        raise StoreWriteError("the story index is busy in another process; try again") from None


class Catalog:
    def __init__(self, path: Path) -> None:
        self.path = path
        with translated_errors():
            self.connection = apsw.Connection(str(path))
            self.connection.set_busy_timeout(30_000)
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA synchronous=NORMAL")
            self.connection.execute("PRAGMA cache_size=-32000")
            self.connection.execute(SCHEMA)
            version = self._setting("schema")
            if version is None:
                self._set_setting("schema", SCHEMA_VERSION)
            elif version != SCHEMA_VERSION:
                self.reset()

    def close(self) -> None:
        self.connection.close()

    @contextmanager
    def transaction(self) -> Iterator[apsw.Connection]:
        with translated_errors():
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with translated_errors():
            return self.connection.execute(sql, tuple(parameters)).fetchall()

    def _setting(self, key: str) -> str | None:
        rows = self.query("SELECT value FROM settings WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def _set_setting(self, key: str, value: str) -> None:
        self.connection.execute("INSERT OR REPLACE INTO settings VALUES (?, ?)", (key, value))

    def reset(self) -> None:
        """Empty the index (another version's, or for `reindex`): the store fills it again."""
        with self.transaction() as connection:
            for table in ("stories", "partitions", "search"):
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            connection.execute(SCHEMA)
            self._set_setting("schema", SCHEMA_VERSION)
            self._log(connection, [EVERYTHING])

    @staticmethod
    def _log(connection: apsw.Connection, story_ids: Iterable[str]) -> None:
        """Note which stories changed, for readers that patch their lists (see changes_since)."""
        connection.executemany("INSERT INTO changes (id) VALUES (?)", [(story_id,) for story_id in story_ids])

    def changes_since(self, token: int | None) -> tuple[int, list[str] | None]:
        """(new token, ids changed after `token`); None instead of ids: read everything again
        (the first look, with token None, or a token older than the log keeps)."""
        with translated_errors():
            newest = self.connection.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0]
            oldest = self.connection.execute("SELECT COALESCE(MIN(seq), 1) FROM changes").fetchone()[0]
            if token is None or token < oldest - 1:
                return newest, None
            ids = [row[0] for row in self.connection.execute("SELECT id FROM changes WHERE seq > ?", (token,))]
        if EVERYTHING in ids:
            return newest, None
        return newest, list(dict.fromkeys(ids))

    def data_version(self) -> int:
        """Changes whenever another connection commits to the catalog."""
        return int(self.query("PRAGMA data_version")[0][0])

    def signatures(self) -> dict[str, str]:
        return dict(self.query("SELECT name, signature FROM partitions"))

    def digests(self) -> dict[str, str]:
        return dict(self.query("SELECT name, digest FROM partitions"))

    def set_signature(self, partition: str, signature: str) -> None:
        """The files were replaced by identical ones (copied, restored): note their new identity."""
        with self.transaction() as connection:
            connection.execute("UPDATE partitions SET signature = ? WHERE name = ?", (signature, partition))

    # ------------------------------------------------------------- writing

    def index_many(
        self,
        partitions: list[PartitionWork],
        *,
        replace: bool = False,
        identity_of: Callable[[str], tuple[str, str]] | None = None,
    ) -> None:
        """Index several partitions in one transaction (one FTS5 segment, one commit).

        With replace, the entries given are all that each partition holds.  With
        ``identity_of``, each partition's identity (file signature, digest) is
        asked for only once every row is indexed, just before the commit: a
        writer indexes while it writes the files, and tells their identity when
        they are written (an exception from it rolls everything back).
        """
        identities: list[tuple[str, tuple[str, str]]] = []
        with self.transaction() as connection:
            for partition, identity, entries in partitions:
                if replace:
                    connection.execute(
                        "DELETE FROM search WHERE rowid IN (SELECT num FROM stories WHERE partition = ?)", (partition,)
                    )
                    connection.execute("DELETE FROM stories WHERE partition = ?", (partition,))
                texts: list[tuple[Any, ...]] = []
                for entry in entries:
                    record = entry.record
                    (num,) = connection.execute(
                        UPSERT_ROW,
                        (
                            entry.story_id,
                            partition,
                            entry.published,
                            int(bool(record.get("read"))),
                            int(bool(record.get("bookmarked"))),
                            # Cleaned again here, though ingestion cleans: the rows are what the
                            # list shows, and a hand-edited or old store file must not drive the terminal.
                            clean_line(record.get("feed") or ""),
                            clean_line(record.get("title", "")),
                            clean_line(record.get("source", "")),
                            str(record.get("published", "")),
                            orjson.dumps(record),
                        ),
                    ).fetchone()
                    if entry.text is not None:
                        if not replace and not entry.fresh:
                            connection.execute("DELETE FROM search WHERE rowid = ?", (num,))
                        texts.append((num, *searchable_text(record, entry.text)))
                if texts:
                    connection.executemany(INSERT_TEXT, texts)
                self._log(connection, [EVERYTHING] if replace else [entry.story_id for entry in entries])
                identities.append((partition, identity))
            for partition, identity in identities:
                signature, digest = identity_of(partition) if identity_of is not None else identity
                connection.execute(
                    "INSERT OR REPLACE INTO partitions VALUES (?, ?, ?)", (partition, signature, digest)
                )

    def delete(self, story_ids: list[str], partition: str, identity: tuple[str, str]) -> None:
        with self.transaction() as connection:
            self._log(connection, story_ids)
            for story_id in story_ids:
                connection.execute("DELETE FROM search WHERE rowid = (SELECT num FROM stories WHERE id = ?)", (story_id,))
                connection.execute("DELETE FROM stories WHERE id = ?", (story_id,))
            connection.execute("INSERT OR REPLACE INTO partitions VALUES (?, ?, ?)", (partition, *identity))

    def trim_changes(self) -> None:
        """Keep the change log to its last KEPT_CHANGES entries."""
        with self.transaction() as connection:
            connection.execute("DELETE FROM changes WHERE seq <= (SELECT MAX(seq) FROM changes) - ?", (KEPT_CHANGES,))

    def drop_partition(self, name: str) -> None:
        with self.transaction() as connection:
            self._log(connection, [EVERYTHING])
            connection.execute("DELETE FROM search WHERE rowid IN (SELECT num FROM stories WHERE partition = ?)", (name,))
            connection.execute("DELETE FROM stories WHERE partition = ?", (name,))
            connection.execute("DELETE FROM partitions WHERE name = ?", (name,))

    # ------------------------------------------------------------- reading

    def locate(self, story_ids: list[str]) -> dict[str, str]:
        """Partition of each known id."""
        found: dict[str, str] = {}
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self.query(f"SELECT id, partition FROM stories WHERE id IN ({marks})", chunk))
        return found

    def records(self, partition: str) -> dict[str, dict[str, Any]]:
        rows = self.query("SELECT id, record FROM stories WHERE partition = ?", (partition,))
        return {story_id: orjson.loads(record) for story_id, record in rows}

    def ids_with_prefix(self, prefix: str, limit: int = 2) -> list[str]:
        upper = prefix + "\uffff"
        rows = self.query("SELECT id FROM stories WHERE id >= ? AND id < ? LIMIT ?", (prefix, upper, limit))
        return [row[0] for row in rows]

    @staticmethod
    def where(unread_only: bool, bookmarked_only: bool) -> str:
        clauses = []
        if unread_only:
            clauses.append("read = 0")
        if bookmarked_only:
            clauses.append("bookmarked = 1")
        return (" WHERE " + " AND ".join(clauses)) if clauses else ""

    def count(self, *, unread_only: bool = False, bookmarked_only: bool = False) -> int:
        return int(self.query(f"SELECT COUNT(*) FROM stories{self.where(unread_only, bookmarked_only)}")[0][0])

    def rows(
        self,
        *,
        unread_only: bool = False,
        bookmarked_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
        among: list[str] | None = None,
    ) -> list[tuple[str, str, str, str, int, int, str]]:
        """List rows, newest first: id, title, source, published (ISO), read, bookmarked, feed."""
        where = self.where(unread_only, bookmarked_only)
        parameters: list[Any] = []
        if among is not None:
            where += (" AND " if where else " WHERE ") + f"id IN ({','.join('?' * len(among))})"
            parameters.extend(among)
        sql = (
            f"SELECT id, title, source, stamp, read, bookmarked, feed FROM stories{where} "
            "ORDER BY published DESC, id LIMIT ? OFFSET ?"
        )
        return self.query(sql, (*parameters, -1 if limit is None else limit, offset))  # type: ignore[return-value]

    def newest(
        self, *, unread_only: bool, bookmarked_only: bool, limit: int | None, offset: int
    ) -> list[tuple[str, dict[str, Any]]]:
        where = self.where(unread_only, bookmarked_only)
        sql = f"SELECT id, record FROM stories{where} ORDER BY published DESC, id LIMIT ? OFFSET ?"
        rows = self.query(sql, (-1 if limit is None else limit, offset))
        return [(story_id, orjson.loads(record)) for story_id, record in rows]

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        rows = self.query("SELECT feed, COUNT(*), SUM(read = 0) FROM stories WHERE feed != '' GROUP BY feed")
        return {feed: (int(total), int(unread or 0)) for feed, total, unread in rows}

    def prunable(self, *, published_before: float | None, max_per_feed: int) -> dict[str, str]:
        """Stories a retention policy lets go (id -> partition): published before the cut-off,
        or beyond the newest ``max_per_feed`` of their feed.  Bookmarked stories are never
        among them, nor do they count towards a feed's number."""
        found: dict[str, str] = {}
        if published_before is not None:
            sql = "SELECT id, partition FROM stories WHERE bookmarked = 0 AND published < ?"
            found.update(self.query(sql, (published_before,)))
        if max_per_feed > 0:
            sql = (
                "SELECT id, partition FROM (SELECT id, partition, ROW_NUMBER() OVER "
                "(PARTITION BY feed ORDER BY published DESC, id) AS place FROM stories "
                "WHERE feed != '' AND bookmarked = 0) WHERE place > ?"
            )
            found.update(self.query(sql, (max_per_feed,)))
        return found

    def feed_story_ids(self, feed: str, *, keep_bookmarked: bool) -> dict[str, str]:
        sql = "SELECT id, partition FROM stories WHERE feed = ?" + (" AND bookmarked = 0" if keep_bookmarked else "")
        return dict(self.query(sql, (feed,)))
