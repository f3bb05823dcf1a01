"""Migration 0019 on orders stored before it, on SQLite and PostgreSQL: each row's
patient name keys folded from its stored content, a row without a patient left empty,
and the search finding the backfilled rows by either name's start."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Table, insert, select

from pharmacy_server.db import Database
from pharmacy_server.migrate import alembic_config
from pharmacy_server.models import Prescription, User
from pharmacy_server.prescriptions.queue import page_query, parse_search
from pharmacy_server.security import Passwords, cheap_hasher
from pharmacy_server.seed import seed_demo
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import encrypted_test_url

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
#: The columns revision 0015 has (the keys came later).
_AT_0015 = [c.name for c in Prescription.__table__.c if not c.name.startswith("patient_")]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0015(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    url = (
        encrypted_test_url(tmp_path / "search.sqlite3")
        if request.param == "sqlite"
        else throwaway_postgres.create()
    )
    command.upgrade(alembic_config(url), "0015")
    return url


def _old_row(prescriber: Any, n: int, content: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": uuid.uuid4(),
        "reference": f"RX-261201-{n:04d}",
        "prescriber_id": prescriber.id,
        "clinic_id": prescriber.clinic_id,
        "idempotency_key": str(uuid.uuid4()),
        "request_sha256": "a" * 64,
        "status": "submitted",
        "template_id": "myers-infusion",
        "template_version": 1,
        "template_name": "Myers'",
        "content_json": json.dumps(content),
        "content_sha256": "b" * 64,
        "created_response_json": "{}",
        "created_at": NOW,
        "updated_at": NOW,
        "change_seq": n,
    }


def test_0019_folds_each_stored_patient_name_into_its_keys(url_at_0015: str) -> None:
    database = Database.from_url(url_at_0015)
    try:
        seed_demo(database, Passwords(hasher=cheap_hasher()))
        with database.writing() as session:
            prescriber = session.scalars(select(User).where(User.role == "prescriber")).first()
            assert prescriber is not None
            table: Table = Prescription.__table__  # type: ignore[assignment]
            patient = {"given_name": "Zoë", "family_name": "D'Arcy-Núñez"}
            named = _old_row(prescriber, 1, {"patient": patient})
            nameless = _old_row(prescriber, 2, {})
            rows = [named, nameless]
            session.execute(insert(table), [{k: r[k] for k in _AT_0015 if k in r} for r in rows])
    finally:
        database.dispose()

    command.upgrade(alembic_config(url_at_0015), "head")
    database = Database.from_url(url_at_0015)
    try:
        with database.reading() as session:
            by_id = {row.id: row for row in session.scalars(select(Prescription))}
            first, second = by_id[named["id"]], by_id[nameless["id"]]
            assert first.patient_family_key == "darcy nunez zoe"
            assert first.patient_given_key == "zoe darcy nunez"
            assert second.patient_family_key is None and second.patient_given_key is None
            for typed in ("darcy", "D'Arcy-N", "zoe d", "darcy nunez, z"):
                found = session.scalars(
                    page_query(parse_search(typed).conditions(), "newest", None, 10)
                )
                assert [row.id for row in found] == [named["id"]], typed
    finally:
        database.dispose()
