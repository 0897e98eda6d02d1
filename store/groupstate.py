"""The groups file: which group each story is in, kept up to date as stories arrive.

``groups.sqlite3`` in the store folder holds, per story, its group, feed,
canonical URL, time and heaviest terms, plus the document frequency of every
term; that is all store.grouping needs to place a new story without reading
the old ones again.  It is derived data: missing, damaged or of another version,
it is rebuilt from the stories (``Groups.sync`` does that by itself).

Keeping up: ``Groups.sync(store)`` asks the store which stories changed since the
last sync (``Store.changes_since``, a token kept here), groups the new ones and
forgets the deleted ones.  Call it after anything that adds stories (a fetch, an
import), in a worker: it takes a fraction of a second for a few hundred new
stories and a few seconds for 10,000.  With nothing new it is one small query.
The first sync of a store never grouped (or after the file was lost) reads and
groups every story: about a minute for 100,000, so do it in a worker too.

SQLite (through apsw, as the catalog) because it is crash-safe, shared between
processes (the TUI and a `broadsheet fetch` may sync at once: one waits for the
other, then finds the work done) and lets a sync read only the stories of the
days around the new ones.

A member's terms and names are what a new story is compared with; they are most
of the file (about 700 bytes a story).  They are needed only while new stories
may still be compared with the member: groups never span more than
grouping.WINDOW, so a member more than TERMS_HORIZON older than the newest
member has them let go (see ``Groups._let_go``); it keeps its group, feed, time
and canonical URL, so a late story with its URL still joins its group.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import apsw
import orjson

from store.errors import StoreWriteError
from store.grouping import WINDOW_SECONDS, Grouper, Item
from store.model import Story, StorySummary
from store.records import StoreChanges

FILE_NAME = "groups.sqlite3"
SCHEMA_VERSION = "4"  # 4: stories without a feed keyed by their source
SCHEMA = """
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
    id TEXT PRIMARY KEY,
    grp TEXT NOT NULL,
    feed TEXT NOT NULL,
    url TEXT NOT NULL,
    time REAL NOT NULL,
    terms BLOB NOT NULL,
    names TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_group ON members (grp);
CREATE INDEX IF NOT EXISTS members_by_url ON members (url) WHERE url != '';
CREATE INDEX IF NOT EXISTS members_by_time ON members (time);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID;
"""
_DAMAGE = (apsw.CorruptError, apsw.NotADBError, apsw.FormatError, apsw.SchemaChangeError, apsw.IOError)
_ITEM_COLUMNS = "id, grp, feed, url, time, terms, names"
TERMS_HORIZON = 10 * WINDOW_SECONDS
"""Members this much older than the newest member lose their terms and names.

