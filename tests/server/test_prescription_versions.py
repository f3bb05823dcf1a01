"""Field proposals accepted and signed again as version 2 (issue 12), on SQLite and
PostgreSQL: validation naming the field, the new version's hash and re-run checks, stale
and double acceptances, another prescriber's 404, and no approval of an unsigned version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from pharmacy_domain.canonical import canonical_sha256, signing_sha256
from pharmacy_domain.field_proposals import apply_proposal, ingredient_path
from pharmacy_server.audit import verify_chain
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, Prescription
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import Headers, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"
MAGNESIUM = ingredient_path("magnesium-chloride-20")


def _submitted(client: TestClient, headers: Headers) -> dict[str, Any]:
    status, created = submit(client, headers, new_prescription_body())
    assert status == 201, created
    return created


def _propose(
    client: TestClient, headers: Headers, rx: str, field: str, value: Any, message: str = "?"
) -> Any:
    return client.post(
        f"{PRESCRIPTIONS}/{rx}/proposals",
        headers=headers,
        json={"field": field, "value": value, "message": message},
    )


def _versions(client: TestClient, headers: Headers, rx: str) -> dict[str, Any]:
    answer = client.get(f"{PRESCRIPTIONS}/{rx}/versions", headers=headers)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _token_over(client: TestClient, headers: Headers, body: dict[str, Any]) -> str:
    response = client.post(
        "/api/v1/auth/step-up",
        headers=headers,
        json={"password": DEMO_PASSWORD, "content_sha256": signing_sha256(body)},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["signing_token"])


def _accept(client: TestClient, headers: Headers, rx: str, proposal_id: str, token: str) -> Any:
    return client.post(
        f"{PRESCRIPTIONS}/{rx}/proposals/{proposal_id}/accept",
        headers=headers,
        json={"signing_token": token},
    )


def _signed_acceptance(
    client: TestClient, headers: Headers, rx: str
) -> tuple[str, str, dict[str, Any]]:
    """(proposal id, token, the new body) as the prescriber's client makes them: the
    latest content with the open proposal applied by the shared domain rule."""
    seen = _versions(client, headers, rx)
    proposal = next(p for p in seen["proposals"] if p["state"] == "open")
    body = apply_proposal(seen["versions"][-1]["content"], proposal["field"], proposal["value"])
    return proposal["id"], _token_over(client, headers, body), body


def test_an_accepted_proposal_is_version_2_signed_again_with_the_checks_rerun(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    created = _submitted(client, prescriber)
    rx = created["id"]
    asked = _propose(client, pharmacist, rx, MAGNESIUM, 3, "Magnesium 5 → 3 mL?")
    assert asked.status_code == 200, asked.text
    assert asked.json()["status"] == "needs_clarification"
    seen = _versions(client, prescriber, rx)
    assert seen["latest"] == 1
    [proposal] = seen["proposals"]
    assert (proposal["field"], proposal["current_value"], proposal["value"]) == (MAGNESIUM, 5, 3)
    assert proposal["unit"] == "mL" and proposal["state"] == "open"
    assert proposal["proposed_by"]["display_name"] == "Priya Nair, PharmD"

    proposal_id, token, body = _signed_acceptance(client, prescriber, rx)
    accepted = _accept(client, prescriber, rx, proposal_id, token)
    assert accepted.status_code == 200, accepted.text
    now = accepted.json()
    # Same prescription, same reference; the content is version 2, with its own hash.
    assert (now["id"], now["reference"], now["version"]) == (rx, created["reference"], 2)
    assert now["status"] == "submitted" and now["answered"] is True
    assert now["content_sha256"] == canonical_sha256(body) != created["content_sha256"]
    magnesium = next(i for i in now["ingredients"] if i["code"] == "magnesium-chloride-20")
    assert magnesium["amount"] == 3
    assert now["signature"]["body_sha256"] == signing_sha256(body)
    assert now["history"][-1]["action"] == "answer_clarification"
    assert [step["version"] for step in now["history"]] == [1, 1, 2]
    assert "5 mL → 3 mL" in now["history"][-1]["note"]
    # The server ran the checks again on version 2: 2 mL less in the bag.
    assert now["evaluation"]["computed"] != created["evaluation"]["computed"]

    versions = _versions(client, pharmacist, rx)
    assert versions["latest"] == 2
    assert [v["number"] for v in versions["versions"]] == [1, 2]
    first, second = versions["versions"]
    assert first["content_sha256"] == created["content_sha256"]
    assert second["content_sha256"] == now["content_sha256"]
    assert first["signed_by"]["display_name"] == second["signed_by"]["display_name"]
    assert second["signed_at"] is not None and second["evaluation"] is not None
    assert versions["proposals"][0]["state"] == "accepted"
    assert versions["proposals"][0]["accepted_version"] == 2

    # The pharmacist may now approve the signed version 2.
    approved = client.post(
        f"{PRESCRIPTIONS}/{rx}/actions", headers=pharmacist, json={"action": "approve"}
    )
    assert approved.status_code == 200, approved.text
    with database.reading() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))
    assert verify_chain(database).ok
    assert "prescription.propose_change" in actions
    assert "prescription.accept_change" in actions
    assert "prescription.versions_read" in actions


def test_a_proposal_outside_the_template_is_refused_naming_the_field(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    cases = [
        (MAGNESIUM, 11, "at most 10 mL"),  # above the entry range
        (MAGNESIUM, -1, "at least 0 mL"),
        (MAGNESIUM, "a lot", "must be a number"),
        (MAGNESIUM, 5, "already 5 mL"),
        ("vehicle.volume_ml", 2000, "at most 500 mL"),
        ("infusion_minutes", 45.5, "whole number"),
        ("infusion_minutes", 10, "at least 30 min"),
        ("access", "push", "must be one of peripheral, central"),
        ("vehicle.code", "dextrose-5", "must be one of"),
        (ingredient_path("not-in-this-order"), 1, "not a field of this order"),
        ("patient.weight_kg", 70, "not a field of this order"),
    ]
    for field, value, reason in cases:
        refused = _propose(client, pharmacist, rx, field, value)
        assert refused.status_code == 422, (field, value, refused.text)
        [error] = refused.json()["errors"]
        assert error["field"] in ("field", "value")
        assert reason in error["reason"], (field, error)
        assert field in error["reason"] or error["field"] == "field", error
    # Nothing moved: the order still waits for review, with no proposal.
    assert client.get(f"{PRESCRIPTIONS}/{rx}", headers=pharmacist).json()["status"] == "submitted"
    assert _versions(client, pharmacist, rx)["proposals"] == []
    # A prescriber cannot propose.
    assert _propose(client, prescriber, rx, MAGNESIUM, 3).status_code == 403


def test_a_double_accept_replays_and_never_makes_version_3(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    assert _propose(client, pharmacist, rx, "infusion_minutes", 60).status_code == 200
    proposal_id, token, _body = _signed_acceptance(client, prescriber, rx)
    first = _accept(client, prescriber, rx, proposal_id, token)
    again = _accept(client, prescriber, rx, proposal_id, token)
    assert first.status_code == again.status_code == 200, again.text
    assert again.json()["version"] == first.json()["version"] == 2
    assert again.json()["content_sha256"] == first.json()["content_sha256"]
    assert [v["number"] for v in _versions(client, prescriber, rx)["versions"]] == [1, 2]
    assert len(again.json()["history"]) == 3


def test_a_stale_accept_is_refused(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    assert _propose(client, pharmacist, rx, "access", "central").status_code == 200
    proposal_id, token, body = _signed_acceptance(client, prescriber, rx)

    # A token over some other body (the order as it was) does not sign the change.
    unchanged = _versions(client, prescriber, rx)["versions"][-1]["content"]
    wrong = _accept(client, prescriber, rx, proposal_id, _token_over(client, prescriber, unchanged))
    assert wrong.status_code == 422
    assert wrong.json()["code"] == "signing.content_mismatch"

    # Answered in words meanwhile: the proposal is closed and cannot be accepted.
    answered = client.post(
        f"{PRESCRIPTIONS}/{rx}/actions",
        headers=prescriber,
        json={"action": "answer_clarification", "note": "Keep it peripheral."},
    )
    assert answered.status_code == 200
    late = _accept(client, prescriber, rx, proposal_id, token)
    assert late.status_code == 409, late.text
    assert _versions(client, prescriber, rx)["proposals"][0]["state"] == "closed"
    assert client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()["version"] == 1
    assert body["access"] == "central"


def test_a_blocking_finding_refuses_the_acceptance_with_the_findings(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    # 8 mL is inside the entry range but above the hard limit (5 mL): the engine blocks.
    assert _propose(client, pharmacist, rx, MAGNESIUM, 8).status_code == 200
    proposal_id, token, _body = _signed_acceptance(client, prescriber, rx)
    refused = _accept(client, prescriber, rx, proposal_id, token)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "clinical.blocked"
    assert refused.json()["findings"]
    assert client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()["version"] == 1


def test_another_prescriber_gets_404(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    prescriber, other, pharmacist = (
        as_user("prescriber1"),
        as_user("prescriber2"),
        as_user("pharmacist1"),
    )
    rx = _submitted(client, prescriber)["id"]
    assert _propose(client, pharmacist, rx, MAGNESIUM, 3).status_code == 200
    proposal_id, token, _body = _signed_acceptance(client, prescriber, rx)
    assert client.get(f"{PRESCRIPTIONS}/{rx}/versions", headers=other).status_code == 404
    assert _accept(client, other, rx, proposal_id, token).status_code == 404
    # An unknown proposal looks like a missing one too.
    missing = "00000000-0000-4000-8000-000000000000"
    assert _accept(client, prescriber, rx, missing, token).status_code == 404


def test_an_unsigned_latest_version_cannot_be_approved(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _submitted(client, prescriber)["id"]
    assert _propose(client, pharmacist, rx, MAGNESIUM, 3).status_code == 200
    proposal_id, token, _body = _signed_acceptance(client, prescriber, rx)
    assert _accept(client, prescriber, rx, proposal_id, token).status_code == 200
    # Version 2's signature no longer matches its content (as if the content were edited).
    with database.writing() as session:
        session.execute(
            update(Prescription)
            .where(Prescription.reference.is_not(None))
            .values(signed_body_sha256="0" * 64)
        )
    refused = client.post(
        f"{PRESCRIPTIONS}/{rx}/actions", headers=pharmacist, json={"action": "approve"}
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "prescription.unsigned_version"
