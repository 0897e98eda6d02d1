"""Retention: old stories and stories beyond a feed's limit are pruned; bookmarks never are."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store import Store
from tests.conftest import FIXED_NOW, make_story


def filled_store(home: Path) -> Store:
    store = Store(home)
    stories = []
    for feed_number, feed in enumerate(("https://a.example/feed", "https://b.example/feed")):
        for age in range(10):
            stories.append(
                make_story(
                    100 * feed_number + age,
                    title=f"{feed[8]} story {age} days old",
                    feed=feed,
                    published=FIXED_NOW - timedelta(days=age, hours=1),
                    bookmarked=age == 9 and feed.startswith("https://a"),
                    body=f"Body of the story {age} days old from {feed}.",
                )
            )
    store.put_stories(stories)
    return store


def titles(store: Store) -> set[str]:
    return {summary.title for summary in store.summaries()}


def test_no_policy_prunes_nothing(home: Path) -> None:
    with filled_store(home) as store:
        assert store.prune(now=FIXED_NOW) == 0
        assert store.count() == 20


def test_old_stories_go_but_bookmarks_stay(home: Path) -> None:
    with filled_store(home) as store:
        removed = store.prune(keep_days=5, now=FIXED_NOW)
        assert removed == 9  # ages 5..9 from two feeds, less the bookmarked one
        left = titles(store)
        assert "a story 9 days old" in left  # bookmarked
        assert "b story 9 days old" not in left and "b story 5 days old" not in left
        assert "b story 4 days old" in left
        assert store.search("Body") and all("5 days" not in hit.story.title for hit in store.search("Body", limit=100))
    with Store(home) as reopened:  # what was pruned is gone on disk too, and the catalog agrees
        assert reopened.count() == 11
        assert titles(reopened) == left


def test_at_most_n_per_feed_keeps_the_newest(home: Path) -> None:
    with filled_store(home) as store:
        removed = store.prune(max_per_feed=3, now=FIXED_NOW)
        assert removed == 13  # 7 from b, 6 from a (its bookmarked story does not count)
        left = titles(store)
        assert left == {
            "a story 0 days old", "a story 1 days old", "a story 2 days old", "a story 9 days old",
            "b story 0 days old", "b story 1 days old", "b story 2 days old",
        }


def test_pruning_is_told_in_the_change_log(home: Path) -> None:
    with filled_store(home) as store:
        token = store.changes_since(None).token
        store.prune(keep_days=8, now=FIXED_NOW)
        changed = store.changes_since(token).story_ids
        assert changed is not None and len(changed) == 3


def test_cli_prune_uses_the_settings_and_keeps_bookmarks(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime, timezone

    from tui.cli import main

    home = tmp_path / "home"
    now = datetime.now(timezone.utc)
    with Store(home) as store:
        store.put_stories(
            [make_story(n, published=now - timedelta(days=n), bookmarked=n == 9) for n in range(10)]
        )
    settings = tmp_path / "config.toml"
    settings.write_text("[retention]\nkeep_days = 4\n", encoding="utf-8")

    assert main(["--home", str(home), "--config", str(settings), "prune"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "Pruned 5 stories (older than 4 days; bookmarks kept)." and err == ""
    with Store(home) as store:
        assert sorted(s.title for s in store.summaries()) == sorted(
            [f"Story number {n}" for n in range(4)] + ["Story number 9"]
        )

    assert main(["--home", str(home), "prune", "--days", "-3"]) == 2
    assert capsys.readouterr().err.strip() == "broadsheet: --days and --per-feed must be 0 or more"
    assert main(["--home", str(home), "--config", str(tmp_path / "none.toml"), "prune"]) == 0
    assert "nothing pruned" in capsys.readouterr().out
