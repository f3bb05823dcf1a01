"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy.exc import SQLAlchemyError
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from pharmacy_domain.resources import load_json
from pharmacy_domain.rules import Rules, load_rules
from pharmacy_domain.templates import TemplateCatalog, load_template_catalog
from pharmacy_server import __version__
from pharmacy_server.accounts.router import router as accounts_router
from pharmacy_server.accounts.service import AccountService
from pharmacy_server.admin.router import router as admin_router
from pharmacy_server.admin.service import AdminService
from pharmacy_server.auth.router import router as auth_router
from pharmacy_server.auth.service import AuthService
from pharmacy_server.body_limit import BodyLimitMiddleware
from pharmacy_server.catalog.admin_router import router as catalog_admin_router
from pharmacy_server.catalog.published import (
    LiveCatalog,
    LiveFormulary,
    PublishedCatalog,
    seed_from_files,
)
from pharmacy_server.catalog.router import router as catalog_router
from pharmacy_server.catalog.service import CatalogService
from pharmacy_server.catalog.versions import CatalogVersions
from pharmacy_server.clock import Clock, utc_now
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.deps import AppContext
from pharmacy_server.drafts.router import router as drafts_router
from pharmacy_server.drafts.service import DraftService
from pharmacy_server.edge import EdgeMiddleware
from pharmacy_server.favorites.router import router as favorites_router
from pharmacy_server.favorites.service import FavoriteService
from pharmacy_server.handlers import install_error_handlers
from pharmacy_server.http_hygiene import wrap_whole_app
from pharmacy_server.messages.router import router as messages_router
from pharmacy_server.messages.service import MessageService
from pharmacy_server.metrics import Metrics
from pharmacy_server.notify import FileNotifier, Notifier, SmtpNotifier
from pharmacy_server.patients.router import DOCUMENT_BODY_BYTES, DOCUMENT_UPLOAD_PATH
from pharmacy_server.patients.router import router as patients_router
from pharmacy_server.patients.service import PatientService
from pharmacy_server.pharmacy_identity import IdentityCache
from pharmacy_server.prescriptions.router import router as prescriptions_router
from pharmacy_server.prescriptions.schemas import PrescriptionSubmission
from pharmacy_server.prescriptions.service import PrescriptionService
from pharmacy_server.probes import router as probes_router
from pharmacy_server.schemas import HTTP_API_VERSION, SERVICE_NAME, ErrorBody, HealthOut
from pharmacy_server.security import Passwords, SecretBox, server_passwords
from pharmacy_server.seed import PHARMACY_NAME as DEMO_PHARMACY_NAME

#: In the order their paths appear in the OpenAPI document.
ROUTERS = (
    auth_router,
    accounts_router,
    catalog_router,
    catalog_admin_router,
    prescriptions_router,
    drafts_router,
    favorites_router,
    patients_router,
    messages_router,
    admin_router,
)

log = logging.getLogger(__name__)

API_VERSION = "1.0.0"


def _operation_id(route: APIRoute) -> str:
    return route.name


def default_notifier(settings: ServerSettings) -> Notifier:
    if settings.notifier == "smtp":
        return SmtpNotifier(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_sender,
            starttls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_seconds,
        )
    if settings.notifier != "file":
        raise ValueError(f"unknown notifier {settings.notifier!r} (use 'file' or 'smtp')")
    if settings.notify_dir:
        folder = Path(settings.notify_dir)
    else:
        import platformdirs

        folder = Path(platformdirs.user_data_dir("pharmacy-server", appauthor=False)) / "mail"
    log.info("notifier: messages are written as files (demo); set PHARMACY_NOTIFIER=smtp")
    return FileNotifier(folder, settings.smtp_sender)


def _document_edge_refusals(schema: dict[str, Any]) -> None:
    """The answers ``EdgeMiddleware`` gives before any route: 431 anywhere, 415 and 422
    wherever a body is taken."""
    error = {
        "description": "Refused before the route",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
    }
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("431", error)
            if "requestBody" in operation:
                responses.setdefault("415", error)
                responses.setdefault("422", error)


