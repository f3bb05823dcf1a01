"""What the composer's form says about itself at one moment: the checks' result, each
field's error or note, the labels and ranges its rows show, and the words beside the
Sign button. Plain data, read by the Qt composer; ``ComposerState.review`` makes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pharmacy_domain.numbers import format_amount
from pharmacy_domain.prescription import FieldError
from pharmacy_domain.templates import Template, TemplateIngredient
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

if TYPE_CHECKING:
    from pharmacy_domain.engine import Evaluation, Finding


@dataclass(frozen=True)
class CheckResult:
    errors: list[FieldError]
    warnings: list[Finding]
    unacknowledged: list[Finding]
    #: The whole evaluation (computed values, every finding) the checks panel shows.
    evaluation: Evaluation | None = None
    #: The findings are the pharmacy server's, which differ from the local check's.
    from_server: bool = False

    @property
    def blocks(self) -> list[Finding]:
        return [] if self.evaluation is None else list(self.evaluation.blocks)

    @property
    def ready_to_sign(self) -> bool:
        return not self.errors and not self.unacknowledged


@dataclass(frozen=True)
class FormReview:
    """One look at the form (``ComposerState.review``): what each view shows."""

    result: CheckResult
    #: Every error by form place (``patient.weight_kg``, ``ingredient:<code>``…).
    errors: dict[str, str]
    #: The errors shown now: touched fields, the server's, blocks, all after a sign attempt.
    visible: dict[str, str]
    blocked_places: frozenset[str]
    show_summary: bool
    #: Amounts outside the usual range, by ingredient code.
    range_notes: dict[str, str]
    template: Template | None

    @property
    def blocks(self) -> list[Finding]:
        return self.result.blocks

    def shown(self, place: str) -> str:
        """The error to show at ``place`` now ("" for none)."""
        return self.visible.get(place, "")

    def ingredient_check(self, code: str) -> tuple[str, str]:
        """The line under an ingredient: ("error", why), ("note", range) or ("", "")."""
        message = self.shown(f"ingredient:{code}")
        if message:
            return "error", message
        if code in self.range_notes:
            return "note", translate("Composer", "Note: {note}").format(note=self.range_notes[code])
        return "", ""

    @property
    def form_error_count(self) -> int:
        """Errors that are not clinical (blocks and missing reasons are counted apart)."""
        clinical = {"acknowledgements", *self.blocked_places}
        return len([place for place in self.errors if place not in clinical])

    @property
    def can_sign(self) -> bool:
        return not self.errors and not self.blocks

    def first_error(self, places: Sequence[str]) -> str | None:
        """The first of ``places`` (in the form's order) that has an error."""
        return next((place for place in places if place in self.errors), None)

    def summary_html(self) -> str:
        """The list at the top of the form after a sign attempt ("" for none)."""
        errors = self.errors
        if not errors or not self.show_summary:
            return ""
        items = "".join(
            f"<li>{field_label(place, self.template)}: {message}</li>"
            for place, message in errors.items()
        )
        count = len(errors)
        heading = (
            translate("Composer", "1 thing to fix before this can be signed")
            if count == 1
            else translate("Composer", "{count} things to fix before this can be signed").format(
                count=count
            )
        )
        return f"<b>{heading}</b><ul style='margin:2px 0 0 -20px'>{items}</ul>"

    def footer_text(self, *, signing: bool) -> str:
        """Beside the Sign button: what stands between the form and a signature."""
        errors, blocks = self.errors, self.blocks
        if not signing:
            # Staff may save an unfinished draft; they see what the prescriber will see.
            if blocks:
                return translate("Composer", "Has a clinical block the prescriber must resolve")
            if errors:
                return translate("Composer", "{count} left to complete before signing").format(
                    count=len(errors)
                )
            return translate("Composer", "Complete: ready for the prescriber to sign")
        if blocks:
            count = len(blocks)
            return (
                translate("Composer", "Cannot be signed: a clinical block (see Clinical checks)")
                if count == 1
                else translate(
                    "Composer", "Cannot be signed: {count} clinical blocks (see Clinical checks)"
                ).format(count=count)
            )
        if errors:
            return translate("Composer", "{count} to complete before signing").format(
                count=len(errors)
            )
        return translate("Composer", "Ready to sign")

    def sign_tooltip(self) -> str:
        from portal_client.core.presentation import block_reason

        return block_reason(self.blocks) or translate(
            "Composer", "Check, sign with your password and send (Ctrl+Enter)"
        )

    def sign_enabled(self, *, signing: bool, busy: bool) -> bool:
        return signing and not self.blocks and not busy


def allowed_range(row: TemplateIngredient) -> str:
    """What can be signed: up to the hard limit, above which the checks block. The entry
    range beyond it only catches typing slips, so showing it ("0–10 mL" for magnesium
    blocked above 5 mL) told the prescriber a dose was allowed that never is."""
    top = min(row.block_above, row.max_amount)
    return f"{format_amount(row.min_amount)}–{format_amount(top)} {row.unit}"


def typical_range(row: TemplateIngredient) -> str:
    if row.typical_min is None and row.typical_max is None:
        return ""
    low = format_amount(row.typical_min) if row.typical_min is not None else "…"
    high = format_amount(row.typical_max) if row.typical_max is not None else "…"
    return f"{low}–{high} {row.unit}"


FIELD_LABELS = {
    "template_id": QT_TRANSLATE_NOOP("Composer", "Template"),
    "template_version": QT_TRANSLATE_NOOP("Composer", "Template"),
    "patient": QT_TRANSLATE_NOOP("Composer", "Patient"),
    "patient.given_name": QT_TRANSLATE_NOOP("Composer", "Given name"),
    "patient.family_name": QT_TRANSLATE_NOOP("Composer", "Family name"),
    "patient.birth_date": QT_TRANSLATE_NOOP("Composer", "Date of birth"),
    "patient.sex": QT_TRANSLATE_NOOP("Composer", "Sex"),
    "patient.weight_kg": QT_TRANSLATE_NOOP("Composer", "Weight"),
    "patient.height_cm": QT_TRANSLATE_NOOP("Composer", "Height"),
    "patient.allergies": QT_TRANSLATE_NOOP("Composer", "Allergies"),
    "patient.labs": QT_TRANSLATE_NOOP("Composer", "Lab results"),
    "acknowledgements": QT_TRANSLATE_NOOP("Composer", "Warnings"),
    "ingredients": QT_TRANSLATE_NOOP("Composer", "Ingredients"),
    "access": QT_TRANSLATE_NOOP("Composer", "Access route"),
    "vehicle": QT_TRANSLATE_NOOP("Composer", "Vehicle"),
    "vehicle.code": QT_TRANSLATE_NOOP("Composer", "Vehicle"),
    "vehicle.volume_ml": QT_TRANSLATE_NOOP("Composer", "Volume"),
    "infusion_minutes": QT_TRANSLATE_NOOP("Composer", "Infusion time"),
    "lipid_infusion_hours": QT_TRANSLATE_NOOP("Composer", "Lipid infusion time"),
    "notes": QT_TRANSLATE_NOOP("Composer", "Notes"),
}


def field_label(form_field: str, template: Template | None) -> str:
    if form_field.startswith("ingredient:") and template is not None:
        row = template.ingredient(form_field.split(":", 1)[1])
        return row.name if row else translate("Composer", "Ingredient")
    label = FIELD_LABELS.get(form_field)
    return translate("Composer", label) if label else form_field


def message_for(error: FieldError) -> str:
    """The reason as a sentence: ``is required`` → ``Required``."""
    reason = error.reason.strip()
    if reason == "is required":
        return translate("Composer", "Required")
    return reason[:1].upper() + reason[1:]
