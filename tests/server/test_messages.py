"""Message threads on SQLite and PostgreSQL: both directions, oldest first and paged, an
idempotent retry, the text rules, unread counts going up and down (on the thread, on the
list rows and in the total), the change a refresh sees, the audit without the text, and
nobody but the prescription's prescriber and the pharmacists finding the thread."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from pharmacy_domain.text_limits import MAX_MESSAGE_LENGTH
from pharmacy_server.db import Database
from pharmacy_server.models import AuditEvent, PrescriptionMessage
from pharmacy_server.seed import PHARMACY_NAME
from tests.server.support import Headers, add_user, new_prescription_body, submit

PRESCRIPTIONS = "/api/v1/prescriptions"
UNREAD = "/api/v1/messages/unread"


@pytest.fixture
def order(client: TestClient, as_user: Callable[[str], Headers]) -> str:
    status, body = submit(client, as_user("prescriber1"), new_prescription_body())
    assert status == 201, body
    return str(body["id"])


def _post(
    client: TestClient, headers: Headers, order: str, text: str, key: str | None = None
) -> Any:
    return client.post(
        f"{PRESCRIPTIONS}/{order}/messages",
        headers=headers,
        json={"text": text, "idempotency_key": key or str(uuid.uuid4())},
    )


def _thread(client: TestClient, headers: Headers, order: str, **params: Any) -> dict[str, Any]:
    answer = client.get(f"{PRESCRIPTIONS}/{order}/messages", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()
    return result


def _row_unread(client: TestClient, headers: Headers, order: str) -> int | None:
    listed = client.get(PRESCRIPTIONS, headers=headers).json()
    rows = [item for item in listed["items"] if item["id"] == order]
    assert len(rows) == 1
    value: int = rows[0].get("unread_messages", 0)
    assert "unread_messages" not in rows[0] or value > 0  # none is no member at all
    return value


def _unread_total(client: TestClient, headers: Headers) -> tuple[int, int]:
    answer = client.get(UNREAD, headers=headers).json()
    return answer["total"], answer["prescriptions"]


def test_both_ways_oldest_first_with_who_and_when(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    asked = _post(client, pharmacist, order, "Is the ascorbic acid dose intended?")
    assert asked.status_code == 201, asked.text
    answered = _post(client, prescriber, order, "Yes:\nas ordered last month.")
    assert answered.status_code == 201, answered.text

    for headers in (prescriber, pharmacist):
        thread = _thread(client, headers, order)
        assert [m["text"] for m in thread["items"]] == [
            "Is the ascorbic acid dose intended?",
            "Yes:\nas ordered last month.",
        ]
        assert [m["seq"] for m in thread["items"]] == [1, 2]
        assert [m["author"]["role"] for m in thread["items"]] == ["pharmacist", "prescriber"]
        assert thread["items"][0]["author"]["display_name"] == "Priya Nair, PharmD"
        assert thread["items"][0]["created_at"].endswith("Z")
        assert thread["total"] == 2


def test_paging_and_asking_for_what_came_later(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    pharmacist = as_user("pharmacist1")
    for number in range(3):
        assert _post(client, pharmacist, order, f"Note {number}").status_code == 201
    first = _thread(client, pharmacist, order, limit=2)
    assert [m["text"] for m in first["items"]] == ["Note 0", "Note 1"]
    second = _thread(client, pharmacist, order, limit=2, cursor=first["next_cursor"])
    assert [m["text"] for m in second["items"]] == ["Note 2"]
    assert second["next_cursor"] is None
    quiet = _thread(client, pharmacist, order, cursor=second["latest_cursor"])
    assert quiet["items"] == []
    assert quiet["latest_cursor"] == second["latest_cursor"]
    assert _post(client, as_user("prescriber1"), order, "Later").status_code == 201
    later = _thread(client, pharmacist, order, cursor=quiet["latest_cursor"])
    assert [m["text"] for m in later["items"]] == ["Later"]


def test_a_retry_with_the_same_key_never_doubles_a_message(
    client: TestClient, as_user: Callable[[str], Headers], order: str, database: Database
) -> None:
    prescriber = as_user("prescriber1")
    key = str(uuid.uuid4())
    first = _post(client, prescriber, order, "Please call me.", key)
    again = _post(client, prescriber, order, "Please call me.", key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.json() == first.json()
    other = _post(client, prescriber, order, "Something else", key)
    assert other.status_code == 422
    assert other.json()["code"] == "message.idempotency_key_reused"
    with database.reading() as session:
        texts = list(session.scalars(select(PrescriptionMessage.text)))
    assert texts == ["Please call me."]


@pytest.mark.parametrize(
    ("text", "field_error"),
    [
        ("", "at least 1"),
        ("Call\x07 me", "control"),
        ("Call \u202e me", "text-direction"),
        ("x" * (MAX_MESSAGE_LENGTH + 1), "at most"),
    ],
    ids=["empty", "bell", "bidi", "too-long"],
)
def test_the_text_rules(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    text: str,
    field_error: str,
) -> None:
    answer = _post(client, as_user("prescriber1"), order, text)
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert any(error["field"].endswith("text") for error in errors), errors
    assert field_error in " ".join(error["reason"] for error in errors)


def test_the_longest_message_and_new_lines_are_kept(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    text = "a\tb\n" + "x" * (MAX_MESSAGE_LENGTH - 4)
    answer = _post(client, as_user("prescriber1"), order, text)
    assert answer.status_code == 201, answer.text
    assert answer.json()["text"] == text


def test_unread_counts_go_up_and_down(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    prescriber, pharmacist = as_user("prescriber1"), as_user("pharmacist1")
    assert _row_unread(client, prescriber, order) == 0
    assert _unread_total(client, prescriber) == (0, 0)

    assert _post(client, pharmacist, order, "First question").status_code == 201
    assert _post(client, pharmacist, order, "Second question").status_code == 201
    # The writer has read their own; the other side has two new.
    assert _row_unread(client, pharmacist, order) == 0
    assert _row_unread(client, prescriber, order) == 2
    assert _unread_total(client, prescriber) == (2, 1)
    detail = client.get(f"{PRESCRIPTIONS}/{order}", headers=prescriber).json()
    assert detail["unread_messages"] == 2
    thread = _thread(client, prescriber, order)
    assert (thread["unread"], thread["read_up_to"]) == (2, 0)

    read = client.post(
        f"{PRESCRIPTIONS}/{order}/messages/read", headers=prescriber, json={"up_to_seq": 1}
    )
    assert read.json() == {"read_up_to": 1, "unread": 1}
    assert _row_unread(client, prescriber, order) == 1
    # Never back, never past the end.
    back = client.post(
        f"{PRESCRIPTIONS}/{order}/messages/read", headers=prescriber, json={"up_to_seq": 0}
    )
    assert back.json() == {"read_up_to": 1, "unread": 1}
    past = client.post(
        f"{PRESCRIPTIONS}/{order}/messages/read", headers=prescriber, json={"up_to_seq": 99}
    )
    assert past.json() == {"read_up_to": 2, "unread": 0}
    assert _row_unread(client, prescriber, order) == 0
    assert _unread_total(client, prescriber) == (0, 0)

    # The answer is new for the pharmacy, and a second pharmacist has read nothing yet.
    assert _post(client, prescriber, order, "Answer").status_code == 201
    assert _unread_total(client, pharmacist) == (1, 1)
    assert _row_unread(client, pharmacist, order) == 1


def test_a_second_pharmacist_has_their_own_marker(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    database: Database,
    demo_password_hash: str,
) -> None:
    add_user(
        database,
        "pharmacist2",
        role="pharmacist",
        clinic=PHARMACY_NAME,
        password_hash=demo_password_hash,
        display_name="Sam Ortiz, PharmD",
    )
    assert _post(client, as_user("prescriber1"), order, "Any news?").status_code == 201
    first, second = as_user("pharmacist1"), as_user("pharmacist2")
    client.post(f"{PRESCRIPTIONS}/{order}/messages/read", headers=first, json={"up_to_seq": 1})
    assert _unread_total(client, first) == (0, 0)
    assert _unread_total(client, second) == (1, 1)


def test_a_message_is_a_change_a_refresh_sees(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    pharmacist, prescriber = as_user("pharmacist1"), as_user("prescriber1")
    cursor = client.get(PRESCRIPTIONS, headers=prescriber).json()["changes_cursor"]
    assert _post(client, pharmacist, order, "A question").status_code == 201
    changed = client.get(PRESCRIPTIONS, headers=prescriber, params={"changed_since": cursor}).json()
    assert [(item["id"], item["unread_messages"]) for item in changed["items"]] == [(order, 1)]


def test_only_the_prescriber_and_pharmacists_find_the_thread(
    client: TestClient, as_user: Callable[[str], Headers], order: str
) -> None:
    assert _post(client, as_user("pharmacist1"), order, "For prescriber1").status_code == 201
    stranger = as_user("prescriber2")
    assert client.get(f"{PRESCRIPTIONS}/{order}/messages", headers=stranger).status_code == 404
    assert _post(client, stranger, order, "Hello").status_code == 404
    read = client.post(
        f"{PRESCRIPTIONS}/{order}/messages/read", headers=stranger, json={"up_to_seq": 1}
    )
    assert read.status_code == 404
    assert _unread_total(client, stranger) == (0, 0)
    staff = as_user("staff1")  # clinic staff see no prescriptions yet (prescriptions.access)
    assert client.get(f"{PRESCRIPTIONS}/{order}/messages", headers=staff).status_code == 404
    admin = as_user("admin1")
    assert client.get(f"{PRESCRIPTIONS}/{order}/messages", headers=admin).status_code == 403
    missing = f"{PRESCRIPTIONS}/{uuid.uuid4()}/messages"
    assert client.get(missing, headers=as_user("pharmacist1")).status_code == 404
    assert client.get(f"{PRESCRIPTIONS}/not-an-id/messages", headers=stranger).status_code == 404


def test_the_audit_names_the_thread_never_the_text(
    client: TestClient, as_user: Callable[[str], Headers], order: str, database: Database
) -> None:
    secret = "Patient says she is pregnant"
    assert _post(client, as_user("prescriber1"), order, secret).status_code == 201
    pharmacist = as_user("pharmacist1")
    latest = _thread(client, pharmacist, order)["latest_cursor"]
    _thread(client, pharmacist, order, cursor=latest)  # nothing new: nothing read
    with database.reading() as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.target_id == order, AuditEvent.action.like("%message%"))
                .order_by(AuditEvent.seq)
            )
        )
    assert [(e.action, e.actor_role) for e in events] == [
        ("prescription.message_posted", "prescriber"),
        ("prescription.messages_read", "pharmacist"),
    ]
    assert all(secret not in e.details_json and "pregnant" not in e.details_json for e in events)
    assert '"fields":["text"]' in events[0].details_json


def test_the_text_is_never_logged(
    client: TestClient,
    as_user: Callable[[str], Headers],
    order: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    assert _post(client, as_user("prescriber1"), order, "Zanzibar-7731").status_code == 201
    _thread(client, as_user("pharmacist1"), order)
    assert "Zanzibar-7731" not in caplog.text
