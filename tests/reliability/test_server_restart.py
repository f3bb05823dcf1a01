"""The server dies (SIGKILL) while prescriptions are in flight and comes back on the same data."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, State
from portal_client.core.durable.store import LocalStore
from tests.helpers.fault_proxy import Fault, FaultProxy
from tests.helpers.live_server import start_live_server
from tests.reliability.conftest import (
    PRESCRIPTIONS_PATH,
    new_serial,
    rows_per_key,
    server_counts,
    sign,
    signed_body,
    signed_in,
)


def test_server_killed_mid_send_then_restarted(tmp_path: Path) -> None:
    data_dir = tmp_path / "server"
    store = LocalStore.open(tmp_path / "client.sqlite3", RecordCipher(new_data_key()))
    with start_live_server(data_dir) as first:
        address = urlparse(first.url)
        assert address.hostname is not None and address.port is not None
        proxy = FaultProxy(address.hostname, address.port).start()
        try:
            client = signed_in(proxy.url)
            outbox = Outbox(store, ApiClientTransport(client))
            serials = [new_serial("server-restart") for _ in range(4)]
            keys = [sign(outbox, client, signed_body(s)).idempotency_key for s in serials]
            # The first arrives and commits but its answer never comes back …
            proxy.inject(Fault.HANG_AFTER_FORWARD, method="POST", path=PRESCRIPTIONS_PATH)
            outbox.send(keys[0])
            # … then the server dies; the next send reaches a dead upstream.
            first.kill()
            outbox.send(keys[1])
            states = [item.state for item in outbox.items()]
            assert states.count(State.UNKNOWN) == 2 and states.count(State.QUEUED) == 2
            with start_live_server(data_dir) as second:
                proxy.retarget(int(urlparse(second.url).port or 0))
                client.login("prescriber1", "demo-password")  # sessions may not survive
                outbox.resume()
                for _ in range(5):
                    outbox.reconcile()
                assert all(item.state is State.SUBMITTED for item in outbox.items()), [
                    (i.state, i.why, i.detail) for i in outbox.items()
                ]
                counts = server_counts(second.url, serials)
                assert [counts[s] for s in serials] == [1, 1, 1, 1]
                assert set(rows_per_key(second.url, keys).values()) == {1}
            client.close()
        finally:
            proxy.stop()
            store.close()
