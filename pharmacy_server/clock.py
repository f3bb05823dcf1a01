"""Injected time, so tests can move past idle and lockout limits without waiting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def wire_time(value: dt.datetime) -> str:
    """ISO 8601 in UTC with a ``Z`` and fixed microsecond precision."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
