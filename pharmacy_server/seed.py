"""Demo clinics and accounts (demo mode only). Safe to run any number of times."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pharmacy_server.clock import Clock, utc_now
from pharmacy_server.db import Database
from pharmacy_server.identifiers import npi_check_digit
from pharmacy_server.models import Clinic, User
from pharmacy_server.security import Passwords

log = logging.getLogger(__name__)

DEMO_PASSWORD = "demo-password"  # noqa: S105 - documented demo credential, demo mode only
PHARMACY_NAME = "Northside Compounding Pharmacy"
DEMO_LICENCE_DAYS = 3 * 365


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: str
    clinic: str
    npi: str | None = None
    licence_number: str | None = None
    licence_state: str | None = None
    email: str | None = None


DEMO_CLINICS = {
    "Riverside Integrative Health": "clinic",
    "Lakeside Wellness Clinic": "clinic",
    PHARMACY_NAME: "pharmacy",
}
DEMO_ACCOUNTS = (
    DemoAccount(
        "prescriber1",
        "Dr. Maya Chen",
        "prescriber",
        "Riverside Integrative Health",
        "123456789" + npi_check_digit("123456789"),
        "MD-104233",
        "OR",
        "maya.chen@riverside.example",
    ),
    DemoAccount(
        "prescriber2",
        "Dr. Samuel Ortiz",
        "prescriber",
        "Lakeside Wellness Clinic",
        "198765432" + npi_check_digit("198765432"),
        "MD-208817",
        "WA",
        "samuel.ortiz@lakeside.example",
    ),
    # Prepares drafts for prescriber1 (same clinic); can never sign.
    DemoAccount("staff1", "Jordan Lee, RN", "clinic_staff", "Riverside Integrative Health"),
    DemoAccount("pharmacist1", "Priya Nair, PharmD", "pharmacist", PHARMACY_NAME),
    DemoAccount("admin1", "Alex Morgan", "admin", PHARMACY_NAME),
)


def seed_demo(
    database: Database,
    passwords: Passwords,
    *,
    password_hash: str | None = None,
    clock: Clock = utc_now,
) -> int:
    """Create whatever demo clinics and accounts are missing; return how many accounts
    were added. ``password_hash`` lets tests reuse one argon2 hash of the demo password."""
    try:
        return _seed(database, passwords, password_hash, clock)
    except IntegrityError:
        # Another process seeded at the same moment; its rows are the same rows.
        log.info("demo seed raced another process; re-checking")
        return _seed(database, passwords, password_hash, clock)


def _seed(database: Database, passwords: Passwords, password_hash: str | None, clock: Clock) -> int:
    demo_names = [account.username for account in DEMO_ACCOUNTS]
    with database.writing() as session:
        # Demo rows made before the is_demo column existed.
        session.execute(
            update(User)
            .where(User.username.in_(demo_names), User.is_demo.is_(False))
            .values(is_demo=True)
        )
    with database.reading() as session:
        existing = set(session.scalars(select(User.username)))
    missing = [account for account in DEMO_ACCOUNTS if account.username not in existing]
    if not missing:
        return 0
    hashed = password_hash or passwords.hash(DEMO_PASSWORD)
    with database.writing() as session:
        clinics = {clinic.name: clinic for clinic in session.scalars(select(Clinic))}
        for name, kind in DEMO_CLINICS.items():
            if name not in clinics:
                clinics[name] = Clinic(name=name, kind=kind)
                session.add(clinics[name])
        session.flush()
        taken = set(session.scalars(select(User.username)))
        added = 0
        for account in missing:
            if account.username in taken:
                continue
            session.add(
                User(
                    username=account.username,
                    display_name=account.display_name,
                    role=account.role,
                    clinic_id=clinics[account.clinic].id,
                    npi=account.npi,
                    licence_number=account.licence_number,
                    licence_state=account.licence_state,
                    email=account.email,
                    # Demo licences stay current: a demo prescriber can always sign.
                    licence_expires_on=None
                    if account.licence_number is None
                    else clock().date() + dt.timedelta(days=DEMO_LICENCE_DAYS),
                    is_demo=True,
                    password_hash=hashed,
                    failed_login_count=0,
                    is_active=True,
                    created_at=clock(),
                )
            )
            added += 1
    log.info("demo seed: %d account(s) added", added)
    return added
