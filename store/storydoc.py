"""Story documents: read and write the plain-text story format, and import files of it.

A story document looks like this (a real one: tests/data/storydocs/sample.txt)::

    Aug 1, 2025, 2:40 PM          <- a date line, possibly repeated
    Aug 1, 2025, 2:40 PM

    The title, on one line

    Highlights
      • one bullet per highlight
    Story

    Paragraphs, separated by blank lines.

    Opinions                      <- optional; may be empty

    You've reached the end        <- required

Hand-written because it is a bespoke line format that no library parses: a small line
cursor with one function per section gives exact, one-line error messages ("line 7:
expected 'Highlights' after the title, found 'Story'") that a generic parser would not.

Decisions:
- Dates are read with our own English month table, never ``strptime("%b")``, so the
  process locale cannot change what parses.  A date without a time zone is local time.
- When the date line repeats, the first one is the published time.
- A missing end marker is an error: it is how a cut-short file shows itself.
- A folder imports the ``.txt`` files directly inside it; sub-folders are not searched,
  so pointing the importer at a big tree cannot pull in unrelated text.
- The story id comes from the title and the published time as written, so importing
  the same file again (even re-wrapped) updates the story instead of adding a copy.
- Parsing keeps text as written; ``Story.sanitized()``, which the store calls on every
  write, removes terminal controls.  Error messages are cleaned here, since they are printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Protocol

from store.model import Story, as_aware, make_story_id
from store.sanitize import clean_line

SOURCE = "Story document"
END_MARKER = "You've reached the end"
MAX_DOCUMENT_BYTES = 4 * 1024 * 1024
DATE_EXAMPLE = "Aug 1, 2025, 2:40 PM"

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_HEADERS = ("highlights", "story", "opinions")
_END = "end"
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})

# Applied to a line already folded by clean_line (single spaces, no controls).
_DATE_START = re.compile(r"[A-Za-z]+\.? [0-9]{1,2},? [0-9]{4}\b")
_DATE = re.compile(
    r"(?P<month>[A-Za-z]+)\.? (?P<day>[0-9]{1,2}),? (?P<year>[0-9]{4})"
    r"(?:,? (?:at )?(?P<hour>[0-9]{1,2})(?::(?P<minute>[0-9]{2}))? ?(?P<half>[AaPp]\.?[Mm]\.?)?)?"
)
_BULLET = re.compile(r"(?:[•‣◦▪●·]\s*|[-*–—]\s+)(?P<text>.*)")


class StoryDocumentError(ValueError):
    """A story document that cannot be read.  The message is one plain line saying where and what."""


def _error(reason: str, *, line: int | None = None, source_name: str = "") -> StoryDocumentError:
    where = [part for part in (source_name, f"line {line}" if line else "") if part]
    return StoryDocumentError(": ".join([*where, reason]))


def _quote(text: str, limit: int = 50) -> str:
    """A short, printable excerpt of a line for an error message."""
    shown = clean_line(text)
    if len(shown) > limit:
        shown = shown[: limit - 1] + "…"
    return f"'{shown}'"


# --- reading -------------------------------------------------------------------------


@dataclass(slots=True)
class _Cursor:
    """The document's lines and a position in them; knows how to blame a line."""

    lines: list[str]
    source_name: str
    index: int = 0

    def fail(self, reason: str, index: int | None = None) -> StoryDocumentError:
        return _error(reason, line=None if index is None else index + 1, source_name=self.source_name)

    def skip_blank(self) -> int | None:
        """Move to the next non-blank line and return its index, or None at the end."""
        while self.index < len(self.lines) and not self.lines[self.index].strip():
            self.index += 1
        return self.index if self.index < len(self.lines) else None


