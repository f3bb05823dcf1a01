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
    # Demo mode: the seeded demo accounts sign in without TOTP. Off in production.
    demo_mode: bool = False
    # Test suites: argon2 at its minimum cost. Refused unless demo_mode is on
    # (pharmacy_server.security.server_passwords).
    test_cheap_hashing: bool = False
    # URL-safe base64 of 32 random bytes: seals TOTP seeds at rest. The CLI creates a key
    # file on first run when this is unset (see ``pharmacy-server serve --secret-key-file``).
    secret_key: str = ""
    # Failed sign-ins (any account) one client address may make per window (checklist C4).
    address_failure_limit: int = 50
    address_window_minutes: int = 15
    # Account requests one client address may send per hour.
    account_requests_per_hour: int = 5
    # Signing tokens live long enough for the outbox to deliver after an outage.
    signing_token_hours: int = 24
    mfa_challenge_minutes: int = 5
    activation_code_hours: int = 72
    # How the server sends activation codes: "file" (demo: .eml files in notify_dir) or "smtp".
    notifier: str = "file"
    notify_dir: str = ""
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "no-reply@pharmacy.invalid"
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = 10.0
    totp_issuer: str = "Northside Compounding Pharmacy"

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_timeout_minutes)

    @property
    def absolute_timeout(self) -> timedelta:
        return timedelta(hours=self.absolute_timeout_hours)

    @property
    def address_window(self) -> timedelta:
        return timedelta(minutes=self.address_window_minutes)

    @property
    def signing_token_lifetime(self) -> timedelta:
        return timedelta(hours=self.signing_token_hours)

    @property
    def mfa_challenge_lifetime(self) -> timedelta:
        return timedelta(minutes=self.mfa_challenge_minutes)

    @property
    def activation_code_lifetime(self) -> timedelta:
        return timedelta(hours=self.activation_code_hours)

    @property
    def lockout_duration(self) -> timedelta:
        return timedelta(minutes=self.lockout_minutes)

    def resolved_database_url(self) -> str:
        return self.database_url or default_database_url()
