"""Login, sessions, logout and lockout (checklist C3, C4, C6, C7)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import pytest
from argon2 import extract_parameters
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.models import AuthSession, User
from pharmacy_server.security import Passwords, token_digest
from pharmacy_server.seed import DEMO_PASSWORD
from tests.server.support import FakeClock, Headers, login_headers

LOGIN = "/api/v1/auth/login"
ME = "/api/v1/auth/me"


def _login(client: TestClient, username: str, password: str) -> tuple[int, dict[str, object]]:
    response = client.post(LOGIN, json={"username": username, "password": password})
    return response.status_code, response.json()


def test_login_returns_token_and_user(client: TestClient) -> None:
    status, body = _login(client, "prescriber1", DEMO_PASSWORD)
    assert status == 200
    token = body["token"]
    assert isinstance(token, str) and len(token) >= 43  # 256 bits, base64url
    assert body["user"] == {
        "id": body["user"]["id"],  # type: ignore[index]
        "username": "prescriber1",
        "role": "prescriber",
        "display_name": "Dr. Maya Chen",
        "clinic": "Riverside Integrative Health",
        "licence_expires_on": body["user"]["licence_expires_on"],  # type: ignore[index]
        "mfa_enrolled": False,
    }
    assert dt.date.fromisoformat(body["user"]["licence_expires_on"]) > dt.date.today()
    expires_at = dt.datetime.fromisoformat(str(body["expires_at"]))
    assert dt.timedelta(hours=11, minutes=59) < expires_at - dt.datetime.now(dt.UTC)
    me = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.json()["username"] == "prescriber1"


def test_token_is_stored_only_as_hash(client: TestClient, database: Database) -> None:
    _, body = _login(client, "pharmacist1", DEMO_PASSWORD)
    token = str(body["token"])
    with database.reading() as session:
        stored = list(session.scalars(select(AuthSession.token_sha256)))
    assert stored == [token_digest(token)]
    assert token not in stored


def test_each_login_gets_a_new_token(client: TestClient) -> None:
    first = _login(client, "admin1", DEMO_PASSWORD)[1]["token"]
    second = _login(client, "admin1", DEMO_PASSWORD)[1]["token"]
    assert first != second


@pytest.mark.production_hashing
def test_password_hash_is_argon2id_above_the_asvs_floor(database: Database) -> None:
    with database.reading() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "prescriber1"))
    assert stored is not None
    params = extract_parameters(stored)
    assert params.type.name == "ID"
    assert params.time_cost >= 3 and params.memory_cost >= 12288


def test_unknown_user_and_wrong_password_answer_identically(client: TestClient) -> None:
    unknown = client.post(LOGIN, json={"username": "nobody", "password": "whatever-password"})
    wrong = client.post(LOGIN, json={"username": "prescriber1", "password": "wrong-password"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.content == wrong.content
    assert unknown.json() == {"detail": "Incorrect username or password."}
    assert sorted(unknown.headers.keys()) == sorted(wrong.headers.keys())


@pytest.mark.production_hashing
def test_unknown_user_costs_the_same_argon2_check_as_a_wrong_password(
    client: TestClient, passwords: Passwords, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No user enumeration by timing: an unknown user name spends exactly one argon2
    verification at the production cost, as a wrong password does. Counted, not timed
    (a timing comparison failed on a loaded machine while the code was right)."""
    checked: list[object] = []
    real_verify = passwords.verify

    def counting_verify(password_hash: str, password: str, **queueing: Any) -> bool:
        checked.append(extract_parameters(password_hash))
        return real_verify(password_hash, password, **queueing)

    monkeypatch.setattr(passwords, "verify", counting_verify)

    def argon2_checks(username: str) -> list[object]:
        checked.clear()
        answer = client.post(LOGIN, json={"username": username, "password": "not-the-password"})
        assert answer.status_code == 401
        return list(checked)

    unknown = argon2_checks("nobody-here")
    wrong = argon2_checks("prescriber2")
    assert len(unknown) == len(wrong) == 1
    # The dummy hash is made at the same cost as the accounts' hashes.
    assert unknown == wrong == [extract_parameters(passwords.hash("anything at all"))]


def test_login_body_validation_uses_the_error_shape(client: TestClient) -> None:
    response = client.post(LOGIN, json={"username": "prescriber1"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "password", "reason": "is required"}]
    extra = client.post(LOGIN, json={"username": "a", "password": "b", "role": "admin"})
    assert extra.status_code == 422
    assert extra.json()["errors"][0]["field"] == "role"


def test_missing_or_bad_token_is_401(client: TestClient) -> None:
    assert client.get(ME).status_code == 401
    bad = client.get(ME, headers={"Authorization": "Bearer not-a-real-token"})
    assert bad.status_code == 401
    assert bad.headers["WWW-Authenticate"] == "Bearer"
    assert set(bad.json()) == {"detail"}


