"""The story store: TinyDB files split by month, kept safe for many processes.

Layout of a store folder::

    stories/2026-11-3.json   list records (title, source, dates, highlights, state)
    texts/2026-11-3.json.gz  text records (body, opinions, full text, note), gzip
    catalog.sqlite3          derived index (see store.catalog); rebuilt when needed
    damaged/                 files found damaged, moved aside, never deleted
    .lock                    held only while writing

A story's partition is the month it was published in (at first sight) plus a
bucket of its id, so a fetch touches the newest few files, and a change to one
story rewrites one small file, never the whole store.
"""

from __future__ import annotations

import os
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson

from store.catalog import Catalog, CatalogDamaged, Entry, PartitionWork
from store.errors import StoreError, StoreWriteError, UnknownStoryError
# BUCKETS and partition_for are named here too, where they always were.
from store.ingest import BUCKETS, PreparedStory, partition_for, prepare_story  # noqa: F401
from store.query import Query, QueryError, parse_query
from store.saved import SavedSearch, SavedSearches
from store.search import Snippet, best_snippet, count_matches, run_search
from store.sanitize import clean_lines, clean_text
from store.model import (
    Story,
    StorySummary,
    parse_stored_time,
    story_from_records,
)
from store.storage import RecordFile, Tables, file_signature, store_lock

USER_FIELDS = frozenset({"read", "bookmarked", "fetched"})
USER_TEXT_FIELDS = frozenset({"note"})
_PARTITION_NAME = re.compile(r"^\d{4}-\d{2}-\d+$")
_RECORD_START = re.compile(r'"([0-9a-f]{6,64})"\s*:\s*\{')
READ_CACHE_FILES = 2 * (BUCKETS + 4)
"""Partition files kept parsed after a read (the most recently used; a partition is two files).
A parsed partition holds a megabyte or two: without a bound, reading stories across a large
store (the viewer, the groups' first sync) would keep the whole store in memory.  A month is
BUCKETS partitions, all kept: reading stories in date order (a sync) reads each file once."""


@dataclass(frozen=True, slots=True)
class StoreChanges:
    """See Store.changes_since: story_ids None means "read everything again"."""

    token: int
    story_ids: list[str] | None


def _summary(row: tuple[str, str, str, str, int, int, str]) -> StorySummary:
    story_id, title, source, stamp, read, bookmarked, feed = row
    return StorySummary(story_id, title, source, parse_stored_time(stamp), bool(read), bool(bookmarked), feed)


@dataclass(frozen=True, slots=True)
class SearchHit:
    story: Story
    score: float


@dataclass(slots=True)
class _PartitionPlan:
    """One partition's share of a write: the record changes, and the catalog entries for them."""

    partition: str
    list_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    text_changes: dict[str, dict[str, Any]] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)


@dataclass(slots=True)
class PutResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def published_seconds(record: dict[str, Any]) -> float:
    return parse_stored_time(record.get("published")).timestamp()


