"""The licence expiry rule both the admin's dialog and the server apply."""

from __future__ import annotations

import datetime as dt

from pharmacy_domain.licences import licence_expiry_problem

TODAY = dt.date(2026, 12, 3)


def test_dates_within_ten_years_ahead_and_a_year_back_are_accepted() -> None:
    for days in (-366, -1, 0, 1, 700):
        assert licence_expiry_problem(TODAY + dt.timedelta(days=days), TODAY) is None
    assert licence_expiry_problem(dt.date(2036, 12, 3), TODAY) is None


def test_dates_beyond_are_refused_saying_the_limit() -> None:
    late = licence_expiry_problem(dt.date(2036, 12, 4), TODAY)
    assert late is not None and "2036-12-03" in late
    early = licence_expiry_problem(TODAY - dt.timedelta(days=367), TODAY)
    assert early is not None and "2025-12-02" in early


def test_a_leap_day_today_has_a_limit_too() -> None:
    leap = dt.date(2028, 2, 29)
    assert licence_expiry_problem(dt.date(2038, 2, 28), leap) is None
    assert licence_expiry_problem(dt.date(2038, 3, 1), leap) is not None
