"""Which pharmacy this server is: a stable id and a name, for ``/healthz``.

The id is the pharmacy's own row in ``clinic`` (``kind='pharmacy'``), made on first need
when there is none, so it survives restarts, new ports and new addresses, and every server
process on one database answers the same. Clients name what they keep locally after it
(drafts, unsent prescriptions), never after the address they reached it by.

``/healthz`` must answer at once while the database does not, so the identity is read
once and remembered; until a read succeeds it is unknown (``None``): one request at a time
tries again, at most every ``RETRY_AFTER_S``, and the others answer without waiting.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from pharmacy_server.db import Database
from pharmacy_server.models import Clinic

log = logging.getLogger(__name__)

PHARMACY_KIND = "pharmacy"
RETRY_AFTER_S = 10.0


@dataclass(frozen=True)
class PharmacyIdentity:
    id: uuid.UUID
    name: str


def _find(database: Database) -> PharmacyIdentity | None:
    with database.reading() as session:
        row = session.scalars(
            select(Clinic).where(Clinic.kind == PHARMACY_KIND).order_by(Clinic.name).limit(1)
        ).first()
        return None if row is None else PharmacyIdentity(row.id, row.name)


def load_or_create_identity(database: Database, name: str) -> PharmacyIdentity:
    """The pharmacy's row, made (named ``name``) when the database has none yet."""
    found = _find(database)
    if found is not None:
        return found
    try:
        with database.writing() as session:
            session.add(Clinic(id=uuid.uuid4(), name=name, kind=PHARMACY_KIND))
    except IntegrityError:
        pass  # another process made it first (or a clinic holds the name): read it back
    found = _find(database)
    if found is None:
        raise LookupError(f"no pharmacy row, and a clinic already has the name {name!r}")
    return found


class IdentityCache:
    """The identity, read at most once successfully per process. Thread-safe."""

    def __init__(
        self, database: Database, name: str, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._database = database
        self._name = name
        self._clock = clock
        self._lock = threading.Lock()
        self._identity: PharmacyIdentity | None = None
        self._next_try = float("-inf")

    def get(self) -> PharmacyIdentity | None:
        """The identity, or None while the database cannot say (no schema, no answer)."""
        if self._identity is not None or not self._lock.acquire(blocking=False):
            return self._identity
        try:
            if self._identity is None and self._clock() >= self._next_try:
                try:
                    self._identity = load_or_create_identity(self._database, self._name)
                except (SQLAlchemyError, LookupError) as failure:
                    self._next_try = self._clock() + RETRY_AFTER_S
                    log.warning("pharmacy identity unknown for now (%s)", type(failure).__name__)
            return self._identity
        finally:
            self._lock.release()
