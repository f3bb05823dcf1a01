from __future__ import annotations

import base64
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.errors import InitError, KeyringLocked

from portal_client.core.durable.keystore import (
    DAMAGED_KEY_NOTICE,
    KEYRING_TIMEOUT_NOTICE,
    NO_KEYRING_NOTICE,
    SERVICE_NAME,
    KeyStore,
)
from tests.helpers.secret_service import private_secret_service, require_binaries

SERVER = "https://pharmacy.example/"


class MemoryBackend(KeyringBackend):
    """A working keyring that records every value written."""

    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


class RaisingBackend(MemoryBackend):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error


class HangingBackend(MemoryBackend):
    """get_password blocks like a Secret Service waiting for an unlock prompt."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = threading.Event()
        self.release = threading.Event()

    def get_password(self, service: str, username: str) -> str | None:
        self.entered.set()
        self.release.wait(30)
        return None


def test_fail_backend_means_in_memory_key() -> None:
    keys = KeyStore(SERVER, backend=fail.Keyring())
    data_key = keys.data_key_for("prescriber1")
    assert not data_key.persistent
    assert data_key.notice == NO_KEYRING_NOTICE
    assert len(data_key.key) == 32
    # Same key for the rest of the session, so the in-memory store can be reopened.
    assert keys.data_key_for("prescriber1").key == data_key.key
    assert keys.data_key_for("prescriber2").key != data_key.key
    assert not keys.available
    assert keys.remembered_username() is None
    assert keys.remember_username("prescriber1") is False


def test_default_backend_under_tests_is_fail() -> None:
    assert os.environ["PYTHON_KEYRING_BACKEND"] == "keyring.backends.fail.Keyring"
    assert not KeyStore(SERVER).data_key_for("prescriber1").persistent


def test_null_backend_means_in_memory_key() -> None:
    assert not KeyStore(SERVER, backend=null.Keyring()).data_key_for("u").persistent


@pytest.mark.parametrize("error", [KeyringLocked("locked"), InitError("no dbus"), RuntimeError()])
def test_keyring_errors_mean_in_memory_key(error: Exception) -> None:
    data_key = KeyStore(SERVER, backend=RaisingBackend(error)).data_key_for("u")
    assert not data_key.persistent and data_key.notice == NO_KEYRING_NOTICE


def test_file_based_keyrings_are_refused() -> None:
    # A backend whose module is keyrings.alt (plaintext/encrypted file beside the data).
    refused = type("PlaintextKeyring", (MemoryBackend,), {"__module__": "keyrings.alt.file"})()
    data_key = KeyStore(SERVER, backend=refused).data_key_for("u")
    assert not data_key.persistent
    assert refused.secrets == {}


def test_hanging_keyring_times_out_and_is_not_asked_again() -> None:
    backend = HangingBackend()
    keys = KeyStore(SERVER, backend=backend, timeout=0.2)
    try:
        data_key = keys.data_key_for("u")
        assert backend.entered.is_set()
        assert not data_key.persistent and data_key.notice == KEYRING_TIMEOUT_NOTICE
        backend.entered.clear()
        assert keys.remembered_username() is None
        assert not backend.entered.is_set()  # answered at once, no second stuck thread
    finally:
        backend.release.set()


def test_working_keyring_stores_a_small_key_once() -> None:
    backend = MemoryBackend()
    keys = KeyStore(SERVER, backend=backend)
    first = keys.data_key_for("prescriber1")
    assert first.persistent and first.notice is None
    assert "b'" not in repr(first) and first.key.hex() not in repr(first)
    assert KeyStore(SERVER, backend=backend).data_key_for("prescriber1").key == first.key
    [(service, account)] = backend.secrets
    assert service == SERVICE_NAME and account.startswith("https://pharmacy.example prescriber1")
    for value in backend.secrets.values():
        assert len(value.encode("utf-16-le")) <= 1024
        assert base64.b64decode(value) == first.key


def test_damaged_key_is_not_overwritten() -> None:
    backend = MemoryBackend()
    keys = KeyStore(SERVER, backend=backend)
    keys.data_key_for("u")
    account = next(iter(backend.secrets))
    backend.secrets[account] = "not base64!"
    data_key = KeyStore(SERVER, backend=backend).data_key_for("u")
    assert not data_key.persistent and data_key.notice == DAMAGED_KEY_NOTICE
    assert backend.secrets[account] == "not base64!"


def test_remembered_username_round_trip() -> None:
    backend = MemoryBackend()
    keys = KeyStore(SERVER, backend=backend)
    assert keys.remembered_username() is None
    assert keys.remember_username("prescriber1")
    assert KeyStore(SERVER, backend=backend).remembered_username() == "prescriber1"
    keys.forget_username()
    assert keys.remembered_username() is None


@pytest.fixture
def secret_service(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_binaries()
    with private_secret_service() as session:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session.bus_address)
        yield session


def test_real_secret_service_round_trip(secret_service: Any, tmp_path: Path) -> None:
    from keyring.backends.SecretService import Keyring as SecretServiceKeyring

    backend = SecretServiceKeyring()
    keys = KeyStore(SERVER, backend=backend, timeout=10)
    first = keys.data_key_for("prescriber1")
    assert first.persistent and first.notice is None
    # A new KeyStore (as after a restart) reads the same key from the daemon.
    again = KeyStore(SERVER, backend=SecretServiceKeyring(), timeout=10).data_key_for("prescriber1")
    assert again.key == first.key
    assert keys.remember_username("prescriber1")
    assert keys.remembered_username() == "prescriber1"
    # The key is in the keyring, not in our data folders.
    every_byte = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert first.key not in every_byte and base64.b64encode(first.key) not in every_byte
