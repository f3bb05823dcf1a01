"""Pydantic text types that apply ``pharmacy_domain.text_rules`` to a request field.

``OneLine`` (names, codes, user names) refuses control, bidi and zero-width characters,
newline and tab; ``MultiLine`` (notes, reasons) keeps newline and tab. Both hand the
route the text in NFC. Each field states its own length with ``Field(max_length=...)``
from ``pharmacy_domain.text_limits``. Passwords are left as typed: normalising one would
change what is hashed.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from pharmacy_domain.text_rules import forbidden_characters


def _checked(value: str, *, multi_line: bool) -> str:
    reason = forbidden_characters(value, multi_line=multi_line)
    if reason is not None:
        raise PydanticCustomError("text_characters", reason)
    return unicodedata.normalize("NFC", value)


def _one_line(value: str) -> str:
    return _checked(value, multi_line=False)


def _multi_line(value: str) -> str:
    return _checked(value, multi_line=True)


OneLine = Annotated[str, AfterValidator(_one_line)]
MultiLine = Annotated[str, AfterValidator(_multi_line)]
#: ``YYYY-MM-DD`` and nothing else (pydantic's lax dates also read "19800402").
ISO_DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _iso_date(value: object) -> dt.date:
    """Dates come as "YYYY-MM-DD" text only: pydantic alone would also take 0 as
    1970-01-01, 19800402 or an ISO week date."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # built in code, never from the wire
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_date", "must be a date written YYYY-MM-DD")


def _iso_instant(value: object) -> dt.datetime:
    """An instant as ISO 8601 text (``2026-12-01T09:00:00Z``): pydantic alone would also
    take a number of seconds since 1970 (``0.5``)."""
    if isinstance(value, dt.datetime):
        return value  # built in code, never from the wire
    if isinstance(value, str) and len(value) >= 16 and value[10:11] in ("T", "t", " "):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("iso_instant", "must be a time written YYYY-MM-DDTHH:MM[:SS]±HH:MM")


#: An instant in a query: ISO 8601 text only (its offset is checked where it is used).
IsoInstant = Annotated[dt.datetime, BeforeValidator(_iso_instant)]

#: A date in a body or a query: ``YYYY-MM-DD``, and nothing else.
IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    Field(json_schema_extra={"pattern": ISO_DATE_PATTERN}),
]
