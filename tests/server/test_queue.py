"""The queue over HTTP, on SQLite and PostgreSQL: each filter and order against the rows
themselves, the capped total, a reference search, the refresh of only what changed, and
bad parameters refused by name."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_domain.formulary import load_formulary
from pharmacy_domain.rules import load_rules
from pharmacy_domain.templates import load_template_catalog
from pharmacy_server.bulk_seed import seed_bulk
from pharmacy_server.db import Database
from pharmacy_server.models import NO_NEEDED_BY, Prescription
from pharmacy_server.prescriptions import queue
from tests.server.support import Headers, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"
SEEDED = 240


@pytest.fixture
def rows(database: Database) -> list[Prescription]:
    """The seeded prescriptions as stored (detached: plain values)."""
    seed_bulk(database, SEEDED, load_template_catalog(), load_formulary(), load_rules())
    with database.reading() as session:
        found = list(session.scalars(select(Prescription)))
        session.expunge_all()
    return found


def _all(client: TestClient, headers: Headers, **params: Any) -> tuple[list[str], dict[str, Any]]:
    """Every page joined (ids in order), and the first page's answer."""
    ids: list[str] = []
    cursor = None
    first: dict[str, Any] | None = None
    for _ in range(50):
        place: dict[str, str] = {} if cursor is None else {"cursor": cursor}
        answer = client.get(PRESCRIPTIONS, headers=headers, params={**params, "limit": 37, **place})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        first = first or page
        ids.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert first is not None
    return ids, first


def _newest(row: Prescription) -> tuple[dt.datetime, str]:
    return row.created_at, str(row.id)


def _in_order(rows: list[Prescription], key: Callable[[Prescription], Any]) -> list[str]:
    """Ascending by ``key``, newest first within one key (as every queue order)."""
    by_newest = sorted(rows, key=_newest, reverse=True)
    return [str(row.id) for row in sorted(by_newest, key=key)]


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"status": "submitted"}, lambda r: r.status == "submitted"),
        ({"status": "shipped"}, lambda r: r.status == "shipped"),
        ({"has_warnings": "true"}, lambda r: r.has_warnings),
        ({"has_warnings": "false"}, lambda r: not r.has_warnings),
        ({"answered": "true"}, lambda r: r.answered),
        ({"template_id": "myers-push"}, lambda r: r.template_id == "myers-push"),
        (
            {"status": "submitted", "answered": "true"},
            lambda r: r.status == "submitted" and r.answered,
        ),
    ],
    ids=lambda v: json.dumps(v) if isinstance(v, dict) else "",
)
def test_each_filter_finds_exactly_its_rows(
    client: TestClient,
    as_user: Callable[[str], Headers],
    rows: list[Prescription],
    params: dict[str, str],
    keep: Callable[[Prescription], bool],
) -> None:
    ids, first = _all(client, as_user("pharmacist1"), **params)
    expected = _in_order([r for r in rows if keep(r)], lambda _r: 0)
    assert expected, "the seed gives every filter something to find"
    assert ids == expected
    assert first["total"] == len(expected) and first["total_is_lower_bound"] is False


