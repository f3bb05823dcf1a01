"""The queue searched by the start of the patient's name, over HTTP on SQLite and
PostgreSQL: either name first, accents, case and apostrophes ignored, combined with the
filters and orders, within the caller's own orders, audited without the name and never
logged. (Each query shape's plan is in ``test_queue_plans.py``.)"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, Prescription
from pharmacy_server.prescriptions.patient_search import fold, name_keys
from pharmacy_server.prescriptions.queue import QueueFilter, parse_search
from tests.server.support import Headers, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"


def test_a_name_folds_to_its_search_key() -> None:
    assert fold("  García-López, María ") == "garcia lopez maria"
    assert fold("O'Brien") == "obrien"
    assert fold("STRAßE") == "strasse"
    assert name_keys("María José", "Núñez") == ("nunez maria jose", "maria jose nunez")


def test_a_reference_is_searched_exactly_and_anything_else_as_a_name() -> None:
    assert parse_search(" rx-261203-0001 ") == QueueFilter(search="RX-261203-0001")
    assert parse_search("Garc") == QueueFilter(patient_name="garc")
    assert parse_search("García López, M") == QueueFilter(
        patient_name="garcia lopez", patient_given_name="m"
    )
    assert parse_search("garcia,") == QueueFilter(patient_name="garcia")
    assert parse_search("   ") == QueueFilter()
    assert parse_search("'") == QueueFilter()  # nothing left to search by


def _submit_for(
    client: TestClient, headers: Headers, given: str, family: str, **patient: Any
) -> str:
    body = new_prescription_body()
    body["patient"] = {**body["patient"], "given_name": given, "family_name": family, **patient}
    status, created = submit(client, headers, body)
    assert status == 201, created
    return str(created["id"])


def _search(client: TestClient, headers: Headers, text: str, **params: Any) -> list[str]:
    answer = client.get(PRESCRIPTIONS, headers=headers, params={"q": text, **params})
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["total"] == len(page["items"])
    return [item["id"] for item in page["items"]]


@pytest.fixture
def orders(client: TestClient, as_user: Callable[[str], Headers]) -> dict[str, str]:
    chen = as_user("prescriber1")
    return {
        "garcia": _submit_for(client, chen, "María", "García López"),
        "obrien": _submit_for(client, chen, "Siobhán", "O'Brien"),
        "garner": _submit_for(client, chen, "Gareth", "Wynn"),
    }


def test_either_name_first_accents_and_case_ignored(
    client: TestClient, as_user: Callable[[str], Headers], orders: dict[str, str]
) -> None:
    desk = as_user("pharmacist1")
    assert set(_search(client, desk, "garc")) == {orders["garcia"]}
    assert set(_search(client, desk, "GARCÍA, m")) == {orders["garcia"]}
    assert _search(client, desk, "garcia, s") == []
    assert set(_search(client, desk, "maria garcia")) == {orders["garcia"]}
    assert set(_search(client, desk, "garcia lopez")) == {orders["garcia"]}
    assert set(_search(client, desk, "o'bri")) == {orders["obrien"]}
    assert set(_search(client, desk, "obri")) == {orders["obrien"]}
    assert set(_search(client, desk, "siobhan o")) == {orders["obrien"]}
    # "gar" starts a family name and a given name: both.
    assert set(_search(client, desk, "gar")) == {orders["garner"], orders["garcia"]}
    # The start of a name only, never the middle of one.
    assert _search(client, desk, "arcia") == []
    assert _search(client, desk, "lopez") == []


def test_a_name_search_keeps_the_filters_and_orders(
    client: TestClient, as_user: Callable[[str], Headers], orders: dict[str, str]
) -> None:
    desk = as_user("pharmacist1")
    approved = client.post(
        f"{PRESCRIPTIONS}/{orders['garner']}/actions",
        headers=desk,
        json={"action": "approve", "seen_steps": 1},
    )
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert _search(client, desk, "gar", status="submitted") == [orders["garcia"]]
    assert _search(client, desk, "gar", status="approved") == [orders["garner"]]
    for sort in ("newest", "needed_by", "status", "prescriber"):
        assert set(_search(client, desk, "gar", sort=sort)) == {orders["garcia"], orders["garner"]}
    # Paged: one row a page, each once.
    first = client.get(PRESCRIPTIONS, headers=desk, params={"q": "gar", "limit": 1}).json()
    second = client.get(
        PRESCRIPTIONS,
        headers=desk,
        params={"q": "gar", "limit": 1, "cursor": first["next_cursor"]},
    ).json()
    assert first["total"] == 2 and second["next_cursor"] is None
    paged = {first["items"][0]["id"], second["items"][0]["id"]}
    assert paged == {orders["garcia"], orders["garner"]}


def test_a_prescriber_searches_only_their_own_orders(
    client: TestClient, as_user: Callable[[str], Headers], orders: dict[str, str]
) -> None:
    assert set(_search(client, as_user("prescriber1"), "garc")) == {orders["garcia"]}
    assert _search(client, as_user("prescriber2"), "garc") == []


def test_a_name_search_is_audited_without_the_name_and_never_logged(
    client: TestClient,
    as_user: Callable[[str], Headers],
    orders: dict[str, str],
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    desk = as_user("pharmacist1")
    _search(client, desk, "Siobh")
    _search(client, desk, "")  # the plain queue: no search, nothing to audit
    with database.reading() as session:
        rows = list(
            session.scalars(select(AuditEvent).where(AuditEvent.action == "prescription.search"))
        )
    assert len(rows) == 1
    assert json.loads(rows[0].details_json) == {"by": "patient_name", "page": False, "results": 1}
    assert rows[0].actor_username == "pharmacist1"
    logged = " ".join(
        record.getMessage() for record in caplog.records if record.name.startswith("pharmacy")
    )
    assert "GET /api/v1/prescriptions 200" in logged
    assert "Siobh" not in logged and "siobh" not in logged


def test_submission_writes_the_keys(
    client: TestClient, orders: dict[str, str], database: Database
) -> None:
    with database.reading() as session:
        row = session.get(Prescription, uuid.UUID(orders["garcia"]))
        assert row is not None
        assert row.patient_family_key == "garcia lopez maria"
        assert row.patient_given_key == "maria garcia lopez"
