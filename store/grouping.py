"""Grouping: which stories from different feeds report the same event.

Two stories are one event when

1. their canonical URLs are equal (store.canonical: trackers, fragments, AMP
   copies and the like removed), whatever their feeds and dates; or
2. their titles and texts are alike: the story's mean cosine (TF-IDF vectors)
   to the group's members, less a small penalty growing with the time between
   them, is at least ``THRESHOLD`` (or ``NAMES_THRESHOLD`` when the story and
   the group name two of the same rare people or places); all of the group lies
   within ``WINDOW``; and the group holds no story from the same feed yet (a
   feed's follow-up on an event is its own story; only a URL match puts two
   stories of one feed together).

A URL match is not taken when the URL is a front page or the feed itself, or
when the texts have next to nothing in common (feeds that link every item to
one listing page exist).

Incremental, leader-follower clustering: stories are taken one by one, oldest
first; each joins the best group that passes the tests above, or starts a group
of its own, whose id is its own id.  So a group's id never changes while the
group lives, a lone story is its own group, and a late report of an event (or a
late-fetched feed) joins the group already there.  Average link, not single
link: a story must be like the group as a whole, so a chain of stories each
like the next cannot pull unrelated ones together (on the benchmark, single
link let templated headlines chain a dozen events into one group).

Why not MinHash + LSH (datasketch)?  MinHash estimates the Jaccard overlap of
shingle sets, which suits near-copies: syndicated wire copy, the same article
in two feeds.  Two outlets writing up one event share few word shingles (other
sentences, other synonyms, another lead); what they share are the rare words:
names, places, figures.  A Jaccard threshold low enough for that is where LSH
banding stops pruning, and datasketch would also bring numpy and scipy to a
reader that otherwise needs neither.  So candidates come from an inverted index
of each story's few highest-weighted terms ("signature") to the groups holding
them, bucketed by time so a lookup only sees the window; the groups sharing the
most signature weight are verified with the full vectors, weighted by inverse
document frequency so that names count more than common words.  Each new story
costs a few hundred dictionary operations and at most ``MAX_CANDIDATES`` dot
products, whatever the size of the store.

This module is pure computation (no files): store.groupstate keeps the state
on disk and feeds it here.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from dataclasses import dataclass, field
from datetime import timedelta

from store.canonical import canonical_url
from store.model import Story
from store.storydoc import SOURCE as STORY_DOCUMENT_SOURCE

WINDOW = timedelta(days=3)
WINDOW_SECONDS = WINDOW.total_seconds()
# A story joins a group when its mean cosine to the members, less the time penalty,
# is at least this.  Chosen on bench/grouping.py (seeds 2026, 7, 11), in the middle
# of the range where both precision and recall meet their targets, and checked on
# hand-written real-world reports (tests/store/test_grouping.py).
THRESHOLD = 0.4
# ...or at least this, when the story and the group's texts share ``SHARED_NAMES`` rare
# names (people, places, organisations written as names, each in at most
# ``RARE_NAME_SHARE`` of the stories): reports of one event name the same who and
# where in their own words; unrelated stories seldom share two rare names.
NAMES_THRESHOLD = 0.33
SHARED_NAMES = 2
RARE_NAME_SHARE = 0.005
# Two stories with one URL are one story unless their texts are less alike than this.
URL_MIN_LIKENESS = 0.1
# Taken off the likeness for a story a whole window away from a group's stories.
TIME_PENALTY = 0.2
# Rare words (names, places, figures) tell events apart; words every story of a topic
# uses do not.  Squaring the inverse document frequency sharpens that: measured on
# bench/grouping.py, it separates same-event pairs from the rest better than 1 or 3.
IDF_POWER = 2.0
# A small store says little about which words are common: its counts are taken as if
# this many more stories held none of its words.  Without it, in a store of a dozen
# stories the names three reports share weigh less than the words each uses alone,
# and real reworded reports of one event (tests/store/test_grouping.py) stay apart.
BACKGROUND_DOCUMENTS = 500
# Terms of a story looked up in the index, and the index entries a story makes.
SIGNATURE_SIZE = 14
# At most this many groups, those sharing the most signature weight, are compared in full.
MAX_CANDIDATES = 16
# A (term, window) entry holding more groups than this names no event: it is skipped.
MAX_POSTING = 40
# Terms kept per story (the heaviest ones): enough for the cosine, small on disk.
MAX_TERMS = 48
TITLE_REPEAT = 2
TEXT_WORDS = 220
MAX_TEXT_CHARS = 4_000

# A word, and (group 1) the end of a sentence, a colon or a line break right before it.
_WORD = re.compile(r"([.!?:]['\"”’)\]]*\s+|\s*\n\s*)?([^\W_]+(?:['’.][^\W_]+)*)")
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers him his how i if in into is it its just me more most much my no nor not now of off on once only or other
    our out over own same she should so some such than that the their them then there these they this those through
    to too under until up very was we were what when where which while who whom why will with would you your said
    says say told tell according reported report reports news new year years time week day days today yesterday
    tomorrow monday tuesday wednesday thursday friday saturday sunday one two three first last may might must
    shall also just like get got make made many people us via per amid among across around since still yet
    """.split()
)


