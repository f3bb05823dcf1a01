"""Patient records: a clinic's prescribers and staff share its patients; another clinic's
record is not found, exactly like a missing id. Pharmacists may read a record that a
prescription names (the orders they review), never search, create or edit; admins see
none (their role is accounts and the audit trail).

Every read and change is audited in the same transaction as the read or the change:
who, which record, what kind of change (the names of the fields changed), never a
value. A search's text is never written anywhere: the audit says only whether it was
by name or by birth date and how many records it found.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import canonical_json
from pharmacy_domain.field_checks import FieldError
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.patient_records import (
    MAX_DOCUMENT_BYTES,
    RecordAllergy,
    allergy_problems,
    allergy_vocabulary,
    birth_date_problems,
    coded_allergy,
    document_size_text,
    document_type,
    lab_problems,
    measured_on_problems,
    named_lab,
)
from pharmacy_domain.prescription import LabResult
from pharmacy_server import audit
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, Invalid, NotFound, TooLarge, UnsupportedType
from pharmacy_server.models import PatientDocument, PatientRecord, Prescription
from pharmacy_server.pagination import clamp_limit, decode_cursor, encode_cursor
from pharmacy_server.patients.schemas import (
    AllergyIn,
    DocumentIn,
    HeightIn,
    LabIn,
    PatientDocumentOut,
    PatientIn,
    PatientList,
    PatientOut,
    PatientSummaryOut,
    PatientUpdate,
    WeightIn,
)

VERSION_CONFLICT = "patient.version_conflict"
#: Roles that share their clinic's records and may search, create and edit them.
CLINIC_ROLES = frozenset({"prescriber", "clinic_staff"})
_DATE_QUERY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: At most this many words of a name query are matched (each against either name).
MAX_QUERY_WORDS = 4


def name_key(name: str) -> str:
    """What a name is searched by: case-folded, spaces collapsed."""
    return " ".join(name.casefold().split())


@dataclass(frozen=True)
class DocumentContent:
    """A document's bytes and how to send them."""

    content: bytes
    content_type: str
    filename: str


def _labs(labs: Sequence[LabIn]) -> list[LabResult]:
    return [
        LabResult(lab.code.lower(), lab.date, lab.value, lab.unit.strip(), lab.interpretation)
        for lab in labs
    ]


def _labs_json(labs: Sequence[LabResult]) -> str:
    """Stored newest first, each with the list's usual unit when none was given."""
    rows = []
    for lab in sorted(labs, key=lambda item: item.date, reverse=True):
        named = named_lab(lab.code)
        unit = lab.unit or (named.unit if named is not None and lab.value is not None else "")
        rows.append(
            {
                "code": lab.code,
                "date": lab.date.isoformat(),
                "value": lab.value,
                "unit": unit,
                "interpretation": lab.interpretation,
            }
        )
    return canonical_json(rows).decode("utf-8")


def _allergies(allergies: Sequence[AllergyIn]) -> list[RecordAllergy]:
    return [
        coded_allergy(None if item.code is None else name_key(item.code), item.text)
        for item in allergies
    ]


def _allergies_json(allergies: Sequence[RecordAllergy]) -> str:
    return canonical_json([{"code": a.code, "text": a.text} for a in allergies]).decode("utf-8")


def _stripped_name(value: str, field: str, problems: list[FieldError]) -> str:
    text = " ".join(value.split())
    if not text:
        problems.append(FieldError(field, "is required"))
    return text


