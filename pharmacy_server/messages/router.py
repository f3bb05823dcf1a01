"""A prescription's message thread: read it, write to it, mark it read; and the caller's
unread total. The prescription's prescriber and pharmacists only: anyone else's
prescription is not found, like a missing id."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from pharmacy_server.deps import (
    CURSOR,
    LIMIT,
    ClientAddress,
    Context,
    PrescriptionReader,
    parse_id,
)
from pharmacy_server.messages.schemas import (
    MessageIn,
    MessageList,
    MessageOut,
    MessageReadIn,
    MessageReadOut,
    UnreadTotalOut,
)
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE
from pharmacy_server.schemas import error_responses

router = APIRouter(prefix="/api/v1", tags=["messages"])


@router.get(
    "/prescriptions/{prescription_id}/messages",
    response_model=MessageList,
    responses=error_responses(401, 403, 404, 422),
)
def list_messages(
    context: Context,
    user: PrescriptionReader,
    prescription_id: str,
    *,
    address: ClientAddress,
    limit: LIMIT = DEFAULT_PAGE_SIZE,
    cursor: CURSOR = None,
) -> MessageList:
    """The thread oldest first; ``latest_cursor`` asks later for what came after."""
    return context.messages.list(
        user,
        parse_id(prescription_id, "Prescription"),
        limit=limit,
        cursor=cursor,
        address=address,
    )


@router.post(
    "/prescriptions/{prescription_id}/messages",
    status_code=201,
    response_model=MessageOut,
    responses=error_responses(401, 403, 404, 413, 422),
)
def post_message(
    context: Context,
    user: PrescriptionReader,
    prescription_id: str,
    message: MessageIn,
    address: ClientAddress,
) -> JSONResponse:
    """A retry with the same ``idempotency_key`` answers the stored message (201,
    ``Idempotent-Replayed: true``); the same key with other text is a 422."""
    posted = context.messages.post(
        user,
        parse_id(prescription_id, "Prescription"),
        text=message.text,
        idempotency_key=message.idempotency_key,
        address=address,
    )
    headers = {"Idempotent-Replayed": "true"} if posted.replayed else None
    return JSONResponse(posted.message.model_dump(), status_code=201, headers=headers)


@router.post(
    "/prescriptions/{prescription_id}/messages/read",
    response_model=MessageReadOut,
    responses=error_responses(401, 403, 404, 422),
)
def mark_messages_read(
    context: Context, user: PrescriptionReader, prescription_id: str, read: MessageReadIn
) -> MessageReadOut:
    return context.messages.mark_read(
        user, parse_id(prescription_id, "Prescription"), up_to_seq=read.up_to_seq
    )


@router.get(
    "/messages/unread",
    response_model=UnreadTotalOut,
    responses=error_responses(401, 403, 422),
)
def unread_messages(context: Context, user: PrescriptionReader) -> UnreadTotalOut:
    return context.messages.unread(user)
