"""Checks of the order against the patient: dated lab prerequisites, allergies (whole-word
matches on products, their allergy terms and excipients) and refeeding risk."""

from __future__ import annotations

import re
from functools import lru_cache

from pharmacy_domain.check_run import SEVERITY_RANK, CheckRun
from pharmacy_domain.numbers import format_rounded as _fmt
from pharmacy_domain.prerequisites import LabPrerequisite
from pharmacy_domain.prescription import LabResult

_WORD = re.compile(r"[a-z0-9+]+")


def check_prerequisites(run: CheckRun) -> None:
    for prerequisite in (*run.template.prerequisites, *run.rules.prerequisites):
        if prerequisite.when_content is not None:
            threshold = prerequisite.when_above or 0.0
            delivered = run.totals.get(prerequisite.when_content, 0.0)
            if delivered <= threshold:
                continue
            if prerequisite.when_at_most is not None and delivered > prerequisite.when_at_most:
                continue
        _check_prerequisite(run, prerequisite)


def _check_prerequisite(run: CheckRun, pre: LabPrerequisite) -> None:
    candidates = [(i, lab) for i, lab in enumerate(run.patient.labs) if lab.code in pre.labs]
    src = pre.source
    if not candidates:
        run.add(
            "prerequisite.missing",
            pre.missing_severity,
            f"{pre.name} is required and not on the order.",
            "patient.labs",
            src,
            to_confirm=pre.to_confirm,
            rule=pre.id,
        )
        return
    index, lab = max(candidates, key=lambda item: item[1].date)
    where = f"patient.labs[{index}]"
    age = (run.today - lab.date).days
    stale = pre.max_age_days is not None and age > pre.max_age_days
    if stale and pre.inherited and lab.interpretation not in pre.passing:
        stale = False  # an inherited status fails (or is unknown) at any age
    if stale:
        run.add(
            "prerequisite.stale",
            pre.stale_severity,
            f"{pre.name}: the newest result ({lab.date.isoformat()}) is {age} days "
            f"old; the limit is {pre.max_age_days} days"
            + (": the status is inherited, confirm it." if pre.inherited else "."),
            where,
            src,
            to_confirm=pre.to_confirm,
            rule=pre.id,
        )
        return
    severity, decided = _lab_severity(pre, lab)
    if not decided:
        run.add(
            "prerequisite.unknown",
            pre.other_severity,
            f"{pre.name}: the result ({_lab_text(lab)}) cannot be interpreted; "
            "record a normal/abnormal interpretation or the value in "
            f"{pre.numeric.unit if pre.numeric else 'the expected unit'}.",
            where,
            src,
            to_confirm=pre.to_confirm,
            rule=pre.id,
        )
    elif severity is not None:
        run.add(
            "prerequisite.failed",
            severity,
            f"{pre.name}: {_lab_text(lab)} on {lab.date.isoformat()}.",
            where,
            src,
            to_confirm=pre.to_confirm,
            rule=pre.id,
        )


def check_allergies(run: CheckRun) -> None:
    allergies = [(a, _words(a)) for a in run.patient.allergies]
    allergies = [(a, w) for a, w in allergies if w]
    if not allergies:
        return
    rule = run.rules.allergy
    for line in run.lines:
        product = line.product
        terms = [(t, "") for t in (*product.allergy_terms, product.name)]
        terms += [(e, "excipient ") for e in product.excipients]
        _match_allergies(
            run,
            allergies,
            terms,
            name=product.name,
            where=f"ingredients[{line.index}].code",
            severity=rule.severity,
            source=rule.source,
        )
    vehicle = run.p.vehicle
    vehicle_product = None if vehicle is None else run.formulary.vehicle(vehicle.code)
    if vehicle_product is not None:
        terms = [(t, "") for t in (*vehicle_product.allergy_terms, vehicle_product.name)]
        _match_allergies(
            run,
            allergies,
            terms,
            name=vehicle_product.name,
            where="vehicle.code",
            severity=rule.severity,
            source=rule.source,
        )


