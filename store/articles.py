"""Full text, highlights and read-it-later: fetch a page, extract it, choose highlights, store.

The pipeline behind opening a story whose feed gave only a summary, the ``f``
key, ``broadsheet extract`` and ``broadsheet save``:

    fetch_page (store.fetch's download: one deadline, size cap, redirects by hand,
    http(s) only, Broadsheet's User-Agent)
    -> extract_article (store.extract: trafilatura, bounded, cleaned)
    -> generate_highlights (store.highlights: local, no network, no model)
    -> Store.update_story / Store.put_stories

Only http(s) addresses are ever fetched or stored (``safe_web_url``).  Nothing
here uses a shell.  Blocking work (the store, extraction, scoring) runs in
threads (``asyncio.to_thread``), so a TUI running these coroutines on its own
loop stays responsive; every failure becomes one plain sentence, never a crash.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from store.errors import StoreError, UnknownStoryError
from store.extract import DEFAULT_LIMITS, Extracted, OutputFormat, extract_article, extract_article_both, failed
from store.fetch import FetchSettings, describe_failure, download, make_client, status_text
from store.highlights import generate_highlights, strip_link_numbers
from store.model import Story, make_story_id, utc_now
from store.records import Store
from store.sanitize import clean_text
from store.weburl import MAX_URL_LENGTH, SCHEME, safe_web_url

PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, text/plain;q=0.5, */*;q=0.1"
# The page fetch shares store.fetch's machinery with its own, smaller limits: a
# page is not a feed, and a person is waiting for it.
PAGE_SETTINGS = FetchSettings(timeout=20.0, max_bytes=8 * 1024 * 1024, parse_workers=0)
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "application/xml", "text/xml", "text/plain"})
# A page with less than this share of the feed's words is a teaser, a paywall or a
# page that needs JavaScript, not the article.
MIN_SHARE_OF_FEED = 0.5
FEED_WORDS_TO_COMPARE = 150

_WORD = re.compile(r"\w+")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]{1,40})", re.I)


class ArticleError(StoreError):
    """A page could not be fetched, extracted or saved; the message is one plain sentence."""


@dataclass(frozen=True, slots=True)
class FullTextOutcome:
    """What ``fetch_full_text`` did.

    ``ok``: ``full_text`` is the article (Markdown), stored.  ``from_store``: it
    was there already, nothing was fetched.  Not ``ok``: ``reason`` says why in
    one sentence, ``full_text`` is "", and the store is unchanged (a failed
    refetch never loses the text stored before).  ``highlights`` are the story's
    highlights after the call.
    """

    ok: bool
    reason: str
    full_text: str
    from_store: bool = False
    highlights: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: its final address (after redirects), bytes and declared charset."""

    url: str
    body: bytes
    encoding: str | None = None
    content_type: str = ""


# ------------------------------------------------------------------ addresses


def _host(url: str) -> str:
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")


# ------------------------------------------------------------------ fetching


def _page_sentence(sentence: str) -> str:
    """store.fetch speaks of feeds; here it is a page."""
    return sentence.replace("The feed", "The page").replace("the feed", "the page")


async def fetch_page(
    url: str, *, client: httpx.AsyncClient | None = None, settings: FetchSettings = PAGE_SETTINGS
) -> Page:
    """GET an article page through store.fetch.download; raises ArticleError (one sentence)."""
    try:
        address = safe_web_url(url)
    except ValueError as error:
        raise ArticleError(str(error)) from None
    if client is None:
        async with make_client(settings) as own_client:
            return await fetch_page(address, client=own_client, settings=settings)
    try:
        answer = await download(client, address, settings, headers={"Accept": PAGE_ACCEPT})
    except Exception as error:
        raise ArticleError(_page_sentence(describe_failure(error))) from None
    if not 200 <= answer.status < 300:
        raise ArticleError(f"The server answered {status_text(answer.status)}.")
    content_type = answer.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if mime and mime not in PAGE_TYPES and not mime.endswith("+xml"):
        raise ArticleError(f"The address gives {mime[:60]}, not a web page.")
    charset = _CHARSET.search(content_type)
    return Page(answer.url, answer.body, charset.group(1) if charset else None, mime)


async def extract_url(
    url: str,
    *,
    output: OutputFormat = "markdown",
    client: httpx.AsyncClient | None = None,
    settings: FetchSettings = PAGE_SETTINGS,
) -> Extracted:
    """Fetch a page and extract its article.  Never raises for a bad address or page:
    ``ok`` is False and ``reason`` says why."""
    try:
        page = await fetch_page(url, client=client, settings=settings)
    except ArticleError as error:
        return failed(str(error))
    return await asyncio.to_thread(extract_article, page.body, page.url, output=output, encoding=page.encoding)


async def extract_source(
    source: str,
    *,
    output: OutputFormat = "markdown",
    client: httpx.AsyncClient | None = None,
    settings: FetchSettings = PAGE_SETTINGS,
) -> Extracted:
    """What ``broadsheet extract URL_OR_FILE`` prints: an http(s) address is fetched,
    anything else with a scheme (``javascript:``, ``file:``...) or a leading "-" is
    refused, and the rest is read as a local HTML file.  Never raises for bad input."""
    text = source.strip()
    if text.startswith("-") or (SCHEME.match(text) and not re.match(r"^[a-zA-Z]:[\\/]", text)):
        return await extract_url(text, output=output, client=client, settings=settings)
    path = Path(text).expanduser()
    limit = 4 * DEFAULT_LIMITS.max_bytes

    def read() -> bytes:
        with path.open("rb") as handle:
            return handle.read(limit + 1)

    try:
        data = await asyncio.to_thread(read)
    except OSError as error:
        return failed(f"Cannot read {text[:200]}: {error.strerror or error}.")
    return await asyncio.to_thread(extract_article, data, None, output=output)


