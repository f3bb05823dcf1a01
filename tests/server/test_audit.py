"""The audit trail: what is recorded, that it carries no PHI, that tampering shows,
and the admin listing (issue 4; checklist A7, A8)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Uuid, column, delete, select, table, text, update

from pharmacy_domain.canonical import canonical_json
from pharmacy_server import audit
from pharmacy_server.audit import GENESIS_HASH, Actor, VerifyResult, verify_chain
from pharmacy_server.clock import wire_time
from pharmacy_server.db import Database
from pharmacy_server.migrate import alembic_config
from pharmacy_server.models import AuditEvent, UtcDateTime
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import Headers, encrypted_test_url, new_prescription_body, submit

AUDIT = "/api/v1/admin/audit"
BAD = "canary-bad-password"


def _activity(
    client: TestClient, as_user: Callable[[str], Headers], *, lockout: bool = False
) -> None:
    """Sign-ins good and bad (and a lockout), a submission and a review."""
    for _ in range(10 if lockout else 1):
        client.post("/api/v1/auth/login", json={"username": "prescriber2", "password": BAD})
    prescriber = as_user("prescriber1")
    created = submit(client, prescriber, new_prescription_body())[1]
    client.post(
        f"/api/v1/prescriptions/{created['id']}/review",
        headers=as_user("pharmacist1"),
        json={"action": "reject", "reason": "Dose needs checking"},
    )
    client.post("/api/v1/auth/logout", headers=prescriber)


def _run_verify(database_url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pharmacy_server", "audit", "verify", "--database", database_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_events_say_who_what_when_where_and_outcome_without_phi(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    _activity(client, as_user, lockout=True)
    with database.reading() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    kinds = {(e.action, e.outcome) for e in events}
    assert {
        ("auth.login", "success"),
        ("auth.login", "failure"),
        ("auth.lockout", "locked"),
        ("auth.step_up", "success"),
        ("prescription.submit", "submitted"),
        ("prescription.review", "rejected"),
        ("auth.logout", "success"),
    } <= kinds
    for event in events:
        assert event.occurred_at.tzinfo is not None
        assert event.client_address == "testclient"
    submitted = next(e for e in events if e.action == "prescription.submit")
    assert submitted.actor_role == "prescriber" and submitted.target_type == "prescription"
    everything = "\n".join(f"{e.action} {e.outcome} {e.target_id} {e.details_json}" for e in events)
    for phi in ("Canary", "Testpatient", "1980-04-02", DEMO_PASSWORD, BAD):
        assert phi not in everything


@pytest.mark.slow  # four runs of the pharmacy-server CLI
def test_verify_detects_an_update_and_a_delete_made_in_sql(
    client: TestClient, as_user: Callable[[str], Headers], database: Database, database_url: str
) -> None:
    _activity(client, as_user)
    assert verify_chain(database).ok
    intact = _run_verify(database_url)
    assert intact.returncode == 0, intact.stderr
    assert "audit trail intact" in intact.stdout

    # Someone with database access rewrites an outcome...
    with database.writing() as session:
        session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(outcome="tampered"))
    altered = _run_verify(database_url)
    assert altered.returncode == 1
    assert "event 3 was altered" in altered.stderr

    with database.writing() as session:  # (put it back to test deletion alone)
        session.execute(text("DELETE FROM audit_event WHERE seq >= 3"))
        session.execute(text("UPDATE audit_head SET last_seq = 2, last_hash = "
                             "(SELECT hash FROM audit_event WHERE seq = 2)"))  # fmt: skip
    assert _run_verify(database_url).returncode == 0
    _activity(client, as_user)
    # ... or deletes an event in the middle ...
    with database.writing() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 5))
    deleted = _run_verify(database_url)
    assert deleted.returncode == 1 and "event 5 is missing" in deleted.stderr


def test_verify_detects_a_deleted_last_event(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    _activity(client, as_user)
    with database.reading() as session:
        last = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))
    with database.writing() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == last))
    result = verify_chain(database)
    assert not result.ok and result.seq == last and "missing" in result.problem


def test_admins_page_through_the_trail_newest_first(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    _activity(client, as_user)
    admin = as_user("admin1")
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, str | int] = {"limit": 7}
        if cursor:
            params["cursor"] = cursor
        page = client.get(AUDIT, headers=admin, params=params).json()
        seen += [item["seq"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and seen[-1] == 1
    assert len(seen) == page["total"]
    failures = client.get(AUDIT, headers=admin, params={"action": "auth.logout"}).json()
    assert [item["action"] for item in failures["items"]] == ["auth.logout"]
    assert dt.datetime.fromisoformat(failures["items"][0]["occurred_at"]).tzinfo is not None
    for username in ("prescriber1", "pharmacist1"):
        assert client.get(AUDIT, headers=as_user(username)).status_code == 403
    assert client.get(AUDIT, headers=admin, params={"cursor": "??"}).status_code == 422


def test_events_name_the_actor_by_username_and_the_chain_covers_it(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    _activity(client, as_user, lockout=True)
    with database.reading() as session:
        events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    by_action = {(e.action, e.outcome): e for e in events}
    assert by_action["prescription.submit", "submitted"].actor_username == "prescriber1"
    assert by_action["prescription.review", "rejected"].actor_username == "pharmacist1"
    assert by_action["auth.lockout", "locked"].actor_username == "prescriber2"
    # A failed sign-in as nobody names no one (what was typed may be a password).
    client.post("/api/v1/auth/login", json={"username": "no-such-user", "password": BAD})
    page = client.get(AUDIT, headers=as_user("admin1"), params={"limit": 5}).json()
    anonymous = next(
        item
        for item in page["items"]
        if item["action"] == "auth.login" and item["actor_id"] is None
    )
    assert anonymous["actor_username"] is None
    assert page["items"][0]["actor_username"] == "admin1"  # admin1's own sign-in
    assert verify_chain(database).ok

    submitted = by_action["prescription.submit", "submitted"].seq
    with database.writing() as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == submitted).values(actor_username="admin1")
        )
    result = verify_chain(database)
    assert not result.ok and result.seq == submitted
    with database.writing() as session:  # removing the name shows just the same
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == submitted).values(actor_username=None)
        )
    assert verify_chain(database).seq == submitted


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    if request.param == "sqlite":
        return encrypted_test_url(tmp_path / "old-trail.sqlite3")
    return throwaway_postgres.create()


def test_events_written_before_usernames_still_verify_after_the_upgrade(
    fresh_database_url: str,
) -> None:
    """Events hashed by the revision-0003 code (no username field) verify after 0004, with
    new events appended after them; giving an old event a username afterwards shows."""
    url = fresh_database_url
    config = alembic_config(url)
    command.upgrade(config, "0003")
    database = Database.from_url(url)
    try:
        # The table as revision 0003 made it (the model has a column more now).
        old_events = table(
            "audit_event",
            column("occurred_at", UtcDateTime()),
            column("actor_id", Uuid()),
            *(column(name) for name in (
                "seq", "actor_role", "action", "outcome", "target_type", "target_id",
                "client_address", "details_json", "prev_hash", "hash",
            )),
        )  # fmt: skip
        previous = GENESIS_HASH
        occurred = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
        actor = uuid.uuid4()
        with database.writing() as session:
            for seq in (1, 2):
                fields: dict[str, Any] = {
                    "seq": seq,
                    "occurred_at": wire_time(occurred),
                    "actor_id": str(actor),
                    "actor_role": "prescriber",
                    "action": "auth.login",
                    "outcome": "success",
                    "target_type": "user",
                    "target_id": str(actor),
                    "client_address": "127.0.0.1",
                    "details": {"method": "password"},
                }
                # The 0003 formula, written out: SHA-256(prev_hash || canonical(fields)).
                digest = hashlib.sha256(previous.encode() + canonical_json(fields)).hexdigest()
                session.execute(
                    old_events.insert().values(
                        seq=seq,
                        occurred_at=occurred,
                        actor_id=actor,
                        actor_role="prescriber",
                        action="auth.login",
                        outcome="success",
                        target_type="user",
                        target_id=str(actor),
                        client_address="127.0.0.1",
                        details_json='{"method":"password"}',
                        prev_hash=previous,
                        hash=digest,
                    )
                )
                previous = digest
            session.execute(
                text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 2, :hash)"),
                {"hash": previous},
            )

        command.upgrade(config, "head")
        assert verify_chain(database) == VerifyResult(True, 2)
        with database.writing() as session:
            audit.append(
                session,
                now=dt.datetime.now(dt.UTC),
                actor=Actor(actor, "prescriber", "127.0.0.1", "dr.old"),
                action="auth.logout",
                outcome="success",
            )
        assert verify_chain(database) == VerifyResult(True, 3)
        with database.writing() as session:
            session.execute(
                update(AuditEvent).where(AuditEvent.seq == 1).values(actor_username="x")
            )
        assert verify_chain(database).seq == 1
    finally:
        database.dispose()


def test_two_first_events_in_parallel_both_join_the_chain(database: Database) -> None:
    """The very first audit event creates the chain's head row. Two of them at once (two
    server processes, concurrent sign-ins) used to both take seq 1, and the second
    failed with a duplicate key. Now the second waits for the first and takes seq 2."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's BEGIN IMMEDIATE admits one writer: the race cannot happen")
    with database.writing() as session:
        session.execute(delete(AuditEvent))
        session.execute(text("DELETE FROM audit_head"))
    first_appended = threading.Event()
    release_first = threading.Event()
    failures: list[BaseException] = []

    def append(name: str, hold: bool) -> None:
        try:
            with database.writing() as session:
                audit.append(
                    session,
                    now=dt.datetime.now(dt.UTC),
                    actor=Actor(None, None, name),
                    action="test.event",
                    outcome="success",
                )
                if hold:
                    first_appended.set()
                    release_first.wait(timeout=30)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
            first_appended.set()

    first = threading.Thread(target=append, args=("first", True))
    first.start()
    assert first_appended.wait(timeout=30)
    second = threading.Thread(target=append, args=("second", False))
    second.start()
    # Release the first only once the second is really waiting on its lock. A fresh
    # transaction each time: pg_stat_activity is a snapshot within one. Only this test's
    # database: other test sessions may share the PostgreSQL server.
    waiting_here = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30)
    while True:
        with database.reading() as session:
            if session.scalar(waiting_here):
                break
        assert dt.datetime.now(dt.UTC) < deadline, "the second append never waited"
    release_first.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures, failures
    result = verify_chain(database)
    assert result == VerifyResult(ok=True, events=2)


