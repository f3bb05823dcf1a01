"""The FHIR export validates against the R4B models of fhir.resources 8.x (reference §7.2)."""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

from pharmacy_domain.fhir import prescription_bundle
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.templates import TemplateCatalog
from tests.unit.domain.conftest import TODAY, Builder, Checker, adult

AUTHORED = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("template_id", ["tpn-adult-central", "myers-push", "glutathione-infusion"])
def test_bundle_validates_as_r4(
    template_id: str, order: Builder, check: Checker, catalog: TemplateCatalog, formulary: Formulary
) -> None:
    body = order(
        template_id,
        access=None if template_id != "tpn-adult-central" else "central",
        notes="Start Monday",
        acknowledgements=[{"code": "calcium_phosphate.unknown", "reason": "checked"}],
    )
    prescription = parse_prescription(body, catalog, today=TODAY)
    template = catalog.get(template_id, 1)
    assert template is not None
    counter = itertools.count(1)
    bundle = prescription_bundle(
        prescription,
        template,
        formulary,
        evaluation=check(body),
        authored_on=AUTHORED,
        new_id=lambda: f"00000000-0000-4000-8000-{next(counter):012d}",
    )
    model = Bundle.model_validate(bundle)
    assert model.type == "collection"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds[0] == "Patient" and kinds[-1] == "MedicationRequest"
    assert kinds.count("Observation") == len(adult()["labs"]) + 2  # labs, weight, height
    request = bundle["entry"][-1]["resource"]
    MedicationRequest.model_validate(request)
    medication = request["contained"][0]
    assert request["medicationReference"] == {"reference": "#compound"}
    active = [i for i in medication["ingredient"] if i["isActive"]]
    assert len(active) == len([line for line in prescription.ingredients if line.amount > 0])
    assert all(i["strength"]["denominator"]["unit"] == "bag" for i in active)
    assert request["dosageInstruction"][0]["doseAndRate"][0]["rateQuantity"]["unit"] == "mL/h"
    assert len(request["supportingInformation"]) == kinds.count("Observation")
    json.dumps(bundle)  # plain JSON, no model objects


def test_per_kg_strengths_become_per_bag_amounts(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary
) -> None:
    """Amino acids 1.2 g/kg/day at 70 kg = 84 g per bag."""
    prescription = parse_prescription(
        order("tpn-adult-central", access="central"), catalog, today=TODAY
    )
    template = catalog.get("tpn-adult-central", 1)
    assert template is not None
    bundle = prescription_bundle(prescription, template, formulary, authored_on=AUTHORED)
    medication = bundle["entry"][-1]["resource"]["contained"][0]
    amino = next(
        i
        for i in medication["ingredient"]
        if i["itemCodeableConcept"]["coding"][0]["code"] == "amino-acids-10"
    )
    assert amino["strength"]["numerator"] == {
        "value": 84.0,
        "unit": "g",
        "system": "http://unitsofmeasure.org",
        "code": "g",
    }


def test_root_package_is_r5_and_rejects_the_r4_request(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary
) -> None:
    """Reference §7.2 [57]: always import from fhir.resources.R4B."""
    from fhir.resources.medicationrequest import MedicationRequest as R5MedicationRequest
    from pydantic import ValidationError

    prescription = parse_prescription(order("myers-infusion"), catalog, today=TODAY)
    template = catalog.get("myers-infusion", 1)
    assert template is not None
    request = prescription_bundle(prescription, template, formulary, authored_on=AUTHORED)["entry"][
        -1
    ]["resource"]
    with pytest.raises(ValidationError):
        R5MedicationRequest.model_validate(request)
