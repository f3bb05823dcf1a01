"""core.accounts: identifier and password checks, licence status, and the account calls
against a real server (request, approval, activation, two-step sign-in, password change,
audit)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from pharmacy_server.identifiers import is_valid_dea, is_valid_npi
from portal_client.core import accounts
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import ApiError, NotSignedIn
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer
from tests.helpers.totp_accounts import (
    STRONG_PASSWORD,
    Authenticator,
    approve,
    enrolled_account,
    request_account,
    valid_npi,
)

# ---------------------------------------------------------------- identifiers


def test_npi_check_digit_agrees_with_the_server() -> None:
    rng = random.Random(4)
    for _ in range(500):
        npi = "".join(rng.choice("0123456789") for _ in range(10))
        assert (accounts.npi_problem(npi) is None) == is_valid_npi(npi), npi


def test_npi_messages_say_what_is_wrong() -> None:
    assert accounts.npi_problem("1234567893") is None  # the CMS example
    assert "check digit" in (accounts.npi_problem("1234567890") or "")
    assert "10 digits (4 so far)" in (accounts.npi_problem("1234") or "")
    assert "digits only" in (accounts.npi_problem("12345X7893") or "")
    assert "Enter" in (accounts.npi_problem("") or "")


def test_dea_check_digit_agrees_with_the_server() -> None:
    rng = random.Random(5)
    letters = "ABFGMX"
    for _ in range(500):
        dea = (
            rng.choice(letters)
            + rng.choice("ABCZ9")
            + "".join(rng.choice("0123456789") for _ in range(7))
        )
        assert (accounts.dea_problem(dea) is None) == is_valid_dea(dea), dea
    assert accounts.dea_problem("") is None  # optional
    assert "check digit" in (accounts.dea_problem("AB1234560") or "")
    assert "2 letters then 7 digits" in (accounts.dea_problem("A11234563") or "")
    assert accounts.dea_problem("ab1234563") is None  # case does not matter


def test_password_rules_are_length_and_not_the_user_name() -> None:
    assert "at least 12" in (accounts.password_problem("x" * 11) or "")
    assert accounts.password_problem("a" * 12) is None  # no composition rules (the server
    # refuses this one as a repetition, and says so)
    assert accounts.password_problem("é" * 128) is None
    assert "at most 128" in (accounts.password_problem("p" * 129) or "")
    assert "user name" in (accounts.password_problem("my name is mchen ok", "mchen") or "")


@pytest.mark.parametrize(
    ("days", "kind", "can_sign"),
    [(400, "current", True), (30, "expiring", True), (0, "expiring", True), (-1, "expired", False)],
)
def test_licence_status(days: int, kind: str, can_sign: bool) -> None:
    today = dt.date(2026, 11, 26)
    status = accounts.licence_status((today + dt.timedelta(days=days)).isoformat(), today)
    assert status.kind == kind and status.can_sign is can_sign
    if kind == "expired":
        assert "cannot sign" in status.message
    if kind == "expiring":
        assert "expires" in status.message
    assert accounts.licence_status(None, today).kind == "missing"


def test_secrets_are_not_printed() -> None:
    enrollment = accounts.Enrollment("otpauth://totp/x?secret=ABCDEFGH", "ABCDEFGHIJKLMNOP")
    assert "ABCD" not in repr(enrollment)
    assert enrollment.grouped_secret == "ABCD EFGH IJKL MNOP"
    assert "tok" not in repr(accounts.CodeChallenge("tok-secret", "u"))


# ---------------------------------------------------------------- against the server


def test_request_approve_activate_and_sign_in_with_a_code(server: LiveServer) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge) and not client.signed_in
    user = accounts.finish_sign_in(client, challenge, account.authenticator.next_code())
    assert client.signed_in and user.username == account.username and user.mfa_enrolled
    assert user.licence_expires_on  # the banner's input
    client.logout()


def test_a_code_is_accepted_once(server: LiveServer) -> None:
    account = enrolled_account(server)
    first = ApiClient(server.url)
    challenge = accounts.begin_sign_in(first, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    accounts.finish_sign_in(first, challenge, account.authenticator.next_code())
    second = ApiClient(server.url)
    challenge = accounts.begin_sign_in(second, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    with pytest.raises(accounts.SignInRefused) as refused:
        accounts.finish_sign_in(second, challenge, account.authenticator.used_code())
    assert refused.value.reason == "code_used"
    assert "each code works once" in str(refused.value)
    first.logout()


def test_wrong_password_and_unknown_user_read_alike(server: LiveServer) -> None:
    client = ApiClient(server.url)
    with pytest.raises(accounts.SignInRefused) as wrong:
        accounts.begin_sign_in(client, "prescriber1", "not the password")
    with pytest.raises(accounts.SignInRefused) as unknown:
        accounts.begin_sign_in(client, "nobody-here", "not the password")
    assert str(wrong.value) == str(unknown.value)
    assert wrong.value.reason == "credentials"


def test_demo_accounts_sign_in_with_the_password_alone(server: LiveServer) -> None:
    client = ApiClient(server.url)
    user = accounts.begin_sign_in(client, "prescriber1", DEMO_PASSWORD)
    assert not isinstance(user, accounts.CodeChallenge) and client.signed_in
    client.logout()


def test_activation_refuses_a_weak_password_with_the_reason(server: LiveServer) -> None:
    request = request_account(server)
    code = approve(server, request.username)
    client = ApiClient(server.url)
    with pytest.raises(ApiError) as refused:
        accounts.start_activation(client, request.username, code, "password1234")
    assert refused.value.status == 422
    assert any(e.field == "password" for e in refused.value.field_errors)
    enrollment = accounts.start_activation(client, request.username, code, STRONG_PASSWORD)
    assert enrollment.otpauth_uri.startswith("otpauth://totp/")
    assert len(enrollment.secret) >= 32  # 160 bits in base32
    client.close()


def test_password_change_ends_the_session(server: LiveServer) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    accounts.finish_sign_in(client, challenge, account.authenticator.next_code())
    with pytest.raises(accounts.SignInRefused):
        accounts.change_password(client, "wrong current password", "another long phrase here")
    accounts.change_password(client, account.password, "violet harbour seven lanterns")
    with pytest.raises(NotSignedIn):
        client.me()


def test_reject_and_audit_trail(server: LiveServer) -> None:
    request = request_account(server, role="clinic_staff")
    admin = ApiClient(server.url)
    admin.login("admin1", DEMO_PASSWORD)
    pending = accounts.account_requests(admin, status="pending", limit=100)
    item = next(i for i in pending.items if i.username == request.username)
    decided = accounts.reject_request(admin, item.id, "Unknown clinic")
    assert decided.status == "rejected" and decided.decision_reason == "Unknown clinic"
    page = accounts.audit_events(admin, limit=5)
    assert len(page.items) == 5 and page.total > 5 and page.next_cursor
    assert page.items[0].seq > page.items[-1].seq  # newest first
    older = accounts.audit_events(admin, cursor=page.next_cursor, limit=5)
    assert older.items[0].seq < page.items[-1].seq
    rejects = accounts.audit_events(admin, action="account.reject")
    assert rejects.items and all(e.action == "account.reject" for e in rejects.items)
    admin.logout()


def test_prescribers_cannot_see_requests_or_audit(server: LiveServer) -> None:
    client = ApiClient(server.url)
    client.login("prescriber1", DEMO_PASSWORD)
    for call in (lambda: accounts.account_requests(client), lambda: accounts.audit_events(client)):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status == 403
    client.logout()


def test_authenticator_helper_matches_the_server() -> None:
    from pharmacy_server import totp

    secret = totp.new_secret()
    phone = Authenticator(totp.secret_to_base32(secret))
    code = phone.next_code()
    now = dt.datetime.now(dt.UTC)
    assert totp.matching_step(secret, code, now, None) == phone.last_step
    assert valid_npi().isdigit()