def test_the_prescriber_clinic_and_date_filters(
    client: TestClient, as_user: Callable[[str], Headers], rows: list[Prescription]
) -> None:
    pharmacist = as_user("pharmacist1")
    someone = rows[0]
    ids, _ = _all(client, pharmacist, prescriber_id=str(someone.prescriber_id))
    assert set(ids) == {str(r.id) for r in rows if r.prescriber_id == someone.prescriber_id}
    ids, _ = _all(client, pharmacist, clinic_id=str(someone.clinic_id))
    assert set(ids) == {str(r.id) for r in rows if r.clinic_id == someone.clinic_id}

    dated = sorted(r.needed_by for r in rows if r.needed_by is not None)
    start, end = dated[len(dated) // 4], dated[len(dated) // 2]
    ids, _ = _all(
        client,
        pharmacist,
        needed_by_from=start.isoformat(),
        needed_by_to=end.isoformat(),
        sort="needed_by",
    )
    wanted = [r for r in rows if r.needed_by is not None and start <= r.needed_by <= end]
    assert ids == _in_order(wanted, lambda r: r.needed_by_key)

    day = sorted(r.created_at for r in rows)[len(rows) // 2].date()
    ids, _ = _all(client, pharmacist, submitted_from=day.isoformat(), submitted_to=day.isoformat())
    assert ids == _in_order([r for r in rows if r.created_at.date() == day], lambda _r: 0)


@pytest.mark.parametrize(
    ("sort", "key"),
    [
        ("newest", lambda _r: 0),
        ("needed_by", lambda r: r.needed_by_key),
        ("status", lambda r: r.status),
        ("prescriber", lambda r: str(r.prescriber_id).replace("-", "")),
    ],
)
def test_each_order_pages_through_every_row_once(
    client: TestClient,
    as_user: Callable[[str], Headers],
    rows: list[Prescription],
    sort: str,
    key: Callable[[Prescription], Any],
) -> None:
    ids, _ = _all(client, as_user("pharmacist1"), sort=sort)
    if sort == "prescriber":
        # Ids compare as the database stores them: only the grouping is the contract.
        groups = [rows_by_id(rows)[i].prescriber_id for i in ids]
        assert len(set(groups)) == len([g for n, g in enumerate(groups) if g != groups[n - 1]])
        assert sorted(ids) == sorted(str(r.id) for r in rows)
        return
    assert ids == _in_order(rows, key)
    if sort == "needed_by":
        undated = [i for i in ids if rows_by_id(rows)[i].needed_by_key == NO_NEEDED_BY]
        assert undated and ids[-len(undated) :] == undated  # the undated last


def rows_by_id(rows: list[Prescription]) -> dict[str, Prescription]:
    return {str(row.id): row for row in rows}


def test_the_total_stops_counting_at_the_cap(
    client: TestClient,
    as_user: Callable[[str], Headers],
    rows: list[Prescription],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue, "TOTAL_CAP", 100)
    page = client.get(PRESCRIPTIONS, headers=as_user("pharmacist1")).json()
    assert page["total"] == 100 and page["total_is_lower_bound"] is True
    shipped = [r for r in rows if r.status == "shipped"]
    assert len(shipped) > 100
    small = client.get(
        PRESCRIPTIONS, headers=as_user("pharmacist1"), params={"status": "cancelled"}
    ).json()
    assert small["total_is_lower_bound"] is False
    assert small["total"] == len([r for r in rows if r.status == "cancelled"])


def test_a_reference_search_in_any_case(
    client: TestClient, as_user: Callable[[str], Headers], rows: list[Prescription]
) -> None:
    wanted = rows[7]
    page = client.get(
        PRESCRIPTIONS,
        headers=as_user("pharmacist1"),
        params={"q": f"  {wanted.reference.lower()} "},
    ).json()
    assert [item["id"] for item in page["items"]] == [str(wanted.id)]
    none = client.get(PRESCRIPTIONS, headers=as_user("pharmacist1"), params={"q": "RX-0"}).json()
    assert none["items"] == [] and none["total"] == 0


def test_a_refresh_gets_only_what_changed(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    pharmacist, prescriber = as_user("pharmacist1"), as_user("prescriber1")
    status, first = submit(client, prescriber, new_prescription_body())
    assert status == 201
    page = client.get(PRESCRIPTIONS, headers=pharmacist).json()
    since = page["changes_cursor"]
    quiet = client.get(PRESCRIPTIONS, headers=pharmacist, params={"changed_since": since})
    assert quiet.json()["items"] == [] and quiet.json()["changes_cursor"] == since

    asked = client.post(
        f"{PRESCRIPTIONS}/{first['id']}/actions",
        headers=pharmacist,
        json={"action": "request_clarification", "note": "Which access?"},
    )
    assert asked.status_code == 200
    status, second = submit(client, as_user("prescriber2"), new_prescription_body())
    assert status == 201
    changed = client.get(PRESCRIPTIONS, headers=pharmacist, params={"changed_since": since})
    answer = changed.json()
    assert [item["id"] for item in answer["items"]] == [first["id"], second["id"]]
    assert answer["items"][0]["status"] == "needs_clarification"
    after = client.get(
        PRESCRIPTIONS, headers=pharmacist, params={"changed_since": answer["changes_cursor"]}
    ).json()
    assert after["items"] == []

    # A prescriber's refresh sees only their own; an answer marks the order "answered".
    own = client.get(PRESCRIPTIONS, headers=prescriber, params={"changed_since": since}).json()
    assert [item["id"] for item in own["items"]] == [first["id"]]
    answered = client.post(
        f"{PRESCRIPTIONS}/{first['id']}/actions",
        headers=prescriber,
        json={"action": "answer_clarification", "note": "Peripheral."},
    )
    assert answered.status_code == 200
    waiting = client.get(PRESCRIPTIONS, headers=pharmacist, params={"answered": "true"}).json()
    assert [item["id"] for item in waiting["items"]] == [first["id"]]
    client.post(
        f"{PRESCRIPTIONS}/{first['id']}/actions", headers=pharmacist, json={"action": "approve"}
    )
    moved_on = client.get(PRESCRIPTIONS, headers=pharmacist, params={"answered": "true"}).json()
    assert moved_on["items"] == []
    with database.reading() as session:
        seqs = list(session.scalars(select(Prescription.change_seq)))
    assert len(set(seqs)) == len(seqs) == 2


def test_only_the_changed_pages_come_in_order_when_many_changed(
    client: TestClient, as_user: Callable[[str], Headers], rows: list[Prescription]
) -> None:
    pharmacist = as_user("pharmacist1")
    since = "eyJzZXEiOiAwfQ"  # seq 0: everything
    seen: list[str] = []
    for _ in range(20):
        page = client.get(
            PRESCRIPTIONS, headers=pharmacist, params={"changed_since": since, "limit": 100}
        ).json()
        seen.extend(item["id"] for item in page["items"])
        since = page["changes_cursor"]
        if page["next_cursor"] is None:
            break
    in_seq = [str(r.id) for r in sorted(rows, key=lambda r: r.change_seq)]
    assert seen == in_seq


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"prescriber_id": "not-an-id"}, "prescriber_id"),
        ({"clinic_id": "x"}, "clinic_id"),
        ({"needed_by_from": "2026-12-09", "needed_by_to": "2026-12-01"}, "needed_by_to"),
        ({"submitted_from": "2026-12-09", "submitted_to": "2026-12-01"}, "submitted_to"),
        ({"cursor": "bm90LWEtY3Vyc29y", "sort": "status"}, "cursor"),
        ({"changed_since": "bm90"}, "cursor"),
        # A date is YYYY-MM-DD only: pydantic alone reads 0 as 1970-01-01.
        ({"submitted_to": "0"}, "submitted_to"),
        ({"needed_by_from": "20261201"}, "needed_by_from"),
    ],
)
def test_bad_parameters_are_refused_by_name(
    client: TestClient, as_user: Callable[[str], Headers], params: dict[str, str], field: str
) -> None:
    answer = client.get(PRESCRIPTIONS, headers=as_user("pharmacist1"), params=params)
    assert answer.status_code == 422, answer.text
    assert field in {error["field"] for error in answer.json()["errors"]}


def test_a_prescribers_filters_stay_within_their_own(
    client: TestClient, as_user: Callable[[str], Headers], rows: list[Prescription]
) -> None:
    with_other = next(r for r in rows if r.prescriber_id != rows[0].prescriber_id)
    chen = as_user("prescriber1")
    page = client.get(
        PRESCRIPTIONS, headers=chen, params={"prescriber_id": str(with_other.prescriber_id)}
    ).json()
    own_id = client.get("/api/v1/auth/me", headers=chen).json()["id"]
    # The scope is the caller's, whatever the filter names: nothing of the other's.
    assert all(item["prescriber"]["id"] == own_id for item in page["items"])
