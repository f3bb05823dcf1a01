"""The Patients page's decisions, without Qt: the search as the user types it (which
answers still count, what the list says), the record as the page reads it, the form of a
new or edited record, and a record copied into the composer.

A search's query is a patient's name or birth date: it is held here and sent as ``q``,
never logged, never written to settings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pharmacy_domain.engine import Evaluation
from pharmacy_domain.patient_records import (
    HEIGHT_CM_RANGE,
    WEIGHT_KG_RANGE,
    birth_date_problems,
    measured_on_problems,
)
from pharmacy_domain.prescription import SEXES, LabResult
from pharmacy_domain.templates import Template
from portal_client.core.composer import ComposerState, LabEntry, format_number, parse_number
from portal_client.core.domain_text import interpretation_text, lab_text
from portal_client.core.i18n import translate
from portal_client.core.patient_wire import (
    DatedMeasure,
    PatientAllergy,
    PatientChanges,
    PatientFields,
    PatientPage,
    PatientRecord,
    PatientSummary,
)

#: Typing pauses this long before a search is sent (each key would be a request).
SEARCH_DEBOUNCE_MS = 250
SEARCH_PAGE_SIZE = 50
#: The engine's code for a lab older than its prerequisite allows.
STALE_LAB = "prerequisite.stale"


# ------------------------------------------------------------------ search


@dataclass
class PatientSearch:
    """What was asked and what came back. Every request carries a ticket; an answer
    whose ticket is not the latest is stale (the user typed on) and is dropped."""

    query: str = ""
    rows: list[PatientSummary] = field(default_factory=list)
    next_cursor: str | None = None
    loading: bool = False
    error: str = ""
    ticket: int = 0
    #: The query whose rows are shown (``None`` before the first answer).
    shown_query: str | None = None

    def wants_search(self, text: str) -> bool:
        """Typing ``text`` asks for a new search (spaces around it change nothing)."""
        return text.strip() != self.query

    def begin(self, text: str) -> tuple[int, str]:
        """A fresh search: its ticket and the query to send."""
        self.query = text.strip()
        self.ticket += 1
        self.loading, self.error = True, ""
        return self.ticket, self.query

    def begin_more(self) -> tuple[int, str, str] | None:
        """The next page of the shown search (ticket, query, cursor), if there is one."""
        if self.loading or self.next_cursor is None or self.shown_query != self.query:
            return None
        self.ticket += 1
        self.loading, self.error = True, ""
        return self.ticket, self.query, self.next_cursor

    def accept(self, ticket: int, page: PatientPage, *, more: bool = False) -> bool:
        """Show ``page`` when it answers the latest request; ``False``: stale, dropped."""
        if ticket != self.ticket:
            return False
        self.loading = False
        self.rows = [*self.rows, *page.items] if more else list(page.items)
        self.next_cursor = page.next_cursor
        self.shown_query = self.query
        return True

    def fail(self, ticket: int, message: str) -> bool:
        if ticket != self.ticket:
            return False
        self.loading, self.error = False, message
        return True

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None

    def _none_or_one_text(self, query: str, count: int) -> str:
        if count == 1 and self.has_more:
            return translate("Patients", "1 patient shown; there are more.")
        if count == 1:
            return translate("Patients", "1 patient.")
        if query:
            return translate("Patients", "No patients match “{query}”.").format(query=query)
        return translate("Patients", "No patients yet. Press “New patient” to add one.")

    def status_text(self) -> str:
        """The line under the search field: loading, an error, none, or how many."""
        if self.error:
            return translate("Patients", "Could not search: {error}").format(error=self.error)
        if self.loading and not self.rows:
            return translate("Patients", "Searching…")
        if self.shown_query is None:
            return ""
        if len(self.rows) <= 1:
            return self._none_or_one_text(self.shown_query, len(self.rows))
        if self.has_more:
            return translate("Patients", "{count} patients shown; there are more.").format(
                count=len(self.rows)
            )
        return translate("Patients", "{count} patients.").format(count=len(self.rows))


# ------------------------------------------------------------------ reading


def age_years(birth_date: dt.date, today: dt.date) -> int:
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def summary_line(row: PatientSummary, today: dt.date) -> str:
    """One search row: "Family, Given — 1980-04-02 (46)"."""
    return translate("Patients", "{family}, {given} — {birth} ({age})").format(
        family=row.family_name,
        given=row.given_name,
        birth=row.birth_date.isoformat(),
        age=age_years(row.birth_date, today),
    )


def sex_word(sex: str) -> str:
    from portal_client.core.presentation import sex_text

    return sex_text(sex)


def measure_text(measure: DatedMeasure | None, unit: str) -> str:
    if measure is None:
        return translate("Patients", "not recorded")
    return translate("Patients", "{value} {unit} (measured {date})").format(
        value=format_number(measure.value), unit=unit, date=measure.measured_on.isoformat()
    )


def allergies_text(record: PatientRecord) -> str:
    if not record.allergies:
        return translate("Patients", "None recorded")
    return ", ".join(allergy.text for allergy in record.allergies)


def lab_rows(record: PatientRecord) -> list[tuple[str, str, str, str]]:
    """The labs table, newest first: name, date, value with unit, interpretation."""
    rows = []
    for lab in sorted(record.labs, key=lambda lab: lab.date, reverse=True):
        value = "" if lab.value is None else f"{format_number(lab.value)} {lab.unit}".strip()
        words = interpretation_text(lab.interpretation)
        rows.append((lab_text(lab.code), lab.date.isoformat(), value, words))
    return rows


# ------------------------------------------------------------------ the form


@dataclass
class PatientForm:
    """A new or edited record as typed (text stays text until it is checked)."""

    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    sex: str = "unknown"
    address: str = ""
    phone: str = ""
    allergies: str = ""
    weight_kg: str = ""
    weight_on: str = ""
    height_cm: str = ""
    height_on: str = ""

    @classmethod
    def from_record(cls, record: PatientRecord) -> PatientForm:
        weight, height = record.weight, record.height
        return cls(
            given_name=record.given_name,
            family_name=record.family_name,
            birth_date=record.birth_date.isoformat(),
            sex=record.sex,
            address=record.address,
            phone=record.phone,
            allergies=", ".join(allergy.text for allergy in record.allergies),
            weight_kg="" if weight is None else format_number(weight.value),
            weight_on="" if weight is None else weight.measured_on.isoformat(),
            height_cm="" if height is None else format_number(height.value),
            height_on="" if height is None else height.measured_on.isoformat(),
        )

    def check(self, today: dt.date) -> tuple[PatientFields | None, dict[str, str]]:
        """The record to send, or the errors by field name (each says what is wrong)."""
        errors: dict[str, str] = {}
        for name, label in (
            ("given_name", translate("Patients", "Given name")),
            ("family_name", translate("Patients", "Family name")),
        ):
            if not getattr(self, name).strip():
                errors[name] = translate("Patients", "{field} is required.").format(field=label)
        birth = _date(self.birth_date)
        if birth is None:
            errors["birth_date"] = translate(
                "Patients", "Date of birth must be a date as YYYY-MM-DD."
            )
        elif birth_date_problems(birth, today):
            errors["birth_date"] = translate(
                "Patients", "Date of birth must be in the past and within 130 years."
            )
        if self.sex not in SEXES:
            errors["sex"] = translate("Patients", "Choose the patient's sex.")
        weight = self._measure("weight", self.weight_kg, self.weight_on, WEIGHT_KG_RANGE, today)
        height = self._measure("height", self.height_cm, self.height_on, HEIGHT_CM_RANGE, today)
        errors.update(weight[1])
        errors.update(height[1])
        if errors or birth is None:
            return None, errors
        allergies = tuple(
            PatientAllergy(None, part.strip())
            for part in self.allergies.replace(";", ",").split(",")
            if part.strip()
        )
        fields = PatientFields(
            given_name=self.given_name.strip(),
            family_name=self.family_name.strip(),
            birth_date=birth,
            sex=self.sex,
            address=self.address.strip(),
            phone=self.phone.strip(),
            allergies=allergies,
            weight=weight[0],
            height=height[0],
        )
        return fields, {}

    @staticmethod
    def _measure(
        name: str, value: str, measured_on: str, limits: tuple[float, float], today: dt.date
    ) -> tuple[DatedMeasure | None, dict[str, str]]:
        if not value.strip():
            return None, {}
        number = parse_number(value)
        low, high = limits
        if not isinstance(number, float) or not low <= number <= high:
            return None, {
                name: translate("Patients", "Must be a number from {low} to {high}.").format(
                    low=format_number(low), high=format_number(high)
                )
            }
        date = _date(measured_on) if measured_on.strip() else today
        if date is None or measured_on_problems(date, today, name):
            return None, {
                f"{name}_on": translate(
                    "Patients", "The date measured must be a past date as YYYY-MM-DD."
                )
            }
        return DatedMeasure(number, date), {}

    def changes(self, fields: PatientFields, record: PatientRecord) -> PatientChanges:
        """Only what differs from ``record`` (the rest stays as the server has it)."""
        values: dict[str, object] = {}
        for name in ("given_name", "family_name", "birth_date", "sex", "address", "phone"):
            if getattr(fields, name) != getattr(record, name):
                values[name] = getattr(fields, name)
        if [a.text for a in fields.allergies] != [a.text for a in record.allergies]:
            kept = {a.text: a for a in record.allergies}  # coded ones keep their code
            values["allergies"] = tuple(kept.get(a.text, a) for a in fields.allergies)
        for name in ("weight", "height"):
            if getattr(fields, name) != getattr(record, name):
                values[name] = getattr(fields, name)
        return PatientChanges(**values)  # type: ignore[arg-type]


def server_field_errors(errors: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A 422's (field, reason) pairs under the form's names (``weight.value`` → ``weight``)."""
    found: dict[str, str] = {}
    for place, reason in errors:
        name = re.split(r"[.\[]", place, maxsplit=1)[0]
        if name in ("weight", "height") and place.endswith("measured_on"):
            name = f"{name}_on"
        found.setdefault(name, reason)
    return found


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        return None


