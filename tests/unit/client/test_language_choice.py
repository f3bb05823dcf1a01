"""The language setting and the choice it leads to, without Qt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal_client.core import i18n
from portal_client.core.i18n import QT_TRANSLATE_NOOP, choose_language
from portal_client.core.settings import Settings, load_settings, save_settings


@pytest.mark.parametrize(
    ("setting", "system", "expected"),
    [
        ("es", ["en-US", "en"], "es"),  # the setting wins over the system
        ("en", ["es-MX", "es"], "en"),
        ("system", ["es-Latn-MX", "es-MX", "es"], "es"),
        ("system", ["es_US"], "es"),
        ("system", ["fr-CA", "es-US", "en-US"], "es"),  # the first language we have
        ("system", ["fr-FR", "de-DE"], "en"),  # none we have: the source language
        ("system", ["C"], "en"),
        ("system", [], "en"),
    ],
)
def test_language_comes_from_the_setting_then_the_system(
    setting: str, system: list[str], expected: str
) -> None:
    assert choose_language(setting, system) == expected


def test_the_marker_returns_its_text_unchanged() -> None:
    assert QT_TRANSLATE_NOOP("Context", "Sign in") == "Sign in"


def test_every_language_has_a_catalogue() -> None:
    folder = Path(__file__).resolve().parents[3] / "resources" / "translations"
    for language in i18n.LANGUAGES:
        assert (folder / f"portal_{language}.ts").is_file()
        assert (folder / f"portal_{language}.qm").is_file()
    assert set(i18n.LANGUAGE_CHOICES) == {"system", *i18n.LANGUAGES}


def test_language_setting_round_trips_and_defaults_to_the_system(tmp_path: Path) -> None:
    target = tmp_path / "config" / "settings.json"
    assert Settings().language == "system"
    save_settings(Settings(language="es"), target)
    assert load_settings(target).language == "es"


@pytest.mark.parametrize("value", ["fr", "ES", "", 1, None, ["es"]])
def test_an_unknown_language_is_dropped_alone(tmp_path: Path, value: object) -> None:
    target = tmp_path / "settings.json"
    target.write_text(
        json.dumps({"language": value, "review_status_filter": "approved"}), encoding="utf-8"
    )
    settings = load_settings(target)
    assert settings.language == "system"
    assert settings.review_status_filter == "approved"


def test_the_domain_words_are_all_marked_for_the_catalogues() -> None:
    from pharmacy_domain.status import ACTIONS, STATUS_LABELS
    from portal_client.core.domain_text import MARKED

    words = set(STATUS_LABELS.values())
    for action in ACTIONS.values():
        words |= {action.label, action.past, action.note_label}
    assert set(MARKED) == words


def test_the_storage_conditions_are_all_marked_for_the_catalogues() -> None:
    from pharmacy_domain.status import STORAGE_CONDITIONS
    from portal_client.core.domain_text import STORAGE_WORDS

    assert STORAGE_WORDS == STORAGE_CONDITIONS


def test_the_template_categories_are_all_marked_for_the_catalogues() -> None:
    from pharmacy_domain.templates import load_template_catalog
    from portal_client.core.domain_text import CATEGORY_WORDS, category_text

    categories = {template.category for template in load_template_catalog().latest()}
    assert set(CATEGORY_WORDS) == categories
    assert category_text("parenteral-nutrition") == "Parenteral nutrition"
    assert category_text("new-kind_of-bag") == "New kind of bag"  # not yet in the table


def test_the_lab_names_and_interpretations_are_all_marked_for_the_catalogues() -> None:
    from pharmacy_domain.patient_records import named_labs
    from pharmacy_domain.prescription import LAB_INTERPRETATIONS
    from portal_client.core.domain_text import INTERPRETATION_WORDS, LAB_WORDS, lab_text

    assert {lab.code: lab.name for lab in named_labs()} == LAB_WORDS
    assert {word: word for word in LAB_INTERPRETATIONS} == INTERPRETATION_WORDS
    assert lab_text("an-integrators-code") == "an-integrators-code"
