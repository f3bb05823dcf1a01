"""Pharmacy prescription templates: what a prescriber may order, and within which limits.

Templates are data (``resources/templates/*.json``), versioned, and identical on
the client and the server: the ISMP asks that prescribing and pharmacy
templates match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pharmacy_domain.resources import load_json, resource_path

ACCESS_ROUTES = ("peripheral", "central", "push")


class TemplateError(ValueError):
    """A template data file is malformed."""


@dataclass(frozen=True)
class TemplateIngredient:
    """One orderable ingredient row of a template.

    ``min_amount``/``max_amount`` are the allowed range: an amount outside it is refused.
    ``typical_min``/``typical_max`` are the usual range: outside it the prescriber is warned.
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

    def to_wire(self) -> dict[str, Any]:
        return {
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

    def ingredient(self, code: str) -> TemplateIngredient | None:
        return next((row for row in self.ingredients if row.code == code), None)

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
            "id", "version", "name", "category", "description", "ingredients",
            "access_routes", "default_access", "vehicles", "infusion_minutes", "sources",
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
        )
    except KeyError as missing:
        raise TemplateError(f"{where}: missing field {missing}") from None
    _check_template(template)
    return template


def _check_template(template: Template) -> None:
    where = f"template {template.id}"
    codes = [row.code for row in template.ingredients]
    if len(codes) != len(set(codes)):
        raise TemplateError(f"{where}: an ingredient code appears twice")
    for row in template.ingredients:
        if not row.min_amount <= row.default_amount <= row.max_amount:
            raise TemplateError(f"{where}: {row.code} default lies outside its allowed range")
    for route in template.access_routes:
        if route not in ACCESS_ROUTES:
            raise TemplateError(f"{where}: unknown access route {route!r}")
    if template.default_access not in template.access_routes:
        raise TemplateError(f"{where}: default access is not one of its access routes")


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
