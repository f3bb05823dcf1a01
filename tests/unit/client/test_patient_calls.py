"""ApiClient's patient calls against a real pharmacy server process: typed answers, the
stale-edit error carrying the record as it is now, documents in and out, an order
naming its record, and the search text kept out of the server's log."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.prescription import LabResult
from pharmacy_server.seed import DEMO_PATIENTS
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import ApiError
from portal_client.core.patient_calls import StalePatientEdit
from portal_client.core.patient_wire import (
    DatedMeasure,
    PatientAllergy,
    PatientChanges,
    PatientFields,
    PatientRecord,
)
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer

PDF = b"%PDF-1.4\n%%EOF\n"


def signed_in(server: LiveServer, username: str = "prescriber1") -> ApiClient:
    client = ApiClient(server.url)
    client.login(username, DEMO_PASSWORD)
    return client


def _new_patient(
    client: ApiClient,
    family_name: str,
    allergies: tuple[PatientAllergy, ...] = (
        PatientAllergy("egg", ""),
        PatientAllergy(None, "latex"),
    ),
) -> PatientRecord:
    today = dt.date.today()
    return client.create_patient(
        PatientFields(
            given_name="Odile",
            family_name=family_name,
            birth_date=dt.date(1971, 3, 9),
            sex="female",
            allergies=allergies,
            weight=DatedMeasure(59.5, today - dt.timedelta(days=2)),
            labs=(
                LabResult("g6pd", today - dt.timedelta(days=20), None, "", "normal"),
                LabResult("creatinine", today - dt.timedelta(days=3), 0.8, "", "normal"),
            ),
        )
    )


def test_the_demo_clinic_s_patients_are_found_by_name_and_birth_date(
    server: LiveServer,
) -> None:
    client = signed_in(server, "staff1")
    everyone = client.search_patients("")
    demo_names = {patient.family_name for patient in DEMO_PATIENTS}
    assert demo_names <= {item.family_name for item in everyone.items}
    first = DEMO_PATIENTS[0]
    by_name = client.search_patients(first.family_name[:4].upper())
    assert [item.family_name for item in by_name.items] == [first.family_name]
    by_birth = client.search_patients(first.birth_date.isoformat())
    assert [item.birth_date for item in by_birth.items] == [first.birth_date]
    record = client.get_patient(by_name.items[0].id)
    assert {lab.name for lab in record.labs} == {"G6PD", "Creatinine", "eGFR"}
    assert record.weight is not None and record.to_domain_patient().weight_kg == first.weight_kg
    # Paging hands back a cursor until the list ends.
    page = client.search_patients("", limit=1)
    assert len(page.items) == 1 and page.next_cursor is not None
    second = client.search_patients("", cursor=page.next_cursor, limit=1)
    assert second.items[0].id != page.items[0].id
    # The search's text is in no line the server wrote.
    log = server.log_text()
    assert "GET /api/v1/patients" in log
    assert first.family_name[:4].upper() not in log and first.birth_date.isoformat() not in log


def test_create_edit_and_a_stale_edit(server: LiveServer) -> None:
    chen, lee = signed_in(server), signed_in(server, "staff1")
    record = _new_patient(chen, f"Calls{uuid.uuid4().hex[:6]}")
    assert record.version == 1
    assert [allergy.text for allergy in record.allergies] == ["egg", "latex"]
    assert [lab.name for lab in record.labs] == ["Creatinine", "G6PD"]
    assert record.labs[0].unit == "mg/dL"  # the list's usual unit

    added = LabResult("egfr", dt.date.today(), 95, "mL/min/1.73 m²", "normal")
    edited = lee.update_patient(record.id, 1, PatientChanges.with_lab(record, added))
    assert edited.version == 2 and edited.labs[0].name == "eGFR"

    with pytest.raises(StalePatientEdit) as caught:
        chen.update_patient(record.id, 1, PatientChanges(phone="503-555-0101"))
    assert caught.value.current_version == 2
    assert caught.value.current is not None and caught.value.current.labs == edited.labs
    assert "changed by someone else" in str(caught.value)
    assert chen.get_patient(record.id).phone == ""

    with pytest.raises(ApiError) as refused:
        chen.update_patient(record.id, 2, PatientChanges(birth_date=dt.date(2999, 1, 1)))
    assert refused.value.status == 422
    assert [error.field for error in refused.value.field_errors] == ["birth_date"]
    with pytest.raises(ApiError) as foreign:
        signed_in(server, "prescriber2").get_patient(record.id)
    assert foreign.value.status == 404


def test_documents_go_up_and_come_back(server: LiveServer) -> None:
    chen = signed_in(server)
    record = _new_patient(chen, f"Docs{uuid.uuid4().hex[:6]}")
    info = chen.upload_patient_document(record.id, "renal panel.pdf", PDF)
    assert (info.filename, info.content_type, info.size_bytes) == (
        "renal panel.pdf",
        "application/pdf",
        len(PDF),
    )
    assert chen.fetch_patient_document(record.id, info.id) == PDF
    assert [doc.id for doc in chen.get_patient(record.id).documents] == [info.id]
    with pytest.raises(ApiError) as refused:
        chen.upload_patient_document(record.id, "notes.pdf", b"plain text, not a PDF")
    assert refused.value.status == 415
    with pytest.raises(ApiError) as missing:
        chen.fetch_patient_document(record.id, str(uuid.uuid4()))
    assert missing.value.status == 404


def test_an_order_names_its_record_and_keeps_the_patient_as_signed(server: LiveServer) -> None:
    chen = signed_in(server)
    record = _new_patient(chen, f"Order{uuid.uuid4().hex[:6]}", allergies=())
    body = {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": record.to_domain_patient().to_wire(),
        "patient_id": record.id,
    }
    grant = chen.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    sent = chen.submit_prescription(
        {**body, "signing_token": grant.signing_token}, str(uuid.uuid4())
    )
    assert sent.patient_id == record.id
    chen.update_patient(record.id, record.version, PatientChanges(family_name="Changed"))
    again = chen.get_prescription(sent.id)
    assert again.patient_view().family_name == record.family_name
    assert again.content_sha256 == sent.content_sha256
    # The pharmacist reviewing it may read the record it names.
    pharmacist = signed_in(server, "pharmacist1")
    assert pharmacist.get_patient(record.id).family_name == "Changed"
