"""Lab prerequisites: which dated result an order needs, how old it may be, what fails it.

Used both by templates (baseline PN labs) and by the rule table (the vitamin C G6PD gate,
which applies to any template delivering more than the pharmacy's threshold).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("info", "warn", "block")


class PrerequisiteError(ValueError):
    """A prerequisite definition is malformed."""


@dataclass(frozen=True)
class NumericLimits:
    """Numeric limits for a lab value, in one unit; a result in another unit cannot be compared."""

    unit: str
    warn_below: float | None = None
    warn_above: float | None = None
    block_below: float | None = None
    block_above: float | None = None

    def severity(self, value: float) -> str | None:
        if (self.block_below is not None and value < self.block_below) or (
            self.block_above is not None and value > self.block_above
        ):
            return "block"
        if (self.warn_below is not None and value < self.warn_below) or (
            self.warn_above is not None and value > self.warn_above
        ):
            return "warn"
        return None

    def to_wire(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "warn_below": self.warn_below,
            "warn_above": self.warn_above,
            "block_below": self.block_below,
            "block_above": self.block_above,
        }


@dataclass(frozen=True)
class LabPrerequisite:
    """A dated lab result (any of ``labs``) the order needs.

    ``when_content``/``when_above``: only when the order delivers more than this much of a
    content (e.g. ``ascorbic_acid_mg`` above 200), and at most ``when_at_most`` when given.
    ``inherited``: the result is a trait (G6PD status), so an old result still counts: a
    failing one fails at any age, and an old passing one raises ``stale_severity`` for
    confirmation instead of passing. ``passing`` interpretations pass;
    ``failing`` maps an interpretation to the severity it raises; any other interpretation
    that the numeric limits cannot decide raises ``other_severity`` ("unknown is never OK").
    """

    id: str
    name: str
    labs: tuple[str, ...]
    max_age_days: int | None = None
    passing: tuple[str, ...] = ("normal",)
    failing: Mapping[str, str] = field(default_factory=dict)
    other_severity: str = "warn"
    missing_severity: str = "warn"
    stale_severity: str = "warn"
    numeric: NumericLimits | None = None
    when_content: str | None = None
    when_above: float | None = None
    source: str = ""
    to_confirm: bool = False
    when_at_most: float | None = None
    inherited: bool = False

    def to_wire(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "labs": list(self.labs),
            "max_age_days": self.max_age_days,
            "passing": list(self.passing),
            "failing": dict(self.failing),
            "other_severity": self.other_severity,
            "missing_severity": self.missing_severity,
            "stale_severity": self.stale_severity,
            "numeric": None if self.numeric is None else self.numeric.to_wire(),
            "when": None
            if self.when_content is None
            else {
                "content": self.when_content,
                "above": self.when_above,
                "at_most": self.when_at_most,
            },
            "source": self.source,
            "to_confirm": self.to_confirm,
            "inherited": self.inherited,
        }


def _severity(value: Any, where: str) -> str:
    if value not in SEVERITIES:
        raise PrerequisiteError(f"{where}: severity must be one of {', '.join(SEVERITIES)}")
    return str(value)


def _optional_float(raw: Mapping[str, Any], key: str) -> float | None:
    value = raw.get(key)
    return None if value is None else float(value)


def prerequisite_from_dict(raw: Mapping[str, Any]) -> LabPrerequisite:
    where = f"prerequisite {raw.get('id', '?')}"
    try:
        labs = raw["labs"]
        if isinstance(labs, str) or not labs:
            raise PrerequisiteError(f"{where}: 'labs' must be a non-empty list of lab codes")
        numeric_raw = raw.get("numeric")
        numeric = None
        if numeric_raw is not None:
            numeric = NumericLimits(
                unit=str(numeric_raw["unit"]),
                warn_below=_optional_float(numeric_raw, "warn_below"),
                warn_above=_optional_float(numeric_raw, "warn_above"),
                block_below=_optional_float(numeric_raw, "block_below"),
                block_above=_optional_float(numeric_raw, "block_above"),
            )
        when = raw.get("when") or {}
        max_age = raw.get("max_age_days")
        return LabPrerequisite(
            id=str(raw["id"]),
            name=str(raw.get("name", raw["id"])),
            labs=tuple(str(code).lower() for code in labs),
            max_age_days=None if max_age is None else int(max_age),
            passing=tuple(str(i) for i in raw.get("passing", ("normal",))),
            failing={str(k): _severity(v, where) for k, v in (raw.get("failing") or {}).items()},
            other_severity=_severity(raw.get("other_severity", "warn"), where),
            missing_severity=_severity(raw.get("missing_severity", "warn"), where),
            stale_severity=_severity(raw.get("stale_severity", "warn"), where),
            numeric=numeric,
            when_content=None if not when else str(when["content"]),
            when_above=None if not when else float(when.get("above", 0)),
            source=str(raw.get("source", "")),
            to_confirm=bool(raw.get("to_confirm", False)),
            when_at_most=_optional_float(when, "at_most") if when else None,
            inherited=bool(raw.get("inherited", False)),
        )
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, PrerequisiteError):
            raise
        raise PrerequisiteError(f"{where}: malformed ({error!r})") from None