def salvage_records(raw: bytes) -> dict[str, dict[str, Any]]:
    """Every record that still parses in a damaged file."""
    text = raw.decode("utf-8", "replace")
    decoder = orjson.loads
    found: dict[str, dict[str, Any]] = {}
    for match in _RECORD_START.finditer(text):
        start = match.end() - 1
        depth, end, in_string, escaped = 0, -1, False, False
        for index in range(start, len(text)):
            char = text[index]
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
                if depth == 0:
                    end = index + 1
                    break
        if end < 0:
            continue
        try:
            record = decoder(text[start:end])
        except orjson.JSONDecodeError:
            continue
        if isinstance(record, dict):
            found[match.group(1)] = record
    return found


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Store:
    """Stories on disk.  Every public method is safe from any thread."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home).expanduser()
        self.notices: list[str] = []
        self._stories_dir = self.home / "stories"
        self._texts_dir = self.home / "texts"
        self._damaged_dir = self.home / "damaged"
        try:
            for folder in (self.home, self._stories_dir, self._texts_dir):
                folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot use {self.home} as a store: {error.strerror or error}") from None
        self._mutex = threading.RLock()
        self._lock = store_lock(self.home)
        # Files read, most recently used last: partitions beyond READ_CACHE_FILES are let go
        # (see _record_file), but for those written last (see trim_cache).
        self._files: OrderedDict[Path, RecordFile] = OrderedDict()
        # Partitions this store wrote, oldest first, with their sizes in stories (see trim_cache).
        self._written: dict[str, int] = {}
        # Partitions a write in progress read and will write (never let go of meanwhile).
        self._pinned: set[str] = set()
        # Indexes a write's stories while the write's files are written (see _write_and_index).
        self._index_thread: ThreadPoolExecutor | None = None
        self._catalog = self._open_catalog()
        self._saved = SavedSearches(self.home, self._record_file(self.home, "searches"))
        with self._writing():
            self._remove_abandoned_temporaries()
            self._sync_catalog()
            self._catalog.trim_changes()
        self._seen_version = self._catalog.data_version()

    # ----------------------------------------------------------------- plumbing

    def close(self) -> None:
        with self._mutex:
            if self._index_thread is not None:
                self._index_thread.shutdown(wait=True)
                self._index_thread = None
            for record_file in self._files.values():
                record_file.close()
            self._files.clear()
            self._catalog.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """Hold the store's lock (this thread first, then other processes)."""
        with self._mutex, self._lock:
            yield

    def _remove_abandoned_temporaries(self) -> None:
        """Temp files of writers killed mid-write: never renamed, so never part of the store."""
        for folder in (self._stories_dir, self._texts_dir):
            for temporary in folder.glob(".*.tmp"):
                writer = temporary.name.rsplit(".", 2)[-2]
                if not (writer.isdigit() and pid_alive(int(writer))):
                    temporary.unlink(missing_ok=True)

    def _open_catalog(self) -> Catalog:
        path = self.home / "catalog.sqlite3"
        try:
            return Catalog(path)
        except CatalogDamaged as error:
            self._move_aside(path, f"the story index could not be opened ({error})", rebuilt=True)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            return Catalog(path)

    def _file_path(self, folder: Path, partition: str) -> Path:
        """Where a partition's file is (also the store's own small files, by name)."""
        return folder / (f"{partition}.json.gz" if folder == self._texts_dir else f"{partition}.json")

    def _record_file(self, folder: Path, partition: str) -> RecordFile:
        path = self._file_path(folder, partition)
        with self._mutex:
            record_file = self._files.get(path)
            if record_file is not None:
                self._files.move_to_end(path)
                return record_file
            record_file = RecordFile(path, self._on_damage, compressed=folder == self._texts_dir)
            self._files[path] = record_file
            self._forget_least_used()
            return record_file

    def _forget_least_used(self) -> None:
        """Let go of the partition files read longest ago, beyond READ_CACHE_FILES (the store's own
        small files and the partitions a writer keeps, see trim_cache, stay).  A file let go is
        read again from disk when next wanted: an old reference to it stays correct."""
        partitions = [path for path in self._files if path.parent in (self._stories_dir, self._texts_dir)]
        excess = len(partitions) - READ_CACHE_FILES
        for path in partitions:
            if excess <= 0:
                break
            partition = path.name.split(".", 1)[0]
            if partition in self._written or partition in self._pinned:
                continue
            self._files.pop(path).close()
            excess -= 1

    def _partition_signature(self, partition: str) -> str:
        """Both files of a partition: a change to either means it must be indexed again."""
        listed = file_signature(self._file_path(self._stories_dir, partition))
        text = file_signature(self._file_path(self._texts_dir, partition))
        return repr((listed, text))

    def _partitions_on_disk(self) -> dict[str, str]:
        return {
            path.stem: self._partition_signature(path.stem)
            for path in self._stories_dir.glob("*.json")
            if _PARTITION_NAME.match(path.stem)
        }

    def _partition_identity(self, partition: str) -> tuple[str, str]:
        """(file signature, content digest): the digest tells a copied file from a changed one."""
        listed = self._record_file(self._stories_dir, partition).digest()
        text = self._record_file(self._texts_dir, partition).digest()
        return self._partition_signature(partition), f"{listed}:{text}"

    def _sync_catalog(self) -> bool:
        """Index again every partition whose files changed behind the catalog's back."""
        on_disk = self._partitions_on_disk()
        indexed = self._catalog.signatures()
        digests = self._catalog.digests()
        stale: list[str] = []
        for partition, signature in on_disk.items():
            if indexed.get(partition) == signature:
                continue
            if partition in digests and self._partition_identity(partition)[1] == digests[partition]:
                self._catalog.set_signature(partition, signature)  # same bytes, new file (cp, restore)
            else:
                stale.append(partition)
        if indexed and len(stale) > len(indexed) // 2:
            # Most of it changed: building afresh beats deleting and re-adding row by row.
            self._catalog.reset()
            stale, indexed = list(on_disk), {}
        # In groups, so a rebuild of a large store holds neither one huge transaction nor all texts at once.
        for start in range(0, len(stale), 16):
            work: list[PartitionWork] = []
            for partition in stale[start : start + 16]:
                records = self._record_file(self._stories_dir, partition).table.records()
                texts = self._record_file(self._texts_dir, partition).table.records()
                entries = [
                    Entry(story_id, record, published_seconds(record), texts.get(story_id, {}))
                    for story_id, record in records.items()
                ]
                work.append((partition, self._partition_identity(partition), entries))
            self._catalog.index_many(work, replace=True)
        gone = indexed.keys() - on_disk.keys()
        for partition in gone:
            self._catalog.drop_partition(partition)
        return bool(stale or gone)

    def reindex(self) -> int:
        """Rebuild the whole index from the store; returns how many stories it holds."""
        with self._writing():
            self._catalog.reset()
            self._sync_catalog()
        return self.count()

    def _move_aside(self, path: Path, reason: str, *, kept: str = "", rebuilt: bool = False) -> Path:
        self._damaged_dir.mkdir(exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        target = self._damaged_dir / f"{path.parent.name}-{path.name}.{stamp}"
        path.replace(target)
        tail = "; rebuilt it" if rebuilt else (f"; kept {kept}" if kept else "")
        self.notices.append(f"{path.relative_to(self.home)} was damaged: {reason}; moved it to {target}{tail}")
        return target

    def _on_damage(self, path: Path, raw: bytes, reason: str) -> Tables:
        """A file that does not parse: move it aside, keep what can be read, say so."""
        with self._writing():
            if file_signature(path) is None:
                return {}
            records = salvage_records(raw)
            compressed = path.parent == self._texts_dir
            if not compressed:
                # The catalog holds a copy of every list record it last indexed.
                for story_id, record in self._catalog.records(path.stem).items():
                    records.setdefault(story_id, record)
            kept = f"{len(records)} readable record{'s' if len(records) != 1 else ''}"
            self._move_aside(path, reason, kept=kept)
            tables: Tables = {RecordFile.TABLE: records}
            if records:
                # Written through a fresh storage so the format (plain or gzip) is right.
                RecordFile(path, self._on_damage, compressed=compressed).table.merge_records(records)
            return tables

    def _guard(self) -> None:
        """Recover if the catalog was damaged under us: rebuild it from the store."""
        self._catalog.close()
        self._move_aside(self._catalog.path, "the story index stopped working", rebuilt=True)
        self._catalog = Catalog(self._catalog.path)
        self._sync_catalog()

    def _call(self, action: Any) -> Any:
        with self._mutex:
            try:
                return action()
            except CatalogDamaged:
                with self._writing():
                    self._guard()
                return action()

    # ----------------------------------------------------------------- reading

    def refresh(self) -> bool:
        """Pick up what other processes wrote.  True when anything changed."""

        def look() -> bool:
            changed = False
            if self._catalog.signatures() != self._partitions_on_disk():
                with self._writing():
                    changed = self._sync_catalog()
            version = self._catalog.data_version()
            changed = changed or version != self._seen_version
            self._seen_version = version
            return changed

        return bool(self._call(look))

    def is_empty(self) -> bool:
        return self.count() == 0

    def count(self, *, unread_only: bool = False, bookmarked_only: bool = False) -> int:
        return int(self._call(lambda: self._catalog.count(unread_only=unread_only, bookmarked_only=bookmarked_only)))

    def summaries(
        self,
        *,
        unread_only: bool = False,
        bookmarked_only: bool = False,
        limit: int | None = None,
        offset: int = 0,
        feed: str | None = None,
    ) -> list[StorySummary]:
        """Rows for the story list, newest first; with ``feed``, only that feed's stories."""
        if feed is not None:
            return self._feed_summaries(feed, unread_only, bookmarked_only, limit, offset)
        rows = self._call(
            lambda: self._catalog.rows(
                unread_only=unread_only, bookmarked_only=bookmarked_only, limit=limit, offset=offset
            )
        )
        return [_summary(row) for row in rows]

    def _feed_summaries(
        self, feed: str, unread_only: bool, bookmarked_only: bool, limit: int | None, offset: int
    ) -> list[StorySummary]:
        """One feed's rows (found through the catalog's index on the feed): nothing else is read."""
        ids = list(self._call(lambda: self._catalog.feed_story_ids(feed, keep_bookmarked=False)))
        rows = [
            summary
            for summary in self.summaries_for(ids)
            if not (unread_only and summary.read) and not (bookmarked_only and not summary.bookmarked)
        ]
        return rows[offset:] if limit is None else rows[offset : offset + limit]

    def partition_sizes(self) -> dict[str, int]:
        """How many stories each partition holds (what rewriting it costs)."""
        rows = self._call(lambda: self._catalog.query("SELECT partition, COUNT(*) FROM stories GROUP BY partition"))
        return {str(partition): int(count) for partition, count in rows}

    def known_ids(self, story_ids: Iterable[str]) -> set[str]:
        """Which of these stories the store holds."""
        wanted = list(story_ids)
        return set(self._call(lambda: self._catalog.locate(wanted)))

    def summaries_for(self, story_ids: list[str]) -> list[StorySummary]:
        """Rows for these stories (those that still exist), newest first."""
        found: list[StorySummary] = []
        for start in range(0, len(story_ids), 500):
            chunk = story_ids[start : start + 500]
            found += [_summary(row) for row in self._call(lambda: self._catalog.rows(among=chunk))]
        found.sort(key=lambda summary: (-summary.published.timestamp(), summary.id))
        return found

    def changes_since(self, token: int | None) -> StoreChanges:
        """What changed since `token` (None at first): the ids to refresh, or None to reload all."""
        newest, ids = self._call(lambda: self._catalog.changes_since(token))
        return StoreChanges(token=newest, story_ids=ids)

    def listed_stories(
        self, *, unread_only: bool = False, bookmarked_only: bool = False, limit: int | None = None
    ) -> list[Story]:
        """Stories with their list fields only (no body): what `list --json` prints."""
        rows = self._call(
            lambda: self._catalog.newest(
                unread_only=unread_only, bookmarked_only=bookmarked_only, limit=limit, offset=0
            )
        )
        return [story_from_records(story_id, record, None) for story_id, record in rows]

    def search(self, query: str | Query, *, limit: int = 50, sort: str = "relevance") -> list[SearchHit]:
        """Stories matching a query (see store.query), best first or newest first."""
        if sort not in ("relevance", "date"):
            raise QueryError("sort by relevance or date")
        parsed = parse_query(query) if isinstance(query, str) else query
        if parsed.is_empty:
            raise QueryError("the search is empty: type a word or a filter like is:unread")
        rows = self._call(lambda: run_search(self._catalog, parsed, limit=limit, by_date=sort == "date"))
        return [SearchHit(story_from_records(i, record, None), score) for i, record, score in rows]

    def count_matches(self, query: str | Query, *, among: list[str] | None = None) -> int:
        """How many stories match (optionally only among these ids)."""
        parsed = parse_query(query) if isinstance(query, str) else query
        if among is not None and not among:
            return 0
        return int(self._call(lambda: count_matches(self._catalog, parsed, among=among)))

    def matching_ids(self, query: str | Query, among: list[str]) -> list[str]:
        """Which of these stories match the query (e.g. the new ones a fetch brought)."""
        parsed = parse_query(query) if isinstance(query, str) else query
        if not among:
            return []
        rows = self._call(lambda: run_search(self._catalog, parsed, limit=len(among), by_date=True, among=among))
        return [story_id for story_id, _, _ in rows]

    def saved_searches(self) -> list[SavedSearch]:
        return list(self._call(self._saved.all))

    def save_search(self, name: str, query: str) -> SavedSearch:
        """Save a query under a name (replacing one of the same name)."""
        return self._saved.save(name, query)  # type: ignore[no-any-return]

    def delete_search(self, name: str) -> bool:
        return bool(self._saved.delete(name))

    def snippet(self, story_id: str, query: str | Query, highlights: list[str] | None = None) -> Snippet:
        """The passage of a story around what the query matched.

        Given the story's highlights (a search hit has them), a match there is
        used without reading the story's text from disk.
        """
        parsed = parse_query(query) if isinstance(query, str) else query
        terms = parsed.highlight_terms()
        if highlights:
            found = best_snippet(["  ".join(highlights)], terms)
            if found.spans or not terms:
                return found
        story = self.get(story_id)
        if story is None:
            return Snippet("")
        texts = ["  ".join(story.highlights), story.body, story.full_text, story.note]
        return best_snippet(texts, terms)

    def bookmarked_stories(self) -> list[Story]:
        """Every bookmarked story, whole, newest first: the archive."""
        ids = [summary.id for summary in self.summaries(bookmarked_only=True)]
        return [story for story in map(self.get, ids) if story is not None]

    def resolve_id(self, text: str) -> str:
        """The full id for an id or a unique prefix of one."""
        prefix = text.strip().lower()
        if not re.fullmatch(r"[0-9a-f]{4,64}", prefix):
            raise UnknownStoryError(f"no story with id {text!r} (ids are hex, at least 4 characters)")
        matches = self._call(lambda: self._catalog.ids_with_prefix(prefix))
        if not matches:
            raise UnknownStoryError(f"no story with id {text!r}")
        if len(matches) > 1:
            raise UnknownStoryError(f"id {text!r} is ambiguous: give more characters")
        return str(matches[0])

    def get(self, story_id: str) -> Story | None:
        def read() -> Story | None:
            partition = self._catalog.locate([story_id]).get(story_id)
            if partition is None:
                return None
            listed = self._record_file(self._stories_dir, partition).table.get_record(story_id)
            if listed is None:
                return None
            text = self._record_file(self._texts_dir, partition).table.get_record(story_id)
            return story_from_records(story_id, listed, text)

        return self._call(read)  # type: ignore[no-any-return]

    # ----------------------------------------------------------------- writing

    def put_stories(
        self, stories: Iterable[Story | PreparedStory], *, keep_published: Collection[str] = ()
    ) -> PutResult:
        """Insert new stories and update known ones, in one write per partition.

        A known story keeps what the user gave it: read, bookmarked, note, and the
        time it was first fetched; one named in ``keep_published`` also keeps its
        date (a feed item without a date gets the fetch time: once stored, it keeps
        the time it was first seen).  A Story is cleaned here; a PreparedStory was
        cleaned where it was made (store.ingest.prepare_story, in a parsing worker).
        """
        batch: dict[str, PreparedStory] = {}
        for story in stories:
            prepared = story if isinstance(story, PreparedStory) else prepare_story(story)
            batch[prepared.id] = prepared
        result = PutResult()
        if not batch:
            return result
        keep = set(keep_published)
        with self._writing():
            self._call(self._sync_catalog)
            located = self._call(lambda: self._catalog.locate(list(batch)))
            by_partition: dict[str, list[PreparedStory]] = {}
            for prepared in batch.values():
                by_partition.setdefault(located.get(prepared.id) or prepared.partition, []).append(prepared)
            self._pinned = set(by_partition)  # read to plan, then written: kept in between
            try:
                plans = [
                    self._plan_partition(partition, members, located, keep, result)
                    for partition, members in sorted(by_partition.items())
                ]
                self._write_and_index([plan for plan in plans if plan.entries])
            finally:
                self._pinned = set()
        return result

    def _plan_partition(
        self,
        partition: str,
        members: list[PreparedStory],
        located: dict[str, str],
        keep_published: set[str],
        result: PutResult,
    ) -> _PartitionPlan:
        """What one partition's share of a batch changes (read here, written later)."""
        current_lists = self._record_file(self._stories_dir, partition).table.records()
        current_texts = self._record_file(self._texts_dir, partition).table.records()
        plan = _PartitionPlan(partition)
        for story in members:
            listed, text = story.listed, story.text
            old_list = current_lists.get(story.id) if story.id in located else None
            if old_list is None:
                plan.list_changes[story.id], plan.text_changes[story.id] = listed, text
                result.added.append(story.id)
                fresh = story.id not in located  # the catalog has no row (and no text) for it yet
                plan.entries.append(Entry(story.id, listed, published_seconds(listed), text, fresh=fresh))
                continue
            old_text = current_texts.get(story.id, {})
            kept = USER_FIELDS | {"published"} if story.id in keep_published else USER_FIELDS
            listed = {k: v for k, v in listed.items() if k not in kept}
            text = {k: v for k, v in text.items() if k not in USER_TEXT_FIELDS and (v or k != "full_text")}
            list_delta = {k: v for k, v in listed.items() if old_list.get(k) != v}
            text_delta = {k: v for k, v in text.items() if old_text.get(k) != v}
            if not list_delta and not text_delta:
                result.unchanged.append(story.id)
                continue
            if list_delta:
                plan.list_changes[story.id] = list_delta
            if text_delta:
                plan.text_changes[story.id] = text_delta
            result.updated.append(story.id)
            merged = {**old_list, **list_delta}
            plan.entries.append(Entry(story.id, merged, published_seconds(merged), {**old_text, **text_delta}))
        return plan

    def _write_and_index(self, plans: list[_PartitionPlan]) -> None:
        """Write the partitions' files here while another thread indexes their stories.

        Writing (compression, fsync) and indexing (SQLite) each release the GIL
        for most of their time, so on two cores a write costs about the longer
        of the two rather than their sum.  The catalog's transaction commits only
        once every file is written, with the files' identities; if a file cannot
        be written, the transaction is rolled back.  A crash in between is caught
        by the partition signatures on the next open, as before.
        """
        if not plans:
            return
        written = threading.Event()
        identities: dict[str, tuple[str, str]] = {}

        def identity_of(partition: str) -> tuple[str, str]:
            written.wait()
            if partition not in identities:
                raise StoreWriteError("the story files were not written; the index is left as it was")
            return identities[partition]

        jobs: list[PartitionWork] = [(plan.partition, ("", ""), plan.entries) for plan in plans]
        indexing = self._indexer().submit(self._catalog.index_many, jobs, identity_of=identity_of)
        try:
            for plan in plans:
                # Texts first: the list record is what makes a story exist, so it goes last.
                list_file = self._record_file(self._stories_dir, plan.partition)
                if plan.text_changes:
                    self._record_file(self._texts_dir, plan.partition).table.merge_records(plan.text_changes)
                if plan.list_changes:
                    list_file.table.merge_records(plan.list_changes)
                self._note_written(plan.partition, len(list_file.table.records()))
            identities.update((plan.partition, self._partition_identity(plan.partition)) for plan in plans)
        except BaseException:
            written.set()
            with suppress(Exception):
                indexing.result()  # rolled back; the write's own error is the one to tell
            raise
        written.set()
        try:
            indexing.result()
        except CatalogDamaged:
            self._guard()  # rebuilt from the files, the new ones included

    def _indexer(self) -> ThreadPoolExecutor:
        if self._index_thread is None:
            self._index_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="broadsheet-indexer")
        return self._index_thread

    # A long writer (a fetch) keeps what it read of the partitions it writes, within a budget.

    def _note_written(self, partition: str, size: int) -> None:
        self._written.pop(partition, None)
        self._written[partition] = size

    def trim_cache(self, max_stories: int) -> None:
        """Forget what was read of partitions, but for those written last, up to ``max_stories`` stories.

        A store keeps every partition it has read in memory; a writer that
        writes for long (a fetch) calls this after each write so that the
        partitions it keeps writing stay read and the rest are let go.
        """
        with self._mutex:
            keep: set[str] = set()
            total = 0
            for partition, size in reversed(self._written.items()):
                if total + size > max_stories:
                    break
                keep.add(partition)
                total += size
            for path in list(self._files):
                if path.parent in (self._stories_dir, self._texts_dir) and path.name.split(".", 1)[0] not in keep:
                    self._files.pop(path).close()
            self._written = {partition: self._written[partition] for partition in self._written if partition in keep}

    def _index_written(self, written: list[tuple[str, list[str]]], *, with_text: bool) -> None:
        """Bring the catalog up to date with what was just written, in one transaction."""
        work: list[PartitionWork] = []
        for partition, story_ids in written:
            records = self._record_file(self._stories_dir, partition).table.records()
            texts = self._record_file(self._texts_dir, partition).table.records() if with_text else {}
            entries = [
                Entry(i, records[i], published_seconds(records[i]), texts.get(i, {}) if with_text else None)
                for i in story_ids
                if i in records
            ]
            work.append((partition, self._partition_identity(partition), entries))
        if work:
            self._call(lambda: self._catalog.index_many(work))

    def _set_flag(self, story_ids: Iterable[str], name: str, value: bool) -> list[str]:
        wanted = list(dict.fromkeys(story_ids))
        written: list[tuple[str, list[str]]] = []
        with self._writing():
            self._call(self._sync_catalog)
            located = self._call(lambda: self._catalog.locate(wanted))
            missing = [story_id for story_id in wanted if story_id not in located]
            if missing:
                raise UnknownStoryError(f"no story with id {missing[0]!r}")
            by_partition: dict[str, list[str]] = {}
            for story_id, partition in located.items():
                by_partition.setdefault(partition, []).append(story_id)
            for partition, ids in sorted(by_partition.items()):
                list_file = self._record_file(self._stories_dir, partition)
                records = list_file.table.records()
                to_change = [i for i in ids if i in records and bool(records[i].get(name)) != value]
                if to_change:
                    list_file.table.merge_records({i: {name: value} for i in to_change})
                    written.append((partition, to_change))
            self._index_written(written, with_text=False)
        return [story_id for _, ids in written for story_id in ids]

    def feed_counts(self) -> dict[str, tuple[int, int]]:
        """For each feed URL: how many stories it has, and how many are unread."""
        return dict(self._call(self._catalog.feed_counts))

    def rename_feed(self, old_url: str, new_url: str) -> list[str]:
        """A feed moved for good (301/308): its stories now name ``new_url`` as their feed.

        Written as every change is, one atomic write per partition, under the
        store's lock; the catalog follows.  Returns the ids changed.
        """
        if old_url == new_url:
            return []
        written: list[tuple[str, list[str]]] = []
        with self._writing():
            self._call(self._sync_catalog)
            located = self._call(lambda: self._catalog.feed_story_ids(old_url, keep_bookmarked=False))
            by_partition: dict[str, list[str]] = {}
            for story_id, partition in located.items():
                by_partition.setdefault(partition, []).append(story_id)
            for partition, ids in sorted(by_partition.items()):
                list_file = self._record_file(self._stories_dir, partition)
                records = list_file.table.records()
                to_change = [i for i in ids if i in records and records[i].get("feed") == old_url]
                if to_change:
                    list_file.table.merge_records({i: {"feed": new_url} for i in to_change})
                    written.append((partition, to_change))
            self._index_written(written, with_text=False)
        return [story_id for _, ids in written for story_id in ids]

    def remove_feed_stories(self, feed_url: str) -> int:
        """Delete a feed's stories, except the bookmarked ones: those are kept for good."""
        with self._writing():
            self._call(self._sync_catalog)
            located = self._call(lambda: self._catalog.feed_story_ids(feed_url, keep_bookmarked=True))
            return self._remove_located(located)

    def prune(self, *, keep_days: int = 0, max_per_feed: int = 0, now: datetime | None = None) -> int:
        """Apply a retention policy; returns how many stories went.

        Stories published more than ``keep_days`` days before ``now`` go, and so do those
        beyond the newest ``max_per_feed`` of each feed (0 means no limit, for either).
        Bookmarked stories are never pruned.  Each partition is rewritten atomically,
        like every other write, and the catalog follows in the same step.
        """
        if keep_days <= 0 and max_per_feed <= 0:
            return 0
        moment = now or datetime.now(timezone.utc)
        before = (moment - timedelta(days=keep_days)).timestamp() if keep_days > 0 else None
        with self._writing():
            self._call(self._sync_catalog)
            located = self._call(lambda: self._catalog.prunable(published_before=before, max_per_feed=max_per_feed))
            return self._remove_located(located)

    def _remove_located(self, located: dict[str, str]) -> int:
        """Delete stories (id -> partition) from their files and the catalog; under the write lock."""
        removed = 0
        by_partition: dict[str, list[str]] = {}
        for story_id, partition in located.items():
            by_partition.setdefault(partition, []).append(story_id)
        for partition, ids in sorted(by_partition.items()):
            list_file = self._record_file(self._stories_dir, partition)
            # The list record goes first: without it the story no longer exists.
            list_file.table.remove_records(ids)
            self._record_file(self._texts_dir, partition).table.remove_records(ids)
            identity = self._partition_identity(partition)
            self._call(lambda: self._catalog.delete(ids, partition, identity))
            removed += len(ids)
        return removed

    def set_read(self, story_ids: Iterable[str], read: bool) -> list[str]:
        """Mark stories read or unread; returns the ids that changed (what an undo needs)."""
        return self._set_flag(story_ids, "read", read)

    def update_story(
        self,
        story_id: str,
        *,
        note: str | None = None,
        full_text: str | None = None,
        highlights: list[str] | None = None,
        highlights_generated: bool | None = None,
    ) -> None:
        """Change what the reader or the pipeline adds to a story: its note, its
        extracted full text, its highlights.  The search index follows."""
        list_fields: dict[str, Any] = {}
        text_fields: dict[str, Any] = {}
        if note is not None:
            text_fields["note"] = clean_text(note)
        if full_text is not None:
            text_fields["full_text"] = clean_text(full_text)
        if highlights is not None:
            list_fields["highlights"] = clean_lines(highlights)
        if highlights_generated is not None:
            list_fields["highlights_generated"] = highlights_generated
        with self._writing():
            self._call(self._sync_catalog)
            partition = self._call(lambda: self._catalog.locate([story_id])).get(story_id)
            if partition is None:
                raise UnknownStoryError(f"no story with id {story_id!r}")
            if text_fields:
                self._record_file(self._texts_dir, partition).table.merge_records({story_id: text_fields})
            if list_fields:
                self._record_file(self._stories_dir, partition).table.merge_records({story_id: list_fields})
            self._index_written([(partition, [story_id])], with_text=True)

    def set_bookmarked(self, story_id: str, bookmarked: bool) -> None:
        self._set_flag([story_id], "bookmarked", bookmarked)
