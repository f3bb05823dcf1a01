"""The field-by-field checks ``parse_prescription`` builds on: a collector of field
errors that reads text (by ``pharmacy_domain.text_rules``) and numbers, and the one date
form taken.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.numbers import format_amount
from pharmacy_domain.text_limits import MAX_NAME_LENGTH
from pharmacy_domain.text_rules import clean_text

#: The one date form taken: ``dt.date.fromisoformat`` alone would also read "19800402"
#: and ISO week dates.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class FieldError:
    """One problem with the submitted data, where ``field`` is a dotted path such as
    ``patient.weight_kg`` or ``ingredients[2].amount``."""

    field: str
    reason: str

    def to_wire(self) -> dict[str, str]:
        return {"field": self.field, "reason": self.reason}


class FieldErrors:
    """Gathers field errors so one pass reports all of them."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []
        #: Some problem left a value the checks need unknown (not just out of range).
        self.value_lost = False

    def add(self, path: str, reason: str, *, value_kept: bool = False) -> None:
        self.errors.append(FieldError(path, reason))
        self.value_lost = self.value_lost or not value_kept

    def text(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        max_length: int = MAX_NAME_LENGTH,
        multi_line: bool = False,
        name_only: bool = False,
    ) -> str:
        """``name_only``: the text changes no clinical check (a patient's name), so an
        error in it leaves the rest of the order decidable."""
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(path, "is required", value_kept=name_only)
            return ""
        if not isinstance(value, str):
            self.add(path, "must be text", value_kept=name_only)
            return ""
        cleaned, reason = clean_text(value, max_length=max_length, multi_line=multi_line)
        if reason is not None:
            self.add(path, reason, value_kept=name_only)
        return cleaned

    def number(
        self,
        data: Mapping[str, Any],
        key: str,
        path: str,
        *,
        required: bool,
        minimum: float | None = None,
        maximum: float | None = None,
        unit: str = "",
    ) -> float | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(path, "is required")
            return None
        if not is_number(value):
            self.add(path, "must be a number")
            return None
        suffix = f" {unit}" if unit else ""
        if minimum is not None and value < minimum:
            self.add(
                path,
                f"must be at least {format_amount(minimum)}{suffix} (got {format_amount(value)})",
                value_kept=True,
            )
        elif maximum is not None and value > maximum:
            self.add(
                path,
                f"must be at most {format_amount(maximum)}{suffix} (got {format_amount(value)})",
                value_kept=True,
            )
        return float(value)


def shown(value: Any) -> str:
    """A short quotation of a value in an error: enough to recognise a typo, never a
    whole pasted text (it may hold patient data)."""
    text = repr(value) if isinstance(value, str) else type(value).__name__
    return text if len(text) <= 42 else text[:40] + "…"


def is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def parse_date(raw: Any, path: str, errors: FieldErrors, today: dt.date) -> dt.date | None:
    if raw is None or raw == "":
        errors.add(path, "is required")
        return None
    try:
        if not isinstance(raw, str) or _ISO_DATE.fullmatch(raw) is None:
            raise ValueError("not YYYY-MM-DD")
        value = dt.date.fromisoformat(raw)
    except ValueError:
        errors.add(path, "must be a date written YYYY-MM-DD")
        return None
    if value > today:
        errors.add(path, "lies in the future")
        return None
    return value
