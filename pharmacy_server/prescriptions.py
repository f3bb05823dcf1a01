"""Submitting, listing and reviewing prescriptions.

"Never lost, never duplicated" rests on one rule: the idempotency key is claimed and
the prescription inserted in the same transaction, guarded by the unique constraint
on ``(prescriber_id, idempotency_key)``. ``INSERT ... ON CONFLICT DO NOTHING`` reports
a lost race without an error on both PostgreSQL and SQLite; the winner's row is then
read back and its stored 201 body replayed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import (
    SIGNING_TOKEN_FIELD,
    CanonicalForm,
    canonical_json,
    canonical_sha256,
)
from pharmacy_domain.engine import Evaluation, evaluate, evaluate_body, unacknowledged
from pharmacy_domain.fhir import prescription_bundle
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import (
    FieldError,
    IngredientLine,
    InvalidPrescription,
    Patient,
    Vehicle,
    parse_prescription,
)
from pharmacy_domain.prescription import Prescription as DomainPrescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.status import (
    ACTIONS,
    MAX_NOTE_LENGTH,
    REVIEW_ACTIONS,
    NoteRule,
    PrescriptionStatus,
    status_label,
)
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server import audit
from pharmacy_server.audit import Actor
from pharmacy_server.auth import AuthenticatedUser, check_licence
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.db import Database
from pharmacy_server.errors import ApiError, forbidden, invalid, not_found
from pharmacy_server.models import (
    Prescription,
    PrescriptionEvent,
    ReferenceCounter,
    SigningGrant,
)
from pharmacy_server.notify import Notifier, NotifyFailed
from pharmacy_server.pagination import (
    DEFAULT_PAGE_SIZE,
    Page,
    clamp_limit,
    decode_cursor,
    encode_cursor,
)
from pharmacy_server.signing import check_grant, spend_grant

log = logging.getLogger(__name__)

MAX_IDEMPOTENCY_KEY_LENGTH = 255
#: Steps the prescriber hears of by e-mail, and what the message says. Mail is not a safe
#: channel: it names the reference only, never the patient or the note.
NOTICES: dict[str, tuple[str, str]] = {
    "request_clarification": (
        "Question about prescription {reference}",
        "A pharmacist has a question about prescription {reference}. The pharmacy holds "
        "the order until you answer.\n\nSign in to the prescriber portal to read the "
        "question and answer it.",
    ),
    "reject": (
        "Prescription {reference} was not accepted",
        "A pharmacist could not accept prescription {reference}.\n\nSign in to the "
        "prescriber portal to read the reason.",
    ),
    "ship": (
        "Prescription {reference} has shipped",
        "Prescription {reference} has left the pharmacy.\n\nSign in to the prescriber "
        "portal for the courier and tracking details.",
    ),
}
NOTICE_FOOTER = "\n\nThis message carries no patient information. Do not reply to it."


@dataclass(frozen=True)
class Notice:
    """An e-mail to send once the step is committed (``PrescriptionService.send_notice``)."""

    to: str
    subject: str
    text: str


@dataclass(frozen=True)
class StepResult:
    wire: dict[str, Any]
    notice: Notice | None


#: The audit action of each lifecycle action (the first review decisions keep their name).
AUDIT_ACTIONS = {"approve": "prescription.review", "reject": "prescription.review"}
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


def event_to_wire(
    *,
    at: dt.datetime,
    action: str,
    from_status: str | None,
    to_status: str,
    actor_id: uuid.UUID,
    actor_name: str,
    actor_role: str,
    note: str | None,
) -> dict[str, Any]:
    """One history step as the API shows it."""
    return {
        "at": wire_time(at),
        "action": action,
        "from_status": from_status,
        "status": to_status,
        "actor": {"id": str(actor_id), "display_name": actor_name, "role": actor_role},
        "note": note,
    }


def _last_step(row: Prescription) -> str:
    """The newest step in words: "Dr. Maya Chen answered"."""
    if not row.events:
        return "it was updated"
    event = row.events[-1]
    done = ACTIONS[event.action].past if event.action in ACTIONS else "submitted it"
    return f"{event.actor.display_name} {done}"


def _history(row: Prescription) -> list[dict[str, Any]]:
    return [
        event_to_wire(
            at=event.at,
            action=event.action,
            from_status=event.from_status,
            to_status=event.to_status,
            actor_id=event.actor_id,
            actor_name=event.actor.display_name,
            actor_role=event.actor.role,
            note=event.note,
        )
        for event in row.events
    ]


def _wire_keys() -> dict[str, frozenset[str]]:
    """The fields a client may send, read off the domain's own wire form, so a field the
    domain adds is accepted here without a second list to keep in step."""
    patient = Patient("", "", dt.date(2000, 1, 1), "unknown")
    sample = DomainPrescription(
        template_id="",
        template_version=0,
        patient=patient,
        ingredients=(),
        access="",
        vehicle=Vehicle("", 0.0),
    )
    return {
        "": frozenset(sample.to_wire()),
        "patient": frozenset(patient.to_wire()),
        "vehicle": frozenset(Vehicle("", 0.0).to_wire()),
        "ingredients": frozenset(IngredientLine("", 0.0, "").to_wire()),
    }


_WIRE_KEYS = _wire_keys()
SUBMITTABLE_FIELDS = _WIRE_KEYS[""] | {SIGNING_TOKEN_FIELD}
SERVER_OWNED_FIELDS = frozenset(
    {
        "id",
        "reference",
        "status",
        "created_at",
        "updated_at",
        "template_name",
        "prescriber",
        "prescriber_id",
        "clinic",
        "clinic_id",
        "content_sha256",
        "review",
        "reviewed_by",
        "reviewed_at",
        "idempotency_key",
    }
)
_NESTED_FIELDS = {name: keys for name, keys in _WIRE_KEYS.items() if name}


@dataclass(frozen=True)
class SubmitOutcome:
    """The 201 body exactly as first sent (canonical JSON), so a replay is byte-identical."""

    body_json: str
    replayed: bool


def request_fingerprint(
    body: Mapping[str, Any], form: CanonicalForm = CanonicalForm.RFC8785
) -> str:
    """What an Idempotency-Key is bound to: SHA-256 of the whole body (signing token and
    all) in canonical ``form``. A body no canonical form can carry is refused (422)."""
    try:
        return canonical_sha256(body, form)
    except ValueError:
        raise invalid(
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


class _KeyAlreadyClaimed(Exception):
    """Rolls the transaction back (undoing the reference number) after a lost race."""


def normalise_idempotency_key(raw: str | None) -> str:
    """The key as stored; accepts the RFC 8941 quoted-string form the IETF draft uses."""
    if raw is None or not raw.strip():
        raise ApiError(
            400,
            "The Idempotency-Key header is required: send a new UUID with each new "
            "prescription and the same one when retrying it.",
        )
    key = raw.strip()
    if len(key) >= 2 and key.startswith('"') and key.endswith('"'):
        key = key[1:-1]
    if not key or len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
        raise ApiError(
            400,
            f"The Idempotency-Key header must be 1 to {MAX_IDEMPOTENCY_KEY_LENGTH} "
            "printable characters (a UUID).",
        )
    return key


def check_submitted_fields(body: Any) -> None:
    """Refuse unknown and server-owned fields instead of silently dropping them."""
    if not isinstance(body, Mapping):
        raise invalid(
            "The prescription must be a JSON object.", [FieldError("body", "must be a JSON object")]
        )
    errors: list[FieldError] = []
    for name in body:
        if name in SERVER_OWNED_FIELDS:
            errors.append(FieldError(str(name), "is set by the server and cannot be submitted"))
        elif name not in SUBMITTABLE_FIELDS:
            errors.append(FieldError(str(name), "is not a field of a prescription"))
    for name, allowed in _NESTED_FIELDS.items():
        value = body.get(name)
        objects = (
            [(f"{name}[{i}]", item) for i, item in enumerate(value)]
            if isinstance(value, list)
            else [(name, value)]
        )
        for path, item in objects:
            if isinstance(item, Mapping):
                errors.extend(
                    FieldError(f"{path}.{key}", "is not a recognised field")
                    for key in item
                    if key not in allowed
                )
    if errors:
        raise invalid("The prescription contains fields the server does not accept.", errors)


def evaluation_to_wire(evaluation: Evaluation) -> dict[str, Any]:
    """What the server keeps of an evaluation: the figures and every finding."""
    return {
        "computed": dict(evaluation.computed),
        "findings": [finding.to_wire() for finding in evaluation.findings],
    }


def enforce_clinical_checks(evaluation: Evaluation, prescription: DomainPrescription) -> None:
    """Refuse an order the engine blocks, or one with a warning nobody acknowledged.

    Blocks are for the pharmacist to resolve with the prescriber, never overridden by a
    body field; each warning needs an acknowledgement with a reason (issue 3).
    """
    findings = [finding.to_wire() for finding in evaluation.findings]
    blocks = evaluation.blocks
    if blocks:
        raise ApiError(
            422,
            "The clinical checks block this prescription: "
            + "; ".join(finding.message for finding in blocks),
            code="clinical.blocked",
            errors=[FieldError(finding.field, finding.message) for finding in blocks],
            extra={"findings": findings},
        )
    missing = unacknowledged(evaluation, prescription.acknowledgements)
    if missing:
        raise ApiError(
            422,
            "Each warning needs an acknowledgement with a reason before the prescription "
            "can be submitted.",
            code="clinical.unacknowledged",
            errors=[
                FieldError(
                    "acknowledgements",
                    f"{finding.code} ({finding.field}) needs an acknowledgement with a reason",
                )
                for finding in missing
            ],
            extra={"findings": findings},
        )


def prescription_to_wire(row: Prescription) -> dict[str, Any]:
    content = json.loads(row.content_json)
    review = None
    if row.review_action is not None and row.reviewed_at is not None:
        review = {
            "action": row.review_action,
            "reason": row.review_reason,
            "reviewer": row.reviewer.display_name if row.reviewer is not None else None,
            "reviewed_at": wire_time(row.reviewed_at),
        }
    return {
        **content,
        "id": str(row.id),
        "reference": row.reference,
        "status": row.status,
        "created_at": wire_time(row.created_at),
        "updated_at": wire_time(row.updated_at),
        "template_id": row.template_id,
        "template_version": row.template_version,
        "template_name": row.template_name,
        "prescriber": {
            "id": str(row.prescriber_id),
            "display_name": row.prescriber.display_name,
            "clinic": row.prescriber.clinic.name,
        },
        "content_sha256": row.content_sha256,
        "evaluation": None if row.evaluation_json is None else json.loads(row.evaluation_json),
        "signature": None
        if row.signed_at is None
        else signature_to_wire(
            signer_id=row.prescriber_id,
            signer_name=row.prescriber.display_name,
            signed_at=row.signed_at,
            body_sha256=row.signed_body_sha256,
            method=row.signing_method,
        ),
        "review": review,
        "history": _history(row),
    }


def signature_to_wire(
    *,
    signer_id: uuid.UUID,
    signer_name: str,
    signed_at: dt.datetime,
    body_sha256: str | None,
    method: str | None,
) -> dict[str, Any]:
    """Who signed, when (the step-up), how, and the hash of the body they signed."""
    return {
        "signed_by": {"id": str(signer_id), "display_name": signer_name},
        "signed_at": wire_time(signed_at),
        "body_sha256": body_sha256,
        "method": method,
    }


def _is_lock_timeout(error: OperationalError) -> bool:
    original = error.orig
    if getattr(original, "sqlstate", None) == "55P03":  # PostgreSQL lock_not_available
        return True
    return "database is locked" in str(original)


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
        self._notifier = notifier
        self._catalog = catalog
        self._formulary = formulary
        self._rules = rules
        self._clock = clock
        # On PostgreSQL a second request with the same key waits on the first one's
        # uncommitted row; past this it is told to retry (409) rather than hang.
        self._lock_wait_ms = int(lock_wait_ms)

    # ------------------------------------------------------------------ checks

    def validate(self, body: Any) -> dict[str, Any]:
        """The engine's verdict on a body, exactly as submit would judge it; stores nothing."""
        check_submitted_fields(body)
        evaluation = evaluate_body(
            body, self._catalog, self._formulary, self._rules, today=self._clock().date()
        )
        if evaluation.errors:
            raise invalid("The prescription is not valid.", evaluation.errors)
        return {**evaluation_to_wire(evaluation), "blocked": evaluation.blocked}

    # ------------------------------------------------------------------ submit

    def submit(
        self,
        *,
        prescriber: AuthenticatedUser,
        idempotency_key: str,
        body: Any,
        address: str | None = None,
    ) -> SubmitOutcome:
        if prescriber.role != "prescriber":
            raise ApiError(
                403, "Only prescribers can submit prescriptions.", code="signing.not_allowed"
            )
        check_submitted_fields(body)
        fingerprint = RequestFingerprint.of(body)
        earlier = self._replay(prescriber.id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier

        now = self._clock()
        grant = self._signed_grant(
            prescriber, body, now, address, idempotency_key=idempotency_key, fingerprint=fingerprint
        )
        if isinstance(grant, SubmitOutcome):
            return grant
        unsigned = {key: value for key, value in body.items() if key != SIGNING_TOKEN_FIELD}
        try:
            prescription = parse_prescription(unsigned, self._catalog, today=now.date())
        except InvalidPrescription as error:
            raise invalid("The prescription is not valid.", error.errors) from None
        template = self._catalog.get(prescription.template_id, prescription.template_version)
        assert template is not None  # parse_prescription found it
        evaluation = evaluate(
            prescription, None, self._formulary, self._rules, template=template, today=now.date()
        )
        enforce_clinical_checks(evaluation, prescription)
        evaluation_wire = evaluation_to_wire(evaluation)
        content = prescription.to_wire()
        content_bytes = canonical_json(content)
        row_id = uuid.uuid4()

        try:
            with self._db.writing() as session:
                if not self._db.is_sqlite:
                    session.execute(text(f"SET LOCAL lock_timeout = {self._lock_wait_ms}"))
                reference = self._next_reference(session, now)
                response = {
                    **content,
                    "id": str(row_id),
                    "reference": reference,
                    "status": PrescriptionStatus.SUBMITTED.value,
                    "created_at": wire_time(now),
                    "updated_at": wire_time(now),
                    "template_id": template.id,
                    "template_version": template.version,
                    "template_name": template.name,
                    "prescriber": {
                        "id": str(prescriber.id),
                        "display_name": prescriber.display_name,
                        "clinic": prescriber.clinic_name,
                    },
                    "content_sha256": canonical_sha256(content),
                    "evaluation": evaluation_wire,
                    "signature": signature_to_wire(
                        signer_id=prescriber.id,
                        signer_name=prescriber.display_name,
                        signed_at=grant.created_at,
                        body_sha256=grant.body_sha256,
                        method=grant.method,
                    ),
                    "review": None,
                    "history": [
                        event_to_wire(
                            at=now,
                            action="submit",
                            from_status=None,
                            to_status=PrescriptionStatus.SUBMITTED.value,
                            actor_id=prescriber.id,
                            actor_name=prescriber.display_name,
                            actor_role=prescriber.role,
                            note=None,
                        )
                    ],
                }
                values: dict[str, Any] = {
                    "id": row_id,
                    "reference": reference,
                    "prescriber_id": prescriber.id,
                    "clinic_id": prescriber.clinic_id,
                    "idempotency_key": idempotency_key,
                    "request_sha256": fingerprint.sha256,
                    "request_hash_form": fingerprint.form.value,
                    "status": PrescriptionStatus.SUBMITTED.value,
                    "template_id": template.id,
                    "template_version": template.version,
                    "template_name": template.name,
                    "content_json": content_bytes.decode("utf-8"),
                    "content_sha256": response["content_sha256"],
                    "evaluation_json": canonical_json(evaluation_wire).decode("utf-8"),
                    "created_response_json": canonical_json(response).decode("utf-8"),
                    "created_at": now,
                    "updated_at": now,
                    "signed_at": grant.created_at,
                    "signed_body_sha256": grant.body_sha256,
                    "signing_method": grant.method,
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
                # After the claim, so a same-key duplicate waits on the row and replays
                # rather than finding the token spent.
                spend_grant(session, grant, prescription_id=row_id, now=now)
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
        except _KeyAlreadyClaimed:
            pass
        except OperationalError as error:
            if not _is_lock_timeout(error):
                raise
            log.warning("submit waited too long for a lock; asking the client to retry")
        else:
            log.info("prescription %s submitted by account %s", row_id, prescriber.id)
            return SubmitOutcome(values["created_response_json"], replayed=False)

        # Another request with this key got there first (or still holds the lock).
        earlier = self._replay(prescriber.id, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
        raise ApiError(
            409,
            "A request with this Idempotency-Key is still being processed; retry shortly "
            "with the same key.",
            headers={"Retry-After": "1"},
        )

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
        """The prescriber's valid signature over this body; refusals are audited. A token
        spent since our replay check may have been spent by this very key's first request
        (a concurrent retry): then that request's answer is replayed."""
        try:
            check_licence(prescriber, now.date())
            with self._db.reading() as session:
                grant = check_grant(session, body, signer_id=prescriber.id, now=now)
                session.expunge(grant)
        except ApiError as error:
            if error.code == "signing.token_used":
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
                    details={"code": error.code},
                )
            raise
        return grant

    def _replay(
        self, prescriber_id: uuid.UUID, key: str, fingerprint: RequestFingerprint
    ) -> SubmitOutcome | None:
        with self._db.reading() as session:
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
            raise invalid(
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

    # ------------------------------------------------------------------ read

    def _visible_to(self, user: AuthenticatedUser) -> ColumnElement[bool] | None:
        """The rows ``user`` may see; None means all of them."""
        if user.role == "prescriber":
            return Prescription.prescriber_id == user.id
        if user.role in ("pharmacist", "admin"):
            return None
        return false()  # clinic staff: nothing yet

    def _visible_row(
        self, session: Session, user: AuthenticatedUser, prescription_id: uuid.UUID
    ) -> Prescription:
        query = select(Prescription).where(Prescription.id == prescription_id)
        scope = self._visible_to(user)
        if scope is not None:
            query = query.where(scope)
        row = session.scalar(query)
        if row is None:  # someone else's looks exactly like a missing one
            raise not_found("Prescription")
        return row

    def get(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> dict[str, Any]:
        with self._db.reading() as session:
            return prescription_to_wire(self._visible_row(session, user, prescription_id))

    def fhir_bundle(self, user: AuthenticatedUser, prescription_id: uuid.UUID) -> dict[str, Any]:
        """The stored prescription as an R4 Bundle. Ids derive from the prescription id,
        so the same prescription always exports the same document."""
        with self._db.reading() as session:
            row = self._visible_row(session, user, prescription_id)
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
    ) -> Page:
        limit = clamp_limit(limit)
        conditions: list[ColumnElement[bool]] = []
        scope = self._visible_to(user)
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
            items = [prescription_to_wire(row) for row in rows]
            next_cursor = encode_cursor(rows[-1].created_at, rows[-1].id) if more else None
        return Page(items=items, total=total or 0, next_cursor=next_cursor)

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
        """``POST …/review``: the first two pharmacist decisions, as :meth:`act` takes them."""
        if action not in REVIEW_ACTIONS:
            raise invalid(
                "The review action is not valid.",
                [FieldError("action", f"must be one of {', '.join(REVIEW_ACTIONS)}")],
            )
        return self.act(
            user, prescription_id, action=action, note=reason, address=address, note_field="reason"
        )

    def act(
        self,
        user: AuthenticatedUser,
        prescription_id: uuid.UUID,
        *,
        action: str,
        note: str | None,
        address: str | None = None,
        note_field: str = "note",
        seen_steps: int | None = None,
    ) -> StepResult:
        """Move a prescription on (``pharmacy_domain.status.ACTIONS``), recording who and why.

        Checked in this order: a known action, the caller's role, the note, a prescriber's
        licence for answering a clinical question, the caller's sight of the prescription
        (404 for another prescriber's), then, under a row lock, that the action leads on
        from the current status and, when the caller says how many steps it had seen
        (``seen_steps``), that nothing happened since: an approval must never be given on
        a screen that has not shown the prescriber's answer (409 either way).
        """
        step = ACTIONS.get(action)
        if step is None:
            raise invalid(
                "That action does not exist.",
                [FieldError("action", f"must be one of {', '.join(ACTIONS)}")],
            )
        if user.role not in step.roles:
            who = " or ".join(f"{role}s" for role in sorted(step.roles))
            raise forbidden(f"Only {who} can {step.phrase('a prescription')}.")
        note = (note or "").strip() or None
        if note is None and step.note is NoteRule.REQUIRED:
            raise invalid(
                f"{step.note_label} is required.",
                [FieldError(note_field, f"is required to {step.phrase()}")],
            )
        if note is not None and len(note) > MAX_NOTE_LENGTH:
            raise invalid(
                f"{step.note_label} is too long.",
                [FieldError(note_field, f"must be at most {MAX_NOTE_LENGTH} characters")],
            )
        now = self._clock()
        if action == "answer_clarification":
            # The answer is clinical: it changes what the pharmacy compounds.
            check_licence(user, now.date(), doing="answer the pharmacy's clinical questions")
        with self._db.writing() as session:
            query = select(Prescription).where(Prescription.id == prescription_id)
            scope = self._visible_to(user)
            if scope is not None:
                query = query.where(scope)
            row = session.scalar(query.with_for_update(of=Prescription))
            if row is None:  # someone else's looks exactly like a missing one
                raise not_found("Prescription")
            current = PrescriptionStatus(row.status)
            if not step.allowed_from(current):
                raise ApiError(
                    409,
                    f"This prescription is now “{status_label(current)}”, so it cannot be "
                    f"{step.past} any more. Refresh to see who changed it.",
                    code="prescription.status_changed",
                    extra={"status": current.value},
                )
            if seen_steps is not None and seen_steps != len(row.events):
                raise ApiError(
                    409,
                    f"This prescription changed since you opened it: {_last_step(row)}. "
                    f"Look at it again before you {step.phrase()}.",
                    code="prescription.changed_since_seen",
                    extra={"status": current.value},
                )
            row.status = step.target.value
            row.updated_at = now
            if action in REVIEW_ACTIONS:
                row.review_action = action
                row.review_reason = note
                row.reviewed_by_id = user.id
                row.reviewed_at = now
            session.add(
                PrescriptionEvent(
                    prescription_id=row.id,
                    seq=len(row.events) + 1,
                    at=now,
                    action=action,
                    from_status=current.value,
                    to_status=step.target.value,
                    actor_id=user.id,
                    note=note,
                )
            )
            audit.append(
                session,
                now=now,
                actor=Actor(user.id, user.role, address, user.username),
                action=AUDIT_ACTIONS.get(action, f"prescription.{action}"),
                outcome=step.target.value,
                target_type="prescription",
                target_id=row.id,
                details={"from": current.value, "to": step.target.value, "action": action},
            )
            session.flush()
            session.expire(row)
            session.refresh(row)
            wire = prescription_to_wire(row)
            email = row.prescriber.email
        log.info("prescription %s %s by account %s", prescription_id, step.target.value, user.id)
        notice = None
        if action in NOTICES and email:
            subject, text = NOTICES[action]
            reference = wire["reference"]
            notice = Notice(
                email,
                subject.format(reference=reference),
                text.format(reference=reference) + NOTICE_FOOTER,
            )
        return StepResult(wire, notice)

    def send_notice(self, notice: Notice | None) -> None:
        """Mail the prescriber (after the response: a slow mail server never delays the
        pharmacist). A failure is logged, never raised: the step itself is recorded."""
        if notice is None or self._notifier is None:
            return
        try:
            self._notifier.send(to=notice.to, subject=notice.subject, text=notice.text)
        except NotifyFailed:
            log.warning("the prescriber could not be told of a step by mail")
