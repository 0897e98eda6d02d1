"""An article's full text as Markdown, with links that are safe to click and to print.

* Only http(s) links stay links.  A `javascript:`, `file:`, `data:` or `mailto:`
  link (or image) keeps its words and loses its target, in the parser itself.
* Every link left carries its address as an OSC 8 hyperlink (Style(link=...)),
  so terminals that know OSC 8 make it clickable; a click inside the app posts
  `Markdown.LinkClicked`, which the screen hands to tui.links (never Textual's
  own opener: `open_links` is off).
* `split_markdown` cuts a long text: a bounded head for this widget (which
  mounts a widget per block, about 8 ms per KB) and the rest for plain text.
"""

from __future__ import annotations

import ast
from functools import cache
from typing import ClassVar

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from textual.content import Content, Span
from textual.style import Style
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from tui.links import link_target

MARKDOWN_LIMIT = 24_000
"""Characters of an article rendered as Markdown; the rest is plain text.  20 KB took 0.2 s to mount, 50 KB 0.4 s."""

MARKDOWN_BLOCKS = 80
"""Blocks (paragraphs, items, headings) rendered as Markdown at most: each is a widget."""

_FENCES = ("```", "~~~")


def split_markdown(text: str, limit: int = MARKDOWN_LIMIT, max_blocks: int = MARKDOWN_BLOCKS) -> tuple[str, str]:
    """`text` as (head, rest): the head at most `limit` characters and `max_blocks` blocks, cut at a
    blank line outside a code fence (else at a line break or space); head + rest == text."""
    if len(text) <= limit and text.count("\n") < max_blocks:
        return text, ""
    cut = -1
    blocks = 0
    in_fence = False
    previous_blank = True
    position = 0
    for line in text.splitlines(keepends=True):
        end = position + len(line)
        stripped = line.strip()
        if stripped.startswith(_FENCES):
            in_fence = not in_fence
        if stripped:
            if previous_blank or stripped.startswith(("-", "*", "+", "#", ">", "|")) or stripped[:1].isdigit():
                blocks += 1
        elif not in_fence:
            if end <= limit and blocks <= max_blocks:
                cut = end
        previous_blank = not stripped
        if end > limit or blocks > max_blocks:
            break
        position = end
    else:
        return text, ""
    if cut <= 0:
        # One huge paragraph: cut at a line break, else a space, before the limit.
        window = text[: min(limit, len(text))]
        cut = max(window.rfind("\n"), window.rfind(" "))
        cut = cut + 1 if cut > 0 else len(window)
    return text[:cut], text[cut:]


def _drop_unsafe_links(state: StateCore) -> None:
    """A markdown-it core rule: links and images to anything but http(s) become their words."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        children: list[Token] = []
        dropped: list[bool] = []
        for child in token.children:
            if child.type == "link_open":
                unsafe = link_target(str(child.attrs.get("href", ""))) is None
                dropped.append(unsafe)
                if not unsafe:
                    children.append(child)
            elif child.type == "link_close":
                if not (dropped.pop() if dropped else False):
                    children.append(child)
            elif child.type == "image" and link_target(str(child.attrs.get("src", ""))) is None:
                words = child.content or "".join(grandchild.content for grandchild in child.children or [])
                text = Token("text", "", 0)
                text.content = f"[{words}]" if words else ""
                children.append(text)
            else:
                children.append(child)
        token.children = children


def article_parser() -> MarkdownIt:
    """Textual's own "gfm-like" parser, with unsafe links reduced to their words."""
    parser = MarkdownIt("gfm-like")
    # Every link is parsed as one (markdown-it would leave `[words](javascript:...)` as
    # literal brackets), then the rule below keeps only the words of the unsafe ones.
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    parser.core.ruler.push("broadsheet_safe_links", _drop_unsafe_links)
    return parser


def _clicked_href(style: Style) -> str | None:
    action = style.meta.get("@click")
    if not isinstance(action, str) or not action.startswith("link(") or not action.endswith(")"):
        return None
    try:
        href = ast.literal_eval(action[5:-1])
    except (ValueError, SyntaxError):
        return None
    return href if isinstance(href, str) else None


def with_hyperlinks(content: Content) -> Content:
    """Link spans made OSC 8 hyperlinks when they point to a safe http(s) address, plain text otherwise."""
    spans: list[Span] = []
    changed = False
    for span in content.spans:
        style = span.style
        href = _clicked_href(style) if isinstance(style, Style) else None
        if href is None:
            spans.append(span)
            continue
        changed = True
        target = link_target(href)
        if target is not None:
            spans.append(Span(span.start, span.end, style + Style(link=target, underline=True)))
    if not changed:
        return content
    return Content(content.plain, spans=spans)


class _SafeLinks(MarkdownBlock):
    """Mixed into every block class: its content's links checked and made OSC 8 hyperlinks."""

    def set_content(self, content: Content) -> None:
        super().set_content(with_hyperlinks(content))


@cache
def _safe_block_class(block_class: type[MarkdownBlock]) -> type[MarkdownBlock]:
    # The block's own class first: Textual's CSS type names follow the first base only.
    return type(block_class.__name__, (block_class, _SafeLinks), {})


class ArticleMarkdown(Markdown):
    """The Markdown part of an article; links are reported (`Markdown.LinkClicked`), never opened here."""

    ALLOW_MAXIMIZE: ClassVar[bool] = False

    def __init__(self, markdown: str | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(markdown, id=id, classes=classes, parser_factory=article_parser, open_links=False)

    def get_block_class(self, block_name: str) -> type[MarkdownBlock]:
        return _safe_block_class(super().get_block_class(block_name))