def _legacy_event_hash(previous: str, fields: Mapping[str, Any]) -> str:
    """The formula before revision 0006, written out: SHA-256(prev || sorted json.dumps)."""
    text_form = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(previous.encode() + text_form.encode()).hexdigest()


def test_a_chain_of_old_and_new_hash_forms_verifies_and_shows_tampering_in_either(
    fresh_database_url: str,
) -> None:
    """Events hashed over sorted json.dumps (revision 0005 code) are labelled so by 0006 and
    still verify; events appended after are hashed over RFC 8785 JSON and say so."""
    url = fresh_database_url
    config = alembic_config(url)
    command.upgrade(config, "0005")
    database = Database.from_url(url)
    try:
        old_events = table(
            "audit_event",
            column("occurred_at", UtcDateTime()),
            column("actor_id", Uuid()),
            *(column(name) for name in (
                "seq", "actor_role", "actor_username", "action", "outcome", "target_type",
                "target_id", "client_address", "details_json", "prev_hash", "hash",
            )),
        )  # fmt: skip
        previous = GENESIS_HASH
        occurred = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
        actor = uuid.uuid4()
        with database.writing() as session:
            for seq in (1, 2):
                # A float written as 250.0: the two forms write it differently ("250").
                details = {"method": "password", "volume_ml": 250.0}
                fields: dict[str, Any] = {
                    "seq": seq, "occurred_at": wire_time(occurred), "actor_id": str(actor),
                    "actor_role": "prescriber", "action": "auth.login", "outcome": "success",
                    "target_type": "user", "target_id": str(actor),
                    "client_address": "127.0.0.1", "details": details,
                    "actor_username": "dr.old",
                }  # fmt: skip
                digest = _legacy_event_hash(previous, fields)
                session.execute(
                    old_events.insert().values(
                        seq=seq, occurred_at=occurred, actor_id=actor, actor_role="prescriber",
                        actor_username="dr.old", action="auth.login", outcome="success",
                        target_type="user", target_id=str(actor), client_address="127.0.0.1",
                        details_json=json.dumps(details, sort_keys=True, separators=(",", ":")),
                        prev_hash=previous, hash=digest,
                    )
                )  # fmt: skip
                previous = digest
            session.execute(
                text("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, 2, :hash)"),
                {"hash": previous},
            )

        command.upgrade(config, "head")
        assert verify_chain(database) == VerifyResult(True, 2)
        now = dt.datetime(2026, 12, 2, 8, 0, tzinfo=dt.UTC)
        with database.writing() as session:
            for action in ("auth.logout", "auth.login"):
                audit.append(
                    session,
                    now=now,
                    actor=Actor(actor, "prescriber", "127.0.0.1", "dr.old"),
                    action=action,
                    outcome="success",
                    details={"volume_ml": 250.0},
                )
        with database.reading() as session:
            events = list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        assert [e.hash_form for e in events] == ["sorted-json"] * 2 + ["rfc8785"] * 2
        # The new hash, recomputed here with the rfc8785 package itself.
        third = events[2]
        fields = {
            **{key: value for key, value in audit.event_to_wire(third).items()
               if key not in ("prev_hash", "hash")},
        }  # fmt: skip
        expected = hashlib.sha256(third.prev_hash.encode() + rfc8785.dumps(fields)).hexdigest()
        assert third.hash == expected
        assert third.prev_hash == events[1].hash
        assert verify_chain(database) == VerifyResult(True, 4)
        intact = _run_verify(url)
        assert intact.returncode == 0 and "audit trail intact" in intact.stdout, intact.stderr

        def tampered(seq: int, **values: object) -> VerifyResult:
            original = {name: getattr(events[seq - 1], name) for name in values}
            with database.writing() as session:
                session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(**values))
            result = verify_chain(database)
            with database.writing() as session:
                session.execute(update(AuditEvent).where(AuditEvent.seq == seq).values(**original))
            assert verify_chain(database).ok
            return result

        for seq in (2, 4):  # one event of each form
            result = tampered(seq, outcome="tampered")
            assert (result.ok, result.seq, result.problem) == (
                False,
                seq,
                f"event {seq} was altered",
            )
            assert tampered(seq, details_json='{"volume_ml":251.0}').seq == seq
        # Relabelling the form is a change too, either way round.
        assert tampered(3, hash_form="sorted-json").seq == 3
        assert tampered(1, hash_form="rfc8785").seq == 1

        with database.writing() as session:
            session.execute(update(AuditEvent).where(AuditEvent.seq == 4).values(outcome="x"))
        altered = _run_verify(url)
        assert altered.returncode == 1 and "event 4 was altered" in altered.stderr
    finally:
        database.dispose()
