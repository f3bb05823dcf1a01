"""Prescriptions: checking a body, submitting it (``submission``), reading, listing and
exporting them, and moving them through the lifecycle (``lifecycle``)."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from pharmacy_domain.engine import evaluate, evaluate_body
from pharmacy_domain.fhir import prescription_bundle
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.status import BeyondUse, PrescriptionStatus
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server import audit
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.catalog.published import current_formulary
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Invalid
from pharmacy_server.messages.unread import unread_on_page
from pharmacy_server.models import Prescription
from pharmacy_server.notify import Notifier
from pharmacy_server.pagination import (
    DEFAULT_PAGE_SIZE,
    clamp_limit,
    decode_seq_cursor,
    encode_seq_cursor,
)
from pharmacy_server.prescriptions.access import visible_row, visible_to
from pharmacy_server.prescriptions.changes import latest_change_seq
from pharmacy_server.prescriptions.claims import DEFAULT_CLAIM_MINUTES, Claims, live_claims
from pharmacy_server.prescriptions.lifecycle import Lifecycle, Notice, StepResult
from pharmacy_server.prescriptions.queue import (
    ListOrder,
    QueueFilter,
    capped_count,
    changes_query,
    cursor_after,
    page_query,
)
from pharmacy_server.prescriptions.schemas import (
    ClaimOut,
    PrescriptionList,
    PrescriptionOut,
    ReferenceVersionsOut,
    ValidationOut,
)
from pharmacy_server.prescriptions.submission import (
    Submissions,
    SubmitOutcome,
    reference_versions,
)
from pharmacy_server.prescriptions.validation import check_submitted_fields
from pharmacy_server.prescriptions.versions import Versions
from pharmacy_server.schemas import FindingOut

# MedicationRequest.status for each of our states: a question puts the order on hold, a
# shipped one is complete, a rejected or cancelled one was never filled.
FHIR_REQUEST_STATUS = {
    PrescriptionStatus.SUBMITTED: "active",
    PrescriptionStatus.NEEDS_CLARIFICATION: "on-hold",
    PrescriptionStatus.APPROVED: "active",
    PrescriptionStatus.COMPOUNDING: "active",
    PrescriptionStatus.READY: "active",
    PrescriptionStatus.SHIPPED: "completed",
    PrescriptionStatus.REJECTED: "cancelled",
    PrescriptionStatus.CANCELLED: "cancelled",
}


class PrescriptionService:
    def __init__(
        self,
        database: Database,
        catalog: TemplateCatalog,
        formulary: Formulary,
        rules: Rules,
        clock: Clock,
        *,
        lock_wait_ms: int = 5000,
        notifier: Notifier | None = None,
        claim_minutes: int = DEFAULT_CLAIM_MINUTES,
    ) -> None:
        self._db = database
        self._catalog = catalog
        self._formulary = formulary
        self._rules = rules
        self._clock = clock
        self._submissions = Submissions(
            database, catalog, formulary, rules, clock, lock_wait_ms=lock_wait_ms
        )
        self._lifecycle = Lifecycle(database, clock, notifier)
        self._claims = Claims(database, clock, minutes=claim_minutes)
        #: Field proposals and the versions they make (``prescriptions.versions``).
        self.versions = Versions(
            database, catalog, formulary, rules, clock, lifecycle=self._lifecycle
        )

    def validate(self, body: Any) -> ValidationOut:
        """The engine's verdict on a body, exactly as submit would judge it; stores nothing."""
        check_submitted_fields(body)
        formulary = current_formulary(self._formulary)
        evaluation = evaluate_body(
            body, self._catalog, formulary, self._rules, today=self._clock().date()
        )
        if evaluation.errors:
            raise Invalid("The prescription is not valid.", evaluation.errors)
        template = evaluation.prescription and self._catalog.get(
            evaluation.prescription.template_id, evaluation.prescription.template_version
        )
        return ValidationOut(
            versions=None
            if not template
            else ReferenceVersionsOut.model_validate(
                reference_versions(template, formulary, self._rules)
            ),
            computed=dict(evaluation.computed),
            findings=[
                FindingOut.model_validate(finding.to_wire()) for finding in evaluation.findings
            ],
            blocked=evaluation.blocked,
        )

    def submit(
        self,
        *,
        prescriber: AuthenticatedUser,
        idempotency_key: str,
        body: Any,
        address: str | None = None,
    ) -> SubmitOutcome:
        return self._submissions.submit(
            prescriber=prescriber, idempotency_key=idempotency_key, body=body, address=address
        )

    # ------------------------------------------------------------------ read

    def get(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> PrescriptionOut:
        with self._db.reading() as session:
            row = visible_row(session, user, prescription_id)
            out = PrescriptionOut.from_row(row)
            self._with_claims(session, user, [out])
            _with_unread(session, user, [row], [out])
            return out

    def _with_claims(
        self, session: Session, user: AuthenticatedUser, items: list[PrescriptionOut]
    ) -> None:
        """Pharmacists see who is reviewing each order; prescribers never see claims."""
        if user.role != "pharmacist" or not items:
            return
        claims = live_claims(session, (uuid.UUID(item.id) for item in items), self._clock())
        for item in items:
            claim = claims.get(uuid.UUID(item.id))
            if claim is not None:
                item.claim = claim  # set: so the route sends it (exclude_unset)

    def claim(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        take_over: bool = False,
        address: str | None = None,
    ) -> ClaimOut:
        return self._claims.take(user, prescription_id, take_over=take_over, address=address)

    def release_claim(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> None:
        self._claims.release(user, prescription_id)

    def fhir_bundle(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> dict[str, Any]:
        """The stored prescription as an R4 Bundle. Ids derive from the prescription id,
        so the same prescription always exports the same document."""
        with self._db.reading() as session:
            row = visible_row(session, user, prescription_id)
            content = json.loads(row.content_json)
            created_at, status = row.created_at, row.status
        # Judged as of its submission day: labs then recent may be old now.
        prescription = parse_prescription(content, self._catalog, today=created_at.date())
        template = self._catalog.get(prescription.template_id, prescription.template_version)
        assert template is not None  # it was found when the prescription was submitted
        evaluation = evaluate(
            prescription,
            None,
            self._formulary,
            self._rules,
            template=template,
            today=created_at.date(),
        )
        counter = iter(range(1_000_000))
        return prescription_bundle(
            prescription,
            template,
            self._formulary,
            evaluation=evaluation,
            authored_on=created_at,
            status=FHIR_REQUEST_STATUS[PrescriptionStatus(status)],
            new_id=lambda: str(uuid.uuid5(prescription_id, str(next(counter)))),
        )

    def list(
        self,
        user: AuthenticatedUser,
        *,
        limit: int = DEFAULT_PAGE_SIZE,
        cursor: str | None = None,
        status: PrescriptionStatus | None = None,
        idempotency_key: str | None = None,
        sort: ListOrder = "newest",
        filters: QueueFilter | None = None,
        changed_since: str | None = None,
        address: str | None = None,
    ) -> PrescriptionList:
        """A page of what ``user`` may see under ``filters`` in the ``sort`` order; with
        ``changed_since``, only what changed after that answer (filters do not apply: a
        row that left the caller's filter has changed too)."""
        limit = clamp_limit(limit)
        scope = visible_to(user)
        if changed_since is not None:
            return self._changes(user, scope, decode_seq_cursor(changed_since), limit)
        filters = filters or QueueFilter()
        if status is not None:
            filters = replace(filters, status=status)
        conditions = [] if scope is None else [scope]
        conditions.extend(filters.conditions())
        if idempotency_key is not None:
            # Keys are a per-prescriber namespace: only the caller's own.
            conditions.append(Prescription.prescriber_id == user.id)
            conditions.append(Prescription.idempotency_key == idempotency_key)
        with self._db.reading() as session:
            # Read first: a change committed while the page is read is sent again rather
            # than missed.
            changes = encode_seq_cursor(latest_change_seq(session))
            total, lower_bound = capped_count(session, conditions)
            rows = list(session.scalars(page_query(conditions, sort, cursor, limit)))
            more = len(rows) > limit
            rows = rows[:limit]
            items = [PrescriptionOut.from_row(row) for row in rows]
            self._with_claims(session, user, items)
            _with_unread(session, user, rows, items)
            next_cursor = cursor_after(sort, rows[-1]) if more else None
        if filters.patient_name is not None:
            self._audit_name_search(user, address, results=len(items), page=cursor is not None)
        return PrescriptionList(
            items=items,
            total=total,
            total_is_lower_bound=lower_bound,
            next_cursor=next_cursor,
            changes_cursor=changes,
        )

    def _audit_name_search(
        self, user: AuthenticatedUser, address: str | None, *, results: int, page: bool
    ) -> None:
        """A search by a patient's name reads patient data: recorded, never the name."""
        with self._db.writing() as session:
            audit.append(
                session,
                now=self._clock(),
                actor=audit.Actor(user.id, user.role, address, user.username),
                action="prescription.search",
                outcome="success",
                target_type="prescription",
                details={"by": "patient_name", "results": results, "page": page},
            )

    def _changes(
        self,
        user: AuthenticatedUser,
        scope: ColumnElement[bool] | None,
        since: int,
        limit: int,
    ) -> PrescriptionList:
        with self._db.reading() as session:
            rows = list(session.scalars(changes_query(scope, since, limit)))
            more = len(rows) > limit
            rows = rows[:limit]
            items = [PrescriptionOut.from_row(row) for row in rows]
            self._with_claims(session, user, items)
            _with_unread(session, user, rows, items)
            last = rows[-1].change_seq if rows else since
        after = encode_seq_cursor(last)
        return PrescriptionList(
            items=items,
            total=len(items),
            total_is_lower_bound=more,
            next_cursor=after if more else None,
            changes_cursor=after,
        )

    # ------------------------------------------------------------------ lifecycle

    def review(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        action: str,
        reason: str | None,
        address: str | None = None,
    ) -> StepResult:
        return self._lifecycle.review(
            user, prescription_id, action=action, reason=reason, address=address
        )

    def act(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        action: str,
        note: str | None,
        address: str | None = None,
        seen_steps: int | None = None,
        beyond_use: BeyondUse | None = None,
    ) -> StepResult:
        return self._lifecycle.act(
            user,
            prescription_id,
            action=action,
            note=note,
            address=address,
            seen_steps=seen_steps,
            beyond_use=beyond_use,
        )

    def send_notice(self, notice: Notice | None) -> None:
        self._lifecycle.send_notice(notice)


def _with_unread(
    session: Session,
    user: AuthenticatedUser,
    rows: list[Prescription],
    items: list[PrescriptionOut],
) -> None:
    """Each row's unread messages for the caller: the rows' own counts and one lookup of
    the caller's read markers for the page (``messages.unread``). Absent when none, so
    an order read back right after submission is its stored 201, byte for byte."""
    unread = unread_on_page(session, user, rows)
    for row, item in zip(rows, items, strict=True):
        if unread[row.id]:
            item.unread_messages = unread[row.id]  # set: so the route sends it
