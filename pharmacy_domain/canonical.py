"""The one canonical byte form of a JSON value, so client and server hash alike.

Sorted keys, no whitespace, UTF-8 with non-ASCII kept as is (``ensure_ascii=False``).
NaN and infinities are refused: they are not JSON and would hash differently elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(value: Any) -> bytes:
    """Serialise ``value`` to canonical JSON bytes."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def canonical_sha256(value: Any) -> str:
    """SHA-256 (lower-case hex) of the canonical JSON form of ``value``."""
    return hashlib.sha256(canonical_json(value)).hexdigest()
