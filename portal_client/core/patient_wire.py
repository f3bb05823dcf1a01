"""The clinic's patient records as the server answers them (``/api/v1/patients``), typed
and frozen, read once at the ``ApiClient`` boundary by ``core.wire.parse``.

Each type names the OpenAPI component it mirrors (``SCHEMA``); the contract test holds
them against the server's document like every other wire type. Dates are ``date``
(``YYYY-MM-DD`` on the wire) and times aware ``datetime``.

``PatientRecord.to_domain_patient`` is the record as a prescription's patient: the
composer copies it into the order it signs, and sends the record's id beside it.
``PatientChanges`` builds the body of an edit: only the fields set are sent, so the rest
of the record stays as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pharmacy_domain.prescription import LabResult, Patient

#: Kept equal to ``pharmacy_domain.prescription.SEXES`` (the contract test checks).
Sex = Literal["female", "male", "other", "unknown"]

__all__ = [
    "PATIENT_WIRE_TYPES",
    "DatedMeasure",
    "PatientAllergy",
    "PatientChanges",
    "PatientDocumentInfo",
    "PatientFields",
    "PatientLab",
    "PatientPage",
    "PatientRecord",
    "PatientSummary",
    "Sex",
]


@dataclass(frozen=True)
class PatientSummary:
    """One row of a search: enough to tell two patients apart, nothing clinical."""

    SCHEMA: ClassVar[str] = "PatientSummaryOut"

    id: str
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: Sex
    version: int


@dataclass(frozen=True)
class DatedMeasure:
    """A weight (kg) or height (cm) and the day it was measured."""

    SCHEMA: ClassVar[str] = "DatedMeasureOut"

    value: float
    measured_on: dt.date

    def to_wire(self) -> dict[str, Any]:
        return {"value": self.value, "measured_on": self.measured_on.isoformat()}


@dataclass(frozen=True)
class PatientLab:
    """A lab result: ``name`` from the named list (what people read), ``code`` the
    domain's lab code (what the checks read); ``interpretation`` "" when only a value
    is known."""

    SCHEMA: ClassVar[str] = "PatientLabOut"

    name: str
    code: str
    date: dt.date
    value: float | None
    unit: str
    interpretation: str

    def to_domain(self) -> LabResult:
        return LabResult(self.code, self.date, self.value, self.unit, self.interpretation)

    def to_wire(self) -> dict[str, Any]:
        """The lab as a record edit sends it (the server names it from its code)."""
        return {
            "code": self.code,
            "date": self.date.isoformat(),
            "value": self.value,
            "unit": self.unit,
            "interpretation": self.interpretation,
        }


@dataclass(frozen=True)
class PatientAllergy:
    """``code``: a term of the formulary's allergen and excipient vocabulary, or
    ``None`` for a free-text allergy; ``text``: what the prescriber reads."""

    SCHEMA: ClassVar[str] = "PatientAllergyOut"

    code: str | None
    text: str

    def to_wire(self) -> dict[str, Any]:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True)
class PatientDocumentInfo:
    """An attached document (a lab report as PDF, PNG or JPEG); its bytes come from
    ``fetch_patient_document``."""

    SCHEMA: ClassVar[str] = "PatientDocumentOut"

    id: str
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: dt.datetime


@dataclass(frozen=True)
class PatientRecord:
    SCHEMA: ClassVar[str] = "PatientOut"

    id: str
    clinic_id: str
    version: int
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: Sex
    address: str
    phone: str
    allergies: tuple[PatientAllergy, ...]
    weight: DatedMeasure | None
    height: DatedMeasure | None
    labs: tuple[PatientLab, ...]
    documents: tuple[PatientDocumentInfo, ...]
    updated_at: dt.datetime

    def to_domain_patient(self) -> Patient:
        """The record as a prescription's patient (what the composer fills and signs)."""
        return Patient(
            given_name=self.given_name,
            family_name=self.family_name,
            birth_date=self.birth_date,
            sex=self.sex,
            weight_kg=None if self.weight is None else self.weight.value,
            height_cm=None if self.height is None else self.height.value,
            allergies=tuple(allergy.text for allergy in self.allergies),
            labs=tuple(lab.to_domain() for lab in self.labs),
            address=self.address,
            phone=self.phone,
        )

    def summary(self) -> PatientSummary:
        return PatientSummary(
            self.id, self.given_name, self.family_name, self.birth_date, self.sex, self.version
        )


