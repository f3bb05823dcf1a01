"""Move a store named after the server's address to the name of the pharmacy's identity.

Stores were once named after the address the client reached the server by, so a server
on a new port (a restarted demo) or a new address showed "No drafts" while the old ones
sat on disk. A store is now named after the pharmacy's id (``/healthz``) and the user;
the first time a user signs in to a pharmacy that says its id, the store under the old
name moves over, sealed as it was: its data key is copied to the new keyring entry and
the file renamed, never decrypted and rewritten. The old keyring entry is left in place
(harmless, and the file stays readable if a move is interrupted).

Blocking: keyring calls (bounded, see keystore.py) and a few ms of disk; no network.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.keystore import KeyStore
from portal_client.core.durable.store import (
    InstanceLock,
    LocalStore,
    StoreKeyMismatch,
    move_store_files,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreMove:
    """What ``move_store_over`` did: ``moved`` True once the file is at ``target``."""

    moved: bool
    reason: str


def move_store_over(
    source: Path,
    target: Path,
    username: str,
    *,
    old_keys: KeyStore,
    new_keys: KeyStore,
) -> StoreMove:
    """Move ``source`` (sealed under ``old_keys``) to ``target`` (under ``new_keys``).

    Does nothing when ``target`` exists (the user already has a store there) or
    ``source`` does not. Raises ``StoreInUse`` if another instance has ``source`` open.
    A source whose key is gone or does not open it stays where it is.
    """
    if target.exists():
        return StoreMove(False, "a store already exists under the pharmacy's name")
    if not source.exists():
        return StoreMove(False, "no store under the address's name")
    key = old_keys.existing_data_key(username)
    if key is None:
        return StoreMove(False, "the old store's key is not in the keyring")
    try:
        # Open it once with its key (and close it): only a store this key opens moves.
        LocalStore.open(source, RecordCipher(key)).close()
    except StoreKeyMismatch:
        return StoreMove(False, "the old store's key does not open it")
    source_lock = InstanceLock(source)  # StoreInUse if another instance opened it since
    try:
        if not new_keys.keep_data_key(username, key):
            return StoreMove(False, "the keyring did not keep the key under the new name")
        target.parent.mkdir(parents=True, exist_ok=True)
        move_store_files(source, target)
    finally:
        source_lock.release()
    log.info("Moved the local store to the pharmacy's name")
    return StoreMove(True, "moved")
