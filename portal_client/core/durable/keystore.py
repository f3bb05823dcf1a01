"""The per-user data key (and the remembered user name) in the OS keyring.

The key that encrypts drafts and the outbox lives in the system keyring, never
beside the data. The keyring is optional: a headless machine has none, a locked
one may refuse, a Secret Service prompt may hang forever. Every keyring call
therefore runs on a helper thread with a deadline, and any failure means
"no keyring": the key is then made in memory, ``persistent`` is False and the
GUI shows ``notice``. There is never a fallback to a file-based keyring and a
key is never written to disk.

Blocking: ``data_key_for`` and the user-name calls block for at most about
``timeout`` seconds per keyring call (at most three calls). Call them off the UI
thread. After one timeout the keyring is considered gone for the rest of the
session, so later calls answer at once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from portal_client.core.durable.crypto import KEY_BYTES, new_data_key
from portal_client.core.i18n import QT_TRANSLATE_NOOP

log = logging.getLogger(__name__)

SERVICE_NAME = "iv-prescriber-portal"
DEFAULT_TIMEOUT_S = 3.0
# Windows Credential Manager refuses blobs over 2,560 bytes; stay far below (F2).
MAX_SECRET_UTF16_BYTES = 1024

NO_KEYRING_NOTICE = QT_TRANSLATE_NOOP(
    "Keystore", "Drafts will not survive a restart because no system keyring is available."
)
KEYRING_TIMEOUT_NOTICE = QT_TRANSLATE_NOOP(
    "Keystore",
    "Drafts will not survive a restart because the system keyring did not answer in time.",
)
DAMAGED_KEY_NOTICE = QT_TRANSLATE_NOOP(
    "Keystore",
    "Drafts will not survive a restart because the drafts key in the system keyring is damaged.",
)

# Backends that store nothing (fail, null) or store secrets in a plain or weakly
# protected file beside the data (keyrings.alt): all of them mean "no keyring".
_REFUSED_BACKEND_MODULES = ("keyring.backends.fail", "keyring.backends.null", "keyrings.alt")

T = TypeVar("T")


class KeyringUnavailable(Exception):
    """The keyring cannot be used; ``notice`` is the sentence to show the user."""

    def __init__(self, reason: str, notice: str = NO_KEYRING_NOTICE) -> None:
        super().__init__(reason)
        self.notice = notice


@dataclass(frozen=True, repr=False)
class DataKey:
    """The key for one user's local store, and whether it will still exist after a restart."""

    key: bytes
    persistent: bool
    notice: str | None = None  # user-facing sentence when not persistent

    def __repr__(self) -> str:  # never print the key
        return f"DataKey(persistent={self.persistent}, notice={self.notice!r})"


def _backend_refusal(backend: Any) -> str | None:
    """Why ``backend`` must not hold our key, or None if it may."""
    module = type(backend).__module__
    if module.startswith(_REFUSED_BACKEND_MODULES):
        return f"keyring backend {module}.{type(backend).__name__} stores no secrets safely"
    children = getattr(backend, "backends", None)
    if module.startswith("keyring.backends.chainer"):
        if not children:
            return "the keyring chainer has no usable backend"
        for child in children:
            reason = _backend_refusal(child)
            if reason is not None:
                return reason
    return None


def _secret_fits(value: str) -> bool:
    return len(value.encode("utf-16-le")) <= MAX_SECRET_UTF16_BYTES


