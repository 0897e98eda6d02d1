"""Coverage of one event: what the reader sees of a group of stories.

Built on store.groupstate (which story is in which group); this module answers
the questions a list row, a viewer and an export ask of a group:

- ``group_rows(summaries, groups)``: the story list folded to one row per group.
- ``choose_lead(members)``: the story whose headline the group shows (rule below).
- ``coverage(store, groups, story_id)``: a group's members, lead, highlights and
  opinions, for the viewer.
- ``group_highlights(stories)``: key sentences from every source, near-duplicates
  dropped, each naming its source.
- ``is_opinion(...)``: columns, editorials, op-eds and analyses.
- ``group_story(coverage)``: the group as one Story (what `export --story` writes).
- ``set_group_read(store, groups, story_id, read)``: read state of a whole group.

The lead rule ("the clearest headline"): among the members that are not opinion
pieces (all of them if every one is), the headline that shares the most words
with the other headlines, i.e. the one that says what the coverage agrees on;
a question, a label ("LIVE:", "Watch:"), SHOUTING, or a headline shorter than 4
or longer than 18 words counts for less.  Ties go to the earliest story, then
the smaller id, so the choice is stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol, TypeVar

from store.grouping import story_time, tokens
from store.groupstate import Groups
from store.highlights import generate_highlights, markdown_to_plain
from store.model import Story, StorySummary

HIGHLIGHT_COUNT = 5
# Two sentences sharing this share of the smaller one's terms say the same thing.
DUPLICATE_OVERLAP = 0.6
DUPLICATE_SHARE = 0.4
# ...and sentences sharing this much support each other (several sources say it).
SUPPORT_OVERLAP = 0.35
MIN_LEAD_WORDS, MAX_LEAD_WORDS = 4, 18

_OPINION_WORDS = (
    "opinion|opinions|op-ed|oped|op ed|editorial|editorials|column|columns|columnist|columnists|commentary|comment"
    "|commentisfree|analysis|viewpoint|viewpoints|perspective|perspectives|views|letters|essay"
)
_OPINION_LABEL = re.compile(rf"^\s*(?:{_OPINION_WORDS}|the view|our view|my view)\s*[:|–—-]\s*\S", re.IGNORECASE)
_OPINION_SEGMENT = re.compile(rf"(?:^|/)(?:{_OPINION_WORDS.replace(' ', '-')})(?:/|$|\.|-)", re.IGNORECASE)
_OPINION_NAME = re.compile(rf"\b(?:{_OPINION_WORDS})\b", re.IGNORECASE)
_LABEL_PREFIX = re.compile(rf"^\s*(?:{_OPINION_WORDS}|the view|our view|my view)\s*[:|–—-]\s*", re.IGNORECASE)
_LABEL = re.compile(r"^\s*(?:live|watch|video|listen|podcast|photos?|gallery|quiz|breaking|update[d]?)\b\s*[:|–—-]", re.I)


class StoryLike(Protocol):
    """What opinion and lead rules read: a Story or a StorySummary."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def source(self) -> str: ...

    @property
    def feed(self) -> str: ...

    @property
    def published(self) -> datetime: ...


T = TypeVar("T", bound=StoryLike)


# ------------------------------------------------------------------ opinion


def is_opinion(story: StoryLike, url: str = "", tags: Iterable[str] = ()) -> bool:
    """An opinion or analysis piece: a label on the title ("Opinion: ..."), a feed or
    link under /opinion/, /comment/, /columnists/..., a source or tag naming one."""
    if _OPINION_LABEL.match(story.title):
        return True
    for link in (story.feed, url or getattr(story, "url", "")):
        path = link.split("://", 1)[-1].partition("/")[2].partition("?")[0]
        if path and _OPINION_SEGMENT.search(path):
            return True
    if _OPINION_NAME.search(story.source):
        return True
    return any(_OPINION_NAME.fullmatch(tag.strip()) for tag in (tags or getattr(story, "tags", ())))


# ------------------------------------------------------------------ lead


def _title_terms(title: str) -> set[str]:
    return {term for term, _ in tokens(title)}


def _clarity(title: str) -> float:
    """How well a headline reads as a headline: 1, less for the faults of the rule above."""
    factor = 1.0
    words = len(title.split())
    if title.rstrip().endswith("?"):
        factor *= 0.6
    if _LABEL.match(title) or _OPINION_LABEL.match(title):
        factor *= 0.5
    letters = [c for c in title if c.isalpha()]
    if len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.7 * len(letters):
        factor *= 0.5
    if not MIN_LEAD_WORDS <= words <= MAX_LEAD_WORDS:
        factor *= 0.8
    return factor


def choose_lead(members: Sequence[T]) -> T:
    """The member whose headline the group shows (see the module's rule)."""
    if not members:
        raise ValueError("a group has at least one story")
    plain = [member for member in members if not is_opinion(member)] or list(members)
    terms = {member.id: _title_terms(member.title) for member in plain}

    def score(member: T) -> tuple[float, float, str]:
        own = terms[member.id]
        agreement = 0.0
        for other in plain:
            if other.id != member.id and own and terms[other.id]:
                agreement += len(own & terms[other.id]) / len(own | terms[other.id])
        return (-(1.0 + agreement) * _clarity(member.title), member.published.timestamp(), member.id)

    return min(plain, key=score)


