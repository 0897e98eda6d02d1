"""The full-text viewer: title, source, date, the reader's note, body and opinions of one story.

Opened from a search, it marks what the search matched and steps from match to match
(`next_match`), scrolling each into view.

A long text is shown a part at a time (`split_body`): the first ~60 KB at once, each
next part when the reader scrolls near the end of what is shown, so a 4 MB story
opens as fast as a short one.  In a narrow terminal, where the highlights pane is
hidden while reading, the story's highlights head the text.

A full text extracted from the story's page is Markdown: its first part (at most
`MARKDOWN_LIMIT` characters) is rendered as Markdown, a moment after the story is
shown (so moving through the list does not mount a document per keypress), and the
rest as plain text, a part at a time as above.  While a search has matches in it,
the text is shown plain, so that every match can be marked and stepped to.  Which
text is shown (the feed's or the page's) and the line above it (`TextChoice`) are
the screen's decision.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.timer import Timer
from textual.widget import AwaitMount
from textual.widgets import Static

from store import Story
from store.highlights import markdown_to_plain
from tui.links import link_target
from tui.matches import Spans, StoryMatches, viewer_body
from tui.widgets.article_markdown import ArticleMarkdown, split_markdown
from tui.widgets.coverage import CoverageNote, CoverageSection
from tui.widgets.highlights import Bullet

MATCH_STYLE = ".story-view--match"
CURRENT_MATCH = Style(bold=True, reverse=True)
"""The match last stepped to: reversed, so it stands out in any theme and under NO_COLOR."""

BODY_PART = 60_000
"""Characters of text laid out at a time: a part takes tens of milliseconds, 4 MB took seconds."""

MARKDOWN_DELAY = 0.08
"""Seconds a story stays shown before its Markdown is rendered: j held down does not render each one."""


@dataclasses.dataclass(frozen=True, slots=True)
class TextChoice:
    """Which of a story's texts the viewer shows, and the line above it."""

    feed_text: bool = False
    """Show the feed's text even when the story has a full text from its page."""
    notice: str = ""
    """One line about the text: being fetched, why it could not be, which one this is."""
    warning: bool = False
    """The notice says something went wrong."""


def split_body(text: str, limit: int = BODY_PART) -> list[str]:
    """`text` in parts of at most `limit` characters, cut between paragraphs where it can
    (else between lines, else between words).  The parts join back into `text`."""
    parts: list[str] = []
    start = 0
    while len(text) - start > limit:
        end = start + limit
        for separator in ("\n\n", "\n", " "):
            cut = text.rfind(separator, start + limit // 2, end)
            if cut >= 0:
                end = cut + len(separator)
                break
        parts.append(text[start:end])
        start = end
    parts.append(text[start:])
    return parts


def size_text(characters: int) -> str:
    """ "12 KB", "3.7 MB": how much text is left, in words a reader knows."""
    if characters >= 1_000_000:
        return f"{characters / 1_000_000:.1f} MB"
    return f"{max(1, round(characters / 1000))} KB"


def format_published(published: datetime, now: datetime) -> str:
    """A date a reader recognises at a glance, in the reader's time zone: "Sun 3 Nov 2024, 14:05"."""
    local = published.astimezone(now.tzinfo)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M}"


def story_meta(story: Story, now: datetime) -> Content:
    """The line under the title: source · author · date, then the bookmark when set."""
    parts = [part for part in (story.source, story.author) if part]
    parts.append(format_published(story.published, now))
    meta = Content(" · ".join(parts))
    if story.bookmarked:
        meta = meta + Content.styled("  ★ Bookmarked", "bold")
    return meta


def marked(text: str, spans: Spans, current: tuple[int, int] | None = None) -> Content:
    """`text` with every span marked, and the current one marked more strongly."""
    content = Content(text)
    for start, end in spans:
        content = content.stylize(MATCH_STYLE, start, end)
        if (start, end) == current:
            content = content.stylize(CURRENT_MATCH, start, end)
    return content


