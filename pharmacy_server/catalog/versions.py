"""Drafting, publishing and deleting versions of templates and of the formulary.

Every change is a new draft version with who made it and why; a *second* person (an
admin or another pharmacist) publishes it, and the version it replaces is retired (still
valid for the orders, favorites and drafts written against it). A formulary version is
the whole formulary document: one product's change is one version of the formulary, so
an evaluation names a single formulary version. A version still named by an order, a
favorite or a draft (templates), or by a stored evaluation (the formulary), cannot be
deleted, nor can the published one. Everything is audited (versions and reasons' length,
never content).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import canonical_json, canonical_sha256
from pharmacy_domain.catalog_edits import formulary_field_errors, template_field_errors
from pharmacy_server import audit
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.catalog.published import (
    DRAFT,
    FORMULARY,
    FORMULARY_ENTITY,
    PUBLISHED,
    RETIRED,
    TEMPLATE,
    PublishedCatalog,
)
from pharmacy_server.catalog.schemas import (
    CatalogEntityList,
    CatalogEntityOut,
    CatalogVersionContentOut,
    CatalogVersionList,
    CatalogVersionOut,
    DraftVersionIn,
)
from pharmacy_server.clock import Clock, wire_time
from pharmacy_server.db import Database
from pharmacy_server.errors import Conflict, Forbidden, Invalid, NotFound
from pharmacy_server.models import CatalogVersion, Draft, Favorite, Prescription

STAFF_ROLES = frozenset({"pharmacist", "admin"})


def version_out(row: CatalogVersion, user: AuthenticatedUser) -> CatalogVersionOut:
    return CatalogVersionOut(
        entity_id=row.entity_id,
        version=row.version,
        status=row.status,  # type: ignore[arg-type]  # the column holds only these three
        content_sha256=row.content_sha256,
        reason=row.reason,
        created_by=row.created_by_name,
        created_at=wire_time(row.created_at),
        published_by=row.published_by_name,
        published_at=None if row.published_at is None else wire_time(row.published_at),
        own=row.created_by_id == user.id,
    )


class CatalogVersions:
    def __init__(self, database: Database, published: PublishedCatalog, clock: Clock) -> None:
        self._db = database
        self._published = published
        self._clock = clock

    # Reads ---------------------------------------------------------------------------

    def versions(self, user: AuthenticatedUser, kind: str, entity_id: str) -> CatalogVersionList:
        """Staff see every version; everyone else the published and retired ones."""
        self._published.snapshot()  # seeds an empty database
        with self._db.reading() as session:
            query = self._rows(kind, entity_id)
            if user.role not in STAFF_ROLES:
                query = query.where(CatalogVersion.status != DRAFT)
            rows = session.scalars(query.order_by(CatalogVersion.version.desc())).all()
            if not rows:
                raise NotFound("Template" if kind == TEMPLATE else "Formulary")
            return CatalogVersionList(items=[version_out(row, user) for row in rows])

    def entities(self, user: AuthenticatedUser, kind: str) -> CatalogEntityList:
        """Every template (or the formulary) with all its versions, for the editor."""
        self._published.snapshot()
        with self._db.reading() as session:
            rows = session.scalars(
                select(CatalogVersion)
                .where(CatalogVersion.kind == kind)
                .order_by(CatalogVersion.entity_id, CatalogVersion.version.desc())
            ).all()
            grouped: dict[str, list[CatalogVersion]] = {}
            for row in rows:
                grouped.setdefault(row.entity_id, []).append(row)
            items = [
                CatalogEntityOut(
                    entity_id=entity,
                    name=_name_of(versions[0]),
                    versions=[version_out(row, user) for row in versions],
                )
                for entity, versions in grouped.items()
            ]
        items.sort(key=lambda item: item.name.casefold())
        return CatalogEntityList(items=items)

    def content(
        self, user: AuthenticatedUser, kind: str, entity_id: str, version: int
    ) -> CatalogVersionContentOut:
        with self._db.reading() as session:
            row = self._one(session, kind, entity_id, version)
            return CatalogVersionContentOut(
                version=version_out(row, user), content=json.loads(row.content_json)
            )

    # Changes -------------------------------------------------------------------------

    def draft(
        self,
        user: AuthenticatedUser,
        kind: str,
        entity_id: str,
        body: DraftVersionIn,
        address: str | None,
    ) -> CatalogVersionOut:
        """Check the content field by field and store it as the next version, a draft."""
        self._published.snapshot()
        content = dict(body.content)
        errors = (
            template_field_errors(content, entity_id)
            if kind == TEMPLATE
            else formulary_field_errors(content)
        )
        if errors:
            raise Invalid("The content is not valid.", errors, code="catalog.invalid_content")
        now = self._clock()
        with self._db.writing() as session:
            newest = session.scalar(
                select(func.max(CatalogVersion.version)).where(
                    CatalogVersion.kind == kind, CatalogVersion.entity_id == entity_id
                )
            )
            version = int(newest or 0) + 1
            content["version"] = version
            if kind == TEMPLATE:
                content["id"] = entity_id
            row = CatalogVersion(
                kind=kind,
                entity_id=entity_id,
                version=version,
                status=DRAFT,
                content_json=canonical_json(content).decode("utf-8"),
                content_sha256=canonical_sha256(content),
                reason=body.reason.strip(),
                created_by_id=user.id,
                created_by_name=user.username,
                created_at=now,
            )
            session.add(row)
            session.flush()
            self._audit(session, user, address, "catalog.draft", row)
            return version_out(row, user)

    def publish(
        self,
        user: AuthenticatedUser,
        kind: str,
        entity_id: str,
        version: int,
        address: str | None,
    ) -> CatalogVersionOut:
        """A second person makes a draft what prescribers get; the one before retires."""
        now = self._clock()
        with self._db.writing() as session:
            rows = session.scalars(
                self._rows(kind, entity_id).with_for_update().order_by(CatalogVersion.version)
            ).all()
            row = next((r for r in rows if r.version == version), None)
            if row is None:
                raise NotFound("Version")
            if row.status != DRAFT:
                raise Conflict("Only a draft can be published.", code="catalog.not_draft")
            if row.created_by_id == user.id:
                raise Forbidden(
                    "You drafted this version: another pharmacist or an admin publishes it.",
                    code="catalog.own_draft",
                )
            current = next((r for r in rows if r.status == PUBLISHED), None)
            if current is not None and current.version > version:
                raise Conflict(
                    "A newer version is already published: draft again from it.",
                    code="catalog.superseded",
                )
            if current is not None:
                current.status = RETIRED
            row.status = PUBLISHED
            row.published_by_id = user.id
            row.published_by_name = user.username
            row.published_at = now
            self._audit(session, user, address, "catalog.publish", row)
            answer = version_out(row, user)
        self._published.invalidate()
        return answer

    def delete(
        self,
        user: AuthenticatedUser,
        kind: str,
        entity_id: str,
        version: int,
        address: str | None,
    ) -> None:
        with self._db.writing() as session:
            row = self._one(session, kind, entity_id, version, for_update=True)
            if row.status == PUBLISHED:
                raise Conflict(
                    "This is the published version: publish another before deleting it.",
                    code="catalog.version_current",
                )
            uses = self._uses(session, kind, entity_id, version)
            if uses:
                raise Conflict(
                    "This version is in use and cannot be deleted.",
                    code="catalog.version_in_use",
                    extra={"used_by": uses},
                )
            self._audit(session, user, address, "catalog.delete", row)
            session.delete(row)
        self._published.invalidate()

    # Helpers -------------------------------------------------------------------------

    @staticmethod
    def _rows(kind: str, entity_id: str) -> Any:
        return select(CatalogVersion).where(
            CatalogVersion.kind == kind, CatalogVersion.entity_id == entity_id
        )

    def _one(
        self,
        session: Session,
        kind: str,
        entity_id: str,
        version: int,
        *,
        for_update: bool = False,
    ) -> CatalogVersion:
        query = self._rows(kind, entity_id).where(CatalogVersion.version == version)
        row: CatalogVersion | None = session.scalar(
            query.with_for_update() if for_update else query
        )
        if row is None:
            raise NotFound("Version")
        return row

    @staticmethod
    def _uses(session: Session, kind: str, entity_id: str, version: int) -> list[str]:
        """What still names this version: "prescription", "favorite", "draft"."""
        uses: list[str] = []
        if kind == FORMULARY:
            # The stored evaluation names the versions it used (canonical JSON: sorted,
            # compact, so "formulary":N is followed by the next key).
            marker = f'"formulary":{version},"rules"'
            named = session.scalar(
                select(Prescription.id)
                .where(Prescription.evaluation_json.contains(marker, autoescape=True))
                .limit(1)
            )
            return ["prescription"] if named is not None else []
        if session.scalar(
            select(Prescription.id)
            .where(Prescription.template_id == entity_id)
            .where(Prescription.template_version == version)
            .limit(1)
        ):
            uses.append("prescription")
        if session.scalar(
            select(Favorite.id)
            .where(Favorite.template_id == entity_id)
            .where(Favorite.template_version == version)
            .limit(1)
        ):
            uses.append("favorite")
        candidates = session.scalars(
            select(Draft.body_json).where(Draft.body_json.contains(entity_id, autoescape=True))
        )
        for text in candidates:
            body = json.loads(text)
            if body.get("template_id") == entity_id and body.get("template_version") == version:
                uses.append("draft")
                break
        return uses

    def _audit(
        self,
        session: Session,
        user: AuthenticatedUser,
        address: str | None,
        action: str,
        row: CatalogVersion,
    ) -> None:
        audit.append(
            session,
            now=self._clock(),
            actor=audit.Actor(user.id, user.role, address, user.username),
            action=action,
            outcome="success",
            target_type=row.kind,
            target_id=row.entity_id,
            details={"version": row.version, "status": row.status},
        )


def _name_of(row: CatalogVersion) -> str:
    if row.kind == FORMULARY:
        return "Formulary"
    name = json.loads(row.content_json).get("name")
    return str(name) if name else row.entity_id


__all__ = ["FORMULARY", "FORMULARY_ENTITY", "TEMPLATE", "CatalogVersions"]
