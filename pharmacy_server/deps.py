"""Request dependencies as ``Annotated`` aliases: routes read ``user: CurrentUser``."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from pharmacy_domain.formulary import Formulary
from pharmacy_domain.prescription import FieldError
from pharmacy_domain.templates import TemplateCatalog
from pharmacy_server.accounts.service import AccountService
from pharmacy_server.admin.service import AdminService
from pharmacy_server.auth.identity import AuthenticatedUser
from pharmacy_server.auth.service import AuthService
from pharmacy_server.catalog.service import CatalogService
from pharmacy_server.catalog.versions import CatalogVersions
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.drafts.service import DraftService
from pharmacy_server.errors import Forbidden, Invalid, NotAuthenticated, NotFound
from pharmacy_server.favorites.service import FavoriteService
from pharmacy_server.messages.service import MessageService
from pharmacy_server.patients.service import PatientService
from pharmacy_server.prescriptions.service import PrescriptionService


@dataclass(frozen=True)
class AppContext:
    """Everything a request needs, built once at start-up."""

    settings: ServerSettings
    database: Database
    catalog: TemplateCatalog
    formulary: Formulary
    auth: AuthService
    catalog_service: CatalogService
    accounts: AccountService
    admin: AdminService
    prescriptions: PrescriptionService
    drafts: DraftService
    favorites: FavoriteService
    patients: PatientService
    catalog_versions: CatalogVersions
    messages: MessageService


def get_context(request: Request) -> AppContext:
    context = request.app.state.context
    assert isinstance(context, AppContext)
    return context


Context = Annotated[AppContext, Depends(get_context)]

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/login")


def _not_authenticated() -> NotAuthenticated:
    return NotAuthenticated(
        "Not signed in, or the session has expired. Sign in again.", challenge=True
    )


def get_bearer_token(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or not credentials.credentials:
        raise _not_authenticated()
    return credentials.credentials


BearerToken = Annotated[str, Depends(get_bearer_token)]


def get_current_user(context: Context, token: BearerToken) -> AuthenticatedUser:
    user = context.auth.authenticate(token)
    if user is None:
        raise _not_authenticated()
    return user


CurrentUser = Annotated[AuthenticatedUser, Depends(get_current_user)]


def get_client_address(request: Request) -> str | None:
    """The peer address, or the client a proxy of ``PHARMACY_TRUSTED_PROXIES`` names in
    X-Forwarded-For (``create_app``); from any other peer that header is ignored."""
    return request.client.host if request.client is not None else None


ClientAddress = Annotated[str | None, Depends(get_client_address)]


def _role_guard(*roles: str) -> Any:
    allowed = frozenset(roles)
    description = ", ".join(sorted(allowed))

    def guard(user: CurrentUser) -> AuthenticatedUser:
        # Runs before the body is validated: a forbidden caller learns nothing more.
        if user.role not in allowed:
            raise Forbidden(f"This needs one of these roles: {description}.")
        return user

    return Depends(guard)


PrescriberUser = Annotated[AuthenticatedUser, _role_guard("prescriber")]
PharmacistUser = Annotated[AuthenticatedUser, _role_guard("pharmacist")]
StaffUser = Annotated[AuthenticatedUser, _role_guard("pharmacist", "admin")]
# Everyone but admins: clinic staff are scoped to nothing yet (prescriptions.access).
PrescriptionReader = Annotated[
    AuthenticatedUser, _role_guard("prescriber", "clinic_staff", "pharmacist")
]
AdminUser = Annotated[AuthenticatedUser, _role_guard("admin")]
DraftingUser = Annotated[AuthenticatedUser, _role_guard("prescriber", "clinic_staff")]
# A clinic's prescribers and staff share its patient records; pharmacists read the ones
# a prescription names (patients.service).
PatientEditor = Annotated[AuthenticatedUser, _role_guard("prescriber", "clinic_staff")]
PatientReader = Annotated[
    AuthenticatedUser, _role_guard("prescriber", "clinic_staff", "pharmacist")
]


async def read_json_body(request: Request) -> Any:
    """The raw JSON body: the submit route validates it itself, with field paths."""
    raw = await request.body()
    if not raw:
        raise Invalid("The request body is empty.", [FieldError("body", "is required")])
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Invalid(
            "The request body is not valid JSON.", [FieldError("body", "is not valid JSON")]
        ) from None


JsonBody = Annotated[Any, Depends(read_json_body)]


def parse_id(raw: str, what: str) -> uuid.UUID:
    """A malformed id is just another id that does not exist: 404, like a foreign one."""
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound(what) from None


LIMIT = Annotated[int, Query(ge=1, description="At most 100 (larger values are capped).")]
CURSOR = Annotated[str | None, Query(max_length=500)]
