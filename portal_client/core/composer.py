"""What the prescriber has typed into the composer, as plain data.

The form keeps every value as the text the user entered, so nothing is lost or
silently rounded while they type; ``to_body`` turns it into the wire body and
``validate`` runs the shared ``parse_prescription`` on it (pure and instant, so
it runs on every keystroke). The Qt composer only mirrors this object.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pharmacy_domain.infusion import lipid_infusion_spec
from pharmacy_domain.numbers import format_amount
from pharmacy_domain.patient_records import PATIENT_LINK_FIELD
from pharmacy_domain.prescription import Acknowledgement, FieldError
from pharmacy_domain.templates import Template, TemplateCatalog
from portal_client.core import reference_data
from portal_client.core.dispensing_entry import DispensingEntry
from portal_client.core.form_review import CheckResult, FormReview, message_for, typical_range
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.server_checks import ServerCheck, checked_content

if TYPE_CHECKING:
    from pharmacy_domain.engine import Evaluation

DRAFT_FORMAT = 1
_INGREDIENT_FIELD = re.compile(r"^ingredients\[(\d+)\](?:\.(\w+))?$")


def parse_number(text: str) -> float | str | None:
    """``""`` → None, ``"5"``/``"5,5"`` → float, anything else stays text (reported as such)."""
    cleaned = text.strip().replace(" ", "")
    if not cleaned:
        return None
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return text.strip()


def format_number(value: float | None) -> str:
    return "" if value is None else format_amount(value)


#: The one finding of an order checked with no formulary and rules at hand.
CHECKS_UNKNOWN_CODE = "checks.unknown"
CHECKS_UNKNOWN_TEXT = QT_TRANSLATE_NOOP(
    "Composer",
    "The checks are unknown: the pharmacy's formulary and rules could not be fetched "
    "and none are saved on this computer. The server checks the order when it is sent.",
)


def _unknown_evaluation(
    body: Mapping[str, Any], catalog: TemplateCatalog, today: dt.date | None
) -> Evaluation:
    """The form's own errors and one warning that nothing clinical was checked: never OK."""
    from pharmacy_domain.engine import Evaluation, Finding
    from pharmacy_domain.prescription import InvalidPrescription, parse_prescription

    unknown = Finding(
        code=CHECKS_UNKNOWN_CODE,
        severity="warn",
        message=translate("Composer", CHECKS_UNKNOWN_TEXT),
        field="template_id",
        source="",
    )
    try:
        prescription = parse_prescription(body, catalog, today=today)
    except InvalidPrescription as invalid:
        return Evaluation(findings=[unknown], errors=list(invalid.errors))
    return Evaluation(findings=[unknown], prescription=prescription)


def read_lab_names() -> None:
    """Read the lab list now: the sign-in's warm-up thread does, so the composer's first
    check reads no file on the GUI thread. (The formulary and rules come from the server,
    fetched in the background by ``reference_data``.)"""
    from pharmacy_domain.patient_records import named_labs

    named_labs()


@dataclass
class LabEntry:
    """One lab result as typed: code (g6pd, creatinine…), date, value, unit, interpretation."""

    code: str = ""
    date: str = ""
    value: str = ""
    unit: str = ""
    interpretation: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code.strip().lower(),
            "date": self.date.strip(),
            "value": parse_number(self.value),
            "unit": self.unit.strip(),
            "interpretation": self.interpretation or None,
        }


@dataclass(frozen=True)
class RangeNote:
    """An amount outside the usual range: allowed, but worth a second look."""

    field: str
    message: str


