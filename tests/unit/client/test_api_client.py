"""ApiClient against a real pharmacy server, and its mapping of every failure kind."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from pharmacy_domain.canonical import signing_sha256
from pharmacy_domain.templates import Template
from portal_client.core.api_client import USER_AGENT, ApiClient
from portal_client.core.composer import ComposerState, LabEntry
from portal_client.core.errors import (
    ApiError,
    InvalidCredentials,
    NotSignedIn,
    OutcomeUnknown,
    ServerUnreachable,
    UnreadableAnswer,
)
from portal_client.core.request_ids import KEPT_REQUEST_IDS, recent_request_ids
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer
from tests.helpers.wire_samples import prescription_answer


def signed_in(server: LiveServer, username: str = "prescriber1") -> ApiClient:
    client = ApiClient(server.url)
    client.login(username, DEMO_PASSWORD)
    return client


def signed(client: ApiClient, body: dict[str, Any]) -> dict[str, Any]:
    """The body with a signing token from a step-up for exactly its content."""
    grant = client.step_up(signing_sha256(body), password=DEMO_PASSWORD)
    assert "token" not in repr(grant).lower().replace("signinggrant", "")
    return {**body, "signing_token": grant.signing_token}


def valid_body(templates: list[Template], template_id: str = "myers-infusion") -> dict[str, Any]:
    state = ComposerState()
    state.select_template(next(t for t in templates if t.id == template_id))
    state.given_name, state.family_name = "Ada", "Lovelace"
    state.birth_date, state.sex, state.weight_kg = "1980-02-03", "female", "61"
    state.labs = [
        LabEntry("g6pd", "2026-10-01", interpretation="normal"),
        LabEntry("creatinine", "2026-11-01", "0.9", "mg/dL", "normal"),
    ]
    result = state.check()
    assert result.errors == [] and result.unacknowledged == []
    return state.to_body()


# ------------------------------------------------------------------ real server


def test_login_returns_the_user_and_keeps_the_token_in_memory(server: LiveServer) -> None:
    client = ApiClient(server.url)
    user = client.login("prescriber1", DEMO_PASSWORD)
    assert (user.username, user.role) == ("prescriber1", "prescriber")
    assert user.display_name and not user.is_reviewer
    assert client.signed_in
    assert client.me().username == "prescriber1"
    client.logout()
    assert not client.signed_in and client.user is None


def test_wrong_password_is_invalid_credentials_not_a_session_problem(server: LiveServer) -> None:
    client = ApiClient(server.url)
    with pytest.raises(InvalidCredentials):
        client.login("prescriber1", "not-the-password")
    assert not client.signed_in


def test_calls_after_logout_say_not_signed_in(server: LiveServer) -> None:
    client = signed_in(server)
    token_client = ApiClient(server.url)
    token_client._token = client._token  # the same session seen from a second client
    client.logout()
    with pytest.raises(NotSignedIn):
        token_client.list_prescriptions()
    with pytest.raises(NotSignedIn):
        client.templates()  # no token at all: refused before any request


def test_templates_parse_into_domain_templates(server: LiveServer) -> None:
    templates = signed_in(server).templates()
    assert templates and all(isinstance(t, Template) for t in templates)
    assert any(t.id == "myers-infusion" for t in templates)


def test_one_template_version_is_read_and_an_unknown_one_is_not_found(
    server: LiveServer,
) -> None:
    client = signed_in(server)
    latest = next(t for t in client.templates() if t.id == "myers-infusion")
    assert client.template_version("myers-infusion", latest.version) == latest
    with pytest.raises(ApiError) as missing:
        client.template_version("myers-infusion", 999)
    assert missing.value.status == 404


def test_submit_replays_with_the_same_key_and_is_found_by_it(server: LiveServer) -> None:
    client = signed_in(server)
    body = signed(client, valid_body(client.templates()))
    key = str(uuid.uuid4())
    first = client.submit_prescription(body, key)
    again = client.submit_prescription(body, key)
    assert first.id == again.id
    assert first.status == "submitted" and first.reference
    found = client.find_by_idempotency_key(key)
    assert found is not None and found.id == first.id
    assert client.find_by_idempotency_key(str(uuid.uuid4())) is None
    assert client.get_prescription(first.id).reference == first.reference
    page = client.list_prescriptions(status="submitted")
    assert first.id in [item.id for item in page.items]


def test_invalid_body_maps_to_api_error_with_field_errors(server: LiveServer) -> None:
    client = signed_in(server)
    body = valid_body(client.templates())
    body["patient"]["weight_kg"] = 9000
    with pytest.raises(ApiError) as caught:
        client.submit_prescription(signed(client, body), str(uuid.uuid4()))
    assert caught.value.status == 422
    assert "patient.weight_kg" in [e.field for e in caught.value.field_errors]


def test_an_error_quotes_the_request_id_the_server_logged(server: LiveServer) -> None:
    client = signed_in(server)
    with pytest.raises(ApiError) as caught:
        client.get_prescription(str(uuid.uuid4()))
    request_id = caught.value.request_id
    assert request_id is not None and uuid.UUID(request_id)
    assert f"Reference for support: {request_id}" in str(caught.value)
    assert recent_request_ids()[-1] == request_id
    assert len(recent_request_ids()) <= KEPT_REQUEST_IDS
    deadline = time.monotonic() + 10
    logged: list[str] = []
    while not logged and time.monotonic() < deadline:  # the access line follows the answer
        logged = [line for line in server.log_text().splitlines() if request_id in line]
        time.sleep(0.05)
    assert logged and " 404 " in logged[-1]
    assert logged[-1].endswith(f"request_id={request_id}")


def test_pharmacist_reviews_and_prescriber_may_not(server: LiveServer) -> None:
    prescriber = signed_in(server)
    body = signed(prescriber, valid_body(prescriber.templates()))
    created = prescriber.submit_prescription(body, str(uuid.uuid4()))
    with pytest.raises(ApiError) as refused:
        prescriber.review(created.id, "approve", "")
    assert refused.value.status in (403, 404)
    pharmacist = signed_in(server, "pharmacist1")
    assert created.id in [i.id for i in pharmacist.all_prescriptions("submitted").items]
    reviewed = pharmacist.review(created.id, "reject", "Please add a recent potassium level.")
    assert reviewed.status == "rejected"
    assert reviewed.review is not None
    assert reviewed.review.reason == "Please add a recent potassium level."
    assert prescriber.get_prescription(created.id).status == "rejected"


def test_step_up_refuses_a_wrong_password_and_fhir_export_is_a_bundle(
    server: LiveServer,
) -> None:
    client = signed_in(server)
    body = valid_body(client.templates())
    with pytest.raises(ApiError) as refused:
        client.step_up(signing_sha256(body), password="not-the-password")
    assert refused.value.status == 403
    created = client.submit_prescription(signed(client, body), str(uuid.uuid4()))
    bundle = client.prescription_fhir(created.id)
    assert bundle["resourceType"] == "Bundle"
    kinds = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert "MedicationRequest" in kinds


# ------------------------------------------------------------------ failures


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_closed_port_is_server_unreachable() -> None:
    client = ApiClient(f"http://127.0.0.1:{_closed_port()}")
    with pytest.raises(ServerUnreachable):
        client.login("prescriber1", DEMO_PASSWORD)


def test_unknown_host_is_server_unreachable() -> None:
    client = ApiClient("http://portal.invalid", connect_timeout=2)
    with pytest.raises(ServerUnreachable):
        client.login("prescriber1", DEMO_PASSWORD)


class SilentServer:
    """Accepts connections and reads requests but never answers."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        self.received = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            connection.recv(65536)
            self.received.set()

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close does not
        self.listener.close()
        for connection in self.connections:
            connection.close()
        self._thread.join(timeout=5)


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_no_answer_after_sending_is_outcome_unknown_and_post_is_not_resent(
    silent_server: SilentServer,
) -> None:
    client = ApiClient(silent_server.url, read_timeout=0.3)
    client._token = "a-token"
    with pytest.raises(OutcomeUnknown):
        client.submit_prescription({"template_id": "x"}, str(uuid.uuid4()))
    assert silent_server.received.is_set()
    assert len(silent_server.connections) == 1  # never retried by the client


