"""Excipients and allergies: what a product carries besides its active ingredient.

Three checks, all data:

* **Cross-terms** (``allergy_cross_terms`` in ``formulary.json``): an allergy the patient
  names reaches products that do not share its words (corn → dextrose, egg → egg
  phospholipids of the lipid emulsion, sulfites → metabisulfite...), each with a source.
* **Unknown excipients**: a product whose label was not checked (``excipients_checked``
  false) cannot be cleared of any allergy, so each allergy check on it says "unknown"
  (a warning), never "OK". An empty excipient list means "none" only once checked.
* **The very young** (``excipients_young`` in ``rules.json``): benzyl alcohol, propylene
  glycol, polysorbates and aluminium for neonates and infants; a product with unchecked
  excipients says "unknown" for them too.

Matching is on whole words in order, as the engine's allergy check: "sulfa" does not match
"sulfate".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from pharmacy_domain.population import Age, Concern

SEVERITIES = ("info", "warn", "block")


class ExcipientDataError(ValueError):
    """The cross-term or excipient rule data is malformed."""


_WORD = re.compile(r"[a-z0-9+]+")


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(text.casefold()))


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    size = len(needle)
    return size > 0 and any(
        haystack[i : i + size] == needle for i in range(len(haystack) - size + 1)
    )


@lru_cache(maxsize=8192)
def mentions(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words in order."""
    return _contains(words(text), words(phrase))


@lru_cache(maxsize=8192)
def direct_match(allergy: str, term: str) -> bool:
    """The engine's own allergy rule: either contains the other as whole words."""
    a, t = words(allergy), words(term)
    return _contains(t, a) or _contains(a, t)


@dataclass(frozen=True)
class CrossTerm:
    """An allergy (any of ``allergies``) that reaches products naming any of ``reaches``."""

    id: str
    allergies: tuple[str, ...]
    reaches: tuple[str, ...]
    severity: str
    source: str
    to_confirm: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "allergies": list(self.allergies),
            "reaches": list(self.reaches),
            "severity": self.severity,
            "source": self.source,
            "to_confirm": self.to_confirm,
        }


@dataclass(frozen=True)
class AllergyData:
    """The formulary's allergy knowledge beyond each product's own terms."""

    cross_terms: tuple[CrossTerm, ...] = ()
    #: Entries that say "no known allergy" (NKDA): not an allergy to check.
    no_allergy_markers: tuple[str, ...] = ()
    unknown_severity: str = "warn"
    unknown_source: str = ""

    def to_wire(self) -> dict[str, Any]:
        return {
            "cross_terms": [term.to_wire() for term in self.cross_terms],
            "no_allergy_markers": list(self.no_allergy_markers),
            "unknown_severity": self.unknown_severity,
            "unknown_source": self.unknown_source,
        }


@dataclass(frozen=True)
class YoungPatientRule:
    """Excipients to flag below an age (days or years), with the reason and its source."""

    id: str
    excipients: tuple[str, ...]
    under_age_days: int | None
    under_age_years: int | None
    group: str
    severity: str
    reason: str
    source: str
    to_confirm: bool = False

    def applies(self, age: Age) -> bool:
        if self.under_age_days is not None and age.days < self.under_age_days:
            return True
        return self.under_age_years is not None and age.years < self.under_age_years


@dataclass(frozen=True)
class YoungExcipientRules:
    rules: tuple[YoungPatientRule, ...] = ()
    #: Below this age a product with unchecked excipients says "unknown".
    unknown_under_age_years: int = 2
    unknown_severity: str = "warn"
    source: str = ""


class OrderItem(NamedTuple):
    """What the checks need of one product on the order (an ingredient or the vehicle)."""

    where: str
    name: str
    terms: tuple[str, ...]
    excipients: tuple[str, ...]
    excipients_checked: bool
    excipients_source: str


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise ExcipientDataError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    return str(value)


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise ExcipientDataError(f"{where} must be a list of text")
    return tuple(str(item) for item in raw)


def allergy_data_from_dict(raw: Mapping[str, Any] | None) -> AllergyData:
    if not raw:
        return AllergyData()
    try:
        terms = tuple(
            CrossTerm(
                id=str(item["id"]),
                allergies=_strings(item["allergies"], f"cross-term {item['id']}.allergies"),
                reaches=_strings(item["reaches"], f"cross-term {item['id']}.reaches"),
                severity=_severity(item.get("severity", "block"), f"cross-term {item['id']}"),
                source=str(item["source"]),
                to_confirm=bool(item.get("to_confirm", False)),
            )
            for item in raw.get("cross_terms", [])
        )
        return AllergyData(
            cross_terms=terms,
            no_allergy_markers=_strings(raw.get("no_allergy_markers"), "no_allergy_markers"),
            unknown_severity=_severity(raw.get("unknown_severity", "warn"), "allergy unknown"),
            unknown_source=str(raw.get("unknown_source", "")),
        )
    except (KeyError, TypeError) as error:
        raise ExcipientDataError(f"malformed allergy cross-terms: {error!r}") from None


