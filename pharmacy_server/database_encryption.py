"""The embedded SQLite database encrypted at rest with SQLCipher.

The key is 32 random bytes written as 64 hex digits and handed to SQLCipher as a raw
key (``x'…'``), so opening a connection costs no key derivation. It lives apart from the
data (``PHARMACY_DATABASE_KEY`` or a 0600 key file; see ``database_setup``) and reaches
the engine inside the SQLAlchemy URL of the ``sqlite+pysqlcipher`` dialect, which
issues ``PRAGMA key`` before anything else on each new connection.

A plain database from before is encrypted by copying it with ``sqlcipher_export`` into
a private temporary file beside it and renaming that over it: at every moment the path
holds either the whole plain database or the whole encrypted one.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url

from pharmacy_server.private_files import create_private_file, fsync_folder

ENCRYPTED_DRIVER = "sqlite+pysqlcipher"
_KEY_PATTERN = re.compile(r"[0-9a-fA-F]{64}")
_PLAIN_HEADER = b"SQLite format 3\x00"


class DatabaseKeyInvalid(ValueError):
    """A configured database key that is not 64 hex digits."""


class EncryptionFailed(RuntimeError):
    """A copy of the database could not be made safely; the original is untouched."""


def new_database_key() -> str:
    return secrets.token_hex(32)


def checked_key(text: str) -> str:
    key = text.strip()
    if not _KEY_PATTERN.fullmatch(key):
        raise DatabaseKeyInvalid(
            "a database key is 64 hex digits (32 random bytes), "
            "e.g. the output of `python3 -c 'import secrets; print(secrets.token_hex(32))'`"
        )
    return key.lower()


def _raw_key(key: str) -> str:
    return f"x'{checked_key(key)}'"


def encrypted_sqlite_url(path: Path, key: str) -> str:
    """The SQLAlchemy URL of an encrypted database file (holds the key: never log it)."""
    url = URL.create(
        ENCRYPTED_DRIVER, username="", password=_raw_key(key), database=str(path.resolve())
    )
    return url.render_as_string(hide_password=False)


def sqlite_path(database_url: str) -> Path | None:
    """The file behind a SQLite URL (plain or encrypted); None for memory or a server."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def is_plain_sqlite(path: Path) -> bool:
    """Whether ``path`` is an unencrypted SQLite database (its header is readable)."""
    try:
        with path.open("rb") as stream:
            return stream.read(len(_PLAIN_HEADER)) == _PLAIN_HEADER
    except FileNotFoundError:
        return False


def has_content(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 0


def _connect(path: Path, key: str | None) -> Any:
    from sqlcipher3 import dbapi2

    connection = dbapi2.connect(str(path), isolation_level=None)
    # A wrong key is our own answer to give, not SQLCipher's lines on stderr.
    connection.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        connection.execute(f'PRAGMA key = "{_raw_key(key)}"')
    return connection


def open_sqlcipher(path: Path, key: str | None) -> Any:
    """A raw SQLCipher connection to ``path`` (autocommit), keyed with ``key``."""
    return _connect(path, key)


def check_and_sync(path: Path, key: str) -> str | None:
    """SQLite's quick check of a finished copy, then the copy forced to disk before it is
    renamed into place; the check's complaint, or None when the copy is sound."""
    with closing(_connect(path, key)) as connection:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    if result != "ok":
        return str(result)
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return None


def key_opens(path: Path, key: str) -> bool:
    """Whether ``key`` decrypts the database at ``path`` (a missing file opens)."""
    from sqlcipher3 import dbapi2

    if not has_content(path):
        return True
    with closing(_connect(path, key)) as connection:
        try:
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except dbapi2.DatabaseError:
            return False
    return True


def _side_files(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


@contextmanager
def _folded(path: Path, key: str | None) -> Iterator[Any]:
    """A connection to ``path`` whose WAL has been folded into the main file; on exit
    the WAL and SHM (which belong to this file's key) are gone, so a file renamed over
    ``path`` afterwards never meets them."""
    connection = _connect(path, key)
    try:
        connection.execute("PRAGMA busy_timeout = 10000")
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        yield connection
        # Leaving WAL mode checkpoints what is left and deletes the WAL file.
        connection.execute("PRAGMA journal_mode = DELETE")
    finally:
        connection.close()
    wal, shm = _side_files(path)
    if has_content(wal):
        raise EncryptionFailed(f"another process still writes to {path}: stop it first")
    wal.unlink(missing_ok=True)
    shm.unlink(missing_ok=True)


def export_copy(path: Path, key: str | None, new_key: str, copy: Path) -> None:
    """Copy the database at ``path`` (opened with ``key``, None for plain) into ``copy``
    encrypted with ``new_key``, flushed to disk and checked to open."""
    from sqlcipher3 import dbapi2

    copy.unlink(missing_ok=True)
    create_private_file(copy)
    try:
        with _folded(path, key) as source:
            version = source.execute("PRAGMA user_version").fetchone()[0]
            source.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(copy), _raw_key(new_key)))
            source.execute("SELECT sqlcipher_export('encrypted')")
            source.execute(f"PRAGMA encrypted.user_version = {int(version)}")
            source.execute("DETACH DATABASE encrypted")
        problem = check_and_sync(copy, new_key)
        if problem is not None:
            raise EncryptionFailed(f"the encrypted copy of {path} failed its check: {problem}")
    except dbapi2.Error as error:
        copy.unlink(missing_ok=True)
        raise EncryptionFailed(
            f"could not copy {path} ({error}): if another process has it open, stop it "
            "and start again; the database is unchanged"
        ) from error
    except BaseException:
        copy.unlink(missing_ok=True)
        raise


def replace_with(copy: Path, path: Path) -> None:
    os.replace(copy, path)
    fsync_folder(path.parent)


def encrypt_plain_database(path: Path, key: str) -> None:
    """Encrypt the plain database at ``path`` in place with ``key``."""
    copy = path.with_name(path.name + ".encrypting")
    export_copy(path, None, key, copy)
    replace_with(copy, path)
