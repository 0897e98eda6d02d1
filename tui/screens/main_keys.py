"""The main screen's key bindings: every one has an `id`, so users can rebind it (`App.set_keymap`)."""

from __future__ import annotations

from textual.binding import Binding, BindingType

MAIN_SCREEN_BINDINGS: list[BindingType] = [
    Binding("tab", "next_pane", "Next pane", show=False, tooltip="Go to the next pane", id="pane.next"),
    Binding(
        "shift+tab",
        "previous_pane",
        "Previous pane",
        show=False,
        tooltip="Go to the previous pane",
        id="pane.previous",
    ),
    Binding("h,escape", "back", "Back", tooltip="Go back to the story list", id="view.back"),
    Binding(
        "z",
        "reading_mode",
        "Reading mode",
        show=False,
        tooltip="Read full screen, or go back",
        id="view.reading_mode",
    ),
    # After view.back: escape closes the search when there is nothing to go back from.
    Binding(
        "escape",
        "close_search",
        "Close search",
        show=False,
        tooltip="Close the search; list as it was",
        id="search.close",
    ),
    Binding("b", "toggle_bookmark", "Bookmark", tooltip="Toggle bookmark", id="story.toggle_bookmark"),
    Binding("m", "toggle_read", "Read", tooltip="Toggle read", id="story.toggle_read"),
    Binding("slash", "search", "Search", tooltip="Search the stories", id="search.open"),
    Binding("r", "refresh_feeds", "Refresh", tooltip="Refresh all feeds", id="feeds.refresh"),
    Binding(
        "S", "save_search", "Save search", show=False, tooltip="Save this search with a name", id="search.save"
    ),
    Binding("n", "next_match", "Next match", show=False, tooltip="Next match in the story", id="viewer.next_match"),
    Binding(
        "N",
        "previous_match",
        "Previous match",
        show=False,
        tooltip="Previous match in the story",
        id="viewer.previous_match",
    ),
    Binding("e", "edit_note", "Note", show=False, tooltip="Add or edit a note on the story", id="story.edit_note"),
    Binding("B", "bookmarks", "Bookmarks", show=False, tooltip="Show bookmarks, or go back", id="view.bookmarks"),
    Binding(
        "U",
        "unread_only",
        "Unread only",
        show=False,
        tooltip="Show only unread stories, or all",
        id="view.unread_only",
    ),
    Binding(
        "M",
        "mark_all_read",
        "Mark all read",
        show=False,
        tooltip="Mark all in this view read",
        id="view.mark_all_read",
    ),
    Binding(
        "u", "undo_mark_all", "Undo", show=False, tooltip="Undo marking everything read", id="view.undo_mark_all"
    ),
    Binding("F", "views", "Views", show=False, tooltip="Feeds, views and saved searches", id="views.open"),
    Binding(
        "space",
        "space_page",
        "Page down",
        show=False,
        tooltip="Page the story, else the list",
        id="pane.page_down",
    ),
    Binding(
        "full_stop", "next_unread", "Next unread", show=False, tooltip="Next unread story", id="story.next_unread"
    ),
    Binding(
        "v",
        "toggle_text",
        "Feed/full text",
        show=False,
        tooltip="Switch feed text / full text",
        id="viewer.toggle_text",
    ),
    Binding(
        "f",
        "fetch_text",
        "Fetch full text",
        show=False,
        tooltip="Fetch the story's full text",
        id="story.fetch_text",
    ),
    Binding(
        "o",
        "open_link",
        "Open link",
        show=False,
        tooltip="Open the link (copied over SSH)",
        id="story.open_link",
    ),
    Binding("y", "copy_link", "Copy link", show=False, tooltip="Copy the story's link", id="story.copy_link"),
    Binding("a", "save_page", "Save page", show=False, tooltip="Save a web page to read later", id="page.save"),
    Binding(
        "c",
        "toggle_grouping",
        "Group coverage",
        show=False,
        tooltip="Group the sources of one event",
        id="view.toggle_grouping",
    ),
    Binding(
        "right_square_bracket",
        "next_source",
        "Next source",
        show=False,
        tooltip="Show the next source's version",
        id="story.next_source",
    ),
    Binding(
        "left_square_bracket",
        "previous_source",
        "Previous source",
        show=False,
        tooltip="Show the previous source",
        id="story.previous_source",
    ),
]
