"""Account requests, approval, activation with TOTP, two-step sign-in, throttling,
password rules and account administration (issue 4; checklist C1-C5, C7)."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Callable, Iterator
from email.message import Message as EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_server import totp
from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, User
from pharmacy_server.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords_by_rank,
    password_problems,
)
from pharmacy_server.security import Passwords
from pharmacy_server.seed import DEMO_PASSWORD
from tests.helpers.rfc6238 import reference_code, reference_step
from tests.server.support import (
    STRONG_PASSWORD,
    FakeClock,
    Headers,
    account_request,
    activation_code_from_mail,
    enroll,
)

LOGIN = "/api/v1/auth/login"
LOGIN_OTP = "/api/v1/auth/login/otp"
ME = "/api/v1/auth/me"
REQUESTS = "/api/v1/account-requests"
ADMIN_REQUESTS = "/api/v1/admin/account-requests"


def _events(database: Database, action: str) -> list[AuditEvent]:
    with database.reading() as session:
        query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq)
        return list(session.scalars(query))


# ---------------------------------------------------------------- requests


def test_account_request_checks_npi_dea_and_licence(client: TestClient) -> None:
    bad = client.post(REQUESTS, json=account_request("newdoc", npi="1234567890"))
    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["npi"]
    dea = client.post(REQUESTS, json=account_request("newdoc", dea_number="AB1234560"))
    assert [e["field"] for e in dea.json()["errors"]] == ["dea_number"]
    expired = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    lapsed = client.post(REQUESTS, json=account_request("newdoc", licence_expires_on=expired))
    assert [e["field"] for e in lapsed.json()["errors"]] == ["licence_expires_on"]
    missing = client.post(REQUESTS, json=account_request("newdoc", npi=None, licence_number=None))
    assert {e["field"] for e in missing.json()["errors"]} == {"npi", "licence_number"}
    staff = account_request(
        "newstaff", role="clinic_staff", npi=None, licence_number=None, licence_state=None,
        licence_expires_on=None, dea_number=None,
    )  # fmt: skip
    assert client.post(REQUESTS, json=staff).status_code == 202
    server_owned = client.post(REQUESTS, json={**account_request("x1y"), "status": "approved"})
    assert server_owned.status_code == 422


def test_account_requests_are_rate_limited_per_address(
    client: TestClient, settings: ServerSettings
) -> None:
    for index in range(settings.account_requests_per_hour):
        assert client.post(REQUESTS, json=account_request(f"doc{index}")).status_code == 202
    refused = client.post(REQUESTS, json=account_request("one-too-many"))
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["code"] == "rate_limited"


def test_whole_path_from_request_to_totp_sign_in(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
    database: Database,
) -> None:
    pharmacist = as_user("pharmacist1")
    created = client.post(REQUESTS, json=account_request("dr.rivers")).json()
    assert created == {"id": created["id"], "status": "pending"}
    pending = client.get(ADMIN_REQUESTS, params={"status": "pending"}, headers=pharmacist).json()
    assert [item["id"] for item in pending["items"]] == [created["id"]]
    approved = client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=pharmacist)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    code = activation_code_from_mail(mail_dir, "dr.rivers@clinic.example")
    assert code not in approved.text  # the code travels by the second channel only

    # Not active before activation.
    assert client.post(LOGIN, json={"username": "dr.rivers", "password": "x"}).status_code == 401
    weak = client.post(
        "/api/v1/auth/activate",
        json={"username": "dr.rivers", "code": code, "password": "password1234"},
    )
    assert weak.status_code == 422 and weak.json()["errors"][0]["field"] == "password"
    wrong_user = client.post(
        "/api/v1/auth/activate",
        json={"username": "prescriber1", "code": code, "password": STRONG_PASSWORD},
    )
    assert wrong_user.status_code == 400
    assert wrong_user.json()["code"] == "activation.invalid_code"
    started = client.post(
        "/api/v1/auth/activate",
        json={"username": "dr.rivers", "code": code.lower(), "password": STRONG_PASSWORD},
    ).json()
    assert started["otpauth_uri"].startswith("otpauth://totp/")
    assert "secret=" + started["secret"] in started["otpauth_uri"]
    assert (started["digits"], started["period"]) == (6, 30)
    wrong_otp = client.post(
        "/api/v1/auth/activate/confirm",
        json={"username": "dr.rivers", "code": code, "otp": "000000"},
    )
    assert wrong_otp.status_code == 400 and wrong_otp.json()["code"] == "activation.wrong_otp"

    secret = _b32(started["secret"])
    confirmed = client.post(
        "/api/v1/auth/activate/confirm",
        json={"username": "dr.rivers", "code": code, "otp": _now_code(secret, clock)},
    )
    assert confirmed.status_code == 200
    assert confirmed.json()["user"]["mfa_enrolled"] is True
    # The code is single use.
    again = client.post(
        "/api/v1/auth/activate",
        json={"username": "dr.rivers", "code": code, "password": STRONG_PASSWORD},
    )
    assert again.status_code == 400

    # Sign-in is now two steps: the password alone gives no session.
    first = client.post(LOGIN, json={"username": "dr.rivers", "password": STRONG_PASSWORD}).json()
    assert first["mfa_required"] is True and "token" not in first
    assert (
        client.get(ME, headers={"Authorization": f"Bearer {first['mfa_token']}"}).status_code == 401
    )
    clock.advance(dt.timedelta(seconds=30))  # the confirm code's step is spent
    session = client.post(
        LOGIN_OTP, json={"mfa_token": first["mfa_token"], "otp": _now_code(secret, clock)}
    )
    assert session.status_code == 200
    me = client.get(ME, headers={"Authorization": f"Bearer {session.json()['token']}"}).json()
    assert me["username"] == "dr.rivers" and me["role"] == "prescriber"
    assert [e.outcome for e in _events(database, "account.approve")] == ["success"]
    assert "success" in [e.outcome for e in _events(database, "account.activate")]


def _b32(text: str) -> bytes:
    import base64

    return base64.b32decode(text + "=" * (-len(text) % 8))


def _now_code(secret: bytes, clock: FakeClock, steps: int = 0) -> str:
    return reference_code(secret, reference_step(clock().timestamp()) + steps)


def test_activation_code_expires(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, mail_dir: Path
) -> None:
    created = client.post(REQUESTS, json=account_request("late.doc")).json()
    client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=as_user("admin1"))
    code = activation_code_from_mail(mail_dir, "late.doc@clinic.example")
    clock.advance(dt.timedelta(hours=72, seconds=1))
    expired = client.post(
        "/api/v1/auth/activate",
        json={"username": "late.doc", "code": code, "password": STRONG_PASSWORD},
    )
    assert expired.status_code == 400 and expired.json()["code"] == "activation.invalid_code"
    # Approving again mails a fresh code (the old one stays dead).
    clock.advance(dt.timedelta(minutes=1))
    assert (
        client.post(
            f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=as_user("admin1")
        ).status_code
        == 200
    )
    fresh = activation_code_from_mail(mail_dir, "late.doc@clinic.example")
    assert fresh != code
    ok = client.post(
        "/api/v1/auth/activate",
        json={"username": "late.doc", "code": fresh, "password": STRONG_PASSWORD},
    )
    assert ok.status_code == 200


def test_rejected_request_creates_no_account(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    created = client.post(REQUESTS, json=account_request("no.doc")).json()
    reject = f"{ADMIN_REQUESTS}/{created['id']}/reject"
    assert (
        client.post(reject, headers=as_user("pharmacist1"), json={"reason": " "}).status_code == 422
    )
    rejected = client.post(
        reject, headers=as_user("pharmacist1"), json={"reason": "Licence not found in registry"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    approve = client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=as_user("admin1"))
    assert approve.status_code == 409
    with database.reading() as session:
        assert session.scalar(select(User).where(User.username == "no.doc")) is None


# ---------------------------------------------------------------- TOTP


def test_a_totp_code_is_accepted_once(
    client: TestClient,
    as_user: Callable[[str], Headers],
    clock: FakeClock,
    mail_dir: Path,
    database: Database,
) -> None:
    user = enroll(client, clock, mail_dir, "dr.once", approver=as_user("admin1"))
    clock.advance(dt.timedelta(seconds=30))
    code = user.code(clock)
    first = client.post(LOGIN, json={"username": user.username, "password": user.password}).json()
    assert (
        client.post(LOGIN_OTP, json={"mfa_token": first["mfa_token"], "otp": code}).status_code
        == 200
    )
    second = client.post(LOGIN, json={"username": user.username, "password": user.password}).json()
    replay = client.post(LOGIN_OTP, json={"mfa_token": second["mfa_token"], "otp": code})
    assert replay.status_code == 401
    reasons = [e.details_json for e in _events(database, "auth.mfa")]
    assert any("replayed_code" in reason for reason in reasons)
    # Two steps back is outside the window; one step ahead is inside it.
    clock.advance(dt.timedelta(seconds=30))
    old = _now_code(user.secret, clock, steps=-2)
    assert (
        client.post(LOGIN_OTP, json={"mfa_token": second["mfa_token"], "otp": old}).status_code
        == 401
    )
    ahead = _now_code(user.secret, clock, steps=1)
    assert (
        client.post(LOGIN_OTP, json={"mfa_token": second["mfa_token"], "otp": ahead}).status_code
        == 200
    )


def test_totp_seed_is_encrypted_at_rest(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, mail_dir: Path,
    database: Database,
) -> None:  # fmt: skip
    user = enroll(client, clock, mail_dir, "dr.sealed", approver=as_user("admin1"))
    with database.reading() as session:
        row = session.scalar(select(User).where(User.username == "dr.sealed"))
        assert row is not None and row.totp_secret_sealed is not None
        stored = row.totp_secret_sealed
    assert totp.secret_to_base32(user.secret) not in stored
    assert user.secret.hex() not in stored


def test_ten_wrong_codes_lock_the_account(
    client: TestClient, as_user: Callable[[str], Headers], clock: FakeClock, mail_dir: Path
) -> None:
    user = enroll(client, clock, mail_dir, "dr.guess", approver=as_user("admin1"))
    challenge = client.post(LOGIN, json={"username": user.username, "password": user.password})
    token = challenge.json()["mfa_token"]
    for attempt in range(10):
        wrong = f"{(int(user.code(clock)) + 1 + attempt) % 1_000_000:06d}"
        assert client.post(LOGIN_OTP, json={"mfa_token": token, "otp": wrong}).status_code == 401
    # Locked: the right code no longer helps, and the enrolled session is gone too.
    clock.advance(dt.timedelta(seconds=30))
    assert (
        client.post(LOGIN_OTP, json={"mfa_token": token, "otp": user.code(clock)}).status_code
        == 401
    )
    assert client.get(ME, headers=user.headers).status_code == 401


def test_demo_accounts_need_demo_mode(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> None:
    production = settings.model_copy(update={"demo_mode": False})
    app = create_app(production, database=database, passwords=passwords, clock=clock)
    with TestClient(app) as client:
        refused = client.post(LOGIN, json={"username": "prescriber1", "password": DEMO_PASSWORD})
        assert refused.status_code == 401


# ---------------------------------------------------------------- throttling


def test_failures_are_limited_per_client_address(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> None:
    strict = settings.model_copy(update={"address_failure_limit": 5})
    app = create_app(strict, database=database, passwords=passwords, clock=clock)
    with TestClient(app) as client:
        for username in ("prescriber1", "prescriber2", "nobody", "admin1", "pharmacist1"):
            assert (
                client.post(LOGIN, json={"username": username, "password": "nope"}).status_code
                == 401
            )
        # Spread over five accounts, none is locked, but this address must now wait.
        throttled = client.post(LOGIN, json={"username": "admin1", "password": DEMO_PASSWORD})
        assert throttled.status_code == 429 and "Retry-After" in throttled.headers
        clock.advance(strict.address_window + dt.timedelta(seconds=1))
        assert (
            client.post(LOGIN, json={"username": "admin1", "password": DEMO_PASSWORD}).status_code
            == 200
        )


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("a" * (MIN_LENGTH - 1), False),
        ("zebra lamp orbit", True),
        ("ñandú-cigüeña-köln", True),  # Unicode counts in code points
        ("x7" + "k" * (MAX_LENGTH - 3) + "q", True),
        ("x7" + "k" * (MAX_LENGTH - 2) + "q", False),
        ("password1234", False),
        ("qwertyuiop12", False),
        ("123456789012", False),
        ("aaaaaaaaaaaaaaa", False),
        ("dr.rivers-2024", False),  # the username
        ("ada rivers 1999", False),  # the account's own name
        ("pharmacy2024!!", False),
        ("correct horse battery staple", True),
    ],
)
def test_password_rules(password: str, accepted: bool) -> None:
    problems = password_problems(password, username="dr.rivers", display_name="Dr. Ada Rivers")
    assert (problems == []) is accepted, problems


def test_three_thousand_common_passwords_are_refused_even_padded() -> None:
    words = common_passwords_by_rank()[:3000]  # the most common first
    refused = 0
    for word in words:
        padded = word + "2024!" * (1 + max(0, MIN_LENGTH - len(word)) // 5)
        refused += bool(password_problems(padded, username="someone"))
    assert refused == 3000


def test_password_change_ends_every_session(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    sessions = [as_user("prescriber2") for _ in range(3)]
    weak = client.post(
        "/api/v1/auth/password",
        headers=sessions[0],
        json={"current_password": DEMO_PASSWORD, "new_password": "prescriber2-password"},
    )
    assert weak.status_code == 422
    wrong = client.post(
        "/api/v1/auth/password",
        headers=sessions[0],
        json={"current_password": "not-it", "new_password": STRONG_PASSWORD},
    )
    assert wrong.status_code == 403
    changed = client.post(
        "/api/v1/auth/password",
        headers=sessions[0],
        json={"current_password": DEMO_PASSWORD, "new_password": STRONG_PASSWORD},
    )
    assert changed.status_code == 204
    assert [client.get(ME, headers=h).status_code for h in sessions] == [401, 401, 401]
    assert (
        client.post(LOGIN, json={"username": "prescriber2", "password": DEMO_PASSWORD}).status_code
        == 401
    )
    assert (
        client.post(
            LOGIN, json={"username": "prescriber2", "password": STRONG_PASSWORD}
        ).status_code
        == 200
    )
    assert len(_events(database, "account.password_change")) == 1


# ---------------------------------------------------------------- administration


def test_disable_and_role_change_end_sessions_and_are_audited(
    client: TestClient, as_user: Callable[[str], Headers], database: Database
) -> None:
    admin = as_user("admin1")
    users = {
        u["username"]: u for u in client.get("/api/v1/admin/users", headers=admin).json()["items"]
    }
    target = users["pharmacist1"]["id"]
    sessions = [as_user("pharmacist1") for _ in range(3)]
    disabled = client.patch(
        f"/api/v1/admin/users/{target}", headers=admin, json={"is_active": False}
    )
    assert disabled.status_code == 200 and disabled.json()["is_active"] is False
    assert [client.get(ME, headers=h).status_code for h in sessions] == [401, 401, 401]
    client.patch(f"/api/v1/admin/users/{target}", headers=admin, json={"is_active": True})
    session = as_user("pharmacist1")
    promoted = client.patch(f"/api/v1/admin/users/{target}", headers=admin, json={"role": "admin"})
    assert promoted.json()["role"] == "admin"
    assert client.get(ME, headers=session).status_code == 401
    own = users["admin1"]["id"]
    assert (
        client.patch(
            f"/api/v1/admin/users/{own}", headers=admin, json={"role": "pharmacist"}
        ).status_code
        == 403
    )
    no_licence = client.patch(
        f"/api/v1/admin/users/{target}", headers=admin, json={"role": "prescriber"}
    )
    assert no_licence.status_code == 422
    changes = _events(database, "account.role_change")
    assert [(e.actor_role, e.outcome) for e in changes] == [("admin", "success")]
    assert '"to":"admin"' in changes[0].details_json
    assert len(_events(database, "account.disable")) == 1
    assert len(_events(database, "account.enable")) == 1


# ---------------------------------------------------------------- SMTP


class _Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[EmailMessage] = []

    def handle_message(self, message: EmailMessage) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[_Inbox, int]]:
    inbox = _Inbox()
    # aiosmtpd checks its own port after starting, so it cannot take port 0: ask the OS
    # for a free one first.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def test_smtp_notifier_delivers_the_activation_code(
    settings: ServerSettings,
    database: Database,
    passwords: Passwords,
    clock: FakeClock,
    smtp_inbox: tuple[_Inbox, int],
) -> None:
    inbox, port = smtp_inbox
    by_mail = settings.model_copy(update={"notifier": "smtp", "smtp_port": port})
    app = create_app(by_mail, database=database, passwords=passwords, clock=clock)
    with TestClient(app) as client:
        admin = {"Authorization": "Bearer " + client.post(
            LOGIN, json={"username": "admin1", "password": DEMO_PASSWORD}
        ).json()["token"]}  # fmt: skip
        created = client.post(REQUESTS, json=account_request("dr.mail")).json()
        approved = client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=admin)
        assert approved.status_code == 200
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "dr.mail@clinic.example"
    body = str(message.get_payload())
    assert "Activation code: " in body


def test_unreachable_smtp_is_502_and_approving_again_resends(
    settings: ServerSettings,
    database: Database,
    passwords: Passwords,
    clock: FakeClock,
    smtp_inbox: tuple[_Inbox, int],
) -> None:
    inbox, port = smtp_inbox
    down = settings.model_copy(
        update={"notifier": "smtp", "smtp_port": 1, "smtp_timeout_seconds": 2}
    )
    app = create_app(down, database=database, passwords=passwords, clock=clock)
    with TestClient(app) as client:
        admin = {"Authorization": "Bearer " + client.post(
            LOGIN, json={"username": "admin1", "password": DEMO_PASSWORD}
        ).json()["token"]}  # fmt: skip
        created = client.post(REQUESTS, json=account_request("dr.later")).json()
        failed = client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=admin)
        assert failed.status_code == 502 and failed.json()["code"] == "notify.failed"
    up = settings.model_copy(update={"notifier": "smtp", "smtp_port": port})
    app = create_app(up, database=database, passwords=passwords, clock=clock)
    with TestClient(app) as client:
        admin = {"Authorization": "Bearer " + client.post(
            LOGIN, json={"username": "admin1", "password": DEMO_PASSWORD}
        ).json()["token"]}  # fmt: skip
        again = client.post(f"{ADMIN_REQUESTS}/{created['id']}/approve", headers=admin)
        assert again.status_code == 200
    assert len(inbox.messages) == 1
