"""The separate lipid's infusion time in the composer: its default, the body, the draft,
and a check that lands on its own field."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.templates import Template, load_template_catalog
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.presentation import computed_rows, prescription_html
from tests.helpers.wire_samples import prescription

TODAY = dt.date(2026, 11, 26)


@pytest.fixture(scope="module")
def templates() -> dict[str, Template]:
    return {t.id: t for t in load_template_catalog().latest()}


def home_pn(template: Template) -> ComposerState:
    state = ComposerState()
    state.select_template(template)
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex = "1980-02-03", "female"
    state.weight_kg, state.height_cm = "70", "170"
    state.labs = [LabEntry("glucose", "2026-11-24", "100", "mg/dL")]
    return state


def test_the_template_default_goes_into_the_body(templates: dict[str, Template]) -> None:
    state = home_pn(templates["hpn-cycled"])
    assert state.lipid_infusion_hours == "12"
    assert state.to_body()["lipid_infusion_hours"] == 12.0
    myers = ComposerState()
    myers.select_template(templates["myers-infusion"])
    assert myers.lipid_infusion_hours == ""
    assert "lipid_infusion_hours" not in myers.to_body()


def test_a_too_fast_lipid_blocks_at_the_lipid_field(templates: dict[str, Template]) -> None:
    """0.8 g/kg/day over 6 h = 0.133 g/kg/h, past the 0.125 block."""
    state = home_pn(templates["hpn-cycled"])
    state.edit("lipid_infusion_hours", "lipid_infusion_hours", "6")
    review = state.review(today=TODAY)
    assert "lipid_infusion_hours" in review.blocked_places
    assert any(f.code == "lipid.infusion_rate" for f in review.result.blocks)
    state.edit("lipid_infusion_hours", "lipid_infusion_hours", "30")  # past the template's 24 h
    assert "lipid_infusion_hours" in state.review(today=TODAY).errors


def test_the_lipid_time_survives_a_draft(templates: dict[str, Template]) -> None:
    state = home_pn(templates["hpn-cycled"])
    state.edit("lipid_infusion_hours", "lipid_infusion_hours", "10")
    again = ComposerState.from_draft(state.draft_id, state.to_draft(), list(templates.values()))
    assert again.lipid_infusion_hours == "10"
    signed_back = ComposerState.from_draft("x", state.to_body(), list(templates.values()))
    assert signed_back.lipid_infusion_hours == "10"


def test_the_new_figures_show_only_where_they_apply(templates: dict[str, Template]) -> None:
    hpn = home_pn(templates["hpn-cycled"]).evaluate(today=TODAY)
    labels = {row.label: row.text for row in computed_rows(hpn.computed, nutrition=True)}
    assert labels["Lipid infusion rate"] == "0.07 g/kg/h"  # 56 g / 70 kg / 12 h = 0.067
    assert labels["Glucose infusion rate at the plateau"] == "4.33 mg/kg/min"  # 200 g, 660 min
    myers = ComposerState()
    myers.select_template(templates["myers-infusion"])
    shown = {
        row.label for row in computed_rows(myers.evaluate(today=TODAY).computed, nutrition=False)
    }
    assert "Lipid infusion rate" not in shown and "Potassium" not in shown


def test_the_pharmacist_sees_the_lipid_time_and_its_body_keeps_it() -> None:
    with_lipid = prescription(template_id="hpn-cycled", lipid_infusion_hours=10)
    assert "Lipid infusion time" in prescription_html(with_lipid, {})
    assert with_lipid.body()["lipid_infusion_hours"] == 10
    without = prescription()  # an older row, or no separate lipid: the field is absent
    assert without.lipid_infusion_hours is None
    assert "Lipid infusion time" not in prescription_html(without, {})
    assert "lipid_infusion_hours" not in without.body()
