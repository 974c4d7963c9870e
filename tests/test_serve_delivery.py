"""The service's tick plans and sends: seed plans published, a FixedClock, mail as .eml files."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reminders.clock import FixedClock
from reminders.config import Settings
from reminders.scheduler import Heartbeat
from reminders.services import Services
from reminders.store import make_engine, upgrade
from reminders.store.outbox import count_by_status
from reminders.units import load_registry
from reminders.web.app import delivery_steps
from tests.feed_support import store_seeds
from tests.ingest_support import ROOT

# Monday 05/12/2022 08:00 in Hà Nội: the seeds have activities and deadlines that week.
MONDAY = datetime(2022, 12, 5, 1, 0, tzinfo=UTC)


def test_the_tick_plans_published_plans_and_writes_due_mail_as_eml_files(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'reminders.db'}"
    engine = make_engine(url)
    upgrade(engine)
    store_seeds(engine, at=MONDAY - timedelta(days=40))
    base = Settings()
    mail_dir = tmp_path / "mail"
    settings = replace(base, database=replace(base.database, url=url),
                       smtp=replace(base.smtp, host="", mail_dir=mail_dir))
    clock = FixedClock(MONDAY)
    services = Services(settings=settings, clock=clock, engine=engine,
                        registry=load_registry(ROOT / "config" / "units.toml"))
    heartbeat = Heartbeat(steps=delivery_steps(services))

    heartbeat.tick(clock.now())

    assert heartbeat.last_error is None
    with engine.connect() as conn:
        counts = count_by_status(conn)
    files = sorted(mail_dir.glob("*.eml"))
    assert counts.get("sent", 0) > 0 and files
    assert counts.get("failed", 0) == 0
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["Subject"].startswith(("Nhắc việc", "Nhắc hạn báo cáo"))
    assert message["To"] and message["Message-ID"]
    sent = counts["sent"]
    heartbeat.tick(clock.now())  # the same moment again: nothing new, nothing twice
    with engine.connect() as conn:
        assert count_by_status(conn)["sent"] == sent
    assert len(list(mail_dir.glob("*.eml"))) == len(files)
    clock.advance(timedelta(days=4))
    heartbeat.tick(clock.now())
    with engine.connect() as conn:
        assert count_by_status(conn)["sent"] > sent  # Friday's reminders went out
    engine.dispose()
