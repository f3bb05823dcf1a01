"""Durability for the client: encrypted drafts, the signed-prescription outbox, the data key.

Nothing here imports Qt; everything is thread-safe. How the GUI uses it::

    session = open_user_store(paths.data_dir(), server_url, username,
                              ApiClientTransport(api_client))      # blocks: keyring + disk
    # raises StoreInUse if another instance has this user's store open: show str(error)
    if session.notice: show(session.notice)   # no keyring (memory only) / old store moved aside
    session.drafts.save(draft_id, payload)                          # disk, ms
    autosave = AutosaveDebouncer(session.drafts.save)               # note_edit / save_if_due
    grant = api_client.step_up(signing_sha256(body), password=pw)  # network: on a worker
    item = session.outbox.sign(body, draft_id=draft_id,
                               signing_token=grant.signing_token)   # disk, ms; no network
    # item.needs_signature (expired/refused token, nothing sent): sign again with
    # signing_sha256(session.outbox.body(key)) -> outbox.resign(key, grant.signing_token), or
    # session.outbox.reopen_rejected(key) to edit it as a draft.
    worker = OutboxWorker(session.outbox); worker.start()           # network on its thread
    worker.poke()                                                   # after sign / resume
    session.outbox.subscribe(callback)                              # called on worker thread
    session.outbox.pending_summary().sentence                       # quit dialog
    session.outbox.resume()                                         # after re-login
    worker.stop(); session.close()                                  # sign-out / quit

Calls that block on the network: ``Outbox.send``, ``send_interactive``,
``process_due``, ``reconcile`` (and ``OutboxWorker`` runs them). Calls that block
on the keyring (bounded by a timeout): ``KeyStore.*`` and ``open_user_store``.
Everything else is local disk only (milliseconds).
"""

from __future__ import annotations

from portal_client.core.durable.drafts import AutosaveDebouncer, DraftStore, DraftSummary
from portal_client.core.durable.keystore import DataKey, KeyStore
from portal_client.core.durable.outbox import (
    AlreadySigned,
    ApiClientTransport,
    NoSignatureNeeded,
    NotRejected,
    Outbox,
    OutboxItem,
    OutboxWorker,
    PendingSummary,
    State,
    Transport,
    Why,
    content_hash_for,
)
from portal_client.core.durable.session import DurableSession, open_user_store
from portal_client.core.durable.store import (
    LocalStore,
    StoreInUse,
    StoreKeyMismatch,
    store_path,
)

__all__ = [
    "AlreadySigned",
    "ApiClientTransport",
    "AutosaveDebouncer",
    "DataKey",
    "DraftStore",
    "DraftSummary",
    "DurableSession",
    "KeyStore",
    "LocalStore",
    "NoSignatureNeeded",
    "NotRejected",
    "Outbox",
    "OutboxItem",
    "OutboxWorker",
    "PendingSummary",
    "State",
    "StoreInUse",
    "StoreKeyMismatch",
    "Transport",
    "Why",
    "content_hash_for",
    "open_user_store",
    "store_path",
]
