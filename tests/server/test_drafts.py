"""Server-side drafts: clinic staff prepare, the prescriber of the same clinic signs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from pharmacy_server.db import Database
from pharmacy_server.models import User
from tests.server.support import Headers, add_user, new_prescription_body, submit

DRAFTS = "/api/v1/drafts"
PRESCRIBERS = "/api/v1/clinic/prescribers"


def test_clinic_staff_draft_for_their_prescriber_only(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    add_user(database, "staff2", role="clinic_staff", clinic="Lakeside Wellness Clinic",
             password_hash=demo_password_hash)  # fmt: skip
    staff, other_staff = as_user("staff1"), as_user("staff2")
    chen = client.get("/api/v1/auth/me", headers=as_user("prescriber1")).json()["id"]
    ortiz = client.get("/api/v1/auth/me", headers=as_user("prescriber2")).json()["id"]

    elsewhere = client.post(DRAFTS, headers=staff, json={"prescriber_id": ortiz, "body": {}})
    assert elsewhere.status_code == 422
    body = new_prescription_body()
    created = client.post(DRAFTS, headers=staff, json={"prescriber_id": chen, "body": body})
    assert created.status_code == 201
    draft = created.json()
    url = f"{DRAFTS}/{draft['id']}"

    # The prescriber sees it and edits it; a stale version is refused.
    mine = client.get(DRAFTS, headers=as_user("prescriber1")).json()
    assert [item["id"] for item in mine["items"]] == [draft["id"]]
    edited = client.put(
        url, headers=as_user("prescriber1"), json={"body": {**body, "notes": "a"}, "version": 1}
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = client.put(url, headers=staff, json={"body": body, "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "draft.version_conflict"

    # Nobody else sees it: another clinic's staff, another prescriber, pharmacy staff.
    assert client.get(url, headers=other_staff).status_code == 404
    assert client.get(DRAFTS, headers=other_staff).json()["items"] == []
    assert client.get(url, headers=as_user("prescriber2")).status_code == 404
    assert client.get(url, headers=as_user("pharmacist1")).status_code == 403

    # Staff never sign or submit; the prescriber does, from the draft's body.
    assert client.post("/api/v1/auth/step-up", headers=staff,
                       json={"password": "demo-password", "content_sha256": "0" * 64}
                       ).status_code == 403  # fmt: skip
    final = client.get(url, headers=as_user("prescriber1")).json()["body"]
    assert submit(client, as_user("prescriber1"), final)[0] == 201
    assert client.delete(url, headers=staff).status_code == 204
    assert client.get(url, headers=as_user("prescriber1")).status_code == 404


def test_clinic_prescribers_are_the_callers_clinic_only(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    riverside, lakeside = "Riverside Integrative Health", "Lakeside Wellness Clinic"
    add_user(database, "staff1", role="clinic_staff", clinic=riverside,
             password_hash=demo_password_hash)  # fmt: skip
    add_user(database, "staff2", role="clinic_staff", clinic=lakeside,
             password_hash=demo_password_hash)  # fmt: skip
    second = add_user(database, "dr.second", role="prescriber", clinic=riverside,
                      password_hash=demo_password_hash, display_name="Dr. Ann Second")  # fmt: skip
    gone = add_user(database, "dr.gone", role="prescriber", clinic=riverside,
                    password_hash=demo_password_hash, display_name="Dr. Gone")  # fmt: skip
    with database.writing() as session:
        user = session.get(User, gone)
        assert user is not None
        user.is_active = False
    chen = client.get("/api/v1/auth/me", headers=as_user("prescriber1")).json()["id"]
    ortiz = client.get("/api/v1/auth/me", headers=as_user("prescriber2")).json()["id"]

    listed = client.get(PRESCRIBERS, headers=as_user("staff1"))
    assert listed.status_code == 200
    assert listed.json() == {
        "items": [
            {"id": str(second), "display_name": "Dr. Ann Second"},
            {"id": chen, "display_name": "Dr. Maya Chen"},
        ],
        "total": 2,
        "next_cursor": None,
    }
    # A prescriber sees their own clinic's too; another clinic sees only its own.
    assert [p["id"] for p in client.get(PRESCRIBERS, headers=as_user("prescriber1")).json()[
        "items"]] == [str(second), chen]  # fmt: skip
    elsewhere = client.get(PRESCRIBERS, headers=as_user("staff2")).json()["items"]
    assert elsewhere == [{"id": ortiz, "display_name": "Dr. Samuel Ortiz"}]
    # Pharmacy staff prepare no drafts: refused, not an empty list.
    assert client.get(PRESCRIBERS, headers=as_user("pharmacist1")).status_code == 403
    assert client.get(PRESCRIBERS, headers=as_user("admin1")).status_code == 403
    assert client.get(PRESCRIBERS).status_code == 401
    # A deactivated prescriber is neither listed nor a draft's target.
    refused = client.post(
        DRAFTS, headers=as_user("staff1"), json={"prescriber_id": str(gone), "body": {}}
    )
    assert refused.status_code == 422


def test_draft_names_come_from_the_accounts_not_the_body(
    client: TestClient,
    as_user: Callable[[str], Headers],
    database: Database,
    demo_password_hash: str,
) -> None:
    add_user(database, "staff1", role="clinic_staff", clinic="Riverside Integrative Health",
             password_hash=demo_password_hash)  # fmt: skip
    staff_me = client.get("/api/v1/auth/me", headers=as_user("staff1")).json()
    chen = client.get("/api/v1/auth/me", headers=as_user("prescriber1")).json()
    forged = {"prepared_by": {"display_name": "Dr. Somebody Else"}}
    created = client.post(
        DRAFTS, headers=as_user("staff1"), json={"prescriber_id": chen["id"], "body": forged}
    ).json()
    staff = {"id": staff_me["id"], "display_name": staff_me["display_name"]}
    prescriber = {"id": chen["id"], "display_name": "Dr. Maya Chen"}
    assert created["created_by"] == staff and created["updated_by"] == staff
    assert created["prescriber"] == prescriber
    edited = client.put(
        f"{DRAFTS}/{created['id']}",
        headers=as_user("prescriber1"),
        json={"body": forged, "version": 1},
    ).json()
    assert edited["created_by"] == staff and edited["updated_by"] == prescriber
    (listed,) = client.get(DRAFTS, headers=as_user("staff1")).json()["items"]
    assert listed["updated_by"] == prescriber and listed["prescriber"] == prescriber
    fetched = client.get(f"{DRAFTS}/{created['id']}", headers=as_user("staff1")).json()
    assert fetched["created_by"] == staff
