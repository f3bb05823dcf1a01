"""The Alembic history builds exactly the models' schema, and the demo seed is idempotent."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import cast

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Table, func, insert, inspect, select, text

from pharmacy_server import audit
from pharmacy_server.audit import GENESIS_HASH, Actor
from pharmacy_server.db import Database
from pharmacy_server.identifiers import is_valid_npi
from pharmacy_server.migrate import alembic_config, upgrade_to_head
from pharmacy_server.models import AuditEvent, Base, Clinic, Prescription, User
from pharmacy_server.security import Passwords
from pharmacy_server.seed import DEMO_ACCOUNTS, seed_demo
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import encrypted_test_url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    if request.param == "sqlite":
        return encrypted_test_url(tmp_path / "fresh.sqlite3")
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
    database = Database.from_url(encrypted_test_url(tmp_path / "pragmas.sqlite3"))
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


def _rows_hashed_before_0006(url: str) -> uuid.UUID:
    """An audit event and a prescription as revision 0005 stored them; the prescription's id."""
    when = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
    database = Database.from_url(url)
    try:
        with database.writing() as session:
            clinic = Clinic(name="Old Clinic", kind="clinic")
            session.add(clinic)
            session.flush()
            prescriber = User(username="old.prescriber", display_name="Dr. Old",
                              role="prescriber", clinic_id=clinic.id, password_hash="x",
                              created_at=when, is_active=True)  # fmt: skip
            session.add(prescriber)
            session.flush()
            rx = uuid.uuid4()
            session.execute(
                insert(cast(Table, Prescription.__table__)).values(
                    id=rx, reference="RX-OLD-1", prescriber_id=prescriber.id,
                    clinic_id=clinic.id, idempotency_key="k", request_sha256="a" * 64,
                    status="submitted", template_id="myers-infusion", template_version=1,
                    template_name="Myers", content_json="{}", content_sha256="b" * 64,
                    created_response_json="{}", created_at=when, updated_at=when,
                )
            )  # fmt: skip
            session.execute(
                text("INSERT INTO audit_event (seq, occurred_at, action, outcome, details_json, "
                     "prev_hash, hash) VALUES (1, :at, 'auth.login', 'failure', '{}', :prev, "
                     ":hash)"),
                {"at": when, "prev": GENESIS_HASH, "hash": "c" * 64},
            )  # fmt: skip
            session.execute(
                text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 1, :hash)"),
                {"hash": "c" * 64},
            )
    finally:
        database.dispose()
    return rx


def _columns(url: str, table_name: str) -> set[str]:
    database = Database.from_url(url)
    try:
        with database.engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns(table_name)}
    finally:
        database.dispose()


def test_0006_labels_older_hashes_and_downgrades_only_without_newer_ones(
    fresh_database_url: str,
) -> None:
    url = fresh_database_url
    config = alembic_config(url)
    command.upgrade(config, "0005")
    rx = _rows_hashed_before_0006(url)

    command.upgrade(config, "head")
    database = Database.from_url(url)
    try:
        with database.reading() as session:
            assert session.scalar(select(AuditEvent.hash_form)) == "sorted-json"
            stored = session.get(Prescription, rx)
            assert stored is not None
            assert (stored.request_sha256, stored.request_hash_form) == ("a" * 64, "sorted-json")
    finally:
        database.dispose()

    # Only older hashes: the older code reads everything, so going back is allowed.
    command.downgrade(config, "0005")
    assert "hash_form" not in _columns(url, "audit_event")
    assert "request_hash_form" not in _columns(url, "prescription")
    command.upgrade(config, "head")

    database = Database.from_url(url)
    try:
        with database.writing() as session:
            audit.append(
                session,
                now=dt.datetime.now(dt.UTC),
                actor=Actor(None, None, "127.0.0.1"),
                action="auth.login",
                outcome="failure",
            )
    finally:
        database.dispose()
    with pytest.raises(RuntimeError, match=r"1 audit event\(s\) and 0 prescription\(s\)"):
        command.downgrade(config, "0005")
    assert "hash_form" in _columns(url, "audit_event")  # still at head, labels intact
    database = Database.from_url(url)
    try:
        with database.reading() as session:
            forms = session.scalars(select(AuditEvent.hash_form).order_by(AuditEvent.seq)).all()
        assert forms == ["sorted-json", "rfc8785"]
    finally:
        database.dispose()
