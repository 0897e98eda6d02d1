"""Broadsheet's search language, parsed into an FTS5 expression and SQL filters.

    words            all must match (stemmed, case and accent blind)
    "exact phrase"   the words in this order
    launch*          any word starting with "launch"
    -word            stories without it (also -"a phrase", -title:word)
    a OR b           either (binds tighter than the AND between words)
    title:  source:  author:      the word or "phrase" in that field only
    is:unread  is:read  is:bookmarked
    before:2026-11-01  after:2026-10-01   (local dates; after: includes the day)

Hand-written because it is the product's own small language: FTS5's syntax is
not safe to hand a user (a stray quote or keyword is a syntax error, and column
filters and dates are not words), so every term is quoted before it reaches
SQLite and a malformed query gets one plain sentence instead of an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

FIELDS = ("title", "source", "author")
FILTERS = ("is", "before", "after")
MIN_PREFIX = 3  # a shorter prefix matches most of the index: slow, and useless as a search
FLAGS = {"unread": ("read", False), "read": ("read", True), "bookmarked": ("bookmarked", True)}


# Han, kana and Hangul: scripts written without spaces between words.  SQLite's
# unicode61 tokenizer would take a whole run of them as one token, so each is
# spread out into a token of its own, in the index and in queries alike; a
# query word then becomes a phrase of adjacent characters.
_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])")


def spread_cjk(text: str) -> str:
    return _CJK.sub(r" \1 ", text) if _CJK.search(text) else text


def is_cjk(char: str) -> bool:
    return bool(_CJK.fullmatch(char))


class QueryError(ValueError):
    """A query that cannot be understood; the message says why, in plain words."""


@dataclass(frozen=True, slots=True)
class Term:
    text: str
    phrase: bool = False
    prefix: bool = False
    field: str | None = None

    def fts(self) -> str:
        quoted = '"' + spread_cjk(self.text).replace('"', '""') + '"'
        if self.prefix:
            quoted += " *"
        return f"{self.field} : {quoted}" if self.field else quoted


@dataclass(slots=True)
class Query:
    text: str
    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)
    read: bool | None = None
    bookmarked: bool | None = None
    before: datetime | None = None
    after: datetime | None = None

    @property
    def has_words(self) -> bool:
        return bool(self.groups)

    @property
    def is_empty(self) -> bool:
        return not (self.groups or self.excluded or self.has_filters)

    @property
    def has_filters(self) -> bool:
        return any(value is not None for value in (self.read, self.bookmarked, self.before, self.after))

    def match_expression(self) -> str | None:
        """The FTS5 MATCH text for the words (None when the query has none)."""
        if not self.groups:
            return None
        expression = " AND ".join("(" + " OR ".join(term.fts() for term in group) + ")" for group in self.groups)
        for term in self.excluded:
            expression += f" NOT {term.fts()}"
        return expression

    def exclusion_expression(self) -> str | None:
        """For a query of exclusions only: what the stories must not match."""
        if self.groups or not self.excluded:
            return None
        return " OR ".join(term.fts() for term in self.excluded)

    def highlight_terms(self) -> list[Term]:
        """The terms to mark in a matching story's text."""
        return [term for group in self.groups for term in group]


_TOKEN = re.compile(
    r"""\s*(?:
        (?P<neg>-)?(?:(?P<field>[A-Za-z]+):)?(?P<quote>")(?P<phrase>[^"]*)(?P<closed>")?
      | (?P<neg2>-)?(?:(?P<field2>[A-Za-z]+):)?(?P<word>[^\s"]+)
    )""",
    re.VERBOSE,
)


_EXAMPLES = {
    "is": "is:unread",
    "before": "before:2026-11-24",
    "after": "after:2026-11-01",
    "title": "title:launch",
    "source": "source:reuters",
    "author": 'author:"ana perez"',
}


def _has_word_characters(text: str) -> bool:
    return any(char.isalnum() for char in text)


def _parse_date(name: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{name}: needs a date like 2026-11-24, not {value!r}") from None


def _local_midnight(name: str, day: date) -> datetime:
    try:
        return datetime.combine(day, time()).astimezone()
    except (ValueError, OverflowError):  # year 1, or the end of year 9999, in some time zones
        raise QueryError(f"{name}: the date {day.isoformat()} is out of range") from None


def _apply_filter(query: Query, name: str, value: str) -> None:
    if name == "is":
        if value not in FLAGS:
            raise QueryError(f"is: takes unread, read or bookmarked, not {value!r}")
        attribute, wanted = FLAGS[value]
        setattr(query, attribute, wanted)
    elif name == "before":
        query.before = _local_midnight(name, _parse_date(name, value))
    elif name == "after":
        query.after = _local_midnight(name, _parse_date(name, value))


def parse_query(text: str) -> Query:
    """Parse a search; raises QueryError with one plain sentence when it can't."""
    query = Query(text=text)
    position, joining, last_was_term = 0, False, False
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:  # pragma: no cover - the pattern matches any non-space text
            raise QueryError(f"cannot read the query from {stripped[position:]!r}")
        position = match.end()
        negated = bool(match["neg"] or match["neg2"])
        field_name = (match["field"] or match["field2"] or "").lower()
        if match["quote"]:
            if match["closed"] is None:
                raise QueryError('a quote (") is not closed')
            value, phrase = match["phrase"].strip(), True
        else:
            value, phrase = match["word"], False
        if not phrase and not field_name and value.endswith(":") and value[:-1].lower() in FIELDS + FILTERS:
            raise QueryError(f"{value.lower()} needs something after it, e.g. {_EXAMPLES[value[:-1].lower()]}")
        if not phrase and value == "OR" and not field_name and not negated:
            if not last_was_term or joining:
                raise QueryError("OR needs a word on each side")
            joining = True
            continue
        if field_name in ("is", "before", "after"):
            if joining:
                raise QueryError("OR joins words, not filters like " + f"{field_name}:")
            if negated:
                raise QueryError(f"{field_name}: filters cannot be negated with -")
            _apply_filter(query, field_name, value.lower())
            last_was_term = False
            continue
        term = _make_term(field_name, value, phrase)
        if term is None:
            if field_name in FIELDS:
                raise QueryError(f"{field_name}: needs a word after it")
            continue
        if negated:
            if joining:
                raise QueryError("OR cannot join an excluded word")
            query.excluded.append(term)
        elif joining:
            query.groups[-1].append(term)
            joining = False
        else:
            query.groups.append([term])
        last_was_term = not negated
    if joining:
        raise QueryError("OR needs a word on each side")
    return query


def _make_term(field_name: str, value: str, phrase: bool) -> Term | None:
    """A term from one token; a field we don't know is read as plain words (e.g. 10:30)."""
    if field_name and field_name not in FIELDS:
        value = f"{field_name}:{value}"
        field_name = ""
    prefix = not phrase and value.endswith("*")
    value = value.rstrip("*") if prefix else value
    if not _has_word_characters(value):
        return None
    if prefix and len(value) < MIN_PREFIX:
        raise QueryError(f"a prefix search needs at least {MIN_PREFIX} letters before the *, not {value!r}")
    return Term(text=value, phrase=phrase, prefix=prefix, field=field_name or None)

