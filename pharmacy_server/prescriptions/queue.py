"""The queue's query: filters, orders and keyset places, each shape answered from an index.

Every order ends ``created_at DESC, id DESC`` after its key, as every queue index does
(``models.QUEUE_INDEX_COLUMNS``), so a page under one filter is read in index order and
never sorted; a place is a seek into that index (``tests/server/test_queue_plans.py``
runs EXPLAIN on each shape). The total is counted only up to ``TOTAL_CAP``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, tuple_
from sqlalchemy.orm import Session

from pharmacy_domain.prescription import FieldError
from pharmacy_domain.status import PrescriptionStatus
from pharmacy_server.errors import Invalid
from pharmacy_server.models import NO_NEEDED_BY, Prescription
from pharmacy_server.pagination import (
    decode_cursor,
    decode_date_cursor,
    decode_key_cursor,
    encode_cursor,
    encode_date_cursor,
    encode_key_cursor,
)
from pharmacy_server.prescriptions.patient_search import REFERENCE, fold, name_condition

#: ``newest``: newest first. ``needed_by``: the soonest needed first, orders that name no
#: date after all that do. ``status``: by status name. ``prescriber``: each prescriber's
#: orders together. Newest first within one key.
ListOrder = Literal["newest", "needed_by", "status", "prescriber"]
#: Beyond this many matching rows the total says "at least" (``total_is_lower_bound``).
TOTAL_CAP = 1000
#: The longest search text: a reference is 14 characters, a name's start is enough.
MAX_SEARCH_LENGTH = 40


@dataclass(frozen=True)
class QueueFilter:
    """What the caller asked to see (within what it may see)."""

    status: PrescriptionStatus | None = None
    prescriber_id: uuid.UUID | None = None
    clinic_id: uuid.UUID | None = None
    template_id: str | None = None
    has_warnings: bool | None = None
    answered: bool | None = None
    needed_by_from: dt.date | None = None
    needed_by_to: dt.date | None = None
    submitted_from: dt.date | None = None
    submitted_to: dt.date | None = None
    #: A reference, exactly (any case).
    search: str | None = None
    #: The start of the patient's name, folded (``patient_search.fold``): the family
    #: name's start when ``patient_given_name`` is set too ("garcia, m").
    patient_name: str | None = None
    patient_given_name: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        _check_range("needed_by", self.needed_by_from, self.needed_by_to)
        _check_range("submitted", self.submitted_from, self.submitted_to)
        p = Prescription
        found: list[ColumnElement[bool]] = []
        if self.status is not None:
            found.append(p.status == self.status.value)
        if self.prescriber_id is not None:
            found.append(p.prescriber_id == self.prescriber_id)
        if self.clinic_id is not None:
            found.append(p.clinic_id == self.clinic_id)
        if self.template_id is not None:
            found.append(p.template_id == self.template_id)
        if self.has_warnings is not None:
            found.append(p.has_warnings == self.has_warnings)
        if self.answered is not None:
            found.append(p.answered == self.answered)
        if self.needed_by_from is not None or self.needed_by_to is not None:
            # Through the key, so the range seeks the same index the order reads; the
            # undated (the key's far-future stand-in) never fall in a range.
            found.append(p.needed_by_key >= (self.needed_by_from or dt.date.min))
            found.append(p.needed_by_key <= (self.needed_by_to or NO_NEEDED_BY))
            found.append(p.needed_by_key < NO_NEEDED_BY)
        if self.submitted_from is not None:
            found.append(p.created_at >= _utc_midnight(self.submitted_from))
        if self.submitted_to is not None:
            found.append(p.created_at < _utc_midnight(self.submitted_to + dt.timedelta(days=1)))
        if self.search is not None:
            found.append(p.reference == self.search)
        if self.patient_name is not None:
            found.append(name_condition(self.patient_name, self.patient_given_name))
        return found


def normalise_search(text: str | None) -> str | None:
    """A reference as typed ("rx-261203-0001 ") as stored; None when nothing was typed."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip().upper()
    if len(cleaned) > MAX_SEARCH_LENGTH:
        raise Invalid(
            "The search is too long.",
            [FieldError("q", f"must be at most {MAX_SEARCH_LENGTH} characters")],
        )
    return cleaned


def parse_search(text: str | None) -> QueueFilter:
    """The list's ``q`` as filters: a reference ("rx-261203-0001") exactly, anything else
    as the start of the patient's name, either name first ("garc", "maria g"), or
    "family, given" with a comma ("garcia, m"); no filter when nothing was typed."""
    cleaned = normalise_search(text)
    if cleaned is None:
        return QueueFilter()
    if REFERENCE.fullmatch(cleaned):
        return QueueFilter(search=cleaned)
    family, comma, given = cleaned.partition(",")
    if comma and fold(family) and fold(given):
        return QueueFilter(patient_name=fold(family), patient_given_name=fold(given))
    name = fold(cleaned)
    return QueueFilter(patient_name=name) if name else QueueFilter()