def parse_story_document(text: str, source_name: str = "") -> Story:
    """Read one story document.  ``source_name`` (a file name) starts every error message.

    Raises StoryDocumentError, with a one-line message, for anything else: an empty text,
    no or a bad date line, no title, no 'Highlights' or 'Story' section, an empty story,
    text after the end marker, or no end marker (a truncated file).
    """
    cursor = _Cursor(_split_lines(text), source_name)
    if cursor.skip_blank() is None:
        raise cursor.fail("the document is empty")
    published = _read_dates(cursor)
    title = _read_title(cursor)
    highlights_at = cursor.index - 1
    highlights, found = _read_until(cursor, ("story",))
    if found is None:
        raise cursor.fail("no 'Story' section after 'Highlights'", highlights_at)
    body, opinions = _read_story_and_opinions(cursor)
    return Story(
        id=_story_id(title, published),
        title=title,
        source=SOURCE,
        published=published,
        highlights=_entries(highlights, bullets=True),
        highlights_generated=False,
        body="\n\n".join(_entries(body, bullets=False, keep_breaks=True)),
        opinions=_entries(opinions, bullets=True),
    )


def _story_id(title: str, published: datetime) -> str:
    """From the title (white space folded, any case) and the wall-clock time as written.

    Not the body: an edited story keeps its id.  Not the UTC time: the id does not change
    with the computer's time zone.
    """
    return make_story_id(content=f"{' '.join(title.split()).casefold()}\x00{published:%Y-%m-%dT%H:%M}")


def _split_lines(text: str) -> list[str]:
    """Lines of the text, whatever its line endings; a leading BOM dropped.

    ``str.splitlines`` is not used: it also splits on form feeds and other controls.
    """
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _marker(line: str) -> str | None:
    """'highlights', 'story', 'opinions' or 'end' when the line is that header, else None."""
    folded = clean_line(line).translate(_APOSTROPHES).casefold().rstrip(":.!").rstrip()
    if folded in _HEADERS:
        return folded
    if folded == END_MARKER.casefold():
        return _END
    return None


def _read_dates(cursor: _Cursor) -> datetime:
    """The leading date line(s); the first is the published time.

    The first non-blank line must be a date.  Lines after it that are wholly a date are
    repeats; anything else (even a title that starts with a date) is the title.
    """
    first = cursor.index
    if not _DATE_START.match(clean_line(cursor.lines[first])):
        raise cursor.fail(
            f"no date line: expected a date such as '{DATE_EXAMPLE}' first, found {_quote(cursor.lines[first])}",
            first,
        )
    published = _parse_date(cursor, first)
    cursor.index += 1
    while (index := cursor.skip_blank()) is not None and _DATE.fullmatch(clean_line(cursor.lines[index])):
        _parse_date(cursor, index)
        cursor.index += 1
    return published


def _parse_date(cursor: _Cursor, index: int) -> datetime:
    """The date and time a date line names, in local time."""
    line = cursor.lines[index]
    match = _DATE.fullmatch(clean_line(line))
    if match is None:
        raise cursor.fail(f"cannot read the date {_quote(line)}: expected a date such as '{DATE_EXAMPLE}'", index)
    month = _month_number(match["month"])
    if month is None:
        raise cursor.fail(f"unknown month {_quote(match['month'])} in the date {_quote(line)}", index)
    hour = _hour_of_day(match["hour"], match["minute"], match["half"])
    if hour is None:
        raise cursor.fail(f"the time in {_quote(line)} is not a time of day", index)
    try:
        return as_aware(datetime(int(match["year"]), month, int(match["day"]), hour, int(match["minute"] or 0)))
    except (ValueError, OverflowError, OSError):
        raise cursor.fail(f"{_quote(line)} is not a real date and time", index) from None


def _month_number(name: str) -> int | None:
    """1-12 for an English month name or an abbreviation of three letters or more."""
    folded = name.casefold()
    if len(folded) < 3:
        return None
    return next((number for number, month in enumerate(_MONTHS, 1) if month.startswith(folded)), None)


def _hour_of_day(hour: str | None, minute: str | None, half: str | None) -> int | None:
    """The 0-23 hour, 0 when no time is given, None when the time makes no sense."""
    if hour is None:
        return 0
    value = int(hour)
    if half is None:
        # A bare "14" is too ambiguous to read as a time; "14:05" is a 24-hour clock.
        return value if minute is not None and value < 24 else None
    if not 1 <= value <= 12:
        return None
    return value % 12 + (12 if half[0] in "pP" else 0)


