"""Password hashing (argon2id) and session tokens."""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
from functools import cached_property

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

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
