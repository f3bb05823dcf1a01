"""Keyset pagination shared by every list: newest first, an opaque cursor, at most 100."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from typing import Any

from pharmacy_domain.prescription import FieldError
from pharmacy_server.clock import wire_time
from pharmacy_server.errors import Invalid

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50
#: The largest sequence number a cursor may name (a signed 64-bit column).
MAX_SEQ = 2**63 - 1


def clamp_limit(limit: int) -> int:
    return max(1, min(limit, MAX_PAGE_SIZE))


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(cursor: str) -> Any:
    padded = cursor + "=" * (-len(cursor) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode()))


def _bad_cursor() -> Invalid:
    return Invalid(
        "The cursor is not valid.", [FieldError("cursor", "is not a cursor this server issued")]
    )


def encode_cursor(created_at: dt.datetime, row_id: uuid.UUID) -> str:
    return _b64(json.dumps({"t": wire_time(created_at), "id": str(row_id)}).encode())


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        data = _unb64(cursor)
        if "d" in data:
            raise ValueError("a cursor of the needed-by order")
        created_at = dt.datetime.fromisoformat(data["t"])
        if created_at.tzinfo is None:
            raise ValueError("naive time")
        return created_at, uuid.UUID(data["id"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def encode_seq_cursor(seq: int) -> str:
    return _b64(json.dumps({"seq": seq}).encode())


def decode_seq_cursor(cursor: str) -> int:
    try:
        value = _unb64(cursor)["seq"]
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError("seq")
        if not 0 <= value <= MAX_SEQ:  # a larger one fits no database column
            raise ValueError("seq")
        return value
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def encode_date_cursor(day: dt.date | None, created_at: dt.datetime, row_id: uuid.UUID) -> str:
    """A place in a list sorted by a date that may be missing (those last), then newest."""
    day_text = None if day is None else day.isoformat()
    return _b64(json.dumps({"d": day_text, "t": wire_time(created_at), "id": str(row_id)}).encode())


def decode_date_cursor(cursor: str) -> tuple[dt.date | None, dt.datetime, uuid.UUID]:
    try:
        data = _unb64(cursor)
        day = data["d"]
        if day is not None and not isinstance(day, str):
            raise TypeError("d")
        created_at, row_id = decode_cursor(
            _b64(json.dumps({"t": data["t"], "id": data["id"]}).encode())
        )
        return (None if day is None else dt.date.fromisoformat(day)), created_at, row_id
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def encode_key_cursor(order: str, key: str, created_at: dt.datetime, row_id: uuid.UUID) -> str:
    """A place in a list sorted by a text key (``order`` names it), then newest."""
    return _b64(
        json.dumps({"o": order, "k": key, "t": wire_time(created_at), "id": str(row_id)}).encode()
    )


def decode_key_cursor(order: str, cursor: str) -> tuple[str, dt.datetime, uuid.UUID]:
    """The key, time and id of ``encode_key_cursor``; a cursor of another order is refused."""
    try:
        data = _unb64(cursor)
        key = data["k"]
        if data["o"] != order or not isinstance(key, str):
            raise ValueError("a cursor of another order")
        created_at, row_id = decode_cursor(
            _b64(json.dumps({"t": data["t"], "id": data["id"]}).encode())
        )
        return key, created_at, row_id
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None
