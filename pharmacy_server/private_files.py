"""Folders only the server's user may enter, files only it may read, keys made once.

The database, its WAL and SHM, the key files and the demo mail all live in folders made
0700 with files made 0600. Outside demo mode a folder that others may read is refused
at start-up rather than silently tightened: someone made it so, and should know.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

PRIVATE_FOLDER_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class FolderNotPrivate(Exception):
    """A data folder others may read or enter; the message says what to run."""


def _checks_modes() -> bool:
    # Windows has no POSIX modes: its ACLs protect the user's data folder.
    return sys.platform != "win32"


def ensure_private_folder(folder: Path, *, tighten: bool) -> None:
    """Create ``folder`` (and parents) 0700; an existing one open to the group or the
    world is tightened when ``tighten`` (demo mode), else refused."""
    if not folder.exists():
        folder.mkdir(mode=PRIVATE_FOLDER_MODE, parents=True, exist_ok=True)
        os.chmod(folder, PRIVATE_FOLDER_MODE)  # mkdir's mode passes through the umask
        return
    if not _checks_modes():
        return
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077 == 0:
        return
    if tighten:
        os.chmod(folder, PRIVATE_FOLDER_MODE)
        return
    raise FolderNotPrivate(
        f"the data folder {folder} may be read by other users (mode {mode:o}); "
        f"it holds patient data and keys: run `chmod 700 {folder}` and start again"
    )


def create_private_file(path: Path) -> None:
    """An empty 0600 file, unless one is there already (SQLite gives WAL and SHM the
    mode of the database file, so creating this first keeps all three private)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; Windows cannot open a folder)."""
    if sys.platform == "win32":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_temp(folder: Path, text: str) -> Path:
    handle, name = tempfile.mkstemp(dir=folder, prefix=".key-", suffix=".tmp")  # 0600
    try:
        with os.fdopen(handle, "w", encoding="ascii") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def read_key_file(path: Path) -> str:
    return path.read_text(encoding="ascii").strip()


def create_key_file_once(path: Path, text: str) -> tuple[str, bool]:
    """Publish ``text`` at ``path`` unless a key is there already; return the key at
    ``path`` and whether this call made it.

    The whole key is written to a private temporary file first and then hard-linked into
    place: the link either appears complete or fails because another process won, in
    which case its (complete) key is the one returned. Two servers starting at once on a
    new folder therefore agree on one key."""
    if path.exists():
        return read_key_file(path), False
    temp = _write_temp(path.parent, text + "\n")
    try:
        os.link(temp, path)
    except FileExistsError:
        return read_key_file(path), False
    finally:
        temp.unlink(missing_ok=True)
    fsync_folder(path.parent)
    return read_key_file(path), True


def replace_key_file(path: Path, text: str) -> None:
    """Swap the key at ``path`` for ``text`` atomically: readers see the old or the new."""
    temp = _write_temp(path.parent, text + "\n")
    try:
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_folder(path.parent)
