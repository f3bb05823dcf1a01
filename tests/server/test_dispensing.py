"""Dispensing details through the server (SQLite and PostgreSQL): stored with the signed
content, refused when malformed, the queue sorted by needed-by across pages, the FHIR
export's dispense request, and the beyond-use date and storage required to mark ready."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest
from sqlalchemy import select

from pharmacy_server.db import Database
from pharmacy_server.models import Prescription
from tests.server.support import FakeClock, Headers, new_prescription_body, ready_details, submit

PRESCRIPTIONS = "/api/v1/prescriptions"
TODAY = dt.date.today()


def _day(days_ahead: int) -> str:
    return (TODAY + dt.timedelta(days=days_ahead)).isoformat()


def _with_dispensing(**dispensing: Any) -> dict[str, Any]:
    body = new_prescription_body(dispensing=dispensing)
    body["patient"] |= {"address": "12 Elm Street\nSpringfield", "phone": "+1 555 0100"}
    return body


def _created(client: TestClient, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    status, created = submit(client, headers, body)
    assert status == 201, created
    return created


def test_a_series_is_stored_signed_and_exported(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    prescriber = as_user("prescriber1")
    series = {"start_date": _day(3), "interval_days": 7, "infusions": 6}
    body = _with_dispensing(
        quantity_bags=2,
        ship_to="patient",
        needed_by=_day(2),
        series=series,
        pharmacy_notes="Ring the bell twice",
    )
    created = _created(client, prescriber, body)
    assert created["dispensing"] == body["dispensing"]
    assert created["patient"]["address"] == "12 Elm Street\nSpringfield"
    seen = client.get(f"{PRESCRIPTIONS}/{created['id']}", headers=as_user("pharmacist1")).json()
    assert seen["dispensing"]["series"] == series
    assert "beyond_use" not in seen
    with database.reading() as session:
        row = session.scalars(select(Prescription)).one()
        assert (row.needed_by, row.quantity_bags) == (TODAY + dt.timedelta(days=2), 2)

    bundle = client.get(f"{PRESCRIPTIONS}/{created['id']}/fhir", headers=prescriber).json()
    Bundle.model_validate(bundle)
    request = MedicationRequest.model_validate(bundle["entry"][-1]["resource"])
    dispense = request.dispenseRequest
    assert dispense is not None and dispense.quantity is not None
    assert dispense.quantity.value == 2
    assert dispense.dispenseInterval is not None and dispense.dispenseInterval.value == 7
    assert dispense.numberOfRepeatsAllowed == 5
    last_infusion = (TODAY + dt.timedelta(days=3 + 7 * 5)).isoformat()
    assert any(last_infusion in (note.text or "") for note in request.note or [])


def test_an_order_without_dispensing_stores_none(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    created = _created(client, as_user("prescriber1"), new_prescription_body())
    assert "dispensing" not in created
    with database.reading() as session:
        row = session.scalars(select(Prescription)).one()
        assert (row.needed_by, row.quantity_bags) == (None, None)
        assert '"dispensing"' not in row.content_json


def test_malformed_dispensing_is_refused_field_by_field(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber = as_user("prescriber1")
    no_address = new_prescription_body(dispensing={"ship_to": "patient"})
    status, answer = submit(client, prescriber, no_address)
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == ["dispensing.ship_to"]
    unknown = _with_dispensing(series={"start_date": _day(1), "interval_days": 7, "every": 2})
    status, answer = submit(client, prescriber, unknown)
    assert status == 422
    assert "dispensing.series.every" in [e["field"] for e in answer["errors"]]
    past = _with_dispensing(needed_by=_day(-1))
    status, answer = submit(client, prescriber, past)
    assert status == 422
    assert [e["field"] for e in answer["errors"]] == ["dispensing.needed_by"]


def test_the_queue_sorts_by_needed_by_across_pages(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    ids_by_day: dict[int, str] = {}
    undated: list[str] = []
    for days in (9, None, 2, 5, None, 1, 2):
        body = new_prescription_body() if days is None else _with_dispensing(needed_by=_day(days))
        clock.advance(dt.timedelta(minutes=1))
        created = _created(client, prescriber, body)
        if days is None:
            undated.insert(0, created["id"])
        else:
            ids_by_day[days] = created["id"]  # the later of the two due in 2 days
    seen: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"sort": "needed_by", "limit": 2}
        if cursor is not None:
            params["cursor"] = cursor
        page = client.get(PRESCRIPTIONS, params=params, headers=pharmacist).json()
        assert page["total"] == 7
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    dates = [item.get("dispensing", {}).get("needed_by") for item in seen]
    assert dates == [_day(1), _day(2), _day(2), _day(5), _day(9), None, None]
    # Within one date, and among the undated, newest first.
    assert seen[1]["id"] == ids_by_day[2]
    assert [item["id"] for item in seen[-2:]] == undated
    assert len({item["id"] for item in seen}) == 7
    # A cursor belongs to the order it came from.
    newest = client.get(PRESCRIPTIONS, params={"limit": 2}, headers=pharmacist).json()
    mixed = client.get(
        PRESCRIPTIONS,
        params={"sort": "needed_by", "cursor": newest["next_cursor"]},
        headers=pharmacist,
    )
    assert mixed.status_code == 422
    by_date = client.get(
        PRESCRIPTIONS, params={"sort": "needed_by", "limit": 2}, headers=pharmacist
    )
    backwards = client.get(
        PRESCRIPTIONS, params={"cursor": by_date.json()["next_cursor"]}, headers=pharmacist
    )
    assert backwards.status_code == 422
    assert client.get(PRESCRIPTIONS, params={"sort": "x"}, headers=pharmacist).status_code == 422


def _to_compounding(client: TestClient, pharmacist: Headers, rx: str) -> None:
    for action in ("approve", "start_compounding"):
        answer = client.post(
            f"{PRESCRIPTIONS}/{rx}/actions", headers=pharmacist, json={"action": action}
        )
        assert answer.status_code == 200, answer.text


def test_marking_ready_needs_the_beyond_use_date_and_storage(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    rx = _created(client, prescriber, new_prescription_body())["id"]
    actions = f"{PRESCRIPTIONS}/{rx}/actions"
    early = client.post(actions, headers=pharmacist, json={"action": "approve", **ready_details()})
    assert early.status_code == 422  # only marking ready takes them
    _to_compounding(client, pharmacist, rx)

    bare = client.post(actions, headers=pharmacist, json={"action": "mark_ready"})
    assert bare.status_code == 422
    assert sorted(e["field"] for e in bare.json()["errors"]) == ["beyond_use_date", "storage"]
    for wrong in (
        {"beyond_use_date": _day(-1), "storage": "refrigerated"},
        {"beyond_use_date": _day(181), "storage": "refrigerated"},
        {"beyond_use_date": "2026-02-30", "storage": "refrigerated"},
        {"beyond_use_date": 1767225600, "storage": "refrigerated"},
        {"beyond_use_date": _day(3), "storage": "in the van"},
    ):
        refused = client.post(actions, headers=pharmacist, json={"action": "mark_ready", **wrong})
        assert refused.status_code == 422, wrong
    still = client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()
    assert still["status"] == "compounding"

    ready = client.post(
        actions,
        headers=pharmacist,
        json={"action": "mark_ready", "beyond_use_date": _day(9), "storage": "refrigerated"},
    )
    assert ready.status_code == 200, ready.text
    shown = client.get(f"{PRESCRIPTIONS}/{rx}", headers=prescriber).json()
    assert shown["status"] == "ready"
    assert shown["beyond_use"] == {
        "date": _day(9),
        "storage": "refrigerated",
        "storage_label": "Refrigerated, 2–8 °C",
    }
    listed = client.get(PRESCRIPTIONS, headers=prescriber).json()["items"]
    assert listed[0]["beyond_use"]["date"] == _day(9)