@dataclass
class ResultEntry:
    """ "Add a result": a lab of the named list, or a weight."""

    kind: str = "lab"  # "lab" or "weight"
    code: str = ""
    date: str = ""
    value: str = ""
    unit: str = ""
    interpretation: str = ""

    def check(self, record: PatientRecord, today: dt.date) -> tuple[PatientChanges | None, str]:
        """The edit that adds it to ``record``, or what is wrong with it."""
        date = _date(self.date)
        if date is None or date > today:
            return None, translate("Patients", "The date must be today or earlier, as YYYY-MM-DD.")
        number = parse_number(self.value) if self.value.strip() else None
        if isinstance(number, str):
            return None, translate("Patients", "The value must be a number.")
        if self.kind == "weight":
            return self._weight(number, date)
        if not self.code:
            return None, translate("Patients", "Choose the lab.")
        if number is None and not self.interpretation:
            return None, translate("Patients", "Give a value or an interpretation.")
        lab = LabResult(self.code, date, number, self.unit.strip(), self.interpretation)
        return PatientChanges.with_lab(record, lab), ""

    @staticmethod
    def _weight(number: float | None, date: dt.date) -> tuple[PatientChanges | None, str]:
        low, high = WEIGHT_KG_RANGE
        if number is None or not low <= number <= high:
            return None, translate(
                "Patients", "The weight must be a number from {low} to {high} kg."
            ).format(low=format_number(low), high=format_number(high))
        return PatientChanges(weight=DatedMeasure(number, date)), ""


