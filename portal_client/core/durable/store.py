"""One user's encrypted local database: drafts and the outbox share it.

Sharing one file lets signing move a draft into the outbox in a single SQLite
transaction: after a crash there is either the draft or the signed row, never
both (a leftover draft could be signed twice) and never neither.

Durability: ``journal_mode=WAL`` and ``synchronous=FULL`` (NORMAL may drop the
last commits on power loss). The file belongs in the local, non-roaming data
folder: WAL does not work on network filesystems.

Everything identifying a patient is inside AES-GCM ciphertext (see crypto.py);
the clear columns are ids, states, counters and times.

Thread-safety: one connection guarded by a re-entrant lock. Each operation holds
it for a few milliseconds of disk work (including fsync), never across network I/O.

One process at a time: an open store holds an exclusive OS lock on ``<file>.lock``
(released by the OS if the process dies), so a second client instance gets
``StoreInUse`` instead of a second outbox sending the same rows.

A store sealed with another key (the keyring was reset) is never deleted: with
``move_aside_if_key_differs`` it is renamed ``<name>.unreadable-<UTC time>.sqlite3``
(with its WAL) and a fresh store is started; ``moved_aside`` says where it went.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from portal_client.core.durable.crypto import DecryptionFailed, RecordCipher

SCHEMA_VERSION = 2
_KEY_CHECK_PLAINTEXT = b"iv-prescriber-portal local store"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS drafts (
    id TEXT PRIMARY KEY,
    updated_at REAL NOT NULL,
    sealed BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
    idempotency_key TEXT PRIMARY KEY,
    draft_id TEXT,
    signed_at REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN
        ('queued', 'sending', 'submitted', 'rejected', 'unknown', 'mismatch',
         'needs_signature')),
    why TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    server_id TEXT,
    server_reference TEXT,
    server_status TEXT,
    sealed BLOB NOT NULL,
    sealed_detail BLOB
);
-- One live signed row per draft: a double click on Sign cannot create two.
CREATE UNIQUE INDEX IF NOT EXISTS outbox_one_live_row_per_draft
    ON outbox (draft_id) WHERE draft_id IS NOT NULL AND state <> 'rejected';
"""


class StoreKeyMismatch(Exception):
    """The store was written with another data key (e.g. the keyring was reset)."""


class StoreInUse(Exception):
    """Another client instance has this user's store open."""


_IN_USE_MESSAGE = (
    "The portal is already open for this user on this computer. Use that window, or "
    "close it first: two copies must not send the same prescriptions."
)
# The files SQLite keeps beside a WAL database; they move with it.
_SIDE_FILES = ("-wal", "-shm")


class InstanceLock:
    """An exclusive, non-blocking OS lock on ``<store>.lock``; the OS drops it when
    the process ends, however it ends (so a SIGKILL never leaves a stale lock)."""

    def __init__(self, store_file: Path) -> None:
        self.path = store_file.with_name(store_file.name + ".lock")
        handle: IO[bytes] = open(self.path, "a+b")  # noqa: SIM115 - held until release()
        try:
            _lock_exclusively(handle)
        except OSError as error:
            handle.close()
            raise StoreInUse(_IN_USE_MESSAGE) from error
        self._handle: IO[bytes] | None = handle

    def release(self) -> None:
        if self._handle is not None:
            # Closing the descriptor releases the lock; the file stays (deleting it
            # could let two processes each lock a different inode).
            self._handle.close()
            self._handle = None


