"""Every bad input a security probe sent is a clean JSON 4xx, on a real server process.

Each row of ``CASES`` goes over real HTTP to one ``pharmacy-server`` process per database
(SQLite, and the suite's private PostgreSQL), which answered 500 with a traceback to most
of them, or took them. Each must get its status and the usual error body (``detail``, and
``errors`` naming the field with a 422) that never quotes the bad value; the server must
answer ``/healthz`` afterwards; and the log the process wrote must hold no traceback, no
SQL and no canary patient name from the bad requests.
"""

from __future__ import annotations

import base64
import json
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, text
from sqlalchemy.exc import DBAPIError

from pharmacy_server.db import Database, create_database_engine
from pharmacy_server.models import Base
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer, start_live_server
from tests.helpers.signing import sign_body
from tests.server.support import new_prescription_body

#: In the bad requests' patient names and user names; never in the log or an answer.
CANARY = "Quillfeatherby"
LOG_LEAKS = ("Traceback", 'File "', "SELECT ", "INSERT ", "UPDATE ", "[SQL:", "parameters:")
PRESCRIPTIONS = "/api/v1/prescriptions"
VALIDATE = "/api/v1/prescriptions/validate"
JSON = {"Content-Type": "application/json"}


@dataclass
class Probe:
    """The server under test and a session for each role a case needs."""

    server: LiveServer
    tokens: dict[str, str]
    http: httpx.Client

    def auth(self, role: str | None) -> dict[str, str]:
        return {} if role is None else {"Authorization": f"Bearer {self.tokens[role]}"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    #: The raw body, or a function of the probe that builds it (a signed body needs one).
    body: bytes | Callable[[Probe], bytes] | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))
    role: str | None = "prescriber1"
    #: A field the 422 must name (the first error's, or any one of them).
    field: str | None = None


def patient_body(**patient: Any) -> dict[str, Any]:
    body = new_prescription_body()
    body["patient"] = {**body["patient"], "given_name": CANARY, **patient}
    return body


def raw(value: Any) -> bytes:
    """JSON as Python writes it: NaN and Infinity included, surrogates escaped."""
    return json.dumps(value).encode()


def with_number(text: str, where: str = "weight_kg") -> bytes:
    """A prescription whose ``patient.<where>`` is the literal ``text``."""
    return raw(patient_body(**{where: 1234.5})).replace(b"1234.5", text.encode())


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def draft(body: dict[str, Any]) -> bytes:
    return raw({"body": body})


def big_integer_beside_a_valid_token(probe: Probe) -> bytes:
    signed = sign_body(probe.server.url, probe.tokens["prescriber1"], patient_body())
    return raw({**signed, "infusion_minutes": 2**53 + 1})


def seq_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"seq": seq}).encode()).decode().rstrip("=")


