"""The patient record's shared rules: every lab the checks read has a name, allergies
are coded from the formulary's vocabulary, and a record's dates and labs are checked."""

from __future__ import annotations

import datetime as dt

import pytest

from pharmacy_domain.formulary import Formulary
from pharmacy_domain.patient_records import (
    LabListError,
    RecordAllergy,
    allergy_problems,
    allergy_vocabulary,
    birth_date_problems,
    lab_display_name,
    lab_problems,
    named_lab,
    named_labs,
    named_labs_from_data,
)
from pharmacy_domain.prescription import LabResult
from pharmacy_domain.rules import Rules
from pharmacy_domain.templates import TemplateCatalog

TODAY = dt.date(2026, 11, 26)


def test_every_lab_the_rules_and_templates_read_has_a_name(
    catalog: TemplateCatalog, rules: Rules
) -> None:
    needed = {code for pre in rules.prerequisites for code in pre.labs}
    needed |= set(rules.refeeding.low_lab_codes)
    for latest in catalog.latest():
        for version in range(1, latest.version + 1):
            template = catalog.get(latest.id, version)
            if template is not None:
                needed |= {code for pre in template.prerequisites for code in pre.labs}
    assert needed, "the shipped rules name labs"
    unnamed = sorted(code for code in needed if named_lab(code) is None)
    assert unnamed == []


def test_people_read_names_and_the_checks_read_codes() -> None:
    assert lab_display_name("g6pd") == "G6PD"
    assert lab_display_name("EGFR") == "eGFR"
    assert named_lab("creatinine") is not None
    assert [lab.code for lab in named_labs()][:3] == ["g6pd", "creatinine", "egfr"]


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"labs": [{"code": "g6pd", "name": "G6PD"}]},
        {"labs": [{"code": "G6PD", "name": "G6PD", "unit": ""}]},
        {"labs": [{"code": "a", "name": "A", "unit": ""}, {"code": "a", "name": "B", "unit": ""}]},
    ],
)
def test_a_malformed_lab_list_is_refused(raw: object) -> None:
    with pytest.raises(LabListError):
        named_labs_from_data(raw)


def test_the_allergy_vocabulary_holds_allergens_excipients_and_cross_terms(
    formulary: Formulary,
) -> None:
    vocabulary = allergy_vocabulary(formulary)
    assert {"corn", "egg", "soy", "sulfites", "benzyl alcohol", "dextrose"} <= set(vocabulary)
    assert list(vocabulary) == sorted(vocabulary)
    problems = allergy_problems(
        [RecordAllergy("corn", "corn"), RecordAllergy("penicilin", "x"), RecordAllergy(None, " ")],
        vocabulary,
    )
    assert [p.field for p in problems] == ["allergies[1].code", "allergies[2].text"]


def test_a_record_s_labs_and_dates_are_checked() -> None:
    labs = [
        LabResult("g6pd", TODAY, None, "", "normal"),
        LabResult("g6pdx", TODAY, 1.0, "", ""),
        LabResult("creatinine", TODAY + dt.timedelta(days=1), 0.9, "mg/dL", ""),
        LabResult("egfr", TODAY, None, "", ""),
        LabResult("egfr", TODAY, 90, "", "fine"),
    ]
    assert [(p.field, p.reason[:20]) for p in lab_problems(labs, TODAY)] == [
        ("labs[1].code", "is not a lab of the "),
        ("labs[2].date", "lies in the future"),
        ("labs[3]", "needs a value or an "),
        ("labs[4].interpretation", "must be one of norma"),
    ]
    assert birth_date_problems(dt.date(1890, 1, 1), TODAY)[0].reason == "is more than 130 years ago"
    assert (
        birth_date_problems(TODAY + dt.timedelta(days=1), TODAY)[0].reason == "lies in the future"
    )
    assert birth_date_problems(dt.date(1980, 4, 2), TODAY) == []
