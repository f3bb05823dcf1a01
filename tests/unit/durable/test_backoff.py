from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from portal_client.core.durable.backoff import (
    BACKGROUND,
    MAX_RETRY_AFTER_S,
    QUICK,
    BackoffPolicy,
    honour_retry_after,
)


@given(attempt=st.integers(min_value=0, max_value=5000), seed=st.integers())
def test_full_jitter_stays_within_bounds(attempt: int, seed: int) -> None:
    rng = random.Random(seed)
    for policy in (QUICK, BACKGROUND):
        delay = policy.delay(attempt, rng)
        assert 0.0 <= delay <= min(policy.cap, policy.base * 2.0 ** min(attempt, 64))


def test_policies_match_the_agreed_numbers() -> None:
    assert (QUICK.base, QUICK.cap, QUICK.max_attempts) == (0.5, 8.0, 4)
    assert BACKGROUND.cap == 15 * 60
    assert [BACKGROUND.ceiling(n) for n in range(4)] == [1, 2, 4, 8]
    assert BACKGROUND.ceiling(40) == 900


def test_jitter_spreads_a_crowd() -> None:
    # 1,000 clients losing the server together do not come back in the same second.
    rng = random.Random(7)
    delays = [BACKGROUND.delay(6, rng) for _ in range(1000)]  # ceiling 64 s
    per_second = [0] * 65
    for delay in delays:
        per_second[int(delay)] += 1
    assert max(per_second) < 50  # uniform would be ~16 per second


def test_retry_after_is_honoured_and_bounded() -> None:
    assert honour_retry_after(0.3, 2.0) == 2.0
    assert honour_retry_after(5.0, 2.0) == 5.0
    assert honour_retry_after(1.0, None) == 1.0
    assert honour_retry_after(1.0, 10**9) == MAX_RETRY_AFTER_S


def test_gives_up_only_with_a_limit() -> None:
    assert QUICK.gives_up_after(4) and not QUICK.gives_up_after(3)
    assert not BackoffPolicy(base=1, cap=2).gives_up_after(10**6)
