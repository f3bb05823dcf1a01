"""A signature that expires before the prescription reaches the pharmacy, on the real
server: the row goes back to its prescriber (``needs_signature``), survives a client
restart, and once signed again it is on the server exactly once, under its first key."""

from __future__ import annotations

from pathlib import Path

from pharmacy_domain.canonical import signing_sha256
from portal_client.core.durable.crypto import RecordCipher, new_data_key
from portal_client.core.durable.outbox import ApiClientTransport, Outbox, State, Why
from portal_client.core.durable.store import LocalStore
from tests.helpers.live_server import DEMO_PASSWORD, demo_database_url, start_live_server
from tests.reliability.conftest import new_serial, report, server_rows, sign, signed_body, signed_in


def test_expired_signature_goes_back_to_the_prescriber_and_nothing_is_lost(
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "server"
    store_file = tmp_path / "client.sqlite3"
    cipher = RecordCipher(new_data_key())
    label = new_serial("expiry")
    serials = [f"{label} {n}" for n in range(3)]
    # A server whose signing tokens are already expired when issued (0 hours).
    with start_live_server(data_dir, extra_env={"PHARMACY_SIGNING_TOKEN_HOURS": "0"}) as server:
        client = signed_in(server.url)
        store = LocalStore.open(store_file, cipher)
        outbox = Outbox(store, ApiClientTransport(client))
        keys = [sign(outbox, client, signed_body(serial)).idempotency_key for serial in serials]
        outbox.reconcile()
        refused = outbox.items()
        assert {(item.state, item.why) for item in refused} == {
            (State.NEEDS_SIGNATURE, Why.SIGNATURE_EXPIRED)
        }, [(i.state, i.why, i.detail) for i in refused]
        assert outbox.pending_summary().needs_attention == len(serials)
        assert server_rows(demo_database_url(data_dir), label) == []
        client.close()
        store.close()
    # The pharmacy's normal 24 h signatures again; the client restarts on the same store.
    with start_live_server(data_dir) as server:
        client = signed_in(server.url)
        store = LocalStore.open(store_file, cipher)
        outbox = Outbox(store, ApiClientTransport(client))
        assert all(item.needs_signature for item in outbox.items())
        outbox.reconcile()  # nothing goes out without a new signature
        assert all(item.needs_signature for item in outbox.items())
        for key in keys:
            grant = client.step_up(signing_sha256(outbox.body(key)), password=DEMO_PASSWORD)
            outbox.resign(key, grant.signing_token)
        outbox.reconcile()
        assert [item.state for item in outbox.items()] == [State.SUBMITTED] * len(keys)
        rows = server_rows(demo_database_url(data_dir), label)
        assert sorted(row.idempotency_key for row in rows) == sorted(keys)
        assert sorted(row.notes for row in rows) == sorted(serials)
        assert store.integrity_ok()
        report(
            "signature-expiry",
            {"signed": len(keys), "needs_signature_after_expiry": len(refused), "rows": len(rows)},
        )
        client.close()
        store.close()