if sys.platform == "win32":
    import msvcrt

    def _lock_exclusively(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

else:
    import fcntl

    def _lock_exclusively(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def move_aside(path: Path, now: dt.datetime | None = None) -> Path:
    """Rename an unreadable store (and its WAL files) out of the way; never delete it.

    Returns the new path: ``<stem>.unreadable-<UTC time>.sqlite3`` beside the old one.
    """
    moment = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.unreadable-{moment}{path.suffix}")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.stem}.unreadable-{moment}-{counter}{path.suffix}")
    os.replace(path, target)
    for side in _SIDE_FILES:
        with suppress(FileNotFoundError):
            os.replace(path.with_name(path.name + side), target.with_name(target.name + side))
    return target


def store_path(data_dir: Path, server_url: str, username: str) -> Path:
    """Where one user's store lived before servers named their pharmacy (and still lives
    for a server that does not): a name derived from the address and user, no PHI."""
    digest = hashlib.sha256(f"{server_url.rstrip('/')}\n{username}".encode()).hexdigest()
    return data_dir / "local-store" / f"user-{digest[:24]}.sqlite3"


def pharmacy_scope(pharmacy_id: str) -> str:
    """What names a user's store and its keyring entry for one pharmacy, whatever
    address or port reaches it."""
    return f"pharmacy:{pharmacy_id}"


def pharmacy_store_path(data_dir: Path, pharmacy_id: str, username: str) -> Path:
    """Where one user's store for one pharmacy lives: named after the pharmacy's id."""
    return store_path(data_dir, pharmacy_scope(pharmacy_id), username)


def move_store_files(source: Path, target: Path) -> None:
    """Rename a closed store and its WAL files to ``target`` (same folder: atomic)."""
    os.replace(source, target)
    for side in _SIDE_FILES:
        with suppress(FileNotFoundError):
            os.replace(source.with_name(source.name + side), target.with_name(target.name + side))


class LocalStore:
    """The SQLite file (or in-memory database) plus the cipher for its sealed columns."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        cipher: RecordCipher,
        path: Path | None,
        instance_lock: InstanceLock | None = None,
    ):
        self._connection = connection
        self.cipher = cipher
        self.path = path
        self.lock = threading.RLock()
        self._closed = False
        self._instance_lock = instance_lock
        # Where an unreadable earlier store was moved when this one was started.
        self.moved_aside: Path | None = None

    @classmethod
    def open(
        cls, path: Path, cipher: RecordCipher, *, move_aside_if_key_differs: bool = False
    ) -> LocalStore:
        """Open or create the store at ``path``. Blocks for a few ms of disk I/O.

        Raises ``StoreInUse`` if another instance holds it open. If the file was
        sealed with another key: raises ``StoreKeyMismatch`` and leaves it untouched,
        or with ``move_aside_if_key_differs`` renames it (see ``move_aside``) and
        starts a fresh store, recording the new name in ``moved_aside``.
        """
        path.parent.mkdir(parents=True, exist_ok=True)
        instance_lock = InstanceLock(path)
        try:
            try:
                return cls._open_locked(path, cipher, instance_lock)
            except StoreKeyMismatch:
                if not move_aside_if_key_differs:
                    raise
            kept = move_aside(path)  # the failed open closed its connection
            store = cls._open_locked(path, cipher, instance_lock)
            store.moved_aside = kept
            return store
        except BaseException:
            instance_lock.release()
            raise

    @classmethod
    def _open_locked(
        cls, path: Path, cipher: RecordCipher, instance_lock: InstanceLock
    ) -> LocalStore:
        connection = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=5.0
        )
        try:
            mode = connection.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise sqlite3.OperationalError(f"could not switch {path.name} to WAL ({mode})")
            connection.execute("PRAGMA synchronous=FULL")
            store = cls(connection, cipher, path, instance_lock)
            store._initialise()
        except BaseException:
            connection.close()
            raise
        return store

    @classmethod
    def in_memory(cls, cipher: RecordCipher) -> LocalStore:
        """The same store with nothing on disk: used when there is no keyring."""
        connection = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        store = cls(connection, cipher, None)
        store._initialise()
        return store

    @property
    def persistent(self) -> bool:
        return self.path is not None

    def _initialise(self) -> None:
        with self.transaction() as db:
            db.executescript_in_transaction(_SCHEMA)
            row = db.execute("SELECT value FROM meta WHERE name = 'key_check'").fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO meta (name, value) VALUES ('key_check', ?)",
                    (self.cipher.seal("meta", "key_check", _KEY_CHECK_PLAINTEXT),),
                )
                db.execute(
                    "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema_version', ?)",
                    (SCHEMA_VERSION,),
                )
            else:
                try:
                    self.cipher.open("meta", "key_check", bytes(row[0]))
                except DecryptionFailed as error:
                    raise StoreKeyMismatch(
                        "The local drafts and outbox were saved with a different key "
                        "and cannot be opened."
                    ) from error
                _upgrade(db)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """``BEGIN IMMEDIATE`` … ``COMMIT`` under the store lock; rolls back on error."""
        with self.lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the local store is closed")
            self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            if not self._closed:
                self._closed = True
                self._connection.close()
                if self._instance_lock is not None:
                    self._instance_lock.release()

    def integrity_ok(self) -> bool:
        with self.lock:
            row = self._connection.execute("PRAGMA integrity_check").fetchone()
            return row is not None and row[0] == "ok"


def _upgrade(db: Transaction) -> None:
    """Bring an older store to ``SCHEMA_VERSION`` inside the opening transaction."""
    row = db.execute("SELECT value FROM meta WHERE name = 'schema_version'").fetchone()
    version = int(row[0]) if row is not None else 1
    if version > SCHEMA_VERSION:
        raise sqlite3.DatabaseError(
            "The local store was written by a newer version of the portal; update it."
        )
    if version < 2:
        # v2 allows the 'needs_signature' state. SQLite cannot alter a CHECK
        # constraint: copy the rows into a table with the new one, in this transaction.
        db.execute("DROP INDEX IF EXISTS outbox_one_live_row_per_draft")
        db.execute("ALTER TABLE outbox RENAME TO outbox_v1")
        db.executescript_in_transaction(_SCHEMA)
        db.execute("INSERT INTO outbox SELECT * FROM outbox_v1")
        db.execute("DROP TABLE outbox_v1")
    db.execute(
        "INSERT OR REPLACE INTO meta (name, value) VALUES ('schema_version', ?)",
        (SCHEMA_VERSION,),
    )


class Transaction:
    """The connection as seen inside one transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: tuple[object, ...] = ()) -> sqlite3.Cursor:
        return self._connection.execute(sql, parameters)

    def executescript_in_transaction(self, script: str) -> None:
        # executescript() would COMMIT first; run the statements one by one instead.
        for statement in script.split(";"):
            if statement.strip():
                self._connection.execute(statement)
