"""What a state licence's expiry date may be, checked the same on client and server.

An administrator records the date the state board gives. A date in the past is allowed
(it records a lapse or a suspension: the prescriber cannot sign from then on), but not
long past, and not implausibly far ahead: states renew every one to three years, so a
date more than ten years out is a typing mistake, not a licence.
"""

from __future__ import annotations

import datetime as dt

MAX_YEARS_AHEAD = 10
MAX_DAYS_PAST = 366


def latest_expiry(today: dt.date) -> dt.date:
    try:
        return today.replace(year=today.year + MAX_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + MAX_YEARS_AHEAD, day=28)


def earliest_expiry(today: dt.date) -> dt.date:
    return today - dt.timedelta(days=MAX_DAYS_PAST)


def licence_expiry_problem(expires_on: dt.date, today: dt.date) -> str | None:
    """Why ``expires_on`` cannot be a licence's expiry date, or None when it can."""
    if expires_on > latest_expiry(today):
        return (
            f"must be no later than {latest_expiry(today).isoformat()} "
            f"({MAX_YEARS_AHEAD} years from today)"
        )
    if expires_on < earliest_expiry(today):
        return f"must be no earlier than {earliest_expiry(today).isoformat()} (a year ago)"
    return None
