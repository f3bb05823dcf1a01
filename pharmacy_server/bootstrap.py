"""``pharmacy-server create-admin``: the first pharmacy account of a new deployment.

Every other account is approved by a pharmacist or an admin, so the first one cannot come
through the account-request path. This command makes it as an approval would: disabled,
with a single-use, expiring activation code that the operator hands over in person. The
code is printed once on the operator's terminal and never logged; the new admin redeems it
in the client's sign-in window ("Activate account"), choosing a password and enrolling an
authenticator, exactly like an approved prescriber.

Run again for an account not yet activated, it voids the old code and prints a new one;
an account already activated is refused (reset its two-factor enrolment from the app).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, update

from pharmacy_domain.text_limits import MAX_DISPLAY_NAME_LENGTH
from pharmacy_server import audit
from pharmacy_server.accounts.codes import activation_digest, new_activation_code
from pharmacy_server.accounts.schemas import USERNAME_PATTERN
from pharmacy_server.admin.service import add_unactivated_user
from pharmacy_server.audit import Actor
from pharmacy_server.clock import utc_now
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.deployment_checks import DeploymentRefused, check_schema_current
from pharmacy_server.models import ActivationCode, User
from pharmacy_server.pharmacy_identity import load_or_create_identity
from pharmacy_server.text_fields import OneLine

DEFAULT_PHARMACY_NAME = "The pharmacy"

log = logging.getLogger(__name__)

#: The command line's way to the deployment's database: (``--database``, ``--state-dir``)
#: to the database and its settings, or None when refused (the reason already logged).
DatabaseOpener = Callable[[str | None, Path | None], tuple[Database, ServerSettings] | None]


class StaffAccountIn(BaseModel):
    """What the operator gives on the command line, checked like an account request."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(pattern=USERNAME_PATTERN)
    display_name: OneLine = Field(min_length=1, max_length=MAX_DISPLAY_NAME_LENGTH)
    email: OneLine = Field(pattern=r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,63}$", max_length=254)
    role: Literal["admin", "pharmacist"]


class BootstrapRefused(Exception):
    """The account cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class IssuedCode:
    username: str
    code: str
    expires_at: dt.datetime
    renewed: bool  # the account existed, not yet activated: a fresh code replaced the old


def field_errors(error: ValidationError) -> list[str]:
    """One line per bad option, named as the operator typed it: "--display-name: ..."."""
    lines = []
    for item in error.errors():
        option = "--" + str(item["loc"][0]).replace("_", "-") if item["loc"] else "input"
        lines.append(f"{option}: {item['msg']}")
    return lines


def create_staff_account(
    database: Database, settings: ServerSettings, account: StaffAccountIn, now: dt.datetime
) -> IssuedCode:
    """A disabled pharmacy account with a single-use activation code (see module docs)."""
    pharmacy = load_or_create_identity(database, settings.name or DEFAULT_PHARMACY_NAME)
    code = new_activation_code()
    expires_at = now + settings.activation_code_lifetime
    with database.writing() as session:
        user = session.scalar(
            select(User).where(User.username == account.username).with_for_update(of=User)
        )
        renewed = user is not None
        if user is None:
            user = add_unactivated_user(
                session,
                now,
                username=account.username,
                display_name=account.display_name,
                role=account.role,
                clinic_id=pharmacy.id,
                email=account.email,
            )
        elif user.is_active or user.totp_secret_sealed is not None:
            raise BootstrapRefused(
                f"the account {account.username} is already activated: an admin can reset "
                "its two-factor enrolment from the app (Accounts)"
            )
        elif user.role != account.role or user.clinic_id != pharmacy.id:
            raise BootstrapRefused(
                f"the username {account.username} belongs to another kind of account: "
                "choose another username"
            )
        session.execute(
            update(ActivationCode)
            .where(ActivationCode.user_id == user.id, ActivationCode.used_at.is_(None))
            .values(used_at=now)
        )
        session.add(
            ActivationCode(
                code_sha256=activation_digest(code),
                user_id=user.id,
                created_at=now,
                expires_at=expires_at,
            )
        )
        audit.append(
            session,
            now=now,
            # The operator at the server's console: no account of the portal's did it.
            actor=Actor(None, "operator", None, None),
            action="account.create_admin",
            outcome="success",
            target_type="user",
            target_id=user.id,
            details={"role": account.role, "renewed": renewed},
        )
    return IssuedCode(account.username, code, expires_at, renewed)


def run_create_admin(args: argparse.Namespace, open_database: DatabaseOpener) -> int:
    """The ``create-admin`` command: check the fields, make the account, print its code."""
    try:
        account = StaffAccountIn(
            username=args.username,
            display_name=args.display_name,
            email=args.email,
            role=args.role,
        )
    except ValidationError as error:
        for line in field_errors(error):
            log.error("%s", line)
        return 2
    opened = open_database(args.database, args.state_dir)
    if opened is None:
        return 2
    database, settings = opened
    try:
        check_schema_current(database)
        issued = create_staff_account(database, settings, account, utc_now())
    except (DeploymentRefused, BootstrapRefused) as refusal:
        log.error("%s", refusal)
        return 2
    finally:
        database.dispose()
    # On the terminal only (stdout), never in the log: the code opens the account.
    sys.stdout.write(
        f"{'A new activation code for' if issued.renewed else 'Created the account'} "
        f"{issued.username} ({account.role}).\n"
        f"Activation code: {issued.code}\n"
        f"Give it to them in person. It works once, until {issued.expires_at:%Y-%m-%d %H:%M} "
        "UTC: in the portal's sign-in window, Activate account, then choose a password "
        "and enrol an authenticator app.\n"
    )
    return 0