def test_logout_revokes_the_token(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    headers = as_user("prescriber1")
    other = as_user("prescriber1")
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert client.get(ME, headers=headers).status_code == 401
    assert client.get(ME, headers=other).status_code == 200  # only that session ended


def test_idle_timeout_is_thirty_minutes(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("prescriber1")
    clock.advance(dt.timedelta(minutes=29))
    assert client.get(ME, headers=headers).status_code == 200  # activity slides the window
    clock.advance(dt.timedelta(minutes=29))
    assert client.get(ME, headers=headers).status_code == 200
    clock.advance(dt.timedelta(minutes=31))
    assert client.get(ME, headers=headers).status_code == 401


def test_absolute_timeout_is_twelve_hours_despite_activity(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock
) -> None:
    headers = as_user("pharmacist1")
    for _ in range(12 * 3 - 1):
        clock.advance(dt.timedelta(minutes=20))
        assert client.get(ME, headers=headers).status_code == 200
    clock.advance(dt.timedelta(minutes=19, seconds=59))  # 11:59:59 after login
    assert client.get(ME, headers=headers).status_code == 200
    clock.advance(dt.timedelta(seconds=2))
    assert client.get(ME, headers=headers).status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, database: Database
) -> None:
    headers = as_user("prescriber1")

    def last_seen() -> dt.datetime:
        with database.reading() as session:
            value = session.scalar(select(AuthSession.last_seen_at))
        assert isinstance(value, dt.datetime)
        return value

    first = last_seen()
    clock.advance(dt.timedelta(seconds=30))
    client.get(ME, headers=headers)
    assert last_seen() == first
    clock.advance(dt.timedelta(seconds=31))
    client.get(ME, headers=headers)
    assert last_seen() == clock.now


def test_ten_failures_lock_the_account_for_thirty_minutes(
    client: TestClient, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="pharmacy_server")
    refused = {"detail": "Incorrect username or password."}
    for _ in range(10):
        assert _login(client, "prescriber2", "wrong-password") == (401, refused)
    # Locked: even the right password is refused, with the very same answer.
    assert _login(client, "prescriber2", DEMO_PASSWORD) == (401, refused)
    clock.advance(dt.timedelta(minutes=29))
    assert _login(client, "prescriber2", DEMO_PASSWORD)[0] == 401
    clock.advance(dt.timedelta(minutes=2))
    assert _login(client, "prescriber2", DEMO_PASSWORD)[0] == 200

    locked_lines = [r.getMessage() for r in caplog.records if "locked for" in r.getMessage()]
    assert len(locked_lines) == 1
    log_text = "\n".join(r.getMessage() for r in caplog.records)
    assert "wrong-password" not in log_text and DEMO_PASSWORD not in log_text


def test_success_resets_the_failure_count(client: TestClient) -> None:
    for _ in range(9):
        _login(client, "admin1", "wrong-password")
    assert _login(client, "admin1", DEMO_PASSWORD)[0] == 200
    for _ in range(9):
        _login(client, "admin1", "wrong-password")
    assert _login(client, "admin1", DEMO_PASSWORD)[0] == 200


def test_disabled_account_cannot_log_in_and_loses_its_sessions(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    headers = as_user("prescriber1")
    with database.writing() as session:
        user = session.scalar(select(User).where(User.username == "prescriber1"))
        assert user is not None
        user.is_active = False
    assert client.get(ME, headers=headers).status_code == 401
    assert _login(client, "prescriber1", DEMO_PASSWORD)[0] == 401


def test_real_clock_idle_timeout_with_time_machine(
    settings: ServerSettings, database: Database, passwords: Passwords
) -> None:
    """The same limits through the real clock (no injected one), travelling in time."""
    import time_machine

    app = create_app(settings, database=database, passwords=passwords)
    with (
        TestClient(app) as client,
        time_machine.travel(dt.datetime.now(dt.UTC), tick=False) as traveller,
    ):
        headers = login_headers(client, "prescriber1")
        traveller.shift(dt.timedelta(minutes=29))
        assert client.get(ME, headers=headers).status_code == 200
        traveller.shift(dt.timedelta(minutes=30, seconds=1))
        assert client.get(ME, headers=headers).status_code == 401
        fresh = login_headers(client, "prescriber1")
        for _ in range(24):  # active every 29 minutes for 11 h 36 min
            traveller.shift(dt.timedelta(minutes=29))
            assert client.get(ME, headers=fresh).status_code == 200
        traveller.shift(dt.timedelta(minutes=25))  # 12 h 1 min after sign-in
        assert client.get(ME, headers=fresh).status_code == 401
