"""Signing tokens in the outbox: sealed with the row, sent with the body, and a refused
signature hands the prescription back to its prescriber without losing it."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.outbox import (
    NoSignatureNeeded,
    Outbox,
    State,
    Why,
)
from portal_client.core.durable.store import SCHEMA_VERSION, LocalStore
from portal_client.core.errors import ApiError
from portal_client.core.wire import ErrorWire, FieldErrorWire
from tests.unit.durable.fakes import (
    LOST_REQUEST,
    PASS,
    UNREACHABLE,
    FakeClock,
    FakePharmacy,
    ScriptedTransport,
    prescription_body,
)

TOKEN = "signing-token-one-7f3a9c"
NEW_TOKEN = "signing-token-two-51be02"


def signing_refusal(code: str) -> ApiError:
    return ApiError(
        422,
        "The signature was refused.",
        field_errors=[FieldErrorWire("signing_token", "refused")],
        answer=ErrorWire("The signature was refused.", code=code),
    )


def make_outbox(store: LocalStore, transport: ScriptedTransport, clock: FakeClock) -> Outbox:
    return Outbox(store, transport, clock=clock, rng=random.Random(1))


def test_the_token_is_sealed_and_sent_with_the_body_and_the_hash_ignores_it(
    store: LocalStore,
    store_file: Path,
    transport: ScriptedTransport,
    pharmacy: FakePharmacy,
    clock: FakeClock,
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), signing_token=TOKEN).idempotency_key
    assert TOKEN.encode() not in b"".join(p.read_bytes() for p in store_file.parent.iterdir())
    item = outbox.send(key)
    assert item is not None and item.state is State.SUBMITTED
    assert pharmacy.bodies[key]["signing_token"] == TOKEN
    assert "signing_token" not in outbox.body(key)  # what signing_sha256 is computed over


def test_a_token_inside_the_body_is_refused_before_anything_is_written(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    with pytest.raises(ValueError, match="signing_token="):
        outbox.sign({**prescription_body(), "signing_token": TOKEN})
    assert outbox.items() == []


def test_expired_signature_waits_for_the_prescriber_then_goes_with_the_same_key(
    store_file: Path,
    cipher: RecordCipher,
    transport: ScriptedTransport,
    pharmacy: FakePharmacy,
    clock: FakeClock,
) -> None:
    store = LocalStore.open(store_file, cipher)
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), signing_token=TOKEN).idempotency_key
    transport.script.append(signing_refusal("signing.token_expired"))
    item = outbox.send(key)
    assert item is not None and item.state is State.NEEDS_SIGNATURE
    assert item.why is Why.SIGNATURE_EXPIRED and item.needs_signature and item.needs_attention
    assert "Sign it again" in item.status_text
    assert outbox.pending_summary().needs_attention == 1
    # Nothing goes out for it until it is signed again, across a restart too.
    store.close()
    store = LocalStore.open(store_file, cipher)
    outbox = make_outbox(store, transport, clock)
    calls_before = len(transport.calls)
    outbox.reconcile()
    assert len(transport.calls) == calls_before and outbox.next_wakeup() is None
    resigned = outbox.resign(key, NEW_TOKEN)
    assert resigned.state is State.UNKNOWN and resigned.idempotency_key == key
    outbox.reconcile()
    done = outbox.get(key)
    assert done is not None and done.state is State.SUBMITTED, done
    # Asked first, then sent once with the new token: one record on the server.
    assert transport.calls[calls_before:] == [("find", key), ("submit", key)]
    assert list(pharmacy.records) == [key]
    assert pharmacy.bodies[key]["signing_token"] == NEW_TOKEN
    store.close()


@pytest.mark.parametrize(
    "code", ["signing.token_used", "signing.token_invalid", "signing.content_mismatch"]
)
def test_any_refused_signature_hands_it_back(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, code: str
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), signing_token=TOKEN).idempotency_key
    transport.script.append(signing_refusal(code))
    item = outbox.send(key)
    assert item is not None and item.state is State.NEEDS_SIGNATURE
    assert item.why is Why.SIGNATURE_REFUSED


def test_a_refusal_that_raced_an_earlier_commit_is_found_not_handed_back(
    store: LocalStore, transport: ScriptedTransport, pharmacy: FakePharmacy, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    body = prescription_body()
    key = outbox.sign(body, signing_token=TOKEN).idempotency_key
    transport.script.append(LOST_REQUEST)  # the first attempt is slow: outcome unknown
    outbox.send(key)
    late_commit = [True]

    def earlier_attempt_commits_now(operation: str, called_key: str) -> None:
        # Between our lookup (nothing yet) and our submit, the slow first attempt
        # commits and spends the token: our submit is refused as "token used".
        if operation == "submit" and late_commit:
            late_commit.clear()
            pharmacy.accept({**body, "signing_token": TOKEN}, called_key)
            transport.script.appendleft(signing_refusal("signing.token_used"))

    transport.before_call = earlier_attempt_commits_now
    clock.advance(3600)
    outbox.process_due()
    item = outbox.get(key)
    assert item is not None and item.state is State.SUBMITTED, item
    assert len(pharmacy.records) == 1


def test_a_failed_lookup_after_a_refusal_keeps_it_unknown(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), signing_token=TOKEN).idempotency_key
    transport.script.extend([signing_refusal("signing.token_expired"), UNREACHABLE])
    item = outbox.send(key)
    assert item is not None and item.state is State.UNKNOWN and item.why is Why.CHECK_FAILED
    clock.advance(3600)
    # The lookup finds nothing, the submit is refused, the lookup after it finds nothing.
    transport.script.extend([PASS, signing_refusal("signing.token_expired"), PASS])
    outbox.process_due()
    item = outbox.get(key)
    assert item is not None and item.state is State.NEEDS_SIGNATURE


def test_resign_only_applies_to_a_row_waiting_for_a_signature(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), signing_token=TOKEN).idempotency_key
    with pytest.raises(NoSignatureNeeded):
        outbox.resign(key, NEW_TOKEN)
    with pytest.raises(KeyError):
        outbox.resign("no-such-key", NEW_TOKEN)


def test_a_row_waiting_for_a_signature_can_be_reopened_as_a_draft(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), draft_id="d1", signing_token=TOKEN).idempotency_key
    transport.script.append(signing_refusal("signing.token_expired"))
    outbox.send(key)
    assert outbox.reopen_rejected(key) == "d1"
    assert outbox.items() == []


V1_OUTBOX = """
CREATE TABLE outbox (
    idempotency_key TEXT PRIMARY KEY,
    draft_id TEXT,
    signed_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('queued', 'sending', 'submitted', 'rejected', 'unknown', 'mismatch')),
    why TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    server_id TEXT,
    server_reference TEXT,
    server_status TEXT,
    sealed BLOB NOT NULL,
    sealed_detail BLOB
)
"""


def test_a_version_1_store_is_upgraded_in_place_keeping_its_rows(
    store_file: Path, cipher: RecordCipher, transport: ScriptedTransport, clock: FakeClock
) -> None:
    store = LocalStore.open(store_file, cipher)
    key = make_outbox(store, transport, clock).sign(prescription_body()).idempotency_key
    store.close()
    # Turn it back into a version 1 file: the old CHECK without 'needs_signature'.
    with sqlite3.connect(store_file) as old:
        old.execute("DROP INDEX outbox_one_live_row_per_draft")
        old.execute("ALTER TABLE outbox RENAME TO outbox_new")
        old.execute(V1_OUTBOX)
        old.execute("INSERT INTO outbox SELECT * FROM outbox_new")
        old.execute("DROP TABLE outbox_new")
        old.execute("UPDATE meta SET value = 1 WHERE name = 'schema_version'")
    store = LocalStore.open(store_file, cipher)
    outbox = make_outbox(store, transport, clock)
    assert [item.idempotency_key for item in outbox.items()] == [key]
    transport.script.append(signing_refusal("signing.token_expired"))
    item = outbox.send(key)
    assert item is not None and item.state is State.NEEDS_SIGNATURE
    with store.transaction() as db:
        version = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    assert int(version[0]) == SCHEMA_VERSION == 2
    assert store.integrity_ok()
    store.close()
