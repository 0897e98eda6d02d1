"""What every Broadsheet dialog shares: a centred box, escape to cancel, tab between fields."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType], inherit_bindings=False):
    """A modal box; `cancel` dismisses it with `cancel_result`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without doing anything", id="dialog.cancel"),
        Binding("tab", "app.focus_next", "Next", show=False, tooltip="Go to the next field", id="dialog.next"),
        Binding(
            "shift+tab",
            "app.focus_previous",
            "Previous",
            show=False,
            tooltip="Go to the previous field",
            id="dialog.previous",
        ),
    ]

    cancel_result: ResultType | None = None

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_result)
