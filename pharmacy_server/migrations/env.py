"""Alembic environment: online migrations through the server's own engine setup."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pharmacy_server.db import create_database_engine
from pharmacy_server.models import Base


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            _check_foreign_keys(connection)


def _check_foreign_keys(connection: Connection) -> None:
    """What SQLite would have enforced while its foreign keys were off, before commit."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows whose foreign keys point nowhere: {broken}")


def _run_sqlite(connection: Connection) -> None:
    """A batch migration copies a table into a new one and drops the old: with foreign
    keys on, dropping a table other rows point to fails. SQLite's documented way is to
    turn them off for the migration (outside any transaction, or the pragma does
    nothing) and check them before commit."""
    raw = connection.connection.dbapi_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        _run(connection)
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def _run_online() -> None:
    engine = create_database_engine(str(context.config.attributes["database_url"]))
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                _run_sqlite(connection)
            else:
                _run(connection)
    finally:
        engine.dispose()


_run_online()
