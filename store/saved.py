"""Saved searches: named queries that the reader shows as virtual feeds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from store.errors import StoreError
from store.model import parse_stored_time, utc_now
from store.query import parse_query
from store.sanitize import clean_line
from store.storage import RecordFile, store_lock

MAX_NAME = 60


@dataclass(frozen=True, slots=True)
class SavedSearch:
    name: str
    query: str
    saved: datetime


class SavedSearches:
    """Kept in `<home>/searches.json` (TinyDB, atomic writes, locked only while writing)."""

    def __init__(self, home: Path, record_file: RecordFile) -> None:
        self._lock = store_lock(home)
        self._file = record_file

    def all(self) -> list[SavedSearch]:
        records = self._file.table.records()
        found = [
            SavedSearch(str(record.get("name", key)), str(record.get("query", "")), parse_stored_time(record.get("saved")))
            for key, record in records.items()
        ]
        return sorted(found, key=lambda saved: saved.name.lower())

    def save(self, name: str, query: str) -> SavedSearch:
        """Save (or replace) a search; the query must parse, so a saved search always runs."""
        name = clean_line(name)[:MAX_NAME]
        query = clean_line(query)
        if not name:
            raise StoreError("a saved search needs a name")
        parsed = parse_query(query)
        if parsed.is_empty:
            raise StoreError("a saved search needs a query")
        saved = SavedSearch(name, query, utc_now())
        with self._lock:
            self._file.table.merge_records(
                {name.lower(): {"name": name, "query": query, "saved": saved.saved.isoformat()}}
            )
        return saved

    def delete(self, name: str) -> bool:
        key = clean_line(name).lower()
        with self._lock:
            if key not in self._file.table.records():
                return False
            self._file.table.remove_records([key])
        return True
