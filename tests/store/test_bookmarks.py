"""Bookmarks are an archive: notes, exports, and state that outlives feeds and re-imports."""

from __future__ import annotations

import html
import json

import pytest

from store import Store, StoreError
from store.export import bookmarks_html, bookmarks_json, bookmarks_markdown
from store.storydoc import format_story_document, parse_story_document
from tests.conftest import make_story


@pytest.fixture
def archive(store: Store) -> Store:
    stories = [
        make_story(1, title="Bridge reopens [after] *repairs*", url="https://news.example/bridge"),
        make_story(2, title="<script>alert(1)</script> Budget", url="javascript:alert(1)"),
        make_story(3, title="Not kept"),
    ]
    store.put_stories(stories)
    store.set_bookmarked(stories[0].id, True)
    store.set_bookmarked(stories[1].id, True)
    store.update_story(stories[0].id, note="Check the detour map.\nSecond line.")
    return store


def test_notes_are_kept_and_searchable(archive: Store) -> None:
    story_id = make_story(1).id
    assert archive.get(story_id).note == "Check the detour map.\nSecond line."  # type: ignore[union-attr]
    assert [hit.story.id for hit in archive.search("detour")] == [story_id]
    archive.update_story(story_id, note="")
    assert archive.search("detour") == []


def test_bookmarked_stories_are_the_archive(archive: Store) -> None:
    assert [story.title for story in archive.bookmarked_stories()] == [
        "Bridge reopens [after] *repairs*",
        "<script>alert(1)</script> Budget",
    ]


def test_markdown_archive(archive: Store) -> None:
    text = bookmarks_markdown(archive.bookmarked_stories())
    assert "## Bridge reopens \\[after\\] \\*repairs\\*" in text
    assert "<https://news.example/bridge>" in text
    assert "- First point of story 1." in text
    assert "> **Note:** Check the detour map.\n> Second line." in text
    assert "javascript:" not in text


def test_json_archive(archive: Store) -> None:
    entries = json.loads(bookmarks_json(archive.bookmarked_stories()))
    assert [entry["title"] for entry in entries] == ["Bridge reopens [after] *repairs*", "<script>alert(1)</script> Budget"]
    assert entries[0]["note"].startswith("Check the detour map.")
    assert entries[0]["highlights"] == ["First point of story 1.", "Second point of story 1."]
    assert entries[1]["url"] is None  # not a web link: never exported as one
    assert {"title", "source", "published", "url", "highlights", "note"} <= entries[0].keys()


def test_html_archive_escapes_everything(archive: Store) -> None:
    page = bookmarks_html(archive.bookmarked_stories())
    assert "<script>" not in page
    assert html.escape("<script>alert(1)</script> Budget") in page
    assert 'href="https://news.example/bridge"' in page
    assert "javascript:" not in page
    assert "Check the detour map." in page


def test_bookmark_and_read_state_survive_reimport(archive: Store) -> None:
    story = make_story(1, title="Bridge reopens, with a correction")
    archive.set_read([story.id], True)
    archive.put_stories([story])
    got = archive.get(story.id)
    assert got is not None and got.bookmarked and got.read and got.note.startswith("Check")


def test_story_document_round_trip(archive: Store) -> None:
    story = archive.get(make_story(1).id)
    assert story is not None
    again = parse_story_document(format_story_document(story))
    assert (again.title, again.highlights, again.body) == (story.title, story.highlights, story.body)


def test_mark_all_read_can_be_undone_exactly(store: Store) -> None:
    stories = [make_story(n) for n in range(6)]
    store.put_stories(stories)
    store.set_read([stories[0].id], True)
    changed = store.set_read([s.id for s in stories], True)
    assert set(changed) == {s.id for s in stories[1:]}
    store.set_read(changed, False)  # the undo
    assert [s.read for s in store.summaries()] == [True, False, False, False, False, False]


def test_saved_searches(store: Store) -> None:
    store.put_stories([make_story(n, title=f"Tram news {n}") for n in range(3)] + [make_story(9)])
    store.save_search("Trams", "tram")
    assert [saved.name for saved in store.saved_searches()] == ["Trams"]
    assert store.count_matches("tram is:unread") == 3
    store.set_read([make_story(0).id], True)
    assert store.count_matches("tram is:unread") == 2
    assert store.matching_ids("tram", [make_story(1).id, make_story(9).id]) == [make_story(1).id]
    store.save_search("trams", "tram -news")  # same name, any case: replaced
    assert [(s.name, s.query) for s in store.saved_searches()] == [("trams", "tram -news")]
    assert store.delete_search("TRAMS") and store.saved_searches() == []
    with pytest.raises(Exception, match="not closed"):
        store.save_search("Broken", '"tram')
    with pytest.raises(StoreError, match="needs a name"):
        store.save_search("  ", "tram")
