"""HTML to readable plain text, the way a terminal shows a story.

Paragraphs, headings and list items become blocks separated by blank lines,
``<br>`` a line break, list items get a bullet, ``<pre>`` keeps its spacing, and
scripts, styles and embedded objects are dropped.  A link keeps its words and gets
a number, ``like this [1]``; the numbered addresses follow under "Links", resolved
against the story's address, and only http(s) ones are kept (a ``javascript:`` or
``data:`` link keeps its words and loses its number).

lxml's HTML parser (libxml2, in C) does the parsing: it is several times faster
than ``html.parser`` and already a dependency for the feed parser.  Its
``iterwalk`` hands the tree over as start/end events, so the walk needs no
recursion, whatever the nesting depth.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml import etree

from store.sanitize import strip_escape_sequences

_BLOCKS = frozenset(
    "address article aside blockquote caption dd details div dl dt fieldset figcaption figure footer form "
    "h1 h2 h3 h4 h5 h6 header hr legend main nav ol p pre section summary table tbody thead tfoot tr ul".split()
)
_SKIPPED = frozenset(
    "audio button canvas embed head iframe map math noscript object script select style svg template "
    "textarea title video".split()
)
_WHITE_SPACE = re.compile(r"[ \t\n\r\f\v]+")
_MARKUP_HINT = re.compile(r"[<&]")
WEB_SCHEMES = frozenset({"http", "https"})
PARAGRAPH, LINE = "\n\n", "\n"


def _parser() -> etree.HTMLParser:
    return etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, default_doctype=False)


_HTML_PARSER = _parser()


def web_link(href: str, base: str = "") -> str:
    """``href`` made absolute against ``base``, or "" when it is not an http(s) address."""
    href = href.strip()
    if not href:
        return ""
    if _ABSOLUTE_WEB.match(href):
        return href
    try:
        absolute = urljoin(base, href) if base else href
    except ValueError:
        return ""
    return absolute if _ABSOLUTE_WEB.match(absolute) else ""


class _LinkResolver:
    """``web_link`` against one base, with the common "/path" case done without urljoin."""

    def __init__(self, base: str) -> None:
        self.base = base
        origin = _ORIGIN.match(base)
        self.origin = origin.group(0) if origin else ""

    def resolve(self, href: str) -> str:
        href = href.strip()
        if self.origin and href.startswith("/") and not href.startswith("//") and " " not in href:
            return self.origin + href
        return web_link(href, self.base)


_ABSOLUTE_WEB = re.compile(r"^https?://[^\s/?#\\]+(?:[/?#]\S*)?$", re.I)
_ORIGIN = re.compile(r"^https?://[^\s/?#\\]+", re.I)


def local_name(tag: object) -> str:
    """The tag without its namespace, lower case ("" for comments and other nodes)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2].lower()


# Breaks are marked in the tree with private-use characters (removed from the input
# first), so that libxml2 can serialise the text in C and one regular expression
# can fold white space and breaks together: a Python walk over every node was
# five times slower.
_PARAGRAPH_MARK, _LINE_MARK, _PRE_SPACE, _PRE_LINE = "\ue000", "\ue001", "\ue002", "\ue003"
_MARKS = re.compile("[\ue000-\ue003]")
# The marks, and the control characters lxml refuses in text it is handed back
# (setting .text to a string with ESC raises ValueError).
_UNPARSABLE = re.compile("[\ue000-\ue003\x00-\x08\x0b\x0c\x0e-\x1f]")
_BREAK_RUN = re.compile("[\ue000\ue001][ \ue000\ue001]*")
_PRE_WHITE = str.maketrans({" ": _PRE_SPACE, "\t": _PRE_SPACE, "\n": _PRE_LINE})
_PRE_RESTORE = str.maketrans({_PRE_SPACE: " ", _PRE_LINE: "\n"})


def _any_namespace(names: frozenset[str]) -> tuple[str, ...]:
    return tuple(f"{{*}}{name}" for name in sorted(names))


_SKIPPED_TAGS = _any_namespace(_SKIPPED)
_MARKED_TAGS = _any_namespace(_BLOCKS | {"a", "li", "br", "td", "th"})


