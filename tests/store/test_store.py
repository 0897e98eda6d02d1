"""The store keeps stories, their state and their text, and finds them again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from store import Store, UnknownStoryError
from tests.conftest import FIXED_NOW, make_story


def test_put_and_get_round_trip(store: Store) -> None:
    story = make_story(1, opinions=["An opinion."], note="")
    result = store.put_stories([story])
    assert result.added == [story.id]
    got = store.get(story.id)
    assert got is not None
    assert (got.title, got.source, got.url, got.author) == (story.title, story.source, story.url, story.author)
    assert got.published == story.published and got.published.tzinfo is not None
    assert got.highlights == story.highlights
    assert got.body == story.body
    assert got.opinions == ["An opinion."]
    assert not got.read and not got.bookmarked


def test_summaries_are_newest_first_and_filter(store: Store) -> None:
    store.put_stories([make_story(n) for n in (3, 1, 2)])
    assert [s.title for s in store.summaries()] == ["Story number 1", "Story number 2", "Story number 3"]
    newest = store.summaries(limit=1)[0]
    store.set_read([newest.id], True)
    store.set_bookmarked(newest.id, True)
    assert [s.title for s in store.summaries(unread_only=True)] == ["Story number 2", "Story number 3"]
    assert [s.title for s in store.summaries(bookmarked_only=True)] == ["Story number 1"]
    assert store.count() == 3 and store.count(unread_only=True) == 2


def test_update_keeps_read_and_bookmark(store: Store) -> None:
    story = make_story(1)
    store.put_stories([story])
    store.set_read([story.id], True)
    store.set_bookmarked(story.id, True)
    story.title = "Story number 1, updated"
    story.read = False
    story.bookmarked = False
    result = store.put_stories([story])
    assert result.updated == [story.id]
    got = store.get(story.id)
    assert got is not None and got.title == "Story number 1, updated"
    assert got.read and got.bookmarked


def test_same_story_twice_is_unchanged(store: Store) -> None:
    story = make_story(1)
    store.put_stories([story])
    again = store.put_stories([story])
    assert again.unchanged == [story.id] and not again.added and not again.updated
    assert store.count() == 1


def test_resolve_id_by_prefix(store: Store) -> None:
    story = make_story(1)
    store.put_stories([story])
    assert store.resolve_id(story.id[:6]) == story.id
    assert store.resolve_id(story.id.upper()) == story.id
    with pytest.raises(UnknownStoryError, match="no story"):
        store.resolve_id("ffffffffffff")
    with pytest.raises(UnknownStoryError, match="hex"):
        store.resolve_id("not-an-id")


def test_unknown_id_on_write_is_an_error(store: Store) -> None:
    with pytest.raises(UnknownStoryError):
        store.set_bookmarked("0123456789ab", True)


def test_text_is_sanitized_once_at_ingestion(store: Store) -> None:
    hostile = "[bold]Big[/] \x1b[31mred\x1b]52;c;aGk=\x07 \u202eevil\u200b \x9b2J"
    story = make_story(1, title=hostile, source="Src\x1b[2J", highlights=[hostile], body=hostile)
    store.put_stories([story])
    got = store.get(story.id)
    assert got is not None
    for text in (got.title, got.source, got.body, *got.highlights):
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
        assert "\u202e" not in text and "\u200b" not in text
    assert got.title.startswith("[bold]Big[/] red")


def test_one_change_rewrites_one_small_file(store: Store) -> None:
    """Stories are split by month: a change to a new story leaves old months' files alone."""
    old = [make_story(n, published=FIXED_NOW - timedelta(days=200 + n)) for n in range(50)]
    new = make_story(1000, published=FIXED_NOW)
    store.put_stories(old + [new])
    files = sorted((store.home / "stories").glob("*.json"))
    assert len(files) > 3
    before = {path: path.stat().st_mtime_ns for path in files}
    store.set_bookmarked(new.id, True)
    touched = [path for path in files if path.stat().st_mtime_ns != before[path]]
    assert len(touched) == 1


def test_catalog_is_rebuilt_when_deleted(home) -> None:  # type: ignore[no-untyped-def]
    with Store(home) as store:
        stories = [make_story(n) for n in range(30)]
        store.put_stories(stories)
        store.set_bookmarked(stories[3].id, True)
    (home / "catalog.sqlite3").unlink()
    with Store(home) as store:
        assert store.count() == 30
        assert [s.id for s in store.summaries(bookmarked_only=True)] == [stories[3].id]


def test_feed_counts_and_removal_keep_bookmarks(store: Store) -> None:
    feed = "https://news.example/feed.xml"
    stories = [make_story(n, feed=feed) for n in range(6)] + [make_story(99)]
    store.put_stories(stories)
    store.set_read([stories[0].id, stories[1].id], True)
    store.set_bookmarked(stories[2].id, True)
    assert store.feed_counts() == {feed: (6, 4)}
    assert store.remove_feed_stories(feed) == 5
    assert {s.id for s in store.summaries()} == {stories[2].id, stories[6].id}
    kept = store.get(stories[2].id)
    assert kept is not None and kept.body == stories[2].body and kept.highlights == stories[2].highlights


def test_changes_since_names_what_changed(home) -> None:  # type: ignore[no-untyped-def]
    with Store(home) as store, Store(home) as other:
        first = store.changes_since(None)
        assert first.story_ids is None  # first look: read everything
        stories = [make_story(n) for n in range(4)]
        other.put_stories(stories[:2])
        later = store.changes_since(first.token)
        assert set(later.story_ids or []) == {stories[0].id, stories[1].id}
        other.set_bookmarked(stories[1].id, True)
        other.put_stories([stories[1]])  # unchanged: nothing to report
        again = store.changes_since(later.token)
        assert again.story_ids == [stories[1].id]
        assert [s.bookmarked for s in store.summaries_for(again.story_ids)] == [True]
        assert store.changes_since(again.token).story_ids == []
        other.reindex()
        assert store.changes_since(again.token).story_ids is None  # rebuilt: read everything


def test_summaries_for_skips_missing_and_orders_newest_first(store: Store) -> None:
    store.put_stories([make_story(n) for n in range(3)])
    rows = store.summaries_for([make_story(2).id, "0123456789ab", make_story(0).id])
    assert [row.id for row in rows] == [make_story(0).id, make_story(2).id]
