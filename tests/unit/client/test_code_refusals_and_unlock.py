"""core.accounts against a real server: each refused authenticator code says why, the code
that locks the account says how long, and unlocking checks the password within the
session. (A module of its own: the server takes five account requests per hour from one
address, and test_accounts.py uses them up.)"""

from __future__ import annotations

import pytest

from portal_client.core import accounts
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import NotSignedIn
from tests.helpers.live_server import LiveServer
from tests.helpers.totp_accounts import enrolled_account


def test_each_refused_code_reads_differently(server: LiveServer) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    wrong = f"{(int(account.authenticator.used_code()) + 500_000) % 1_000_000:06d}"
    with pytest.raises(accounts.SignInRefused) as wrong_code:
        accounts.finish_sign_in(client, challenge, wrong)
    stale = accounts.CodeChallenge("no-such-challenge", account.username)
    with pytest.raises(accounts.SignInRefused) as expired:
        accounts.finish_sign_in(client, stale, account.authenticator.next_code())
    assert (wrong_code.value.reason, expired.value.reason) == ("wrong_code", "challenge_expired")
    assert "not right" in str(wrong_code.value)
    assert "password again" in str(expired.value)
    assert not client.signed_in


def test_the_code_that_locks_the_account_says_how_long(server: LiveServer) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    reasons: list[str] = []
    for attempt in range(10):
        wrong = f"{(int(account.authenticator.used_code()) + 1000 + attempt) % 1_000_000:06d}"
        with pytest.raises(accounts.SignInRefused) as refused:
            accounts.finish_sign_in(client, challenge, wrong)
        reasons.append(refused.value.reason)
    assert reasons == ["wrong_code"] * 9 + ["locked"]
    assert refused.value.wait_seconds is not None and refused.value.wait_seconds > 29 * 60
    assert "locked" in str(refused.value) and "30 minutes" in str(refused.value)


def test_unlock_checks_the_password_within_the_session(server: LiveServer) -> None:
    account = enrolled_account(server)
    client = ApiClient(server.url)
    challenge = accounts.begin_sign_in(client, account.username, account.password)
    assert isinstance(challenge, accounts.CodeChallenge)
    accounts.finish_sign_in(client, challenge, account.authenticator.next_code())
    with pytest.raises(accounts.SignInRefused) as wrong:
        accounts.verify_password(client, "not my password at all")
    assert wrong.value.reason == "credentials"
    accounts.verify_password(client, account.password)  # password only, no code
    assert client.me().username == account.username  # the same session still works
    elsewhere = ApiClient(server.url)
    elsewhere._token = client._token  # the same session, ended from elsewhere
    elsewhere.logout()
    with pytest.raises(NotSignedIn):  # the server's 401: the lock screen signs in afresh
        accounts.verify_password(client, account.password)
