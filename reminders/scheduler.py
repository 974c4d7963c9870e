"""APScheduler wiring only: one interval job that runs the service's tick; no logic here.

The tick itself is a plain function of `now` (STYLE habit 2): later issues add the
dispatch step to it. Jobs live in memory on purpose: the outbox rows in the database
are the durable state, so a restart loses nothing and no job store is needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from reminders.clock import Clock

log = logging.getLogger(__name__)

Step = Callable[[datetime], object]


@dataclass(slots=True)
class Heartbeat:
    """What the tick last did; /healthz reports it so a stalled scheduler shows."""

    last_tick: datetime | None = None
    ticks: int = 0
    last_error: str | None = None
    steps: list[tuple[str, Step]] = field(default_factory=list)

    def tick(self, now: datetime) -> None:
        """Run every step once at `now`; one failing step never stops the others."""
        for name, step in self.steps:
            try:
                step(now)
            except Exception as exc:  # a tick must survive any one step's failure
                log.exception("bước %s của nhịp lỗi", name)
                self.last_error = f"{name}: {exc}"
        self.last_tick = now
        self.ticks += 1


def start_scheduler(heartbeat: Heartbeat, clock: Clock, every_seconds: int) -> AsyncIOScheduler:
    """Start the interval job and a catch-up tick right away (call inside the event loop)."""
    scheduler = AsyncIOScheduler(timezone="UTC")

    def tick() -> None:  # reads the clock once, then the step takes `now`
        heartbeat.tick(clock.now())

    scheduler.add_job(
        tick,
        "interval",
        seconds=every_seconds,
        id="tick",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(60, every_seconds * 10),
        next_run_time=clock.now(),  # catch up at start instead of waiting one interval
    )
    scheduler.start()
    return scheduler
