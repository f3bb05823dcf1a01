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
from portal_client.core.durable.store import (
    LocalStore,
    pharmacy_scope,
    pharmacy_store_path,
    store_path,
)
from portal_client.core.durable.store_move import move_store_over
from portal_client.core.i18n import QT_TRANSLATE_NOOP, translate

MOVED_ASIDE_NOTICE = QT_TRANSLATE_NOOP(
    "Session",
    "Drafts and unsent prescriptions saved earlier on this computer could "
    "not be opened: the key that protects them is no longer in the system "
    "keyring. They were kept, unopened, in the file {name}, and an empty "
    "store was started. Prescriptions you signed may not have reached the "
    "pharmacy; check your list with the pharmacy.",
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
        key_notice = self.data_key.notice
        notices = [translate("Keystore", key_notice) if key_notice else None]
        if self.store.moved_aside is not None:
            notices.append(
                translate("Session", MOVED_ASIDE_NOTICE).format(name=self.store.moved_aside.name)
            )
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
    pharmacy_id: str | None = None,
    keystore: KeyStore | None = None,
    keystores: Callable[[str], KeyStore] = KeyStore,
    clock: Callable[[], float] = time.time,
) -> DurableSession:
    """Fetch the user's key from the keyring and open their store.

    The store is named after ``pharmacy_id`` (the server's ``/healthz``) and the user, so
    any address or port of the pharmacy finds it; the first time, a store named after
    ``server_url`` moves over (``store_move.py``). Without ``pharmacy_id`` (a server
    that does not say) it is named after ``server_url``. ``keystores`` makes the keyring
    access for a name; ``keystore`` overrides the one for the store's own name.

    Blocks: up to a few keyring timeouts (see keystore.py) plus local disk I/O; no
    network. Without a persistent key the store lives in memory only. A file on
    disk sealed with another key is moved aside (kept, never deleted) and a fresh
    store started; ``notice`` then tells the user. Raises ``store.StoreInUse`` if
    another instance of the client has this user's store open.
    """
    if pharmacy_id is None:
        keys = keystore or keystores(server_url)
        path = store_path(data_dir, server_url, username)
    else:
        keys = keystore or keystores(pharmacy_scope(pharmacy_id))
        path = pharmacy_store_path(data_dir, pharmacy_id, username)
        move_store_over(
            store_path(data_dir, server_url, username),
            path,
            username,
            old_keys=keystores(server_url),
            new_keys=keys,
        )
    data_key = keys.data_key_for(username)
    cipher = RecordCipher(data_key.key)
    if data_key.persistent:
        store = LocalStore.open(path, cipher, move_aside_if_key_differs=True)
    else:
        store = LocalStore.in_memory(cipher)
    return DurableSession(
        data_key=data_key,
        store=store,
        drafts=DraftStore(store, clock=clock),
        outbox=Outbox(store, transport, clock=clock),
    )
