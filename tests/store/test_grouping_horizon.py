"""The groups file lets go of old members' terms (store.groupstate.TERMS_HORIZON) and stays small."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import apsw
import pytest

from store import Store, Story
from store import groupstate
from store.grouping import Grouper
from store.groupstate import FILE_NAME, TERMS_HORIZON, Groups
from tests.conftest import make_story
from tests.store.test_grouping import SPACE, UNRELATED, report

HORIZON_DAYS = TERMS_HORIZON / 86_400
# The horizon is reckoned from the newest member, but members dated far after the clock do not
# count (see groupstate.FUTURE_SLACK): so these stories are dated from the clock, not from conftest's.
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def at(days_ago: float, number: int, fields: tuple[str, str, str, str], **overrides: object) -> Story:
    published = NOW - timedelta(days=days_ago, hours=number)
    return report(number, *fields, published=published, fetched=published + timedelta(minutes=30), **overrides)


def stored(home: Path) -> dict[str, tuple[bytes, str]]:
    connection = apsw.Connection(str(home / FILE_NAME))
    try:
        return {story_id: (bytes(terms), names) for story_id, terms, names in connection.execute("SELECT id, terms, names FROM members")}
    finally:
        connection.close()


def documents_of(home: Path, term: str) -> int:
    connection = apsw.Connection(str(home / FILE_NAME))
    try:
        row = connection.execute("SELECT documents FROM terms WHERE term = ?", (term,)).fetchone()
        return int(row[0]) if row else 0
    finally:
        connection.close()


def test_members_past_the_horizon_let_go_of_their_terms_and_keep_their_groups(store: Store, home: Path) -> None:
    old = [at(HORIZON_DAYS + 10, number, fields) for number, fields in enumerate(SPACE, start=1)]
    new = [at(0, number, fields) for number, fields in enumerate(UNRELATED, start=10)]
    store.put_stories(old + new)
    with Groups(home) as groups:
        groups.sync(store)
        # Grouped together first (the terms were there for that), let go of after.
        assert len({groups.group_of(story.id) for story in old}) == 1
        rows = stored(home)
        for story in old:
            assert rows[story.id] == (b"", "")
        for story in new:
            assert rows[story.id][0] not in (b"", b"{}")
        # The word counts still count the old stories: the weights stay those of the whole store.
        assert documents_of(home, "bakanov") == 3
        assert groups.sync(store).added == 0


def test_a_late_report_inside_the_horizon_still_groups_by_its_text(store: Store, home: Path) -> None:
    days_ago = HORIZON_DAYS - 1
    first, second, late = (at(days_ago, number, fields) for number, fields in enumerate(SPACE, start=1))
    newest = at(0, 10, UNRELATED[0])
    store.put_stories([first, second, newest])
    with Groups(home) as groups:
        groups.sync(store)
        group_id = groups.group_of(first.id)
        assert groups.group_of(second.id) == group_id
        assert all(stored(home)[story.id][0] for story in (first, second))
        store.put_stories([late])  # fetched now, published a day short of the horizon
        assert groups.sync(store).added == 1
        assert groups.group_of(late.id) == group_id


def test_a_late_story_past_the_horizon_joins_its_group_by_canonical_url(store: Store, home: Path) -> None:
    days_ago = HORIZON_DAYS + 5
    first = at(days_ago, 1, SPACE[0], url="https://news.example/space/bakanov-visit?utm_source=rss")
    newest = at(0, 10, UNRELATED[0])
    store.put_stories([first, newest])
    with Groups(home) as groups:
        groups.sync(store)
        assert stored(home)[first.id] == (b"", "")
        # The same article, in another feed, fetched late: its terms have nothing to meet.
        late = at(
            days_ago,
            2,
            ("https://other.example/feed", "Other", "Space chief's visit", "A short item."),
            url="https://www.news.example/space/bakanov-visit#comments",
        )
        store.put_stories([late])
        assert groups.sync(store).added == 1
        assert groups.group_of(late.id) == groups.group_of(first.id) == first.id
        assert stored(home)[late.id] == (b"", "")  # past the horizon: compared once, not kept


def distinct_story(number: int, days_ago: float) -> Story:
    """A story whose words no other story uses: each keeps its full share of terms."""
    words = " ".join(f"w{number}x{index}" for index in range(120))
    return make_story(
        number,
        title=f"Title t{number}a t{number}b t{number}c",
        body=words,
        highlights=[],
        feed=f"https://feed{number}.example/rss",
        published=NOW - timedelta(days=days_ago, minutes=number),
        fetched=NOW - timedelta(days=days_ago),
    )


def test_letting_go_gives_the_space_back_to_the_file_system(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(groupstate, "VACUUM_AT_LEAST", 10)
    home.mkdir(parents=True)
    path = home / FILE_NAME
    old = [distinct_story(number, HORIZON_DAYS + 20) for number in range(300)]
    with Groups(home) as groups:
        assert groups.add(old).added == 300
    before = path.stat().st_size
    held = sum(len(terms) for terms, _ in stored(home).values())
    assert held > 300 * 400  # nothing newer yet: all kept
    with Groups(home) as groups:
        groups.add([distinct_story(1_000, 0)])
        assert (home / f"{FILE_NAME}-wal").stat().st_size == 0  # the VACUUM's log given back too
    rows = stored(home)
    assert sum(1 for terms, _ in rows.values() if not terms) == 300
    # The file shrank by (nearly) what the terms took; the word counts (one row per word) stay.
    assert before - path.stat().st_size > 0.8 * held
    assert documents_of(home, "w7x3") == 1


def test_a_few_let_go_wait_for_more_before_the_file_is_rewritten(home: Path) -> None:
    home.mkdir(parents=True)
    with Groups(home) as groups:
        groups.add([distinct_story(number, HORIZON_DAYS + 20) for number in range(30)])
        groups.add([distinct_story(1_000, 0)])
        connection = apsw.Connection(str(home / FILE_NAME))
        settings = dict(connection.execute("SELECT key, value FROM settings"))
        connection.close()
    assert int(settings["let_go"]) == 30  # fewer than VACUUM_AT_LEAST: counted, not yet vacuumed
    assert float(settings["terms_before"]) == pytest.approx(NOW.timestamp() - TERMS_HORIZON, abs=86_400)


def test_word_weights_never_turn_around_when_counts_run_high() -> None:
    grouper = Grouper({"common": 10_000}, 50)
    assert grouper._idf("common") >= 1.0
    assert grouper._idf("rare") > grouper._idf("common")
