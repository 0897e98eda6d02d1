"""Story documents: the real sample, the broken ones, import into a real store, and round trips."""

from __future__ import annotations

import re
import shutil
import string
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import Store, Story
from store.storydoc import (
    END_MARKER,
    MAX_DOCUMENT_BYTES,
    ImportReport,
    StoryDocumentError,
    format_story_document,
    import_story_documents,
    parse_story_document,
    sample_stories,
)

HERE = Path(__file__).resolve()
DATA = HERE.parents[1] / "data" / "storydocs"
BROKEN = DATA / "broken"
LOCAL_SAMPLE = DATA / "sample.txt"
SHARED_SAMPLE = HERE.parents[2].parent / "shared" / "samples" / "story-document.txt"
SAMPLE = SHARED_SAMPLE if SHARED_SAMPLE.is_file() else LOCAL_SAMPLE
BUNDLED = HERE.parents[2] / "store" / "samples"

SAMPLE_TITLE = "Russia and US renew space cooperation discussions amid tensions"
SAMPLE_HIGHLIGHTS = [
    (
        "Dmitry Bakanov, director of Roscosmos, visited the U.S. for talks with NASA's Sean Duffy about space "
        "collaboration."
    ),
    (
        "The meeting addressed continued operations of the International Space Station and lunar program "
        "cooperation amid geopolitical tensions."
    ),
    (
        "Both officials reaffirmed their commitment to maintaining cooperation, highlighting its importance "
        "despite current geopolitical challenges."
    ),
]

# Each broken fixture and the start of what must be said about it (after "NAME: ").
BROKEN_CASES = {
    "no-date.txt": "line 1: no date line: expected a date such as 'Aug 1, 2025, 2:40 PM' first",
    "bad-date.txt": "line 1: 'Nov 31, 2026, 10:05 AM' is not a real date and time",
    "no-title.txt": "line 4: no title: found 'Highlights' right after the date line",
    "no-highlights.txt": "line 6: expected 'Highlights' after the title, found 'Story'",
    "no-story.txt": "line 6: no 'Story' section after 'Highlights'",
    "empty-body.txt": "line 8: the 'Story' section has no text",
    "truncated.txt": "no end marker 'You've reached the end'",
    "empty.txt": "the document is empty",
    "binary.txt": "binary data (NUL bytes)",
    "not-utf8.txt": "not UTF-8 text (byte 0xe9 at offset 26)",
}
UNDECODABLE = {"binary.txt", "not-utf8.txt"}

GOOD = """\
Nov 3, 2026, 10:05 AM
Nov 3, 2026, 10:05 AM

Council approves new cycle lanes on Mill Road

Highlights
  • The council voted seven to two for the scheme.
  • Work on the first section starts in March.
Story

The council approved the Mill Road scheme on Tuesday night.

Shopkeepers asked for loading bays, and got two.

Opinions

You've reached the end
"""


def comparable(story: Story) -> tuple[object, ...]:
    """Everything a document carries, for comparing two parses."""
    return (story.id, story.title, story.source, story.published, story.highlights, story.body, story.opinions)


