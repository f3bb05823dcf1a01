"""Helpers shared by the server tests."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_domain.canonical import signing_sha256
from pharmacy_server.database_encryption import encrypted_sqlite_url, new_database_key
from pharmacy_server.db import Database
from pharmacy_server.models import Clinic, User
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.rfc6238 import reference_code, reference_step

# The SQLite tests run on SQLCipher-encrypted files, as the server does.
TEST_DATABASE_KEY = new_database_key()


def encrypted_test_url(path: Path) -> str:
    return encrypted_sqlite_url(path, TEST_DATABASE_KEY)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, delta: dt.timedelta) -> None:
        self.now += delta


Headers = dict[str, str]


def login_headers(client: TestClient, username: str) -> Headers:
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def recent_labs(days_ago: int = 10) -> list[dict[str, object]]:
    """The results the vitamin C rules ask for (normal G6PD, renal function), recent."""
    date = (dt.date.today() - dt.timedelta(days=days_ago)).isoformat()
    return [
        {"code": "g6pd", "value": 12.0, "unit": "U/g Hb", "interpretation": "normal", "date": date},
        {"code": "creatinine", "value": 0.9, "unit": "mg/dL", "interpretation": "normal",
         "date": date},
    ]  # fmt: skip


def ready_details(days_ahead: int = 7) -> dict[str, str]:
    """What a pharmacist states on marking an order ready: a beyond-use date and storage."""
    beyond_use = dt.date.today() + dt.timedelta(days=days_ahead)
    return {"beyond_use_date": beyond_use.isoformat(), "storage": "refrigerated"}


def new_prescription_body(**overrides: object) -> dict[str, Any]:
    """The smallest valid body that passes the clinical checks: a template and a patient
    with the labs it needs; the template fills the rest."""
    body: dict[str, Any] = {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": {
            "given_name": "Canary",
            "family_name": "Testpatient",
            "birth_date": "1980-04-02",
            "sex": "female",
            "weight_kg": 68.5,
            "labs": recent_labs(),
        },
    }
    body.update(overrides)
    return body


def favorite_body(name: str = "Myers' — my usual", **content: object) -> dict[str, Any]:
    """A favorite of Myers' version 1 at its default doses, with ``content`` changed."""
    return {
        "name": name,
        "template_id": "myers-infusion",
        "template_version": 1,
        "content": {
            "ingredients": [
                {"code": "magnesium-chloride-20", "amount": 4, "unit": "mL"},
                {"code": "ascorbic-acid-500", "amount": 10, "unit": "mL"},
            ],
            "access": "peripheral",
            "vehicle": {"code": "sodium-chloride-0.9", "volume_ml": 250},
        }
        | content,
    }


def signed(
    client: TestClient, headers: Headers, body: dict[str, Any], password: str = DEMO_PASSWORD
) -> dict[str, Any]:
    """``body`` with a signing token from a password step-up over exactly that body."""
    unsigned = {key: value for key, value in body.items() if key != "signing_token"}
    response = client.post(
        "/api/v1/auth/step-up",
        headers=headers,
        json={"password": password, "content_sha256": signing_sha256(unsigned)},
    )
    assert response.status_code == 200, response.text
    return {**unsigned, "signing_token": response.json()["signing_token"]}


def submit(
    client: TestClient,
    headers: Headers,
    body: dict[str, Any],
    key: str | None = None,
    *,
    sign: bool = True,
) -> tuple[int, dict[str, Any]]:
    """POST a prescription (signed first unless ``sign`` is false, or it already carries a
    token) with a fresh (or the given) Idempotency-Key."""
    if sign and "signing_token" not in body:
        body = signed(client, headers, body)
    extra = {"Idempotency-Key": key or str(uuid.uuid4())}
    response = client.post("/api/v1/prescriptions", headers={**headers, **extra}, json=body)
    return response.status_code, response.json()


