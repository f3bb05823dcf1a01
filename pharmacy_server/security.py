"""Password hashing (argon2id) and session tokens."""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

log = logging.getLogger(__name__)

TOKEN_BYTES = 32  # 256 bits (checklist C7 asks for at least 128)


def new_session_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What the database stores instead of the token itself."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Passwords:
    """argon2id with the library defaults (t=3, m=64 MiB, p=4: above the ASVS floor).

    A semaphore caps how many hashes run at once so a burst of logins cannot
    exhaust memory (checklist D6).
    """

    def __init__(self, max_concurrent: int = 4, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = threading.BoundedSemaphore(max_concurrent)

    def hash(self, password: str) -> str:
        with self._slots:
            return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        with self._slots:
            try:
                return self._hasher.verify(password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hash(secrets.token_urlsafe(16))

    def verify_dummy(self, password: str) -> None:
        """Spend the same time as a real check, for a user who does not exist."""
        self.verify(self._dummy_hash, password)


def cheap_hasher() -> PasswordHasher:
    """argon2id at the library's minimum (t=1, 8 KiB, p=1): far below the ASVS floor, so
    test suites and the demo hash in microseconds. Never for real accounts."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


class CheapHashingRefused(RuntimeError):
    """``PHARMACY_TEST_CHEAP_HASHING`` was set on a server that is not in demo mode."""


def server_passwords(*, max_concurrent: int, cheap: bool, demo_mode: bool) -> Passwords:
    """The server's password hashing: production argon2id unless ``cheap`` is asked for,
    which only a demo-mode server accepts (its accounts have a published password and
    sign in without TOTP, so weak hashes there expose nothing new). Anywhere else the
    request is refused rather than ignored: a setting that silently did nothing could
    hide a deployment whose test configuration leaked into production."""
    if not cheap:
        return Passwords(max_concurrent)
    if not demo_mode:
        raise CheapHashingRefused(
            "PHARMACY_TEST_CHEAP_HASHING is set, but the server is not in demo mode: "
            "refusing to store real passwords with test-strength hashing"
        )
    # Hashes made now carry their weak parameters in the PHC string, so a production
    # server rehashes them at the next sign-in (``Passwords.needs_rehash``).
    log.warning("test-strength password hashing (demo mode only)")
    return Passwords(max_concurrent, hasher=cheap_hasher())


class SecretBox:
    """AES-256-GCM for secrets the server must read back (TOTP seeds). The key comes from
    settings, never from the database; ``context`` (the user id) is bound as associated
    data, so a sealed seed copied onto another account does not open."""

    NONCE_BYTES = 12

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise ValueError("the server secret key must be 32 bytes")
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        self._aead = AESGCM(key)

    @classmethod
    def from_text(cls, text: str) -> SecretBox:
        """A key given as URL-safe base64 (``pharmacy-server`` writes one on first run)."""
        padded = text.strip() + "=" * (-len(text.strip()) % 4)
        return cls(base64.urlsafe_b64decode(padded.encode("ascii")))

    def seal(self, plaintext: bytes, context: str) -> str:
        nonce = secrets.token_bytes(self.NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, context.encode("utf-8"))
        return base64.urlsafe_b64encode(nonce + sealed).decode("ascii")

    def open(self, sealed: str, context: str) -> bytes:
        raw = base64.urlsafe_b64decode(sealed.encode("ascii"))
        return self._aead.decrypt(
            raw[: self.NONCE_BYTES], raw[self.NONCE_BYTES :], context.encode("utf-8")
        )


def new_secret_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")