def write(folder: Path, name: str, content: str | bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", newline="")
    return path


# --- the real sample -------------------------------------------------------------------


def test_the_real_sample_gives_exactly_its_content() -> None:
    story = parse_story_document(SAMPLE.read_text(encoding="utf-8"), SAMPLE.name)
    assert story.title == SAMPLE_TITLE
    assert story.highlights == SAMPLE_HIGHLIGHTS
    assert story.body.startswith("In recent developments, Russia's space chief, Dmitry Bakanov, made a significant")
    assert story.body.endswith("keep diplomatic communication channels open in the realm of space exploration.")
    assert "\n" not in story.body  # the sample's story is one paragraph
    assert story.opinions == []
    assert story.published == datetime(2025, 8, 1, 14, 40).astimezone()
    assert story.published.tzinfo is not None and story.published.utcoffset() is not None
    assert (story.published.hour, story.published.minute) == (14, 40)
    assert (story.source, story.url, story.feed, story.highlights_generated) == ("Story document", "", "", False)


def test_local_copy_of_the_sample_matches_the_shared_one() -> None:
    if not SHARED_SAMPLE.is_file():
        pytest.skip("shared/samples is not present")
    assert LOCAL_SAMPLE.read_bytes() == SHARED_SAMPLE.read_bytes()


def test_crlf_and_bom_parse_the_same() -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    windows = "\ufeff" + text.replace("\n", "\r\n")
    assert comparable(parse_story_document(windows)) == comparable(parse_story_document(text))


def test_crlf_and_bom_file_imports_as_the_same_story(store: Store, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    path = write(tmp_path, "windows.txt", b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    report = import_story_documents(store, [path])
    assert report.errors == []
    assert report.imported == [parse_story_document(text).id]


# --- what the parser accepts ------------------------------------------------------------


def test_untidy_document_parses_like_a_tidy_one() -> None:
    untidy = (
        "\n\n  \t\n"
        "  Nov 3,\t2026,  10:05 AM  \n"
        "Nov 3, 2026, 10:05 AM\n"
        "\n"
        "\tCouncil   approves new cycle lanes on Mill Road \n"
        "HIGHLIGHTS:\n"
        "\n"
        "- The council voted seven\n"
        "   to two for the scheme.\n"
        "*\tWork on the first section starts in March.\n"
        "story\n"
        "The council approved the Mill Road scheme\n"
        "on Tuesday night.\n"
        "  \n"
        "\n"
        "Shopkeepers asked for loading bays, and got two.\n"
        "Opinions\n"
        "You\u2019ve reached the end.\n"
        "\n\n"
    )
    tidy = parse_story_document(GOOD)
    story = parse_story_document(untidy)
    assert (story.id, story.title, story.published, story.highlights, story.opinions) == (
        tidy.id,
        tidy.title,
        tidy.published,
        tidy.highlights,
        tidy.opinions,
    )
    # A wrapped paragraph keeps its line break; paragraphs are still told apart.
    assert story.body == (
        "The council approved the Mill Road scheme\non Tuesday night.\n\n"
        "Shopkeepers asked for loading bays, and got two."
    )


@pytest.mark.parametrize("bullet", ["•", "-", "*", "–"])
def test_every_bullet_style(bullet: str) -> None:
    story = parse_story_document(GOOD.replace("  • ", f"  {bullet} "))
    assert story.highlights == [
        "The council voted seven to two for the scheme.",
        "Work on the first section starts in March.",
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Aug 1, 2025, 2:40 PM", datetime(2025, 8, 1, 14, 40)),
        ("August 1, 2025, 2:40 PM", datetime(2025, 8, 1, 14, 40)),
        ("Aug. 1, 2025 2:40 pm", datetime(2025, 8, 1, 14, 40)),
        ("aug 1 2025, 2:40\u202fp.m.", datetime(2025, 8, 1, 14, 40)),
        ("Aug 1, 2025 at 2 PM", datetime(2025, 8, 1, 14, 0)),
        ("Aug 1, 2025, 14:40", datetime(2025, 8, 1, 14, 40)),
        ("Sept 30, 2026, 12:05 AM", datetime(2026, 9, 30, 0, 5)),
        ("Dec 31, 2026, 12:00 PM", datetime(2026, 12, 31, 12, 0)),
        ("Aug 1, 2025", datetime(2025, 8, 1)),
    ],
)
def test_date_forms(line: str, expected: datetime) -> None:
    story = parse_story_document(GOOD.replace("Nov 3, 2026, 10:05 AM", line))
    assert story.published == expected.astimezone()
    assert story.published.tzinfo is not None


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Agu 1, 2025, 2:40 PM", "line 1: unknown month 'Agu' in the date 'Agu 1, 2025, 2:40 PM'"),
        ("Feb 30, 2026", "line 1: 'Feb 30, 2026' is not a real date and time"),
        ("Aug 1, 2025, 13:40 PM", "line 1: the time in 'Aug 1, 2025, 13:40 PM' is not a time of day"),
        ("Aug 1, 2025, 14", "line 1: the time in 'Aug 1, 2025, 14' is not a time of day"),
        ("Aug 1, 2025, 2:40 PM GMT", "line 1: cannot read the date 'Aug 1, 2025, 2:40 PM GMT'"),
        ("Aug 1, 2025, 2:75 PM", "line 1: 'Aug 1, 2025, 2:75 PM' is not a real date and time"),
    ],
)
def test_bad_dates_say_what_is_wrong(line: str, message: str) -> None:
    with pytest.raises(StoryDocumentError) as caught:
        parse_story_document(GOOD.replace("Nov 3, 2026, 10:05 AM", line, 1))
    assert str(caught.value).startswith(message)


