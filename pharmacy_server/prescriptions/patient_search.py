"""Searching the queue by the patient's name: a folded key on each prescription row.

Each row keeps the patient's name as signed in two keys, "family given" and "given
family", folded: lower case, accents dropped ("García" is "garcia"), apostrophes dropped
("O'Brien" is "obrien"), hyphens, commas and runs of spaces as one space. A search is
the same fold of what was typed, matched as the start of either key, so "garc",
"maria garc" and "garcia lopez" all find María García López; with a comma, "family,
given", each part starts its own name ("garcia, m"). Each key has its own index and a
prefix is a range on it (``key >= p AND key < p'``, ``p'`` being ``p`` with its last
character moved up one), which SQLite and PostgreSQL both seek; on PostgreSQL the keys
use the "C" collation, so the range is byte order whatever the database's locale.

The keys are written at submission and backfilled by migration 0019. A search text is
patient data: it travels as the list's ``q`` (the access log records no query string),
is never logged, and a search by name is audited with its kind and count only.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from pharmacy_server.models import Prescription

#: The longest key stored; a search is far shorter (``queue.MAX_SEARCH_LENGTH``).
MAX_KEY_LENGTH = 200
#: What a reference looks like ("RX-261203-0001"): searched exactly, not as a name.
REFERENCE = re.compile(r"RX-\d{6}-\d{4,}")
_DROPPED = str.maketrans("", "", "'’`´")
_SEPARATORS = re.compile(r"[\s,;.\-_/]+")


def fold(text: str) -> str:
    """``text`` as the keys hold it: "  García-López, María " is "garcia lopez maria"."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DROPPED))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(_SEPARATORS.sub(" ", bare.casefold()).split())


def name_keys(given_name: str, family_name: str) -> tuple[str, str]:
    """(family-first key, given-first key) of one patient."""
    family, given = fold(family_name), fold(given_name)
    family_first = " ".join(part for part in (family, given) if part)
    given_first = " ".join(part for part in (given, family) if part)
    return family_first[:MAX_KEY_LENGTH], given_first[:MAX_KEY_LENGTH]


def keys_of_content(patient: Any) -> dict[str, str | None]:
    """The row's key columns for a content's ``patient`` member (None when it has none)."""
    if not isinstance(patient, dict):
        return {"patient_family_key": None, "patient_given_key": None}
    family_first, given_first = name_keys(
        str(patient.get("given_name") or ""), str(patient.get("family_name") or "")
    )
    return {"patient_family_key": family_first, "patient_given_key": given_first}


def _after_prefix(prefix: str) -> str:
    """The smallest text above every text starting with ``prefix`` (code point order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    return and_(column >= prefix, column < _after_prefix(prefix))


def name_condition(prefix: str, given_prefix: str | None = None) -> ColumnElement[bool]:
    """Rows whose patient's name starts with the folded ``prefix``, family or given first;
    with ``given_prefix``, the family name starts with ``prefix`` and the given name with
    ``given_prefix`` ("garcia, m")."""
    if given_prefix is not None:
        return and_(
            _starts_with(Prescription.patient_family_key, prefix),
            _starts_with(Prescription.patient_given_key, given_prefix),
        )
    return or_(
        _starts_with(Prescription.patient_family_key, prefix),
        _starts_with(Prescription.patient_given_key, prefix),
    )