class PatientService:
    def __init__(self, database: Database, formulary: Formulary, clock: Clock) -> None:
        self._db = database
        # Read when a record is written: the published formulary may change meanwhile, and
        # the app is built before the database is known to hold its schema (/readyz).
        self._formulary = formulary
        self._clock = clock

    # ------------------------------------------------------------------ scoping

    @staticmethod
    def _visible(user: AuthenticatedUser) -> Any:
        """The records ``user`` may read, as a WHERE clause."""
        if user.role in CLINIC_ROLES:
            return PatientRecord.clinic_id == user.clinic_id
        if user.role == "pharmacist":
            return exists().where(Prescription.patient_id == PatientRecord.id)
        return PatientRecord.id.is_(None)  # nobody else: never a row

    def _row(
        self, session: Session, user: AuthenticatedUser, patient_id: uuid.UUID, *, lock: bool
    ) -> PatientRecord:
        query = select(PatientRecord).where(PatientRecord.id == patient_id, self._visible(user))
        row = session.scalar(query.with_for_update() if lock else query)
        if row is None:
            raise NotFound("Patient")
        return row

    def _editable(
        self, session: Session, user: AuthenticatedUser, patient_id: uuid.UUID
    ) -> PatientRecord:
        if user.role not in CLINIC_ROLES:  # the route's guard already refused
            raise NotFound("Patient")
        return self._row(session, user, patient_id, lock=True)

    # ------------------------------------------------------------------ checks

    def _checked(
        self,
        *,
        birth_date: dt.date | None,
        allergies: Sequence[RecordAllergy] | None,
        labs: Sequence[LabResult] | None,
        weight: WeightIn | None,
        height: HeightIn | None,
        problems: list[FieldError],
    ) -> None:
        today = self._clock().date()
        if birth_date is not None:
            problems.extend(birth_date_problems(birth_date, today))
        if allergies is not None:
            problems.extend(allergy_problems(allergies, allergy_vocabulary(self._formulary)))
        if labs is not None:
            problems.extend(lab_problems(labs, today))
        if weight is not None:
            problems.extend(measured_on_problems(weight.measured_on, today, "weight.measured_on"))
        if height is not None:
            problems.extend(measured_on_problems(height.measured_on, today, "height.measured_on"))
        if problems:
            raise Invalid("The patient record is not valid.", problems)

    # ------------------------------------------------------------------ calls

    def search(
        self,
        user: AuthenticatedUser,
        *,
        query: str | None,
        limit: int,
        cursor: str | None,
        address: str | None,
    ) -> PatientList:
        """The clinic's records matching ``query`` (each word the start of the given or
        the family name, case ignored; or a birth date ``YYYY-MM-DD``), newest first."""
        limit = clamp_limit(limit)
        where: list[Any] = [self._visible(user)]
        text = " ".join((query or "").split())
        kind = "all"
        if _DATE_QUERY.fullmatch(text):
            try:
                born = dt.date.fromisoformat(text)
            except ValueError:
                raise Invalid(
                    "The birth date searched for is not a date.",
                    [FieldError("q", "must be a real date written YYYY-MM-DD, or a name")],
                ) from None
            where.append(PatientRecord.birth_date == born)
            kind = "birth_date"
        elif text:
            words = name_key(text).split()[:MAX_QUERY_WORDS]
            where.extend(
                or_(
                    PatientRecord.given_key.startswith(word, autoescape=True),
                    PatientRecord.family_key.startswith(word, autoescape=True),
                    PatientRecord.given_key.contains(f" {word}", autoescape=True),
                    PatientRecord.family_key.contains(f" {word}", autoescape=True),
                )
                for word in words
            )
            kind = "name"
        if cursor is not None:
            created_at, row_id = decode_cursor(cursor)
            where.append(
                or_(
                    PatientRecord.created_at < created_at,
                    and_(PatientRecord.created_at == created_at, PatientRecord.id < row_id),
                )
            )
        with self._db.writing() as session:
            rows = list(
                session.scalars(
                    select(PatientRecord)
                    .where(*where)
                    .order_by(PatientRecord.created_at.desc(), PatientRecord.id.desc())
                    .limit(limit + 1)
                )
            )
            more = len(rows) > limit
            rows = rows[:limit]
            self._audit(
                session,
                user,
                address,
                "patient.search",
                patient_id=None,
                details={"by": kind, "results": len(rows), "page": cursor is not None},
            )
            return PatientList(
                items=[PatientSummaryOut.from_row(row) for row in rows],
                next_cursor=encode_cursor(rows[-1].created_at, rows[-1].id) if more else None,
            )

    def create(
        self, user: AuthenticatedUser, body: PatientIn, *, address: str | None
    ) -> PatientOut:
        problems: list[FieldError] = []
        given = _stripped_name(body.given_name, "given_name", problems)
        family = _stripped_name(body.family_name, "family_name", problems)
        allergies = _allergies(body.allergies)
        labs = _labs(body.labs)
        self._checked(
            birth_date=body.birth_date,
            allergies=allergies,
            labs=labs,
            weight=body.weight,
            height=body.height,
            problems=problems,
        )
        now = self._clock()
        row = PatientRecord(
            id=uuid.uuid4(),
            clinic_id=user.clinic_id,
            version=1,
            given_name=given,
            family_name=family,
            given_key=name_key(given),
            family_key=name_key(family),
            birth_date=body.birth_date,
            sex=body.sex,
            address=body.address.strip(),
            phone=body.phone.strip(),
            allergies_json=_allergies_json(allergies),
            weight_kg=None if body.weight is None else body.weight.value,
            weight_measured_on=None if body.weight is None else body.weight.measured_on,
            height_cm=None if body.height is None else body.height.value,
            height_measured_on=None if body.height is None else body.height.measured_on,
            labs_json=_labs_json(labs),
            created_by_id=user.id,
            updated_by_id=user.id,
            created_at=now,
            updated_at=now,
        )
        with self._db.writing() as session:
            session.add(row)
            session.flush()
            self._audit(
                session, user, address, "patient.create", patient_id=row.id, details={"version": 1}
            )
            return PatientOut.from_row(row)

    def get(
        self, user: AuthenticatedUser, patient_id: uuid.UUID, *, address: str | None
    ) -> PatientOut:
        with self._db.writing() as session:
            row = self._row(session, user, patient_id, lock=False)
            self._audit(
                session,
                user,
                address,
                "patient.read",
                patient_id=row.id,
                details={"version": row.version},
            )
            return PatientOut.from_row(row)

    def update(
        self,
        user: AuthenticatedUser,
        patient_id: uuid.UUID,
        change: PatientUpdate,
        *,
        address: str | None,
    ) -> PatientOut:
        sent = set(change.model_fields_set) - {"version"}
        problems: list[FieldError] = []
        for required in ("given_name", "family_name", "birth_date", "sex"):
            if required in sent and getattr(change, required) is None:
                problems.append(FieldError(required, "is required and cannot be removed"))
        allergies = _allergies(change.allergies) if change.allergies is not None else None
        labs = _labs(change.labs) if change.labs is not None else None
        given = family = None
        if change.given_name is not None:
            given = _stripped_name(change.given_name, "given_name", problems)
        if change.family_name is not None:
            family = _stripped_name(change.family_name, "family_name", problems)
        self._checked(
            birth_date=change.birth_date,
            allergies=allergies,
            labs=labs,
            weight=change.weight,
            height=change.height,
            problems=problems,
        )
        with self._db.writing() as session:
            row = self._editable(session, user, patient_id)
            if row.version != change.version:
                raise Conflict(
                    "This patient's record was changed by someone else since you opened it "
                    f"(it is now version {row.version}): reload it and make your change again.",
                    code=VERSION_CONFLICT,
                    extra={"current_version": row.version},
                )
            _apply(
                row,
                change,
                sent=sent,
                given=given,
                family=family,
                allergies=allergies,
                labs=labs,
            )
            row.version += 1
            row.updated_at = self._clock()
            row.updated_by_id = user.id
            session.flush()
            self._audit(
                session,
                user,
                address,
                "patient.update",
                patient_id=row.id,
                details={"version": row.version, "fields": sorted(sent)},
            )
            return PatientOut.from_row(row)

    def add_document(
        self,
        user: AuthenticatedUser,
        patient_id: uuid.UUID,
        document: DocumentIn,
        *,
        address: str | None,
    ) -> PatientDocumentOut:
        filename = _document_filename(document.filename)
        content = _decoded(document.content_base64)
        if len(content) > MAX_DOCUMENT_BYTES:
            raise TooLarge(
                f"The document is {document_size_text(len(content))}; a document is at most "
                f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB. Attach a smaller scan or split it.",
                code="patient.document_too_large",
            )
        if not content:
            raise Invalid("The document is empty.", [FieldError("content_base64", "is empty")])
        kind = document_type(content)
        if kind is None:
            raise UnsupportedType(
                "Only a PDF, PNG or JPEG can be attached, and this file is none of them "
                "(its type is read from its content, not its name).",
                code="patient.document_type",
            )
        with self._db.writing() as session:
            row = self._editable(session, user, patient_id)
            document_row = PatientDocument(
                id=uuid.uuid4(),
                patient_id=row.id,
                filename=filename,
                content_type=kind,
                size_bytes=len(content),
                sha256=hashlib.sha256(content).hexdigest(),
                content=content,
                uploaded_by_id=user.id,
                uploaded_at=self._clock(),
            )
            session.add(document_row)
            session.flush()
            self._audit(
                session,
                user,
                address,
                "patient.document.add",
                patient_id=row.id,
                details={
                    "document_id": str(document_row.id),
                    "content_type": kind,
                    "size": len(content),
                },
            )
            return PatientDocumentOut.from_row(document_row)

    def document(
        self,
        user: AuthenticatedUser,
        patient_id: uuid.UUID,
        document_id: uuid.UUID,
        *,
        address: str | None,
    ) -> DocumentContent:
        with self._db.writing() as session:
            row = self._row(session, user, patient_id, lock=False)
            found = session.scalar(
                select(PatientDocument).where(
                    PatientDocument.id == document_id, PatientDocument.patient_id == row.id
                )
            )
            if found is None:
                raise NotFound("Document")
            self._audit(
                session,
                user,
                address,
                "patient.document.read",
                patient_id=row.id,
                details={"document_id": str(found.id)},
            )
            return DocumentContent(found.content, found.content_type, found.filename)

    # ------------------------------------------------------------------ links

    @staticmethod
    def link_for_prescription(
        session: Session, prescriber: AuthenticatedUser, raw: Any
    ) -> uuid.UUID | None:
        """The record a submitted prescription names, checked to be of the prescriber's
        clinic (404 otherwise, like a missing one); ``None`` when it names none."""
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise Invalid(
                "The prescription's patient_id is not an id.",
                [FieldError("patient_id", "must be the id of a patient record, as text")],
            )
        try:
            patient_id = uuid.UUID(raw)
        except ValueError:
            raise NotFound("Patient") from None
        found = session.scalar(
            select(PatientRecord.id).where(
                PatientRecord.id == patient_id, PatientRecord.clinic_id == prescriber.clinic_id
            )
        )
        if found is None:
            raise NotFound("Patient")
        return patient_id

    def _audit(
        self,
        session: Session,
        user: AuthenticatedUser,
        address: str | None,
        action: str,
        *,
        patient_id: uuid.UUID | None,
        details: dict[str, Any] | None = None,
    ) -> None:
        audit.append(
            session,
            now=self._clock(),
            actor=audit.Actor(user.id, user.role, address, user.username),
            action=action,
            outcome="success",
            target_type="patient",
            target_id=patient_id,
            details=details,
        )


