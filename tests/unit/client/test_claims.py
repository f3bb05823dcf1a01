"""The desk's claim decisions without Qt: the words in local time, another's claim as
the list shows it (never one's own, never a lapsed one), when to renew, the order to open
after an action, and a 409 read into a ``ClaimRefused`` at the ApiClient boundary."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import cast

from portal_client.core.claim_calls import ClaimRefused
from portal_client.core.claims import (
    MIN_RENEW_INTERVAL,
    Holder,
    local_clock,
    next_after,
    other_holder,
    renew_interval,
    reviewing_text,
)
from portal_client.core.wire import ClaimHolderWire, ClaimWire, ErrorWire, PrescriptionWire, parse

NOW = dt.datetime(2026, 12, 3, 10, 42, tzinfo=dt.UTC)


def _claim(holder_id: str, *, since: dt.datetime = NOW, minutes: float = 5) -> ClaimWire:
    return ClaimWire(
        holder=ClaimHolderWire(id=holder_id, display_name="Priya Nair, PharmD"),
        since=since.isoformat().replace("+00:00", "Z"),
        expires_at=(since + dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z"),
    )


def _item(claim: ClaimWire | None) -> PrescriptionWire:
    return cast("PrescriptionWire", SimpleNamespace(claim=claim))


def test_the_holder_is_named_with_the_time_in_local_time() -> None:
    holder = Holder.of_claim(_claim("u1"))
    assert reviewing_text(holder) == (
        f"Priya Nair, PharmD is reviewing (since {NOW.astimezone().strftime('%H:%M')})"
    )
    assert local_clock(None) == ""
    assert reviewing_text(Holder("Sam Ortiz", None)) == "Sam Ortiz is reviewing"
    refused = Holder.of_refusal(ClaimRefused("Sam Ortiz", "2026-12-03T10:42:00.000000Z"))
    assert refused.since == NOW


def test_only_someone_elses_live_claim_counts() -> None:
    assert other_holder(_item(None), "me", NOW) is None
    assert other_holder(_item(_claim("me")), "me", NOW) is None
    assert other_holder(_item(_claim("u1")), "me", NOW) == Holder("Priya Nair, PharmD", NOW)
    lapsed = NOW + dt.timedelta(minutes=5)
    assert other_holder(_item(_claim("u1")), "me", lapsed) is None


def test_a_claim_is_renewed_at_half_its_length_and_well_before_it_lapses() -> None:
    assert renew_interval(_claim("me")) == dt.timedelta(minutes=2.5)
    assert renew_interval(_claim("me", minutes=0.75)) == dt.timedelta(seconds=15)
    assert renew_interval(_claim("me", minutes=0.1)) == MIN_RENEW_INTERVAL


def test_after_an_action_the_next_order_comes_first_then_those_before() -> None:
    assert next_after(["a", "b", "c", "d"], "b") == ["c", "d", "a"]
    assert next_after(["a", "b"], "b") == ["a"]
    assert next_after(["b"], "b") == []
    assert next_after(["a", "c"], "b") == ["a", "c"]  # it had already left the list


def test_the_409_members_parse_strictly() -> None:
    answer = parse(
        ErrorWire,
        {
            "detail": "Priya Nair, PharmD is reviewing this prescription (since 10:42 UTC).",
            "code": "prescription.claimed",
            "claimed_by": "Priya Nair, PharmD",
            "claimed_since": "2026-12-03T10:42:00.000000Z",
        },
    )
    assert (answer.claimed_by, answer.code) == ("Priya Nair, PharmD", "prescription.claimed")
