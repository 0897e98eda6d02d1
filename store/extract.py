"""The main text of an article page, as Markdown or plain text.

trafilatura finds the article: it measures best among open-source Python
extractors on public article-body benchmarks (ScrapingHub's article extraction
benchmark lists trafilatura 2.0.0 at F1 0.958 with its default, balanced
settings, comments off: the settings used here; see bench/extract.py).  This
module wraps it so that what comes out is safe and bounded:

* Scripts, styles and comments are removed in one linear pass, what remains is
  cut at ``max_bytes`` and parsed here with lxml, embedded objects are dropped,
  and the body is cut to a budget of elements and characters before trafilatura
  sees it: extraction time is bounded whatever the page (see ``PageLimits``).
* Every link is made absolute against the page's address and kept only when it
  is http(s); a ``javascript:``, ``data:``, ``mailto:`` or ``file:`` link keeps
  its words and loses its target.
* Quotes become Markdown quotes (trafilatura renders them as plain paragraphs),
  and a first heading that repeats the title is dropped (the viewer shows the title).
* Short paragraphs that are only the page talking about itself ("Advertisement",
  "Sign up for our newsletter", "Read more: ...", "5 min read") are dropped.
* The plain text is the Markdown without its markup (see store.highlights).
* The text goes through ``clean_text``: no terminal escape sequence or
  disguising character survives, whether the text is stored or printed.
* The extracted text is cut at ``max_chars``, at a paragraph break, with a line
  that says so.

Nothing here touches the network: see store.articles for fetching.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import lxml.html
from lxml import etree

from store.highlights import markdown_to_plain, strip_link_numbers
from store.htmltext import web_link
from store.sanitize import clean_line, clean_text

# trafilatura and its helpers log at WARNING for every page they discard; with no
# handler configured, Python would print that on stderr, over a running TUI.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


OutputFormat = Literal["markdown", "text"]
# trafilatura's trade-off: "balanced" is what the public benchmark figures are for
# (and scored best on bench/extract.py's pages); "precision" drops more, "recall" keeps more.
Focus = Literal["balanced", "precision", "recall"]
DEFAULT_FOCUS: Focus = "balanced"

_WORD = re.compile(r"\w+")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.I)
_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_BLANK_LINES = re.compile(r"\n{3,}")
# Scripts, styles and comments: often most of a page's bytes (inline app state, CSS),
# never its text.  Removed before the page is cut to size, so a 3 MB script cannot
# push the article past the cut.  JSON-LD is kept: it holds the title, author and date.
_INERT_START = re.compile(r"<(script|style)\b([^>]*)>|<!--", re.I)
_JSON_LD = re.compile(r"application/ld\+json", re.I)
_NUMERIC_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));?")
_SENTENCE_END = re.compile(r"[.!?…:;][\"'”’»)\]*_]*\s*$")
# Marks where a quote's lines start, through trafilatura's renderer (which drops
# private-use and invisible characters, so the mark is made of letters).
_QUOTE_MARK = "QxBroadsheetQuoteQx"
_DROPPED_ELEMENTS = (
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "audio", "video", "map", "applet", "frameset", "frame",
)  # fmt: skip
_SUMMARY_WORDS = 150
_READ_MORE = re.compile(
    r"(?:read|see)\s+(?:the\s+)?(?:more|rest|full|whole|complete|entire|original)\b"
    r"|\b(?:continue|continues|keep)\s+reading"
    r"|\bfull\s+(?:story|article|text|post|report)\b"
    r"|\bmore\s*(?:»|›|>>|→)"
    r"|\[\s*(?:…|\.\.\.)\s*\]"
    r"|(?:…|\.\.\.)\s*\W{0,3}\s*$",
    re.I,
)
# A paragraph that is only the page talking about itself: dropped when it is short.
# Strict on purpose (whole labels, or these words at the very start), so that a story
# about newsletters or subscribers keeps its paragraphs.
_PAGE_TALK = re.compile(
    r"^\W*(?:advertisement|advertising|ad|sponsored(?:\s+content)?|promoted(?:\s+content)?"
    r"|story\s+continues\s+below(?:\s+(?:this\s+)?advert(?:isement)?)?|scroll\s+to\s+continue.*|skip\s+advert(?:isement)?"
    r"|\d+\s*min(?:ute)?s?\s+read)\W*$"
    r"|^\W*(?:sign\s*up|subscribe|register)\b.{0,200}\b(?:newsletter|inbox|e-?mail|briefing|alerts?)\b"
    r"|^\W*(?:listen\s+to\s+(?:this|the)\s+(?:article|story)|(?:click|tap)\s+here\b|follow\s+us\b|share\s+(?:this|on)\b)"
    r"|^\W*(?:read\s+more|read\s+next|related|see\s+also|more\s+on\s+this(?:\s+story)?|recommended|most\s+read)\s*:",
    re.I,
)
_PAGE_TALK_WORDS = 40


@dataclass(frozen=True, slots=True)
class PageLimits:
    """What extraction reads at most: the bounds that keep its time bounded.

    Measured with bench/extract.py --timing: 2 MB of div soup (20,000 small
    blocks) takes plain trafilatura 1.6 s and this module 0.9 s, the slowest page
    shape measured within these limits; a 500 KB article 0.1 s.  Scripts, styles
    and comments are removed before the cut, so they do not count.
    """

    # Bytes (or characters) of HTML parsed at most; the rest is cut before parsing.
    max_bytes: int = 2_000_000
    # Elements and characters of the page body handed to trafilatura at most.
    max_elements: int = 25_000
    max_page_chars: int = 400_000
    # Characters of extracted text kept at most (a long read is 60,000; a book chapter 200,000).
    max_chars: int = 200_000
    # Fewer words than this is not an article (an index, a sign-in page, a page that needs JavaScript).
    min_words: int = 40


DEFAULT_LIMITS = PageLimits()


@dataclass(frozen=True, slots=True)
class Extracted:
    """An article's text and what the page says about it.

    ``ok`` False means no article text was found; ``reason`` then says why in
    one plain sentence, and ``text`` is empty.  Every field is already cleaned
    (see store.sanitize): safe to print or show.
    """

    title: str
    text: str
    author: str = ""
    published: datetime | None = None
    ok: bool = True
    reason: str = ""
    # The site's name as the page gives it ("" when it does not).
    site: str = ""
    # True when the page or its text was longer than the limits and was cut.
    cut: bool = False
    # The same article as plain text, when asked for along with Markdown (see extract_article_both).
    plain: str = ""


def failed(reason: str, title: str = "") -> Extracted:
    return Extracted(title=clean_line(title), text="", ok=False, reason=reason)


def cut_note(limits: PageLimits = DEFAULT_LIMITS) -> str:
    """The line (Markdown) that ends a text which was cut."""
    return f"*The article is cut here: the page is longer than Broadsheet keeps ({limits.max_chars:,} characters).*"


# ------------------------------------------------------------------ decoding and parsing


def decode_page(data: bytes, declared: str | None = None) -> str:
    """Bytes of a page as text: byte-order mark, then the declared charset, then <meta>, then UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, "replace")
    candidates = [declared] if declared else []
    found = _META_CHARSET.search(data[:4096])
    if found:
        candidates.append(found.group(1).decode("ascii", "replace"))
    candidates.append("utf-8")
    for name in candidates:
        try:
            return data.decode(name)
        except (LookupError, UnicodeDecodeError):
            continue
    # Not valid in any charset it names: windows-1252 reads every byte, as browsers do.
    return data.decode("cp1252", "replace")


