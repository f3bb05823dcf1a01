"""The client's log: standard error from the start, and a rotating file once the first
window has painted (``logging.handlers`` costs milliseconds that start-up keeps).

The file is ``client.log`` in the platformdirs log folder (or the ``--profile-dir``'s
``log`` folder), at most ``MAX_BYTES`` a file and ``BACKUP_COUNT`` older files beside
it; the folder is 0700 and every file 0600, as a workstation may be shared. Nothing
logs patient data: messages name references and ids, never a person (a test signs a
canary patient's order and searches the file for it), and urllib3's own records lose
their query strings (a search's text is a name).
"""

from __future__ import annotations

import logging
import os
import re
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING

from portal_client.core import paths

if TYPE_CHECKING:
    from io import TextIOWrapper
    from logging.handlers import RotatingFileHandler

LOG_FILE_NAME = "client.log"
MAX_BYTES = 1_000_000
BACKUP_COUNT = 5
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s"
STDERR_FORMAT = "%(levelname)s %(name)s: %(message)s"
#: Records from before the file exists are held (at most this many) and written first.
EARLY_RECORDS = 500


_QUERY_STRING = re.compile(r"\?[^\s'\"]*")


class QueryStringRedactor(logging.Filter):
    """Drops the query string from urllib3's records: a retried read is logged with its
    URL, and a search's ``q`` is a patient's name. On every handler, so no record of a
    library's escapes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("urllib3"):
            record.msg = _QUERY_STRING.sub("?…", record.getMessage())
            record.args = ()
        return True


_REDACTOR = QueryStringRedactor()


class _EarlyRecords(logging.Handler):
    """Holds the records logged before the file is open (a few at most)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: deque[logging.LogRecord] = deque(maxlen=EARLY_RECORDS)

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


_early: _EarlyRecords | None = None
_file_handler: RotatingFileHandler | None = None


def configure_early_logging() -> None:
    """At start-up: warnings to standard error, and INFO records held for the file."""
    global _early  # noqa: PLW0603 - the process's one logging set-up
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    stderr = logging.StreamHandler()
    stderr.setLevel(logging.WARNING)
    stderr.setFormatter(logging.Formatter(STDERR_FORMAT))
    stderr.addFilter(_REDACTOR)
    root.addHandler(stderr)
    _early = _EarlyRecords()
    _early.addFilter(_REDACTOR)
    root.addHandler(_early)


def log_file_path() -> Path:
    return paths.log_dir() / LOG_FILE_NAME


def _private_rotating_handler(target: Path) -> RotatingFileHandler:
    from logging.handlers import RotatingFileHandler

    class PrivateRotatingFileHandler(RotatingFileHandler):
        """Each file, the first and every one a rollover starts, is created 0600."""

        def _open(self) -> TextIOWrapper:
            descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.chmod(self.baseFilename, 0o600)  # a file from an older version, say
            return os.fdopen(descriptor, "a", encoding=self.encoding, errors=self.errors)

    return PrivateRotatingFileHandler(
        target, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8", delay=False
    )


def start_file_log(level: int = logging.INFO) -> Path | None:
    """Open the rotating file and write the held records into it; ``None`` if it cannot
    be opened (the client then logs to standard error only, and says so there)."""
    global _early, _file_handler  # noqa: PLW0603 - the process's one logging set-up
    if _file_handler is not None:
        return Path(_file_handler.baseFilename)
    root = logging.getLogger()
    try:
        folder = paths.log_dir()
        os.chmod(folder, 0o700)
        handler = _private_rotating_handler(folder / LOG_FILE_NAME)
    except OSError as error:
        logging.getLogger(__name__).warning("Cannot open the log file (%s)", error)
        return None
    handler.setLevel(level)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(_REDACTOR)
    early, _early = _early, None
    if early is not None:
        root.removeHandler(early)
        for record in early.records:
            handler.handle(record)
    root.addHandler(handler)
    _file_handler = handler
    from portal_client import __version__

    logging.getLogger(__name__).info("portal-client %s started", __version__)
    return Path(handler.baseFilename)


def stop_file_log() -> None:
    """Close the file (tests; at exit ``logging.shutdown`` does it)."""
    global _file_handler
    handler, _file_handler = _file_handler, None
    if handler is not None:
        logging.getLogger().removeHandler(handler)
        handler.close()


def recent_lines(count: int, path: Path | None = None) -> list[str]:
    """The last ``count`` lines of the current log file (none if there is no file)."""
    target = path or log_file_path()
    try:
        with target.open("rb") as stream:
            tail: deque[bytes] = deque(stream, maxlen=count)
    except OSError:
        return []
    return [line.decode("utf-8", "replace").rstrip("\n") for line in tail]