CASES = [
    Case("NaN in a prescription", "POST", PRESCRIPTIONS, 422, with_number("NaN"),
         field="patient.weight_kg"),
    Case("Infinity in a prescription", "POST", PRESCRIPTIONS, 422, with_number("Infinity"),
         field="patient.weight_kg"),
    Case("-Infinity in a validation", "POST", VALIDATE, 422, with_number("-Infinity"),
         field="patient.weight_kg"),
    Case("1e309 in a prescription", "POST", PRESCRIPTIONS, 422, with_number("1e309"),
         field="patient.weight_kg"),
    Case("NaN in a draft", "POST", "/api/v1/drafts", 422,
         draft({"patient": {"given_name": CANARY, "weight_kg": float("nan")}}),
         field="body.patient.weight_kg"),
    Case("1e309 in a draft", "POST", "/api/v1/drafts", 422,
         draft({"patient": {"given_name": CANARY}}).replace(b"{\"given", b"{\"h\": 1e309, \"given"),
         field="body.patient.h"),
    Case("JSON 10,000 deep on submit", "POST", PRESCRIPTIONS, 422, deep(10_000), field="body"),
    Case("JSON 10,000 deep on validate", "POST", VALIDATE, 422, deep(10_000), field="body"),
    Case("JSON 40 deep on validate", "POST", VALIDATE, 422, deep(40), field="body"),
    Case("lone surrogate in a prescription", "POST", PRESCRIPTIONS, 422,
         raw(patient_body(family_name="Ab\ud800")), field="patient.family_name"),
    Case("lone surrogate in a draft", "POST", "/api/v1/drafts", 422,
         draft({"notes": "\udfff", "patient": {"given_name": CANARY}}), field="body.notes"),
    Case("integer above 2^53 beside a valid signing token", "POST", PRESCRIPTIONS, 422,
         big_integer_beside_a_valid_token, field="infusion_minutes"),
    Case("audit cursor holding a huge integer", "GET",
         f"/api/v1/admin/audit?cursor={seq_cursor(10**30)}", 422, role="admin1",
         field="cursor"),
    Case("NUL in a sign-in user name", "POST", "/api/v1/auth/login", 422,
         raw({"username": f"{CANARY}\x00", "password": DEMO_PASSWORD}), role=None,
         field="username"),
    Case("NUL in activation", "POST", "/api/v1/auth/activate", 422,
         raw({"username": f"{CANARY}\x00", "code": "ABCD-EFGH", "password": "x" * 16}),
         role=None, field="username"),
    Case("NUL in an account request", "POST", "/api/v1/account-requests", 422,
         raw({"username": "newdoctor", "display_name": f"Dr. {CANARY}\x00",
              "email": "new@clinic.example", "clinic": "Riverside", "role": "prescriber"}),
         role=None, field="display_name"),
    Case("NUL in ?idempotency_key=", "GET", f"{PRESCRIPTIONS}?idempotency_key=ab%00cd", 422,
         field="idempotency_key"),
    Case("NUL in an audit filter", "GET", "/api/v1/admin/audit?action=login%00", 422,
         role="admin1", field="action"),
    Case("NUL in a path parameter", "GET", f"{PRESCRIPTIONS}/ab%00cd", 404),
    Case("bidi override in a path parameter", "GET", "/api/v1/drafts/%E2%80%AEabc", 404),
    Case("ESC in a query parameter", "GET", f"{PRESCRIPTIONS}?status=%1B%5B2J", 422,
         field="status"),
    Case("right-to-left override in a name", "POST", VALIDATE, 422,
         raw(patient_body(family_name="\u202eTestpatient")), field="patient.family_name"),
    Case("zero-width space in a name", "POST", VALIDATE, 422,
         raw(patient_body(family_name="Test\u200bpatient")), field="patient.family_name"),
    Case("newline in a name", "POST", VALIDATE, 422,
         raw(patient_body(family_name="Test\npatient")), field="patient.family_name"),
    Case("allergy of 100,000 characters", "POST", VALIDATE, 422,
         raw(patient_body(allergies=["x" * 100_000])), field="patient.allergies[0]"),
    Case("NUL in an allergy", "POST", VALIDATE, 422,
         raw(patient_body(allergies=["lat\x00ex"])), field="patient.allergies[0]"),
    Case("ESC in a lab unit", "POST", VALIDATE, 422,
         raw(patient_body(labs=[{"code": "glucose", "value": 90, "unit": "mg\x1b[2J",
                                 "date": "2026-01-02"}])), field="patient.labs[0].unit"),
    Case("bidi override in a note", "POST", VALIDATE, 422,
         raw({**patient_body(), "notes": "take\u202e with food"}), field="notes"),
    Case("birth_date 19800402 as text", "POST", VALIDATE, 422,
         raw(patient_body(birth_date="19800402")), field="patient.birth_date"),
    Case("birth_date 19800402 as an integer", "POST", VALIDATE, 422,
         raw(patient_body(birth_date=19800402)), field="patient.birth_date"),
    Case("birth_date as an ISO week date", "POST", VALIDATE, 422,
         raw(patient_body(birth_date="1980-W14-3")), field="patient.birth_date"),
    Case("licence expiry 20300101", "POST", "/api/v1/account-requests", 422,
         raw({"username": "newdoctor", "display_name": "Dr. New", "email": "n@clinic.example",
              "clinic": "Riverside", "role": "prescriber", "licence_expires_on": "20300101"}),
         role=None, field="licence_expires_on"),
    Case("JSON sent as text/plain", "POST", VALIDATE, 415, raw(patient_body()),
         headers={"Content-Type": "text/plain"}),
    Case("JSON sent with no Content-Type", "POST", "/api/v1/auth/login", 415,
         raw({"username": CANARY, "password": DEMO_PASSWORD}), headers={}, role=None),
    Case("JSON sent as form data", "POST", "/api/v1/drafts", 415, draft({}),
         headers={"Content-Type": "application/x-www-form-urlencoded"}),
    Case("200 KB Authorization header", "GET", "/api/v1/auth/me", 431,
         headers={"Authorization": "Bearer " + "A" * 200_000}, role=None),
]  # fmt: skip


