"""Claims on SQLite and PostgreSQL: opening an order claims it, the holder renews it, it
lapses, a second pharmacist is told who holds it (409) and may take it over (audited),
the holder lets go or any step lets go, and prescribers never see or touch a claim."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, PrescriptionClaim
from pharmacy_server.seed import PHARMACY_NAME
from tests.server.support import FakeClock, Headers, add_user, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"


@pytest.fixture
def second_pharmacist(database: Database, demo_password_hash: str) -> str:
    add_user(
        database,
        "pharmacist2",
        role="pharmacist",
        clinic=PHARMACY_NAME,
        password_hash=demo_password_hash,
        display_name="Sam Ortiz, PharmD",
    )
    return "pharmacist2"


@pytest.fixture
def order(client: TestClient, as_user: Callable[[str], Headers]) -> str:
    status, body = submit(client, as_user("prescriber1"), new_prescription_body())
    assert status == 201, body
    return str(body["id"])


def _claim(
    client: TestClient, headers: Headers, order: str, **body: object
) -> tuple[int, dict[str, Any]]:
    answer = client.post(f"{PRESCRIPTIONS}/{order}/claim", headers=headers, json=body)
    return answer.status_code, answer.json()


def _audit_actions(database: Database, order: str) -> list[str]:
    with database.reading() as session:
        return list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.target_id == order, AuditEvent.action.like("%claim%"))
                .order_by(AuditEvent.seq)
            )
        )


def test_taking_renewing_and_showing_a_claim(
    client: TestClient, as_user: Callable[[str], Headers], order: str, clock: FakeClock
) -> None:
    pharmacist = as_user("pharmacist1")
    status, claim = _claim(client, pharmacist, order)
    assert status == 200, claim
    assert claim["holder"]["display_name"] == "Priya Nair, PharmD"
    since = dt.datetime.fromisoformat(claim["since"])
    expires = dt.datetime.fromisoformat(claim["expires_at"])
    assert expires - since == dt.timedelta(minutes=5)

    clock.advance(dt.timedelta(minutes=3))
    status, renewed = _claim(client, pharmacist, order)
    assert status == 200
    assert renewed["since"] == claim["since"]  # the same claim, only longer
    assert dt.datetime.fromisoformat(renewed["expires_at"]) == expires + dt.timedelta(minutes=3)

    detail = client.get(f"{PRESCRIPTIONS}/{order}", headers=pharmacist).json()
    assert detail["claim"] == renewed
    listed = client.get(PRESCRIPTIONS, headers=pharmacist, params={"status": "submitted"}).json()
    assert [item["claim"] for item in listed["items"] if item["id"] == order] == [renewed]


def test_a_second_pharmacist_is_told_who_holds_it_and_may_take_it_over(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    second_pharmacist: str,
    database: Database,
) -> None:
    first, second = as_user("pharmacist1"), as_user(second_pharmacist)
    assert _claim(client, first, order)[0] == 200

    status, refused = _claim(client, second, order)
    assert status == 409
    assert refused["code"] == "prescription.claimed"
    assert refused["claimed_by"] == "Priya Nair, PharmD"
    assert refused["detail"].startswith("Priya Nair, PharmD is reviewing this prescription")
    # Still readable, with the holder named.
    detail = client.get(f"{PRESCRIPTIONS}/{order}", headers=second).json()
    assert detail["claim"]["holder"]["display_name"] == "Priya Nair, PharmD"
    assert refused["claimed_since"] == detail["claim"]["since"]

    status, taken = _claim(client, second, order, take_over=True)
    assert status == 200
    assert taken["holder"]["display_name"] == "Sam Ortiz, PharmD"
    assert _audit_actions(database, order) == [
        "prescription.claim",
        "prescription.claim_take_over",
    ]
    # Now the first one is the one refused.
    status, refused = _claim(client, first, order)
    assert (status, refused["claimed_by"]) == (409, "Sam Ortiz, PharmD")


def test_a_claim_lapses_unless_renewed(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    second_pharmacist: str,
    clock: FakeClock,
) -> None:
    first, second = as_user("pharmacist1"), as_user(second_pharmacist)
    assert _claim(client, first, order)[0] == 200
    clock.advance(dt.timedelta(minutes=5, seconds=1))
    assert "claim" not in client.get(f"{PRESCRIPTIONS}/{order}", headers=second).json()
    status, claim = _claim(client, second, order)  # no take-over needed
    assert status == 200
    assert claim["holder"]["display_name"] == "Sam Ortiz, PharmD"


def test_release_only_lets_go_of_ones_own_claim(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    second_pharmacist: str,
) -> None:
    first, second = as_user("pharmacist1"), as_user(second_pharmacist)
    assert _claim(client, first, order)[0] == 200
    cursor = client.get(PRESCRIPTIONS, headers=second).json()["changes_cursor"]

    assert client.delete(f"{PRESCRIPTIONS}/{order}/claim", headers=second).status_code == 204
    assert client.get(f"{PRESCRIPTIONS}/{order}", headers=second).json()["claim"]
    assert client.delete(f"{PRESCRIPTIONS}/{order}/claim", headers=first).status_code == 204
    assert "claim" not in client.get(f"{PRESCRIPTIONS}/{order}", headers=second).json()
    # The other desk's refresh hears of it: the row changed.
    changed = client.get(PRESCRIPTIONS, headers=second, params={"changed_since": cursor}).json()
    assert [item["id"] for item in changed["items"]] == [order]
    assert client.delete(f"{PRESCRIPTIONS}/{order}/claim", headers=first).status_code == 204


def test_a_renewal_is_no_change_for_other_desks(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    pharmacist = as_user("pharmacist1")
    assert _claim(client, pharmacist, order)[0] == 200
    cursor = client.get(PRESCRIPTIONS, headers=pharmacist).json()["changes_cursor"]
    assert _claim(client, pharmacist, order)[0] == 200
    quiet = client.get(PRESCRIPTIONS, headers=pharmacist, params={"changed_since": cursor})
    assert quiet.json()["items"] == []


def test_a_step_lets_go_of_the_claim(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    second_pharmacist: str,
    database: Database,
) -> None:
    first = as_user("pharmacist1")
    assert _claim(client, first, order)[0] == 200
    stepped = client.post(
        f"{PRESCRIPTIONS}/{order}/actions", headers=first, json={"action": "approve"}
    )
    assert stepped.status_code == 200, stepped.text
    assert "claim" not in stepped.json()
    with database.reading() as session:
        assert session.get(PrescriptionClaim, uuid.UUID(order)) is None


def test_prescribers_never_see_or_touch_claims(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    assert _claim(client, as_user("pharmacist1"), order)[0] == 200
    prescriber = as_user("prescriber1")
    assert _claim(client, prescriber, order)[0] == 403
    assert client.delete(f"{PRESCRIPTIONS}/{order}/claim", headers=prescriber).status_code == 403
    assert "claim" not in client.get(f"{PRESCRIPTIONS}/{order}", headers=prescriber).json()
    listed = client.get(PRESCRIPTIONS, headers=prescriber).json()["items"]
    assert listed and all("claim" not in item for item in listed)
    assert _claim(client, as_user("admin1"), order)[0] == 403


def test_a_claim_on_a_missing_order_is_not_found(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    missing = str(uuid.uuid4())
    assert _claim(client, as_user("pharmacist1"), missing)[0] == 404
    assert client.post(
        f"{PRESCRIPTIONS}/not-an-id/claim", headers=as_user("pharmacist1"), json={}
    ).status_code in (404, 422)


def test_a_bad_claim_request_is_refused_by_name(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    pharmacist = as_user("pharmacist1")
    status, body = _claim(client, pharmacist, order, take_over="perhaps")
    assert status == 422
    assert [error["field"] for error in body["errors"]] == ["take_over"]
    status, body = _claim(client, pharmacist, order, holder="me")
    assert status == 422
