"""The prescription's life after submission: clarification, review, compounding, shipping,
cancelling (``POST /prescriptions/{id}/actions``), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Callable
from email import message_from_bytes
from pathlib import Path
from typing import Any, cast

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Table, insert, select, update

from pharmacy_domain.status import ACTIONS, MAX_NOTE_LENGTH, PrescriptionStatus
from pharmacy_server.audit import verify_chain
from pharmacy_server.db import Database
from pharmacy_server.migrate import alembic_config
from pharmacy_server.models import Clinic, Prescription, PrescriptionEvent, User
from tests.helpers.postgres import ThrowawayPostgres
from tests.server.support import (
    Headers,
    add_user,
    encrypted_test_url,
    new_prescription_body,
    ready_details,
    signed,
    submit,
)

PRESCRIPTIONS = "/api/v1/prescriptions"


def _submitted(client: TestClient, headers: Headers) -> dict[str, Any]:
    status, created = submit(client, headers, new_prescription_body())
    assert status == 201, created
    return created


def _act(
    client: TestClient,
    headers: Headers,
    prescription_id: str,
    action: str,
    note: str | None = None,
    *,
    seen_steps: int | None = None,
) -> Any:
    body: dict[str, Any] = {"action": action, "note": note}
    if action == "mark_ready":
        body |= ready_details()  # required to mark ready (tests/server/test_dispensing.py)
    if seen_steps is not None:
        body["seen_steps"] = seen_steps
    return client.post(f"{PRESCRIPTIONS}/{prescription_id}/actions", headers=headers, json=body)


def _fhir_request_statuses(client: TestClient, headers: Headers, rx: str) -> list[str]:
    bundle = client.get(f"{PRESCRIPTIONS}/{rx}/fhir", headers=headers).json()
    resources = [entry["resource"] for entry in bundle["entry"]]
    return [r["status"] for r in resources if r["resourceType"] == "MedicationRequest"]


def test_question_answer_then_through_compounding_to_shipped(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    created = _submitted(client, prescriber)
    assert [step["action"] for step in created["history"]] == ["submit"]
    rx = created["id"]

    steps = [
        (pharmacist, "request_clarification", "Is 70 kg still right?", "needs_clarification"),
        (prescriber, "answer_clarification", "Yes, weighed this morning.", "submitted"),
        (pharmacist, "approve", None, "approved"),
        (pharmacist, "start_compounding", "Lot 2611-A", "compounding"),
        (pharmacist, "mark_ready", None, "ready"),
        (pharmacist, "ship", "UPS 1Z999AA10123456784", "shipped"),
    ]  # fmt: skip
    for headers, action, note, status in steps:
        answer = _act(client, headers, rx, action, note)
        assert answer.status_code == 200, (action, answer.text)
        assert answer.json()["status"] == status
        # Each status is a list filter of its own, for both sides.
        listed = client.get(PRESCRIPTIONS, params={"status": status}, headers=prescriber).json()
        assert [item["id"] for item in listed["items"]] == [rx]

    seen = client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()
    history = seen["history"]
    assert [(h["action"], h["from_status"], h["status"]) for h in history] == [
        ("submit", None, "submitted"),
        ("request_clarification", "submitted", "needs_clarification"),
        ("answer_clarification", "needs_clarification", "submitted"),
        ("approve", "submitted", "approved"),
        ("start_compounding", "approved", "compounding"),
        ("mark_ready", "compounding", "ready"),
        ("ship", "ready", "shipped"),
    ]
    assert [h["note"] for h in history] == [None] + [note for _h, _a, note, _s in steps]
    assert [h["actor"]["role"] for h in history] == [
        "prescriber", "pharmacist", "prescriber", "pharmacist", "pharmacist", "pharmacist",
        "pharmacist",
    ]  # fmt: skip
    assert history[1]["actor"]["display_name"] == "Priya Nair, PharmD"
    assert [h["at"] for h in history] == sorted(h["at"] for h in history)
    # The content the prescriber signed never changes along the way.
    assert seen["content_sha256"] == created["content_sha256"]
    assert seen["review"]["action"] == "approve"

    # A shipped order is final: every further step is refused with the status in words.
    for action in ACTIONS:
        headers = prescriber if "prescriber" in ACTIONS[action].roles else pharmacist
        late = _act(client, headers, rx, action, "late")
        assert late.status_code == 409, action
        assert late.json()["code"] == "prescription.status_changed"
        assert "Shipped" in late.json()["detail"]
    assert _fhir_request_statuses(client, prescriber, rx) == ["completed"]


def test_a_question_puts_the_fhir_request_on_hold(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    assert _act(client, pharmacist, rx, "request_clarification", "Which access?").status_code == 200
    assert _fhir_request_statuses(client, pharmacist, rx) == ["on-hold"]


def test_the_prescriber_cancels_before_approval_but_not_after(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    waiting, asked, approved = (_submitted(client, prescriber)["id"] for _ in range(3))
    _act(client, pharmacist, asked, "request_clarification", "Which access?")
    _act(client, pharmacist, approved, "approve")

    for rx in (waiting, asked):
        cancelled = _act(client, prescriber, rx, "cancel", "Patient declined")
        assert cancelled.status_code == 200
        assert cancelled.json()["status"] == "cancelled"
        assert cancelled.json()["history"][-1]["note"] == "Patient declined"
    too_late = _act(client, prescriber, approved, "cancel", "Changed my mind")
    assert too_late.status_code == 409
    assert too_late.json()["status"] == "approved"
    # The pharmacist can no longer act on a cancelled one either.
    assert _act(client, pharmacist, waiting, "approve").status_code == 409


def test_who_may_take_which_step(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    # Pharmacist steps: never the prescriber, clinic staff or an admin.
    for username in ("prescriber1", "staff1", "admin1"):
        refused = _act(client, as_user(username), rx, "approve")
        assert refused.status_code == 403, username
        assert refused.json()["detail"] == "Only pharmacists can approve a prescription."
    # Prescriber steps: never the pharmacist; another prescriber's order does not exist.
    _act(client, pharmacist, rx, "request_clarification", "Which access?")
    assert _act(client, pharmacist, rx, "answer_clarification", "x").status_code == 403
    stranger = _act(client, as_user("prescriber2"), rx, "answer_clarification", "Peripheral")
    assert stranger.status_code == 404
    assert _act(client, as_user("prescriber2"), rx, "cancel", "mine now").status_code == 404
    unknown = _act(client, pharmacist, str(uuid.uuid4()), "approve")
    assert unknown.status_code == 404
    status = client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()["status"]
    assert status == "needs_clarification"  # nothing the refused calls tried took effect


@pytest.mark.parametrize("action", ["reject", "request_clarification"])
def test_a_required_note_is_required(
    client: TestClient, as_user: Callable[[str], Headers], action: str
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    for note in (None, "", "   "):
        missing = _act(client, pharmacist, rx, action, note)
        assert missing.status_code == 422
        assert missing.json()["errors"][0]["field"] == "note"
        assert missing.json()["errors"][0]["reason"] == f"is required to {ACTIONS[action].phrase()}"
    too_long = _act(client, pharmacist, rx, action, "x" * (MAX_NOTE_LENGTH + 1))
    assert too_long.status_code == 422
    unknown = client.post(
        f"{PRESCRIPTIONS}/{rx}/actions", headers=pharmacist, json={"action": "teleport"}
    )
    assert unknown.status_code == 422
    assert client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()["status"] == "submitted"


def test_every_step_is_in_the_audit_chain(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    for headers, action, note in (
        (pharmacist, "request_clarification", "Which access?"),
        (prescriber, "answer_clarification", "Peripheral"),
        (pharmacist, "reject", "Osmolarity too high for a peripheral line"),
    ):
        assert _act(client, headers, rx, action, note).status_code == 200
    events = client.get(
        "/api/v1/admin/audit", params={"limit": 50}, headers=as_user("admin1")
    ).json()["items"]
    mine = [e for e in events if e.get("target_id") == rx]
    assert [e["action"] for e in reversed(mine)] == [
        "prescription.submit",
        "prescription.request_clarification",
        "prescription.answer_clarification",
        "prescription.review",
    ]
    assert mine[0]["outcome"] == "rejected"
    assert verify_chain(database).ok


def test_two_pharmacists_at_once_one_wins(
    client: TestClient, as_user: Callable[[str], Headers], database_url: str
) -> None:
    """Under the row lock exactly one of two simultaneous steps lands; the other gets 409."""
    prescriber = as_user("prescriber1")
    first, second = as_user("pharmacist1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    start = threading.Barrier(2)
    codes: list[int] = []

    def go(headers: Headers, action: str, note: str | None) -> None:
        start.wait()
        codes.append(_act(client, headers, rx, action, note).status_code)

    threads = [
        threading.Thread(target=go, args=(first, "approve", None)),
        threading.Thread(target=go, args=(second, "reject", "Duplicate of RX-1")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200, 409], database_url
    history = client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()["history"]
    assert len(history) == 2 and history[1]["action"] in ("approve", "reject")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> str:
    """A database of each kind with no tables yet (migration tests own it alone)."""
    if request.param == "sqlite":
        return encrypted_test_url(tmp_path / "lifecycle.sqlite3")
    return throwaway_postgres.create()


def _old_rows(url: str, when: dt.datetime) -> dict[str, uuid.UUID]:
    """A prescriber, a pharmacist and two prescriptions as revision 0004 stored them."""
    database = Database.from_url(url)
    try:
        with database.writing() as session:
            clinic = Clinic(name="Old Clinic", kind="clinic")
            session.add(clinic)
            session.flush()
            people = {}
            for name, role in (("old.prescriber", "prescriber"), ("old.pharmacist", "pharmacist")):
                user = User(username=name, display_name=name, role=role, clinic_id=clinic.id,
                            password_hash="x", created_at=when, is_active=True)  # fmt: skip
                session.add(user)
                session.flush()
                people[role] = user.id
            base: dict[str, Any] = {
                "prescriber_id": people["prescriber"],
                "clinic_id": clinic.id,
                "request_sha256": "0" * 64,
                "template_id": "myers-infusion",
                "template_version": 1,
                "template_name": "Myers",
                "content_json": "{}",
                "content_sha256": "0" * 64,
                "created_response_json": "{}",
                "created_at": when,
                "updated_at": when,
                # Every row names every column: an executemany takes its columns from the first.
                "review_action": None,
                "review_reason": None,
                "reviewed_by_id": None,
                "reviewed_at": None,
            }
            ids = {"waiting": uuid.uuid4(), "rejected": uuid.uuid4()}
            session.execute(
                insert(cast(Table, Prescription.__table__)),
                [
                    {**base, "id": ids["waiting"], "reference": "RX-OLD-1", "idempotency_key": "a",
                     "status": "submitted"},
                    {**base, "id": ids["rejected"], "reference": "RX-OLD-2", "idempotency_key": "b",
                     "status": "rejected", "review_action": "reject", "review_reason": "Old",
                     "reviewed_by_id": people["pharmacist"],
                     "reviewed_at": when + dt.timedelta(hours=2)},
                ],
            )  # fmt: skip
    finally:
        database.dispose()
    return ids


def test_migration_gives_older_prescriptions_their_history(empty_database_url: str) -> None:
    """Rows from before revision 0005 get a history from what they recorded."""
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0004")
    when = dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC)
    ids = _old_rows(empty_database_url, when)

    command.upgrade(config, "head")
    database = Database.from_url(empty_database_url)
    try:
        with database.reading() as session:
            events = session.scalars(
                select(PrescriptionEvent).order_by(
                    PrescriptionEvent.prescription_id, PrescriptionEvent.seq
                )
            ).all()
            by_rx: dict[uuid.UUID, list[tuple[Any, ...]]] = {}
            for event in events:
                by_rx.setdefault(event.prescription_id, []).append(
                    (event.seq, event.action, event.to_status, event.at, event.note)
                )
    finally:
        database.dispose()
    assert by_rx[ids["waiting"]] == [(1, "submit", "submitted", when, None)]
    assert by_rx[ids["rejected"]] == [
        (1, "submit", "submitted", when, None),
        (2, "reject", "rejected", when + dt.timedelta(hours=2), "Old"),
    ]


def test_downgrade_is_refused_while_an_order_is_in_a_newer_status(empty_database_url: str) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0004")
    ids = _old_rows(empty_database_url, dt.datetime(2026, 11, 1, 9, 30, tzinfo=dt.UTC))
    command.upgrade(config, "head")
    database = Database.from_url(empty_database_url)
    try:
        with database.writing() as session:
            session.execute(
                update(Prescription)
                .where(Prescription.id == ids["waiting"])
                .values(status="compounding")
            )
    finally:
        database.dispose()
    with pytest.raises(RuntimeError, match=r"1 prescription\(s\) are in a status"):
        command.downgrade(config, "0004")
    command.upgrade(config, "head")  # still at head, history intact
    database = Database.from_url(empty_database_url)
    try:
        with database.writing() as session:
            session.execute(
                update(Prescription)
                .where(Prescription.id == ids["waiting"])
                .values(status="approved")
            )
    finally:
        database.dispose()
    command.downgrade(config, "0004")  # nothing the older code cannot read: allowed


def _mails_to(mail_dir: Path, address: str) -> list[tuple[str, str]]:
    found = []
    for path in sorted(mail_dir.glob("*.eml")):
        message = message_from_bytes(path.read_bytes())
        if message["To"] == address:
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            found.append((str(message["Subject"]), payload.decode()))
    return found


def test_the_prescriber_is_mailed_a_question_a_rejection_and_a_shipment_without_phi(
    client: TestClient, as_user: Callable[[str], Headers], mail_dir: Path
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    body = new_prescription_body()
    asked = _submitted(client, prescriber)
    rejected = _submitted(client, prescriber)
    shipped = _submitted(client, prescriber)
    _act(client, pharmacist, asked["id"], "request_clarification", "Is the G6PD result recent?")
    _act(client, pharmacist, rejected["id"], "reject", "Osmolarity too high peripherally")
    for action in ("approve", "start_compounding", "mark_ready", "ship"):
        assert _act(client, pharmacist, shipped["id"], action, None).status_code == 200

    mails = _mails_to(mail_dir, "maya.chen@riverside.example")
    assert [subject for subject, _text in mails] == [
        f"Question about prescription {asked['reference']}",
        f"Prescription {rejected['reference']} was not accepted",
        f"Prescription {shipped['reference']} has shipped",
    ]  # approving, compounding and ready are not worth a mail
    patient = body["patient"]
    for _subject, text in mails:
        assert "no patient information" in text
        for secret in (patient["family_name"], patient["given_name"], "G6PD", "Osmolarity"):
            assert secret not in text


def test_the_openapi_document_names_every_status_and_action(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    statuses = schemas["PrescriptionStatus"]["enum"]
    assert statuses == [status.value for status in PrescriptionStatus]
    assert schemas["ActionRequest"]["properties"]["action"]["enum"] == list(ACTIONS)
    events = schemas["HistoryEventOut"]["properties"]["action"]
    named = {
        value
        for option in events.get("anyOf", [events])
        for value in option.get("enum", [option.get("const")])
    }
    assert named == {"submit", *ACTIONS}


def test_a_step_decided_on_a_stale_screen_is_refused(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    """Pharmacist B looks at the order; A asks a question and the prescriber answers: the
    status is "submitted" again, but B has not seen the answer, so B's approval is refused."""
    prescriber, first, second = (
        as_user("prescriber1"),
        as_user("pharmacist1"),
        as_user("pharmacist1"),
    )
    rx = _submitted(client, prescriber)["id"]
    seen_by_second = len(client.get(f"{PRESCRIPTIONS}/{rx}", headers=second).json()["history"])
    assert seen_by_second == 1
    assert (
        _act(client, first, rx, "request_clarification", "Weight?", seen_steps=1).status_code == 200
    )
    assert (
        _act(
            client, prescriber, rx, "answer_clarification", "50 kg, not 70", seen_steps=2
        ).status_code
        == 200
    )

    stale = _act(client, second, rx, "approve", seen_steps=seen_by_second)
    assert stale.status_code == 409
    assert stale.json()["code"] == "prescription.changed_since_seen"
    assert stale.json()["status"] == "submitted"
    assert "Dr. Maya Chen answered" in stale.json()["detail"]
    assert "before you approve it" in stale.json()["detail"]
    fresh = client.get(f"{PRESCRIPTIONS}/{rx}", headers=second).json()
    assert fresh["status"] == "submitted" and len(fresh["history"]) == 3
    approved = _act(client, second, rx, "approve", seen_steps=len(fresh["history"]))
    assert approved.status_code == 200
    # A count from the future is just as stale.
    ahead = _act(client, second, rx, "start_compounding", seen_steps=99)
    assert ahead.status_code == 409
    zero = _act(client, second, rx, "start_compounding", seen_steps=0)
    assert zero.status_code == 422


