"""Checks of the order against the template and the rule table: required fields, dose
limits, computed thresholds (osmolarity, rates, per-kg figures) and the rule table's notes."""

from __future__ import annotations

from collections.abc import Sequence

from pharmacy_domain.check_run import CheckRun
from pharmacy_domain.numbers import format_rounded as _fmt
from pharmacy_domain.rules import ThresholdRule
from pharmacy_domain.units import parse_order_unit


def check_required(run: CheckRun) -> None:
    needed: dict[str, tuple[str, str]] = {}
    for name, severity in run.template.required_fields.items():
        needed[name] = (severity, "[34] required by the template")
    weight_rule = run.rules.dosing_weight
    for line in run.lines:
        unit = parse_order_unit(line.row.unit)
        if unit.per_kg or unit.per_m2:
            needed["patient.weight_kg"] = (weight_rule.severity, weight_rule.source)
        if unit.per_m2:
            needed["patient.height_cm"] = (weight_rule.severity, weight_rule.source)
    present = {
        "patient.weight_kg": run.weight is not None,
        "patient.height_cm": run.height is not None,
        "access": bool(run.p.access),
        "infusion_minutes": run.minutes is not None,
        "vehicle": run.p.vehicle is not None,
    }
    labels = {
        "patient.weight_kg": "Dosing weight (kg) is required: the order is dosed per kg, "
        "per m² or needs weight-based checks.",
        "patient.height_cm": "Height (cm) is required for this order.",
        "access": "State the vascular access (central or peripheral) for this bag.",
        "infusion_minutes": "State the infusion time.",
        "vehicle": "Choose a vehicle.",
    }
    for name, (severity, source) in needed.items():
        if not present.get(name, True):
            run.add("required.field", severity, labels[name], name, source)


def check_doses(run: CheckRun) -> None:
    for line in run.lines:
        row = line.row
        where = f"ingredients[{line.index}].amount"
        amount = line.amount
        if amount > row.block_above:
            run.add(
                "dose.above_hard_limit",
                "block",
                f"{row.name}: {_fmt(amount)} {row.unit} is above the hard limit of "
                f"{_fmt(row.block_above)} {row.unit}.",
                where,
                row.source,
                to_confirm=row.to_confirm,
            )
        elif (row.typical_min is not None and amount < row.typical_min) or (
            row.typical_max is not None and amount > row.typical_max
        ):
            low = "—" if row.typical_min is None else _fmt(row.typical_min)
            high = "—" if row.typical_max is None else _fmt(row.typical_max)
            run.add(
                "dose.outside_typical_range",
                "warn",
                f"{row.name}: {_fmt(amount)} {row.unit} is outside the usual "
                f"{low}–{high} {row.unit}.",
                where,
                row.source,
                to_confirm=row.to_confirm,
            )


def check_thresholds(
    run: CheckRun, rules: Sequence[ThresholdRule], blocked_by_required: bool
) -> None:
    t = run.template
    for rule in rules:
        if not rule.scope.matches(t.id, t.category, run.p.access):
            continue
        if rule.scope.access and not run.p.access:
            continue
        if (
            rule.applies_if_present
            and run.totals.get(rule.applies_if_present, 0.0) <= 0
            and not run.incomplete_volume
        ):
            continue
        value, applicable = run.resolve(rule.quantity)
        if not applicable:
            continue
        if value is None:
            if not blocked_by_required:
                family = rule.code.split(".", 1)[0]
                run.add(
                    f"{family}.unknown",
                    rule.unknown_severity,
                    f"{rule.label} cannot be checked: it needs information the order "
                    f"does not give yet (weight, infusion time or volume).",
                    run.field_for(rule.field),
                    rule.source,
                    to_confirm=rule.to_confirm,
                    rule=rule.id,
                )
            continue
        severity, limit = _threshold_severity(rule, value)
        if severity is None or limit is None:
            continue
        message = rule.message.format_map(
            {
                "value": _fmt(value),
                "limit": _fmt(limit),
                "unit": rule.unit,
                "label": rule.label,
            }
        )
        run.add(
            rule.code,
            severity,
            message,
            run.field_for(rule.field),
            rule.source,
            to_confirm=rule.to_confirm,
            rule=rule.id,
        )


def check_notes(run: CheckRun) -> None:
    t = run.template
    for note in run.rules.notes:
        if not note.scope.matches(t.id, t.category, run.p.access):
            continue
        if not all(run.totals.get(k, 0.0) > v for k, v in note.all_above.items()):
            continue
        if note.with_other_ingredients:
            others = [
                line
                for line in run.lines
                if not any(k in line.product.content_per_ml for k in note.all_above)
            ]
            if not others:
                continue
        run.add(
            note.code,
            note.severity,
            note.message,
            run.field_for(note.field),
            note.source,
            to_confirm=note.to_confirm,
            rule=note.id,
        )


def _threshold_severity(rule: ThresholdRule, value: float) -> tuple[str | None, float | None]:
    if rule.block_above is not None and value > rule.block_above:
        return "block", rule.block_above
    if rule.block_below is not None and value < rule.block_below:
        return "block", rule.block_below
    if rule.warn_above is not None and value > rule.warn_above:
        return "warn", rule.warn_above
    if rule.warn_below is not None and value < rule.warn_below:
        return "warn", rule.warn_below
    return None, None
