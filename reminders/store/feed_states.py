"""What each feed served last, and every fetch of a feed: the store side of feeds."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from reminders.store.tables import feed_fetches, feed_states

_CHUNK = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    etag: str
    last_modified: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Fetch:
    """One request for a feed."""

    unit_id: str | None  # None for a plan's feed
    feed: str  # the feed key, e.g. "hoat-dong:vhtt-thanh-xuan"
    at: datetime
    client: str
    status_code: int


def load_states(conn: Connection, keys: Collection[str] | None = None) -> dict[str, FeedState]:
    """Stored states, of `keys` only when given."""
    if keys is None:
        return {row.key: FeedState(etag=row.etag, last_modified=row.last_modified)
                for row in conn.execute(select(feed_states))}
    found: dict[str, FeedState] = {}
    ordered = sorted(keys)
    for start in range(0, len(ordered), _CHUNK):
        query = select(feed_states).where(feed_states.c.key.in_(ordered[start:start + _CHUNK]))
        found.update({row.key: FeedState(etag=row.etag, last_modified=row.last_modified)
                      for row in conn.execute(query)})
    return found


def settle_states(conn: Connection, proposed: Mapping[str, FeedState]) -> dict[str, FeedState]:
    """Record new feed bytes; returns the states the store now holds for these keys.

    Several web workers may settle the same change at once: a row is only replaced when
    its stored ETag differs, and its Last-Modified only ever moves forward, so every
    worker ends up serving the first writer's validators.
    """
    stored = load_states(conn, proposed)
    new = [{"key": key, "etag": state.etag, "last_modified": state.last_modified}
           for key, state in proposed.items() if key not in stored]
    if new:
        try:
            with conn.begin_nested():
                conn.execute(insert(feed_states), new)  # one statement: the usual case
        except IntegrityError:
            for row in new:  # another worker inserted some: keep its rows, add the rest
                try:
                    with conn.begin_nested():
                        conn.execute(insert(feed_states).values(**row))
                except IntegrityError:
                    pass
    for key, state in proposed.items():
        old = stored.get(key)
        if old is not None and old.etag != state.etag:
            modified = max(state.last_modified, old.last_modified + timedelta(seconds=1))
            conn.execute(update(feed_states)
                         .where(feed_states.c.key == key, feed_states.c.etag == old.etag)
                         .values(etag=state.etag, last_modified=modified))
    return load_states(conn, proposed)


def drop_states(conn: Connection, keys: Iterable[str]) -> None:
    keys = list(keys)
    if keys:
        conn.execute(delete(feed_states).where(feed_states.c.key.in_(keys)))


def record_fetches(conn: Connection, fetches: Iterable[Fetch]) -> int:
    """Insert fetches in one statement; returns how many."""
    rows = [{"unit_id": f.unit_id, "feed": f.feed, "fetched_at": f.at, "client": f.client,
             "status_code": f.status_code} for f in fetches]
    if rows:
        conn.execute(insert(feed_fetches), rows)
    return len(rows)


def last_fetches(conn: Connection, unit_id: str | None = None, *,
                 feeds: Collection[str] | None = None) -> dict[str, dict[str, datetime]]:
    """feed key → client family → the last successful fetch, of a unit's feeds or of `feeds`."""
    query = (select(feed_fetches.c.feed, feed_fetches.c.client,
                    func.max(feed_fetches.c.fetched_at))
             .where(feed_fetches.c.status_code < 400)
             .group_by(feed_fetches.c.feed, feed_fetches.c.client))
    if unit_id is not None:
        query = query.where(feed_fetches.c.unit_id == unit_id)
    if feeds is not None:
        query = query.where(feed_fetches.c.feed.in_(sorted(feeds)))
    found: dict[str, dict[str, datetime]] = {}
    for feed, client, at in conn.execute(query):
        found.setdefault(feed, {})[client] = at
    return found
