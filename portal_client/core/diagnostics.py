"""Help → Copy diagnostics: what support needs, as plain text for the clipboard.

Versions (the client's, Qt's, Python's, the operating system's and the server's), the
settings (preferences only: the file never holds a password, token or patient),
whether proxies are set (their addresses without any user name or password), the ids
of the last requests sent (the server logs each request under its id), and the last
lines of the client's log, which logs no patient data. ``gather_diagnostics``
may ask the server for its version: run it off the GUI thread.
"""

from __future__ import annotations

import dataclasses
import json
import os
import platform
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from portal_client import APP_NAME, __version__
from portal_client.core import logs
from portal_client.core.errors import PortalError
from portal_client.core.request_ids import recent_request_ids

if TYPE_CHECKING:
    from portal_client.core.settings import Settings
    from portal_client.core.wire import HealthWire

#: How much of the log support gets (the current file's last lines).
LOG_LINES = 200
_PROXY_VARIABLES = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")


def _without_credentials(value: str) -> str:
    """A proxy address without ``user:password@`` (NO_PROXY's host list stays as is)."""
    parts = urlsplit(value if "://" in value else f"//{value}")
    if parts.username is None and parts.password is None:
        return value
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    scheme = f"{parts.scheme}://" if parts.scheme else ""
    return f"{scheme}…@{host}{port}"


def proxy_lines(environment: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if environment is None else environment
    found = []
    for name in _PROXY_VARIABLES:
        value = env.get(name) or env.get(name.lower())
        if value:
            found.append(f"{name}={_without_credentials(value)}")
    return found or ["none set"]


def server_line(url: str | None, health: Callable[[], HealthWire] | None) -> str:
    if not url:
        return "none configured"
    if health is None:
        return url
    try:
        answer = health()
    except PortalError as error:
        return f"{url}: no answer ({error})"
    return f"{url}: {answer.service} {answer.version} (API version {answer.api_version})"


def gather_diagnostics(
    settings: Settings,
    *,
    qt_versions: str,
    health: Callable[[], HealthWire] | None = None,
    server_url: str | None = None,
    log_lines: int = LOG_LINES,
) -> str:
    """The report. ``server_url`` is the one in use (a demo's), else the settings'."""
    url = server_url or settings.server_url
    preferences = json.dumps(dataclasses.asdict(settings), indent=2, sort_keys=True)
    sections = [
        f"{APP_NAME} diagnostics, {datetime.now(UTC).isoformat(timespec='seconds')}",
        "",
        f"Client: portal-client {__version__}",
        f"Qt: {qt_versions}",
        f"Python: {platform.python_version()} ({platform.python_implementation()}, "
        f"{sys.executable})",
        f"Operating system: {platform.platform()} ({platform.machine()})",
        f"Pharmacy server: {server_line(url, health)}",
        f"Proxies: {'; '.join(proxy_lines())}",
        f"Log file: {logs.log_file_path()}",
        "",
        "Recent request ids (oldest first):",
        *(recent_request_ids() or ["none yet"]),
        "",
        "Settings:",
        preferences,
        "",
        f"Last {log_lines} log lines:",
        *logs.recent_lines(log_lines),
    ]
    return "\n".join(sections) + "\n"
