"""The audit trail: what is recorded, that it carries no PHI, that tampering shows,
and the admin listing (issue 4; checklist A7, A8)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update

from pharmacy_server.audit import verify_chain
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import Headers, new_prescription_body, submit

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
