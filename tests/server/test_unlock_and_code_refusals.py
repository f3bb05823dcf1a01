"""Unlocking an idle-locked workstation within the live session (POST /auth/reauthenticate),
and the TOTP step's specific refusals (wrong, used, expired, locked), on SQLite and
PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server.audit import verify_chain
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, User
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import EnrolledUser, FakeClock, Headers, enroll

LOGIN = "/api/v1/auth/login"
LOGIN_OTP = "/api/v1/auth/login/otp"
REAUTH = "/api/v1/auth/reauthenticate"
ME = "/api/v1/auth/me"
WRONG = "not the password at all"


def _events(database: Database, action: str) -> list[AuditEvent]:
    with database.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list(session.scalars(query))


def _failed_count(database: Database, username: str) -> int:
    with database.reading() as session:
        count = session.scalar(select(User.failed_login_count).where(User.username == username))
    assert count is not None
    return count


# ---------------------------------------------------------------- unlock


def test_the_password_unlocks_within_the_same_session_and_restarts_idle_time(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, database: Database
) -> None:
    headers = as_user("prescriber1")
    clock.advance(dt.timedelta(minutes=20))  # locked on the workstation after 15
    unlocked = client.post(REAUTH, headers=headers, json={"password": DEMO_PASSWORD})
    assert unlocked.status_code == 204 and unlocked.content == b""
    # 20 + 25 minutes since sign-in, 25 since the unlock: under the 30-minute idle limit.
    clock.advance(dt.timedelta(minutes=25))
    assert client.get(ME, headers=headers).status_code == 200
    [event] = _events(database, "auth.reauthenticate")
    assert (event.outcome, event.actor_username, event.actor_role) == (
        "success",
        "prescriber1",
        "prescriber",
    )
    assert json.loads(event.details_json) == {"method": "password"}


def test_a_wrong_password_is_refused_audited_and_counted(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("pharmacist1")
    refused = client.post(REAUTH, headers=headers, json={"password": WRONG})
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.reauthentication_failed"
    assert _failed_count(database, "pharmacist1") == 1
    [event] = _events(database, "auth.reauthenticate")
    assert (event.outcome, event.actor_username) == ("failure", "pharmacist1")
    assert json.loads(event.details_json) == {"reason": "wrong_password"}
    assert WRONG not in event.details_json
    # Still signed in; the right password then clears the count, as a sign-in does.
    assert client.post(REAUTH, headers=headers, json={"password": DEMO_PASSWORD}).status_code == 204
    assert _failed_count(database, "pharmacist1") == 0


def test_ten_wrong_unlocks_lock_the_account_and_end_the_session(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("prescriber2")
    for _ in range(9):
        assert client.post(REAUTH, headers=headers, json={"password": WRONG}).status_code == 403
    locked = client.post(REAUTH, headers=headers, json={"password": WRONG})
    assert locked.status_code == 401 and locked.json()["code"] == "auth.locked"
    assert 29 * 60 < int(locked.headers["Retry-After"]) <= 30 * 60 + 1
    assert "30 minutes" in locked.json()["detail"]
    # The session is gone, and even the right password no longer unlocks or signs in.
    gone = client.post(REAUTH, headers=headers, json={"password": DEMO_PASSWORD})
    assert gone.status_code == 401
    relogin = client.post(LOGIN, json={"username": "prescriber2", "password": DEMO_PASSWORD})
    assert relogin.status_code == 401 and "code" not in relogin.json()  # nothing revealed
    clock.advance(dt.timedelta(minutes=31))
    relogin = client.post(LOGIN, json={"username": "prescriber2", "password": DEMO_PASSWORD})
    assert relogin.status_code == 200


def test_unlock_needs_a_live_session_and_a_password(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    assert client.post(REAUTH, json={"password": DEMO_PASSWORD}).status_code == 401
    headers = as_user("admin1")
    for body in ({}, {"password": ""}, {"otp": "123456"}, {"password": "x", "otp": "123456"}):
        assert client.post(REAUTH, headers=headers, json=body).status_code == 422, body
    clock.advance(dt.timedelta(minutes=31))  # idle past the server's limit: sign in again
    assert client.post(REAUTH, headers=headers, json={"password": DEMO_PASSWORD}).status_code == 401


def test_an_enrolled_account_unlocks_with_its_password_alone(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, mail_dir: Path
) -> None:
    user = enroll(client, clock, mail_dir, "dr.unlock", approver=as_user("admin1"))
    clock.advance(dt.timedelta(minutes=16))
    unlocked = client.post(REAUTH, headers=user.headers, json={"password": user.password})
    assert unlocked.status_code == 204
    assert client.get(ME, headers=user.headers).json()["username"] == "dr.unlock"


# ---------------------------------------------------------------- code refusals


def _challenge(client: TestClient, user: EnrolledUser) -> str:
    answer = client.post(LOGIN, json={"username": user.username, "password": user.password})
    assert answer.status_code == 200 and answer.json()["mfa_required"], answer.text
    return str(answer.json()["mfa_token"])


def _other_code(user: EnrolledUser, clock: FakeClock, offset: int) -> str:
    return f"{(int(user.code(clock)) + offset) % 1_000_000:06d}"


def test_each_refused_code_says_why(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
    database: Database,
) -> None:
    user = enroll(client, clock, mail_dir, "dr.codes", approver=as_user("admin1"))
    clock.advance(dt.timedelta(seconds=30))  # past the code used at activation
    token = _challenge(client, user)

    wrong = client.post(LOGIN_OTP, json={"mfa_token": token, "otp": _other_code(user, clock, 1)})
    assert wrong.status_code == 401 and wrong.json()["code"] == "auth.wrong_code"

    code = user.code(clock)
    assert client.post(LOGIN_OTP, json={"mfa_token": token, "otp": code}).status_code == 200
    again = client.post(LOGIN_OTP, json={"mfa_token": _challenge(client, user), "otp": code})
    assert again.status_code == 401 and again.json()["code"] == "auth.replayed_code"
    assert "each code works once" in again.json()["detail"]
    assert "wait for the" in again.json()["detail"].lower()

    # A used challenge, an unknown one and one left too long all start again at the password.
    used = client.post(LOGIN_OTP, json={"mfa_token": token, "otp": code})
    assert used.json()["code"] == "auth.challenge_expired"
    unknown = client.post(LOGIN_OTP, json={"mfa_token": "no-such-challenge", "otp": code})
    assert unknown.status_code == 401 and unknown.json()["code"] == "auth.challenge_expired"
    slow = _challenge(client, user)
    clock.advance(dt.timedelta(minutes=6))
    late = client.post(LOGIN_OTP, json={"mfa_token": slow, "otp": user.code(clock)})
    assert late.status_code == 401 and late.json()["code"] == "auth.challenge_expired"
    assert "password again" in late.json()["detail"]

    reasons = [json.loads(e.details_json).get("reason") for e in _events(database, "auth.mfa")]
    assert {"wrong_code", "replayed_code", "unknown_challenge", "expired_challenge"} <= set(reasons)
    assert all(
        e.actor_username == "dr.codes"
        for e in _events(database, "auth.mfa")
        if json.loads(e.details_json).get("reason") in ("wrong_code", "replayed_code")
    )
    assert verify_chain(database).ok


def test_the_code_that_locks_the_account_says_so_with_retry_after(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, mail_dir: Path
) -> None:
    user = enroll(client, clock, mail_dir, "dr.locks", approver=as_user("admin1"))
    token = _challenge(client, user)
    for attempt in range(9):
        answer = client.post(
            LOGIN_OTP, json={"mfa_token": token, "otp": _other_code(user, clock, 1 + attempt)}
        )
        assert answer.json()["code"] == "auth.wrong_code"
    locked = client.post(LOGIN_OTP, json={"mfa_token": token, "otp": _other_code(user, clock, 20)})
    assert locked.status_code == 401 and locked.json()["code"] == "auth.locked"
    retry_after = int(locked.headers["Retry-After"])
    assert 29 * 60 < retry_after <= 30 * 60 + 1
    assert locked.json()["retry_after_seconds"] == retry_after
    # The password step stays silent about the lock (it must not reveal accounts).
    refused = client.post(LOGIN, json={"username": user.username, "password": user.password})
    assert refused.status_code == 401 and "code" not in refused.json()
