"""What ``serve`` refuses outside demo mode, each refusal saying what to do.

- A secret key that is not 32 random bytes (a placeholder, a short word, a repeated
  byte). An unset key on SQLite (one machine) is no refusal: a fresh random key file is
  made on first run beside the database. An unset key on a shared database (PostgreSQL)
  with no key file is refused: each machine would make its own, and TOTP seeds sealed
  by one would not open on another.
- A key file (server secret or database key) that the group or others may read.
- A listening address other than loopback with neither TLS (``--ssl-certfile``) nor a
  trusted reverse proxy (``PHARMACY_TRUSTED_PROXIES``) in front: passwords and patient
  data would cross the network in clear.
- A database whose schema is not the newest (``pharmacy-server migrate`` first, or
  ``serve --migrate``): ``serve`` never changes a production schema unasked.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pharmacy_server.config import ServerSettings
from pharmacy_server.database_setup import database_key_file
from pharmacy_server.db import Database
from pharmacy_server.migrate import schema_is_current
from pharmacy_server.private_files import read_key_file

if TYPE_CHECKING:
    from pharmacy_server.serving import TlsFiles

SECRET_KEY_FILE_NAME = "server-secret.key"  # noqa: S105 - a file name

#: Fewer distinct byte values than this in 32 bytes is not random (a real key has ~30).
MIN_DISTINCT_KEY_BYTES = 16
NEW_KEY_COMMAND = (
    'python -c "import secrets, base64; '
    'print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())"'
)


class DeploymentRefused(Exception):
    """A configuration the server will not run with; the message says what to do."""


def check_secret_key(text: str, source: str = "PHARMACY_SECRET_KEY") -> None:
    """The secret key (from ``source``) must be URL-safe base64 of 32 random bytes."""
    try:
        padded = text.strip() + "=" * (-len(text.strip()) % 4)
        key = base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != 32 or len(set(key)) < MIN_DISTINCT_KEY_BYTES:
        raise DeploymentRefused(
            f"{source} is not 32 random bytes in URL-safe base64 (a placeholder or a weak "
            f"value): make one with {NEW_KEY_COMMAND}, or unset PHARMACY_SECRET_KEY and "
            "remove the key file to have a new key file created in the state folder"
        )


def check_key_file_private(path: Path) -> None:
    """An existing key file readable by the group or others is refused."""
    if sys.platform == "win32" or not path.exists():
        return  # Windows: the user folder's ACLs; a missing file is made 0600
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise DeploymentRefused(
            f"the key file {path} may be read by other users (mode {mode:o}): "
            f"run `chmod 600 {path}` and start again (and replace the key if others did read it)"
        )


def check_exposure(host: str, *, tls: bool, trusted_proxies: list[str], loopback: bool) -> None:
    """Outside loopback, either TLS here or a trusted proxy that terminates it."""
    if loopback or tls or trusted_proxies:
        return
    raise DeploymentRefused(
        f"refusing to serve on {host} without TLS: give --ssl-certfile and --ssl-keyfile, "
        "or put a TLS-terminating reverse proxy in front and name it in "
        "PHARMACY_TRUSTED_PROXIES (or serve on 127.0.0.1 behind it)"
    )


def check_tls_files(certfile: Path | None, keyfile: Path | None) -> None:
    if keyfile is not None and certfile is None:
        raise DeploymentRefused("--ssl-keyfile needs --ssl-certfile (the certificate chain)")
    for path in (certfile, keyfile):
        if path is not None and not path.is_file():
            raise DeploymentRefused(f"the TLS file {path} does not exist or is not a file")


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a name ("localhost" too) may resolve to anything


def check_deployment(
    settings: ServerSettings, state_dir: Path, host: str, tls: TlsFiles | None
) -> None:
    """Every production refusal that needs nothing written first."""
    key_file = state_dir / SECRET_KEY_FILE_NAME
    check_key_file_private(key_file)
    if settings.secret_key:
        check_secret_key(settings.secret_key)
    elif key_file.exists():
        check_secret_key(read_key_file(key_file), source=f"the key file {key_file}")
    elif not settings.resolved_database_url().startswith("sqlite"):
        raise DeploymentRefused(
            "no server secret key: on a shared database every server process must use the "
            f"same one. Generate it once with `{NEW_KEY_COMMAND}` and set it as "
            "PHARMACY_SECRET_KEY in the settings of every server process."
        )
    if not settings.database_key:
        check_key_file_private(database_key_file(settings, state_dir))
    if tls is not None:
        check_tls_files(tls.certfile, tls.keyfile)
    check_exposure(
        host,
        tls=tls is not None,
        trusted_proxies=settings.trusted_proxy_list,
        loopback=is_loopback(host),
    )


def check_schema_current(database: Database) -> None:
    with database.engine.connect() as connection:
        current = schema_is_current(connection)
    if not current:
        raise DeploymentRefused(
            "the database schema is not the newest: run `pharmacy-server migrate` "
            "(with the same --database and --state-dir) first, or start with "
            "`pharmacy-server serve --migrate`"
        )
