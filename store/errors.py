"""Errors the store raises.  Each message is one plain line a person can act on."""


class StoreError(Exception):
    """Something the user must be told about, in one line."""


class UnknownStoryError(StoreError):
    """No story has that id (or the prefix names several)."""


class StoreWriteError(StoreError):
    """A write could not be completed; what was on disk before is intact."""
