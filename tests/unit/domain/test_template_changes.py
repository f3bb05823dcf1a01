"""Saying what changed between two versions of a template, from the shipped data."""

from __future__ import annotations

import dataclasses

import pytest

from pharmacy_domain.template_changes import diff_templates
from pharmacy_domain.templates import Template, TemplateCatalog


def _myers(catalog: TemplateCatalog) -> Template:
    template = catalog.get("myers-infusion", 1)
    assert template is not None
    return template


def test_the_same_version_has_no_changes(catalog: TemplateCatalog) -> None:
    myers = _myers(catalog)
    changes = diff_templates(myers, myers)
    assert not changes.changed
    assert changes.lines() == []


def test_a_lowered_limit_is_named_with_both_values(catalog: TemplateCatalog) -> None:
    old = _myers(catalog)
    magnesium = old.ingredients[0]
    lowered = dataclasses.replace(magnesium, hard_max=4.0, typical_max=4.0)
    new = dataclasses.replace(
        old, version=old.version + 1, ingredients=(lowered, *old.ingredients[1:])
    )
    changes = diff_templates(old, new)
    assert changes.changed
    texts = [change.text for change in changes.changes]
    assert texts == [
        f"{magnesium.name}: usual maximum 5 mL → 4 mL",
        f"{magnesium.name}: hard limit 5 mL → 4 mL",
    ]
    assert changes.lines()[0] == (
        f"{old.name} changed since version {old.version} (now version {old.version + 1})"
    )


def test_rows_vehicles_routes_and_times_added_and_removed(catalog: TemplateCatalog) -> None:
    old = _myers(catalog)
    dropped_row, *kept_rows = old.ingredients
    dropped_vehicle, *kept_vehicles = old.vehicles
    new = dataclasses.replace(
        old,
        version=old.version + 1,
        ingredients=(*kept_rows, dataclasses.replace(dropped_row, code="new-row", name="New")),
        vehicles=tuple(kept_vehicles),
        access_routes=(*old.access_routes, "implanted-port"),
        infusion_minutes_min=(old.infusion_minutes_min or 0) + 15,
    )
    texts = [change.text for change in diff_templates(old, new).changes]
    assert f"{dropped_row.name}: removed from the template" in texts
    assert "New: added to the template" in texts
    assert f"{dropped_vehicle.name}: no longer offered" in texts
    assert "Access implanted-port: now allowed" in texts
    assert any(text.startswith("Infusion time: shortest") for text in texts)


def test_a_new_version_changing_nothing_relied_on_says_so(catalog: TemplateCatalog) -> None:
    old = _myers(catalog)
    new = dataclasses.replace(old, version=old.version + 1, description="Reworded.")
    assert diff_templates(old, new).lines()[1:] == [
        "No dose, limit, vehicle or access route changed."
    ]


def test_two_different_templates_are_refused(catalog: TemplateCatalog) -> None:
    other = catalog.get("myers-push", 1)
    assert other is not None
    with pytest.raises(ValueError, match="not two versions"):
        diff_templates(_myers(catalog), other)