def test_a_prescriber_without_a_current_licence_cannot_answer_but_can_cancel(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    add_user(database, "lapsed", role="prescriber", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash, display_name="Dr. Lapsed",
             licence_expires_on=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    lapsed = as_user("lapsed")
    asked, other = _submitted(client, lapsed)["id"], _submitted(client, lapsed)["id"]
    pharmacist = as_user("pharmacist1")
    for rx in (asked, other):
        _act(client, pharmacist, rx, "request_clarification", "Which access?")
    with database.writing() as session:
        session.execute(
            update(User)
            .where(User.username == "lapsed")
            .values(licence_expires_on=dt.date.today() - dt.timedelta(days=1))
        )
    lapsed = as_user("lapsed")  # sign in again: the session carries the licence date
    refused = _act(client, lapsed, asked, "answer_clarification", "Peripheral")
    assert refused.status_code == 403
    assert refused.json()["code"] == "signing.licence_expired"
    assert "answer the pharmacy's clinical questions" in refused.json()["detail"]
    assert _act(client, lapsed, other, "cancel", "Another prescriber takes over").status_code == 200


def test_the_original_201_replays_byte_for_byte_after_the_whole_lifecycle(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    body = signed(client, prescriber, new_prescription_body())
    key = str(uuid.uuid4())
    headers = {**prescriber, "Idempotency-Key": key}
    created = client.post(PRESCRIPTIONS, headers=headers, json=body)
    assert created.status_code == 201
    rx = created.json()["id"]
    for who, action, note in (
        (pharmacist, "request_clarification", "Weight?"),
        (prescriber, "answer_clarification", "64 kg"),
        (pharmacist, "approve", None),
        (pharmacist, "start_compounding", None),
        (pharmacist, "mark_ready", None),
        (pharmacist, "ship", "Courier 42"),
    ):
        assert _act(client, who, rx, action, note).status_code == 200, action
    replay = client.post(PRESCRIPTIONS, headers=headers, json=body)
    assert replay.status_code == 201
    assert replay.content == created.content
    assert replay.json()["status"] == "submitted"  # the answer as first given, not today's
