"""Prescriptions: checking a body, submitting it (``submission``), reading, listing and
exporting them, and moving them through the lifecycle (``lifecycle``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from pharmacy_domain.engine import evaluate, evaluate_body
from pharmacy_domain.fhir import prescription_bundle
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import parse_prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Invalid
from pharmacy_server.models import Prescription
from pharmacy_server.notify import Notifier
from pharmacy_server.pagination import DEFAULT_PAGE_SIZE, clamp_limit, decode_cursor, encode_cursor
from pharmacy_server.prescriptions.access import visible_row, visible_to
from pharmacy_server.prescriptions.lifecycle import Lifecycle, Notice, StepResult
from pharmacy_server.prescriptions.schemas import PrescriptionList, PrescriptionOut, ValidationOut
from pharmacy_server.prescriptions.submission import Submissions, SubmitOutcome
from pharmacy_server.prescriptions.validation import check_submitted_fields
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

    def validate(self, body: Any) -> ValidationOut:
        """The engine's verdict on a body, exactly as submit would judge it; stores nothing."""
        check_submitted_fields(body)
        evaluation = evaluate_body(
            body, self._catalog, self._formulary, self._rules, today=self._clock().date()
        )
        if evaluation.errors:
            raise Invalid("The prescription is not valid.", evaluation.errors)
        return ValidationOut(
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
            return PrescriptionOut.from_row(visible_row(session, user, prescription_id))

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
    ) -> PrescriptionList:
        limit = clamp_limit(limit)
        conditions: list[ColumnElement[bool]] = []
        scope = visible_to(user)
        if scope is not None:
            conditions.append(scope)
        if status is not None:
            conditions.append(Prescription.status == status.value)
        if idempotency_key is not None:
            # Keys are a per-prescriber namespace: only the caller's own.
            conditions.append(Prescription.prescriber_id == user.id)
            conditions.append(Prescription.idempotency_key == idempotency_key)
        page_conditions = list(conditions)
        if cursor is not None:
            created_at, row_id = decode_cursor(cursor)
            page_conditions.append(
                or_(
                    Prescription.created_at < created_at,
                    and_(Prescription.created_at == created_at, Prescription.id < row_id),
                )
            )
        with self._db.reading() as session:
            total = session.scalar(
                select(func.count()).select_from(Prescription).where(*conditions)
            )
            rows = list(
                session.scalars(
                    select(Prescription)
                    .where(*page_conditions)
                    .order_by(Prescription.created_at.desc(), Prescription.id.desc())
                    .limit(limit + 1)
                )
            )
            more = len(rows) > limit
            rows = rows[:limit]
            items = [PrescriptionOut.from_row(row) for row in rows]
            next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return PrescriptionList(items=items, total=total or 0, next_cursor=next_cursor)

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
    ) -> StepResult:
        return self._lifecycle.act(
            user, prescription_id, action=action, note=note, address=address, seen_steps=seen_steps
        )

    def send_notice(self, notice: Notice | None) -> None:
        self._lifecycle.send_notice(notice)
