"""The pharmacist's claims, without Qt: what the desk says about someone else's claim,
when to renew its own, and which order comes next after an action.

Opening an order claims it (``ClaimCalls.claim``); the window renews the claim while the
order stays open and lets go when another is opened, the window closes or a step is
recorded (the server lets go itself on a step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from portal_client.core.claim_calls import ClaimRefused
from portal_client.core.i18n import translate
from portal_client.core.prescription_list import parse_timestamp
from portal_client.core.wire import ClaimWire, PrescriptionWire

#: Renew this long before the claim would lapse at the latest (a slow answer still lands).
RENEW_MARGIN = dt.timedelta(seconds=30)
#: Never renew more often than this, whatever the server's claim length.
MIN_RENEW_INTERVAL = dt.timedelta(seconds=15)


@dataclass(frozen=True)
class Holder:
    """Another pharmacist reviewing an order: their name and since when (UTC)."""

    name: str
    since: dt.datetime | None

    @classmethod
    def of_refusal(cls, refused: ClaimRefused) -> Holder:
        return cls(refused.holder_name, parse_timestamp(refused.since))

    @classmethod
    def of_claim(cls, claim: ClaimWire) -> Holder:
        return cls(claim.holder.display_name, parse_timestamp(claim.since))


def local_clock(stamp: dt.datetime | None) -> str:
    """``10:42`` in the computer's time zone; "" when unknown."""
    return "" if stamp is None else stamp.astimezone().strftime("%H:%M")


def reviewing_text(holder: Holder) -> str:
    """ "Priya Nair is reviewing (since 10:42)", in local time."""
    clock = local_clock(holder.since)
    if not clock:
        return translate("Claims", "{name} is reviewing").format(name=holder.name)
    return translate("Claims", "{name} is reviewing (since {clock})").format(
        name=holder.name, clock=clock
    )


def other_holder(
    item: PrescriptionWire, user_id: str, now: dt.datetime | None = None
) -> Holder | None:
    """Who else holds ``item`` as the list says (None: nobody, the caller, or lapsed)."""
    claim = item.claim
    if claim is None or claim.holder.id == user_id:
        return None
    expires = parse_timestamp(claim.expires_at)
    if expires is not None and expires <= (now or dt.datetime.now(dt.UTC)):
        return None
    return Holder.of_claim(claim)


def renew_interval(claim: ClaimWire) -> dt.timedelta:
    """How long until the desk renews ``claim``: half its length, and well before it
    lapses (the server's clock decides both ends, so the client's is never compared)."""
    since, expires = parse_timestamp(claim.since), parse_timestamp(claim.expires_at)
    if since is None or expires is None:
        return MIN_RENEW_INTERVAL
    length = expires - since
    return max(MIN_RENEW_INTERVAL, min(length / 2, length - RENEW_MARGIN))


def next_after(ids: Sequence[str], acted_id: str) -> list[str]:
    """The orders to try next after acting on ``acted_id``, best first: those after it
    in the list as it was, then those before it (the same filter, wrapping round)."""
    if acted_id not in ids:
        return [i for i in ids if i != acted_id]
    at = ids.index(acted_id)
    return [*ids[at + 1 :], *ids[:at]]


def no_more_text() -> str:
    return translate("Claims", "No more orders in this view.")
