"""Account administration end to end over HTTP on both databases: disabling (its sessions
end at once), the last administrator, two-factor reset and re-enrolment, licence expiry,
sessions listed and ended, and the audit trail's names, references and filters."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from pharmacy_server.db import Database
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.rfc6238 import reference_code, reference_step
from tests.server.support import (
    FakeClock,
    Headers,
    account_request,
    activation_code_from_mail,
    add_user,
    enroll,
    new_prescription_body,
    submit,
)

ADMIN = "/api/v1/admin"
ME = "/api/v1/auth/me"


def _user_id(client: TestClient, admin: Headers, username: str) -> str:
    users = client.get(f"{ADMIN}/users", headers=admin)
    assert users.status_code == 200, users.text
    return str(next(u["id"] for u in users.json()["items"] if u["username"] == username))


def _login(client: TestClient, username: str, agent: str = "testclient") -> Headers:
    answer = client.post(
        "/api/v1/auth/login",
        json={"username": username, "password": DEMO_PASSWORD},
        headers={"User-Agent": agent},
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def _audit(client: TestClient, admin: Headers, **params: Any) -> dict[str, Any]:
    answer = client.get(f"{ADMIN}/audit", headers=admin, params=params)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_disabling_ends_the_sessions_at_once_and_re_enabling_lets_them_back(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    prescriber = as_user("prescriber2")
    assert client.get(ME, headers=prescriber).status_code == 200
    target = _user_id(client, admin, "prescriber2")
    disabled = client.patch(f"{ADMIN}/users/{target}", headers=admin, json={"is_active": False})
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert client.get(ME, headers=prescriber).status_code == 401
    refused = client.post(
        "/api/v1/auth/login", json={"username": "prescriber2", "password": DEMO_PASSWORD}
    )
    assert refused.status_code == 401
    enabled = client.patch(f"{ADMIN}/users/{target}", headers=admin, json={"is_active": True})
    assert enabled.status_code == 200 and enabled.json()["is_active"] is True
    assert client.get(ME, headers=as_user("prescriber2")).status_code == 200
    # The session ended: re-enabling the account does not bring the old token back.
    assert client.get(ME, headers=prescriber).status_code == 401
    actions = [
        e["action"]
        for e in _audit(client, admin, actor_id=_user_id(client, admin, "admin1"))["items"]
    ]
    assert actions[:2] == ["account.enable", "account.disable"]


def test_the_last_active_admin_cannot_be_disabled_or_demoted(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    admin = as_user("admin1")
    admin_id = _user_id(client, admin, "admin1")
    for change in ({"is_active": False}, {"role": "pharmacist"}):
        alone = client.patch(f"{ADMIN}/users/{admin_id}", headers=admin, json=change)
        assert alone.status_code == 409, alone.text
        assert alone.json()["code"] == "account.last_admin"
        assert "last active administrator" in alone.json()["detail"]
    add_user(database, "admin2", role="admin", clinic="Compounding Pharmacy",
             password_hash=demo_password_hash, display_name="Sam Second")  # fmt: skip
    second = as_user("admin2")
    # With another admin about, disabling oneself is still refused, as before.
    own = client.patch(f"{ADMIN}/users/{admin_id}", headers=admin, json={"is_active": False})
    assert own.status_code == 403
    other = client.patch(f"{ADMIN}/users/{admin_id}", headers=second, json={"is_active": False})
    assert other.status_code == 200
    # admin2 is now the last active one: admin1's old session is gone, and nobody is left
    # who could disable admin2.
    assert client.get(ME, headers=admin).status_code == 401
    last = client.patch(
        f"{ADMIN}/users/{_user_id(client, second, 'admin2')}",
        headers=second,
        json={"is_active": False},
    )
    assert last.status_code == 409


def test_non_admins_are_refused_and_unknown_users_are_404(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    target = _user_id(client, admin, "prescriber2")
    for who in ("pharmacist1", "prescriber1", "staff1"):
        headers = as_user(who)
        for method, path in (
            ("GET", f"{ADMIN}/users/{target}/sessions"),
            ("DELETE", f"{ADMIN}/users/{target}/sessions"),
            ("DELETE", f"{ADMIN}/users/{target}/sessions/abc"),
            ("POST", f"{ADMIN}/users/{target}/two-factor/reset"),
            ("PATCH", f"{ADMIN}/users/{target}"),
            ("GET", f"{ADMIN}/audit"),
        ):
            answer = client.request(method, path, headers=headers, json={"is_active": False})
            assert answer.status_code == 403, (who, method, path, answer.text)
    missing = "00000000-0000-4000-8000-000000000000"
    for method, path in (
        ("GET", f"{ADMIN}/users/{missing}/sessions"),
        ("DELETE", f"{ADMIN}/users/{missing}/sessions"),
        ("POST", f"{ADMIN}/users/{missing}/two-factor/reset"),
        ("GET", f"{ADMIN}/users/not-an-id/sessions"),
        ("DELETE", f"{ADMIN}/users/{target}/sessions/{'0' * 32}"),
    ):
        assert client.request(method, path, headers=admin).status_code == 404, (method, path)
    assert client.get(ME, headers=as_user("prescriber2")).status_code == 200


def test_sessions_are_listed_with_where_from_and_ended_one_or_all(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    desk = _login(client, "prescriber1", "PrescriberPortal/1.0 (desk)")
    laptop = _login(client, "prescriber1", "PrescriberPortal/1.0 (laptop)")
    target = _user_id(client, admin, "prescriber1")
    listed = client.get(f"{ADMIN}/users/{target}/sessions", headers=admin)
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["items"]
    clients = {s["client"] for s in sessions}
    assert {"PrescriberPortal/1.0 (desk)", "PrescriberPortal/1.0 (laptop)"} <= clients
    assert all(s["client_address"] and s["created_at"] and s["last_seen_at"] for s in sessions)
    # The listing never carries a token or the digest tokens are looked up by.
    assert desk["Authorization"].split()[1] not in listed.text
    laptop_session = next(s for s in sessions if s["client"].endswith("(laptop)"))
    ended = client.delete(f"{ADMIN}/users/{target}/sessions/{laptop_session['id']}", headers=admin)
    assert ended.status_code == 200 and ended.json() == {"ended": 1}
    assert client.get(ME, headers=laptop).status_code == 401
    assert client.get(ME, headers=desk).status_code == 200
    again = client.delete(f"{ADMIN}/users/{target}/sessions/{laptop_session['id']}", headers=admin)
    assert again.status_code == 404
    all_ended = client.delete(f"{ADMIN}/users/{target}/sessions", headers=admin)
    assert all_ended.status_code == 200 and all_ended.json()["ended"] >= 1
    assert client.get(ME, headers=desk).status_code == 401
    left = client.get(f"{ADMIN}/users/{target}/sessions", headers=admin)
    assert left.json()["items"] == []
    actions = [
        e["action"]
        for e in _audit(client, admin, actor_id=_user_id(client, admin, "admin1"))["items"]
    ]
    assert actions[:2] == ["account.sessions_end", "account.session_end"]


def test_a_two_factor_reset_forces_enrolment_again(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
) -> None:
    admin = as_user("admin1")
    enrolled = enroll(client, clock, mail_dir, "dr.reset", approver=as_user("pharmacist1"))
    assert client.get(ME, headers=enrolled.headers).status_code == 200
    reset = client.post(f"{ADMIN}/users/{enrolled.user_id}/two-factor/reset", headers=admin)
    assert reset.status_code == 200, reset.text
    assert reset.json()["mfa_enrolled"] is False and reset.json()["is_active"] is True
    assert client.get(ME, headers=enrolled.headers).status_code == 401
    # The password alone no longer opens a session, nor a code step.
    password_only = client.post(
        "/api/v1/auth/login", json={"username": "dr.reset", "password": enrolled.password}
    )
    assert password_only.status_code == 401
    code = activation_code_from_mail(mail_dir, "dr.reset@clinic.example")
    new_password = "harbour-lantern-quartz-77"
    started = client.post(
        "/api/v1/auth/activate",
        json={"username": "dr.reset", "code": code, "password": new_password},
    )
    assert started.status_code == 200, started.text
    secret_text = started.json()["secret"]
    secret = base64.b32decode(secret_text + "=" * (-len(secret_text) % 8))
    assert secret != enrolled.secret
    clock.advance(dt.timedelta(seconds=60))
    confirmed = client.post(
        "/api/v1/auth/activate/confirm",
        json={
            "username": "dr.reset",
            "code": code,
            "otp": reference_code(secret, reference_step(clock().timestamp())),
        },
    )
    assert confirmed.status_code == 200, confirmed.text
    users = client.get(f"{ADMIN}/users", headers=admin).json()["items"]
    assert next(u for u in users if u["username"] == "dr.reset")["mfa_enrolled"] is True
    events = _audit(client, admin, action="account.mfa_reset")["items"]
    assert events[0]["target_label"] == "dr.reset" and events[0]["actor_name"] == "Alex Morgan"


def test_a_disabled_account_keeps_no_way_back_in(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
) -> None:
    admin = as_user("admin1")
    enrolled = enroll(client, clock, mail_dir, "dr.off", approver=admin)
    assert (
        client.post(f"{ADMIN}/users/{enrolled.user_id}/two-factor/reset", headers=admin).status_code
        == 200
    )
    code = activation_code_from_mail(mail_dir, "dr.off@clinic.example")
    client.patch(f"{ADMIN}/users/{enrolled.user_id}", headers=admin, json={"is_active": False})
    # The re-enrolment code mailed before the account was disabled opens nothing now.
    started = client.post(
        "/api/v1/auth/activate",
        json={"username": "dr.off", "code": code, "password": "harbour-lantern-quartz-77"},
    )
    assert started.status_code == 400
    refused = client.post(f"{ADMIN}/users/{enrolled.user_id}/two-factor/reset", headers=admin)
    assert refused.status_code == 409 and refused.json()["code"] == "account.disabled"
    own = client.post(
        f"{ADMIN}/users/{_user_id(client, admin, 'admin1')}/two-factor/reset", headers=admin
    )
    assert own.status_code == 403


def test_a_licence_expiry_change_applies_to_signing_at_once(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    prescriber = as_user("prescriber1")
    target = _user_id(client, admin, "prescriber1")
    today = dt.date.today()
    lapsed = client.patch(
        f"{ADMIN}/users/{target}",
        headers=admin,
        json={"licence_expires_on": (today - dt.timedelta(days=1)).isoformat()},
    )
    assert lapsed.status_code == 200, lapsed.text
    step_up = client.post(
        "/api/v1/auth/step-up",
        headers=prescriber,
        json={"password": DEMO_PASSWORD, "content_sha256": "0" * 64},
    )
    assert step_up.status_code == 403 and step_up.json()["code"] == "signing.licence_expired"
    renewed = client.patch(
        f"{ADMIN}/users/{target}",
        headers=admin,
        json={"licence_expires_on": (today + dt.timedelta(days=700)).isoformat()},
    )
    assert renewed.status_code == 200
    status, created = submit(client, prescriber, new_prescription_body())
    assert status == 201, created
    events = _audit(client, admin, action="account.licence_update")["items"]
    assert (
        events[0]["details"]["licence_expires_on"] == (today + dt.timedelta(days=700)).isoformat()
    )
    assert events[0]["details"]["from"] == (today - dt.timedelta(days=1)).isoformat()


def test_implausible_licence_dates_are_refused_with_the_field_named(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    target = _user_id(client, admin, "prescriber2")
    today = dt.date.today()
    for bad in (today.replace(year=today.year + 11), today - dt.timedelta(days=400)):
        answer = client.patch(
            f"{ADMIN}/users/{target}", headers=admin, json={"licence_expires_on": bad.isoformat()}
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "licence_expires_on"
    for bad_text in ("2031-02-30", "next year", "31/01/2031"):
        answer = client.patch(
            f"{ADMIN}/users/{target}", headers=admin, json={"licence_expires_on": bad_text}
        )
        assert answer.status_code == 422, bad_text
    pharmacist = _user_id(client, admin, "pharmacist1")
    no_licence = client.patch(
        f"{ADMIN}/users/{pharmacist}",
        headers=admin,
        json={"licence_expires_on": (today + dt.timedelta(days=30)).isoformat()},
    )
    assert no_licence.status_code == 422
    assert "no licence on file" in no_licence.json()["errors"][0]["reason"]


def test_the_audit_trail_names_people_and_references_and_filters(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    admin = as_user("admin1")
    prescriber = as_user("prescriber1")
    status, created = submit(client, prescriber, new_prescription_body())
    assert status == 201
    reference = created["reference"]
    by_reference = _audit(client, admin, reference=reference)
    assert by_reference["total"] >= 1
    assert all(e["target_label"] == reference for e in by_reference["items"])
    assert by_reference["items"][-1]["action"] == "prescription.submit"
    assert by_reference["items"][-1]["actor_name"]
    assert (
        client.post("/api/v1/account-requests", json=account_request("dr.asks")).status_code == 202
    )
    asked = _audit(client, admin, action="account.request")["items"]
    assert asked[0]["target_label"] == "dr.asks" and asked[0]["actor_name"] is None
    lower = _audit(client, admin, reference=reference.lower())
    assert lower["total"] == by_reference["total"]
    assert _audit(client, admin, reference="RX-000101-9999")["items"] == []
    prescriber_id = _user_id(client, admin, "prescriber1")
    mine = _audit(client, admin, actor_id=prescriber_id)
    assert mine["items"] and all(e["actor_id"] == prescriber_id for e in mine["items"])
    logins = _audit(client, admin, actor_id=prescriber_id, action="auth.login")
    assert logins["items"] and all(e["action"] == "auth.login" for e in logins["items"])
    now = clock()
    ahead = (now + dt.timedelta(hours=1)).isoformat()
    assert _audit(client, admin, occurred_from=ahead)["items"] == []
    window = _audit(
        client,
        admin,
        occurred_from=(now - dt.timedelta(minutes=5)).isoformat(),
        occurred_before=ahead,
        reference=reference,
    )
    assert window["total"] == by_reference["total"]
    for params in (
        {"occurred_from": "2026-12-01T00:00:00"},  # no offset: whose midnight?
        {"occurred_from": "0.5"},  # seconds since 1970 are not an instant written out
        {"occurred_from": ahead, "occurred_before": now.isoformat()},
        {"reference": "Smith"},
    ):
        answer = client.get(f"{ADMIN}/audit", headers=admin, params=params)
        assert answer.status_code == 422, params
    # A paged, filtered walk sees every matching event once.
    seen: list[int] = []
    cursor = None
    while True:
        page = _audit(
            client, admin, actor_id=prescriber_id, limit=1, **({"cursor": cursor} if cursor else {})
        )
        seen += [e["seq"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == mine["total"]


def test_a_lapsed_licence_set_by_the_admin_stops_answering_the_pharmacy(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    prescriber = as_user("prescriber1")
    status, created = submit(client, prescriber, new_prescription_body())
    assert status == 201
    actions = f"/api/v1/prescriptions/{created['id']}/actions"
    asked = client.post(
        actions,
        headers=as_user("pharmacist1"),
        json={"action": "request_clarification", "note": "Which access?"},
    )
    assert asked.status_code == 200, asked.text
    target = _user_id(client, admin, "prescriber1")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    lapsed = client.patch(
        f"{ADMIN}/users/{target}", headers=admin, json={"licence_expires_on": yesterday}
    )
    assert lapsed.status_code == 200
    refused = client.post(
        actions, headers=prescriber, json={"action": "answer_clarification", "note": "Central"}
    )
    assert refused.status_code == 403 and refused.json()["code"] == "signing.licence_expired"
    renewed = (dt.date.today() + dt.timedelta(days=365)).isoformat()
    client.patch(f"{ADMIN}/users/{target}", headers=admin, json={"licence_expires_on": renewed})
    answered = client.post(
        actions, headers=prescriber, json={"action": "answer_clarification", "note": "Central"}
    )
    assert answered.status_code == 200, answered.text


def test_a_session_is_ended_only_under_its_own_account(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    admin = as_user("admin1")
    mine = _login(client, "prescriber1", "PrescriberPortal/1.0 (scoped)")
    owner = _user_id(client, admin, "prescriber1")
    stranger = _user_id(client, admin, "prescriber2")
    sessions = client.get(f"{ADMIN}/users/{owner}/sessions", headers=admin).json()["items"]
    session_id = next(s["id"] for s in sessions if s["client"].endswith("(scoped)"))
    elsewhere = client.delete(f"{ADMIN}/users/{stranger}/sessions/{session_id}", headers=admin)
    assert elsewhere.status_code == 404
    assert client.get(ME, headers=mine).status_code == 200
    stranger_sessions = client.get(f"{ADMIN}/users/{stranger}/sessions", headers=admin).json()
    assert session_id not in {s["id"] for s in stranger_sessions["items"]}
