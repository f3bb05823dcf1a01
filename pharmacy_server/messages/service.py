"""Messages: a thread per prescription between its prescriber and the pharmacy.

Who may read and write a thread is who may read the prescription
(``prescriptions.access``): its prescriber and the pharmacists; anyone else finds no
such prescription. Each message takes the thread's next number under the prescription's
row lock, and the prescription's next ``change_seq``, so every desk's ``changed_since``
refresh sees it. A retried send (the same ``idempotency_key`` from the same author)
answers the stored message. The audit trail records who wrote or read which thread,
never the text: it may name the patient.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy_domain.prescription import FieldError
from pharmacy_server import audit
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Invalid
from pharmacy_server.messages.schemas import (
    MessageList,
    MessageOut,
    MessageReadOut,
    UnreadTotalOut,
)
from pharmacy_server.messages.unread import unread_total
from pharmacy_server.models import MessageReadMarker, Prescription, PrescriptionMessage
from pharmacy_server.pagination import clamp_limit, decode_seq_cursor, encode_seq_cursor
from pharmacy_server.prescriptions.access import visible_row
from pharmacy_server.prescriptions.changes import next_change_seq

log = logging.getLogger(__name__)

KEY_REUSED = "message.idempotency_key_reused"


@dataclass(frozen=True)
class Posted:
    message: MessageOut
    replayed: bool


def _key_reused() -> Invalid:
    return Invalid(
        "This idempotency key was already used for another message: send a new message "
        "with a new key.",
        [FieldError("idempotency_key", "was used for another message")],
        code=KEY_REUSED,
    )


class MessageService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    def list(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        limit: int,
        cursor: str | None,
        address: str | None = None,
    ) -> MessageList:
        """A page of the thread, oldest first, after ``cursor`` (a ``latest_cursor`` or
        ``next_cursor`` from an earlier answer)."""
        limit = clamp_limit(limit)
        after = 0 if cursor is None else decode_seq_cursor(cursor)
        with self._db.writing() as session:
            row = visible_row(session, user, prescription_id)
            messages = list(
                session.scalars(
                    select(PrescriptionMessage)
                    .where(
                        PrescriptionMessage.prescription_id == row.id,
                        PrescriptionMessage.seq > after,
                    )
                    .order_by(PrescriptionMessage.seq)
                    .limit(limit + 1)
                )
            )
            more = len(messages) > limit
            messages = messages[:limit]
            read_up_to = _marker(session, user.id, row.id)
            if messages:  # a read of what may be patient data: who read which thread
                self._audit(
                    session,
                    user,
                    address,
                    "prescription.messages_read",
                    row=row,
                    details={"fields": ["text"], "messages": len(messages)},
                )
            last = messages[-1].seq if messages else after
            return MessageList(
                items=[MessageOut.from_row(message) for message in messages],
                total=row.message_count,
                next_cursor=encode_seq_cursor(last) if more else None,
                latest_cursor=encode_seq_cursor(last),
                read_up_to=read_up_to,
                unread=max(0, row.message_count - read_up_to),
            )

    def post(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        text: str,
        idempotency_key: str,
        address: str | None = None,
    ) -> Posted:
        try:
            return self._post(user, prescription_id, text, idempotency_key, address)
        except IntegrityError:
            # The same key committed by a concurrent retry to another prescription (on
            # one prescription the row lock orders them): answer as a replay would.
            return self._post(user, prescription_id, text, idempotency_key, address)

    def _post(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        text: str,
        idempotency_key: str,
        address: str | None,
    ) -> Posted:
        now = self._clock()
        with self._db.writing() as session:
            # The row lock orders two messages (or two retries of one) on this thread.
            row = visible_row(session, user, prescription_id, for_update=True)
            earlier = session.scalar(
                select(PrescriptionMessage).where(
                    PrescriptionMessage.author_id == user.id,
                    PrescriptionMessage.idempotency_key == idempotency_key,
                )
            )
            if earlier is not None:
                if earlier.prescription_id != row.id or earlier.text != text:
                    raise _key_reused()
                return Posted(MessageOut.from_row(earlier), replayed=True)
            row.message_count += 1
            row.change_seq = next_change_seq(session)
            message = PrescriptionMessage(
                id=uuid.uuid4(),
                prescription_id=row.id,
                seq=row.message_count,
                author_id=user.id,
                author_role=user.role,
                idempotency_key=idempotency_key,
                text=text,
                created_at=now,
            )
            session.add(message)
            # Writing in a thread means having read it: one's own message is never unread.
            _set_marker(session, user.id, row.id, row.message_count)
            session.flush()
            self._audit(
                session,
                user,
                address,
                "prescription.message_posted",
                row=row,
                details={"fields": ["text"], "message_id": str(message.id), "seq": message.seq},
            )
            session.refresh(message)
            out = MessageOut.from_row(message)
        log.info("message %s posted on prescription %s", out.id, prescription_id)
        return Posted(out, replayed=False)

    def mark_read(
        self, user: AuthenticatedUser, prescription_id: uuid.UUID, *, up_to_seq: int
    ) -> MessageReadOut:
        """Move the caller's marker up to ``up_to_seq`` (never past the thread's end,
        never back). Only the caller's own counts change: no other desk needs to know."""
        with self._db.writing() as session:
            row = visible_row(session, user, prescription_id, for_update=True)
            read_up_to = max(_marker(session, user.id, row.id), min(up_to_seq, row.message_count))
            _set_marker(session, user.id, row.id, read_up_to)
            return MessageReadOut(
                read_up_to=read_up_to, unread=max(0, row.message_count - read_up_to)
            )

    def unread(self, user: AuthenticatedUser) -> UnreadTotalOut:
        with self._db.reading() as session:
            total, prescriptions = unread_total(session, user)
        return UnreadTotalOut(total=total, prescriptions=prescriptions)

    def _audit(
        self,
        session: Session,
        user: AuthenticatedUser,
        address: str | None,
        action: str,
        *,
        row: Prescription,
        details: dict[str, object],
    ) -> None:
        audit.append(
            session,
            now=self._clock(),
            actor=audit.Actor(user.id, user.role, address, user.username),
            action=action,
            outcome="success",
            target_type="prescription",
            target_id=row.id,
            details=details,
        )


def _marker(session: Session, user_id: uuid.UUID, prescription_id: uuid.UUID) -> int:
    value = session.scalar(
        select(func.max(MessageReadMarker.read_up_to)).where(
            MessageReadMarker.user_id == user_id,
            MessageReadMarker.prescription_id == prescription_id,
        )
    )
    return int(value or 0)


def _set_marker(
    session: Session, user_id: uuid.UUID, prescription_id: uuid.UUID, read_up_to: int
) -> None:
    """Under the prescription's row lock, so two of the same user's calls cannot race."""
    marker = session.get(MessageReadMarker, (user_id, prescription_id))
    if marker is None:
        session.add(
            MessageReadMarker(
                user_id=user_id, prescription_id=prescription_id, read_up_to=read_up_to
            )
        )
    else:
        marker.read_up_to = max(marker.read_up_to, read_up_to)
