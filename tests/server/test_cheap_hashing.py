"""Test-strength argon2 (``PHARMACY_TEST_CHEAP_HASHING``): on in demo-mode servers, refused
everywhere else, so a leaked test setting can never weaken a real deployment's hashes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy
from argon2 import extract_parameters

from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings, sqlite_url_for
from pharmacy_server.security import (
    CheapHashingRefused,
    cheap_hasher,
    new_secret_key_text,
    server_passwords,
)
from tests.helpers.live_server import LiveServer

CHEAP_ENV = "PHARMACY_TEST_CHEAP_HASHING"


def test_the_test_suite_asks_every_server_for_cheap_hashing() -> None:
    assert os.environ.get(CHEAP_ENV) == "1"
    assert ServerSettings().test_cheap_hashing is True


def test_cheap_hashing_is_argon2id_at_its_minimum() -> None:
    params = extract_parameters(cheap_hasher().hash("copper kettle under blue rain"))
    assert params.type.name == "ID"
    assert (params.time_cost, params.memory_cost, params.parallelism) == (1, 8, 1)


def test_a_demo_server_may_hash_cheaply() -> None:
    passwords = server_passwords(max_concurrent=4, cheap=True, demo_mode=True)
    stored = passwords.hash("copper kettle under blue rain")
    assert extract_parameters(stored).memory_cost == 8
    assert passwords.verify(stored, "copper kettle under blue rain")


def test_without_the_setting_hashing_is_production_strength() -> None:
    passwords = server_passwords(max_concurrent=4, cheap=False, demo_mode=True)
    params = extract_parameters(passwords.hash("copper kettle under blue rain"))
    assert params.time_cost >= 3 and params.memory_cost >= 65536


def test_a_server_not_in_demo_mode_refuses_cheap_hashing() -> None:
    with pytest.raises(CheapHashingRefused, match="not in demo mode"):
        server_passwords(max_concurrent=4, cheap=True, demo_mode=False)
    production = ServerSettings(
        database_url="sqlite://", secret_key=new_secret_key_text(), test_cheap_hashing=True
    )
    assert production.demo_mode is False
    with pytest.raises(CheapHashingRefused):
        create_app(production)


@pytest.mark.slow  # a server process
def test_pharmacy_server_serve_will_not_start_with_it_outside_demo_mode(tmp_path: Path) -> None:
    env = {**os.environ, CHEAP_ENV: "1"}
    env.pop("PHARMACY_DEMO_MODE", None)
    state = tmp_path / "state"
    database = sqlite_url_for(tmp_path / "pharmacy.sqlite3")
    command = [sys.executable, "-m", "pharmacy_server", "serve", "--port", "0"]
    command += ["--database", database, "--state-dir", str(state)]
    refused = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    assert refused.returncode == 2
    assert b"refusing to store real passwords with test-strength hashing" in refused.stderr
    assert not state.exists()  # no secret key file, nothing written
    assert not (tmp_path / "pharmacy.sqlite3").exists()


@pytest.mark.slow  # a server process
def test_the_demo_server_process_stores_cheap_hashes(live_server: LiveServer) -> None:
    engine = sqlalchemy.create_engine(live_server.database_url)
    try:
        with engine.connect() as connection:
            query = sqlalchemy.text("SELECT password_hash FROM app_user")
            stored = [row[0] for row in connection.execute(query)]
    finally:
        engine.dispose()
    assert stored
    assert {extract_parameters(value).memory_cost for value in stored} == {8}
