"""A yes-or-no question: returns True to go ahead, False otherwise."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Static

from tui.dialogs.base import Dialog


class ConfirmDialog(Dialog[bool]):
    """Ask before doing something that cannot be undone; y confirms, n or escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes", tooltip="Go ahead", id="dialog.confirm"),
        Binding("n", "cancel", "No", tooltip="Do not do it", id="dialog.refuse"),
    ]

    cancel_result = False

    def __init__(self, title: str, question: str, *, confirm: str = "Yes", id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self._title = title
        self._question = question
        self._confirm = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog") as box:
            box.border_title = self._title
            yield Static(Content(self._question), classes="dialog-prompt")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Cancel (n)"), id="dialog-cancel", compact=True)
                yield Button(Content(f"{self._confirm} (y)"), id="dialog-confirm", variant="error", compact=True)

    def on_mount(self) -> None:
        self.query_one("#dialog-cancel", Button).focus()

    def action_confirm(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#dialog-confirm")
    def _confirmed(self) -> None:
        self.action_confirm()

    @on(Button.Pressed, "#dialog-cancel")
    def _cancelled(self) -> None:
        self.action_cancel()
