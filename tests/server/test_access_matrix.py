"""Function- and object-level authorisation, generated from the live OpenAPI document
(issue 4; checklist D1, D2).

Every operation in ``/openapi.json`` must be classified in ``POLICY`` (a new endpoint
fails ``test_every_operation_is_classified`` until it is). The role matrix calls each
operation as each role (and anonymously) with a plausible request: a cell the policy
forbids must never succeed (401, 403 or 404 only), and a cell it allows must pass the
authorisation layer (never 401 or 403). The cross-access matrix calls every operation
on an object id as a second user of the same role: never a 2xx, always 404, and lists
never show the first user's objects.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pharmacy_server.db import Database
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import (
    Headers,
    account_request,
    add_user,
    favorite_body,
    login_headers,
    new_prescription_body,
    patient_body,
    signed,
    submit,
)

ROLES = ("anonymous", "prescriber", "clinic_staff", "pharmacist", "admin")
USER_OF_ROLE = {
    "prescriber": "prescriber1",
    "clinic_staff": "staff1",
    "pharmacist": "pharmacist1",
    "admin": "admin1",
}
PUBLIC = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES) - {"anonymous"}
PHARMACY = frozenset({"pharmacist", "admin"})
DRAFTING = frozenset({"prescriber", "clinic_staff"})
# operationId → the roles that may call it. Object scoping (whose prescription) is the
# cross-access matrix's business; here the object belongs to the prescriber.
POLICY: dict[str, frozenset[str]] = {
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    "login": PUBLIC,
    "login_otp": PUBLIC,
    "activate": PUBLIC,
    "confirm_activation": PUBLIC,
    "request_account": PUBLIC,
    "logout": SIGNED_IN,
    "get_me": SIGNED_IN,
    "reauthenticate": SIGNED_IN,
    "step_up": frozenset({"prescriber"}),
    "change_password": SIGNED_IN,
    "list_templates": SIGNED_IN,
    "get_template_version": SIGNED_IN,
    "get_formulary": SIGNED_IN,
    # Published (and retired) versions for everyone; drafts only for the pharmacy.
    "list_template_versions": SIGNED_IN,
    "list_formulary_versions": SIGNED_IN,
    "get_formulary_document": SIGNED_IN,
    "get_rules": SIGNED_IN,
    # Drafting, publishing and deleting versions: pharmacists and admins (issue 12).
    "list_template_drafts": PHARMACY,
    "get_template_draft": PHARMACY,
    "draft_template_version": PHARMACY,
    "publish_template_version": PHARMACY,
    "delete_template_version": PHARMACY,
    "list_formulary_drafts": PHARMACY,
    "get_formulary_draft": PHARMACY,
    "draft_formulary_version": PHARMACY,
    "publish_formulary_version": PHARMACY,
    "delete_formulary_version": PHARMACY,
    "validate_prescription": SIGNED_IN,
    "submit_prescription": frozenset({"prescriber"}),
    # Admins manage accounts and read the audit trail, never a patient's prescription:
    # 403 by role (the README's role table).
    "list_prescriptions": frozenset({"prescriber", "clinic_staff", "pharmacist"}),  # scoped
    "get_prescription": frozenset({"prescriber", "pharmacist"}),
    "get_prescription_fhir": frozenset({"prescriber", "pharmacist"}),
    "review_prescription": frozenset({"pharmacist"}),
    # Which step depends on the role (the body below): pharmacists review and move
    # orders on, prescribers answer or cancel their own.
    "act_on_prescription": frozenset({"prescriber", "pharmacist"}),
    # Claims are the pharmacist's desk only: prescribers never see or make one.
    "claim_prescription": frozenset({"pharmacist"}),
    "release_prescription_claim": frozenset({"pharmacist"}),
    # A thread is read and written by whoever reads the prescription (clinic staff and
    # another prescriber find none: 404); everyone but admins has an unread total.
    "list_messages": frozenset({"prescriber", "pharmacist"}),
    "post_message": frozenset({"prescriber", "pharmacist"}),
    "mark_messages_read": frozenset({"prescriber", "pharmacist"}),
    "unread_messages": frozenset({"prescriber", "clinic_staff", "pharmacist"}),
    # A pharmacist proposes a change to one field; only the prescriber accepts and signs.
    "propose_change": frozenset({"pharmacist"}),
    "accept_proposed_change": frozenset({"prescriber"}),
    "prescription_versions": frozenset({"prescriber", "pharmacist"}),
    "create_draft": DRAFTING,
    "list_drafts": DRAFTING,
    "get_draft": DRAFTING,
    "update_draft": DRAFTING,
    "delete_draft": DRAFTING,
    "list_clinic_prescribers": DRAFTING,
    # Favorites are each prescriber's own (the cross-access matrix: another's is 404).
    "list_favorites": frozenset({"prescriber"}),
    "create_favorite": frozenset({"prescriber"}),
    "rename_favorite": frozenset({"prescriber"}),
    "delete_favorite": frozenset({"prescriber"}),  # scoped: the caller's clinic only
    # A clinic's prescribers and staff share its patients (the cross-access matrix:
    # another clinic's is 404); pharmacists read a record a prescription names.
    "search_patients": DRAFTING,
    "create_patient": DRAFTING,
    "get_patient": frozenset({"prescriber", "clinic_staff", "pharmacist"}),
    "update_patient": DRAFTING,
    "add_patient_document": DRAFTING,
    "get_patient_document": frozenset({"prescriber", "clinic_staff", "pharmacist"}),
    "list_account_requests": PHARMACY,
    "approve_account_request": PHARMACY,
    "reject_account_request": PHARMACY,
    "list_users": frozenset({"admin"}),
    "update_user": frozenset({"admin"}),
    "list_audit_events": frozenset({"admin"}),
    "reset_two_factor": frozenset({"admin"}),
    "list_user_sessions": frozenset({"admin"}),
    "end_user_sessions": frozenset({"admin"}),
    "end_user_session": frozenset({"admin"}),
}
# Calls that end the caller's session get a session of their own.
SESSION_ENDING = frozenset({"logout", "change_password"})
DENIED = {401, 403, 404}


@dataclass
class World:
    """Objects owned by prescriber1 (and a draft for them from clinic staff)."""

    client: TestClient
    database: Database
    headers: dict[str, Headers]
    ids: dict[str, str] = field(default_factory=dict)

    def fresh(self, role: str) -> Headers:
        return {} if role == "anonymous" else login_headers(self.client, USER_OF_ROLE[role])


def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            yield operation["operationId"], method.upper(), path


def _body(world: World, operation_id: str, role: str, headers: Headers) -> Any:
    prescription = new_prescription_body()
    samples: dict[str, Any] = {
        "login": {"username": "nobody", "password": "x"},
        "login_otp": {"mfa_token": "x", "otp": "000000"},
        "activate": {"username": "nobody", "code": "x", "password": "x"},
        "confirm_activation": {"username": "nobody", "code": "x", "otp": "000000"},
        "request_account": {},
        "step_up": {"password": DEMO_PASSWORD, "content_sha256": "0" * 64},
        "reauthenticate": {"password": DEMO_PASSWORD},
        "change_password": {"current_password": DEMO_PASSWORD, "new_password": "short"},
        "validate_prescription": prescription,
        "submit_prescription": signed(world.client, headers, prescription)
        if role == "prescriber"
        else prescription,
        "review_prescription": {"action": "approve"},
        "claim_prescription": {},
        "post_message": {"text": "Matrix message", "idempotency_key": str(uuid.uuid4())},
        "mark_messages_read": {"up_to_seq": 0},
        "propose_change": {
            "field": "ingredients.magnesium-chloride-20.amount",
            "value": 3,
            "message": "3 mL?",
        },
        "accept_proposed_change": {"signing_token": "not-a-grant"},
        "act_on_prescription": {"action": "cancel", "note": "Sent twice"}
        if role == "prescriber"
        else {"action": "request_clarification", "note": "Which dosing weight?"},
        "create_draft": {"prescriber_id": world.ids["prescriber_id"], "body": {"notes": "n"}},
        "update_draft": {"body": {"notes": "m"}, "version": 1},
        "create_favorite": favorite_body(f"Matrix {uuid.uuid4()}"),
        "rename_favorite": {"name": f"Renamed {uuid.uuid4()}", "version": 1},
        "reject_account_request": {"reason": "Not found in the licence registry"},
        "create_patient": patient_body(),
        "update_patient": {"version": 1, "phone": "503-555-0123"},
        "add_patient_document": {"filename": "labs.pdf", "content_base64": "JVBERi0xLjQK"},
        "update_user": {"licence_expires_on": "2031-01-01"},
    }
    return samples.get(operation_id)


def _call(world: World, operation_id: str, method: str, path: str, role: str) -> int:
    headers = world.fresh(role) if operation_id in SESSION_ENDING else world.headers[role]
    url = re.sub(r"{(\w+)}", lambda m: world.ids[m.group(1)], path)
    extra = {"Idempotency-Key": str(uuid.uuid4())} if operation_id == "submit_prescription" else {}
    body = _body(world, operation_id, role, headers)
    response = world.client.request(
        method, url, headers={**headers, **extra}, json=body if body is not None else None
    )
    assert response.status_code < 500, (operation_id, role, response.text)
    return response.status_code


@pytest.fixture
def world(
    client: TestClient,
    database: Database,
    demo_password_hash: str,
    as_user: Callable[[str], Headers],
) -> World:
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    add_user(database, "staff2", role="clinic_staff", clinic="Lakeside Wellness Clinic",
             password_hash=demo_password_hash)  # fmt: skip
    headers: dict[str, Headers] = {"anonymous": {}}
    headers |= {role: as_user(name) for role, name in USER_OF_ROLE.items()}
    me = client.get("/api/v1/auth/me", headers=headers["prescriber"]).json()
    other = client.get("/api/v1/auth/me", headers=as_user("prescriber2")).json()
    status, created = submit(client, headers["prescriber"], new_prescription_body())
    assert status == 201
    draft = client.post(
        "/api/v1/drafts",
        headers=headers["clinic_staff"],
        json={"prescriber_id": me["id"], "body": {"notes": "for Dr. Chen"}},
    )
    assert draft.status_code == 201, draft.text
    favorite = client.post(
        "/api/v1/favorites", headers=headers["prescriber"], json=favorite_body("Matrix usual")
    )
    assert favorite.status_code == 201, favorite.text
    patient = client.post("/api/v1/patients", headers=headers["prescriber"], json=patient_body())
    assert patient.status_code == 201, patient.text
    document = client.post(
        f"/api/v1/patients/{patient.json()['id']}/documents",
        headers=headers["prescriber"],
        json={"filename": "labs.pdf", "content_base64": "JVBERi0xLjQK"},
    )
    assert document.status_code == 201, document.text
    proposed = client.post(
        f"/api/v1/prescriptions/{created['id']}/proposals",
        headers=headers["pharmacist"],
        json={"field": "access", "value": "central", "message": "Central line?"},
    )
    assert proposed.status_code == 200, proposed.text
    versions = client.get(
        f"/api/v1/prescriptions/{created['id']}/versions", headers=headers["pharmacist"]
    ).json()
    requested = client.post("/api/v1/account-requests", json=account_request("dr.matrix"))
    assert requested.status_code == 202, requested.text
    return World(
        client=client,
        database=database,
        headers=headers,
        ids={
            "prescription_id": created["id"],
            "draft_id": draft.json()["id"],
            "favorite_id": favorite.json()["id"],
            "request_id": requested.json()["id"],
            "patient_id": patient.json()["id"],
            "document_id": document.json()["id"],
            "proposal_id": versions["proposals"][0]["id"],
            "user_id": other["id"],
            "session_id": "0" * 32,
            "prescriber_id": me["id"],
            "template_id": "myers-infusion",
            "version": "1",
        },
    )


def test_every_operation_is_classified(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operations = {operation_id for operation_id, _, _ in _operations(spec)}
    assert operations == set(POLICY), "classify new operations in POLICY"


def test_role_by_endpoint_matrix(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    spec = world.client.get("/openapi.json").json()
    # Object-changing calls last, so the reads see the objects as created.
    order = sorted(_operations(spec), key=lambda op: op[1] in ("DELETE", "PATCH"))
    forbidden_cells = forbidden_successes = allowed_cells = 0
    wrongly_denied: list[tuple[str, str, int]] = []
    leaks: list[tuple[str, str, int]] = []
    for operation_id, method, path in order:
        for role in ROLES:
            status = _call(world, operation_id, method, path, role)
            if role in POLICY[operation_id]:
                allowed_cells += 1
                if POLICY[operation_id] != PUBLIC and status in (401, 403):
                    wrongly_denied.append((operation_id, role, status))
            else:
                forbidden_cells += 1
                if status not in DENIED:
                    forbidden_successes += 1
                    leaks.append((operation_id, role, status))
    with capsys.disabled():
        print(
            f"\n[role matrix] {len(order)} operations x {len(ROLES)} roles = "
            f"{len(order) * len(ROLES)} cells; forbidden {forbidden_cells}, "
            f"successes where forbidden {forbidden_successes}; allowed {allowed_cells}, "
            f"wrongly denied {len(wrongly_denied)}"
        )
    assert leaks == []
    assert wrongly_denied == []


# Per-tenant objects: who owns them, and who of the same role must not reach them.
OWNER_AND_STRANGER = {
    "prescription_id": [("prescriber1", "prescriber2")],
    "draft_id": [("prescriber1", "prescriber2"), ("staff1", "staff2")],
    "favorite_id": [("prescriber1", "prescriber2")],
    "proposal_id": [("prescriber1", "prescriber2")],
    # Records are the clinic's: another clinic's prescriber or staff gets 404.
    "patient_id": [("prescriber1", "prescriber2"), ("staff1", "staff2")],
    "document_id": [("prescriber1", "prescriber2"), ("staff1", "staff2")],
}
# Ids that name shared or pharmacy-wide things, not a tenant's: not part of this matrix.
NOT_TENANT_SCOPED = {"template_id", "version", "request_id", "user_id", "session_id"}


def test_two_user_cross_access_matrix(
    world: World, as_user: Callable[[str], Headers], capsys: pytest.CaptureFixture[str]
) -> None:
    spec = world.client.get("/openapi.json").json()
    cells = successes = 0
    not_404: list[tuple[str, str, int]] = []
    for operation_id, method, path in _operations(spec):
        params = set(re.findall(r"{(\w+)}", path))
        if not params or params <= NOT_TENANT_SCOPED:
            continue
        assert params - NOT_TENANT_SCOPED <= set(OWNER_AND_STRANGER), (operation_id, params)
        for param in params - NOT_TENANT_SCOPED:
            for _owner, stranger in OWNER_AND_STRANGER[param]:
                role = "prescriber" if stranger.startswith("prescriber") else "clinic_staff"
                headers = as_user(stranger)
                if role not in POLICY[operation_id]:
                    continue  # the role matrix covers it
                url = re.sub(r"{(\w+)}", lambda m: world.ids[m.group(1)], path)
                body = _body(world, operation_id, role, headers)
                response = world.client.request(method, url, headers=headers, json=body)
                cells += 1
                successes += response.is_success
                if response.status_code != 404:
                    not_404.append((operation_id, stranger, response.status_code))
    # Lists: the stranger's lists never show the owner's objects.
    owned = {
        world.ids["prescription_id"],
        world.ids["draft_id"],
        world.ids["favorite_id"],
        world.ids["patient_id"],
    }
    list_cells = 0
    for operation_id, method, path in _operations(spec):
        if method != "GET" or "{" in path:
            continue
        for stranger in ("prescriber2", "staff2"):
            role = "prescriber" if stranger == "prescriber2" else "clinic_staff"
            if role not in POLICY[operation_id]:
                continue
            answer = world.client.get(path, headers=as_user(stranger))
            if answer.status_code == 200 and "items" in answer.json():
                list_cells += 1
                ids = {str(item.get("id")) for item in answer.json()["items"]}
                assert not ids & owned, (operation_id, stranger)
    with capsys.disabled():
        print(
            f"\n[cross-access] {cells} object cells (2xx: {successes}, not 404: {len(not_404)}); "
            f"{list_cells} list cells with no foreign rows"
        )
    assert cells > 0 and successes == 0 and not_404 == []
