"""Full text in the viewer: whether to fetch it on open, and the line that says which text is shown.

Plain functions, no widgets: the main screen keeps the state (which stories are
being fetched, which failed and why, which the reader switched to feed text) and
asks here what the viewer should say about it.
"""

from __future__ import annotations

from collections.abc import Mapping

from store import Story
from tui.widgets.story_view import TextChoice

FULL_TEXT_VARIABLE = "BROADSHEET_FULL_TEXT"
""""auto" (the default): opening a story whose feed gave only a summary fetches its page.
"manual": only f fetches (nothing is fetched behind the reader's back)."""

MANUAL_VALUES = frozenset({"manual", "off", "no", "0", "false"})

FETCHING = "Fetching the full text from the page…"


def fetch_on_open(environ: Mapping[str, str]) -> bool:
    """Whether opening a story whose feed gave only a summary fetches its page (BROADSHEET_FULL_TEXT)."""
    return environ.get(FULL_TEXT_VARIABLE, "auto").strip().lower() not in MANUAL_VALUES


def as_clause(sentence: str) -> str:
    """A sentence to follow a colon: "The server answered 404." -> "the server answered 404."."""
    if len(sentence) > 1 and sentence[0].isupper() and sentence[1].islower():
        return sentence[0].lower() + sentence[1:]
    return sentence


def failure_line(reason: str) -> str:
    """The one line shown above the feed text when the page could not be fetched or read."""
    return f"Could not get the full text: {as_clause(reason.strip() or 'the page gave no article.')} f: try again."


def text_choice(story: Story, *, feed_text: bool, fetching: bool, failure: str) -> TextChoice:
    """What the viewer shows of `story`, and the line above the text."""
    if fetching:
        return TextChoice(feed_text=feed_text, notice=FETCHING)
    if failure and story.full_text:
        notice = f"Could not fetch the page again: {as_clause(failure)} The text fetched before is shown."
        return TextChoice(feed_text=feed_text, notice=notice, warning=True)
    if failure:
        return TextChoice(feed_text=feed_text, notice=failure_line(failure), warning=True)
    if not story.full_text:
        return TextChoice()
    if feed_text:
        return TextChoice(feed_text=True, notice="Feed text · v: the full text from the page")
    return TextChoice(notice="Full text from the page · v: the feed text · f: fetch again")
