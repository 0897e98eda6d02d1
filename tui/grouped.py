"""Story groups on the main screen: one row per event, its coverage in the viewer.

The store groups stories from different feeds that report the same event
(store.groupstate, store.coverage).  Here the main screen uses those groups:

- **Folding** (`fold`): the list of a view (all stories, one feed) becomes one row
  per group, in the place of the group's newest report.  The row is the lead's
  summary (the clearest headline), read only when every story of the group is, and
  the list shows "3 sources" and the group's first-seen time on it (`GroupBadge`).
  Folding is one pass over the rows: only groups of two or more stories need
  a lead chosen, so 100,000 rows fold in a few hundred milliseconds, in a worker.
- **Keeping up**: the groups are synced (`Groups.sync`) off the event loop after the
  first rows show and after every refresh of the feeds; when the sync changed any
  group, the rows are folded again (in a worker) from the stories already in hand.
  Changes found by the store poll repaint a group's row in place when only flags
  changed; a new, moved or deleted story folds the rows again.
- **The viewer**: a group's story shows the group's highlights (from every source,
  each naming its source) in the highlights panel, the group's opinion pieces under
  "Opinions", and a "Coverage" section with every source (tui.widgets.coverage);
  `[` and `]` step through the sources' versions.
- **Read state**: marking a group's row read (m, or opening it) marks every story of
  the group read (`store.coverage.set_group_read`); bookmarks stay per story (the
  version shown).
- **The toggle** (c): the list ungrouped, one row per story, and back.

`GroupingMixin` is the part of `MainScreen` that does this; the screen calls into it
from a few places (loading, patching, showing a story, changing a flag).
"""

from __future__ import annotations

import asyncio
import dataclasses
import gc
import itertools
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual.cache import LRUCache
from textual.message import Message
from textual.worker import get_current_worker

from store import StoreError, Story, StorySummary
from store.coverage import Coverage, GroupRow, choose_lead, coverage, set_group_read
from store.groupstate import Groups, GroupSync
from tui.named_work import named_work
from tui.patch import fits_view
from tui.views import View
from tui.widgets.coverage import CoverageNote, CoverageSection
from tui.widgets.story_list import KEEP, GroupBadge, date_order, row_index

if TYPE_CHECKING:
    from tui.screens.main import MainScreen

FOLDED_KINDS = ("all", "feed")
"""Views whose rows fold into groups (a search is ranked story by story; bookmarks are per story)."""

GROUPING_ACTIONS = ("toggle_grouping", "next_source", "previous_source")

GC_FREEZE_ROWS = 5_000
"""Rows (loaded or folded) beyond this many are frozen out of the garbage collector's way
(gc.freeze): they stay for as long as the view, and a full collection walking 100,000 of them
would take a tenth of a second, in the middle of a key."""


def folds(view: View) -> bool:
    """Whether the view's rows fold into groups (when grouping is on)."""
    return view.kind in FOLDED_KINDS


# ------------------------------------------------------------------ folding (plain data)


@dataclass(slots=True)
class Folded:
    """A view's stories folded into one row per group."""

    rows: list[StorySummary]
    """One per group, newest report first: the lead's summary (see `row_summary`)."""
    groups: dict[str, GroupRow]
    """Row id -> its group, for the rows that stand for two or more stories."""
    members: dict[str, StorySummary]
    """Every story of the view, as last read (by id)."""
    row_of: dict[str, str]
    """Story id -> the id of its row, for the stories of groups of two or more."""
    group_of: Mapping[str, str] = field(default_factory=dict)
    """Story id -> group id, as the groups file said when folding (not to be changed)."""

    @property
    def badges(self) -> dict[str, GroupBadge]:
        return {row_id: badge(group) for row_id, group in self.groups.items()}

    @property
    def unread_count(self) -> int:
        return sum(1 for row in self.rows if not row.read)

    def group(self, story_id: str) -> GroupRow | None:
        """The group (of two or more) the story belongs to, if any."""
        row_id = self.row_of.get(story_id)
        return None if row_id is None else self.groups.get(row_id)


def badge(group: GroupRow) -> GroupBadge:
    return GroupBadge(group.sources, group.first_seen)