def _break_for(match: re.Match[str]) -> str:
    return PARAGRAPH if _PARAGRAPH_MARK in match.group(0) else LINE


class _Marker:
    """One pass over the tree: break marks on blocks, numbers after links."""

    def __init__(self, base: str, number_links: bool) -> None:
        self.resolver = _LinkResolver(base) if number_links else None
        self.numbers: dict[str, int] = {}

    def mark(self, root: etree._Element) -> None:
        for element in root.iter(_MARKED_TAGS):
            name = element.tag
            if "}" in name:
                name = name.rpartition("}")[2]
            if name == "a":
                self._number(element)
            elif name == "li":
                element.text = f"{_LINE_MARK}• {element.text or ''}"
                element.tail = _LINE_MARK + (element.tail or "")
            elif name == "br":
                element.tail = _LINE_MARK + (element.tail or "")
            elif name == "td" or name == "th":
                element.tail = " " + (element.tail or "")
            else:
                if name == "pre":
                    _keep_spacing(element)
                element.text = _PARAGRAPH_MARK + (element.text or "")
                element.tail = _PARAGRAPH_MARK + (element.tail or "")

    def _number(self, link: etree._Element) -> None:
        """Put the link's number after its words, unless it has none or they are its address."""
        href = link.get("href")
        if self.resolver is None or not href or href.lstrip().startswith("#"):
            return
        address = self.resolver.resolve(href)
        if not address:
            return
        words = (link.text or "").strip()
        if not len(link) and (not words or words in (address, href.strip())):
            return
        number = self.numbers.setdefault(address, len(self.numbers) + 1)
        link.tail = f" [{number}]" + (link.tail or "")

    def footer(self) -> str:
        if not self.numbers:
            return ""
        return "Links:\n" + "\n".join(f"[{number}] {address}" for address, number in self.numbers.items())


def _keep_spacing(pre: etree._Element) -> None:
    """Hide a <pre>'s spaces and newlines from the white-space folding."""
    for node in pre.iter():
        if node.text:
            node.text = node.text.translate(_PRE_WHITE)
        if node is not pre and node.tail:
            node.tail = node.tail.translate(_PRE_WHITE)


def element_to_text(root: etree._Element, base: str = "", *, number_links: bool = True) -> str:
    """The readable text of an element tree (HTML, or XHTML inside a feed).  Changes the tree."""
    for element in root.iter(_SKIPPED_TAGS):
        element.clear(keep_tail=True)
    marker = _Marker(base, number_links)
    marker.mark(root)
    footer = marker.footer()
    text = etree.tostring(root, method="text", encoding="unicode", with_tail=False)
    # split() folds white space in C; the marks are not white space, so they stay.
    text = " ".join(text.split()).replace(" " + _PARAGRAPH_MARK, _PARAGRAPH_MARK).replace(" " + _LINE_MARK, _LINE_MARK)
    text = _BREAK_RUN.sub(_break_for, text).strip()
    if _PRE_SPACE in text or _PRE_LINE in text:
        text = text.translate(_PRE_RESTORE)
    return f"{text}\n\n{footer}" if text and footer else text


def html_to_text(html: str, base: str = "", *, number_links: bool = True) -> str:
    """Readable text from an HTML fragment; relative links resolve against ``base``."""
    if not html or not html.strip():
        return ""
    if not _MARKUP_HINT.search(html):
        return plain_text(html)
    try:
        root = etree.fromstring(_UNPARSABLE.sub("", strip_escape_sequences(html)), _HTML_PARSER)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return plain_text(html)
    if root is None:
        return plain_text(html)
    return element_to_text(root, base, number_links=number_links)


def html_to_line(html: str) -> str:
    """One line of text from a title that may carry markup or entities."""
    if not _MARKUP_HINT.search(html):
        return _WHITE_SPACE.sub(" ", html).strip()
    return _WHITE_SPACE.sub(" ", html_to_text(html, number_links=False)).strip()


def plain_text(text: str) -> str:
    """Text that is not HTML: lines kept, spaces within each line folded."""
    lines = (" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