def parse_uuid(raw: str | None, field: str) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid(f"The {field} is not valid.", [FieldError(field, "is not an id")]) from None


def _check_range(name: str, start: dt.date | None, end: dt.date | None) -> None:
    if start is not None and end is not None and start > end:
        raise Invalid(
            "The date range ends before it starts.",
            [FieldError(f"{name}_to", f"must be on or after {name}_from")],
        )


def _utc_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _newest_after(created_at: dt.datetime, row_id: uuid.UUID) -> ColumnElement[bool]:
    # A row value: one seek into the index's (created_at DESC, id DESC) tail.
    return tuple_(Prescription.created_at, Prescription.id) < tuple_(
        _bind(Prescription.created_at, created_at), _bind(Prescription.id, row_id)
    )


def _bind(column: Any, value: Any) -> Any:
    return literal(value, type_=column.type)


def _keyed_after(
    key: Any, value: Any, created_at: dt.datetime, row_id: uuid.UUID
) -> ColumnElement[bool]:
    """After (value, created_at, id) in ``key ASC, created_at DESC, id DESC``; the
    redundant ``key >= value`` lets the index seek to the key before it filters."""
    return and_(
        key >= value,
        or_(key > value, _newest_after(created_at, row_id)),
    )


def _order(sort: ListOrder) -> tuple[ColumnElement[Any], ...]:
    newest = (Prescription.created_at.desc(), Prescription.id.desc())
    if sort == "needed_by":
        return (Prescription.needed_by_key.asc(), *newest)
    if sort == "status":
        return (Prescription.status.asc(), *newest)
    if sort == "prescriber":
        return (Prescription.prescriber_id.asc(), *newest)
    return newest


def _after(sort: ListOrder, cursor: str) -> ColumnElement[bool]:
    if sort == "needed_by":
        day, created_at, row_id = decode_date_cursor(cursor)
        key = NO_NEEDED_BY if day is None else day
        return _keyed_after(Prescription.needed_by_key, key, created_at, row_id)
    if sort == "status":
        status, created_at, row_id = decode_key_cursor(sort, cursor)
        return _keyed_after(Prescription.status, status, created_at, row_id)
    if sort == "prescriber":
        prescriber, created_at, row_id = decode_key_cursor(sort, cursor)
        prescriber_id = parse_uuid(prescriber, "cursor")
        return _keyed_after(Prescription.prescriber_id, prescriber_id, created_at, row_id)
    return _newest_after(*decode_cursor(cursor))


def cursor_after(sort: ListOrder, row: Prescription) -> str:
    """Where the page after ``row`` starts."""
    if sort == "needed_by":
        return encode_date_cursor(row.needed_by, row.created_at, row.id)
    if sort == "status":
        return encode_key_cursor(sort, row.status, row.created_at, row.id)
    if sort == "prescriber":
        return encode_key_cursor(sort, str(row.prescriber_id), row.created_at, row.id)
    return encode_cursor(row.created_at, row.id)


def page_query(
    conditions: list[ColumnElement[bool]], sort: ListOrder, cursor: str | None, limit: int
) -> Select[Prescription]:
    """One page: ``limit`` rows, plus one to tell whether more follow."""
    where = conditions if cursor is None else [*conditions, _after(sort, cursor)]
    return select(Prescription).where(*where).order_by(*_order(sort)).limit(limit + 1)


def capped_count_query(conditions: list[ColumnElement[bool]]) -> Select[int]:
    """How many match, counting no further than one past ``TOTAL_CAP``."""
    matching = select(Prescription.id).where(*conditions).limit(TOTAL_CAP + 1).subquery()
    return select(func.count()).select_from(matching)


def capped_count(session: Session, conditions: list[ColumnElement[bool]]) -> tuple[int, bool]:
    """(total, whether it is only a lower bound)."""
    counted = int(session.scalar(capped_count_query(conditions)) or 0)
    if counted > TOTAL_CAP:
        return TOTAL_CAP, True
    return counted, False


def changes_query(
    scope: ColumnElement[bool] | None, since: int, limit: int
) -> Select[Prescription]:
    """What changed after ``since``, oldest change first (a seek into ``change_seq``)."""
    where = [Prescription.change_seq > since]
    if scope is not None:
        where.append(scope)
    return (
        select(Prescription).where(*where).order_by(Prescription.change_seq.asc()).limit(limit + 1)
    )
