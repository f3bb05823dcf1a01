"""Migration 0013 on orders stored before it, on SQLite and PostgreSQL: the needed-by key,
"has warnings" from the stored evaluation, "answered" from the last step, and change
numbers in the order of the last update, with the counter going on after them."""

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
from pharmacy_server.models import NO_NEEDED_BY, Prescription, PrescriptionEvent, User
from pharmacy_server.prescriptions.changes import next_change_seq
from pharmacy_server.security import Passwords, cheap_hasher
from pharmacy_server.seed import seed_demo
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import encrypted_test_url

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url_at_0011(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    url = (
        encrypted_test_url(tmp_path / "queue.sqlite3")
        if request.param == "sqlite"
        else throwaway_postgres.create()
    )
    command.upgrade(alembic_config(url), "0011")
    return url


def _evaluation(*severities: str) -> str:
    findings = [{"code": f"c{n}", "severity": s} for n, s in enumerate(severities)]
    return json.dumps({"computed": {}, "findings": findings})


def _old_row(prescriber: Any, n: int, **values: Any) -> dict[str, Any]:
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
        "content_json": "{}",
        "content_sha256": "b" * 64,
        "created_response_json": "{}",
        "created_at": NOW,
        "updated_at": NOW + dt.timedelta(minutes=10 - n),
        "evaluation_json": None,
        "needed_by": None,
    } | values


def test_0013_fills_the_queue_columns_from_what_was_stored(url_at_0011: str) -> None:
    database = Database.from_url(url_at_0011)
    try:
        seed_demo(database, Passwords(hasher=cheap_hasher()))
        with database.writing() as session:
            prescriber = session.scalars(select(User).where(User.role == "prescriber")).first()
            assert prescriber is not None
            # The models' tables bind times as the application does; only columns 0011
            # has are named.
            prescription: Table = Prescription.__table__  # type: ignore[assignment]
            event: Table = PrescriptionEvent.__table__  # type: ignore[assignment]
            warned = _old_row(prescriber, 1, evaluation_json=_evaluation("info", "warn"))
            answered = _old_row(
                prescriber, 2, evaluation_json=_evaluation("info"), needed_by=dt.date(2026, 12, 5)
            )
            plain = _old_row(prescriber, 3, status="approved")
            session.execute(insert(prescription), [warned, answered, plain])
            steps = [
                (answered, 1, "submit", "submitted"),
                (answered, 2, "request_clarification", "needs_clarification"),
                (answered, 3, "answer_clarification", "submitted"),
                (plain, 1, "submit", "submitted"),
                (plain, 2, "approve", "approved"),
            ]
            session.execute(
                insert(event),
                [
                    {
                        "id": uuid.uuid4(),
                        "prescription_id": row["id"],
                        "seq": seq,
                        "at": NOW,
                        "action": action,
                        "from_status": None,
                        "to_status": to,
                        "actor_id": prescriber.id,
                    }
                    for row, seq, action, to in steps
                ],
            )
    finally:
        database.dispose()

    command.upgrade(alembic_config(url_at_0011), "head")
    database = Database.from_url(url_at_0011)
    try:
        with database.writing() as session:
            by_id = {row.id: row for row in session.scalars(select(Prescription))}
            first, second, third = (by_id[r["id"]] for r in (warned, answered, plain))
            assert (first.has_warnings, second.has_warnings, third.has_warnings) == (
                True,
                False,
                False,
            )
            assert (first.answered, second.answered, third.answered) == (False, True, False)
            assert second.needed_by_key == dt.date(2026, 12, 5)
            assert first.needed_by_key == third.needed_by_key == NO_NEEDED_BY
            # Numbered by last update: the third was updated first.
            assert (third.change_seq, second.change_seq, first.change_seq) == (1, 2, 3)
            assert next_change_seq(session) == 4
    finally:
        database.dispose()
