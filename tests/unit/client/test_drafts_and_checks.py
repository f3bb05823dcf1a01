"""Composer drafts round-trip as typed; the checks panel's figures and groups; the sign summary."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.presentation import (
    block_reason,
    computed_rows,
    group_findings,
    prescription_html,
    sign_summary_html,
)
from portal_client.core.wire import FindingWire
from tests.helpers.wire_samples import prescription

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def templates() -> list[Template]:
    return load_template_catalog().latest()


def filled(templates: list[Template], template_id: str = "myers-infusion") -> ComposerState:
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == template_id))
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex, state.weight_kg = "1980-02-03", "female", "61,5"
    state.allergies = "latex"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    # Dexpanthenol's and B-complex's labels were never read: the latex allergy cannot be
    # ruled out for them, a warning that needs a reason (one for every product).
    state.acknowledgements[("allergy.excipients_unknown", "")] = "Latex-free vials and sets."
    return state


def test_a_draft_comes_back_exactly_as_typed(templates: list[Template]) -> None:
    state = filled(templates)
    state.weight_kg = "sixty"  # half-typed text survives, it is not "corrected"
    state.amounts[next(iter(state.amounts))] = "7,5"
    state.acknowledgements[("dose.outside_typical_range", "ingredients[0].amount")] = "Deficient"
    payload = state.to_draft()
    assert "token" not in repr(payload).lower()
    again = ComposerState.from_draft(state.draft_id, payload, templates)
    assert again.to_draft() == payload
    assert again.draft_id == state.draft_id and again.title() == "Lovelace, Ada"


def test_a_signed_body_reopens_as_a_draft(templates: list[Template]) -> None:
    state = filled(templates)
    body = state.signable_body(TODAY)
    again = ComposerState.from_draft("d1", body, templates)
    assert again.signable_body(TODAY) == body
    assert again.weight_kg == "61.5" and again.labs[0].code == "g6pd"


def test_the_signed_body_is_what_the_server_will_hash(templates: list[Template]) -> None:
    body = filled(templates).signable_body(TODAY)
    assert body["patient"]["weight_kg"] == 61.5  # normalised: numbers are numbers
    with_token = {**body, "signing_token": "t"}
    assert signing_sha256(with_token) == signing_sha256(body)


def test_an_unready_form_cannot_be_signed(templates: list[Template]) -> None:
    state = filled(templates)
    state.labs = []  # vitamin C gate: G6PD and renal function block
    with pytest.raises(ValueError, match="not ready"):
        state.signable_body(TODAY)
    result = state.check(TODAY)
    assert result.blocks and not result.ready_to_sign
    assert block_reason(result.blocks).startswith("Cannot be signed: G6PD")


def test_computed_rows_mark_the_osmolarity_estimate_and_nutrition_figures() -> None:
    computed = {"total_volume_ml": 1591.77, "osmolarity_mosm_l": 1544.47, "gir_mg_kg_min": 2.48}
    rows = {row.key: row for row in computed_rows(computed, nutrition=True)}
    assert rows["osmolarity_mosm_l"].text == "1,544 mOsm/L"
    assert rows["osmolarity_mosm_l"].note == "estimate"
    assert rows["gir_mg_kg_min"].text == "2.48 mg/kg/min"
    assert rows["infusion_rate_ml_h"].text == "—"  # not computable yet
    assert "gir_mg_kg_min" not in {r.key for r in computed_rows(computed, nutrition=False)}


def test_findings_are_grouped_block_warn_info() -> None:
    findings = [
        FindingWire("x.y", severity, "Message", "field", "source", False, "rule")
        for severity in ("info", "block", "warn")
    ]
    assert list(group_findings(findings)) == ["block", "warn", "info"]


def test_detail_and_sign_summary_show_checks_acks_labs_and_escape(
    templates: list[Template],
) -> None:
    state = filled(templates)
    state.family_name = "<b>Evil</b>"
    body = state.signable_body(TODAY)
    evaluation = state.check(TODAY).evaluation
    assert evaluation is not None
    stored = prescription(
        **body
        | {
            "reference": "RX-1",
            "evaluation": {"computed": evaluation.computed, "findings": []},
            "acknowledgements": [{"code": "x.y", "reason": "Because"}],
            "signature": {
                "signed_by": {"id": "u-pr", "display_name": "Dr. C"},
                "signed_at": "2026-11-02T10:00:00Z",
                "body_sha256": None,
                "method": None,
            },
        }
    )
    html = prescription_html(stored, {})
    assert "&lt;B&gt;EVIL&lt;/B&gt;" in html and "<B>EVIL" not in html
    for text in ("CLINICAL CHECKS", "mOsm/L", "Because", "g6pd", "SIGNATURE", "Dr. C"):
        assert text in html
    summary = sign_summary_html(
        body,
        template_name="Myers",
        ingredient_names={},
        computed=evaluation.computed,
        nutrition=False,
    )
    assert "Lovelace" not in summary and "EVIL" in summary and "Infusion rate" in summary