def _decoded(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Invalid(
            "The document could not be read.",
            [FieldError("content_base64", "is not base64 (RFC 4648, no line breaks)")],
        ) from None


def _document_filename(raw: str) -> str:
    """The file's own name, without any folder a client put before it."""
    name = raw.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise Invalid(
            "The document needs a file name.",
            [FieldError("filename", "must name a file, not a folder")],
        )
    return name


def _apply(
    row: PatientRecord,
    change: PatientUpdate,
    *,
    sent: set[str],
    given: str | None,
    family: str | None,
    allergies: Sequence[RecordAllergy] | None,
    labs: Sequence[LabResult] | None,
) -> None:
    """Write the checked members of ``change`` onto ``row``; the others stay."""
    if given is not None:
        row.given_name, row.given_key = given, name_key(given)
    if family is not None:
        row.family_name, row.family_key = family, name_key(family)
    if change.birth_date is not None:
        row.birth_date = change.birth_date
    if change.sex is not None:
        row.sex = change.sex
    if change.address is not None:
        row.address = change.address.strip()
    if change.phone is not None:
        row.phone = change.phone.strip()
    if allergies is not None:
        row.allergies_json = _allergies_json(allergies)
    if labs is not None:
        row.labs_json = _labs_json(labs)
    if "weight" in sent:
        row.weight_kg = None if change.weight is None else change.weight.value
        row.weight_measured_on = None if change.weight is None else change.weight.measured_on
    if "height" in sent:
        row.height_cm = None if change.height is None else change.height.value
        row.height_measured_on = None if change.height is None else change.height.measured_on
