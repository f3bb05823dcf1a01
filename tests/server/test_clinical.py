"""The clinical check engine on the server: validate, enforce on submit, FHIR, formulary."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest
from sqlalchemy import func, select

from pharmacy_domain.formulary import load_formulary
from pharmacy_server.db import Database
from pharmacy_server.models import Prescription
from tests.server.support import FakeClock, Headers, new_prescription_body, submit

VALIDATE = "/api/v1/prescriptions/validate"
PRESCRIPTIONS = "/api/v1/prescriptions"
PUSH_WARNING = "osmolarity.hypertonic_push"  # a myers-push at defaults is hypertonic


def _rows(database: Database) -> int:
    with database.reading() as session:
        return session.scalar(select(func.count()).select_from(Prescription)) or 0


def _without_labs() -> dict[str, Any]:
    body = new_prescription_body()
    del body["patient"]["labs"]
    return body


def test_validate_returns_computed_values_and_findings_and_stores_nothing(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    response = client.post(VALIDATE, headers=as_user("prescriber1"), json=_without_labs())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["computed"]["total_volume_ml"] > 0
    assert answer["computed"]["osmolarity_mosm_l"] > 0
    assert answer["blocked"] is True
    codes = {(f["code"], f["severity"]) for f in answer["findings"]}
    assert ("prerequisite.missing", "block") in codes
    for finding in answer["findings"]:
        assert set(finding) == {
            "code", "severity", "message", "field", "source", "to_confirm", "rule"
        }  # fmt: skip
    assert _rows(database) == 0
    clean = client.post(VALIDATE, headers=as_user("prescriber1"), json=new_prescription_body())
    assert clean.json()["blocked"] is False


def test_validate_refuses_a_malformed_body_like_submit(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    headers = as_user("prescriber1")
    body = new_prescription_body()
    body["patient"]["weight_kg"] = 900
    bad = client.post(VALIDATE, headers=headers, json=body)
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"patient.weight_kg"}
    extra = client.post(VALIDATE, headers=headers, json=new_prescription_body(status="approved"))
    assert extra.status_code == 422
    assert client.post(VALIDATE, json=new_prescription_body()).status_code == 401


def test_a_block_stops_submission_with_the_findings(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    status, answer = submit(client, as_user("prescriber1"), _without_labs())
    assert status == 422
    assert answer["code"] == "clinical.blocked"
    assert {f["code"] for f in answer["findings"] if f["severity"] == "block"} == {
        "prerequisite.missing"
    }
    assert [e["field"] for e in answer["errors"]] == ["patient.labs", "patient.labs"]
    # A block cannot be acknowledged away by the prescriber.
    acknowledged = _without_labs()
    acknowledged["acknowledgements"] = [{"code": "prerequisite.missing", "reason": "trust me"}]
    status, answer = submit(client, as_user("prescriber1"), acknowledged)
    assert status == 422 and answer["code"] == "clinical.blocked"
    assert _rows(database) == 0


def test_a_warning_needs_an_acknowledgement_with_a_reason(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("prescriber1")
    push = new_prescription_body(template_id="myers-push")
    status, answer = submit(client, headers, push)
    assert status == 422
    assert answer["code"] == "clinical.unacknowledged"
    assert PUSH_WARNING in answer["errors"][0]["reason"]
    assert PUSH_WARNING in {f["code"] for f in answer["findings"]}

    other_code = {**push, "acknowledgements": [{"code": "gir.above_limit", "reason": "ok"}]}
    assert submit(client, headers, other_code)[1]["code"] == "clinical.unacknowledged"
    blank = {**push, "acknowledgements": [{"code": PUSH_WARNING, "reason": "  "}]}
    assert submit(client, headers, blank)[0] == 422
    assert _rows(database) == 0

    reason = "Slow push over 15 minutes into an antecubital vein; tolerated before."
    acknowledged = {**push, "acknowledgements": [{"code": PUSH_WARNING, "reason": reason}]}
    status, created = submit(client, headers, acknowledged)
    assert status == 201, created
    assert created["acknowledgements"] == [{"code": PUSH_WARNING, "reason": reason}]
    assert PUSH_WARNING in {f["code"] for f in created["evaluation"]["findings"]}
    assert created["evaluation"]["computed"]["osmolarity_mosm_l"] > 900

    # The pharmacist sees the acknowledgement and the evaluation, exactly as stored.
    seen = client.get(f"{PRESCRIPTIONS}/{created['id']}", headers=as_user("pharmacist1")).json()
    assert seen["acknowledgements"] == created["acknowledgements"]
    assert seen["evaluation"] == created["evaluation"]
    validated = client.post(VALIDATE, headers=headers, json=acknowledged).json()
    assert seen["evaluation"]["findings"] == validated["findings"]


def test_the_server_takes_the_age_on_its_own_date_and_blocks_a_minor(
    client: TestClient, as_user: Callable[[str], Headers], database: Database, clock: FakeClock
) -> None:
    """Myers' is for adults (18 and over): on the server's date a patient born 18 years ago
    tomorrow is 17, and the server refuses the order as the composer did."""
    today = clock().date()
    eighteenth = today.replace(year=today.year - 18, day=min(today.day, 28))
    minor = new_prescription_body()
    minor["patient"]["birth_date"] = (eighteenth + dt.timedelta(days=1)).isoformat()
    status, answer = submit(client, as_user("prescriber1"), minor)
    assert status == 422 and answer["code"] == "clinical.blocked"
    assert ("population.outside", "patient.birth_date") in {
        (f["code"], f["field"]) for f in answer["findings"] if f["severity"] == "block"
    }
    adult = new_prescription_body()
    adult["patient"]["birth_date"] = eighteenth.isoformat()
    checked = client.post(VALIDATE, headers=as_user("prescriber1"), json=adult).json()
    assert "population.outside" not in {f["code"] for f in checked["findings"]}
    assert checked["computed"]["sodium_meq"] > 0  # the sodium load travels with the checks
    assert _rows(database) == 0


def test_fhir_bundle_validates_as_r4_and_is_scoped(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    status, created = submit(client, as_user("prescriber1"), new_prescription_body())
    assert status == 201
    url = f"{PRESCRIPTIONS}/{created['id']}/fhir"
    response = client.get(url, headers=as_user("prescriber1"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(response.json())
    resources = [entry.resource for entry in bundle.entry or [] if entry.resource is not None]
    assert len(resources) == len(bundle.entry or [])  # every entry carries its resource
    kinds = [resource.get_resource_type() for resource in resources]
    assert kinds.count("Patient") == 1 and kinds.count("MedicationRequest") == 1
    assert kinds.count("Observation") >= 2  # the two labs (and the weight)
    request = next(r for r in resources if r.get_resource_type() == ("MedicationRequest"))
    assert isinstance(request, MedicationRequest)
    assert request.status == "active"
    # The same prescription always exports the same document.
    assert client.get(url, headers=as_user("pharmacist1")).json() == response.json()
    assert client.get(url, headers=as_user("prescriber2")).status_code == 404
    missing = client.get(f"{PRESCRIPTIONS}/{uuid.uuid4()}/fhir", headers=as_user("prescriber1"))
    assert missing.status_code == 404
    assert client.get(url).status_code == 401


def test_formulary_lists_products_and_vehicles(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    response = client.get("/api/v1/formulary", headers=as_user("prescriber1"))
    assert response.status_code == 200
    answer = response.json()
    expected = load_formulary()
    assert {p["code"] for p in answer["products"]} == set(expected.products)
    assert {v["code"] for v in answer["vehicles"]} == set(expected.vehicles)
    for product in answer["products"]:
        assert product["name"] and "measures" in product  # concentrations per mL
    assert any(product["measures"] for product in answer["products"])
    for vehicle in answer["vehicles"]:
        assert vehicle["name"] and "osmolarity_mosm_l" in vehicle
    assert client.get("/api/v1/formulary").status_code == 401
