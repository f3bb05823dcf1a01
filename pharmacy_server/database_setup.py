"""What the CLI does to a database before serving it: private folders, the database key,
encrypting a plain SQLite file from before, TLS to PostgreSQL, migrations, ``rekey``.

The configured URL stays a plain ``sqlite:///…`` (or ``postgresql+psycopg://…``); the
URL the engine gets is built here, with the key (SQLite) or the TLS settings
(PostgreSQL) added, and is never logged.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy.engine import make_url

from pharmacy_server.config import ServerSettings
from pharmacy_server.database_encryption import (
    ENCRYPTED_DRIVER,
    checked_key,
    encrypt_plain_database,
    encrypted_sqlite_url,
    export_copy,
    has_content,
    is_plain_sqlite,
    key_opens,
    new_database_key,
    replace_with,
    sqlite_path,
)
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.private_files import (
    create_key_file_once,
    ensure_private_folder,
    fsync_folder,
    read_key_file,
    replace_key_file,
)
from pharmacy_server.startup_lock import exclusive_use, migration_lock

log = logging.getLogger(__name__)

DATABASE_KEY_FILE_NAME = "database.key"


class StartRefused(Exception):
    """The database cannot be opened safely; the message says why and what to do."""


def database_key_file(settings: ServerSettings, state_dir: Path) -> Path:
    return (
        Path(settings.database_key_file)
        if settings.database_key_file
        else (state_dir / DATABASE_KEY_FILE_NAME)
    )


def _pending_key_file(key_file: Path) -> Path:
    """Where ``rekey`` keeps the new key until the re-encrypted copy is in place."""
    return key_file.with_name(key_file.name + ".new")


def _copies(database: Path) -> tuple[Path, Path]:
    return (
        database.with_name(database.name + ".encrypting"),
        database.with_name(database.name + ".rekeying"),
    )


def _adopt_interrupted_rekey(database: Path, key_file: Path, key: str) -> str:
    """A ``rekey`` stopped between its two renames leaves the database under the new key
    and that key in the pending file: finish it. Any other pending key is stale."""
    pending = _pending_key_file(key_file)
    if not pending.exists():
        return key
    pending_key = read_key_file(pending)
    if not key_opens(database, key) and key_opens(database, pending_key):
        os.replace(pending, key_file)
        fsync_folder(key_file.parent)
        log.warning("finished an interrupted rekey: the new database key is in place")
        return pending_key
    pending.unlink()
    return key


def _database_key(settings: ServerSettings, state_dir: Path, database: Path, *, demo: bool) -> str:
    if settings.database_key:
        return checked_key(settings.database_key)
    key_file = database_key_file(settings, state_dir)
    if key_file.exists():
        return _adopt_interrupted_rekey(database, key_file, checked_key(read_key_file(key_file)))
    if has_content(database) and not is_plain_sqlite(database):
        raise StartRefused(
            f"{database} is encrypted and its key file {key_file} is missing: restore the key "
            "file from the backup, or set PHARMACY_DATABASE_KEY or PHARMACY_DATABASE_KEY_FILE"
        )
    ensure_private_folder(key_file.parent, tighten=demo)
    key, created = create_key_file_once(key_file, new_database_key())
    if created:
        log.warning(
            "created a new database key file %s (back it up apart from the database)", key_file
        )
    return checked_key(key)


def with_tls(database_url: str, settings: ServerSettings) -> str:
    """The PostgreSQL URL with the TLS settings for psycopg (libpq's own names)."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return database_url
    tls = {
        name: value
        for name, value in (
            ("sslmode", settings.database_sslmode),
            ("sslrootcert", settings.database_sslrootcert),
        )
        if value
    }
    if not tls:
        return database_url
    return url.update_query_dict(tls).render_as_string(hide_password=False)


def prepare_database(
    database_url: str,
    settings: ServerSettings,
    state_dir: Path,
    *,
    demo: bool,
    migrate: bool,
) -> str:
    """Make the database safe to open and return the URL to open it with.

    SQLite: its folder and the state folder private (tightened in demo mode, else a
    folder others may read is refused), the key from the settings or the key file (made
    on first run), a plain file from before encrypted in place, the key checked, and
    with ``migrate`` the schema upgraded; all under the migration lock, so servers
    started at once on a new folder take turns."""
    ensure_private_folder(state_dir, tighten=demo)
    database = sqlite_path(database_url)
    if database is None or make_url(database_url).drivername == ENCRYPTED_DRIVER:
        url = with_tls(database_url, settings)
        if migrate:
            upgrade_to_head(url)
        return url
    ensure_private_folder(database.parent, tighten=demo)
    with migration_lock(database_url):
        key = _database_key(settings, state_dir, database, demo=demo)
        for copy in _copies(database):  # left by a run that stopped half-way
            copy.unlink(missing_ok=True)
        if is_plain_sqlite(database):
            encrypt_plain_database(database, key)
            log.warning("encrypted the plain database %s with its database key", database)
        elif not key_opens(database, key):
            raise StartRefused(
                f"the database key does not open {database}: set the key it was encrypted "
                "with (PHARMACY_DATABASE_KEY, or the key file PHARMACY_DATABASE_KEY_FILE "
                f"names; default {DATABASE_KEY_FILE_NAME} in the state folder)"
            )
        url = encrypted_sqlite_url(database, key)
        if migrate:
            upgrade_to_head(url, lock=False)
    return url


def rekey_database(database_url: str, settings: ServerSettings, state_dir: Path) -> Path:
    """Re-encrypt the SQLite database under a new key and swap the key file; return it.

    The new key goes to a pending file first, then the database is copied under it and
    renamed into place, then the pending file replaces the key file: a stop at any step
    leaves a database and a key that open it (``_adopt_interrupted_rekey``)."""
    database = sqlite_path(database_url)
    if database is None:
        raise StartRefused(
            "rekey re-encrypts the embedded SQLite database; PostgreSQL is encrypted at "
            "rest by its volume (see the README)"
        )
    if settings.database_key:
        raise StartRefused(
            "the database key comes from PHARMACY_DATABASE_KEY: unset it to rekey with "
            "the key file, or re-encrypt with a new key you set yourself"
        )
    key_file = database_key_file(settings, state_dir)
    if not key_file.exists() or not has_content(database):
        raise StartRefused(f"no encrypted database at {database} with a key file {key_file}")
    with exclusive_use(database):
        old_key = _adopt_interrupted_rekey(database, key_file, checked_key(read_key_file(key_file)))
        if not key_opens(database, old_key):
            raise StartRefused(f"the key in {key_file} does not open {database}")
        new_key = new_database_key()
        pending = _pending_key_file(key_file)
        replace_key_file(pending, new_key)
        copy = _copies(database)[1]
        export_copy(database, old_key, new_key, copy)
        replace_with(copy, database)
        os.replace(pending, key_file)
        fsync_folder(key_file.parent)
    log.warning("re-encrypted %s under a new key in %s", database, key_file)
    return key_file
