"""Grouping coverage of one event: by URL, by similar text, within days, across feeds, incrementally."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from store import Store, Story
from store.canonical import canonical_url
from store.coverage import (
    choose_lead,
    coverage,
    group_highlights,
    group_rows,
    group_story,
    is_opinion,
    set_group_read,
)
from store.grouping import group_stories
from store.groupstate import FILE_NAME, Groups
from tests.conftest import FIXED_NOW, make_story

SPACE = [
    (
        "https://wire.example/feed",
        "Wire Service",
        "Russia and US renew space cooperation talks as Roscosmos chief Bakanov visits NASA",
        "Dmitry Bakanov, director of Roscosmos, visited the United States for talks with NASA's acting "
        "administrator Sean Duffy about the International Space Station. It is the first such visit by a "
        "Russian space chief in more than seven years. Bakanov said the talks in Houston were constructive.",
    ),
    (
        "https://globe.example/rss",
        "The Globe",
        "Roscosmos head Bakanov meets Duffy in Houston, space station on the agenda",
        "Russia's space agency director Dmitry Bakanov met Sean Duffy of NASA in Houston on Thursday. The two "
        "discussed the future of the International Space Station and lunar research. Duffy said cooperation "
        "with Roscosmos would continue despite tensions.",
    ),
    (
        "https://daily.example/world.xml",
        "Daily Courier",
        "Bakanov in Houston: Russian space chief holds first US talks in seven years",
        "The head of Roscosmos, Dmitry Bakanov, held talks with NASA's Sean Duffy in Houston. Both sides "
        "agreed to keep operating the International Space Station together. The visit was the first by a "
        "Russian space chief in seven years.",
    ),
]
UNRELATED = [
    (
        "https://globe.example/rss",
        "The Globe",
        "NASA delays Artemis moon rocket launch after fuel leak found in Florida",
        "NASA postponed the launch of its Artemis moon rocket from Cape Canaveral after engineers found a "
        "hydrogen leak. The agency said a new launch date would be set next week. Astronauts are not on board.",
    ),
    (
        "https://wire.example/feed",
        "Wire Service",
        "Houston council approves new budget for city parks and libraries",
        "The Houston city council approved a budget that raises spending on parks and libraries. Mayor John "
        "Whitmire said the plan would be paid for without new taxes. The vote was eleven to six.",
    ),
]


def report(number: int, feed: str, source: str, title: str, body: str, **overrides: object) -> Story:
    fields: dict[str, object] = dict(
        title=title, body=body, feed=feed, source=source, highlights=[], published=FIXED_NOW - timedelta(hours=number)
    )
    fields.update(overrides)
    return make_story(number, **fields)


def space_reports() -> list[Story]:
    return [report(number, *fields) for number, fields in enumerate(SPACE, start=1)]


def unrelated_reports() -> list[Story]:
    return [report(number, *fields) for number, fields in enumerate(UNRELATED, start=10)]


def synced(store: Store, home: Path) -> Groups:
    groups = Groups(home)
    groups.sync(store)
    return groups


# ------------------------------------------------------------------ URLs


def test_canonical_url_strips_what_does_not_name_the_article() -> None:
    same = [
        "https://www.Example.com/world/story-1",
        "http://example.com:80/world/story-1/?utm_source=rss&utm_medium=feed",
        "https://EXAMPLE.com:443/world/story-1#comments",
        "https://example.com/world/story-1?fbclid=abc&gclid=1&mc_cid=2&ref=twitter",
        "https://amp.example.com/world/story-1/amp/",
        "https://m.example.com/world/story-1?amp=1",
    ]
    assert {canonical_url(url) for url in same} == {"example.com/world/story-1"}
    # What may name another article stays: other parameters, the path's case, a port.
    assert canonical_url("https://example.com/story.php?sid=1") != canonical_url("https://example.com/story.php?sid=2")
    assert canonical_url("https://example.com/a?b=2&a=1") == canonical_url("https://example.com/a?a=1&b=2")
    assert canonical_url("https://example.com/News") != canonical_url("https://example.com/news")
    assert canonical_url("https://example.com:8080/a") != canonical_url("https://example.com/a")
    assert canonical_url("") == canonical_url("mailto:someone@example.com") == canonical_url("https://[bad") == ""


def test_same_url_groups_stories_from_any_feed_and_date(store: Store, home: Path) -> None:
    first = report(
        1,
        "https://a.example/feed",
        "A",
        "Harbour reopens to ships after storm repairs",
        "The harbour reopened on Monday after repairs to the storm wall.",
        url="https://news.example/harbour?utm_source=a",
    )
    # The same article a week earlier, in the same feed, under another headline: a URL match is one story.
    second = report(
        200,
        "https://a.example/feed",
        "A",
        "Harbour closed for storm repairs",
        "The harbour will close for repairs to its storm wall.",
        url="https://www.news.example/harbour/#top",
    )
    store.put_stories([first, second])
    with synced(store, home) as groups:
        assert groups.group_of(first.id) == groups.group_of(second.id) == second.id  # the older story founded it


def test_a_link_shared_by_unrelated_stories_does_not_group_them(store: Store, home: Path) -> None:
    """Some feeds give every item the same link (the front page, a listing page)."""
    space, other = space_reports()[0], unrelated_reports()[1]
    listing = [
        report(1, space.feed, space.source, space.title, space.body, url="https://wire.example/news?utm_source=rss"),
        report(2, other.feed, other.source, other.title, other.body, url="https://wire.example/news"),
        report(3, "https://b.example/feed", "B", "Storm closes ports", "Ports shut as a storm hit the coast.", url="https://wire.example/"),
        report(4, "https://c.example/feed", "C", "Tennis final postponed", "Rain stopped play at the final.", url="https://wire.example"),
    ]
    store.put_stories(listing)
    with synced(store, home) as groups:
        assert len(set(groups.groups_of([story.id for story in listing]).values())) == 4


# ------------------------------------------------------------------ text


def test_similar_reports_from_different_feeds_group_and_unrelated_ones_do_not(store: Store, home: Path) -> None:
    space, other = space_reports(), unrelated_reports()
    store.put_stories([*space, *other])
    with synced(store, home) as groups:
        found = groups.groups_of([story.id for story in [*space, *other]])
    assert len({found[story.id] for story in space}) == 1
    assert found[space[0].id] == space[-1].id  # the group's id is its first story's
    for story in other:
        assert found[story.id] == story.id  # alone: its own group
    # The in-memory path agrees with the persisted one.
    assert group_stories([*space, *other]) == found


QUAKES = [
    (
        "https://wire.example/feed",
        "Wire Service",
        "Magnitude 6.8 earthquake strikes off Japan's Hokkaido, tsunami advisory issued",
        "A magnitude 6.8 earthquake struck off the coast of Hokkaido in northern Japan on Tuesday, the Japan "
        "Meteorological Agency said, issuing a tsunami advisory for the Pacific coast. There were no immediate "
        "reports of damage at the Tomari nuclear plant.",
    ),
    (
        "https://globe.example/rss",
        "The Globe",
        "Strong quake shakes Hokkaido; Japan warns of possible tsunami",
        "Japan's meteorological agency warned of waves of up to one metre after a strong earthquake shook "
        "Hokkaido. Hokkaido Electric Power said the Tomari plant was safe. Trains in Sapporo were halted.",
    ),
    (
        "https://daily.example/world.xml",
        "Daily Courier",
        "Magnitude 6.5 earthquake hits northern Chile near Antofagasta",
        "A magnitude 6.5 earthquake hit northern Chile near the city of Antofagasta on Tuesday, the national "
        "seismology centre said. Chile's disaster agency Senapred reported no damage and ruled out a tsunami.",
    ),
    (
        "https://post.example/feed",
        "Evening Post",
        "Chile earthquake: strong tremor felt in Antofagasta, no tsunami threat",
        "Residents of Antofagasta ran into the streets as a strong earthquake shook northern Chile. Senapred, "
        "Chile's disaster agency, said there was no tsunami threat to the coast and no damage was reported.",
    ),
]


def test_two_events_of_one_kind_on_one_day_stay_apart(store: Store, home: Path) -> None:
    quakes = [report(number, *fields) for number, fields in enumerate(QUAKES, start=1)]
    store.put_stories(quakes)
    with synced(store, home) as groups:
        found = groups.groups_of([story.id for story in quakes])
    japan, chile = quakes[:2], quakes[2:]
    assert found[japan[0].id] == found[japan[1].id]
    assert found[chile[0].id] == found[chile[1].id]
    assert found[japan[0].id] != found[chile[0].id]


def test_no_group_across_more_than_a_few_days(store: Store, home: Path) -> None:
    early, late = space_reports()[:2]
    late = report(2, late.feed, late.source, late.title, late.body, published=early.published - timedelta(days=5))
    store.put_stories([early, late])
    with synced(store, home) as groups:
        assert groups.group_of(early.id) != groups.group_of(late.id)


def test_a_group_never_spans_more_than_the_window(store: Store, home: Path) -> None:
    """Each story is within the window of the one before, but the third is not within it of the first."""
    one, two, three = space_reports()
    start = FIXED_NOW - timedelta(days=10)
    spaced = [
        report(1, one.feed, one.source, one.title, one.body, published=start, fetched=start),
        report(2, two.feed, two.source, two.title, two.body, published=start + timedelta(days=2), fetched=start + timedelta(days=2)),
        report(3, three.feed, three.source, three.title, three.body, published=start + timedelta(days=4), fetched=start + timedelta(days=4)),
    ]
    store.put_stories(spaced)
    with synced(store, home) as groups:
        found = groups.groups_of([story.id for story in spaced])
    assert found[spaced[0].id] == found[spaced[1].id] == spaced[0].id
    assert found[spaced[2].id] == spaced[2].id


def test_two_processes_syncing_at_once_group_each_story_once(store: Store, home: Path) -> None:
    import threading

    stories = [*space_reports(), *unrelated_reports()]
    store.put_stories(stories)
    first, second = Groups(home), Groups(home)  # two connections, as two processes have
    try:
        results = []
        workers = [threading.Thread(target=lambda g=g: results.append(g.sync(store))) for g in (first, second)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sum(result.added for result in results) == len(stories)
        assert first.all_groups() == second.all_groups()
        assert len(first.all_groups()) == len(stories)
    finally:
        first.close()
        second.close()


def test_no_two_stories_of_one_feed_in_a_group_unless_their_links_match(store: Store, home: Path) -> None:
    one, two = space_reports()[:2]
    same_feed = report(2, one.feed, one.source, two.title, two.body)
    store.put_stories([one, same_feed])
    with synced(store, home) as groups:
        assert groups.group_of(one.id) != groups.group_of(same_feed.id)
        # A third feed's report joins one of them, never both.
        third = space_reports()[2]
        store.put_stories([third])
        groups.sync(store)
        assert len({groups.group_of(story.id) for story in (one, same_feed, third)}) == 2


# ------------------------------------------------------------------ incremental


def test_a_late_source_joins_the_existing_group(store: Store, home: Path) -> None:
    first, second, late = space_reports()
    store.put_stories([first, second])
    with synced(store, home) as groups:
        group_id = groups.group_of(first.id)
        assert groups.group_of(second.id) == group_id == second.id
        # Fetched later, though published before both: it joins, and the group keeps its id.
        store.put_stories([late])
        result = groups.sync(store)
        assert result.added == 1 and result.changed_groups == {group_id}
        assert groups.group_of(late.id) == group_id
        assert set(groups.members(group_id)) == {first.id, second.id, late.id}
        assert groups.members(group_id)[0] == late.id  # oldest first
        assert groups.sync(store).added == 0  # nothing new: nothing done


def test_add_groups_stories_in_hand_and_sync_then_skips_them(store: Store, home: Path) -> None:
    stories = space_reports()
    store.put_stories(stories)
    with Groups(home) as groups:
        assert groups.add(stories).added == 3
        assert len({groups.group_of(story.id) for story in stories}) == 1
        assert groups.sync(store).added == 0


def test_deleted_stories_are_forgotten(store: Store, home: Path) -> None:
    stories = space_reports()
    store.put_stories(stories)
    with synced(store, home) as groups:
        group_id = groups.group_of(stories[0].id)
        store.remove_feed_stories(stories[0].feed)
        assert groups.sync(store).removed == 1
        assert stories[0].id not in groups.members(group_id)
        assert groups.group_of(stories[0].id) == stories[0].id


def test_a_damaged_groups_file_is_rebuilt_the_same(store: Store, home: Path) -> None:
    stories = [*space_reports(), *unrelated_reports()]
    store.put_stories(stories)
    with synced(store, home) as groups:
        before = groups.all_groups()
    (home / FILE_NAME).write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{home / FILE_NAME}{suffix}").unlink(missing_ok=True)
    with Groups(home) as groups:
        assert groups.notices and "damaged" in groups.notices[0]
        result = groups.sync(store)
        assert result.rebuilt and result.added == len(stories)
        assert groups.all_groups() == before


def test_rebuild_and_a_new_process_agree(store: Store, home: Path) -> None:
    stories = [*space_reports(), *unrelated_reports()]
    store.put_stories(stories)
    with synced(store, home) as groups:
        before = groups.all_groups()
        assert groups.rebuild(store).added == len(stories)
        assert groups.all_groups() == before
    with Groups(home) as again:  # what another process sees
        assert again.all_groups() == before
        assert again.sync(store).added == 0


# ------------------------------------------------------------------ what the reader sees


def test_marking_a_group_read_marks_all_its_stories(store: Store, home: Path) -> None:
    stories = space_reports()
    lone = unrelated_reports()[0]
    store.put_stories([*stories, lone])
    with synced(store, home) as groups:
        changed = set_group_read(store, groups, stories[1].id, True)
        assert set(changed) == {story.id for story in stories}
        assert all(summary.read for summary in store.summaries_for([story.id for story in stories]))
        assert not store.summaries_for([lone.id])[0].read
        assert set(set_group_read(store, groups, stories[0].id, False)) == {story.id for story in stories}
        assert not any(summary.read for summary in store.summaries_for([story.id for story in stories]))


def test_group_rows_fold_the_list_and_pick_a_lead(store: Store, home: Path) -> None:
    stories = space_reports()
    others = unrelated_reports()
    store.put_stories([*stories, *others])
    with synced(store, home) as groups:
        summaries = store.summaries()
        rows = group_rows(summaries, groups.groups_of([s.id for s in summaries]))
    assert len(rows) == 3
    space_row = next(row for row in rows if len(row.members) == 3)
    assert space_row.group_id == stories[-1].id
    assert space_row.sources == 3 and space_row.unread == 3
    assert space_row.first_seen == stories[-1].published
    assert space_row.lead.id in {story.id for story in stories}
    assert [row.lead.id for row in rows if len(row.members) == 1] == [story.id for story in others]


def test_lead_prefers_a_plain_agreed_headline_over_a_question_or_an_opinion() -> None:
    base = space_reports()
    question = report(5, "https://q.example/feed", "Q", "Is Russia back in space with the US?", "Text.")
    opinion = report(6, "https://o.example/opinion/feed", "O", "Opinion: Russia and US space talks are a mistake", "Text.")
    lead = choose_lead([question, opinion, *base])
    assert lead in base
    assert choose_lead([opinion]) is opinion


@pytest.mark.parametrize(
    ("title", "feed", "source", "url", "expected"),
    [
        ("Opinion: the talks are a mistake", "https://x.example/feed", "X", "", True),
        ("Analysis - what the talks mean", "https://x.example/feed", "X", "", True),
        ("Space talks resume", "https://x.example/commentisfree/rss", "X", "", True),
        ("Space talks resume", "https://x.example/feed", "X Columnists", "", True),
        ("Space talks resume", "https://x.example/feed", "X", "https://x.example/opinion/2025/talks", True),
        ("Space talks resume", "https://x.example/feed", "X", "https://x.example/world/talks", False),
        ("Commentators welcome the space talks", "https://x.example/feed", "X", "", False),
    ],
)
def test_opinion_pieces_are_told_by_title_feed_source_or_link(
    title: str, feed: str, source: str, url: str, expected: bool
) -> None:
    assert is_opinion(report(1, feed, source, title, "Text.", url=url)) is expected


def test_group_highlights_come_from_all_sources_without_near_duplicates() -> None:
    one, two, three = space_reports()
    one.highlights = ["Roscosmos chief Dmitry Bakanov visited NASA for talks in Houston.", "Bakanov said the talks were constructive."]
    two.highlights = [
        "Roscosmos chief Dmitry Bakanov visited NASA for talks in Houston on Thursday.",  # near-duplicate of one's
        "Duffy said cooperation would continue despite tensions.",
    ]
    three.highlights = ["Both sides agreed to keep operating the International Space Station together."]
    found = group_highlights([one, two, three])
    texts = [h.text for h in found]
    assert len(texts) == 4
    assert sum("visited NASA" in text for text in texts) == 1
    shared = next(h for h in found if "visited NASA" in h.text)
    assert {shared.source, *shared.also} == {"Wire Service", "The Globe"}  # both named
    assert {h.source for h in found} == {"Wire Service", "The Globe", "Daily Courier"}
    assert all(h.story_id in {one.id, two.id, three.id} for h in found)


def test_coverage_and_group_story_of_a_group(store: Store, home: Path) -> None:
    stories = space_reports()
    column = report(
        0,
        "https://globe.example/opinion/rss",
        "The Globe Opinion",
        "Opinion: Bakanov's Houston visit shows space cooperation with Russia is worth keeping",
        "Dmitry Bakanov's talks with NASA's Sean Duffy in Houston are a reminder that Roscosmos and NASA "
        "still need each other on the International Space Station. Whatever else divides them, that is worth keeping.",
    )
    store.put_stories([*stories, column])
    with synced(store, home) as groups:
        group = coverage(store, groups, column.id)
    assert group is not None and len(group.stories) == 4
    assert group.lead.id != column.id
    assert [story.id for story in group.opinions] == [column.id]
    assert {member.source for member in group.members} >= {"Wire Service", "The Globe", "Daily Courier"}
    assert next(m for m in group.members if m.id == column.id).opinion
    story = group_story(group)
    assert story.title == group.lead.title
    assert story.published == group.first_seen
    assert story.highlights and all(h.endswith(")") for h in story.highlights)
    assert story.opinions and "The Globe Opinion" in story.opinions[0]
    assert "Reported by" in story.body.split("\n\n")[-1]
