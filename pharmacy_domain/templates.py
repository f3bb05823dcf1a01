"""Pharmacy prescription templates: what a prescriber may order, and within which limits.

Templates are data (``resources/templates/*.json``), versioned, and identical on
the client and the server: the ISMP asks that prescribing and pharmacy
templates match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pharmacy_domain.infusion import InfusionSpecError, check_template_specs
from pharmacy_domain.population import Population, PopulationError, population_from_dict
from pharmacy_domain.prerequisites import LabPrerequisite, PrerequisiteError, prerequisite_from_dict
from pharmacy_domain.resources import load_json, resource_path
from pharmacy_domain.units import UnitError, parse_order_unit

ACCESS_ROUTES = ("peripheral", "central", "push")
ADMIXTURES = ("2-in-1", "3-in-1")
REQUIRABLE_FIELDS = (
    "patient.weight_kg",
    "patient.height_cm",
    "access",
    "infusion_minutes",
    "vehicle",
)


class TemplateError(ValueError):
    """A template data file is malformed."""


@dataclass(frozen=True)
class TemplateIngredient:
    """One orderable ingredient row of a template.

    Three tiers, all in the row's ``unit`` (which may be per kg, per m² or per day):

    * ``typical_min``/``typical_max``: the usual range; outside it the check engine warns.
    * ``hard_max``: the clinical hard limit; above it the engine blocks (pharmacist only).
    * ``min_amount``/``max_amount``: the entry range; ``parse_prescription`` refuses an amount
      outside it as malformed (a typing slip, not a clinical judgement).

    ``code`` is the formulary product code. ``separate_container`` marks an ingredient given
    from its own container (lipid of a 2-in-1 order): it counts for energy and dose, not for
    the bag's volume or osmolarity.
    """

    code: str
    name: str
    unit: str
    default_amount: float
    min_amount: float
    max_amount: float
    typical_min: float | None = None
    typical_max: float | None = None
    dosing_basis: str = "per_bag"  # "per_bag", "per_day" or "per_kg"
    to_confirm: bool = False  # the reference marks a number unverified: pharmacy to confirm
    source: str = ""
    hard_max: float | None = None
    separate_container: bool = False

    @property
    def block_above(self) -> float:
        """The hard limit (defaults to the entry maximum)."""
        return self.max_amount if self.hard_max is None else self.hard_max

    def to_wire(self) -> dict[str, Any]:
        return {
            "hard_max": self.block_above,
            "separate_container": self.separate_container,
            "code": self.code,
            "name": self.name,
            "unit": self.unit,
            "default_amount": self.default_amount,
            "min_amount": self.min_amount,
            "max_amount": self.max_amount,
            "typical_min": self.typical_min,
            "typical_max": self.typical_max,
            "dosing_basis": self.dosing_basis,
            "to_confirm": self.to_confirm,
            "source": self.source,
        }


@dataclass(frozen=True)
class VehicleOption:
    """A base solution the template may be compounded in."""

    code: str
    name: str
    default_volume_ml: float
    min_volume_ml: float
    max_volume_ml: float

    def to_wire(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "default_volume_ml": self.default_volume_ml,
            "min_volume_ml": self.min_volume_ml,
            "max_volume_ml": self.max_volume_ml,
        }


@dataclass(frozen=True)
class Template:
    """A published, versioned prescription template."""

    id: str
    version: int
    name: str
    category: str
    description: str
    ingredients: tuple[TemplateIngredient, ...]
    access_routes: tuple[str, ...]
    default_access: str
    vehicles: tuple[VehicleOption, ...] = ()
    infusion_minutes_default: int | None = None
    infusion_minutes_min: int | None = None
    infusion_minutes_max: int | None = None
    sources: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)
    admixture: str | None = None
    access_required: bool = False
    required_fields: Mapping[str, str] = field(default_factory=dict)
    prerequisites: tuple[LabPrerequisite, ...] = ()
    population: Population | None = None  # whom it is for; None: not stated (checks warn)

    @property
    def is_nutrition(self) -> bool:
        return self.category == "parenteral-nutrition"

    def ingredient(self, code: str) -> TemplateIngredient | None:
        return self._rows_by_code.get(code)

    @cached_property
    def _rows_by_code(self) -> dict[str, TemplateIngredient]:
        # cached_property writes the instance __dict__ directly, so it works when frozen.
        return {row.code: row for row in self.ingredients}

    def vehicle(self, code: str) -> VehicleOption | None:
        return next((row for row in self.vehicles if row.code == code), None)

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "version": self.version,
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "ingredients": [row.to_wire() for row in self.ingredients],
            "access_routes": list(self.access_routes),
            "default_access": self.default_access,
            "vehicles": [row.to_wire() for row in self.vehicles],
            "infusion_minutes": {
                "default": self.infusion_minutes_default,
                "min": self.infusion_minutes_min,
                "max": self.infusion_minutes_max,
            },
            "sources": list(self.sources),
            "admixture": self.admixture,
            "access_required": self.access_required,
            "required_fields": dict(self.required_fields),
            "prerequisites": [p.to_wire() for p in self.prerequisites],
            "population": None if self.population is None else self.population.to_wire(),
            **dict(self.extra),
        }


def _number(data: Mapping[str, Any], key: str, where: str) -> float:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TemplateError(f"{where}: '{key}' must be a number, got {value!r}")
    return float(value)


def _optional_number(data: Mapping[str, Any], key: str, where: str) -> float | None:
    return None if data.get(key) is None else _number(data, key, where)


def _optional_int(data: Mapping[str, Any], key: str, where: str) -> int | None:
    value = _optional_number(data, key, where)
    return None if value is None else int(value)


def template_from_dict(data: Mapping[str, Any]) -> Template:
    """Build a template from its wire or file form, checking its internal consistency."""
    where = f"template {data.get('id', '?')}"
    try:
        ingredients = tuple(
            TemplateIngredient(
                code=str(row["code"]),
                name=str(row["name"]),
                unit=str(row["unit"]),
                default_amount=_number(row, "default_amount", f"{where} {row.get('code')}"),
                min_amount=_number(row, "min_amount", f"{where} {row.get('code')}"),
                max_amount=_number(row, "max_amount", f"{where} {row.get('code')}"),
                typical_min=_optional_number(row, "typical_min", where),
                typical_max=_optional_number(row, "typical_max", where),
                dosing_basis=str(row.get("dosing_basis", "per_bag")),
                to_confirm=bool(row.get("to_confirm", False)),
                source=str(row.get("source", "")),
                hard_max=_optional_number(row, "hard_max", where),
                separate_container=bool(row.get("separate_container", False)),
            )
            for row in data["ingredients"]
        )
        vehicles = tuple(
            VehicleOption(
                code=str(row["code"]),
                name=str(row["name"]),
                default_volume_ml=_number(row, "default_volume_ml", where),
                min_volume_ml=_number(row, "min_volume_ml", where),
                max_volume_ml=_number(row, "max_volume_ml", where),
            )
            for row in data.get("vehicles", [])
        )
        infusion = data.get("infusion_minutes") or {}
        known = {
            "id",
            "version",
            "name",
            "category",
            "description",
            "ingredients",
            "access_routes",
            "default_access",
            "vehicles",
            "infusion_minutes",
            "sources",
            "admixture",
            "access_required",
            "required_fields",
            "prerequisites",
            "population",
        }
        template = Template(
            id=str(data["id"]),
            version=int(data["version"]),
            name=str(data["name"]),
            category=str(data.get("category", "infusion")),
            description=str(data.get("description", "")),
            ingredients=ingredients,
            access_routes=tuple(str(a) for a in data["access_routes"]),
            default_access=str(data["default_access"]),
            vehicles=vehicles,
            infusion_minutes_default=_optional_int(infusion, "default", where),
            infusion_minutes_min=_optional_int(infusion, "min", where),
            infusion_minutes_max=_optional_int(infusion, "max", where),
            sources=tuple(str(s) for s in data.get("sources", [])),
            extra={k: v for k, v in data.items() if k not in known},
            admixture=None if data.get("admixture") is None else str(data["admixture"]),
            access_required=bool(data.get("access_required", False)),
            required_fields={
                str(k): str(v) for k, v in (data.get("required_fields") or {}).items()
            },
            prerequisites=tuple(prerequisite_from_dict(p) for p in data.get("prerequisites", [])),
            population=None
            if data.get("population") is None
            else population_from_dict(data["population"], f"{where} population"),
        )
    except KeyError as missing:
        raise TemplateError(f"{where}: missing field {missing}") from None
    except (PrerequisiteError, PopulationError) as error:
        raise TemplateError(f"{where}: {error}") from None
    _check_template(template)
    return template


def _check_row(row: TemplateIngredient, where: str) -> None:
    if not row.min_amount <= row.default_amount <= row.max_amount:
        raise TemplateError(f"{where}: {row.code} default lies outside its allowed range")
    if not row.min_amount <= row.block_above <= row.max_amount:
        raise TemplateError(f"{where}: {row.code} hard limit lies outside its entry range")
    if row.default_amount > row.block_above:
        raise TemplateError(f"{where}: {row.code} default lies above its hard limit")
    try:
        unit = parse_order_unit(row.unit)
    except UnitError as error:
        raise TemplateError(f"{where}: {row.code}: {error}") from None
    if unit.dosing_basis != row.dosing_basis and not (
        unit.dosing_basis == "per_bag" and row.dosing_basis == "per_day"
    ):
        raise TemplateError(
            f"{where}: {row.code} unit {row.unit} does not match basis {row.dosing_basis}"
        )


def _check_template(template: Template) -> None:
    where = f"template {template.id}"
    codes = [row.code for row in template.ingredients]
    if len(codes) != len(set(codes)):
        raise TemplateError(f"{where}: an ingredient code appears twice")
    for row in template.ingredients:
        _check_row(row, where)
    try:
        check_template_specs(template)
    except InfusionSpecError as error:
        raise TemplateError(str(error)) from None
    for route in template.access_routes:
        if route not in ACCESS_ROUTES:
            raise TemplateError(f"{where}: unknown access route {route!r}")
    if template.default_access not in template.access_routes:
        raise TemplateError(f"{where}: default access is not one of its access routes")
    if template.admixture is not None and template.admixture not in ADMIXTURES:
        raise TemplateError(f"{where}: admixture must be one of {', '.join(ADMIXTURES)}")
    for name, severity in template.required_fields.items():
        if name not in REQUIRABLE_FIELDS or severity not in ("info", "warn", "block"):
            raise TemplateError(f"{where}: cannot require {name!r} with severity {severity!r}")


class TemplateCatalog:
    """The published templates, looked up by id and version."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._by_key: dict[tuple[str, int], Template] = {}
        for template in templates:
            if template.key in self._by_key:
                raise TemplateError(f"template {template.id} v{template.version} defined twice")
            self._by_key[template.key] = template

    def get(self, template_id: str, version: int) -> Template | None:
        return self._by_key.get((template_id, version))

    def latest(self) -> list[Template]:
        """The newest version of each template, in name order."""
        newest: dict[str, Template] = {}
        for template in self._by_key.values():
            current = newest.get(template.id)
            if current is None or template.version > current.version:
                newest[template.id] = template
        return sorted(newest.values(), key=lambda t: t.name.casefold())

    def every_version(self) -> list[Template]:
        """Every version it holds (the server seeds its database from them)."""
        return list(self._by_key.values())

    def __len__(self) -> int:
        return len(self._by_key)


def load_template_catalog(directory: Path | None = None) -> TemplateCatalog:
    """Read every ``*.json`` template from ``directory`` (default: resources/templates)."""
    folder = directory if directory is not None else resource_path("templates")
    templates = []
    for path in sorted(folder.glob("*.json")):
        data = load_json("templates", path.name) if directory is None else _read(path)
        try:
            templates.append(template_from_dict(data))
        except TemplateError as error:
            raise TemplateError(f"{path.name}: {error}") from None
    return TemplateCatalog(templates)


def _read(path: Path) -> Any:
    import json

    return json.loads(path.read_text(encoding="utf-8"))
