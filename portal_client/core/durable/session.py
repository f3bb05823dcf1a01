"""One call that opens everything the client keeps locally for a signed-in user."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.drafts import DraftStore
from portal_client.core.durable.keystore import DataKey, KeyStore
from portal_client.core.durable.outbox import Outbox, Transport
from portal_client.core.durable.store import LocalStore, store_path


@dataclass
class DurableSession:
    """The user's drafts and outbox. ``notice`` is shown when nothing survives a restart."""

    data_key: DataKey
    store: LocalStore
    drafts: DraftStore
    outbox: Outbox

    @property
    def persistent(self) -> bool:
        return self.store.persistent

    @property
    def notice(self) -> str | None:
        return self.data_key.notice

    def close(self) -> None:
        self.store.close()


def open_user_store(
    data_dir: Path,
    server_url: str,
    username: str,
    transport: Transport | None,
    *,
    keystore: KeyStore | None = None,
    clock: Callable[[], float] = time.time,
) -> DurableSession:
    """Fetch the user's key from the keyring and open their store.

    Blocks: up to a few keyring timeouts (see keystore.py) plus local disk I/O; no
    network. Without a persistent key the store lives in memory only. Raises
    ``store.StoreKeyMismatch`` if the file on disk was sealed with another key.
    """
    keys = keystore or KeyStore(server_url)
    data_key = keys.data_key_for(username)
    cipher = RecordCipher(data_key.key)
    if data_key.persistent:
        store = LocalStore.open(store_path(data_dir, server_url, username), cipher)
    else:
        store = LocalStore.in_memory(cipher)
    return DurableSession(
        data_key=data_key,
        store=store,
        drafts=DraftStore(store, clock=clock),
        outbox=Outbox(store, transport, clock=clock),
    )
