"""Server settings: command line first, then ``PHARMACY_*`` environment variables."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "pharmacy-server"


def default_database_url() -> str:
    """A SQLite file in the user's data directory (created on first use)."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return sqlite_url_for(folder / "pharmacy.sqlite3")


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


class ServerSettings(BaseSettings):
    """Everything that may differ between deployments; the defaults are the policy."""

    model_config = SettingsConfigDict(env_prefix="PHARMACY_", extra="ignore")

    database_url: str = ""
    # NIST 800-63B AAL2 session limits (checklist C6).
    idle_timeout_minutes: int = 30
    absolute_timeout_hours: int = 12
    # PCI DSS 8.3.4 values (checklist C4).
    lockout_threshold: int = 10
    lockout_minutes: int = 30
    # How long a PostgreSQL submit waits for a row lock held by another request with
    # the same Idempotency-Key before answering 409 (SQLite waits its busy timeout).
    submit_lock_wait_ms: int = 5000
    # Checklist D6.
    max_body_bytes: int = 256 * 1024
    # Cap concurrent argon2 hashes: each one takes 64 MiB.
    max_concurrent_password_checks: int = 4

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_timeout_minutes)

    @property
    def absolute_timeout(self) -> timedelta:
        return timedelta(hours=self.absolute_timeout_hours)

    @property
    def lockout_duration(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
