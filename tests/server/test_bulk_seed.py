"""``seed-bulk``'s rows, on SQLite and PostgreSQL, are as valid as submitted ones: each
content hashed and stored in its real canonical forms, each status reached by the
history that leads there, change numbers and references that later writes number on
from, every index back, and the load's SQLite settings set back afterwards."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import uuid
from collections import Counter, defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Uuid, inspect, select
from sqlalchemy.dialects import sqlite as sqlite_dialect

from pharmacy_domain.canonical import canonical_json, canonical_sha256
from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server import bulk_seed
from pharmacy_server.bulk_seed import _Encoding, seed_bulk
from pharmacy_server.db import Database
from pharmacy_server.models import (
    Base,
    Prescription,
    PrescriptionChangeCounter,
    PrescriptionEvent,
    ReferenceCounter,
    User,
    UtcDateTime,
)
from tests.server.support import Headers, new_prescription_body, submit

SEEDED = 400


def _seed(database: Database, count: int = SEEDED) -> int:
    return seed_bulk(database, count, load_template_catalog(), load_formulary(), load_rules())


def _rows(database: Database) -> list[Prescription]:
    with database.reading() as session:
        found = list(session.scalars(select(Prescription)))
        session.expunge_all()
    return found


def _events(database: Database) -> dict[Any, list[PrescriptionEvent]]:
    by_row: dict[Any, list[PrescriptionEvent]] = defaultdict(list)
    with database.reading() as session:
        query = select(PrescriptionEvent).order_by(PrescriptionEvent.seq)
        for found in session.scalars(query):
            by_row[found.prescription_id].append(found)
        session.expunge_all()
    return by_row


def test_each_row_holds_its_content_in_its_real_canonical_forms(database: Database) -> None:
    assert _seed(database) == SEEDED
    rows = _rows(database)
    assert len(rows) == SEEDED
    templates = load_template_catalog()
    for row in rows:
        content = json.loads(row.content_json)
        assert row.content_json == canonical_json(content).decode("utf-8")
        assert row.content_sha256 == canonical_sha256(content)
        assert row.request_sha256 == row.signed_body_sha256 == row.content_sha256
        assert templates.get(row.template_id, row.template_version) is not None
        evaluation = json.loads(row.evaluation_json or "null")
        warned = any(finding["severity"] == "warn" for finding in evaluation["findings"])
        assert row.has_warnings is warned
        dispensing = content.get("dispensing")
        needed_by = None if dispensing is None else dispensing["needed_by"]
        assert needed_by == (None if row.needed_by is None else row.needed_by.isoformat())
    # Invented patients, not one copied body.
    assert len({row.content_sha256 for row in rows}) == SEEDED
    assert len({row.idempotency_key for row in rows}) == SEEDED


def test_each_status_is_reached_by_its_history(database: Database) -> None:
    _seed(database)
    with database.reading() as session:
        roles = {user.id: user.role for user in session.scalars(select(User))}
    rows = _rows(database)
    events = _events(database)
    assert set(Counter(row.status for row in rows)) == {
        status.value for status in PrescriptionStatus
    }
    for row in rows:
        history = events[row.id]
        assert [event.seq for event in history] == list(range(1, len(history) + 1))
        assert (history[0].action, history[0].from_status) == ("submit", None)
        assert history[0].at == row.created_at == row.signed_at
        for before, after in itertools.pairwise(history):
            assert after.from_status == before.to_status
            assert after.at > before.at
        assert history[-1].to_status == row.status
        assert history[-1].at == row.updated_at
        for event in history:
            expected = (
                "prescriber"
                if event.action in ("submit", "answer_clarification", "cancel")
                else "pharmacist"
            )
            assert roles[event.actor_id] == expected
        reviews = [event for event in history if event.action in ("approve", "reject")]
        assert row.review_action == (reviews[0].action if reviews else None)
        assert row.reviewed_at == (reviews[0].at if reviews else None)
        assert (row.reviewed_by_id is None) == (not reviews)
        ready = any(event.action == "mark_ready" for event in history)
        assert (row.beyond_use_date is not None) == ready == (row.storage is not None)
        assert row.answered == (history[-1].action == "answer_clarification")


def test_change_numbers_and_references_go_on_from_the_seed(
    database: Database, client: TestClient, as_user: Any
) -> None:
    _seed(database)
    # Oldest first: change numbers and creation times grow together.
    by_seq = sorted(_rows(database), key=lambda row: row.change_seq)
    assert [row.created_at for row in by_seq] == sorted(row.created_at for row in by_seq)
    _seed(database, 50)  # a second seed: new ids, numbers after the first's
    rows = _rows(database)
    seqs = sorted(row.change_seq for row in rows)
    assert seqs == list(range(seqs[0], seqs[0] + SEEDED + 50))
    references = [row.reference for row in rows]
    assert len(set(references)) == len(references)
    with database.reading() as session:
        counter = session.scalar(select(PrescriptionChangeCounter.last_value))
        days = dict(
            session.execute(select(ReferenceCounter.day, ReferenceCounter.last_value)).all()
        )
    assert counter == seqs[-1]
    for reference in references:
        _rx, day, number = reference.split("-")
        assert int(number) <= days[day]
    headers: Headers = as_user("prescriber1")
    status, created = submit(client, headers, new_prescription_body())
    assert status == 201, created
    assert created["reference"] not in references
    newest = max(_rows(database), key=lambda row: row.change_seq)
    assert str(newest.id) == created["id"]


def test_every_index_is_back_and_the_load_settings_are_undone(database: Database) -> None:
    def indexes() -> dict[str, set[str]]:
        with database.engine.connect() as connection:
            found = inspect(connection)
            return {
                table: {index["name"] or "" for index in found.get_indexes(table)}
                for table in ("prescription", "prescription_event")
            }

    def settings() -> list[Any]:
        with database.engine.connect() as connection:
            return [
                connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("cache_size", "temp_store", "synchronous", "journal_mode")
            ]

    before = indexes()
    model = {index.name for index in Base.metadata.tables["prescription"].indexes}
    assert model <= before["prescription"]
    sqlite_before = settings() if database.is_sqlite else None
    _seed(database)
    assert indexes() == before
    if database.is_sqlite:
        assert settings() == sqlite_before


@pytest.mark.parametrize("count", [1, 7])
def test_a_small_seed_still_covers_its_rows(database: Database, count: int) -> None:
    assert _seed(database, count) == count
    assert len(_rows(database)) == count
    assert sum(len(history) for history in _events(database).values()) >= count


def test_the_fast_encodings_are_sqlalchemys_own() -> None:
    """SQLite's ids and times, formatted directly, are the text SQLAlchemy would bind."""
    dialect = sqlite_dialect.dialect()
    fast = _Encoding(dialect)
    uuid_text = Uuid().dialect_impl(dialect).bind_processor(dialect)
    time_text = UtcDateTime().dialect_impl(dialect).bind_processor(dialect)
    assert uuid_text is not None and time_text is not None
    generator = random.Random(5)
    for _ in range(2000):
        bits = generator.getrandbits(128)
        assert fast.id_from_bits(bits) == uuid_text(uuid.UUID(int=bits, version=4))
        when = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
            microseconds=generator.randrange(10**13)
        )
        assert fast.when(when) == time_text(when)
    on_the_second = dt.datetime(2026, 3, 4, 5, 6, 7, tzinfo=dt.UTC)
    assert fast.when(on_the_second) == time_text(on_the_second)


def test_a_failed_seed_leaves_nothing_and_every_index(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def index_names() -> set[str]:
        with database.engine.connect() as connection:
            return {
                index["name"] or "" for index in inspect(connection).get_indexes("prescription")
            }

    before = index_names()
    real_write = bulk_seed._write
    written: list[int] = []

    def write_then_fail(*args: Any) -> None:
        real_write(*args)
        written.append(1)
        if len(written) == 3:  # the second batch's rows are in: the disk is full
            raise OSError("no space left on device")

    monkeypatch.setattr(bulk_seed, "_BATCH", 50)
    monkeypatch.setattr(bulk_seed, "_write", write_then_fail)
    with pytest.raises(OSError, match="no space"):
        _seed(database, 200)
    assert _rows(database) == []
    assert index_names() == before
