"""``pharmacy-server backup`` and ``restore`` for the embedded SQLite database.

A backup is taken with SQLite's online backup API while servers keep running: a copy of
every page at one moment, encrypted with the database's own key (SQLCipher copies pages
only between databases keyed alike), written to a private temporary file beside the
target, checked, flushed and renamed into place. A restore refuses while a server has
the database open (``startup_lock.exclusive_use``), checks that the backup opens with
the key, and swaps it in the same way, so the database path always holds a whole
database. PostgreSQL is backed up with ``pg_dump`` (see the README).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import closing
from pathlib import Path
from typing import Any

from pharmacy_server.config import ServerSettings
from pharmacy_server.database_encryption import (
    check_and_sync,
    checked_key,
    has_content,
    is_plain_sqlite,
    key_opens,
    open_sqlcipher,
    sqlite_path,
)
from pharmacy_server.database_setup import StartRefused, database_key_file
from pharmacy_server.private_files import ensure_private_folder, fsync_folder, read_key_file
from pharmacy_server.startup_lock import exclusive_use


class BackupFailed(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


def _existing_key(settings: ServerSettings, state_dir: Path) -> str:
    """The database key from the settings or the key file; never a new one."""
    if settings.database_key:
        return checked_key(settings.database_key)
    key_file = database_key_file(settings, state_dir)
    if not key_file.exists():
        raise StartRefused(
            f"no database key file at {key_file}: pass the server's --state-dir, or set "
            "PHARMACY_DATABASE_KEY or PHARMACY_DATABASE_KEY_FILE"
        )
    return checked_key(read_key_file(key_file))


def _database_file(database_url: str, command: str) -> Path:
    database = sqlite_path(database_url)
    if database is None:
        raise StartRefused(
            f"{command} copies the embedded SQLite database; back up PostgreSQL with "
            "pg_dump and restore it with pg_restore (see the README)"
        )
    return database


def _private_temp_beside(target: Path) -> Path:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".tmp")
    os.close(handle)  # mkstemp makes it 0600; SQLite writes into it
    return Path(name)


def _check_and_flush(path: Path, key: str) -> None:
    problem = check_and_sync(path, key)
    if problem is not None:
        raise BackupFailed(f"the copy at {path} failed its check: {problem}")


def _copy_pages(source: Any, target_path: Path, key: str) -> None:
    with closing(open_sqlcipher(target_path, key)) as target:
        # In one step: a read transaction on the WAL database, so servers keep writing
        # meanwhile and the copy is one moment. Several steps would start over whenever
        # another process wrote between them, and might never finish on a busy server.
        source.backup(target)
        # The copy is a file on its own: no WAL beside it.
        target.execute("PRAGMA journal_mode = DELETE")


def backup_database(
    database_url: str, settings: ServerSettings, state_dir: Path, target: Path
) -> Path:
    """Copy the live database to ``target`` (which must not exist); return it."""
    database = _database_file(database_url, "backup")
    if not has_content(database):
        raise StartRefused(f"there is no database at {database} to back up")
    if is_plain_sqlite(database):
        raise StartRefused(
            f"{database} is not encrypted yet: start the server (or run `pharmacy-server "
            "migrate`) once to encrypt it, then back it up"
        )
    if target.exists():
        raise BackupFailed(f"{target} exists already: name a new file for the backup")
    key = _existing_key(settings, state_dir)
    if not key_opens(database, key):
        raise StartRefused(f"the database key does not open {database}")
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = _private_temp_beside(target)
    try:
        with closing(open_sqlcipher(database, key)) as source:
            source.execute("PRAGMA busy_timeout = 10000")
            _copy_pages(source, temp, key)
        _check_and_flush(temp, key)
        # A link, not a rename: a file that appeared meanwhile is never overwritten.
        try:
            os.link(temp, target)
        except FileExistsError:
            raise BackupFailed(f"{target} appeared meanwhile: name a new file") from None
        fsync_folder(target.parent)
    finally:
        temp.unlink(missing_ok=True)
    return target


def restore_database(
    database_url: str, settings: ServerSettings, state_dir: Path, source: Path
) -> Path:
    """Replace the database with the backup at ``source``; refused while a server runs."""
    database = _database_file(database_url, "restore")
    if not has_content(source):
        raise BackupFailed(f"there is no backup at {source}")
    key = _existing_key(settings, state_dir)
    if is_plain_sqlite(source) or not key_opens(source, key):
        raise BackupFailed(
            f"the database key does not open the backup {source}: restore the key file "
            "that was in use when the backup was taken (a rekey since changes the key)"
        )
    ensure_private_folder(database.parent, tighten=False)
    with exclusive_use(database):
        temp = _private_temp_beside(database)
        try:
            with closing(open_sqlcipher(source, key)) as backup:
                _copy_pages(backup, temp, key)
            _check_and_flush(temp, key)
            # The old database's WAL and SHM belong to it: the restored file must never
            # meet them. No server has the file open (exclusive_use), so they can go.
            for side in ("-wal", "-shm"):
                database.with_name(database.name + side).unlink(missing_ok=True)
            os.replace(temp, database)
            fsync_folder(database.parent)
        finally:
            temp.unlink(missing_ok=True)
    return database
