"""A one-line question: returns the typed text (stripped, never empty) or None when cancelled."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Input, Static

from tui.dialogs.base import Dialog


class InputDialog(Dialog[str | None]):
    """Ask for one line of text; enter or the confirm button answers, escape cancels."""

    def __init__(
        self,
        title: str,
        prompt: str,
        *,
        value: str = "",
        placeholder: str = "",
        confirm: str = "Save",
        max_length: int = 0,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self._title = title
        self._prompt = prompt
        self._value = value
        self._placeholder = placeholder
        self._confirm = confirm
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            yield Static(Content(self._prompt), classes="dialog-prompt")
            yield Input(self._value, placeholder=self._placeholder, max_length=self._max_length, id="dialog-input")
            yield Static(id="dialog-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Cancel"), id="dialog-cancel", compact=True)
                yield Button(Content(self._confirm), id="dialog-confirm", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @on(Input.Submitted)
    @on(Button.Pressed, "#dialog-confirm")
    def _answer(self) -> None:
        value = self.input.value.strip()
        if not value:
            error = self.query_one("#dialog-error", Static)
            error.update(Content("Type something first, or press escape to cancel."))
            error.display = True
            self.input.focus()
            return
        self.dismiss(value)

    @on(Button.Pressed, "#dialog-cancel")
    def _cancel(self) -> None:
        self.action_cancel()
