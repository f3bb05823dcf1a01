"""Model-based test: whatever happens, no signed prescription is lost or duplicated.

Rules drive drafts, signing, sending, client crashes (including crashes after the
server committed but before the client recorded it), lost answers, network
outages, refusals, refused or expired signatures and signing again, sign-outs and
reconciliation. Every signed prescription carries a serial number in its notes, so a
duplicate is visible even under two keys.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.outbox import AlreadySigned, Outbox, State
from portal_client.core.durable.store import LocalStore
from portal_client.core.errors import ApiError
from portal_client.core.wire import ErrorWire
from tests.unit.durable.fakes import (
    COMMIT_THEN_DROP,
    LOST_REQUEST,
    SIGNED_OUT,
    FakeClock,
    FakePharmacy,
    ScriptedTransport,
    prescription_body,
)

DRAFT_IDS = st.sampled_from(["d1", "d2", "d3"])


class ClientCrashed(BaseException):
    """The client process died (BaseException: nothing in the outbox may catch it)."""


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="outbox-machine-"))
        self.path = self.folder / "store.sqlite3"
        self.cipher = RecordCipher(new_data_key())
        self.clock = FakeClock()
        self.pharmacy = FakePharmacy()
        self.transport = ScriptedTransport(self.pharmacy)
        self.serial = 0
        self.signed: dict[str, int] = {}  # key -> serial of the prescription it carries
        self.reopened: set[str] = set()  # rejected keys turned back into drafts
        self.tokens: dict[str, str] = {}  # key -> the signing token its row holds now
        self._open()

    def _open(self) -> None:
        self.store = LocalStore.open(self.path, self.cipher)
        self.drafts = DraftStore(self.store, clock=self.clock)
        self.outbox = Outbox(self.store, self.transport, clock=self.clock, rng=random.Random(0))

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _body(self, draft_id: str) -> dict[str, object]:
        self.serial += 1
        body: dict[str, object] = prescription_body()
        body["notes"] = f"serial {self.serial} from {draft_id}"
        return body

    # ---------------------------------------------------------------- rules

    @rule(draft_id=DRAFT_IDS)
    def edit_and_save_draft(self, draft_id: str) -> None:
        self.drafts.save(draft_id, self._body(draft_id))

    @rule(draft_id=DRAFT_IDS)
    def sign_draft(self, draft_id: str) -> None:
        body = self.drafts.load(draft_id)
        if body is None:
            return
        token = f"token-{self.serial}-{draft_id}"
        try:
            item = self.outbox.sign(body, draft_id=draft_id, signing_token=token)
        except AlreadySigned:
            return
        self.tokens[item.idempotency_key] = token
        self.signed[item.idempotency_key] = int(str(body["notes"]).split()[1])
        assert self.drafts.load(draft_id) is None

    @rule(draft_id=DRAFT_IDS)
    def write_and_sign(self, draft_id: str) -> None:
        self.edit_and_save_draft(draft_id)
        self.sign_draft(draft_id)

    @rule()
    def send_due(self) -> None:
        self.clock.advance(1000)
        self.outbox.process_due()

    @rule()
    def reconcile(self) -> None:
        self.outbox.reconcile()

    @rule()
    def server_commits_then_connection_drops(self) -> None:
        self.transport.script.append(COMMIT_THEN_DROP)
        self.outbox.reconcile()

    @rule()
    def request_lost_on_the_way(self) -> None:
        self.transport.script.append(LOST_REQUEST)
        self.outbox.reconcile()

    @rule()
    def server_refuses(self) -> None:
        self.transport.script.append(ApiError(422, "not valid"))
        self.outbox.reconcile()

    @rule(expired=st.booleans())
    def signature_refused(self, expired: bool) -> None:
        code = "signing.token_expired" if expired else "signing.token_used"
        self.transport.script.append(
            ApiError(422, "sign again", answer=ErrorWire("sign again", code=code))
        )
        self.outbox.reconcile()

    @rule()
    def prescriber_signs_again(self) -> None:
        for item in self.outbox.items():
            if item.state is State.NEEDS_SIGNATURE:
                token = f"token-again-{item.idempotency_key}-{item.attempts}"
                self.outbox.resign(item.idempotency_key, token)
                self.tokens[item.idempotency_key] = token
                return

    @rule()
    def server_busy(self) -> None:
        self.transport.script.append(ApiError(503, "restarting", retry_after=30.0))
        self.outbox.reconcile()

    @rule()
    def session_expires_then_sign_in_again(self) -> None:
        self.transport.script.append(SIGNED_OUT)
        self.outbox.reconcile()
        self.transport.script.clear()  # unused if nothing was waiting to be sent
        self.outbox.resume()

    @rule(up=st.booleans())
    def network(self, up: bool) -> None:
        self.transport.network_up = up

    @rule(server_commits_first=st.booleans())
    def crash_client_while_sending(self, server_commits_first: bool) -> None:
        def die(operation: str, key: str) -> None:
            if operation == "submit" and server_commits_first:
                body = {**self.outbox.body(key), "signing_token": self.tokens[key]}
                self.pharmacy.accept(body, key)
            raise ClientCrashed

        self.transport.before_call = die
        try:
            self.outbox.reconcile()
        except ClientCrashed:
            pass
        finally:
            self.transport.before_call = None
        self.crash_client()

    @rule()
    def crash_client(self) -> None:
        # Drop every object without any cleanup of outbox state, then reopen the file.
        self.store.close()
        self._open()

    @rule()
    def reopen_a_rejected_prescription(self) -> None:
        for item in self.outbox.items():
            if item.state is State.REJECTED:
                self.outbox.reopen_rejected(item.idempotency_key)
                self.reopened.add(item.idempotency_key)
                return

    @precondition(lambda self: bool(self.signed))
    @rule()
    def settle(self) -> None:
        """Network back, no more faults: everything not refused reaches the server."""
        self.transport.network_up = True
        self.transport.script.clear()
        self.outbox.resume()  # as after signing in again
        for _ in range(3):
            while any(item.needs_signature for item in self.outbox.items()):
                self.prescriber_signs_again()
            self.clock.advance(10_000)
            self.outbox.reconcile()
        for item in self.outbox.items():
            assert item.state in (State.SUBMITTED, State.REJECTED), (item, self.outbox.paused)

    # ------------------------------------------------------------ invariants

    @invariant()
    def at_most_one_server_record_per_prescription(self) -> None:
        serials = Counter(str(body["notes"]) for body in self.pharmacy.bodies.values())
        assert all(count == 1 for count in serials.values()), serials

    @invariant()
    def every_signed_prescription_is_in_the_outbox_or_at_the_server(self) -> None:
        present = {item.idempotency_key for item in self.outbox.items()}
        for key in self.signed:
            if key in self.reopened:
                assert key not in self.pharmacy.records  # refused, and back in the drafts
            else:
                assert key in present or key in self.pharmacy.records

    @invariant()
    def acknowledged_rows_have_a_matching_server_record(self) -> None:
        for item in self.outbox.items():
            if item.state is State.SUBMITTED:
                record = self.pharmacy.records[item.idempotency_key]
                assert record["id"] == item.server_id

    @invariant()
    def the_store_is_intact(self) -> None:
        assert self.store.integrity_ok()


OutboxMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_outbox_state_machine = OutboxMachine.TestCase
