"""The clinic's patient records on the server, on SQLite and PostgreSQL: shared by a
clinic's prescribers and staff, not found from another clinic, a stale edit refused,
documents checked by their content, the patient as signed kept on the order, search and
paging, and an audit row for every read and change with no patient data in it."""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_domain.patient_records import MAX_DOCUMENT_BYTES
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, Prescription
from pharmacy_server.seed import DEMO_PATIENTS, seed_demo_patients
from tests.server.support import (
    FakeClock,
    Headers,
    add_user,
    date_days_ago,
    new_prescription_body,
    patient_body,
    recent_labs,
    submit,
)

PATIENTS = "/api/v1/patients"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _document(content: bytes, filename: str = "labs.pdf") -> dict[str, str]:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}


@pytest.fixture
def staff(database: Database, demo_password_hash: str) -> None:
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    add_user(database, "staff2", role="clinic_staff", clinic="Lakeside Wellness Clinic",
             password_hash=demo_password_hash)  # fmt: skip


def _create(client: TestClient, headers: Headers, **changes: Any) -> dict[str, Any]:
    created = client.post(PATIENTS, headers=headers, json=patient_body(**changes))
    assert created.status_code == 201, created.text
    answer: dict[str, Any] = created.json()
    return answer


def _audit_rows(database: Database) -> list[AuditEvent]:
    with database.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.startswith("patient."))
                .order_by(AuditEvent.seq)
            )
        )


