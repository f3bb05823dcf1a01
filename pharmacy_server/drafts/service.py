"""Server-side drafts: what clinic staff prepare for a prescriber of their clinic.

A draft is a prescription body in progress (never checked, never signed). The prescriber
it is for and the staff of that clinic see and edit it; nobody else sees it at all (not found).
A stale ``version`` on an update is a conflict, so two people never overwrite each other.
Only the prescriber turns a draft into a prescription, by signing and submitting it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select

from pharmacy_domain.canonical import canonical_json
from pharmacy_domain.prescription import FieldError
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.drafts.schemas import ClinicPrescriberList, DraftList, DraftOut, PersonOut
from pharmacy_server.errors import Conflict, Forbidden, Invalid, NotFound
from pharmacy_server.models import Draft, User
from pharmacy_server.pagination import clamp_limit, decode_cursor, encode_cursor

DRAFT_ROLES = frozenset({"prescriber", "clinic_staff"})


def _people(session: Any, rows: Iterable[Draft]) -> dict[uuid.UUID, User]:
    """The accounts a page of drafts names (prescriber, creator, last editor), in one query."""
    ids = {i for row in rows for i in (row.prescriber_id, row.created_by_id, row.updated_by_id)}
    if not ids:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(ids)))}


class DraftService:
    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock

    @staticmethod
    def _scope(user: AuthenticatedUser) -> ColumnElement[bool]:
        if user.role == "prescriber":
            return Draft.prescriber_id == user.id
        if user.role == "clinic_staff":
            return Draft.clinic_id == user.clinic_id
        return false()

    @staticmethod
    def _check_role(user: AuthenticatedUser) -> None:
        if user.role not in DRAFT_ROLES:
            raise Forbidden("Only prescribers and clinic staff keep drafts.")

    @staticmethod
    def _check_body(body: Any) -> str:
        if not isinstance(body, dict):
            raise Invalid(
                "A draft body must be a JSON object.", [FieldError("body", "must be an object")]
            )
        return canonical_json(body).decode("utf-8")

    def create(
        self, user: AuthenticatedUser, *, prescriber_id: uuid.UUID | None, body: Any
    ) -> DraftOut:
        self._check_role(user)
        body_json = self._check_body(body)
        target = user.id if user.role == "prescriber" else prescriber_id
        if user.role == "prescriber" and prescriber_id not in (None, user.id):
            raise Invalid(
                "Prescribers keep their own drafts.",
                [FieldError("prescriber_id", "must be you (or left out)")],
            )
        now = self._clock()
        with self._db.writing() as session:
            prescriber = None if target is None else session.get(User, target)
            if (
                prescriber is None
                or prescriber.role != "prescriber"
                or not prescriber.is_active
                or prescriber.clinic_id != user.clinic_id
            ):
                raise Invalid(
                    "Drafts are for a prescriber of your clinic.",
                    [FieldError("prescriber_id", "is not a prescriber of your clinic")],
                )
            row = Draft(
                id=uuid.uuid4(),
                clinic_id=user.clinic_id,
                prescriber_id=prescriber.id,
                created_by_id=user.id,
                updated_by_id=user.id,
                body_json=body_json,
                version=1,
                created_at=now,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            return DraftOut.from_row(row, _people(session, [row]))

    def _row(self, session: Any, user: AuthenticatedUser, draft_id: uuid.UUID) -> Draft:
        row = session.scalar(
            select(Draft).where(Draft.id == draft_id, self._scope(user)).with_for_update()
        )
        if row is None:
            raise NotFound("Draft")
        assert isinstance(row, Draft)
        return row

    def get(self, user: AuthenticatedUser, draft_id: uuid.UUID) -> DraftOut:
        with self._db.reading() as session:
            row = session.scalar(select(Draft).where(Draft.id == draft_id, self._scope(user)))
            if row is None:
                raise NotFound("Draft")
            return DraftOut.from_row(row, _people(session, [row]))

    def list(self, user: AuthenticatedUser, *, limit: int, cursor: str | None) -> DraftList:
        limit = clamp_limit(limit)
        conditions = [self._scope(user)]
        page_conditions = list(conditions)
        if cursor is not None:
            updated_at, row_id = decode_cursor(cursor)
            page_conditions.append(
                or_(
                    Draft.updated_at < updated_at,
                    and_(Draft.updated_at == updated_at, Draft.id < row_id),
                )
            )
        with self._db.reading() as session:
            total = session.scalar(select(func.count()).select_from(Draft).where(*conditions))
            rows = list(
                session.scalars(
                    select(Draft)
                    .where(*page_conditions)
                    .order_by(Draft.updated_at.desc(), Draft.id.desc())
                    .limit(limit + 1)
                )
            )
            more = len(rows) > limit
            rows = rows[:limit]
            people = _people(session, rows)
            items = [DraftOut.from_row(row, people) for row in rows]
        next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].id) if more else None
        return DraftList(items=items, total=total or 0, next_cursor=next_cursor)

    def update(
        self, user: AuthenticatedUser, draft_id: uuid.UUID, *, body: Any, version: int
    ) -> DraftOut:
        body_json = self._check_body(body)
        now = self._clock()
        with self._db.writing() as session:
            row = self._row(session, user, draft_id)
            if row.version != version:
                raise Conflict(
                    "Someone else changed this draft: reload it and apply your change again.",
                    code="draft.version_conflict",
                )
            row.body_json = body_json
            row.version += 1
            row.updated_by_id = user.id
            row.updated_at = now
            session.flush()
            return DraftOut.from_row(row, _people(session, [row]))

    def clinic_prescribers(self, user: AuthenticatedUser) -> ClinicPrescriberList:
        """The active prescribers of the caller's own clinic, by name: whom clinic staff
        prepare drafts for. Never another clinic's (the clinic comes from the session)."""
        self._check_role(user)
        with self._db.reading() as session:
            rows = list(
                session.scalars(
                    select(User)
                    .where(
                        User.clinic_id == user.clinic_id,
                        User.role == "prescriber",
                        User.is_active.is_(True),
                    )
                    .order_by(User.display_name, User.id)
                )
            )
        items = [PersonOut(id=str(row.id), display_name=row.display_name) for row in rows]
        return ClinicPrescriberList(items=items, total=len(items), next_cursor=None)

    def delete(self, user: AuthenticatedUser, draft_id: uuid.UUID) -> None:
        with self._db.writing() as session:
            session.delete(self._row(session, user, draft_id))