# ------------------------------------------------------------------ composing


def composer_state_from_record(
    record: PatientRecord, template: Template | None = None
) -> ComposerState:
    """A new order for this patient: everything the record knows, linked to it."""
    state = ComposerState()
    state.select_template(template)
    state.template_chosen = template is not None
    patient = record.to_domain_patient()
    state.given_name, state.family_name = patient.given_name, patient.family_name
    state.birth_date, state.sex = patient.birth_date.isoformat(), patient.sex
    state.weight_kg = "" if patient.weight_kg is None else format_number(patient.weight_kg)
    state.height_cm = "" if patient.height_cm is None else format_number(patient.height_cm)
    state.allergies = ", ".join(patient.allergies)
    state.patient_address, state.patient_phone = patient.address, patient.phone
    # The newest result of each lab: older ones would only be flagged again.
    newest: dict[str, LabResult] = {}
    for lab in patient.labs:
        if lab.code not in newest or lab.date > newest[lab.code].date:
            newest[lab.code] = lab
    for lab in newest.values():
        state.labs.append(_lab_entry(lab))
    state.patient_id = record.id
    # Not typed, but worth keeping: the draft autosaves from the first moment.
    state.touched.add("patient_id")
    return state


def _lab_entry(lab: LabResult) -> LabEntry:
    return LabEntry(
        code=lab.code,
        date=lab.date.isoformat(),
        value="" if lab.value is None else format_number(lab.value),
        unit=lab.unit,
        interpretation=lab.interpretation or "",
    )


@dataclass(frozen=True)
class StaleResult:
    """A lab on the order older than the template allows: where, which, and why."""

    index: int
    code: str
    name: str
    message: str


def stale_results(state: ComposerState, evaluation: Evaluation | None) -> list[StaleResult]:
    """The engine's stale-lab findings, each tied to its row of the composer's labs."""
    if evaluation is None:
        return []
    found: list[StaleResult] = []
    entries = [lab for lab in state.labs if lab.code.strip()]
    for finding in evaluation.findings:
        if finding.code != STALE_LAB or not finding.field.startswith("patient.labs["):
            continue
        index = int(finding.field[len("patient.labs[") :].split("]")[0])
        if index >= len(entries):
            continue
        code = entries[index].code.strip().lower()
        found.append(StaleResult(index, code, lab_text(code), finding.message))
    return found


def new_result_entry(code: str, today: dt.date) -> LabEntry:
    """ "Add a result" for a stale lab: a fresh row of the same lab dated today."""
    from pharmacy_domain.patient_records import named_lab

    lab = named_lab(code)
    return LabEntry(code=code, date=today.isoformat(), unit="" if lab is None else lab.unit)


def labs_to_save(state: ComposerState, record: PatientRecord, today: dt.date) -> list[LabResult]:
    """Complete lab rows typed in the composer that the record does not hold yet."""
    known = {(lab.code, lab.date, lab.value, lab.interpretation) for lab in record.labs}
    fresh: list[LabResult] = []
    for entry in state.labs:
        code = entry.code.strip().lower()
        date = _date(entry.date)
        value = parse_number(entry.value) if entry.value.strip() else None
        if not code or date is None or date > today or isinstance(value, str):
            continue
        if value is None and not entry.interpretation:
            continue
        key = (code, date, value, entry.interpretation)
        if key not in known:
            known.add(key)
            fresh.append(LabResult(code, date, value, entry.unit.strip(), entry.interpretation))
    return fresh
