"""The fast ranking paths give exactly what a straightforward full ranking gives.

Search ranks the best rows inside FTS5 and reads only the rows it returns, and
counts a query of words inside FTS5 alone.
Each test here compares that with one plain statement that scores every match,
joins every row and sorts by score, then newest first.
"""

from __future__ import annotations

import random

import pytest

import store.search as search
from store import Store, Story
from store.search import WEIGHTS
from tests.conftest import make_story

WORDS = "harbour ferry council budget storm river bridge market school tram".split()


def full_ranking(store: Store, word: str) -> list[tuple[str, float]]:
    """Every match scored, joined and sorted in one statement: what search must agree with."""
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    sql = (
        f"SELECT stories.id, -bm25(search, {weights}) AS score FROM search "
        "JOIN stories ON stories.num = search.rowid WHERE search MATCH ? "
        "ORDER BY score DESC, stories.published DESC"
    )
    return [(row[0], float(row[1])) for row in store._catalog.query(sql, (f'"{word}"',))]


def ranked(store: Store, query: str, limit: int) -> list[tuple[str, float]]:
    return [(hit.story.id, hit.score) for hit in store.search(query, limit=limit)]


def varied_stories(count: int, seed: int) -> list[Story]:
    """Stories where "harbour" turns up in titles, highlights and bodies of every length,
    so scores spread widely, with groups of identical stories (equal scores) among them."""
    chooser = random.Random(seed)
    stories: list[Story] = []
    for number in range(count):
        if number % 7 == 0:  # a run of identical stories: equal scores, told apart by date only
            title, body, highlights = "Harbour news", "The harbour again.", ["A harbour point."]
        else:
            title = " ".join(chooser.choices(WORDS, k=chooser.randint(2, 6))).capitalize()
            body = " ".join(chooser.choices(WORDS + ["the", "a", "of"] * 3, k=chooser.randint(3, 400)))
            highlights = [" ".join(chooser.choices(WORDS, k=5)) for _ in range(chooser.randint(0, 3))]
        stories.append(make_story(number, title=title, body=body, highlights=highlights))
    return stories


@pytest.fixture
def many(store: Store) -> Store:
    store.put_stories(varied_stories(600, seed=5))
    return store


def test_the_best_rows_are_those_of_a_full_ranking(many: Store) -> None:
    for word in ("harbour", "the", "ferry"):
        everything = full_ranking(many, word)
        assert len(everything) > 100, word  # many matches: the cut falls inside them
        for limit in (1, 7, 50, 120, 500, 1000):
            assert ranked(many, word, limit) == everything[:limit], (word, limit)


def test_prefixes_phrases_and_several_words_rank_as_one_statement_would(many: Store) -> None:
    weights = ", ".join(str(weight) for weight in WEIGHTS)
    for query, match in (("harb*", '"harb" *'), ('"the harbour"', '"the harbour"'), ("harbour ferry", '"harbour" AND "ferry"')):
        sql = (
            f"SELECT stories.id, -bm25(search, {weights}) AS score FROM search "
            "JOIN stories ON stories.num = search.rowid WHERE search MATCH ? "
            "ORDER BY score DESC, stories.published DESC"
        )
        everything = [(row[0], float(row[1])) for row in many._catalog.query(sql, (match,))]
        assert everything, query
        for limit in (3, 40, 300):
            assert ranked(many, query, limit) == everything[:limit], (query, limit)


def test_a_tie_longer_than_the_margin_is_still_newest_first(store: Store) -> None:
    """More equal scores at the cut than the margin ranks past it: the full ranking decides."""
    tied = search.TIE_MARGIN * 3
    store.put_stories([make_story(n, title="Tram depot", body="Same words.") for n in range(tied)])
    store.put_stories([make_story(tied + n, title="Tram tram depot", body="Tram.") for n in range(5)])
    everything = full_ranking(store, "tram")
    for limit in (3, 10, 40):
        assert ranked(store, "tram", limit) == everything[:limit]
    # The five stories with more of the word come first, then the newest of the tie.
    assert [story_id for story_id, _ in ranked(store, "tram", 7)] == (
        [make_story(tied + n).id for n in range(5)] + [make_story(0).id, make_story(1).id]
    )


def test_counts_agree_with_the_results(many: Store) -> None:
    many.set_read([story.id for story in varied_stories(600, seed=5)[::3]], True)
    for query in ("harbour", "the ferry", "harb*", "harbour is:unread", "ferry -harbour", "-harbour", "is:read"):
        assert many.count_matches(query) == len(many.search(query, limit=10_000)), query
