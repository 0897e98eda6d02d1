"""The note editor: a few lines of the reader's own words on a story.  Returns the text or None."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static, TextArea

from tui.dialogs.base import Dialog


class NoteDialog(Dialog[str | None]):
    """Edit a story's note: ctrl+s saves (an empty note removes it), escape leaves it as it was."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", tooltip="Save the note", id="note.save"),
    ]

    def __init__(self, story_title: str, note: str, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self._story_title = story_title
        self._note = note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog note-dialog") as box:
            box.border_title = "Note"
            box.border_subtitle = "ctrl+s save · escape cancel"
            yield Static(Content(self._story_title), classes="dialog-prompt note-story")
            yield TextArea(self._note, soft_wrap=True, id="note-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Cancel"), id="dialog-cancel", compact=True)
                yield Button(Content("Save"), id="dialog-confirm", variant="primary", compact=True)

    def on_mount(self) -> None:
        text_area = self.query_one(TextArea)
        text_area.focus()
        text_area.move_cursor(text_area.document.end)

    @property
    def text_area(self) -> TextArea:
        return self.query_one(TextArea)

    def action_save(self) -> None:
        self.dismiss(self.text_area.text.strip())

    @on(Button.Pressed, "#dialog-confirm")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
