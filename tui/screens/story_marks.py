"""What the reader marks on stories from the main screen: read, bookmarked, notes, and all read at once.

A change shows at once and is written by a worker; until it is written it is kept in
`_unsaved_flags` (each with a ticket, so only the newest change of a flag is written and
a row read again from the store still shows it).  `M` marks every story of the view read
and `u` undoes it.

`StoryMarksMixin` is the part of `MainScreen` that does this.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from typing import TYPE_CHECKING, Any, Literal

from textual.message import Message

from store import StoreError, Story, StorySummary
from tui.named_work import named_work
from tui.refresh import plural

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

Flag = Literal["read", "bookmarked"]
"""The two flags a reader sets on a story."""


# ------------------------------------------------------------------ messages


class FlagWritten(Message):
    """A flag change reached the store (or failed: then a reload follows)."""

    def __init__(self, story_id: str, flag: Flag, ticket: int) -> None:
        super().__init__()
        self.story_id = story_id
        self.flag = flag
        self.ticket = ticket


class ReadStateWritten(Message):
    """Many stories marked read (or unread, undoing) are written."""

    def __init__(self, story_ids: list[str], read: bool, ticket: int) -> None:
        super().__init__()
        self.story_ids = story_ids
        self.read = read
        self.ticket = ticket


class NoteReady(Message):
    """A story read for its note, so the note editor can open."""

    def __init__(self, story: Story) -> None:
        super().__init__()
        self.story = story


class NoteSaved(Message):
    def __init__(self, story_id: str, note: str) -> None:
        super().__init__()
        self.story_id = story_id
        self.note = note


# ------------------------------------------------------------------ the screen's part


class StoryMarksMixin:
    """Flags, notes and the read state of many stories for `MainScreen` (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._write_lock = threading.Lock()
        self._write_tickets = itertools.count()
        self._unsaved_flags: dict[tuple[str, Flag], tuple[int, bool]] = {}
        """Flag changes shown but not yet written: (story id, flag) -> (ticket, value)."""
        self._undo_read: list[str] = []
        """The stories the last mark-all-read changed: what `u` marks unread again."""

    # ------------------------------------------------------------ changing flags

    def action_toggle_bookmark(self: MainScreen) -> None:
        story = self.story_list.highlighted_story
        if story is not None:
            self._change_flag(story, "bookmarked", not story.bookmarked)

    def action_toggle_read(self: MainScreen) -> None:
        story = self.story_list.highlighted_story
        if story is not None:
            self._change_flag(story, "read", not story.read)

    def _change_flag(self: MainScreen, story: StorySummary, flag: Flag, value: bool) -> None:
        """Show the change at once, then write it in a worker."""
        if self.change_group_flag(story, flag, value):
            return  # a group's row: every story of the group, or the version shown (tui.grouped)
        self._changed_here.add(story.id)
        if self._fetching:
            self._written_during_fetch.add(story.id)
        self._show_flag(story, flag, value)
        self._update_status()
        shown = self.story_view.story
        if shown is not None and shown.id == story.id:
            self._show_story(shown)  # the viewer's line under the title shows the bookmark
        ticket = next(self._write_tickets)
        self._unsaved_flags[(story.id, flag)] = (ticket, value)
        self._write_flag(story.id, flag, value, ticket)

    def _show_flag(self: MainScreen, story: StorySummary, flag: Flag, value: bool) -> None:
        """Repaint a row with one flag changed, keeping the unread count in step."""
        if flag == "bookmarked":
            changed = dataclasses.replace(story, bookmarked=value)
        else:
            if story.read != value:
                self._unread_count += -1 if value else 1
            changed = dataclasses.replace(story, read=value)
        self.story_list.replace_story(changed)

    def on_flag_written(self: MainScreen, message: FlagWritten) -> None:
        key = (message.story_id, message.flag)
        if self._unsaved_flags.get(key, (None, False))[0] == message.ticket:
            del self._unsaved_flags[key]

    # ------------------------------------------------------------ notes

    def action_edit_note(self: MainScreen) -> None:
        story = self.story_list.highlighted_story
        if story is None:
            return
        cached = self._story_cache.get(story.id)
        if cached is not None:
            self._open_note_editor(cached)
        else:
            self._read_story_for_note(story.id)

    def on_note_ready(self: MainScreen, message: NoteReady) -> None:
        self._cache_story(message.story)
        self._open_note_editor(message.story)

    def _open_note_editor(self: MainScreen, story: Story) -> None:
        def answered(note: str | None) -> None:
            if note is not None and note != story.note:
                if self._fetching:
                    self._written_during_fetch.add(story.id)
                self._save_note(story.id, note)

        from tui.dialogs.note import NoteDialog

        self.app.push_screen(NoteDialog(story.title, story.note), answered)

    def on_note_saved(self: MainScreen, message: NoteSaved) -> None:
        self.notify("Note saved." if message.note else "Note removed.")
        cached = self._story_cache.get(message.story_id)
        if cached is not None:
            self._cache_story(dataclasses.replace(cached, note=message.note))
        self._match_cache.clear()
        self._story_changed(message.story_id)

    # ------------------------------------------------------------ read state of many stories

    def action_mark_all_read(self: MainScreen) -> None:
        unread = [story for story in self.story_list.stories if not story.read]
        if not unread:
            self.notify("Everything here is read already.")
            return
        story_ids = self.with_group_members([story.id for story in unread])
        # What u gives back: the stories unread now (a group's row brings every story of the group,
        # some of them read already).  Known at once, so u works while the write is still running.
        self._undo_read = [story_id for story_id in story_ids if not self._read_now(story_id)]
        self._write_read_state(story_ids, True)
        count = len(self._undo_read)
        self.notify(f"Marked {plural(count, 'story', 'stories')} read. Press u to undo.", title="Read")

    def _read_now(self: MainScreen, story_id: str) -> bool:
        """Whether the story shows as read here (a group's story: as its group last read it)."""
        folded = self._folded
        shown = folded.members.get(story_id) if folded is not None else None
        shown = shown or self.story_list.story(story_id)
        return shown is not None and shown.read

    def action_undo_mark_all(self: MainScreen) -> None:
        story_ids, self._undo_read = self._undo_read, []
        self.refresh_bindings()
        if story_ids:
            # A mark still being written is overtaken: its worker writes only the stories whose newest
            # change it still is, and the writes take turns (see _write_many_read).
            self._write_read_state(story_ids, False)
            self.notify(f"Marked {plural(len(story_ids), 'story', 'stories')} unread again.", title="Undone")

    def _write_read_state(self: MainScreen, story_ids: list[str], read: bool) -> None:
        """Show many stories read (or unread) at once, then write them in a worker."""
        ticket = next(self._write_tickets)
        story_list = self.story_list
        changed_rows = []
        self._changed_here.update(story_ids)
        if self._fetching:
            self._written_during_fetch.update(story_ids)
        for story_id in story_ids:
            self._unsaved_flags[(story_id, "read")] = (ticket, read)
            row = story_list.story(story_id)
            if row is not None and row.read != read:
                changed_rows.append(dataclasses.replace(row, read=read))
        story_list.replace_stories(changed_rows)
        self._unread_count += -len(changed_rows) if read else len(changed_rows)
        changed = set(story_ids)
        for shown in (self.story_view.story, self.highlights.story):
            if shown is not None and shown.id in changed:
                self._show_story(shown)
        self._update_status()
        self.refresh_bindings()
        self._write_many_read(story_ids, read, ticket)

    def on_read_state_written(self: MainScreen, message: ReadStateWritten) -> None:
        for story_id in message.story_ids:
            key = (story_id, "read")
            if self._unsaved_flags.get(key, (None, False))[0] == message.ticket:
                del self._unsaved_flags[key]
        self.refresh_bindings()

    # ------------------------------------------------------------ workers (no widgets here)

    @named_work("save flag", thread=True, group="store-write")
    def _write_flag(self: MainScreen, story_id: str, flag: Flag, value: bool, ticket: int) -> None:
        # Writes run in their own threads: only the newest change of a flag is written,
        # so two quick presses of a key can never land in the wrong order.
        with self._write_lock:
            latest = self._unsaved_flags.get((story_id, flag))
            if latest is None or latest[0] != ticket:
                return
            try:
                if flag == "read":
                    self._store.set_read([story_id], value)
                else:
                    self._store.set_bookmarked(story_id, value)
            except StoreError as error:
                self.post_message(self.StoreFailed(str(error), reload=True))
            self.post_message(FlagWritten(story_id, flag, ticket))

    @named_work("save read state", thread=True, group="store-write")
    def _write_many_read(self: MainScreen, story_ids: list[str], read: bool, ticket: int) -> None:
        with self._write_lock:
            # A later change of one of these stories (m) wins: it is written by its own worker.
            wanted = [i for i in story_ids if self._unsaved_flags.get((i, "read"), (None, False))[0] == ticket]
            try:
                if wanted:
                    self._store.set_read(wanted, read)
            except StoreError as error:
                self.post_message(self.StoreFailed(str(error), reload=True))
            self.post_message(ReadStateWritten(story_ids, read, ticket))

    @named_work("read note", thread=True, group="story-text", exclusive=True)
    def _read_story_for_note(self: MainScreen, story_id: str) -> None:
        try:
            story = self._store.get(story_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False))
            return
        if story is not None:
            self.post_message(NoteReady(story))

    @named_work("save note", thread=True, group="store-write")
    def _save_note(self: MainScreen, story_id: str, note: str) -> None:
        try:
            self._store.update_story(story_id, note=note)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Note not saved"))
            return
        self.post_message(NoteSaved(story_id, note))