def story_time(story: Story) -> float:
    """When the story happened, in epoch seconds: its published time, unless that is
    implausible (far in the future of its fetch, or before 1990), then its fetch time."""
    moment = story.published
    if moment > story.fetched + timedelta(days=2) or moment.year < 1990:
        moment = story.fetched
    return moment.timestamp()


def _stem(word: str) -> str:
    """A light suffix stripper: "talks"/"talk", "cities"/"city", "Russia's"/"russia"."""
    for mark in ("'s", "’s"):
        if word.endswith(mark):
            word = word[: -len(mark)]
    if len(word) <= 4 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=100_000)
def _term(word: str) -> str | None:
    """The term a word counts as (lowercased, stemmed), or None for a word not worth counting."""
    lowered = word.lower().replace("’", "'")
    if lowered in STOPWORDS or (len(lowered) < 2 and not lowered.isdigit()):
        return None
    return _stem(lowered)


def tokens(text: str) -> list[tuple[str, bool]]:
    """(term, is a name) for each word worth counting.  A name is a capitalised word
    that does not open a sentence: names, places and organisations tell events apart."""
    found: list[tuple[str, bool]] = []
    first = True
    for match in _WORD.finditer(text):
        word = match.group(2)
        term = _term(word)
        if term is not None:
            found.append((term, word[:1].isupper() and not first and match.group(1) is None))
        first = False
    return found


def features(title: str, text: str) -> tuple[dict[str, int], frozenset[tuple[str, ...]]]:
    """What grouping compares, in one pass over the words.

    The bag of terms: the title's words ``TITLE_REPEAT`` times, then the start of the
    text, where a name counts twice.  The names: runs of capitalised words not opening
    a sentence, so a person's first and last names are one name, not two.
    """
    counts: Counter[str] = Counter()
    for term, _ in tokens(title):  # headlines are often in Title Case: no names told there
        counts[term] += TITLE_REPEAT
    names: set[tuple[str, ...]] = set()
    run: list[str] = []
    last_end = -1
    words = 0
    for match in _WORD.finditer(text[:MAX_TEXT_CHARS]):
        word = match.group(2)
        term = _term(word)
        name = term is not None and word[:1].isupper() and match.group(1) is None and last_end >= 0
        if name and run and match.start() <= last_end + 1:
            run.append(term)  # type: ignore[arg-type]
        else:
            if run:
                names.add(tuple(run))
            run = [term] if name else []  # type: ignore[list-item]
        last_end = match.end()
        if term is not None:
            counts[term] += 2 if name else 1
            words += 1
            if words >= TEXT_WORDS:
                break
    if run:
        names.add(tuple(run))
    return dict(counts), frozenset(names)


def story_text(story: Story) -> str:
    """The text grouping reads: highlights, then the feed's text (or the extracted text)."""
    parts = [*story.highlights, story.body or story.full_text]
    return "\n".join(part for part in parts if part)


@dataclass(slots=True)
class Item:
    """One story as grouping sees it."""

    id: str
    feed: str
    url: str
    time: float
    terms: dict[str, int]
    # The names the text writes (capitalised, not opening a sentence), each a run of
    # terms: ("dmitry", "bakanov"), ("houston",).
    names: frozenset[tuple[str, ...]] = frozenset()

    @classmethod
    def of(cls, story: Story) -> Item:
        terms, names = features(story.title, story_text(story))
        return cls(id=story.id, feed=outlet(story), url=article_url(story), time=story_time(story), terms=terms, names=names)


def outlet(story: Story) -> str:
    """Who published the story, for the one-story-per-outlet rule: its feed, else (an
    saved page) its source's name."""
    if story.feed:
        return story.feed
    # A story document is itself many outlets' account of an event: no one outlet.
    if not story.source or story.source == STORY_DOCUMENT_SOURCE:
        return ""
    return f"source:{story.source.casefold()}"


