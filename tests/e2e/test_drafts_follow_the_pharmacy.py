"""A demo server restarted on another port: the same pharmacy, so the same drafts.

A real ``pharmacy-server demo`` process twice on one data folder (each on a port of its
own choosing); the client side opens the user's store as the windows do, named after the
pharmacy the server reports.
"""

from __future__ import annotations

from pathlib import Path

from portal_client.core.api_client import ApiClient
from portal_client.core.durable import KeyStore, open_user_store, store_path
from portal_client.core.durable.pharmacy_names import pharmacy_id_for
from tests.helpers.live_server import start_live_server
from tests.unit.durable.fakes import prescription_body
from tests.unit.durable.test_keystore import MemoryBackend

USER = "prescriber1"


def _pharmacy_id(data_dir: Path, url: str) -> str | None:
    return pharmacy_id_for(data_dir, url, lambda: ApiClient(url).health().pharmacy_id)


def test_a_draft_written_before_a_restart_on_a_new_port_is_found(tmp_path: Path) -> None:
    server_dir, client_dir = tmp_path / "server", tmp_path / "client"
    backend = MemoryBackend()

    def keystores(scope: str) -> KeyStore:
        return KeyStore(scope, backend=backend)

    with start_live_server(server_dir) as first:
        first_url, first_id = first.url, _pharmacy_id(client_dir, first.url)
        assert first_id is not None
        # A store from before this change: named after the address, then moved over.
        old = open_user_store(client_dir, first_url, USER, None, keystores=keystores)
        old.drafts.save("before-the-restart", prescription_body())
        old.close()
        session = open_user_store(
            client_dir, first_url, USER, None, pharmacy_id=first_id, keystores=keystores
        )
        assert [draft.id for draft in session.drafts.list()] == ["before-the-restart"]
        session.close()
    assert not store_path(client_dir, first_url, USER).exists()

    with start_live_server(server_dir) as second:
        second_id = _pharmacy_id(client_dir, second.url)
        assert second_id == first_id
        session = open_user_store(
            client_dir, second.url, USER, None, pharmacy_id=second_id, keystores=keystores
        )
        assert [draft.id for draft in session.drafts.list()] == ["before-the-restart"]
        session.close()
