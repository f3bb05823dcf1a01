"""The stored side of versions and field proposals that the lifecycle needs too: whether
the latest version carries its signature, and closing a proposal a step has overtaken.

Kept apart from ``versions`` (which builds on the lifecycle) so ``lifecycle`` can use
these without an import cycle.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.orm import Session

from pharmacy_server.errors import Conflict
from pharmacy_server.models import FieldProposal, Prescription

#: Work done in a step's transaction, under its row lock, before the row moves on (a
#: field proposal stored, a new version made); it refuses the step by raising.
StepWork = Callable[[Session, Prescription], None]

OPEN = "open"
ACCEPTED = "accepted"
#: Answered in words, or overtaken by a rejection or a cancellation.
CLOSED = "closed"

#: The steps after which an open proposal can no longer be accepted.
CLOSING_ACTIONS = frozenset({"answer_clarification", "reject", "cancel"})


def latest_version_signed(row: Prescription) -> bool:
    """The content as it stands carries the prescriber's signature: a signature at all,
    and from version 2 on one over exactly this content's hash (version 1's signed body
    may also carry the patient-record link, so its hash differs from the content's)."""
    if row.signed_at is None or row.signed_body_sha256 is None:
        return False
    return (row.version or 1) == 1 or row.signed_body_sha256 == row.content_sha256


def close_open_proposals(session: Session, prescription_id: uuid.UUID, now: dt.datetime) -> None:
    session.execute(
        update(FieldProposal)
        .where(FieldProposal.prescription_id == prescription_id, FieldProposal.state == OPEN)
        .values(state=CLOSED, decided_at=now)
    )


def prepare_step(
    session: Session,
    row: Prescription,
    *,
    action: str,
    now: dt.datetime,
    within: StepWork | None,
) -> None:
    """What versions add to a lifecycle step, under its row lock: an approval needs the
    latest version signed; the step's own work; a proposal the step overtakes is closed."""
    if action == "approve" and not latest_version_signed(row):
        raise Conflict(
            f"Version {row.version} of this prescription is not signed by its prescriber, "
            "so it cannot be approved.",
            code="prescription.unsigned_version",
            extra={"status": row.status},
        )
    if within is not None:
        within(session, row)
    if action in CLOSING_ACTIONS:
        close_open_proposals(session, row.id, now)
