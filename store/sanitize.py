"""Make text from outside safe to keep and to print.

Every field that came from a feed, a page or a file passes through here once, at
ingestion, so that nothing stored can carry a terminal escape sequence.  Textual
passes ESC and C1 bytes straight to the terminal, so this cannot be left to the UI.

Hand-written because it is a single ``str.translate`` table: no library does
exactly "drop what can drive a terminal or disguise text, keep everything else".
"""

from __future__ import annotations

import re

_TAB_AND_NEWLINE = {0x09, 0x0A}

# Characters that can drive a terminal: C0 controls (ESC is 0x1B), DEL and C1.
_CONTROL = [c for c in range(0x00, 0x20) if c not in _TAB_AND_NEWLINE] + [0x7F] + list(range(0x80, 0xA0))

# Characters that reorder or hide text: bidi embeddings, overrides and isolates,
# directional marks, zero-width spaces and joiners, word joiner, BOM.
_DISGUISE = [
    0x061C, 0x180E, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F,
    0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
    0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
    0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF,
]

_DROP = {code: None for code in _CONTROL + _DISGUISE}

# Whole escape sequences, so no "[31m" husk is left behind once ESC is gone:
# CSI (ESC [ or C1 0x9B) with its parameters, OSC / DCS / APC / PM / SOS strings up to
# their terminator (BEL or ST) or the end of the text, and two-byte ESC sequences.
# A string begun by a one-character C1 introducer (0x90, 0x98, 0x9D-0x9F) goes only
# when it is terminated within a short stretch free of other C1 characters: those
# characters are common in mojibake (a curly quote read twice as Latin-1 gives
# "â\x80\x9d"), and swallowing up to the next terminator would eat readable text.
# The introducer itself is dropped whatever happens (see _DROP).
_SEQUENCES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|[\x90\x98\x9d\x9e\x9f][^\x07\x1b\x80-\x9f]{0,512}(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]?"
)
# The same inside markup (a whole feed document, an HTML fragment): a sequence never
# runs past a "<" or a line end, so one stray ESC cannot swallow the tags after it.
_SEQUENCES_IN_MARKUP = re.compile(
    r"(?:\x1b\[|\x9b)[0-;=>?]*[ -/]*[@-~]?"
    r"|\x1b[\]PX^_][^\x07\x1b\x9c<\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-;=-~]?"
)
_SPACES = re.compile(r"\s+")
# Anything clean_text would change: controls, disguising characters, CR.  Most
# text has none, and then the translate and substitutions can be skipped.
_TEXT_WORK = re.compile("[" + "".join(re.escape(chr(code)) for code in _DROP) + "\r]|\n\n\n")
# Anything clean_line would change: the above, tab and newline, or runs of spaces and
# other white space (which \s also covers in Unicode).
_LINE_WORK = re.compile("[" + "".join(re.escape(chr(code)) for code in _DROP) + r"]|\s{2,}|[^\S ]")
_BLANK_LINES = re.compile(r"\n{3,}")
# Only what could drive a terminal or disguise text (no white-space folding): the check
# made on text read back from the store, which was cleaned on the way in.
_UNSAFE = re.compile("[" + "".join(re.escape(chr(code)) for code in _DROP) + "]")


def clean_text(value: object) -> str:
    """Multi-line text: controls and disguising characters removed, newlines kept."""
    if value is None:
        return ""
    text = str(value)
    if _TEXT_WORK.search(text) is None:
        return text.strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SEQUENCES.sub("", text).translate(_DROP)
    return _BLANK_LINES.sub("\n\n", text).strip()


def clean_line(value: object) -> str:
    """One-line text (titles, names, URLs): as clean_text, with all white space folded."""
    if value is None:
        return ""
    text = str(value)
    if _LINE_WORK.search(text) is None:
        return text.strip()
    text = _SEQUENCES.sub("", text).translate(_DROP)
    return _SPACES.sub(" ", text).strip()


def clean_lines(values: object) -> list[str]:
    """A list of one-line strings, empty ones dropped."""
    if not isinstance(values, (list, tuple)):
        return []
    cleaned = (clean_line(value) for value in values)
    return [value for value in cleaned if value]


def is_terminal_safe(text: str) -> bool:
    """True when the text holds nothing clean_text would drop (controls, escapes, disguising characters)."""
    return _UNSAFE.search(text) is None


def strip_escape_sequences(text: str) -> str:
    """Escape sequences begun by ESC removed whole, nothing else; safe on markup (see _SEQUENCES_IN_MARKUP).

    For the parsers, before they drop the control characters XML cannot hold:
    dropping ESC alone would leave "]0;title" in the text for good.
    """
    return _SEQUENCES_IN_MARKUP.sub("", text) if "\x1b" in text else text