def test_the_first_date_line_is_the_published_time() -> None:
    story = parse_story_document(GOOD.replace("Nov 3, 2026, 10:05 AM\n", "Nov 3, 2026, 9:00 AM\n", 1))
    assert story.published == datetime(2026, 11, 3, 9, 0).astimezone()


def test_a_title_that_starts_with_a_date_is_still_the_title() -> None:
    title = "March 3, 2026 rally draws a record crowd"
    story = parse_story_document(GOOD.replace("Council approves new cycle lanes on Mill Road", title))
    assert story.title == title


def test_opinions_are_bullets_or_paragraphs_kept_as_written() -> None:
    opinions = (
        "Opinions\n\n"
        "Mill Road Traders: Two loading bays are a start.\n\n"
        "  • Cycling Campaign: About time.\n"
        "  • A resident: The buses will be\n    slower.\n\n"
    )
    story = parse_story_document(GOOD.replace("Opinions\n\n", opinions))
    assert story.opinions == [
        "Mill Road Traders: Two loading bays are a start.",
        "Cycling Campaign: About time.",
        "A resident: The buses will be slower.",
    ]


def test_the_opinions_section_may_be_left_out() -> None:
    assert parse_story_document(GOOD.replace("Opinions\n\n", "")).opinions == []


def test_text_after_the_end_marker_is_an_error() -> None:
    with pytest.raises(StoryDocumentError, match=r"^line 19: text after the end marker: 'More text\.'$"):
        parse_story_document(GOOD + "\nMore text.\n")


def test_markup_and_escapes_are_kept_literal_until_sanitized() -> None:
    text = GOOD.replace("Council approves", "[bold]Council[/] \x1b[31mapproves").replace(
        "  • Work on", "  • [/] \x1b]8;;https://evil.example\x07Work on"
    )
    story = parse_story_document(text)
    assert "\x1b" in story.title  # parsing keeps text as written
    clean = story.sanitized()
    assert clean.title == "[bold]Council[/] approves new cycle lanes on Mill Road"  # whole sequence gone
    assert clean.highlights[1] == "[/] Work on the first section starts in March."
    assert not any("\x1b" in text or "\x07" in text for text in [clean.title, *clean.highlights])


def test_error_messages_are_one_clean_line() -> None:
    with pytest.raises(StoryDocumentError) as caught:
        parse_story_document("\x1b[2J\x1b[31mBreaking news\nHighlights\n", source_name="evil.txt")
    message = str(caught.value)
    assert message.startswith("evil.txt: line 1: no date line")
    assert "\x1b" not in message and "\n" not in message


# --- broken documents ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(BROKEN_CASES) - UNDECODABLE))
def test_broken_document_raises_a_specific_error(name: str) -> None:
    text = (BROKEN / name).read_text(encoding="utf-8")
    with pytest.raises(StoryDocumentError) as caught:
        parse_story_document(text, source_name=name)
    message = str(caught.value)
    assert message.startswith(f"{name}: {BROKEN_CASES[name]}")
    assert "\n" not in message