# ------------------------------------------------------------------ list rows


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One row of the grouped list: the lead's summary, and the group around it."""

    group_id: str
    lead: StorySummary
    members: tuple[StorySummary, ...]  # oldest first
    first_seen: datetime  # the earliest member's published time

    @property
    def sources(self) -> int:
        """How many outlets cover it (by feed, else by source name)."""
        return len({member.feed or member.source or member.id for member in self.members})

    @property
    def story_ids(self) -> list[str]:
        return [member.id for member in self.members]

    @property
    def unread(self) -> int:
        return sum(not member.read for member in self.members)


def group_rows(summaries: Sequence[StorySummary], group_of: dict[str, str]) -> list[GroupRow]:
    """Fold list rows into one row per group, in the order of each group's first row
    (the list is newest first, so a group sits where its newest report is).

    ``group_of`` maps story id -> group id (``Groups.groups_of``); a story missing
    from it is a group of its own.  Only the given summaries are members: a
    filtered list (unread only, say) folds what it shows.
    """
    order: list[str] = []
    grouped: dict[str, list[StorySummary]] = {}
    for summary in summaries:
        group_id = group_of.get(summary.id, summary.id)
        if group_id not in grouped:
            grouped[group_id] = []
            order.append(group_id)
        grouped[group_id].append(summary)
    rows = []
    for group_id in order:
        members = sorted(grouped[group_id], key=lambda s: (s.published.timestamp(), s.id))
        rows.append(GroupRow(group_id, choose_lead(members), tuple(members), members[0].published))
    return rows


# ------------------------------------------------------------------ highlights


@dataclass(frozen=True, slots=True)
class GroupHighlight:
    """A key sentence, the source whose words are shown, and the other sources that say nearly the same."""

    text: str
    story_id: str
    source: str
    also: tuple[str, ...] = ()


def _sentences_of(story: Story) -> list[str]:
    if story.highlights:
        return list(story.highlights)
    text = story.body or markdown_to_plain(story.full_text)
    return generate_highlights(text, title=story.title)


def _overlap(one: frozenset[str], other: frozenset[str]) -> float:
    smaller = min(len(one), len(other))
    return len(one & other) / smaller if smaller else 0.0


def _same_point(one: frozenset[str], other: frozenset[str]) -> bool:
    """Near-duplicates: most of the shorter one's terms are in the other, and the two
    share a good part of all their terms (so a short sentence is not a duplicate of
    every long one that happens to hold its two names)."""
    shared = len(one & other)
    return _overlap(one, other) >= DUPLICATE_OVERLAP and shared >= DUPLICATE_SHARE * len(one | other)


def group_highlights(stories: Sequence[Story], count: int = HIGHLIGHT_COUNT) -> list[GroupHighlight]:
    """Up to ``count`` key sentences drawn from every story (lead first), no two alike.

    Each story's own highlights (or ones generated from its text) are the
    candidates.  A sentence that other sources also say (with a similar sentence)
    ranks first; then earlier sentences, then the lead's.  A near-duplicate of a
    sentence taken is not taken again: its source is added to ``also``.
    Opinion pieces are left out (they are the group's opinions) unless all are.
    """
    plain = [story for story in stories if not is_opinion(story)] or list(stories)
    candidates: list[tuple[int, int, Story, str, frozenset[str]]] = []
    for order, story in enumerate(plain):
        for position, sentence in enumerate(_sentences_of(story)):
            terms = frozenset(term for term, _ in tokens(sentence))
            if terms:
                candidates.append((order, position, story, sentence, terms))
    support: list[int] = []
    for order, _, story, _, terms in candidates:
        sources = {
            other_story.feed or other_story.source or other_story.id
            for other_order, _, other_story, _, other_terms in candidates
            if other_order != order and _overlap(terms, other_terms) >= SUPPORT_OVERLAP
        }
        support.append(len(sources))
    ranked = sorted(range(len(candidates)), key=lambda i: (-support[i], candidates[i][1], candidates[i][0]))
    taken: list[tuple[int, list[str]]] = []
    for index in ranked:
        order, _, story, sentence, terms = candidates[index]
        twin = next((t for t in taken if _same_point(terms, candidates[t[0]][4])), None)
        if twin is not None:
            name = story.source or story.feed
            if candidates[twin[0]][2] is not story and name and name not in twin[1]:
                twin[1].append(name)
            continue
        if len(taken) < count:
            taken.append((index, []))
    taken.sort(key=lambda t: (candidates[t[0]][0], candidates[t[0]][1]))
    highlights = []
    for index, also in taken:
        _, _, story, sentence, _ = candidates[index]
        source = story.source or story.feed
        highlights.append(GroupHighlight(sentence, story.id, source, tuple(a for a in also if a != source)))
    return highlights


