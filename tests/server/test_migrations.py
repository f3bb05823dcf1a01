"""The Alembic history builds exactly the models' schema, and the demo seed is idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from pharmacy_server.config import sqlite_url_for
from pharmacy_server.db import Database
from pharmacy_server.identifiers import is_valid_npi
from pharmacy_server.migrate import alembic_config, upgrade_to_head
from pharmacy_server.models import Base, Clinic, User
from pharmacy_server.security import Passwords
from pharmacy_server.seed import DEMO_ACCOUNTS, seed_demo
from tests.server.conftest import ThrowawayPostgres


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    if request.param == "sqlite":
        return sqlite_url_for(tmp_path / "fresh.sqlite3")
    return throwaway_postgres.create()


def test_upgrade_head_matches_the_models(fresh_database_url: str) -> None:
    upgrade_to_head(fresh_database_url)
    database = Database.from_url(fresh_database_url)
    try:
        with database.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
            tables = set(inspect(connection).get_table_names())
    finally:
        database.dispose()
    assert differences == []
    assert set(Base.metadata.tables) <= tables


def test_downgrade_to_base_and_up_again(fresh_database_url: str) -> None:
    config = alembic_config(fresh_database_url)
    command.upgrade(config, "head")
    command.downgrade(config, "base")
    command.upgrade(config, "head")


def test_sqlite_pragmas_are_set(tmp_path: Path) -> None:
    database = Database.from_url(sqlite_url_for(tmp_path / "pragmas.sqlite3"))
    try:
        with database.engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert (pragma("PRAGMA busy_timeout").scalar() or 0) >= 5000
    finally:
        database.dispose()


def test_demo_seed_is_idempotent(
    database: Database, passwords: Passwords, demo_password_hash: str
) -> None:
    # The ``database`` fixture has already seeded once.
    assert seed_demo(database, passwords, password_hash=demo_password_hash) == 0
    assert seed_demo(database, passwords, password_hash=demo_password_hash) == 0
    with database.reading() as session:
        users = session.scalar(select(func.count()).select_from(User))
        clinics = session.scalar(select(func.count()).select_from(Clinic))
        prescribers = list(session.scalars(select(User).where(User.role == "prescriber")))
        prescriber_clinics = {user.clinic.name for user in prescribers}
    assert users == len(DEMO_ACCOUNTS)
    assert clinics == 3
    assert prescriber_clinics == {"Riverside Integrative Health", "Lakeside Wellness Clinic"}
    assert all(user.npi is not None and is_valid_npi(user.npi) for user in prescribers)


def test_npi_check_digit() -> None:
    assert is_valid_npi("1234567893")  # the CMS worked example
    assert not is_valid_npi("1234567890")
    assert not is_valid_npi("123456789")
