"""Subscriptions: the feeds a store follows, and how each one fared last time.

Kept in ``<home>/feeds.json``, a TinyDB file written through store.storage's
RecordFile (written atomically; re-read only when another process replaced
it), one record per feed keyed by its address.  Every change takes the store's
lock, re-reads the file if another process changed it, and writes once, so a
``broadsheet fetch`` and a TUI refreshing the same store never lose each other's
changes.  A whole fetch's bookkeeping goes in one write (``update_many``).
"""

from __future__ import annotations

import ipaddress
import json
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import orjson

from store.errors import StoreError
from store.model import parse_stored_time, utc_now
from store.sanitize import clean_line, clean_lines
from store.storage import RecordFile, Tables, atomic_write, file_signature, store_lock

FEEDS_FILE = "feeds.json"
_TIME_FIELDS = ("added", "last_success", "retry_after_until")
# "name:" that is not "host:port": javascript:, mailto:, ftp://...
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_NUMERIC_HOST = re.compile(r"[0-9.]+")
_HOST_LABEL = re.compile(r"[a-z0-9_-]+")
_RECORD_START = re.compile(r'"(https?://(?:[^"\\]|\\.)+)"\s*:\s*(?=\{)')


class InvalidFeedAddress(StoreError):
    """Not an http(s) address; the message says why, in one sentence."""


@dataclass(slots=True)
class Feed:
    """One subscription and the outcome of its last fetch."""

    url: str
    title: str = ""
    tags: list[str] = field(default_factory=list)
    site_url: str = ""
    added: datetime = field(default_factory=utc_now)
    etag: str = ""
    last_modified: str = ""
    last_status: int | None = None
    last_success: datetime | None = None
    last_error: str = ""
    gone: bool = False
    retry_after_until: datetime | None = None
    # The address the feed's story ids are scoped to: the one it was first
    # subscribed under, kept when a 301 moves the feed, so its stories keep their ids.
    story_key: str = ""

    def __post_init__(self) -> None:
        self.story_key = self.story_key or self.url
        self.tags = normalize_tags(self.tags)

    def as_json(self, counts: dict[str, tuple[int, int]] | None = None) -> dict[str, Any]:
        """The object ``broadsheet feeds --json`` prints; ``counts`` is ``Store.feed_counts()``."""
        stories, unread = (counts or {}).get(self.url, (0, 0))
        return {
            "url": self.url,
            "title": self.title,
            "tags": list(self.tags),
            "stories": stories,
            "unread": unread,
            "last_status": self.last_status,
            "last_success": self.last_success.isoformat() if self.last_success else None,
            "error": self.last_error or None,
        }


FEED_FIELDS = frozenset(f.name for f in fields(Feed))


def normalize_tags(tags: Iterable[object]) -> list[str]:
    """Tags as one-line strings, without blanks or repeats, in their order."""
    cleaned = (clean_line(tag) for tag in tags)
    return list(dict.fromkeys(tag for tag in cleaned if tag))


def normalize_feed_url(text: str) -> str:
    """An address as Broadsheet keeps it: http(s), lower-case scheme and host, no fragment.

    A bare host or path ("example.com/feed") is taken as https.  The host must
    be an IP address or a host name that DNS could hold (see check_host); an
    invisible or control character in it is refused, not dropped, since the
    host would then not be the one the user saw.  Raises InvalidFeedAddress,
    with one sentence, for anything else.
    """
    raw = str(text).strip()
    text = clean_line(raw)
    if not text:
        raise InvalidFeedAddress("The address is empty.")
    if any(_invisible(char) for char in _authority(raw)):
        raise InvalidFeedAddress(
            f"The address is not valid: its host name holds a space, an invisible or a control character ({text})."
        )
    if not _HAS_SCHEME.match(text):
        text = "https://" + text.lstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise InvalidFeedAddress(f"The address is not valid: {text}.") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise InvalidFeedAddress(f"The address is not a web address (http or https): {text}.")
    if not parts.hostname:
        raise InvalidFeedAddress(f"The address has no host name: {text}.")
    if "\\" in parts.netloc:
        # Browsers read a backslash as "/" (the host ends there); httpx and urllib do not: refused, not guessed.
        raise InvalidFeedAddress(f"The address is not valid: a backslash before its path ({text}).")
    host = parts.hostname.lower()
    problem = check_host(host)
    if problem:
        raise InvalidFeedAddress(f"The address is not valid: the host name {host[:100]} {problem}.")
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    if parts.username or parts.password:
        credentials = parts.username or ""
        credentials += f":{parts.password}" if parts.password is not None else ""
        netloc = f"{credentials}@{netloc}"
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query, ""))


