"""Broadsheet's data layer: model, TinyDB persistence, import.  Never imports Textual.

The names below are loaded on first use (PEP 562), so a process that needs one
small module (a feed-parsing worker imports store.ingest only) does not pay for
the whole store: SQLite, TinyDB, file locks.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_WHERE = {
    "StoreError": "store.errors",
    "StoreWriteError": "store.errors",
    "UnknownStoryError": "store.errors",
    "Story": "store.model",
    "StorySummary": "store.model",
    "make_story_id": "store.model",
    "Query": "store.query",
    "QueryError": "store.query",
    "parse_query": "store.query",
    "PutResult": "store.records",
    "SearchHit": "store.records",
    "Store": "store.records",
    "StoreChanges": "store.records",
    "SavedSearch": "store.saved",
    "Snippet": "store.search",
    "match_spans": "store.search",
    "StoryDocumentError": "store.storydoc",
    "import_story_documents": "store.storydoc",
    "sample_stories": "store.storydoc",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})


if TYPE_CHECKING:
    from store.errors import StoreError, StoreWriteError, UnknownStoryError
    from store.model import Story, StorySummary, make_story_id
    from store.query import Query, QueryError, parse_query
    from store.records import PutResult, SearchHit, Store, StoreChanges
    from store.saved import SavedSearch
    from store.search import Snippet, match_spans
    from store.storydoc import StoryDocumentError, import_story_documents, sample_stories