def test_create_read_and_edit_a_record(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    record = _create(client, chen)
    assert record["version"] == 1
    assert record["given_name"] == "Zora" and record["birth_date"] == "1979-08-12"
    assert record["allergies"] == [
        {"code": "corn", "text": "corn"},
        {"code": None, "text": "penicillin (hives)"},
    ]
    assert record["weight"] == {"value": 66.0, "measured_on": date_days_ago(5)}
    # Named from the list, newest first, the usual unit filled in when none was given.
    assert [(lab["name"], lab["code"], lab["unit"]) for lab in record["labs"]] == [
        ("Creatinine", "creatinine", "mg/dL"),
        ("G6PD", "g6pd", "U/g Hb"),
    ]
    url = f"{PATIENTS}/{record['id']}"
    assert client.get(url, headers=chen).json() == record

    edited = client.patch(
        url, headers=chen, json={"version": 1, "phone": "503-555-0199", "height": None}
    )
    assert edited.status_code == 200, edited.text
    after = edited.json()
    assert after["version"] == 2 and after["phone"] == "503-555-0199"
    assert after["height"] is None and after["weight"] == record["weight"]  # the rest kept
    assert after["labs"] == record["labs"]


def test_clinic_staff_share_the_clinic_s_records(
    client: TestClient, as_user: Callable[[str], Headers], staff: None
) -> None:
    record = _create(client, as_user("staff1"), family_name="Staffmade")
    chen = as_user("prescriber1")
    url = f"{PATIENTS}/{record['id']}"
    assert client.get(url, headers=chen).status_code == 200
    edited = client.patch(url, headers=chen, json={"version": 1, "address": "1 New Road"})
    assert edited.status_code == 200
    assert client.get(url, headers=as_user("staff1")).json()["address"] == "1 New Road"
    found = client.get(PATIENTS, headers=chen, params={"q": "staffm"}).json()
    assert [item["id"] for item in found["items"]] == [record["id"]]


def test_another_clinic_s_record_is_not_found_on_every_endpoint(
    client: TestClient, as_user: Callable[[str], Headers], staff: None
) -> None:
    chen = as_user("prescriber1")
    record = _create(client, chen)
    document = client.post(
        f"{PATIENTS}/{record['id']}/documents", headers=chen, json=_document(PDF)
    ).json()
    url = f"{PATIENTS}/{record['id']}"
    missing = f"{PATIENTS}/{uuid.uuid4()}"
    for stranger in ("prescriber2", "staff2"):
        headers = as_user(stranger)
        calls = [
            ("GET", url, None),
            ("PATCH", url, {"version": 1, "phone": "1"}),
            ("POST", f"{url}/documents", _document(PDF)),
            ("GET", f"{url}/documents/{document['id']}", None),
        ]
        for method, path, body in calls:
            foreign = client.request(method, path, headers=headers, json=body)
            absent = client.request(method, path.replace(url, missing), headers=headers, json=body)
            assert foreign.status_code == absent.status_code == 404, (stranger, method, path)
            assert foreign.json() == absent.json()
        assert client.get(PATIENTS, headers=headers).json()["items"] == []
        assert client.get(f"{PATIENTS}/not-an-id", headers=headers).status_code == 404
    # Pharmacists read only records a prescription names; admins none at all.
    assert client.get(url, headers=as_user("pharmacist1")).status_code == 404
    assert client.get(url, headers=as_user("admin1")).status_code == 403
    assert client.get(PATIENTS, headers=as_user("pharmacist1")).status_code == 403
    assert client.post(PATIENTS, headers=as_user("admin1"), json=patient_body()).status_code == 403
    # The record is untouched by all of it.
    assert client.get(url, headers=chen).json()["version"] == 1


def test_a_stale_edit_is_409_with_the_current_version(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    record = _create(client, chen)
    url = f"{PATIENTS}/{record['id']}"
    first = client.patch(url, headers=chen, json={"version": 1, "phone": "503-555-0111"})
    assert first.status_code == 200
    stale = client.patch(url, headers=chen, json={"version": 1, "phone": "503-555-0122"})
    assert stale.status_code == 409
    assert stale.json()["code"] == "patient.version_conflict"
    assert stale.json()["current_version"] == 2
    assert client.get(url, headers=chen).json()["phone"] == "503-555-0111"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "19790812"}, "birth_date"),
        ({"birth_date": "1979-02-30"}, "birth_date"),
        ({"birth_date": (dt.date.today() + dt.timedelta(days=1)).isoformat()}, "birth_date"),
        ({"sex": "f"}, "sex"),
        ({"given_name": "Zo\u202era"}, "given_name"),
        ({"family_name": "   "}, "family_name"),
        ({"phone": "1\n2"}, "phone"),
        ({"allergies": [{"code": "penicilin"}]}, "allergies[0].code"),
        ({"allergies": [{"text": ""}]}, "allergies[0].text"),
        ({"weight": {"value": 0, "measured_on": date_days_ago(1)}}, "weight.value"),
        ({"weight": {"value": 60, "measured_on": "2099-01-01"}}, "weight.measured_on"),
        ({"labs": [{"code": "G6PDX", "date": date_days_ago(1), "value": 1}]}, "labs[0].code"),
        ({"labs": [{"code": "egfr", "date": date_days_ago(1)}]}, "labs[0]"),
        (
            {"labs": [{"code": "egfr", "date": date_days_ago(1), "interpretation": "fine"}]},
            "labs[0].interpretation",
        ),
        ({"labs": [{"code": "egfr", "date": date_days_ago(1), "value": float("inf")}]}, None),
    ],
)
def test_bad_fields_are_422_naming_each(
    client: TestClient, as_user: Callable[[str], Headers], changes: dict[str, Any], field: str
) -> None:
    body = patient_body(**changes)
    if field is None:  # JSON cannot carry it: the body itself is refused
        response = client.post(
            PATIENTS,
            headers={**as_user("prescriber1"), "Content-Type": "application/json"},
            content=json.dumps(body),
        )
        assert response.status_code == 422
        return
    response = client.post(PATIENTS, headers=as_user("prescriber1"), json=body)
    assert response.status_code == 422, response.text
    fields = [error["field"] for error in response.json()["errors"]]
    assert field in fields, fields
    assert client.get(PATIENTS, headers=as_user("prescriber1")).json()["items"] == []


