"""The client's preferences: a small typed JSON file under the config folder.

Only preferences live here (server address, the pharmacy's CA bundle, window layout).
Never a password,
token or anything about a patient: the file is plain text on a shared workstation.
A missing, unreadable or corrupt file gives the defaults and a logged warning;
the client must start whatever state the file is in.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from portal_client.core import paths
from portal_client.core.i18n import LANGUAGE_CHOICES, translate

log = logging.getLogger(__name__)

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
#: The look: follow the system's light or dark palette, or force one.
COLOUR_SCHEMES = ("system", "light", "dark")


@dataclass
class WindowPrefs:
    """Size of the main window, remembered between runs."""

    width: int = 1200
    height: int = 760
    maximized: bool = False


#: A saved Qt state (``saveGeometry``/``saveState``) as base64, of a sane length.
_QT_STATE = re.compile(r"[A-Za-z0-9+/]{1,8000}={0,2}")
#: Layouts kept for this many accounts at most (a shared workstation's regular users).
MAX_LAYOUTS = 32


@dataclass
class WindowLayout:
    """One account's main window as they left it: Qt's own saved states, base64-encoded.

    Splitters and tables are named by their place in the window ("QSplitter:0"); the
    states hold sizes only, never a value shown in the window.
    """

    geometry: str = ""
    splitters: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Settings:
    #: ``None`` until the first run has checked and saved the pharmacy's address.
    server_url: str | None = None
    #: A PEM file of the pharmacy's own certificate authority, trusted beside the
    #: system's store (there is no setting that turns verification off).
    ca_bundle: str | None = None
    window: WindowPrefs = field(default_factory=WindowPrefs)
    review_status_filter: str = "submitted"
    colour_scheme: str = "system"
    #: ``system`` or a language code (``LANGUAGE_CHOICES``); read once at start-up, so a
    #: change takes effect the next time the client starts.
    language: str = "system"
    #: Per signed-in account (its user id), the window layout to restore at sign-in.
    layouts: dict[str, WindowLayout] = field(default_factory=dict)


def normalize_server_url(text: str) -> str:
    """Return ``text`` as a base URL, or raise ``ValueError`` with a readable reason."""
    from urllib.parse import urlsplit

    url = text.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(
            translate("Settings", "Enter an address such as https://pharmacy.example.org")
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError(
            translate(
                "Settings", "The server address must not contain a user name, query or fragment"
            )
        )
    return url


def settings_path() -> Path:
    return paths.config_dir() / SETTINGS_FILE_NAME


def _read_server(raw: dict[str, Any], settings: Settings) -> None:
    """The server's address and the pharmacy's CA bundle, where valid."""
    server = raw.get("server_url")
    if isinstance(server, str):
        try:
            settings.server_url = normalize_server_url(server)
        except ValueError:
            log.warning("Ignoring an invalid server_url in the settings file")
    ca_bundle = raw.get("ca_bundle")
    if isinstance(ca_bundle, str) and ca_bundle.strip():
        settings.ca_bundle = ca_bundle.strip()


def _from_dict(raw: Any) -> Settings:
    """Keep every valid known value, drop the rest: one bad key does not reset the others."""
    settings = Settings()
    if not isinstance(raw, dict):
        raise ValueError("settings file does not hold a JSON object")
    _read_server(raw, settings)
    window = raw.get("window")
    if isinstance(window, dict):
        for item in fields(WindowPrefs):
            value = window.get(item.name)
            expected = bool if item.name == "maximized" else int
            if isinstance(value, expected) and (expected is bool or not isinstance(value, bool)):
                if expected is int and not 200 <= value <= 10_000:
                    continue
                setattr(settings.window, item.name, value)
    choices = (
        ("review_status_filter", STATUS_FILTERS),
        ("colour_scheme", COLOUR_SCHEMES),
        ("language", LANGUAGE_CHOICES),
    )
    for name, allowed in choices:
        if raw.get(name) in allowed:
            setattr(settings, name, raw[name])
    layouts = raw.get("layouts")
    if isinstance(layouts, dict):
        for account, layout in list(layouts.items())[-MAX_LAYOUTS:]:
            if isinstance(account, str) and isinstance(layout, dict):
                settings.layouts[account] = _layout_from_dict(layout)
    return settings


def _is_qt_state(value: object) -> bool:
    return isinstance(value, str) and _QT_STATE.fullmatch(value) is not None


def _layout_from_dict(raw: dict[str, Any]) -> WindowLayout:
    layout = WindowLayout()
    if _is_qt_state(raw.get("geometry")):
        layout.geometry = raw["geometry"]
    for name in ("splitters", "columns"):
        states = raw.get(name)
        if isinstance(states, dict):
            kept = {
                key: value
                for key, value in states.items()
                if isinstance(key, str) and len(key) <= 80 and _is_qt_state(value)
            }
            setattr(layout, name, kept)
    return layout


def remember_layout(settings: Settings, account: str, layout: WindowLayout) -> None:
    """Keep ``layout`` as ``account``'s latest, dropping the oldest past ``MAX_LAYOUTS``."""
    settings.layouts.pop(account, None)
    settings.layouts[account] = layout
    while len(settings.layouts) > MAX_LAYOUTS:
        settings.layouts.pop(next(iter(settings.layouts)))


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