def add_user(
    database: Database,
    username: str,
    *,
    role: str,
    clinic: str,
    password_hash: str,
    display_name: str = "Test User",
    licence_expires_on: dt.date | None = None,
) -> uuid.UUID:
    """Another password-only (demo-mode) account, straight into the database.

    An account the demo seed already made (``staff1``) is used as it is."""
    with database.writing() as session:
        seeded = session.scalar(select(User.id).where(User.username == username))
        if seeded is not None:
            return uuid.UUID(str(seeded))
        clinic_row = session.scalar(select(Clinic).where(Clinic.name == clinic))
        if clinic_row is None:
            clinic_row = Clinic(id=uuid.uuid4(), name=clinic, kind="clinic")
            session.add(clinic_row)
            session.flush()
        user = User(
            id=uuid.uuid4(),
            username=username,
            display_name=display_name,
            role=role,
            clinic_id=clinic_row.id,
            npi="1234567893" if role == "prescriber" else None,
            licence_number="MD-1" if role == "prescriber" else None,
            licence_state="OR" if role == "prescriber" else None,
            licence_expires_on=licence_expires_on,
            password_hash=password_hash,
            is_active=True,
            is_demo=True,
            failed_login_count=0,
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(user)
        return user.id


@dataclass
class EnrolledUser:
    username: str
    password: str
    secret: bytes
    user_id: str
    token: str

    @property
    def headers(self) -> Headers:
        return {"Authorization": f"Bearer {self.token}"}

    def code(self, clock: FakeClock) -> str:
        return reference_code(self.secret, reference_step(clock().timestamp()))


def activation_code_from_mail(mail_dir: Path, email: str) -> str:
    """The newest activation code mailed to ``email`` by the file notifier."""
    for path in sorted(mail_dir.glob("*.eml"), reverse=True):
        message = message_from_bytes(path.read_bytes())
        if message["To"] == email and "activation code" in str(message["Subject"]).lower():
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            match = re.search(r"Activation code: ([0-9A-Z-]+)", payload.decode())
            assert match is not None
            return match.group(1)
    raise AssertionError(f"no activation mail to {email}")


STRONG_PASSWORD = "velvet-orchid-tundra-42"


def account_request(username: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": username,
        "display_name": "Dr. Ada Rivers",
        "email": f"{username}@clinic.example",
        "clinic": "Riverside Integrative Health",
        "role": "prescriber",
        "npi": "1234567893",
        "licence_number": "MD-55512",
        "licence_state": "OR",
        "licence_expires_on": (dt.date.today() + dt.timedelta(days=400)).isoformat(),
        "dea_number": "AB1234563",
    }
    body.update(overrides)
    return body


def enroll(
    client: TestClient,
    clock: FakeClock,
    mail_dir: Path,
    username: str,
    *,
    approver: Headers,
    password: str = STRONG_PASSWORD,
    **request: Any,
) -> EnrolledUser:
    """The whole path: request, approval, mailed code, activation, first TOTP code."""
    body = account_request(username, **request)
    created = client.post("/api/v1/account-requests", json=body)
    assert created.status_code == 202, created.text
    approved = client.post(
        f"/api/v1/admin/account-requests/{created.json()['id']}/approve", headers=approver
    )
    assert approved.status_code == 200, approved.text
    code = activation_code_from_mail(mail_dir, body["email"])
    started = client.post(
        "/api/v1/auth/activate", json={"username": username, "code": code, "password": password}
    )
    assert started.status_code == 200, started.text
    secret = base64.b32decode(started.json()["secret"] + "=" * (-len(started.json()["secret"]) % 8))
    confirmed = client.post(
        "/api/v1/auth/activate/confirm",
        json={
            "username": username,
            "code": code,
            "otp": reference_code(secret, reference_step(clock().timestamp())),
        },
    )
    assert confirmed.status_code == 200, confirmed.text
    wire = confirmed.json()
    return EnrolledUser(username, password, secret, wire["user"]["id"], wire["token"])


def date_days_ago(days: int) -> str:
    return (dt.date.today() - dt.timedelta(days=days)).isoformat()


def patient_body(**changes: Any) -> dict[str, Any]:
    """A patient record as a clinic would enter it, with ``changes``."""
    return {
        "given_name": "Zora",
        "family_name": "Whitfield",
        "birth_date": "1979-08-12",
        "sex": "female",
        "address": "12 Elm Street\nPortland, OR 97205",
        "phone": "503-555-0100",
        "allergies": [{"code": "corn"}, {"text": "penicillin (hives)"}],
        "weight": {"value": 66.0, "measured_on": date_days_ago(5)},
        "height": {"value": 168, "measured_on": date_days_ago(5)},
        "labs": [
            {"code": "g6pd", "date": date_days_ago(30), "value": 12.1, "unit": "U/g Hb",
             "interpretation": "normal"},
            {"code": "creatinine", "date": date_days_ago(10), "value": 0.9,
             "interpretation": "normal"},
        ],
    } | changes  # fmt: skip
