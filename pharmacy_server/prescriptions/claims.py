"""Claims: a pharmacist reviewing a prescription holds it for a few minutes, so two
people do not review the same order. The next pharmacist still reads it, sees who holds
it, and may take it over (audited). Stored as rows (``PrescriptionClaim``): every server
process sees the same claims; an expired row counts as no claim at all.

A change of holder (taken, taken over, released) takes the prescription's next
``change_seq``, so other desks' refreshes show the marker; a renewal does not, so a desk
keeping one order open costs the others nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict
from pharmacy_server.models import Prescription, PrescriptionClaim
from pharmacy_server.prescriptions.access import visible_row
from pharmacy_server.prescriptions.changes import next_change_seq
from pharmacy_server.prescriptions.schemas import ClaimOut

log = logging.getLogger(__name__)

#: How long a claim lasts unless renewed (``PHARMACY_CLAIM_MINUTES``).
DEFAULT_CLAIM_MINUTES = 5


def claim_out(claim: PrescriptionClaim) -> ClaimOut:
    return ClaimOut.model_validate(
        {
            "holder": {"id": str(claim.holder_id), "display_name": claim.holder.display_name},
            "since": wire_time(claim.claimed_at),
            "expires_at": wire_time(claim.expires_at),
        }
    )


def live_claims(
    session: Session, prescription_ids: Iterable[uuid.UUID], now: dt.datetime
) -> dict[uuid.UUID, ClaimOut]:
    """The unexpired claims on these prescriptions (one query, by primary key)."""
    ids = list(prescription_ids)
    if not ids:
        return {}
    rows = session.scalars(
        select(PrescriptionClaim).where(
            PrescriptionClaim.prescription_id.in_(ids), PrescriptionClaim.expires_at > now
        )
    )
    return {row.prescription_id: claim_out(row) for row in rows}


def release_in(session: Session, prescription_id: uuid.UUID) -> None:
    """Inside a lifecycle step's transaction: the step ends the review, whoever held it."""
    session.execute(
        delete(PrescriptionClaim).where(PrescriptionClaim.prescription_id == prescription_id)
    )


class Claims:
    def __init__(
        self, database: Database, clock: Clock, *, minutes: int = DEFAULT_CLAIM_MINUTES
    ) -> None:
        self._db = database
        self._clock = clock
        self._length = dt.timedelta(minutes=minutes)

    def take(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        take_over: bool = False,
        address: str | None = None,
    ) -> ClaimOut:
        """Take the claim, or renew the caller's own. Another pharmacist's live claim is
        a conflict naming them, unless ``take_over`` (recorded in the audit trail)."""
        now = self._clock()
        with self._db.writing() as session:
            # The prescription's row lock orders two pharmacists claiming at once.
            row = visible_row(session, user, prescription_id, for_update=True)
            claim = session.get(PrescriptionClaim, row.id)
            live = claim is not None and claim.expires_at > now
            if claim is not None and live and claim.holder_id == user.id:
                claim.expires_at = now + self._length  # a renewal: nobody else's business
                session.flush()
                return claim_out(claim)
            previous = claim.holder_id if claim is not None and live else None
            if previous is not None and not take_over:
                assert claim is not None
                raise Conflict(
                    f"{claim.holder.display_name} is reviewing this prescription (since "
                    f"{claim.claimed_at:%H:%M} UTC). Take it over only if they have left it.",
                    code="prescription.claimed",
                    extra={
                        "claimed_by": claim.holder.display_name,
                        "claimed_since": wire_time(claim.claimed_at),
                    },
                )
            if claim is None:
                claim = PrescriptionClaim(prescription_id=row.id, holder_id=user.id)
                session.add(claim)
            claim.holder_id = user.id
            claim.claimed_at = now
            claim.expires_at = now + self._length
            _changed(session, row)
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="prescription.claim_take_over" if previous else "prescription.claim",
                outcome="claimed",
                target_type="prescription",
                target_id=row.id,
                details={"from_holder": str(previous)} if previous else None,
            )
            session.flush()
            session.expire(claim)
            out = claim_out(claim)
        if previous is not None:
            log.info("prescription %s taken over by account %s", prescription_id, user.id)
        return out

    def release(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> None:
        """Let go of the caller's own claim; another's (or none) is left as it is."""
        with self._db.writing() as session:
            row = visible_row(session, user, prescription_id, for_update=True)
            claim = session.get(PrescriptionClaim, row.id)
            if claim is None or claim.holder_id != user.id:
                return
            live = claim.expires_at > self._clock()
            session.delete(claim)
            if live:
                _changed(session, row)


def _changed(session: Session, row: Prescription) -> None:
    """The queue row shows the claim: other desks' ``changed_since`` must see it."""
    row.change_seq = next_change_seq(session)
