"""How an order is dispensed: how many bags, a series of infusions given as one order,
where it ships, when it is needed, and a note to the pharmacy.

The schedule of a series is computed here once, so the prescriber, the pharmacist and
the FHIR export show the same dates. Part of the signed content only when given: an order
without dispensing details keeps the content (and signing hash) it always had.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.field_checks import FieldErrors, is_number
from pharmacy_domain.text_limits import MAX_NOTE_LENGTH

DISPENSING = "dispensing"
SHIP_TO = ("clinic", "patient")
MAX_QUANTITY_BAGS = 60
MAX_SERIES_INFUSIONS = 52
MAX_INTERVAL_DAYS = 90
#: How far ahead a needed-by or start date may lie.
MAX_DAYS_AHEAD = 366
_ISO_DATE_LENGTH = 10


@dataclass(frozen=True)
class Series:
    """``infusions`` infusions, one every ``interval_days`` days from ``start_date``."""

    start_date: dt.date
    interval_days: int
    infusions: int

    def schedule(self) -> tuple[dt.date, ...]:
        """The date of each infusion, first to last."""
        step = dt.timedelta(days=self.interval_days)
        return tuple(self.start_date + step * index for index in range(self.infusions))

    def to_wire(self) -> dict[str, Any]:
        return {
            "start_date": self.start_date.isoformat(),
            "interval_days": self.interval_days,
            "infusions": self.infusions,
        }


@dataclass(frozen=True)
class Dispensing:
    """``quantity_bags`` bags per infusion (each infusion of a series gets as many)."""

    quantity_bags: int = 1
    ship_to: str = "clinic"
    needed_by: dt.date | None = None
    series: Series | None = None
    pharmacy_notes: str = ""

    @property
    def total_bags(self) -> int:
        return self.quantity_bags * (1 if self.series is None else self.series.infusions)

    def schedule(self) -> tuple[dt.date, ...]:
        return () if self.series is None else self.series.schedule()

    def to_wire(self) -> dict[str, Any]:
        # Members without a value are left out, as the prescription leaves out the lipid.
        wire: dict[str, Any] = {"quantity_bags": self.quantity_bags, "ship_to": self.ship_to}
        if self.needed_by is not None:
            wire["needed_by"] = self.needed_by.isoformat()
        if self.series is not None:
            wire["series"] = self.series.to_wire()
        if self.pharmacy_notes:
            wire["pharmacy_notes"] = self.pharmacy_notes
        return wire


def _whole(
    raw: Mapping[str, Any], key: str, path: str, errors: FieldErrors, bounds: tuple[int, int]
) -> int | None:
    value: Any = raw.get(key)
    if not is_number(value) or float(value) != int(value):
        errors.add(path, "must be a whole number")
        return None
    whole, (minimum, maximum) = int(value), bounds
    if not minimum <= whole <= maximum:
        errors.add(path, f"must be from {minimum} to {maximum}")
        return None
    return whole


def _future_date(raw: Any, path: str, errors: FieldErrors, today: dt.date) -> dt.date | None:
    """A date from today on, at most a year ahead."""
    try:
        if not isinstance(raw, str) or len(raw) != _ISO_DATE_LENGTH or raw[4] != "-":
            raise ValueError("not YYYY-MM-DD")
        value = dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(path, "must be a date written YYYY-MM-DD")
        return None
    if value < today:
        errors.add(path, "lies in the past")
        return None
    if value > today + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors.add(path, "is more than a year ahead")
        return None
    return value


def _parse_series(raw: Any, errors: FieldErrors, today: dt.date) -> Series | None:
    path = f"{DISPENSING}.series"
    if not isinstance(raw, Mapping):
        errors.add(path, "must be an object with start_date, interval_days and infusions")
        return None
    start = _future_date(raw.get("start_date"), f"{path}.start_date", errors, today)
    interval = _whole(raw, "interval_days", f"{path}.interval_days", errors, (1, MAX_INTERVAL_DAYS))
    infusions = _whole(raw, "infusions", f"{path}.infusions", errors, (2, MAX_SERIES_INFUSIONS))
    if start is None or interval is None or infusions is None:
        return None
    return Series(start, interval, infusions)


def parse_dispensing(
    raw: Any, errors: FieldErrors, today: dt.date, *, patient_has_address: bool
) -> Dispensing | None:
    """The dispensing details of a body (None when it gives none); every problem is added
    to ``errors``. None of them changes a clinical check, so the order stays decidable."""
    if raw is None:
        return None
    collected = FieldErrors()
    if not isinstance(raw, Mapping):
        collected.add(DISPENSING, "must be an object")
        _keep(errors, collected)
        return None
    quantity = 1
    if raw.get("quantity_bags") is not None:
        path = f"{DISPENSING}.quantity_bags"
        quantity = _whole(raw, "quantity_bags", path, collected, (1, MAX_QUANTITY_BAGS)) or 1
    ship_to = raw.get("ship_to") or "clinic"
    if ship_to not in SHIP_TO:
        collected.add(f"{DISPENSING}.ship_to", f"must be one of {', '.join(SHIP_TO)}")
    elif ship_to == "patient" and not patient_has_address:
        collected.add(f"{DISPENSING}.ship_to", "needs the patient's address to ship to the patient")
    needed_by = None
    if raw.get("needed_by"):
        needed_by = _future_date(raw.get("needed_by"), f"{DISPENSING}.needed_by", collected, today)
    series = None if raw.get("series") is None else _parse_series(raw["series"], collected, today)
    if series is not None and needed_by is not None and needed_by > series.start_date:
        collected.add(f"{DISPENSING}.needed_by", "must be on or before the series' first infusion")
    notes = collected.text(
        raw,
        "pharmacy_notes",
        f"{DISPENSING}.pharmacy_notes",
        required=False,
        max_length=MAX_NOTE_LENGTH,
        multi_line=True,
    )
    _keep(errors, collected)
    return Dispensing(quantity, str(ship_to), needed_by, series, notes)


def _keep(errors: FieldErrors, collected: FieldErrors) -> None:
    for error in collected.errors:
        errors.add(error.field, error.reason, value_kept=True)
