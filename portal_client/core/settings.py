"""The client's preferences: a small typed JSON file under the config folder.

Only preferences live here (server address, window layout). Never a password,
token or anything about a patient: the file is plain text on a shared workstation.
A missing, unreadable or corrupt file gives the defaults and a logged warning;
the client must start whatever state the file is in.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from portal_client.core import paths

log = logging.getLogger(__name__)

DEFAULT_SERVER_URL = "http://127.0.0.1:8470"
SETTINGS_FILE_NAME = "settings.json"
#: The pharmacist's remembered "Show" filter: every status of ``pharmacy_domain.status``,
#: or all of them (kept literal: this module loads before the first paint).
STATUS_FILTERS = (
    "submitted",
    "needs_clarification",
    "approved",
    "compounding",
    "ready",
    "shipped",
    "rejected",
    "cancelled",
    "all",
)


@dataclass
class WindowPrefs:
    """Size of the main window, remembered between runs."""

    width: int = 1200
    height: int = 760
    maximized: bool = False


@dataclass
class Settings:
    server_url: str = DEFAULT_SERVER_URL
    window: WindowPrefs = field(default_factory=WindowPrefs)
    review_status_filter: str = "submitted"


def normalize_server_url(text: str) -> str:
    """Return ``text`` as a base URL, or raise ``ValueError`` with a readable reason."""
    from urllib.parse import urlsplit

    url = text.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("Enter an address such as https://pharmacy.example.org")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("The server address must not contain a user name, query or fragment")
    return url


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE_NAME


def _from_dict(raw: Any) -> Settings:
    """Keep every valid known value, drop the rest: one bad key does not reset the others."""
    settings = Settings()
    if not isinstance(raw, dict):
        raise ValueError("settings file does not hold a JSON object")
    server = raw.get("server_url")
    if isinstance(server, str):
        try:
            settings.server_url = normalize_server_url(server)
        except ValueError:
            log.warning("Ignoring an invalid server_url in the settings file")
    window = raw.get("window")
    if isinstance(window, dict):
        for item in fields(WindowPrefs):
            value = window.get(item.name)
            expected = bool if item.name == "maximized" else int
            if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
                if expected is int and not 200 <= value <= 10_000:
                    continue
                setattr(settings.window, item.name, value)
    status = raw.get("review_status_filter")
    if status in STATUS_FILTERS:
        settings.review_status_filter = status
    return settings


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; any problem gives defaults and a warning, never an exception."""
    target = path or settings_path()
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings()
    except OSError as error:
        log.warning("Cannot read settings file %s (%s); using defaults", target, error)
        return Settings()
    try:
        return _from_dict(json.loads(text))
    except (ValueError, TypeError) as error:
        log.warning("Settings file %s is damaged (%s); using defaults", target, error)
        return Settings()


def save_settings(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash mid-write leaves the old file or the new one, never half."""
    import tempfile

    target = path or settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(asdict(settings), indent=2, sort_keys=True) + "\n"
    handle, temp_name = tempfile.mkstemp(prefix=".settings-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        folder = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
