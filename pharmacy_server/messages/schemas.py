"""Message wire models. A message's text may name the patient: it goes to the thread's
two sides only, never into the audit trail or a log."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.text_limits import MAX_MESSAGE_LENGTH
from pharmacy_server.clock import wire_time
from pharmacy_server.models import PrescriptionMessage
from pharmacy_server.text_fields import MultiLine

#: A UUID, or any other key of printable characters the client keeps for the retry.
MAX_MESSAGE_KEY_LENGTH = 100

MessageText = Annotated[
    MultiLine,
    Field(
        min_length=1,
        max_length=MAX_MESSAGE_LENGTH,
        description="Plain text; new lines and tabs are kept, other control characters refused.",
    ),
]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: MessageText
    idempotency_key: str = Field(
        min_length=1,
        max_length=MAX_MESSAGE_KEY_LENGTH,
        pattern=r"^[\x21-\x7e]+$",
        description="A new UUID per message, the same on every retry of it: a retry answers "
        "the message already stored (with ``Idempotent-Replayed: true``), never a second one.",
    )


class MessageReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    up_to_seq: int = Field(
        ge=0,
        le=2**31 - 1,
        description="The last message read (its ``seq``); a marker never moves back.",
    )


class MessageAuthorOut(BaseModel):
    id: str
    display_name: str
    role: Literal["prescriber", "pharmacist"]


class MessageOut(BaseModel):
    id: str
    prescription_id: str
    seq: int = Field(description="Its place in the thread, from 1.")
    text: str
    author: MessageAuthorOut
    created_at: str

    @classmethod
    def from_row(cls, row: PrescriptionMessage) -> MessageOut:
        return cls.model_validate(
            {
                "id": str(row.id),
                "prescription_id": str(row.prescription_id),
                "seq": row.seq,
                "text": row.text,
                "author": {
                    "id": str(row.author_id),
                    "display_name": row.author.display_name,
                    "role": row.author_role,
                },
                "created_at": wire_time(row.created_at),
            }
        )


class MessageList(BaseModel):
    items: list[MessageOut] = Field(description="Oldest first.")
    total: int = Field(description="Messages in the whole thread.")
    next_cursor: str | None = Field(description="The next page, when there is one.")
    latest_cursor: str = Field(
        description="Ask with it later for the messages written after this page."
    )
    read_up_to: int = Field(description="The last message the caller has read (0: none).")
    unread: int = Field(description="Messages the caller has not read.")


class MessageReadOut(BaseModel):
    read_up_to: int
    unread: int


class UnreadTotalOut(BaseModel):
    total: int = Field(description="Unread messages across every prescription the caller sees.")
    prescriptions: int = Field(description="How many prescriptions have unread messages.")