def row_summary(group: GroupRow) -> StorySummary:
    """The row of a group: the lead's headline and source, at the time of the newest report (so the
    list stays in date order), read only when every story of the group is read."""
    newest = max(group.members, key=lambda member: (member.published.timestamp(), member.id))
    return dataclasses.replace(group.lead, read=group.unread == 0, published=newest.published)


LeadCache = dict[tuple[str, ...], str]
"""The lead chosen for a group's stories (their ids, oldest first) -> the lead's id: a lead takes
a fraction of a millisecond to choose, and most groups are the same from one fold to the next."""


def make_group(group_id: str, members: Sequence[StorySummary], leads: LeadCache | None = None) -> GroupRow:
    ordered = sorted(members, key=lambda s: (s.published.timestamp(), s.id))
    key = tuple(member.id for member in ordered)
    lead_id = leads.get(key) if leads is not None else None
    lead = next((member for member in ordered if member.id == lead_id), None) if lead_id else None
    if lead is None:
        lead = choose_lead(ordered)
        if leads is not None:
            leads[key] = lead.id
    return GroupRow(group_id, lead, tuple(ordered), ordered[0].published)


def shared_groups(group_of: Mapping[str, str]) -> dict[str, str]:
    """Only the stories of groups of two or more (story id -> group id): all that folding needs,
    and a small part of a large store's stories."""
    sizes = Counter(group_of.values())
    return {story_id: group_id for story_id, group_id in group_of.items() if sizes[group_id] > 1}


def fold(summaries: Sequence[StorySummary], group_of: Mapping[str, str], leads: LeadCache | None = None) -> Folded:
    """Fold rows (newest first) into one row per group, placed where the group's newest report is.

    Like `store.coverage.group_rows`, but a story alone costs a dictionary look-up: only groups
    of two or more stories shown choose a lead.  A story missing from `group_of` is alone (pass
    `shared_groups(...)` for speed: the stories alone need not be in it).
    """
    members = {summary.id: summary for summary in summaries}
    by_group: dict[str, list[StorySummary]] = {}
    for story_id, group_id in group_of.items():
        summary = members.get(story_id)
        if summary is not None:
            by_group.setdefault(group_id, []).append(summary)
    groups: dict[str, GroupRow] = {}
    group_rows_by_id: dict[str, StorySummary] = {}
    row_of: dict[str, str] = {}
    for group_id, grouped in by_group.items():
        if len(grouped) < 2:
            continue
        group = make_group(group_id, grouped, leads)
        row = row_summary(group)
        groups[row.id] = group
        group_rows_by_id[row.id] = row
        for member in grouped:
            row_of[member.id] = row.id
    if not groups:
        return Folded(list(summaries), {}, members, {}, group_of)
    rows: list[StorySummary] = []
    placed: set[str] = set()
    for summary in summaries:  # a group's row goes where its first (newest) story is
        row_id = row_of.get(summary.id)
        if row_id is None:
            rows.append(summary)
        elif row_id not in placed:
            placed.add(row_id)
            rows.append(group_rows_by_id[row_id])
    return Folded(rows, groups, members, row_of, group_of)


def sourced(text: str, source: str, also: Sequence[str]) -> str:
    """A group highlight naming its sources: "… — Northfield Times (also Riverside Post)"."""
    if not source:
        return text
    return f"{text} — {source}" + (f" (also {', '.join(also)})" if also else "")


def opinion_line(story: Story) -> str:
    """An opinion piece of the group, as the viewer's "Opinions" lists it: "Source: headline"."""
    name = story.source or story.feed
    return f"{name}: {story.title}" if name else story.title


def with_coverage(story: Story, group: Coverage) -> Story:
    """The story as a group's story shows: the group's highlights (each naming its source) and
    the group's opinion pieces added to its opinions.  Idempotent (a story shown again stays the same)."""
    highlights = [sourced(h.text, h.source, h.also) for h in group.highlights]
    added = [opinion_line(other) for other in group.opinions if other.id != story.id]
    opinions = [line for line in story.opinions if line not in added] + added
    changes: dict[str, object] = {"opinions": opinions}
    if highlights:
        changes["highlights"] = highlights
        changes["highlights_generated"] = False
    return dataclasses.replace(story, **changes)  # type: ignore[arg-type]


# ------------------------------------------------------------------ messages


class GroupsSynced(Message):
    """A sync of the groups finished (`result` None: it failed, `error` says why)."""

    def __init__(self, result: GroupSync | None, notices: list[str], error: str = "") -> None:
        super().__init__()
        self.result = result
        self.notices = notices
        self.error = error