def create_app(
    settings: ServerSettings,
    *,
    database: Database | None = None,
    catalog: TemplateCatalog | None = None,
    formulary_document: dict[str, object] | None = None,
    rules: Rules | None = None,
    passwords: Passwords | None = None,
    clock: Clock = utc_now,
    notifier: Notifier | None = None,
    metrics: Metrics | None = None,
) -> FastAPI:
    """Build the app. The rule table is read once here; the templates and the formulary
    are the database's published versions (``catalog/published.py``), seeded from
    ``catalog`` and ``formulary`` (default: the files in ``resources/``) on first use."""
    database = database or Database.from_url(settings.resolved_database_url())
    seed_catalog = catalog or load_template_catalog()
    seed_document = formulary_document or load_json("formulary.json")
    rules = rules or load_rules()
    published = PublishedCatalog(
        database,
        lambda: seed_from_files(database, seed_catalog.every_version(), seed_document, clock),
        refresh_seconds=settings.catalog_refresh_seconds,
    )
    # Seeded and read now, before the first request: a seed written on first use would
    # queue behind whatever holds the database (a locked SQLite file) inside a submission.
    # A database without its schema yet is no error here: /readyz says so.
    with contextlib.suppress(SQLAlchemyError):
        published.snapshot()
    catalog = LiveCatalog(published)
    formulary = LiveFormulary(published)
    passwords = passwords or server_passwords(
        max_concurrent=settings.max_concurrent_password_checks,
        cheap=settings.test_cheap_hashing,
        demo_mode=settings.demo_mode,
    )
    passwords.verify_dummy("")  # compute the dummy hash now, not on the first unknown login
    if not settings.secret_key:
        raise ValueError(
            "PHARMACY_SECRET_KEY is not set: it seals TOTP seeds at rest "
            "(pharmacy-server serve creates a key file when run from the command line)"
        )
    secret_box = SecretBox.from_text(settings.secret_key)
    notifier = notifier or default_notifier(settings)
    context = AppContext(
        settings=settings,
        database=database,
        catalog=catalog,
        formulary=formulary,
        catalog_service=CatalogService(catalog, published, rules),
        catalog_versions=CatalogVersions(database, published, clock),
        auth=AuthService(database, settings, passwords, clock, secret_box),
        accounts=AccountService(
            database, settings, passwords, secret_box, notifier=notifier, clock=clock
        ),
        admin=AdminService(database, settings, notifier=notifier, clock=clock),
        drafts=DraftService(database, clock),
        favorites=FavoriteService(database, catalog, clock),
        patients=PatientService(database, formulary, clock),
        messages=MessageService(database, clock),
        prescriptions=PrescriptionService(
            database,
            catalog,
            formulary,
            rules,
            clock,
            lock_wait_ms=settings.submit_lock_wait_ms,
            notifier=notifier,
            claim_minutes=settings.claim_minutes,
        ),
    )

    # The interactive docs load their scripts from a CDN, and the schema maps the whole
    # API: both only in demo mode. Tests and tools read ``app.openapi()`` in-process.
    demo = settings.demo_mode

    app = FastAPI(
        title="Pharmacy prescription server",
        version=API_VERSION,
        generate_unique_id_function=_operation_id,
        openapi_url="/openapi.json" if demo else None,
        docs_url="/docs" if demo else None,
        redoc_url="/redoc" if demo else None,
    )
    app.state.context = context
    # The last added runs first: the body's size is bounded before its content is read.
    app.add_middleware(EdgeMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        # A document of up to 10 MB, base64 in JSON: the route names what is too large.
        wider=((DOCUMENT_UPLOAD_PATH, DOCUMENT_BODY_BYTES),),
    )
    if settings.trusted_proxy_list:
        # Only these peers may say who the client is; from anyone else the forwarded
        # headers are ignored and the peer address is the client's (audit, throttles).
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    app.state.metrics = metrics or Metrics()
    wrap_whole_app(app, app.state.metrics, settings.metrics_token)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(probes_router)

    # The demo's seeded pharmacy names itself unless the deployment says otherwise.
    pharmacy_name = settings.name or (DEMO_PHARMACY_NAME if settings.demo_mode else None)
    pharmacy = IdentityCache(database, pharmacy_name or "The pharmacy")

    @app.get("/healthz", tags=["health"], response_model=HealthOut)
    def healthz() -> HealthOut:
        identity = pharmacy.get()
        return HealthOut(
            status="ok",
            service=SERVICE_NAME,
            api_version=HTTP_API_VERSION,
            version=__version__,
            pharmacy_id=None if identity is None else identity.id,
            pharmacy_name=pharmacy_name,
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            # The submit route reads its body itself (for exact error paths and the
            # request fingerprint), so FastAPI does not see this model on its own.
            submission = PrescriptionSubmission.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            components.update(submission.pop("$defs", {}))
            components["PrescriptionSubmission"] = submission
            components.setdefault("ErrorBody", ErrorBody.model_json_schema())
            _document_edge_refusals(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
