"""The pharmacy's stock products and vehicles (``resources/formulary.json``).

Each product states what one mL holds in each measure it may be ordered in (``measures``),
what that measure is *of* (salt or ion: the Abacus lesson), what it delivers
(``content_per_ml``, used for totals such as potassium mEq/h or dextrose g/day), its
osmolarity and energy, excipients that matter for allergies, storage and the source of
every number. Numbers the reference marks [unverified], [C] or [calc] carry
``to_confirm`` so the portal can say "pharmacy to confirm".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pharmacy_domain.excipients import AllergyData, ExcipientDataError, allergy_data_from_dict
from pharmacy_domain.resources import load_json
from pharmacy_domain.units import UnitError, amount_to_ml, per_ml


class FormularyError(ValueError):
    """The formulary data file is malformed."""


@dataclass(frozen=True)
class StockProduct:
    code: str
    name: str
    kind: str
    measures: Mapping[str, float]
    measure_of: Mapping[str, str]
    content_per_ml: Mapping[str, float]
    osmolarity_mosm_l: float | None
    kcal_per_ml: float
    salt_of: tuple[str, ...]
    excipients: tuple[str, ...]
    allergy_terms: tuple[str, ...]
    storage: tuple[str, ...]
    source: str
    to_confirm: bool
    unconfirmed: tuple[str, ...] = ()
    notes: str = ""
    # An empty excipient list means "none" only when the label was checked (with a source);
    # unchecked, every allergy or excipient check on this product says "unknown".
    excipients_checked: bool = False
    excipients_source: str = ""

    def per_ml(self, measure: str) -> float:
        return per_ml(self.measures, measure)

    def to_ml(self, amount: float, measure: str) -> float:
        return amount_to_ml(amount, measure, self.measures)

    def supports(self, measure: str) -> bool:
        try:
            self.per_ml(measure)
        except UnitError:
            return False
        return True

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "measures": dict(self.measures),
            "measure_of": dict(self.measure_of),
            "content_per_ml": dict(self.content_per_ml),
            "osmolarity_mosm_l": self.osmolarity_mosm_l,
            "kcal_per_ml": self.kcal_per_ml,
            "salt_of": list(self.salt_of),
            "excipients": list(self.excipients),
            "excipients_checked": self.excipients_checked,
            "excipients_source": self.excipients_source,
            "allergy_terms": list(self.allergy_terms),
            "storage": list(self.storage),
            "source": self.source,
            "to_confirm": self.to_confirm,
            "unconfirmed": list(self.unconfirmed),
            "notes": self.notes,
        }


@dataclass(frozen=True)
class VehicleProduct:
    code: str
    name: str
    osmolarity_mosm_l: float
    content_per_ml: Mapping[str, float]
    kcal_per_ml: float
    allergy_terms: tuple[str, ...]
    source: str
    to_confirm: bool
    unconfirmed: tuple[str, ...] = ()

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "osmolarity_mosm_l": self.osmolarity_mosm_l,
            "content_per_l": {k: v * 1000 for k, v in self.content_per_ml.items()},
            "energy_kcal_per_l": self.kcal_per_ml * 1000,
            "allergy_terms": list(self.allergy_terms),
            "source": self.source,
            "to_confirm": self.to_confirm,
            "unconfirmed": list(self.unconfirmed),
        }


class Formulary:
    """Stock products and vehicles, looked up by code."""

    def __init__(
        self,
        products: list[StockProduct],
        vehicles: list[VehicleProduct],
        version: int = 1,
        allergies: AllergyData | None = None,
    ) -> None:
        self.version = version
        self.allergies = allergies if allergies is not None else AllergyData()
        self.products: dict[str, StockProduct] = {}
        self.vehicles: dict[str, VehicleProduct] = {}
        for product in products:
            if product.code in self.products:
                raise FormularyError(f"product {product.code} defined twice")
            self.products[product.code] = product
        for vehicle in vehicles:
            if vehicle.code in self.vehicles:
                raise FormularyError(f"vehicle {vehicle.code} defined twice")
            self.vehicles[vehicle.code] = vehicle

    def product(self, code: str) -> StockProduct | None:
        return self.products.get(code)

    def vehicle(self, code: str) -> VehicleProduct | None:
        return self.vehicles.get(code)

    def to_wire(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "products": [p.to_wire() for p in self.products.values()],
            "vehicles": [v.to_wire() for v in self.vehicles.values()],
        }


def _float_map(raw: Any, where: str) -> dict[str, float]:
    if not isinstance(raw, Mapping):
        raise FormularyError(f"{where} must be an object")
    result: dict[str, float] = {}
    for key, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise FormularyError(f"{where}.{key} must be a non-negative number")
        result[str(key)] = float(value)
    return result


def _strings(raw: Any) -> tuple[str, ...]:
    return tuple(str(item) for item in raw or ())


def _kcal_per_ml(energy: Any, content: Mapping[str, float], where: str) -> float:
    """Energy per mL, from either ``kcal_per_ml`` or ``kcal_per_g`` of one content."""
    if energy is None:
        return 0.0
    if "kcal_per_ml" in energy:
        return float(energy["kcal_per_ml"])
    of = str(energy.get("of", ""))
    if of not in content:
        raise FormularyError(f"{where}: energy is per g of {of!r}, which it does not contain")
    return float(energy["kcal_per_g"]) * content[of]


def _product(raw: Mapping[str, Any]) -> StockProduct:
    where = f"product {raw.get('code', '?')}"
    content = _float_map(raw.get("content_per_ml", {}), f"{where}.content_per_ml")
    osmolarity = raw.get("osmolarity_mosm_l")
    if raw.get("excipients_checked") and not raw.get("excipients_source"):
        raise FormularyError(f"{where}: excipients_checked needs the label it was checked on")
    return StockProduct(
        code=str(raw["code"]),
        name=str(raw["name"]),
        kind=str(raw.get("kind", "other")),
        measures=_float_map(raw.get("measures", {}), f"{where}.measures"),
        measure_of={str(k): str(v) for k, v in (raw.get("measure_of") or {}).items()},
        content_per_ml=content,
        osmolarity_mosm_l=None if osmolarity is None else float(osmolarity),
        kcal_per_ml=_kcal_per_ml(raw.get("energy"), content, where),
        salt_of=_strings(raw.get("salt_of")),
        excipients=_strings(raw.get("excipients")),
        allergy_terms=_strings(raw.get("allergy_terms")),
        storage=_strings(raw.get("storage")),
        source=str(raw.get("source", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
        unconfirmed=_strings(raw.get("unconfirmed")),
        notes=str(raw.get("notes", "")),
        excipients_checked=bool(raw.get("excipients_checked", False)),
        excipients_source=str(raw.get("excipients_source", "")),
    )


def _vehicle(raw: Mapping[str, Any]) -> VehicleProduct:
    where = f"vehicle {raw.get('code', '?')}"
    per_litre = _float_map(raw.get("content_per_l", {}), f"{where}.content_per_l")
    return VehicleProduct(
        code=str(raw["code"]),
        name=str(raw["name"]),
        osmolarity_mosm_l=float(raw["osmolarity_mosm_l"]),
        content_per_ml={k: v / 1000 for k, v in per_litre.items()},
        kcal_per_ml=float(raw.get("energy_kcal_per_l", 0)) / 1000,
        allergy_terms=_strings(raw.get("allergy_terms")),
        source=str(raw.get("source", "")),
        to_confirm=bool(raw.get("to_confirm", False)),
        unconfirmed=_strings(raw.get("unconfirmed")),
    )


def formulary_from_dict(data: Mapping[str, Any]) -> Formulary:
    """Build a formulary from its file form."""
    try:
        products = [_product(row) for row in data["products"]]
        vehicles = [_vehicle(row) for row in data.get("vehicles", [])]
        allergies = allergy_data_from_dict(data.get("allergy_cross_terms"))
    except ExcipientDataError as error:
        raise FormularyError(str(error)) from None
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, FormularyError):
            raise
        raise FormularyError(f"malformed formulary: {error!r}") from None
    return Formulary(products, vehicles, int(data.get("version", 1)), allergies)


def load_formulary(path: Path | None = None) -> Formulary:
    """Read ``resources/formulary.json`` (or ``path``)."""
    if path is None:
        data = load_json("formulary.json")
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
    return formulary_from_dict(data)