class KeyStore:
    """Keyring access for one server. Thread-safe; see the module docstring for blocking."""

    def __init__(
        self,
        server_url: str,
        *,
        backend: Any | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        service_name: str = SERVICE_NAME,
    ) -> None:
        self.server_url = server_url.rstrip("/")
        self.service_name = service_name
        self.timeout = timeout
        self._backend = backend
        self._lock = threading.Lock()
        self._gone: KeyringUnavailable | None = None  # set once the keyring hung or is refused
        # Keys made in memory when there is no keyring: the same user gets the same
        # key for the whole session, so an in-memory store can be reopened.
        self._memory_keys: dict[str, bytes] = {}

    # ------------------------------------------------------------ plumbing

    def _call(self, label: str, function: Callable[[], T]) -> T:
        """Run one keyring operation on a daemon thread, giving up after ``timeout``."""
        if self._gone is not None:
            raise self._gone
        outcome: dict[str, Any] = {}

        def run() -> None:
            try:
                outcome["value"] = function()
            except BaseException as error:  # re-raised on the caller's thread
                outcome["error"] = error

        # Daemon: a keyring stuck in D-Bus must not keep the application from exiting.
        worker = threading.Thread(target=run, name=f"keyring-{label}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if worker.is_alive():
            self._gone = KeyringUnavailable(
                f"keyring {label} did not finish within {self.timeout:g} s", KEYRING_TIMEOUT_NOTICE
            )
            log.warning("System keyring did not answer (%s); continuing without it", label)
            raise self._gone
        if "error" in outcome:
            error = outcome["error"]
            if not isinstance(error, Exception):
                raise error  # KeyboardInterrupt, SystemExit: not ours to swallow
            # NoKeyringError, KeyringLocked, InitError, PasswordSetError, D-Bus errors:
            # all of them mean the keyring cannot be used now.
            raise KeyringUnavailable(f"keyring {label} failed: {type(error).__name__}") from error
        return outcome["value"]  # type: ignore[no-any-return]

    def _resolve_backend(self) -> Any:
        def pick() -> Any:
            if self._backend is not None:
                return self._backend
            import keyring

            return keyring.get_keyring()

        backend = self._call("init", pick)
        refusal = _backend_refusal(backend)
        if refusal is not None:
            self._gone = KeyringUnavailable(refusal)
            raise self._gone
        return backend

    def _get(self, account: str) -> str | None:
        backend = self._resolve_backend()
        value = self._call("read", lambda: backend.get_password(self.service_name, account))
        return None if value is None else str(value)

    def _set(self, account: str, value: str) -> None:
        if not _secret_fits(value):
            raise ValueError("keyring values are kept under 1 KiB (Windows credential limit)")
        backend = self._resolve_backend()
        self._call("write", lambda: backend.set_password(self.service_name, account, value))

    def _delete(self, account: str) -> None:
        backend = self._resolve_backend()
        self._call("delete", lambda: backend.delete_password(self.service_name, account))

    def _data_key_account(self, username: str) -> str:
        return f"{self.server_url} {username} data-key"

    def _username_account(self) -> str:
        return f"{self.server_url} remembered-username"

    def _memory_key(self, username: str, notice: str) -> DataKey:
        key = self._memory_keys.setdefault(username, new_data_key())
        return DataKey(key=key, persistent=False, notice=notice)

    # ------------------------------------------------------------ public

    @property
    def available(self) -> bool:
        """False once the keyring is known to be missing, refused or hung."""
        return self._gone is None

    def data_key_for(self, username: str) -> DataKey:
        """This user's data key: read from the keyring, or made and stored there.

        Never raises for keyring trouble; returns a non-persistent in-memory key
        with a notice instead. Blocks up to about 3 × ``timeout``.
        """
        with self._lock:
            account = self._data_key_account(username)
            try:
                stored = self._get(account)
                if stored is None:
                    fresh = base64.b64encode(new_data_key()).decode("ascii")
                    self._set(account, fresh)
                    # Read back: some backends accept a write and keep nothing.
                    stored = self._get(account)
                    if stored != fresh:
                        raise KeyringUnavailable("the keyring did not keep the data key")
            except KeyringUnavailable as unavailable:
                log.warning("No persistent data key: %s", unavailable)
                return self._memory_key(username, unavailable.notice)
            try:
                key = base64.b64decode(stored.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                key = b""
            if len(key) != KEY_BYTES:
                # Do not overwrite it: data sealed with the real key would be lost for good.
                log.error("The data key in the keyring is damaged; not replacing it")
                return self._memory_key(username, DAMAGED_KEY_NOTICE)
            return DataKey(key=key, persistent=True)

    def existing_data_key(self, username: str) -> bytes | None:
        """This user's stored data key, or None (none kept, damaged, or no keyring).
        Never makes one. Blocks up to about 2 × ``timeout``."""
        with self._lock:
            try:
                stored = self._get(self._data_key_account(username))
            except KeyringUnavailable:
                return None
            if stored is None:
                return None
            try:
                key = base64.b64decode(stored.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                return None
            return key if len(key) == KEY_BYTES else None

    def keep_data_key(self, username: str, key: bytes) -> bool:
        """Store ``key`` as this user's data key (a store moved here keeps its key).
        False when the keyring did not keep it. Blocks up to about 3 × ``timeout``."""
        if len(key) != KEY_BYTES:
            raise ValueError("a data key is 32 bytes")
        encoded = base64.b64encode(key).decode("ascii")
        with self._lock:
            account = self._data_key_account(username)
            try:
                self._set(account, encoded)
                return self._get(account) == encoded
            except KeyringUnavailable:
                return False

    def remembered_username(self) -> str | None:
        """The user name saved at the last sign-in, or None. Blocks up to ~2 × ``timeout``."""
        with self._lock:
            try:
                return self._get(self._username_account())
            except KeyringUnavailable:
                return None

    def remember_username(self, username: str) -> bool:
        """Save the user name (never a password or token). False if there is no keyring."""
        with self._lock:
            try:
                self._set(self._username_account(), username)
            except KeyringUnavailable:
                return False
            return True

    def forget_username(self) -> None:
        with self._lock, contextlib.suppress(KeyringUnavailable):
            self._delete(self._username_account())
