"""The one canonical byte form of a JSON value, so client and server hash alike.

Sorted keys, no whitespace, UTF-8 with non-ASCII kept as is (``ensure_ascii=False``).
NaN and infinities are refused: they are not JSON and would hash differently elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to canonical JSON bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_sha256(value: Any) -> str:
    """SHA-256 (lower-case hex) of the canonical JSON form of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()


SIGNING_TOKEN_FIELD = "signing_token"  # noqa: S105 - a field name, not a secret


def signing_sha256(body: Mapping[str, Any]) -> str:
    """What a prescriber signs: SHA-256 (hex) of the RFC 8785 (JCS) canonical JSON of a
    submission body without its ``signing_token``. ``POST /api/v1/auth/step-up`` takes
    this as ``content_sha256``; the server recomputes it from the body it receives."""
    import rfc8785

    unsigned = {key: value for key, value in body.items() if key != SIGNING_TOKEN_FIELD}
    return hashlib.sha256(rfc8785.dumps(unsigned)).hexdigest()
