"""The live set of feeds: refreshed from the store after changes, served from memory.

`refresh(now)` is one step (STYLE habit 2): it reads what changed (plan revisions, the
unit registry, the day), re-renders only the plans and feeds that change touched,
settles each touched feed's ETag and Last-Modified in the store, and swaps in the new
state. Requests (`get`) never touch the database or icalendar.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from reminders.clock import VN_TZ
from reminders.feeds import calendar
from reminders.feeds.calendar import FeedDoc
from reminders.feeds.catalogue import Catalogue
from reminders.feeds.entries import PlanEntry, build_entry, changed_feeds
from reminders.feeds.model import FeedItem, FeedKey
from reminders.feeds.window import Window
from reminders.store.feed_data import (
    PlanStamp,
    group_members_of,
    load_plans,
    load_units,
    plan_stamps,
    units_stamp,
)
from reminders.store.feed_states import FeedState, load_states, settle_states

CACHE_BYTES = 64 * 1024 * 1024  # assembled feeds kept for requests


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedSettingsView:
    base_url: str
    refresh_hours: int = 12
    days_back: int | None = 30
    days_ahead: int | None = 400


@dataclass(frozen=True, slots=True, kw_only=True)
class _State:
    catalogue: Catalogue
    plans: Mapping[int, PlanStamp]
    units: tuple[object, ...]
    window: Window
    states: Mapping[str, FeedState]  # by str(FeedKey)
    refreshed_at: datetime
    versions: Mapping[FeedKey, int] = field(default_factory=dict)


OnRender = Callable[[FeedKey, FeedDoc, bool], None]


class FeedHub:
    """Feeds over one store; `persist=False` for exports that must not move Last-Modified."""

    def __init__(self, engine: Engine, settings: FeedSettingsView, *, persist: bool = True,
                 cache_bytes: int = CACHE_BYTES) -> None:
        self._engine = engine
        self._settings = settings
        self._persist = persist
        self._state: _State | None = None
        self._refreshing = threading.Lock()
        self._cache: OrderedDict[FeedKey, tuple[int, FeedDoc]] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._cache_size = 0
        self._cache_limit = cache_bytes

    @property
    def catalogue(self) -> Catalogue:
        return self._current().catalogue

    @property
    def refresh_hours(self) -> int:
        return self._settings.refresh_hours

    @property
    def window(self) -> Window:
        return self._current().window

    def refresh(self, now: datetime, on_render: OnRender | None = None) -> set[FeedKey]:
        """Bring the feeds up to date with the store; returns the feeds that were rebuilt.

        `on_render(key, doc, changed)` sees every rebuilt feed's document as it is made
        (the export writes it), `changed` saying whether its bytes differ from the last
        ones recorded. Feeds are made one at a time, so memory holds one feed, not all.
        """
        with self._refreshing, self._engine.begin() as conn:
            old = self._state
            new, touched = self._next(conn, old, now)
            versions = dict(old.versions) if old else {}
            for key in touched:
                versions[key] = versions.get(key, 0) + 1
            # Requests and on_render see the new catalogue at once; validators settle below.
            self._state = replace(new, versions=versions, refreshed_at=_truncated(now))
            proposed: dict[str, FeedState] = {}
            for key in sorted(touched):
                if not new.catalogue.exists(key):
                    continue
                doc = self._doc(new, key, now)
                state = FeedState(etag=doc.etag, last_modified=doc.last_modified)
                changed = new.states.get(str(key)) != state
                if changed:
                    proposed[str(key)] = state
                if on_render is not None:
                    on_render(key, doc, changed)
                self._remember(key, versions[key], doc)
            settled = dict(proposed)
            if proposed and self._persist:
                # The store has the last word: another worker may have settled it first.
                settled = settle_states(conn, proposed)
            self._state = replace(new, states={**new.states, **settled}, versions=versions,
                                  refreshed_at=_truncated(now))
        for name, state in settled.items():
            if state != proposed.get(name):
                key = next(k for k in touched if str(k) == name)
                with self._cache_lock:
                    self._cache.pop(key, None)
                fixed = self.get(key)
                if on_render is not None and fixed is not None:
                    on_render(key, fixed, True)
        return touched

    def get(self, key: FeedKey) -> FeedDoc | None:
        """The served document of a feed, assembled from cached pieces if not in memory."""
        state = self._current()
        if not state.catalogue.exists(key):
            return None
        version = state.versions.get(key, 0)
        cached = self._cache.get(key)  # no lock: a dict read is atomic, misses are cheap
        if cached is not None and cached[0] == version:
            return cached[1]
        body = state.catalogue.render(key, state.window)
        tag = calendar.etag(body)
        known = state.states.get(str(key))
        # Only a feed a refresh has not seen yet lacks a state; it counts from that refresh.
        modified = known.last_modified if known and known.etag == tag else state.refreshed_at
        doc = FeedDoc(body=body, etag=tag, last_modified=modified)
        self._remember(key, version, doc)
        return doc

    # --- building the next state ---------------------------------------------------------

    def _next(self, conn: Connection, old: _State | None, now: datetime
              ) -> tuple[_State, set[FeedKey]]:
        stamps = plan_stamps(conn)
        ustamp = units_stamp(conn)
        window = self._window(now)
        units_changed = old is None or old.units != ustamp
        unit_map = load_units(conn) if units_changed or old is None else dict(
            old.catalogue.units)
        members = group_members_of(unit_map)
        previous = dict(old.catalogue.entries) if old else {}
        changed = {pid for pid, stamp in stamps.items()
                   if old is None or old.plans.get(pid) != stamp}
        gone = set(previous) - set(stamps)
        entries: dict[int, PlanEntry] = {pid: e for pid, e in previous.items() if pid in stamps}
        for pid, (plan, items) in load_plans(conn, changed).items():
            entries[pid] = build_entry(plan, items, members, self._settings.base_url,
                                       previous.get(pid))
        if units_changed and old is not None:
            for pid in set(entries) - changed:
                entry = entries[pid]
                entries[pid] = build_entry(entry.plan, _items(entry), members,
                                           self._settings.base_url, entry)
        catalogue = Catalogue(units=unit_map, entries=entries,
                              refresh_hours=self._settings.refresh_hours)
        states = old.states if old else (load_states(conn) if self._persist else {})
        new = _State(catalogue=catalogue, plans=stamps, units=ustamp, window=window,
                     states=states, versions=old.versions if old else {},
                     refreshed_at=_truncated(now))
        if old is None or units_changed or old.window != window:
            touched = set(catalogue.feed_keys(with_empty_followed=True))
            return new, touched
        touched = set()
        for pid in changed | gone:
            touched |= changed_feeds(previous.get(pid), entries.get(pid))
        return new, touched

    def _window(self, now: datetime) -> Window:
        today = now.astimezone(VN_TZ).date()
        s = self._settings
        return Window(today=today, days_back=s.days_back, days_ahead=s.days_ahead)

    def _doc(self, state: _State, key: FeedKey, now: datetime) -> FeedDoc:
        body = state.catalogue.render(key, state.window)
        tag = calendar.etag(body)
        known = state.states.get(str(key))
        if known is not None and known.etag == tag:
            return FeedDoc(body=body, etag=tag, last_modified=known.last_modified)
        # Never backwards, even when the change is an event leaving the feed.
        modified = _truncated(now)
        if known is not None and modified <= known.last_modified:
            modified = known.last_modified + timedelta(seconds=1)
        return FeedDoc(body=body, etag=tag, last_modified=modified)

    def _remember(self, key: FeedKey, version: int, doc: FeedDoc) -> None:
        with self._cache_lock:
            old = self._cache.pop(key, None)
            if old is not None:
                self._cache_size -= len(old[1].body)
            if len(doc.body) > self._cache_limit:
                return
            self._cache[key] = (version, doc)
            self._cache_size += len(doc.body)
            while self._cache_size > self._cache_limit:
                # Oldest first; hits do not reorder, so a read needs no lock.
                _, (_, dropped) = self._cache.popitem(last=False)
                self._cache_size -= len(dropped.body)

    def _current(self) -> _State:
        if self._state is None:
            raise RuntimeError("FeedHub.refresh() must run before feeds are read")
        return self._state


def _truncated(at: datetime) -> datetime:
    return at.replace(microsecond=0)


def _items(entry: PlanEntry) -> Iterable[FeedItem]:
    seen: dict[str, FeedItem] = {}
    for event in entry.events:
        seen.setdefault(event.item.uid, event.item)
    return seen.values()
