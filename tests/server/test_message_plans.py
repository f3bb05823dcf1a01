"""The unread counts read indexes, never the whole prescription table, on SQLite and
PostgreSQL (as ``test_queue_plans``: sequential scans and sorts priced out on
PostgreSQL): the page's markers by primary key, the total through the threads that
have messages (a pharmacist) or the prescriber's own orders."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Select, select

from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.db import Database
from pharmacy_server.messages.unread import read_markers_query, unread_total_query
from pharmacy_server.models import User
from tests.server.test_queue_plans import _check, _plan, seeded

__all__ = ["seeded"]  # the fixture, imported to be used here


def _one_shape(query: object) -> Select[Any]:
    """The plan helpers take one-entity selects; these read two columns."""
    return cast("Select[Any]", query)


def _user(database: Database, role: str) -> AuthenticatedUser:
    with database.reading() as session:
        row = session.scalars(select(User).where(User.role == role).limit(1)).one()
        return AuthenticatedUser.from_row(row)


def test_the_unread_total_reads_only_threads_with_messages(seeded: Database) -> None:
    for role in ("pharmacist", "prescriber"):
        user = _user(seeded, role)
        assert _check(seeded, lambda _row: _one_shape(unread_total_query(user))) == [], role  # noqa: B023


def test_the_page_markers_are_read_by_primary_key(seeded: Database) -> None:
    ids = [uuid.uuid4() for _ in range(50)]
    with seeded.reading() as session:
        lines = _plan(session.connection(), _one_shape(read_markers_query(uuid.uuid4(), ids)))
    assert lines
    assert not any(line.strip() == "SCAN message_read_marker" for line in lines), lines
    assert not any("Seq Scan on message_read_marker" in line for line in lines), lines


def test_a_pharmacists_total_starts_from_the_threads_index(seeded: Database) -> None:
    """A pharmacist sees every order: the total must start from the threads that have
    messages (the check above passes a full walk of some other index too)."""
    user = _user(seeded, "pharmacist")
    with seeded.reading() as session:
        connection = session.connection()
        if not seeded.is_sqlite:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        lines = _plan(connection, _one_shape(unread_total_query(user)))
    assert any("ix_prescription_message_count" in line for line in lines), lines
