"""One evaluation's working state: the order's lines, what they add up to, and the findings.

``CheckRun`` turns a parsed order into per-line volumes and the bag's totals (volumes,
osmolarity, rates, nutrition figures) and collects findings; the checks themselves live
by family in ``order_checks``, ``patient_checks`` and ``nutrition_checks``, and
``engine.evaluate`` runs them in order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pharmacy_domain.formulary import Formulary, StockProduct
from pharmacy_domain.infusion import InfusionInputs, infusion_figures
from pharmacy_domain.prescription import Patient, Prescription
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import Template, TemplateIngredient
from pharmacy_domain.units import body_surface_area_m2, parse_order_unit

SEVERITY_RANK = {"info": 0, "warn": 1, "block": 2}
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
class Line:
    index: int
    row: TemplateIngredient
    product: StockProduct
    amount: float
    volume_ml: float | None  # None: depends on a missing weight or height
    in_bag: bool


class CheckRun:
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
        self.lines: list[Line] = []
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
                Line(index, row, product, line.amount, volume, not row.separate_container)
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

    def field_for(self, spec: str) -> str:
        """Resolve ``ingredient:<content>`` to the line delivering most of that content."""
        if not spec.startswith("ingredient:"):
            return spec or "ingredients"
        key = spec.split(":", 1)[1]
        best: Line | None = None
        best_amount = 0.0
        for line in self.lines:
            amount = line.product.content_per_ml.get(key, 0.0) * (line.volume_ml or 1.0)
            if amount > best_amount:
                best, best_amount = line, amount
        return "ingredients" if best is None else f"ingredients[{best.index}].amount"

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

    def separate_contents(self) -> dict[str, float]:
        """What the lines in their own container (the separate lipid) hold."""
        held: dict[str, float] = {}
        for line in self.lines:
            if not line.in_bag and line.volume_ml is not None:
                for key, per_ml in line.product.content_per_ml.items():
                    held[key] = held.get(key, 0.0) + per_ml * line.volume_ml
        return held

    def bag_contents(self) -> dict[str, float]:
        """The bag's own contents (vehicle included): concentrations are per litre of it."""
        separate = self.separate_contents()
        return {k: v - separate.get(k, 0.0) for k, v in self.totals.items()}

    def compute_infusion(self) -> None:
        """Lipid rate and hang time, per-litre potassium, a cycled bag's plateau."""
        self.computed.update(
            infusion_figures(
                InfusionInputs(
                    template=self.template,
                    weight_kg=self.weight,
                    bag_ml=self.computed.get("total_volume_ml"),
                    bag_minutes=self.minutes,
                    bag_contents=self.bag_contents(),
                    separate_lipid_g=self.separate_contents().get("lipid_g", 0.0),
                    lipid_infusion_hours=self.p.lipid_infusion_hours,
                    volume_known=not self.incomplete_volume,
                )
            )
        )
