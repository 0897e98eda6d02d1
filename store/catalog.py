"""The catalog: a derived SQLite index of the story records, with full-text search.

TinyDB files are the source of truth; they are split by month so no change
rewrites every story.  Finding a story by id, deduplicating a fetch, listing
100,000 stories newest first and searching them would then mean opening every
file, so this index keeps one row per story (its partition and its list record),
an FTS5 full-text index of its text, and, per partition, the signature of the
files it last indexed.  A partition whose files have another signature (another
process wrote them, or a crash came between the two writes) is simply indexed
again, so the catalog can always be rebuilt from the store.

A row's list record is kept in two parts: the fields the list needs as columns
(title, source, feed, read, bookmarked, the published stamp), and the rest of
the record (URL, author, highlights, ...) as compressed JSON (``encode_record``;
``decode_record`` puts the two together again, exactly as the record was).
Keeping the whole record besides the columns cost about 800 bytes a story; the
rest, deflated with a dictionary of the usual keys, about 280.

SQLite is the engine because it is crash-safe and shared safely between
processes.  It is reached through apsw, which bundles a current SQLite: the FTS5
table is contentless (the text already lives in the store; keeping it twice
would double the disk used) and deleting from a contentless table needs
SQLite 3.43, newer than many systems' Python ships.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import apsw
import orjson

from store.sanitize import clean_line
from store.errors import StoreWriteError
from store.model import LIST_FIELDS
from store.query import spread_cjk

SCHEMA_VERSION = "8"  # 8: the record blob holds only what the columns do not, deflated

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

# What decode_record takes, in its order: select these to read whole list records.
RECORD_COLUMNS = (
    "stories.title, stories.source, stories.feed, stories.read, stories.bookmarked, stories.stamp, stories.record"
)
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


# ------------------------------------------------------------- the record blob

# Record fields the row has as columns, and left out of the blob when the column holds them as they are.
_TEXT_COLUMNS = ("title", "source", "feed", "published")
_FLAG_COLUMNS = ("read", "bookmarked")
# In a blob: the column fields the record did not have at all (a hand-edited or old store file).
_ABSENT = "\x00absent"
# Deflate's preset dictionary: what most blobs start with.  Part of the stored format: changing it
# means a new SCHEMA_VERSION (every blob is made again then).
_DICTIONARY = (
    b'"tags":[],"extra":{}}"highlights_generated":false,"highlights_generated":true,'
    b'"fetched":"2026-01-01T12:00:00+00:00","highlights":["The of the and in a to for is that on with.",'
    b'{"url":"https://www.","author":"",'
)
_LEVEL = 6
_MEMORY_LEVEL = 5  # a smaller hash table than the default 8: the same size out, half the time per blob


def encode_record(record: dict[str, Any], title: str, source: str, feed: str, stamp: str) -> bytes:
    """The record's blob, given what the row's columns hold: every field the columns do not hold
    exactly (an odd value, a title the cleaning changed, a missing field), deflated."""
    rest: dict[str, Any] = {}
    columns = {"title": title, "source": source, "feed": feed, "published": stamp}
    for name, value in record.items():
        if name in columns:
            if type(value) is not str or value != columns[name]:
                rest[name] = value
        elif name in _FLAG_COLUMNS:
            if type(value) is not bool:
                rest[name] = value
        else:
            rest[name] = value
    absent = [name for name in (*_TEXT_COLUMNS, *_FLAG_COLUMNS) if name not in record]
    if absent:
        rest[_ABSENT] = absent
    packer = zlib.compressobj(_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS, _MEMORY_LEVEL, zlib.Z_DEFAULT_STRATEGY, _DICTIONARY)
    return packer.compress(orjson.dumps(rest)) + packer.flush()


def decode_record(title: str, source: str, feed: str, read: int, bookmarked: int, stamp: str, blob: bytes) -> dict[str, Any]:
    """The list record a row was made from (select RECORD_COLUMNS), its fields in the usual order."""
    unpacker = zlib.decompressobj(-zlib.MAX_WBITS, _DICTIONARY)
    try:
        rest = orjson.loads(unpacker.decompress(blob) + unpacker.flush())
        absent = rest.pop(_ABSENT, None)
    except (zlib.error, orjson.JSONDecodeError, TypeError, AttributeError) as error:
        # The catalog is derived data: a row that does not read means it is rebuilt (see CatalogDamaged).
        raise CatalogDamaged(f"a story's record in the index does not read ({error})") from None
    columns = {
        "title": title,
        "source": source,
        "feed": feed,
        "published": stamp,
        "read": bool(read),
        "bookmarked": bool(bookmarked),
    }
    record: dict[str, Any] = {}
    for name in LIST_FIELDS:
        if name in rest:
            record[name] = rest.pop(name)
        elif name in columns:
            record[name] = columns[name]
    if rest:
        record.update(rest)
    if absent:
        for name in absent:
            record.pop(name, None)
    return record


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
        # Give the emptied pages back to the file system (the index of another version may have
        # been larger than this one's will be): with the tables empty, this is quick.
        # Not done (another connection busy, a statement of this one open): the pages are reused instead.
        with translated_errors(), suppress(apsw.BusyError, apsw.LockedError, apsw.SQLError):
            self.connection.execute("VACUUM")

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
                    # Cleaned again here, though ingestion cleans: the rows are what the
                    # list shows, and a hand-edited or old store file must not drive the terminal.
                    feed = clean_line(record.get("feed") or "")
                    title = clean_line(record.get("title", ""))
                    source = clean_line(record.get("source", ""))
                    stamp = str(record.get("published", ""))
                    (num,) = connection.execute(
                        UPSERT_ROW,
                        (
                            entry.story_id,
                            partition,
                            entry.published,
                            int(bool(record.get("read"))),
                            int(bool(record.get("bookmarked"))),
                            feed,
                            title,
                            source,
                            stamp,
                            encode_record(record, title, source, feed, stamp),
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
        """The list records of a partition's stories, as last indexed (the salvage of a damaged file)."""
        rows = self.query(f"SELECT id, {RECORD_COLUMNS} FROM stories WHERE partition = ?", (partition,))
        return {row[0]: decode_record(*row[1:]) for row in rows}

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
        sql = f"SELECT id, {RECORD_COLUMNS} FROM stories{where} ORDER BY published DESC, id LIMIT ? OFFSET ?"
        rows = self.query(sql, (-1 if limit is None else limit, offset))
        return [(row[0], decode_record(*row[1:])) for row in rows]

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
