"""A clinic's patient record, as both sides check it: the named lab list, the coded
allergy vocabulary and the rules a record's fields follow.

Labs are chosen from a named list (``resources/labs.json``: "G6PD", "Creatinine",
"eGFR"…), each with the lab code the rules and templates use and its usual unit, so
people read names and the check engine reads codes. Allergies are coded from the
formulary's vocabulary (the allergy terms and excipients of its products and vehicles,
and the allergies its cross-terms name: corn, egg, soy, sulfites…) or written as free
text; either way the check engine matches the text.

A record's weight, height and labs follow the same ranges and date rules as the patient
of a prescription (``pharmacy_domain.prescription``), so a record copied into an order is
an order the server accepts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from pharmacy_domain.field_checks import FieldError
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import LAB_INTERPRETATIONS, LabResult
from pharmacy_domain.resources import load_json

#: The ranges a prescription's patient accepts (``prescription._parse_patient``).
WEIGHT_KG_RANGE = (0.3, 400.0)
HEIGHT_CM_RANGE = (20.0, 260.0)
#: A birth date at most this many years back (as a prescription's).
MAX_AGE_YEARS = 130
MAX_RECORD_ALLERGIES = 50
MAX_RECORD_LABS = 200
MAX_LAB_VALUE = 1_000_000.0


class LabListError(ValueError):
    """``labs.json`` is malformed."""


@dataclass(frozen=True)
class NamedLab:
    """One entry of the named lab list: what people read (``name``), what the rules
    read (``code``) and the unit a result usually comes in ("" when read as an
    interpretation only)."""

    code: str
    name: str
    unit: str


@dataclass(frozen=True)
class RecordAllergy:
    """An allergy on a record: ``code`` a term of the formulary's vocabulary (``None``
    for free text) and ``text`` what the prescriber reads and the engine matches."""

    code: str | None
    text: str


def named_labs_from_data(raw: object) -> tuple[NamedLab, ...]:
    if not isinstance(raw, dict) or not isinstance(raw.get("labs"), list):
        raise LabListError("labs.json must hold a 'labs' list")
    labs: list[NamedLab] = []
    seen: set[str] = set()
    for index, item in enumerate(raw["labs"]):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(key), str) for key in ("code", "name", "unit")
        ):
            raise LabListError(f"labs[{index}] needs text code, name and unit")
        code = item["code"]
        if code != code.lower() or not code or code in seen:
            raise LabListError(f"labs[{index}]: code {code!r} is not lower-case and unique")
        seen.add(code)
        labs.append(NamedLab(code, item["name"], item["unit"]))
    return tuple(labs)


@cache
def named_labs() -> tuple[NamedLab, ...]:
    """The named lab list, in the order people pick from it."""
    return named_labs_from_data(load_json("labs.json"))


def named_lab(code: str) -> NamedLab | None:
    return _labs_by_code().get(code.lower())


@cache
def _labs_by_code() -> dict[str, NamedLab]:
    return {lab.code: lab for lab in named_labs()}


def lab_display_name(code: str) -> str:
    """The lab's name from the list; a code the list does not know (an integrator's
    inline order) is shown as sent, since nothing better is known."""
    lab = named_lab(code)
    return code if lab is None else lab.name


def allergy_vocabulary(formulary: Formulary) -> tuple[str, ...]:
    """Every term an allergy may be coded as, lower-case and sorted."""
    terms: set[str] = set()
    for product in formulary.products.values():
        terms.update(product.allergy_terms)
        terms.update(product.excipients)
    for vehicle in formulary.vehicles.values():
        terms.update(vehicle.allergy_terms)
    for cross in formulary.allergies.cross_terms:
        terms.update(cross.allergies)
    return tuple(sorted({" ".join(term.casefold().split()) for term in terms if term.strip()}))


def allergy_problems(
    allergies: Sequence[RecordAllergy], vocabulary: Iterable[str], path: str = "allergies"
) -> list[FieldError]:
    known = frozenset(vocabulary)
    problems: list[FieldError] = []
    if len(allergies) > MAX_RECORD_ALLERGIES:
        return [FieldError(path, f"must list at most {MAX_RECORD_ALLERGIES} allergies")]
    for index, allergy in enumerate(allergies):
        where = f"{path}[{index}]"
        if allergy.code is not None and allergy.code not in known:
            problems.append(
                FieldError(f"{where}.code", "is not an allergen or excipient of the formulary")
            )
        if allergy.code is None and not allergy.text.strip():
            problems.append(FieldError(f"{where}.text", "is required without a code"))
    return problems


def coded_allergy(code: str | None, text: str) -> RecordAllergy:
    """A coded allergy without its own words reads as its term."""
    return RecordAllergy(code, text.strip() or (code or ""))


def birth_date_problems(
    birth_date: dt.date, today: dt.date, path: str = "birth_date"
) -> list[FieldError]:
    if birth_date > today:
        return [FieldError(path, "lies in the future")]
    if birth_date.year < today.year - MAX_AGE_YEARS:
        return [FieldError(path, f"is more than {MAX_AGE_YEARS} years ago")]
    return []


def measured_on_problems(measured_on: dt.date, today: dt.date, path: str) -> list[FieldError]:
    return [FieldError(path, "lies in the future")] if measured_on > today else []


def lab_problems(labs: Sequence[LabResult], today: dt.date, path: str = "labs") -> list[FieldError]:
    if len(labs) > MAX_RECORD_LABS:
        return [FieldError(path, f"must list at most {MAX_RECORD_LABS} results")]
    problems: list[FieldError] = []
    for index, lab in enumerate(labs):
        where = f"{path}[{index}]"
        if named_lab(lab.code) is None:
            problems.append(FieldError(f"{where}.code", "is not a lab of the named list"))
        if lab.interpretation and lab.interpretation not in LAB_INTERPRETATIONS:
            problems.append(
                FieldError(
                    f"{where}.interpretation", f"must be one of {', '.join(LAB_INTERPRETATIONS)}"
                )
            )
        if lab.value is None and not lab.interpretation:
            problems.append(FieldError(where, "needs a value or an interpretation"))
        if lab.date > today:
            problems.append(FieldError(f"{where}.date", "lies in the future"))
    return problems


#: A document attached to a record: a lab report or a letter, as PDF or an image.
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_DOCUMENT_FILENAME_LENGTH = 200
#: The types a document may be, told by its first bytes (never by its name or a
#: declared type, which anyone can write).
_DOCUMENT_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
DOCUMENT_TYPES = tuple(kind for _, kind in _DOCUMENT_SIGNATURES)


def document_type(content: bytes) -> str | None:
    """The media type ``content`` is by its magic bytes, ``None`` for any other."""
    for signature, kind in _DOCUMENT_SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


def document_size_text(size: int) -> str:
    """A size as people read it: "12.4 MB", "820 KB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


#: The member of a prescription body naming the record its patient was copied from.
#: It is signed with the rest; the inline patient stays what was signed.
PATIENT_LINK_FIELD = "patient_id"
