"""The dispensing details and the beyond-use date as both roles read them, and the
pharmacist's queue in needed-by order."""

from __future__ import annotations

from typing import Any

from portal_client.core.dispensing_view import dispensing_rows, series_schedule
from portal_client.core.prescription_list import PrescriptionList
from portal_client.core.presentation import prescription_html, sign_summary_html
from portal_client.core.wire import PrescriptionWire, parse
from tests.helpers.wire_samples import prescription_answer

PATIENT = {
    "given_name": "Ada",
    "family_name": "Lovelace",
    "birth_date": "1980-02-03",
    "address": "12 Elm Street",
}
WEEKLY_SIX = {"start_date": "2026-11-30", "interval_days": 7, "infusions": 6}


def _wire(rx: str, created_at: str, **members: Any) -> PrescriptionWire:
    answer = prescription_answer(
        id=rx, reference=f"RX-{rx}", created_at=created_at, patient=PATIENT, **members
    )
    return parse(PrescriptionWire, answer)


def test_a_weekly_series_lists_each_infusion() -> None:
    dates = [day.isoformat() for day in series_schedule(WEEKLY_SIX)]
    assert dates == [
        "2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28", "2027-01-04",
    ]  # fmt: skip
    rows = dict(
        dispensing_rows({"quantity_bags": 2, "ship_to": "patient", "series": WEEKLY_SIX}, PATIENT)
    )
    assert rows["Quantity"] == "2 bags per infusion"
    assert rows["Series"] == "Weekly × 6"
    assert rows["Infusions"].endswith("2027-01-04")
    assert rows["Ship to"] == "The patient's address: 12 Elm Street"
    assert dispensing_rows(None, PATIENT) == []


def test_the_detail_shows_dispensing_and_the_pharmacy_s_beyond_use_date() -> None:
    dispensing = {
        "quantity_bags": 1,
        "ship_to": "clinic",
        "needed_by": "2026-11-28",
        "series": WEEKLY_SIX,
        "pharmacy_notes": "Call first",
    }
    beyond_use = {
        "date": "2026-12-09",
        "storage": "refrigerated",
        "storage_label": "Refrigerated, 2–8 °C",
    }
    item = _wire(
        "1", "2026-11-26T09:00:00Z", dispensing=dispensing, beyond_use=beyond_use, status="ready"
    )
    html = prescription_html(item, {})
    assert "DISPENSING" in html and "2027-01-04" in html and "Call first" in html
    assert "Needed by" in html and "2026-11-28" in html
    ready = html.index("READY AT THE PHARMACY")
    assert ready < html.index("PATIENT")  # on top, where the prescriber looks first
    assert "2026-12-09" in html and "Refrigerated, 2–8 °C" in html
    plain = prescription_html(_wire("2", "2026-11-26T09:00:00Z"), {})
    assert "DISPENSING" not in plain and "READY AT THE PHARMACY" not in plain


def test_the_sign_summary_shows_what_is_signed() -> None:
    body = {"patient": PATIENT, "dispensing": {"quantity_bags": 3, "series": WEEKLY_SIX}}
    html = sign_summary_html(
        body, template_name="Myers'", ingredient_names={}, computed={}, nutrition=False
    )
    assert "3 bags per infusion" in html and "2026-12-28" in html and "The clinic" in html


def test_the_queue_lists_the_soonest_needed_first_and_the_undated_last() -> None:
    items = [
        _wire("a", "2026-11-20T09:00:00Z"),
        _wire("b", "2026-11-21T09:00:00Z", dispensing={"needed_by": "2026-12-05"}),
        _wire("c", "2026-11-22T09:00:00Z", dispensing={"needed_by": "2026-12-01"}),
        _wire("d", "2026-11-23T09:00:00Z"),
        _wire("e", "2026-11-24T09:00:00Z", dispensing={"needed_by": "2026-12-05"}),
    ]
    queue = PrescriptionList(by_needed_by=True)
    queue.replace(items)
    assert [row.id for row in queue.rows] == ["c", "e", "b", "d", "a"]
    assert queue.rows[0].needed_by == "2026-12-01" and queue.rows[-1].needed_by == ""
    newest = PrescriptionList()
    newest.replace(items)
    assert [row.id for row in newest.rows] == ["e", "d", "c", "b", "a"]
