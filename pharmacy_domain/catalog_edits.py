"""Checking an edited template or formulary before it becomes a draft version.

The parsers (``template_from_dict``, ``formulary_from_dict``) stop at the first problem
and speak of the data file; an editor needs every problem it can find, each named by
the field it is in (``ingredients[2].max_amount``, ``products[5]``), so the person
editing can go to it. The structural checks here run first, field by field; what only
the parser knows (a default outside its range, an unknown unit) is then reported against
the row it names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pharmacy_domain.field_checks import FieldError
from pharmacy_domain.formulary import FormularyError, formulary_from_dict
from pharmacy_domain.templates import TemplateError, template_from_dict

_TEMPLATE_REQUIRED = ("name", "ingredients", "access_routes", "default_access")
_INGREDIENT_TEXT = ("code", "name", "unit")
_INGREDIENT_NUMBERS = ("default_amount", "min_amount", "max_amount")
_INGREDIENT_OPTIONAL_NUMBERS = ("typical_min", "typical_max", "hard_max")
_VEHICLE_NUMBERS = ("default_volume_ml", "min_volume_ml", "max_volume_ml")
_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


def _is_number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float)


def _row_errors(
    rows: Any, where: str, text: tuple[str, ...], numbers: tuple[str, ...]
) -> list[FieldError]:
    if not isinstance(rows, list):
        return [FieldError(where, "must be a list")]
    errors: list[FieldError] = []
    for index, row in enumerate(rows):
        path = f"{where}[{index}]"
        if not isinstance(row, Mapping):
            errors.append(FieldError(path, "must be an object"))
            continue
        for key in text:
            if not isinstance(row.get(key), str) or not row[key].strip():
                errors.append(FieldError(f"{path}.{key}", "is required"))
        for key in numbers:
            if not _is_number(row.get(key)):
                errors.append(FieldError(f"{path}.{key}", "must be a number"))
        if where == "ingredients":
            for key in _INGREDIENT_OPTIONAL_NUMBERS:
                if row.get(key) is not None and not _is_number(row[key]):
                    errors.append(FieldError(f"{path}.{key}", "must be a number or empty"))
    return errors


def _row_field_of(message: str, data: Mapping[str, Any]) -> str:
    """The row a parser's message is about: the first ingredient code it mentions."""
    for index, row in enumerate(data.get("ingredients") or ()):
        code = row.get("code") if isinstance(row, Mapping) else None
        if isinstance(code, str) and code and re.search(rf"\b{re.escape(code)}\b", message):
            return f"ingredients[{index}]"
    for key in ("default_access", "access_routes", "admixture", "required_fields"):
        if key.replace("_", " ") in message or key in message:
            return key
    return "content"


def template_field_errors(data: Any, template_id: str) -> list[FieldError]:
    """Every problem of a template's content, by field; empty when it would publish."""
    if not isinstance(data, Mapping):
        return [FieldError("content", "must be an object")]
    errors: list[FieldError] = []
    if not _ID_PATTERN.match(template_id):
        errors.append(FieldError("id", "must be lower-case letters, digits and hyphens"))
    if data.get("id", template_id) != template_id:
        errors.append(FieldError("id", "must be the template's id"))
    for key in _TEMPLATE_REQUIRED:
        if key not in data:
            errors.append(FieldError(key, "is required"))
    if "name" in data and (not isinstance(data["name"], str) or not data["name"].strip()):
        errors.append(FieldError("name", "is required"))
    if "ingredients" in data:
        errors += _row_errors(
            data["ingredients"], "ingredients", _INGREDIENT_TEXT, _INGREDIENT_NUMBERS
        )
    if "vehicles" in data:
        errors += _row_errors(data["vehicles"], "vehicles", ("code", "name"), _VEHICLE_NUMBERS)
    if "access_routes" in data and not isinstance(data["access_routes"], list):
        errors.append(FieldError("access_routes", "must be a list"))
    if errors:
        return errors
    try:
        template_from_dict({**data, "id": template_id, "version": 1})
    except TemplateError as error:
        message = str(error).removeprefix(f"template {template_id}: ")
        return [FieldError(_row_field_of(message, data), message)]
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        # A value of the wrong shape the parser does not name (a list for an object).
        return [FieldError("content", f"malformed: {error.__class__.__name__}")]
    return []


def formulary_field_errors(data: Any) -> list[FieldError]:
    """Every problem of a formulary document, by product or vehicle row."""
    if not isinstance(data, Mapping):
        return [FieldError("content", "must be an object")]
    errors: list[FieldError] = []
    for key in ("products", "vehicles"):
        rows = data.get(key, [] if key == "vehicles" else None)
        if not isinstance(rows, list):
            errors.append(FieldError(key, "must be a list"))
            continue
        for index, row in enumerate(rows):
            single = {"products": [row] if key == "products" else [], key: [row]}
            try:
                formulary_from_dict(single)
            except FormularyError as error:
                errors.append(FieldError(f"{key}[{index}]", str(error)))
            except (AttributeError, KeyError, TypeError, ValueError) as error:
                errors.append(FieldError(f"{key}[{index}]", f"malformed: {type(error).__name__}"))
    if errors:
        return errors
    try:
        formulary_from_dict({**data, "version": 1})
    except (FormularyError, AttributeError, KeyError, TypeError, ValueError) as error:
        return [FieldError("content", str(error))]
    return []