def young_rules_from_dict(raw: Mapping[str, Any] | None) -> YoungExcipientRules:
    if not raw:
        return YoungExcipientRules()
    try:
        rules = []
        for item in raw.get("rules", []):
            where = f"excipient rule {item['id']}"
            days, years = item.get("under_age_days"), item.get("under_age_years")
            if days is None and years is None:
                raise ExcipientDataError(f"{where}: give under_age_days or under_age_years")
            rules.append(
                YoungPatientRule(
                    id=str(item["id"]),
                    excipients=_strings(item["excipients"], f"{where}.excipients"),
                    under_age_days=None if days is None else int(days),
                    under_age_years=None if years is None else int(years),
                    group=str(item["group"]),
                    severity=_severity(item.get("severity", "warn"), where),
                    reason=str(item["reason"]),
                    source=str(item["source"]),
                    to_confirm=bool(item.get("to_confirm", False)),
                )
            )
        return YoungExcipientRules(
            rules=tuple(rules),
            unknown_under_age_years=int(raw.get("unknown_under_age_years", 2)),
            unknown_severity=_severity(raw.get("unknown_severity", "warn"), "excipients_young"),
            source=str(raw.get("source", "")),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, ExcipientDataError):
            raise
        raise ExcipientDataError(f"malformed excipients_young: {error!r}") from None


# ----------------------------------------------------------------------------- checks


def real_allergies(allergies: Iterable[str], data: AllergyData) -> list[str]:
    """The entries that name an allergy ("NKDA" and the like do not)."""
    markers = {words(marker) for marker in data.no_allergy_markers}
    return [a for a in allergies if words(a) and words(a) not in markers]


def _reached(item: OrderItem, term: CrossTerm) -> str | None:
    return next(
        (reach for reach in term.reaches for text in item.terms if mentions(text, reach)), None
    )


def check_allergies(
    allergies: Sequence[str], items: Sequence[OrderItem], data: AllergyData
) -> list[Concern]:
    """Cross-term matches the engine's direct check misses, then "unknown" for each product
    whose excipients were never checked against its label (when there is an allergy)."""
    found: list[Concern] = []
    named = real_allergies(allergies, data)
    if not named:
        return found
    # Which cross-terms each allergy names, once per order rather than once per product.
    naming = {
        allergy: [t for t in data.cross_terms if any(mentions(allergy, a) for a in t.allergies)]
        for allergy in named
    }
    for item in items:
        unmatched: list[str] = []
        for allergy in named:
            if any(direct_match(allergy, text) for text in item.terms):
                continue  # the engine's allergy.ingredient already says so
            for term in naming[allergy]:
                reach = _reached(item, term)
                if reach is not None:
                    found.append(
                        Concern(
                            "allergy.cross_reactive",
                            term.severity,
                            f"Patient allergy '{allergy}' may extend to {item.name} ({reach}).",
                            item.where,
                            term.source,
                            term.to_confirm,
                            term.id,
                        )
                    )
                    break
            else:
                unmatched.append(allergy)
        if unmatched and not item.excipients_checked:
            listed = ", ".join(f"'{a}'" for a in unmatched)
            found.append(
                Concern(
                    "allergy.excipients_unknown",
                    data.unknown_severity,
                    f"Allergy check incomplete: the excipients of {item.name} have not been "
                    f"checked against its label, so {listed} cannot be ruled out (UNKNOWN, "
                    "not OK).",
                    item.where,
                    item.excipients_source or data.unknown_source,
                    True,
                    "excipients-unchecked",
                )
            )
    return found


def check_young_patient(
    age: Age, items: Sequence[OrderItem], rules: YoungExcipientRules
) -> list[Concern]:
    """Excipients named for neonates and infants; "unknown" for unchecked products."""
    found: list[Concern] = []
    rules_apply = [rule for rule in rules.rules if rule.applies(age)]
    if not rules_apply and age.years >= rules.unknown_under_age_years:
        return found  # most patients: nothing to look at
    for item in items:
        for rule in rules_apply:
            carried = next(
                (e for e in item.excipients for name in rule.excipients if mentions(e, name)),
                None,
            )
            if carried is not None:
                found.append(
                    Concern(
                        "excipient.young_patient",
                        rule.severity,
                        f"{item.name} contains {carried}, which matters for {rule.group} "
                        f"(the patient is {age.text()}): {rule.reason}",
                        item.where,
                        rule.source,
                        rule.to_confirm,
                        rule.id,
                    )
                )
        if not item.excipients_checked and age.years < rules.unknown_under_age_years:
            found.append(
                Concern(
                    "excipient.unknown",
                    rules.unknown_severity,
                    f"The excipients of {item.name} have not been checked against its label: "
                    f"benzyl alcohol, propylene glycol, polysorbate or aluminium cannot be "
                    f"ruled out for a patient {age.text()} (UNKNOWN, not OK).",
                    item.where,
                    item.excipients_source or rules.source,
                    True,
                    "excipients-unchecked-young",
                )
            )
    return found