def test_reset_after_sending_is_outcome_unknown() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    def accept_then_reset() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        connection.close()  # linger 0: the peer sees a reset

    worker = threading.Thread(target=accept_then_reset, daemon=True)
    worker.start()
    client = ApiClient(url, read_timeout=5)
    client._token = "a-token"
    try:
        with pytest.raises(OutcomeUnknown):
            client.submit_prescription({"template_id": "x"}, str(uuid.uuid4()))
    finally:
        worker.join(timeout=5)
        listener.close()


class OneShotHttpServer:
    """Answers every request with a fixed status, headers and body (for error shapes)."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                outer.user_agent = self.headers.get("User-Agent", "")
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.user_agent = ""
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def test_error_body_detail_and_retry_after_are_kept() -> None:
    server = OneShotHttpServer(
        429, b'{"detail": "Slow down"}', {"Retry-After": "7", "Content-Type": "application/json"}
    )
    try:
        client = ApiClient(server.url)
        with pytest.raises(ApiError) as caught:
            client.login("prescriber1", "x")
        assert (caught.value.status, caught.value.message) == (429, "Slow down")
        assert caught.value.retry_after == 7.0
        assert server.user_agent == USER_AGENT
    finally:
        server.close()


def test_unreadable_success_body_is_an_api_error() -> None:
    server = OneShotHttpServer(200, b"<html>proxy login</html>")
    try:
        with pytest.raises(ApiError):
            ApiClient(server.url).login("prescriber1", "x")
    finally:
        server.close()


def _answering(body: Any) -> OneShotHttpServer:
    return OneShotHttpServer(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


def test_a_session_answer_without_its_token_is_unreadable_by_name() -> None:
    server = _answering({"expires_at": "2026-11-26T10:00:00Z", "user": {}})
    try:
        with pytest.raises(UnreadableAnswer) as caught:
            ApiClient(server.url).login("prescriber1", "x")
        assert caught.value.field == "token"
        assert str(caught.value) == "The pharmacy sent an answer this version cannot read: token"
    finally:
        server.close()


def test_a_list_with_an_unknown_status_is_unreadable_at_that_item() -> None:
    item = prescription_answer(status="on_hold")
    server = _answering({"items": [prescription_answer(), item], "total": 2, "next_cursor": None})
    try:
        client = ApiClient(server.url)
        client._token = "stand-in"  # no sign-in against this stand-in
        with pytest.raises(UnreadableAnswer) as caught:
            client.list_prescriptions()
        assert caught.value.field == "items.1.status"
    finally:
        server.close()


def test_an_error_body_of_another_shape_still_gives_the_status() -> None:
    server = OneShotHttpServer(
        404, b'{"detail": {"nested": true}}', {"Content-Type": "application/json"}
    )
    try:
        client = ApiClient(server.url)
        client._token = "stand-in"  # no sign-in against this stand-in
        with pytest.raises(ApiError) as caught:
            client.get_prescription("id-1")
        assert caught.value.status == 404 and caught.value.answer is None
        assert caught.value.message == "Not found. It may have been removed."
    finally:
        server.close()
