"""The check engine: one pure function the client runs on every keystroke and the server
runs as the authority, so the two can never disagree.

``evaluate`` computes the order's volumes, osmolarity (an estimate), rates and nutrition
figures (``check_run``), then applies the pharmacy's rule table (``rules.json``), the
template's limits and prerequisites, and the formulary's allergy data (``order_checks``,
``nutrition_checks``, ``patient_checks``, ``who_checks``). Every finding names a stable
``code``, a ``severity`` (``block``: pharmacist only; ``warn``: the prescriber acknowledges with a
reason; ``info``), the ``field`` it concerns (the same dotted paths as ``FieldError``) and
the ``source`` of the rule. A check that cannot decide says so (``*.unknown``); it never
passes silently.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pharmacy_domain import nutrition_checks, order_checks, patient_checks
from pharmacy_domain.check_run import SEVERITY_RANK, CheckRun, Finding
from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import (
    Acknowledgement,
    FieldError,
    InvalidPrescription,
    Patient,
    Prescription,
    parse_prescription,
)
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import Template, TemplateCatalog
from pharmacy_domain.units import parse_order_unit
from pharmacy_domain.who_checks import who_and_what

# Re-exported: callers read findings and severities from the engine.
__all__ = [
    "SEVERITY_RANK",
    "Evaluation",
    "Finding",
    "default_body",
    "evaluate",
    "evaluate_body",
    "template_problems",
    "unacknowledged",
]

OSMOLARITY_NOTE = (
    "Osmolarity is an estimate: volume-weighted from each stock product's mOsm/L and the "
    "vehicle's; products without a value on file are left out (see osmolarity.incomplete)."
)


@dataclass
class Evaluation:
    """What the engine found. ``errors`` holds structural problems (``evaluate_body`` only);
    with them, ``prescription`` is None and the figures and findings are those of
    ``as_typed`` (the order as entered, when every value the checks need is known), or
    none at all."""

    computed: dict[str, float | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    prescription: Prescription | None = None
    as_typed: Prescription | None = None

    @property
    def checked(self) -> bool:
        """Whether the clinical checks ran (on the valid order or on the order as typed)."""
        return self.prescription is not None or self.as_typed is not None

    @property
    def blocks(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "block"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warn"]

    @property
    def blocked(self) -> bool:
        """True when a pharmacist must decide (or the order is malformed)."""
        return bool(self.errors) or any(f.severity == "block" for f in self.findings)

    def codes(self) -> set[str]:
        return {f.code for f in self.findings}

    def to_wire(self) -> dict[str, Any]:
        return {
            "computed": dict(self.computed),
            "estimates": {"osmolarity_mosm_l": OSMOLARITY_NOTE},
            "findings": [f.to_wire() for f in self.findings],
            "errors": [e.to_wire() for e in self.errors],
            "blocked": self.blocked,
        }


def unacknowledged(
    evaluation: Evaluation, acknowledgements: Iterable[Acknowledgement]
) -> list[Finding]:
    """The ``warn`` findings that no acknowledgement with a reason covers yet.

    An acknowledgement covers findings with its ``code``, and only the one at its ``field``
    when it names one. Blocks cannot be acknowledged by the prescriber (pharmacist only).
    """
    acks = [a for a in acknowledgements if a.reason.strip()]
    return [
        finding
        for finding in evaluation.findings
        if finding.severity == "warn"
        and not any(a.code == finding.code and a.field in ("", finding.field) for a in acks)
    ]


# ----------------------------------------------------------------------------- entry points


def evaluate(
    prescription: Prescription,
    patient: Patient | None,
    formulary: Formulary,
    rules: Rules,
    *,
    template: Template,
    today: dt.date | None = None,
) -> Evaluation:
    """Check one well-formed prescription against its template, the formulary and the rules.

    ``patient`` defaults to ``prescription.patient`` (the server may pass its stored record).
    Findings come out ordered by severity (block, warn, info), then in rule order.
    """
    run = CheckRun(
        prescription=prescription,
        patient=patient if patient is not None else prescription.patient,
        formulary=formulary,
        rules=rules,
        template=template,
        today=today if today is not None else dt.date.today(),
    )
    run.build_lines()
    run.compute()
    run.compute_infusion()
    # The sodium load is always shown (sodium ascorbate carries a lot of it): 0, not blank.
    run.computed.setdefault("sodium_meq", None if run.incomplete_volume else 0.0)
    order_checks.check_required(run)
    blocked_by_required = any(
        f.code == "required.field" and f.severity == "block" for f in run.findings
    )
    order_checks.check_doses(run)
    order_checks.check_thresholds(run, rules.thresholds, blocked_by_required)
    nutrition_checks.check_calcium_phosphate(run)
    nutrition_checks.check_three_in_one(run)
    patient_checks.check_prerequisites(run)
    patient_checks.check_allergies(run)
    vehicle = prescription.vehicle
    for concern in who_and_what(
        [(line.index, line.product) for line in run.lines],
        None if vehicle is None else formulary.vehicle(vehicle.code),
        patient=run.patient,
        weight_kg=run.weight,
        template=template,
        formulary=formulary,
        rules=rules,
        today=run.today,
    ):
        run.add(
            concern.code,
            concern.severity,
            concern.message,
            concern.field,
            concern.source,
            to_confirm=concern.to_confirm,
            rule=concern.rule,
        )
    order_checks.check_notes(run)
    patient_checks.check_refeeding(run)
    findings = sorted(run.findings, key=lambda f: -SEVERITY_RANK[f.severity])
    return Evaluation(computed=run.computed, findings=findings, prescription=prescription)


def evaluate_body(
    body: Any,
    catalog: TemplateCatalog,
    formulary: Formulary,
    rules: Rules,
    *,
    today: dt.date | None = None,
) -> Evaluation:
    """Parse an untrusted prescription body and evaluate it: what client and server call.

    A malformed body gives an ``Evaluation`` whose ``errors`` list every ``FieldError``
    (``blocked`` is then true), with the findings of the order as typed when they can
    still be decided (see ``InvalidPrescription.as_typed``).
    """
    try:
        prescription = parse_prescription(body, catalog, today=today)
    except InvalidPrescription as invalid:
        if invalid.as_typed is None:
            return Evaluation(errors=list(invalid.errors))
        # One error never hides another finding: judge the order as typed beside it.
        typed = _evaluate_parsed(invalid.as_typed, catalog, formulary, rules, today)
        return Evaluation(
            computed=typed.computed,
            findings=typed.findings,
            errors=list(invalid.errors),
            as_typed=invalid.as_typed,
        )
    return _evaluate_parsed(prescription, catalog, formulary, rules, today)


def _evaluate_parsed(
    prescription: Prescription,
    catalog: TemplateCatalog,
    formulary: Formulary,
    rules: Rules,
    today: dt.date | None,
) -> Evaluation:
    template = catalog.get(prescription.template_id, prescription.template_version)
    assert template is not None  # parse_prescription found it
    return evaluate(prescription, None, formulary, rules, template=template, today=today)


def template_problems(catalog: TemplateCatalog, formulary: Formulary) -> list[str]:
    """Template rows and vehicles the formulary cannot serve (empty when consistent)."""
    problems = []
    for template in catalog.latest():
        for row in template.ingredients:
            product = formulary.product(row.code)
            if product is None:
                problems.append(f"{template.id}: {row.code} is not in the formulary")
                continue
            measure = parse_order_unit(row.unit).measure
            if not product.supports(measure):
                problems.append(f"{template.id}: {row.code} cannot be measured in {measure}")
        for vehicle in template.vehicles:
            if formulary.vehicle(vehicle.code) is None:
                problems.append(f"{template.id}: vehicle {vehicle.code} is not in the formulary")
    return problems


def default_body(template: Template, patient: Mapping[str, Any]) -> dict[str, Any]:
    """A prescription body at the template's defaults (tests, benchmarks, the client's
    "start from template")."""
    vehicle = template.vehicles[0] if template.vehicles else None
    return {
        "template_id": template.id,
        "template_version": template.version,
        "patient": dict(patient),
        "ingredients": [
            {"code": r.code, "amount": r.default_amount, "unit": r.unit}
            for r in template.ingredients
        ],
        "access": template.default_access,
        "vehicle": None
        if vehicle is None
        else {"code": vehicle.code, "volume_ml": vehicle.default_volume_ml},
        "infusion_minutes": template.infusion_minutes_default,
    }
