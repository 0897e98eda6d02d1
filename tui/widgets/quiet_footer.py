"""The key bar at the bottom, rebuilt only when what it shows changes.

Textual's Footer rebuilds its keys (unmount, mount, a layout of the screen) every time
the screen's bindings are refreshed, and the main screen refreshes them on every move
of the cursor (whether `o` or `v` can run depends on the story).  Over SSH that is a
repaint of the footer and a re-layout per keypress for nothing: this one compares
what it would show with what it shows, and rebuilds only on a difference.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer

Shown = tuple[tuple[str, str, str, bool, str], ...]


class QuietFooter(Footer):
    """A Footer that recomposes only when its keys, their labels or whether they are enabled change."""

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._shown: Shown | None = None

    def _what_it_shows(self, screen: Screen[object]) -> Shown:
        return tuple(
            (binding.key, binding.action, binding.description, enabled, tooltip)
            for (_node, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not (screen.app.app_focus and self.is_attached and screen is self.screen):
            super().bindings_changed(screen)  # Textual's bookkeeping; it rebuilds nothing here
            return
        shown = self._what_it_shows(screen)
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)
