"""Broadsheet's data layer: model, TinyDB persistence, import.  Never imports Textual."""

from store.errors import StoreError, StoreWriteError, UnknownStoryError
from store.model import Story, StorySummary, make_story_id
from store.query import Query, QueryError, parse_query
from store.records import PutResult, SearchHit, Store, StoreChanges
from store.saved import SavedSearch
from store.search import Snippet, match_spans
from store.storydoc import StoryDocumentError, import_story_documents, sample_stories

__all__ = [
    "PutResult",
    "Query",
    "SavedSearch",
    "QueryError",
    "SearchHit",
    "Snippet",
    "StoryDocumentError",
    "import_story_documents",
    "match_spans",
    "parse_query",
    "sample_stories",
    "Store",
    "StoreChanges",
    "StoreError",
    "StoreWriteError",
    "Story",
    "StorySummary",
    "UnknownStoryError",
    "make_story_id",
]