def _authority(text: str) -> str:
    """The user, host and port part of an address as typed (scheme or not)."""
    scheme = _HAS_SCHEME.match(text)
    rest = text[scheme.end() :] if scheme else text
    return re.split(r"[/?#\\]", rest.lstrip("/\\"), maxsplit=1)[0]


def _invisible(char: str) -> bool:
    """Controls, formatting characters (bidi, zero-width), unassigned ones and white space."""
    return unicodedata.category(char)[0] in "CZ"


def check_host(host: str) -> str:
    """Why ``host`` (lower case, without brackets) cannot be a web server's name, or "" when it can.

    IPv4 and IPv6 addresses are taken when valid.  A name must have labels of
    1 to 63 letters, digits, hyphens (not first or last) or underscores (not
    in the standard but found on real servers), 253 characters in all once
    IDNA-encoded; an "xn--" label must be valid punycode, and an international
    name valid IDNA 2008 (as httpx, which fetches it, requires).
    """
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return "is not a valid IPv6 address"
        return ""
    if _NUMERIC_HOST.fullmatch(host):
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            return "is not a valid IPv4 address"
        return ""
    name = host[:-1] if host.endswith(".") else host  # "example.com." is fully qualified, and fine
    if not name.isascii():
        import idna  # only here and below: its tables take a while to load

        try:
            name = idna.encode(name).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            return "is not a valid international domain name"
    if len(name) > 253:
        return "is longer than 253 characters"
    for label in name.split("."):
        if not label:
            return "has an empty part"
        if len(label) > 63:
            return "has a part longer than 63 characters"
        if label.startswith("-") or label.endswith("-"):
            return "has a part that starts or ends with '-'"
        if not _HOST_LABEL.fullmatch(label):
            return "holds characters a host name cannot"
        if label.startswith("xn--"):
            import idna

            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError):
                return "is not a valid international domain name"
    return ""


def feed_to_record(feed: Feed) -> dict[str, Any]:
    record = asdict(feed)
    for name in _TIME_FIELDS:
        value = record[name]
        record[name] = value.isoformat() if isinstance(value, datetime) else None
    return record


def feed_from_record(url: str, record: dict[str, Any]) -> Feed:
    """A feed from its stored record, tolerating missing or odd fields."""
    values = {name: record[name] for name in FEED_FIELDS if name in record}
    values["url"] = url
    for name in _TIME_FIELDS:
        raw = values.get(name)
        values[name] = parse_stored_time(raw) if isinstance(raw, str) else None
    if values["added"] is None:
        values["added"] = utc_now()
    if not isinstance(values.get("tags"), list):
        values["tags"] = []
    status = values.get("last_status")
    values["last_status"] = status if isinstance(status, int) and not isinstance(status, bool) else None
    for name in ("title", "site_url", "etag", "last_modified", "last_error", "story_key"):
        values[name] = values[name] if isinstance(values.get(name), str) else ""
    values["gone"] = bool(values.get("gone"))
    # What the feed list shows is cleaned on the way out too: a hand-edited feeds.json must
    # not drive the terminal (ingestion cleans these already, so this is nearly free).
    for name in ("title", "site_url", "last_error"):
        values[name] = clean_line(values[name])
    values["tags"] = clean_lines(values["tags"])
    return Feed(**values)


def _record_changes(fields_to_set: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields_to_set) - FEED_FIELDS - {"url"}
    if unknown:
        raise TypeError(f"unknown feed fields: {', '.join(sorted(unknown))}")
    changes = dict(fields_to_set)
    for name in _TIME_FIELDS:
        if name in changes:
            value = changes[name]
            changes[name] = value.isoformat() if isinstance(value, datetime) else None
    if "tags" in changes:
        changes["tags"] = normalize_tags(changes["tags"])
    return changes


def salvage_feed_records(raw: bytes) -> dict[str, dict[str, Any]]:
    """Every feed record that still parses in a damaged feeds file."""
    text = raw.decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    found: dict[str, dict[str, Any]] = {}
    for match in _RECORD_START.finditer(text):
        try:
            url = json.loads(f'"{match.group(1)}"')
            record, _ = decoder.raw_decode(text, match.end())
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("url", url) == url:
            found[url] = record
    return found


