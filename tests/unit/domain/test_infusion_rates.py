"""Rates and concentrations at the final volume: the separate lipid's rate and hang time,
potassium per litre by access route, the glucose infusion rate at a cycled bag's plateau,
and the hypotonic bag.

Each rule has an order that raises it and a close one that does not, worked by hand for
the typical adult (70 kg) at the templates' defaults (see conftest). Sources are the
rules' own (``resources/rules.json``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pharmacy_domain.engine import Evaluation, evaluate_body, template_problems
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.infusion import Cycle, cycle_of
from pharmacy_domain.prescription import InvalidPrescription, parse_prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog, TemplateError, template_from_dict
from tests.unit.domain.conftest import TODAY, Builder, Checker

Case = tuple[
    str, str, str, Callable[[Builder], dict[str, Any]], Callable[[Builder], dict[str, Any]]
]

CASES: list[Case] = [
    # (rule id, expected severity, why, raising order, close order that does not raise it)
    (
        "lipid-rate",
        "warn",
        # ASPEN 2020 adults <= 0.11 g/kg/h: 0.8 g/kg/day over 7 h = 0.114; over 8 h = 0.100
        "0.8 / 7 = 0.114 > 0.11; 0.8 / 8 = 0.100",
        lambda o: o("tpn-adult-central", access="central", lipid_infusion_hours=7),
        lambda o: o("tpn-adult-central", access="central", lipid_infusion_hours=8),
    ),
    (
        "lipid-rate",
        "block",
        # Intralipid label, highest rate for any age 0.125 g/kg/h: 0.8 / 6 = 0.133
        "0.8 / 6 = 0.133 > 0.125; 0.8 / 7 = 0.114 only warns",
        lambda o: o("tpn-adult-central", access="central", lipid_infusion_hours=6),
        lambda o: o("tpn-adult-central", access="central", lipid_infusion_hours=7),
    ),
    (
        "lipid-hang-time",
        "warn",
        # CDC 2011 (IB): a lipid emulsion alone hangs <= 12 h
        "13 h > 12 h; 12 h is the limit itself",
        lambda o: o("hpn-cycled", lipid_infusion_hours=13),
        lambda o: o("hpn-cycled", lipid_infusion_hours=12),
    ),
    (
        "potassium-concentration-peripheral",
        "warn",
        # PPN at defaults: 2,017.1 mL with KCl 30 mEq (15 mL) and K phosphate 10 mmol
        # (14.67 mEq K). KCl 110: K 124.67 mEq in 2,017.1 + 40 = 2,057.1 mL = 60.6 mEq/L > 60;
        # KCl 100: 114.67 in 2,052.1 mL = 55.9 mEq/L.
        "124.67 / 2.0571 = 60.6 > 60; 114.67 / 2.0521 = 55.9",
        lambda o: o("ppn-adult-peripheral", amounts={"potassium-chloride-2": 110}),
        lambda o: o("ppn-adult-peripheral", amounts={"potassium-chloride-2": 100}),
    ),
    (
        "potassium-concentration-peripheral",
        "block",
        # KCl 200: K 214.67 mEq in 2,017.1 + 85 = 2,102.1 mL = 102.1 mEq/L > 100
        "214.67 / 2.1021 = 102.1 > 100; 55.9 at KCl 100",
        lambda o: o("ppn-adult-peripheral", amounts={"potassium-chloride-2": 200}),
        lambda o: o("ppn-adult-peripheral", amounts={"potassium-chloride-2": 100}),
    ),
    (
        "potassium-concentration-central",
        "warn",
        # HPN at defaults: 1,520.3 mL with KCl 50 mEq (25 mL) and K phosphate 20 mmol
        # (29.33 mEq K). KCl 100: 129.33 mEq in 1,545.3 mL = 83.7 mEq/L > 80;
        # KCl 80: 109.33 in 1,535.3 mL = 71.2 mEq/L.
        "129.33 / 1.5453 = 83.7 > 80; 109.33 / 1.5353 = 71.2",
        lambda o: o("hpn-cycled", amounts={"potassium-chloride-2": 100}),
        lambda o: o("hpn-cycled", amounts={"potassium-chloride-2": 80}),
    ),
    (
        "potassium-concentration-central",
        "block",
        # KCl 150 and K acetate 100 (both 2 mEq/mL): K 279.33 mEq in 1,520.3 + 50 + 50 =
        # 1,620.3 mL = 172.4 mEq/L > 150; without the acetate 179.33 in 1,570.3 mL = 114.2
        # (a warning, not a block).
        "279.33 / 1.6203 = 172.4 > 150; 179.33 / 1.5703 = 114.2",
        lambda o: o(
            "hpn-cycled", amounts={"potassium-chloride-2": 150, "potassium-acetate-2": 100}
        ),
        lambda o: o("hpn-cycled", amounts={"potassium-chloride-2": 150}),
    ),
    (
        "gir-plateau",
        "warn",
        # 12 h cycle with 1 h tapers up and down: the plateau carries the bag in
        # 720 - (60 + 60) / 2 = 660 minutes' worth. 250 g: average 250,000 / (70 x 720) = 4.96
        # (under 5, so gir-adult stays quiet), plateau 250,000 / (70 x 660) = 5.41 > 5.
        # 230 g: plateau 230,000 / 46,200 = 4.98.
        "plateau 5.41 > 5 while the average is 4.96; 230 g gives 4.98",
        lambda o: o("hpn-cycled", amounts={"dextrose-70": 250}),
        lambda o: o("hpn-cycled", amounts={"dextrose-70": 230}),
    ),
    (
        "gir-plateau",
        "block",
        # 330 g: plateau 330,000 / 46,200 = 7.14 > 7 (the average, 6.55, only warns)
        "plateau 7.14 > 7; 250 g is 5.41",
        lambda o: o("hpn-cycled", amounts={"dextrose-70": 330}),
        lambda o: o("hpn-cycled", amounts={"dextrose-70": 250}),
    ),
    (
        "osmolarity-hypotonic",
        "warn",
        # Myers' bag: its additives carry 183.58 x 0.267 L = 49.0 mOsm. In 250 mL sterile
        # water that is 49.0 / 0.267 L = 184 mOsm/L < 250; in 0.9 % NaCl it gains
        # 0.250 L x 308 = 77 mOsm: (49.0 + 77) / 0.267 = 472 mOsm/L.
        "49.0 / 0.267 = 184 < 250; (49.0 + 77) / 0.267 = 472",
        lambda o: o("myers-infusion", vehicle={"code": "sterile-water", "volume_ml": 250}),
        lambda o: o("myers-infusion", vehicle={"code": "sodium-chloride-0.9", "volume_ml": 250}),
    ),
    (
        "osmolarity-hypotonic",
        "block",
        # Sterile water as the vehicle of a dilute bag: vitamin C 7.5 g (15 mL at 5,678
        # mOsm/L = 85.2 mOsm) and MgCl2 1 mL (2.95 mOsm) in 1,016 mL = 86.7 mOsm/L < 150:
        # hemolysis expected. The default 25 g in 500 mL is 521 mOsm/L.
        "86.7 < 150; 521 at 25 g in 500 mL",
        lambda o: o(
            "vitamin-c-high-dose",
            amounts={"ascorbic-acid-500": 7.5},
            vehicle={"code": "sterile-water", "volume_ml": 1000},
        ),
        lambda o: o("vitamin-c-high-dose"),
    ),
]


@pytest.mark.parametrize(
    ("rule_id", "severity", "why", "raising", "close"),
    CASES,
    ids=[f"{case[0]}-{case[1]}" for case in CASES],
)
def test_each_limit_has_a_raising_and_a_close_order(
    rule_id: str,
    severity: str,
    why: str,
    raising: Callable[[Builder], dict[str, Any]],
    close: Callable[[Builder], dict[str, Any]],
    order: Builder,
    check: Checker,
) -> None:
    raised = [f for f in check(raising(order)).findings if f.rule == rule_id]
    assert [f.severity for f in raised] == [severity], why
    assert raised[0].source, "every limit names its source"
    quiet = [f for f in check(close(order)).findings if f.rule == rule_id]
    assert not [f for f in quiet if f.severity == severity], why


def test_the_figures_are_the_hand_worked_ones(order: Builder, check: Checker) -> None:
    hpn = check(order("hpn-cycled", amounts={"dextrose-70": 250}))
    c = hpn.computed
    assert c["gir_mg_kg_min"] == pytest.approx(250_000 / (70 * 720))
    assert c["gir_plateau_mg_kg_min"] == pytest.approx(250_000 / (70 * 660))
    assert c["total_volume_ml"] is not None
    assert c["plateau_rate_ml_h"] == pytest.approx(c["total_volume_ml"] * 60 / 660)
    # The separate lipid: 0.8 g/kg x 70 kg = 56 g over the template's default 12 h.
    assert c["lipid_hang_hours"] == 12
    assert c["lipid_rate_g_kg_h"] == pytest.approx(56 / 70 / 12)
    # Potassium per litre of the bag itself: the lipid's 280 mL are not part of it.
    assert c["potassium_meq_l"] == pytest.approx((50 + 20 * 4.4 / 3) * 1000 / c["total_volume_ml"])
    continuous = check(order("tpn-adult-central", access="central")).computed
    assert "gir_plateau_mg_kg_min" not in continuous  # no cycle, no plateau


def test_a_cycle_without_a_plateau_cannot_be_worked_out() -> None:
    cycle = Cycle(taper_up_minutes=60, taper_down_minutes=60)
    assert cycle.plateau_equivalent_minutes(720) == 660
    assert cycle.plateau_equivalent_minutes(120) is None


def _variant(catalog: TemplateCatalog, template_id: str, **changes: Any) -> TemplateCatalog:
    base = catalog.get(template_id, 1)
    assert base is not None
    wire = base.to_wire() | changes
    return TemplateCatalog([template_from_dict({k: v for k, v in wire.items() if v is not None})])


def _run(
    body: dict[str, Any], catalog: TemplateCatalog, formulary: Formulary, rules: Rules
) -> Evaluation:
    evaluation = evaluate_body(body, catalog, formulary, rules, today=TODAY)
    assert not evaluation.errors, evaluation.errors
    return evaluation


def test_hang_time_past_24_hours_blocks(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules, order: Builder
) -> None:
    """CDC 2011: even when volume needs more time, a lipid alone is done within 24 h. The
    shipped template stops entry at 24 h; a pharmacy that widens it still meets the rule."""
    wide = _variant(
        catalog, "hpn-cycled", lipid_infusion_hours={"default": 12, "min": 4, "max": 30}
    )
    findings = _run(order("hpn-cycled", lipid_infusion_hours=25), wide, formulary, rules).findings
    assert [(f.rule, f.severity) for f in findings if f.code == "lipid.hang_time"] == [
        ("lipid-hang-time", "block")
    ]


def test_a_separate_lipid_without_its_infusion_time_is_unknown(
    catalog: TemplateCatalog, formulary: Formulary, rules: Rules, order: Builder
) -> None:
    """A template that runs lipid separately but gives no lipid time: rate and hang time
    cannot be decided, and the order says so rather than passing."""
    bare = _variant(catalog, "tpn-adult-central", lipid_infusion_hours=None)
    evaluation = _run(order("tpn-adult-central", access="central"), bare, formulary, rules)
    unknown = [f for f in evaluation.findings if f.code == "lipid.unknown"]
    assert {f.rule for f in unknown} == {"lipid-rate", "lipid-hang-time"}
    assert {f.severity for f in unknown} == {"warn"}
    assert evaluation.computed["lipid_rate_g_kg_h"] is None


def test_lipid_time_is_refused_where_no_lipid_runs_separately(
    catalog: TemplateCatalog, order: Builder
) -> None:
    with pytest.raises(InvalidPrescription) as refused:
        parse_prescription(order("myers-infusion", lipid_infusion_hours=10), catalog, today=TODAY)
    assert [e.field for e in refused.value.errors] == ["lipid_infusion_hours"]
    with pytest.raises(InvalidPrescription) as too_long:
        parse_prescription(order("hpn-cycled", lipid_infusion_hours=30), catalog, today=TODAY)
    assert [e.field for e in too_long.value.errors] == ["lipid_infusion_hours"]


def test_lipid_time_stays_out_of_orders_that_have_none(
    catalog: TemplateCatalog, order: Builder
) -> None:
    """An order without a separate lipid keeps the content (and signing hash) it had."""
    myers = parse_prescription(order("myers-infusion"), catalog, today=TODAY)
    assert "lipid_infusion_hours" not in myers.to_wire()
    hpn = parse_prescription(order("hpn-cycled", lipid_infusion_hours=10), catalog, today=TODAY)
    assert hpn.to_wire()["lipid_infusion_hours"] == 10


def test_shipped_templates_describe_their_cycle_and_lipid_time(
    catalog: TemplateCatalog, formulary: Formulary
) -> None:
    hpn = catalog.get("hpn-cycled", 1)
    assert hpn is not None
    assert cycle_of(hpn) == Cycle(60, 60)
    assert template_problems(catalog, formulary) == []
    with pytest.raises(TemplateError, match="cycle"):
        _variant(catalog, "hpn-cycled", cycle={"taper_up_minutes": "one hour"})
    with pytest.raises(TemplateError, match="lipid_infusion_hours"):
        _variant(catalog, "hpn-cycled", lipid_infusion_hours={"default": 30, "min": 4, "max": 24})


# ----------------------------------------------------------------------------- property

# Templates whose vehicle is sterile water (no solute) or 0.9 % NaCl (no K, Ca or P):
# more of it can only dilute.
DILUTING = [
    ("tpn-adult-central", "sterile-water", True),
    ("ppn-adult-peripheral", "sterile-water", True),
    ("hpn-cycled", "sterile-water", True),
    ("myers-infusion", "sterile-water", True),
    ("myers-infusion", "sodium-chloride-0.9", False),
    ("vitamin-c-high-dose", "sterile-water", True),
]
PER_LITRE = ("potassium_meq_l", "calcium_meq_l", "phosphate_mmol_l")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    case=st.sampled_from(DILUTING),
    low=st.floats(min_value=0, max_value=1),
    extra=st.floats(min_value=0, max_value=1),
)
def test_more_volume_never_raises_a_concentration(
    case: tuple[str, str, bool],
    low: float,
    extra: float,
    order: Builder,
    check: Checker,
    catalog: TemplateCatalog,
) -> None:
    template_id, vehicle, solute_free = case
    template = catalog.get(template_id, 1)
    assert template is not None
    option = template.vehicle(vehicle)
    assert option is not None
    span = option.max_volume_ml - option.min_volume_ml
    small = option.min_volume_ml + low * span
    large = min(option.max_volume_ml, small + extra * span)
    access = template.default_access or "central"

    def figures(volume: float) -> dict[str, float | None]:
        body = order(template_id, access=access, vehicle={"code": vehicle, "volume_ml": volume})
        return check(body).computed

    less, more = figures(small), figures(large)
    names = (*PER_LITRE, "osmolarity_mosm_l") if solute_free else PER_LITRE
    for name in names:
        before, after = less.get(name), more.get(name)
        if before is None or after is None:
            continue
        assert after <= before + 1e-9, (name, small, large, before, after)
