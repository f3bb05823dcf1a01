"""Real accounts with an authenticator, made through the server's own front door:
request → approval by the demo admin → the activation code from the demo mail folder →
password and TOTP enrollment → first code. ``Authenticator`` then plays the phone."""

from __future__ import annotations

import datetime as dt
import email
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from pharmacy_domain.identifiers import npi_check_digit
from portal_client.core import accounts
from portal_client.core.api_client import ApiClient
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer
from tests.helpers.rfc6238 import reference_code, secret_from_base32

STRONG_PASSWORD = "copper kettle under blue rain"
CODE_PATTERN = re.compile(r"Activation code: ([0-9A-Z-]+)")


def valid_npi(first_nine: str = "123456789") -> str:
    return first_nine + npi_check_digit(first_nine)


@dataclass
class Authenticator:
    """RFC 6238 codes, each step used once (the server refuses a code twice); made by
    ``tests.helpers.rfc6238``, never by the server's own ``pharmacy_server.totp``."""

    secret_base32: str
    last_step: int = -1
    period: int = 30

    def _code_at(self, step: int) -> str:
        return reference_code(secret_from_base32(self.secret_base32), step)

    def next_code(self) -> str:
        """A code the server accepts now: the oldest step in its ±1 window not yet used."""
        now_step = int(time.time()) // self.period
        step = max(self.last_step + 1, now_step - 1)
        assert step <= now_step + 1, "used up this window's codes; the test is too greedy"
        self.last_step = step
        return self._code_at(step)

    def used_code(self) -> str:
        """The last code given out again (a replay)."""
        return self._code_at(self.last_step)


@dataclass
class EnrolledAccount:
    username: str
    password: str
    authenticator: Authenticator
    display_name: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _admin(server: LiveServer) -> ApiClient:
    admin = ApiClient(server.url)
    admin.login("admin1", DEMO_PASSWORD)
    return admin


def mail_folder(server: LiveServer) -> Path:
    return server.data_dir / "mail"


def activation_code_for(server: LiveServer, address: str) -> str:
    """The newest activation code mailed to ``address`` by the demo's file notifier."""
    found: list[tuple[float, str]] = []
    for path in mail_folder(server).glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        if message["To"] != address:
            continue
        body = message.get_payload(decode=True)
        assert isinstance(body, bytes)
        match = CODE_PATTERN.search(body.decode("utf-8"))
        if match:
            found.append((path.stat().st_mtime_ns, match.group(1)))
    assert found, f"no activation mail for {address}"
    return max(found)[1]


def request_account(
    server: LiveServer,
    *,
    role: str = "prescriber",
    licence_days: int = 400,
    display_name: str = "Dr Test Prescriber",
    username: str | None = None,
) -> accounts.AccountRequest:
    username = username or f"user{uuid.uuid4().hex[:10]}"
    prescriber = role == "prescriber"
    request = accounts.AccountRequest(
        username=username,
        display_name=display_name,
        email=f"{username}@clinic.example",
        clinic="Riverside Integrative Health",
        role="prescriber" if prescriber else "clinic_staff",
        npi=valid_npi() if prescriber else None,
        licence_number="A123456" if prescriber else None,
        licence_state="CA" if prescriber else None,
        licence_expires_on=(dt.date.today() + dt.timedelta(days=licence_days)).isoformat()
        if prescriber
        else None,
    )
    client = ApiClient(server.url)
    try:
        accounts.request_account(client, request)
    finally:
        client.close()
    return request


def approve(server: LiveServer, username: str) -> str:
    """Approve the pending request for ``username``; its mailed activation code."""
    admin = _admin(server)
    try:
        page = accounts.account_requests(admin, status="pending", limit=100)
        request = next(item for item in page.items if item.username == username)
        accounts.approve_request(admin, request.id)
        return activation_code_for(server, request.email)
    finally:
        admin.logout()


def enrolled_account(server: LiveServer, **request_options: object) -> EnrolledAccount:
    """A brand-new, active account with TOTP; it is not left signed in."""
    request = request_account(server, **request_options)  # type: ignore[arg-type]
    code = approve(server, request.username)
    client = ApiClient(server.url)
    enrollment = accounts.start_activation(client, request.username, code, STRONG_PASSWORD)
    phone = Authenticator(enrollment.secret)
    accounts.confirm_activation(client, request.username, code, phone.next_code())
    client.logout()
    return EnrolledAccount(request.username, STRONG_PASSWORD, phone, request.display_name)
