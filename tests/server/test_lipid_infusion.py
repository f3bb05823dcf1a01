"""The separate lipid's infusion time through the server: accepted, checked by the
server's own engine exactly as the client checks it, stored, echoed and exported."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

from pharmacy_domain.engine import evaluate_body
from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import load_template_catalog
from tests.server.support import Headers, new_prescription_body, recent_labs, submit

VALIDATE = "/api/v1/prescriptions/validate"


def _home_pn(**overrides: object) -> dict[str, Any]:
    body = new_prescription_body(template_id="hpn-cycled", access="central", **overrides)
    body["patient"]["height_cm"] = 170
    labs = recent_labs(days_ago=2)  # PN labs may be at most 7 days old
    date = labs[0]["date"]
    body["patient"]["labs"] = labs + [
        {"code": code, "value": value, "unit": unit, "date": date}
        for code, value, unit in (
            ("glucose", 100, "mg/dL"),
            ("triglycerides", 150, "mg/dL"),
            ("bun", 15, "mg/dL"),
            ("sodium", 140, "mEq/L"),
            ("potassium", 4.0, "mEq/L"),
            ("magnesium", 1.8, "mEq/L"),
            ("phosphate", 3.5, "mg/dL"),
        )
    ]
    return body


def _local(body: dict[str, Any]) -> list[tuple[str, str, str]]:
    """What the client's own engine finds for the same body."""
    evaluation = evaluate_body(body, load_template_catalog(), load_formulary(), load_rules())
    return sorted((f.code, f.severity, f.rule) for f in evaluation.findings)


def test_server_and_client_agree_on_the_lipid_rate(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    """0.8 g/kg/day over 6 h is 0.133 g/kg/h: past the 0.125 block on both sides."""
    body = _home_pn(lipid_infusion_hours=6)
    answer = client.post(VALIDATE, headers=as_user("prescriber1"), json=body).json()
    found = sorted((f["code"], f["severity"], f["rule"]) for f in answer["findings"])
    assert ("lipid.infusion_rate", "block", "lipid-rate") in found
    assert found == _local(body)
    assert answer["computed"]["lipid_rate_g_kg_h"] == 0.8 / 6
    assert answer["blocked"] is True


def test_lipid_time_is_stored_echoed_and_exported(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    headers = as_user("prescriber1")
    status, created = submit(client, headers, _home_pn(lipid_infusion_hours=10))
    assert status == 201, created
    assert created["lipid_infusion_hours"] == 10
    again = client.get(f"/api/v1/prescriptions/{created['id']}", headers=headers).json()
    assert again["lipid_infusion_hours"] == 10
    bundle = Bundle.model_validate(
        client.get(f"/api/v1/prescriptions/{created['id']}/fhir", headers=headers).json()
    )
    request = next(
        entry.resource
        for entry in bundle.entry or []
        if isinstance(entry.resource, MedicationRequest)
    )
    texts = [d.text or "" for d in request.dosageInstruction or []]
    assert any("lipid emulsion separately over 10 h" in text for text in texts)


def test_lipid_time_is_refused_on_a_template_without_separate_lipid(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    body = new_prescription_body(lipid_infusion_hours=10)
    response = client.post(VALIDATE, headers=as_user("prescriber1"), json=body)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["lipid_infusion_hours"]
