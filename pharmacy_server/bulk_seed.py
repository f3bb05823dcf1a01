"""``pharmacy-server seed-bulk``: many realistic prescriptions at once, for measuring the
queue at a real pharmacy's volume (never in production: the patients are invented).

The orders are a few bodies the check engine really judged (one past a warning the
prescriber acknowledged), each given an invented patient and a needed-by date, spread
over the demo prescribers, the past weeks and every status with the history that leads
there. Rows go in by bulk load, not the HTTP path: each row is a tuple built from parts
serialised once (both JSON forms, the hashes over the real bytes), written by the DBAPI's
``executemany`` on SQLite and ``COPY`` on PostgreSQL in one transaction, with the queue's
indexes built once at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import rfc8785
from sqlalchemy import Boolean, Connection, Date, Index, Table, Uuid, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import canonical_json
from pharmacy_domain.engine import evaluate_body
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.rules import Rules
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server.clock import Clock, utc_now
from pharmacy_server.db import Database
from pharmacy_server.models import (
    NO_NEEDED_BY,
    Prescription,
    PrescriptionEvent,
    ReferenceCounter,
    User,
    UtcDateTime,
)
from pharmacy_server.prescriptions.changes import has_warnings, next_change_seq
from pharmacy_server.prescriptions.patient_search import name_keys
from pharmacy_server.prescriptions.submission import evaluation_to_stored

_PRESCRIPTION: Table = Prescription.__table__  # type: ignore[assignment]
_EVENT: Table = PrescriptionEvent.__table__  # type: ignore[assignment]
#: Rows built and written at a time: large enough to amortise, small enough to hold.
_BATCH = 5000
#: SQLite's page cache during the load (KiB), so building each index reads the table
#: from memory instead of decrypting it from disk again; only what is used is taken.
_LOAD_CACHE_KIB = 2 * 1024 * 1024
#: Orders per day of history (a reference holds four digits per day).
_PER_DAY = 1500

_GIVEN = ("Ana", "Ben", "Chloe", "Dmitri", "Elena", "Farah", "Gus", "Hana", "Ivan", "June",
          "Kofi", "Lena", "Marco", "Nia", "Omar", "Priti", "Quinn", "Rosa", "Sven",
          "Tara")  # fmt: skip
_FAMILY = ("Alvarez", "Brooks", "Castillo", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad",
           "Ito", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Petrov",
           "Quist", "Rossi", "Silva", "Tanaka", "Umar", "Varga", "Weber", "Young")  # fmt: skip

#: (weight, final status, the actions after submit that lead there).
_PATHS: tuple[tuple[int, PrescriptionStatus, tuple[str, ...]], ...] = (
    (10, PrescriptionStatus.SUBMITTED, ()),
    (3, PrescriptionStatus.SUBMITTED, ("request_clarification", "answer_clarification")),
    (3, PrescriptionStatus.NEEDS_CLARIFICATION, ("request_clarification",)),
    (8, PrescriptionStatus.APPROVED, ("approve",)),
    (5, PrescriptionStatus.COMPOUNDING, ("approve", "start_compounding")),
    (5, PrescriptionStatus.READY, ("approve", "start_compounding", "mark_ready")),
    (56, PrescriptionStatus.SHIPPED, ("approve", "start_compounding", "mark_ready", "ship")),
    (5, PrescriptionStatus.REJECTED, ("reject",)),
    (5, PrescriptionStatus.CANCELLED, ("cancel",)),
)
_TARGET = {
    "request_clarification": PrescriptionStatus.NEEDS_CLARIFICATION,
    "answer_clarification": PrescriptionStatus.SUBMITTED,
    "approve": PrescriptionStatus.APPROVED,
    "start_compounding": PrescriptionStatus.COMPOUNDING,
    "mark_ready": PrescriptionStatus.READY,
    "ship": PrescriptionStatus.SHIPPED,
    "reject": PrescriptionStatus.REJECTED,
    "cancel": PrescriptionStatus.CANCELLED,
}
_NOTES = {
    "request_clarification": "Please confirm the magnesium dose.",
    "answer_clarification": "Confirmed as written.",
    "reject": "Duplicate of an earlier order.",
    "cancel": "Therapy changed.",
}
_PRESCRIBER_ACTIONS = {"answer_clarification", "cancel"}


@dataclass(frozen=True)
class _Variant:
    template_id: str
    template_version: int
    template_name: str
    content: dict[str, Any]
    evaluation_json: str
    has_warnings: bool


def _variants(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules, today: dt.date
) -> list[_Variant]:
    """Bodies the engine passes as they are, one of them only past an acknowledged warning."""
    labs_day = (today - dt.timedelta(days=10)).isoformat()
    patient = {
        "given_name": "Seed",
        "family_name": "Patient",
        "birth_date": "1980-04-02",
        "sex": "female",
        "weight_kg": 68.5,
        "labs": [
            {"code": "g6pd", "value": 12.0, "unit": "U/g Hb", "interpretation": "normal",
             "date": labs_day},
            {"code": "creatinine", "value": 0.9, "unit": "mg/dL", "interpretation": "normal",
             "date": labs_day},
        ],
    }  # fmt: skip
    bodies: list[dict[str, Any]] = [
        {"template_id": "myers-infusion", "template_version": 1},
        {
            "template_id": "myers-push",
            "template_version": 1,
            "acknowledgements": [
                {"code": "osmolarity.hypertonic_push", "reason": "Slow push over 10 minutes"}
            ],
        },
        {"template_id": "hydration-magnesium", "template_version": 1},
        {"template_id": "glutathione-infusion", "template_version": 1},
    ]
    found: list[_Variant] = []
    for partial_body in bodies:
        body = {**partial_body, "patient": patient}
        evaluation = evaluate_body(body, catalog, formulary, rules, today=today)
        template = catalog.get(body["template_id"], body["template_version"])
        if evaluation.errors or evaluation.blocked or evaluation.prescription is None:
            continue  # this catalog judges it differently: leave it out
        if template is None:
            continue
        found.append(
            _Variant(
                template.id,
                template.version,
                template.name,
                evaluation.prescription.to_wire(),
                canonical_json(evaluation_to_stored(evaluation)).decode("utf-8"),
                has_warnings(evaluation),
            )
        )
    if not found:
        raise RuntimeError("no template in this catalog passes the seed bodies' checks")
    return found


#: The columns a seeded row fills, in the order its tuple holds them.
_PRESCRIPTION_COLUMNS = (
    "id", "reference", "prescriber_id", "clinic_id", "idempotency_key", "request_sha256",
    "request_hash_form", "status", "template_id", "template_version", "template_name",
    "content_json", "content_sha256", "evaluation_json", "created_response_json",
    "created_at", "updated_at", "review_action", "review_reason", "reviewed_by_id",
    "reviewed_at", "signed_at", "signed_body_sha256", "signing_method", "needed_by",
    "quantity_bags", "beyond_use_date", "storage", "needed_by_key", "has_warnings",
    "answered", "change_seq", "patient_family_key", "patient_given_key",
)  # fmt: skip
_EVENT_COLUMNS = (
    "id", "prescription_id", "seq", "at", "action", "from_status", "to_status", "actor_id",
    "note",
)  # fmt: skip

Rows = list[tuple[Any, ...]]


def seed_bulk(
    database: Database,
    count: int,
    catalog: TemplateCatalog,
    formulary: Formulary,
    rules: Rules,
    *,
    clock: Clock = utc_now,
    seed: int = 12,
) -> int:
    """Add ``count`` prescriptions across the prescriber accounts; returns how many."""
    if count < 1:
        return 0
    now = clock().astimezone(dt.UTC)
    variants = _variants(catalog, formulary, rules, now.date())
    with database.writing() as session:
        prescribers = list(session.scalars(select(User).where(User.role == "prescriber")))
        pharmacist = session.scalar(select(User).where(User.role == "pharmacist"))
        if not prescribers or pharmacist is None:
            raise RuntimeError("seed-bulk needs prescriber and pharmacist accounts (demo seed)")
        last_seq = next_change_seq(session, count)
        days = max(1, -(-count // _PER_DAY))
        counters = _reference_starts(session, now, days)
        connection = session.connection()
        builder = _Builder(
            encoding=_Encoding(connection.dialect),
            variants=variants,
            prescribers=prescribers,
            pharmacist_id=pharmacist.id,
            rng=random.Random(seed),  # noqa: S311 - invented data, not a secret
            # Not drawn from the seeded generator: a second seed must not repeat them.
            ids=random.Random(os.urandom(16)),  # noqa: S311 - ids, not secrets
        )
        with _load_settings(connection), _indexes_built_after(connection):
            batches = builder.batches(
                count=count, now=now, days=days, first_seq=last_seq - count + 1, counters=counters
            )
            for rows, events in batches:
                _write(connection, _PRESCRIPTION, _PRESCRIPTION_COLUMNS, rows)
                _write(connection, _EVENT, _EVENT_COLUMNS, events)
        _save_counters(session, counters, database.is_sqlite)
    return count


def _same(value: Any) -> Any:
    return value


class _Encoding:
    """Values as the driver takes them, in the forms SQLAlchemy's own bind processors give
    (a test holds them equal): the stored forms are exactly those the server writes
    (SQLite keeps uuids, times and dates as text, which the queue's keyset cursors
    compare). The ids and times SQLite takes by the hundred thousand are formatted
    directly, a few times faster than through the processors."""

    def __init__(self, dialect: Dialect) -> None:
        self.uuid = _processor(Uuid(), dialect)
        self.when = _processor(UtcDateTime(), dialect)
        self.day = _processor(Date(), dialect)
        self.flag = _processor(Boolean(), dialect)
        self.id_from_bits: Callable[[int], Any] = _v4_uuid
        if dialect.name == "sqlite":
            self.when = _sqlite_utc_text
            self.id_from_bits = _v4_hex


#: The version (4) and variant (RFC 4122) bits of a random UUID, as ``uuid.UUID`` sets them.
_V4_CLEAR = ~((0xF000 << 64) | (0xC000 << 48))
_V4_SET = (0x4000 << 64) | (0x8000 << 48)


def _v4_uuid(bits: int) -> uuid.UUID:
    return uuid.UUID(int=bits, version=4)


def _v4_hex(bits: int) -> str:
    return f"{(bits & _V4_CLEAR) | _V4_SET:032x}"


def _sqlite_utc_text(value: dt.datetime) -> str:
    # Every seeded time is in UTC; SQLite keeps it naive, to the microsecond.
    return value.isoformat(" ", "microseconds")[:26]


def _processor(column_type: Any, dialect: Dialect) -> Callable[[Any], Any]:
    found = column_type.dialect_impl(dialect).bind_processor(dialect)
    return _same if found is None else found


@dataclass(frozen=True)
class _Path:
    """One way through the statuses, with the parts of its rows that never vary."""

    status: str
    actions: tuple[str, ...]
    events: tuple[
        tuple[str, str, str, bool, str | None], ...
    ]  # action, from, to, by prescriber, note
    reviewed: str | None
    review_reason: str | None
    ready: bool
    answered: bool


def _path(status: PrescriptionStatus, actions: tuple[str, ...]) -> _Path:
    steps = []
    current = PrescriptionStatus.SUBMITTED
    for action in actions:
        target = _TARGET[action]
        steps.append(
            (action, current.value, target.value, action in _PRESCRIBER_ACTIONS, _NOTES.get(action))
        )
        current = target
    reviewed = next((a for a in actions if a in ("approve", "reject")), None)
    return _Path(
        status=status.value,
        actions=actions,
        events=tuple(steps),
        reviewed=reviewed,
        review_reason=_NOTES.get(reviewed or ""),
        ready="mark_ready" in actions,
        answered=bool(actions) and actions[-1] == "answer_clarification",
    )


class _Builder:
    """The seeded rows as tuples in column order, from parts prepared once."""

    def __init__(
        self,
        *,
        encoding: _Encoding,
        variants: list[_Variant],
        prescribers: list[User],
        pharmacist_id: uuid.UUID,
        rng: random.Random,
        ids: random.Random,
    ) -> None:
        self._encoding = encoding
        self._variants = variants
        self._bodies = _Bodies(variants)
        self._rng = rng
        self._ids = ids
        self._prescribers = [
            (encoding.uuid(user.id), encoding.uuid(user.clinic_id)) for user in prescribers
        ]
        self._pharmacist = encoding.uuid(pharmacist_id)
        self._paths = [_path(status, actions) for _weight, status, actions in _PATHS]
        self._weights = list(accumulate(weight for weight, _s, _a in _PATHS))
        self._no_needed_by = encoding.day(NO_NEEDED_BY)
        self._true, self._false = encoding.flag(True), encoding.flag(False)

    def _new_id(self) -> Any:
        """A new random (version 4) id in the driver's form."""
        return self._encoding.id_from_bits(self._ids.getrandbits(128))

    def batches(
        self, *, count: int, now: dt.datetime, days: int, first_seq: int, counters: dict[str, int]
    ) -> Iterator[tuple[Rows, Rows]]:
        rows: Rows = []
        events: Rows = []
        for index in range(count):
            self._add(index, count, now, days, first_seq, counters, rows, events)
            if len(rows) >= _BATCH:
                yield rows, events
                rows, events = [], []
        if rows:
            yield rows, events

    def _add(  # noqa: PLR0917 - one row's inputs
        self,
        index: int,
        count: int,
        now: dt.datetime,
        days: int,
        first_seq: int,
        counters: dict[str, int],
        rows: Rows,
        events: Rows,
    ) -> None:
        rng, encoding = self._rng, self._encoding
        # Oldest first, so change_seq and created_at grow together.
        created_at = now - dt.timedelta(seconds=(count - index) * days * 86400 / count)
        day = created_at.strftime("%y%m%d")
        counters[day] = counters.get(day, 0) + 1
        prescriber_id, clinic_id = self._prescribers[index % len(self._prescribers)]
        variant_index = rng.randrange(len(self._variants))
        variant = self._variants[variant_index]
        path = rng.choices(self._paths, cum_weights=self._weights)[0]
        encoded_id = self._new_id()
        needed_by = (
            None
            if rng.random() < 0.25
            else (created_at + dt.timedelta(days=rng.randint(1, 14))).date()
        )
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 60 * 365))
        values = {
            "given_name": rng.choice(_GIVEN),
            "family_name": rng.choice(_FAMILY),
            "birth_date": born.isoformat(),
            "weight_kg": round(rng.uniform(45, 110), 1),
            "needed_by": None if needed_by is None else needed_by.isoformat(),
        }
        hashed, stored = self._bodies(variant_index, values)
        content_sha256 = hashlib.sha256(hashed).hexdigest()
        gap = dt.timedelta(minutes=rng.randint(5, 600))
        when = encoding.when
        events.append(
            (self._new_id(), encoded_id, 1, when(created_at), "submit", None,
             PrescriptionStatus.SUBMITTED.value, prescriber_id, None)
        )  # fmt: skip
        at = created_at
        for seq, (action, from_status, to_status, by_prescriber, note) in enumerate(
            path.events, start=2
        ):
            at += gap
            actor = prescriber_id if by_prescriber else self._pharmacist
            events.append(
                (self._new_id(), encoded_id, seq, when(at), action, from_status,
                 to_status, actor, note)
            )  # fmt: skip
        encoded_created = when(created_at)
        rows.append(
            (
                encoded_id,
                f"RX-{day}-{counters[day]:04d}",
                prescriber_id,
                clinic_id,
                str(_v4_uuid(self._ids.getrandbits(128))),
                content_sha256,
                "rfc8785",
                path.status,
                variant.template_id,
                variant.template_version,
                variant.template_name,
                stored,
                content_sha256,
                variant.evaluation_json,
                # Never replayed: each row's key is new and unknown to any client.
                "{}",
                encoded_created,
                when(at),
                path.reviewed,
                path.review_reason,
                self._pharmacist if path.reviewed else None,
                when(created_at + gap) if path.reviewed else None,
                encoded_created,
                content_sha256,
                "password",
                None if needed_by is None else encoding.day(needed_by),
                1,
                encoding.day((at + dt.timedelta(days=7)).date()) if path.ready else None,
                "refrigerated" if path.ready else None,
                self._no_needed_by if needed_by is None else encoding.day(needed_by),
                self._true if variant.has_warnings else self._false,
                self._true if path.answered else self._false,
                first_seq + index,
                *name_keys(str(values["given_name"]), str(values["family_name"])),
            )
        )


