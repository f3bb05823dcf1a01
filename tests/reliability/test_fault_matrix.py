"""Every network fault × {submit, reconcile}, against the real server: 0 lost, 0 duplicated,
0 corrupted local stores."""

from __future__ import annotations

import pytest

from portal_client.core.durable.outbox import State
from tests.helpers.fault_proxy import Fault, FaultProxy
from tests.helpers.live_server import LiveServer
from tests.reliability.conftest import (
    PRESCRIPTIONS_PATH,
    ClientSide,
    new_serial,
    rows_per_key,
    server_counts,
    sign,
    signed_body,
)

PER_CELL = 3
MAX_ROUNDS = 10

FAULTS = [
    (Fault.DELAY, 0.2),  # slow but within the read timeout
    (Fault.DELAY, 2.0),  # slower than the read timeout: the client gives up, the server commits
    (Fault.HANG, 0.0),
    (Fault.HANG_AFTER_FORWARD, 0.0),
    (Fault.RESET_BEFORE_FORWARD, 0.0),
    (Fault.RESET_AFTER_RESPONSE, 0.0),
    (Fault.TRUNCATE_RESPONSE, 0.0),
]


def settle(side: ClientSide) -> int:
    """Reconcile until every row is finished (bounded); returns the rounds used."""
    for round_number in range(1, MAX_ROUNDS + 1):
        side.outbox.reconcile()
        if all(item.state is State.SUBMITTED for item in side.outbox.items()):
            return round_number
    return MAX_ROUNDS + 1


def check_no_loss_no_duplicate(
    server: LiveServer, side: ClientSide, keys: list[str], serials: list[str]
) -> None:
    side.reopen()  # the store must open again and be intact
    assert side.store.integrity_ok()
    items = {item.idempotency_key: item for item in side.outbox.items()}
    assert sorted(items) == sorted(keys)
    assert all(item.state is State.SUBMITTED for item in items.values())
    counts = server_counts(server.url, serials)
    lost = [s for s in serials if counts[s] == 0]
    duplicated = [s for s in serials if counts[s] > 1]
    assert (lost, duplicated) == ([], [])
    assert set(rows_per_key(server.url, keys).values()) == {1}


@pytest.mark.parametrize(("fault", "delay"), FAULTS, ids=lambda v: getattr(v, "value", str(v)))
def test_submit_under_fault(
    server: LiveServer, proxy: FaultProxy, client_side: ClientSide, fault: Fault, delay: float
) -> None:
    serials = [new_serial(f"submit-{fault.value}") for _ in range(PER_CELL)]
    keys = [
        sign(client_side.outbox, client_side.client, signed_body(s)).idempotency_key
        for s in serials
    ]
    proxy.inject(fault, method="POST", path=PRESCRIPTIONS_PATH, times=1, delay=delay)
    client_side.outbox.process_due()
    assert proxy.applied[fault] == 1
    assert settle(client_side) <= MAX_ROUNDS
    check_no_loss_no_duplicate(server, client_side, keys, serials)


@pytest.mark.parametrize(("fault", "delay"), FAULTS, ids=lambda v: getattr(v, "value", str(v)))
def test_reconcile_under_fault(
    server: LiveServer, proxy: FaultProxy, client_side: ClientSide, fault: Fault, delay: float
) -> None:
    serials = [new_serial(f"reconcile-{fault.value}") for _ in range(PER_CELL)]
    keys = [
        sign(client_side.outbox, client_side.client, signed_body(s)).idempotency_key
        for s in serials
    ]
    # Every submit reaches the server and commits, but no answer gets back: all unknown.
    proxy.inject(Fault.RESET_AFTER_RESPONSE, method="POST", path=PRESCRIPTIONS_PATH, times=PER_CELL)
    client_side.outbox.process_due()
    assert {item.state for item in client_side.outbox.items()} == {State.UNKNOWN}
    # Now the lookups misbehave (twice: urllib3 retries a failed GET once).
    proxy.inject(fault, method="GET", path=f"{PRESCRIPTIONS_PATH}?", times=2, delay=delay)
    assert settle(client_side) <= MAX_ROUNDS
    assert proxy.applied[fault] >= 1
    check_no_loss_no_duplicate(server, client_side, keys, serials)


def test_offline_then_back(server: LiveServer, proxy: FaultProxy, client_side: ClientSide) -> None:
    serials = [new_serial("offline") for _ in range(PER_CELL)]
    keys = [
        sign(client_side.outbox, client_side.client, signed_body(s)).idempotency_key
        for s in serials
    ]
    proxy.set_offline(True)
    [first] = client_side.outbox.process_due()  # stops after the first: the network is down
    assert first.state is State.QUEUED and first.why.value == "offline"
    proxy.set_offline(False)
    assert settle(client_side) <= MAX_ROUNDS
    check_no_loss_no_duplicate(server, client_side, keys, serials)
