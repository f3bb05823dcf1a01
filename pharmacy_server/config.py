"""Server settings: command line first, then ``PHARMACY_*`` environment variables."""

from __future__ import annotations

import ipaddress
import os
from datetime import timedelta
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "pharmacy-server"


def default_database_url() -> str:
    """A SQLite file in the user's data directory (created on first use)."""
    import platformdirs

    folder = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return sqlite_url_for(folder / "pharmacy.sqlite3")


def sqlite_url_for(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def split_proxies(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class ServerSettings(BaseSettings):
    """Everything that may differ between deployments; the defaults are the policy."""

    model_config = SettingsConfigDict(env_prefix="PHARMACY_", extra="ignore")

    database_url: str = ""
    # The pharmacy's name as its documents print it (the PDF copy of a prescription),
    # reported by /healthz. Empty: the copies say "Compounding pharmacy".
    name: str = ""
    # The embedded SQLite database is encrypted with SQLCipher under this key (64 hex
    # digits). Unset, the key is read from database_key_file, created 0600 on first run
    # (default: database.key in the state folder, beside the secret key file). Kept apart
    # from the data, like the backups of each.
    database_key: str = ""
    database_key_file: str = ""
    # TLS to PostgreSQL, handed to psycopg: e.g. sslmode "verify-full" with the root
    # certificate that signed the database server's.
    database_sslmode: str = ""
    database_sslrootcert: str = ""
    # NIST 800-63B AAL2 session limits (checklist C6).
    idle_timeout_minutes: int = 30
    absolute_timeout_hours: int = 12
    # PCI DSS 8.3.4 values (checklist C4).
    lockout_threshold: int = 10
    lockout_minutes: int = 30
    # How long a PostgreSQL submit waits for a row lock held by another request with
    # the same Idempotency-Key before answering 409 (SQLite waits its busy timeout).
    submit_lock_wait_ms: int = 5000
    # How long opening an order on the pharmacist's desk claims it, unless renewed.
    claim_minutes: int = Field(default=5, ge=1, le=120)
    # How often a process checks whether another one published a template or formulary
    # version (one count query); 0 checks on every lookup (tests of several processes).
    catalog_refresh_seconds: float = Field(default=1.0, ge=0, le=60)
    # Checklist D6.
    max_body_bytes: int = 256 * 1024
    # Cap concurrent argon2 hashes: each one takes 64 MiB, and all of a core. More than
    # the cores only slows every one of them down (a signer waiting for a slot waits
    # longer), so the default is one per core, at most four.
    max_concurrent_password_checks: int = Field(default_factory=lambda: min(4, os.cpu_count() or 1))
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
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: a
    # comma-separated list of addresses or CIDR networks. Empty: no peer is trusted, so
    # the audited address and the per-address throttle always use the real peer.
    trusted_proxies: str = ""
    # Who may read /metrics besides a loopback peer: the bearer of this token (empty: none).
    metrics_token: str = ""
    # "json" (one object per line) or "text"; empty: json, or text in demo mode.
    log_format: str = ""

    @field_validator("log_format")
    @classmethod
    def _log_format_is_known(cls, value: str) -> str:
        if value not in ("", "json", "text"):
            raise ValueError(
                f"{value!r} is not a log format: use json or text (PHARMACY_LOG_FORMAT)"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_networks(cls, value: str) -> str:
        for item in split_proxies(value):
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or CIDR network (PHARMACY_TRUSTED_PROXIES)"
                ) from None
        return value

    @property
    def trusted_proxy_list(self) -> list[str]:
        return split_proxies(self.trusted_proxies)

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