# ------------------------------------------------------------------ a group, whole


@dataclass(frozen=True, slots=True)
class Member:
    """One source's version of the event: what a "Coverage" section lists."""

    id: str
    title: str
    source: str
    feed: str
    url: str
    published: datetime
    read: bool
    opinion: bool


@dataclass(frozen=True, slots=True)
class Coverage:
    """A group as the viewer shows it."""

    group_id: str
    lead: Story
    stories: tuple[Story, ...]  # oldest first
    highlights: tuple[GroupHighlight, ...]

    @property
    def members(self) -> list[Member]:
        return [
            Member(s.id, s.title, s.source, s.feed, s.url, s.published, s.read, is_opinion(s)) for s in self.stories
        ]

    @property
    def opinions(self) -> list[Story]:
        """The members that are opinion or analysis pieces (never the lead, unless all are)."""
        return [story for story in self.stories if story.id != self.lead.id and is_opinion(story)]

    @property
    def first_seen(self) -> datetime:
        return min(story.published for story in self.stories)

    @property
    def last_seen(self) -> datetime:
        return max(story.published for story in self.stories)


class StoryGetter(Protocol):
    def get(self, story_id: str) -> Story | None: ...


def coverage(store: StoryGetter, groups: Groups, story_id: str) -> Coverage | None:
    """The whole group of a story (any member's id, or the group's id); None if the story is gone."""
    group_id = groups.group_of(story_id)
    ids = groups.members(group_id)
    stories = [story for story in map(store.get, ids) if story is not None]
    if not stories:
        return None
    stories.sort(key=lambda story: (story_time(story), story.id))
    lead = choose_lead(stories)
    ordered = [lead, *(story for story in stories if story is not lead)]
    highlights = tuple(group_highlights(ordered)) if len(stories) > 1 else ()
    return Coverage(group_id, lead, tuple(stories), highlights)


def _first_sentence(story: Story) -> str:
    sentences = _sentences_of(story)
    return sentences[0] if sentences else ""


def group_story(group: Coverage) -> Story:
    """The group as one story document: the lead's headline and text, highlights from
    every source (each naming it), the opinion pieces as opinions, and a closing
    paragraph naming the sources.  A group of one is that story, as it is."""
    lead = group.lead
    if len(group.stories) == 1:
        return lead
    highlights = [f"{h.text} ({', '.join([h.source, *h.also])})" if h.source else h.text for h in group.highlights]
    opinions = list(lead.opinions)
    for story in group.opinions:
        gist = _first_sentence(story)
        title = _LABEL_PREFIX.sub("", story.title) or story.title  # "Opinion: ..." says what the section does
        opinions.append(f"{story.source or story.feed}: {title}" + (f" — {gist}" if gist else ""))
    text = lead.body or markdown_to_plain(lead.full_text)
    names = list(dict.fromkeys(s.source or s.feed for s in group.stories if s.source or s.feed))
    if names:
        text = f"{text}\n\nReported by {', '.join(names)}."
    return Story(
        id=group.group_id,
        title=lead.title,
        source=lead.source,
        url=lead.url,
        author=lead.author,
        published=group.first_seen,
        fetched=lead.fetched,
        highlights=highlights,
        body=text,
        opinions=opinions,
        feed=lead.feed,
        read=all(story.read for story in group.stories),
    )


# ------------------------------------------------------------------ read state


class ReadSetter(Protocol):
    def set_read(self, story_ids: Iterable[str], read: bool) -> list[str]: ...

    def summaries_for(self, story_ids: list[str]) -> list[StorySummary]: ...


def set_group_read(store: ReadSetter, groups: Groups, story_id: str, read: bool) -> list[str]:
    """Mark every story of the story's group read (or unread); the ids that changed (for an undo).

    Members deleted from the store since the last sync are skipped."""
    members = groups.members(groups.group_of(story_id))
    present = [summary.id for summary in store.summaries_for(members)]
    return store.set_read(present, read)


# ------------------------------------------------------------------ for the command line


class GroupedStore(StoryGetter, Protocol):
    """What the command line's helpers read: a Store."""

    @property
    def home(self) -> Path: ...


def story_groups(store: GroupedStore, story_ids: Iterable[str]) -> dict[str, str]:
    """Story id -> group id, with the groups first brought up to date (``Groups.sync``)."""
    with Groups(store.home) as groups:
        groups.sync(store)  # type: ignore[arg-type]
        return groups.groups_of(story_ids)


def group_document(store: GroupedStore, story_id: str) -> str:
    """The story's group (or the story alone) as a story document.

    The first date line is when the group was first reported, the second its latest report.
    """
    from store.errors import UnknownStoryError
    from store.storydoc import format_story_document

    with Groups(store.home) as groups:
        groups.sync(store)  # type: ignore[arg-type]
        group = coverage(store, groups, story_id)
    if group is None:
        raise UnknownStoryError(f"no story with id {story_id!r}")
    story = group_story(group)
    updated = group.last_seen if len(group.stories) > 1 else None
    return format_story_document(story, updated=updated)
