"""Unread counts without scanning: a prescription row carries its thread's length
(``message_count``) and each reader has a marker per thread they opened, so a page's
counts are the rows it already holds plus one primary-key lookup of its markers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.models import MessageReadMarker, Prescription
from pharmacy_server.prescriptions.access import visible_to


def read_markers_query(
    user_id: uuid.UUID, prescription_ids: list[uuid.UUID]
) -> Select[uuid.UUID, int]:
    return select(MessageReadMarker.prescription_id, MessageReadMarker.read_up_to).where(
        MessageReadMarker.user_id == user_id,
        MessageReadMarker.prescription_id.in_(prescription_ids),
    )


def read_markers(
    session: Session, user_id: uuid.UUID, prescription_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """How far ``user_id`` has read each of these threads (one query, by primary key)."""
    ids = list(prescription_ids)
    if not ids:
        return {}
    rows = session.execute(read_markers_query(user_id, ids))
    return {row.prescription_id: row.read_up_to for row in rows}


def unread_on_page(
    session: Session, user: AuthenticatedUser, rows: Iterable[Prescription]
) -> dict[uuid.UUID, int]:
    """Each row's unread count for ``user``; rows without messages need no lookup."""
    counts = {row.id: row.message_count for row in rows}
    markers = read_markers(session, user.id, [key for key, count in counts.items() if count])
    return {key: max(0, count - markers.get(key, 0)) for key, count in counts.items()}


def unread_total_query(user: AuthenticatedUser) -> Select[int, int]:
    """(unread messages, prescriptions with any) over what ``user`` may see: only the
    rows with a thread, found by ``ix_prescription_message_count`` (or a prescriber's
    own by their index), each with its marker by primary key."""
    read = func.coalesce(MessageReadMarker.read_up_to, 0)
    query = (
        select(
            func.coalesce(func.sum(Prescription.message_count - read), 0),
            func.count(),
        )
        .select_from(Prescription)
        .outerjoin(
            MessageReadMarker,
            (MessageReadMarker.prescription_id == Prescription.id)
            & (MessageReadMarker.user_id == user.id),
        )
        .where(Prescription.message_count > 0, Prescription.message_count > read)
    )
    scope = visible_to(user)
    return query if scope is None else query.where(scope)


def unread_total(session: Session, user: AuthenticatedUser) -> tuple[int, int]:
    total, threads = session.execute(unread_total_query(user)).one()
    return int(total), int(threads)
