"""Helpers shared by the server tests."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi.testclient import TestClient

from pharmacy_domain.canonical import signing_sha256
from pharmacy_server.seed import DEMO_PASSWORD


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
