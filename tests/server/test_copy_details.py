"""What a printed copy needs from the server: the pharmacy's name on /healthz and the
prescriber's NPI and licence on every prescription (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.security import Passwords
from tests.server.support import FakeClock, Headers, new_prescription_body, submit


def test_healthz_names_the_pharmacy_when_set_and_the_demo_names_its_own(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> None:
    def health(**changes: object) -> dict[str, object]:
        app = create_app(
            settings.model_copy(update=changes), database=database, passwords=passwords, clock=clock
        )
        with TestClient(app) as http:
            answer: dict[str, object] = http.get("/healthz").json()
            return answer

    assert (
        health(name="Eastgate Infusion Pharmacy")["pharmacy_name"] == "Eastgate Infusion Pharmacy"
    )
    assert health()["pharmacy_name"] == "Northside Compounding Pharmacy"  # the demo's seed
    assert health(demo_mode=False).get("pharmacy_name") is None  # unset: not invented


def test_every_prescription_carries_the_prescribers_npi_and_licence(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber = as_user("prescriber1")
    status, created = submit(client, prescriber, new_prescription_body())
    assert status == 201, created
    expected = {"npi": "1234567893", "licence_number": "MD-104233", "licence_state": "OR"}
    assert {key: created["prescriber"][key] for key in expected} == expected
    for reader in (prescriber, as_user("pharmacist1")):
        read = client.get(f"/api/v1/prescriptions/{created['id']}", headers=reader).json()
        assert {key: read["prescriber"][key] for key in expected} == expected
        listed = client.get("/api/v1/prescriptions", headers=reader).json()["items"]
        assert {key: listed[0]["prescriber"][key] for key in expected} == expected