def line_of_offset(content: Content, offset: int, width: int) -> int:
    """Which line, once `content` is wrapped to `width` cells, holds the character at `offset`."""
    if width <= 0:
        return 0
    text = content.plain
    lines = content.wrap(width)
    position = 0
    for index, line in enumerate(lines):
        piece = line.plain.rstrip()
        if not piece:
            continue
        start = text.find(piece, position)
        if start < 0:  # the wrapper changed the text (tabs): estimate
            return min(len(lines) - 1, round(offset / max(1, len(text)) * len(lines)))
        position = start + len(piece)
        if offset < position:
            return index
    return max(0, len(lines) - 1)


class LinkLine(Static):
    """The story's address under its title: an OSC 8 hyperlink when it is http(s); a click asks to open it."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._url = ""

    def show_url(self, url: str) -> None:
        self._url = url
        target = link_target(url) if url else None
        content = Content(url)
        if target is not None:
            content = content.stylize(Style(link=target), 0, len(url))
        self.update(content)
        self.display = bool(url)

    def on_click(self, event: events.Click) -> None:
        if self._url:
            event.stop()
            self.post_message(StoryView.LinkClicked(self._url))


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """One part of the story that can hold matches, and the widget showing it."""

    widget: Static | None
    """None for a part of a long text not shown yet."""
    text: str
    spans: Spans


class StoryView(VerticalScroll, inherit_bindings=False):
    """One story in full; scrolled by the keys here and the page keys on the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "scroll_down", "Down", show=False, tooltip="Scroll the story down", id="viewer.down"),
        Binding("k,up", "scroll_up", "Up", show=False, tooltip="Scroll the story up", id="viewer.up"),
        Binding("g,home", "scroll_home", "Top", show=False, tooltip="Go to the top of the story", id="viewer.top"),
        Binding("G,end", "scroll_end", "End", show=False, tooltip="Go to the end of the story", id="viewer.bottom"),
        Binding(
            "space,pagedown",
            "page(1)",
            "Page down",
            show=False,
            tooltip="Scroll the story down a page",
            id="viewer.page_down",
        ),
        Binding("pageup", "page(-1)", "Page up", show=False, tooltip="Scroll the story up a page", id="viewer.page_up"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {"story-view--match"}

    class LinkClicked(Message):
        """The story's own link (under its title) was clicked."""

        def __init__(self, url: str) -> None:
            super().__init__()
            self.url = url

    def watch_has_focus(self, has_focus: bool) -> None:
        """Restyle the viewer alone when it gains or loses the focus.

        Textual restyles every descendant too, in case a rule styles them by the focus of an
        ancestor; with a story's forty-odd widgets that was ten milliseconds of every enter and h.
        No rule in this app's CSS does (only the viewer's own border and tint follow its focus:
        a snapshot in tests/tui/test_snapshots.py holds the look after enter and h), so it is skipped.
        """
        self.app.stylesheet.update_nodes([self], animate=True)
        for child in self.walk_children():
            # Their cached colours were mixed over the viewer's old tint: mix and draw again.
            child.notify_style_update()
            child.refresh()

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._clock = clock
        self._meta_key: tuple[object, ...] = ()
        self._story: Story | None = None
        self._choice = TextChoice()
        self._markdown_head = ""
        """The part of the full text rendered as Markdown ("" when the text is shown plain)."""
        self._markdown_wanted = 0
        self._markdown_done = 0
        """Each story shown asks for a Markdown rendering; done == wanted once the latest is mounted."""
        self._markdown_timer: Timer | None = None
        self._matches: StoryMatches | None = None
        self._sections: list[Section] = []
        self._match_list: list[tuple[int, int, int]] = []
        """Every match in reading order: (section index, start, end)."""
        self._current = -1
        self._body_sections: list[int] = []
        """The sections holding the parts of the text, in order."""
        self._parts_shown = 0
        self._text_length = 0

    @property
    def story(self) -> Story | None:
        return self._story

    @property
    def matches(self) -> StoryMatches | None:
        return self._matches

    @property
    def choice(self) -> TextChoice:
        return self._choice

    @property
    def markdown_head(self) -> str:
        """The part of the text rendered as Markdown ("" when the text is shown plain)."""
        return self._markdown_head

    @property
    def markdown_ready(self) -> bool:
        """True once the Markdown asked for by the story shown is on screen (or none is needed)."""
        return not self._markdown_head or self._markdown_done == self._markdown_wanted

    @property
    def shows_full_text(self) -> bool:
        """True when the text shown is the full text from the story's page."""
        story = self._story
        return story is not None and bool(story.full_text) and not self._choice.feed_text

    @property
    def match_count(self) -> int:
        return len(self._match_list)

    @property
    def parts_shown(self) -> tuple[int, int]:
        """How many parts of the text are laid out, of how many (a long text comes a part at a time)."""
        return self._parts_shown, len(self._body_sections)

    @property
    def current_match(self) -> int | None:
        """Index of the match last stepped to (None before the first step)."""
        return self._current if self._current >= 0 else None

    def compose(self) -> ComposeResult:
        yield Static(Content("Loading…"), id="viewer-message")
        yield Static(id="story-title")
        yield Static(id="story-meta")
        yield LinkLine(id="story-link")
        yield CoverageNote(id="coverage-note")
        yield Static(Content("Highlights"), id="viewer-highlights-heading")
        yield Vertical(id="viewer-highlights")
        yield Static(Content("Note"), id="note-heading")
        yield Static(id="story-note")
        yield Static(id="text-notice")
        yield ArticleMarkdown(id="story-markdown")
        yield Static(id="story-body")
        yield Vertical(id="story-more")
        yield Static(id="story-rest")
        yield CoverageSection(id="coverage")
        yield Static(Content("Opinions"), id="opinions-heading")
        yield Vertical(id="opinions")

    def on_mount(self) -> None:
        self.set_class(True, "-empty")
        self.watch(self, "scroll_y", self._scrolled, init=False)

    # Scrolled at once, from where the last key left it: Textual's own scroll actions animate, or
    # move from the position drawn last, so keys arriving together (a burst over SSH, a paste) were
    # lost: ten j in one read moved one line.

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False, immediate=True)

    def action_scroll_up(self) -> None:
        self.scroll_relative(y=-1, animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        self.scroll_relative(y=pages * self.scrollable_content_region.height, animate=False, immediate=True)

    def show_message(self, message: str) -> None:
        """No story to show: say why."""
        self._story = None
        self._set_matches(None, [])
        self._body_sections = []
        self._parts_shown = 0
        self._text_length = 0
        self._show_markdown("")
        self.query_one("#viewer-message", Static).update(Content(message))
        self.set_class(True, "-empty")
        self.scroll_home(animate=False, immediate=True)

    def show_story(
        self, story: Story, matches: StoryMatches | None = None, choice: TextChoice | None = None
    ) -> None:
        """Show `story`, marking `matches`, with the text `choice` says; when only its flags changed,
        keep the reader's place."""
        previous = self._story
        previous_choice = self._choice
        self._story = story
        self._choice = choice = choice or TextChoice()
        matches = matches if matches is not None and matches.count else None
        meta = story_meta(story, self._clock())
        # Static.update lays the whole screen out again: not for the same line.  (Content's == looks
        # at the text only, so the styles are compared too.)
        meta_key = (meta.plain, tuple(meta.spans))
        if meta_key != self._meta_key:
            self._meta_key = meta_key
            self.query_one("#story-meta", Static).update(meta)
        if (
            previous is not None
            and dataclasses.replace(previous, read=story.read, bookmarked=story.bookmarked) == story
            and matches == self._matches
            and choice == previous_choice
        ):
            return
        self.set_class(False, "-empty")
        self.query_one("#story-link", LinkLine).show_url(story.url)
        notice = self.query_one("#text-notice", Static)
        notice.update(Content(choice.notice))
        notice.display = bool(choice.notice)
        notice.set_class(choice.warning, "-warning")
        self.query_one("#note-heading", Static).display = bool(story.note)
        note = self.query_one("#story-note", Static)
        note.display = bool(story.note)
        self.query_one("#opinions-heading", Static).display = bool(story.opinions)
        found = matches or StoryMatches("")
        self._show_highlights(story, found)
        opinions = self.query_one("#opinions", Vertical)
        opinions.remove_children()
        opinion_widgets = [Static(classes="opinion") for _ in story.opinions]
        opinions.mount_all(opinion_widgets)
        opinion_spans = [*found.opinions, *([()] * len(story.opinions))]
        self.query_one("#story-more", Vertical).remove_children()
        full = bool(story.full_text) and not choice.feed_text
        body = story.full_text if full else (story.body or "(no text)")
        if body != viewer_body(story):
            found = dataclasses.replace(found, body=())  # the matches were found in the other text
        head = ""
        if full and not found.body:
            head, rest = split_markdown(body)
            body = markdown_to_plain(rest) if rest else ""
        self._show_markdown(head)
        body_widget = self.query_one("#story-body", Static)
        body_widget.display = bool(body) or not head
        parts = split_body(body)
        body_sections: list[Section] = []
        offset = 0
        for index, part in enumerate(parts):
            end = offset + len(part)
            spans = tuple((start - offset, stop - offset) for start, stop in found.body if offset <= start < end)
            widget = self.query_one("#story-body", Static) if index == 0 else None
            body_sections.append(Section(widget, part, spans))
            offset = end
        sections = [
            Section(self.query_one("#story-title", Static), story.title or "(untitled)", found.title),
            Section(note, story.note, found.note),
            *body_sections,
            *(
                Section(widget, text, opinion_spans[index])
                for index, (widget, text) in enumerate(zip(opinion_widgets, story.opinions))
            ),
        ]
        self._body_sections = list(range(2, 2 + len(body_sections)))
        self._parts_shown = 1
        self._text_length = len(body)
        self._set_matches(matches, sections)
        for index in range(len(sections)):
            self._paint(index)
        self._show_rest_line()
        self.scroll_home(animate=False, immediate=True)

    # ------------------------------------------------------------ the Markdown part of a full text

    def _show_markdown(self, head: str) -> None:
        """Render `head` as Markdown a moment from now (unless another story comes first); "" hides it."""
        self._markdown_head = head
        self._markdown_wanted += 1
        markdown = self.query_one("#story-markdown", ArticleMarkdown)
        markdown.display = False
        if self._markdown_timer is not None:
            self._markdown_timer.stop()
            self._markdown_timer = None
        if not head:
            self._markdown_done = self._markdown_wanted
            if markdown.source:
                markdown.update("")
            return
        self._markdown_timer = self.set_timer(MARKDOWN_DELAY, partial(self._render_markdown, self._markdown_wanted))

    async def _render_markdown(self, wanted: int) -> None:
        self._markdown_timer = None  # fired: a newer story must not cancel a mount half done
        if wanted != self._markdown_wanted:
            return
        markdown = self.query_one("#story-markdown", ArticleMarkdown)
        await markdown.update(self._markdown_head)
        if wanted == self._markdown_wanted:
            markdown.display = True
            self._markdown_done = wanted

    def _show_highlights(self, story: Story, found: StoryMatches) -> None:
        """The highlights at the head of the text (shown by the stylesheet in narrow terminals only)."""
        self.set_class(not story.highlights, "-no-highlights")
        heading = "Highlights (generated from the text)" if story.highlights_generated else "Highlights"
        self.query_one("#viewer-highlights-heading", Static).update(Content(heading))
        block = self.query_one("#viewer-highlights", Vertical)
        block.remove_children()
        spans = [*found.highlights, *([()] * len(story.highlights))]
        block.mount_all(Bullet(text, spans[index]) for index, text in enumerate(story.highlights))

    # ------------------------------------------------------------ a long text, a part at a time

    def _scrolled(self) -> None:
        """Near the end of what is shown: lay out the next part of a long text."""
        if self._parts_shown < len(self._body_sections):
            if self.scroll_y >= self.max_scroll_y - self.scrollable_content_region.height:
                self.show_more_parts(1)

    def show_more_parts(self, count: int) -> AwaitMount | None:
        """Lay out the next `count` parts of the text (each a new widget after the ones shown)."""
        wanted = min(len(self._body_sections), self._parts_shown + count)
        widgets: list[Static] = []
        for index in self._body_sections[self._parts_shown : wanted]:
            widget = Static(self._section_content(index), classes="story-body-part")
            self._sections[index] = dataclasses.replace(self._sections[index], widget=widget)
            widgets.append(widget)
        if not widgets:
            return None
        self._parts_shown = wanted
        self._show_rest_line()
        return self.query_one("#story-more", Vertical).mount_all(widgets)

    def _show_rest_line(self) -> None:
        rest = self.query_one("#story-rest", Static)
        shown = sum(len(self._sections[index].text) for index in self._body_sections[: self._parts_shown])
        left = self._text_length - shown
        rest.display = left > 0
        if left > 0:
            rest.update(Content(f"… {size_text(left)} more: it appears as you scroll down."))

    def _set_matches(self, matches: StoryMatches | None, sections: list[Section]) -> None:
        self._matches = matches
        self._sections = sections
        self._match_list = [
            (index, start, end) for index, section in enumerate(sections) for start, end in section.spans
        ]
        self._current = -1
        self._update_subtitle()

    def _section_content(self, index: int) -> Content:
        section = self._sections[index]
        current: tuple[int, int] | None = None
        if self._current >= 0:
            at, start, end = self._match_list[self._current]
            if at == index:
                current = (start, end)
        return marked(section.text, section.spans, current)

    def _paint(self, index: int) -> None:
        widget = self._sections[index].widget
        if widget is not None:
            widget.update(self._section_content(index))

    def _update_subtitle(self) -> None:
        count = len(self._match_list)
        if not count:
            self.border_subtitle = ""
        elif self._current < 0:
            self.border_subtitle = f"{count} {'match' if count == 1 else 'matches'} · n next"
        else:
            self.border_subtitle = f"match {self._current + 1} of {count} · n next · N previous"

    # ------------------------------------------------------------ stepping through matches

    def next_match(self, step: int = 1) -> bool:
        """Go to the next match (`step` 1) or the previous one (-1); False when there is none that way."""
        if not self._match_list:
            return False
        if self._current < 0:
            wanted = 0 if step > 0 else len(self._match_list) - 1
        else:
            wanted = self._current + step
        if not 0 <= wanted < len(self._match_list):
            return False
        old_section = self._match_list[self._current][0] if self._current >= 0 else None
        self._current = wanted
        new_section = self._match_list[wanted][0]
        if old_section is not None and old_section != new_section:
            self._paint(old_section)
        mounting = None
        if self._sections[new_section].widget is None:
            # In a part of a long text not laid out yet: lay out the parts up to it first.
            mounting = self.show_more_parts(self._body_sections.index(new_section) + 1 - self._parts_shown)
        self._paint(new_section)
        self._update_subtitle()
        if mounting is not None:
            self.call_later(self._scroll_when_mounted, mounting, wanted)
        else:
            self.call_after_refresh(self.scroll_to_match, wanted)
        return True

    async def _scroll_when_mounted(self, mounting: AwaitMount, index: int) -> None:
        await mounting
        self.call_after_refresh(self.scroll_to_match, index)

    def match_line(self, index: int) -> int:
        """The line (in the viewer's scrollable content) that holds match `index`."""
        section_index, start, _end = self._match_list[index]
        widget = self._sections[section_index].widget
        assert widget is not None, "next_match lays out the part a match is in"
        top = widget.content_region.y - self.content_region.y + self.scroll_offset.y
        content = marked(self._sections[section_index].text, ())
        return top + line_of_offset(content, start, widget.content_region.width)

    def scroll_to_match(self, index: int) -> None:
        """Bring match `index` into view, a third of the way down when the viewer has to move."""
        if not 0 <= index < len(self._match_list):
            return
        line = self.match_line(index)
        height = self.scrollable_content_region.height
        top = self.scroll_offset.y
        context = min(2, height // 4)
        if top + context <= line < top + height - context:
            return
        self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)
