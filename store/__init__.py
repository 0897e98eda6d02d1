"""Broadsheet's data layer: model, TinyDB persistence, import.  Never imports Textual."""

from store.errors import StoreError, StoreWriteError, UnknownStoryError
from store.model import Story, StorySummary, make_story_id
from store.records import PutResult, Store

__all__ = [
    "PutResult",
    "Store",
    "StoreError",
    "StoreWriteError",
    "Story",
    "StorySummary",
    "UnknownStoryError",
    "make_story_id",
]
