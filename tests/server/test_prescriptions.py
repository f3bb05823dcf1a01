"""Submitting, reading, listing and reviewing prescriptions through the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
import rfc8785
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from pharmacy_domain.canonical import canonical_sha256
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription, User
from pharmacy_server.security import Passwords
from tests.server.support import (
    FakeClock,
    Headers,
    login_headers,
    new_prescription_body,
    signed,
    submit,
)

PRESCRIPTIONS = "/api/v1/prescriptions"


_submit = submit


def _row_count(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Prescription)) or 0


# ---------------------------------------------------------------- templates


def test_templates_list_the_newest_version_of_each(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    response = client.get("/api/v1/templates", headers=as_user("prescriber1"))
    assert response.status_code == 200
    body = response.json()
    expected = [t.to_wire() for t in load_template_catalog().latest()]
    assert body == {"items": expected, "total": len(expected), "next_cursor": None}
    first = expected[0]
    one = client.get(
        f"/api/v1/templates/{first['id']}/versions/{first['version']}",
        headers=as_user("prescriber1"),
    )
    assert one.status_code == 200 and one.json() == first
    missing = client.get("/api/v1/templates/nope/versions/1", headers=as_user("prescriber1"))
    assert missing.status_code == 404


def test_templates_need_a_session(client: TestClient) -> None:
    assert client.get("/api/v1/templates").status_code == 401


# ---------------------------------------------------------------- submit


def test_submit_with_template_defaults(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    status, body = _submit(client, as_user("prescriber1"), new_prescription_body())
    assert status == 201, body
    assert body["status"] == "submitted"
    assert body["review"] is None
    assert str(body["reference"]).startswith("RX-") and len(str(body["reference"])) == 14
    uuid.UUID(str(body["id"]))
    template = load_template_catalog().get("myers-infusion", 1)
    assert template is not None
    assert body["template_name"] == template.name
    assert body["ingredients"] == [
        {"code": row.code, "amount": row.default_amount, "unit": row.unit}
        for row in template.ingredients
    ]
    assert body["access"] == template.default_access
    assert body["infusion_minutes"] == template.infusion_minutes_default
    assert body["prescriber"] == {
        "id": body["prescriber"]["id"],
        "display_name": "Dr. Maya Chen",
        "clinic": "Riverside Integrative Health",
        # The signer's credentials, printed on the PDF copy.
        "npi": "1234567893",
        "licence_number": "MD-104233",
        "licence_state": "OR",
    }
    content = parse_prescription(new_prescription_body(), load_template_catalog()).to_wire()
    assert body["content_sha256"] == canonical_sha256(content)
    assert {key: body[key] for key in content} == content


def test_references_are_unique_and_sequential_per_day(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    headers = as_user("prescriber1")
    references = [
        str(_submit(client, headers, new_prescription_body())[1]["reference"]) for _ in range(3)
    ]
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_invalid_prescription_is_422_with_field_paths(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    body = new_prescription_body(
        ingredients=[{"code": "magnesium-chloride-20", "amount": 50, "unit": "mL"}]
    )
    body["patient"]["weight_kg"] = 900
    status, answer = _submit(client, as_user("prescriber1"), body)
    assert status == 422
    assert answer["detail"]
    errors = {e["field"]: e["reason"] for e in answer["errors"]}
    assert errors["patient.weight_kg"] == "must be at most 400 kg (got 900)"
    assert "ingredients[0].amount" in errors
    assert _row_count(database) == 0


def test_unknown_and_server_owned_fields_are_refused(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("prescriber1")
    for field in ("status", "prescriber_id", "reference", "colour"):
        status, answer = _submit(client, headers, new_prescription_body(**{field: "x"}))
        assert status == 422, field
        assert [e["field"] for e in answer["errors"]] == [field]
    nested = new_prescription_body()
    nested["patient"]["ssn"] = "000-00-0000"
    status, answer = _submit(client, headers, nested)
    assert status == 422
    assert answer["errors"] == [{"field": "patient.ssn", "reason": "is not a recognised field"}]
    assert _row_count(database) == 0


def test_body_must_be_a_json_object(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    headers = {**as_user("prescriber1"), "Idempotency-Key": str(uuid.uuid4())}
    assert client.post(PRESCRIPTIONS, headers=headers, json=[1, 2]).status_code == 422
    broken = client.post(
        PRESCRIPTIONS, headers={**headers, "Content-Type": "application/json"}, content=b"{nope"
    )
    assert broken.status_code == 422
    assert broken.json()["errors"] == [{"field": "body", "reason": "is not valid JSON"}]


def test_oversized_body_is_413(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    body = new_prescription_body(notes="x" * (300 * 1024))
    status, answer = _submit(client, as_user("prescriber1"), body)
    assert status == 413
    assert "256 KiB" in str(answer["detail"])


def test_only_prescribers_submit(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    for username in ("pharmacist1", "admin1"):
        status, _ = _submit(client, as_user(username), new_prescription_body(), sign=False)
        assert status == 403, username


# ---------------------------------------------------------------- idempotency


def test_same_key_same_body_replays_the_original(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber = as_user("prescriber1")
    headers = {**prescriber, "Idempotency-Key": str(uuid.uuid4())}
    body = signed(client, prescriber, new_prescription_body())
    first = client.post(PRESCRIPTIONS, headers=headers, json=body)
    again = client.post(PRESCRIPTIONS, headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content  # byte for byte
    assert _row_count(database) == 1


def test_same_key_different_body_is_422(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("prescriber1")
    key = str(uuid.uuid4())
    assert _submit(client, headers, new_prescription_body(), key)[0] == 201
    status, answer = _submit(client, headers, new_prescription_body(notes="changed"), key)
    assert status == 422
    assert answer["errors"][0]["field"] == "Idempotency-Key"
    assert _row_count(database) == 1


def _body_whose_forms_differ(client: TestClient, prescriber: Headers) -> dict[str, Any]:
    """A signed body with a float written as 70.0: sorted json.dumps keeps "70.0", RFC 8785
    writes "70", so the two fingerprints differ."""
    body = new_prescription_body()
    body["patient"] = {**body["patient"], "weight_kg": 70.0}
    return signed(client, prescriber, body)


def test_the_fingerprint_and_content_hash_are_sha256_of_rfc8785_json(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber = as_user("prescriber1")
    body = _body_whose_forms_differ(client, prescriber)
    key = str(uuid.uuid4())
    response = client.post(PRESCRIPTIONS, headers={**prescriber, "Idempotency-Key": key}, json=body)
    assert response.status_code == 201, response.text
    with database.reading() as session:
        row = session.scalars(select(Prescription).where(Prescription.idempotency_key == key)).one()
    assert row.request_hash_form == "rfc8785"
    assert row.request_sha256 == hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    # The content hash the client compares is over RFC 8785 JSON too.
    unsigned = {key: value for key, value in body.items() if key != "signing_token"}
    content = parse_prescription(unsigned, load_template_catalog()).to_wire()
    assert response.json()["content_sha256"] == hashlib.sha256(rfc8785.dumps(content)).hexdigest()


def test_a_retry_across_the_upgrade_replays_the_original(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    """A key stored before revision 0006 holds the sorted-json fingerprint: the same body
    retried afterwards replays the original 201; a different body is still refused."""
    prescriber = as_user("prescriber1")
    body = _body_whose_forms_differ(client, prescriber)
    key = str(uuid.uuid4())
    headers = {**prescriber, "Idempotency-Key": key}
    first = client.post(PRESCRIPTIONS, headers=headers, json=body)
    assert first.status_code == 201, first.text
    old_fingerprint = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest()
    assert old_fingerprint != hashlib.sha256(rfc8785.dumps(body)).hexdigest()
    with database.writing() as session:  # the row as the code before 0006 stored it
        session.execute(
            update(Prescription)
            .where(Prescription.idempotency_key == key)
            .values(request_sha256=old_fingerprint, request_hash_form="sorted-json")
        )

    again = client.post(PRESCRIPTIONS, headers=headers, json=body)
    assert again.status_code == 201, again.text
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert _row_count(database) == 1
    changed = signed(client, prescriber, {**body, "notes": "changed"})
    refused = client.post(PRESCRIPTIONS, headers=headers, json=changed)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "Idempotency-Key"
    assert _row_count(database) == 1


def test_a_number_json_cannot_carry_is_422(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber = as_user("prescriber1")
    body = new_prescription_body()
    body["patient"] = {**body["patient"], "weight_kg": float("nan")}
    response = client.post(
        PRESCRIPTIONS,
        headers={**prescriber, "Idempotency-Key": str(uuid.uuid4()),
                 "Content-Type": "application/json"},
        content=json.dumps(body),  # Python writes NaN; strict JSON parsers do not
    )  # fmt: skip
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "patient.weight_kg"
    assert _row_count(database) == 0


def test_missing_key_is_400(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    response = client.post(
        PRESCRIPTIONS, headers=as_user("prescriber1"), json=new_prescription_body()
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    too_long = client.post(
        PRESCRIPTIONS,
        headers={**as_user("prescriber1"), "Idempotency-Key": "k" * 256},
        json=new_prescription_body(),
    )
    assert too_long.status_code in (400, 422)


def test_quoted_key_is_the_same_key(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    headers = as_user("prescriber1")
    key = str(uuid.uuid4())
    body = signed(client, headers, new_prescription_body())
    first = _submit(client, headers, body, key)[1]
    second = _submit(client, headers, body, f'"{key}"')[1]
    assert first["id"] == second["id"]


def test_keys_are_scoped_to_the_prescriber(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    key = str(uuid.uuid4())
    a = _submit(client, as_user("prescriber1"), new_prescription_body(), key)[1]
    b = _submit(client, as_user("prescriber2"), new_prescription_body(), key)[1]
    assert a["id"] != b["id"]
    assert _row_count(database) == 2
    lookup_a = client.get(
        PRESCRIPTIONS, params={"idempotency_key": key}, headers=as_user("prescriber1")
    ).json()
    assert [item["id"] for item in lookup_a["items"]] == [a["id"]]
    unknown = client.get(
        PRESCRIPTIONS,
        params={"idempotency_key": str(uuid.uuid4())},
        headers=as_user("prescriber1"),
    ).json()
    assert unknown | {"changes_cursor": None} == {
        "items": [],
        "total": 0,
        "total_is_lower_bound": False,
        "next_cursor": None,
        "changes_cursor": None,
    }
    # Even a pharmacist, who sees every prescription, sees no one else's keys.
    pharmacist = client.get(
        PRESCRIPTIONS, params={"idempotency_key": key}, headers=as_user("pharmacist1")
    ).json()
    assert pharmacist["items"] == []


# ---------------------------------------------------------------- object-level access


def test_other_prescribers_prescriptions_are_invisible(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    mine = _submit(client, as_user("prescriber1"), new_prescription_body())[1]
    other = as_user("prescriber2")
    foreign = client.get(f"{PRESCRIPTIONS}/{mine['id']}", headers=other)
    missing = client.get(f"{PRESCRIPTIONS}/{uuid.uuid4()}", headers=other)
    garbage = client.get(f"{PRESCRIPTIONS}/not-a-uuid", headers=other)
    assert foreign.status_code == missing.status_code == garbage.status_code == 404
    assert foreign.json() == missing.json() == garbage.json()
    assert client.get(PRESCRIPTIONS, headers=other).json()["items"] == []
    review = client.post(
        f"{PRESCRIPTIONS}/{mine['id']}/review", headers=other, json={"action": "approve"}
    )
    assert review.status_code == 403
    own = client.get(f"{PRESCRIPTIONS}/{mine['id']}", headers=as_user("prescriber1"))
    assert own.status_code == 200 and own.json()["id"] == mine["id"]
    everyone = client.get(PRESCRIPTIONS, headers=as_user("pharmacist1")).json()
    assert [item["id"] for item in everyone["items"]] == [mine["id"]]


def test_ids_are_random_uuids(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    headers = as_user("prescriber1")
    ids = [uuid.UUID(str(_submit(client, headers, new_prescription_body())[1]["id"])) for _ in "ab"]
    assert all(value.version == 4 for value in ids)


# ---------------------------------------------------------------- review


def test_review_approve_and_reject(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    prescriber = as_user("prescriber1")
    pharmacist = as_user("pharmacist1")
    first = _submit(client, prescriber, new_prescription_body())[1]
    second = _submit(client, prescriber, new_prescription_body())[1]

    approved = client.post(
        f"{PRESCRIPTIONS}/{first['id']}/review", headers=pharmacist, json={"action": "approve"}
    )
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    review = approved.json()["review"]
    assert review["action"] == "approve" and review["reviewer"] == "Priya Nair, PharmD"
    assert approved.json()["content_sha256"] == first["content_sha256"]

    no_reason = client.post(
        f"{PRESCRIPTIONS}/{second['id']}/review", headers=pharmacist, json={"action": "reject"}
    )
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    blank = client.post(
        f"{PRESCRIPTIONS}/{second['id']}/review",
        headers=pharmacist,
        json={"action": "reject", "reason": "   "},
    )
    assert blank.status_code == 422
    rejected = client.post(
        f"{PRESCRIPTIONS}/{second['id']}/review",
        headers=pharmacist,
        json={"action": "reject", "reason": "Weight missing for per-kg dosing"},
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["review"]["reason"] == "Weight missing for per-kg dosing"

    again = client.post(
        f"{PRESCRIPTIONS}/{first['id']}/review",
        headers=pharmacist,
        json={"action": "reject", "reason": "late"},
    )
    assert again.status_code == 409
    # The prescriber sees the outcome.
    seen = client.get(f"{PRESCRIPTIONS}/{second['id']}", headers=prescriber).json()
    assert seen["status"] == "rejected"
    rejected_only = client.get(
        PRESCRIPTIONS, params={"status": "rejected"}, headers=prescriber
    ).json()
    assert [item["id"] for item in rejected_only["items"]] == [second["id"]]


def test_only_pharmacists_review(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    created = _submit(client, as_user("prescriber1"), new_prescription_body())[1]
    for username in ("prescriber1", "admin1"):
        response = client.post(
            f"{PRESCRIPTIONS}/{created['id']}/review",
            headers=as_user(username),
            json={"action": "approve"},
        )
        assert response.status_code == 403, username
    unknown = client.post(
        f"{PRESCRIPTIONS}/{uuid.uuid4()}/review",
        headers=as_user("pharmacist1"),
        json={"action": "approve"},
    )
    assert unknown.status_code == 404


def test_replay_after_review_still_returns_the_original_201(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber = as_user("prescriber1")
    key = str(uuid.uuid4())
    body = signed(client, prescriber, new_prescription_body())
    created = _submit(client, prescriber, body, key)[1]
    client.post(
        f"{PRESCRIPTIONS}/{created['id']}/review",
        headers=as_user("pharmacist1"),
        json={"action": "approve"},
    )
    status, replay = _submit(client, prescriber, body, key)
    assert status == 201
    assert replay == created


# ---------------------------------------------------------------- lists


def _walk_pages(client: TestClient, headers: Headers, limit: int) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = client.get(PRESCRIPTIONS, params=params, headers=headers).json()
        seen.extend(item["id"] for item in page["items"])
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            return seen, pages


def test_pagination_with_cursor_newest_first(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("prescriber1")
    created = []
    for _ in range(7):
        clock.advance(dt.timedelta(seconds=1))
        created.append(str(_submit(client, headers, new_prescription_body())[1]["id"]))
    first = client.get(PRESCRIPTIONS, params={"limit": 3}, headers=headers).json()
    assert first["total"] == 7 and len(first["items"]) == 3
    seen, pages = _walk_pages(client, headers, limit=3)
    assert pages == 3
    assert seen == list(reversed(created))


def test_pagination_is_exact_when_times_tie(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    """The frozen test clock gives every row the same created_at: the id breaks ties."""
    headers = as_user("prescriber1")
    created = {str(_submit(client, headers, new_prescription_body())[1]["id"]) for _ in range(5)}
    seen, _ = _walk_pages(client, headers, limit=2)
    assert len(seen) == 5 and set(seen) == created


def test_list_limits_and_bad_input(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    headers = as_user("prescriber1")
    assert client.get(PRESCRIPTIONS, params={"limit": 10**6}, headers=headers).status_code == 200
    zero = client.get(PRESCRIPTIONS, params={"limit": 0}, headers=headers)
    assert zero.status_code == 422 and zero.json()["errors"][0]["field"] == "limit"
    bad_cursor = client.get(PRESCRIPTIONS, params={"cursor": "!!"}, headers=headers)
    assert bad_cursor.status_code == 422
    bad_status = client.get(PRESCRIPTIONS, params={"status": "lost"}, headers=headers)
    assert bad_status.status_code == 422


def test_clinic_staff_see_nothing_yet(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    _submit(client, as_user("prescriber1"), new_prescription_body())
    with database.writing() as session:
        user = session.scalar(select(User).where(User.username == "admin1"))
        assert user is not None
        user.role = "clinic_staff"
    staff = client.get(PRESCRIPTIONS, headers=as_user("admin1")).json()
    assert {key: staff[key] for key in ("items", "total", "next_cursor")} == {
        "items": [],
        "total": 0,
        "next_cursor": None,
    }


# ---------------------------------------------------------------- errors and OpenAPI


def test_unknown_route_and_method_are_json(client: TestClient) -> None:
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong_method = client.delete("/api/v1/templates")
    assert wrong_method.status_code == 405 and "detail" in wrong_method.json()


def test_openapi_has_stable_operation_ids_and_the_error_schema(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation_ids = {
        operation["operationId"] for path in spec["paths"].values() for operation in path.values()
    }
    assert {
        "login", "logout", "get_me", "list_templates", "get_template_version",
        "submit_prescription", "list_prescriptions", "get_prescription",
        "review_prescription", "healthz", "validate_prescription", "get_prescription_fhir",
        "get_formulary",
    } <= operation_ids  # fmt: skip
    schemas = spec["components"]["schemas"]
    assert "ErrorBody" in schemas and "PrescriptionSubmission" in schemas
    submit = spec["paths"]["/api/v1/prescriptions"]["post"]
    assert submit["responses"]["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }
    assert "HTTPValidationError" not in json.dumps(spec)


@pytest.mark.postgres
def test_key_still_in_flight_is_409(
    database_url: str,
    database: Database,
    passwords: Passwords,
    clock: FakeClock,
    settings: ServerSettings,
) -> None:
    """A first request holding the key in an open transaction makes the second one 409."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises writers; its in-flight window is the busy timeout")
    settings = settings.model_copy(update={"submit_lock_wait_ms": 200})
    app = create_app(settings, database=database, passwords=passwords, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as client:
        headers = login_headers(client, "prescriber1")
        key = str(uuid.uuid4())
        body = signed(client, headers, new_prescription_body())
        with database.writing() as session:
            prescriber = session.scalar(select(User).where(User.username == "prescriber1"))
            assert prescriber is not None
            now = clock()
            session.add(
                Prescription(
                    reference="RX-000000-9999", prescriber_id=prescriber.id,
                    clinic_id=prescriber.clinic_id, idempotency_key=key, request_sha256="0" * 64,
                    status="submitted", template_id="t", template_version=1, template_name="t",
                    content_json="{}", content_sha256="0" * 64, created_response_json="{}",
                    created_at=now, updated_at=now, change_seq=2**40,
                )
            )  # fmt: skip
            session.flush()  # the row exists, uncommitted: the first request is mid-flight
            response = client.post(
                PRESCRIPTIONS, headers={**headers, "Idempotency-Key": key}, json=body
            )
            session.rollback()  # the first request fails after all
        assert response.status_code == 409
        assert response.headers["Retry-After"] == "1"
        retry = client.post(PRESCRIPTIONS, headers={**headers, "Idempotency-Key": key}, json=body)
        assert retry.status_code == 201
