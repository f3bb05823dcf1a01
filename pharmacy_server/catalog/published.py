"""The published templates and formulary, read from the database and cached by version.

The database is the truth (``catalog_version``); the files in ``resources/`` are only the
seed (``seed_from_files``). Every service that looks a template or a product up holds a
``LiveCatalog`` and a ``LiveFormulary``: the domain's own types, answering from the
newest snapshot.

Several server processes behind a load balancer: each process checks the published
*signature* (how many versions were ever published, one indexed ``count``) at most once
per ``refresh_seconds`` (``PHARMACY_CATALOG_REFRESH_SECONDS``, 1 s by default) and reads
the versions again only when it moved. A publish is seen at once by the process that
made it (it calls ``invalidate``) and within that interval by the others. Parsed
templates are kept by (id, version) and formularies by version, so a refresh re-parses
only what is new.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pharmacy_domain.canonical import canonical_json, canonical_sha256
from pharmacy_domain.excipients import AllergyData
from pharmacy_domain.formulary import Formulary, StockProduct, VehicleProduct, formulary_from_dict
from pharmacy_domain.templates import Template, TemplateCatalog, template_from_dict
from pharmacy_server.clock import Clock
from pharmacy_server.db import Database
from pharmacy_server.models import CatalogVersion

TEMPLATE = "template"
FORMULARY = "formulary"
FORMULARY_ENTITY = "formulary"
DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
#: Who the seeded versions name as their author and publisher.
SEED_AUTHOR = "resources"
SEED_REASON = "Seeded from the pharmacy's data files"


def seed_from_files(
    database: Database,
    templates: Iterable[Template],
    formulary_document: dict[str, object],
    clock: Clock,
) -> None:
    """Make each file's template (and the formulary) a published version, for every
    entity that has no version yet. Another process seeding at the same time trips the
    unique key; the database then already holds the seed, which is what we wanted."""
    now = clock()
    try:
        with database.writing() as session:
            known = set(session.execute(select(CatalogVersion.kind, CatalogVersion.entity_id)))
            rows: list[tuple[str, str, int, object]] = [
                (TEMPLATE, t.id, t.version, t.to_wire())
                for t in templates
                if (TEMPLATE, t.id) not in known
            ]
            if (FORMULARY, FORMULARY_ENTITY) not in known:
                version = int(str(formulary_document.get("version", 1)))
                rows.append((FORMULARY, FORMULARY_ENTITY, version, formulary_document))
            newest: dict[tuple[str, str], int] = {}
            for kind, entity, version, _ in rows:
                newest[(kind, entity)] = max(version, newest.get((kind, entity), version))
            for kind, entity, version, content in rows:
                session.add(
                    CatalogVersion(
                        kind=kind,
                        entity_id=entity,
                        version=version,
                        status=PUBLISHED if newest[(kind, entity)] == version else RETIRED,
                        content_json=canonical_json(content).decode("utf-8"),
                        content_sha256=canonical_sha256(content),
                        reason=SEED_REASON,
                        created_by_name=SEED_AUTHOR,
                        created_at=now,
                        published_by_name=SEED_AUTHOR,
                        published_at=now,
                    )
                )
    except IntegrityError:
        pass


def published_signature(session: Session) -> int:
    """Grows by one on every publish: retiring changes no count, only drafts are removed."""
    count = session.scalar(
        select(func.count()).select_from(CatalogVersion).where(CatalogVersion.status != DRAFT)
    )
    return int(count or 0)


@dataclass(frozen=True)
class Snapshot:
    signature: int
    templates: dict[tuple[str, int], Template]
    latest: tuple[Template, ...]
    formulary: Formulary
    #: The published formulary in its file form (what clients rebuild it from).
    formulary_document: dict[str, object]


class PublishedCatalog:
    """The newest published snapshot of one database, refreshed as the module says."""

    def __init__(
        self,
        database: Database,
        seed: Callable[[], None],
        *,
        refresh_seconds: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._db = database
        self._seed = seed
        self._refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self._checked_at = float("-inf")
        self._templates: dict[tuple[str, int], Template] = {}
        self._formularies: dict[int, Formulary] = {}

    def invalidate(self) -> None:
        with self._lock:
            self._checked_at = float("-inf")

    def snapshot(self) -> Snapshot:
        with self._lock:
            now = self._monotonic()
            if self._snapshot is not None and now - self._checked_at < self._refresh_seconds:
                return self._snapshot
            with self._db.reading() as session:
                signature = published_signature(session)
            if signature == 0:
                self._seed()
                with self._db.reading() as session:
                    signature = published_signature(session)
            if self._snapshot is None or signature != self._snapshot.signature:
                self._snapshot = self._load(signature)
            self._checked_at = now
            return self._snapshot

    def _load(self, signature: int) -> Snapshot:
        with self._db.reading() as session:
            rows = session.execute(
                select(
                    CatalogVersion.kind,
                    CatalogVersion.entity_id,
                    CatalogVersion.version,
                    CatalogVersion.status,
                    CatalogVersion.content_json,
                ).where(CatalogVersion.status != DRAFT)
            ).all()
        found: dict[tuple[str, int], Template] = {}
        latest: dict[str, Template] = {}
        formulary: Formulary | None = None
        document: dict[str, object] = {}
        for kind, entity, version, status, content in rows:
            if kind == TEMPLATE:
                template = self._templates.get((entity, version))
                if template is None:
                    template = template_from_dict(json.loads(content))
                    self._templates[(entity, version)] = template
                found[(entity, version)] = template
                if status == PUBLISHED:
                    latest[entity] = template
            elif kind == FORMULARY and status == PUBLISHED:
                document = {**json.loads(content), "version": version}
                formulary = self._formularies.get(version)
                if formulary is None:
                    formulary = formulary_from_dict(document)
                    self._formularies[version] = formulary
        assert formulary is not None, "the formulary is seeded with the templates"
        return Snapshot(
            signature=signature,
            templates=found,
            latest=tuple(sorted(latest.values(), key=lambda t: t.name.casefold())),
            formulary=formulary,
            formulary_document=document,
        )


class LiveCatalog(TemplateCatalog):
    """The domain's catalog over the published snapshot: every published or retired
    version is found (an order keeps the version it was written on), drafts never."""

    def __init__(self, published: PublishedCatalog) -> None:
        super().__init__(())
        self._published = published

    def get(self, template_id: str, version: int) -> Template | None:
        return self._published.snapshot().templates.get((template_id, version))

    def latest(self) -> list[Template]:
        return list(self._published.snapshot().latest)

    def __len__(self) -> int:
        return len(self._published.snapshot().templates)


class LiveFormulary(Formulary):
    """The domain's formulary answering from the published version of the moment.

    A caller that needs one version throughout (an evaluation) takes ``current()``."""

    def __init__(self, published: PublishedCatalog) -> None:  # no super(): all delegated
        self._published = published

    def current(self) -> Formulary:
        return self._published.snapshot().formulary

    @property
    def version(self) -> int:  # type: ignore[override]
        return self.current().version

    @property
    def allergies(self) -> AllergyData:  # type: ignore[override]
        return self.current().allergies

    @property
    def products(self) -> dict[str, StockProduct]:  # type: ignore[override]
        return self.current().products

    @property
    def vehicles(self) -> dict[str, VehicleProduct]:  # type: ignore[override]
        return self.current().vehicles


def current_formulary(formulary: Formulary) -> Formulary:
    """One fixed version for a whole evaluation (a plain ``Formulary`` is already one)."""
    return formulary.current() if isinstance(formulary, LiveFormulary) else formulary
