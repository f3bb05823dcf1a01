"""Signing: step-up tokens bound to one body and one signer, single use, 24 hours;
licences; who may sign; what the server records (issue 4; checklist A1-A4)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pharmacy_domain.canonical import signing_sha256
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription, SigningGrant, User
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import (
    FakeClock,
    Headers,
    add_user,
    enroll,
    new_prescription_body,
    signed,
    submit,
)

STEP_UP = "/api/v1/auth/step-up"
PRESCRIPTIONS = "/api/v1/prescriptions"


def _rows(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Prescription)) or 0


def test_signed_submission_records_signer_time_method_and_hash(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("prescriber1")
    body = new_prescription_body()
    step_up = client.post(
        STEP_UP,
        headers=headers,
        json={"password": DEMO_PASSWORD, "content_sha256": signing_sha256(body)},
    )
    assert step_up.status_code == 200
    grant = step_up.json()
    expires = dt.datetime.fromisoformat(grant["expires_at"])
    assert expires - clock() == dt.timedelta(hours=24)
    assert len(grant["signing_token"]) >= 43
    signed_at = clock()
    clock.advance(dt.timedelta(minutes=5))  # delivered later, e.g. from the outbox
    status, created = submit(client, headers, {**body, "signing_token": grant["signing_token"]})
    assert status == 201, created
    signature = created["signature"]
    assert signature["signed_by"]["display_name"] == "Dr. Maya Chen"
    assert signature["signed_by"]["id"] == created["prescriber"]["id"]
    assert dt.datetime.fromisoformat(signature["signed_at"]) == signed_at
    assert signature["body_sha256"] == signing_sha256(body)
    assert signature["method"] == "password"
    assert "signing_token" not in created
    seen = client.get(f"{PRESCRIPTIONS}/{created['id']}", headers=as_user("pharmacist1")).json()
    assert seen["signature"] == signature


def test_a_signing_token_signs_one_body_once_for_one_signer(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("prescriber1")
    body = signed(client, headers, new_prescription_body())

    assert (
        submit(
            client, headers, {k: v for k, v in body.items() if k != "signing_token"}, sign=False
        )[1]["code"]
        == "signing.required"
    )
    changed = {**body, "notes": "changed after signing"}
    status, answer = submit(client, headers, changed)
    assert (status, answer["code"]) == (422, "signing.content_mismatch")
    assert answer["errors"][0]["field"] == "signing_token"
    foreign = submit(client, as_user("prescriber2"), body)
    assert (foreign[0], foreign[1]["code"]) == (422, "signing.token_invalid")
    made_up = submit(client, headers, {**body, "signing_token": "x" * 43})
    assert made_up[1]["code"] == "signing.token_invalid"

    assert submit(client, headers, body)[0] == 201
    # A second prescription (new key) cannot reuse the token.
    reused = submit(client, headers, body)
    assert (reused[0], reused[1]["code"]) == (422, "signing.token_used")
    assert _rows(database) == 1


def test_an_expired_signature_goes_back_to_the_prescriber(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, database: Database
) -> None:
    headers = as_user("prescriber1")
    late = signed(client, headers, new_prescription_body())
    just_in_time = signed(client, headers, new_prescription_body(notes="second"))
    clock.advance(dt.timedelta(hours=23, minutes=59))
    headers = as_user("prescriber1")  # a new session: the old one idled out
    assert submit(client, headers, just_in_time)[0] == 201
    clock.advance(dt.timedelta(minutes=1))
    status, answer = submit(client, headers, late)
    assert (status, answer["code"]) == (422, "signing.token_expired")
    assert "sign it again" in answer["detail"]
    assert _rows(database) == 1


def test_a_delivered_prescription_replays_after_its_token_expired(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("prescriber1")
    body = signed(client, headers, new_prescription_body())
    key = str(uuid.uuid4())
    first = submit(client, headers, body, key)
    clock.advance(dt.timedelta(days=2))
    again = submit(client, as_user("prescriber1"), body, key)
    assert again == first


def test_only_prescribers_with_a_current_licence_sign(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
    clock: FakeClock,
) -> None:
    request = {"password": DEMO_PASSWORD, "content_sha256": "0" * 64}
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    for username in ("pharmacist1", "admin1", "staff1"):
        refused = client.post(STEP_UP, headers=as_user(username), json=request)
        assert (refused.status_code, refused.json()["code"]) == (403, "signing.not_allowed")

    headers = as_user("prescriber1")
    body = signed(client, headers, new_prescription_body())  # signed while current
    with database.writing() as session:
        session.execute(
            update(User)
            .where(User.username == "prescriber1")
            .values(licence_expires_on=clock().date() - dt.timedelta(days=1))
        )
    lapsed = client.post(STEP_UP, headers=headers, json=request)
    assert (lapsed.status_code, lapsed.json()["code"]) == (403, "signing.licence_expired")
    status, answer = submit(client, headers, body)
    assert (status, answer["code"]) == (403, "signing.licence_expired")
    assert client.get("/api/v1/auth/me", headers=headers).json()["licence_expires_on"] is not None


def test_wrong_password_at_signing_counts_toward_the_lockout(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    headers = as_user("prescriber2")
    request = {"password": "not-my-password", "content_sha256": "0" * 64}
    for _ in range(10):
        refused = client.post(STEP_UP, headers=headers, json=request)
        assert (refused.status_code, refused.json()["code"]) == (
            403,
            "auth.reauthentication_failed",
        )
    # Locked: the session ends and sign-in is refused.
    assert client.get("/api/v1/auth/me", headers=headers).status_code == 401
    login = client.post(
        "/api/v1/auth/login", json={"username": "prescriber2", "password": DEMO_PASSWORD}
    )
    assert login.status_code == 401


def test_step_up_with_a_fresh_totp_code(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
) -> None:
    user = enroll(client, clock, mail_dir, "dr.totp", approver=as_user("admin1"))
    body = new_prescription_body()
    clock.advance(dt.timedelta(seconds=30))
    code = user.code(clock)
    request = {"otp": code, "content_sha256": signing_sha256(body)}
    grant = client.post(STEP_UP, headers=user.headers, json=request)
    assert grant.status_code == 200
    replay = client.post(STEP_UP, headers=user.headers, json=request)
    assert replay.status_code == 403
    both = client.post(STEP_UP, headers=user.headers, json={**request, "password": user.password})
    assert both.status_code == 422
    status, created = submit(
        client, user.headers, {**body, "signing_token": grant.json()["signing_token"]}
    )
    assert status == 201, created
    assert created["signature"]["method"] == "totp"


def test_a_signed_prescription_is_immutable(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    created = submit(client, as_user("prescriber1"), new_prescription_body())[1]
    url = f"{PRESCRIPTIONS}/{created['id']}"
    for method in ("put", "patch", "delete"):
        response = client.request(method.upper(), url, headers=as_user("prescriber1"), json={})
        assert response.status_code == 405, method
    reviewed = client.post(
        f"{url}/review", headers=as_user("pharmacist1"), json={"action": "approve"}
    ).json()
    for field in ("content_sha256", "signature", "patient", "ingredients", "evaluation"):
        assert reviewed[field] == created[field], field
    with database.reading() as session:
        grant = session.scalar(select(SigningGrant))
        assert grant is not None and grant.prescription_id == uuid.UUID(created["id"])