@dataclass
class ComposerState:
    """One prescription being composed; ``idempotency_key`` names it until it is accepted."""

    template: Template | None = None
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    sex: str = "unknown"
    weight_kg: str = ""
    height_cm: str = ""
    allergies: str = ""
    amounts: dict[str, str] = field(default_factory=dict)
    access: str = ""
    vehicle_code: str = ""
    volume_ml: str = ""
    infusion_minutes: str = ""
    #: Hours for a separately run lipid emulsion (templates that run lipid separately).
    lipid_infusion_hours: str = ""
    notes: str = ""
    #: For shipping to the patient (optional).
    patient_address: str = ""
    patient_phone: str = ""
    dispensing: DispensingEntry = field(default_factory=DispensingEntry)
    labs: list[LabEntry] = field(default_factory=list)
    #: The clinic's patient record the patient was filled from ("" for one typed in);
    #: signed with the order as its ``patient_id``.
    patient_id: str = ""
    #: The prescriber's reasons to go past warnings, by (finding code, finding field).
    acknowledgements: dict[tuple[str, str], str] = field(default_factory=dict)
    idempotency_key: str = field(default_factory=lambda: str(uuid.uuid4()))
    #: The last send ended without an answer: the server may already have it.
    outcome_unknown: bool = False
    #: Names this prescription in the local draft store until it is signed.
    draft_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    # What the form shows of it (not part of the order: left out of equality and repr).
    #: Form places the user has edited: their errors show from then on.
    touched: set[str] = field(default_factory=set, compare=False, repr=False)
    #: A sign attempt (or the server's 422) was made: every error shows.
    show_all_errors: bool = field(default=False, compare=False, repr=False)
    #: The server's field errors by form place, each kept until its field is edited.
    server_errors: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    #: The user picked a template: a template alone makes the draft worth keeping.
    template_chosen: bool = field(default=False, compare=False, repr=False)
    #: The pharmacy server's checks of the order, once it answered (``server_checks``).
    server_check: ServerCheck | None = field(default=None, compare=False, repr=False)

    def select_template(self, template: Template | None) -> None:
        """Switch template; the patient section is kept, the order takes the new defaults."""
        self.template = template
        if template is None:
            self.amounts = {}
            self.access = self.vehicle_code = self.volume_ml = self.infusion_minutes = ""
            self.lipid_infusion_hours = ""
            return
        self.amounts = {row.code: format_number(row.default_amount) for row in template.ingredients}
        self.access = template.default_access
        first_vehicle = template.vehicles[0] if template.vehicles else None
        self.vehicle_code = first_vehicle.code if first_vehicle else ""
        self.volume_ml = format_number(first_vehicle.default_volume_ml) if first_vehicle else ""
        self.infusion_minutes = format_number(
            None
            if template.infusion_minutes_default is None
            else float(template.infusion_minutes_default)
        )
        lipid = lipid_infusion_spec(template)
        self.lipid_infusion_hours = format_number(None if lipid is None else lipid.default_hours)

    def allergy_list(self) -> list[str]:
        return [part.strip() for part in re.split(r"[,;\n]", self.allergies) if part.strip()]

    def ingredient_codes_in_body(self) -> list[str]:
        """Codes in the order ``to_body`` lists them (for mapping ``ingredients[i]`` back)."""
        if self.template is None:
            return []
        return [
            row.code
            for row in self.template.ingredients
            if parse_number(self.amounts.get(row.code, "")) not in (None, 0.0)
        ]

    def to_body(self) -> dict[str, Any]:
        """The request body. Empty and zero amounts are left out: that ingredient is not ordered."""
        template = self.template
        body: dict[str, Any] = {
            "template_id": template.id if template else "",
            "template_version": template.version if template else 0,
            "patient": {
                "given_name": self.given_name.strip(),
                "family_name": self.family_name.strip(),
                "birth_date": self.birth_date.strip(),
                "sex": self.sex,
                "weight_kg": parse_number(self.weight_kg),
                "height_cm": parse_number(self.height_cm),
                "allergies": self.allergy_list(),
                "labs": [lab.to_wire() for lab in self.labs if lab.code.strip()],
            },
            "ingredients": [],
            "access": self.access or None,
            "vehicle": None,
            "infusion_minutes": parse_number(self.infusion_minutes),
            "notes": self.notes.strip(),
            "acknowledgements": [
                {"code": code, "field": place, "reason": reason.strip()}
                for (code, place), reason in self.acknowledgements.items()
                if reason.strip()
            ],
        }
        if template is not None and lipid_infusion_spec(template) is not None:
            body["lipid_infusion_hours"] = parse_number(self.lipid_infusion_hours)
        # Written only when given, as the domain writes them: an order without keeps its hash.
        for key, value in (("address", self.patient_address), ("phone", self.patient_phone)):
            if value.strip():
                body["patient"][key] = value.strip()
        dispensing = self.dispensing.to_wire()
        if dispensing is not None:
            body["dispensing"] = dispensing
        if template is not None:
            for code in self.ingredient_codes_in_body():
                row = template.ingredient(code)
                assert row is not None
                body["ingredients"].append(
                    {"code": code, "amount": parse_number(self.amounts[code]), "unit": row.unit}
                )
            if template.vehicles and self.vehicle_code:
                body["vehicle"] = {
                    "code": self.vehicle_code,
                    "volume_ml": parse_number(self.volume_ml),
                }
        return body

    def evaluate(self, today: dt.date | None = None) -> Evaluation:
        """Run the pharmacy's own checks (structure, doses, prerequisites) on the form."""
        from pharmacy_domain.engine import evaluate_body

        catalog = TemplateCatalog([self.template] if self.template else [])
        reference = reference_data.active()
        if reference is None:
            return _unknown_evaluation(self.to_body(), catalog, today)
        return evaluate_body(
            self.to_body(), catalog, reference.formulary, reference.rules, today=today
        )

    def validate(self, today: dt.date | None = None) -> list[FieldError]:
        """What stops the order: malformed fields, then the clinical checks that block it.

        An empty list means the server should accept it once every warning is acknowledged.
        """
        return self.check(today).errors

    def check(self, today: dt.date | None = None) -> CheckResult:
        """One evaluation, everything the form shows: errors, warnings, which lack a reason."""
        from pharmacy_domain.engine import unacknowledged

        evaluation = self.evaluate(today)
        server = self.server_check
        from_server = (
            server is not None
            and evaluation.prescription is not None
            and server.content == checked_content(self.to_body())
            and server.differs_from(evaluation)
        )
        if from_server and server is not None:
            evaluation = server.replacing(evaluation)  # the server's answer counts
        errors = list(evaluation.errors)
        if self.template is None:
            errors = [FieldError("template_id", translate("Composer", "Choose a template"))] + [
                e for e in errors if not e.field.startswith("template")
            ]
        # A block at a field that already has its own error (a dose above its limit) is
        # the same problem said twice: the field keeps its error, the panel the block.
        erroring = {error.field for error in errors}
        errors += [
            FieldError(f.field, f.message) for f in evaluation.blocks if f.field not in erroring
        ]
        acknowledgements = [
            Acknowledgement(code, reason, place)
            for (code, place), reason in self.acknowledgements.items()
        ]
        return CheckResult(
            errors=errors,
            warnings=list(evaluation.warnings),
            unacknowledged=unacknowledged(evaluation, acknowledgements),
            evaluation=evaluation,
            from_server=from_server,
        )

    def signable_body(self, today: dt.date | None = None) -> dict[str, Any]:
        """The body exactly as the server will read it (defaults filled in, text trimmed,
        numbers as numbers): what the sign dialog shows is what is hashed and sent.

        Raises ``ValueError`` when the form is not ready (errors or unacknowledged warnings).
        """
        result = self.check(today)
        evaluation = result.evaluation
        if not result.ready_to_sign or evaluation is None or evaluation.prescription is None:
            raise ValueError(translate("Composer", "The prescription is not ready to sign."))
        body = evaluation.prescription.to_wire()
        if self.patient_id:
            body[PATIENT_LINK_FIELD] = self.patient_id
        return body

    # ------------------------------------------------------------- drafts

    def title(self) -> str:
        """What the drafts list shows: the patient, or "Untitled draft" (PHI: never log it)."""
        names = [n.strip() for n in (self.family_name, self.given_name) if n.strip()]
        return ", ".join(names) if names else translate("Composer", "Untitled draft")

    def to_draft(self) -> dict[str, Any]:
        """Everything typed, as typed (text stays text), for the encrypted draft store.

        Holds no token or password: a draft outlives the session.
        """
        template = self.template
        link = {PATIENT_LINK_FIELD: self.patient_id} if self.patient_id else {}
        return link | {
            "format": DRAFT_FORMAT,
            "template_id": template.id if template else None,
            "template_version": template.version if template else None,
            "patient": {
                "given_name": self.given_name,
                "family_name": self.family_name,
                "birth_date": self.birth_date,
                "sex": self.sex,
                "weight_kg": self.weight_kg,
                "height_cm": self.height_cm,
                "allergies": self.allergies,
                "address": self.patient_address,
                "phone": self.patient_phone,
            },
            "dispensing": self.dispensing.to_draft(),
            "amounts": dict(self.amounts),
            "access": self.access,
            "vehicle_code": self.vehicle_code,
            "volume_ml": self.volume_ml,
            "infusion_minutes": self.infusion_minutes,
            "lipid_infusion_hours": self.lipid_infusion_hours,
            "notes": self.notes,
            "labs": [
                {
                    "code": lab.code,
                    "date": lab.date,
                    "value": lab.value,
                    "unit": lab.unit,
                    "interpretation": lab.interpretation,
                }
                for lab in self.labs
            ],
            "acknowledgements": [
                {"code": code, "field": place, "reason": reason}
                for (code, place), reason in self.acknowledgements.items()
            ],
        }

    @classmethod
    def from_draft(
        cls, draft_id: str, payload: Mapping[str, Any], templates: Sequence[Template]
    ) -> ComposerState:
        """Rebuild the form from ``to_draft`` output (or a rejected signed body).

        The draft's template version is used when still known, else the latest of that id.
        """
        state = cls(draft_id=draft_id)
        template_id = payload.get("template_id")
        version = payload.get("template_version")
        candidates = [t for t in templates if t.id == template_id]
        template = next((t for t in candidates if t.version == version), None) or max(
            candidates, key=lambda t: t.version, default=None
        )
        state.select_template(template)
        patient = payload.get("patient") if isinstance(payload.get("patient"), Mapping) else {}
        assert isinstance(patient, Mapping)

        def text(value: Any) -> str:
            if value is None:
                return ""
            if isinstance(value, float | int) and not isinstance(value, bool):
                return format_number(float(value))
            if isinstance(value, list | tuple):
                return ", ".join(str(v) for v in value)
            return str(value)

        state.given_name = text(patient.get("given_name"))
        state.family_name = text(patient.get("family_name"))
        state.birth_date = text(patient.get("birth_date"))
        state.sex = text(patient.get("sex")) or "unknown"
        state.weight_kg = text(patient.get("weight_kg"))
        state.height_cm = text(patient.get("height_cm"))
        state.allergies = text(patient.get("allergies"))
        state.patient_address = text(patient.get("address"))
        state.patient_phone = text(patient.get("phone"))
        state.dispensing = DispensingEntry.from_payload(payload.get("dispensing"))
        link = payload.get(PATIENT_LINK_FIELD)
        state.patient_id = link if isinstance(link, str) else ""
        if "amounts" in payload and isinstance(payload["amounts"], Mapping):
            state.amounts.update({str(k): text(v) for k, v in payload["amounts"].items()})
        elif isinstance(payload.get("ingredients"), list):  # a signed body coming back
            state.amounts = {code: "" for code in state.amounts}
            for line in payload["ingredients"]:
                if isinstance(line, Mapping):
                    state.amounts[str(line.get("code"))] = text(line.get("amount"))
        vehicle = payload.get("vehicle")
        if isinstance(vehicle, Mapping):
            state.vehicle_code = text(vehicle.get("code"))
            state.volume_ml = text(vehicle.get("volume_ml"))
        for name in (
            "access",
            "vehicle_code",
            "volume_ml",
            "infusion_minutes",
            "lipid_infusion_hours",
            "notes",
        ):
            if name in payload and not isinstance(payload[name], Mapping):
                setattr(state, name, text(payload[name]))
        labs = payload.get("labs", patient.get("labs"))
        for lab in labs if isinstance(labs, list) else []:
            if isinstance(lab, Mapping):
                state.labs.append(
                    LabEntry(
                        code=text(lab.get("code")),
                        date=text(lab.get("date")),
                        value=text(lab.get("value")),
                        unit=text(lab.get("unit")),
                        interpretation=text(lab.get("interpretation")),
                    )
                )
        acks = payload.get("acknowledgements")
        for ack in acks if isinstance(acks, list) else []:
            if isinstance(ack, Mapping) and ack.get("code"):
                key = (str(ack["code"]), str(ack.get("field") or ""))
                state.acknowledgements[key] = text(ack.get("reason"))
        return state

    def range_notes(self) -> list[RangeNote]:
        """Amounts outside the template's typical range (the server will ask the pharmacist too)."""
        notes: list[RangeNote] = []
        if self.template is None:
            return notes
        for row in self.template.ingredients:
            value = parse_number(self.amounts.get(row.code, ""))
            if not isinstance(value, float) or value == 0.0:
                continue
            if row.typical_min is not None and value < row.typical_min:
                notes.append(
                    RangeNote(
                        row.code,
                        translate("Composer", "below the usual {typical_range}").format(
                            typical_range=typical_range(row)
                        ),
                    )
                )
            elif row.typical_max is not None and value > row.typical_max:
                notes.append(
                    RangeNote(
                        row.code,
                        translate("Composer", "above the usual {typical_range}").format(
                            typical_range=typical_range(row)
                        ),
                    )
                )
        return notes

    def field_for_error(self, error_field: str) -> str:
        """Where a server or local error belongs in the form.

        ``ingredients[2].amount`` refers to the body's third line, which is an
        ingredient *code* in the form (empty rows are not sent).
        """
        match = _INGREDIENT_FIELD.match(error_field)
        if match:
            codes = self.ingredient_codes_in_body()
            index = int(match.group(1))
            if index < len(codes):
                return f"ingredient:{codes[index]}"
            return "ingredients"
        if error_field.startswith("patient.allergies"):
            return "patient.allergies"
        if error_field.startswith("patient.labs"):
            return "patient.labs"
        if error_field.startswith("acknowledgements"):
            return "acknowledgements"
        return error_field

    def sign_summary_html(self, body: Mapping[str, Any]) -> str:
        """What the sign dialog shows of ``body``: names, computed figures, warnings."""
        from portal_client.core.presentation import sign_summary_html

        template = self.template
        names: dict[str, str] = {}
        if template is not None:
            names.update({row.code: row.name for row in template.ingredients})
            names.update({f"vehicle:{v.code}": v.name for v in template.vehicles})
        result = self.check()
        return sign_summary_html(
            body,
            template_name=template.name if template else "",
            ingredient_names=names,
            computed=result.evaluation.computed if result.evaluation else {},
            nutrition=bool(template and template.is_nutrition),
            warnings=result.warnings,
        )

    # ------------------------------------------------------ edits and errors

    def edit(self, form_field: str, attribute: str, value: str) -> None:
        """A patient, administration or notes field typed into."""
        setattr(self, attribute, value)
        self._touch(form_field)

    def edit_amount(self, code: str, text: str) -> None:
        self.amounts[code] = text
        self._touch(f"ingredient:{code}")
        self.server_errors.pop("ingredients", None)

    def edit_dispensing(self, form_field: str, attribute: str, value: str) -> None:
        """A dispensing field typed into or chosen (``DispensingEntry``'s attribute)."""
        setattr(self.dispensing, attribute, value)
        self._touch(form_field)

    def labs_edited(self) -> None:
        """A lab row's text changed (the rows are ``self.labs``, edited in place)."""
        self._touch("patient.labs")

    def acknowledge(self, key: tuple[str, str], reason: str) -> None:
        """The prescriber's reason to go past the warning ``key`` (code, field)."""
        self.acknowledgements[key] = reason
        self._touch("acknowledgements")

    def _touch(self, place: str) -> None:
        self.touched.add(place)
        self.server_errors.pop(place, None)

    def choose_template(self, template: Template | None, *, by_user: bool = True) -> None:
        """Switch template (``select_template``); its own error waits for the next touch."""
        if by_user:
            self.template_chosen = True
        self.select_template(template)
        self.touched.discard("template_id")

    def choose_vehicle(self, code: str) -> bool:
        """Switch vehicle. Until the user has typed a volume it follows the vehicle's
        default: True when it did, so the view shows the new volume."""
        template = self.template
        option = template.vehicle(code) if template else None
        self.vehicle_code = code
        follows = option is not None and "vehicle.volume_ml" not in self.touched
        if option is not None and follows:
            self.volume_ml = format_number(option.default_volume_ml)
        self.touched.add("vehicle.code")
        return follows

    def resume(self) -> None:
        """A draft was just reopened: it counts as work (worth keeping and asking about)
        once it names a patient or a template; its errors show as the user touches them."""
        self.touched = {"patient.given_name"} if self.title() != "Untitled draft" else set()
        self.template_chosen = self.template is not None

    def show_server_errors(self, field_errors: Sequence[Mapping[str, Any]]) -> None:
        """The server's 422 errors, placed at their fields like local ones."""
        self.server_errors = {}
        for raw in field_errors:
            error = FieldError(str(raw.get("field", "")), str(raw.get("reason", "")))
            place = self.field_for_error(error.field)
            if place == "template_version":
                place = "template_id"
            self.server_errors.setdefault(place, message_for(error))
        self.show_all_errors = True

    def begin_sign(self, today: dt.date | None = None) -> FormReview:
        """A sign attempt: every error shows from now on. Ready when ``review.can_sign``."""
        self.show_all_errors = True
        return self.review(today)

    def is_dirty(self) -> bool:
        """Anything typed or chosen: the draft is worth keeping, discarding it asks first."""
        return bool(self.touched) or self.template_chosen

    @property
    def needs_autosave(self) -> bool:
        """Whether the form holds work the encrypted draft store must keep."""
        return self.is_dirty()

    def review(self, today: dt.date | None = None) -> FormReview:
        """Everything the form shows after an edit: errors (which are visible), the
        clinical blocks, the summary and the footer's words."""
        errors: dict[str, str] = {}
        result = self.check(today)
        for error in result.errors:
            place = self.field_for_error(error.field)
            if place == "template_version":
                place = "template_id"
            errors.setdefault(place, message_for(error))
        for place, message in self.server_errors.items():
            errors.setdefault(place, message)
        missing = len(result.unacknowledged)
        if missing:
            errors.setdefault(
                "acknowledgements",
                "1 warning still needs a reason"
                if missing == 1
                else f"{missing} warnings still need a reason",
            )
        # A clinical block shows at its field at once: signing is disabled because of it.
        blocked_places = {self.field_for_error(b.field) for b in result.blocks}
        visible = {
            place: message
            for place, message in errors.items()
            if self.show_all_errors
            or place in self.touched
            or place in self.server_errors
            or place in blocked_places
        }
        return FormReview(
            result=result,
            errors=errors,
            visible=visible,
            blocked_places=frozenset(blocked_places),
            show_summary=self.show_all_errors,
            range_notes={note.field: note.message for note in self.range_notes()},
            template=self.template,
        )

    def start_over(self) -> None:
        """After a successful submission: a fresh prescription with a fresh key."""
        template = self.template
        fresh = ComposerState()
        self.__dict__.update(fresh.__dict__)
        self.select_template(template)


def composer_titles(*, signing: bool) -> tuple[str, str]:
    """The page title for a new prescription and for a reopened draft.

    Clinic staff prepare for someone else's signature: the title says so.
    """
    new = (
        translate("Composer", "New prescription")
        if signing
        else translate("Composer", "Prepare a prescription for signature")
    )
    return new, translate("Composer", "Draft") if signing else new


SAVE_STATE_EDITING = QT_TRANSLATE_NOOP("Composer", "Editing…")


def save_state_saved(*, persistent: bool) -> str:
    """The header's word once the draft is written (memory only without a keyring)."""
    if not persistent:
        return translate("Composer", "Draft kept for this session only (no system keyring)")
    return translate("Composer", "Draft saved")


def save_state_failed(error: Exception) -> str:
    return translate("Composer", "Not saved yet: {error}").format(error=error)
