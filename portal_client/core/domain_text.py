"""The shared domain's words (``pharmacy_domain/status.py``) in the interface language.

The domain is pure and shared with the server, so its labels are English data; they are
marked here for the catalogues (a test holds this list equal to the domain's) and
translated where the client shows them.
"""

from __future__ import annotations

from pharmacy_domain.status import STORAGE_CONDITIONS, Action, status_label
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

#: Every status label and action word of ``pharmacy_domain.status``, for lupdate.
MARKED = (
    QT_TRANSLATE_NOOP("Status", "Submitted — awaiting pharmacist review"),
    QT_TRANSLATE_NOOP("Status", "Pharmacist asked a question"),
    QT_TRANSLATE_NOOP("Status", "Approved"),
    QT_TRANSLATE_NOOP("Status", "Being compounded"),
    QT_TRANSLATE_NOOP("Status", "Ready to ship"),
    QT_TRANSLATE_NOOP("Status", "Shipped"),
    QT_TRANSLATE_NOOP("Status", "Rejected"),
    QT_TRANSLATE_NOOP("Status", "Cancelled by the prescriber"),
    QT_TRANSLATE_NOOP("Action", "Approve"),
    QT_TRANSLATE_NOOP("Action", "approved"),
    QT_TRANSLATE_NOOP("Action", "Note for the prescriber"),
    QT_TRANSLATE_NOOP("Action", "Reject…"),
    QT_TRANSLATE_NOOP("Action", "rejected"),
    QT_TRANSLATE_NOOP("Action", "Reason the prescriber can act on"),
    QT_TRANSLATE_NOOP("Action", "Ask the prescriber…"),
    QT_TRANSLATE_NOOP("Action", "asked for clarification"),
    QT_TRANSLATE_NOOP("Action", "Question for the prescriber"),
    QT_TRANSLATE_NOOP("Action", "Answer the pharmacist…"),
    QT_TRANSLATE_NOOP("Action", "answered"),
    QT_TRANSLATE_NOOP("Action", "Answer for the pharmacist"),
    QT_TRANSLATE_NOOP("Action", "Cancel prescription…"),
    QT_TRANSLATE_NOOP("Action", "cancelled"),
    QT_TRANSLATE_NOOP("Action", "Reason for cancelling"),
    QT_TRANSLATE_NOOP("Action", "Start compounding"),
    QT_TRANSLATE_NOOP("Action", "started compounding"),
    QT_TRANSLATE_NOOP("Action", "Note (lot, beyond-use date…)"),
    QT_TRANSLATE_NOOP("Action", "Mark ready"),
    QT_TRANSLATE_NOOP("Action", "marked ready"),
    QT_TRANSLATE_NOOP("Action", "Note"),
    QT_TRANSLATE_NOOP("Action", "Mark shipped…"),
    QT_TRANSLATE_NOOP("Action", "shipped"),
    QT_TRANSLATE_NOOP("Action", "Courier and tracking number"),
)


#: Each storage condition of ``pharmacy_domain.status.STORAGE_CONDITIONS``, for lupdate.
STORAGE_WORDS = {
    "refrigerated": QT_TRANSLATE_NOOP("Storage", "Refrigerated, 2–8 °C"),
    "room_temperature": QT_TRANSLATE_NOOP("Storage", "Room temperature, 20–25 °C"),
    "frozen": QT_TRANSLATE_NOOP("Storage", "Frozen, −25 to −10 °C"),
}


def storage_text(code: str) -> str:
    """How a bag is kept, translated ("" for a code the domain does not know)."""
    return translate("Storage", STORAGE_CONDITIONS[code]) if code in STORAGE_CONDITIONS else ""


#: How each role reads in a sentence or a title ("Dr Chen (prescriber)").
ROLE_WORDS = {
    "prescriber": QT_TRANSLATE_NOOP("Role", "prescriber"),
    "clinic_staff": QT_TRANSLATE_NOOP("Role", "clinic staff"),
    "pharmacist": QT_TRANSLATE_NOOP("Role", "pharmacist"),
    "admin": QT_TRANSLATE_NOOP("Role", "administrator"),
}


def role_text(role: str) -> str:
    """The role in words ("clinic staff"); an unknown role as the server named it."""
    words = ROLE_WORDS.get(role)
    return translate("Role", words) if words else role


def status_text(status: str) -> str:
    """The status in full words ("Pharmacist asked a question"), translated."""
    return translate("Status", status_label(status))


def action_label(action: Action) -> str:
    """The button: "Approve", "Ask the prescriber…"."""
    return translate("Action", action.label)


