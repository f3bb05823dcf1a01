"""Account administration for pharmacy admins: users, their sessions, and the audit
trail filtered and exported to CSV.

Blocking: every function taking an ``ApiClient`` does network I/O (and
``export_audit_csv`` disk I/O). Call them from a background operation, never on the GUI
thread. The audit trail holds ids, account names, references and codes, never patient
data (the server keeps it so), so its CSV is safe to hand to an inspector.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pharmacy_domain.licences import licence_expiry_problem
from portal_client.core.i18n import translate
from portal_client.core.prescription_list import parse_timestamp
from portal_client.core.wire import (
    AdminUserPage,
    AdminUserWire,
    AuditEventWire,
    AuditPage,
    SessionPage,
    SessionsEndedWire,
)

if TYPE_CHECKING:
    from portal_client.core.api_client import ApiClient

#: RX-<yymmdd>-<number>, as the server hands out references.
REFERENCE_PATTERN = re.compile(r"RX-[0-9]{6}-[0-9]{4,}")
EXPORT_PAGE_SIZE = 100
CSV_COLUMNS = (
    "time_local",
    "time_utc",
    "who",
    "role",
    "action",
    "outcome",
    "from_address",
    "target",
    "details",
    "seq",
    "hash",
)
# A cell a spreadsheet would run as a formula: quoted with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ------------------------------------------------------------------ users


def users(client: ApiClient) -> AdminUserPage:
    return client.read(AdminUserPage, "GET", "/admin/users")


def set_active(client: ApiClient, user_id: str, active: bool) -> AdminUserWire:
    """Disable (its sessions end at once) or re-enable an account."""
    return client.read(
        AdminUserWire, "PATCH", f"/admin/users/{user_id}", json_body={"is_active": active}
    )


def set_licence_expiry(client: ApiClient, user_id: str, expires_on: dt.date) -> AdminUserWire:
    return client.read(
        AdminUserWire,
        "PATCH",
        f"/admin/users/{user_id}",
        json_body={"licence_expires_on": expires_on.isoformat()},
    )


def reset_two_factor(client: ApiClient, user_id: str) -> AdminUserWire:
    """The account's authenticator is forgotten and a re-enrolment code is mailed."""
    return client.read(
        AdminUserWire, "POST", f"/admin/users/{user_id}/two-factor/reset", json_body={}
    )


def sessions(client: ApiClient, user_id: str) -> SessionPage:
    return client.read(SessionPage, "GET", f"/admin/users/{user_id}/sessions")


def end_session(client: ApiClient, user_id: str, session_id: str) -> SessionsEndedWire:
    return client.read(SessionsEndedWire, "DELETE", f"/admin/users/{user_id}/sessions/{session_id}")


def end_all_sessions(client: ApiClient, user_id: str) -> SessionsEndedWire:
    return client.read(SessionsEndedWire, "DELETE", f"/admin/users/{user_id}/sessions")


def licence_date_problem(text: str, today: dt.date) -> tuple[dt.date | None, str | None]:
    """The date typed for a licence expiry, or why it is not one (worded for the user)."""
    try:
        expires_on = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None, translate("AccountAdmin", "Enter the date as YYYY-MM-DD, e.g. 2027-06-30.")
    problem = licence_expiry_problem(expires_on, today)
    if problem is not None:
        return None, translate("AccountAdmin", "The expiry date {problem}.").format(problem=problem)
    return expires_on, None


# ------------------------------------------------------------------ times


def local_time_text(stamp: Any, tz: dt.tzinfo | None = None) -> str:
    """``2026-11-26T15:09:01Z`` → ``2026-11-26 07:09:01`` in the computer's time zone
    (or ``tz``); "—" when there is none."""
    parsed = parse_timestamp(stamp)
    if parsed is None:
        return "—"
    return parsed.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


# ------------------------------------------------------------------ the audit trail