def test_broken_files_each_give_one_error_and_good_files_still_import(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    shutil.copytree(BROKEN, folder)
    shutil.copy(SAMPLE, folder / "sample.txt")
    write(folder, "good.txt", GOOD)
    assert sorted(p.name for p in BROKEN.iterdir()) == sorted(BROKEN_CASES)

    report = import_story_documents(store, [folder])

    assert len(report.errors) == len(BROKEN_CASES)
    for name, reason in BROKEN_CASES.items():
        naming = [line for line in report.errors if line.startswith(f"{folder / name}: ")]
        assert len(naming) == 1 and naming[0].startswith(f"{folder / name}: {reason}")
    assert all("\n" not in line for line in report.errors)
    assert report.added == 2
    titles = {story.title for story in map(store.get, report.imported) if story is not None}
    assert titles == {SAMPLE_TITLE, "Council approves new cycle lanes on Mill Road"}


def test_paths_that_cannot_be_read(store: Store, tmp_path: Path) -> None:
    empty_folder = tmp_path / "empty"
    empty_folder.mkdir()
    good = write(tmp_path, "good.txt", GOOD)
    report = import_story_documents(store, [tmp_path / "missing.txt", empty_folder, good])
    assert report.errors == [
        f"{tmp_path / 'missing.txt'}: no such file or directory",
        f"{empty_folder}: no .txt story documents in this folder",
    ]
    assert report.added == 1


def test_a_folder_imports_its_txt_files_but_not_sub_folders(store: Store, tmp_path: Path) -> None:
    write(tmp_path, "b.TXT", GOOD)
    write(tmp_path, "a.txt", SAMPLE.read_text(encoding="utf-8"))
    write(tmp_path, "notes.md", "not a story")
    write(tmp_path / "inner", "c.txt", GOOD.replace("Mill Road", "Station Road"))
    report = import_story_documents(store, [str(tmp_path)])
    assert report.errors == []
    titles = [story.title for story in map(store.get, report.imported) if story is not None]
    assert titles == [SAMPLE_TITLE, "Council approves new cycle lanes on Mill Road"]


def test_all_stories_go_to_the_store_in_one_batch(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for number in range(5):
        write(tmp_path, f"{number}.txt", GOOD.replace("Mill Road", f"Road {number}"))
    batches: list[list[Story]] = []
    put_stories = store.put_stories

    def recording(stories: list[Story]) -> object:
        batches.append(list(stories))
        return put_stories(stories)

    monkeypatch.setattr(store, "put_stories", recording)
    report = import_story_documents(store, [tmp_path])
    assert [len(batch) for batch in batches] == [5]
    assert report.added == 5


def test_a_huge_file_is_refused_without_reading_it_all(store: Store, tmp_path: Path) -> None:
    huge = write(tmp_path, "huge.txt", GOOD.encode("utf-8") + b" " * MAX_DOCUMENT_BYTES)
    report = import_story_documents(store, [huge])
    assert report.errors == [f"{huge}: larger than 4 MB: not a story document"]


def test_nothing_to_import_writes_nothing(store: Store, tmp_path: Path) -> None:
    report = import_story_documents(store, [write(tmp_path, "empty.txt", "")])
    expected = ImportReport(
        imported=[], added=0, updated=0, unchanged=0, errors=[f"{tmp_path / 'empty.txt'}: the document is empty"]
    )
    assert report == expected
    assert store.is_empty()


# --- importing again ----------------------------------------------------------------------


def test_importing_the_same_file_twice_does_not_duplicate(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "good.txt", GOOD)
    first = import_story_documents(store, [path])
    second = import_story_documents(store, [path, path])
    assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 1)
    assert first.imported == second.imported
    assert store.count() == 1


def test_a_reformatted_or_edited_story_updates_in_place(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "good.txt", GOOD)
    (story_id,) = import_story_documents(store, [path]).imported
    store.set_bookmarked(story_id, True)

    reflowed = GOOD.replace("Council approves", "Council   approves").replace("\n", " \r\n")
    write(tmp_path, "good.txt", "\r\n\r\n" + reflowed)
    reformatted = import_story_documents(store, [path])
    write(tmp_path, "good.txt", GOOD.replace("got two.", "got three."))
    edited = import_story_documents(store, [path])

    assert reformatted.imported == edited.imported == [story_id]
    assert (edited.added, edited.updated) == (0, 1)
    got = store.get(story_id)
    assert got is not None and got.body.endswith("got three.") and got.bookmarked
    assert store.count() == 1


# --- writing ------------------------------------------------------------------------------


def test_format_writes_the_sample_layout() -> None:
    story = parse_story_document(GOOD)
    text = format_story_document(story)
    assert text.splitlines()[:7] == [
        "Nov 3, 2026, 10:05 AM",
        "Nov 3, 2026, 10:05 AM",
        "",
        "Council approves new cycle lanes on Mill Road",
        "",
        "Highlights",
        "  • The council voted seven to two for the scheme.",
    ]
    assert text.rstrip("\n").endswith(END_MARKER)


def test_round_trip_keeps_everything_a_document_holds() -> None:
    story = Story(
        id="unused",
        title="Ferry timetable changes for winter",
        published=datetime(2026, 11, 21, 7, 45, tzinfo=timezone.utc),
        highlights=["Fewer sailings on Sundays.", "The last boat leaves at 9:10 PM."],
        body="The winter timetable starts on the first of December.\n\nThe harbour office has copies.",
        opinions=["Harbour master: We kept the school runs.", "A commuter: Sundays will be hard."],
    )
    again = parse_story_document(format_story_document(story))
    assert (again.title, again.highlights, again.body, again.opinions) == (
        story.title,
        story.highlights,
        story.body,
        story.opinions,
    )
    assert again.published == story.published


@pytest.mark.parametrize("path", [SAMPLE, *sorted(BUNDLED.glob("*.txt"))], ids=lambda p: p.name)
def test_real_documents_survive_a_round_trip(path: Path) -> None:
    story = parse_story_document(path.read_text(encoding="utf-8"))
    assert comparable(parse_story_document(format_story_document(story))) == comparable(story)


_WORD = st.text(string.ascii_letters + string.digits + ".,;:'\"!?()[]/&-*•", min_size=1, max_size=10)
_LINE = (
    st.lists(_WORD, min_size=1, max_size=8)
    .map(" ".join)
    .filter(lambda line: line.casefold().rstrip(":.!") not in {"highlights", "story", "opinions"})
)


@settings(max_examples=150, deadline=None)
@given(
    title=_LINE,
    highlights=st.lists(_LINE, max_size=4),
    body=st.lists(_LINE, min_size=1, max_size=4),
    opinions=st.lists(_LINE, max_size=3),
    published=st.sampled_from(
        [datetime(2025, 8, 1, 14, 40), datetime(2026, 11, 3, 0, 5), datetime(1999, 12, 31, 23, 59)]
    ),
)
def test_round_trip_property(
    title: str, highlights: list[str], body: list[str], opinions: list[str], published: datetime
) -> None:
    story = Story(
        id="unused",
        title=title,
        published=published.astimezone(),
        highlights=highlights,
        body="\n\n".join(body),
        opinions=opinions,
    )
    again = parse_story_document(format_story_document(story))
    assert (again.title, again.highlights, again.body, again.opinions, again.published) == (
        title,
        highlights,
        story.body,
        opinions,
        story.published,
    )


# --- never anything but a Story or a StoryDocumentError -------------------------------------

_PIECES = [
    "Aug 1, 2025, 2:40 PM",
    "Feb 29, 2025",
    "Sep 9, 9999, 11:59 PM",
    "Jan 1, 0001",
    "Highlights",
    "Story",
    "Opinions",
    "You've reached the end",
    "  • a bullet",
    "-",
    "",
    "\r",
    "\ufeff",
    "\x00\x1b[31m",
]
_DOCUMENT_LIKE = st.lists(st.sampled_from(_PIECES) | st.text(max_size=30), max_size=14).map("\n".join)


def _parses_or_says_why(text: str) -> None:
    try:
        story = parse_story_document(text, source_name="fuzz.txt")
    except StoryDocumentError as error:
        message = str(error)
        assert message.startswith("fuzz.txt: ") and "\n" not in message
    else:
        assert isinstance(story, Story) and story.body and story.published.tzinfo is not None


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_any_text_parses_or_raises_story_document_error(text: str) -> None:
    _parses_or_says_why(text)


@settings(max_examples=400, deadline=None)
@given(_DOCUMENT_LIKE)
def test_document_like_text_parses_or_raises_story_document_error(text: str) -> None:
    _parses_or_says_why(text)


# --- the bundled samples -------------------------------------------------------------------


def test_bundled_samples_parse_and_import(store: Store) -> None:
    stories = sample_stories()
    assert len(stories) == len(list(BUNDLED.glob("*.txt"))) >= 4
    assert len({story.id for story in stories}) == len(stories)
    for story in stories:
        assert story.title and story.highlights and story.body
        assert (story.published.year, story.published.month) == (2026, 11)
    assert sum(1 for story in stories if story.opinions) >= 1
    report = import_story_documents(store, [BUNDLED])
    assert report.errors == [] and report.added == len(stories)


def test_welcome_sample_teaches_every_key() -> None:
    welcome = next(story for story in sample_stories() if story.title.startswith("Welcome to Broadsheet"))
    keys = ["j", "k", "g", "G", "l", "h", "b", "m", "q", "?", "enter", "escape", "tab", "shift+tab"]
    keys += ["space", "page down", "page up", "ctrl+p", "up arrow", "down arrow"]
    for key in keys:
        assert re.search(rf"(?<![\w+]){re.escape(key)}(?![\w+])", welcome.body), key
