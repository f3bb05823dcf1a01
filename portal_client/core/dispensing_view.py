"""The dispensing details and the pharmacy's beyond-use date, as the detail, the sign
dialog's summary and the queue show them. The schedule of a series is the domain's
(``pharmacy_domain.dispensing.Series.schedule``), so every screen lists the same dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from html import escape
from typing import Any

from pharmacy_domain.dispensing import Series
from portal_client.core.domain_text import storage_text
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate
from portal_client.core.wire import BeyondUseWire

_SHIP_TO = {
    "clinic": QT_TRANSLATE_NOOP("Dispensing", "The clinic"),
    "patient": QT_TRANSLATE_NOOP("Dispensing", "The patient's address"),
}


def _date(text: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text))
    except ValueError:
        return None


def series_schedule(series: Mapping[str, Any]) -> tuple[dt.date, ...]:
    """Each infusion's date, or () when the series is not readable."""
    start = _date(series.get("start_date"))
    interval, infusions = series.get("interval_days"), series.get("infusions")
    if start is None or not isinstance(interval, int) or not isinstance(infusions, int):
        return ()
    return Series(start, interval, infusions).schedule()


def _every(interval: int) -> str:
    if interval == 7:
        return translate("Dispensing", "Weekly")
    if interval % 7 == 0:
        return translate("Dispensing", "Every {weeks} weeks").format(weeks=interval // 7)
    if interval == 1:
        return translate("Dispensing", "Daily")
    return translate("Dispensing", "Every {days} days").format(days=interval)


def dispensing_rows(
    dispensing: Mapping[str, Any] | None, patient: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """(label, plain text) for each detail given; [] when the order gave none."""
    if not dispensing:
        return []
    bags = dispensing.get("quantity_bags", 1)
    series = dispensing.get("series")
    rows = []
    if isinstance(series, Mapping):
        schedule = series_schedule(series)
        interval = series.get("interval_days")
        every = _every(interval) if isinstance(interval, int) else ""
        rows.append(
            (
                translate("Dispensing", "Quantity"),
                translate("Dispensing", "1 bag per infusion")
                if bags == 1
                else translate("Dispensing", "{bags} bags per infusion").format(bags=bags),
            )
        )
        rows.append((translate("Dispensing", "Series"), f"{every} × {len(schedule)}"))
        rows.append(
            (
                translate("Dispensing", "Infusions"),
                ", ".join(day.isoformat() for day in schedule),
            )
        )
    else:
        rows.append(
            (
                translate("Dispensing", "Quantity"),
                translate("Dispensing", "1 bag")
                if bags == 1
                else translate("Dispensing", "{bags} bags").format(bags=bags),
            )
        )
    ship_to = str(dispensing.get("ship_to") or "clinic")
    where = translate("Dispensing", _SHIP_TO[ship_to]) if ship_to in _SHIP_TO else ship_to
    address = str(patient.get("address") or "")
    rows.append(
        (
            translate("Dispensing", "Ship to"),
            f"{where}: {address}" if ship_to == "patient" and address else where,
        )
    )
    if dispensing.get("needed_by"):
        rows.append((translate("Dispensing", "Needed by"), str(dispensing["needed_by"])))
    if dispensing.get("pharmacy_notes"):
        rows.append((translate("Dispensing", "Dispensing note"), str(dispensing["pharmacy_notes"])))
    return rows


def dispensing_html(dispensing: Mapping[str, Any] | None, patient: Mapping[str, Any]) -> str:
    """The DISPENSING section ('' without details)."""
    rows = dispensing_rows(dispensing, patient)
    if not rows:
        return ""
    cells = "".join(
        f"<tr><td class='k'>{escape(label)}</td>"
        f"<td class='v'>{escape(value).replace(chr(10), '<br>')}</td></tr>"
        for label, value in rows
    )
    return translate("Dispensing", "<p class='h'>DISPENSING</p>") + f"<table>{cells}</table>"


def beyond_use_text(beyond_use: BeyondUseWire) -> str:
    return translate("Dispensing", "Use by {date} · {storage}").format(
        date=beyond_use.date, storage=_storage(beyond_use)
    )


def _storage(beyond_use: BeyondUseWire) -> str:
    """The storage in the interface language (an unknown code as the server worded it)."""
    return storage_text(beyond_use.storage) or beyond_use.storage_label


def beyond_use_html(beyond_use: BeyondUseWire | None) -> str:
    """What the pharmacy stated on marking it ready ('' before)."""
    if beyond_use is None:
        return ""
    return (
        translate("Dispensing", "<p class='h'>READY AT THE PHARMACY</p>")
        + "<table><tr><td class='k'>"
        + escape(translate("Dispensing", "Beyond-use date"))
        + f"</td><td class='v'><b>{escape(beyond_use.date)}</b></td></tr><tr><td class='k'>"
        + escape(translate("Dispensing", "Storage"))
        + f"</td><td class='v'>{escape(_storage(beyond_use))}</td></tr></table>"
    )
