"""Alembic, configured in code: the migrations ship inside the package, no alembic.ini."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Passed as an attribute, not a main option: configparser would choke on a '%'
    # in a URL-encoded password.
    config.attributes["database_url"] = database_url
    return config


def upgrade_to_head(database_url: str, *, lock: bool = True) -> None:
    """Migrate to the newest schema, one process at a time (``lock=False``: the caller
    holds ``startup_lock.migration_lock`` already)."""
    if not lock:
        command.upgrade(alembic_config(database_url), "head")
        return
    from pharmacy_server.startup_lock import migration_lock

    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), "head")


def schema_is_current(connection: Connection) -> bool:
    """Whether the database behind ``connection`` is at the newest migration (a new,
    empty database is not)."""
    heads = set(ScriptDirectory.from_config(alembic_config("")).get_heads())
    current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