def article_url(story: Story) -> str:
    """The story's canonical URL when it can name one article: not a site's front page
    (path "/") nor the feed itself, which some feeds give as every item's link."""
    url = canonical_url(story.url)
    if not url or url.endswith("/") or (story.feed and url == canonical_url(story.feed)):
        return ""
    return url


@dataclass(slots=True)
class _Group:
    feeds: set[str] = field(default_factory=set)
    members: list[int] = field(default_factory=list)
    total: dict[str, float] = field(default_factory=dict)  # the sum of the members' vectors
    # Members with a vector: the mean likeness is over these (an old member whose terms the
    # groups file let go, see store.groupstate.TERMS_HORIZON, has none and says nothing).
    weighed: int = 0
    names: set[str] = field(default_factory=set)  # every term of the names its members' texts use
    start: float = math.inf
    end: float = -math.inf

    def admits(self, item: Item) -> bool:
        if item.feed and item.feed in self.feeds:
            return False
        return max(self.end, item.time) - min(self.start, item.time) <= WINDOW_SECONDS

    def take(self, item: Item) -> None:
        if item.feed:
            self.feeds.add(item.feed)
        for name in item.names:
            self.names.update(name)
        self.start = min(self.start, item.time)
        self.end = max(self.end, item.time)


Vector = dict[str, float]


