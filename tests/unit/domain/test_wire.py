"""The new wire fields: labs, acknowledgements, access for nutrition bags, and the
evaluation's wire form."""

from __future__ import annotations

import pytest

from pharmacy_domain.engine import evaluate_body, unacknowledged
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import Acknowledgement, InvalidPrescription, parse_prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog
from tests.unit.domain.conftest import TODAY, Builder, Checker, adult


def test_labs_and_acknowledgements_round_trip(order: Builder, catalog: TemplateCatalog) -> None:
    body = order(
        "myers-infusion",
        acknowledgements=[{"code": "dose.outside_typical_range", "reason": "titrating"}],
    )
    prescription = parse_prescription(body, catalog, today=TODAY)
    wire = prescription.to_wire()
    assert wire["patient"]["labs"][0] == {
        "code": "g6pd",
        "value": None,
        "unit": "",
        "interpretation": "normal",
        "date": "2026-11-20",
    }
    assert wire["acknowledgements"] == [
        {"code": "dose.outside_typical_range", "reason": "titrating"}
    ]
    assert parse_prescription(wire, catalog, today=TODAY) == prescription


@pytest.mark.parametrize(
    ("lab", "field"),
    [
        (
            {"code": "g6pd", "interpretation": "normal", "date": "2027-01-01"},
            "patient.labs[0].date",
        ),
        (
            {"code": "g6pd", "interpretation": "fine", "date": "2026-01-01"},
            "patient.labs[0].interpretation",
        ),
        (
            {"code": "G 6 PD!", "interpretation": "normal", "date": "2026-01-01"},
            "patient.labs[0].code",
        ),
        ({"code": "g6pd", "date": "2026-01-01"}, "patient.labs[0]"),
        ({"code": "glucose", "value": "high", "date": "2026-01-01"}, "patient.labs[0].value"),
    ],
)
def test_malformed_labs_name_their_field(
    order: Builder, catalog: TemplateCatalog, lab: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidPrescription) as raised:
        parse_prescription(order("myers-infusion", patient=adult(labs=[lab])), catalog, today=TODAY)
    assert field in [e.field for e in raised.value.errors]


def test_acknowledgement_needs_a_reason(order: Builder, catalog: TemplateCatalog) -> None:
    with pytest.raises(InvalidPrescription) as raised:
        parse_prescription(
            order("myers-infusion", acknowledgements=[{"code": "x"}]), catalog, today=TODAY
        )
    assert [e.field for e in raised.value.errors] == ["acknowledgements[0].reason"]


def test_nutrition_access_is_not_defaulted(order: Builder, catalog: TemplateCatalog) -> None:
    prescription = parse_prescription(order("tpn-adult-central", access=None), catalog, today=TODAY)
    assert prescription.access == ""
    infusion = parse_prescription(order("myers-infusion", access=None), catalog, today=TODAY)
    assert infusion.access == "peripheral"


def test_unacknowledged_warnings(order: Builder, check: Checker) -> None:
    evaluation = check(order("myers-push", amounts={"magnesium-chloride-20": 1}))
    warned = {f.code for f in evaluation.warnings}
    assert warned == {"dose.outside_typical_range", "osmolarity.hypertonic_push"}
    assert {f.code for f in unacknowledged(evaluation, [])} == warned
    partial = [Acknowledgement("osmolarity.hypertonic_push", "good vein, slow push")]
    assert [f.code for f in unacknowledged(evaluation, partial)] == ["dose.outside_typical_range"]
    blank = [Acknowledgement("dose.outside_typical_range", "   ")]
    assert "dose.outside_typical_range" in {f.code for f in unacknowledged(evaluation, blank)}
    elsewhere = [Acknowledgement("dose.outside_typical_range", "ok", "ingredients[5].amount")]
    assert "dose.outside_typical_range" in {f.code for f in unacknowledged(evaluation, elsewhere)}
    everything = [Acknowledgement(code, "reviewed") for code in warned]
    assert unacknowledged(evaluation, everything) == []


def test_malformed_body_gives_errors_not_findings(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> None:
    evaluation = evaluate_body(
        {
            "template_id": "myers-infusion",
            "template_version": 1,
            "patient": adult(),
            "ingredients": [{"code": "ascorbic-acid-500", "amount": 5, "unit": "g"}],
        },
        catalog,
        formulary,
        rules,
        today=TODAY,
    )
    assert [e.field for e in evaluation.errors] == ["ingredients[0].unit"]
    assert evaluation.blocked
    wire = evaluation.to_wire()
    assert wire["findings"] == [] and wire["blocked"] is True


def test_evaluation_wire(order: Builder, check: Checker) -> None:
    wire = check(order("tpn-adult-central", access="central")).to_wire()
    for name in (
        "total_volume_ml",
        "osmolarity_mosm_l",
        "infusion_rate_ml_h",
        "dextrose_g_day",
        "amino_acids_g_day",
        "lipid_g_day",
        "gir_mg_kg_min",
        "kcal_total",
        "kcal_per_kg",
        "protein_g_per_kg",
        "lipid_g_per_kg",
        "dextrose_pct",
        "amino_acids_pct",
        "lipid_pct",
    ):
        assert name in wire["computed"]
    assert "estimate" in wire["estimates"]["osmolarity_mosm_l"]
    finding = wire["findings"][0]
    assert set(finding) == {"code", "severity", "message", "field", "source", "to_confirm", "rule"}