def _inert_end(lowered: str, name: str, start: int) -> int:
    """Where a script, style (``name``) or comment ("") that opened before ``start`` ends."""
    if not name:
        closer = lowered.find("-->", start)
        return len(lowered) if closer < 0 else closer + 3
    closer = lowered.find(f"</{name}", start)
    if closer < 0:
        return len(lowered)
    bracket = lowered.find(">", closer)
    return len(lowered) if bracket < 0 else bracket + 1


def strip_inert(html: str) -> str:
    """``html`` without scripts (JSON-LD excepted), styles and comments, in one linear pass.

    An element left open runs to the end of the page, as in a browser.
    """
    lowered = html.lower()
    pieces: list[str] = []
    position = 0
    while True:
        found = _INERT_START.search(html, position)
        if found is None:
            pieces.append(html[position:])
            break
        name = (found.group(1) or "").lower()
        end = _inert_end(lowered, name, found.end())
        pieces.append(html[position : found.start()])
        if name == "script" and _JSON_LD.search(found.group(2) or ""):
            pieces.append(html[found.start() : end])
        else:
            pieces.append(" ")
        position = end
    return "".join(pieces)


def _numeric_reference(match: re.Match[str]) -> str:
    """``&#27;`` and kin: a control character would reach the tree (and stop trafilatura)."""
    hexadecimal, decimal = match.groups()
    code = int(hexadecimal, 16) if hexadecimal else int(decimal)
    if 0x80 <= code <= 0x9F:  # as browsers read them: windows-1252
        return bytes([code]).decode("cp1252", "ignore")
    if code in (0x09, 0x0A, 0x0D) or 0x20 <= code < 0x7F or 0xA0 <= code < 0xD800 or 0xE000 <= code <= 0x10FFFF:
        return match.group(0)
    return ""


