"""The composer's decisions without Qt: which errors show, the footer's words, edits →
the order body, when the draft needs saving."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import (
    ComposerState,
    LabEntry,
    composer_titles,
    save_state_saved,
)

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def catalog() -> dict[str, Template]:
    return {t.id: t for t in load_template_catalog().latest()}


@pytest.fixture
def myers(catalog: dict[str, Template]) -> ComposerState:
    state = ComposerState()
    state.choose_template(catalog["myers-infusion"])
    return state


def type_patient(state: ComposerState, *, labs: bool = True) -> None:
    for place, attribute, value in (
        ("patient.given_name", "given_name", "Ada"),
        ("patient.family_name", "family_name", "Lovelace"),
        ("patient.birth_date", "birth_date", "1980-02-03"),
        ("patient.sex", "sex", "female"),
        ("patient.weight_kg", "weight_kg", "61"),
    ):
        state.edit(place, attribute, value)
    if not labs:
        return
    state.labs += [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    state.labs_edited()


def test_an_error_shows_once_its_field_is_touched_and_all_show_after_a_sign_attempt(
    myers: ComposerState,
) -> None:
    review = myers.review(TODAY)
    assert review.errors["patient.birth_date"] == "Required"
    assert review.shown("patient.birth_date") == ""  # untouched: not yet
    assert review.visible == {} and review.summary_html() == ""
    myers.edit("patient.weight_kg", "weight_kg", "sixty")
    review = myers.review(TODAY)
    assert review.shown("patient.weight_kg") == "Must be a number"
    assert review.shown("patient.birth_date") == ""
    review = myers.begin_sign(TODAY)
    assert not review.can_sign
    assert review.shown("patient.birth_date") == "Required"
    assert review.visible == review.errors
    summary = review.summary_html()
    assert f"{len(review.errors)} things to fix" in summary
    assert "<li>Weight: Must be a number</li>" in summary


def test_a_clinical_block_shows_at_its_field_untouched(catalog: dict[str, Template]) -> None:
    state = ComposerState()
    state.choose_template(catalog["vitamin-c-high-dose"])
    type_patient(state, labs=False)  # G6PD and renal function missing: blocked
    state.touched.clear()
    review = state.review(TODAY)
    assert review.blocks
    assert "patient.labs" in review.blocked_places
    assert review.shown("patient.labs")  # no lab row touched, and shown already
    assert review.errors["patient.labs"] == review.shown("patient.labs")


def test_a_server_error_shows_until_its_field_is_edited(myers: ComposerState) -> None:
    type_patient(myers)
    myers.show_server_errors(
        [
            {"field": "patient.weight_kg", "reason": "is implausible for an adult"},
            {"field": "template_version", "reason": "is no longer published"},
        ]
    )
    review = myers.review(TODAY)
    assert review.shown("patient.weight_kg") == "Is implausible for an adult"
    assert review.shown("template_id") == "Is no longer published"
    assert myers.show_all_errors
    myers.edit("patient.weight_kg", "weight_kg", "62")
    review = myers.review(TODAY)
    assert review.shown("patient.weight_kg") == ""
    assert review.shown("template_id") == "Is no longer published"


def test_editing_an_amount_clears_the_servers_ingredient_errors(myers: ComposerState) -> None:
    code = myers.ingredient_codes_in_body()[0]
    myers.show_server_errors([{"field": "ingredients[0].amount", "reason": "is too high"}])
    myers.server_errors["ingredients"] = "At least one ingredient"
    assert myers.review(TODAY).shown(f"ingredient:{code}") == "Is too high"
    myers.edit_amount(code, "999")
    review = myers.review(TODAY)
    assert "ingredients" not in myers.server_errors
    kind, message = review.ingredient_check(code)
    assert kind == "error" and message != "Is too high"
    assert myers.to_body()["ingredients"][0] == {
        "code": code,
        "amount": 999.0,
        "unit": myers.template.ingredient(code).unit,  # type: ignore[union-attr]
    }


def test_an_unusual_amount_is_a_note_not_an_error(myers: ComposerState) -> None:
    template = myers.template
    assert template is not None
    row = next(r for r in template.ingredients if r.typical_max is not None)
    assert row.max_amount is not None and row.typical_max is not None
    myers.edit_amount(row.code, f"{(row.typical_max + row.max_amount) / 2:g}")
    kind, message = myers.review(TODAY).ingredient_check(row.code)
    assert kind == "note" and message.startswith("Note: above the usual")


def test_the_footer_says_what_stands_between_the_form_and_a_signature(
    myers: ComposerState, catalog: dict[str, Template]
) -> None:
    review = myers.review(TODAY)
    count = len(review.errors)
    assert review.footer_text(signing=True) == f"{count} to complete before signing"
    assert review.footer_text(signing=False) == f"{count} left to complete before signing"
    assert "Ctrl+Enter" in review.sign_tooltip()
    type_patient(myers)
    review = myers.review(TODAY)
    assert review.errors == {} and review.can_sign
    assert review.footer_text(signing=True) == "Ready to sign"
    assert review.footer_text(signing=False) == "Complete: ready for the prescriber to sign"
    assert review.sign_enabled(signing=True, busy=False)
    assert not review.sign_enabled(signing=True, busy=True)
    assert not review.sign_enabled(signing=False, busy=False)
    blocked = ComposerState()
    blocked.choose_template(catalog["vitamin-c-high-dose"])
    type_patient(blocked, labs=False)
    review = blocked.review(TODAY)
    count = len(review.blocks)
    assert count >= 1
    assert review.footer_text(signing=True) == (
        "Cannot be signed: a clinical block (see Clinical checks)"
        if count == 1
        else f"Cannot be signed: {count} clinical blocks (see Clinical checks)"
    )
    assert review.footer_text(signing=False) == "Has a clinical block the prescriber must resolve"
    assert review.sign_tooltip().startswith("Cannot be signed: ")
    assert not review.sign_enabled(signing=True, busy=False)


def test_a_missing_reason_is_counted_apart_from_the_form_errors(
    catalog: dict[str, Template],
) -> None:
    state = ComposerState()
    state.choose_template(catalog["myers-push"])
    type_patient(state)
    review = state.review(TODAY)
    missing = len(review.result.unacknowledged)
    assert missing
    assert review.errors["acknowledgements"].endswith(
        "warning still needs a reason" if missing == 1 else "warnings still need a reason"
    )
    assert review.form_error_count == 0
    for warning in review.result.unacknowledged:
        state.acknowledge((warning.code, warning.field), "Slow push, monitored.")
    review = state.review(TODAY)
    assert "acknowledgements" not in review.errors and review.can_sign
    assert "acknowledgements" in state.touched


def test_a_new_vehicle_brings_its_volume_until_the_user_types_one(
    myers: ComposerState,
) -> None:
    template = myers.template
    assert template is not None
    other = template.vehicles[1]
    myers.volume_ml = "999"
    assert myers.choose_vehicle(other.code) is True
    assert myers.volume_ml == f"{other.default_volume_ml:g}"
    myers.edit("vehicle.volume_ml", "volume_ml", "300")
    assert myers.choose_vehicle(template.vehicles[0].code) is False
    assert myers.volume_ml == "300"
    assert myers.to_body()["vehicle"] == {"code": template.vehicles[0].code, "volume_ml": 300.0}


def test_the_first_error_follows_the_forms_order(myers: ComposerState) -> None:
    review = myers.begin_sign(TODAY)
    order = ["template_id", "patient.given_name", "patient.family_name", "patient.weight_kg"]
    assert review.first_error(order) == "patient.given_name"
    assert review.first_error(["template_id"]) is None


def test_autosave_is_needed_once_anything_is_typed_or_chosen(
    catalog: dict[str, Template],
) -> None:
    state = ComposerState()
    state.choose_template(None, by_user=False)
    assert (state.needs_autosave, state.is_dirty()) == (False, False)
    state.choose_template(catalog["myers-infusion"])
    assert state.needs_autosave  # a chosen template alone is worth keeping
    typed = ComposerState()
    typed.edit("notes", "notes", "Call before delivery")
    assert typed.needs_autosave and typed.to_draft()["notes"] == "Call before delivery"


def test_a_reopened_draft_is_work_once_it_names_a_patient_or_template(
    myers: ComposerState, catalog: dict[str, Template]
) -> None:
    type_patient(myers)
    reopened = ComposerState.from_draft("d1", myers.to_draft(), list(catalog.values()))
    assert not reopened.is_dirty()
    reopened.resume()
    assert reopened.is_dirty() and reopened.touched == {"patient.given_name"}
    assert reopened.review(TODAY).visible == {}  # nothing to fix, nothing shown
    untitled = ComposerState.from_draft("d2", ComposerState().to_draft(), [])
    untitled.resume()
    assert not untitled.is_dirty()


def test_the_form_state_is_not_part_of_the_order(myers: ComposerState) -> None:
    copy = ComposerState(**{**myers.__dict__, "touched": {"notes"}, "show_all_errors": True})
    assert copy == myers
    assert "touched" not in repr(myers)
    myers.begin_sign()
    myers.start_over()
    assert not myers.show_all_errors and not myers.touched


def test_titles_and_save_words() -> None:
    assert composer_titles(signing=True) == ("New prescription", "Draft")
    staff = "Prepare a prescription for signature"
    assert composer_titles(signing=False) == (staff, staff)
    assert save_state_saved(persistent=True) == "Draft saved"
    assert "session only" in save_state_saved(persistent=False)
