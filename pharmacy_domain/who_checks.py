"""Who the order is for and what its products carry: the checks the engine runs after its
own allergy check (``population.py``, ``excipients.py``), from plain inputs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pharmacy_domain.excipients import OrderItem, check_allergies, check_young_patient
from pharmacy_domain.formulary import Formulary, StockProduct, VehicleProduct
from pharmacy_domain.population import Concern, age_on, check_population
from pharmacy_domain.prescription import Patient
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import Template


def order_items(
    products: Sequence[tuple[int, StockProduct]], vehicle: VehicleProduct | None
) -> list[OrderItem]:
    """Each ordered product with its allergy terms and excipients, and the vehicle (a
    defined solution: its composition is its label, so its excipients count as checked)."""
    items = [
        OrderItem(
            where=f"ingredients[{index}].code",
            name=product.name,
            terms=(product.name, *product.allergy_terms, *product.excipients),
            excipients=product.excipients,
            excipients_checked=product.excipients_checked,
            excipients_source=product.excipients_source,
        )
        for index, product in products
    ]
    if vehicle is not None:
        terms = (vehicle.name, *vehicle.allergy_terms)
        items.append(OrderItem("vehicle.code", vehicle.name, terms, (), True, vehicle.source))
    return items


def who_and_what(
    products: Sequence[tuple[int, StockProduct]],
    vehicle: VehicleProduct | None,
    *,
    patient: Patient,
    weight_kg: float | None,
    template: Template,
    formulary: Formulary,
    rules: Rules,
    today: dt.date,
) -> list[Concern]:
    """The template's population, allergy cross-terms and unchecked excipients, and the
    excipients that matter for neonates and infants, on the order's date."""
    items = order_items(products, vehicle)
    found = check_population(
        template.population,
        template_name=template.name,
        birth_date=patient.birth_date,
        weight_kg=weight_kg,
        today=today,
    )
    found += check_allergies(patient.allergies, items, formulary.allergies)
    found += check_young_patient(age_on(patient.birth_date, today), items, rules.young_excipients)
    return found
