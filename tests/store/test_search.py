"""Search: a real FTS5 index, ranked, with every operator of the query language."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import QueryError, Store, parse_query
from tests.conftest import FIXED_NOW, make_story


def titles(store: Store, query: str, **options: object) -> list[str]:
    return [hit.story.title for hit in store.search(query, **options)]  # type: ignore[arg-type]


@pytest.fixture
def news(store: Store) -> Store:
    store.put_stories(
        [
            make_story(1, title="Rocket launch delayed by weather", body="The launch was called off.", source="Space Daily"),
            make_story(2, title="Council budget", body="A passing mention: the rocket club asked for money.", source="City Hall"),
            make_story(3, title="Café opens on Mill Road", body="Coffee and cake. Launched last week.", author="Ana Pérez"),
            make_story(4, title="International Space Station crew", body="Docking at the space station went well."),
            make_story(5, title="Weather warning", body="Storms expected; launches of paper boats discouraged.", source="Met Office"),
        ]
    )
    return store


def test_title_match_outranks_a_passing_mention(news: Store) -> None:
    assert titles(news, "rocket")[:2] == ["Rocket launch delayed by weather", "Council budget"]


def test_words_all_must_match_stemmed_and_accent_blind(news: Store) -> None:
    assert set(titles(news, "launch weather")) == {"Rocket launch delayed by weather", "Weather warning"}
    assert "Café opens on Mill Road" in titles(news, "launched")
    assert titles(news, "cafe") == ["Café opens on Mill Road"]
    assert titles(news, "PEREZ") == ["Café opens on Mill Road"]


def test_phrase_prefix_exclude_or(news: Store) -> None:
    assert titles(news, '"space station"') == ["International Space Station crew"]
    assert titles(news, '"station space"') == []
    assert set(titles(news, "laun*")) == {"Rocket launch delayed by weather", "Café opens on Mill Road", "Weather warning"}
    assert titles(news, "weather -rocket") == ["Weather warning"]
    assert set(titles(news, "cake OR docking")) == {"Café opens on Mill Road", "International Space Station crew"}
    assert len(titles(news, "-weather")) == 3


def test_field_filters(news: Store) -> None:
    assert set(titles(news, "title:weather")) == {"Rocket launch delayed by weather", "Weather warning"}
    assert titles(news, "source:met") == ["Weather warning"]
    assert titles(news, 'source:"space daily"') == ["Rocket launch delayed by weather"]
    assert titles(news, "author:perez") == ["Café opens on Mill Road"]


def test_state_and_date_filters(news: Store) -> None:
    first, second = make_story(1).id, make_story(2).id
    news.set_read([first], True)
    news.set_bookmarked(second, True)
    assert "Rocket launch delayed by weather" not in titles(news, "is:unread")
    assert titles(news, "rocket is:read") == ["Rocket launch delayed by weather"]
    assert titles(news, "is:bookmarked") == ["Council budget"]
    day = (FIXED_NOW - timedelta(hours=3)).astimezone().date()
    cutoff = datetime.combine(day, datetime.min.time()).astimezone()
    expected_after = {s.title for s in news.summaries() if s.published >= cutoff}
    assert set(titles(news, f"after:{day.isoformat()}")) == expected_after
    assert set(titles(news, f"before:{day.isoformat()}")) == {s.title for s in news.summaries()} - expected_after


def test_equal_scores_are_newest_first_whatever_the_limit(store: Store) -> None:
    """Many stories with the same score: the newest win, not an arbitrary few."""
    store.put_stories([make_story(n, title="Bulk story about bridges", body="Same words.") for n in range(60)])
    everything = [hit.story.id for hit in store.search("bridges", limit=100)]
    assert everything == [make_story(n).id for n in range(60)]  # make_story(0) is the newest
    for limit in (1, 5, 20):
        assert [hit.story.id for hit in store.search("bridges", limit=limit)] == everything[:limit]


def test_snippets_stay_short_whatever_the_words(store: Store) -> None:
    story = make_story(1, highlights=["bold " + "x" * 10_000 + " end"], body="y" * 20_000)
    store.put_stories([story])
    snippet = store.snippet(story.id, "bold", story.highlights)
    assert len(snippet.text) <= 250 and [snippet.text[a:b] for a, b in snippet.spans] == ["bold"]


def test_sort_by_date_is_newest_first(news: Store) -> None:
    assert titles(news, "laun*", sort="date") == [
        "Rocket launch delayed by weather",
        "Café opens on Mill Road",
        "Weather warning",
    ]


def test_snippet_marks_the_matched_words(news: Store) -> None:
    hit = news.search("docking")[0]
    snippet = news.snippet(hit.story.id, "docking")
    assert "Docking at the space station" in snippet.text
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["Docking"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "not closed"),
        ("OR rocket", "OR needs a word"),
        ("rocket OR", "OR needs a word"),
        ("is:sleepy", "is: takes"),
        ("before:yesterday", "needs a date"),
        ("", "empty"),
        ("after:", "needs something after it"),
        ("rocket is:", "needs something after it"),
        ("title:", "needs something after it"),
        ("a*", "at least 3 letters"),
        ("   ", "empty"),
    ],
)
def test_malformed_queries_get_plain_words(news: Store, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        news.search(query)


def test_updates_and_removals_reach_the_index(news: Store) -> None:
    story = make_story(3, title="Café closes on Mill Road", body="Sadly, no more cake.")
    news.put_stories([story])
    assert titles(news, "closes") == ["Café closes on Mill Road"]
    assert titles(news, "opens") == []
    feed_story = make_story(9, title="Feed only story about zeppelins", feed="https://f.example/rss")
    news.put_stories([feed_story])
    assert titles(news, "zeppelins") == [feed_story.title]
    news.remove_feed_stories("https://f.example/rss")
    assert titles(news, "zeppelins") == []


def test_index_rebuilds_itself_when_deleted_or_corrupted(home) -> None:  # type: ignore[no-untyped-def]
    with Store(home) as store:
        store.put_stories([make_story(n, title=f"Zebra number {n}") for n in range(20)])
    (home / "catalog.sqlite3").unlink()
    for leftover in home.glob("catalog.sqlite3-*"):
        leftover.unlink()
    with Store(home) as store:
        assert len(store.search("zebra", limit=100)) == 20
    (home / "catalog.sqlite3").write_bytes(b"\x00garbage" * 512)
    for leftover in home.glob("catalog.sqlite3-*"):
        leftover.unlink()
    with Store(home) as store:
        assert len(store.search("zebra", limit=100)) == 20
        assert any("rebuilt" in notice for notice in store.notices)


def test_reindex_rebuilds_the_same_results(news: Store) -> None:
    before = titles(news, "laun*")
    assert news.reindex() == 5
    assert titles(news, "laun*") == before


QUERY_TEXT = st.text(alphabet=st.sampled_from(list('ab "*-:ORistunead()[]^.\\\'é2026-1')), max_size=30)


@settings(max_examples=300, deadline=None)
@given(QUERY_TEXT)
def test_any_text_parses_or_says_why(text: str) -> None:
    try:
        parse_query(text)
    except QueryError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=QUERY_TEXT)
def test_any_parsed_query_runs(news: Store, text: str) -> None:
    # The store is only read here, so sharing it across examples is sound.
    try:
        news.search(text)
    except QueryError:
        pass


def test_chinese_and_japanese_words_are_found_inside_longer_runs(store: Store) -> None:
    story = make_story(1, title="東京の天気は晴れ", body="漢字漢字漢字の練習。北京和上海的新闻。")
    store.put_stories([story, make_story(2)])
    for word in ("東京", "天気", "漢字", "上海", "新闻"):
        assert [hit.story.id for hit in store.search(word)] == [story.id], word
    assert store.search("京東") == []  # characters in order, as a word
    snippet = store.snippet(story.id, "上海")
    assert [snippet.text[a:b] for a, b in snippet.spans] == ["上海"]
