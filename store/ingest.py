"""Stories made ready for the store where they were parsed.

A fetched story is cleaned (store.sanitize), split into its list and text
records and given its partition before it reaches the store, in the worker
process that parsed its feed: that work is most of what a store write costs per
story, and the workers run on every core while the store's one writer cannot.
This module is all a parsing worker imports (with store.parse): no SQLite, no
TinyDB, no locks, so the workers start quickly.
"""

from __future__ import annotations

import pickle
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from store.model import Story, story_to_records

BUCKETS = 16


def partition_for(story: Story) -> str:
    """The month the story belongs to, with a bucket of its id."""
    moment = story.published
    if moment > story.fetched + timedelta(days=2) or moment.year < 1990:
        moment = story.fetched
    moment = moment.astimezone(timezone.utc)
    return f"{moment.year:04d}-{moment.month:02d}-{int(story.id[:4], 16) % BUCKETS}"


@dataclass(slots=True)
class PreparedStory:
    """A story already cleaned and split into its records: make one with ``prepare_story``.

    ``Store.put_stories`` takes these as they are (it cleans a plain Story
    itself), so one must never be built from text that was not cleaned.
    """

    id: str
    partition: str
    listed: dict[str, Any]
    text: dict[str, Any]


def prepare_story(story: Story) -> PreparedStory:
    clean = story.sanitized()
    listed, text = story_to_records(clean)
    return PreparedStory(clean.id, partition_for(clean), listed, text)


@dataclass(slots=True)
class PackedStories:
    """Prepared stories of one partition, pickled and compressed: what waits for the store is small.

    A big fetch holds tens of thousands of stories back for the store, so that
    each write rewrites its partitions for many of them; packed, a story takes
    about a sixth of the memory.  Packed in the parsing worker, so the fetching
    process receives a few bytes objects instead of thousands of dicts.  The
    bytes come from Broadsheet's own worker process, never from outside.
    """

    partition: str
    ids: list[str]
    blob: bytes
    compressed: bool = True

    @classmethod
    def pack(cls, partition: str, stories: list[PreparedStory], *, compress: bool = True) -> PackedStories:
        """``compress``: a third of the size for some CPU (0.12 s per 10,000 stories, in the worker)."""
        payload = pickle.dumps(stories, protocol=pickle.HIGHEST_PROTOCOL)
        blob = zlib.compress(payload, 1) if compress else payload
        return cls(partition, [story.id for story in stories], blob, compress)

    def unpack(self) -> list[PreparedStory]:
        stories: list[PreparedStory] = pickle.loads(zlib.decompress(self.blob) if self.compressed else self.blob)
        return stories


@dataclass(slots=True)
class PreparedFeed:
    """What a feed document holds, ready for the store: its stories packed by partition."""

    title: str
    site_url: str
    packs: list[PackedStories]
    # Stories whose dates were missing or impossible (see ParsedFeed.undated).
    undated: frozenset[str]

    @property
    def story_ids(self) -> list[str]:
        return [story_id for pack in self.packs for story_id in pack.ids]


def parse_and_prepare(
    data: bytes, *, compress: bool = True, published_after: datetime | None = None, **options: Any
) -> PreparedFeed:
    """store.parse.parse_feed, then every story prepared and packed: the job a parsing worker runs.

    Stories published before ``published_after`` (the retention cut-off) are left out:
    taking them in would only have them pruned again, and counted as new every fetch.
    """
    from store.parse import parse_feed  # here: the store's own use of this module needs no parser

    parsed = parse_feed(data, **options)
    by_partition: dict[str, list[PreparedStory]] = {}
    for story in parsed.stories:
        if published_after is not None and story.published < published_after:
            continue
        prepared = prepare_story(story)
        by_partition.setdefault(prepared.partition, []).append(prepared)
    packs = [PackedStories.pack(partition, stories, compress=compress) for partition, stories in by_partition.items()]
    return PreparedFeed(parsed.title, parsed.site_url, packs, frozenset(parsed.undated))
