"""The key bar at the bottom: the screen's keys, drawn as one line by one widget.

Textual's Footer is a container with a widget per key, and it unmounts and mounts
them all whenever the screen's bindings change.  Opening a story and going back
change one label ("Open" to "Back"), and that rebuild (nine widgets mounted,
styled and laid out) was a third of the time enter and h took to show on a
100,000-story store.  This widget keeps what it shows as data, repaints one line
when that data changes, and does nothing when it does not (the main screen
refreshes its bindings on every move of the cursor).  It looks like Textual's
Footer and uses the same theme variables; a click runs the key, as there.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget


@dataclass(frozen=True, slots=True)
class ShownKey:
    """One key as the bar shows it."""

    key: str
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeyBar(Widget):
    """The screen's keys with their descriptions, the command palette's at the right."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--hover", "key-bar--separator"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--hover {
            background: $block-hover-background;
        }
        & > .key-bar--separator {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._keys: tuple[ShownKey, ...] = ()
        self._palette: ShownKey | None = None
        self._hovered: int | None = None
        # Where each key was drawn on the last render: (first column, end column, index in `shown`).
        self._spans: list[tuple[int, int, int]] = []

    @property
    def shown(self) -> tuple[ShownKey, ...]:
        """The keys on the bar, in order (the command palette's last)."""
        return (*self._keys, self._palette) if self._palette is not None else self._keys

    def on_mount(self) -> None:
        # The screen publishes its bindings once its widgets are mounted, and whenever they change.
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not self.is_attached or screen is not self.screen:
            return
        keys, palette = self._read_bindings(screen)
        if keys == self._keys and palette == self._palette:
            return
        self._keys, self._palette = keys, palette
        self.refresh()

    def _read_bindings(self, screen: Screen[object]) -> tuple[tuple[ShownKey, ...], ShownKey | None]:
        """The shown bindings, one per action (the first key bound to it), as Textual's Footer picks them."""
        app = self.app
        palette_key = app.COMMAND_PALETTE_BINDING if app.ENABLE_COMMAND_PALETTE else None
        keys: list[ShownKey] = []
        actions: set[str] = set()
        palette: ShownKey | None = None
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items():
            if key == palette_key:
                shown = ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled,
                                 binding.tooltip or binding.description)
                palette = shown
                continue
            if not binding.show or binding.action in actions:
                continue
            actions.add(binding.action)
            keys.append(ShownKey(binding.key, app.get_key_display(binding), binding.description, enabled, tooltip))
        return tuple(keys), palette

    # ------------------------------------------------------------ drawing

    def render(self) -> Text:
        width = self.size.width
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        hover_style = self.get_component_rich_style("key-bar--hover", partial=True)
        dim = Style(dim=True)
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, int]] = []

        palette_text = Text()
        if self._palette is not None:
            palette_text.append("▏", self.get_component_rich_style("key-bar--separator", partial=True))
            palette_text.append(self._palette.display, key_style)
            palette_text.append(f" {self._palette.description} ", description_style)
        room = max(0, width - palette_text.cell_len - 1) if self._palette is not None else width

        for index, shown in enumerate(self._keys):
            piece = Text()
            piece.append(f" {shown.display} ", key_style)
            if shown.description:
                piece.append(f"{shown.description} ", description_style)
            if not shown.enabled:
                piece.stylize(dim)
            if index == self._hovered:
                piece.stylize(hover_style)
            if line.cell_len + piece.cell_len > room:
                break
            start = line.cell_len
            line.append_text(piece)
            spans.append((start, line.cell_len, index))

        if self._palette is not None and palette_text.cell_len <= width:
            start = width - palette_text.cell_len
            line.append(" " * (start - line.cell_len))
            if not self._palette.enabled:
                palette_text.stylize(dim)
            if self._hovered == len(self._keys):
                palette_text.stylize(hover_style, 1)
            line.append_text(palette_text)
            spans.append((start + 1, width, len(self._keys)))
        self._spans = spans
        return line

    # ------------------------------------------------------------ mouse

    def _key_at(self, x: int) -> int | None:
        for start, end, index in self._spans:
            if start <= x < end:
                return index
        return None

    def on_mouse_move(self, event: events.MouseMove) -> None:
        hovered = self._key_at(event.x)
        if hovered != self._hovered:
            self._hovered = hovered
            keys = self.shown
            self.tooltip = keys[hovered].tooltip or keys[hovered].description if hovered is not None else None
            self.refresh()

    def on_leave(self, event: events.Leave) -> None:
        if self._hovered is not None:
            self._hovered = None
            self.tooltip = None
            self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = self._key_at(event.x)
        if index is None:
            return
        event.stop()
        shown = self.shown[index]
        if not shown.enabled:
            self.app.bell()
        else:
            self.app.simulate_key(shown.key)
