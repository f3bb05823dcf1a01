"""The remembered user name: read and written in the system keyring, off the GUI thread.

Never the password or the session token. The keyring module loads on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from portal_client.core.settings import Settings
from portal_client.gui.ops import Op

if TYPE_CHECKING:
    from portal_client.core.durable.keystore import KeyStore

KeyStoreFactory = Callable[[str], "KeyStore"]


def default_keystore_factory(url: str) -> KeyStore:
    from portal_client.core.durable.keystore import KeyStore

    return KeyStore(url)


class UsernameMemory(QObject):
    """Signals:
    read(str): the user name saved at the last sign-in ("" for none).
    availability(bool): whether the keyring works (False: the name is not kept).
    """

    read = Signal(str)
    availability = Signal(bool)

    def __init__(self, settings: Settings, factory: KeyStoreFactory, parent: QObject) -> None:
        super().__init__(parent)
        self._settings = settings
        self._factory = factory
        self._keystore: KeyStore | None = None

    def keystore(self) -> KeyStore:
        """One keyring wrapper per server address (it remembers a keyring that hung).
        Called off the GUI thread only: making the first one imports the durable store."""
        url = self._settings.server_url or ""
        if self._keystore is None or self._keystore.server_url != url.rstrip("/"):
            self._keystore = self._factory(url)
        return self._keystore

    def load(self) -> None:
        def read() -> tuple[str | None, bool]:
            store = self.keystore()  # here: its first use imports the durable store
            return store.remembered_username(), store.available

        def show(result: tuple[str | None, bool]) -> None:
            name, available = result
            self.availability.emit(available)
            self.read.emit(name or "")

        Op(self, read).success(show).failure(lambda _error: self.availability.emit(False)).run()

    def store(self, username: str | None) -> None:
        """Remember ``username``, or forget the saved one (None)."""

        def write() -> bool:
            store = self.keystore()
            if username is None:
                store.forget_username()
                return store.available
            return store.remember_username(username)

        Op(self, write).success(self.availability.emit).failure(
            lambda _error: self.availability.emit(False)
        ).run()
