"""Patient record wire models. Shapes, lengths and the text rules are checked here; what
needs the named lab list or the formulary (lab codes, allergy codes, dates not in the
future) by the service, through ``pharmacy_domain.patient_records``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from pharmacy_domain.patient_records import (
    HEIGHT_CM_RANGE,
    MAX_DOCUMENT_BYTES,
    MAX_DOCUMENT_FILENAME_LENGTH,
    MAX_LAB_VALUE,
    MAX_RECORD_ALLERGIES,
    MAX_RECORD_LABS,
    WEIGHT_KG_RANGE,
    lab_display_name,
)
from pharmacy_domain.text_limits import (
    MAX_ADDRESS_LENGTH,
    MAX_ALLERGY_LENGTH,
    MAX_CODE_LENGTH,
    MAX_LAB_UNIT_LENGTH,
    MAX_NAME_LENGTH,
    MAX_PHONE_LENGTH,
)
from pharmacy_server.clock import wire_time
from pharmacy_server.models import PatientDocument, PatientRecord
from pharmacy_server.text_fields import IsoDate, MultiLine, OneLine

Sex = Literal["female", "male", "other", "unknown"]


Name = Annotated[OneLine, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
Phone = Annotated[OneLine, Field(max_length=MAX_PHONE_LENGTH)]
Address = Annotated[MultiLine, Field(max_length=MAX_ADDRESS_LENGTH)]


class WeightIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=WEIGHT_KG_RANGE[0], le=WEIGHT_KG_RANGE[1], description="kg")
    measured_on: IsoDate


class HeightIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=HEIGHT_CM_RANGE[0], le=HEIGHT_CM_RANGE[1], description="cm")
    measured_on: IsoDate


class LabIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[OneLine, Field(min_length=1, max_length=40)] = Field(
        description="A lab code of the named list (resources/labs.json: g6pd, creatinine…)."
    )
    date: IsoDate
    value: float | None = Field(default=None, ge=-MAX_LAB_VALUE, le=MAX_LAB_VALUE)
    unit: Annotated[OneLine, Field(max_length=MAX_LAB_UNIT_LENGTH)] = ""
    interpretation: Annotated[OneLine, Field(max_length=20)] = ""


class AllergyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[OneLine, Field(min_length=1, max_length=MAX_CODE_LENGTH)] | None = Field(
        default=None, description="A term of the formulary's allergen and excipient vocabulary."
    )
    text: Annotated[OneLine, Field(max_length=MAX_ALLERGY_LENGTH)] = ""


Allergies = Annotated[list[AllergyIn], Field(max_length=MAX_RECORD_ALLERGIES)]
Labs = Annotated[list[LabIn], Field(max_length=MAX_RECORD_LABS)]


class PatientIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    given_name: Name
    family_name: Name
    birth_date: IsoDate
    sex: Sex
    address: Address = ""
    phone: Phone = ""
    allergies: Allergies = Field(default_factory=list)
    weight: WeightIn | None = None
    height: HeightIn | None = None
    labs: Labs = Field(default_factory=list)


class PatientUpdate(BaseModel):
    """Only the members sent change; lists are replaced whole, ``weight: null`` clears."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=2**31 - 1, description="The version you edited (409 if stale).")
    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: IsoDate | None = None
    sex: Sex | None = None
    address: Address | None = None
    phone: Phone | None = None
    allergies: Allergies | None = None
    weight: WeightIn | None = None
    height: HeightIn | None = None
    labs: Labs | None = None


class DocumentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: Annotated[OneLine, Field(min_length=1, max_length=MAX_DOCUMENT_FILENAME_LENGTH)]
    content_base64: str = Field(
        description=f"The file, base64: a PDF, PNG or JPEG of at most "
        f"{MAX_DOCUMENT_BYTES // (1024 * 1024)} MB (its type is read from its bytes)."
    )


class PatientSummaryOut(BaseModel):
    id: str
    given_name: str
    family_name: str
    birth_date: str
    sex: Sex
    version: int

    @classmethod
    def from_row(cls, row: PatientRecord) -> PatientSummaryOut:
        return cls(
            id=str(row.id),
            given_name=row.given_name,
            family_name=row.family_name,
            birth_date=row.birth_date.isoformat(),
            sex=row.sex,  # type: ignore[arg-type]  # stored from a checked Sex
            version=row.version,
        )


class DatedMeasureOut(BaseModel):
    value: float
    measured_on: str


class PatientLabOut(BaseModel):
    name: str = Field(description="The lab's name from the named list, never its code.")
    code: str
    date: str
    value: float | None
    unit: str
    interpretation: str


class PatientAllergyOut(BaseModel):
    code: str | None
    text: str


class PatientDocumentOut(BaseModel):
    id: str
    filename: str
    content_type: str
    size_bytes: int
    uploaded_at: str

    @classmethod
    def from_row(cls, row: PatientDocument) -> PatientDocumentOut:
        return cls(
            id=str(row.id),
            filename=row.filename,
            content_type=row.content_type,
            size_bytes=row.size_bytes,
            uploaded_at=wire_time(row.uploaded_at),
        )


def _measure(value: float | None, measured_on: dt.date | None) -> DatedMeasureOut | None:
    if value is None or measured_on is None:
        return None
    return DatedMeasureOut(value=value, measured_on=measured_on.isoformat())


class PatientOut(BaseModel):
    id: str
    clinic_id: str
    version: int
    given_name: str
    family_name: str
    birth_date: str
    sex: Sex
    address: str
    phone: str
    allergies: list[PatientAllergyOut]
    weight: DatedMeasureOut | None
    height: DatedMeasureOut | None
    labs: list[PatientLabOut]
    documents: list[PatientDocumentOut]
    updated_at: str

    @classmethod
    def from_row(cls, row: PatientRecord) -> PatientOut:
        labs = [
            PatientLabOut(name=lab_display_name(lab["code"]), **lab)
            for lab in json.loads(row.labs_json)
        ]
        return cls(
            id=str(row.id),
            clinic_id=str(row.clinic_id),
            version=row.version,
            given_name=row.given_name,
            family_name=row.family_name,
            birth_date=row.birth_date.isoformat(),
            sex=row.sex,  # type: ignore[arg-type]  # stored from a checked Sex
            address=row.address,
            phone=row.phone,
            allergies=[PatientAllergyOut(**item) for item in json.loads(row.allergies_json)],
            weight=_measure(row.weight_kg, row.weight_measured_on),
            height=_measure(row.height_cm, row.height_measured_on),
            labs=labs,
            documents=[PatientDocumentOut.from_row(doc) for doc in row.documents],
            updated_at=wire_time(row.updated_at),
        )


class PatientList(BaseModel):
    items: list[PatientSummaryOut]
    next_cursor: str | None
