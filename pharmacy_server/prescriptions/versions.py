"""Field proposals and the versions they make (issue 12).

A pharmacist asks about one field with a proposed value (``propose``): the question is the
``request_clarification`` step, the proposal is stored with it in the same transaction.
The prescriber accepts it (``accept``) by signing the changed order, exactly as the first
time (a step-up grant over ``signing_sha256`` of the new content): the server rebuilds the
content with ``pharmacy_domain.field_proposals.apply_proposal``, runs the clinical checks
again (a blocking finding refuses it, with the findings), checks and spends the grant, and
writes version 2 as the ``answer_clarification`` step. Same prescription, same reference;
a retry of an accepted proposal answers the prescription as it is (never a version 3).
Answering in words is today's ``answer_clarification``, which closes the proposal.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, canonical_json, canonical_sha256
from pharmacy_domain.engine import Evaluation, evaluate
from pharmacy_domain.field_proposals import (
    ProposalError,
    check_proposal,
    current_value,
    field_for,
    proposal_summary,
)
from pharmacy_domain.field_proposals import apply_proposal as apply_to_content
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import InvalidPrescription, parse_prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import Template, TemplateCatalog
from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, DomainError, Forbidden, Invalid, NotFound
from pharmacy_server.models import FieldProposal, Prescription, PrescriptionVersion
from pharmacy_server.prescriptions.access import visible_row
from pharmacy_server.prescriptions.changes import has_warnings
from pharmacy_server.prescriptions.lifecycle import Lifecycle, StepResult
from pharmacy_server.prescriptions.schemas import PrescriptionOut
from pharmacy_server.prescriptions.submission import evaluation_to_stored
from pharmacy_server.prescriptions.validation import enforce_clinical_checks
from pharmacy_server.prescriptions.version_rows import ACCEPTED, OPEN
from pharmacy_server.prescriptions.version_schemas import (
    FieldProposalOut,
    PrescriptionVersionOut,
    PrescriptionVersionsOut,
)
from pharmacy_server.signing import check_grant, spend_grant


class Versions:
    def __init__(
        self,
        database: Database,
        catalog: TemplateCatalog,
        formulary: Formulary,
        rules: Rules,
        clock: Clock,
        *,
        lifecycle: Lifecycle,
    ) -> None:
        self._db = database
        self._catalog = catalog
        self._formulary = formulary
        self._rules = rules
        self._clock = clock
        self._lifecycle = lifecycle

    # ------------------------------------------------------------------ propose

    def propose(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        field: str,
        value: Any,
        message: str,
        seen_steps: int | None = None,
        address: str | None = None,
    ) -> StepResult:
        """Ask the prescriber about ``field``, proposing ``value``: checked against the
        order's template (unit, range, choices), refused naming the field."""
        if user.role != "pharmacist":
            raise Forbidden("Only pharmacists can propose a change to a prescription.")

        def store(session: Session, row: Prescription) -> None:
            content = json.loads(row.content_json)
            try:
                checked = check_proposal(self._template_of(row), content, field, value)
            except ProposalError as error:
                raise Invalid(
                    f"The proposed change to {field} is not valid.", error.errors
                ) from None
            now = self._clock()
            session.add(
                FieldProposal(
                    prescription_id=row.id,
                    field_path=field,
                    value_json=json.dumps(checked),
                    message=message.strip(),
                    base_version=row.version or 1,
                    state=OPEN,
                    proposed_by_id=user.id,
                    proposed_at=now,
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action="prescription.propose_change",
                outcome="proposed",
                target_type="prescription",
                target_id=row.id,
                details={"field": field, "version": row.version or 1},
            )

        return self._lifecycle.act(
            user,
            prescription_id,
            action="request_clarification",
            note=message,
            address=address,
            seen_steps=seen_steps,
            within=store,
        )

    # ------------------------------------------------------------------ accept

    def accept(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        proposal_id: uuid.UUID,
        *,
        signing_token: str,
        address: str | None = None,
    ) -> PrescriptionOut:
        """Make the next version with the proposal applied, signed by ``user`` (the
        prescriber) with ``signing_token``; an accepted proposal answers as it stands."""
        if user.role != "prescriber":
            raise Forbidden("Only the prescriber can accept a proposed change and sign it.")
        earlier, proposal = self._accepted_or_open(user, prescription_id, proposal_id)
        if earlier is not None:
            return earlier
        note = (
            "Accepted the proposed change and signed version "
            f"{proposal.base_version + 1}: {proposal.summary}"
        )

        def make_version(session: Session, row: Prescription) -> None:
            self._make_version(
                session,
                user,
                row,
                proposal_id=proposal_id,
                signing_token=signing_token,
                address=address,
            )

        try:
            result = self._lifecycle.act(
                user,
                prescription_id,
                action="answer_clarification",
                note=note,
                address=address,
                within=make_version,
            )
        except Conflict:
            # A concurrent retry of the same acceptance won: answer as it does.
            replay, _ = self._accepted_or_open(user, prescription_id, proposal_id)
            if replay is not None:
                return replay
            raise
        except Invalid as error:
            if error.code is not None and error.code.startswith("signing."):
                self._audit_refusal(user, prescription_id, error, address)
            raise
        return result.prescription

    def _make_version(
        self,
        session: Session,
        user: AuthenticatedUser,
        row: Prescription,
        *,
        proposal_id: uuid.UUID,
        signing_token: str,
        address: str | None,
    ) -> None:
        # The prescription row is locked: acceptances of its proposals run one at a time.
        proposal = session.get(FieldProposal, proposal_id)
        if proposal is None or proposal.prescription_id != row.id:
            raise NotFound("Proposal")
        if proposal.state != OPEN:
            raise Conflict(
                "This proposal was answered in words or overtaken; it can no longer be "
                "accepted. Refresh to see the prescription as it is.",
                code="prescription.proposal_closed",
            )
        version = row.version or 1
        if proposal.base_version != version:
            raise Conflict(
                "This proposal was made on an earlier version of the prescription.",
                code="prescription.proposal_stale",
            )
        now = self._clock()
        content = apply_to_content(
            json.loads(row.content_json), proposal.field_path, json.loads(proposal.value_json)
        )
        evaluation = self._evaluate(content, now)
        grant = check_grant(
            session, {**content, SIGNING_TOKEN_FIELD: signing_token}, signer_id=user.id, now=now
        )
        spend_grant(session, grant, prescription_id=row.id, now=now)
        if session.scalar(_versions_of(row.id).limit(1)) is None:
            session.add(_first_version(row))
        stored_evaluation = canonical_json(evaluation_to_stored(evaluation)).decode("utf-8")
        content_json = canonical_json(content).decode("utf-8")
        content_sha256 = canonical_sha256(content)
        number = version + 1
        session.add(
            PrescriptionVersion(
                prescription_id=row.id,
                number=number,
                content_json=content_json,
                content_sha256=content_sha256,
                evaluation_json=stored_evaluation,
                created_at=now,
                signed_by_id=user.id,
                signed_at=grant.created_at,
                signed_body_sha256=grant.body_sha256,
                signing_method=grant.method,
            )
        )
        row.content_json = content_json
        row.content_sha256 = content_sha256
        row.evaluation_json = stored_evaluation
        row.has_warnings = has_warnings(evaluation)
        row.signed_at = grant.created_at
        row.signed_body_sha256 = grant.body_sha256
        row.signing_method = grant.method
        row.version = number
        proposal.state = ACCEPTED
        proposal.decided_at = now
        proposal.accepted_version = number
        audit.append(
            session,
            now=now,
            actor=Actor(user.id, user.role, address, user.username),
            action="prescription.accept_change",
            outcome="signed",
            target_type="prescription",
            target_id=row.id,
            details={
                "field": proposal.field_path,
                "from_version": version,
                "to_version": number,
                "signing_method": grant.method,
                "body_sha256": grant.body_sha256,
            },
        )

    def _evaluate(self, content: dict[str, Any], now: dt.datetime) -> Evaluation:
        """The server's own checks on the changed order: its answer counts."""
        try:
            prescription = parse_prescription(content, self._catalog, today=now.date())
        except InvalidPrescription as error:
            raise Invalid("The changed prescription is not valid.", error.errors) from None
        template = self._catalog.get(prescription.template_id, prescription.template_version)
        assert template is not None  # parse_prescription found it
        evaluation = evaluate(
            prescription, None, self._formulary, self._rules, template=template, today=now.date()
        )
        enforce_clinical_checks(evaluation, prescription)
        return evaluation

    def _accepted_or_open(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        proposal_id: uuid.UUID,
    ) -> tuple[PrescriptionOut | None, _ProposalNote]:
        """The prescription as it is when this proposal was already accepted (a retry),
        else the proposal's summary for the history; not found like a missing order."""
        with self._db.reading() as session:
            row = visible_row(session, user, prescription_id)
            proposal = session.get(FieldProposal, proposal_id)
            if proposal is None or proposal.prescription_id != row.id:
                raise NotFound("Proposal")
            note = _ProposalNote(proposal.base_version, self._summary(row, proposal))
            if proposal.state == ACCEPTED:
                return PrescriptionOut.from_row(row), note
        return None, note

    def _summary(self, row: Prescription, proposal: FieldProposal) -> str:
        content = json.loads(row.content_json)
        value = json.loads(proposal.value_json)
        try:
            target = field_for(self._template_of(row), content, proposal.field_path)
            label, unit = target.label, target.unit
        except ProposalError:
            label, unit = proposal.field_path, ""
        return proposal_summary(label, current_value(content, proposal.field_path), value, unit)

    def _audit_refusal(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        error: DomainError,
        address: str | None,
    ) -> None:
        with self._db.writing() as session:
            audit.append(
                session,
                now=self._clock(),
                actor=Actor(user.id, user.role, address, user.username),
                action="prescription.accept_change",
                outcome="refused",
                target_type="prescription",
                target_id=prescription_id,
                details={"code": error.code},
            )

    # ------------------------------------------------------------------ read

    def versions(
        self, user: AuthenticatedUser, prescription_id: uuid.UUID, *, address: str | None = None
    ) -> PrescriptionVersionsOut:
        """Every version (oldest first) with its hash and signature, and every proposal;
        the read is audited (what was read, never a value)."""
        with self._db.writing() as session:
            row = visible_row(session, user, prescription_id)
            stored = list(session.scalars(_versions_of(row.id)))
            versions = stored or [_first_version(row)]
            proposals = list(
                session.scalars(
                    select(FieldProposal)
                    .where(FieldProposal.prescription_id == row.id)
                    .order_by(FieldProposal.proposed_at, FieldProposal.id)
                )
            )
            contents = {version.number: json.loads(version.content_json) for version in versions}
            answer = PrescriptionVersionsOut(
                latest=row.version or 1,
                versions=[_version_out(version, row) for version in versions],
                proposals=[
                    self._proposal_out(row, proposal, contents.get(proposal.base_version, {}))
                    for proposal in proposals
                ],
            )
            audit.append(
                session,
                now=self._clock(),
                actor=Actor(user.id, user.role, address, user.username),
                action="prescription.versions_read",
                outcome="read",
                target_type="prescription",
                target_id=row.id,
                details={"fields": ["versions.content", "versions.signature", "proposals"]},
            )
        return answer

    def _proposal_out(
        self, row: Prescription, proposal: FieldProposal, base: dict[str, Any]
    ) -> FieldProposalOut:
        value = json.loads(proposal.value_json)
        try:
            target = field_for(self._template_of(row), base, proposal.field_path)
            label, unit, kind = target.label, target.unit, target.kind
        except ProposalError:
            label, unit = proposal.field_path, ""
            kind = "choice" if isinstance(value, str) else "number"
        return FieldProposalOut(
            id=str(proposal.id),
            field=proposal.field_path,
            label=label,
            unit=unit,
            kind=kind,
            current_value=current_value(base, proposal.field_path),
            value=value,
            message=proposal.message,
            state=proposal.state,  # type: ignore[arg-type]  # one of ProposalState, as stored
            base_version=proposal.base_version,
            accepted_version=proposal.accepted_version,
            proposed_by={
                "id": str(proposal.proposed_by_id),
                "display_name": proposal.proposer.display_name,
            },  # type: ignore[arg-type]  # validated into SignerOut
            proposed_at=wire_time(proposal.proposed_at),
        )

    def _template_of(self, row: Prescription) -> Template:
        template = self._catalog.get(row.template_id, row.template_version)
        if template is None:
            raise Invalid("The prescription's template is no longer published.")
        return template


@dataclass(frozen=True)
class _ProposalNote:
    """What the history says of an acceptance: the version it was made on, the change."""

    base_version: int
    summary: str


def _versions_of(prescription_id: uuid.UUID) -> Any:
    return (
        select(PrescriptionVersion)
        .where(PrescriptionVersion.prescription_id == prescription_id)
        .order_by(PrescriptionVersion.number)
    )


def _first_version(row: Prescription) -> PrescriptionVersion:
    """Version 1 as the prescription row held it before any change."""
    return PrescriptionVersion(
        id=uuid.uuid4(),
        prescription_id=row.id,
        number=1,
        content_json=row.content_json,
        content_sha256=row.content_sha256,
        evaluation_json=row.evaluation_json,
        created_at=row.created_at,
        signed_by_id=row.prescriber_id,
        signed_at=row.signed_at,
        signed_body_sha256=row.signed_body_sha256,
        signing_method=row.signing_method,
        signer=row.prescriber,
    )


def _version_out(version: PrescriptionVersion, row: Prescription) -> PrescriptionVersionOut:
    signer = version.signer if version.signer is not None else row.prescriber
    return PrescriptionVersionOut.model_validate(
        {
            "number": version.number,
            "content": json.loads(version.content_json),
            "content_sha256": version.content_sha256,
            "created_at": wire_time(version.created_at),
            "signed_by": {"id": str(signer.id), "display_name": signer.display_name},
            "signed_at": None if version.signed_at is None else wire_time(version.signed_at),
            "signing_method": version.signing_method,
            "evaluation": None
            if version.evaluation_json is None
            else json.loads(version.evaluation_json),
        }
    )
