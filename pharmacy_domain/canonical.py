"""Canonical byte forms of JSON values, so client and server hash alike.

Every hash over JSON uses RFC 8785 (JCS): sorted keys (by UTF-16 code units), no
whitespace, UTF-8, numbers in their shortest ECMAScript form (``2.0`` is ``2``). It is
defined outside Python, so another implementation reproduces the bytes. NaN, infinities
and integers beyond ±(2**53 - 1) are refused: JSON cannot carry them exactly.

Hashes recorded before RFC 8785 was adopted used ``CanonicalForm.SORTED_JSON``; a stored
hash says which form it was made with (audit events, idempotency fingerprints), so those
keep verifying. ``canonical_json`` is that older form and stays the stored text form of
JSON columns, which no one re-hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import rfc8785


class CanonicalForm(StrEnum):
    """How a JSON value was turned into bytes before it was hashed."""

    #: ``canonical_json``: Python's sorted, compact ``json.dumps``; hashes made before RFC 8785.
    SORTED_JSON = "sorted-json"
    RFC8785 = "rfc8785"


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no whitespace, UTF-8 with non-ASCII kept as is; NaN refused.

    The stored text of JSON columns, and ``CanonicalForm.SORTED_JSON`` for old hashes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_bytes(value: Any, form: CanonicalForm = CanonicalForm.RFC8785) -> bytes:
    """``value`` serialised in ``form``; ``ValueError`` for a value it cannot carry."""
    if form is CanonicalForm.SORTED_JSON:
        return canonical_json(value)
    return rfc8785.dumps(value)


def canonical_sha256(value: Any, form: CanonicalForm = CanonicalForm.RFC8785) -> str:
    """SHA-256 (lower-case hex) of ``value`` in canonical ``form``."""
    return hashlib.sha256(canonical_bytes(value, form)).hexdigest()


SIGNING_TOKEN_FIELD = "signing_token"  # noqa: S105 - a field name, not a secret


def signing_sha256(body: Mapping[str, Any]) -> str:
    """What a prescriber signs: SHA-256 (hex) of the RFC 8785 (JCS) canonical JSON of a
    submission body without its ``signing_token``. ``POST /api/v1/auth/step-up`` takes
    this as ``content_sha256``; the server recomputes it from the body it receives."""
    unsigned = {key: value for key, value in body.items() if key != SIGNING_TOKEN_FIELD}
    return canonical_sha256(unsigned)
