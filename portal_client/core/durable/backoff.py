"""When to try again: exponential backoff with full jitter.

``delay(n) = uniform(0, min(cap, base * 2**n))`` (AWS "full jitter"): a crowd of
clients that lost the server at the same moment does not come back in step.
Two policies: a few quick tries while the prescriber watches the Send button,
then patient background tries, never more than 15 minutes apart.
The random source is injectable so tests can check every bound.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# A Retry-After longer than this is treated as this (as urllib3 does): a server
# asking for a day's silence should not park a prescription for a day.
MAX_RETRY_AFTER_S = 6 * 60 * 60.0


@dataclass(frozen=True)
class BackoffPolicy:
    base: float
    cap: float
    max_attempts: int | None = None  # None: keep trying

    def ceiling(self, attempt: int) -> float:
        """The largest delay allowed before try number ``attempt + 1`` (attempt counts from 0)."""
        if attempt < 0:
            raise ValueError("attempt counts from 0")
        # 2**attempt overflows a float near 1024; the cap is reached long before.
        return min(self.cap, self.base * float(2 ** min(attempt, 64)))

    def delay(self, attempt: int, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling(attempt))

    def gives_up_after(self, attempts_made: int) -> bool:
        return self.max_attempts is not None and attempts_made >= self.max_attempts


# While the user waits: at most 4 tries, 0.5 s base, 8 s cap.
QUICK = BackoffPolicy(base=0.5, cap=8.0, max_attempts=4)
# In the background: 1, 2, 4 ... seconds, never more than 15 minutes between tries.
BACKGROUND = BackoffPolicy(base=1.0, cap=15 * 60.0)


def honour_retry_after(computed: float, retry_after: float | None) -> float:
    """Never earlier than the server asked for (bounded), never earlier than the backoff."""
    if retry_after is None:
        return computed
    return max(computed, min(max(retry_after, 0.0), MAX_RETRY_AFTER_S))
