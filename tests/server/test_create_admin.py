"""``pharmacy-server create-admin``: a new deployment's first account, through the same
activation as any approved user (a one-time code, a password, an authenticator)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pharmacy_server.config import sqlite_url_for
from pharmacy_server.security import new_secret_key_text
from portal_client.core import account_admin, accounts
from portal_client.core.api_client import ApiClient
from portal_client.core.errors import PortalError
from tests.helpers.live_server import start_live_server
from tests.helpers.postgres import ThrowawayPostgres
from tests.helpers.totp_accounts import CODE_PATTERN, STRONG_PASSWORD, Authenticator

PRODUCTION = {"PHARMACY_TEST_CHEAP_HASHING": "0", "PHARMACY_DEMO_MODE": "0"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def deployment(
    request: pytest.FixtureRequest, tmp_path: Path, throwaway_postgres: ThrowawayPostgres
) -> tuple[str, dict[str, str]]:
    """A fresh database of each kind and the production settings a server needs on it."""
    if request.param == "sqlite":
        return sqlite_url_for(tmp_path / "server" / "pharmacy.sqlite3"), dict(PRODUCTION)
    # A shared database: every process must be given the same key (none is made for it).
    return throwaway_postgres.create(), {**PRODUCTION, "PHARMACY_SECRET_KEY": new_secret_key_text()}


def _create_admin(url: str, state_dir: Path, *options: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **PRODUCTION}
    environment.pop("PHARMACY_DATABASE_URL", None)
    command = [sys.executable, "-m", "pharmacy_server", "create-admin", "--database", url]
    command += ["--state-dir", str(state_dir), *options]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120, check=False
    )


FIRST_ADMIN = (
    "--username", "priya.raman", "--display-name", "Priya Raman, PharmD",
    "--email", "priya@pharmacy.example",
)  # fmt: skip


@pytest.mark.slow  # a production server process with real argon2
def test_the_first_admin_activates_with_the_printed_code(
    tmp_path: Path, deployment: tuple[str, dict[str, str]]
) -> None:
    data_dir = tmp_path / "server"
    url, environment = deployment
    with start_live_server(data_dir, database_url=url, demo=False, extra_env=environment) as server:
        created = _create_admin(url, data_dir, *FIRST_ADMIN)
        assert created.returncode == 0, created.stderr
        match = CODE_PATTERN.search(created.stdout)
        assert match is not None, created.stdout
        code = match.group(1)
        assert "Created the account priya.raman (admin)" in created.stdout
        # The code opens the account: on the operator's terminal only, never in a log.
        assert code not in created.stderr
        assert code not in server.log_text()

        client = ApiClient(server.url)
        enrollment = accounts.start_activation(client, "priya.raman", code, STRONG_PASSWORD)
        phone = Authenticator(enrollment.secret)
        signed_in = accounts.confirm_activation(client, "priya.raman", code, phone.next_code())
        assert signed_in.role == "admin"
        # An admin indeed: the accounts list is theirs to read, and they are on it.
        assert "priya.raman" in [user.username for user in account_admin.users(client).items]
        client.logout()

        again = _create_admin(url, data_dir, *FIRST_ADMIN)
        assert again.returncode == 2
        assert "already activated" in again.stderr
        assert "Activation code" not in again.stdout


@pytest.mark.slow  # server processes
def test_a_second_run_before_activation_voids_the_first_code(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    url = sqlite_url_for(data_dir / "pharmacy.sqlite3")
    with start_live_server(data_dir, database_url=url, demo=False, extra_env=PRODUCTION) as server:
        first = CODE_PATTERN.search(_create_admin(url, data_dir, *FIRST_ADMIN).stdout)
        second_run = _create_admin(url, data_dir, *FIRST_ADMIN)
        second = CODE_PATTERN.search(second_run.stdout)
        assert first is not None and second is not None
        assert "A new activation code for priya.raman" in second_run.stdout
        client = ApiClient(server.url)
        with pytest.raises(PortalError):
            accounts.start_activation(client, "priya.raman", first.group(1), STRONG_PASSWORD)
        accounts.start_activation(client, "priya.raman", second.group(1), STRONG_PASSWORD)


def test_bad_options_are_named_and_nothing_is_made(tmp_path: Path) -> None:
    url = sqlite_url_for(tmp_path / "server" / "pharmacy.sqlite3")
    refused = _create_admin(
        url,
        tmp_path / "server",
        "--username", "p",
        "--display-name", "Priya\u202eRaman",
        "--email", "not-an-address",
    )  # fmt: skip
    assert refused.returncode == 2
    for option in ("--username:", "--display-name:", "--email:"):
        assert option in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not (tmp_path / "server").exists()  # refused before any file was made
