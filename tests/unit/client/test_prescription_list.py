"""List state and the detail rendering: newest first, minimal repaints, escaped text."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal_client.core.prescription_list import (
    PrescriptionList,
    format_timestamp,
    patient_name,
)
from portal_client.core.presentation import prescription_html
from portal_client.core.wire import PrescriptionWire
from tests.helpers.wire_samples import prescription


def item(number: int, status: str = "submitted", **extra: Any) -> PrescriptionWire:
    fields: dict[str, Any] = {
        "id": f"id-{number}",
        "reference": f"RX-{number:04d}",
        "status": status,
        "created_at": f"2026-11-{number:02d}T10:00:00Z",
        "updated_at": f"2026-11-{number:02d}T10:00:00Z",
        "template_name": "Myers' cocktail",
        "patient": {"given_name": "Ada", "family_name": "Lovelace", "birth_date": "1980-02-03"},
        **extra,
    }
    return prescription(**fields)


def test_rows_are_newest_first() -> None:
    state = PrescriptionList()
    change = state.replace([item(1), item(3), item(2)])
    assert change.reset
    assert [row.reference for row in state.rows] == ["RX-0003", "RX-0002", "RX-0001"]
    assert state.rows[0].patient == "LOVELACE, Ada"
    assert state.rows[0].prescriber == "Dr. Maya Chen"


def test_same_rows_report_only_what_changed() -> None:
    state = PrescriptionList()
    state.replace([item(1), item(2)])
    change = state.replace([item(1), item(2, "approved")])
    assert not change.reset and change.changed_rows == (0,)
    assert state.count_with_status("approved") == 1
    assert state.replace([item(1), item(2, "approved")]).changed_rows == ()


def test_upsert_updates_in_place_or_adds() -> None:
    state = PrescriptionList()
    state.replace([item(1)])
    assert state.upsert(item(1, "rejected")).changed_rows == (0,)
    assert state.upsert(item(5)).reset
    assert [row.id for row in state.rows] == ["id-5", "id-1"]
    assert state.index_of("id-1") == 1 and state.index_of("nope") is None


def test_timestamps_are_short_and_local() -> None:
    now = dt.datetime(2026, 11, 26, 15, 0, tzinfo=dt.UTC)
    assert format_timestamp(None) == "—"
    assert format_timestamp(now - dt.timedelta(minutes=5), now).startswith("Today ")
    assert "2026" in format_timestamp(now - dt.timedelta(days=30), now)


def test_patient_name_copes_with_missing_parts() -> None:
    assert patient_name({"given_name": "Ada"}) == "Ada"
    assert patient_name(None) == "—"


def test_detail_shows_everything_and_escapes_server_text() -> None:
    html = prescription_html(
        item(
            1,
            "rejected",
            patient={
                "given_name": "<b>Ada</b>",
                "family_name": "Lovelace",
                "birth_date": "1980-02-03",
                "sex": "female",
                "weight_kg": 61.5,
                "allergies": ["latex"],
            },
            ingredients=[{"code": "mg", "amount": 2.5, "unit": "mL"}],
            access="peripheral",
            vehicle={"code": "ns", "volume_ml": 250},
            infusion_minutes=45,
            notes="Line one\nLine <two>",
            review={
                "action": "reject",
                "reason": "Needs a potassium level",
                "reviewer": "Priya Nair",  # the contract: the reviewer's name
                "reviewed_at": "2026-11-02T10:00:00Z",
            },
        ),
        {"mg": "Magnesium chloride", "vehicle:ns": "0.9 % sodium chloride"},
    )
    assert "&lt;b&gt;Ada&lt;/b&gt;" in html and "<b>Ada</b>" not in html
    for text in (
        "Magnesium chloride",
        "2.5",
        "Peripheral IV",
        "0.9 % sodium chloride, 250 mL",
        "45 min",
        "latex",
        "Needs a potassium level",
        "Priya Nair",
        "Line <two>".replace("<", "&lt;").replace(">", "&gt;"),
    ):
        assert text in html
