"""The prescription lists (the prescriber's own, the pharmacist's queue) as plain data.

The Qt table model adapts a ``PrescriptionList``; refreshing compares the new
rows with the old ones so an unchanged list repaints nothing and the user's
selection stays put.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal_client.core.i18n import translate
from portal_client.core.wire import (
    ActorWire,
    PatientView,
    PrescriberWire,
    PrescriptionWire,
    SignerWire,
)


def parse_timestamp(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return stamp


def format_timestamp(stamp: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """Local time, short: ``14:32`` today, ``Tue 14:32`` this week, else ``3 Nov 2026 14:32``."""
    if stamp is None:
        return "—"
    local = stamp.astimezone()
    current = (now or dt.datetime.now(dt.UTC)).astimezone()
    clock = local.strftime("%H:%M")
    if local.date() == current.date():
        return translate("PrescriptionList", "Today {clock}").format(clock=clock)
    if dt.timedelta(0) < current - local < dt.timedelta(days=6):
        return f"{local.strftime('%a')} {clock}"
    return f"{local.day} {local.strftime('%b %Y')} {clock}"


def patient_name(patient: PatientView | Mapping[str, Any] | None) -> str:
    """``FAMILY, Given``: of a server answer's patient (``PrescriptionWire.patient_view``),
    or of a body still being composed (the domain's mapping)."""
    if not patient:
        return "—"
    if isinstance(patient, PatientView):
        family, given = patient.family_name.strip(), patient.given_name.strip()
    else:
        family = str(patient.get("family_name") or "").strip()
        given = str(patient.get("given_name") or "").strip()
    return f"{family.upper()}, {given}" if family and given else (family or given or "—")


def person_name(person: PrescriberWire | SignerWire | ActorWire | str | None) -> str:
    """A wire person (prescriber, signer, actor) by display name; a bare id as it is."""
    if isinstance(person, str | None):
        return person or "—"
    return person.display_name or "—"


@dataclass(frozen=True)
class PrescriptionRow:
    id: str
    reference: str
    patient: str
    birth_date: str
    template_name: str
    status: str
    prescriber: str
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    wire: PrescriptionWire
    #: YYYY-MM-DD, or "" when the order names no needed-by date.
    needed_by: str = ""
    #: The prescriber answered a question and no pharmacist has moved it since.
    answered: bool = False

    @classmethod
    def from_wire(cls, item: PrescriptionWire) -> PrescriptionRow:
        patient = item.patient_view()
        return cls(
            id=item.id,
            reference=item.reference or item.id,
            patient=patient_name(patient),
            birth_date=patient.birth_date,
            template_name=item.template_name or item.template_id or "—",
            status=item.status.value,
            prescriber=person_name(item.prescriber),
            created_at=parse_timestamp(item.created_at),
            updated_at=parse_timestamp(item.updated_at),
            wire=item,
            needed_by=str((item.dispensing or {}).get("needed_by") or ""),
            answered=item.answered,
        )


@dataclass(frozen=True)
class ListChange:
    """How to tell a view about a refresh: either some rows changed in place, or reset."""

    reset: bool
    changed_rows: tuple[int, ...] = ()


class PrescriptionList:
    """Rows newest first (or, ``by_needed_by``, the soonest needed first and the undated
    last, newest first within one date, as the server sorts them), plus what the server
    said about the whole list."""

    def __init__(self, *, by_needed_by: bool = False, keep_order: bool = False) -> None:
        self.by_needed_by = by_needed_by
        #: Rows stay in the order the server sent them (the queue's orders are the server's).
        self.keep_order = keep_order
        self.rows: list[PrescriptionRow] = []
        self.total = 0
        self.loaded = False

    def replace(self, items: Sequence[PrescriptionWire], total: int | None = None) -> ListChange:
        new_rows = [PrescriptionRow.from_wire(item) for item in items]
        epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
        if not self.keep_order:
            new_rows.sort(key=lambda row: row.created_at or epoch, reverse=True)
        if self.by_needed_by and not self.keep_order:  # stable: newest first within one date
            new_rows.sort(key=lambda row: (not row.needed_by, row.needed_by))
        old_ids = [row.id for row in self.rows]
        self.total = len(new_rows) if total is None else max(total, len(new_rows))
        self.loaded = True
        if old_ids == [row.id for row in new_rows]:
            changed = tuple(i for i, row in enumerate(new_rows) if row.wire != self.rows[i].wire)
            self.rows = new_rows
            return ListChange(reset=False, changed_rows=changed)
        self.rows = new_rows
        return ListChange(reset=True)

    def upsert(self, item: PrescriptionWire) -> ListChange:
        """Put one prescription (just submitted or reviewed) in the list without a round trip."""
        row = PrescriptionRow.from_wire(item)
        for index, existing in enumerate(self.rows):
            if existing.id == row.id:
                self.rows[index] = row
                return ListChange(reset=False, changed_rows=(index,))
        return self.replace([*(r.wire for r in self.rows), item], self.total + 1)

    def append(self, items: Sequence[PrescriptionWire]) -> range:
        """The next page after the rows held (a row already held is left where it is);
        returns the positions added."""
        held = {row.id for row in self.rows}
        start = len(self.rows)
        self.rows.extend(PrescriptionRow.from_wire(item) for item in items if item.id not in held)
        return range(start, len(self.rows))

    def index_of(self, prescription_id: str) -> int | None:
        return next((i for i, row in enumerate(self.rows) if row.id == prescription_id), None)

    def count_with_status(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)
