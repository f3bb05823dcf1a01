"""The patient record as the client reads it: strict parsing of dates and times, the
record as a prescription's patient, and edit bodies that send only what changed."""

from __future__ import annotations

import datetime as dt
import typing
from typing import Any

import pytest

from pharmacy_domain.prescription import SEXES, LabResult
from portal_client.core.errors import UnreadableAnswer
from portal_client.core.patient_wire import (
    DatedMeasure,
    PatientAllergy,
    PatientChanges,
    PatientFields,
    PatientRecord,
    Sex,
)
from portal_client.core.wire import parse


def _record(**changes: Any) -> dict[str, Any]:
    return {
        "id": "p1",
        "clinic_id": "c1",
        "version": 3,
        "given_name": "Ana",
        "family_name": "Ruiz",
        "birth_date": "1980-04-02",
        "sex": "female",
        "address": "1 Main St",
        "phone": "555-0100",
        "allergies": [{"code": "corn", "text": "corn"}, {"code": None, "text": "penicillin"}],
        "weight": {"value": 64.5, "measured_on": "2026-11-20"},
        "height": None,
        "labs": [
            {
                "name": "G6PD",
                "code": "g6pd",
                "date": "2026-01-10",
                "value": None,
                "unit": "",
                "interpretation": "normal",
            }
        ],
        "documents": [
            {
                "id": "d1",
                "filename": "labs.pdf",
                "content_type": "application/pdf",
                "size_bytes": 1200,
                "uploaded_at": "2026-11-20T09:00:00.000000Z",
            }
        ],
        "updated_at": "2026-11-21T10:30:00.123456Z",
    } | changes


def test_a_record_reads_into_typed_values_and_becomes_the_order_s_patient() -> None:
    record = parse(PatientRecord, _record())
    assert record.birth_date == dt.date(1980, 4, 2)
    assert record.updated_at.tzinfo is not None
    assert record.documents[0].uploaded_at == dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC)
    patient = record.to_domain_patient()
    assert patient.weight_kg == 64.5 and patient.height_cm is None
    assert patient.allergies == ("corn", "penicillin")
    assert patient.labs == (LabResult("g6pd", dt.date(2026, 1, 10), None, "", "normal"),)
    assert patient.to_wire()["address"] == "1 Main St"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "19800402"}, "birth_date"),
        ({"birth_date": "1980-04-02T00:00:00"}, "birth_date"),
        ({"updated_at": "2026-11-21T10:30:00"}, "updated_at"),  # no zone
        ({"weight": {"value": 64.5, "measured_on": 20261120}}, "weight.measured_on"),
    ],
)
def test_a_malformed_date_is_an_unreadable_answer_naming_its_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(UnreadableAnswer) as caught:
        parse(PatientRecord, _record(**changes))
    assert caught.value.field == field


def test_an_edit_sends_only_what_it_sets() -> None:
    assert PatientChanges().empty
    assert PatientChanges(phone="555", weight=None).to_wire() == {"phone": "555", "weight": None}
    record = parse(PatientRecord, _record())
    added = LabResult("egfr", dt.date(2026, 11, 25), 88, "mL/min/1.73 m²", "normal")
    body = PatientChanges.with_lab(record, added).to_wire()
    assert [lab["code"] for lab in body["labs"]] == ["g6pd", "egfr"]
    assert body["labs"][1]["date"] == "2026-11-25"


def test_a_new_patient_s_body() -> None:
    fields = PatientFields(
        "Ana",
        "Ruiz",
        dt.date(1980, 4, 2),
        "female",
        allergies=(PatientAllergy("egg", "egg"),),
        weight=DatedMeasure(64.5, dt.date(2026, 11, 20)),
    )
    body = fields.to_wire()
    assert body["birth_date"] == "1980-04-02"
    assert body["weight"] == {"value": 64.5, "measured_on": "2026-11-20"}
    assert body["allergies"] == [{"code": "egg", "text": "egg"}]


def test_the_client_s_sexes_are_the_domain_s() -> None:
    assert typing.get_args(Sex) == SEXES
