"""The records Broadsheet keeps: stories and the light rows the list shows."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from collections.abc import Iterable, Iterator
from typing import Any

from store.sanitize import clean_line, clean_lines, clean_text, is_terminal_safe

ID_LENGTH = 12


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def make_story_id(*, feed: str = "", guid: str = "", url: str = "", content: str = "") -> str:
    """A stable id: from the guid (scoped to its feed), else the url, else the content."""
    if guid:
        key = f"guid\x00{feed}\x00{guid}"
    elif url:
        key = f"url\x00{url}"
    else:
        key = f"content\x00{content}"
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()[:ID_LENGTH]


def as_aware(moment: datetime) -> datetime:
    """A naive datetime is taken as local time, as a person writing a date means it."""
    if moment.tzinfo is None:
        return moment.astimezone()
    return moment


@dataclass(slots=True)
class Story:
    """One story, whole.  Text fields live apart from the list fields on disk."""

    id: str
    title: str
    source: str = ""
    url: str = ""
    author: str = ""
    published: datetime = field(default_factory=utc_now)
    fetched: datetime = field(default_factory=utc_now)
    highlights: list[str] = field(default_factory=list)
    highlights_generated: bool = False
    body: str = ""
    opinions: list[str] = field(default_factory=list)
    read: bool = False
    bookmarked: bool = False
    feed: str = ""
    full_text: str = ""
    note: str = ""
    tags: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def sanitized(self) -> Story:
        """A copy safe to store: every outside field cleaned once, here."""
        return Story(
            id=self.id,
            title=clean_line(self.title),
            source=clean_line(self.source),
            url=clean_line(self.url),
            author=clean_line(self.author),
            published=as_aware(self.published),
            fetched=as_aware(self.fetched),
            highlights=clean_lines(self.highlights),
            highlights_generated=self.highlights_generated,
            body=clean_text(self.body),
            opinions=[text for text in (clean_text(o) for o in self.opinions) if text],
            read=self.read,
            bookmarked=self.bookmarked,
            feed=clean_line(self.feed),
            full_text=clean_text(self.full_text),
            note=clean_text(self.note),
            tags=clean_lines(self.tags),
            extra=dict(self.extra),
        )

    def summary(self) -> StorySummary:
        return StorySummary(
            id=self.id,
            title=self.title,
            source=self.source,
            published=self.published,
            read=self.read,
            bookmarked=self.bookmarked,
            feed=self.feed,
        )


# Fields kept in the list records; the rest are kept with the bodies.
TEXT_FIELDS = ("body", "opinions", "full_text", "note")
LIST_FIELDS = tuple(f.name for f in fields(Story) if f.name not in TEXT_FIELDS and f.name != "id")


@dataclass(slots=True, frozen=True)
class StorySummary:
    """What the story list needs for one row: small, so 100,000 fit easily."""

    id: str
    title: str
    source: str
    published: datetime
    read: bool
    bookmarked: bool
    feed: str = ""


def story_to_records(story: Story) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a story into its list record and its text record (JSON-ready)."""
    listed: dict[str, Any] = {}
    for name in LIST_FIELDS:
        value = getattr(story, name)
        listed[name] = value.isoformat() if isinstance(value, datetime) else value
    text = {name: getattr(story, name) for name in TEXT_FIELDS}
    return listed, text


def story_from_records(story_id: str, listed: dict[str, Any], text: dict[str, Any] | None) -> Story:
    """Rebuild a story from its records, tolerating missing or odd fields."""
    values: dict[str, Any] = {"id": story_id}
    for name in LIST_FIELDS:
        if name in listed:
            values[name] = listed[name]
    for name in ("published", "fetched"):
        values[name] = parse_stored_time(values.get(name))
    if text:
        for name in TEXT_FIELDS:
            if name in text:
                values[name] = text[name]
    values.setdefault("title", "")
    # Stories are cleaned when they come in; cleaning again on the way out keeps a
    # hand-edited or old store file from reaching the terminal.  One scan of all the
    # text decides: a stored story nearly always has nothing to drop.
    story = Story(**values)
    return story if is_terminal_safe(" ".join(_strings(values.values()))) else story.sanitized()


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, list):
            yield from (item for item in value if isinstance(item, str))


def parse_stored_time(value: Any) -> datetime:
    if isinstance(value, str):
        try:
            return as_aware(datetime.fromisoformat(value))
        except ValueError:
            pass
    return utc_now()
