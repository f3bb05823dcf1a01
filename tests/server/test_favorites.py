"""Favorites on the server, on SQLite and PostgreSQL: each prescriber's own, within the
template's limits, unique names, a stale rename refused, never a patient."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.server.support import Headers, favorite_body

FAVORITES = "/api/v1/favorites"


def test_save_list_rename_delete_as_the_prescriber(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    created = client.post(FAVORITES, headers=chen, json=favorite_body())
    assert created.status_code == 201, created.text
    favorite = created.json()
    assert favorite["name"] == "Myers' — my usual" and favorite["version"] == 1
    assert favorite["template_id"] == "myers-infusion" and favorite["template_version"] == 1
    assert favorite["content"]["ingredients"][0] == {
        "code": "magnesium-chloride-20",
        "amount": 4,
        "unit": "mL",
    }
    assert set(favorite["content"]) == {"ingredients", "access", "vehicle", "infusion_minutes"}

    listed = client.get(FAVORITES, headers=chen).json()
    assert [item["id"] for item in listed["items"]] == [favorite["id"]]
    assert listed["total"] == 1 and listed["next_cursor"] is None

    url = f"{FAVORITES}/{favorite['id']}"
    renamed = client.patch(url, headers=chen, json={"name": "Myers' — Friday", "version": 1})
    assert renamed.status_code == 200 and renamed.json()["version"] == 2
    stale = client.patch(url, headers=chen, json={"name": "Other", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "favorite.version_conflict"

    assert client.delete(url, headers=chen).status_code == 204
    assert client.get(FAVORITES, headers=chen).json()["items"] == []
    assert client.delete(url, headers=chen).status_code == 404


def test_another_prescribers_favorite_is_not_found(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    mine = client.post(FAVORITES, headers=as_user("prescriber1"), json=favorite_body()).json()
    other = as_user("prescriber2")
    url = f"{FAVORITES}/{mine['id']}"
    assert client.get(FAVORITES, headers=other).json()["items"] == []
    missing = client.patch(
        f"{FAVORITES}/not-an-id", headers=other, json={"name": "x", "version": 1}
    )
    foreign = client.patch(url, headers=other, json={"name": "x", "version": 1})
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert client.delete(url, headers=other).status_code == 404
    # The same name is free for someone else.
    assert client.post(FAVORITES, headers=other, json=favorite_body()).status_code == 201
    for role_user in ("pharmacist1", "admin1"):
        assert client.get(FAVORITES, headers=as_user(role_user)).status_code == 403


def test_outside_the_templates_limits_is_422_naming_the_field(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    above_hard_limit = favorite_body(
        ingredients=[{"code": "magnesium-chloride-20", "amount": 7, "unit": "mL"}]
    )
    refused = client.post(FAVORITES, headers=chen, json=above_hard_limit)
    assert refused.status_code == 422
    fields = [error["field"] for error in refused.json()["errors"]]
    assert fields == ["content.ingredients[0].amount"]
    assert "hard limit" in refused.json()["errors"][0]["reason"]

    too_big_bag = favorite_body(vehicle={"code": "sodium-chloride-0.9", "volume_ml": 5000})
    refused = client.post(FAVORITES, headers=chen, json=too_big_bag)
    assert [e["field"] for e in refused.json()["errors"]] == ["content.vehicle.volume_ml"]

    unknown_version = favorite_body() | {"template_version": 99}
    refused = client.post(FAVORITES, headers=chen, json=unknown_version)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["template_id"]


def test_a_patient_is_never_kept(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    with_patient = favorite_body(patient={"given_name": "Ada", "family_name": "Lovelace"})
    refused = client.post(FAVORITES, headers=as_user("prescriber1"), json=with_patient)
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["content.patient"]


def test_names_are_unique_per_prescriber_and_template(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    assert client.post(FAVORITES, headers=chen, json=favorite_body("My usual")).status_code == 201
    again = client.post(FAVORITES, headers=chen, json=favorite_body("  my   USUAL"))
    assert again.status_code == 409 and again.json()["code"] == "favorite.name_taken"
    assert [e["field"] for e in again.json()["errors"]] == ["name"]
    second = client.post(FAVORITES, headers=chen, json=favorite_body("Friday")).json()
    clash = client.patch(
        f"{FAVORITES}/{second['id']}", headers=chen, json={"name": "My Usual", "version": 1}
    )
    assert clash.status_code == 409 and clash.json()["code"] == "favorite.name_taken"


def test_a_name_longer_once_case_folded_is_kept(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    folded_longer = "ΐ" * 80  # each folds to three code points
    created = client.post(
        FAVORITES, headers=as_user("prescriber1"), json=favorite_body(folded_longer)
    )
    assert created.status_code == 201, created.text


def test_names_follow_the_text_rules(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    chen = as_user("prescriber1")
    for bad in ("", "a\u202eb", "two\nlines", "x" * 81):
        refused = client.post(FAVORITES, headers=chen, json=favorite_body(bad))
        assert refused.status_code == 422, bad
        assert [e["field"] for e in refused.json()["errors"]] == ["name"], bad


def test_the_list_is_paged(client: TestClient, as_user: Callable[[str], Headers]) -> None:
    chen = as_user("prescriber1")
    for index in range(3):
        assert (
            client.post(FAVORITES, headers=chen, json=favorite_body(f"F{index}")).status_code == 201
        )
    first = client.get(FAVORITES, headers=chen, params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["total"] == 3 and first["next_cursor"]
    rest = client.get(
        FAVORITES, headers=chen, params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    names = {item["name"] for item in first["items"] + rest["items"]}
    assert names == {"F0", "F1", "F2"} and rest["next_cursor"] is None


def test_changes_are_audited_without_their_content(
    client: TestClient, as_user: Callable[[str], Headers]
) -> None:
    chen = as_user("prescriber1")
    favorite = client.post(FAVORITES, headers=chen, json=favorite_body()).json()
    client.delete(f"{FAVORITES}/{favorite['id']}", headers=chen)
    events = client.get("/api/v1/admin/audit", headers=as_user("admin1")).json()["items"]
    mine = [e for e in events if e["target_id"] == favorite["id"]]
    assert {e["action"] for e in mine} == {"favorite.create", "favorite.delete"}
    assert all("ingredients" not in str(e) and "my usual" not in str(e) for e in mine)