class Grouper:
    """Assigns stories to groups, given the stories around them and the term statistics.

    Feed it the recent stories already grouped (``know``), count the new ones'
    terms (``count_terms``), then ``assign`` each new story, oldest first.
    """

    def __init__(self, document_frequency: Mapping[str, int], documents: int) -> None:
        self.df: dict[str, int] = dict(document_frequency)
        self.documents = documents
        self._vectors: list[Vector] = []
        self._items: list[Item] = []
        self._groups: dict[str, _Group] = {}
        self._postings: dict[tuple[str, int], set[str]] = {}
        self.url_groups: dict[str, str] = {}
        self._idf_cache: dict[str, float] = {}

    # -------------------------------------------------------------- statistics

    def count_terms(self, items: Iterable[Item]) -> None:
        """Add stories to the document frequencies (before assigning them)."""
        self._idf_cache.clear()
        for item in items:
            self.documents += 1
            for term in item.terms:
                self.df[term] = self.df.get(term, 0) + 1

    def _idf(self, term: str) -> float:
        known = self._idf_cache.get(term)
        if known is None:
            documents = self.documents + BACKGROUND_DOCUMENTS
            # Bounded by the documents: the stored frequencies of a pruned store can run a little
            # high (see store.groupstate.Groups._let_go), and the weight must not turn around.
            frequency = min(self.df.get(term, 0), documents)
            known = (math.log((documents + 1) / (frequency + 1)) + 1.0) ** IDF_POWER
            self._idf_cache[term] = known
        return known

    def vector(self, terms: Mapping[str, int]) -> Vector:
        weights = {term: (1.0 + math.log(count)) * self._idf(term) for term, count in terms.items() if count > 0}
        norm = math.sqrt(sum(value * value for value in weights.values()))
        return {term: value / norm for term, value in weights.items()} if norm else {}

    # -------------------------------------------------------------- state

    def know(self, item: Item, group_id: str) -> None:
        """A story already grouped: it can be matched, and its group can grow."""
        vector = self.vector(item.terms)
        self._register(item, vector, _signature(vector), group_id)

    def also_member(self, group_id: str, feed: str, time: float) -> None:
        """A member of a known group that is too far in time to be matched: it still
        counts for the group's span and feeds."""
        group = self._groups.get(group_id)
        if group is not None:
            group.take(Item("", feed, "", time, {}))

    def _register(self, item: Item, vector: Vector, signature: list[str], group_id: str) -> None:
        index = len(self._items)
        self._items.append(item)
        self._vectors.append(vector)
        group = self._groups.setdefault(group_id, _Group())
        group.take(item)
        group.members.append(index)
        if vector:
            group.weighed += 1
        total = group.total
        for term, value in vector.items():
            total[term] = total.get(term, 0.0) + value
        bucket = int(item.time // WINDOW_SECONDS)
        for term in signature:
            self._postings.setdefault((term, bucket), set()).add(group_id)
        if item.url:
            self.url_groups.setdefault(item.url, group_id)

    # -------------------------------------------------------------- assigning

    def assign(self, item: Item) -> str:
        """The group the new story joins (its own id for a new group); it is then known."""
        vector = self.vector(item.terms)
        signature = _signature(vector)
        group_id = self.url_groups.get(item.url) if item.url else None
        if group_id is not None and not self._same_article(vector, group_id):
            group_id = None
        if group_id is None:
            group_id = self._best_group(item, vector, signature) or item.id
        self._register(item, vector, signature, group_id)
        return group_id

    def kept_terms(self, item: Item) -> dict[str, int]:
        """The ``MAX_TERMS`` heaviest terms of a story assigned last: what is kept on disk."""
        if len(item.terms) <= MAX_TERMS:
            return item.terms
        vector = self._vectors[-1] if self._items and self._items[-1] is item else self.vector(item.terms)
        return {term: item.terms[term] for term in _heaviest(vector, MAX_TERMS)}

    def _shares_names(self, item: Item, group: _Group) -> bool:
        """The story writes at least ``SHARED_NAMES`` names with a rare word the group's texts use too."""
        limit = RARE_NAME_SHARE * (self.documents + BACKGROUND_DOCUMENTS)
        shared = 0
        for name in item.names:
            if any(term in group.names and self.df.get(term, 0) <= limit for term in name):
                shared += 1
                if shared >= SHARED_NAMES:
                    return True
        return False

    def _same_article(self, vector: Vector, group_id: str) -> bool:
        """A URL match, unless the texts have next to nothing in common: a feed that
        links every item to one listing page ("/news") must not make them one story."""
        group = self._groups.get(group_id)
        if group is None or not group.weighed or not vector:
            return True  # nothing to compare with (members past the terms horizon): the URL decides
        return dot(vector, group.total) / group.weighed >= URL_MIN_LIKENESS

    def _best_group(self, item: Item, vector: Vector, signature: list[str]) -> str | None:
        # Index buckets are a window wide: the window around the story lies in three of them.
        # The index holds group ids, each once: a group's score is the weight of the
        # story's terms it shares, however many members it has.
        middle = int(item.time // WINDOW_SECONDS)
        shared: dict[str, float] = {}
        for term in signature:
            weight = vector[term]
            for bucket in (middle - 1, middle, middle + 1):
                posting = self._postings.get((term, bucket))
                if posting and len(posting) <= MAX_POSTING:
                    for group_id in posting:
                        shared[group_id] = shared.get(group_id, 0.0) + weight
        best: tuple[float, str] | None = None
        for group_id in heapq.nlargest(MAX_CANDIDATES, shared, key=shared.__getitem__):
            group = self._groups[group_id]
            if not group.admits(item):
                continue
            # Average link: alike to the group as a whole, not to one member only, so a
            # chain of stories each like the next cannot pull unrelated ones together.
            # The mean of the cosines to the members is the dot product with their sum.
            likeness = dot(vector, group.total) / max(group.weighed, 1)
            # Coverage of one event comes within hours; the further apart, the more alike it must be.
            apart = max(abs(item.time - group.start), abs(item.time - group.end))
            likeness -= TIME_PENALTY * apart / WINDOW_SECONDS
            if likeness < THRESHOLD and not (likeness >= NAMES_THRESHOLD and self._shares_names(item, group)):
                continue
            if best is None or likeness > best[0]:
                best = (likeness, group_id)
        return best[1] if best else None


def _heaviest(vector: Vector, count: int) -> list[str]:
    if len(vector) <= count:
        return list(vector)
    ranked = sorted(vector.items(), key=_by_weight)
    return [term for term, _ in ranked[:count]]


def _by_weight(entry: tuple[str, float]) -> tuple[float, str]:
    return (-entry[1], entry[0])


def _signature(vector: Vector) -> list[str]:
    """The story's heaviest terms: what it is indexed under and looked up by."""
    return _heaviest(vector, SIGNATURE_SIZE)


def dot(one: Vector, other: Vector) -> float:
    """The sum over the terms both share (found by a set intersection, in C); for two
    unit vectors, their cosine."""
    return sum([one[term] * other[term] for term in one.keys() & other.keys()])


def group_stories(stories: Iterable[Story]) -> dict[str, str]:
    """Story id -> group id for these stories alone, grouped from scratch (no store needed)."""
    items = sorted((Item.of(story) for story in stories), key=lambda item: (item.time, item.id))
    grouper = Grouper({}, 0)
    grouper.count_terms(items)
    return {item.id: grouper.assign(item) for item in items}

