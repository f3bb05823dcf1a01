"""Where the client keeps its files: the only module that calls platformdirs.

Tests and throw-away runs pass ``--profile-dir``; every folder then lives under
that one directory, so nothing touches the user's real profile.
"""

from __future__ import annotations

from pathlib import Path

from portal_client import APP_AUTHOR, APP_ID

_base_override: Path | None = None


def set_base_dir(path: Path | None) -> None:
    """Put every folder under ``path`` (``None`` restores the platform folders)."""
    global _base_override  # noqa: PLW0603 - one process-wide choice made at start-up
    _base_override = None if path is None else Path(path)


def _resolve(kind: str) -> Path:
    if _base_override is not None:
        folder = _base_override / kind
    else:
        import platformdirs

        # roaming=False: the data folder holds a local server database (demo mode)
        # and must never sit on a network share.
        finders = {
            "config": platformdirs.user_config_dir,
            "data": platformdirs.user_data_dir,
            "cache": platformdirs.user_cache_dir,
            "log": platformdirs.user_log_dir,
        }
        folder = Path(finders[kind](APP_ID, APP_AUTHOR))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def config_dir() -> Path:
    return _resolve("config")


def data_dir() -> Path:
    return _resolve("data")


def cache_dir() -> Path:
    return _resolve("cache")


def log_dir() -> Path:
    return _resolve("log")
