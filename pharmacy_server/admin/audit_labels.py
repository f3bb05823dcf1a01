"""Names and references beside the audit trail's hashed ids: who acted, and the
prescription (RX-…), user or account request the event concerns."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from pharmacy_server.admin.schemas import AuditEventOut
from pharmacy_server.db import Database
from pharmacy_server.models import AccountRequest, Prescription, User


def label_events(db: Database, events: list[AuditEventOut]) -> list[AuditEventOut]:
    """Add the actor's name and the target's reference or username: three lookups
    per page, whatever its size."""
    user_ids = {_as_uuid(event.actor_id) for event in events} | {
        _as_uuid(event.target_id) for event in events if event.target_type == "user"
    }
    prescription_ids = {
        _as_uuid(event.target_id) for event in events if event.target_type == "prescription"
    }
    request_ids = {
        _as_uuid(event.target_id) for event in events if event.target_type == "account_request"
    }
    user_ids.discard(None)
    prescription_ids.discard(None)
    request_ids.discard(None)
    with db.reading() as session:
        people = {
            str(row.id): (row.display_name, row.username)
            for row in session.execute(
                select(User.id, User.display_name, User.username).where(User.id.in_(user_ids))
            )
        }
        references = {
            str(row.id): row.reference
            for row in session.execute(
                select(Prescription.id, Prescription.reference).where(
                    Prescription.id.in_(prescription_ids)
                )
            )
        }
        requested = {
            str(row.id): row.username
            for row in session.execute(
                select(AccountRequest.id, AccountRequest.username).where(
                    AccountRequest.id.in_(request_ids)
                )
            )
        }
    labelled = []
    for event in events:
        label = None
        if event.target_type == "prescription" and event.target_id:
            label = references.get(event.target_id)
        elif event.target_type == "user" and event.target_id in people:
            label = people[event.target_id][1]
        elif event.target_type == "account_request" and event.target_id:
            label = requested.get(event.target_id)
        actor = people.get(event.actor_id or "")
        labelled.append(
            event.model_copy(
                update={
                    "actor_name": None if actor is None else actor[0],
                    "target_label": label,
                }
            )
        )
    return labelled


def _as_uuid(text: str | None) -> uuid.UUID | None:
    if not text:
        return None
    try:
        return uuid.UUID(text)
    except ValueError:
        return None