# ------------------------------------------------------------------ the pipeline


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _less_than_feed(extracted: Extracted, feed_body: str) -> bool:
    feed_words = _words(strip_link_numbers(feed_body))
    return feed_words >= FEED_WORDS_TO_COMPARE and _words(extracted.text) < MIN_SHARE_OF_FEED * feed_words


async def fetch_full_text(
    store: Store,
    story_id: str,
    *,
    client: httpx.AsyncClient | None = None,
    force: bool = False,
    settings: FetchSettings = PAGE_SETTINGS,
) -> FullTextOutcome:
    """The story's full text: from the store when it has it (offline, instant) unless
    ``force``, else fetched from the story's address, extracted and stored.

    The story's highlights are generated again from the full text, unless it has
    highlights of its own (from a feed or a story document): those are never
    overwritten.  Never raises for a bad page or address; ``CancelledError`` passes.
    """
    try:
        story = await asyncio.to_thread(store.get, story_id)
    except StoreError as error:
        return FullTextOutcome(False, str(error), "")
    if story is None:
        return FullTextOutcome(False, "That story is no longer in the store.", "")
    if story.full_text and not force:
        return FullTextOutcome(True, "", story.full_text, from_store=True, highlights=tuple(story.highlights))
    if not story.url:
        return FullTextOutcome(False, "This story has no web address to fetch its full text from.", "")
    try:
        page = await fetch_page(story.url, client=client, settings=settings)
    except ArticleError as error:
        return FullTextOutcome(False, str(error), "")
    extracted = await asyncio.to_thread(extract_article, page.body, page.url, encoding=page.encoding)
    if not extracted.ok:
        return FullTextOutcome(False, extracted.reason, "")
    if _less_than_feed(extracted, story.body):
        return FullTextOutcome(
            False, "The page has less text than the feed (it may be behind a paywall or need JavaScript).", ""
        )
    highlights: list[str] | None = None
    if not story.highlights or story.highlights_generated:
        highlights = await asyncio.to_thread(generate_highlights, extracted.text, title=story.title) or None
    try:
        await asyncio.to_thread(
            store.update_story,
            story_id,
            full_text=extracted.text,
            highlights=highlights,
            highlights_generated=True if highlights else None,
        )
    except UnknownStoryError:
        return FullTextOutcome(False, "That story is no longer in the store.", "")
    except StoreError as error:
        return FullTextOutcome(False, str(error), "")
    kept = highlights if highlights is not None else story.highlights
    return FullTextOutcome(True, "", clean_text(extracted.text), highlights=tuple(kept))


def ensure_highlights(store: Store, story_id: str) -> list[str]:
    """The story's highlights; when it has none, 3 to 5 generated from its full text
    (or its feed text), stored and marked as generated.  [] for a story that is gone
    or has no text to choose from.  Blocking: call it from a worker thread.  A store
    that cannot be written raises StoreError, as every Store write does."""
    story = store.get(story_id)
    if story is None:
        return []
    if story.highlights:
        return list(story.highlights)
    generated = generate_highlights(story.full_text or story.body, title=story.title)
    if generated:
        try:
            store.update_story(story_id, highlights=generated, highlights_generated=True)
        except UnknownStoryError:
            return []
    return generated


def _store_saved(store: Store, story: Story) -> Story:
    """Put a saved page in the store; a story already there keeps its own fields."""
    existing = store.get(story.id)
    if existing is None:
        store.put_stories([story])
    else:
        own_highlights = bool(existing.highlights) and not existing.highlights_generated
        store.update_story(
            story.id,
            full_text=story.full_text,
            highlights=None if own_highlights else story.highlights,
            highlights_generated=None if own_highlights else story.highlights_generated,
        )
    store.set_bookmarked(story.id, True)
    return store.get(story.id) or story


async def save_url(
    store: Store, url: str, *, client: httpx.AsyncClient | None = None, settings: FetchSettings = PAGE_SETTINGS
) -> Story:
    """Read it later: turn an article page into a bookmarked story (fetched,
    extracted, highlights generated) and return it as stored.

    Its body is the article as plain text (so search finds it), its full text the
    same as Markdown.  Saving a page already in the store bookmarks that story and
    refreshes its full text.  Raises ArticleError (a StoreError: one sentence)
    for a refused address, a page that cannot be fetched, or one with no article.
    """
    page = await fetch_page(url, client=client, settings=settings)
    address = safe_web_url(url)
    extracted = await asyncio.to_thread(extract_article_both, page.body, page.url, encoding=page.encoding)
    if not extracted.ok:
        raise ArticleError(extracted.reason)
    highlights = await asyncio.to_thread(generate_highlights, extracted.plain, title=extracted.title)
    now = utc_now()
    host = _host(address)
    story = Story(
        id=make_story_id(url=address),
        title=extracted.title or host,
        source=extracted.site or host,
        url=address,
        author=extracted.author,
        published=extracted.published if extracted.published and extracted.published <= now else now,
        fetched=now,
        highlights=highlights,
        highlights_generated=bool(highlights),
        body=extracted.plain,
        full_text=extracted.text,
        bookmarked=True,
        extra={"saved": True},
    )
    try:
        return await asyncio.to_thread(_store_saved, store, story)
    except StoreError as error:
        raise ArticleError(str(error)) from None
