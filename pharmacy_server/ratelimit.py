"""Fixed-window counters per client address, kept in the database so every server
process shares them (checklist C4 per-address throttling, D6)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from pharmacy_server.errors import TooManyAttempts
from pharmacy_server.models import RateBucket

MAX_KEY_LENGTH = 100


def _retry_after(bucket: RateBucket, window: dt.timedelta, now: dt.datetime) -> int:
    remaining = bucket.window_started_at + window - now
    return max(1, int(remaining.total_seconds()) + 1)


def too_many(retry_after_s: int, what: str) -> TooManyAttempts:
    return TooManyAttempts(
        f"Too many {what} from this address. Try again later.", retry_after=retry_after_s
    )


def check(
    session: Session,
    *,
    bucket: str,
    key: str,
    limit: int,
    window: dt.timedelta,
    now: dt.datetime,
) -> int | None:
    """Seconds to wait when ``key`` has used up its ``limit`` for the window, else None."""
    row = session.get(RateBucket, (bucket, key[:MAX_KEY_LENGTH]))
    if row is None or now - row.window_started_at >= window or row.count < limit:
        return None
    return _retry_after(row, window, now)


def count(
    session: Session, *, bucket: str, key: str, window: dt.timedelta, now: dt.datetime
) -> int:
    """Add one to ``key``'s counter (a new window once the old one is over); the new count."""
    key = key[:MAX_KEY_LENGTH]
    row = session.scalar(
        select(RateBucket)
        .where(RateBucket.bucket == bucket, RateBucket.key == key)
        .with_for_update()
    )
    if row is None:
        session.add(RateBucket(bucket=bucket, key=key, window_started_at=now, count=1))
        session.flush()
        return 1
    if now - row.window_started_at >= window:
        row.window_started_at = now
        row.count = 0
    row.count += 1
    session.flush()
    return row.count