class FeedList:
    """The subscriptions of the store in ``home``.  Safe from any thread and any process."""

    def __init__(self, home: Path | str) -> None:
        self.home = Path(home).expanduser()
        self.notices: list[str] = []
        try:
            self.home.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot use {self.home} as a store: {error.strerror or error}") from None
        self.path = self.home / FEEDS_FILE
        self._mutex = threading.RLock()
        self._lock = store_lock(self.home)
        self._file = RecordFile(self.path, self._on_damage)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> FeedList:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- reading

    def all(self) -> list[Feed]:
        """Every feed, in the order they were added."""
        with self._mutex:
            records = self._file.table.records()
            return [feed_from_record(url, record) for url, record in records.items()]

    def get(self, url: str) -> Feed | None:
        with self._mutex:
            record = self._file.table.get_record(url)
        return feed_from_record(url, record) if record is not None else None

    def __len__(self) -> int:
        with self._mutex:
            return len(self._file.table.records())

    # ----------------------------------------------------------------- writing

    def add(self, feed: Feed) -> bool:
        """Subscribe; False (and no change) when that address is already followed."""
        return bool(self.add_many([feed]))

    def add_many(self, feeds: Iterable[Feed]) -> list[str]:
        """Subscribe to each feed not yet followed, in one write; returns the addresses added."""
        with self._mutex, self._lock:
            current = self._file.table.records()
            new: dict[str, dict[str, Any]] = {}
            for feed in feeds:
                if feed.url not in current and feed.url not in new:
                    new[feed.url] = feed_to_record(feed)
            if new:
                self._file.table.merge_records(new)
            return list(new)

    def remove(self, url: str) -> bool:
        """Unsubscribe; False when that address was not followed."""
        with self._mutex, self._lock:
            if url not in self._file.table.records():
                return False
            self._file.table.remove_records([url])
            return True

    def update(self, url: str, **fields_to_set: Any) -> Feed | None:
        """Change some fields of one feed; None when it is not followed (any more)."""
        self.update_many({url: fields_to_set})
        return self.get(url)

    def update_many(self, changes: dict[str, dict[str, Any]]) -> None:
        """Change fields of many feeds in one write.  Feeds removed meanwhile stay removed."""
        prepared = {url: _record_changes(values) for url, values in changes.items()}
        with self._mutex, self._lock:
            current = self._file.table.records()
            wanted = {url: values for url, values in prepared.items() if url in current and values}
            if wanted:
                self._file.table.merge_records(wanted)

    def rename(self, old_url: str, new_url: str) -> Feed | None:
        """The feed moved for good (301/308): follow it at its new address.

        When the new address is already followed, the two become one: the tags
        are merged and the old entry goes.  Returns the feed at its new address.
        """
        if old_url == new_url:
            return self.get(old_url)
        with self._mutex, self._lock:
            records = self._file.table.records()
            old = records.get(old_url)
            if old is None:
                return None
            existing = records.get(new_url)
            if existing is None:
                moved = feed_from_record(old_url, old)
                moved.url = new_url
                self._file.table.merge_records({new_url: feed_to_record(moved)})
            else:
                tags = normalize_tags([*existing.get("tags", []), *old.get("tags", [])])
                self._file.table.merge_records({new_url: {"tags": tags}})
            # Added first, removed second: a crash in between leaves both, never neither.
            self._file.table.remove_records([old_url])
        return self.get(new_url)

    # ----------------------------------------------------------------- damage

    def _on_damage(self, path: Path, raw: bytes, reason: str) -> Tables:
        """A feeds file that does not parse: move it aside, keep every readable feed, say so."""
        with self._mutex, self._lock:
            if file_signature(path) is None:
                return {}
            records = salvage_feed_records(raw)
            damaged = self.home / "damaged"
            damaged.mkdir(exist_ok=True)
            target = damaged / f"{path.name}.{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
            path.replace(target)
            count = f"{len(records)} readable feed{'s' if len(records) != 1 else ''}"
            self.notices.append(f"{path.name} was damaged: {reason}; moved it to {target}; kept {count}")
            tables: Tables = {RecordFile.TABLE: records}
            if records:
                atomic_write(path, orjson.dumps(tables))
            return tables
