from __future__ import annotations

import random
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, CanonicalForm, canonical_sha256
from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.outbox import (
    AlreadySigned,
    NotRejected,
    Outbox,
    OutboxItem,
    OutboxWorker,
    State,
    Why,
)
from portal_client.core.durable.store import LocalStore
from portal_client.core.errors import ApiError
from portal_client.core.wire import FieldErrorWire
from tests.unit.durable.fakes import (
    BAD_HASH,
    COMMIT_THEN_DROP,
    LOST_REQUEST,
    SIGNED_OUT,
    UNREACHABLE,
    FakeClock,
    FakePharmacy,
    ScriptedTransport,
    prescription_body,
)


def make_outbox(store: LocalStore, transport: ScriptedTransport | None, clock: FakeClock) -> Outbox:
    return Outbox(store, transport, clock=clock, rng=random.Random(1))


def test_key_and_body_are_committed_before_the_transport_is_called(
    store_file: Path, cipher: RecordCipher, transport: ScriptedTransport, clock: FakeClock
) -> None:
    seen: list[tuple[str, str | None]] = []

    def inspect_from_another_connection(operation: str, key: str) -> None:
        # A separate connection sees only committed data.
        with sqlite3.connect(store_file) as other:
            row = other.execute(
                "SELECT state FROM outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
        seen.append((operation, None if row is None else row[0]))

    transport.before_call = inspect_from_another_connection
    store = LocalStore.open(store_file, cipher)
    outbox = make_outbox(store, transport, clock)
    item = outbox.sign(prescription_body())
    outbox.send(item.idempotency_key)
    assert seen == [("submit", "sending")]
    store.close()


def test_happy_path(store: LocalStore, transport: ScriptedTransport, clock: FakeClock) -> None:
    outbox = make_outbox(store, transport, clock)
    item = outbox.sign(prescription_body())
    assert (item.state, item.why, item.attempts) == (State.QUEUED, Why.WAITING, 0)
    assert outbox.pending_summary().sentence == "1 prescription not yet sent."
    sent = outbox.send(item.idempotency_key)
    assert sent is not None and sent.finished
    assert sent.server_reference == "RX-00001"
    assert "RX-00001" in sent.status_text
    assert not outbox.pending_summary().anything_pending
    assert outbox.body(item.idempotency_key) == prescription_body()


def test_signing_moves_the_draft_atomically_and_only_once(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    drafts = DraftStore(store, clock=clock)
    drafts.save("d1", prescription_body())
    outbox = make_outbox(store, transport, clock)
    first = outbox.sign(prescription_body(), draft_id="d1")
    assert drafts.load("d1") is None
    with pytest.raises(AlreadySigned) as raised:
        outbox.sign(prescription_body(), draft_id="d1")  # double click
    assert raised.value.item.idempotency_key == first.idempotency_key
    assert len(outbox.items()) == 1


def test_offline_stays_queued_and_sends_later_with_the_same_key(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.extend([UNREACHABLE, UNREACHABLE])
    for _ in range(2):
        item = outbox.send(key)
        assert item is not None and (item.state, item.why) == (State.QUEUED, Why.OFFLINE)
    assert item is not None
    assert item.next_attempt_at <= clock() + 2  # background backoff: ceiling 2 s after 2 tries
    assert outbox.process_due() == []  # not due yet
    clock.advance(2)
    [done] = outbox.process_due()
    assert done.finished and done.attempts == 3
    assert {k for op, k in transport.calls} == {key}
    assert pharmacy.submissions == [key]


def test_commit_then_connection_drop_is_reconciled_without_a_duplicate(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(COMMIT_THEN_DROP)
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.NO_ANSWER)
    [done] = outbox.reconcile()
    assert done.finished
    assert transport.calls == [("submit", key), ("find", key)]  # asked before resending
    assert len(pharmacy.records) == 1 and pharmacy.submissions == [key]


def test_lost_request_is_resent_with_the_same_key_after_find_says_absent(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(LOST_REQUEST)
    outbox.send(key)
    [done] = outbox.reconcile()
    assert done.finished
    assert transport.calls == [("submit", key), ("find", key), ("submit", key)]
    assert list(pharmacy.records) == [key]


def test_unknown_stays_unknown_while_offline(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.extend([COMMIT_THEN_DROP, UNREACHABLE])
    outbox.send(key)
    item = outbox.send(key)  # find fails: still may be on the server
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.OFFLINE)


@pytest.mark.parametrize("status", [400, 422])
def test_validation_errors_reject_but_keep_the_body(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, status: int
) -> None:
    drafts = DraftStore(store, clock=clock)
    drafts.save("d1", prescription_body())
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body(), draft_id="d1").idempotency_key
    transport.script.append(
        ApiError(status, "Not valid", field_errors=[FieldErrorWire("patient.weight_kg", "x")])
    )
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.REJECTED, Why.INVALID)
    assert item.field_errors == (("patient.weight_kg", "x"),)
    assert item.detail is not None and "Not valid" in item.detail
    assert outbox.pending_summary().needs_attention == 1
    assert outbox.body(key) == prescription_body()
    assert outbox.process_due() == []  # never retried automatically
    # The prescriber fixes it and signs again: a new row with a new key.
    draft_id = outbox.reopen_rejected(key)
    assert draft_id == "d1" and drafts.load("d1") == prescription_body()
    assert outbox.get(key) is None
    fixed = outbox.sign(prescription_body(), draft_id="d1")
    assert fixed.idempotency_key != key


def test_only_rejected_rows_reopen(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    with pytest.raises(NotRejected):
        outbox.reopen_rejected(key)


@pytest.mark.parametrize(("status", "why"), [(429, Why.SERVER_BUSY), (503, Why.SERVER_UNAVAILABLE)])
def test_busy_or_unavailable_honours_retry_after(
    store: LocalStore,
    transport: ScriptedTransport,
    clock: FakeClock,
    status: int,
    why: Why,
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(ApiError(status, "wait", retry_after=120.0))
    item = outbox.send(key)
    assert item is not None and item.why is why
    # 429 is refused before processing (queued); a 5xx might follow a commit (unknown).
    assert item.state is (State.QUEUED if status == 429 else State.UNKNOWN)
    assert item.next_attempt_at >= clock() + 120
    clock.advance(119)
    assert outbox.process_due() == []
    clock.advance(1)
    [done] = outbox.process_due()
    assert done.finished


def test_in_flight_409_retries_later(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(ApiError(409, "in flight"))
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.IN_PROGRESS)
    clock.advance(1)
    [done] = outbox.process_due()
    assert done.finished and len(pharmacy.records) == 1


def test_other_client_errors_are_rejected(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(ApiError(403, "Pharmacists cannot sign"))
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.REJECTED, Why.REFUSED)


def test_signed_out_pauses_until_resume(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    outbox = make_outbox(store, transport, clock)
    keys = [outbox.sign(prescription_body()).idempotency_key for _ in range(3)]
    transport.script.append(SIGNED_OUT)
    results = outbox.process_due()
    assert [r.why for r in results] == [Why.SIGNED_OUT]  # stopped after the first
    assert outbox.paused and outbox.next_wakeup() is None
    clock.advance(10_000)
    assert outbox.process_due() == []
    assert outbox.pending_summary().unsent == 3
    outbox.resume()
    done = outbox.process_due()
    assert [d.idempotency_key for d in done] == keys and all(d.finished for d in done)
    assert sorted(pharmacy.records) == sorted(keys)


def test_hash_mismatch_is_an_error_state(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(BAD_HASH)
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.MISMATCH, Why.HASH_MISMATCH)
    assert not item.finished and item.needs_attention
    assert item.server_reference is not None
    assert outbox.process_due() == []


def test_missing_hash_in_the_answer_is_not_accepted(
    store: LocalStore, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    class NoHash(ScriptedTransport):
        def submit(self, body: dict[str, object], idempotency_key: str) -> dict[str, object]:
            answer: dict[str, object] = dict(super().submit(body, idempotency_key))
            answer.pop("content_sha256")
            return answer

    outbox = Outbox(store, NoHash(pharmacy), clock=clock)
    key = outbox.sign(prescription_body()).idempotency_key
    item = outbox.send(key)
    assert item is not None and item.state is State.MISMATCH


def _body_whose_forms_differ() -> dict[str, Any]:
    body = prescription_body()
    body["patient"]["weight_kg"] = 81.0  # sorted json.dumps writes 81.0, RFC 8785 writes 81
    unsigned_forms = {canonical_sha256(body, form) for form in CanonicalForm}
    assert len(unsigned_forms) == 2
    return body


def _sorted_json_hash(body: Mapping[str, Any], form: CanonicalForm = CanonicalForm.RFC8785) -> str:
    """The content hash as the client computed it before RFC 8785."""
    return canonical_sha256(body, CanonicalForm.SORTED_JSON)


def test_a_row_signed_before_rfc8785_is_confirmed_by_a_newer_server(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    old_client = Outbox(store, transport, clock=clock, content_hash=_sorted_json_hash)
    key = old_client.sign(_body_whose_forms_differ()).idempotency_key
    upgraded = make_outbox(store, transport, clock)  # the same file, opened by newer code
    item = upgraded.send(key)
    assert item is not None and item.state is State.SUBMITTED


def test_a_newer_row_is_confirmed_by_a_server_from_before_rfc8785(
    store: LocalStore, pharmacy: FakePharmacy, clock: FakeClock
) -> None:
    class OlderServer(ScriptedTransport):
        def submit(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
            answer = super().submit(body, idempotency_key)
            unsigned = {k: v for k, v in body.items() if k != SIGNING_TOKEN_FIELD}
            answer["content_sha256"] = canonical_sha256(unsigned, CanonicalForm.SORTED_JSON)
            return answer

    outbox = make_outbox(store, OlderServer(pharmacy), clock)
    key = outbox.sign(_body_whose_forms_differ()).idempotency_key
    item = outbox.send(key)
    assert item is not None and item.state is State.SUBMITTED


def test_another_body_in_either_form_is_still_a_mismatch(
    store: LocalStore, pharmacy: FakePharmacy, clock: FakeClock
) -> None:
    class ChangedInTransit(ScriptedTransport):
        def submit(self, body: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
            answer = super().submit(body, idempotency_key)
            changed = {k: v for k, v in body.items() if k != SIGNING_TOKEN_FIELD}
            changed["notes"] = "altered"
            answer["content_sha256"] = canonical_sha256(changed, CanonicalForm.SORTED_JSON)
            return answer

    outbox = make_outbox(store, ChangedInTransit(pharmacy), clock)
    key = outbox.sign(_body_whose_forms_differ()).idempotency_key
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.MISMATCH, Why.HASH_MISMATCH)


def test_unexpected_exception_is_treated_as_unknown(
    store: LocalStore, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    class Broken(ScriptedTransport):
        def submit(self, body: dict[str, object], idempotency_key: str) -> dict[str, object]:
            raise ValueError("bug in the transport")

    outbox = Outbox(store, Broken(pharmacy), clock=clock)
    key = outbox.sign(prescription_body()).idempotency_key
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.UNEXPECTED)


def test_restart_resumes_with_the_same_key(
    store_file: Path,
    cipher: RecordCipher,
    transport: ScriptedTransport,
    clock: FakeClock,
    pharmacy: FakePharmacy,
) -> None:
    first = LocalStore.open(store_file, cipher)
    key = make_outbox(first, None, clock).sign(prescription_body()).idempotency_key
    first.close()
    second = LocalStore.open(store_file, cipher)
    [done] = make_outbox(second, transport, clock).reconcile()
    assert done.idempotency_key == key and done.finished
    assert list(pharmacy.records) == [key]
    second.close()


def test_crash_while_sending_becomes_unknown_and_is_reconciled(
    store_file: Path,
    cipher: RecordCipher,
    transport: ScriptedTransport,
    clock: FakeClock,
    pharmacy: FakePharmacy,
) -> None:
    first = LocalStore.open(store_file, cipher)
    outbox = make_outbox(first, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key

    class Crash(BaseException):
        pass

    def crash_after_server_commit(operation: str, k: str) -> None:
        pharmacy.accept(outbox.body(k), k)
        raise Crash  # the process dies before recording the answer

    transport.before_call = crash_after_server_commit
    with pytest.raises(Crash):
        outbox.send(key)
    first.close()  # the row is left "sending"

    transport.before_call = None
    second = LocalStore.open(store_file, cipher)
    reopened = make_outbox(second, transport, clock)
    item = reopened.get(key)
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.INTERRUPTED)
    [done] = reopened.reconcile()
    assert done.finished and len(pharmacy.records) == 1
    assert pharmacy.submissions == [key]  # found, not resent
    second.close()


def test_interactive_send_makes_at_most_four_quick_tries(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.network_up = False
    waits: list[float] = []

    def wait(seconds: float) -> None:
        waits.append(seconds)
        clock.advance(seconds)

    item = outbox.send_interactive(key, wait=wait)
    assert item is not None and item.state is State.QUEUED
    assert len([c for c in transport.calls if c[0] == "submit"]) == 4
    assert len(waits) == 3
    assert all(0 <= w <= min(8.0, 0.5 * 2**n) for n, w in enumerate(waits))


def test_interactive_send_succeeds_after_a_blip(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.extend([UNREACHABLE, ApiError(503, "restarting", retry_after=2.0)])
    waits: list[float] = []
    item = outbox.send_interactive(key, wait=waits.append)
    assert item is not None and item.finished
    assert waits[1] >= 2.0  # Retry-After honoured between quick tries


def test_one_row_is_never_sent_by_two_threads_at_once(
    store: LocalStore, clock: FakeClock, pharmacy: FakePharmacy
) -> None:
    inside = threading.Event()
    release = threading.Event()
    concurrent: list[str] = []

    class Slow(ScriptedTransport):
        def submit(self, body: dict[str, object], idempotency_key: str) -> dict[str, object]:
            concurrent.append(idempotency_key)
            inside.set()
            assert release.wait(10)
            return dict(super().submit(body, idempotency_key))

    outbox = Outbox(store, Slow(pharmacy), clock=clock)
    key = outbox.sign(prescription_body()).idempotency_key
    worker = threading.Thread(target=outbox.send, args=(key,))
    worker.start()
    assert inside.wait(10)
    item = outbox.send(key)  # the row is taken: this call does nothing
    assert item is not None and item.state is State.SENDING
    release.set()
    worker.join(10)
    assert concurrent == [key]
    final = outbox.get(key)
    assert final is not None and final.finished


def test_listeners_hear_every_change(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    heard: list[OutboxItem] = []
    unsubscribe = outbox.subscribe(heard.append)
    key = outbox.sign(prescription_body()).idempotency_key
    outbox.send(key)
    assert [h.state for h in heard] == [State.QUEUED, State.SUBMITTED]
    unsubscribe()
    outbox.sign(prescription_body())
    assert len(heard) == 2


def test_pending_summary_sentences(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    for _ in range(2):
        outbox.sign(prescription_body())
    rejected = outbox.sign(prescription_body()).idempotency_key
    transport.script.append(ApiError(422, "bad"))
    outbox.send(rejected)
    summary = outbox.pending_summary()
    assert (summary.unsent, summary.needs_attention) == (2, 1)
    assert summary.sentence == (
        "2 prescriptions not yet sent. 1 prescription needs your attention."
    )


def test_prune_keeps_unfinished_rows(
    store: LocalStore, transport: ScriptedTransport, clock: FakeClock
) -> None:
    outbox = make_outbox(store, transport, clock)
    done = outbox.sign(prescription_body()).idempotency_key
    outbox.send(done)
    waiting = outbox.sign(prescription_body()).idempotency_key
    clock.advance(86400)
    assert outbox.prune_submitted(older_than=clock() - 3600) == 1
    assert [i.idempotency_key for i in outbox.items()] == [waiting]


def test_worker_reconciles_then_sends_when_poked(store: LocalStore, pharmacy: FakePharmacy) -> None:
    transport = ScriptedTransport(pharmacy)
    outbox = Outbox(store, transport)
    queued_before_start = outbox.sign(prescription_body()).idempotency_key
    finished = threading.Event()
    wanted: set[str] = {queued_before_start}

    def on_change(item: OutboxItem) -> None:
        if item.finished and item.idempotency_key in wanted:
            wanted.discard(item.idempotency_key)
            if not wanted:
                finished.set()

    outbox.subscribe(on_change)
    worker = OutboxWorker(outbox)
    worker.start()
    try:
        assert finished.wait(10)
        finished.clear()
        later = outbox.sign(prescription_body()).idempotency_key
        wanted.add(later)
        worker.poke()
        assert finished.wait(10)
    finally:
        assert worker.stop()
    assert sorted(pharmacy.records) == sorted([queued_before_start, later])


@pytest.mark.parametrize("status", [400, 404, 422, 500])
def test_a_failed_lookup_never_rejects_a_prescription_that_may_have_arrived(
    store: LocalStore,
    transport: ScriptedTransport,
    clock: FakeClock,
    pharmacy: FakePharmacy,
    status: int,
) -> None:
    # Found by the state machine: a 422 answering find() once turned an unknown row
    # into "rejected", and re-signing it would have duplicated the prescription.
    outbox = make_outbox(store, transport, clock)
    key = outbox.sign(prescription_body()).idempotency_key
    transport.script.extend([COMMIT_THEN_DROP, ApiError(status, "lookup failed")])
    outbox.send(key)
    item = outbox.send(key)
    assert item is not None and (item.state, item.why) == (State.UNKNOWN, Why.CHECK_FAILED)
    [done] = outbox.reconcile()
    assert done.finished and len(pharmacy.records) == 1


def test_content_hash_for_matches_the_server_normalisation(
    store: LocalStore, clock: FakeClock
) -> None:
    from pharmacy_domain.canonical import canonical_sha256
    from pharmacy_domain.prescription import parse_prescription
    from pharmacy_domain.templates import load_template_catalog
    from portal_client.core.durable.outbox import content_hash_for, default_content_hash

    catalog = load_template_catalog()
    body = prescription_body()
    body["patient"]["given_name"] = "  Zebediah "  # trimmed by the server
    server_hash = canonical_sha256(parse_prescription(body, catalog).to_wire())
    assert content_hash_for(catalog)(body) == server_hash
    assert default_content_hash(body) != server_hash
    # Signing the normalised form makes the plain hash agree as well.
    assert default_content_hash(parse_prescription(body, catalog).to_wire()) == server_hash
    broken = {"template_id": "nope"}
    assert content_hash_for(catalog)(broken) == canonical_sha256(broken)
