"""Demo clinics, accounts and patients (demo mode only). Safe to run any number of times."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pharmacy_domain.canonical import canonical_json
from pharmacy_server.clock import Clock, utc_now
from pharmacy_server.db import Database
from pharmacy_server.identifiers import npi_check_digit
from pharmacy_server.models import Clinic, PatientRecord, User
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


@dataclass(frozen=True)
class DemoPatient:
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    weight_kg: float
    height_cm: float
    #: Days before today of the weight, and of the labs (G6PD, then renal function).
    weighed_days_ago: int
    g6pd_days_ago: int
    renal_days_ago: int
    creatinine: float
    egfr: float
    allergies: tuple[tuple[str | None, str], ...] = ()
    address: str = ""
    phone: str = ""


DEMO_PATIENT_CLINIC = "Riverside Integrative Health"
# Made-up people. One has a G6PD result older than a year and one renal results older
# than 90 days, so the demo shows a stale result flagged beside the composer.
DEMO_PATIENTS = (
    DemoPatient("Maria", "Gonzalez", dt.date(1975, 6, 14), "female", 64.0, 162.0, 6, 40, 6,
                0.8, 96.0, (("corn", "corn"),), "418 Alder Street, Portland, OR 97205",
                "503-555-0142"),
    DemoPatient("James", "O'Connor", dt.date(1962, 11, 3), "male", 88.5, 180.0, 12, 200, 12,
                1.1, 71.0, ((None, "penicillin (rash)"),), "77 Hawthorne Blvd, Portland, "
                "OR 97214", "503-555-0177"),
    DemoPatient("Aiko", "Tanaka", dt.date(1988, 2, 21), "female", 55.2, 158.0, 3, 420, 3,
                0.7, 110.0),
    DemoPatient("David", "Okafor", dt.date(1954, 9, 30), "male", 79.0, 175.0, 20, 90, 100,
                1.3, 58.0, (("sulfites", "sulfites"),)),
)  # fmt: skip


def _demo_labs(patient: DemoPatient, today: dt.date) -> list[dict[str, Any]]:
    g6pd_on = (today - dt.timedelta(days=patient.g6pd_days_ago)).isoformat()
    renal_on = (today - dt.timedelta(days=patient.renal_days_ago)).isoformat()
    egfr_reading = "normal" if patient.egfr >= 90 else "low"
    return sorted(
        [
            {
                "code": "g6pd",
                "date": g6pd_on,
                "value": 12.1,
                "unit": "U/g Hb",
                "interpretation": "normal",
            },
            {
                "code": "creatinine",
                "date": renal_on,
                "value": patient.creatinine,
                "unit": "mg/dL",
                "interpretation": "normal",
            },
            {
                "code": "egfr",
                "date": renal_on,
                "value": patient.egfr,
                "unit": "mL/min/1.73 m²",
                "interpretation": egfr_reading,
            },
        ],
        key=lambda lab: str(lab["date"]),
        reverse=True,
    )


def seed_demo_patients(database: Database, *, clock: Clock = utc_now) -> int:
    """Give the demo clinic its demo patients, unless it has patients already; return
    how many were added."""
    now = clock()
    today = now.date()
    with database.writing() as session:
        clinic = session.scalar(select(Clinic).where(Clinic.name == DEMO_PATIENT_CLINIC))
        author = session.scalar(select(User).where(User.username == "prescriber1"))
        if clinic is None or author is None:
            return 0
        if session.scalar(select(PatientRecord.id).where(PatientRecord.clinic_id == clinic.id)):
            return 0
        for index, patient in enumerate(DEMO_PATIENTS):
            weighed_on = today - dt.timedelta(days=patient.weighed_days_ago)
            allergies = [{"code": code, "text": text} for code, text in patient.allergies]
            session.add(
                PatientRecord(
                    id=uuid.uuid4(),
                    clinic_id=clinic.id,
                    version=1,
                    given_name=patient.given_name,
                    family_name=patient.family_name,
                    given_key=patient.given_name.casefold(),
                    family_key=patient.family_name.casefold(),
                    birth_date=patient.birth_date,
                    sex=patient.sex,
                    address=patient.address,
                    phone=patient.phone,
                    allergies_json=canonical_json(allergies).decode("utf-8"),
                    weight_kg=patient.weight_kg,
                    weight_measured_on=weighed_on,
                    height_cm=patient.height_cm,
                    height_measured_on=weighed_on,
                    labs_json=canonical_json(_demo_labs(patient, today)).decode("utf-8"),
                    created_by_id=author.id,
                    updated_by_id=author.id,
                    # Apart by a second each, so the newest-first list has a fixed order.
                    created_at=now - dt.timedelta(seconds=len(DEMO_PATIENTS) - index),
                    updated_at=now,
                )
            )
    log.info("demo seed: %d patient(s) added", len(DEMO_PATIENTS))
    return len(DEMO_PATIENTS)


def seed_demo_and_patients(database: Database, passwords: Passwords) -> None:
    """The demo server's seed: the accounts, then the demo clinic's patients."""
    seed_demo(database, passwords)
    seed_demo_patients(database)
