"""Template and formulary versions: drafted with who and why, published by a second
person, kept for the orders written on them (issue 12). On SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pharmacy_domain.resources import load_json
from pharmacy_server.app import create_app
from pharmacy_server.config import ServerSettings
from pharmacy_server.db import Database
from pharmacy_server.security import Passwords
from tests.server.support import (
    FakeClock,
    Headers,
    add_user,
    favorite_body,
    login_headers,
    new_prescription_body,
    submit,
)

TEMPLATE = "myers-infusion"
ADMIN_TEMPLATES = f"/api/v1/admin/templates/{TEMPLATE}/versions"


def myers_with_magnesium_max(maximum: float) -> dict[str, Any]:
    content: dict[str, Any] = load_json("templates", f"{TEMPLATE}.json")
    for row in content["ingredients"]:
        if row["code"] == "magnesium-chloride-20":
            row["max_amount"] = maximum
    return content


def formulary_with_ascorbic_osmolarity(osmolarity: float) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(load_json("formulary.json"))
    for product in document["products"]:
        if product["code"] == "ascorbic-acid-500":
            product["osmolarity_mosm_l"] = osmolarity
    return document


def draft(client: TestClient, headers: Headers, path: str, content: dict[str, Any]) -> int:
    response = client.post(path, headers=headers, json={"content": content, "reason": "Why not"})
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["status"] == "draft" and answer["reason"] == "Why not" and answer["own"]
    return int(answer["version"])


@pytest.fixture
def pharmacist2(database: Database, demo_password_hash: str, client: TestClient) -> Headers:
    add_user(database, "pharmacist2", role="pharmacist", clinic="Compounding pharmacy",
             password_hash=demo_password_hash)  # fmt: skip
    return login_headers(client, "pharmacist2")


def test_a_draft_is_published_by_a_second_person_and_prescribers_then_get_it(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    pharmacist, prescriber = as_user("pharmacist1"), as_user("prescriber1")
    version = draft(client, pharmacist, ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    assert version == 2

    # Prescribers see neither the draft nor its content.
    listed = client.get(f"/api/v1/templates/{TEMPLATE}/versions", headers=prescriber).json()
    assert [item["version"] for item in listed["items"]] == [1]
    hidden = client.get(f"/api/v1/templates/{TEMPLATE}/versions/2", headers=prescriber)
    assert hidden.status_code == 404
    staff = client.get(f"/api/v1/templates/{TEMPLATE}/versions", headers=pharmacist).json()
    assert [(i["version"], i["status"]) for i in staff["items"]] == [
        (2, "draft"),
        (1, "published"),
    ]

    own = client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist)
    assert own.status_code == 403 and own.json()["code"] == "catalog.own_draft"

    published = client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2)
    assert published.status_code == 200, published.text
    assert published.json()["published_by"] == "pharmacist2"
    assert published.json()["created_by"] == "pharmacist1"

    latest = client.get("/api/v1/templates", headers=prescriber).json()["items"]
    myers = next(item for item in latest if item["id"] == TEMPLATE)
    magnesium = next(r for r in myers["ingredients"] if r["code"] == "magnesium-chloride-20")
    assert myers["version"] == 2 and magnesium["max_amount"] == 8
    statuses = client.get(f"/api/v1/templates/{TEMPLATE}/versions", headers=prescriber).json()
    assert [(i["version"], i["status"]) for i in statuses["items"]] == [
        (2, "published"),
        (1, "retired"),
    ]
    again = client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=as_user("admin1"))
    assert again.status_code == 409 and again.json()["code"] == "catalog.not_draft"


def test_every_content_error_names_its_field(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    content = myers_with_magnesium_max(8)
    content["ingredients"][1]["min_amount"] = "lots"
    del content["default_access"]
    response = client.post(
        ADMIN_TEMPLATES,
        headers=as_user("pharmacist1"),
        json={"content": content, "reason": "Typo test"},
    )
    assert response.status_code == 422, response.text
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"ingredients[1].min_amount", "default_access"}

    outside = myers_with_magnesium_max(8)
    outside["ingredients"][0]["default_amount"] = 9  # above its hard limit of 5
    refused = client.post(
        ADMIN_TEMPLATES,
        headers=as_user("pharmacist1"),
        json={"content": outside, "reason": "Range test"},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["ingredients[0]"]


def test_an_order_written_on_v1_keeps_v1_after_v2_is_published(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    prescriber = as_user("prescriber1")
    status, before = submit(client, prescriber, new_prescription_body())
    assert status == 201, before
    assert before["evaluation"]["versions"] == {"template": 1, "formulary": 1, "rules": 1}
    draft(client, as_user("pharmacist1"), ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    assert client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2).status_code == 200

    kept = client.get(f"/api/v1/prescriptions/{before['id']}", headers=prescriber).json()
    assert kept["template_version"] == 1
    # An order still written on v1 (a draft from before) is checked against v1.
    status, later = submit(client, prescriber, new_prescription_body())
    assert status == 201, later
    assert later["template_version"] == 1
    assert later["evaluation"]["versions"]["template"] == 1


def test_a_version_in_use_cannot_be_deleted(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    pharmacist, prescriber = as_user("pharmacist1"), as_user("prescriber1")
    current = client.delete(f"{ADMIN_TEMPLATES}/1", headers=pharmacist)
    assert current.status_code == 409 and current.json()["code"] == "catalog.version_current"

    assert client.post("/api/v1/favorites", headers=prescriber, json=favorite_body()).is_success
    draft(client, pharmacist, ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    assert client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2).status_code == 200
    in_use = client.delete(f"{ADMIN_TEMPLATES}/1", headers=pharmacist)
    assert in_use.status_code == 409, in_use.text
    assert in_use.json()["code"] == "catalog.version_in_use"
    assert in_use.json()["used_by"] == ["favorite"]

    # A draft nobody uses goes; its number is then free again.
    assert draft(client, pharmacist, ADMIN_TEMPLATES, myers_with_magnesium_max(7)) == 3
    assert client.delete(f"{ADMIN_TEMPLATES}/3", headers=pharmacist).status_code == 204
    missing = client.get(f"/api/v1/admin/templates/{TEMPLATE}/versions/3", headers=pharmacist)
    assert missing.status_code == 404


def test_a_formulary_version_is_checked_with_and_recorded(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    pharmacist, prescriber = as_user("pharmacist1"), as_user("prescriber1")
    body = new_prescription_body()
    before = client.post("/api/v1/prescriptions/validate", headers=prescriber, json=body).json()
    assert before["versions"]["formulary"] == 1

    path = "/api/v1/admin/formulary/versions"
    version = draft(client, pharmacist, path, formulary_with_ascorbic_osmolarity(9000))
    assert client.post(f"{path}/{version}/publish", headers=pharmacist2).status_code == 200

    document = client.get("/api/v1/formulary/document", headers=prescriber).json()
    assert document["version"] == 2
    after = client.post("/api/v1/prescriptions/validate", headers=prescriber, json=body).json()
    assert after["versions"] == {"template": 1, "formulary": 2, "rules": 1}
    assert after["computed"]["osmolarity_mosm_l"] > before["computed"]["osmolarity_mosm_l"]

    status, created = submit(client, prescriber, body)
    assert status == 201
    assert created["evaluation"]["versions"]["formulary"] == 2
    # The one before is retired and nothing names it: it may go; version 2 may not.
    current = client.delete(f"{path}/2", headers=pharmacist)
    assert current.json()["code"] == "catalog.version_current"
    assert client.delete(f"{path}/1", headers=pharmacist).status_code == 204
    listed = client.get("/api/v1/formulary/versions", headers=prescriber).json()["items"]
    assert [item["version"] for item in listed] == [2]


def test_a_rejected_formulary_names_the_product(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    document = formulary_with_ascorbic_osmolarity(9000)
    document["products"][3]["measures"] = {"mg": -1}
    response = client.post(
        "/api/v1/admin/formulary/versions",
        headers=as_user("admin1"),
        json={"content": document, "reason": "Bad measure"},
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["products[3]"]


def test_prescribers_cannot_draft_publish_or_delete(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    prescriber = as_user("prescriber1")
    body = {"content": myers_with_magnesium_max(8), "reason": "Mine"}
    assert client.post(ADMIN_TEMPLATES, headers=prescriber, json=body).status_code == 403
    assert client.post(f"{ADMIN_TEMPLATES}/1/publish", headers=prescriber).status_code == 403
    assert client.delete(f"{ADMIN_TEMPLATES}/1", headers=prescriber).status_code == 403
    assert client.get("/api/v1/admin/templates", headers=prescriber).status_code == 403


def test_the_rules_are_published_with_their_version(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    rules = client.get("/api/v1/rules", headers=as_user("prescriber1")).json()
    assert rules["version"] == 1
    assert rules["rules"]["thresholds"] == load_json("rules.json")["thresholds"]


@pytest.fixture
def second_process(
    settings: ServerSettings, database: Database, passwords: Passwords, clock: FakeClock
) -> Iterator[TestClient]:
    """Another server over the same database, checking the published signature on every
    lookup, as a second process behind a load balancer would within its interval."""
    every_lookup = settings.model_copy(update={"catalog_refresh_seconds": 0})
    other = Database.from_url(settings.database_url)
    app = create_app(every_lookup, database=other, passwords=passwords, clock=clock)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client
    other.dispose()


def test_a_publish_in_one_process_is_seen_by_another(
    client: TestClient,
    second_process: TestClient,
    as_user: Callable[[str], Headers],
    pharmacist2: Headers,
) -> None:
    elsewhere = login_headers(second_process, "prescriber1")
    seen = second_process.get("/api/v1/templates", headers=elsewhere).json()["items"]
    assert next(t for t in seen if t["id"] == TEMPLATE)["version"] == 1
    draft(client, as_user("pharmacist1"), ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    assert client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2).status_code == 200
    after = second_process.get("/api/v1/templates", headers=elsewhere).json()["items"]
    assert next(t for t in after if t["id"] == TEMPLATE)["version"] == 2


def test_drafting_and_publishing_are_audited(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    draft(client, as_user("pharmacist1"), ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2)
    events = client.get(
        "/api/v1/admin/audit", headers=as_user("admin1"), params={"limit": 50}
    ).json()["items"]
    mine = [(e["action"], e["actor_username"]) for e in events if e["action"].startswith("cat")]
    assert set(mine) == {("catalog.draft", "pharmacist1"), ("catalog.publish", "pharmacist2")}
    assert all("Why not" not in json.dumps(e) for e in events)


@pytest.mark.parametrize(
    "change",
    [
        {"infusion_minutes": [1, 2]},
        {"population": "adults"},
        {"access_routes": [{"route": "central"}]},
        {"ingredients": [{"code": "x", "name": "X", "unit": "mL", "default_amount": 1,
                          "min_amount": 0, "max_amount": 2, "dosing_basis": 5}]},
    ],
)  # fmt: skip
def test_content_of_the_wrong_shape_is_refused_never_a_server_error(
    client: TestClient, as_user: Callable[[str], Headers], change: dict[str, Any]
) -> None:
    content = myers_with_magnesium_max(8) | change
    response = client.post(
        ADMIN_TEMPLATES,
        headers=as_user("pharmacist1"),
        json={"content": content, "reason": "Shape test"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"]


def test_a_formulary_of_the_wrong_shape_is_refused(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    document = formulary_with_ascorbic_osmolarity(9000)
    document["products"][0]["measure_of"] = ["mg"]
    document["products"][1] = "a product"
    response = client.post(
        "/api/v1/admin/formulary/versions",
        headers=as_user("pharmacist1"),
        json={"content": document, "reason": "Shape test"},
    )
    assert response.status_code == 422, response.text
    assert {e["field"] for e in response.json()["errors"]} == {"products[0]", "products[1]"}


def test_a_version_number_beyond_the_column_is_refused(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    huge = 2**63
    for method, path in (
        ("POST", f"{ADMIN_TEMPLATES}/{huge}/publish"),
        ("DELETE", f"{ADMIN_TEMPLATES}/{huge}"),
        ("GET", f"/api/v1/admin/formulary/versions/{huge}"),
    ):
        response = client.request(method, path, headers=as_user("pharmacist1"))
        assert response.status_code == 422, (method, path, response.text)


def test_a_version_a_draft_or_an_order_names_cannot_be_deleted(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    prescriber = as_user("prescriber1")
    me = client.get("/api/v1/auth/me", headers=prescriber).json()
    body = {"template_id": TEMPLATE, "template_version": 1, "notes": "half done"}
    saved = client.post(
        "/api/v1/drafts", headers=prescriber, json={"prescriber_id": me["id"], "body": body}
    )
    assert saved.status_code == 201, saved.text
    assert submit(client, prescriber, new_prescription_body())[0] == 201
    draft(client, as_user("pharmacist1"), ADMIN_TEMPLATES, myers_with_magnesium_max(8))
    assert client.post(f"{ADMIN_TEMPLATES}/2/publish", headers=pharmacist2).status_code == 200
    refused = client.delete(f"{ADMIN_TEMPLATES}/1", headers=as_user("admin1"))
    assert refused.status_code == 409
    assert refused.json()["used_by"] == ["prescription", "draft"]


def test_a_formulary_version_an_order_was_checked_with_cannot_be_deleted(
    client: TestClient, as_user: Callable[[str], Headers], pharmacist2: Headers
) -> None:
    assert submit(client, as_user("prescriber1"), new_prescription_body())[0] == 201
    path = "/api/v1/admin/formulary/versions"
    version = draft(client, as_user("pharmacist1"), path, formulary_with_ascorbic_osmolarity(9000))
    assert client.post(f"{path}/{version}/publish", headers=pharmacist2).status_code == 200
    refused = client.delete(f"{path}/1", headers=as_user("pharmacist1"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["used_by"] == ["prescription"]
