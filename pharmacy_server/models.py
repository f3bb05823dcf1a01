"""Database tables. Times are stored in UTC; ids are random UUIDs."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every back-end (SQLite keeps no time zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC time")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:  # noqa: ARG002
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Clinic(Base):
    """A prescribing practice, or the pharmacy itself (``kind='pharmacy'``)."""

    __tablename__ = "clinic"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"), index=True)
    npi: Mapped[str | None] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    email: Mapped[str | None] = mapped_column(String(254))
    # Prescribers: the state licence that lets them sign, and an optional DEA number.
    licence_number: Mapped[str | None] = mapped_column(String(40))
    licence_state: Mapped[str | None] = mapped_column(String(2))
    licence_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    dea_number: Mapped[str | None] = mapped_column(String(9))
    # Seeded demo account: exempt from TOTP, and only while the server runs in demo mode.
    is_demo: Mapped[bool] = mapped_column(default=False)
    # AES-GCM sealed TOTP seed (security.SecretBox); NULL until enrolled.
    totp_secret_sealed: Mapped[str | None] = mapped_column(Text)
    # The last accepted TOTP time step: a code is accepted once, and never an older one.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    clinic: Mapped[Clinic] = relationship(lazy="joined")


class AuthSession(Base):
    """A bearer token, kept only as its SHA-256 so a database leak yields no session."""

    __tablename__ = "auth_session"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # Where and with what it was opened (migration 0014; NULL for older sessions).
    client_address: Mapped[str | None] = mapped_column(String(100))
    client_agent: Mapped[str | None] = mapped_column(String(200))


class ReferenceCounter(Base):
    """The last ``RX-YYMMDD-NNNN`` sequence number handed out on each day."""

    __tablename__ = "reference_counter"

    day: Mapped[str] = mapped_column(String(6), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


#: The date that stands for "no needed-by date" in ``Prescription.needed_by_key``.
NO_NEEDED_BY = dt.date(9999, 12, 31)
#: (name, leading columns): each index ends ``created_at DESC, id DESC`` so a page of
#: one filter, newest first within its sort key, is read in order without a sort.
#: A folded name key: "C" collation on PostgreSQL (byte order), SQLite's own is binary.
NAME_KEY = String(200).with_variant(String(200, collation="C"), "postgresql")

QUEUE_INDEX_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ix_queue_status", ("status",)),
    ("ix_queue_status_needed_by", ("status", "needed_by_key")),
    ("ix_queue_status_prescriber", ("status", "prescriber_id")),
    ("ix_queue_needed_by", ("needed_by_key",)),
    ("ix_queue_prescriber", ("prescriber_id",)),
    ("ix_queue_prescriber_needed_by", ("prescriber_id", "needed_by_key")),
    ("ix_queue_clinic", ("clinic_id",)),
    ("ix_queue_clinic_needed_by", ("clinic_id", "needed_by_key")),
    ("ix_queue_template", ("template_id",)),
    ("ix_queue_template_needed_by", ("template_id", "needed_by_key")),
    ("ix_queue_warnings", ("has_warnings",)),
    ("ix_queue_warnings_needed_by", ("has_warnings", "needed_by_key")),
    ("ix_queue_answered", ("answered",)),
    ("ix_queue_answered_needed_by", ("answered", "needed_by_key")),
)


class Prescription(Base):
    __tablename__ = "prescription"
    __table_args__ = (
        # The idempotency key lives on the row for ever (checklist E2/E3).
        UniqueConstraint("prescriber_id", "idempotency_key"),
        Index("ix_prescription_created_at_id", "created_at", "id"),
        # The pharmacist's queue sorts by it (migration 0008).
        Index("ix_prescription_needed_by", "needed_by"),
        # A prescriber's own refresh: what changed among their orders (migration 0013).
        Index("ix_prescription_prescriber_change_seq", "prescriber_id", "change_seq"),
        # The queue's search by the patient's name: a prefix of either key (0019).
        Index("ix_prescription_patient_family_key", "patient_family_key"),
        Index("ix_prescription_patient_given_key", "patient_given_key"),
        # …and under a status filter, the desk's "To review" (0020): the count of the
        # matches is a seek, not a read of every row of that status.
        Index("ix_prescription_status_family_key", "status", "patient_family_key"),
        Index("ix_prescription_status_given_key", "status", "patient_given_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    prescriber_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    # The canonical JSON of the fingerprint (migration 0006), as ``AuditEvent.hash_form``.
    request_hash_form: Mapped[str] = mapped_column(String(16), server_default="sorted-json")
    status: Mapped[str] = mapped_column(String(20), index=True)
    template_id: Mapped[str] = mapped_column(String(100))
    template_version: Mapped[int] = mapped_column(Integer)
    template_name: Mapped[str] = mapped_column(String(200))
    # ``Prescription.to_wire()`` as canonical JSON; ``content_sha256`` is its hash.
    content_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    # The engine's computed values and findings at submission (issue 3), for the pharmacist.
    evaluation_json: Mapped[str | None] = mapped_column(Text)
    # The exact 201 body, replayed for a repeated idempotency key.
    created_response_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    review_action: Mapped[str | None] = mapped_column(String(20))
    review_reason: Mapped[str | None] = mapped_column(Text)
    reviewed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    # Who signed (always the prescriber), when, how, and the hash of the body they signed.
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    signed_body_sha256: Mapped[str | None] = mapped_column(String(64))
    signing_method: Mapped[str | None] = mapped_column(String(10))

    # Copied from the content's dispensing details to sort and show the queue (0008).
    needed_by: Mapped[dt.date | None] = mapped_column(Date)
    quantity_bags: Mapped[int | None] = mapped_column(Integer)
    # What the pharmacy entered when it marked the order ready, shown to the prescriber.
    beyond_use_date: Mapped[dt.date | None] = mapped_column(Date)
    storage: Mapped[str | None] = mapped_column(String(30))
    # The clinic's patient record the order was written from (0012); the patient as
    # signed stays in ``content_json``, so a later edit of the record changes no order.
    patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patient.id"), index=True)

    # The queue's filters and order, each answered from an index (migration 0013).
    # ``needed_by`` with the undated last: a NULL would sort first in a SQLite index.
    needed_by_key: Mapped[dt.date] = mapped_column(Date, server_default="9999-12-31")
    # The evaluation at submission had a warning the prescriber acknowledged.
    has_warnings: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # The prescriber answered the pharmacy's question and no pharmacist has moved it since.
    answered: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    # Bumped on every write from ``PrescriptionChangeCounter``: ``changed_since`` reads it.
    change_seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    # The number of messages in its thread, the last one's ``seq`` (migration 0016): a
    # list row's unread count is this less the reader's ``MessageReadMarker``.
    message_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    # The patient's name as signed, folded to search by a prefix ("family given" and
    # "given family"; ``prescriptions.patient_search``, migration 0019). Byte order on
    # PostgreSQL too, so a prefix is a range whatever the database's locale.
    patient_family_key: Mapped[str | None] = mapped_column(NAME_KEY)
    patient_given_key: Mapped[str | None] = mapped_column(NAME_KEY)
    # The number of the version the content is (1: as submitted; migration 0017).
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    prescriber: Mapped[User] = relationship(foreign_keys=[prescriber_id], lazy="joined")
    reviewer: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id], lazy="joined")
    # Every move since submission, oldest first (a handful per prescription).
    events: Mapped[list[PrescriptionEvent]] = relationship(
        order_by="PrescriptionEvent.seq",
        lazy="selectin",
        back_populates="prescription",
    )


for _name, _columns in QUEUE_INDEX_COLUMNS:
    Index(
        _name,
        *(Prescription.__table__.c[column] for column in _columns),
        Prescription.created_at.desc(),
        Prescription.id.desc(),
    )

# The threads with any message: a caller's unread total reads only those (migration 0016).
Index("ix_prescription_message_count", Prescription.__table__.c.message_count)


class PrescriptionClaim(Base):
    """A pharmacist reviewing a prescription (migration 0015): one holder at a time, until
    ``expires_at``, renewed while their window keeps it open. A row, not process memory:
    every server process behind the balancer sees the same claims."""

    __tablename__ = "prescription_claim"

    prescription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE"), primary_key=True
    )
    holder_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    claimed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    holder: Mapped[User] = relationship(lazy="joined")


class PrescriptionChangeCounter(Base):
    """The last ``Prescription.change_seq`` handed out (one row). Taking the next one
    locks the row until commit, so sequence numbers become visible in order: a reader
    asking what changed after N never misses a write that committed late with a lower N."""

    __tablename__ = "prescription_change_counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(BigInteger)


class PrescriptionEvent(Base):
    """One step of a prescription's life: who moved it from which status to which, and why.

    ``seq`` numbers the steps of one prescription from 1; the unique pair also stops two
    writers from recording the same step twice.
    """

    __tablename__ = "prescription_event"
    __table_args__ = (UniqueConstraint("prescription_id", "seq"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    action: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    note: Mapped[str | None] = mapped_column(Text)
    # The version of the order the step was taken on, or made (migration 0017).
    version: Mapped[int] = mapped_column(Integer, server_default="1")

    prescription: Mapped[Prescription] = relationship(back_populates="events")
    actor: Mapped[User] = relationship(lazy="joined")


class MfaChallenge(Base):
    """The half-finished sign-in between a right password and its TOTP code."""

    __tablename__ = "mfa_challenge"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class SigningGrant(Base):
    """A signing token from a step-up: single use, bound to one body hash and one signer."""

    __tablename__ = "signing_grant"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    body_sha256: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    prescription_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("prescription.id"))


class AccountRequest(Base):
    """Someone asking for an account; pharmacy staff approve or reject it."""

    __tablename__ = "account_request"
    __table_args__ = (Index("ix_account_request_created_at_id", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    status: Mapped[str] = mapped_column(String(20), index=True)
    username: Mapped[str] = mapped_column(String(150))
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    clinic_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    npi: Mapped[str | None] = mapped_column(String(10))
    licence_number: Mapped[str | None] = mapped_column(String(40))
    licence_state: Mapped[str | None] = mapped_column(String(2))
    licence_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    dea_number: Mapped[str | None] = mapped_column(String(9))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    decision_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))


class ActivationCode(Base):
    """A single-use, expiring code sent to an approved user; activation sets the password
    and enrolls TOTP (the pending values wait here until the first code confirms them)."""

    __tablename__ = "activation_code"

    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    pending_password_hash: Mapped[str | None] = mapped_column(String(255))
    pending_totp_sealed: Mapped[str | None] = mapped_column(Text)


class RateBucket(Base):
    """A fixed-window counter per (purpose, client address), shared by all processes."""

    __tablename__ = "rate_bucket"

    bucket: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    count: Mapped[int] = mapped_column(Integer)


class AuditHead(Base):
    """The newest event's sequence number and hash: deleting the chain's tail shows here."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class AuditEvent(Base):
    """Append-only and hash-chained: ``hash = SHA-256(prev_hash || canonical(event))``.
    Ids, roles, account usernames and codes only: never a patient's data."""

    __tablename__ = "audit_event"
    __table_args__ = (
        # The admin's filters by who and by what, newest first (migration 0014).
        Index("ix_audit_event_actor_seq", "actor_id", "seq"),
        Index("ix_audit_event_target_seq", "target_type", "target_id", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_role: Mapped[str | None] = mapped_column(String(20))
    # The account's username when the event was written (migration 0004; NULL before it).
    actor_username: Mapped[str | None] = mapped_column(String(150))
    action: Mapped[str] = mapped_column(String(60), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(100))
    details_json: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # The canonical JSON ``hash`` was computed over (migration 0006): ``sorted-json`` for
    # events written before it, ``rfc8785`` since. The default keeps an INSERT that does not
    # name it (an older server during a rolling upgrade) labelled as what it wrote.
    hash_form: Mapped[str] = mapped_column(String(16), server_default="sorted-json")


class Draft(Base):
    """A prescription being prepared, by its prescriber or by staff of the same clinic."""

    __tablename__ = "draft"
    __table_args__ = (Index("ix_draft_updated_at_id", "updated_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"), index=True)
    prescriber_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"), index=True)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    updated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    body_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class Favorite(Base):
    """A prescriber's named order for one template version: doses, vehicle, access and
    infusion time, never a patient (``pharmacy_domain.favorites``)."""

    __tablename__ = "favorite"
    __table_args__ = (
        # One name per prescriber and template, compared as ``favorites.name_key`` does.
        UniqueConstraint("prescriber_id", "template_id", "name_key"),
        Index("ix_favorite_prescriber_updated", "prescriber_id", "updated_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"))
    prescriber_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    template_id: Mapped[str] = mapped_column(String(80))
    template_version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    # Case folding may lengthen a name up to three times ("ß" → "ss", "ΐ" → three).
    name_key: Mapped[str] = mapped_column(String(240))
    content_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class PatientRecord(Base):
    """A clinic's patient: who they are, how to reach them, allergies, weight, height
    and labs (``pharmacy_domain.patient_records``). Shared by the clinic's prescribers
    and staff; the database is encrypted at rest (``database_encryption``)."""

    __tablename__ = "patient"
    __table_args__ = (
        Index("ix_patient_clinic_created", "clinic_id", "created_at", "id"),
        Index("ix_patient_clinic_family", "clinic_id", "family_key"),
        Index("ix_patient_clinic_given", "clinic_id", "given_key"),
        Index("ix_patient_clinic_birth", "clinic_id", "birth_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    clinic_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clinic.id"))
    version: Mapped[int] = mapped_column(Integer)
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    # Case-folded names for the prefix search (folding may lengthen a name threefold).
    given_key: Mapped[str] = mapped_column(String(300))
    family_key: Mapped[str] = mapped_column(String(300))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    sex: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(Text)
    phone: Mapped[str] = mapped_column(String(40))
    allergies_json: Mapped[str] = mapped_column(Text)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    weight_measured_on: Mapped[dt.date | None] = mapped_column(Date)
    height_cm: Mapped[float | None] = mapped_column(Float)
    height_measured_on: Mapped[dt.date | None] = mapped_column(Date)
    labs_json: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    updated_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    documents: Mapped[list[PatientDocument]] = relationship(
        order_by="PatientDocument.uploaded_at", lazy="selectin", back_populates="patient"
    )


class PatientDocument(Base):
    """A document attached to a patient record (a PDF, PNG or JPEG of at most 10 MB),
    kept in the database so it is encrypted at rest and backed up with it."""

    __tablename__ = "patient_document"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patient.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Loaded only when the document itself is asked for, never with the record.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    patient: Mapped[PatientRecord] = relationship(back_populates="documents")


class CatalogVersion(Base):
    """One version of a template or of the whole formulary (migration 0018).

    ``kind`` is ``template`` (``entity_id`` the template's id) or ``formulary``
    (``entity_id`` always ``formulary``). A draft is what someone proposed, with why; a
    second person publishes it; the version it replaces becomes ``retired`` (still valid
    for the orders written against it). The files in ``resources/`` are the seed.
    """

    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("kind", "entity_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), index=True)
    # The domain's file form as canonical JSON; ``content_sha256`` is its hash.
    content_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    # None for the versions seeded from the files; the name is kept for the lists.
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    created_by_name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("app_user.id"))
    published_by_name: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PrescriptionMessage(Base):
    """One message in a prescription's thread (migration 0016), between its prescriber
    and the pharmacy. ``seq`` numbers a thread from 1; the text may name the patient, so
    it lives only here (the database's encryption covers it), never in a log or audit."""

    __tablename__ = "prescription_message"
    __table_args__ = (
        UniqueConstraint("prescription_id", "seq"),
        # A retry of a send carries the same key: the message is found, never doubled.
        UniqueConstraint("author_id", "idempotency_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE")
    )
    seq: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    author_role: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)

    author: Mapped[User] = relationship(lazy="joined")


class MessageReadMarker(Base):
    """How far one user has read one prescription's thread (migration 0016): the
    ``seq`` of the last message they saw. No row: nothing read yet."""

    __tablename__ = "message_read_marker"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True
    )
    prescription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_up_to: Mapped[int] = mapped_column(Integer)


class PrescriptionVersion(Base):
    """One signed version of a prescription's content (migration 0017). Version 1 is
    written when version 2 is made (until then the prescription row holds it)."""

    __tablename__ = "prescription_version"
    __table_args__ = (UniqueConstraint("prescription_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    content_json: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    evaluation_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    signed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    signed_body_sha256: Mapped[str | None] = mapped_column(String(64))
    signing_method: Mapped[str | None] = mapped_column(String(10))

    signer: Mapped[User] = relationship(lazy="joined")


class FieldProposal(Base):
    """A pharmacist's proposed value for one field of an order, asked with a question
    (migration 0017): ``open`` until the prescriber accepts it (a new version) or answers
    in words, or the order is rejected or cancelled (``closed``)."""

    __tablename__ = "field_proposal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    prescription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("prescription.id"), index=True)
    field_path: Mapped[str] = mapped_column(String(200))
    value_json: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20))
    proposed_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id"))
    proposed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    accepted_version: Mapped[int | None] = mapped_column(Integer)

    proposer: Mapped[User] = relationship(lazy="joined")
