"""The address check before a first save, TLS through a private CA, and proxies.

Against the real pharmacy server (the module's live server), behind a TLS front made
with a certificate authority created in the test, and through a CONNECT proxy.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from portal_client.core.api_client import ApiClient
from portal_client.core.errors import TlsFailure
from portal_client.core.server_check import ServerCheckFailed, ServerProblem, check_server
from tests.helpers.live_server import DEMO_PASSWORD, LiveServer
from tests.helpers.tls import PrivateCa, connect_proxy, make_private_ca, tls_front


@pytest.fixture(scope="module")
def private_ca(tmp_path_factory: pytest.TempPathFactory) -> PrivateCa:
    return make_private_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(autouse=True)
def _no_proxy_from_the_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    proxies = ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY")
    bundles = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    for name in (*proxies, *(name.lower() for name in proxies), *bundles):
        monkeypatch.delenv(name, raising=False)


def _answering(body: bytes, status: int = 200) -> ThreadingHTTPServer:
    """A web server that is not a pharmacy server: every GET gets ``body``."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def other_site() -> Iterator[list[ThreadingHTTPServer]]:
    started: list[ThreadingHTTPServer] = []
    yield started
    for server in started:
        server.shutdown()
        server.server_close()


def test_the_pharmacy_server_passes_the_check(server: LiveServer) -> None:
    health = check_server(server.url)
    assert (health.service, health.api_version) == ("pharmacy-server", 1)


def test_an_address_where_nothing_listens_is_unreachable() -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ServerCheckFailed) as caught:
        check_server(f"http://127.0.0.1:{port}")
    assert caught.value.problem is ServerProblem.UNREACHABLE
    assert f"127.0.0.1:{port}" in str(caught.value)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"status": "ok"}', 200),  # some other service's health route
        (b"<html>Welcome</html>", 200),
        (b'{"detail": "Not Found"}', 404),
    ],
)
def test_another_web_server_is_not_a_pharmacy_server(
    body: bytes, status: int, other_site: list[ThreadingHTTPServer]
) -> None:
    site = _answering(body, status)
    other_site.append(site)
    with pytest.raises(ServerCheckFailed) as caught:
        check_server(f"http://127.0.0.1:{site.server_port}")
    assert caught.value.problem is ServerProblem.NOT_A_PHARMACY_SERVER


def test_a_pharmacy_server_of_another_api_version_is_incompatible(
    other_site: list[ThreadingHTTPServer],
) -> None:
    answer = {"status": "ok", "service": "pharmacy-server", "api_version": 99, "version": "9"}
    site = _answering(json.dumps(answer).encode())
    other_site.append(site)
    with pytest.raises(ServerCheckFailed) as caught:
        check_server(f"http://127.0.0.1:{site.server_port}")
    assert caught.value.problem is ServerProblem.INCOMPATIBLE
    assert "version 99" in str(caught.value)


def test_with_the_pharmacy_ca_bundle_https_connects(
    server: LiveServer, private_ca: PrivateCa
) -> None:
    with tls_front(private_ca, server.url) as front:
        health = check_server(front.url, ca_bundle=str(private_ca.ca_file))
        assert health.service == "pharmacy-server"
        client = ApiClient(front.url, ca_bundle=str(private_ca.ca_file))
        try:  # a whole conversation over it, not only the probe
            assert client.login("prescriber1", DEMO_PASSWORD).role == "prescriber"
            assert client.templates()
        finally:
            client.close()
        assert front.connections >= 1


def test_without_the_ca_bundle_the_certificate_is_refused_in_words(
    server: LiveServer, private_ca: PrivateCa
) -> None:
    with tls_front(private_ca, server.url) as front:
        client = ApiClient(front.url)
        with pytest.raises(TlsFailure) as caught:
            client.health()
        client.close()
        message = str(caught.value)
        assert "certificate" in message and "CA bundle" in message
        assert "Traceback" not in message and "HTTPSConnectionPool" not in message
        with pytest.raises(ServerCheckFailed) as check:
            check_server(front.url)
        assert check.value.problem is ServerProblem.TLS


def test_https_to_a_plain_http_port_is_a_tls_problem_in_words(server: LiveServer) -> None:
    with pytest.raises(ServerCheckFailed) as caught:
        check_server(server.url.replace("http://", "https://"))
    assert caught.value.problem is ServerProblem.TLS
    assert "No secure connection could be set up" in str(caught.value)
    assert "may not speak HTTPS" in str(caught.value)


def test_an_unreadable_ca_bundle_is_said_not_raised(server: LiveServer, tmp_path: Path) -> None:
    broken = tmp_path / "not-a-ca.pem"
    broken.write_text("not a certificate", encoding="utf-8")
    with pytest.raises(ServerCheckFailed) as caught:
        check_server(server.url.replace("http://", "https://"), ca_bundle=str(broken))
    assert caught.value.problem is ServerProblem.TLS
    assert "not-a-ca.pem" in str(caught.value)


def test_the_https_proxy_from_the_environment_is_used(
    server: LiveServer, private_ca: PrivateCa, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tls_front(private_ca, server.url) as front, connect_proxy() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        health = check_server(front.url, ca_bundle=str(private_ca.ca_file))
        assert health.api_version == 1
        assert proxy.connections == 1  # the tunnel, and through it the verified TLS
        assert front.connections == 1