#: The per-row values of a seeded content, in the order they are drawn.
_SLOTS = ("given_name", "family_name", "birth_date", "weight_kg", "needed_by")
_SLOT_MARK = re.compile(r'"~~seed-slot:(\w+)~~"')


def _with_slots(variant: _Variant, dispensing: bool) -> dict[str, Any]:
    """The variant's content with a marker where each per-row value goes."""
    content = dict(variant.content)
    patient = content["patient"] = dict(content["patient"])
    for name in _SLOTS[:4]:
        patient[name] = f"~~seed-slot:{name}~~"
    if dispensing:
        content["dispensing"] = {
            "quantity_bags": 1,
            "ship_to": "clinic",
            "needed_by": "~~seed-slot:needed_by~~",
        }
    return content


class _Bodies:
    """A seeded content in both its forms, the RFC 8785 bytes that are hashed and the
    ``canonical_json`` text that is stored, without building it: each variant's content
    is serialised once in each form with markers where the patient and the dispensing
    differ, and a row fills the gaps with its values, themselves serialised once per
    value. The same bytes and text as ``canonical_bytes`` and ``canonical_json`` of the
    content (a test holds every seeded row to it), many times faster."""

    def __init__(self, variants: list[_Variant]) -> None:
        self._shapes = {
            (index, dispensing): (
                self._split(rfc8785.dumps(content).decode("utf-8")),
                self._split(canonical_json(content).decode("utf-8")),
            )
            for index, variant in enumerate(variants)
            for dispensing in (False, True)
            for content in [_with_slots(variant, dispensing)]
        }
        self._values: dict[Any, tuple[str, str]] = {}

    @staticmethod
    def _split(text: str) -> tuple[list[str], list[str]]:
        """The text between the markers, and the marker names in order."""
        parts = _SLOT_MARK.split(text)
        return parts[0::2], parts[1::2]

    def _value(self, value: Any) -> tuple[str, str]:
        found = self._values.get(value)
        if found is None:
            found = self._values[value] = (
                rfc8785.dumps(value).decode("utf-8"),
                canonical_json(value).decode("utf-8"),
            )
        return found

    def __call__(self, variant: int, values: dict[str, Any]) -> tuple[bytes, str]:
        (hashed_parts, order), (stored_parts, stored_order) = self._shapes[
            variant, values["needed_by"] is not None
        ]
        hashed = [hashed_parts[0]]
        for name, after in zip(order, hashed_parts[1:], strict=True):
            hashed += (self._value(values[name])[0], after)
        stored = [stored_parts[0]]
        for name, after in zip(stored_order, stored_parts[1:], strict=True):
            stored += (self._value(values[name])[1], after)
        return "".join(hashed).encode("utf-8"), "".join(stored)