def _empty_and_migrated(database_url: str) -> None:
    """Start from empty tables: the server seeds the demo accounts itself."""
    database = Database.from_url(database_url)
    try:
        with database.writing() as session:
            for table in reversed(Base.metadata.sorted_tables):
                session.execute(delete(table))
    finally:
        database.dispose()


@pytest.fixture(scope="module")
def probe(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Probe]:
    _empty_and_migrated(database_url)
    with (
        start_live_server(
            tmp_path_factory.mktemp("bad-input"), database_url=database_url
        ) as server,
        httpx.Client(base_url=server.url, timeout=30) as http,
    ):
        tokens = {}
        for username in ("prescriber1", "admin1"):
            response = http.post(
                "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}
            )
            response.raise_for_status()
            tokens[username] = str(response.json()["token"])
        yield Probe(server, tokens, http)


def _send(probe: Probe, case: Case) -> httpx.Response:
    body = case.body(probe) if callable(case.body) else case.body
    headers = {**probe.auth(case.role), **case.headers}
    if case.method == "POST" and case.path == PRESCRIPTIONS:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    request = probe.http.build_request(case.method, case.path, content=body, headers=headers)
    if not case.headers.get("Content-Type"):
        request.headers.pop("Content-Type", None)
    return probe.http.send(request)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_is_a_clean_json_4xx(probe: Probe, case: Case) -> None:
    response = _send(probe, case)
    print(f"\n[bad input] {case.name}: {response.status_code} {response.text[:200]}")

    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()
    assert isinstance(error["detail"], str) and error["detail"]
    if case.status == 422:
        fields = [item["field"] for item in error["errors"]]
        assert all(item["reason"] for item in error["errors"])
        assert case.field in fields, fields
    assert CANARY not in response.text
    assert "x" * 100 not in response.text, "the answer quotes the bad value"
    assert probe.http.get("/healthz").json()["status"] == "ok"
    log = probe.server.log_text()
    assert probe.server.process.poll() is None
    assert [leak for leak in LOG_LEAKS if leak in log] == []
    assert CANARY not in log


def test_good_input_still_passes(probe: Probe) -> None:
    """The same bodies without their one bad value are taken (the refusals are specific)."""
    validated = probe.http.post(
        VALIDATE,
        json=patient_body(family_name="Müller", allergies=["latex"]),
        headers=probe.auth("prescriber1"),
    )
    assert validated.status_code == 200, validated.text
    signed = sign_body(probe.server.url, probe.tokens["prescriber1"], patient_body())
    submitted = probe.http.post(
        PRESCRIPTIONS,
        json=signed,
        headers={
            **probe.auth("prescriber1"),
            "Idempotency-Key": str(uuid.uuid4()),
            "Content-Type": "application/json; charset=utf-8",
        },
    )
    assert submitted.status_code == 201, submitted.text
    assert submitted.json()["patient"]["given_name"] == CANARY
    empty_post = probe.http.post("/api/v1/auth/logout", headers=probe.auth("admin1"))
    assert empty_post.status_code in (200, 204), empty_post.text


def test_a_failed_statement_never_shows_its_parameters(database_url: str) -> None:
    """Every engine hides bound values: an error (and any log of it) shows the SQL only."""
    engine = create_database_engine(database_url)
    try:
        with pytest.raises(DBAPIError) as failure, engine.connect() as connection:
            connection.execute(text("SELECT * FROM no_such_table WHERE name = :name"),
                               {"name": CANARY})  # fmt: skip
    finally:
        engine.dispose()
    assert "no_such_table" in str(failure.value)
    assert CANARY not in str(failure.value)


def _raw_exchange(url: str, request: bytes) -> bytes:
    """Send ``request`` as is over a socket and read until the server closes."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "header",
    [b"X-Probe: ab\x00cd", b"X-Probe: \x1b[2J", b"Bad Header: no spaces in names"],
    ids=["NUL", "ESC", "malformed name"],
)
def test_a_head_http_cannot_parse_is_a_json_400(probe: Probe, header: bytes) -> None:
    """h11 refuses these before the application; the answer is still the JSON error body."""
    answer = _raw_exchange(
        probe.server.url, b"GET /healthz HTTP/1.1\r\nHost: probe\r\n" + header + b"\r\n\r\n"
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"content-type: application/json" in head.lower()
    assert json.loads(body)["code"] == "request.malformed"
    assert probe.http.get("/healthz").json()["status"] == "ok"
    assert "Traceback" not in probe.server.log_text()
