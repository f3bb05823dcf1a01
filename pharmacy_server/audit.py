"""The audit trail: append-only, hash-chained events (checklist A7, A8).

Each event stores ``prev_hash`` and ``hash = SHA-256(prev_hash || canonical JSON of the
event)``; the ``audit_head`` row keeps the newest ``seq`` and hash, so deleting the tail
shows as well as changing or deleting any event in the middle. Events are appended in
the same transaction as the change they record (a rolled-back change leaves no event).
Appends are serialised by locking the head row (PostgreSQL ``FOR UPDATE``; SQLite's
``BEGIN IMMEDIATE`` already admits one writer).

Event text holds ids, roles, usernames of staff and prescribers, codes and reasons from a
fixed vocabulary: never a patient's name or any other PHI.

``actor_username`` came later (migration 0004). It is hashed only when present, so events
written before it (NULL there) recompute to their stored hashes, while a username added to,
changed in or removed from a newer event breaks the chain like any other change.

``hash_form`` (migration 0006) says which canonical JSON the hash was computed over: events
written before it are ``sorted-json``, newer ones RFC 8785. A chain may mix the two. An
RFC 8785 event also hashes its form, so relabelling it as ``sorted-json`` breaks the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import CanonicalForm, canonical_bytes, canonical_json
from pharmacy_server.clock import wire_time
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, AuditHead

GENESIS_HASH = "0" * 64
HEAD_ID = 1


@dataclass(frozen=True)
class Actor:
    """Who did it and from where (``id`` is None for an unknown or anonymous caller).

    ``username`` is the account's sign-in name, so the audit browser can say who without
    a lookup; never the name someone typed for an unknown account (it may be a password).
    """

    id: uuid.UUID | None
    role: str | None
    address: str | None
    username: str | None = None


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "seq": event.seq,
        "occurred_at": wire_time(event.occurred_at),
        "actor_id": None if event.actor_id is None else str(event.actor_id),
        "actor_role": event.actor_role,
        "action": event.action,
        "outcome": event.outcome,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "client_address": event.client_address,
        "details": json.loads(event.details_json),
    }
    if event.actor_username is not None:
        fields["actor_username"] = event.actor_username
    return fields


def event_hash(prev_hash: str, event: AuditEvent) -> str:
    form = CanonicalForm(event.hash_form)
    fields = _hashed_fields(event)
    if form is not CanonicalForm.SORTED_JSON:
        fields["hash_form"] = form.value
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_bytes(fields, form)).hexdigest()


def _locked_head(session: Session) -> AuditHead:
    """The head row, locked for this transaction; created on the very first event.

    Two first events can race (several server processes, concurrent sign-ins): both see
    no head row, so the row is created with ``ON CONFLICT DO NOTHING`` and then locked,
    and the loser waits for the winner's event instead of reusing its ``seq``.
    """
    query = select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    head = session.scalar(query)
    if head is not None:
        return head
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(AuditHead)
        .values(id=HEAD_ID, last_seq=0, last_hash=GENESIS_HASH)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    head = session.scalar(query.execution_options(populate_existing=True))
    assert head is not None  # inserted above, or by the transaction we waited for
    return head


def append(
    session: Session,
    *,
    now: dt.datetime,
    actor: Actor,
    action: str,
    outcome: str,
    target_type: str | None = None,
    target_id: str | uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the chain inside the caller's write transaction."""
    head = _locked_head(session)
    event = AuditEvent(
        seq=head.last_seq + 1,
        # Microseconds survive both back-ends, so the hash recomputes exactly.
        occurred_at=now.astimezone(dt.UTC),
        actor_id=actor.id,
        actor_role=actor.role,
        actor_username=actor.username,
        action=action,
        outcome=outcome,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        client_address=actor.address,
        details_json=canonical_json(dict(details or {})).decode("utf-8"),
        prev_hash=head.last_hash,
        hash="",
        hash_form=CanonicalForm.RFC8785.value,
    )
    event.hash = event_hash(head.last_hash, event)
    session.add(event)
    head.last_seq = event.seq
    head.last_hash = event.hash
    session.flush()
    return event


def event_to_wire(event: AuditEvent) -> dict[str, Any]:
    return {
        **_hashed_fields(event),
        # Always on the wire (null for anonymous callers and for events older than it).
        "actor_username": event.actor_username,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "hash_form": event.hash_form,
    }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    problem: str = ""
    seq: int | None = None


def _events(database: Database, batch: int = 1000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        with database.reading() as session:
            rows = list(
                session.scalars(
                    select(AuditEvent)
                    .where(AuditEvent.seq > last)
                    .order_by(AuditEvent.seq)
                    .limit(batch)
                )
            )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain(database: Database) -> VerifyResult:
    """Walk the whole chain; report the first event that was altered or is missing."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    count = 0
    for event in _events(database):
        if event.seq != expected_seq:
            return VerifyResult(
                False, count, f"event {expected_seq} is missing (deleted)", expected_seq
            )
        if event.prev_hash != previous_hash:
            return VerifyResult(
                False, count, f"event {event.seq} does not follow event {event.seq - 1}", event.seq
            )
        if event_hash(previous_hash, event) != event.hash:
            return VerifyResult(False, count, f"event {event.seq} was altered", event.seq)
        previous_hash = event.hash
        expected_seq += 1
        count += 1
    with database.reading() as session:
        head = session.scalar(select(AuditHead).where(AuditHead.id == HEAD_ID))
    head_seq = 0 if head is None else head.last_seq
    head_hash = GENESIS_HASH if head is None else head.last_hash
    if head_seq != count or head_hash != previous_hash:
        if head_seq > count:
            return VerifyResult(False, count, f"event {count + 1} is missing (deleted)", count + 1)
        return VerifyResult(False, count, "the chain head does not match the last event", head_seq)
    return VerifyResult(True, count)


def list_events(
    database: Database,
    *,
    limit: int,
    cursor: int | None,
    action: str | None,
    actor_id: uuid.UUID | None = None,
    occurred_from: dt.datetime | None = None,
    occurred_before: dt.datetime | None = None,
    target: tuple[str, str] | None = None,
) -> tuple[list[dict[str, Any]], int, int | None]:
    """Newest first: (events, total matching, the seq to continue below or None).

    Filters combine: one action, one actor, ``occurred_from <= occurred_at <
    occurred_before``, one target (type, id)."""
    conditions: list[ColumnElement[bool]] = []
    if action is not None:
        conditions.append(AuditEvent.action == action)
    if actor_id is not None:
        conditions.append(AuditEvent.actor_id == actor_id)
    if occurred_from is not None:
        conditions.append(AuditEvent.occurred_at >= occurred_from.astimezone(dt.UTC))
    if occurred_before is not None:
        conditions.append(AuditEvent.occurred_at < occurred_before.astimezone(dt.UTC))
    if target is not None:
        conditions.append(AuditEvent.target_type == target[0])
        conditions.append(AuditEvent.target_id == target[1])
    page = list(conditions)
    if cursor is not None:
        page.append(AuditEvent.seq < cursor)
    with database.reading() as session:
        total = session.scalar(select(func.count()).select_from(AuditEvent).where(*conditions))
        rows = list(
            session.scalars(
                select(AuditEvent).where(*page).order_by(AuditEvent.seq.desc()).limit(limit + 1)
            )
        )
    more = len(rows) > limit
    rows = rows[:limit]
    return [event_to_wire(row) for row in rows], total or 0, rows[-1].seq if more else None
