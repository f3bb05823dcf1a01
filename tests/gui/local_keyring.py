"""An in-memory keyring backend for tests: the data key survives a "restart" within the test.

The real keyring is never touched (tests/conftest.py selects the fail backend); this one
is handed to ``KeyStore(backend=...)`` explicitly.
"""

from __future__ import annotations

from pathlib import Path

from keyring.backend import KeyringBackend

from portal_client.core.durable import DurableSession, KeyStore, open_user_store


class MemoryKeyring(KeyringBackend):
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


def opener(data_dir: Path, keyring: MemoryKeyring):  # type: ignore[no-untyped-def]
    """A ``store_opener`` for PrescriberWindow: the user's store under ``data_dir``."""
    from portal_client.core.durable import ApiClientTransport

    def open_store(client, user) -> DurableSession:  # type: ignore[no-untyped-def]
        return open_user_store(
            data_dir,
            client.base_url,
            user.username,
            ApiClientTransport(client),
            keystore=KeyStore(client.base_url, backend=keyring),
        )

    return open_store
