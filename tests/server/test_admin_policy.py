"""Admins manage accounts and read the audit trail, and never a patient's prescription
(the README's role table): every prescription read answers them 403, while their own
work still succeeds and the audit trail they browse carries no patient data."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.server.support import Headers, account_request, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"
NOTE_CANARY = "Zzcanary-weight-question-4417"


def test_admins_cannot_read_prescriptions(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    status, created = submit(client, as_user("prescriber1"), new_prescription_body())
    assert status == 201
    admin = as_user("admin1")
    for path in (
        PRESCRIPTIONS,
        f"{PRESCRIPTIONS}?status=submitted",
        f"{PRESCRIPTIONS}/{created['id']}",
        f"{PRESCRIPTIONS}/{created['id']}/fhir",
    ):
        answer = client.get(path, headers=admin)
        assert answer.status_code == 403, (path, answer.text)
        assert "Canary" not in answer.text and created["id"] not in answer.text
    step = client.post(
        f"{PRESCRIPTIONS}/{created['id']}/actions",
        headers=admin,
        json={"action": "request_clarification", "note": "Which weight?"},
    )
    assert step.status_code == 403
    # The pharmacist, whose job it is, still reads it.
    pharmacist = client.get(f"{PRESCRIPTIONS}/{created['id']}", headers=as_user("pharmacist1"))
    assert pharmacist.status_code == 200


def test_admins_still_manage_accounts_and_read_templates(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    templates = client.get("/api/v1/templates", headers=admin)
    assert templates.status_code == 200 and templates.json()["items"]
    version = client.get("/api/v1/templates/myers-infusion/versions/1", headers=admin)
    assert version.status_code == 200
    users = client.get("/api/v1/admin/users", headers=admin)
    assert users.status_code == 200
    prescriber2 = next(u for u in users.json()["items"] if u["username"] == "prescriber2")
    changed = client.patch(
        f"/api/v1/admin/users/{prescriber2['id']}",
        headers=admin,
        json={"licence_expires_on": "2031-01-01"},
    )
    assert changed.status_code == 200 and changed.json()["licence_expires_on"] == "2031-01-01"
    requested = client.post("/api/v1/account-requests", json=account_request("dr.policy"))
    assert requested.status_code == 202
    approved = client.post(
        f"/api/v1/admin/account-requests/{requested.json()['id']}/approve", headers=admin
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"


def test_the_audit_trail_shows_prescription_events_without_patient_data(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    body = new_prescription_body()
    status, created = submit(client, as_user("prescriber1"), body)
    assert status == 201
    asked = client.post(
        f"{PRESCRIPTIONS}/{created['id']}/actions",
        headers=as_user("pharmacist1"),
        json={"action": "request_clarification", "note": NOTE_CANARY},
    )
    assert asked.status_code == 200
    trail = client.get("/api/v1/admin/audit", params={"limit": 100}, headers=as_user("admin1"))
    assert trail.status_code == 200
    rows = [row for row in trail.json()["items"] if row["target_id"] == created["id"]]
    assert {row["action"] for row in rows} >= {"prescription.submit"}
    assert len(rows) >= 2  # the submission and the question
    text = json.dumps(rows)
    patient = body["patient"]
    for secret in (patient["given_name"], patient["family_name"], patient["birth_date"]):
        assert secret not in text
    assert NOTE_CANARY not in text and "weight_kg" not in text
