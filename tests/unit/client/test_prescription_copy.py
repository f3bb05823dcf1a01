"""The PDF copy's content, without Qt: everything a copy must name, escaped."""

from __future__ import annotations

from portal_client.core.prescription_copy import (
    UNNAMED_PHARMACY,
    copy_file_name,
    copy_html,
)
from tests.helpers.wire_samples import prescriber, prescription


def test_the_copy_names_the_prescriber_patient_ingredients_and_signature() -> None:
    item = prescription(
        reference="RX-0042",
        prescriber={
            **prescriber(),
            "npi": "1234567893",
            "licence_number": "MD-1",
            "licence_state": "OR",
        },
        ingredients=[{"code": "magnesium_chloride", "amount": 2.5, "unit": "mL"}],
        vehicle={"code": "sterile_water", "volume_ml": 250},
        infusion_minutes=45,
        acknowledgements=[{"code": "osmolarity_high", "reason": "central line tomorrow"}],
        signature={
            "signed_by": {"id": "u-pr", "display_name": "Dr. Maya Chen"},
            "signed_at": "2026-11-02T10:00:00Z",
            "body_sha256": "a" * 64,
            "method": "password",
        },
        content_sha256="a" * 64,
    )
    html = copy_html(
        item,
        {"magnesium_chloride": "Magnesium chloride 200 mg/mL", "vehicle:sterile_water": "Water"},
        pharmacy_name="Northside Compounding Pharmacy",
    )
    for text in (
        "Northside Compounding Pharmacy",
        "Dr. Maya Chen",
        "1234567893",
        "OR MD-1",
        "LOVELACE",
        "Magnesium chloride 200 mg/mL",
        "<b>2.5</b>",
        "Water, 250 mL",
        "45 min",
        "central line tomorrow",
        "a" * 64,
        "Signature id",
        "id-1",
    ):
        assert text in html, text
    assert "Signed body hash" not in html  # the same hash is not said twice


def test_server_text_stays_text_and_the_file_name_never_names_the_patient() -> None:
    item = prescription(
        reference="RX/0007",
        patient={"given_name": "<b>Ada</b>", "family_name": "Lovelace", "birth_date": "1980-02-03"},
    )
    html = copy_html(item, {}, pharmacy_name="  ")
    assert "<b>Ada</b>" not in html and "&lt;b&gt;Ada&lt;/b&gt;" in html
    assert UNNAMED_PHARMACY in html and "Not signed" in html
    assert copy_file_name(item) == "RX_0007-copy.pdf"
    assert "Lovelace" not in copy_file_name(item)
