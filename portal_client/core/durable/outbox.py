"""The outbox: a signed prescription is never lost and never duplicated.

Signing writes the body, its SHA-256 and a fresh Idempotency-Key (uuid4) in one
local transaction (WAL, synchronous=FULL) *before* a byte goes out, and removes
the draft in the same transaction. Every send of that row, including after
crashes and restarts, reuses the same key, so the server (unique per user and
key) creates at most one prescription; the client resends until the server
confirms one, so none is lost.

States::

    queued ──send──> sending ──201 + hash matches──> submitted   (finished)
      ^                 │ ──201, hash differs──────> mismatch    (needs attention)
      │                 │ ──400/422/403…───────────> rejected    (needs attention;
      │                 │                                         body kept, reopen as draft)
      │                 │ ──422 signing.* and the key──> needs_signature (the prescriber signs
      │                 │   is not on the server          again: ``resign``; or reopen as draft)
      └──nothing sent───┤ (offline, 429, signed out)
                        └──may have arrived──────> unknown  (timeout, reset, 5xx, 409)
    unknown ──find(key)──> found: submitted/mismatch; absent: send again (same key)

A row left in ``sending`` by a crash is ``unknown`` when the store is opened again.
``resign(key, token)`` puts a ``needs_signature`` row back as ``unknown`` (checked
before it is sent again, with the same key and the new token).

Signing tokens: the GUI gets one from ``POST /auth/step-up`` for
``pharmacy_domain.canonical.signing_sha256(body)`` and passes it to ``sign``. It is
sealed in the row with the body and added to the body only when sent; the content
hash compared with the server's is over the body without it. The server refuses an
expired, used or mismatched token with 422 and a ``signing.*`` code: nothing was
stored under the key, so the row waits for a new signature and nothing is lost.

Blocking: ``sign``, ``items``, ``get``, ``body``, ``pending_summary``,
``next_wakeup``, ``reopen_rejected`` and ``prune_submitted`` only touch the local
file (milliseconds). ``send``, ``send_interactive``, ``process_due`` and
``reconcile`` call the transport: they block on the network (``send_interactive``
also waits between quick retries) and belong on a worker thread, e.g.
``OutboxWorker``. Every method is thread-safe; one row is never sent by two
threads at once. Listeners are called on the thread that changed the row.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from pharmacy_domain.canonical import SIGNING_TOKEN_FIELD, CanonicalForm
from portal_client.core.durable.backoff import (
    BACKGROUND,
    QUICK,
    BackoffPolicy,
    honour_retry_after,
)
from portal_client.core.durable.drafts import default_title, seal_draft, write_draft
from portal_client.core.durable.outbox_items import (
    NEEDS_ATTENTION,
    REOPENABLE,
    SENDABLE,
    UNSENT,
    AlreadySigned,
    NoSignatureNeeded,
    NotRejected,
    OutboxItem,
    PendingSummary,
    State,
    Why,
)
from portal_client.core.durable.outbox_transport import (
    ApiClientTransport,
    ContentHash,
    Transport,
    content_hash_for,
    default_content_hash,
    receipt,
)
from portal_client.core.durable.outbox_worker import OutboxWorker
from portal_client.core.durable.store import LocalStore
from portal_client.core.errors import ApiError, NotSignedIn, OutcomeUnknown, ServerUnreachable
from portal_client.core.i18n import translate

log = logging.getLogger(__name__)

OUTBOX_KIND = "outbox"
DETAIL_KIND = "outbox-detail"
_SIGNING_CODE_PREFIX = "signing."
_EXPIRED_CODE = "signing.token_expired"


_COLUMNS = (
    "idempotency_key, draft_id, signed_at, state, why, attempts, next_attempt_at, updated_at, "
    "server_id, server_reference, server_status, sealed, sealed_detail"
)


class Outbox:
    """The signed-prescription queue of one user's ``LocalStore``."""

    def __init__(
        self,
        store: LocalStore,
        transport: Transport | None = None,
        *,
        clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
        content_hash: ContentHash = default_content_hash,
        background: BackoffPolicy = BACKGROUND,
        quick: BackoffPolicy = QUICK,
    ) -> None:
        self._store = store
        self._transport = transport
        self._clock = clock
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self._content_hash = content_hash
        self._background = background
        self._quick = quick
        self._paused = False
        self._listeners: list[Callable[[OutboxItem], None]] = []
        self._listeners_lock = threading.Lock()
        self._recover_interrupted()

    # ------------------------------------------------------------ wiring

    def now(self) -> float:
        """The outbox's clock (``next_wakeup`` is on this clock)."""
        return self._clock()

    def set_transport(self, transport: Transport | None) -> None:
        """Use ``transport`` from now on (after sign-in); None detaches it (sign-out)."""
        self._transport = transport

    @property
    def paused(self) -> bool:
        """True after the server said the session ended, until ``resume``."""
        return self._paused

    def resume(self, transport: Transport | None = None) -> None:
        """After a new sign-in: rows waiting for it become due now."""
        if transport is not None:
            self._transport = transport
        self._paused = False
        now = self._clock()
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE why = ? AND state IN (?, ?)",
                (now, Why.SIGNED_OUT.value, *SENDABLE),
            )

    def subscribe(self, listener: Callable[[OutboxItem], None]) -> Callable[[], None]:
        """Call ``listener(item)`` after every change of a row; returns an unsubscribe."""
        with self._listeners_lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._listeners_lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, key: str) -> None:
        with self._listeners_lock:
            listeners = list(self._listeners)
        if not listeners:
            return
        item = self.get(key)
        if item is None:
            return
        for listener in listeners:
            try:
                listener(item)
            except Exception:  # a broken listener must not stop the outbox
                log.exception("Outbox listener failed")

    def _recover_interrupted(self) -> None:
        # A row still "sending" was cut off by a crash: it may have arrived.
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, why = ?, next_attempt_at = ?, updated_at = ? "
                "WHERE state = ?",
                (State.UNKNOWN, Why.INTERRUPTED, self._clock(), self._clock(), State.SENDING),
            )

    # ------------------------------------------------------------ local only

    def sign(
        self,
        body: Mapping[str, Any],
        *,
        draft_id: str | None = None,
        title: str | None = None,
        signing_token: str | None = None,
    ) -> OutboxItem:
        """Queue a signed prescription; returns its row. Local disk only, no network.

        The body, its hash, the ``signing_token`` (from step-up, for
        ``signing_sha256(body)``) and a new Idempotency-Key are committed (fsync)
        before this returns, and the draft ``draft_id`` is removed in the same
        transaction. ``body`` must not hold the token itself. Raises
        ``AlreadySigned`` if that draft already has a live row.
        """
        plain_body = dict(body)
        if SIGNING_TOKEN_FIELD in plain_body:
            raise ValueError("pass the signing token as signing_token=, not inside the body")
        content_sha256 = self._content_hash(plain_body)  # refuses NaN before anything is written
        key = str(uuid.uuid4())
        shown = title if title is not None else default_title(plain_body)
        record: dict[str, Any] = {
            "body": plain_body,
            "content_sha256": content_sha256,
            "title": shown,
        }
        if signing_token is not None:
            record[SIGNING_TOKEN_FIELD] = signing_token
        sealed = self._store.cipher.seal_json(OUTBOX_KIND, key, record)
        now = self._clock()
        with self._store.transaction() as db:
            if draft_id is not None:
                existing = db.execute(
                    "SELECT idempotency_key FROM outbox WHERE draft_id = ? AND state <> ?",
                    (draft_id, State.REJECTED),
                ).fetchone()
                if existing is not None:
                    existing_key = str(existing[0])
                else:
                    existing_key = None
                    db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            else:
                existing_key = None
            if existing_key is None:
                db.execute(
                    f"INSERT INTO outbox ({_COLUMNS}) "  # noqa: S608 - constant column list
                    "VALUES (?, ?, ?, ?, ?, 0, ?, ?, NULL, NULL, NULL, ?, NULL)",
                    (key, draft_id, now, State.QUEUED, Why.WAITING, now, now, sealed),
                )
        if existing_key is not None:
            item = self.get(existing_key)
            assert item is not None
            raise AlreadySigned(item)
        self._notify(key)
        item = self.get(key)
        assert item is not None
        return item

    def _row_to_item(self, row: tuple[Any, ...]) -> OutboxItem:
        (key, draft_id, signed_at, state, why, attempts, next_at, updated_at) = row[:8]
        server_id, reference, server_status, sealed, sealed_detail = row[8:]
        record = self._store.cipher.open_json(OUTBOX_KIND, key, bytes(sealed))
        detail: dict[str, Any] = {}
        if sealed_detail is not None:
            detail = self._store.cipher.open_json(DETAIL_KIND, key, bytes(sealed_detail))
        return OutboxItem(
            idempotency_key=key,
            draft_id=draft_id,
            title=str(record.get("title", "")),
            state=State(state),
            why=Why(why),
            attempts=int(attempts),
            signed_at=float(signed_at),
            next_attempt_at=float(next_at),
            updated_at=float(updated_at),
            server_id=server_id,
            server_reference=reference,
            server_status=server_status,
            detail=detail.get("message"),
            field_errors=tuple(
                (str(e.get("field", "")), str(e.get("reason", "")))
                for e in detail.get("field_errors", [])
            ),
        )

    def get(self, idempotency_key: str) -> OutboxItem | None:
        with self._store.transaction() as db:
            row = db.execute(
                f"SELECT {_COLUMNS} FROM outbox WHERE idempotency_key = ?",  # noqa: S608
                (idempotency_key,),
            ).fetchone()
        return None if row is None else self._row_to_item(tuple(row))

    def items(self) -> list[OutboxItem]:
        """Every row, newest signature first (decrypts each for its title)."""
        with self._store.transaction() as db:
            rows = db.execute(
                f"SELECT {_COLUMNS} FROM outbox ORDER BY signed_at DESC, rowid DESC"  # noqa: S608
            ).fetchall()
        return [self._row_to_item(tuple(row)) for row in rows]

    def body(self, idempotency_key: str) -> dict[str, Any]:
        """The signed body without its signing token (what ``signing_sha256`` is computed
        over, e.g. to sign it again). KeyError if unknown."""
        return dict(self._sealed_record(idempotency_key)["body"])

    def resign(self, idempotency_key: str, signing_token: str) -> OutboxItem:
        """A new signature for a row in ``needs_signature``; local disk only, no network.

        The new token replaces the old one in the sealed row and the row becomes due
        again with the same Idempotency-Key. It goes back as ``unknown``, so the server
        is asked for the key before anything is sent (a refusal raced with an earlier
        attempt's commit must not turn into a second prescription). Raises KeyError or
        ``NoSignatureNeeded``.
        """
        record = self._sealed_record(idempotency_key)
        record[SIGNING_TOKEN_FIELD] = signing_token
        sealed = self._store.cipher.seal_json(OUTBOX_KIND, idempotency_key, record)
        now = self._clock()
        with self._store.transaction() as db:
            updated = db.execute(
                "UPDATE outbox SET sealed = ?, sealed_detail = NULL, state = ?, why = ?, "
                "next_attempt_at = ?, updated_at = ? WHERE idempotency_key = ? AND state = ?",
                (
                    sealed,
                    State.UNKNOWN,
                    Why.WAITING,
                    now,
                    now,
                    idempotency_key,
                    State.NEEDS_SIGNATURE,
                ),
            )
            if updated.rowcount != 1:
                raise NoSignatureNeeded(
                    translate(
                        "Outbox", "Only a prescription waiting for a signature can be signed again."
                    )
                )
        self._notify(idempotency_key)
        item = self.get(idempotency_key)
        assert item is not None
        return item

    def _sealed_record(self, key: str) -> dict[str, Any]:
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT sealed FROM outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
        if row is None:
            raise KeyError(key)
        record: dict[str, Any] = self._store.cipher.open_json(OUTBOX_KIND, key, bytes(row[0]))
        return record

    def pending_summary(self) -> PendingSummary:
        with self._store.transaction() as db:
            counts = dict(
                db.execute("SELECT state, COUNT(*) FROM outbox GROUP BY state").fetchall()
            )
        return PendingSummary(
            unsent=sum(counts.get(state.value, 0) for state in UNSENT),
            needs_attention=sum(counts.get(state.value, 0) for state in NEEDS_ATTENTION),
        )

    def next_wakeup(self) -> float | None:
        """When (clock time) the next row is due, or None if nothing waits to be sent."""
        if self._paused:
            return None
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT MIN(next_attempt_at) FROM outbox WHERE state IN (?, ?)", SENDABLE
            ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def reopen_rejected(self, idempotency_key: str) -> str:
        """Turn a rejected row (or one waiting for a new signature) back into a draft
        (same draft id if it had one); returns the id.

        One transaction: the body is never in neither place. Signing the corrected
        draft makes a new row with a new key.
        """
        record = self._sealed_record(idempotency_key)
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT state, draft_id FROM outbox WHERE idempotency_key = ?", (idempotency_key,)
            ).fetchone()
            if row is None or row[0] not in REOPENABLE:
                raise NotRejected(
                    translate("Outbox", "Only a prescription the pharmacy refused can be reopened.")
                )
            draft_id = str(row[1] or uuid.uuid4())
            sealed = seal_draft(self._store.cipher, draft_id, record["body"], record.get("title"))
            write_draft(db, draft_id, sealed, self._clock())
            db.execute("DELETE FROM outbox WHERE idempotency_key = ?", (idempotency_key,))
        return draft_id

    def prune_submitted(self, older_than: float) -> int:
        """Forget finished rows last changed before ``older_than``; returns how many."""
        with self._store.transaction() as db:
            cursor = db.execute(
                "DELETE FROM outbox WHERE state = ? AND updated_at < ?",
                (State.SUBMITTED, older_than),
            )
            return cursor.rowcount

    # ------------------------------------------------------------ network

    def send(self, idempotency_key: str) -> OutboxItem | None:
        """One attempt for one row, if it is sendable and not taken by another thread.

        Blocks on the network. Returns the row afterwards (None if it does not exist).
        """
        self._attempt(idempotency_key)
        return self.get(idempotency_key)

    def send_interactive(
        self, idempotency_key: str, *, wait: Callable[[float], object] = time.sleep
    ) -> OutboxItem | None:
        """Up to ``quick.max_attempts`` tries with short jittered pauses, while the user waits.

        Blocks on the network and in ``wait`` (pass e.g. ``threading.Event().wait`` to
        make it cancellable). Whatever is still unsent is left to background retries.
        """
        item = self.get(idempotency_key)
        tries = 0
        while item is not None and item.state in SENDABLE and not self._paused:
            retry_after = self._attempt(idempotency_key)
            tries += 1
            item = self.get(idempotency_key)
            if item is None or item.state not in SENDABLE or self._paused:
                break
            if self._quick.gives_up_after(tries):
                break
            wait(honour_retry_after(self._quick.delay(tries - 1, self._rng), retry_after))
        return item

    def process_due(self, now: float | None = None) -> list[OutboxItem]:
        """Try every row whose time has come, oldest signature first. Blocks on the network.

        Stops early when the network is down, the server asks to wait, or the
        session ended: the other rows keep their schedule.
        """
        if self._paused or self._transport is None:
            return []
        moment = self._clock() if now is None else now
        with self._store.transaction() as db:
            keys = [
                str(row[0])
                for row in db.execute(
                    "SELECT idempotency_key FROM outbox WHERE state IN (?, ?) "
                    "AND next_attempt_at <= ? ORDER BY signed_at, rowid",
                    (*SENDABLE, moment),
                ).fetchall()
            ]
        results = []
        for key in keys:
            self._attempt(key)
            item = self.get(key)
            if item is not None:
                results.append(item)
                # SIGNED_OUT also paused the outbox: nothing more can go out.
                if item.why in (Why.OFFLINE, Why.SERVER_BUSY, Why.SIGNED_OUT):
                    break
        return results

    def reconcile(self) -> list[OutboxItem]:
        """At start-up or after reconnecting: check and send every unfinished row now.

        Blocks on the network.
        """
        now = self._clock()
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET next_attempt_at = ? WHERE state IN (?, ?)", (now, *SENDABLE)
            )
        return self.process_due(now)

    def _claim(self, key: str) -> tuple[dict[str, Any], bool, int] | None:
        """Mark a sendable row ``sending`` (durably, before any I/O). Returns
        (sealed record, whether it may already be on the server, attempts) or None."""
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT state, attempts, sealed FROM outbox WHERE idempotency_key = ?", (key,)
            ).fetchone()
            if row is None or row[0] not in SENDABLE:
                return None
            attempts = int(row[1]) + 1
            db.execute(
                "UPDATE outbox SET state = ?, attempts = ?, updated_at = ? "
                "WHERE idempotency_key = ?",
                (State.SENDING, attempts, self._clock(), key),
            )
        record = self._store.cipher.open_json(OUTBOX_KIND, key, bytes(row[2]))
        return record, row[0] == State.UNKNOWN, attempts

    def _attempt(self, key: str) -> float | None:
        """Claim, talk to the server, record the outcome. Returns the server's Retry-After."""
        transport = self._transport
        if transport is None or self._paused:
            return None
        claimed = self._claim(key)
        if claimed is None:
            return None
        record, maybe_on_server, attempts = claimed
        retry_after: float | None = None
        try:
            if maybe_on_server:
                try:
                    found = transport.find(key)
                except ApiError as error:
                    # A failed *lookup* says nothing about the prescription: a 4xx here
                    # must never reject it (it may be on the server already).
                    why = Why.SERVER_BUSY if error.status == 429 else Why.CHECK_FAILED
                    self._reschedule(key, True, why, attempts, error.retry_after)
                    return error.retry_after
                if found is not None:
                    self._record_server_copy(key, record, found)
                    return None
                maybe_on_server = False  # the server has no record of it: send it
            answer = transport.submit(_wire_body(record), key)
        except NotSignedIn:
            self._paused = True
            self._reschedule(key, maybe_on_server, Why.SIGNED_OUT, attempts, None)
        except ServerUnreachable:
            self._reschedule(key, maybe_on_server, Why.OFFLINE, attempts, None)
        except OutcomeUnknown:
            self._reschedule(key, True, Why.NO_ANSWER, attempts, None)
        except ApiError as error:
            retry_after = error.retry_after
            self._record_api_error(
                transport, key, record, error, maybe_on_server=maybe_on_server, attempts=attempts
            )
        except Exception as error:
            # A bug or an unforeseen library error: the request may have gone out.
            log.exception("Unexpected error while sending a prescription (%s)", type(error))
            self._reschedule(key, True, Why.UNEXPECTED, attempts, None)
        else:
            self._record_server_copy(key, record, answer)
        return retry_after

    def _record_signing_refusal(
        self,
        transport: Transport,
        key: str,
        record: Mapping[str, Any],
        error: ApiError,
        attempts: int,
    ) -> None:
        """The server refused the signature, so it stored nothing *for this request*.
        An earlier attempt with this key may still have committed in between (its
        token then reads as used): ask before handing the row back for signing."""
        try:
            found = transport.find(key)
        except Exception:  # any failure: still unknown, checked again later
            log.info("Lookup after a signing refusal failed; will check again")
            self._reschedule(key, True, Why.CHECK_FAILED, attempts, None)
            return
        if found is not None:
            self._record_server_copy(key, record, found)
            return
        code = _error_code(error)
        why = Why.SIGNATURE_EXPIRED if code == _EXPIRED_CODE else Why.SIGNATURE_REFUSED
        detail = {"message": str(error), "field_errors": _field_errors_on_disk(error), "code": code}
        self._finish(key, State.NEEDS_SIGNATURE, why, detail=detail)

    def _record_api_error(
        self,
        transport: Transport,
        key: str,
        record: Mapping[str, Any],
        error: ApiError,
        *,
        maybe_on_server: bool,
        attempts: int,
    ) -> None:
        status = error.status
        if _is_signing_refusal(error):
            self._record_signing_refusal(transport, key, record, error, attempts)
        elif status == 429:
            self._reschedule(key, maybe_on_server, Why.SERVER_BUSY, attempts, error.retry_after)
        elif status == 409:  # another request with this key is being processed
            self._reschedule(key, True, Why.IN_PROGRESS, attempts, error.retry_after)
        elif status >= 500 or status < 400:
            # 5xx may come after the commit; <400 here means an unreadable answer.
            self._reschedule(key, True, Why.SERVER_UNAVAILABLE, attempts, error.retry_after)
        else:
            why = Why.INVALID if status in (400, 422) else Why.REFUSED
            detail = {"message": str(error), "field_errors": _field_errors_on_disk(error)}
            self._finish(key, State.REJECTED, why, detail=detail)

    def _reschedule(
        self,
        key: str,
        maybe_on_server: bool,
        why: Why,
        attempts: int,
        retry_after: float | None,
    ) -> None:
        delay = honour_retry_after(self._background.delay(attempts - 1, self._rng), retry_after)
        now = self._clock()
        state = State.UNKNOWN if maybe_on_server else State.QUEUED
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, why = ?, next_attempt_at = ?, updated_at = ? "
                "WHERE idempotency_key = ? AND state = ?",
                (state, why, now + delay, now, key, State.SENDING),
            )
        self._notify(key)

    def _record_server_copy(
        self, key: str, record: Mapping[str, Any], server: Mapping[str, Any]
    ) -> None:
        expected = str(record["content_sha256"])
        echoed = server.get("content_sha256")
        server_id, reference, status = (
            None if server.get(name) is None else str(server.get(name))
            for name in ("id", "reference", "status")
        )
        identity: dict[str, Any] = {
            "server_id": server_id,
            "server_reference": reference,
            "server_status": status,
        }
        if echoed == expected or self._same_content_in_another_form(record, echoed):
            self._finish(key, State.SUBMITTED, Why.NONE, **identity)
        else:
            log.error("Server content hash differs from the signed prescription's")
            detail = {
                "message": translate(
                    "Outbox",
                    "The pharmacy's copy does not match the signed prescription (expected "
                    "{expected}…, pharmacy has {echoed}…).",
                ).format(expected=expected[:12], echoed=str(echoed)[:12]),
                "field_errors": [],
            }
            self._finish(key, State.MISMATCH, Why.HASH_MISMATCH, detail=detail, **identity)

    def _same_content_in_another_form(self, record: Mapping[str, Any], echoed: Any) -> bool:
        """A row signed before hashes were RFC 8785 holds a sorted-json hash, and a server
        from before then echoes one: the signed body's hash in that form matches too."""
        if not isinstance(echoed, str):
            return False
        for form in CanonicalForm:
            try:
                if self._content_hash(record["body"], form) == echoed:
                    return True
            except ValueError:  # a number one of the forms cannot carry
                continue
        return False

    def _finish(
        self,
        key: str,
        state: State,
        why: Why,
        *,
        detail: Mapping[str, Any] | None = None,
        server_id: str | None = None,
        server_reference: str | None = None,
        server_status: str | None = None,
    ) -> None:
        sealed_detail = (
            None if detail is None else self._store.cipher.seal_json(DETAIL_KIND, key, detail)
        )
        now = self._clock()
        with self._store.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, why = ?, updated_at = ?, server_id = ?, "
                "server_reference = ?, server_status = ?, sealed_detail = ? "
                "WHERE idempotency_key = ? AND state = ?",
                (
                    state,
                    why,
                    now,
                    server_id,
                    server_reference,
                    server_status,
                    sealed_detail,
                    key,
                    State.SENDING,
                ),
            )
        self._notify(key)


def _wire_body(record: Mapping[str, Any]) -> dict[str, Any]:
    """The body as it goes out: the signed body plus its signing token, if any."""
    body = dict(record["body"])
    token = record.get(SIGNING_TOKEN_FIELD)
    if token is not None:
        body[SIGNING_TOKEN_FIELD] = token
    return body


def _field_errors_on_disk(error: ApiError) -> list[dict[str, str]]:
    """The server's field errors in the outbox file's own format."""
    return [{"field": item.field, "reason": item.reason} for item in error.field_errors]


def _error_code(error: ApiError) -> str | None:
    return error.code


def _is_signing_refusal(error: ApiError) -> bool:
    code = _error_code(error)
    return error.status == 422 and code is not None and code.startswith(_SIGNING_CODE_PREFIX)


__all__ = [
    "AlreadySigned",
    "ApiClientTransport",
    "ContentHash",
    "NoSignatureNeeded",
    "NotRejected",
    "Outbox",
    "OutboxItem",
    "OutboxWorker",
    "PendingSummary",
    "State",
    "Transport",
    "Why",
    "content_hash_for",
    "default_content_hash",
    "receipt",
]
