"""Submitting, listing and reviewing prescriptions.

"Never lost, never duplicated" rests on one rule: the idempotency key is claimed and
the prescription inserted in the same transaction, guarded by the unique constraint
on ``(prescriber_id, idempotency_key)``. ``INSERT ... ON CONFLICT DO NOTHING`` reports
a lost race without an error on both PostgreSQL and SQLite; the winner's row is then
read back and its stored 201 body replayed.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import (
    SIGNING_TOKEN_FIELD,
    CanonicalForm,
    canonical_json,
    canonical_sha256,
)
from pharmacy_domain.engine import Evaluation, evaluate
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.patient_records import PATIENT_LINK_FIELD
from pharmacy_domain.prescription import FieldError, InvalidPrescription, parse_prescription
from pharmacy_domain.prescription import Prescription as DomainPrescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import Template, TemplateCatalog
from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth.identity import AuthenticatedUser, check_licence
from pharmacy_server.catalog.published import current_formulary
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, DomainError, Forbidden, Invalid
from pharmacy_server.models import (
    NO_NEEDED_BY,
    Prescription,
    PrescriptionEvent,
    ReferenceCounter,
    SigningGrant,
)
from pharmacy_server.patients.service import PatientService
from pharmacy_server.prescriptions.changes import has_warnings, next_change_seq
from pharmacy_server.prescriptions.patient_search import keys_of_content
from pharmacy_server.prescriptions.schemas import PrescriptionOut
from pharmacy_server.prescriptions.validation import (
    check_submitted_fields,
    enforce_clinical_checks,
)
from pharmacy_server.signing import check_grant, spend_grant

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubmitOutcome:
    """The 201 body exactly as first sent (canonical JSON), so a replay is byte-identical."""

    body_json: str
    replayed: bool


class _KeyAlreadyClaimed(Exception):
    """Rolls the transaction back (undoing the reference number) after a lost race."""


def request_fingerprint(body: Any, form: CanonicalForm = CanonicalForm.RFC8785) -> str:
    """What a retry with the same Idempotency-Key must repeat: SHA-256 of the whole body
    (signing token and all) in canonical ``form``. A body no canonical form can carry is
    refused (422)."""
    try:
        return canonical_sha256(body, form)
    except ValueError:
        raise Invalid(
            "The prescription contains a number JSON cannot carry exactly.",
            [FieldError("body", "contains NaN, an infinity or an integer beyond ±(2**53 - 1)")],
        ) from None


@dataclass(frozen=True)
class RequestFingerprint:
    """A submission's fingerprint, comparable with a stored one in either canonical form:
    a retry whose key was stored before RFC 8785 (migration 0006) still replays."""

    body: Mapping[str, Any]
    sha256: str
    form: CanonicalForm = CanonicalForm.RFC8785

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> RequestFingerprint:
        return cls(body, request_fingerprint(body))

    def matches(self, stored_sha256: str, stored_form: str) -> bool:
        form = CanonicalForm(stored_form)
        digest = self.sha256 if form is self.form else request_fingerprint(self.body, form)
        return digest == stored_sha256


def evaluation_to_stored(
    evaluation: Evaluation, versions: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """What the server keeps of an evaluation: the figures, every finding and the
    template, formulary and rules versions it was judged with."""
    stored: dict[str, Any] = {
        "computed": dict(evaluation.computed),
        "findings": [finding.to_wire() for finding in evaluation.findings],
    }
    if versions is not None:
        stored["versions"] = dict(versions)
    return stored


def reference_versions(template: Template, formulary: Formulary, rules: Rules) -> dict[str, int]:
    """The versions an evaluation used, as stored and answered."""
    return {"template": template.version, "formulary": formulary.version, "rules": rules.version}


def _is_lock_timeout(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(original)


@dataclass(frozen=True)
class Checked:
    """A submission that passed every check, ready to store."""

    prescription: DomainPrescription
    template: Template
    evaluation: Evaluation
    grant: SigningGrant
    #: The body's ``patient_id`` as sent (checked against the clinic when stored).
    patient_link: Any = None
    #: The template, formulary and rules versions the evaluation used.
    versions: Mapping[str, int] | None = None


class Submissions:
    """``POST /prescriptions``: parse, authorise, replay or claim the key, check the
    signature, evaluate, then store, audit and answer in one transaction."""

    def __init__(
        self,
        database: Database,
        catalog: TemplateCatalog,
        formulary: Formulary,
        rules: Rules,
        clock: Clock,
        *,
        lock_wait_ms: int,
    ) -> None:
        self._db = database
        self._catalog = catalog
        self._formulary = formulary
        self._rules = rules
        self._clock = clock
        # On PostgreSQL a second request with the same key waits on the first one's
        # uncommitted row; past this it is told to retry (a conflict) rather than hang.
        self._lock_wait_ms = int(lock_wait_ms)

    def submit(
        self,
        *,
        prescriber: AuthenticatedUser,
        idempotency_key: str,
        body: Any,
        address: str | None = None,
    ) -> SubmitOutcome:
        authorise(prescriber)
        check_submitted_fields(body)
        fingerprint = RequestFingerprint.of(body)
        now = self._clock()
        grant = self._signed_grant(
            prescriber, body, now, address, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if isinstance(grant, SubmitOutcome):
            return grant
        checked = self._evaluate(body, grant, now)
        stored = self._store(
            prescriber,
            checked,
            now,
            address,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
        )
        if stored is not None:
            return stored
        # Another request with this key got there first (or still holds the lock).
        earlier = self._replay(prescriber.id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
        raise Conflict(
            "A request with this Idempotency-Key is still being processed; retry shortly "
            "with the same key.",
            retry_after=1,
        )

    def _evaluate(self, body: Any, grant: SigningGrant, now: dt.datetime) -> Checked:
        """Parse the body without its token and refuse what the clinical checks refuse."""
        unsigned = {
            key: value
            for key, value in body.items()
            if key not in (SIGNING_TOKEN_FIELD, PATIENT_LINK_FIELD)
        }
        try:
            prescription = parse_prescription(unsigned, self._catalog, today=now.date())
        except InvalidPrescription as error:
            raise Invalid("The prescription is not valid.", error.errors) from None
        template = self._catalog.get(prescription.template_id, prescription.template_version)
        assert template is not None  # parse_prescription found it
        # The version the order names, with the formulary and rules published now.
        formulary = current_formulary(self._formulary)
        evaluation = evaluate(
            prescription, None, formulary, self._rules, template=template, today=now.date()
        )
        enforce_clinical_checks(evaluation, prescription)
        return Checked(
            prescription,
            template,
            evaluation,
            grant,
            body.get(PATIENT_LINK_FIELD),
            reference_versions(template, formulary, self._rules),
        )

    def _store(
        self,
        prescriber: AuthenticatedUser,
        checked: Checked,
        now: dt.datetime,
        address: str | None,
        *,
        idempotency_key: str,
        fingerprint: RequestFingerprint,
    ) -> SubmitOutcome | None:
        """Claim the key and store the prescription, its first step, the spent token and
        the audit entry; the 201 body is stored with it. None: the key was taken."""
        row_id = uuid.uuid4()
        try:
            with self._db.writing() as session:
                if not self._db.is_sqlite:
                    session.execute(text(f"SET LOCAL lock_timeout = {self._lock_wait_ms}"))
                patient_id = PatientService.link_for_prescription(
                    session, prescriber, checked.patient_link
                )
                self._claim(
                    session,
                    prescriber,
                    checked,
                    now,
                    patient_id=patient_id,
                    row_id=row_id,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                )
                # After the claim, so a same-key duplicate waits on the row and replays
                # rather than finding the token spent.
                spend_grant(session, checked.grant, prescription_id=row_id, now=now)
                session.add(
                    PrescriptionEvent(
                        prescription_id=row_id,
                        seq=1,
                        at=now,
                        action="submit",
                        from_status=None,
                        to_status=PrescriptionStatus.SUBMITTED.value,
                        actor_id=prescriber.id,
                    )
                )
                _audit_submitted(
                    session, prescriber, checked.grant, now, address=address, row_id=row_id
                )
                response = _respond(session, row_id)
        except _KeyAlreadyClaimed:
            return None
        except OperationalError as error:
            if not _is_lock_timeout(error):
                raise
            log.warning("submit waited too long for a lock; asking the client to retry")
            return None
        log.info("prescription %s submitted by account %s", row_id, prescriber.id)
        return SubmitOutcome(response, replayed=False)

    def _claim(
        self,
        session: Session,
        prescriber: AuthenticatedUser,
        checked: Checked,
        now: dt.datetime,
        *,
        patient_id: uuid.UUID | None,
        row_id: uuid.UUID,
        idempotency_key: str,
        fingerprint: RequestFingerprint,
    ) -> None:
        """Insert the row; ``_KeyAlreadyClaimed`` when this prescriber's key is taken."""
        template, grant = checked.template, checked.grant
        content = checked.prescription.to_wire()
        dispensing = checked.prescription.dispensing
        values: dict[str, Any] = {
            "id": row_id,
            "reference": self._next_reference(session, now),
            "prescriber_id": prescriber.id,
            "clinic_id": prescriber.clinic_id,
            "idempotency_key": idempotency_key,
            "request_sha256": fingerprint.sha256,
            "request_hash_form": fingerprint.form.value,
            "status": PrescriptionStatus.SUBMITTED.value,
            "template_id": template.id,
            "template_version": template.version,
            "template_name": template.name,
            "content_json": canonical_json(content).decode("utf-8"),
            "content_sha256": canonical_sha256(content),
            **keys_of_content(content.get("patient")),
            "evaluation_json": canonical_json(
                evaluation_to_stored(checked.evaluation, checked.versions)
            ).decode("utf-8"),
            # Written once the row and its first step exist (``_respond``).
            "created_response_json": "",
            "created_at": now,
            "updated_at": now,
            "signed_at": grant.created_at,
            "signed_body_sha256": grant.body_sha256,
            "signing_method": grant.method,
            "needed_by": None if dispensing is None else dispensing.needed_by,
            "quantity_bags": None if dispensing is None else dispensing.quantity_bags,
            "patient_id": patient_id,
            "needed_by_key": (
                NO_NEEDED_BY
                if dispensing is None or dispensing.needed_by is None
                else dispensing.needed_by
            ),
            "has_warnings": has_warnings(checked.evaluation),
            "change_seq": next_change_seq(session),
        }
        insert = postgresql.insert if not self._db.is_sqlite else sqlite.insert
        claimed = session.scalar(
            insert(Prescription)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["prescriber_id", "idempotency_key"])
            .returning(Prescription.id)
        )
        if claimed is None:
            raise _KeyAlreadyClaimed

    def _signed_grant(
        self,
        prescriber: AuthenticatedUser,
        body: Any,
        now: dt.datetime,
        address: str | None,
        *,
        idempotency_key: str,
        fingerprint: RequestFingerprint,
    ) -> SigningGrant | SubmitOutcome:
        """The earlier answer when this key was seen before, else the prescriber's valid
        signature over this body; refusals are audited. Both are read in one transaction
        (one round trip fewer per submit). A token spent since our replay check may have
        been spent by this very key's first request (a concurrent retry): then that
        request's answer is replayed."""
        refusal: DomainError | None = None
        with self._db.reading() as session:
            # Outside the refusal handling below: a reused key is refused unaudited.
            earlier = self._replay_in(session, prescriber.id, idempotency_key, fingerprint)
            if earlier is not None:
                return earlier
            try:
                check_licence(prescriber, now.date())
                grant = check_grant(session, body, signer_id=prescriber.id, now=now)
                session.expunge(grant)
            except DomainError as error:
                refusal = error
        if refusal is not None:
            if refusal.code == "signing.token_used":
                earlier = self._replay(prescriber.id, idempotency_key, fingerprint)
                if earlier is not None:
                    return earlier
            with self._db.writing() as session:
                audit.append(
                    session,
                    now=now,
                    actor=Actor(prescriber.id, prescriber.role, address, prescriber.username),
                    action="prescription.submit",
                    outcome="refused",
                    details={"code": refusal.code},
                )
            raise refusal
        return grant

    def _replay(
        self, prescriber_id: uuid.UUID, key: str, fingerprint: RequestFingerprint
    ) -> SubmitOutcome | None:
        with self._db.reading() as session:
            return self._replay_in(session, prescriber_id, key, fingerprint)

    @staticmethod
    def _replay_in(
        session: Session, prescriber_id: uuid.UUID, key: str, fingerprint: RequestFingerprint
    ) -> SubmitOutcome | None:
        """The stored 201 body for this prescriber's key (a retry), or None for a new key;
        the same key with a different body is refused."""
        row = session.execute(
            select(
                Prescription.request_sha256,
                Prescription.request_hash_form,
                Prescription.created_response_json,
            ).where(
                Prescription.prescriber_id == prescriber_id,
                Prescription.idempotency_key == key,
            )
        ).first()
        if row is None:
            return None
        if not fingerprint.matches(row.request_sha256, row.request_hash_form):
            raise Invalid(
                "This Idempotency-Key was already used for a different prescription. "
                "Use a new key for a new prescription.",
                [FieldError("Idempotency-Key", "was already used with a different body")],
            )
        return SubmitOutcome(row.created_response_json, replayed=True)

    def _next_reference(self, session: Session, now: dt.datetime) -> str:
        """``RX-YYMMDD-NNNN``: a per-day counter bumped atomically in this transaction,
        so a rolled-back submit gives its number back and two servers never clash."""
        day = now.astimezone(dt.UTC).strftime("%y%m%d")
        insert = sqlite.insert if self._db.is_sqlite else postgresql.insert
        statement = insert(ReferenceCounter).values(day=day, last_value=1)
        number = session.scalar(
            statement.on_conflict_do_update(
                index_elements=["day"],
                set_={"last_value": ReferenceCounter.last_value + 1},
            ).returning(ReferenceCounter.last_value)
        )
        assert number is not None
        return f"RX-{day}-{number:04d}"


def authorise(prescriber: AuthenticatedUser) -> None:
    if prescriber.role != "prescriber":
        raise Forbidden("Only prescribers can submit prescriptions.", code="signing.not_allowed")


def _audit_submitted(
    session: Session,
    prescriber: AuthenticatedUser,
    grant: SigningGrant,
    now: dt.datetime,
    *,
    address: str | None,
    row_id: uuid.UUID,
) -> None:
    audit.append(
        session,
        now=now,
        actor=Actor(prescriber.id, prescriber.role, address, prescriber.username),
        action="prescription.submit",
        outcome="submitted",
        target_type="prescription",
        target_id=row_id,
        details={"signing_method": grant.method, "body_sha256": grant.body_sha256},
    )


def _respond(session: Session, row_id: uuid.UUID) -> str:
    """The 201 body, built from the stored row like every later read, and kept with it
    (canonical JSON) so that a retry replays it byte for byte."""
    session.flush()
    row = session.get(Prescription, row_id)
    assert row is not None  # inserted in this transaction
    response = canonical_json(PrescriptionOut.from_row(row).wire_json()).decode("utf-8")
    row.created_response_json = response
    return response