def _read_title(cursor: _Cursor) -> str:
    """The one title line, then the 'Highlights' header; leaves the cursor after it."""
    index = cursor.skip_blank()
    if index is None:
        raise cursor.fail("no title after the date line")
    if _marker(cursor.lines[index]) is not None:
        raise cursor.fail(f"no title: found {_quote(cursor.lines[index])} right after the date line", index)
    title = " ".join(cursor.lines[index].split())
    cursor.index = index + 1
    header = cursor.skip_blank()
    if header is None:
        raise cursor.fail("no 'Highlights' section after the title")
    if _marker(cursor.lines[header]) != "highlights":
        raise cursor.fail(f"expected 'Highlights' after the title, found {_quote(cursor.lines[header])}", header)
    cursor.index = header + 1
    return title


def _read_until(cursor: _Cursor, stops: Sequence[str]) -> tuple[list[str], str | None]:
    """Lines up to the first marker in ``stops``; returns them and the marker (None at the end).

    The cursor is left after the marker line.
    """
    start = cursor.index
    for index in range(start, len(cursor.lines)):
        found = _marker(cursor.lines[index])
        if found in stops:
            cursor.index = index + 1
            return cursor.lines[start:index], found
    cursor.index = len(cursor.lines)
    return cursor.lines[start:], None


def _read_story_and_opinions(cursor: _Cursor) -> tuple[list[str], list[str]]:
    """The 'Story' lines and the 'Opinions' lines (none when that section is left out)."""
    story_at = cursor.index - 1
    body, found = _read_until(cursor, ("opinions", _END))
    if not any(line.strip() for line in body):
        raise cursor.fail("the 'Story' section has no text", story_at)
    opinions: list[str] = []
    if found == "opinions":
        opinions, found = _read_until(cursor, (_END,))
    if found is None:
        raise cursor.fail(f"no end marker '{END_MARKER}': the document looks cut short")
    if (extra := cursor.skip_blank()) is not None:
        raise cursor.fail(f"text after the end marker: {_quote(cursor.lines[extra])}", extra)
    return body, opinions


def _entries(lines: Iterable[str], *, bullets: bool, keep_breaks: bool = False) -> list[str]:
    """Group lines into entries: a blank line ends one; with ``bullets``, so does a bullet.

    A line that is neither continues the entry before it (a wrapped bullet or paragraph),
    joined with a newline when ``keep_breaks``, else with a space.
    """
    entries: list[list[str]] = []
    after_blank = True
    for line in lines:
        text = " ".join(line.split())
        bullet = _BULLET.fullmatch(text) if bullets else None
        if bullet is not None:
            entries.append([bullet["text"]])
        elif not text:
            after_blank = True
            continue
        elif after_blank or not entries:
            entries.append([text])
        else:
            entries[-1].append(text)
        after_blank = False
    joiner = "\n" if keep_breaks else " "
    return [joined for joined in (joiner.join(parts).strip() for parts in entries) if joined]


# --- writing -------------------------------------------------------------------------


def format_story_document(story: Story, *, updated: datetime | None = None) -> str:
    """The story as a story document: the inverse of parse_story_document.

    The date is written in local time, to the minute.  Highlights and opinions are each
    written on one line; the body's paragraphs are written as they are.  The second date
    line is ``updated`` when given (a group's latest report), else the published time again.
    """
    stamp = _format_date(story.published)
    second = _format_date(updated) if updated is not None else stamp
    lines = [stamp, second, "", " ".join(story.title.split()) or "Untitled", "", "Highlights"]
    lines += [f"  • {' '.join(text.split())}" for text in story.highlights if text.strip()]
    lines += ["Story", ""]
    for paragraph in _paragraphs(story.body):
        lines += [paragraph, ""]
    lines += ["Opinions", ""]
    opinions = [f"  • {' '.join(text.split())}" for text in story.opinions if text.strip()]
    if opinions:
        lines += [*opinions, ""]
    lines.append(END_MARKER)
    return "\n".join(lines) + "\n"