def action_past(action: Action) -> str:
    """The history line: "asked for clarification"."""
    return translate("Action", action.past)


def action_note_label(action: Action) -> str:
    """What the note is: "Reason", "Question for the prescriber"."""
    return translate("Action", action.note_label)


#: Each template category of ``resources/templates`` as a heading (a test holds it equal).
CATEGORY_WORDS = {
    "hydration": QT_TRANSLATE_NOOP("Category", "Hydration"),
    "mineral-infusion": QT_TRANSLATE_NOOP("Category", "Mineral infusion"),
    "parenteral-nutrition": QT_TRANSLATE_NOOP("Category", "Parenteral nutrition"),
    "vitamin-infusion": QT_TRANSLATE_NOOP("Category", "Vitamin infusion"),
    "vitamin-push": QT_TRANSLATE_NOOP("Category", "Vitamin push"),
}


def category_text(category: str) -> str:
    """A template category as a heading; one the client does not know yet, from its id."""
    words = CATEGORY_WORDS.get(category)
    if words:
        return translate("Category", words)
    return category.replace("-", " ").replace("_", " ").capitalize()


#: Each interpretation of ``pharmacy_domain.prescription.LAB_INTERPRETATIONS`` in words.
INTERPRETATION_WORDS = {
    "normal": QT_TRANSLATE_NOOP("Interpretation", "normal"),
    "abnormal": QT_TRANSLATE_NOOP("Interpretation", "abnormal"),
    "low": QT_TRANSLATE_NOOP("Interpretation", "low"),
    "high": QT_TRANSLATE_NOOP("Interpretation", "high"),
    "critical": QT_TRANSLATE_NOOP("Interpretation", "critical"),
    "deficient": QT_TRANSLATE_NOOP("Interpretation", "deficient"),
    "intermediate": QT_TRANSLATE_NOOP("Interpretation", "intermediate"),
    "indeterminate": QT_TRANSLATE_NOOP("Interpretation", "indeterminate"),
    "positive": QT_TRANSLATE_NOOP("Interpretation", "positive"),
    "negative": QT_TRANSLATE_NOOP("Interpretation", "negative"),
    "present": QT_TRANSLATE_NOOP("Interpretation", "present"),
    "absent": QT_TRANSLATE_NOOP("Interpretation", "absent"),
}


def interpretation_text(interpretation: str) -> str:
    """A lab's interpretation in words; the stored value stays the domain's English code."""
    words = INTERPRETATION_WORDS.get(interpretation)
    return translate("Interpretation", words) if words else interpretation


#: Each lab's name in ``resources/labs.json`` (a test holds it equal to the list).
LAB_WORDS = {
    "g6pd": QT_TRANSLATE_NOOP("Lab", "G6PD"),
    "creatinine": QT_TRANSLATE_NOOP("Lab", "Creatinine"),
    "egfr": QT_TRANSLATE_NOOP("Lab", "eGFR"),
    "bun": QT_TRANSLATE_NOOP("Lab", "BUN"),
    "glucose": QT_TRANSLATE_NOOP("Lab", "Blood glucose"),
    "triglycerides": QT_TRANSLATE_NOOP("Lab", "Triglycerides"),
    "sodium": QT_TRANSLATE_NOOP("Lab", "Sodium"),
    "potassium": QT_TRANSLATE_NOOP("Lab", "Potassium"),
    "magnesium": QT_TRANSLATE_NOOP("Lab", "Magnesium"),
    "phosphate": QT_TRANSLATE_NOOP("Lab", "Phosphate"),
    "calcium": QT_TRANSLATE_NOOP("Lab", "Calcium"),
    "albumin": QT_TRANSLATE_NOOP("Lab", "Albumin"),
    "alt": QT_TRANSLATE_NOOP("Lab", "ALT"),
    "ast": QT_TRANSLATE_NOOP("Lab", "AST"),
    "hemoglobin": QT_TRANSLATE_NOOP("Lab", "Hemoglobin"),
    "oxalate_stones": QT_TRANSLATE_NOOP("Lab", "History of oxalate kidney stones"),
    "sodium_restriction": QT_TRANSLATE_NOOP("Lab", "On a sodium restriction"),
}


def lab_text(code: str) -> str:
    """A lab's name, translated; a code the list does not know, as the domain shows it."""
    from pharmacy_domain.patient_records import lab_display_name

    words = LAB_WORDS.get(code)
    return translate("Lab", words) if words else lab_display_name(code)
