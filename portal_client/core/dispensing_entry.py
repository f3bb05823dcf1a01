"""The composer's dispensing details as typed (text stays text until the body is built),
and the body's ``dispensing`` member built from them (``pharmacy_domain.dispensing``
validates it with the rest of the order)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: How often a series repeats unless the prescriber says otherwise: weekly.
DEFAULT_INTERVAL_DAYS = "7"


def _whole(text: str) -> int | float | str | None:
    """A whole number as an int; anything else as typed (the domain refuses it with a
    reason, next to the field)."""
    cleaned = text.strip()
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        return cleaned
    return int(value) if value.is_integer() else value


@dataclass
class DispensingEntry:
    quantity_bags: str = "1"
    ship_to: str = "clinic"
    needed_by: str = ""
    #: Empty: one dispense, no series.
    series_infusions: str = ""
    series_interval_days: str = DEFAULT_INTERVAL_DAYS
    series_start_date: str = ""
    pharmacy_notes: str = ""

    @property
    def is_default(self) -> bool:
        return self == DispensingEntry()

    def to_wire(self) -> dict[str, Any] | None:
        """The body's ``dispensing`` (None when nothing was changed from the defaults, so
        the order is the one it always was)."""
        if self.is_default:
            return None
        wire: dict[str, Any] = {
            "quantity_bags": _whole(self.quantity_bags) if self.quantity_bags.strip() else 1,
            "ship_to": self.ship_to,
        }
        if self.needed_by.strip():
            wire["needed_by"] = self.needed_by.strip()
        if self.series_infusions.strip():
            wire["series"] = {
                "start_date": self.series_start_date.strip() or None,
                "interval_days": _whole(self.series_interval_days),
                "infusions": _whole(self.series_infusions),
            }
        if self.pharmacy_notes.strip():
            wire["pharmacy_notes"] = self.pharmacy_notes.strip()
        return wire

    def to_draft(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_payload(cls, raw: Any) -> DispensingEntry:
        """From ``to_draft`` output or a signed body's ``dispensing`` coming back."""
        entry = cls()
        if not isinstance(raw, Mapping):
            return entry
        series = raw.get("series")
        if isinstance(series, Mapping):  # the wire form
            entry.series_infusions = _text(series.get("infusions"))
            entry.series_interval_days = _text(series.get("interval_days"))
            entry.series_start_date = _text(series.get("start_date"))
        for name in asdict(entry):
            if name in raw and not isinstance(raw[name], Mapping):
                setattr(entry, name, _text(raw[name]))
        return entry


def _text(value: Any) -> str:
    return "" if value is None else str(value)
