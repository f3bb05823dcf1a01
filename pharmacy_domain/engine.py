"""The check engine: one pure function the client runs on every keystroke and the server
runs as the authority, so the two can never disagree.

``evaluate`` computes the order's volumes, osmolarity (an estimate), rates and nutrition
figures, then applies the pharmacy's rule table (``rules.json``), the template's limits and
prerequisites, and the formulary's allergy data. Every finding names a stable ``code``, a
``severity`` (``block``: pharmacist only; ``warn``: the prescriber acknowledges with a
reason; ``info``), the ``field`` it concerns (the same dotted paths as ``FieldError``) and
the ``source`` of the rule. A check that cannot decide says so (``*.unknown``); it never
passes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pharmacy_domain.formulary import Formulary, StockProduct
from pharmacy_domain.numbers import format_rounded as _fmt
from pharmacy_domain.prerequisites import LabPrerequisite
from pharmacy_domain.prescription import (
    Acknowledgement,
    FieldError,
    InvalidPrescription,
    LabResult,
    Patient,
    Prescription,
    parse_prescription,
)
from pharmacy_domain.rules import Rules, ThresholdRule
from pharmacy_domain.templates import Template, TemplateCatalog, TemplateIngredient
from pharmacy_domain.units import body_surface_area_m2, parse_order_unit

SEVERITY_RANK = {"info": 0, "warn": 1, "block": 2}
MINUTES_PER_DAY = 1440
OSMOLARITY_NOTE = (
    "Osmolarity is an estimate: volume-weighted from each stock product's mOsm/L and the "
    "vehicle's; products without a value on file are left out (see osmolarity.incomplete)."
)
# Computed quantities that need the dosing weight (their checks wait for it).
_DERIVED_SUFFIXES = (
    ("_per_kg_per_h", True, 60.0),
    ("_per_kg", True, None),
    ("_per_h", False, 60.0),
    ("_per_min", False, 1.0),
)


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    field: str
    source: str
    to_confirm: bool = False
    rule: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "field": self.field,
            "source": self.source,
            "to_confirm": self.to_confirm,
            "rule": self.rule,
        }


@dataclass
class Evaluation:
    """What the engine found. ``errors`` holds structural problems (``evaluate_body`` only);
    when there are any, nothing clinical was computed."""

    computed: dict[str, float | None] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    prescription: Prescription | None = None

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


# ----------------------------------------------------------------------------- helpers


_WORD = re.compile(r"[a-z0-9+]+")


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


@dataclass
class _Line:
    index: int
    row: TemplateIngredient
    product: StockProduct
    amount: float
    volume_ml: float | None  # None: depends on a missing weight or height
    in_bag: bool


class _Run:
    """One evaluation's working state."""

    def __init__(
        self,
        *,
        prescription: Prescription,
        patient: Patient,
        formulary: Formulary,
        rules: Rules,
        template: Template,
        today: dt.date,
    ) -> None:
        self.p = prescription
        self.patient = patient
        self.formulary = formulary
        self.rules = rules
        self.template = template
        self.today = today
        self.findings: list[Finding] = []
        self.computed: dict[str, float | None] = {}
        self.totals: dict[str, float] = {}
        self.lines: list[_Line] = []
        self.weight = patient.weight_kg
        self.height = patient.height_cm
        self.bsa = (
            body_surface_area_m2(self.weight, self.height)
            if self.weight is not None and self.height is not None
            else None
        )
        self.minutes = prescription.infusion_minutes
        self.incomplete_volume = False

    def add(
        self,
        code: str,
        severity: str,
        message: str,
        field_path: str,
        source: str,
        *,
        to_confirm: bool = False,
        rule: str = "",
    ) -> None:
        self.findings.append(Finding(code, severity, message, field_path, source, to_confirm, rule))

    # ------------------------------------------------------------------ computation

    def build_lines(self) -> None:
        for index, line in enumerate(self.p.ingredients):
            row = self.template.ingredient(line.code)
            product = self.formulary.product(line.code)
            if row is None or product is None:
                self.add(
                    "formulary.unknown_product",
                    "block",
                    f"{line.code} is not in the pharmacy's formulary or template.",
                    f"ingredients[{index}].code",
                    "formulary.json",
                )
                continue
            if line.amount <= 0:
                continue
            unit = parse_order_unit(row.unit)
            total = line.amount
            volume: float | None
            if (unit.per_kg and self.weight is None) or (unit.per_m2 and self.bsa is None):
                volume = None
                self.incomplete_volume = True
            else:
                if unit.per_kg:
                    assert self.weight is not None
                    total *= self.weight
                if unit.per_m2:
                    assert self.bsa is not None
                    total *= self.bsa
                volume = product.to_ml(total, unit.measure)
            self.lines.append(
                _Line(index, row, product, line.amount, volume, not row.separate_container)
            )

    def _add_vehicle(self) -> tuple[float, float, float]:
        """The vehicle's (volume mL, mOsm, kcal), its contents added to the totals."""
        vehicle = self.p.vehicle
        if vehicle is None:
            return 0.0, 0.0, 0.0
        base = self.formulary.vehicle(vehicle.code)
        if base is None:
            self.add(
                "formulary.unknown_product",
                "block",
                f"Vehicle {vehicle.code} is not in the pharmacy's formulary.",
                "vehicle.code",
                "formulary.json",
            )
            return 0.0, 0.0, 0.0
        volume = vehicle.volume_ml
        for key, per_ml in base.content_per_ml.items():
            self.totals[key] = self.totals.get(key, 0.0) + per_ml * volume
        return volume, volume * base.osmolarity_mosm_l / 1000, volume * base.kcal_per_ml

    def compute(self) -> None:
        separate_ml = 0.0
        lipid_in_bag_g = 0.0
        lipid_kcal = 0.0
        totals = self.totals
        missing_osm: list[str] = []
        bag_ml, mosm, kcal = self._add_vehicle()
        for line in self.lines:
            ml = line.volume_ml
            if ml is None:
                continue
            product = line.product
            for key, per_ml in product.content_per_ml.items():
                totals[key] = totals.get(key, 0.0) + per_ml * ml
            line_kcal = ml * product.kcal_per_ml
            kcal += line_kcal
            if "lipid_g" in product.content_per_ml:
                lipid_kcal += line_kcal
            if line.in_bag:
                bag_ml += ml
                if product.osmolarity_mosm_l is None:
                    missing_osm.append(product.name)
                else:
                    mosm += ml * product.osmolarity_mosm_l / 1000
                lipid_in_bag_g += ml * product.content_per_ml.get("lipid_g", 0.0)
            else:
                separate_ml += ml
        complete = not self.incomplete_volume
        c = self.computed
        c["total_volume_ml"] = bag_ml if complete else None
        c["osmolarity_mosm_l"] = mosm * 1000 / bag_ml if complete and bag_ml > 0 else None
        c["infusion_rate_ml_h"] = bag_ml * 60 / self.minutes if complete and self.minutes else None
        if self.bsa is not None:
            c["bsa_m2"] = self.bsa
        c.update({key: (value if complete else None) for key, value in totals.items()})
        if missing_osm:
            self.add(
                "osmolarity.incomplete",
                self.rules.osmolarity_incomplete.severity,
                "Estimated osmolarity leaves out "
                + ", ".join(missing_osm)
                + " (no osmolarity on file): the true value is somewhat higher.",
                "ingredients",
                self.rules.osmolarity_incomplete.source,
            )
        if self.template.is_nutrition:
            self._compute_nutrition(
                complete=complete,
                bag_ml=bag_ml,
                separate_ml=separate_ml,
                kcal=kcal,
                lipid_kcal=lipid_kcal,
                lipid_in_bag_g=lipid_in_bag_g,
            )
        if self.weight is not None and self.height is not None:
            c["bmi"] = self.weight / (self.height / 100) ** 2

    def _compute_nutrition(
        self,
        *,
        complete: bool,
        bag_ml: float,
        separate_ml: float,
        kcal: float,
        lipid_kcal: float,
        lipid_in_bag_g: float,
    ) -> None:
        c = self.computed
        t = self.totals
        kg = self.weight
        dextrose = t.get("dextrose_g", 0.0) if complete else None
        amino = t.get("amino_acids_g", 0.0) if complete else None
        lipid = t.get("lipid_g", 0.0) if complete else None
        c["dextrose_g_day"] = dextrose
        c["amino_acids_g_day"] = amino
        c["lipid_g_day"] = lipid
        c["kcal_total"] = kcal if complete else None
        c["separate_volume_ml"] = separate_ml if complete else None
        per_kg = complete and kg is not None and kg > 0
        assert not per_kg or kg is not None
        c["gir_mg_kg_min"] = (
            dextrose * 1000 / (kg * self.minutes)
            if per_kg and dextrose is not None and kg is not None and self.minutes
            else None
        )
        c["kcal_per_kg"] = kcal / kg if per_kg and kg else None
        c["protein_g_per_kg"] = amino / kg if per_kg and kg and amino is not None else None
        c["lipid_g_per_kg"] = lipid / kg if per_kg and kg and lipid is not None else None
        c["fluid_ml_per_kg"] = (bag_ml + separate_ml) / kg if per_kg and kg else None
        has_bag = complete and bag_ml > 0
        c["dextrose_pct"] = dextrose * 100 / bag_ml if has_bag and dextrose is not None else None
        c["amino_acids_pct"] = amino * 100 / bag_ml if has_bag and amino is not None else None
        # Final lipid concentration in the bag; None when the lipid runs separately (2-in-1).
        c["lipid_pct"] = lipid_in_bag_g * 100 / bag_ml if has_bag and lipid_in_bag_g else None
        c["lipid_kcal_pct"] = lipid_kcal * 100 / kcal if complete and kcal > 0 else None

    # ------------------------------------------------------------------ checks

    def field_for(self, spec: str) -> str:
        """Resolve ``ingredient:<content>`` to the line delivering most of that content."""
        if not spec.startswith("ingredient:"):
            return spec or "ingredients"
        key = spec.split(":", 1)[1]
        best: _Line | None = None
        best_amount = 0.0
        for line in self.lines:
            amount = line.product.content_per_ml.get(key, 0.0) * (line.volume_ml or 1.0)
            if amount > best_amount:
                best, best_amount = line, amount
        return "ingredients" if best is None else f"ingredients[{best.index}].amount"

    def check_required(self) -> None:
        needed: dict[str, tuple[str, str]] = {}
        for name, severity in self.template.required_fields.items():
            needed[name] = (severity, "[34] required by the template")
        weight_rule = self.rules.dosing_weight
        for line in self.lines:
            unit = parse_order_unit(line.row.unit)
            if unit.per_kg or unit.per_m2:
                needed["patient.weight_kg"] = (weight_rule.severity, weight_rule.source)
            if unit.per_m2:
                needed["patient.height_cm"] = (weight_rule.severity, weight_rule.source)
        present = {
            "patient.weight_kg": self.weight is not None,
            "patient.height_cm": self.height is not None,
            "access": bool(self.p.access),
            "infusion_minutes": self.minutes is not None,
            "vehicle": self.p.vehicle is not None,
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
                self.add("required.field", severity, labels[name], name, source)

    def check_doses(self) -> None:
        for line in self.lines:
            row = line.row
            where = f"ingredients[{line.index}].amount"
            amount = line.amount
            if amount > row.block_above:
                self.add(
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
                self.add(
                    "dose.outside_typical_range",
                    "warn",
                    f"{row.name}: {_fmt(amount)} {row.unit} is outside the usual "
                    f"{low}–{high} {row.unit}.",
                    where,
                    row.source,
                    to_confirm=row.to_confirm,
                )

    def resolve(self, quantity: str) -> tuple[float | None, bool]:  # noqa: PLR0911
        """(value, applicable). Content-derived quantities (``potassium_meq_per_h``) are
        computed on demand; a quantity for an absent content is not applicable."""
        if quantity in self.computed:
            value = self.computed[quantity]
            return value, True
        for suffix, needs_weight, minutes_factor in _DERIVED_SUFFIXES:
            if quantity.endswith(suffix):
                base = quantity[: -len(suffix)]
                total = self.totals.get(base, 0.0)
                if total <= 0:
                    return None, False
                if self.incomplete_volume:
                    return None, True
                value = total
                if needs_weight:
                    if not self.weight:
                        return None, True
                    value /= self.weight
                if minutes_factor is not None:
                    if not self.minutes:
                        return None, True
                    value = value * minutes_factor / self.minutes
                self.computed[quantity] = value
                return value, True
        return None, False

    def check_thresholds(self, rules: Sequence[ThresholdRule], blocked_by_required: bool) -> None:
        t = self.template
        for rule in rules:
            if not rule.scope.matches(t.id, t.category, self.p.access):
                continue
            if rule.scope.access and not self.p.access:
                continue
            if (
                rule.applies_if_present
                and self.totals.get(rule.applies_if_present, 0.0) <= 0
                and not self.incomplete_volume
            ):
                continue
            value, applicable = self.resolve(rule.quantity)
            if not applicable:
                continue
            if value is None:
                if not blocked_by_required:
                    family = rule.code.split(".", 1)[0]
                    self.add(
                        f"{family}.unknown",
                        rule.unknown_severity,
                        f"{rule.label} cannot be checked: it needs information the order "
                        f"does not give yet (weight, infusion time or volume).",
                        self.field_for(rule.field),
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
            self.add(
                rule.code,
                severity,
                message,
                self.field_for(rule.field),
                rule.source,
                to_confirm=rule.to_confirm,
                rule=rule.id,
            )

    def check_prerequisites(self) -> None:
        for prerequisite in (*self.template.prerequisites, *self.rules.prerequisites):
            if prerequisite.when_content is not None:
                threshold = prerequisite.when_above or 0.0
                if self.totals.get(prerequisite.when_content, 0.0) <= threshold:
                    continue
            self._check_prerequisite(prerequisite)

    def _check_prerequisite(self, pre: LabPrerequisite) -> None:
        candidates = [(i, lab) for i, lab in enumerate(self.patient.labs) if lab.code in pre.labs]
        src = pre.source
        if not candidates:
            self.add(
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
        age = (self.today - lab.date).days
        if pre.max_age_days is not None and age > pre.max_age_days:
            self.add(
                "prerequisite.stale",
                pre.stale_severity,
                f"{pre.name}: the newest result ({lab.date.isoformat()}) is {age} days "
                f"old; the limit is {pre.max_age_days} days.",
                where,
                src,
                to_confirm=pre.to_confirm,
                rule=pre.id,
            )
            return
        severity, decided = _lab_severity(pre, lab)
        if not decided:
            self.add(
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
            self.add(
                "prerequisite.failed",
                severity,
                f"{pre.name}: {_lab_text(lab)} on {lab.date.isoformat()}.",
                where,
                src,
                to_confirm=pre.to_confirm,
                rule=pre.id,
            )

    def check_allergies(self) -> None:
        allergies = [(a, _words(a)) for a in self.patient.allergies]
        allergies = [(a, w) for a, w in allergies if w]
        if not allergies:
            return
        rule = self.rules.allergy
        for line in self.lines:
            product = line.product
            terms = [(t, "") for t in (*product.allergy_terms, product.name)]
            terms += [(e, "excipient ") for e in product.excipients]
            self._match_allergies(
                allergies,
                terms,
                name=product.name,
                where=f"ingredients[{line.index}].code",
                severity=rule.severity,
                source=rule.source,
            )
        vehicle = self.p.vehicle
        vehicle_product = None if vehicle is None else self.formulary.vehicle(vehicle.code)
        if vehicle_product is not None:
            terms = [(t, "") for t in (*vehicle_product.allergy_terms, vehicle_product.name)]
            self._match_allergies(
                allergies,
                terms,
                name=vehicle_product.name,
                where="vehicle.code",
                severity=rule.severity,
                source=rule.source,
            )

    def _match_allergies(
        self,
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
                    self.add(
                        "allergy.ingredient",
                        severity,
                        f"Patient allergy '{allergy}' matches {name} ({kind}{term}).",
                        where,
                        source,
                    )
                    break

    def check_notes(self) -> None:
        t = self.template
        for note in self.rules.notes:
            if not note.scope.matches(t.id, t.category, self.p.access):
                continue
            if not all(self.totals.get(k, 0.0) > v for k, v in note.all_above.items()):
                continue
            if note.with_other_ingredients:
                others = [
                    line
                    for line in self.lines
                    if not any(k in line.product.content_per_ml for k in note.all_above)
                ]
                if not others:
                    continue
            self.add(
                note.code,
                note.severity,
                note.message,
                self.field_for(note.field),
                note.source,
                to_confirm=note.to_confirm,
                rule=note.id,
            )

    def check_calcium_phosphate(self) -> None:
        calcium = self.totals.get("calcium_meq", 0.0)
        phosphate = self.totals.get("phosphate_mmol", 0.0)
        if calcium <= 0 or phosphate <= 0:
            return
        rule = self.rules.calcium_phosphate
        where = self.field_for("ingredient:phosphate_mmol")
        volume = self.computed.get("total_volume_ml")
        if not volume:
            if not self.incomplete_volume:
                self.add(
                    "calcium_phosphate.unknown",
                    rule.unknown_severity,
                    "Calcium and phosphate are both present and the volume is unknown: "
                    "compatibility cannot be checked.",
                    where,
                    rule.source,
                )
            return
        ca_l = calcium * 1000 / volume
        p_l = phosphate * 1000 / volume
        self.computed["calcium_meq_l"] = ca_l
        self.computed["phosphate_mmol_l"] = p_l
        aa_pct = self.computed.get("amino_acids_pct") or (
            self.totals.get("amino_acids_g", 0.0) * 100 / volume
        )
        codes = {line.product.code for line in self.lines}
        usable = [
            curve
            for curve in rule.curves
            if (curve.amino_acid_product in codes or curve.amino_acid_product == "*")
            and aa_pct >= curve.min_amino_acids_pct
        ]
        curve = max(usable, key=lambda c: c.min_amino_acids_pct, default=None)
        limit = None if curve is None else curve.max_calcium_meq_l(p_l)
        if curve is None or limit is None:
            self.add(
                "calcium_phosphate.unknown",
                rule.unknown_severity,
                f"Calcium {_fmt(ca_l)} mEq/L with phosphate {_fmt(p_l)} mmol/L: no "
                "solubility curve is configured for this amino-acid product and "
                "concentration, so compatibility is UNKNOWN (not OK). The pharmacist "
                "must check it.",
                where,
                rule.source,
            )
            return
        if ca_l > limit:
            self.add(
                "calcium_phosphate.precipitation_risk",
                rule.precipitation_severity,
                f"Calcium {_fmt(ca_l)} mEq/L with phosphate {_fmt(p_l)} mmol/L is above "
                f"the solubility curve ({_fmt(limit)} mEq/L at this phosphate): "
                "precipitation risk.",
                where,
                curve.source or rule.source,
            )

    def check_three_in_one(self) -> None:
        lipid_pct = self.computed.get("lipid_pct")
        if not lipid_pct:
            return
        rule = self.rules.three_in_one
        aa = self.computed.get("amino_acids_pct") or 0.0
        dex = self.computed.get("dextrose_pct") or 0.0
        short = []
        if aa < rule.min_amino_acids_pct:
            short.append(f"amino acids {_fmt(aa)} % (< {_fmt(rule.min_amino_acids_pct)} %)")
        if dex < rule.min_dextrose_pct:
            short.append(f"dextrose {_fmt(dex)} % (< {_fmt(rule.min_dextrose_pct)} %)")
        if lipid_pct < rule.min_lipid_pct:
            short.append(f"lipid {_fmt(lipid_pct)} % (< {_fmt(rule.min_lipid_pct)} %)")
        if short:
            self.add(
                "stability.three_in_one",
                rule.severity,
                "3-in-1 emulsion stability not assured: "
                + ", ".join(short)
                + ". Consider a 2-in-1 with separate lipid.",
                self.field_for("ingredient:lipid_g"),
                rule.source,
            )

    def check_refeeding(self) -> None:
        rule = self.rules.refeeding
        if self.template.category not in rule.categories:
            return
        bmi = self.computed.get("bmi")
        low = [
            lab.code
            for lab in self.patient.labs
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
        where = self.field_for("ingredient:dextrose_g")
        if not level:
            if bmi is None and self.weight is not None:
                self.add(
                    "refeeding.unknown",
                    "info",
                    "Refeeding risk not assessed: BMI needs height. Weight loss and "
                    "intake are not recorded in the order; assess them clinically.",
                    "patient.height_cm",
                    rule.source,
                )
            return
        dextrose = self.computed.get("dextrose_g_day") or 0.0
        kcal_kg = self.computed.get("kcal_per_kg") or 0.0
        over = dextrose > rule.start_dextrose_max_g_day or kcal_kg > rule.start_kcal_max_per_kg
        advice = (
            f"start with dextrose ≤ {_fmt(rule.start_dextrose_max_g_day)} g/day and ≤ "
            f"{_fmt(rule.start_kcal_max_per_kg)} kcal/kg/day, thiamine 100 mg before "
            "starting, advance about 33 % every 1–2 days, electrolytes daily"
        )
        message = f"Refeeding risk {level} ({'; '.join(reasons)}): {advice}."
        if over:
            message += f" This order gives {_fmt(dextrose)} g dextrose and {_fmt(kcal_kg)} kcal/kg."
        self.add("refeeding.risk", rule.severity if over else "info", message, where, rule.source)


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
    run = _Run(
        prescription=prescription,
        patient=patient if patient is not None else prescription.patient,
        formulary=formulary,
        rules=rules,
        template=template,
        today=today if today is not None else dt.date.today(),
    )
    run.build_lines()
    run.compute()
    run.check_required()
    blocked_by_required = any(
        f.code == "required.field" and f.severity == "block" for f in run.findings
    )
    run.check_doses()
    run.check_thresholds(rules.thresholds, blocked_by_required)
    run.check_calcium_phosphate()
    run.check_three_in_one()
    run.check_prerequisites()
    run.check_allergies()
    run.check_notes()
    run.check_refeeding()
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

    A malformed body gives an ``Evaluation`` whose ``errors`` list every ``FieldError`` and
    which has no computed values or findings (``blocked`` is then true).
    """
    try:
        prescription = parse_prescription(body, catalog, today=today)
    except InvalidPrescription as invalid:
        return Evaluation(errors=list(invalid.errors))
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