def _parse(html: str) -> lxml.html.HtmlElement | None:
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True, default_doctype=False)
    html = _XML_DECLARATION.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    return root if isinstance(root, lxml.html.HtmlElement) else None


def _drop_unreadable(root: lxml.html.HtmlElement) -> None:
    """Scripts (JSON-LD metadata excepted), styles and embedded objects: never article text."""
    for element in list(root.iter(*_DROPPED_ELEMENTS)):
        if element.tag == "script" and (element.get("type") or "").strip().lower() == "application/ld+json":
            continue
        parent = element.getparent()
        if parent is not None:
            element.drop_tree()  # keeps the tail text, which belongs to the parent


def _own_address(root: lxml.html.HtmlElement) -> str:
    """The address a page gives itself (canonical link, og:url), for a page read from a file."""
    for found in root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content"):
        address = web_link(str(found))
        if address:
            return address
    return ""


def _resolve_links(root: lxml.html.HtmlElement, base: str) -> None:
    """Every link absolute against the page's address, or no link at all when it is not http(s)."""
    for link in root.iter("a"):
        href = link.get("href")
        if href is None:
            continue
        target = web_link(href, base)
        if target:
            link.set("href", target)
        else:
            del link.attrib["href"]


def _remove_from(element: etree._Element, root: etree._Element) -> None:
    """Remove ``element`` and everything after it in document order, up to ``root``."""
    node = element
    while node is not root:
        parent = node.getparent()
        if parent is None:
            return
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
    parent = element.getparent()
    if parent is not None:
        parent.remove(element)


def _trim(root: lxml.html.HtmlElement, limits: PageLimits) -> bool:
    """Cut the body to the element and character budget; True when something was cut."""
    body = root.find("body")
    scope = body if body is not None else root
    elements = characters = 0
    for element in scope.iterdescendants():
        elements += 1
        characters += len(element.text or "") + len(element.tail or "")
        if elements > limits.max_elements or characters > limits.max_page_chars:
            _remove_from(element, scope)
            return True
    return False


# ------------------------------------------------------------------ the extracted tree


def _same_words(one: str, other: str) -> bool:
    return [w.lower() for w in _WORD.findall(one)] == [w.lower() for w in _WORD.findall(other)]


def _prepare_body(body: etree._Element, base: str, title: str) -> None:
    """Links to http(s) only, quotes marked, a first heading repeating the title dropped."""
    for ref in body.iter("ref"):
        target = web_link(ref.get("target") or "", base)
        if target:
            ref.set("target", target)
        else:
            ref.tag = "unlinked"
    for inline in body.iter("hi"):
        if inline.get("rend") in ("#sup", "#sub", "#u"):
            inline.tag = "unlinked"  # trafilatura writes these as inline HTML, which a terminal shows raw
    etree.strip_tags(body, "unlinked")
    for quote in body.iter("quote"):
        blocks = [child for child in quote if child.tag in ("p", "item")] or [quote]
        if blocks[0] is not quote and not (quote.text or "").strip():
            quote.text = None
        for block in blocks:
            block.text = _QUOTE_MARK + (block.text or "").lstrip()
    for block in list(body.iter("p", "head")):
        words = " ".join("".join(block.itertext()).split())
        if len(_WORD.findall(words)) <= _PAGE_TALK_WORDS and _PAGE_TALK.search(words):
            _drop_block(block)
    first = next(iter(body), None)
    if first is not None and first.tag == "head" and title and _same_words("".join(first.itertext()), title):
        first.tail = None
        body.remove(first)


def _drop_block(block: etree._Element) -> None:
    parent = block.getparent()
    if parent is None:
        return
    tail = (block.tail or "").strip()
    if tail:  # words after the block belong to its parent: keep them
        previous = block.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + " " + tail
        else:
            parent.text = (parent.text or "") + " " + tail
    parent.remove(block)


def _prose_words(text: str) -> int:
    """Words in lines that read as sentences: an index or a menu has none."""
    total = 0
    for line in text.splitlines():
        words = len(_WORD.findall(line))
        if words >= 8 and _SENTENCE_END.search(line):
            total += words
    return total


def _render(body: etree._Element) -> str:
    """The extracted tree as Markdown, cleaned."""
    from trafilatura.xml import xmltotxt  # imported when first needed: 0.2 s that start-up need not pay

    text = xmltotxt(body, True)
    text = re.sub(rf"^[ \t]*{_QUOTE_MARK}", "> ", text, flags=re.M)
    text = text.replace(_QUOTE_MARK, "\n> ")
    return _BLANK_LINES.sub("\n\n", clean_text(text))


