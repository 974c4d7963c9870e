"""The database schema as SQLAlchemy Core tables; migrations/versions must create exactly this."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
    true,
)

from reminders.domain import Channel, DeliveryStatus, PlanStatus
from reminders.store.types import BigId, JSONType, UTCDateTime

# Named constraints, so Alembic can alter and drop them (SQLite batch mode needs names).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

ROLES = ("lead", "partner")
SUBMISSION_KINDS = ("seen", "submitted")
SUBMISSION_VIAS = ("link", "dashboard", "api")


def _one_of(column: str, values: Iterable[str]) -> CheckConstraint:
    allowed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({allowed})", name=column)


def _unit_fk(ondelete: str | None = "SET NULL") -> ForeignKey:
    # Units are never deleted (history points at them); SET NULL only guards odd manual deletes.
    return ForeignKey("units.id", ondelete=ondelete)


def _stamps() -> list[Column[datetime]]:
    return [Column(name, UTCDateTime(), nullable=False) for name in ("created_at", "updated_at")]


units = Table(
    "units",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("parent_id", String(100), _unit_fk(), nullable=True, index=True),
    Column("aliases", JSONType, nullable=False),
    Column("emails", JSONType, nullable=False),
    Column("zalo_user_ids", JSONType, nullable=False),
    Column("phones", JSONType, nullable=False),
    Column("webhook_url", Text, nullable=True),
    Column("feed_token", String(64), nullable=False, unique=True),
    Column("active", Boolean, nullable=False, server_default=true()),
    *_stamps(),
    # Zalo Bot chats that opted in, and the unit's own reminder settings (0004).
    Column("zalo_chat_ids", JSONType, nullable=False, server_default=text("'[]'")),
    Column("reminder_prefs", JSONType, nullable=True),
)

unit_groups = Table(
    "unit_groups",
    metadata,
    Column("id", String(100), primary_key=True),
    Column("name", Text, nullable=False),
    Column("aliases", JSONType, nullable=False),
    Column("parent_id", String(100), _unit_fk(), nullable=True),
    # Like units, a group leaving the registry is kept (activities name it) but made inactive.
    Column("active", Boolean, nullable=False, server_default=true()),
    *_stamps(),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", String(100), ForeignKey("unit_groups.id", ondelete="CASCADE"),
           primary_key=True),
    Column("unit_id", String(100), ForeignKey("units.id", ondelete="CASCADE"),
           primary_key=True, index=True),
)

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("number", String(100), nullable=True),
    Column("issuer", Text, nullable=False),
    Column("issuer_unit_id", String(100), _unit_fk(), nullable=True),
    Column("issued", Date, nullable=True),
    Column("place", Text, nullable=False),
    Column("title", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("standing_unit_id", String(100), _unit_fk(), nullable=True),
    Column("standing_name", Text, nullable=True),  # as the plan writes it
    Column("implements", JSONType, nullable=False),
    # How a re-import finds this plan (store/plan_import.py); the default '' only exists
    # because SQLite adds a NOT NULL column to a table solely with one.
    Column("identity", String(300), nullable=False, server_default=text("''"), index=True),
    # The last import as contracts/plan-json.md prints it, warnings included.
    Column("document", JSONType, nullable=True),
    Column("status", String(20), nullable=False, server_default=PlanStatus.DRAFT.value,
           index=True),
    Column("revision", Integer, nullable=False, server_default=text("1")),
    *_stamps(),
    Column("published_at", UTCDateTime(), nullable=True),
    # The secret in the plan's own feed URL; set for every plan (0003 fills old ones).
    Column("feed_token", String(64), nullable=True, unique=True, index=True),
    _one_of("status", [s.value for s in PlanStatus]),
)

plan_sources = Table(
    "plan_sources",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("filename", Text, nullable=False),
    Column("sha256", String(64), nullable=False, index=True),
    Column("size", BigInteger, nullable=False),
    Column("imported_at", UTCDateTime(), nullable=False),
)

activities = Table(
    "activities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(200), nullable=False, unique=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("code", String(50), nullable=False),
    Column("position", Integer, nullable=False, server_default=text("0")),  # document order
    Column("section", Text, nullable=True),
    Column("title", Text, nullable=False),
    Column("location", Text, nullable=True),
    Column("time_text", Text, nullable=False),
    Column("time_json", JSONType, nullable=False),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("start_at", UTCDateTime(), nullable=True),
    Column("end_at", UTCDateTime(), nullable=True),
    Column("tentative", Boolean, nullable=False, server_default=false()),
    Column("undetermined", Boolean, nullable=False, server_default=false()),
    Column("expected_result", Text, nullable=True),
    Column("source", Text, nullable=False),
    Column("revision", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
    # Feeds select a rolling window of dates.
    Index(None, "start_date", "end_date"),
)

activity_units = Table(
    "activity_units",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("activity_id", Integer, ForeignKey("activities.id", ondelete="CASCADE"),
           nullable=False),
    Column("role", String(10), nullable=False),
    Column("name", Text, nullable=False),  # as the plan writes it
    Column("unit_id", String(100), _unit_fk(), nullable=True, index=True),
    Column("group_id", String(100), ForeignKey("unit_groups.id", ondelete="SET NULL"),
           nullable=True, index=True),
    Column("position", Integer, nullable=False),
    UniqueConstraint("activity_id", "role", "position"),
    _one_of("role", ROLES),
)

deadlines = Table(
    "deadlines",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("uid", String(200), nullable=False, unique=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("position", Integer, nullable=False, server_default=text("0")),  # document order
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("time_text", Text, nullable=False),
    Column("time_json", JSONType, nullable=False),
    Column("rrule", Text, nullable=True),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),
    Column("to_unit_id", String(100), _unit_fk(), nullable=True),
    Column("to_name", Text, nullable=True),
    # A receiving group's slug. No foreign key: SQLite cannot add one to an existing table,
    # and groups are never deleted (a group leaving the registry is made inactive).
    Column("to_group_id", String(100), nullable=True),
    Column("source", Text, nullable=False),
    Column("revision", Integer, nullable=False, server_default=text("1")),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("removed_at", UTCDateTime(), nullable=True),
)

deadline_units = Table(
    "deadline_units",
    metadata,
    Column("deadline_id", Integer, ForeignKey("deadlines.id", ondelete="CASCADE"),
           primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("name", Text, nullable=False),
    Column("unit_id", String(100), _unit_fk(), nullable=True, index=True),
    Column("group_id", String(100), ForeignKey("unit_groups.id", ondelete="SET NULL"),
           nullable=True, index=True),
)

# "Phân công / tổ chức thực hiện": a unit's tasks; replaced as a whole on each import.
assignments = Table(
    "assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="CASCADE"), nullable=False,
           index=True),
    Column("position", Integer, nullable=False),
    Column("name", Text, nullable=False),  # as the plan writes it
    Column("unit_id", String(100), _unit_fk(), nullable=True, index=True),
    Column("group_id", String(100), ForeignKey("unit_groups.id", ondelete="SET NULL"),
           nullable=True, index=True),
    Column("tasks", JSONType, nullable=False),
    Column("source", Text, nullable=False),
    UniqueConstraint("plan_id", "position"),
)

deadline_occurrences = Table(
    "deadline_occurrences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("deadline_id", Integer, ForeignKey("deadlines.id", ondelete="CASCADE"),
           nullable=False),
    Column("due_date", Date, nullable=False, index=True),
    UniqueConstraint("deadline_id", "due_date"),
)

expected_reports = Table(
    "expected_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurrence_id", Integer,
           ForeignKey("deadline_occurrences.id", ondelete="CASCADE"), nullable=False),
    Column("unit_id", String(100), _unit_fk(None), nullable=False, index=True),
    Column("exempt", Boolean, nullable=False, server_default=false()),
    Column("exempt_reason", Text, nullable=True),
    Column("added_by_office", Boolean, nullable=False, server_default=false()),
    UniqueConstraint("occurrence_id", "unit_id"),
)

# No cascade from occurrences: a report a unit sent is evidence; deleting its plan must fail.
submissions = Table(
    "submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("occurrence_id", Integer, ForeignKey("deadline_occurrences.id"), nullable=False),
    Column("unit_id", String(100), _unit_fk(None), nullable=False, index=True),
    Column("kind", String(20), nullable=False),
    Column("via", String(20), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("by_user", Text, nullable=True),
    Column("document_number", String(100), nullable=True),
    Column("document_date", Date, nullable=True),
    Column("note", Text, nullable=True),
    Column("withdrawn_at", UTCDateTime(), nullable=True),
    Column("withdrawn_by", Text, nullable=True),
    Column("withdrawn_reason", Text, nullable=True),
    Index(None, "occurrence_id", "unit_id"),
    _one_of("kind", SUBMISSION_KINDS),
    _one_of("via", SUBMISSION_VIAS),
)

# The outbox: one row per message; the dispatcher claims due rows with a lease.
deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("idempotency_key", String(255), nullable=False, unique=True),
    Column("unit_id", String(100), _unit_fk(None), nullable=False, index=True),
    Column("channel", String(20), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("due_at", UTCDateTime(), nullable=False),
    Column("status", String(20), nullable=False, server_default=DeliveryStatus.PENDING.value),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("next_attempt_at", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime(), nullable=True),
    Column("claimed_by", String(200), nullable=True),
    Column("last_error", Text, nullable=True),
    Column("provider_message_id", String(255), nullable=True),
    Column("payload", JSONType, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime(), nullable=True),
    # What the planner compares on a re-import (0004); empty for test messages.
    Column("plan_id", Integer, ForeignKey("plans.id", ondelete="SET NULL"), nullable=True,
           index=True),
    Column("item_uid", String(200), nullable=True),
    Column("occurrence", Date, nullable=True),
    Index(None, "status", "next_attempt_at"),
    _one_of("channel", [c.value for c in Channel]),
    _one_of("status", [s.value for s in DeliveryStatus]),
)

feed_fetches = Table(
    "feed_fetches",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("unit_id", String(100), _unit_fk(), nullable=True),
    Column("feed", String(40), nullable=False),
    Column("fetched_at", UTCDateTime(), nullable=False),
    Column("client", String(40), nullable=False),
    Column("status_code", Integer, nullable=False),
    Index(None, "unit_id", "fetched_at"),
    Index(None, "feed", "fetched_at"),  # the subscribe page: when each feed was last read
)

# What each feed served last (feeds/states.py): Last-Modified must never go backwards,
# also when an event leaves the feed, and must agree between web workers and exports.
feed_states = Table(
    "feed_states",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("etag", String(80), nullable=False),
    Column("last_modified", UTCDateTime(), nullable=False),
)

# Small state that is neither a unit nor a plan (e.g. the Zalo refresh token).
meta = Table(
    "meta",
    metadata,
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Bearer tokens of the JSON API (0005): only a SHA-256 of each is kept. A unit's token dies
# with its unit (CASCADE): SET NULL would turn it into an office token that sees everything.
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("unit_id", String(100), _unit_fk("CASCADE"), nullable=True, index=True),
    Column("label", Text, nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime(), nullable=True),
    Column("revoked_at", UTCDateTime(), nullable=True),
)
