"""Bringing the story groups up to date after a command added stories (fetch, import).

No Textual here: the command line imports it.  Grouping is a courtesy to the next
list or viewer: when it fails the stories are still there, so the reader gets one
line saying so, never a traceback, and the command's exit status does not change.
"""

from __future__ import annotations

from store import Store, StoreError
from store.groupstate import Groups, GroupSync


def sync_groups(store: Store) -> tuple[GroupSync | None, list[str]]:
    """Catch the groups up with the store: what the sync did (None when it failed) and notices
    for the reader (a damaged groups file rebuilt, or why grouping failed), one line each."""
    try:
        with Groups(store.home) as groups:
            result = groups.sync(store)
            return result, list(groups.notices)
    except StoreError as error:
        return None, [f"could not group the stories: {error}"]
    except Exception as error:  # noqa: BLE001 - derived data: one line, never a traceback
        return None, [f"could not group the stories ({type(error).__name__}: {error})"]


__all__ = ["sync_groups"]
