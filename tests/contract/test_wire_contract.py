"""The client's wire types against the OpenAPI document of the server in this repository.

Qt-free and quick: the app is built once, on an empty SQLite database, and only its
``openapi()`` is read.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pharmacy_domain.status import ACTIONS
from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.migrate import upgrade_to_head
from pharmacy_server.security import new_secret_key_text
from portal_client.core import catalog_wire, message_wire, patient_wire, version_wire, wire
from portal_client.core.catalog_wire import CATALOG_WIRE_TYPES
from portal_client.core.message_wire import MESSAGE_WIRE_TYPES
from portal_client.core.patient_wire import PATIENT_WIRE_TYPES
from portal_client.core.version_wire import VERSION_WIRE_TYPES
from portal_client.core.wire import WIRE_TYPES, field_types
from tests.contract.wire_contract import contract_problems, nested_types
from tests.server.support import encrypted_test_url

#: What ``ApiClient`` reads from each route, as (method, path, status, wire types).
ROUTES: tuple[tuple[str, str, str, tuple[type, ...]], ...] = (
    ("get", "/healthz", "200", (wire.HealthWire,)),
    ("post", "/api/v1/auth/login", "200", (wire.LoginWire, wire.MfaChallengeWire)),
    ("post", "/api/v1/auth/login/otp", "200", (wire.LoginWire,)),
    ("post", "/api/v1/auth/activate", "200", (wire.ActivationWire,)),
    ("post", "/api/v1/auth/activate/confirm", "200", (wire.LoginWire,)),
    ("post", "/api/v1/auth/step-up", "200", (wire.SigningTokenWire,)),
    ("post", "/api/v1/account-requests", "202", (wire.AccountRequestCreatedWire,)),
    ("get", "/api/v1/auth/me", "200", (wire.UserWire,)),
    ("get", "/api/v1/templates", "200", (wire.TemplatePage,)),
    ("get", "/api/v1/prescriptions", "200", (wire.PrescriptionPage,)),
    ("post", "/api/v1/prescriptions", "201", (wire.PrescriptionWire,)),
    ("post", "/api/v1/prescriptions/validate", "200", (wire.ValidationWire,)),
    ("get", "/api/v1/prescriptions/{prescription_id}", "200", (wire.PrescriptionWire,)),
    ("post", "/api/v1/prescriptions/{prescription_id}/review", "200", (wire.PrescriptionWire,)),
    ("post", "/api/v1/prescriptions/{prescription_id}/actions", "200", (wire.PrescriptionWire,)),
    ("post", "/api/v1/prescriptions/{prescription_id}/claim", "200", (wire.ClaimWire,)),
    ("get", "/api/v1/prescriptions/{prescription_id}/messages", "200", (message_wire.MessagePage,)),
    (
        "post",
        "/api/v1/prescriptions/{prescription_id}/messages",
        "201",
        (message_wire.MessageWire,),
    ),
    (
        "post",
        "/api/v1/prescriptions/{prescription_id}/messages/read",
        "200",
        (message_wire.MessageReadWire,),
    ),
    ("get", "/api/v1/messages/unread", "200", (message_wire.UnreadTotalWire,)),
    (
        "post",
        "/api/v1/prescriptions/{prescription_id}/proposals",
        "200",
        (wire.PrescriptionWire,),
    ),
    (
        "post",
        "/api/v1/prescriptions/{prescription_id}/proposals/{proposal_id}/accept",
        "200",
        (wire.PrescriptionWire,),
    ),
    (
        "get",
        "/api/v1/prescriptions/{prescription_id}/versions",
        "200",
        (version_wire.PrescriptionVersionsWire,),
    ),
    ("get", "/api/v1/drafts", "200", (wire.DraftPage,)),
    ("post", "/api/v1/drafts", "201", (wire.DraftWire,)),
    ("put", "/api/v1/drafts/{draft_id}", "200", (wire.DraftWire,)),
    ("get", "/api/v1/clinic/prescribers", "200", (wire.ClinicPrescriberPage,)),
    ("get", "/api/v1/favorites", "200", (wire.FavoritePage,)),
    ("post", "/api/v1/favorites", "201", (wire.FavoriteWire,)),
    ("patch", "/api/v1/favorites/{favorite_id}", "200", (wire.FavoriteWire,)),
    ("get", "/api/v1/patients", "200", (patient_wire.PatientPage,)),
    ("post", "/api/v1/patients", "201", (patient_wire.PatientRecord,)),
    ("get", "/api/v1/patients/{patient_id}", "200", (patient_wire.PatientRecord,)),
    ("patch", "/api/v1/patients/{patient_id}", "200", (patient_wire.PatientRecord,)),
    (
        "post",
        "/api/v1/patients/{patient_id}/documents",
        "201",
        (patient_wire.PatientDocumentInfo,),
    ),
    ("get", "/api/v1/admin/account-requests", "200", (wire.AccountRequestPage,)),
    ("get", "/api/v1/admin/users", "200", (wire.AdminUserPage,)),
    ("patch", "/api/v1/admin/users/{user_id}", "200", (wire.AdminUserWire,)),
    ("get", "/api/v1/admin/audit", "200", (wire.AuditPage,)),
    ("get", "/api/v1/formulary/document", "200", (catalog_wire.FormularyDocumentWire,)),
    ("get", "/api/v1/rules", "200", (catalog_wire.RulesWire,)),
    ("get", "/api/v1/admin/templates", "200", (catalog_wire.CatalogEntityPage,)),
    ("get", "/api/v1/admin/formulary/versions", "200", (catalog_wire.CatalogEntityPage,)),
    (
        "get",
        "/api/v1/admin/templates/{template_id}/versions/{version}",
        "200",
        (catalog_wire.CatalogVersionContentWire,),
    ),
    (
        "post",
        "/api/v1/admin/templates/{template_id}/versions",
        "201",
        (catalog_wire.CatalogVersionWire,),
    ),
    (
        "post",
        "/api/v1/admin/templates/{template_id}/versions/{version}/publish",
        "200",
        (catalog_wire.CatalogVersionWire,),
    ),
    ("post", "/api/v1/admin/formulary/versions", "201", (catalog_wire.CatalogVersionWire,)),
)


#: Every type the client reads, the patient records' beside the rest.
ALL_WIRE_TYPES = (
    WIRE_TYPES + PATIENT_WIRE_TYPES + CATALOG_WIRE_TYPES + MESSAGE_WIRE_TYPES + VERSION_WIRE_TYPES
)


@pytest.fixture(scope="module")
def openapi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder: Path = tmp_path_factory.mktemp("contract")
    url = encrypted_test_url(folder / "pharmacy.sqlite3")
    upgrade_to_head(url)
    settings = ServerSettings(
        database_url=url,
        secret_key=new_secret_key_text(),
        demo_mode=True,
        notifier="file",
        notify_dir=str(folder / "mail"),
    )
    yield create_app(settings).openapi()


@pytest.mark.parametrize("wire_type", ALL_WIRE_TYPES, ids=lambda cls: cls.__name__)
def test_wire_type_mirrors_its_schema(wire_type: type, openapi: dict[str, Any]) -> None:
    problems = contract_problems(wire_type, openapi)
    assert not problems, "\n".join(problems)


def test_every_nested_type_is_checked_too() -> None:
    nested = set().union(*(nested_types(cls) for cls in ALL_WIRE_TYPES))
    assert nested <= set(ALL_WIRE_TYPES)


def test_each_wire_type_names_its_own_schema() -> None:
    names = [cls.SCHEMA for cls in ALL_WIRE_TYPES]  # type: ignore[attr-defined]
    assert len(names) == len(set(names))


def _response_schemas(document: dict[str, Any], method: str, path: str, status: str) -> set[str]:
    response = document["paths"][path][method]["responses"][status]
    schema = response["content"]["application/json"]["schema"]
    choices = schema.get("anyOf", [schema])
    return {str(choice["$ref"]).rsplit("/", 1)[-1] for choice in choices}


@pytest.mark.parametrize(("method", "path", "status", "types"), ROUTES, ids=str)
def test_routes_answer_with_the_schemas_the_client_reads(
    method: str, path: str, status: str, types: tuple[type, ...], openapi: dict[str, Any]
) -> None:
    expected = {cls.SCHEMA for cls in types}  # type: ignore[attr-defined]
    assert _response_schemas(openapi, method, path, status) == expected


def test_error_answers_are_the_error_body(openapi: dict[str, Any]) -> None:
    assert _response_schemas(openapi, "post", "/api/v1/prescriptions", "422") == {"ErrorBody"}


def test_action_names_are_the_domains() -> None:
    assert set(field_types(wire.HistoryEventWire)["action"].__args__[1].__args__) == set(ACTIONS)


# ------------------------------------------------------------------ the check itself


def _rename_in_schema(document: dict[str, Any], schema: str, old: str, new: str) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    component = changed["components"]["schemas"][schema]
    component["properties"][new] = component["properties"].pop(old)
    component["required"] = [new if name == old else name for name in component["required"]]
    return changed


def _with_field_renamed(cls: type, old: str, new: str) -> type:
    hints = field_types(cls)
    fields: list[Any] = []
    for item in dataclasses.fields(cls):
        name = new if item.name == old else item.name
        if item.default is not dataclasses.MISSING:
            fields.append((name, hints[item.name], dataclasses.field(default=item.default)))
        elif item.default_factory is not dataclasses.MISSING:
            factory = item.default_factory
            fields.append((name, hints[item.name], dataclasses.field(default_factory=factory)))
        else:
            fields.append((name, hints[item.name]))
    schema: str = cls.SCHEMA  # type: ignore[attr-defined]
    return dataclasses.make_dataclass(
        f"Renamed{cls.__name__}", fields, namespace={"SCHEMA": schema}, frozen=True
    )


def test_a_field_renamed_on_the_server_is_reported(openapi: dict[str, Any]) -> None:
    renamed = _rename_in_schema(openapi, "PrescriptionOut", "reference", "rx_reference")
    assert contract_problems(wire.PrescriptionWire, renamed) == [
        "PrescriptionOut.rx_reference: the server requires it; PrescriptionWire has no such field",
        "PrescriptionWire.reference: the server's PrescriptionOut does not declare it",
    ]


def test_a_field_renamed_in_the_client_is_reported(openapi: dict[str, Any]) -> None:
    renamed = _with_field_renamed(wire.PrescriptionWire, "reference", "rx_reference")
    assert contract_problems(renamed, openapi) == [
        "PrescriptionOut.reference: the server requires it; "
        "RenamedPrescriptionWire has no such field",
        "RenamedPrescriptionWire.rx_reference: the server's PrescriptionOut does not declare it",
    ]


def test_a_changed_type_is_reported(openapi: dict[str, Any]) -> None:
    changed = copy.deepcopy(openapi)
    changed["components"]["schemas"]["FindingOut"]["properties"]["to_confirm"] = {"type": "string"}
    assert contract_problems(wire.FindingWire, changed) == [
        "FindingWire.to_confirm: the server's FindingOut sends string; the client reads boolean"
    ]


def test_a_changed_enum_is_reported(openapi: dict[str, Any]) -> None:
    changed = copy.deepcopy(openapi)
    changed["components"]["schemas"]["PrescriptionStatus"]["enum"].append("on_hold")
    problems = contract_problems(wire.PrescriptionWire, changed)
    assert len(problems) == 1
    assert problems[0].startswith("PrescriptionWire.status: the server's PrescriptionOut sends")
    assert "on_hold" in problems[0]


def test_a_field_made_optional_on_the_server_is_reported(openapi: dict[str, Any]) -> None:
    changed = copy.deepcopy(openapi)
    changed["components"]["schemas"]["UserOut"]["required"].remove("clinic")
    assert contract_problems(wire.UserWire, changed) == [
        "UserWire.clinic: the server's UserOut has it optional; the client reads it as required"
    ]


def test_a_nullable_change_is_reported(openapi: dict[str, Any]) -> None:
    changed = copy.deepcopy(openapi)
    changed["components"]["schemas"]["SignatureOut"]["properties"]["signed_at"] = {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    assert contract_problems(wire.SignatureWire, changed) == [
        "SignatureWire.signed_at: the server's SignatureOut sends null | string; "
        "the client reads string"
    ]