def test_documents_are_checked_by_content_and_size(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    record = _create(client, chen)
    documents = f"{PATIENTS}/{record['id']}/documents"
    for content, kind in ((PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")):
        # The name says PDF each time; the content decides.
        added = client.post(documents, headers=chen, json=_document(content, "C:\\scans\\x.pdf"))
        assert added.status_code == 201, added.text
        assert added.json()["content_type"] == kind
        assert added.json()["filename"] == "x.pdf" and added.json()["size_bytes"] == len(content)
        fetched = client.get(f"{documents}/{added.json()['id']}", headers=chen)
        assert fetched.status_code == 200 and fetched.content == content
        assert fetched.headers["content-type"] == kind
        assert fetched.headers["cache-control"] == "no-store"
        assert fetched.headers["x-content-type-options"] == "nosniff"
        assert fetched.headers["content-disposition"].startswith("attachment;")
    listed = client.get(f"{PATIENTS}/{record['id']}", headers=chen).json()["documents"]
    assert [item["content_type"] for item in listed] == [
        "application/pdf",
        "image/png",
        "image/jpeg",
    ]

    html = client.post(documents, headers=chen, json=_document(b"<html>%PDF-</html>", "a.pdf"))
    assert html.status_code == 415
    assert "PDF, PNG or JPEG" in html.json()["detail"]
    empty = client.post(documents, headers=chen, json=_document(b""))
    assert empty.status_code == 422
    not_base64 = client.post(
        documents, headers=chen, json={"filename": "a.pdf", "content_base64": "%%%"}
    )
    assert not_base64.status_code == 422
    assert not_base64.json()["errors"][0]["field"] == "content_base64"
    too_large = PDF + b"0" * (MAX_DOCUMENT_BYTES + 1 - len(PDF))
    refused = client.post(documents, headers=chen, json=_document(too_large))
    assert refused.status_code == 413
    assert "10.0 MB" in refused.json()["detail"] and "at most 10 MB" in refused.json()["detail"]
    just_fits = PDF + b"0" * (MAX_DOCUMENT_BYTES - len(PDF))
    assert client.post(documents, headers=chen, json=_document(just_fits)).status_code == 201
    # Other bodies keep the small limit.
    huge_name = client.post(PATIENTS, headers=chen, json=patient_body(address="x" * 400_000))
    assert huge_name.status_code == 413


def test_search_by_name_or_birth_date_and_paging(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    chen = as_user("prescriber1")
    ids = {}
    for given, family, born in (
        ("Zora", "Whitfield", "1979-08-12"),
        ("Ana María", "Ruiz_Peña", "1990-01-05"),
        ("Ben", "Zorander", "1979-08-12"),
        ("Carla", "50%Off", "2001-12-31"),
    ):
        clock.advance(dt.timedelta(seconds=1))
        ids[family] = _create(client, chen, given_name=given, family_name=family, birth_date=born)[
            "id"
        ]

    def found(q: str) -> list[str]:
        answer = client.get(PATIENTS, headers=chen, params={"q": q})
        assert answer.status_code == 200, answer.text
        return sorted(item["family_name"] for item in answer.json()["items"])

    assert found("zor") == ["Whitfield", "Zorander"]  # given or family, case ignored
    assert found("ZORA whit") == ["Whitfield"]  # every word must match
    assert found("maría") == ["Ruiz_Peña"]  # a second given name
    assert found("ruiz_") == ["Ruiz_Peña"]
    assert found("ruiz%") == [] and found("50%") == ["50%Off"]  # wildcards are text
    assert found("1979-08-12") == ["Whitfield", "Zorander"]
    assert found("") == sorted(ids)
    bad_date = client.get(PATIENTS, headers=chen, params={"q": "1979-13-01"})
    assert bad_date.status_code == 422 and bad_date.json()["errors"][0]["field"] == "q"

    seen: list[str] = []
    params: dict[str, Any] = {"limit": 3}
    for _ in range(10):
        page = client.get(PATIENTS, headers=chen, params=params).json()
        assert len(page["items"]) <= 3
        seen.extend(item["id"] for item in page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 4
    assert seen[0] == ids["50%Off"]  # newest first
    bad = client.get(PATIENTS, headers=chen, params={"cursor": "nonsense"})
    assert bad.status_code == 422


def test_the_order_keeps_the_patient_as_signed(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    chen = as_user("prescriber1")
    record = _create(client, chen, labs=recent_labs(), allergies=[])
    signed_patient = {
        "given_name": record["given_name"],
        "family_name": record["family_name"],
        "birth_date": record["birth_date"],
        "sex": record["sex"],
        "weight_kg": record["weight"]["value"],
        "labs": recent_labs(),
    }
    status, created = submit(
        client, chen, new_prescription_body(patient=signed_patient, patient_id=record["id"])
    )
    assert status == 201, created
    assert created["patient_id"] == record["id"]
    assert created["patient"]["weight_kg"] == 66.0

    edited = client.patch(
        f"{PATIENTS}/{record['id']}",
        headers=chen,
        json={"version": 1, "family_name": "Renamed", "weight": None},
    )
    assert edited.status_code == 200
    later = client.get(f"/api/v1/prescriptions/{created['id']}", headers=chen).json()
    assert later["patient"]["family_name"] == "Whitfield"
    assert later["patient"]["weight_kg"] == 66.0
    assert later["content_sha256"] == created["content_sha256"]
    with database.reading() as session:
        row = session.get(Prescription, uuid.UUID(created["id"]))
        assert row is not None and str(row.patient_id) == record["id"]

    # Now a prescription names it, the pharmacist may read the record.
    read = client.get(f"{PATIENTS}/{record['id']}", headers=as_user("pharmacist1"))
    assert read.status_code == 200 and read.json()["family_name"] == "Renamed"
    # Inline-only orders keep working.
    assert submit(client, chen, new_prescription_body())[0] == 201


def test_an_order_may_not_name_another_clinic_s_record(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    theirs = _create(client, as_user("prescriber2"))
    chen = as_user("prescriber1")
    for named in (theirs["id"], str(uuid.uuid4()), "not-an-id"):
        status, answer = submit(client, chen, new_prescription_body(patient_id=named))
        assert status == 404, answer
        assert answer["detail"] == "Patient not found"
    status, answer = submit(client, chen, new_prescription_body(patient_id=12))
    assert status == 422 and answer["errors"][0]["field"] == "patient_id"
    with database.reading() as session:
        assert session.scalars(select(Prescription)).all() == []


def test_every_read_and_change_is_audited_without_patient_data(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    caplog: pytest.LogCaptureFixture,
) -> None:
    chen = as_user("prescriber1")
    caplog.set_level(logging.DEBUG)
    record = _create(client, chen)
    url = f"{PATIENTS}/{record['id']}"
    client.get(url, headers=chen)
    client.patch(url, headers=chen, json={"version": 1, "phone": "503-555-0188"})
    document = client.post(f"{url}/documents", headers=chen, json=_document(PDF)).json()
    client.get(f"{url}/documents/{document['id']}", headers=chen)
    client.get(PATIENTS, headers=chen, params={"q": "Whitfield"})
    client.get(PATIENTS, headers=chen, params={"q": "1979-08-12"})
    rows = _audit_rows(database)
    assert [row.action for row in rows] == [
        "patient.create",
        "patient.read",
        "patient.update",
        "patient.document.add",
        "patient.document.read",
        "patient.search",
        "patient.search",
    ]
    assert all(row.target_type == "patient" for row in rows)
    assert {row.target_id for row in rows[:5]} == {record["id"]}
    assert json.loads(rows[2].details_json) == {"fields": ["phone"], "version": 2}
    assert json.loads(rows[5].details_json) == {"by": "name", "page": False, "results": 1}
    assert json.loads(rows[6].details_json)["by"] == "birth_date"
    stored = " ".join(row.details_json for row in rows)
    # The server's own records (the test's HTTP client logs its URLs; the server never).
    logged = " ".join(
        record.getMessage() for record in caplog.records if record.name.startswith("pharmacy")
    )
    assert "GET /api/v1/patients 200" in logged
    for phi in ("Zora", "Whitfield", "1979-08-12", "503-555", "Elm", "labs.pdf", "penicillin"):
        assert phi not in stored, phi
        assert phi not in logged, phi


def test_the_demo_clinic_gets_its_demo_patients_once(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    assert seed_demo_patients(database) == len(DEMO_PATIENTS)
    assert seed_demo_patients(database) == 0
    chen = as_user("prescriber1")
    listed = client.get(PATIENTS, headers=chen).json()["items"]
    assert len(listed) == len(DEMO_PATIENTS)
    first = client.get(f"{PATIENTS}/{listed[-1]['id']}", headers=chen).json()
    assert first["family_name"] == DEMO_PATIENTS[0].family_name
    assert {lab["name"] for lab in first["labs"]} == {"G6PD", "Creatinine", "eGFR"}
    assert first["weight"] is not None
    assert client.get(PATIENTS, headers=as_user("prescriber2")).json()["items"] == []


def test_an_order_naming_a_record_still_carries_its_patient_inline(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    """The signed content is what the prescriber saw: the record is never filled in for
    them, so a body with the link and no patient is refused, and checking a body with the
    link is the same as checking it without."""
    chen = as_user("prescriber1")
    record = _create(client, chen, labs=recent_labs(), allergies=[])
    body = new_prescription_body(patient_id=record["id"])
    checked = client.post("/api/v1/prescriptions/validate", headers=chen, json=body)
    plain = client.post(
        "/api/v1/prescriptions/validate", headers=chen, json=new_prescription_body()
    )
    assert checked.status_code == 200 and checked.json() == plain.json()
    without_patient = {key: value for key, value in body.items() if key != "patient"}
    status, answer = submit(client, chen, without_patient)
    assert status == 422
    assert "patient" in [error["field"] for error in answer["errors"]]