Reckoned from the newest member's time, not from the clock: a store whose stories
are all old (an archive imported, a store not opened for months) keeps its
recent stories' terms, so a story fetched late into that period still compares
with them; and the clock of another machine cannot let go of a store's terms.
Members dated more than FUTURE_SLACK after the clock do not count as the newest.
Ten windows: a story arriving up to a week or so late (a feed added with its
backlog, a feed that publishes late) still finds its neighbours' terms; one
older than that can join a group only by its canonical URL."""
FUTURE_SLACK = 2 * 86_400
VACUUM_SHARE = 0.25
"""Once the members whose terms were let go since the last VACUUM are this share of all members (and
at least VACUUM_AT_LEAST), the file is VACUUMed: letting go of terms leaves the space inside the pages,
where SQLite reuses it for new members but never gives it back to the file system by itself."""
VACUUM_AT_LEAST = 2_000
# How many stories one `get` pass reads before they are grouped (bounds memory on a rebuild).
LOAD_CHUNK = 5_000
GENTLE_WORK = 0.005
GENTLE_REST = 0.005
"""A gentle sync (Groups(gentle=True)) rests GENTLE_REST seconds after each GENTLE_WORK seconds of
work: Python holds one lock for all threads, and a thread grouping 100,000 stories would otherwise
make every key of an app wait for it."""


class StoryReader(Protocol):
    """The part of store.Store that grouping reads."""

    home: Path

    def changes_since(self, token: int | None) -> StoreChanges: ...

    def summaries(self) -> list[StorySummary]: ...

    def summaries_for(self, story_ids: list[str]) -> list[StorySummary]: ...

    def get(self, story_id: str) -> Story | None: ...


@dataclass(slots=True)
class GroupSync:
    """What a sync did: stories grouped and forgotten, the groups that gained or lost
    members (to refresh in a list), and whether everything was grouped afresh."""

    added: int = 0
    removed: int = 0
    changed_groups: set[str] = field(default_factory=set)
    rebuilt: bool = False


class GroupsDamaged(Exception):
    """The groups file cannot be used: it is removed and rebuilt."""


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except _DAMAGE as error:
        raise GroupsDamaged(str(error)) from None
    except apsw.FullError:
        raise StoreWriteError("could not update the story groups: the disk is full") from None
    except apsw.BusyError:
        raise StoreWriteError("the story groups are busy in another process; try again") from None
    except (apsw.CantOpenError, apsw.ReadOnlyError, apsw.PermissionsError) as error:
        raise StoreWriteError(f"cannot write the story groups ({error})") from None


class Groups:
    """Story groups of one store.  Every public method is safe from any thread.

    Reading: ``group_of``, ``groups_of``, ``members``, ``members_of``.  A story the
    groups file does not know (yet) is a group of its own.
    Writing: ``sync`` (from the store's change log), ``add`` (stories in hand),
    ``rebuild``.
    """

    def __init__(self, home: Path | str, *, gentle: bool = False) -> None:
        """`gentle`: a sync pauses now and then (see `GENTLE_WORK`), so that the other threads of
        the process (an app's event loop) get the interpreter when they want it while a large
        sync runs; it then takes about twice as long."""
        self.path = Path(home).expanduser() / FILE_NAME
        self.notices: list[str] = []
        self._mutex = threading.RLock()
        self._gentle = gentle
        self._worked_since = time.perf_counter()
        try:
            self._connection = self._open()
        except GroupsDamaged as error:
            self._discard(str(error))
            self._connection = self._open()

    # ----------------------------------------------------------------- plumbing

    def _open(self) -> apsw.Connection:
        with _translated():
            connection = apsw.Connection(str(self.path))
            connection.set_busy_timeout(30_000)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(SCHEMA)
            version = self._setting(connection, "schema")
            if version != SCHEMA_VERSION:
                if version is not None:
                    self.notices.append("the story groups were from another version; regrouping")
                self._clear(connection)
            return connection

    def _discard(self, reason: str) -> None:
        """A damaged file is derived data: delete it (and its journal) and start again."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.notices.append(f"{self.path.name} was damaged ({reason}); regrouping the stories")

    @staticmethod
    def _setting(connection: apsw.Connection, key: str) -> str | None:
        row = connection.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    @staticmethod
    def _clear(connection: apsw.Connection) -> None:
        connection.execute("BEGIN IMMEDIATE")
        for table in ("members", "terms", "settings"):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        connection.execute(SCHEMA)
        connection.execute("INSERT INTO settings VALUES ('schema', ?)", (SCHEMA_VERSION,))
        connection.execute("COMMIT")

    def close(self) -> None:
        with self._mutex:
            self._connection.close()

    def __enter__(self) -> Groups:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        with self._mutex, _translated():
            return self._connection.execute(sql, tuple(parameters)).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[apsw.Connection]:
        with self._mutex, _translated():
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield self._connection
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def _pace(self) -> None:
        """In a gentle sync, rest a moment after a while of work (see GENTLE_WORK)."""
        if not self._gentle:
            return
        now = time.perf_counter()
        if now - self._worked_since >= GENTLE_WORK:
            time.sleep(GENTLE_REST)
            self._worked_since = time.perf_counter()

    def _paced(self, values: Iterable[Any]) -> Iterator[Any]:
        for value in values:
            self._pace()
            yield value

    def _recover(self, error: GroupsDamaged) -> None:
        with self._mutex:
            self._connection.close()
            self._discard(str(error))
            self._connection = self._open()

    # ----------------------------------------------------------------- reading

    def group_of(self, story_id: str) -> str:
        """The id of the story's group (the story's own id when it is alone or not yet grouped)."""
        return self.groups_of([story_id]).get(story_id, story_id)

    def groups_of(self, story_ids: Iterable[str]) -> dict[str, str]:
        """Story id -> group id, for each of these stories (unknown ones: their own id)."""
        wanted = list(dict.fromkeys(story_ids))
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(self._read(f"SELECT id, grp FROM members WHERE id IN ({marks})", chunk))
        return {story_id: found.get(story_id, story_id) for story_id in wanted}

    def all_groups(self) -> dict[str, str]:
        """Every story id the groups file knows -> its group id."""
        return dict(self._read("SELECT id, grp FROM members"))

    def members(self, group_id: str) -> list[str]:
        """The ids of a group's stories, oldest first (just the id itself for an unknown group)."""
        return self.members_of([group_id]).get(group_id, [group_id])

    def members_of(self, group_ids: Iterable[str]) -> dict[str, list[str]]:
        """Group id -> its members' ids, oldest first (an unknown group: the id itself)."""
        wanted = list(dict.fromkeys(group_ids))
        found: dict[str, list[str]] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._read(f"SELECT grp, id FROM members WHERE grp IN ({marks}) ORDER BY time, id", chunk)
            for group_id, story_id in rows:
                found.setdefault(group_id, []).append(story_id)
        return {group_id: found.get(group_id, [group_id]) for group_id in wanted}

    def _read(self, sql: str, parameters: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self._query(sql, parameters)
        except GroupsDamaged as error:
            self._recover(error)
            return self._query(sql, parameters)

    # ----------------------------------------------------------------- writing

    def sync(self, store: StoryReader) -> GroupSync:
        """Group the stories added to the store since the last sync; forget deleted ones.

        The first sync (or one after the store's change log was reset) compares
        every id, and groups what is missing: that is also how a lost or damaged
        groups file is rebuilt.
        """
        try:
            return self._sync(store)
        except GroupsDamaged as error:
            self._recover(error)
            return self._sync(store)

    def rebuild(self, store: StoryReader) -> GroupSync:
        """Forget every group and group all the store's stories again."""
        with self._mutex, _translated():
            self._clear(self._connection)
        result = self.sync(store)
        result.rebuilt = True
        return result

    def add(self, stories: Iterable[Story]) -> GroupSync:
        """Group these stories now (those already grouped are left as they are).

        For a caller that holds the stories it just wrote; ``sync`` finds them by itself.
        """
        batch = {story.id: story for story in stories}
        try:
            with self._transaction() as connection:
                result = self._group(connection, list(batch.values()))
                self._let_go(connection)
        except GroupsDamaged as error:
            self._recover(error)
            with self._transaction() as connection:
                result = self._group(connection, list(batch.values()))
                self._let_go(connection)
        try:
            self._compact()
        except GroupsDamaged as error:
            self._recover(error)
        return result

    def _sync(self, store: StoryReader) -> GroupSync:
        with self._mutex:
            saved = self._setting(self._connection, "token")
            saved_store = self._setting(self._connection, "store")
        token = int(saved) if saved is not None and saved_store == str(store.home) else None
        changes = store.changes_since(token)
        if token is not None and changes.token < token:
            changes = store.changes_since(None)  # the store's log restarted (its index was rebuilt)
        result = GroupSync()
        if changes.story_ids is None:
            present = {summary.id: summary.published.timestamp() for summary in store.summaries()}
            known = {row[0] for row in self._query("SELECT id FROM members")}
            # Oldest first, so each chunk of a rebuild finds the one before it as its neighbours.
            new_ids = sorted(present.keys() - known, key=lambda story_id: (present[story_id], story_id))
            gone = sorted(known - present.keys())
            result.rebuilt = not known
            return self._write(store, new_ids, gone, changes.token, result)
        candidates = changes.story_ids
        known = {row[0] for row in self._known(candidates)}
        still = {summary.id for summary in store.summaries_for([i for i in candidates if i in known])}
        gone = sorted(known - still)
        loaded = {story_id: store.get(story_id) for story_id in candidates if story_id not in known}
        new_ids = [story_id for story_id, story in loaded.items() if story is not None]
        return self._write(store, new_ids, gone, changes.token, result, preloaded=loaded)

    def _known(self, story_ids: list[str]) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            rows += self._query(f"SELECT id FROM members WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        return rows

    def _write(
        self,
        store: StoryReader,
        new_ids: list[str],
        gone: list[str],
        token: int,
        result: GroupSync,
        preloaded: dict[str, Story | None] | None = None,
    ) -> GroupSync:
        if gone:
            with self._transaction() as connection:
                result.removed = self._forget(connection, gone, result.changed_groups)
        for start in range(0, max(len(new_ids), 1), LOAD_CHUNK):
            chunk = new_ids[start : start + LOAD_CHUNK]
            if preloaded is not None:
                stories = [preloaded[story_id] for story_id in chunk]
            else:
                stories = [store.get(story_id) for story_id in self._paced(chunk)]
            with self._transaction() as connection:
                done = self._group(connection, [story for story in stories if story is not None])
                self._let_go(connection)
                result.added += done.added
                result.changed_groups |= done.changed_groups
                if start + LOAD_CHUNK >= len(new_ids):
                    connection.execute("INSERT OR REPLACE INTO settings VALUES ('token', ?)", (str(token),))
                    connection.execute("INSERT OR REPLACE INTO settings VALUES ('store', ?)", (str(store.home),))
        self._compact()
        return result

    def _forget(self, connection: apsw.Connection, story_ids: list[str], changed: set[str]) -> int:
        removed = 0
        lost: dict[str, int] = {}
        for story_id in story_ids:
            row = connection.execute("SELECT grp, terms FROM members WHERE id = ?", (story_id,)).fetchone()
            if row is None:
                continue
            changed.add(row[0])
            for term in _terms(row[1]):
                lost[term] = lost.get(term, 0) + 1
            connection.execute("DELETE FROM members WHERE id = ?", (story_id,))
            removed += 1
        connection.executemany(
            "UPDATE terms SET documents = MAX(documents - ?, 0) WHERE term = ?", [(n, t) for t, n in lost.items()]
        )
        documents = int(self._setting(connection, "documents") or 0)
        connection.execute("INSERT OR REPLACE INTO settings VALUES ('documents', ?)", (str(max(0, documents - removed)),))
        return removed

    def _group(self, connection: apsw.Connection, stories: list[Story]) -> GroupSync:
        """Place these stories in groups (inside the caller's transaction)."""
        result = GroupSync()
        if not stories:
            return result
        ids = [story.id for story in stories]
        already: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            already |= {row[0] for row in connection.execute(f"SELECT id FROM members WHERE id IN ({marks})", chunk)}
        items = sorted(
            (Item.of(story) for story in self._paced(stories) if story.id not in already), key=lambda i: (i.time, i.id)
        )
        if not items:
            return result
        documents = int(self._setting(connection, "documents") or 0)
        batch_terms = {term for item in self._paced(items) for term in item.terms}
        df = self._frequencies(connection, batch_terms)
        grouper = Grouper(df, documents)
        grouper.count_terms(items)
        self._load_neighbours(connection, grouper, items)
        rows = []
        # A story already past the horizon (a late one) is compared now, with the batch and its
        # neighbours, but will not be compared with again: its terms are not kept.
        horizon = _float(self._setting(connection, "terms_before"))
        for item in self._paced(items):
            group_id = grouper.assign(item)
            result.changed_groups.add(group_id)
            if horizon is not None and item.time < horizon:
                rows.append((item.id, group_id, item.feed, item.url, item.time, b"", ""))
                continue
            kept = grouper.kept_terms(item)
            names = "|".join(sorted(" ".join(name) for name in item.names))
            rows.append((item.id, group_id, item.feed, item.url, item.time, orjson.dumps(kept), names))
        connection.executemany("INSERT OR REPLACE INTO members VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        counted: dict[str, int] = {}
        for item in self._paced(items):
            for term in item.terms:
                counted[term] = counted.get(term, 0) + 1
        connection.executemany(
            "INSERT INTO terms VALUES (?, ?) ON CONFLICT (term) DO UPDATE SET documents = documents + excluded.documents",
            list(counted.items()),
        )
        connection.execute("INSERT OR REPLACE INTO settings VALUES ('documents', ?)", (str(documents + len(items)),))
        result.added = len(items)
        return result

    def _let_go(self, connection: apsw.Connection) -> int:
        """Empty the terms and names of the members now past TERMS_HORIZON (inside the caller's
        transaction); how many were let go.

        Each member is let go once: the horizon reached is kept ("terms_before"), and the next
        time only the members between it and the new one are looked at (through the index on
        time); members grouped later with an older time are stored without terms (see _group).

        The document frequencies are left as they are: they count the stories grouped (and
        ``documents`` with them), whether or not their terms are still kept, so the weights
        of words stay those of the whole store.  A member let go and deleted later takes
        nothing off the frequencies (its terms are gone); forgetting a member never took
        off more than its kept terms either, so the frequencies of a pruned store run a
        little high, and grouping.Grouper bounds them by the number of documents.
        """
        newest = connection.execute(
            "SELECT MAX(time) FROM members WHERE time <= ?", (time.time() + FUTURE_SLACK,)
        ).fetchone()[0]
        if newest is None:
            return 0
        horizon = float(newest) - TERMS_HORIZON
        reached = _float(self._setting(connection, "terms_before"))
        if reached is not None and horizon <= reached:
            return 0
        if reached is None:
            connection.execute("UPDATE members SET terms = x'', names = '' WHERE time < ? AND terms != x''", (horizon,))
        else:
            connection.execute(
                "UPDATE members SET terms = x'', names = '' WHERE time >= ? AND time < ? AND terms != x''",
                (reached, horizon),
            )
        let_go = connection.changes()
        pending = int(self._setting(connection, "let_go") or 0) + let_go
        connection.execute("INSERT OR REPLACE INTO settings VALUES ('terms_before', ?)", (repr(horizon),))
        connection.execute("INSERT OR REPLACE INTO settings VALUES ('let_go', ?)", (str(pending),))
        return let_go

    def _compact(self) -> None:
        """VACUUM once enough terms were let go (see VACUUM_SHARE); outside any transaction.

        It rewrites the live part of the file (a few seconds at most for 100,000 members, in
        the syncing thread, with the GIL released); a reader in another process is not held up,
        a writer waits as for any sync.  Busy (another process syncing): left for the next sync."""
        with self._mutex, _translated():
            pending = int(self._setting(self._connection, "let_go") or 0)
            if pending < VACUUM_AT_LEAST:
                return
            members = self._connection.execute("SELECT COUNT(*) FROM members").fetchone()[0]
            if pending < VACUUM_SHARE * members:
                return
            try:
                self._connection.execute("VACUUM")
            except apsw.BusyError:
                return
            self._connection.execute("INSERT OR REPLACE INTO settings VALUES ('let_go', '0')")
            # The VACUUM went through the write-ahead log: give its size back too.
            with suppress(apsw.BusyError):
                self._connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    @staticmethod
    def _frequencies(connection: apsw.Connection, terms: set[str]) -> dict[str, int]:
        """Document frequencies of these terms (the only ones the batch's vectors need,
        with the neighbours' terms fetched as they load)."""
        found: dict[str, int] = {}
        listed = list(terms)
        for start in range(0, len(listed), 900):
            chunk = listed[start : start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(connection.execute(f"SELECT term, documents FROM terms WHERE term IN ({marks})", chunk))
        return found

    def _load_neighbours(self, connection: apsw.Connection, grouper: Grouper, items: list[Item]) -> None:
        """The grouped stories near the batch in time, and the groups its URLs already have."""
        urls = list({item.url for item in items if item.url})
        by_url: list[tuple[Any, ...]] = []
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ",".join("?" * len(chunk))
            by_url += connection.execute(
                f"SELECT {_ITEM_COLUMNS} FROM members WHERE url != '' AND url IN ({marks})", chunk
            ).fetchall()
        # Each batch story compares with stories up to a window away...
        core = _time_ranges([item.time for item in items], WINDOW_SECONDS)
        neighbours: list[tuple[Any, ...]] = []
        for low, high in core:
            neighbours += connection.execute(
                f"SELECT {_ITEM_COLUMNS} FROM members WHERE time BETWEEN ? AND ? ORDER BY time, id",
                (low, high),
            ).fetchall()
        # Stories with the batch's URLs come too, however old: a URL match is checked against their text.
        in_window = {row[0] for row in neighbours}
        neighbours += [row for row in by_url if row[0] not in in_window]
        loaded = [
            (Item(i, feed, url, time, _terms(terms), _names(names)), grp)
            for i, grp, feed, url, time, terms, names in self._paced(neighbours)
        ]
        missing = {term for item, _ in loaded for term in item.terms if term not in grouper.df}
        if missing:
            grouper.df.update(self._frequencies(connection, missing))
        for item, group_id in self._paced(loaded):
            grouper.know(item, group_id)
        # ...and their groups may reach a window further: those members count for the span.
        seen = {item.id for item, _ in loaded}
        for low, high in _time_ranges([item.time for item in items], 2 * WINDOW_SECONDS):
            for story_id, group_id, feed, time in connection.execute(
                "SELECT id, grp, feed, time FROM members WHERE time BETWEEN ? AND ?", (low, high)
            ):
                if story_id not in seen:
                    grouper.also_member(group_id, feed, time)


def _float(stored: str | None) -> float | None:
    try:
        return float(stored) if stored is not None else None
    except ValueError:
        return None


def _terms(stored: Any) -> dict[str, int]:
    """A member's stored terms; a row that does not read (or whose terms were let go) has none."""
    if not stored:
        return {}
    try:
        terms = orjson.loads(stored)
    except (orjson.JSONDecodeError, TypeError):
        return {}
    if not isinstance(terms, dict):
        return {}
    return {str(term): count for term, count in terms.items() if isinstance(count, int) and count > 0}


def _names(stored: Any) -> frozenset[tuple[str, ...]]:
    """A member's stored names: "dmitry bakanov|houston"."""
    return frozenset(tuple(name.split()) for name in str(stored or "").split("|") if name.strip())


def _time_ranges(times: list[float], margin: float) -> list[tuple[float, float]]:
    """The times, each widened by ``margin``, merged into as few ranges as overlap."""
    ranges: list[tuple[float, float]] = []
    for moment in sorted(times):
        low, high = moment - margin, moment + margin
        if ranges and low <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], high))
        else:
            ranges.append((low, high))
    return ranges
