"""Which prescriptions a user may see: someone else's looks exactly like a missing one.

Admins see none: they manage accounts and read the audit trail, and reading a patient's
prescription is a pharmacist's job. Their calls are refused by role before this
(``deps.PrescriptionReader``, 403); the scope here is the second line of defence.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, Select, false, select
from sqlalchemy.orm import Session

from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.errors import NotFound
from pharmacy_server.models import Prescription


def visible_to(user: AuthenticatedUser) -> ColumnElement[bool] | None:
    """The rows ``user`` may see; None means all of them."""
    if user.role == "prescriber":
        return Prescription.prescriber_id == user.id
    if user.role == "pharmacist":
        return None
    return false()  # clinic staff: nothing yet; admins: never


def visible_query(user: AuthenticatedUser, prescription_id: uuid.UUID) -> Select[Prescription]:
    query = select(Prescription).where(Prescription.id == prescription_id)
    scope = visible_to(user)
    return query if scope is None else query.where(scope)


def visible_row(
    session: Session,
    user: AuthenticatedUser,
    prescription_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Prescription:
    query = visible_query(user, prescription_id)
    if for_update:
        query = query.with_for_update(of=Prescription)
    row = session.scalar(query)
    if row is None:
        raise NotFound("Prescription")
    return row
