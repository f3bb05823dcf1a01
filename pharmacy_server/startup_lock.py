"""Locks that let several server processes start on one database at once.

Migrations (Alembic, encrypting a plain SQLite file, seeding the demo) run one process
at a time: beside a SQLite database under an exclusive lock on byte 0 of
``<database>.lock``, on PostgreSQL under a session advisory lock. A running server also
holds a shared lock on byte 1 of that file for its lifetime, so ``pharmacy-server
rekey`` can tell that a server still has the database open and refuse.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from pharmacy_server.database_encryption import sqlite_path
from pharmacy_server.private_files import PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE

# Any fixed 64-bit number, the same in every server process: "pharmacy" in ASCII.
POSTGRES_MIGRATION_LOCK = 0x7068_6172_6D61_6379
_MIGRATION_BYTE = 0
_IN_USE_BYTE = 1


class DatabaseInUse(Exception):
    """A server process has the database open."""


def lock_file_for(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def _open_lock_file(database: Path) -> int:
    database.parent.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
    return os.open(lock_file_for(database), os.O_RDWR | os.O_CREAT, PRIVATE_FILE_MODE)


if sys.platform == "win32":  # pragma: no cover - the suite runs on POSIX
    import msvcrt

    def _lock(descriptor: int, byte: int, *, shared: bool, wait: bool) -> bool:
        if shared:
            return True  # msvcrt has no shared locks: rekey cannot see running servers
        os.lseek(descriptor, byte, os.SEEK_SET)
        try:
            msvcrt.locking(descriptor, msvcrt.LK_LOCK if wait else msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

else:
    import fcntl

    def _lock(descriptor: int, byte: int, *, shared: bool, wait: bool) -> bool:
        operation = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        if not wait:
            operation |= fcntl.LOCK_NB
        try:
            fcntl.lockf(descriptor, operation, 1, byte, os.SEEK_SET)
        except (BlockingIOError, PermissionError):
            return False
        return True


@contextmanager
def _sqlite_lock(database: Path) -> Iterator[None]:
    descriptor = _open_lock_file(database)
    try:
        _lock(descriptor, _MIGRATION_BYTE, shared=False, wait=True)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@contextmanager
def _postgres_lock(database_url: str) -> Iterator[None]:
    from pharmacy_server.db import create_database_engine

    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            lock = {"key": POSTGRES_MIGRATION_LOCK}
            connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)
    finally:
        engine.dispose()


@contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Held while this process migrates; other processes wait for it."""
    database = sqlite_path(database_url)
    if database is not None:
        with _sqlite_lock(database):
            yield
    elif database_url.startswith("postgresql"):
        with _postgres_lock(database_url):
            yield
    else:
        yield  # an in-memory database belongs to this process alone


def hold_in_use(database: Path) -> int:
    """Mark the database open by this server until the returned descriptor is closed."""
    descriptor = _open_lock_file(database)
    _lock(descriptor, _IN_USE_BYTE, shared=True, wait=True)
    return descriptor


@contextmanager
def exclusive_use(database: Path) -> Iterator[None]:
    """Migration lock plus the certainty that no server has the database open."""
    descriptor = _open_lock_file(database)
    try:
        _lock(descriptor, _MIGRATION_BYTE, shared=False, wait=True)
        if not _lock(descriptor, _IN_USE_BYTE, shared=False, wait=False):
            raise DatabaseInUse(
                f"a pharmacy server has {database} open: stop it first, then run this again"
            )
        yield
    finally:
        os.close(descriptor)