@contextmanager
def _load_settings(connection: Connection) -> Iterator[None]:
    """Settings for this connection and this load only, set back afterwards; durability
    is untouched (the commit still syncs as every server connection's does).

    SQLite: a page cache that holds the load, and sorting in memory, so building each
    index reads the table from memory rather than decrypting it from disk again.
    PostgreSQL: lz4 for the large JSON columns' TOAST instead of the slower pglz (where the
    server has it; readers decompress either), and memory to build each index in one sort."""
    if connection.dialect.name != "sqlite":
        lz4 = connection.exec_driver_sql(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        ).scalar()
        if lz4:
            connection.exec_driver_sql("SET LOCAL default_toast_compression = 'lz4'")
        connection.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
        yield  # SET LOCAL ends with the transaction
        return
    settings = {"cache_size": -_LOAD_CACHE_KIB, "temp_store": 2}  # 2: MEMORY
    saved: dict[str, Any] = {
        name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in settings
    }
    for name, value in settings.items():
        connection.exec_driver_sql(f"PRAGMA {name} = {int(value)}")
    try:
        yield
    finally:
        for name, value in saved.items():
            connection.exec_driver_sql(f"PRAGMA {name} = {int(value or 0)}")


@contextmanager
def _indexes_built_after(connection: Connection) -> Iterator[None]:
    """Drops the indexes that enforce nothing and builds each once at the end, rather
    than keeping them up to date row by row: several times faster. The unique ones stay."""
    built_later: list[Index] = [
        index for table in (_PRESCRIPTION, _EVENT) for index in table.indexes if not index.unique
    ]
    for index in built_later:
        index.drop(connection)
    # No finally: on failure the rollback brings them back (DDL is transactional on both).
    yield
    for index in built_later:
        index.create(connection)


def _write(connection: Connection, table: Table, columns: tuple[str, ...], rows: Rows) -> None:
    """``rows`` straight to the driver: ``COPY`` on PostgreSQL, one ``executemany`` on
    SQLite (the values are already in the driver's form)."""
    names = ", ".join(columns)
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)  # noqa: S608 - names from the model
        else:
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    finally:
        cursor.close()


def _reference_starts(session: Session, now: dt.datetime, days: int) -> dict[str, int]:
    """The numbers already taken on each day the seed writes to."""
    first = (now - dt.timedelta(days=days + 1)).strftime("%y%m%d")
    taken = session.execute(
        select(ReferenceCounter.day, ReferenceCounter.last_value).where(
            ReferenceCounter.day >= first
        )
    )
    return {day: value for day, value in taken}


def _save_counters(session: Session, counters: dict[str, int], is_sqlite: bool) -> None:
    """Later submissions number on from the seeded ones."""
    insert_for: Any = sqlite.insert if is_sqlite else postgresql.insert
    for day, value in counters.items():
        statement = insert_for(ReferenceCounter).values(day=day, last_value=value)
        session.execute(
            statement.on_conflict_do_update(index_elements=["day"], set_={"last_value": value})
        )
