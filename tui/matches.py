"""Where a search matched inside one story: computed in workers, painted by the widgets.

Plain data, no widgets.  Spans are character offsets `(start, end)`, found with the
store's own tokenizer (`store.match_spans`), so what is marked is what the index matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from store import Query, QueryError, Story, match_spans, parse_query
from store.query import Term

Spans = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class StoryMatches:
    """The matched spans in each part of a story the reader shows."""

    query: str
    title: Spans = ()
    note: Spans = ()
    body: Spans = ()
    opinions: tuple[Spans, ...] = ()
    highlights: tuple[Spans, ...] = ()

    @property
    def count(self) -> int:
        """Matches in the viewer (title, note, body, opinions); the highlights pane is apart."""
        return len(self.title) + len(self.note) + len(self.body) + sum(map(len, self.opinions))


def query_terms(query: str | Query) -> list[Term]:
    """The words a query marks in a story (none for a malformed query or a filter-only one)."""
    try:
        parsed = parse_query(query) if isinstance(query, str) else query
    except QueryError:
        return []
    return parsed.highlight_terms()


def spans_in(text: str, terms: list[Term]) -> Spans:
    return tuple(match_spans(text, terms)) if terms and text else ()


def viewer_body(story: Story) -> str:
    """The text the viewer shows as the story's body."""
    return story.full_text or story.body or "(no text)"


def find_story_matches(story: Story, query: str) -> StoryMatches:
    """Every match of `query` in the parts of `story` the reader shows.  Slow for a huge story: use a worker."""
    terms = query_terms(query)
    if not terms:
        return StoryMatches(query)
    return StoryMatches(
        query=query,
        title=spans_in(story.title, terms),
        note=spans_in(story.note, terms),
        body=spans_in(viewer_body(story), terms),
        opinions=tuple(spans_in(text, terms) for text in story.opinions),
        highlights=tuple(spans_in(text, terms) for text in story.highlights),
    )
