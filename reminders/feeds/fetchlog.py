"""Feed fetches, kept in memory by requests and written to the store in batches.

A log line per request costs about half the request rate (DESIGN.md), so a request only
appends a tuple; the service's background loop writes them every few seconds.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy.engine import Engine

from reminders.feeds.clients import client_family
from reminders.feeds.model import FeedKey, FeedKind
from reminders.store.feed_states import Fetch, record_fetches

MAX_PENDING = 100_000  # beyond this, fetches are counted but not kept (a flood, not clients)


class FetchLog:
    """Collects fetches; `flush()` writes them in one statement."""

    def __init__(self) -> None:
        self._pending: list[tuple[FeedKey, datetime, str | None, int]] = []
        self._lock = threading.Lock()
        self.dropped = 0

    def record(self, key: FeedKey, at: datetime, user_agent: str | None, status: int) -> None:
        """Keep one fetch (on the request path: a tuple, no classifying yet)."""
        with self._lock:
            if len(self._pending) < MAX_PENDING:
                self._pending.append((key, at, user_agent, status))
            else:
                self.dropped += 1

    def flush(self, engine: Engine) -> int:
        """Write what has been collected; returns how many fetches were written."""
        with self._lock:
            batch, self._pending = self._pending, []
        if not batch:
            return 0
        fetches = [Fetch(unit_id=None if key.kind is FeedKind.PLAN else key.owner,
                         feed=str(key), at=at, client=client_family(agent).value,
                         status_code=status) for key, at, agent, status in batch]
        with engine.begin() as conn:
            return record_fetches(conn, fetches)

    @property
    def pending(self) -> int:
        return len(self._pending)