@dataclass(frozen=True)
class PatientPage:
    SCHEMA: ClassVar[str] = "PatientList"

    items: tuple[PatientSummary, ...]
    next_cursor: str | None


PATIENT_WIRE_TYPES: tuple[type, ...] = (
    PatientSummary,
    DatedMeasure,
    PatientLab,
    PatientAllergy,
    PatientDocumentInfo,
    PatientRecord,
    PatientPage,
)


def _labs_wire(labs: Sequence[PatientLab | LabResult]) -> list[dict[str, Any]]:
    wire: list[dict[str, Any]] = []
    for lab in labs:
        if isinstance(lab, PatientLab):
            wire.append(lab.to_wire())
        else:
            wire.append(
                {
                    "code": lab.code,
                    "date": lab.date.isoformat(),
                    "value": lab.value,
                    "unit": lab.unit,
                    "interpretation": lab.interpretation,
                }
            )
    return wire


@dataclass(frozen=True)
class PatientFields:
    """A new patient: the body of ``create_patient``."""

    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    address: str = ""
    phone: str = ""
    allergies: tuple[PatientAllergy, ...] = ()
    weight: DatedMeasure | None = None
    height: DatedMeasure | None = None
    labs: tuple[PatientLab | LabResult, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birth_date": self.birth_date.isoformat(),
            "sex": self.sex,
            "address": self.address,
            "phone": self.phone,
            "allergies": [allergy.to_wire() for allergy in self.allergies],
            "weight": None if self.weight is None else self.weight.to_wire(),
            "height": None if self.height is None else self.height.to_wire(),
            "labs": _labs_wire(self.labs),
        }


_UNSET: Any = object()


@dataclass(frozen=True)
class PatientChanges:
    """An edit of a record: each field left unset stays as it is on the server. Lists
    (allergies, labs) are replaced whole; ``weight=None`` clears the weight.

    ``with_lab`` adds one result to the record's labs (a result typed while composing,
    saved back)."""

    given_name: str = _UNSET
    family_name: str = _UNSET
    birth_date: dt.date = _UNSET
    sex: str = _UNSET
    address: str = _UNSET
    phone: str = _UNSET
    allergies: Sequence[PatientAllergy] = _UNSET
    weight: DatedMeasure | None = _UNSET
    height: DatedMeasure | None = _UNSET
    labs: Sequence[PatientLab | LabResult] = _UNSET

    @staticmethod
    def with_lab(record: PatientRecord, lab: PatientLab | LabResult) -> PatientChanges:
        return PatientChanges(labs=(*record.labs, lab))

    def to_wire(self) -> dict[str, Any]:
        """The PATCH body without ``version`` (``update_patient`` adds it)."""
        body: dict[str, Any] = {}
        for name in ("given_name", "family_name", "sex", "address", "phone"):
            value = getattr(self, name)
            if value is not _UNSET:
                body[name] = value
        if self.birth_date is not _UNSET:
            body["birth_date"] = self.birth_date.isoformat()
        for name in ("weight", "height"):
            measure = getattr(self, name)
            if measure is not _UNSET:
                body[name] = None if measure is None else measure.to_wire()
        if self.allergies is not _UNSET:
            body["allergies"] = [allergy.to_wire() for allergy in self.allergies]
        if self.labs is not _UNSET:
            body["labs"] = _labs_wire(self.labs)
        return body

    @property
    def empty(self) -> bool:
        return not self.to_wire()
