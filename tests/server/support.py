"""Helpers shared by the server tests."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

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


def new_prescription_body(**overrides: object) -> dict[str, object]:
    """The smallest valid body: a template and a patient; the template fills the rest."""
    body: dict[str, object] = {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": {
            "given_name": "Canary",
            "family_name": "Testpatient",
            "birth_date": "1980-04-02",
            "sex": "female",
            "weight_kg": 68.5,
        },
    }
    body.update(overrides)
    return body
