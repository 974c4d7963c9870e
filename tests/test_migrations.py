"""Migrations: an empty database reaches head, a second run is a no-op, the result is the tables."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, Engine, inspect, text

from reminders.store import current, head, make_engine, metadata, needs_upgrade, upgrade
from reminders.store.migrate import alembic_config


def test_upgrade_on_an_empty_database_reaches_head(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert current(engine) is None
        assert needs_upgrade(engine)
        assert upgrade(engine) == head()
        assert current(engine) == head()
        assert not needs_upgrade(engine)
        assert set(metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_twice_changes_nothing(engine: Engine) -> None:
    before = _schema(engine)
    with engine.connect() as conn:
        versions_before = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert upgrade(engine) == head()
    with engine.connect() as conn:
        versions_after = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    assert versions_after == versions_before == [(head(),)]
    assert _schema(engine) == before


def test_migrated_schema_matches_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert compare_metadata(context, metadata) == []


def test_foreign_keys_and_checks_match_the_tables(engine: Engine) -> None:
    """compare_metadata ignores ON DELETE and CHECK constraints; check them here."""
    inspector = inspect(engine)
    for table in metadata.sorted_tables:
        wanted_fks = {
            (fk.name, tuple(fk.column_keys), fk.referred_table.name, _action(fk.ondelete))
            for fk in table.foreign_key_constraints
        }
        found_fks = {
            (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"],
             _action(fk["options"].get("ondelete")))
            for fk in inspector.get_foreign_keys(table.name)
        }
        assert found_fks == wanted_fks, table.name
        wanted_checks = {c.name for c in table.constraints if isinstance(c, CheckConstraint)}
        found_checks = {c["name"] for c in inspector.get_check_constraints(table.name)}
        assert found_checks == wanted_checks, table.name


def test_downgrade_to_base_empties_the_database_and_upgrade_restores_it(engine: Engine) -> None:
    with engine.begin() as conn:
        command.downgrade(alembic_config(conn), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert needs_upgrade(engine)
    upgrade(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())


def _action(value: Any) -> str | None:
    text_value = str(value).upper() if value else None
    return None if text_value in (None, "NO ACTION") else text_value


def _schema(engine: Engine) -> dict[str, Any]:
    inspector = inspect(engine)
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            sorted(i["name"] or "" for i in inspector.get_indexes(name)),
        )
        for name in sorted(inspector.get_table_names())
    }
