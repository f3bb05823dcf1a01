"""The admin's audit filter, local times and CSV cells, without a server."""

from __future__ import annotations

import datetime as dt
from typing import Any

from portal_client.core.account_admin import (
    AuditFilter,
    csv_row,
    licence_date_problem,
    local_time_text,
    target_text,
    who_text,
)
from portal_client.core.wire import AuditEventWire

NEW_YORK_WINTER = dt.timezone(dt.timedelta(hours=-5))


def event(**fields: Any) -> AuditEventWire:
    base: dict[str, Any] = {
        "seq": 7,
        "occurred_at": "2026-12-03T02:30:00.000001Z",
        "actor_id": "5b0e0f4e-1111-4222-8333-444455556666",
        "actor_role": "admin",
        "action": "account.disable",
        "outcome": "success",
        "target_type": "user",
        "target_id": "9d0e0f4e-1111-4222-8333-444455556666",
        "client_address": "10.0.0.5",
        "details": {},
        "prev_hash": "0" * 64,
        "hash": "a" * 64,
        "actor_username": "admin1",
        "actor_name": "Alex Morgan",
        "target_label": "dr.chen",
    }
    return AuditEventWire(**(base | fields))


def test_local_time_is_the_zone_s_wall_clock() -> None:
    assert local_time_text("2026-12-03T02:30:00Z", NEW_YORK_WINTER) == "2026-12-02 21:30:00"
    assert local_time_text(None) == "—"


def test_local_days_become_instants_with_their_offset() -> None:
    chosen = AuditFilter(from_day=dt.date(2026, 12, 1), to_day=dt.date(2026, 12, 2))
    params = chosen.params(NEW_YORK_WINTER)
    assert params["occurred_from"] == "2026-12-01T00:00:00-05:00"
    assert params["occurred_before"] == "2026-12-03T00:00:00-05:00"  # the end day included
    assert chosen.problem() is None
    assert AuditFilter(from_day=dt.date(2026, 12, 2), to_day=dt.date(2026, 12, 1)).problem()
    assert AuditFilter(reference="Smith").problem()
    assert AuditFilter(reference="RX-261126-0001").problem() is None


def test_names_and_references_replace_ids() -> None:
    assert who_text(event()) == "Alex Morgan (admin1)"
    assert who_text(event(actor_name=None, actor_username=None, actor_id=None)) == "anonymous"
    assert target_text(event()) == "user dr.chen"
    rx = event(target_type="prescription", target_label="RX-261126-0001")
    assert target_text(rx) == "RX-261126-0001"
    assert target_text(event(target_label=None)) == "user 9d0e0f4e"


def test_a_cell_a_spreadsheet_would_run_is_quoted() -> None:
    row = csv_row(event(outcome="=HYPERLINK(1)", client_address="-1+1"), NEW_YORK_WINTER)
    assert row[0] == "2026-12-02 21:30:00" and row[1].endswith("Z")
    assert row[5] == "'=HYPERLINK(1)" and row[6] == "'-1+1"
    assert row[2] == "Alex Morgan (admin1)"  # ordinary cells as they are


def test_licence_dates_are_worded_for_the_admin() -> None:
    today = dt.date(2026, 12, 3)
    assert licence_date_problem("2028-06-30", today) == (dt.date(2028, 6, 30), None)
    date, problem = licence_date_problem("30/06/2028", today)
    assert date is None and problem and "YYYY-MM-DD" in problem
    date, problem = licence_date_problem("2040-01-01", today)
    assert date is None and problem and "2036-12-03" in problem