class Refolded(Message):
    """The rows of `view` folded again (after a sync, or stories added or gone)."""

    def __init__(self, view: View, unread_only: bool, generation: int, folded: Folded) -> None:
        super().__init__()
        self.view = view
        self.unread_only = unread_only
        self.generation = generation
        self.folded = folded
        # Counted and indexed here, in the worker that posts the message, not on the event loop.
        self.unread_count = folded.unread_count
        self.index = row_index(folded.rows)


class CoverageLoaded(Message):
    """The coverage of the group of `row_id` (None: its stories are gone)."""

    def __init__(self, row_id: str, group: Coverage | None) -> None:
        super().__init__()
        self.row_id = row_id
        self.group = group


class GroupReadWritten(Message):
    """The read state of a group's stories is written (`story_ids`: those the screen showed changed)."""

    def __init__(self, story_ids: list[str], ticket: int) -> None:
        super().__init__()
        self.story_ids = story_ids
        self.ticket = ticket


# ------------------------------------------------------------------ the screen's part


class GroupingMixin:
    """Story groups for `MainScreen` (see the module docstring).  State lives here; the workers
    read the groups file through one thread-safe `Groups`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._grouping = True
        self._groups_file: Groups | None = None
        self._groups_lock = threading.Lock()
        self._map_lock = threading.Lock()
        self._shared_map: dict[str, str] | None = None
        self._leads: LeadCache = {}
        """Leads chosen so far (a title changed in the store: the group's ids are the same, so its
        lead is kept until the app starts again)."""
        self._folded: Folded | None = None
        self._fold_generation = itertools.count(1)
        self._folding_wanted = 0
        """The generation of the latest refold asked for: an older result is dropped."""
        self._coverage_cache: LRUCache[str, Coverage] = LRUCache(32)
        """Coverage of groups by row id (cleared whenever the rows fold again)."""
        self._coverage_asked: set[str] = set()
        self._group_sync_started = False
        self._group_sync_again = False
        self._group_syncing = False
        self._folded_before_search: Folded | None = None

    # ------------------------------------------------------------ state

    @property
    def grouping(self) -> bool:
        """True when the list folds stories of the same event into one row (c toggles)."""
        return self._grouping

    @property
    def folded(self) -> Folded | None:
        """The folded rows of the view shown (None when it is not folded)."""
        return self._folded

    def _open_groups(self) -> Groups:
        """The groups file, opened on first use (from any thread)."""
        with self._groups_lock:
            if self._groups_file is None:
                # Gentle: a first sync of a large store groups for a minute or more beside the keys.
                self._groups_file = Groups(self._store.home, gentle=True)  # type: ignore[attr-defined]
            return self._groups_file

    def on_unmount(self) -> None:
        if self._groups_file is not None and not self._group_syncing:
            self._groups_file.close()

    def folding(self: MainScreen) -> bool:
        """Whether the view shown folds (grouping on, and a view that folds)."""
        return self._grouping and folds(self._view)

    def _shared_groups(self, *, fresh: bool) -> dict[str, str]:
        """The stories of groups of two or more, as the groups file says (read again when `fresh`,
        after a sync; else as last read).  In a worker."""
        with self._map_lock:
            if fresh or self._shared_map is None:
                try:
                    self._shared_map = shared_groups(self._open_groups().all_groups())
                except Exception:  # noqa: BLE001 - the groups are a courtesy: rows alone then
                    self._shared_map = {}
            return self._shared_map

    def fold_rows(
        self: MainScreen, view: View, summaries: list[StorySummary], *, fresh: bool = False
    ) -> Folded | None:
        """The view's rows folded (None when they do not fold).  In a worker."""
        if not (self._grouping and folds(view)):
            return None
        return fold(summaries, self._shared_groups(fresh=fresh), self._leads)

    def fold_first_rows(
        self: MainScreen, view: View, unread_only: bool, summaries: list[StorySummary]
    ) -> Folded | None:
        """The newest rows of a view folded as the whole view will fold (None when they do not fold),
        from their groups alone: the groups file is asked only about these rows, and the other
        stories of their groups are read by id.  In a worker, before the whole view is read."""
        if not (self._grouping and folds(view)):
            return None
        try:
            groups = self._open_groups()
            group_of = groups.groups_of([summary.id for summary in summaries])
            members = groups.members_of(set(group_of.values()))
        except Exception:  # noqa: BLE001 - the groups are a courtesy: the rows alone then
            return None
        shared = {
            story_id: group_id
            for group_id, story_ids in members.items()
            if len(story_ids) > 1
            for story_id in story_ids
        }
        shown = {summary.id for summary in summaries}
        others = [story_id for story_id in shared if story_id not in shown]
        try:
            extra = self._store.summaries_for(others) if others else []  # type: ignore[attr-defined]
        except StoreError:
            extra = []
        if unread_only:
            extra = [summary for summary in extra if not summary.read]
        rows = sorted([*summaries, *extra], key=date_order) if extra else summaries
        return fold(rows, shared, self._leads)

    def use_folded(self: MainScreen, folded: Folded | None) -> None:
        """New rows came: remember how they fold, and show the badges of the group rows."""
        if folded is None and self.searching and self._folded is not None:
            self._folded_before_search = self._folded  # put back when the search closes
        self._folded = folded
        self._folding_wanted = next(self._fold_generation)
        self._coverage_cache.clear()
        self._coverage_asked.clear()
        self.story_list.set_groups(folded.badges if folded is not None else {})

    def folded_after_search(self: MainScreen, view: View) -> None:
        """The search closes: the rows before it come back, folded as they were."""
        folded, self._folded_before_search = self._folded_before_search, None
        self.use_folded(folded if self._grouping and folds(view) else None)

    # ------------------------------------------------------------ the toggle

    def action_toggle_grouping(self: MainScreen) -> None:
        self._grouping = not self._grouping
        highlighted = self.story_list.highlighted_story
        select: str | None | object = KEEP
        if highlighted is not None:
            group = self._folded.groups.get(highlighted.id) if self._folded is not None else None
            shown = self.story_view.story
            if group is not None and shown is not None and shown.id in group.story_ids:
                select = shown.id  # ungrouped: the cursor on the version shown
            else:
                select = highlighted.id
        if self._grouping:
            self.notify("Grouping coverage of the same event: one row per event.", timeout=3)
        else:
            self.notify("Showing every story on its own row.", timeout=3)
        if not folds(self._view):
            return  # a search or the bookmarks: the next view that folds will
        self._reload(select=select)  # type: ignore[arg-type]

    def grouping_action_allowed(self: MainScreen, action: str) -> bool:
        if action == "toggle_grouping":
            return not self._typing_query()
        return self._shown_group() is not None and self._viewer_shown()

    # ------------------------------------------------------------ syncing the groups

    def start_group_sync(self: MainScreen) -> None:
        """Catch the groups up with the store, off the event loop (a second ask while one runs waits for it)."""
        self._group_sync_started = True
        if self._group_syncing:
            self._group_sync_again = True
            return
        self._group_syncing = True
        self._sync_groups()

    def start_group_sync_once(self: MainScreen) -> None:
        """After the first rows show: the first sync (never before, so it never delays the first screen)."""
        if not self._group_sync_started:
            self.start_group_sync()

    @named_work("sync groups", group="sync-groups", exclusive=True)
    async def _sync_groups(self: MainScreen) -> None:
        """Sync in a thread of its own: the first sync of a large store takes a minute, and a
        reader who quits meanwhile must not wait for it (the file is crash-safe: a sync cut
        short is done again next time)."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[GroupsSynced] = loop.create_future()

        def run() -> None:
            try:
                groups = self._open_groups()
                result = groups.sync(self._store)
                message = GroupsSynced(result, list(groups.notices))
                groups.notices.clear()
            except StoreError as error:
                message = GroupsSynced(None, [], str(error))
            except Exception as error:  # noqa: BLE001 - derived data: one line, never a traceback
                message = GroupsSynced(None, [], f"{type(error).__name__}: {error}")
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(message))

        threading.Thread(target=run, name="sync groups", daemon=True).start()
        self.post_message(await done)

    def on_groups_synced(self: MainScreen, message: GroupsSynced) -> None:
        self._group_syncing = False
        for notice in message.notices:
            self.notify(notice, title="Groups", severity="warning", timeout=10, markup=False)
        if message.error:
            self.notify(
                f"Could not group the stories: {message.error}", title="Groups", severity="warning", markup=False
            )
        result = message.result
        if result is not None and (result.added or result.removed or result.changed_groups or result.rebuilt):
            if self._folded is None or not self.folding():
                self._shared_map = None  # read again by the next view that folds
            self.refold(fresh=True)
        if self._group_sync_again:
            self._group_sync_again = False
            self.start_group_sync()

    # ------------------------------------------------------------ folding again

    def refold(self: MainScreen, *, fresh: bool = False) -> None:
        """Fold the stories in hand again (the groups changed: `fresh`; or stories came or went), in a worker."""
        folded = self._folded
        if folded is None or not self.folding():
            return
        generation = next(self._fold_generation)
        self._folding_wanted = generation
        members = list(folded.members.values())  # sorted in the worker: 100,000 rows take a tenth of a second
        self._fold_again(self._view, self._unread_only, generation, members, fresh)

    @named_work("fold groups", thread=True, group="fold-groups", exclusive=True)
    def _fold_again(
        self: MainScreen, view: View, unread_only: bool, generation: int, members: list[StorySummary], fresh: bool
    ) -> None:
        members.sort(key=date_order)
        folded = self.fold_rows(view, members, fresh=fresh)
        if folded is not None and not get_current_worker().is_cancelled:
            self.post_message(Refolded(view, unread_only, generation, folded))

    def on_refolded(self: MainScreen, message: Refolded) -> None:
        if (
            message.generation != self._folding_wanted
            or message.view != self._view
            or message.unread_only != self._unread_only
            or not self.folding()
            or self.searching
        ):
            return
        folded = message.folded
        before = self._folded
        if before is not None and folded.rows == before.rows and folded.groups == before.groups:
            self._folded = folded
            return  # nothing moved (a sync that grouped nothing shown)
        self.use_folded(folded)
        self._show_rows(
            folded.rows, select=KEEP, snippet_key=None, unread_count=message.unread_count, index=message.index
        )
        self._update_status()
        self.refresh_bindings()
        if len(folded.members) > GC_FREEZE_ROWS:
            gc.freeze()  # the new rows stay: out of the collector's way, as after a load (MainScreen)
        shown = self.story_view.story
        if shown is not None:
            self._show_again(shown.id)

    def fold_changes(self: MainScreen, rows: list[StorySummary], gone: list[str]) -> bool:
        """Stories changed in the store while the rows are folded: repaint their groups' rows in place
        when only flags changed, else fold again.  False when the rows are not folded (patch as usual)."""
        folded = self._folded
        if folded is None or not self.folding():
            return False
        members = folded.members
        moved = self._folding_wanted != 0 and self._refold_pending()
        changed_ids: list[str] = []
        for row in (self._with_unsaved_flags(row) for row in rows):
            before = members.get(row.id)
            fits = fits_view(self._view, self._unread_only, row, None) or row.id in self._changed_here
            if before is None:
                if fits:
                    members[row.id] = row
                    moved = True
            elif not fits:
                del members[row.id]
                moved = True
            elif row != before:
                if dataclasses.replace(before, read=row.read, bookmarked=row.bookmarked) != row:
                    moved = True  # its date or headline changed: the group's row may change
                members[row.id] = row
                changed_ids.append(row.id)
        for story_id in gone:
            if members.pop(story_id, None) is not None:
                moved = True
        for story_id in {*changed_ids, *gone}:
            self._story_cache.discard(story_id)
        if moved:
            self.refold()  # the coverage is read again once the rows are folded again
            return True
        self._repaint_groups(changed_ids)
        return True

    def _refold_pending(self: MainScreen) -> bool:
        return any(worker.group == "fold-groups" and worker.is_running for worker in self.workers)

    def _repaint_groups(self: MainScreen, story_ids: Iterable[str]) -> None:
        """The rows of these stories' groups painted again from the members' flags."""
        folded = self._folded
        if folded is None:
            return
        story_list = self.story_list
        new_rows: list[StorySummary] = []
        touched: set[str] = set()
        for row_id in dict.fromkeys(folded.row_of.get(story_id, story_id) for story_id in story_ids):
            group = folded.groups.get(row_id)
            if group is None:
                row = folded.members.get(row_id)
            else:
                members = tuple(folded.members.get(m.id, m) for m in group.members)
                lead = folded.members.get(group.lead.id, group.lead)
                group = dataclasses.replace(group, lead=lead, members=members)
                folded.groups[row_id] = group
                row = row_summary(group)
            before = story_list.story(row_id)
            if row is None or before is None:
                continue
            if row != before:
                self._unread_count += (not row.read) - (not before.read)
                new_rows.append(row)
                touched.add(row_id)
        if new_rows:
            story_list.replace_stories(new_rows)
        self._after_rows_changed(touched)

    # ------------------------------------------------------------ read state of a group

    def with_group_members(self: MainScreen, row_ids: list[str]) -> list[str]:
        """These rows' stories: a group's row stands for every story of its group (M marks them all)."""
        folded = self._folded
        if folded is None or not self.folding():
            return row_ids
        ids: list[str] = []
        for row_id in row_ids:
            group = folded.groups.get(row_id)
            ids.extend(group.story_ids if group is not None else [row_id])
        return list(dict.fromkeys(ids))

    def change_group_flag(self: MainScreen, row: StorySummary, flag: str, value: bool) -> bool:
        """`m` (or opening) on a group's row marks every story of the group; `b` bookmarks the version
        shown.  False when the row is a story alone (the screen changes it as usual)."""
        folded = self._folded
        group = folded.groups.get(row.id) if folded is not None and self.folding() else None
        if folded is None or group is None:
            return False
        if flag == "bookmarked":
            shown = self.story_view.story
            if shown is None or shown.id == row.id or shown.id not in group.story_ids:
                return False
            member = folded.members.get(shown.id)
            if member is None:
                return False
            value = not member.bookmarked
            self._changed_here.add(member.id)
            folded.members[member.id] = dataclasses.replace(member, bookmarked=value)
            ticket = next(self._write_tickets)
            self._unsaved_flags[(member.id, "bookmarked")] = (ticket, value)
            cached = self._story_cache.get(member.id)
            if cached is not None:
                self._cache_story(dataclasses.replace(cached, bookmarked=value))
            self._show_story(dataclasses.replace(shown, bookmarked=value))
            self._write_flag(member.id, "bookmarked", value, ticket)
            return True
        story_ids = group.story_ids
        ticket = next(self._write_tickets)
        self._changed_here.update([row.id, *story_ids])
        if self._fetching:
            self._written_during_fetch.update(story_ids)
        for story_id in story_ids:
            self._unsaved_flags[(story_id, "read")] = (ticket, value)
            member = folded.members.get(story_id)
            if member is not None:
                folded.members[story_id] = dataclasses.replace(member, read=value)
        self._repaint_groups([row.id])
        self._update_status()
        shown = self.story_view.story
        if shown is not None and shown.id in story_ids:
            self._show_story(dataclasses.replace(shown, read=value))
        self._write_group_read(row.id, story_ids, value, ticket)
        return True

    @named_work("save group read state", thread=True, group="store-write")
    def _write_group_read(self: MainScreen, row_id: str, story_ids: list[str], read: bool, ticket: int) -> None:
        with self._write_lock:
            if self._unsaved_flags.get((row_id, "read"), (None, False))[0] != ticket:
                return  # a later change of the group is written by its own worker
            try:
                set_group_read(self._store, self._open_groups(), row_id, read)
            except StoreError as error:
                self.post_message(self.StoreFailed(str(error), reload=True))
            except Exception as error:  # noqa: BLE001 - one sentence for the reader
                self.post_message(self.StoreFailed(f"could not mark the group ({error})", reload=True))
            self.post_message(GroupReadWritten(story_ids, ticket))

    def on_group_read_written(self: MainScreen, message: GroupReadWritten) -> None:
        for story_id in message.story_ids:
            key = (story_id, "read")
            if self._unsaved_flags.get(key, (None, False))[0] == message.ticket:
                del self._unsaved_flags[key]

    # ------------------------------------------------------------ the viewer

    def _shown_group(self: MainScreen) -> GroupRow | None:
        """The group of the story the viewer shows, when the rows are folded and it has two or more."""
        folded = self._folded
        shown = self.story_view.story
        if folded is None or shown is None or not self.folding():
            return None
        return folded.group(shown.id)

    def row_holds(self: MainScreen, row_id: str, story_id: str) -> bool:
        """Whether the row `row_id` stands for the story (itself, or a story of its group)."""
        if row_id == story_id:
            return True
        folded = self._folded
        return folded is not None and folded.row_of.get(story_id) == row_id

    def story_in_group(self: MainScreen, story: Story) -> Story:
        """The story as the highlights and the viewer show it in a group: the group's highlights (each
        naming its source) and opinions, the flags of the list's rows; the story itself when it is
        alone.  Asks for the group's coverage when it is not in hand (the story shows again when it comes)."""
        folded = self._folded
        row_id = folded.row_of.get(story.id) if folded is not None and self.folding() else None
        if row_id is None or folded is None:
            return story
        member = folded.members.get(story.id)
        if member is not None and self.story_list.story(story.id) is None:
            story = dataclasses.replace(story, read=member.read, bookmarked=member.bookmarked)
        group = self._coverage_cache.get(row_id)
        if group is None:
            if row_id not in self._coverage_asked:
                self._coverage_asked.add(row_id)
                self._load_coverage(row_id)
            return story
        return with_coverage(story, group)

    def show_coverage(self: MainScreen, story: Story) -> None:
        """The viewer's coverage of the story it shows: every source, this one marked (hidden when alone)."""
        note = self.story_view.query_one(CoverageNote)
        section = self.story_view.query_one(CoverageSection)
        folded = self._folded
        row_id = folded.row_of.get(story.id) if folded is not None and self.folding() else None
        group = self._coverage_cache.get(row_id) if row_id is not None else None
        ids = [member.id for member in group.members] if group is not None else []
        if group is None or story.id not in ids:
            note.clear()
            section.clear()
            return
        note.show_position(ids.index(story.id), len(ids))
        section.show_members(group.members, story.id, self._clock())

    @named_work("load coverage", thread=True, group="coverage", exclusive=True)
    def _load_coverage(self: MainScreen, row_id: str) -> None:
        try:
            group = coverage(self._store, self._open_groups(), row_id)
        except StoreError as error:
            self.post_message(self.StoreFailed(str(error), reload=False, title="Coverage"))
            return
        except Exception as error:  # noqa: BLE001 - one sentence for the reader
            failure = f"could not read the coverage ({error})"
            self.post_message(self.StoreFailed(failure, reload=False, title="Coverage"))
            return
        self.post_message(CoverageLoaded(row_id, group))

    def on_coverage_loaded(self: MainScreen, message: CoverageLoaded) -> None:
        self._coverage_asked.discard(message.row_id)
        if message.group is None:
            return
        self._coverage_cache.discard(message.row_id)
        self._coverage_cache[message.row_id] = message.group
        for story in message.group.stories:
            if story.id not in self._story_cache:
                self._cache_story(story)
        for story_id in {self._wanted_id, self._opened_id}:
            if story_id is not None and self.row_holds(message.row_id, story_id):
                self._request_story(story_id)

    def _step_source(self: MainScreen, step: int) -> None:
        group = self._shown_group()
        shown = self.story_view.story
        if group is None or shown is None:
            return
        folded = self._folded
        row_id = folded.row_of.get(shown.id) if folded is not None else None
        cached = self._coverage_cache.get(row_id) if row_id is not None else None
        ids = [story.id for story in cached.stories] if cached is not None else group.story_ids
        index = ids.index(shown.id) if shown.id in ids else 0
        wanted = index + step
        if not 0 <= wanted < len(ids):
            self.notify("That was the " + ("last" if step > 0 else "first") + " source.", timeout=2)
            return
        self.show_source(ids[wanted])

    def show_source(self: MainScreen, story_id: str) -> None:
        """Open this story of the group shown (the list's cursor stays where it is)."""
        self._open(story_id)

    def action_next_source(self: MainScreen) -> None:
        self._step_source(1)

    def action_previous_source(self: MainScreen) -> None:
        self._step_source(-1)

    def on_coverage_section_source_chosen(self: MainScreen, message: CoverageSection.SourceChosen) -> None:
        message.stop()
        if self._shown_group() is not None:
            self.show_source(message.story_id)

    def on_coverage_section_link_clicked(self: MainScreen, message: CoverageSection.LinkClicked) -> None:
        message.stop()
        self.open_link(message.url)


__all__ = [
    "FOLDED_KINDS",
    "GROUPING_ACTIONS",
    "CoverageLoaded",
    "Folded",
    "GroupingMixin",
    "GroupsSynced",
    "Refolded",
    "fold",
    "folds",
    "row_summary",
    "with_coverage",
]
