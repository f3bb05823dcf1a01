"""Encrypted local drafts, and a debounced autosave the GUI can drive.

A draft's whole content (patient, template, ingredients, the title shown in the
list) is sealed; only its id and last-saved time are in clear. Listing drafts
therefore decrypts each one: fine for the handful a prescriber keeps.

Blocking: every ``DraftStore`` call does a few milliseconds of local disk I/O
(``save`` and ``discard`` wait for fsync). Safe on the UI thread for single
calls; no network. Thread-safe.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from portal_client.core.durable.crypto import RecordCipher
from portal_client.core.durable.store import LocalStore, Transaction

DRAFT_KIND = "draft"
# Secrets that must never be written into a draft: a draft outlives the session.
_FORBIDDEN_KEYS = frozenset(
    {"token", "access_token", "refresh_token", "session_token", "authorization", "password"}
)


class DraftHoldsSecret(ValueError):
    """A draft payload carried a session token or password."""


@dataclass(frozen=True)
class DraftSummary:
    id: str
    updated_at: float
    template_id: str | None
    title: str  # may contain the patient's name: show it, never log it


def default_title(payload: Mapping[str, Any]) -> str:
    """ "Family, Given" from the payload's patient, or "Untitled draft"."""
    patient = payload.get("patient")
    if isinstance(patient, Mapping):
        names = [str(patient.get(k) or "").strip() for k in ("family_name", "given_name")]
        shown = ", ".join(n for n in names if n)
        if shown:
            return shown
    return "Untitled draft"


def _check_no_secrets(value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            if str(key).lower() in _FORBIDDEN_KEYS:
                raise DraftHoldsSecret(f"a draft may not contain {key!r}")
            _check_no_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_no_secrets(item)


def seal_draft(
    cipher: RecordCipher, draft_id: str, payload: Mapping[str, Any], title: str | None
) -> bytes:
    """The sealed form of a draft (shared with the outbox, which turns rejected rows
    back into drafts). Raises ``DraftHoldsSecret`` for tokens and passwords."""
    _check_no_secrets(payload)
    record = {
        "payload": dict(payload),
        "title": title if title is not None else default_title(payload),
        "template_id": payload.get("template_id"),
    }
    return cipher.seal_json(DRAFT_KIND, draft_id, record)


def write_draft(db: Transaction, draft_id: str, sealed: bytes, updated_at: float) -> None:
    db.execute(
        "INSERT INTO drafts (id, updated_at, sealed) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, "
        "sealed = excluded.sealed",
        (draft_id, updated_at, sealed),
    )


class DraftStore:
    """Drafts of one user, sealed in that user's ``LocalStore``."""

    def __init__(self, store: LocalStore, *, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    def save(self, draft_id: str, payload: Mapping[str, Any], *, title: str | None = None) -> None:
        """Create or replace a draft. Raises ``DraftHoldsSecret`` for tokens/passwords."""
        sealed = seal_draft(self._store.cipher, draft_id, payload, title)
        with self._store.transaction() as db:
            write_draft(db, draft_id, sealed, self._clock())

    def _record(self, draft_id: str) -> tuple[float, dict[str, Any]] | None:
        with self._store.transaction() as db:
            row = db.execute(
                "SELECT updated_at, sealed FROM drafts WHERE id = ?", (draft_id,)
            ).fetchone()
        if row is None:
            return None
        record = self._store.cipher.open_json(DRAFT_KIND, draft_id, bytes(row[1]))
        return float(row[0]), record

    def load(self, draft_id: str) -> dict[str, Any] | None:
        """The draft's payload, or None if there is no such draft."""
        found = self._record(draft_id)
        return None if found is None else dict(found[1]["payload"])

    def list(self) -> list[DraftSummary]:
        """All drafts, most recently saved first (decrypts each)."""
        with self._store.transaction() as db:
            rows = db.execute(
                "SELECT id, updated_at, sealed FROM drafts ORDER BY updated_at DESC, id"
            ).fetchall()
        summaries = []
        for draft_id, updated_at, sealed in rows:
            record = self._store.cipher.open_json(DRAFT_KIND, draft_id, bytes(sealed))
            template_id = record.get("template_id")
            summaries.append(
                DraftSummary(
                    id=draft_id,
                    updated_at=float(updated_at),
                    template_id=None if template_id is None else str(template_id),
                    title=str(record.get("title", "")),
                )
            )
        return summaries

    def discard(self, draft_id: str) -> bool:
        """Delete a draft; False if it did not exist."""
        with self._store.transaction() as db:
            cursor = db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))
            return cursor.rowcount > 0


class AutosaveDebouncer:
    """Saves the latest edit once typing pauses, and never lets an edit wait long.

    The GUI calls ``note_edit`` on every change and, from a timer, ``save_if_due``;
    ``seconds_until_due`` says when the next call is worth making. An edit is saved
    ``quiet_period`` after the last keystroke (default 0.5 s, so within 1 s of the
    last edit), and during continuous typing at least every ``max_unsaved`` seconds.
    ``flush`` saves immediately (window close, sign). Thread-safe; saving blocks
    for the draft store's disk write.
    """

    def __init__(
        self,
        save: Callable[[str, dict[str, Any]], None],
        *,
        quiet_period: float = 0.5,
        max_unsaved: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._save = save
        self._quiet = quiet_period
        self._max_unsaved = max_unsaved
        self._clock = clock
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[dict[str, Any], float, float]] = {}

    def note_edit(self, draft_id: str, payload: Mapping[str, Any]) -> None:
        now = self._clock()
        with self._lock:
            first_unsaved = self._pending.get(draft_id, (None, now, now))[1]
            self._pending[draft_id] = (dict(payload), first_unsaved, now)

    def _due_at(self, first_unsaved: float, last_edit: float) -> float:
        return min(last_edit + self._quiet, first_unsaved + self._max_unsaved)

    def seconds_until_due(self) -> float | None:
        """Seconds until some draft should be saved (0 if overdue), None if all saved."""
        now = self._clock()
        with self._lock:
            if not self._pending:
                return None
            due = min(self._due_at(first, last) for _, first, last in self._pending.values())
        return max(0.0, due - now)

    def save_if_due(self) -> list[str]:
        """Save every draft whose time has come; returns their ids."""
        now = self._clock()
        with self._lock:
            due = {
                draft_id: entry
                for draft_id, entry in self._pending.items()
                if self._due_at(entry[1], entry[2]) <= now
            }
        return self._save_entries(due)

    def flush(self) -> list[str]:
        """Save everything pending now."""
        with self._lock:
            due = dict(self._pending)
        return self._save_entries(due)

    def _save_entries(self, entries: dict[str, tuple[dict[str, Any], float, float]]) -> list[str]:
        saved = []
        for draft_id, entry in entries.items():
            self._save(draft_id, entry[0])  # on failure the edit stays pending
            with self._lock:
                # Only forget it if no newer edit arrived while saving.
                if self._pending.get(draft_id) is entry:
                    del self._pending[draft_id]
            saved.append(draft_id)
        return saved

    @property
    def has_unsaved(self) -> bool:
        with self._lock:
            return bool(self._pending)
