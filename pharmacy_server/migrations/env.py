"""Alembic environment: online migrations through the server's own engine setup."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from pharmacy_server.db import create_database_engine
from pharmacy_server.models import Base


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER much
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_online() -> None:
    engine = create_database_engine(str(context.config.attributes["database_url"]))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


_run_online()
