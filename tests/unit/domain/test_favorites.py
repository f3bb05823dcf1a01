"""Favorites in the domain: only the order is kept, the template's limits hold, and a
newer template version is applied with every difference said."""

from __future__ import annotations

import dataclasses

import pytest

from pharmacy_domain.engine import default_body
from pharmacy_domain.favorites import (
    InvalidFavorite,
    apply_to_current,
    check_favorite_content,
    check_favorite_name,
    name_key,
    order_content,
)
from pharmacy_domain.templates import Template, TemplateCatalog
from tests.unit.domain.conftest import adult


def _myers(catalog: TemplateCatalog) -> Template:
    template = catalog.get("myers-infusion", 1)
    assert template is not None
    return template


def test_the_order_is_kept_and_the_patient_never(catalog: TemplateCatalog) -> None:
    myers = _myers(catalog)
    body = default_body(myers, adult()) | {"notes": "Seen on Tuesday", "acknowledgements": []}
    content = order_content(body)
    assert set(content) == {"ingredients", "access", "vehicle", "infusion_minutes"}
    checked = check_favorite_content(content, myers)
    assert checked["ingredients"] == body["ingredients"]
    assert "patient" not in checked and "notes" not in checked


def test_patient_data_sent_as_content_is_refused(catalog: TemplateCatalog) -> None:
    myers = _myers(catalog)
    with pytest.raises(InvalidFavorite) as refused:
        check_favorite_content({"patient": adult(), "ingredients": []}, myers)
    assert "content.patient" in [error.field for error in refused.value.errors]


def test_a_dose_above_the_hard_limit_is_refused_naming_the_field(
    catalog: TemplateCatalog,
) -> None:
    myers = _myers(catalog)
    content = order_content(default_body(myers, adult()))
    magnesium = myers.ingredients[0]
    content["ingredients"][0]["amount"] = magnesium.block_above + 1  # inside the entry range
    with pytest.raises(InvalidFavorite) as refused:
        check_favorite_content(content, myers)
    [error] = refused.value.errors
    assert error.field == "content.ingredients[0].amount"
    assert "hard limit" in error.reason


def test_names_follow_the_text_rules() -> None:
    assert check_favorite_name("  Myers' — my usual ") == "Myers' — my usual"
    assert name_key("My  Usual") == name_key("my usual")
    for bad in ("", "   ", "a\u202eb", "x" * 81, None):
        with pytest.raises(InvalidFavorite) as refused:
            check_favorite_name(bad)
        assert refused.value.errors[0].field == "name"


def test_a_newer_version_is_applied_and_every_difference_said(
    catalog: TemplateCatalog,
) -> None:
    old = _myers(catalog)
    content = check_favorite_content(order_content(default_body(old, adult())), old)
    content["ingredients"][0]["amount"] = 5.0
    magnesium, calcium, *rest = old.ingredients
    lowered = dataclasses.replace(magnesium, hard_max=4.0, typical_max=4.0, max_amount=4.0)
    vehicles = old.vehicles[1:]  # the saved vehicle is withdrawn
    new = dataclasses.replace(
        old, version=2, ingredients=(lowered, *rest), vehicles=vehicles, access_routes=("central",)
    )
    moved = apply_to_current(content, 1, old, new)
    assert moved.template_changed
    assert [line["code"] for line in moved.content["ingredients"]] == [
        magnesium.code,
        *(row.code for row in rest),
    ]
    assert moved.content["ingredients"][0]["amount"] == 5.0  # kept as saved, never lowered
    assert moved.content["vehicle"]["code"] == vehicles[0].code
    assert moved.content["access"] == ""
    text = "\n".join(moved.lines())
    assert "changed since version 1 (now version 2)" in text
    assert f"{calcium.name}: removed from the template" in text
    assert f"{calcium.name}: no longer in the template, left out of this order" in text
    assert f"{magnesium.name}: 5 mL is outside this version's limits" in text
    assert "no longer offered" in text and "Access peripheral: no longer allowed" in text


def test_the_same_version_says_nothing(catalog: TemplateCatalog) -> None:
    myers = _myers(catalog)
    content = check_favorite_content(order_content(default_body(myers, adult())), myers)
    moved = apply_to_current(content, 1, myers, myers)
    assert moved.lines() == [] and moved.content == content


def test_an_unreadable_old_version_asks_for_every_dose_to_be_reviewed(
    catalog: TemplateCatalog,
) -> None:
    myers = _myers(catalog)
    newer = dataclasses.replace(myers, version=3)
    content = check_favorite_content(order_content(default_body(myers, adult())), myers)
    moved = apply_to_current(content, 1, None, newer)
    assert moved.lines() == [
        f"{myers.name} changed since version 1 (now version 3); review every dose."
    ]
