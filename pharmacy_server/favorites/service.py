"""Favorites: each prescriber's own named orders. Nobody else sees one (not found, like
a missing id); a favorite is checked against its template's limits when saved, and a
stale ``version`` on a rename is a conflict.

A favorite holds no patient data, so reading one is not audited; saving, renaming and
deleting are, as account changes are: who did what to which favorite, never its content.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import canonical_json
from pharmacy_domain.favorites import (
    InvalidFavorite,
    check_favorite_content,
    check_favorite_name,
    name_key,
)
from pharmacy_domain.prescription import FieldError
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server import audit
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, Invalid, NotFound
from pharmacy_server.favorites.schemas import FavoriteList, FavoriteOut
from pharmacy_server.models import Favorite
from pharmacy_server.pagination import clamp_limit, decode_cursor, encode_cursor

NAME_TAKEN = "favorite.name_taken"


def _name_taken() -> Conflict:
    return Conflict(
        "You already have a favorite of this template with that name: choose another name.",
        code=NAME_TAKEN,
        errors=[FieldError("name", "is already the name of another of your favorites")],
    )


def _checked_name(raw: str) -> str:
    try:
        return check_favorite_name(raw)
    except InvalidFavorite as error:
        raise Invalid("The favorite's name cannot be used.", error.errors) from None


class FavoriteService:
    def __init__(self, database: Database, catalog: TemplateCatalog, clock: Clock) -> None:
        self._db = database
        self._catalog = catalog
        self._clock = clock

    @staticmethod
    def _name_in_use(
        session: Session, user: AuthenticatedUser, template_id: str, key: str, but: uuid.UUID
    ) -> bool:
        found = session.scalar(
            select(Favorite.id).where(
                Favorite.prescriber_id == user.id,
                Favorite.template_id == template_id,
                Favorite.name_key == key,
                Favorite.id != but,
            )
        )
        return found is not None

    def create(
        self,
        user: AuthenticatedUser,
        *,
        name: str,
        template_id: str,
        template_version: int,
        content: Any,
        address: str | None,
    ) -> FavoriteOut:
        name = _checked_name(name)
        template = self._catalog.get(template_id, template_version)
        if template is None:
            raise Invalid(
                "A favorite is of a published template.",
                [FieldError("template_id", f"no published template version {template_version}")],
            )
        try:
            checked = check_favorite_content(content, template)
        except InvalidFavorite as error:
            raise Invalid(
                f"The favorite is outside the limits of {template.name}.", error.errors
            ) from None
        now = self._clock()
        row = Favorite(
            id=uuid.uuid4(),
            clinic_id=user.clinic_id,
            prescriber_id=user.id,
            template_id=template.id,
            template_version=template.version,
            name=name,
            name_key=name_key(name),
            content_json=canonical_json(checked).decode("utf-8"),
            version=1,
            created_at=now,
            updated_at=now,
        )
        try:
            with self._db.writing() as session:
                if self._name_in_use(session, user, template.id, row.name_key, row.id):
                    raise _name_taken()
                session.add(row)
                session.flush()
                self._audit(session, user, address, "favorite.create", row)
                return FavoriteOut.from_row(row)
        except IntegrityError:  # the same name saved at the same moment
            raise _name_taken() from None

    def _row(self, session: Session, user: AuthenticatedUser, favorite_id: uuid.UUID) -> Favorite:
        row = session.scalar(
            select(Favorite)
            .where(Favorite.id == favorite_id, Favorite.prescriber_id == user.id)
            .with_for_update()
        )
        if row is None:
            raise NotFound("Favorite")
        return row

    def list(self, user: AuthenticatedUser, *, limit: int, cursor: str | None) -> FavoriteList:
        limit = clamp_limit(limit)
        mine = Favorite.prescriber_id == user.id
        page = [mine]
        if cursor is not None:
            updated_at, row_id = decode_cursor(cursor)
            page.append(
                or_(
                    Favorite.updated_at < updated_at,
                    and_(Favorite.updated_at == updated_at, Favorite.id < row_id),
                )
            )
        with self._db.reading() as session:
            total = session.scalar(select(func.count()).select_from(Favorite).where(mine))
            rows = list(
                session.scalars(
                    select(Favorite)
                    .where(*page)
                    .order_by(Favorite.updated_at.desc(), Favorite.id.desc())
                    .limit(limit + 1)
                )
            )
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].id) if more else None
        return FavoriteList(
            items=[FavoriteOut.from_row(row) for row in rows],
            total=total or 0,
            next_cursor=next_cursor,
        )

    def rename(
        self,
        user: AuthenticatedUser,
        favorite_id: uuid.UUID,
        *,
        name: str,
        version: int,
        address: str | None,
    ) -> FavoriteOut:
        name = _checked_name(name)
        try:
            with self._db.writing() as session:
                row = self._row(session, user, favorite_id)
                if row.version != version:
                    raise Conflict(
                        "This favorite was changed elsewhere: reload the list and rename it again.",
                        code="favorite.version_conflict",
                    )
                key = name_key(name)
                if self._name_in_use(session, user, row.template_id, key, row.id):
                    raise _name_taken()
                row.name, row.name_key = name, key
                row.version += 1
                row.updated_at = self._clock()
                session.flush()
                self._audit(session, user, address, "favorite.rename", row)
                return FavoriteOut.from_row(row)
        except IntegrityError:
            raise _name_taken() from None

    def delete(
        self, user: AuthenticatedUser, favorite_id: uuid.UUID, *, address: str | None
    ) -> None:
        with self._db.writing() as session:
            row = self._row(session, user, favorite_id)
            self._audit(session, user, address, "favorite.delete", row)
            session.delete(row)

    def _audit(
        self,
        session: Session,
        user: AuthenticatedUser,
        address: str | None,
        action: str,
        row: Favorite,
    ) -> None:
        audit.append(
            session,
            now=self._clock(),
            actor=audit.Actor(user.id, user.role, address, user.username),
            action=action,
            outcome="success",
            target_type="favorite",
            target_id=row.id,
            details={"template_id": row.template_id, "template_version": row.template_version},
        )
