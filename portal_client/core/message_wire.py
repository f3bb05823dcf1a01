"""A prescription's message thread as the server answers it
(``/api/v1/prescriptions/{id}/messages``, ``/api/v1/messages/unread``), typed and frozen,
read once at the ``ApiClient`` boundary by ``core.wire.parse``. Each type names the
OpenAPI component it mirrors; the contract test holds them against the server's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

__all__ = [
    "MESSAGE_WIRE_TYPES",
    "MessageAuthorWire",
    "MessagePage",
    "MessageReadWire",
    "MessageWire",
    "UnreadTotalWire",
]


@dataclass(frozen=True)
class MessageAuthorWire:
    SCHEMA: ClassVar[str] = "MessageAuthorOut"

    id: str
    display_name: str
    role: Literal["prescriber", "pharmacist"]


@dataclass(frozen=True)
class MessageWire:
    SCHEMA: ClassVar[str] = "MessageOut"

    id: str
    prescription_id: str
    seq: int
    text: str  # may name the patient: shown, never logged
    author: MessageAuthorWire
    created_at: dt.datetime


@dataclass(frozen=True)
class MessagePage:
    SCHEMA: ClassVar[str] = "MessageList"

    items: tuple[MessageWire, ...]
    total: int
    next_cursor: str | None
    latest_cursor: str
    read_up_to: int
    unread: int


@dataclass(frozen=True)
class MessageReadWire:
    SCHEMA: ClassVar[str] = "MessageReadOut"

    read_up_to: int
    unread: int


@dataclass(frozen=True)
class UnreadTotalWire:
    SCHEMA: ClassVar[str] = "UnreadTotalOut"

    total: int
    prescriptions: int


MESSAGE_WIRE_TYPES: tuple[type, ...] = (
    MessageAuthorWire,
    MessageWire,
    MessagePage,
    MessageReadWire,
    UnreadTotalWire,
)
