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

MOVED_ASIDE_NOTICE = (
    "Drafts and unsent prescriptions saved earlier on this computer could not be opened: "
    "the key that protects them is no longer in the system keyring. They were kept, "
    "unopened, in the file {name}, and an empty store was started. Prescriptions you "
    "signed may not have reached the pharmacy; check your list with the pharmacy."
)


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
    def moved_aside(self) -> Path | None:
        """Where an earlier store that this key cannot open was kept (never deleted)."""
        return self.store.moved_aside

    @property
    def notice(self) -> str | None:
        """What to tell the user once after opening, or None when all is as expected."""
        notices = [self.data_key.notice]
        if self.store.moved_aside is not None:
            notices.append(MOVED_ASIDE_NOTICE.format(name=self.store.moved_aside.name))
        shown = [text for text in notices if text]
        return " ".join(shown) if shown else None

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
    network. Without a persistent key the store lives in memory only. A file on
    disk sealed with another key is moved aside (kept, never deleted) and a fresh
    store started; ``notice`` then tells the user. Raises ``store.StoreInUse`` if
    another instance of the client has this user's store open.
    """
    keys = keystore or KeyStore(server_url)
    data_key = keys.data_key_for(username)
    cipher = RecordCipher(data_key.key)
    if data_key.persistent:
        store = LocalStore.open(
            store_path(data_dir, server_url, username), cipher, move_aside_if_key_differs=True
        )
    else:
        store = LocalStore.in_memory(cipher)
    return DurableSession(
        data_key=data_key,
        store=store,
        drafts=DraftStore(store, clock=clock),
        outbox=Outbox(store, transport, clock=clock),
    )