def _match_allergies(
    run: CheckRun,
    allergies: list[tuple[str, tuple[str, ...]]],
    terms: list[tuple[str, str]],
    *,
    name: str,
    where: str,
    severity: str,
    source: str,
) -> None:
    for allergy, allergy_words in allergies:
        for term, kind in terms:
            if _allergy_match(allergy_words, _words(term)):
                run.add(
                    "allergy.ingredient",
                    severity,
                    f"Patient allergy '{allergy}' matches {name} ({kind}{term}).",
                    where,
                    source,
                )
                break


def check_refeeding(run: CheckRun) -> None:
    rule = run.rules.refeeding
    if run.template.category not in rule.categories:
        return
    bmi = run.computed.get("bmi")
    low = [
        lab.code
        for lab in run.patient.labs
        if lab.code in rule.low_lab_codes and lab.interpretation in rule.low_interpretations
    ]
    reasons = []
    level = ""
    if bmi is not None and bmi < rule.bmi_significant_below:
        reasons.append(f"BMI {_fmt(bmi)}")
        level = "significant"
    if low:
        reasons.append("low " + ", ".join(sorted(set(low))))
        level = "significant"
    if not level and bmi is not None and bmi < rule.bmi_moderate_below:
        reasons.append(f"BMI {_fmt(bmi)}")
        level = "possible (moderate if another criterion applies)"
    where = run.field_for("ingredient:dextrose_g")
    if not level:
        if bmi is None and run.weight is not None:
            run.add(
                "refeeding.unknown",
                "info",
                "Refeeding risk not assessed: BMI needs height. Weight loss and "
                "intake are not recorded in the order; assess them clinically.",
                "patient.height_cm",
                rule.source,
            )
        return
    dextrose = run.computed.get("dextrose_g_day") or 0.0
    kcal_kg = run.computed.get("kcal_per_kg") or 0.0
    over = dextrose > rule.start_dextrose_max_g_day or kcal_kg > rule.start_kcal_max_per_kg
    advice = (
        f"start with dextrose ≤ {_fmt(rule.start_dextrose_max_g_day)} g/day and ≤ "
        f"{_fmt(rule.start_kcal_max_per_kg)} kcal/kg/day, thiamine 100 mg before "
        "starting, advance about 33 % every 1–2 days, electrolytes daily"
    )
    message = f"Refeeding risk {level} ({'; '.join(reasons)}): {advice}."
    if over:
        message += f" This order gives {_fmt(dextrose)} g dextrose and {_fmt(kcal_kg)} kcal/kg."
    run.add("refeeding.risk", rule.severity if over else "info", message, where, rule.source)


def _unit_key(unit: str) -> str:
    return unit.replace(" ", "").casefold()


def _lab_severity(pre: LabPrerequisite, lab: LabResult) -> tuple[str | None, bool]:
    """(severity or None when it passes, whether the result could be decided)."""
    severity: str | None = None
    decided = False
    if lab.interpretation in pre.failing:
        severity = pre.failing[lab.interpretation]
        decided = True
    elif lab.interpretation in pre.passing:
        decided = True
    numeric = pre.numeric
    if (
        numeric is not None
        and lab.value is not None
        and _unit_key(lab.unit) == _unit_key(numeric.unit)
    ):
        numeric_severity = numeric.severity(lab.value)
        decided = True
        if numeric_severity is not None and (
            severity is None or SEVERITY_RANK[numeric_severity] > SEVERITY_RANK[severity]
        ):
            severity = numeric_severity
    return severity, decided


def _lab_text(lab: LabResult) -> str:
    parts = []
    if lab.value is not None:
        parts.append(f"{_fmt(lab.value)} {lab.unit}".strip())
    if lab.interpretation:
        parts.append(lab.interpretation)
    return ", ".join(parts) or "no value"


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return size > 0 and any(
        haystack[i : i + size] == needle for i in range(len(haystack) - size + 1)
    )


@lru_cache(maxsize=4096)
def _allergy_match(allergy: tuple[str, ...], term: tuple[str, ...]) -> bool:
    """Whole words in order: "benzyl alcohol" matches "benzyl alcohol 2 %"; "sulfa" does not
    match "sulfate"."""
    return _contains(term, allergy) or _contains(allergy, term)
