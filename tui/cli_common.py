"""What every part of the `broadsheet` command shares: exit codes and one-line errors."""

from __future__ import annotations

import sys

from store.sanitize import clean_line

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad arguments or input: one line, exit status 2."""


def print_error(message: object) -> None:
    """One line on stderr; cleaned, since it may quote a file name or text from outside."""
    print(f"broadsheet: {clean_line(message)}", file=sys.stderr)
