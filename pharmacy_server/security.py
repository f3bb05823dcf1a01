"""Password hashing (argon2id) and session tokens."""

from __future__ import annotations

import base64
import enum
import hashlib
import logging
import secrets
import threading
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
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


class Urgency(enum.IntEnum):
    """Who waits for a hash slot first: a signed-in user proving it is them again (to sign
    or answer) before anyone signing in, so a burst of sign-ins never holds up a signature."""

    STEP_UP = 0
    SIGN_IN = 1


class FairSlots:
    """At most ``capacity`` holders at once; waiters by urgency, then taking turns by key.

    Within an urgency each key (an account, or an address for unknown accounts) has its
    own queue and the keys are served round-robin: one account's burst of attempts waits
    behind itself, never in front of another account's single one. A freed slot passes
    straight to the next waiter, so a newcomer cannot overtake the queue.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._lock = threading.Lock()
        self._queued = threading.Condition(self._lock)  # notified when a waiter joins
        self._free = capacity
        self._waiting: dict[Urgency, OrderedDict[str, deque[threading.Event]]] = {
            urgency: OrderedDict() for urgency in Urgency
        }

    @contextmanager
    def slot(self, key: str, urgency: Urgency) -> Iterator[None]:
        turn: threading.Event | None = None
        with self._lock:
            if self._free > 0:
                self._free -= 1  # free slots exist only while nobody waits
            else:
                turn = threading.Event()
                self._waiting[urgency].setdefault(key, deque()).append(turn)
                self._queued.notify_all()
        if turn is not None:
            turn.wait()
        try:
            yield
        finally:
            self._release()

    def waiting(self) -> int:
        with self._lock:
            return self._count_waiting()

    def wait_for_waiting(self, count: int, timeout: float) -> bool:
        """Block until at least ``count`` attempts wait (monitoring and tests)."""
        with self._queued:
            return self._queued.wait_for(lambda: self._count_waiting() >= count, timeout)

    def _count_waiting(self) -> int:
        return sum(len(q) for queues in self._waiting.values() for q in queues.values())

    def _release(self) -> None:
        with self._lock:
            for queues in self._waiting.values():  # most urgent first
                if queues:
                    key, turns = next(iter(queues.items()))
                    turn = turns.popleft()
                    if turns:
                        queues.move_to_end(key)  # its next attempt waits for the others
                    else:
                        del queues[key]
                    turn.set()  # the slot passes to it
                    return
            self._free += 1


class Passwords:
    """argon2id with the library defaults (t=3, m=64 MiB, p=4: above the ASVS floor).

    ``FairSlots`` cap how many hashes run at once so a burst of sign-ins cannot exhaust
    memory (checklist D6), and order the waiters fairly (see ``Urgency``).
    """

    def __init__(self, max_concurrent: int = 4, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self.slots = FairSlots(max_concurrent)

    def hash(self, password: str, *, key: str = "", urgency: Urgency = Urgency.SIGN_IN) -> str:
        with self.slots.slot(key, urgency):
            return self._hasher.hash(password)

    def verify(
        self,
        password_hash: str,
        password: str,
        *,
        key: str = "",
        urgency: Urgency = Urgency.SIGN_IN,
    ) -> bool:
        """``key``: whose attempt it is (their turn is shared with their other attempts)."""
        with self.slots.slot(key, urgency):
            try:
                return self._hasher.verify(password_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    @cached_property
    def _dummy_hash(self) -> str:
        return self.hash(secrets.token_urlsafe(16))

    def verify_dummy(self, password: str, *, key: str = "") -> None:
        """Spend the same time as a real check, for a user who does not exist."""
        self.verify(self._dummy_hash, password, key=key)


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