def _cut(text: str, limits: PageLimits) -> tuple[str, bool]:
    if len(text) <= limits.max_chars:
        return text, False
    head = text[: limits.max_chars]
    end = head.rfind("\n\n")
    if end < limits.max_chars // 2:
        end = head.rfind(" ")
    return head[: max(end, 0)].rstrip() + "\n\n" + cut_note(limits), True


def _published(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = datetime.strptime(value[:10], "%Y-%m-%d")
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------ public


def extract_article(
    html: bytes | str,
    url: str | None = None,
    *,
    output: OutputFormat = "markdown",
    encoding: str | None = None,
    limits: PageLimits = DEFAULT_LIMITS,
    focus: Focus = DEFAULT_FOCUS,
) -> Extracted:
    """The article in a page: its text as Markdown (headings, lists, quotes,
    links) or plain text, with its title, author, date and site name.

    ``url`` is the page's address: links are resolved against it (without one,
    against the address the page gives itself, if any).  ``encoding``
    is the charset the server declared, if any.  Never raises for a bad page:
    ``ok`` is False and ``reason`` says why.
    """
    return _extract(html, url, output=output, encoding=encoding, limits=limits, focus=focus, with_plain=False)


def extract_article_both(
    html: bytes | str, url: str | None = None, *, encoding: str | None = None, limits: PageLimits = DEFAULT_LIMITS
) -> Extracted:
    """As extract_article in Markdown, with the plain text too (``plain``), from one extraction."""
    return _extract(
        html, url, output="markdown", encoding=encoding, limits=limits, focus=DEFAULT_FOCUS, with_plain=True
    )


def _extract(
    html: bytes | str,
    url: str | None,
    *,
    output: OutputFormat,
    encoding: str | None,
    limits: PageLimits,
    focus: Focus,
    with_plain: bool,
) -> Extracted:
    if output not in ("markdown", "text"):
        raise ValueError(f"output is markdown or text, not {output!r}")
    base = web_link(url or "")
    # Reading is bounded too: what lies beyond four times the cut is not even decoded.
    cut = len(html) > 4 * limits.max_bytes
    html = html[: 4 * limits.max_bytes]
    text = decode_page(html, encoding) if isinstance(html, bytes) else html
    text = strip_inert(text)
    if len(text) > limits.max_bytes:
        text, cut = text[: limits.max_bytes], True
    # Control characters would stop libxml2 short; escape sequences go whole (see store.sanitize).
    root = _parse(clean_text(_NUMERIC_REFERENCE.sub(_numeric_reference, text)))
    if root is None:
        return failed("The page is empty or is not HTML.")
    _drop_unreadable(root)
    base = base or _own_address(root)
    _resolve_links(root, base)
    cut = _trim(root, limits) or cut
    import trafilatura  # see _render

    try:
        document = trafilatura.bare_extraction(
            root,
            url=base or None,
            favor_precision=focus == "precision",
            favor_recall=focus == "recall",
            include_comments=False,
            include_tables=True,
            include_images=False,
            include_formatting=True,
            include_links=True,
            with_metadata=True,
            date_extraction_params={
                "extensive_search": False,
                "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S%z",
            },
        )
    except Exception as error:
        detail = clean_line(str(error))[:200] or type(error).__name__
        return failed(f"The article text could not be extracted ({type(error).__name__}: {detail}).")
    title = clean_line(getattr(document, "title", "") or "")
    body = getattr(document, "body", None)
    if document is None or isinstance(document, dict) or body is None:
        return failed("Broadsheet found no article text on this page.", title)
    _prepare_body(body, base, title)
    markdown = _render(body)
    if _prose_words(markdown) < limits.min_words:
        return failed(
            "Broadsheet found no article text on this page (it may be an index, a sign-in page "
            "or a page that needs JavaScript).",
            title,
        )
    markdown, text_cut = _cut(markdown, limits)
    plain = markdown_to_plain(markdown) if output == "text" or with_plain else ""
    return Extracted(
        title=title,
        text=markdown if output == "markdown" else plain,
        author=clean_line(document.author or ""),
        published=_published(document.date),
        site=clean_line(document.sitename or ""),
        cut=cut or text_cut,
        plain=plain if with_plain else "",
    )


def is_summary_only(body: str, url: str) -> bool:
    """Whether a story's feed text is only a summary worth replacing with the page's text.

    True when the text is short (under 150 words) or ends with a "read more",
    "continue reading" or "[…]" link or phrase.  False when ``url`` is not an
    http(s) address: there would be nothing to fetch.
    """
    if not web_link(url or ""):
        return False
    text = strip_link_numbers(body or "").strip()
    if len(_WORD.findall(text)) < _SUMMARY_WORDS:
        return True
    last_lines = text[-300:].splitlines()[-2:]
    return bool(_READ_MORE.search("\n".join(last_lines)))