def _format_date(moment: datetime) -> str:
    """'Aug 1, 2025, 2:40 PM' in local time, whatever the process locale."""
    local = as_aware(moment).astimezone()
    month = _MONTHS[local.month - 1][:3].capitalize()
    hour = local.hour % 12 or 12
    half = "PM" if local.hour >= 12 else "AM"
    return f"{month} {local.day}, {local.year}, {hour}:{local.minute:02d} {half}"


def _paragraphs(body: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip())
    return [block.strip() for block in blocks if block.strip()]


# --- importing files -----------------------------------------------------------------


class PutOutcome(Protocol):
    """What ``put_stories`` answers (store.PutResult): ids added, updated and left as they were."""

    @property
    def added(self) -> Sequence[str]: ...

    @property
    def updated(self) -> Sequence[str]: ...

    @property
    def unchanged(self) -> Sequence[str]: ...


class StoryWriter(Protocol):
    """The part of store.Store the importer needs."""

    def put_stories(self, stories: list[Story]) -> PutOutcome: ...


@dataclass(slots=True)
class ImportReport:
    """What an import did.

    ``imported`` holds the ids of every story read; each was added, updated, or found
    unchanged (already imported).  ``errors`` holds one line per failure: "PATH: what".
    """

    imported: list[str]
    added: int
    updated: int
    unchanged: int
    errors: list[str]


def import_story_documents(store: StoryWriter, paths: Iterable[Path | str]) -> ImportReport:
    """Import story documents from files and folders (their ``*.txt``, not sub-folders).

    Every readable document is imported even when others fail; all of them go to the
    store in one ``put_stories`` call.  The same story twice (same title and date) is
    one story: the later copy wins, in this call and against the store.
    """
    stories, errors = _read_documents(paths)
    if not stories:
        return ImportReport(imported=[], added=0, updated=0, unchanged=0, errors=errors)
    result = store.put_stories(list(stories.values()))
    return ImportReport(
        imported=list(stories),
        added=len(result.added),
        updated=len(result.updated),
        unchanged=len(result.unchanged),
        errors=errors,
    )


def _read_documents(paths: Iterable[Path | str]) -> tuple[dict[str, Story], list[str]]:
    """Every story that reads, by id, and one error line per failure, in the order given."""
    stories: dict[str, Story] = {}
    errors: list[str] = []
    for given in paths:
        try:
            files = _documents_at(Path(given))
        except StoryDocumentError as error:
            errors.append(str(error))
            continue
        for path in files:
            try:
                story = _read_story_file(path)
            except StoryDocumentError as error:
                errors.append(str(error))
            else:
                stories[story.id] = story
    return stories, errors


def _documents_at(path: Path) -> list[Path]:
    if not path.is_dir():
        return [path]  # reading it says what is wrong when it is missing
    try:
        documents = sorted(entry for entry in path.iterdir() if entry.suffix.lower() == ".txt" and entry.is_file())
    except OSError as error:
        raise _error(_os_reason(error), source_name=str(path)) from None
    if not documents:
        raise _error("no .txt story documents in this folder", source_name=str(path))
    return documents


def _read_story_file(path: Path) -> Story:
    """One file, read, decoded and parsed; every problem is a StoryDocumentError naming the file."""
    name = str(path)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as error:
        raise _error(_os_reason(error), source_name=name) from None
    return parse_story_document(_decode(data, name), source_name=name)


def _decode(data: bytes, name: str) -> str:
    if len(data) > MAX_DOCUMENT_BYTES:
        raise _error(f"larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB: not a story document", source_name=name)
    if b"\x00" in data:
        raise _error("binary data (NUL bytes): not a story document", source_name=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _error(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})", source_name=name
        ) from None


def _os_reason(error: OSError) -> str:
    """'no such file or directory', 'permission denied', ...: the system's words, one line."""
    return clean_line(error.strerror or error).lower()


# --- the bundled samples ---------------------------------------------------------------


def sample_stories() -> list[Story]:
    """The stories bundled in store/samples/, in file-name order."""
    folder = resources.files("store") / "samples"
    documents = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".txt")), key=lambda e: e.name)
    return [parse_story_document(entry.read_text(encoding="utf-8-sig"), source_name=entry.name) for entry in documents]
