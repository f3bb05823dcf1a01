"""A fake pharmacy (dedup by key, like the real server) and a scriptable transport."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, canonical_sha256
from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable


@dataclass
class FakePharmacy:
    """Server-side state: one record per idempotency key, like the real server."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: list[str] = field(default_factory=list)  # every key that reached the server
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    fingerprints: dict[str, str] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def accept(self, body: dict[str, Any], key: str) -> dict[str, Any]:
        self.submissions.append(key)
        existing = self.records.get(key)
        # Like the server: the replay check is over the whole request (token too), the
        # echoed content hash over the prescription without its signing token.
        fingerprint = canonical_sha256(body)
        digest = canonical_sha256({k: v for k, v in body.items() if k != SIGNING_TOKEN_FIELD})
        if existing is not None:
            if self.fingerprints[key] != fingerprint:
                raise ApiError(422, "Idempotency-Key reused with a different body")
            return dict(existing)
        number = next(self._ids)
        self.bodies[key] = body
        self.fingerprints[key] = fingerprint
        record = {
            "id": f"rx-{number}",
            "reference": f"RX-{number:05d}",
            "status": "submitted",
            "content_sha256": digest,
        }
        self.records[key] = record
        return dict(record)


# What the scripted transport does on the next call.
PASS = "pass"
UNREACHABLE = "unreachable"  # nothing sent
LOST_REQUEST = "lost_request"  # sent, never arrived, client cannot tell: OutcomeUnknown
COMMIT_THEN_DROP = "commit_then_drop"  # server commits, the answer is lost: OutcomeUnknown
SIGNED_OUT = "signed_out"
BAD_HASH = "bad_hash"  # server commits but echoes another hash


@dataclass
class ScriptedTransport:
    pharmacy: FakePharmacy
    script: deque[str | ApiError] = field(default_factory=deque)
    calls: list[tuple[str, str]] = field(default_factory=list)
    before_call: Callable[[str, str], None] | None = None
    network_up: bool = True

    def _next(self) -> str | ApiError:
        if not self.network_up:
            return UNREACHABLE
        return self.script.popleft() if self.script else PASS

    def submit(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
        self.calls.append(("submit", idempotency_key))
        if self.before_call is not None:
            self.before_call("submit", idempotency_key)
        action = self._next()
        if isinstance(action, ApiError):
            raise action
        if action == UNREACHABLE:
            raise ServerUnreachable("offline")
        if action == LOST_REQUEST:
            raise OutcomeUnknown("timeout")
        if action == SIGNED_OUT:
            raise NotSignedIn("session ended")
        answer = self.pharmacy.accept(body, idempotency_key)
        if action == COMMIT_THEN_DROP:
            raise OutcomeUnknown("connection reset after the server answered")
        if action == BAD_HASH:
            answer["content_sha256"] = "0" * 64
        return answer

    def find(self, idempotency_key: str) -> dict[str, Any] | None:
        self.calls.append(("find", idempotency_key))
        if self.before_call is not None:
            self.before_call("find", idempotency_key)
        action = self._next()
        if isinstance(action, ApiError):
            raise action
        if action == UNREACHABLE:
            raise ServerUnreachable("offline")
        if action in (LOST_REQUEST, COMMIT_THEN_DROP):
            raise OutcomeUnknown("timeout")
        if action == SIGNED_OUT:
            raise NotSignedIn("session ended")
        record = self.pharmacy.records.get(idempotency_key)
        return None if record is None else dict(record)


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


CANARY = "Zebediah Canaryfield"


def prescription_body(
    family_name: str = "Canaryfield", given_name: str = "Zebediah"
) -> dict[str, Any]:
    return {
        "template_id": "myers-infusion",
        "template_version": 1,
        "patient": {
            "given_name": given_name,
            "family_name": family_name,
            "birth_date": "1961-04-12",
            "sex": "male",
            "weight_kg": 81.5,
            "allergies": ["penicillin"],
        },
        "ingredients": None,
        "access": None,
        "notes": "",
    }
