"""Dispensing details: quantity, a series and its schedule, shipping, needed-by, the note
to the pharmacy; signed only when given, and carried by the FHIR export."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.dispensing import Series
from pharmacy_domain.fhir import prescription_bundle
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import InvalidPrescription, parse_prescription
from pharmacy_domain.templates import TemplateCatalog
from tests.unit.domain.conftest import TODAY, Builder

AUTHORED = dt.datetime(2026, 11, 26, 9, 30, tzinfo=dt.UTC)
WEEKLY_SIX = {"start_date": "2026-11-30", "interval_days": 7, "infusions": 6}


def _fields(body: dict[str, Any], catalog: TemplateCatalog) -> list[str]:
    with pytest.raises(InvalidPrescription) as refused:
        parse_prescription(body, catalog, today=TODAY)
    return [error.field for error in refused.value.errors]


def test_weekly_series_schedules_each_infusion() -> None:
    series = Series(dt.date(2026, 11, 30), 7, 6)
    assert series.schedule() == tuple(
        dt.date(2026, 11, 30) + dt.timedelta(weeks=n) for n in range(6)
    )
    assert series.schedule()[-1] == dt.date(2027, 1, 4)


def test_dispensing_is_parsed_and_signed(order: Builder, catalog: TemplateCatalog) -> None:
    body = order("myers-push")
    body["patient"] |= {"address": "12 Elm St\nSpringfield", "phone": "+1 555 0100"}
    body["dispensing"] = {
        "quantity_bags": 2,
        "ship_to": "patient",
        "needed_by": "2026-11-28",
        "series": WEEKLY_SIX,
        "pharmacy_notes": "Call before delivery",
    }
    prescription = parse_prescription(body, catalog, today=TODAY)
    dispensing = prescription.dispensing
    assert dispensing is not None
    assert dispensing.total_bags == 12
    assert dispensing.schedule()[1] == dt.date(2026, 12, 7)
    assert prescription.patient.address == "12 Elm St\nSpringfield"
    wire = prescription.to_wire()
    assert wire["dispensing"]["series"] == WEEKLY_SIX
    assert wire["patient"]["phone"] == "+1 555 0100"
    changed = wire | {"dispensing": wire["dispensing"] | {"quantity_bags": 3}}
    assert signing_sha256(changed) != signing_sha256(wire)  # the hash covers them


def test_an_order_without_dispensing_keeps_its_content(
    order: Builder, catalog: TemplateCatalog
) -> None:
    wire = parse_prescription(order("myers-push"), catalog, today=TODAY).to_wire()
    assert "dispensing" not in wire
    assert "address" not in wire["patient"] and "phone" not in wire["patient"]


@pytest.mark.parametrize(
    ("dispensing", "field"),
    [
        ({"quantity_bags": 0}, "dispensing.quantity_bags"),
        ({"quantity_bags": 1.5}, "dispensing.quantity_bags"),
        ({"ship_to": "moon"}, "dispensing.ship_to"),
        ({"ship_to": "patient"}, "dispensing.ship_to"),  # no address on the order
        ({"needed_by": "2026-11-25"}, "dispensing.needed_by"),
        ({"needed_by": "28/11/2026"}, "dispensing.needed_by"),
        ({"series": WEEKLY_SIX | {"infusions": 1}}, "dispensing.series.infusions"),
        ({"series": WEEKLY_SIX | {"interval_days": 0}}, "dispensing.series.interval_days"),
        ({"series": WEEKLY_SIX | {"start_date": "2028-01-01"}}, "dispensing.series.start_date"),
        ({"needed_by": "2026-12-01", "series": WEEKLY_SIX}, "dispensing.needed_by"),
        ({"pharmacy_notes": "call\u202eme"}, "dispensing.pharmacy_notes"),
    ],
)
def test_bad_dispensing_is_refused_and_the_order_stays_decidable(
    order: Builder, catalog: TemplateCatalog, dispensing: dict[str, Any], field: str
) -> None:
    body = order("myers-push") | {"dispensing": dispensing}
    with pytest.raises(InvalidPrescription) as refused:
        parse_prescription(body, catalog, today=TODAY)
    assert [error.field for error in refused.value.errors] == [field]
    assert refused.value.as_typed is not None


def test_patient_contact_follows_the_text_rules(order: Builder, catalog: TemplateCatalog) -> None:
    body = order("myers-push")
    body["patient"] |= {"phone": "555\n0100", "address": "x" * 301}
    assert sorted(_fields(body, catalog)) == ["patient.address", "patient.phone"]


def test_fhir_carries_quantity_interval_and_repeats(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary
) -> None:
    body = order("myers-push") | {"dispensing": {"quantity_bags": 2, "series": WEEKLY_SIX}}
    body["patient"]["address"] = "12 Elm St"
    prescription = parse_prescription(body, catalog, today=TODAY)
    template = catalog.get("myers-push", 1)
    assert template is not None
    bundle = prescription_bundle(prescription, template, formulary, authored_on=AUTHORED)
    Bundle.model_validate(bundle)
    request = MedicationRequest.model_validate(bundle["entry"][-1]["resource"])
    dispense = request.dispenseRequest
    assert dispense is not None and dispense.quantity is not None
    assert dispense.quantity.value == 2
    assert dispense.dispenseInterval is not None and dispense.dispenseInterval.value == 7
    assert dispense.dispenseInterval.code == "d"
    assert dispense.numberOfRepeatsAllowed == 5
    assert bundle["entry"][0]["resource"]["address"] == [{"text": "12 Elm St"}]
    assert any("2027-01-04" in (note.text or "") for note in request.note or [])


def test_fhir_without_dispensing_is_one_bag(
    order: Builder, catalog: TemplateCatalog, formulary: Formulary
) -> None:
    prescription = parse_prescription(order("myers-push"), catalog, today=TODAY)
    template = catalog.get("myers-push", 1)
    assert template is not None
    request = prescription_bundle(prescription, template, formulary, authored_on=AUTHORED)["entry"][
        -1
    ]["resource"]
    assert request["dispenseRequest"] == {"quantity": {"value": 1, "unit": "bag"}}
