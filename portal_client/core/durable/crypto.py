"""AES-256-GCM sealing of local records (drafts, outbox rows).

Each record gets a fresh random 96-bit nonce, and the associated data binds the
ciphertext to its kind and record id: a sealed draft copied into another row, or
an outbox body swapped with a draft, fails to open instead of being misread.
Opening never returns garbage: a wrong key, a flipped bit or a swapped row
raises ``DecryptionFailed``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
# The first byte of every sealed blob names the format, so a later format can
# coexist with rows written by this one.
FORMAT_V1 = b"\x01"


class DecryptionFailed(Exception):
    """A sealed record could not be opened: wrong key, tampering, or a swapped row."""


def new_data_key() -> bytes:
    """32 random bytes from the operating system's CSPRNG."""
    return os.urandom(KEY_BYTES)


def _associated_data(kind: str, record_id: str) -> bytes:
    # The NUL separator keeps ("a:b", "c") and ("a", "b:c") apart.
    return FORMAT_V1 + kind.encode("utf-8") + b"\x00" + record_id.encode("utf-8")


class RecordCipher:
    """Seals and opens records with one data key. Thread-safe (no mutable state)."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"the data key must be {KEY_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, kind: str, record_id: str, plaintext: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _associated_data(kind, record_id))
        return FORMAT_V1 + nonce + sealed

    def open(self, kind: str, record_id: str, blob: bytes) -> bytes:
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != FORMAT_V1:
            raise DecryptionFailed(f"the stored {kind} record {record_id} is damaged")
        nonce = blob[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(
                nonce, blob[1 + NONCE_BYTES :], _associated_data(kind, record_id)
            )
        except InvalidTag as error:
            raise DecryptionFailed(
                f"the stored {kind} record {record_id} cannot be opened with this key"
            ) from error

    def seal_json(self, kind: str, record_id: str, value: Any) -> bytes:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return self.seal(kind, record_id, text.encode("utf-8"))

    def open_json(self, kind: str, record_id: str, blob: bytes) -> Any:
        return json.loads(self.open(kind, record_id, blob).decode("utf-8"))
