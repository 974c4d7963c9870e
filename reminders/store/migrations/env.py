"""Alembic environment: runs migrations on the connection that reminders.store.migrate passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from reminders.errors import StoreError
from reminders.store.engine import make_engine
from reminders.store.tables import metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise StoreError("chưa hỗ trợ sinh tệp SQL (chế độ offline) cho các bản nâng cấp")
    config = context.config
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _run(connection)
        return
    # The alembic command line: take the URL from attributes or the main option.
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise StoreError("không có địa chỉ cơ sở dữ liệu để nâng cấp")
    engine = make_engine(str(url))
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


main()