@dataclass(frozen=True)
class AuditFilter:
    """What the admin filters on. Dates are local calendar days, both ends included."""

    actor_id: str | None = None
    action: str | None = None
    from_day: dt.date | None = None
    to_day: dt.date | None = None
    reference: str | None = None

    def problem(self) -> str | None:
        if self.reference is not None and not REFERENCE_PATTERN.fullmatch(self.reference):
            return translate(
                "AccountAdmin", "A reference looks like RX-261126-0001: check the reference."
            )
        if self.from_day and self.to_day and self.to_day < self.from_day:
            return translate("AccountAdmin", "The end date is before the start date.")
        return None

    def params(self, tz: dt.tzinfo | None = None) -> dict[str, str | None]:
        """The query: local days become instants with their offset (local midnight)."""
        return {
            "actor_id": self.actor_id,
            "action": self.action,
            "reference": self.reference,
            "occurred_from": None if self.from_day is None else _midnight(self.from_day, tz),
            "occurred_before": None
            if self.to_day is None
            else _midnight(self.to_day + dt.timedelta(days=1), tz),
        }


def _midnight(day: dt.date, tz: dt.tzinfo | None) -> str:
    """The start of ``day`` in ``tz`` (the computer's zone when None), with its offset."""
    if tz is None:
        # A naive time is taken as local time, and given the offset of that date.
        return dt.datetime.combine(day, dt.time()).astimezone().isoformat()
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).isoformat()


def audit_page(
    client: ApiClient,
    audit_filter: AuditFilter,
    cursor: str | None = None,
    limit: int = 50,
    tz: dt.tzinfo | None = None,
) -> AuditPage:
    """One page of the filtered audit trail, newest first."""
    params: dict[str, Any] = {"cursor": cursor, "limit": limit, **audit_filter.params(tz)}
    return client.read(AuditPage, "GET", "/admin/audit", params=params)


def who_text(event: AuditEventWire) -> str:
    """``Alex Morgan (admin1)``, from the names the server adds; older events fall back to
    the username, anonymous callers to "anonymous"."""
    name, username = event.actor_name, event.actor_username
    if name and username:
        return f"{name} ({username})"
    if name or username:
        return str(name or username)
    if event.actor_id:
        return f"{event.actor_role or 'user'} {event.actor_id[:8]}"
    return translate("AccountAdmin", "anonymous")


def target_text(event: AuditEventWire) -> str:
    """``RX-261126-0001``, ``user dr.chen``; an id only when there is no label."""
    kind, ident = event.target_type, event.target_id
    if not kind:
        return ""
    if event.target_label:
        return event.target_label if kind == "prescription" else f"{kind} {event.target_label}"
    return f"{kind} {ident[:8]}" if ident else kind


def details_text(event: AuditEventWire) -> str:
    return ", ".join(f"{key}: {value}" for key, value in sorted(event.details.items()))


def csv_row(event: AuditEventWire, tz: dt.tzinfo | None = None) -> list[str]:
    cells = [
        local_time_text(event.occurred_at, tz),
        event.occurred_at,
        who_text(event),
        event.actor_role or "",
        event.action,
        event.outcome,
        event.client_address or "",
        target_text(event),
        details_text(event),
        str(event.seq),
        event.hash,
    ]
    return [f"'{cell}" if cell.startswith(_FORMULA_START) else cell for cell in cells]


def audit_events(
    client: ApiClient, audit_filter: AuditFilter, page_size: int = EXPORT_PAGE_SIZE
) -> Iterator[tuple[AuditEventWire, int]]:
    """Every event the filter matches, newest first, page by page, with the total."""
    cursor: str | None = None
    while True:
        page = audit_page(client, audit_filter, cursor=cursor, limit=page_size)
        for event in page.items:
            yield event, page.total
        cursor = page.next_cursor
        if cursor is None:
            return


def export_audit_csv(
    client: ApiClient,
    audit_filter: AuditFilter,
    path: Path,
    *,
    page_size: int = EXPORT_PAGE_SIZE,
    progress: Callable[[int, int], None] | None = None,
    tz: dt.tzinfo | None = None,
) -> int:
    """Write every matching event to ``path`` as CSV (UTF-8, a header row); returns how
    many. Written beside it first and renamed, so a failed export leaves no half file
    and an older export is replaced only by a whole one."""
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    try:
        with partial.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for event, total in audit_events(client, audit_filter, page_size):
                writer.writerow(csv_row(event, tz))
                count += 1
                if progress is not None:
                    progress(count, total)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return count
